"""Issue #13 in the running pages: did we meet the plan (status against the scope's own target),
small samples greyed, missing years named, 年度对比 following the sidebar. Expected figures come
from plain pandas over the raw tables (tests/independent.py) and the rules worked out here."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import independent
from conftest import open_page
from unionstats import demo, snapshots, store
from unionstats.view import View
from unionstats.format import fmt_delta, fmt_number

BADGE = {"done": "green", "near": "orange", "missed": "red"}
GREY = 2  # streamlit's MetricColor.GRAY
QINGSHI_NOTE = "青石乡：今年重点推进非公企业建会。"


def worked_out_status(actual: float, target: float, near_points: float = 0.01) -> str:
    """The issue's rule for a rate, written out independently of unionstats.attainment."""
    if actual >= target:
        return "done"
    return "near" if target - actual <= near_points else "missed"


def cards(at) -> dict[str, tuple]:
    """{label: (metric, [markdown under it])} for every KPI card on the page."""
    found = {}

    def walk(node):
        kids = list(getattr(node, "children", {}).values())
        metrics = [k for k in kids if getattr(k, "type", "") == "metric"]
        if metrics:
            found[metrics[0].label] = (metrics[0], [k.value for k in kids if getattr(k, "type", "") == "markdown"])
        for kid in kids:
            walk(kid)
    walk(at.main)
    return found


def raw_targets(path) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT * FROM targets").df()
    finally:
        con.close()


def variant(path: Path, change) -> Path:
    """A store built from the demo tables after `change(tables)`."""
    tables = demo.build_tables()
    change(tables)
    snapshots.write_database(path, tables)
    store.clear_cache()
    return path


@pytest.fixture(scope="module")
def gappy(tmp_path_factory) -> Path:
    """The demo county moved to 2001–2010 with nothing reported for 2002 and 2003."""
    def shift(tables):
        for name, frame in tables.items():
            years = [c for c in frame.columns if c == "year" or c.endswith("_year")]
            for column in years:
                frame[column] = frame[column] - 14
            if "year" in frame.columns:
                tables[name] = frame[~frame["year"].isin([2002, 2003])].reset_index(drop=True)
    return variant(tmp_path_factory.mktemp("gappy") / "gappy.duckdb", shift)


@pytest.fixture(scope="module")
def own_target(tmp_path_factory) -> Path:
    """The demo with township targets of its own (青石乡: 20 new members, 建会率 30% in 2024), a
    township meeting note, and a stricter
    接近 margin for rates set by the admin (0.5个百分点)."""
    def add(tables):
        tables["targets"] = pd.concat([tables["targets"], pd.DataFrame(
            [(2024, "members_new", "qingshi", 20.0), (2024, "unionization_rate", "qingshi", 0.30)],
            columns=tables["targets"].columns)], ignore_index=True)
        tables["notes"] = pd.concat([tables["notes"], pd.DataFrame(
            [(2024, "qingshi", QINGSHI_NOTE)], columns=tables["notes"].columns)], ignore_index=True)
        tables["settings"] = pd.concat([tables["settings"], pd.DataFrame(
            [("target_near_points", "0.005")], columns=["key", "value"])], ignore_index=True)
    return variant(tmp_path_factory.mktemp("own") / "own.duckdb", add)


def test_overview_says_unionization_is_not_met_against_46(demo_db):
    want = independent.expected(independent.raw(demo_db), ["year"], True)
    targets = raw_targets(demo_db)
    target = float(targets.query("year == 2024 and indicator == 'unionization_rate' and region_code == ''")["value"].iloc[0])
    actual = want.loc[2024, "unionization_rate"]
    status = worked_out_status(actual, target)
    assert status != "done"  # 45.1% is not 46%

    at = open_page("pages/overview.py", year="2024")
    metric, lines = cards(at)["建会率"]
    assert metric.value == fmt_number(actual, "rate")
    assert metric.proto.delta == fmt_delta(actual - want.loc[2023, "unionization_rate"], "rate")
    assert metric.proto.delta_description == "较2023年"
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith(f":{BADGE[status]}-badge[")
    assert "未完成" in line and r"目标 46\.0\%" in line
    shown_gap = float(f"{target * 100:.1f}") - float(f"{actual * 100:.1f}")
    assert f"差{shown_gap:.1f}个百分点".replace(".", r"\.") in line

    # The table lists every county target for 2024, misses first, status coloured.
    frame = at.dataframe[0].value
    css = at.dataframe[0].proto.arrow_data.styler.styles  # the Styler's cell colours, as sent
    county = targets.query("year == 2024 and region_code == ''")
    assert len(frame) == len(county)
    statuses = []
    for code, value in zip(county["indicator"], county["value"]):
        got = want.loc[2024, code]
        rate = code.endswith("_rate")
        statuses.append("done" if got >= value else ("near" if (value - got <= 0.01 if rate else got >= 0.95 * value)
                                                     else "missed"))
    labels = {"done": "已完成", "near": "接近（未完成）", "missed": "未完成"}
    assert sorted(frame["状态"]) == sorted(labels[s] for s in statuses)
    order = {"未完成": 0, "接近（未完成）": 1, "已完成": 2}
    assert list(frame["状态"]) == sorted(frame["状态"], key=order.get)  # misses first
    row = frame.index[frame["指标"] == "建会率"][0]
    assert frame.loc[row, "状态"] == labels[status]
    assert f"color: {'#d68910' if status == 'near' else '#c0392b'}" in css
    assert "color: #1e8449" in css  # the targets met, in green


def test_a_township_never_shows_the_county_target(demo_db):
    for page in ("pages/overview.py", "pages/coverage.py"):
        at = open_page(page, year="2024", region="qingshi")
        for label, (metric, lines) in cards(at).items():
            assert lines == [], (page, label)
            assert "目标" not in metric.help, (page, label)
        for chart in at.get("plotly_chart"):
            spec = json.loads(chart.proto.spec)
            assert all(trace.get("name") != "目标" for trace in spec["data"])
            assert not [a for a in spec["layout"].get("annotations", []) if "目标" in a.get("text", "")]
    at = open_page("pages/overview.py", year="2024", region="qingshi")
    assert any("没有单独设定的2024年目标" in c.value for c in at.caption)


def test_a_cut_of_the_county_is_not_called_the_county(demo_db):
    """Under 非公有制 the coverage bars carried the county's 46% target and a '全县 7.9%' label."""
    at = open_page("pages/coverage.py", year="2024", ownership="nonpublic")
    raw = independent.raw(demo_db)
    group = raw["ownership"].set_index("code")["grp"]
    nonpublic = independent.expected(raw, ["year"], False, mask=lambda f: f[f["grp"] == "nonpublic"]
                                     if "grp" in f.columns else f)
    value = fmt_number(nonpublic.loc[2024, "unionization_rate"], "rate")
    assert group.nunique() == 2
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)
    notes = [a["text"] for a in bars["layout"].get("annotations", [])]
    assert notes == [f"所选范围 {value}"]
    assert not any(lines for _, lines in cards(at).values())


def test_a_township_shows_its_own_target_and_the_admins_margin(own_target, monkeypatch):
    monkeypatch.setenv("UNIONSTATS_DB", str(own_target))
    store.clear_cache()
    want = independent.expected(independent.raw(own_target), ["year", "region_code"], True)
    joined = want.loc[(2024, "qingshi"), "members_new"]
    at = open_page("pages/overview.py", year="2024", region="qingshi")
    found = cards(at)
    assert sorted(label for label, (_, lines) in found.items() if lines) == ["建会率", "新增会员"]
    line = found["新增会员"][1][0]
    assert r"目标 20人" in line and "1\\,000" not in line
    assert line.startswith(":green-badge[" if joined >= 20 else (":orange-badge[" if joined >= 19 else ":red-badge["))
    # The county under the admin's 0.5个百分点 margin: 0.95个百分点 short is now a plain miss.
    county = independent.expected(independent.raw(own_target), ["year"], True)
    status = worked_out_status(county.loc[2024, "unionization_rate"], 0.46, near_points=0.005)
    at = open_page("pages/overview.py", year="2024")
    assert cards(at)["建会率"][1][0].startswith(f":{BADGE[status]}-badge[")


def test_one_of_one_inspected_is_grey_and_marked(demo_db):
    raw = independent.raw(demo_db)
    insp = raw["inspections"][raw["inspections"]["region_code"] == "qingshi"].groupby("year")[
        ["units_inspected", "units_compliant"]].sum()
    assert insp.loc[2024, "units_inspected"] < 5  # the demo's 青石乡 inspected a handful
    at = open_page("pages/overview.py", year="2024", region="qingshi")
    metric, _ = cards(at)["履约良好率"]
    rate = insp["units_compliant"] / insp["units_inspected"]
    assert metric.proto.delta == fmt_delta(rate[2024] - rate[2023], "rate") + " 样本少"
    assert metric.proto.color == GREY
    n, k = insp.loc[2024, "units_inspected"], insp.loc[2024, "units_compliant"]
    assert f"{k:,.0f}/{n:,.0f}家" in metric.help
    # A rate on hundreds of units keeps its colour.
    big, _ = cards(at)["建会率"]
    assert "样本少" not in big.proto.delta and big.proto.color != GREY


def test_the_change_after_missing_years_is_against_the_last_reported_year(gappy, monkeypatch):
    monkeypatch.setenv("UNIONSTATS_DB", str(gappy))
    store.clear_cache()
    want = independent.expected(independent.raw(gappy), ["year"], True)
    assert 2002 not in want.index and 2003 not in want.index and 2001 in want.index
    at = open_page("pages/overview.py", year="2004")
    metric, _ = cards(at)["建会率"]
    assert metric.proto.delta_description == "较2001年（2002—2003年无数据）"
    assert metric.proto.delta == fmt_delta(want.loc[2004, "unionization_rate"] - want.loc[2001, "unionization_rate"],
                                           "rate")
    trend = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert trend["x"][:4] == [2001, 2002, 2003, 2004]
    assert trend["y"][1:3] == [None, None]  # the line breaks
    at = open_page("pages/overview.py", year="2001")
    assert cards(at)["建会率"][0].proto.delta_description == "2000年无数据"
    at = open_page("pages/compare.py", year="2004")
    assert at.selectbox(key="compare_year_a").value == 2001
    assert at.selectbox(key="compare_year_b").value == 2004
    assert any(c.value == "较2001年（2002—2003年无数据）" for c in at.caption)


def test_compare_follows_the_sidebar_year(demo_db):
    years = sorted(independent.expected(independent.raw(demo_db), ["year"], True).index)
    at = open_page("pages/compare.py")
    assert (at.selectbox(key="compare_year_a").value, at.selectbox(key="compare_year_b").value) == \
        (years[-2], years[-1])
    at.selectbox(key="f_year").set_value("2020").run()
    assert not at.exception
    assert (at.selectbox(key="compare_year_a").value, at.selectbox(key="compare_year_b").value) == (2019, 2020)
    assert at.dataframe[0].value.columns[1:3].tolist() == ["2019年", "2020年"]
    at.selectbox(key="compare_year_a").set_value(2016).run()  # the user's own choice holds …
    assert at.selectbox(key="compare_year_a").value == 2016
    at.selectbox(key="f_year").set_value(str(years[0])).run()  # … until the sidebar moves again
    assert at.selectbox(key="compare_year_b").value == years[0]
    assert any(f"{years[0]}年之前没有数据可比" in w.value for w in at.warning)


def test_the_briefing_deck_and_html_carry_the_same_status(demo_db):
    import io

    from pptx import Presentation

    from unionstats import briefing
    want = independent.expected(independent.raw(demo_db), ["year"], True)
    status = worked_out_status(want.loc[2024, "unionization_rate"], 0.46)
    label = {"done": "已完成", "near": "接近（未完成）", "missed": "未完成"}[status]
    color = {"done": "1E8449", "near": "D68910", "missed": "C0392B"}[status]
    slides = briefing.build(View(2024), path=demo_db)
    headline = next(s for s in slides if s.key == "headline")
    card = next(k for k in headline.kpis if k["code"] == "unionization_rate")
    assert card["status_label"] == label and "目标 46.0%" in card["target_text"]
    table = next(s for s in slides if s.key == "attainment").table
    assert table.loc[table["指标"] == "建会率", "状态"].item() == label

    deck = Presentation(io.BytesIO(briefing.to_pptx(slides)))
    runs = [(r.text, r.font.color.rgb if r.font.color and r.font.color.type else None)
            for shape in deck.slides[1].shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs for r in p.runs]
    assert (label, color) in [(text, str(rgb)) for text, rgb in runs]

    page = briefing.to_html(slides)
    assert f"color:#{color.lower()}'><b>{label}</b>" in page


def test_the_briefing_of_a_township_has_no_county_target(demo_db):
    from unionstats import briefing
    from unionstats.indicators import Scope
    slides = briefing.build(View(2024, Scope(regions=("qingshi",))), path=demo_db)
    assert all(not k["status"] and not k["target_text"] for s in slides for k in s.kpis)
    assert "attainment" not in [s.key for s in slides]
    plan = next(s for s in slides if s.key == "targets")
    assert plan.table is None  # the county's 2025 plan is not 青石乡's


def test_coverage_bars_show_their_parts_and_grey_small_groups(demo_db):
    raw = independent.raw(demo_db)
    want = independent.expected(raw, ["year", "region_code"], False,
                                mask=lambda f: f[f["industry_code"] == "A"] if "industry_code" in f.columns else f)
    year = want.loc[2024]
    at = open_page("pages/coverage.py", year="2024", industry="A")
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    regions = store.query("regions", path=demo_db).set_index("code")["name_zh"]
    shown = {row[0]: (row[3], color) for row, color in zip(bars["customdata"], bars["marker"]["color"])}
    assert shown
    small_seen = 0
    for code, (detail, color) in shown.items():
        units, unionized = year.loc[code, "units"], year.loc[code, "units_unionized"]
        assert f"({unionized:,.0f}/{units:,.0f}家)" in detail, regions[code]
        if units < 5:
            small_seen += 1
            assert "样本少" in detail and color == "#bdc3c7", regions[code]
        else:
            assert "样本少" not in detail and color != "#bdc3c7", regions[code]
    assert small_seen  # agriculture has townships with a handful of units


# --- 乡镇排名 and the township profile (item 5) ---------------------------------------------------------

def _ranks(values: pd.Series) -> pd.Series:
    """Competition ranks, highest first, worked out by hand (not pandas' rank)."""
    ordered = sorted(values.items(), key=lambda kv: -kv[1])
    out, last, place = {}, None, 0
    for i, (key, value) in enumerate(ordered, start=1):
        if value != last:
            place, last = i, value
        out[key] = place
    return pd.Series(out)


def test_league_table_ranks_every_township(demo_db):
    want = independent.expected(independent.raw(demo_db), ["year", "region_code"], True)
    county = independent.expected(independent.raw(demo_db), ["year"], True)
    now, before = want.loc[2024]["unionization_rate"], want.loc[2023]["unionization_rate"]
    ranks, ranks_before = _ranks(now), _ranks(before)
    at = open_page("pages/townships.py", year="2024")
    table = at.dataframe[0].value
    regions = store.query("regions", path=demo_db).set_index("name_zh")["code"]
    assert len(table) == len(now)
    for _, row in table.iterrows():
        code = regions[row["乡镇"]]
        assert row["名次"] == ranks[code], code
        assert row["建会率"] == pytest.approx(now[code] * 100, abs=0.0501)  # to the 0.1 shown, half-up
        assert row["名次变化"] == ranks_before[code] - ranks[code], code
        assert row["变化（个百分点）"] == pytest.approx((now[code] - before[code]) * 100, abs=0.0501)
        assert row["与全县差距（个百分点）"] == pytest.approx((now[code] - county.loc[2024, "unionization_rate"]) * 100,
                                                    abs=0.0501)
        units, unionized = want.loc[(2024, code), "units"], want.loc[(2024, code), "units_unionized"]
        assert row["构成"] == f"{unionized:,.0f}/{units:,.0f}家"
    assert list(table["名次"]) == sorted(table["名次"])  # best first
    assert "本乡镇目标" not in table.columns  # the demo's townships set none
    assert len(at.get("download_button")) == 2


def test_league_leaves_small_samples_unranked(demo_db):
    raw = independent.raw(demo_db)
    insp = raw["inspections"].groupby(["year", "region_code"])[["units_inspected", "units_compliant"]].sum().loc[2024]
    insp = insp[insp["units_inspected"] > 0]
    enough = insp[insp["units_inspected"] >= 5]
    ranks = _ranks(enough["units_compliant"] / enough["units_inspected"])
    at = open_page("pages/townships.py", year="2024")
    at.selectbox(key="league_indicator").set_value("compliance_rate").run()
    table = at.dataframe[0].value
    regions = store.query("regions", path=demo_db).set_index("name_zh")["code"]
    assert len(table) == len(insp) and len(enough) < len(insp)
    for _, row in table.iterrows():
        code = regions[row["乡镇"]]
        if code in ranks:
            assert row["名次"] == ranks[code] and "样本少" not in row["构成"]
        else:
            assert pd.isna(row["名次"]) and row["构成"].endswith("样本少"), code
    assert table["名次"].notna().tolist() == sorted(table["名次"].notna().tolist(), reverse=True)  # unranked last


def test_township_profile_with_its_own_target_notes_and_gaps(own_target, monkeypatch):
    monkeypatch.setenv("UNIONSTATS_DB", str(own_target))
    store.clear_cache()
    want = independent.expected(independent.raw(own_target), ["year", "region_code"], True)
    rate = want.loc[(2024, "qingshi"), "unionization_rate"]
    status = worked_out_status(rate, 0.30)
    at = open_page("pages/townships.py", year="2024")
    table = at.dataframe[0].value
    row = table[table["乡镇"] == "青石乡"].iloc[0]
    assert row["本乡镇目标"] == "30.0%"
    assert row["状态"] == {"done": "已完成", "near": "接近（未完成）", "missed": "未完成"}[status]
    assert (table.drop(index=row.name)["本乡镇目标"] == "—").all()
    at.selectbox(key="profile_region").set_value("qingshi").run()
    assert not at.exception
    found = cards(at)
    assert found["建会率"][1][0].startswith(f":{BADGE[status]}-badge[") and r"目标 30\.0\%" in found["建会率"][1][0]
    quotes = [m.value for m in at.markdown if m.value.startswith("> ")]
    assert quotes == ["> " + QINGSHI_NOTE]  # its own note, not the county's
    gaps_list = next(d.value for d in at.dataframe if "单位名称" in d.value.columns)
    assert len(gaps_list) and set(gaps_list["乡镇"]) == {"青石乡"}
    figures = next(d.value for d in at.dataframe if "全县" in d.value.columns)
    county = independent.expected(independent.raw(own_target), ["year"], True)
    got = figures.set_index("指标").loc["建会率"]
    assert got["青石乡"] == fmt_number(rate, "rate") and got["全县"] == fmt_number(county.loc[2024, "unionization_rate"], "rate")
    assert got["与全县差距"] == fmt_delta(rate - county.loc[2024, "unionization_rate"], "rate")


def test_the_league_page_in_english_has_no_chinese_interface_text(demo_db):
    from test_pages import CJK, _interface_texts
    at = open_page("pages/townships.py", lang="en", year="2024")
    texts = _interface_texts(at)
    assert len(texts) > 10
    assert sorted({x for x in texts if CJK.search(x)}) == []
