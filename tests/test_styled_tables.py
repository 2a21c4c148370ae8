"""The tables (乡镇排名's two, 总览's targets and lowest townships, 年度对比's) are made and styled
once and reused on every rerun (issue #17): what is reused follows the snapshot, the filters, the language
and the store's words, and looks as a fresh one does."""
from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from pandas.io.formats.style import Styler

from conftest import open_page
from test_concurrency import region_codes
from unionstats import app, attainment, comparison, i18n, importing, league, snapshots, store, styled, template
from unionstats.indicators import Scope
from unionstats.view import View

RATE = "unionization_rate"


def columns(path, lang="zh", year=2024, scope=Scope()) -> list[str]:
    return list(league.shown(RATE, year, scope, lang, path).numbers.columns)


def test_the_tables_follow_the_language_and_the_stores_words(demo_db):
    zh, en = columns(demo_db), columns(demo_db, "en")
    assert "乡镇" in zh and "Township" in en
    assert "乡镇" in league.rates_matrix(2024, Scope(), "zh", demo_db).styled.data.columns
    assert "Township" in league.rates_matrix(2024, Scope(), "en", demo_db).styled.data.columns
    try:
        i18n.use_labels("县（市、区）", "全市")  # a city federation's store: the same snapshot, other words
        assert "县（市、区）" in columns(demo_db) and not any("全县" in c for c in columns(demo_db))
        assert "县（市、区）" in league.rates_matrix(2024, Scope(), "zh", demo_db).styled.data.columns
    finally:
        i18n.use_labels()
    assert columns(demo_db) == zh


def test_the_tables_follow_the_year_and_the_filter(demo_db):
    def rates(year, scope=Scope()):
        return league.shown(RATE, year, scope, "zh", demo_db).numbers["建会率"].tolist()

    industry = store.query("industries", path=demo_db)["code"].iloc[2]
    assert rates(2024) != rates(2023)
    assert rates(2024, Scope(industries=(industry,))) != rates(2024)
    matrix = league.rates_matrix(2024, Scope(), "zh", demo_db).styled.data
    assert not matrix.equals(league.rates_matrix(2023, Scope(), "zh", demo_db).styled.data)


def test_the_tables_follow_a_publish(county):
    """A township's own target, published after the table was made, is in the next one."""
    assert "本乡镇目标" not in columns(county)
    town = next(iter(region_codes(county)))
    file = template.sheet_bytes({"目标": [["年度", "指标", "乡镇", "目标值"], [2024, "建会率", town, "30%"]]})
    snapshots.publish(importing.prepare(county, "目标.xlsx", file).candidate)
    shown = league.shown(RATE, 2024, Scope(), "zh", county).numbers
    assert shown.set_index("乡镇").loc[town, "本乡镇目标"] == "30.0%"


def test_a_frozen_styler_renders_as_a_fresh_one_and_styles_once():
    frame = pd.DataFrame({"name": ["a", "b"], "rate": [0.5, None]})
    css = pd.DataFrame({"name": ["", ""], "rate": ["color: red", ""]})
    calls = Counter()

    def paint(data):
        calls["css"] += 1
        return css

    fresh = Styler(frame, uuid="u").format({"rate": "{:.1%}"}, na_rep="—").apply(paint, axis=None)
    fresh._compute()
    want = fresh._translate(False, False)
    frozen = styled.freeze(Styler(frame, uuid="u").format({"rate": "{:.1%}"}, na_rep="—").apply(paint, axis=None))
    calls.clear()
    for _ in range(2):  # as st.dataframe renders it on each rerun
        frozen._compute()
        assert repr(frozen._translate(False, False)) == repr(want)  # repr: NaN cells equal
    assert calls["css"] == 0
    assert frozen.to_html() == fresh.to_html()  # any other rendering is the usual one


@pytest.mark.parametrize("page, indicator", [("townships", "compliance_rate"), ("overview", None),
                                             ("compare", None)])
def test_a_warm_rerun_styles_no_table_again(demo_db, monkeypatch, page, indicator):
    at = open_page(f"pages/{page}.py")
    if indicator:
        at.selectbox(key="league_indicator").set_value(indicator).run()  # small samples: grey cells
    before = [(d.value, d.proto.arrow_data.styler.styles.replace(d.proto.arrow_data.styler.uuid, ""))
              for d in at.dataframe]
    assert any("color" in styles for _, styles in before)
    computed = Counter()
    original = Styler._compute

    def counted(self):
        computed["compute"] += 1
        return original(self)

    monkeypatch.setattr(Styler, "_compute", counted)
    at.run()
    assert not at.exception, at.exception
    assert computed["compute"] == 0
    after = [(d.value, d.proto.arrow_data.styler.styles.replace(d.proto.arrow_data.styler.uuid, ""))
             for d in at.dataframe]
    assert len(after) == len(before)
    for (value, styles), (value_before, styles_before) in zip(after, before):
        pd.testing.assert_frame_equal(value, value_before)
        assert styles == styles_before


def test_the_compare_table_follows_the_language_and_the_years(demo_db):
    def shown(lang, a=2023, b=2024):
        return comparison.shown(Scope(), a, b, lang, demo_db).data

    zh, en = shown("zh"), shown("en")
    assert "建会率" in set(zh.iloc[:, 0]) and "Unionization rate" in set(en.iloc[:, 0])
    assert list(zh.columns) != list(en.columns)
    assert not shown("zh", 2022, 2024).equals(zh)


def test_the_target_table_follows_the_language_the_words_and_a_publish(county, monkeypatch):
    monkeypatch.setenv("UNIONSTATS_DB", str(county))
    store.clear_cache()

    def table(lang="zh"):
        return app._attainment_styled(View(2024, lang=lang), i18n.labels()).data

    zh = table()
    assert list(zh.columns) != list(table("en").columns)
    file = template.sheet_bytes({"目标": [["年度", "指标", "乡镇", "目标值"], [2024, "建会率", None, "99%"]]})
    snapshots.publish(importing.prepare(county, "目标.xlsx", file).candidate)
    after = table()
    assert "99.0%" in set(after.iloc[:, 1]) and "99.0%" not in set(zh.iloc[:, 1])


def test_the_profile_follows_the_township_the_language_and_the_stores_words(demo_db):
    towns = list(region_codes(demo_db).values())

    def profile(region=towns[0], lang="zh"):
        return league.profile_shown(region, 2024, Scope(), lang, demo_db)

    zh = profile()
    assert "全县" in zh.columns and "County" in profile(lang="en").columns
    assert not profile(towns[1]).equals(zh)
    try:
        i18n.use_labels("县（市、区）", "全市")
        assert "全市" in profile().columns and "全县" not in profile().columns
    finally:
        i18n.use_labels()
    assert profile().equals(zh)


def test_the_lowest_townships_follow_the_language_the_words_and_the_year(demo_db):
    def lowest(lang="zh", year=2024):
        return attainment.lowest(RATE, year, Scope(), lang)

    zh = lowest()
    assert list(zh)[0] == "乡镇" and list(lowest("en"))[0] == "Township"
    assert len(zh["乡镇"]) == 3
    try:
        i18n.use_labels("县（市、区）", "全市")
        assert list(lowest())[0] == "县（市、区）"
    finally:
        i18n.use_labels()
    assert lowest() == zh and lowest(year=2019) != zh


@pytest.fixture(autouse=True)
def _plain_words():
    yield
    i18n.use_labels()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_league_download_holds_the_figures_as_shown(demo_db, lang):
    """Found by a user trial: 乡镇排名's CSV held 0.7012345678 where the table shows 70.1%. The file
    (the page passes league.shown(…).numbers to exports.csv_bytes) keeps rates as fractions to the
    shown 0.1% (3 decimals) and changes and gaps in points to the shown 0.1 (1 decimal)."""
    import csv
    import io
    import re
    from unionstats import catalog, exports
    for code in league.RATES:
        made = league.shown(code, 2024, Scope(), lang, demo_db)
        rows = list(csv.reader(io.StringIO(exports.csv_bytes(made.numbers).decode("utf-8-sig"))))
        header, body = rows[0], rows[1:]
        value_col = catalog.get(code).name(lang)
        points = [c for c in header if ("个百分点" if lang == "zh" else "(pp)") in c]
        assert len(points) == 2 and body
        places = {value_col: 3, **{c: 1 for c in points}}
        for row in body:
            for column, cell in zip(header, row):
                if column in places and cell:
                    assert re.fullmatch(r"-?\d+(\.\d+)?", cell), (column, cell)
                    decimals = len(cell.partition(".")[2])
                    assert decimals <= places[column], (code, column, cell)
        exact = league.table(code, 2024, Scope(), demo_db)
        got = made.numbers[value_col].astype(float).tolist()
        assert got == pytest.approx(list(exact["value"]), abs=0.0005 + 1e-9)  # rounded, not another figure
        shown = made.styled.data  # what the table formats as {:.1f}% / {:+.1f}
        assert [round(v * 100, 1) for v in got] == pytest.approx(list(shown[value_col]))
        for column in points:
            assert made.numbers[column].tolist() == pytest.approx(list(shown[column]), nan_ok=True)
            assert made.numbers[column].tolist() == pytest.approx(
                list(exact["change" if column == points[0] else "gap_county"] * 100), abs=0.0501, nan_ok=True)
