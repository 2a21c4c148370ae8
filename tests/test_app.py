"""The dashboard in-process (AppTest): 总览 renders, shows the right figures, follows filters,
and explains database problems instead of raising."""
from __future__ import annotations

import json

import pytest

from conftest import open_page
from unionstats import catalog, indicators, store
from unionstats.format import fmt_delta, fmt_number
from unionstats.indicators import Scope


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_metrics(year: int, scope: Scope, lang: str = "zh") -> dict[str, str]:
    values = indicators.summary(year, scope)
    return {catalog.get(c).name(lang): fmt_number(values[c], catalog.get(c).unit, lang) for c in catalog.HEADLINE}


def test_overview_renders_headline_figures(demo_db):
    at = open_page()
    assert not at.exception
    assert metrics(at) == expected_metrics(2024, Scope())
    assert metrics(at)["追回欠薪"] == "68.0万元"
    assert dict(at.query_params) == {"year": "2024"}  # the view is in the URL


def test_overview_charts_have_data(demo_db):
    at = open_page()
    charts = at.get("plotly_chart")
    assert len(charts) == 5  # coverage rates, members (stock), new members (flow), arrears, aid
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        assert spec["data"], "empty chart"
        xs = spec["data"][0]["x"]
        assert xs[0] == 2015 and xs[-1] == 2024
        assert any(v is not None for v in spec["data"][0]["y"])


def test_demo_label_shown(demo_db):
    at = open_page()
    assert "示例数据" in at.title[0].value
    assert any("示例数据" in i.value for i in at.info)


def test_changing_the_year_changes_the_kpis(demo_db):
    at = open_page()
    before = metrics(at)
    at.sidebar.selectbox(key="f_year").set_value("2019").run()
    assert not at.exception
    after = metrics(at)
    assert after != before
    assert after == expected_metrics(2019, Scope())


def test_filters_from_url_apply(demo_db):
    at = open_page(year="2021", region="nanshan,qingshi", ownership="nonpublic")
    assert not at.exception
    scope = Scope(regions=("nanshan", "qingshi"), ownership_group="nonpublic")
    assert metrics(at) == expected_metrics(2021, scope)
    # Aid is per township only: shown as "—" with a note, never a county figure.
    assert metrics(at)["帮扶金额"] == "—"
    assert any("只按乡镇统计" in c.value for c in at.caption)


def test_gaps_box_lists_the_lowest_townships(demo_db):
    at = open_page()
    by_region = indicators.table(Scope(), "region", (2024,))
    names = store.query("regions").set_index("code")["name_zh"]
    want = [names[k] for k in by_region.nsmallest(3, "unionization_rate")["key"]]
    table = next(d.value for d in at.dataframe if "乡镇" in d.value.columns)  # after the targets table
    assert list(table["乡镇"]) == want


def test_invalid_url_values_are_dropped_with_a_notice(demo_db):
    at = open_page(year="1899", region="atlantis,chengguan", ownership="martian")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "1899" in warning and "atlantis" in warning and "martian" in warning
    assert metrics(at) == expected_metrics(2024, Scope(regions=("chengguan",)))


def test_english_mode(demo_db):
    at = open_page(lang="en")
    assert not at.exception
    assert metrics(at) == expected_metrics(2024, Scope(), "en")
    assert "Overview" in at.title[0].value


@pytest.mark.parametrize("content", [b"not a database" * 50, None])
def test_broken_database_shows_how_to_rebuild(tmp_path, monkeypatch, content):
    path = tmp_path / "broken.duckdb"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv("UNIONSTATS_DB", str(path))
    at = open_page()
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "python -m unionstats demo" in message
    assert not path.exists() or path.read_bytes() == content  # nothing overwritten


def test_first_start_builds_the_demo_database(tmp_path, monkeypatch):
    target = tmp_path / "data" / "unionstats.duckdb"
    monkeypatch.delenv("UNIONSTATS_DB", raising=False)
    monkeypatch.setattr(store, "DEFAULT_DB", target)
    at = open_page()
    assert not at.exception
    assert target.exists()
    assert metrics(at)["新组建基层工会"] == "21家"


def test_meeting_note_for_the_year_is_shown(demo_db):
    at = open_page(year="2024")
    assert any("非公有制企业已建立职代会63家" in m.value for m in at.markdown)
    at = open_page(year="2023")
    assert not any("职代会63家" in m.value for m in at.markdown)


def test_a_township_view_shows_no_county_note(demo_db):
    """The county's note quotes county figures (新组建21家); beside a township's cards it misleads."""
    at = open_page(year="2024", region="qingshi")
    assert not at.exception
    assert not any("职代会63家" in m.value for m in at.markdown)


# --- direction (issue #12 item 2): signs, colours, targets, order, from plain pandas ----------------

GREEN, RED, GRAY = 1, 0, 2  # streamlit's MetricColor


def _cards(at) -> dict:
    """{label: (metric, [markdown lines in the same card])}."""
    found = {}

    def walk(node):
        kids = list(getattr(node, "children", {}).values())
        shown = [k for k in kids if getattr(k, "type", "") == "metric"]
        if shown:
            found[shown[0].label] = (shown[0], [k.value for k in kids if getattr(k, "type", "") == "markdown"])
        for kid in kids:
            walk(kid)
    walk(at.main)
    return found


def _raw_targets(path, year: int) -> dict[str, float]:
    import duckdb
    con = duckdb.connect(str(path), read_only=True)
    try:
        frame = con.execute("SELECT indicator, value FROM targets WHERE year = ? AND region_code = ''",
                            [year]).df()
    finally:
        con.close()
    return dict(zip(frame["indicator"], frame["value"]))


@pytest.mark.parametrize("year", [2024, 2019])
def test_kpi_deltas_have_the_right_sign_and_colour(demo_db, year):
    import independent
    want = independent.expected(independent.raw(demo_db), ["year"], True)
    at = open_page(year=str(year))
    shown = _cards(at)
    checked = 0
    for code in catalog.HEADLINE:
        ind = catalog.get(code)
        metric, _ = shown[ind.name_zh]
        delta = want.loc[year, code] - want.loc[year - 1, code]
        flat = abs(delta) < (0.0005 if ind.unit == "rate" else 0.5)
        sign = "±" if flat else ("+" if delta > 0 else "-")
        assert metric.proto.delta.startswith(sign), (code, metric.proto.delta, delta)
        assert metric.proto.delta == fmt_delta(delta, ind.unit), code
        if ind.higher_is_better is None or flat:
            assert metric.proto.color == GRAY, code
        else:  # a rise of a higher-is-better figure is green, a fall red
            assert metric.proto.color == (GREEN if (delta > 0) == ind.higher_is_better else RED), code
        checked += 1
    assert checked == len(catalog.HEADLINE)


def test_every_county_target_shows_under_its_card(demo_db):
    import independent
    want = independent.expected(independent.raw(demo_db), ["year"], True)
    targets = _raw_targets(demo_db, 2024)
    shown = _cards(open_page(year="2024"))
    assert targets
    for code, target in targets.items():
        ind = catalog.get(code)
        metric, lines = shown[ind.name_zh]
        lines = [line.replace("\\", "") for line in lines]  # markdown escapes
        assert any(f"目标 {fmt_number(target, ind.unit)}" in line for line in lines), (code, lines)
        actual = want.loc[2024, code]
        word = "已完成" if actual >= target else None
        if word:
            assert any(word in line for line in lines), code
    for code in catalog.HEADLINE:  # no target line where no target was set
        if code not in targets:
            assert not any("目标" in line for line in shown[catalog.get(code).name_zh][1]), code


def test_coverage_trend_carries_the_target_marker(demo_db):
    target = _raw_targets(demo_db, 2024)["unionization_rate"]
    at = open_page(year="2024")
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("trend_coverage"))
    traces = json.loads(chart.proto.spec)["data"]
    marks = [tr for tr in traces if tr.get("name") == "目标"]
    assert len(marks) == 1
    assert marks[0]["x"] == [2024] and marks[0]["y"] == [pytest.approx(target)]
    assert not _raw_targets(demo_db, 2019)  # the demo sets none for 2019: no marker then
    at = open_page(year="2019")
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("trend_coverage"))
    assert not [tr for tr in json.loads(chart.proto.spec)["data"] if tr.get("name") == "目标"]


def test_language_switch_relabels_the_chosen_filters(demo_db):
    """Found by a user trial: after 中文 → English the sidebar's chosen townships, industry and
    ownership group kept their Chinese labels. Streamlit keys these widgets by key alone, so the
    browser shows the labels it holds unless the run sends the value anew (set_value), written in
    the new language."""
    at = open_page(region="nanshan,qingshi", industry="C", ownership="nonpublic")
    at.sidebar.selectbox(key="f_lang").set_value("en").run()
    assert not at.exception
    regions = store.query("regions").set_index("code")["name_en"]
    industries = store.query("industries").set_index("code")["name_en"]
    shown = {}
    for key in ("f_regions", "f_industries"):
        proto = at.sidebar.multiselect(key=key).proto
        assert proto.set_value, f"{key}: the browser keeps the old labels"
        shown[key] = list(proto.raw_values)
    proto = at.sidebar.selectbox(key="f_ownership").proto
    assert proto.set_value, "f_ownership: the browser keeps the old label"
    shown["f_ownership"] = proto.raw_value
    assert shown == {"f_regions": [regions["nanshan"], regions["qingshi"]],
                     "f_industries": [f"C {industries['C']}"], "f_ownership": "Non-public"}
    # and the values, hence the figures, stay as they were
    assert metrics(at) == expected_metrics(2024, Scope(regions=("nanshan", "qingshi"), industries=("C",),
                                                       ownership_group="nonpublic"), "en")
