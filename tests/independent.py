"""Independent computation of every catalog indicator: plain pandas over the raw fact tables,
never the cube or the SQL. Tests compare the product's figures with these."""
from __future__ import annotations

import duckdb
import pandas as pd

from unionstats import catalog


def raw(path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.execute(f"SELECT * FROM {name}").df() for name in
                ("units", "unit_year", "region_year", "ownership", "inspections", "arrears", "aid",
                 "aid_programs", "subsidies")}
    finally:
        con.close()


def expected(raw, keys: list[str], region_only_ok: bool, mask=lambda f: f) -> pd.DataFrame:
    """Independent computation: plain pandas from the fact tables (not the cube, not the SQL)."""
    group = raw["ownership"].set_index("code")["grp"]
    uy = raw["unit_year"].copy()  # township, industry, ownership: each unit-year's own, never today's
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
