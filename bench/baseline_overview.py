"""The obvious alternative, for the benchmark only: a Streamlit page that loads the facts into
pandas once (st.cache_data) and groups them on every rerun to draw the same 总览 as
pages/overview.py (same KPIs, same four trend charts, same gaps table)."""
import os

import duckdb
import streamlit as st

from unionstats import catalog, charts
from unionstats import format as fmt


@st.cache_data
def load(db: str):
    con = duckdb.connect(db, read_only=True)
    try:
        facts = con.execute("SELECT * EXCLUDE (name, industry_code, ownership_code) FROM unit_year").df()
        flows = {t: con.execute(f"SELECT * FROM {t}").df() for t in ("inspections", "arrears", "aid", "subsidies")}
        kinds = con.execute("SELECT code, kind FROM aid_programs").df()
    finally:
        con.close()
    return facts, flows, kinds


facts, flows, kinds = load(os.environ["UNIONSTATS_DB"])
f = facts.assign(unionized=facts["union_status"] != "none",
                 new_union=(facts["union_status"] == "own") & (facts["union_founded_year"] == facts["year"]))
f["congress"] = f["unionized"] & f["has_congress"]
by_year = f.groupby("year").agg(units=("unit_id", "size"), units_unionized=("unionized", "sum"),
                                unions_new=("new_union", "sum"), members=("members", "sum"),
                                employees=("employees", "sum"), members_new=("members_joined", "sum"),
                                migrant_members=("migrant_members", "sum"), migrant_workers=("migrant_workers", "sum"),
                                units_congress=("congress", "sum"), employees_contracted=("employees_contracted", "sum"))
insp = flows["inspections"].groupby("year")[["units_inspected", "units_compliant", "workers_helped_sign"]].sum()
arr = flows["arrears"].groupby("year")[["yuan_recovered"]].sum().rename(columns={"yuan_recovered": "arrears_recovered_yuan"})
aid = flows["aid"].merge(kinds, left_on="program_code", right_on="code")
hard = aid[aid["kind"] == "hardship"].groupby("year")[["households", "yuan"]].sum().rename(
    columns={"households": "aid_households", "yuan": "aid_yuan"})
model = aid[aid["kind"] == "model_worker"].groupby("year")[["yuan"]].sum().rename(columns={"yuan": "model_worker_aid_yuan"})
subs = flows["subsidies"].groupby("year")[["yuan"]].sum().rename(columns={"yuan": "subsidy_yuan"})
by_year = by_year.join([insp, arr, hard, model, subs])
by_year["unionization_rate"] = by_year["units_unionized"] / by_year["units"]
by_year["membership_rate"] = by_year["members"] / by_year["employees"]
by_year["migrant_membership_rate"] = by_year["migrant_members"] / by_year["migrant_workers"]
by_year["congress_rate"] = by_year["units_congress"] / by_year["units_unionized"]
by_year["labor_contract_rate"] = by_year["employees_contracted"] / by_year["employees"]
by_year["compliance_rate"] = by_year["units_compliant"] / by_year["units_inspected"]
year = int(by_year.index.max())
columns = st.columns(4)
for i, code in enumerate(catalog.HEADLINE):
    ind = catalog.get(code)
    columns[i % 4].metric(ind.name_zh, fmt.fmt_number(by_year.loc[year, code], ind.unit),
                          fmt.fmt_delta(by_year.loc[year, code] - by_year.loc[year - 1, code], ind.unit))
years = list(by_year.index)
st.plotly_chart(charts.trend(years, [(c, by_year[c]) for c in ("unionization_rate", "membership_rate",
                                                                "migrant_membership_rate")], "rate", "coverage"))
st.plotly_chart(charts.trend(years, [(c, by_year[c]) for c in ("members", "members_new")], "person", "members"))
st.plotly_chart(charts.trend(years, [("arrears", by_year["arrears_recovered_yuan"])], "yuan", "arrears"))
st.plotly_chart(charts.trend(years, [(c, by_year[c]) for c in ("aid_yuan", "model_worker_aid_yuan", "subsidy_yuan")],
                             "yuan", "aid"))
now = f[f["year"] == year].groupby("region_code").agg(units=("unit_id", "size"), units_unionized=("unionized", "sum"),
                                                     members=("members", "sum"), employees=("employees", "sum"))
now["unionization_rate"] = now["units_unionized"] / now["units"]
now["membership_rate"] = now["members"] / now["employees"]
for code in ("unionization_rate", "membership_rate"):
    st.dataframe(now.nsmallest(3, code))
