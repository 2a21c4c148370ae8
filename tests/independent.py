"""Independent computation of every catalog indicator: plain pandas over the raw fact tables,
never the cube or the SQL. Tests compare the product's figures with these.

The rules, restated here from DESIGN.md and issue #11 rather than read from the SQL:
- a blank count is NULL: a sum over rows that all left it blank is NULL, never 0;
- a rate is computed over the rows that report both its parts;
- a row not broken down the way asked (industry or ownership '', the county's own row with
  township '', aid and subsidies which have no industry or ownership) counts only where that key
  is not asked for: in the county total, never in an industry, ownership or township bar;
- a key without rows of a table is 0 when the table has rows for the year broken down the way
  asked (by industry when an industry filter is set, ...), else NULL ("not reported").
"""
from __future__ import annotations

import duckdb
import pandas as pd

from unionstats import catalog, store


def raw(path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(store.resolve(path)), read_only=True)  # the snapshot in force
    try:
        return {name: con.execute(f"SELECT * FROM {name}").df() for name in
                ("units", "unit_year", "region_year", "ownership", "inspections", "arrears", "aid",
                 "aid_programs", "subsidies")}
    finally:
        con.close()


def _tables(raw) -> dict[str, pd.DataFrame]:
    """Each fact table as rows keyed by year, region_code, industry_code, grp, counts named by code."""
    group = raw["ownership"].set_index("code")["grp"]
    uy = raw["unit_year"].copy()  # township, industry, ownership: each unit-year's own, never today's
    on = uy["union_status"] != "none"
    units = pd.DataFrame({
        "year": uy["year"], "region_code": uy["region_code"], "industry_code": uy["industry_code"],
        "ownership_code": uy["ownership_code"],
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
    totals = raw["region_year"].rename(columns={"members_joined": "members_new"})
    arrears = raw["arrears"].rename(columns={
        "cases": "arrears_cases", "workers": "arrears_workers",
        "migrant_workers": "arrears_migrant_workers", "yuan_recovered": "arrears_recovered_yuan"})
    aid = raw["aid"].merge(raw["aid_programs"][["code", "kind"]], left_on="program_code", right_on="code")
    hardship = aid[aid["kind"] == "hardship"].rename(columns={"households": "aid_households", "yuan": "aid_yuan"})
    model = aid[aid["kind"] == "model_worker"].rename(
        columns={"persons": "model_workers_visited", "yuan": "model_worker_aid_yuan"})
    subsidies = raw["subsidies"].rename(columns={"unions_supported": "subsidy_unions", "yuan": "subsidy_yuan"})
    out = {"stock": pd.concat([units, totals], ignore_index=True), "inspections": raw["inspections"].copy(),
           "arrears": arrears, "hardship": hardship, "model_worker": model, "subsidies": subsidies}
    for frame in out.values():
        for key in ("industry_code", "ownership_code"):  # aid and subsidies: township only
            if key not in frame:
                frame[key] = ""
        frame["grp"] = frame["ownership_code"].map(group)  # '' (not broken down) has no group
    return out


MEASURES = {
    "stock": ["units", "units_unionized", "unions_new", "employees", "female_employees", "migrant_workers",
              "members", "female_members", "migrant_members", "members_new", "units_congress",
              "units_openness", "units_collective_contract", "units_wage_agreement", "employees_contracted"],
    "inspections": ["units_inspected", "units_compliant", "workers_helped_sign"],
    "arrears": ["arrears_cases", "arrears_workers", "arrears_migrant_workers", "arrears_recovered_yuan"],
    "hardship": ["aid_households", "aid_yuan"],
    "model_worker": ["model_workers_visited", "model_worker_aid_yuan"],
    "subsidies": ["subsidy_unions", "subsidy_yuan"],
}
RATES = [ind for ind in catalog.INDICATORS if ind.numerator]


def expected(raw, keys: list[str], region_only_ok: bool = True, mask=lambda f: f, cut=None) -> pd.DataFrame:
    """Every indicator per `keys` for the rows `mask` keeps. `cut` keeps the rows broken down along
    the dimensions the filter cuts (industry, ownership); they decide whether a table reports the
    year. `region_only_ok` is kept for callers: aid and subsidies need no flag, having no industry
    or ownership they fall out of any such cut by themselves."""
    cut = cut or (lambda f: f)
    parts = []
    for source, frame in _tables(raw).items():
        measures = list(MEASURES[source])
        frame = frame.copy()
        for ind in RATES:  # a rate's parts, kept only on rows that report both
            if ind.numerator in measures and ind.denominator in measures:
                both = frame[ind.numerator].notna() & frame[ind.denominator].notna()
                frame[ind.code + "__num"] = frame[ind.numerator].where(both)
                frame[ind.code + "__den"] = frame[ind.denominator].where(both)
                measures += [ind.code + "__num", ind.code + "__den"]
        keyed = frame.dropna(subset=keys)
        keyed = keyed[(keyed[keys].astype(str) != "").all(axis=1)]  # not broken down this way
        reported_years = set(cut(keyed)["year"])
        rows = mask(keyed)
        sums = rows.groupby(keys)[measures].sum(min_count=1)
        sums["__rows_" + source] = rows.groupby(keys).size()
        parts.append((source, measures, sums, reported_years))
    out = pd.concat([p[2] for p in parts], axis=1)
    years = out.index.get_level_values("year")
    for source, measures, _, reported_years in parts:
        absent = out["__rows_" + source].isna() & years.isin(list(reported_years))
        out.loc[absent, measures] = 0
    for ind in RATES:
        num, den = out[ind.code + "__num"].astype(float), out[ind.code + "__den"].astype(float)
        out[ind.code] = num / den.where(den != 0)
    return out.drop(columns=[c for c in out if "__" in c])
