"""维权: labour and collective contracts, contract inspections, wage arrears recovered."""
import streamlit as st

from unionstats import app, attainment, catalog, charts, filters, indicators, names

CONTRACT_RATES = ("labor_contract_rate", "collective_contract_rate", "wage_agreement_rate")

view = filters.current()
app.header(view.t("page_rights"), view)
by_year = app.indicators_by_year(view)
history = by_year.loc[:view.year]
years = list(history.index)
regions = names.region_names(view.lang)
industries = names.industry_names(view.lang)
by_region = indicators.table(view.scope, "region", (view.year,))
by_industry = indicators.table(view.scope, "industry", (view.year,))
rule = attainment.rules()


def ranked(frame, code, labels, title_key, key, skip_zero=False):
    """Sorted bars of one indicator, county/scope value as the reference line."""
    ind = catalog.get(code)
    rows = frame.dropna(subset=[code]).sort_values(code)
    if skip_zero:  # flows: a township with no case has nothing to rank
        rows = rows[rows[code] > 0]
    if rows.empty:  # bare axes would look like a drawing fault: say there is nothing to rank
        st.markdown(f"**{view.t(title_key, indicator=view.name(ind.code))}**")
        st.caption(view.t("nothing_to_rank", year=view.year))
        return
    app.chart(
        st, charts.ranked_bars, [labels(k) for k in rows["key"]], rows[code], rows["key"], ind.unit,
        view.t(title_key, indicator=view.name(ind.code)), lang=view.lang,
        # A rate's overall value is a fair yardstick for each bar; a total is not.
        lines=[(view.t("county_value" if attainment.is_whole_county(view.scope) else "scope_value"),
                by_year.loc[view.year, code])] if ind.is_rate else [],
        parts=attainment.parts_of(rows, code, view.lang), small=attainment.small_of(rows, code, rule), key=key)


# One section at a time, the first open by default: only the open tab's charts are sent and drawn.
contracts, inspections, arrears = app.section_tabs(("section_contracts", "section_inspections", "section_arrears"),
                                                   view, key="rights_section")
if contracts.open:
    with contracts:
        app.kpi_grid(CONTRACT_RATES, view, per_row=3)
        code = st.segmented_control(view.t("coverage_indicator"), CONTRACT_RATES, default=CONTRACT_RATES[0],
                                    format_func=view.name, key="rights_contract_indicator") or CONTRACT_RATES[0]
        left, right = st.columns(2)
        with left:
            ranked(by_region, code, regions.get, "by_region_of", "contracts_by_region")
        with right:
            ranked(by_industry, code, lambda k: f"{k} {industries[k]}", "by_industry_of", "contracts_by_industry")
        app.chart(st, charts.trend, years, [(view.name(c), history[c], attainment.parts_of(history, c, view.lang))
                                           for c in CONTRACT_RATES], "rate",
                  view.t("contract_rates_trend"), lang=view.lang, references=app.reference_lines(CONTRACT_RATES, view),
                  key="contracts_trend")

if inspections.open:
    with inspections:
        app.kpi_grid(("units_inspected", "compliance_rate", "workers_helped_sign"), view, per_row=3)
        left, right = st.columns(2)
        app.chart(left, charts.trend, years, [(view.name("units_inspected"), history["units_inspected"])], "unit",
                  view.t("inspections_trend"), lang=view.lang, key="inspections_trend")
        app.chart(right, charts.trend, years, [(view.name("compliance_rate"), history["compliance_rate"],
                                                attainment.parts_of(history, "compliance_rate", view.lang))], "rate",
                  view.name("compliance_rate"), lang=view.lang,
                  references=app.reference_lines(("compliance_rate",), view, right), key="compliance_trend")

if arrears.open:
    with arrears:
        app.kpi_grid(("arrears_recovered_yuan", "arrears_cases", "arrears_workers", "arrears_migrant_workers"),
                     view)
        left, right = st.columns(2)
        with left:
            ranked(by_industry, "arrears_recovered_yuan", lambda k: f"{k} {industries[k]}", "by_industry_of",
                   "arrears_by_industry", skip_zero=True)
        with right:
            ranked(by_region, "arrears_recovered_yuan", regions.get, "by_region_of", "arrears_by_region",
                   skip_zero=True)
        left, right = st.columns(2)
        app.chart(left, charts.trend, years, [(view.name("arrears_recovered_yuan"), history["arrears_recovered_yuan"])],
                  "yuan", view.t("arrears_trend"), lang=view.lang, key="arrears_trend")
        app.chart(right, charts.trend, years,
                  [(view.name(c), history[c]) for c in ("arrears_workers", "arrears_migrant_workers")],
                  "person", view.t("arrears_workers_trend"), lang=view.lang, key="arrears_workers_trend")
