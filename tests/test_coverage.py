"""组织覆盖与空白点: the gap list, the heat map, exports, drill, bad URLs (issue #3)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from conftest import open_page, run_cli
from unionstats import exports, gaps
from unionstats.indicators import Scope


def independent_gaps(db: Path, year: int, region: str | None, min_employees: int) -> pd.DataFrame:
    """Uncovered employers straight from the unit facts (each year's own township), in pandas."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT * FROM unit_year").df()
    finally:
        con.close()
    rows = rows[(rows["year"] == year) & (rows["union_status"] == "none") & (rows["employees"] >= min_employees)]
    if region:
        rows = rows[rows["region_code"] == region]
    return rows


def test_gap_table_equals_independent_count_and_cli(demo_db):
    at = open_page("pages/coverage.py", year="2024", region="nanshan")
    assert not at.exception
    shown = at.dataframe[0].value
    expected = independent_gaps(demo_db, 2024, "nanshan", 25)
    assert len(shown) == len(expected) > 0
    assert sorted(shown["单位名称"]) == sorted(expected["name"])
    assert shown["职工人数"].sum() == expected["employees"].sum()
    assert list(shown["职工人数"]) == sorted(shown["职工人数"], reverse=True)  # largest first
    assert set(shown["乡镇"]) == {"南山乡"}

    cli = run_cli("gaps", "--year", "2024", "--region", "nanshan", "--db", demo_db, "--csv")
    from_cli = pd.read_csv(io.StringIO(cli.stdout))
    pd.testing.assert_frame_equal(from_cli, shown.reset_index(drop=True), check_dtype=False)


def test_threshold_changes_the_list(demo_db):
    at = open_page("pages/coverage.py", year="2024")
    at.number_input(key="min_employees").set_value(50).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert len(shown) == len(independent_gaps(demo_db, 2024, None, 50))
    assert shown["职工人数"].min() >= 50


def test_gap_summary_what_if(demo_db):
    s = gaps.summary(2024, Scope(), 25, demo_db)
    expected = independent_gaps(demo_db, 2024, None, 25)
    assert s["gap_units"] == len(expected)
    assert s["gap_employees"] == expected["employees"].sum()
    assert s["unionization_rate_if_joined"] == pytest.approx((s["units_unionized"] + len(expected)) / s["units"])
    assert s["membership_rate_if_joined"] == pytest.approx(
        (s["members"] + expected["employees"].sum()) / s["employees"])


def test_heat_map_one_cell_per_township_industry(demo_db):
    at = open_page("pages/coverage.py", year="2024")
    heat = [c for c in at.get("plotly_chart") if c.proto.id.endswith("coverage_heatmap") or
            json.loads(c.proto.spec)["data"][0]["type"] == "heatmap"][0]
    grey, rate = json.loads(heat.proto.spec)["data"][:2]
    assert grey["name"] == "too_few" and rate["name"] == "rate"
    filled = sum(v is not None for row in grey["z"] for v in row)
    rated = sum(v is not None for row in rate["z"] for v in row)

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        per_unit = con.execute(
            "SELECT region_code, industry_code FROM unit_year WHERE year = 2024").df()
        totals = con.execute(
            "SELECT region_code, industry_code, units FROM region_year WHERE year = 2024 AND units > 0").df()
    finally:
        con.close()
    counts = pd.concat([per_unit.assign(units=1), totals]).groupby(["region_code", "industry_code"])["units"].sum()
    assert filled + rated == len(counts)
    assert filled == (counts < gaps.TOO_FEW_UNITS).sum() > 0
    assert all("单位过少" in text for row_z, row_t in zip(grey["z"], grey["text"])
               for z, text in zip(row_z, row_t) if z is not None)


def test_bad_township_in_url_is_ignored_with_notice(demo_db):
    at = open_page("pages/coverage.py", year="2024", region="atlantis")
    assert not at.exception
    assert any("atlantis" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == len(independent_gaps(demo_db, 2024, None, 25))


def test_xlsx_export_opens_with_pandas_and_matches(demo_db):
    table = gaps.uncovered_table(2024, Scope(regions=("chengguan",)), 25, path=demo_db)
    data = exports.xlsx_bytes({"空白点_2024": table})
    back = pd.read_excel(io.BytesIO(data))
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "单位名称" and sheet["A1"].font.bold


def test_csv_export_has_bom_for_excel(demo_db):
    table = gaps.uncovered_table(2024, Scope(), 25, path=demo_db)
    data = exports.csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf")
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(data), encoding="utf-8-sig"), table, check_dtype=False)


def test_change_since_earlier_year(demo_db):
    from unionstats import indicators
    moved = gaps.region_changes("unionization_rate", 2019, 2024, Scope(), demo_db)
    by = indicators.table(Scope(), "region", (2019, 2024), demo_db).set_index(["key", "year"])["unionization_rate"]
    for row in moved.itertuples():
        assert row.change == pytest.approx(by[(row.region_code, 2024)] - by[(row.region_code, 2019)])
    assert list(moved["change"]) == sorted(moved["change"], reverse=True)


# --- direction (issue #12 item 2): bar order and reference lines, from plain pandas -----------------

def _region_bars(at) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("region_bars_0"))


def test_township_bars_lowest_first_with_county_and_target_lines(demo_db):
    import independent
    want = independent.expected(independent.raw(demo_db), ["year", "region_code"], True).loc[2024]
    county = independent.expected(independent.raw(demo_db), ["year"], True).loc[2024, "unionization_rate"]
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        target = con.execute("SELECT value FROM targets WHERE year = 2024 AND region_code = '' "
                             "AND indicator = 'unionization_rate'").fetchone()[0]
    finally:
        con.close()
    at = open_page("pages/coverage.py", year="2024")
    assert not at.exception
    spec = _region_bars(at)
    bars = spec["data"][0]
    keys = [row[0] for row in bars["customdata"]]
    assert sorted(keys) == sorted(want.index)
    expected_order = sorted(keys, key=lambda k: want.loc[k, "unionization_rate"])
    assert [want.loc[k, "unionization_rate"] for k in keys] == \
        [want.loc[k, "unionization_rate"] for k in expected_order]  # lowest first (ties in any order)
    assert bars["x"] == [pytest.approx(want.loc[k, "unionization_rate"]) for k in keys]
    assert spec["layout"]["yaxis"]["autorange"] == "reversed"  # the first bar is drawn on top
    lines = sorted(shape["x0"] for shape in spec["layout"]["shapes"])
    assert lines == pytest.approx(sorted([county, target]))
    notes = " ".join(a["text"] for a in spec["layout"]["annotations"])
    assert f"目标 {target * 100:.1f}%" in notes and f"全县 {county * 100:.1f}%" in notes


def test_gap_threshold_includes_an_employer_of_exactly_that_size(demo_db):
    """《工会法》: 25 or more. An employer with exactly the threshold is on the list."""
    rows = independent_gaps(demo_db, 2024, None, 1)
    size = int(rows["employees"].value_counts().idxmax())  # a size several uncovered employers share
    exact = rows[rows["employees"] == size]
    table = gaps.uncovered_table(2024, Scope(), size, path=demo_db)
    assert len(table) == len(rows[rows["employees"] >= size])
    assert set(exact["name"]) <= set(table["单位名称"])
    assert gaps.summary(2024, Scope(), size, demo_db)["gap_units"] == len(rows[rows["employees"] >= size])
