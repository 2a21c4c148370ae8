"""Issue #11 item 8: reference figures, rates others published (全市, 全省, 全国, ILO), in their own
sheet 参考数据. Checked on import like every sheet; drawn as comparison lines on the trend charts and
written beside the county's value in 年度对比 ("本县 45.1% · 全省 80.1%"), for the whole county
only; never summed into any county figure. Expected values here come from the file written by the
test, the raw tables (duckdb, not the product's queries) and tests/independent.py."""
from __future__ import annotations

import html
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import independent
from conftest import ROOT, open_page
from test_importing import state, xlsx
from unionstats import catalog, charts, importing, indicators, references, snapshots, store, template
from unionstats.format import fmt_number
from unionstats.indicators import Scope

HEADER = ["年度", "参照对象", "指标", "数值", "来源"]
SHEET = "参考数据"
# Written out here, not read from the product: how each body is shown, in the fixed display order.
BODY_ZH = {"city": "全市", "province": "全省", "nation": "全国", "ilo": "ILO"}
GRAINS = ("county", "region", "industry", "ownership", "ownership_group")


def publish(path, name: str, data: bytes) -> None:
    prepared = importing.prepare(path, name, data)
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems[:5]]
    snapshots.publish(prepared.candidate)
    store.clear_cache()


def raw_references(path) -> pd.DataFrame:
    con = duckdb.connect(str(store.resolve(path)), read_only=True)
    try:
        return con.execute("SELECT * FROM reference_figures ORDER BY year, body, indicator").df()
    finally:
        con.close()


def chart(at, key: str) -> dict:
    found = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    assert len(found) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return found[0]


# --- import --------------------------------------------------------------------------------------

def test_a_messy_sheet_says_what_is_wrong_where_and_writes_nothing(county):
    rows = [HEADER,
            [2024, "全省", "建会率", "８０．１％", "省总工会统计公报"],  # 2: fine (full-width digits and ％)
            [None, None, None, None, None],                          # 3: blank, skipped
            [2024, "全球", "建会率", "80%", "某机构"],               # 4: no such body
            [2024, "全市", "入会率", "180%", "市总工会统计年报"],     # 5: a rate over 100%
            [2023, "全国", "建会率", None, "全总统计公报"],           # 6: no value
            [2024, "全国", "建会指数", "50%", "全总统计公报"],        # 7: no such indicator
            [2024, "全国", "单位数", "50%", "全总统计公报"],          # 8: a count, not a rate
            [2024, "ILO", "入会率", "0.45", None],                   # 9: no source
            [2024, "全省", "建会率", "0.80", "省总工会统计公报"]]     # 10: row 2 again
    before = state(county)
    stored_before = raw_references(county)
    prepared = importing.prepare(county, "参考.xlsx", xlsx({SHEET: rows}))
    found = {(p.sheet, p.row, p.column): p.message for p in prepared.batch.problems}
    assert set(found) == {(SHEET, 4, "参照对象"), (SHEET, 5, "数值"), (SHEET, 6, "数值"), (SHEET, 7, "指标"),
                          (SHEET, 8, "指标"), (SHEET, 9, "来源"), (SHEET, 10, "")}, found
    assert "未知的参照对象「全球」" in found[(SHEET, 4, "参照对象")]
    assert "0% 到 100%" in found[(SHEET, 5, "数值")]
    assert found[(SHEET, 6, "数值")] == "不能为空" and found[(SHEET, 9, "来源")] == "不能为空"
    assert "未知的指标「建会指数」" in found[(SHEET, 7, "指标")]
    assert "不是比率指标" in found[(SHEET, 8, "指标")]
    assert "与第2行重复" in found[(SHEET, 10, "")]
    line = next(p for p in prepared.batch.problems if p.row == 5).line()
    assert line.startswith("参考.xlsx · 工作表「参考数据」 · 第5行 · 「数值」列")
    assert prepared.candidate is None
    store.clear_cache()
    assert state(county) == before
    pd.testing.assert_frame_equal(raw_references(county), stored_before)


def test_rates_as_typed_are_stored_and_a_reimport_replaces_only_its_own_keys(county):
    publish(county, "参考.xlsx", xlsx({SHEET: [
        HEADER,
        ["2024年", "全省", "建会率", "８０．１％", "省总工会2024年统计公报"],
        [2024, "本市", "unionization_rate", 0.79, "市总工会统计年报"],
        [2023, "国际劳工组织", "入会率", "45%", "ILOSTAT"]]}))
    got = raw_references(county).set_index(["year", "body", "indicator"])
    assert got.loc[(2024, "province", "unionization_rate"), "value"] == pytest.approx(0.801)
    assert got.loc[(2024, "province", "unionization_rate"), "source"] == "省总工会2024年统计公报"
    assert got.loc[(2024, "city", "unionization_rate"), "value"] == pytest.approx(0.79)
    assert got.loc[(2023, "ilo", "membership_rate"), "value"] == pytest.approx(0.45)
    assert set(got["unit"]) == {"rate"}
    count = len(got)

    publish(county, "参考更正.xlsx", xlsx({SHEET: [HEADER, [2024, "全省", "建会率", "81%", "省总工会更正公报"]]}))
    again = raw_references(county).set_index(["year", "body", "indicator"])
    assert len(again) == count  # the same key replaced, nothing added, nothing else dropped
    assert again.loc[(2024, "province", "unionization_rate"), "value"] == pytest.approx(0.81)
    assert again.loc[(2024, "province", "unionization_rate"), "source"] == "省总工会更正公报"
    assert again.loc[(2024, "city", "unionization_rate"), "value"] == pytest.approx(0.79)


def test_a_csv_of_reference_figures_is_recognised_by_its_headers(county):
    text = "年度,参照对象,指标,数值,来源\n2022,全国,劳动合同签订率,91.5%,全国总工会统计公报\n"
    publish(county, "参考.csv", text.encode("gbk"))
    got = raw_references(county).set_index(["year", "body", "indicator"])
    assert got.loc[(2022, "nation", "labor_contract_rate"), "value"] == pytest.approx(0.915)


def test_the_template_has_the_sheet_and_carries_the_figures_there_and_back(demo_db, county_store, tmp_path):
    import openpyxl
    book = openpyxl.load_workbook(template.write(tmp_path / "t.xlsx"))
    assert [c.value for c in book[SHEET][1]] == HEADER
    # the county store was imported from the demo written out through the template
    pd.testing.assert_frame_equal(raw_references(county_store), raw_references(demo_db))
    assert len(raw_references(demo_db)) > 0


# --- never summed --------------------------------------------------------------------------------

def test_reference_figures_never_change_a_county_figure(county):
    years = tuple(indicators.years(county))
    before = {grain: indicators.table(Scope(), grain, years, county) for grain in GRAINS}
    # Extreme values for every rate and year: any leak into a county figure would show.
    rows = [HEADER] + [[y, body, ind.name_zh, "100%" if body == "全省" else "0%", "测试"]
                       for y in years for body in ("全省", "全国") for ind in catalog.INDICATORS if ind.is_rate]
    publish(county, "参考.xlsx", xlsx({SHEET: rows}))
    assert len(raw_references(county)) >= len(rows) - 1
    for grain in GRAINS:
        pd.testing.assert_frame_equal(indicators.table(Scope(), grain, years, county), before[grain], obj=grain)


def test_only_their_own_query_reads_reference_figures():
    readers = sorted(p.name for p in (ROOT / "queries").glob("*.sql") if "reference_figures" in p.read_text("utf-8"))
    assert readers == ["reference_figures.sql", "schema.sql"]


# --- shown beside the county's own ---------------------------------------------------------------

def test_trend_chart_draws_each_body_dashed_with_its_source(county, monkeypatch):
    source = "省总工会<b>统计公报</b>"
    publish(county, "参考.xlsx", xlsx({SHEET: [HEADER, [2023, "全省", "建会率", "79.5%", source],
                                                 [2024, "全省", "建会率", "80.1%", source]]}))
    monkeypatch.setenv("UNIONSTATS_DB", str(county))
    spec = chart(open_page("pages/overview.py", year="2024"), "trend_coverage")
    stored = raw_references(county)
    for indicator in ("unionization_rate", "membership_rate"):
        for body, rows in stored[stored["indicator"] == indicator].groupby("body"):
            name = f"{BODY_ZH[body]} · {catalog.get(indicator).name_zh}"
            trace = next(tr for tr in spec["data"] if html.unescape(tr["name"]) == name)
            assert trace["line"]["dash"] != "solid" and trace.get("meta") == "reference"
            drawn = {x: y for x, y in zip(trace["x"], trace["y"]) if y is not None}
            assert drawn == pytest.approx(dict(zip(rows["year"], rows["value"])))
    trace = next(tr for tr in spec["data"] if html.unescape(tr["name"]) == "全省 · 建会率")
    hover = dict(zip(trace["x"], trace["customdata"]))
    assert hover[2024] == "80.1% (来源：省总工会&lt;b&gt;统计公报&lt;/b&gt;)"  # user text, escaped
    county_line = next(tr for tr in spec["data"] if tr["name"] == "建会率")
    assert trace["line"]["color"] == county_line["line"]["color"]  # paired with the county's series


def test_a_single_indicator_chart_names_the_line_by_body_alone():
    fig = charts.trend([2022, 2023, 2024], [("劳动合同签订率", [0.90, 0.92, 0.95])], "rate", "劳动合同签订率",
                       references=references.trend_lines(pd.DataFrame(
                           {"year": [2021, 2023, 2024], "body": ["nation"] * 3, "indicator": ["labor_contract_rate"] * 3,
                            "value": [0.5, 0.915, 0.93], "source": ["全总"] * 3}), ["labor_contract_rate"]))
    line = next(tr for tr in fig.data if tr.name == "全国")
    assert list(line.x) == [2022, 2023, 2024] and list(line.y) == [None, 0.915, 0.93]  # 2021 is off the axis
    assert fig.layout.yaxis.range[0] == pytest.approx(0.85)  # zoomed over both: 2021's 50% does not count


def test_year_comparison_says_county_and_province_side_by_side(county, monkeypatch):
    publish(county, "参考.xlsx", xlsx({SHEET: [HEADER, [2024, "全省", "建会率", "80.1%", "省总工会统计公报"]]}))
    monkeypatch.setenv("UNIONSTATS_DB", str(county))
    at = open_page("pages/compare.py", year="2024")
    assert not [c for c in at.dataframe[0].value.columns if "对照" in c]  # the main table stays narrow
    table = at.dataframe[1].value.set_index("指标")
    own = independent.expected(independent.raw(county), ["year"]).loc[2024, "unionization_rate"]
    stored = raw_references(county)
    that_year = stored[(stored["year"] == 2024) & (stored["indicator"] == "unionization_rate")]
    others = " · ".join(f"{BODY_ZH[b]} {fmt_number(that_year.set_index('body').loc[b, 'value'], 'rate')}"
                        for b in BODY_ZH if b in set(that_year["body"]))
    assert "全省 80.1%" in others
    assert table.loc["建会率", "2024年对照"] == f"本县 {fmt_number(own, 'rate')} · {others}"
    with_figures = {catalog.get(c).name_zh for c in stored["indicator"][stored["year"].isin([2023, 2024])]}
    assert set(table.index) == with_figures  # only the rows others published; "单位数" has none
    without = {catalog.get(c).name_zh for c in stored["indicator"][stored["year"] == 2023]} - {
        catalog.get(c).name_zh for c in stored[stored["year"] == 2024]["indicator"]}
    assert all(table.loc[name, "2024年对照"] == "" for name in without)
    assert any("省总工会统计公报" in c.value for c in at.caption)


def test_same_year_only(county, monkeypatch):
    """A body's figure of another year is never shown as this year's."""
    monkeypatch.setenv("UNIONSTATS_DB", str(county))
    stored = raw_references(county)
    at = open_page("pages/compare.py", year="2022")  # 2021 against 2022: the demo's figures differ
    table = at.dataframe[1].value.set_index("指标")
    wanted = {year: {catalog.get(c).name_zh for c in stored[stored["year"] == year]["indicator"]} for year in (2021, 2022)}
    assert wanted[2021] and wanted[2021] != wanted[2022]
    for year in (2021, 2022):
        column = f"{year}年对照"
        assert set(table[table[column] != ""].index) == wanted[year]
        for code, rows in stored[stored["year"] == year].groupby("indicator"):
            # 本县 45.1% · 全省 47.2%: the county, then each body's figure of that year and no other year's
            parts = table.loc[catalog.get(code).name_zh, column].split(" · ")
            assert len(parts) == 1 + len(rows) and parts[0].startswith("本县")
            assert sorted(p.split(" ")[-1] for p in parts[1:]) == sorted(fmt_number(v, "rate") for v in rows["value"])


def test_under_a_township_filter_there_are_no_reference_lines_and_a_caption_says_why(county, monkeypatch):
    monkeypatch.setenv("UNIONSTATS_DB", str(county))
    assert len(raw_references(county))  # the demo's figures came through the template
    region = store.query("regions", path=county)["code"].iloc[0]
    at = open_page("pages/overview.py", year="2024", region=region)
    spec = chart(at, "trend_coverage")
    assert not [tr for tr in spec["data"] if tr.get("meta") == "reference"]
    assert any("只在全县范围显示" in c.value for c in at.caption)
    at.switch_page("pages/compare.py").run()
    assert not [c for d in at.dataframe for c in d.value.columns if "对照" in c]


# --- an older store ------------------------------------------------------------------------------

def schema3_copy(source, target) -> Path:
    """The store as format 3 wrote it: format 4 without the reference_figures table."""
    import shutil
    shutil.copy(source, target)
    con = duckdb.connect(str(target))
    try:
        con.execute("DROP TABLE reference_figures")
        con.execute("UPDATE settings SET value = '3' WHERE key = 'schema_version'")
    finally:
        con.close()
    return target


def test_a_store_without_the_table_asks_to_upgrade_and_upgrades_unchanged(demo_db, tmp_path, monkeypatch):
    old = schema3_copy(demo_db, tmp_path / "old.duckdb")
    with pytest.raises(store.StoreError, match="(?s)旧版格式.*参考数据.*python -m unionstats upgrade"):
        references.figures(["unionization_rate"], path=old)
    store.clear_cache()
    monkeypatch.setenv("UNIONSTATS_DB", str(old))
    at = open_page("pages/overview.py", year="2024")  # the page still works, and says what to do
    assert any("升级" in c.value for c in at.caption)
    store.clear_cache()
    prepared = importing.upgrade(old)
    snapshots.publish(prepared.candidate)
    store.clear_cache()
    assert store.setting("schema_version", path=old) == store.SCHEMA_VERSION
    assert references.figures(["unionization_rate"], path=old).empty
    years = tuple(indicators.years(demo_db))
    for grain in GRAINS:
        pd.testing.assert_frame_equal(indicators.table(Scope(), grain, years, old),
                                      indicators.table(Scope(), grain, years, demo_db), obj=grain)


def test_reference_figures_import_into_a_store_without_the_table(county, tmp_path):
    old = schema3_copy(store.resolve(county), tmp_path / "old.duckdb")
    publish(old, "参考.xlsx", xlsx({SHEET: [HEADER, [2024, "全省", "入会率", "66%", "省总工会统计公报"]]}))
    assert store.setting("schema_version", path=old) == store.SCHEMA_VERSION
    got = raw_references(old)
    assert list(got["body"]) == ["province"] and got["value"].iloc[0] == pytest.approx(0.66)
