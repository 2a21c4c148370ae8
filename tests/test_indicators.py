"""Every catalog indicator from SQL equals an independent pandas computation over the raw facts,
for every year × township, the county, each ownership group and each industry section."""
from __future__ import annotations

import math

import pandas as pd
import pytest

import independent
from unionstats import catalog, indicators, store
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
    """Every expected row equals SQL's, and SQL has no row the raw tables do not explain."""
    shown = {(int(y), k) for y, k in zip(sql["year"], sql["key"])}
    wanted = {(int(y), k) for y, k in expected.index}
    assert shown - wanted == set(), sorted(shown - wanted)[:5]
    assert wanted - shown == set(), sorted(wanted - shown)[:5]
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


# --- exact keys and small stores (issue #12 item 2) --------------------------------------------------

def test_industry_breakdown_holds_exactly_the_industries_with_unit_data(demo_db):
    """Aid is kept per township: at industry grain no township code may turn up as a key."""
    raw = independent.raw(demo_db)
    sql = indicators.table(Scope(), "industry", (2024,), demo_db)
    with_data = set()
    for name in ("unit_year", "region_year", "inspections", "arrears"):
        frame = raw[name]
        with_data |= set(frame.loc[frame["year"] == 2024, "industry_code"])
    assert list(sql["key"]) == sorted(with_data)  # each once, nothing else
    assert sql[["aid_yuan", "aid_households", "subsidy_yuan"]].isna().all().all()


MISSING_YEAR, ZERO_TOWN, TOTALS_TOWN = 2020, "chengguan", "qingshi"


@pytest.fixture(scope="module")
def odd_store(tmp_path_factory):
    """The demo with: no inspections at all in 2020 (not reported, not zero); 城关镇's 2024
    inspections all zero and its hardship aid paid to no recorded household (zero denominators); 青石乡 reporting totals only in 2024."""
    from unionstats import demo, snapshots, store
    tables = demo.build_tables()
    ins = tables["inspections"]
    ins = ins[ins["year"] != MISSING_YEAR].copy()
    zero = (ins["year"] == 2024) & (ins["region_code"] == ZERO_TOWN)
    assert zero.any()
    ins.loc[zero, ["units_inspected", "units_compliant", "workers_helped_sign"]] = 0
    tables["inspections"] = ins.reset_index(drop=True)
    aid = tables["aid"]  # money paid out with no household recorded: aid per household is unknown
    hardship = set(tables["aid_programs"].loc[tables["aid_programs"]["kind"] == "hardship", "code"])
    paid = (aid["year"] == 2024) & (aid["region_code"] == ZERO_TOWN) & aid["program_code"].isin(hardship)
    assert paid.any() and aid.loc[paid, "yuan"].sum() > 0
    aid.loc[paid, "households"] = 0
    uy = tables["unit_year"]
    gone = (uy["year"] == 2024) & (uy["region_code"] == TOTALS_TOWN)
    assert gone.any()
    ry = tables["region_year"]
    total = {c: 0 for c in ry.columns}
    total.update(year=2024, region_code=TOTALS_TOWN, industry_code="C", ownership_code=uy.loc[gone, "ownership_code"].iloc[0],
                 units=10, units_unionized=4, employees=200, members=90)
    tables["unit_year"] = uy[~gone].reset_index(drop=True)
    tables["region_year"] = pd.concat([ry, pd.DataFrame([total])[ry.columns].astype(ry.dtypes)], ignore_index=True)
    path = tmp_path_factory.mktemp("odd") / "odd.duckdb"
    snapshots.write_database(path, tables)
    store.clear_cache()
    return path


def test_a_year_without_inspections_is_not_reported_not_zero(odd_store):
    for grain in ("county", "region"):
        sql = indicators.table(Scope(), grain, path=odd_store)
        year = sql[sql["year"] == MISSING_YEAR]
        assert len(year) > 0
        for code in ("units_inspected", "units_compliant", "workers_helped_sign", "compliance_rate"):
            assert year[code].isna().all(), (grain, code)
        assert year["units"].notna().all() and (year["units"] > 0).all()  # the rest of the year stands
    raw = independent.raw(odd_store)
    expected = independent.expected(raw, ["year", "region_code"], True)
    expected = expected[expected.index.get_level_values("year") != MISSING_YEAR]
    sql = indicators.table(Scope(), "region", path=odd_store)
    _compare(sql[sql["year"] != MISSING_YEAR], expected, ALL_CODES)


def test_a_zero_denominator_is_no_rate(odd_store):
    row = indicators.table(Scope(regions=(ZERO_TOWN,)), "region", (2024,), odd_store).iloc[0]
    assert row["units_inspected"] == 0 and pd.isna(row["compliance_rate"])
    assert row["aid_households"] == 0 and row["aid_yuan"] > 0 and pd.isna(row["aid_per_household"])
    county = indicators.summary(2024, Scope(), odd_store)
    raw = independent.raw(odd_store)["inspections"]
    year = raw[raw["year"] == 2024]
    assert county["compliance_rate"] == pytest.approx(year["units_compliant"].sum() / year["units_inspected"].sum())


def test_a_totals_only_township_counts_and_is_named(odd_store):
    from unionstats import gaps
    raw = independent.raw(odd_store)
    ry = raw["region_year"]
    mine = ry[(ry["year"] == 2024) & (ry["region_code"] == TOTALS_TOWN)]
    row = indicators.table(Scope(regions=(TOTALS_TOWN,)), "region", (2024,), odd_store).iloc[0]
    assert row["units"] == mine["units"].sum() and row["members"] == mine["members"].sum()
    assert row["unionization_rate"] == pytest.approx(mine["units_unionized"].sum() / mine["units"].sum())
    assert gaps.totals_only_regions(2024, Scope(), odd_store) == sorted(set(ry.loc[ry["year"] == 2024, "region_code"]))
    assert TOTALS_TOWN in gaps.totals_only_regions(2024, Scope(), odd_store)
    assert len(gaps.uncovered_table(2024, Scope(regions=(TOTALS_TOWN,)), 1, path=odd_store)) == 0


def test_queries_take_years_never_a_single_year(demo_db):
    """One convention for every query (CONTRIBUTING): a list of years, None = every year."""
    with pytest.raises(TypeError, match="years"):
        store.query("targets", path=demo_db, year=2024)
    one = store.query("targets", path=demo_db, years=(2024,))
    every = store.query("targets", path=demo_db, years=None)
    assert 0 < len(one) < len(every)
