"""困难帮扶: hardship aid by program and township, per household, model workers, subsidies."""
import streamlit as st

from unionstats import aid, app, catalog, charts, filters, indicators, names
from unionstats.i18n import t

f = filters.current()
lang = f.lang
app.header(t("page_aid", lang), f)
if not f.scope.is_region_only:
    st.info(t("aid_region_only", lang), icon=":material/info:")
    st.stop()
by_year = app.indicators_by_year(f)
history = by_year.loc[:f.year]
years = list(history.index)
regions = names.region_names(lang)
name = lambda code: catalog.get(code).name(lang)  # noqa: E731

st.subheader(t("section_aid", lang))
app.kpi_grid(("aid_households", "aid_yuan", "aid_per_household"), f, per_row=3)
programs = aid.by_program(f.year, f.scope, lang)
left, right = st.columns(2)
app.chart(left, charts.ranked_bars, programs["name"], programs["yuan"], programs["program_code"], "yuan",
          t("aid_by_program_yuan", lang), lang, key="aid_program_yuan")
app.chart(right, charts.ranked_bars, programs["name"], programs["households"], programs["program_code"],
          "household", t("aid_by_program_households", lang), lang, key="aid_program_households")

by_region = indicators.table(f.scope, "region", (f.year,))
left, right = st.columns(2)
for column, code in zip((left, right), ("aid_yuan", "aid_households")):
    ind = catalog.get(code)
    rows = by_region.dropna(subset=[code]).sort_values(code)
    app.chart(column, charts.ranked_bars, [regions[k] for k in rows["key"]], rows[code], rows["key"], ind.unit,
              t("by_region_of", lang, indicator=ind.name(lang)), lang, key=f"aid_region_{code}")
left, right = st.columns(2)
app.chart(left, charts.trend, years, [(name("aid_yuan"), history["aid_yuan"])], "yuan",
          t("aid_trend", lang), lang, key="aid_trend")
app.chart(right, charts.trend, years, [(name("aid_per_household"), history["aid_per_household"])], "yuan",
          t("aid_per_household_trend", lang), lang, key="aid_per_household_trend")

st.subheader(t("section_model_workers", lang))
app.kpi_grid(("model_workers_visited", "model_worker_aid_yuan", "subsidy_unions", "subsidy_yuan"), f)
left, right = st.columns(2)
app.chart(left, charts.trend, years, [(name("model_worker_aid_yuan"), history["model_worker_aid_yuan"])], "yuan",
          t("model_worker_trend", lang), lang, key="model_worker_trend")
app.chart(right, charts.trend, years, [(name("subsidy_yuan"), history["subsidy_yuan"])], "yuan",
          t("subsidy_trend", lang), lang, key="subsidy_trend")
