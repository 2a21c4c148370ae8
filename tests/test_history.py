"""Issue #11 item 1: a unit's township, industry, ownership and name belong to the unit-year, so an
import for one year never changes another year's figures (DESIGN.md §3 `units`)."""
from __future__ import annotations

import pandas as pd
import pytest

import independent
from test_importing import UNIT_HEADER, unit_row, xlsx
from conftest import run_cli
from unionstats import gaps, importing, indicators, snapshots, store
from unionstats.indicators import Scope

GRAINS = ("county", "region", "industry", "ownership", "ownership_group")
REGIONS_SHEET = [["乡镇代码", "乡镇名称", "英文名称", "类型"], ["jia", "甲镇", "Jia Town", "镇"]]
MOVER = "91330100MA2H000001"  # the unit that moves: known by its credit code


def publish(path, name: str, data: bytes, **mode) -> None:
    prepared = importing.prepare(path, name, data, **mode)
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems[:5]]
    snapshots.publish(prepared.candidate)
    store.clear_cache()


def figures(path, years) -> dict[str, pd.DataFrame]:
    return {grain: indicators.table(Scope(), grain, years, path) for grain in GRAINS}


def jia_rows(year: int) -> list[list]:
    """甲镇's register for a year: the mover (a private firm without a union, 80 employees) and a neighbour."""
    return [unit_row(年度=year, 单位名称="甲镇迁移测试有限公司", 统一社会信用代码=MOVER, 乡镇="甲镇", 行业门类="C 制造业",
                     所有制="170 私营", 职工人数=80, 女职工人数=30, 农民工人数=40, 会员人数=0, 女会员人数=0,
                     农民工会员人数=0, 本年新入会人数=0, 建会情况="未建会", 建会年份=None, 建立职代会="否",
                     实行厂务公开="否", 签订劳动合同人数=70),
            unit_row(年度=year, 单位名称="甲镇邻居商贸有限公司", 乡镇="甲镇", 行业门类="F 批发和零售业", 建会年份=2020)]


def test_moving_a_unit_in_2025_leaves_2023_and_2024_alone(county):
    publish(county, "甲镇.xlsx", xlsx({"乡镇": REGIONS_SHEET, "单位": [UNIT_HEADER, *jia_rows(2023), *jia_rows(2024)]}))
    before = figures(county, (2023, 2024))
    gaps_before = {y: gaps.uncovered_units(y, path=county) for y in (2023, 2024)}
    assert before["region"].set_index(["year", "key"]).loc[(2024, "jia"), "units"] == 2
    assert MOVER and "甲镇迁移测试有限公司" in set(gaps_before[2024]["name"])

    # 2025: the mover is in 城关镇 under a new name, now state-owned (公有制), in transport (G).
    moved = unit_row(年度=2025, 单位名称="城关迁入运输有限公司", 统一社会信用代码=MOVER, 乡镇="城关镇",
                     行业门类="G 交通运输、仓储和邮政业", 所有制="110 国有", 职工人数=80, 女职工人数=30, 农民工人数=40,
                     会员人数=0, 女会员人数=0, 农民工会员人数=0, 本年新入会人数=0, 建会情况="未建会", 建会年份=None,
                     建立职代会="否", 实行厂务公开="否", 签订劳动合同人数=70)
    publish(county, "2025.xlsx", xlsx({"单位": [UNIT_HEADER, moved, jia_rows(2025)[1]]}))

    after = figures(county, (2023, 2024))
    for grain in GRAINS:
        pd.testing.assert_frame_equal(after[grain], before[grain], obj=grain)
    for year in (2023, 2024):
        pd.testing.assert_frame_equal(gaps.uncovered_units(year, path=county), gaps_before[year], obj=str(year))

    now = indicators.table(Scope(), "region", (2025,), county).set_index("key")
    assert now.loc["chengguan", "units"] == 1 and now.loc["jia", "units"] == 1
    assert now.loc["chengguan", "employees"] == 80
    group = indicators.table(Scope(), "ownership_group", (2025,), county).set_index("key")
    assert group.loc["public", "units"] == 1 and group.loc["nonpublic", "units"] == 1
    industry = indicators.table(Scope(), "industry", (2025,), county).set_index("key")
    assert industry.loc["G", "units"] == 1 and "C" not in industry.index
    listed = gaps.uncovered_units(2025, path=county).set_index("name")
    assert listed.loc["城关迁入运输有限公司", "region_code"] == "chengguan"
    assert listed.loc["城关迁入运输有限公司", "ownership_code"] == "110"


STOCK = ["units", "units_unionized", "unions_new", "employees", "members", "members_new", "units_congress",
         "units_openness", "units_collective_contract", "units_wage_agreement", "employees_contracted",
         "unionization_rate", "membership_rate", "congress_rate", "labor_contract_rate"]


def test_independent_check_uses_each_years_own_township(county):
    """The independent pandas computation, over per-year attributes, agrees with the SQL after a move."""
    publish(county, "甲镇.xlsx", xlsx({"乡镇": REGIONS_SHEET, "单位": [UNIT_HEADER, *jia_rows(2023), *jia_rows(2024)]}))
    moved = jia_rows(2024)[0]
    moved[0], moved[3] = 2025, "城关镇"
    publish(county, "2025.xlsx", xlsx({"单位": [UNIT_HEADER, moved]}))
    raw = independent.raw(store.resolve(county))
    want = independent.expected(raw, ["year", "region_code"], False)
    got = indicators.table(Scope(), "region", path=county).set_index(["year", "key"])
    assert want.loc[(2024, "jia"), "units"] == 2 and want.loc[(2025, "chengguan"), "units"] == 1
    for (year, key), row in want.iterrows():
        for code in STOCK:
            if pd.isna(row[code]):
                assert pd.isna(got.loc[(year, key), code]), (year, key, code)
            else:
                assert got.loc[(year, key), code] == pytest.approx(row[code]), (year, key, code)


def old_format_copy(source, target):
    """A store as schema 1 wrote it: name, township, industry and ownership on `units` (the demo's
    never change, so every year's equal today's)."""
    import duckdb
    con = duckdb.connect(str(target))
    try:
        con.execute("ATTACH $file AS new (READ_ONLY)", {"file": str(source)})
        for table in store.REQUIRED_TABLES:  # our own table names
            if table == "units":
                con.execute("""CREATE TABLE units AS
                               SELECT u.unit_id, arg_max(uy.name, uy.year) AS name, u.credit_code,
                                      arg_max(uy.region_code, uy.year) AS region_code,
                                      arg_max(uy.industry_code, uy.year) AS industry_code,
                                      arg_max(uy.ownership_code, uy.year) AS ownership_code
                               FROM new.units AS u JOIN new.unit_year AS uy USING (unit_id) GROUP BY ALL""")
            elif table == "unit_year":
                con.execute("CREATE TABLE unit_year AS SELECT * EXCLUDE (name, region_code, industry_code, "
                            "ownership_code) FROM new.unit_year")
            else:
                con.execute(f"CREATE TABLE {table} AS SELECT * FROM new.{table}")
        con.execute("UPDATE settings SET value = '1' WHERE key = 'schema_version'")
    finally:
        con.close()
    return target


def test_a_store_of_the_old_format_says_so_and_upgrades_unchanged(demo_db, tmp_path):
    old = old_format_copy(demo_db, tmp_path / "old.duckdb")
    with pytest.raises(store.StoreError, match="(?s)旧版格式.*python -m unionstats upgrade"):
        gaps.uncovered_units(2024, path=old)
    store.clear_cache()
    done = run_cli("upgrade", "--db", old)
    assert done.returncode == 0, done.stderr
    store.clear_cache()
    assert store.setting("schema_version", path=old) == store.SCHEMA_VERSION
    assert store.setting("is_demo", path=old) == "true"
    years = tuple(indicators.years(demo_db))
    for grain in GRAINS:
        pd.testing.assert_frame_equal(indicators.table(Scope(), grain, years, old),
                                      indicators.table(Scope(), grain, years, demo_db), obj=grain)
    pd.testing.assert_frame_equal(gaps.uncovered_units(2024, path=old), gaps.uncovered_units(2024, path=demo_db))
    assert importing.upgrade(old).no_change


def test_an_import_into_an_old_format_store_works(county, tmp_path):
    old = old_format_copy(store.resolve(county), tmp_path / "old.duckdb")
    publish(old, "甲镇.xlsx", xlsx({"乡镇": REGIONS_SHEET, "单位": [UNIT_HEADER, *jia_rows(2024)]}))
    assert store.setting("schema_version", path=old) == store.SCHEMA_VERSION
    listed = gaps.uncovered_units(2024, path=old)
    assert "甲镇迁移测试有限公司" in set(listed["name"]) and len(listed) == len(gaps.uncovered_units(2024, path=county)) + 1


def test_which_rows_are_the_same_unit():
    """A credit code decides; without one, the same name in the same township; a unit another row
    of the year claims by its code is not taken by name."""
    units = pd.DataFrame({"unit_id": [1, 2], "credit_code": ["C1", None]})
    by_name = pd.DataFrame({"name": ["甲", "丙"], "region_code": ["a", "a"], "unit_id": [1, 2]})
    incoming = pd.DataFrame({
        "year": [2025, 2025, 2025, 2025, 2026],
        "name": ["甲", "乙", "丙", "丁", "甲"],
        "credit_code": [None, "C1", "C3", "C4", None],
        "region_code": ["a", "b", "a", "a", "a"]})
    after, ids = snapshots._match_units(units, by_name, incoming)
    ids = ids.tolist()
    assert ids[1] == 1           # 乙 in b is 甲 renamed and moved: its credit code says so
    assert ids[0] not in (1, 2)  # a newcomer under 甲's old name, in the year 甲 reports as 乙
    assert ids[2] == 2           # 丙 had no credit code: same name and township, and now it has one
    assert ids[3] not in (1, 2, ids[0])
    assert ids[4] == ids[0]      # the newcomer's next year
    codes = dict(zip(after["unit_id"], after["credit_code"]))
    assert codes[1] == "C1" and codes[2] == "C3" and codes[ids[3]] == "C4"


def test_units_all_new_get_the_next_ids_in_turn_and_repeats_still_match():
    """A first import (no row known by code or name) numbers its units in row order after the
    known ones (issue #17 gives this case a path without a lookup per row); a name that comes
    back in another year, or a code given twice, is still the same unit."""
    units = pd.DataFrame({"unit_id": [7], "credit_code": ["K7"]})
    by_name = pd.DataFrame({"name": pd.Series(dtype="str"), "region_code": pd.Series(dtype="str"),
                            "unit_id": pd.Series(dtype="int64")})
    fresh = pd.DataFrame({"year": [2025] * 3, "name": ["甲", "乙", "丙"], "credit_code": [None, "C2", None],
                          "region_code": ["a", "a", "b"]}, index=[10, 11, 12])
    after, ids = snapshots._match_units(units, by_name, fresh)
    assert ids.tolist() == [8, 9, 10] and ids.index.tolist() == [10, 11, 12]
    codes = dict(zip(after["unit_id"], after["credit_code"]))
    assert sorted(codes) == [7, 8, 9, 10] and codes[7] == "K7" and codes[9] == "C2"
    assert pd.isna(codes[8]) and pd.isna(codes[10])
    again = pd.DataFrame({"year": [2024, 2025, 2025, 2025], "name": ["甲", "甲", "乙", "戊"],
                          "credit_code": [None, None, "C2", "C2"], "region_code": ["a", "a", "a", "c"]})
    _, ids = snapshots._match_units(units, by_name, again)
    assert ids.tolist()[0] == ids.tolist()[1] and ids.tolist()[2] == ids.tolist()[3]
    no_codes = fresh.assign(credit_code=[None, None, None])  # a file without codes: a column of None
    after, ids = snapshots._match_units(units, by_name, no_codes)
    assert ids.tolist() == [8, 9, 10] and after["credit_code"].tolist()[0] == "K7" and after["credit_code"][1:].isna().all()
    twice = no_codes.assign(name=["甲", "甲", "丙"], region_code=["a", "a", "b"])  # one unit named twice
    assert snapshots._match_units(units, by_name, twice)[1].tolist() == [8, 8, 9]
    known = fresh.assign(credit_code=[None, "K7", None])  # a known unit's code: not a new unit
    assert snapshots._match_units(units, by_name, known)[1].tolist()[1] == 7
