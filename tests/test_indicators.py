"""Every catalog indicator from SQL equals an independent pandas computation over the raw facts,
for every year × township, the county, each ownership group and each industry section."""
from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

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


def _raw(path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.execute(f"SELECT * FROM {name}").df() for name in
                ("units", "unit_year", "region_year", "ownership", "inspections", "arrears", "aid",
                 "aid_programs", "subsidies")}
    finally:
        con.close()


def _expected(raw, keys: list[str], region_only_ok: bool, mask=lambda f: f) -> pd.DataFrame:
    """Independent computation: plain pandas from the fact tables (not the cube, not the SQL)."""
    group = raw["ownership"].set_index("code")["grp"]
    uy = raw["unit_year"].merge(raw["units"], on="unit_id")
    uy["grp"] = uy["ownership_code"].map(group)
    on = uy["union_status"] != "none"
    unit_counts = pd.DataFrame({
        "year": uy["year"], "region_code": uy["region_code"], "industry_code": uy["industry_code"],
        "grp": uy["grp"],
        "units": 1, "units_unionized": on.astype(int),
        "unions_new": ((uy["union_status"] == "own") & (uy["union_founded_year"] == uy["year"])).astype(int),
        "employees": uy["employees"], "female_employees": uy["female_employees"],
        "migrant_workers": uy["migrant_workers"], "members": uy["members"],
        "female_members": uy["female_members"], "migrant_members": uy["migrant_members"],
        "members_new": uy["members_joined"],
        "units_congress": (on & uy["has_congress"]).astype(int),
        "units_openness": (on & uy["has_openness"]).astype(int),
        "units_collective_contract": (on & uy["has_collective_contract"]).astype(int),
        "units_wage_agreement": (on & uy["has_wage_agreement"]).astype(int),
        "employees_contracted": uy["employees_contracted"],
    })
    ry = raw["region_year"].rename(columns={"members_joined": "members_new"})
    ry["grp"] = ry["ownership_code"].map(group)
    stock = mask(pd.concat([unit_counts, ry.drop(columns=["ownership_code"])], ignore_index=True))
    out = stock.groupby(keys).sum(numeric_only=True)

    insp = raw["inspections"].assign(grp=lambda f: f["ownership_code"].map(group))
    out = out.join(mask(insp).groupby(keys)[["units_inspected", "units_compliant", "workers_helped_sign"]].sum(),
                   how="outer")
    arr = raw["arrears"].assign(grp=lambda f: f["ownership_code"].map(group)).rename(columns={
        "cases": "arrears_cases", "workers": "arrears_workers",
        "migrant_workers": "arrears_migrant_workers", "yuan_recovered": "arrears_recovered_yuan"})
    out = out.join(mask(arr).groupby(keys)[["arrears_cases", "arrears_workers", "arrears_migrant_workers",
                                             "arrears_recovered_yuan"]].sum(), how="outer")
    if region_only_ok:
        aid = mask(raw["aid"].merge(raw["aid_programs"], left_on="program_code", right_on="code"))
        hard, model = aid[aid["kind"] == "hardship"], aid[aid["kind"] == "model_worker"]
        out = out.join(hard.groupby(keys)[["households", "yuan"]].sum().rename(
            columns={"households": "aid_households", "yuan": "aid_yuan"}), how="outer")
        out = out.join(model.groupby(keys)[["persons", "yuan"]].sum().rename(
            columns={"persons": "model_workers_visited", "yuan": "model_worker_aid_yuan"}), how="outer")
        out = out.join(mask(raw["subsidies"]).groupby(keys)[["unions_supported", "yuan"]].sum().rename(
            columns={"unions_supported": "subsidy_unions", "yuan": "subsidy_yuan"}), how="outer")
    out = out.fillna(0)  # every fact table has rows for every demo year
    for ind in catalog.INDICATORS:
        if ind.numerator:
            if ind.numerator in out and ind.denominator in out:
                den = out[ind.denominator].astype(float)
                out[ind.code] = out[ind.numerator].astype(float) / den.where(den != 0)
    return out


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
    raw = _raw(demo_db)
    expected = _expected(raw, ["year", "region_code"], True)
    sql = indicators.table(Scope(), "region", path=demo_db)
    assert len(expected) == 10 * 13
    assert _compare(sql, expected, ALL_CODES) == 130 * len(ALL_CODES)


def test_every_indicator_every_year_county(demo_db):
    raw = _raw(demo_db)
    expected = _expected(raw.copy(), ["year"], True).reset_index()
    expected["key"] = ""
    sql = indicators.table(Scope(), "county", path=demo_db)
    _compare(sql, expected.set_index(["year", "key"]), ALL_CODES)


def test_ownership_groups_and_industries(demo_db):
    raw = _raw(demo_db)
    expected = _expected(raw, ["year", "grp"], False)
    _compare(indicators.table(Scope(), "ownership_group", path=demo_db), expected, STOCK_AND_LABOUR)
    expected = _expected(raw, ["year", "industry_code"], False)
    _compare(indicators.table(Scope(), "industry", path=demo_db), expected, STOCK_AND_LABOUR)


def test_filtered_scope_township_nonpublic(demo_db):
    """Filters combine: two townships, non-public only, one industry, by township."""
    raw = _raw(demo_db)
    regions = ("chengguan", "gongye")

    def mask(frame):
        return frame[frame["region_code"].isin(regions) & (frame["grp"] == "nonpublic")
                     & (frame["industry_code"] == "C")]

    expected = _expected(raw, ["year", "region_code"], False, mask)
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
