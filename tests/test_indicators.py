"""Every catalog indicator from SQL equals an independent pandas computation over the raw facts,
for every year × township, the county, each ownership group and each industry section."""
from __future__ import annotations

import math

import pandas as pd
import pytest

import independent
from unionstats import catalog, indicators
from unionstats.indicators import Scope

# The codes DESIGN.md §3 publishes: a contract for the CLI, tests and exports.
DESIGN_CODES = """units units_unionized unionization_rate unions_new employees members membership_rate
members_new migrant_membership_rate units_congress congress_rate openness_rate collective_contract_rate
wage_agreement_rate labor_contract_rate units_inspected compliance_rate workers_helped_sign
arrears_recovered_yuan arrears_workers aid_households aid_yuan aid_per_household model_worker_aid_yuan
subsidy_yuan units_openness units_collective_contract""".split()


def test_catalog_holds_every_design_code():
    missing = [c for c in DESIGN_CODES if c not in catalog.BY_CODE]
    assert missing == []


def test_catalog_entries_are_complete():
    for ind in catalog.INDICATORS:
        assert ind.family in catalog.FAMILIES, ind.code
        assert ind.name_zh and ind.name_en and ind.definition_zh and ind.definition_en, ind.code
        if ind.is_rate or ind.code == "aid_per_household":
            assert ind.numerator in catalog.BY_CODE and ind.denominator in catalog.BY_CODE, ind.code


def test_sql_returns_every_catalog_code(demo_db):
    frame = indicators.table(Scope(), "county", path=demo_db)
    assert [c for c in catalog.BY_CODE if c not in frame.columns] == []


def _compare(sql: pd.DataFrame, expected: pd.DataFrame, codes) -> int:
    checked = 0
    for (year, key), row in expected.iterrows():
        got = sql[(sql["year"] == year) & (sql["key"] == key)]
        assert len(got) == 1, (year, key)
        got = got.iloc[0]
        for code in codes:
            want = row.get(code, math.nan)
            have = got[code]
            if pd.isna(want):
                assert pd.isna(have), (year, key, code, have)
            else:
                assert have == pytest.approx(want, rel=1e-12, abs=1e-12), (year, key, code)
            checked += 1
    return checked


ALL_CODES = [ind.code for ind in catalog.INDICATORS]
STOCK_AND_LABOUR = [c for c in ALL_CODES if c not in catalog.REGION_ONLY_FAMILY_CODES]


def test_every_indicator_every_year_and_township(demo_db):
    raw = independent.raw(demo_db)
    expected = independent.expected(raw, ["year", "region_code"], True)
    sql = indicators.table(Scope(), "region", path=demo_db)
    assert len(expected) == 10 * 13
    assert _compare(sql, expected, ALL_CODES) == 130 * len(ALL_CODES)


def test_every_indicator_every_year_county(demo_db):
    raw = independent.raw(demo_db)
    expected = independent.expected(raw.copy(), ["year"], True).reset_index()
    expected["key"] = ""
    sql = indicators.table(Scope(), "county", path=demo_db)
    _compare(sql, expected.set_index(["year", "key"]), ALL_CODES)


def test_ownership_groups_and_industries(demo_db):
    raw = independent.raw(demo_db)
    expected = independent.expected(raw, ["year", "grp"], False)
    _compare(indicators.table(Scope(), "ownership_group", path=demo_db), expected, STOCK_AND_LABOUR)
    expected = independent.expected(raw, ["year", "industry_code"], False)
    _compare(indicators.table(Scope(), "industry", path=demo_db), expected, STOCK_AND_LABOUR)


def test_filtered_scope_township_nonpublic(demo_db):
    """Filters combine: two townships, non-public only, one industry, by township."""
    raw = independent.raw(demo_db)
    regions = ("chengguan", "gongye")

    def mask(frame):
        return frame[frame["region_code"].isin(regions) & (frame["grp"] == "nonpublic")
                     & (frame["industry_code"] == "C")]

    def cut(frame):  # broken down by industry and ownership: the table reports the year
        return frame[(frame["industry_code"] != "") & frame["grp"].notna()]

    expected = independent.expected(raw, ["year", "region_code"], False, mask, cut)
    scope = Scope(regions=regions, industries=("C",), ownership_group="nonpublic")
    sql = indicators.table(scope, "region", path=demo_db)
    _compare(sql, expected, STOCK_AND_LABOUR)
    # Aid is recorded per township only: under an industry/ownership filter it is not reported.
    assert sql["aid_yuan"].isna().all() and sql["subsidy_yuan"].isna().all()


def test_summary_is_the_county_row(demo_db):
    values = indicators.summary(2024, Scope(), demo_db)
    row = indicators.table(Scope(), "county", (2024,), demo_db).iloc[0]
    for code, value in values.items():
        assert value == pytest.approx(row[code]), code


@pytest.mark.parametrize("grain,table", [("region", "regions"), ("industry", "industries"), ("ownership", "ownership")])
def test_sql_returns_each_keys_names_and_order(demo_db, grain, table):
    """Pages take names and display order from the indicator rows, not a join of their own."""
    import duckdb
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        dims = con.execute(f"SELECT code, name_zh, name_en, sort_order FROM {table}").df().set_index("code")
    finally:
        con.close()
    frame = indicators.table(Scope(), grain, (2024,), demo_db)
    assert len(frame) > 1
    for row in frame.itertuples():
        assert (row.name_zh, row.name_en, row.sort_order) == tuple(dims.loc[row.key]), row.key
    assert indicators.table(Scope(), "county", (2024,), demo_db)["name_zh"].isna().all()
