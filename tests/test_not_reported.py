"""Issue #11 items 6–7: not reported is not zero; totals without a breakdown.

Fixture stores are imported through the template format, as staff would fill them in, then every
indicator from SQL is compared with the independent pandas computation (tests/independent.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import independent
from test_indicators import ALL_CODES, _compare
from conftest import open_page
from unionstats import importing, indicators, snapshots, store, template
from unionstats.format import fmt_number
from unionstats.indicators import Scope


REGIONS = [["乡镇代码", "乡镇名称", "类型"], ["a", "甲镇", "镇"], ["b", "乙乡", "乡"], ["c", "丙镇", "镇"],
           ["d", "丁街道", "街道"]]
UNIT_HEADER = ["年度", "单位名称", "乡镇", "行业门类", "所有制", "职工人数", "女职工人数", "农民工人数", "会员人数",
               "女会员人数", "农民工会员人数", "本年新入会人数", "建会情况", "建会年份", "建立职代会", "实行厂务公开",
               "签订集体合同", "签订工资专项集体合同", "签订劳动合同人数"]
TOTAL_HEADER = ["年度", "乡镇", "行业门类", "所有制", "单位数", "已建会单位数", "本年新建工会数", "职工人数", "女职工人数",
                "农民工人数", "会员人数", "女会员人数", "农民工会员人数", "本年新入会人数", "建立职代会单位数",
                "实行厂务公开单位数", "签订集体合同单位数", "签订工资专项集体合同单位数", "签订劳动合同人数"]


def imported(path: Path, sheets: dict[str, list[list]]) -> Path:
    prepared = importing.prepare(path, "file.xlsx", template.sheet_bytes(sheets))
    assert not prepared.batch.problems, prepared.batch.problems[:5]
    snapshots.publish(prepared.candidate)
    store.clear_cache()
    return path


@pytest.fixture(scope="module")
def gappy(tmp_path_factory) -> Path:
    """Four townships, two years, everything issue #11 says may happen:
    甲 has a unit register, one unit left its migrant counts blank; 乙 sent one row of totals with
    no industry or ownership and no female counts; 丙 has a zero denominator (no migrant workers,
    an industry with no employees); 丁 left migrant counts blank in its totals. Inspections: 乙 one
    row without industry or ownership, 甲 by industry; arrears only the county's "解决拖欠工资68万元"; aid only
    甲; no subsidies at all; 2024 has no inspections, arrears or aid table."""
    units = [UNIT_HEADER,
             [2023, "甲一厂", "甲镇", "C", "170", 100, 40, 30, 80, 30, 20, 10, "独立建会", 2023, "是", "是", "否", "否", 90],
             [2023, "甲二店", "甲镇", "F", "170", 20, 10, None, 5, 2, None, 1, "联合工会", None, "否", "是", "否", "否", 18],
             [2023, "甲三社", "甲镇", "A", "110", 8, 3, 0, 0, 0, 0, 0, "未建会", None, "否", "否", "否", "否", None],
             [2024, "甲一厂", "甲镇", "C", "170", 110, 42, 33, 90, 31, 25, 12, "独立建会", 2023, "是", "是", "是", "否", 100],
             [2024, "甲二店", "甲镇", "F", "170", 22, None, None, 6, None, None, 1, "联合工会", None, "否", "是", "否", "否", None]]
    totals = [TOTAL_HEADER,
              [2023, "乙乡", None, "全部", 40, 30, 2, 900, None, 200, 700, None, 150, 60, 10, 12, 8, 3, 850],
              [2023, "丙镇", "C", "170", 10, 6, 1, 300, 120, 0, 200, 80, 0, 20, 3, 4, 2, 1, 280],
              [2023, "丙镇", "G", "110", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
              [2023, "丁街道", "C", "170", 25, 15, 1, 500, 200, None, 350, 120, None, 40, 5, 6, 4, 2, 480],
              [2024, "乙乡", "全部", None, 42, 31, 1, 950, None, None, 760, None, None, 70, None, None, None, None, None],
              [2024, "丁街道", "C", "170", 26, 16, 1, 520, 210, None, 360, 125, None, 30, 5, 6, 4, 2, 500]]
    sheets = {
        "乡镇": REGIONS, "单位": units, "乡镇汇总": totals,
        "合同检查": [["年度", "乡镇", "行业门类", "所有制", "检查单位数", "履约良好单位数", "指导签订劳动合同人数"],
                 [2023, "乙乡", None, None, 40, 36, None], [2023, "甲镇", "C", "170", 5, 5, 12]],
        "欠薪": [["年度", "乡镇", "行业门类", "所有制", "案件数", "涉及职工人数", "其中农民工人数", "追回金额（元）"],
               [2023, "全县", None, None, None, None, None, "68万元"]],
        "帮扶": [["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"], [2023, "甲镇", "送温暖", 10, None, 5000]],
    }
    return imported(tmp_path_factory.mktemp("gappy") / "gappy.duckdb", sheets)


GRAINS = {"county": ["year"], "region": ["year", "region_code"], "industry": ["year", "industry_code"],
          "ownership_group": ["year", "grp"], "ownership": ["year", "ownership_code"]}


@pytest.mark.parametrize("grain", GRAINS)
def test_sql_equals_independent_with_blanks_and_totals(gappy, grain):
    raw = independent.raw(gappy)
    expected = independent.expected(raw, GRAINS[grain])
    if grain == "county":
        expected = expected.reset_index().assign(key="").set_index(["year", "key"])
    sql = indicators.table(Scope(), grain, path=gappy)
    assert len(sql) == len(expected)
    assert _compare(sql, expected, ALL_CODES) == len(expected) * len(ALL_CODES)


def test_sql_equals_independent_under_filters(gappy):
    raw = independent.raw(gappy)

    def mask(frame):
        return frame[(frame["industry_code"] == "C") & (frame["grp"] == "nonpublic")]

    def cut(frame):
        return frame[(frame["industry_code"] != "") & frame["grp"].notna()]

    for grain in ("county", "region"):
        expected = independent.expected(raw, GRAINS[grain], mask=mask, cut=cut)
        if grain == "county":
            expected = expected.reset_index().assign(key="").set_index(["year", "key"])
        sql = indicators.table(Scope(industries=("C",), ownership_group="nonpublic"), grain, path=gappy)
        assert len(sql) == len(expected)
        _compare(sql, expected, ALL_CODES)


def test_blank_is_null_and_rates_use_rows_reporting_both(gappy):
    county = indicators.summary(2023, path=gappy)
    # Migrant counts: 甲二店 and 丁 left them blank; 乙 and 丙 reported them (丙: 0 migrants).
    assert county["migrant_workers"] == 30 + 0 + 200 + 0 + 0
    assert county["migrant_membership_rate"] == (20 + 0 + 150 + 0 + 0) / (30 + 0 + 200 + 0 + 0)
    # Female counts: 乙 left them blank, so the rate is over 甲, 丙, 丁 only.
    assert county["female_membership_rate"] == (30 + 2 + 0 + 80 + 0 + 120) / (40 + 10 + 3 + 120 + 0 + 200)
    # The county's own figure counts in the total and in no township.
    assert county["arrears_recovered_yuan"] == 680000 and county["arrears_cases"] is None
    assert county["units_inspected"] == 45 and county["workers_helped_sign"] == 12
    by_region = indicators.table(Scope(), "region", (2023,), path=gappy).set_index("key")
    assert by_region["arrears_recovered_yuan"].isna().all()
    assert by_region.loc["a", "units_inspected"] == 5 and by_region.loc["b", "units_inspected"] == 40
    assert indicators.table(Scope(), "industry", (2023,), path=gappy).set_index("key").loc["C", "units_inspected"] == 5
    # No subsidies table: not reported, not 0. No inspections in 2024: not reported.
    assert county["subsidy_yuan"] is None
    assert indicators.summary(2024, path=gappy)["compliance_rate"] is None
    # 乙's totals without industry count in the county, in no industry.
    by_industry = indicators.table(Scope(), "industry", (2023,), path=gappy).set_index("key")
    assert "" not in by_industry.index and county["units"] == 3 + 40 + 10 + 25
    assert by_industry["units"].sum() == county["units"] - 40


def test_reported_share(gappy):
    shares = indicators.reported(2023, path=gappy)
    assert shares["units"] == (4, 4)
    assert shares["migrant_membership_rate"] == (3, 4)  # 丁 left both migrant counts blank
    assert shares["female_membership_rate"] == (3, 4)  # 乙 left them blank
    assert shares["arrears_recovered_yuan"] == (4, 4)  # the county's own figure covers all
    assert shares["arrears_cases"] == (0, 4)
    assert shares["subsidy_yuan"] == (0, 4)
    assert indicators.reported(2024, path=gappy)["units"] == (3, 4)  # 丙 sent nothing for 2024


def overview(monkeypatch, db: Path, year: int) -> AppTest:
    monkeypatch.setenv("UNIONSTATS_DB", str(db))
    store.clear_cache()
    return open_page(year=str(year))


def page_text(at) -> str:
    parts = [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.value for kind in ("markdown", "caption", "info", "warning", "subheader") for e in at.get(kind)]
    parts += [at.dataframe[i].value.to_string() for i in range(len(at.dataframe))]
    return "\n".join(str(p) for p in parts)


ZERO_RATE = re.compile(r"(?<![\d.])0\.0%")


def test_census_line_gives_two_rates_and_dashes(tmp_path, monkeypatch):
    """A national census line: units, units with a union, employees, members, nothing else."""
    db = imported(tmp_path / "census.duckdb", {
        "乡镇": [["乡镇代码", "乡镇名称", "类型"], ["cn", "全国", "镇"]],
        "乡镇汇总": [["年度", "乡镇", "单位数", "已建会单位数", "职工人数", "会员人数"],
                 [2023, "全国", "280.5万", "190.1万", "950.5万", "637.21万"]]})
    values = indicators.summary(2023, path=db)
    assert values["unionization_rate"] == 1901000 / 2805000
    assert values["membership_rate"] == 6372100 / 9505000
    assert {c for c, v in values.items() if v is not None} == {
        "units", "units_unionized", "employees", "members", "unionization_rate", "membership_rate"}
    at = overview(monkeypatch, db, 2023)
    shown = {m.label: m.value for m in at.metric}
    assert shown.pop("建会率") == fmt_number(1901000 / 2805000, "rate")
    assert shown.pop("入会率") == fmt_number(6372100 / 9505000, "rate")
    assert set(shown.values()) == {"—"}
    assert not ZERO_RATE.search(page_text(at))
    assert "1个乡镇中0个填报" in page_text(at)


def test_yearbook_series_with_gaps(tmp_path, monkeypatch):
    """A province-style yearbook series in 乡镇汇总: one region, years with gaps, blanks for what was
    not published, 万 values."""
    rows = [[2015, "本省", None, None, "1017.65万", "612.3万", None, None],
            [2016, "本省", None, None, "1032.4万", "640.02万", "310.5万", None],
            [2018, "本省", None, None, "1101.7万", None, "330.2万", "150.44万"],
            [2020, "本省", None, None, None, "702.1万", None, None],
            [2021, "本省", None, None, "1180.03万", "730.99万", "350.1万", "190.5万"]]
    db = imported(tmp_path / "yearbook.duckdb", {
        "乡镇": [["乡镇代码", "乡镇名称", "类型"], ["p", "本省", "镇"]],
        "乡镇汇总": [["年度", "乡镇", "行业门类", "所有制", "职工人数", "会员人数", "女职工人数", "女会员人数"], *rows]})
    frame = indicators.table(Scope(), "county", path=db).set_index("year")
    assert list(frame.index) == [2015, 2016, 2018, 2020, 2021]
    for year, _, _, _, employees, members, *_ in rows:
        want = (importing._whole(members) / importing._whole(employees)
                if employees and members else None)
        have = frame.loc[year, "membership_rate"]
        assert (have == want) if want is not None else frame.isna().loc[year, "membership_rate"], year
    assert frame["female_membership_rate"].notna().tolist() == [False, False, True, False, True]
    assert frame["unionization_rate"].isna().all() and frame["units"].isna().all()
    for year in (2016, 2018, 2020, 2021):
        at = overview(monkeypatch, db, year)
        text = page_text(at)
        assert not ZERO_RATE.search(text), year
        shown = {m.label: m.value for m in at.metric}
        assert shown["建会率"] == "—"
        assert shown["入会率"] == fmt_number(frame.loc[year, "membership_rate"], "rate")


@pytest.mark.parametrize("sheets", [
    {"乡镇": REGIONS, "乡镇汇总": [TOTAL_HEADER[:6], [2023, "乙乡", None, None, 40, 30], [2023, "乙乡", "C", "170", 10, 6]]},
    {"乡镇": REGIONS, "欠薪": [["年度", "乡镇", "追回金额（元）"], [2023, None, "68万元"], [2023, "甲镇", 5000]]},
])
def test_totals_alongside_broken_down_rows_are_refused(tmp_path, sheets):
    """Both would count the same figures twice."""
    prepared = importing.prepare(tmp_path / "s.duckdb", "file.xlsx", template.sheet_bytes(sheets))
    assert prepared.candidate is None
    assert any("重复计算" in p.line() for p in prepared.batch.problems), prepared.batch.problems
