"""困难帮扶: hardship aid by program and township, per household, model workers, subsidies."""
import streamlit as st

from unionstats import aid, app, catalog, charts, filters, indicators, names

view = filters.current()
app.header(view.t("page_aid"), view)
if not view.scope.is_region_only:
    st.info(view.t("aid_region_only"), icon=":material/info:")
    st.stop()
by_year = app.indicators_by_year(view)
history = by_year.loc[:view.year]
years = list(history.index)
regions = names.region_names(view.lang)

# One section at a time, the first open by default: only the open tab's charts are sent and drawn.
hardship, model_workers = app.section_tabs(("section_aid", "section_model_workers"), view, key="aid_section")
if hardship.open:
    with hardship:
        app.kpi_grid(("aid_households", "aid_yuan", "aid_per_household"), view, per_row=3)
        programs = aid.by_program(view)
        left, right = st.columns(2)
        app.chart(left, charts.ranked_bars, programs["name"], programs["yuan"], programs["program_code"], "yuan",
                  view.t("aid_by_program_yuan"), lang=view.lang, key="aid_program_yuan")
        app.chart(right, charts.ranked_bars, programs["name"], programs["households"], programs["program_code"],
                  "household", view.t("aid_by_program_households"), lang=view.lang, key="aid_program_households")

        by_region = indicators.table(view.scope, "region", (view.year,))
        left, right = st.columns(2)
        for column, code in zip((left, right), ("aid_yuan", "aid_households")):
            ind = catalog.get(code)
            rows = by_region.dropna(subset=[code]).sort_values(code)
            app.chart(column, charts.ranked_bars, [regions[k] for k in rows["key"]], rows[code], rows["key"], ind.unit,
                      view.t("by_region_of", indicator=view.name(ind.code)), lang=view.lang, key=f"aid_region_{code}")
        left, right = st.columns(2)
        app.chart(left, charts.trend, years, [(view.name("aid_yuan"), history["aid_yuan"])], "yuan",
                  view.t("aid_trend"), lang=view.lang, key="aid_trend")
        app.chart(right, charts.trend, years, [(view.name("aid_per_household"), history["aid_per_household"])], "yuan",
                  view.t("aid_per_household_trend"), lang=view.lang, key="aid_per_household_trend")

if model_workers.open:
    with model_workers:
        app.kpi_grid(("model_workers_visited", "model_worker_aid_yuan", "subsidy_unions", "subsidy_yuan"), view)
        left, right = st.columns(2)
        app.chart(left, charts.trend, years,
                  [(view.name("model_worker_aid_yuan"), history["model_worker_aid_yuan"])], "yuan",
                  view.t("model_worker_trend"), lang=view.lang, key="model_worker_trend")
        app.chart(right, charts.trend, years, [(view.name("subsidy_yuan"), history["subsidy_yuan"])], "yuan",
                  view.t("subsidy_trend"), lang=view.lang, key="subsidy_trend")
