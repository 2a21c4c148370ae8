"""维权: labour and collective contracts, contract inspections, wage arrears recovered."""
import streamlit as st

from unionstats import app, attainment, catalog, charts, filters, indicators, names
from unionstats.i18n import t

CONTRACT_RATES = ("labor_contract_rate", "collective_contract_rate", "wage_agreement_rate")

f = filters.current()
lang = f.lang
app.header(t("page_rights", lang), f)
by_year = app.indicators_by_year(f)
history = by_year.loc[:f.year]
years = list(history.index)
regions = names.region_names(lang)
industries = names.industry_names(lang)
by_region = indicators.table(f.scope, "region", (f.year,))
by_industry = indicators.table(f.scope, "industry", (f.year,))
name = lambda code: catalog.get(code).name(lang)  # noqa: E731
rule = attainment.rules()


def ranked(frame, code, labels, title_key, key, skip_zero=False):
    """Sorted bars of one indicator, county/scope value as the reference line."""
    ind = catalog.get(code)
    rows = frame.dropna(subset=[code]).sort_values(code)
    if skip_zero:  # flows: a township with no case has nothing to rank
        rows = rows[rows[code] > 0]
    app.chart(
        st, charts.ranked_bars, [labels(k) for k in rows["key"]], rows[code], rows["key"], ind.unit,
        t(title_key, lang, indicator=ind.name(lang)), lang,
        # A rate's overall value is a fair yardstick for each bar; a total is not.
        [(t("county_value" if attainment.is_whole_county(f.scope) else "scope_value", lang),
          by_year.loc[f.year, code])]
        if ind.is_rate else [],
        parts=attainment.parts_of(rows, code, lang), small=attainment.small_of(rows, code, rule), key=key)


st.subheader(t("section_contracts", lang))
app.kpi_grid(CONTRACT_RATES, f, per_row=3)
code = st.segmented_control(t("coverage_indicator", lang), CONTRACT_RATES, default=CONTRACT_RATES[0],
                            format_func=name, key="rights_contract_indicator") or CONTRACT_RATES[0]
left, right = st.columns(2)
with left:
    ranked(by_region, code, regions.get, "by_region_of", "contracts_by_region")
with right:
    ranked(by_industry, code, lambda k: f"{k} {industries[k]}", "by_industry_of", "contracts_by_industry")
app.chart(st, charts.trend, years, [(name(c), history[c], attainment.parts_of(history, c, lang))
                                   for c in CONTRACT_RATES], "rate",
          t("contract_rates_trend", lang), lang, references=app.reference_lines(CONTRACT_RATES, f),
          key="contracts_trend")

st.subheader(t("section_inspections", lang))
app.kpi_grid(("units_inspected", "compliance_rate", "workers_helped_sign"), f, per_row=3)
left, right = st.columns(2)
app.chart(left, charts.trend, years, [(name("units_inspected"), history["units_inspected"])], "unit",
          t("inspections_trend", lang), lang, key="inspections_trend")
app.chart(right, charts.trend, years, [(name("compliance_rate"), history["compliance_rate"],
                                        attainment.parts_of(history, "compliance_rate", lang))], "rate",
          name("compliance_rate"), lang, references=app.reference_lines(("compliance_rate",), f, right),
          key="compliance_trend")

st.subheader(t("section_arrears", lang))
app.kpi_grid(("arrears_recovered_yuan", "arrears_cases", "arrears_workers", "arrears_migrant_workers"),
             f)
left, right = st.columns(2)
with left:
    ranked(by_industry, "arrears_recovered_yuan", lambda k: f"{k} {industries[k]}", "by_industry_of",
           "arrears_by_industry", skip_zero=True)
with right:
    ranked(by_region, "arrears_recovered_yuan", regions.get, "by_region_of", "arrears_by_region", skip_zero=True)
left, right = st.columns(2)
app.chart(left, charts.trend, years, [(name("arrears_recovered_yuan"), history["arrears_recovered_yuan"])],
          "yuan", t("arrears_trend", lang), lang, key="arrears_trend")
app.chart(right, charts.trend, years,
          [(name(c), history[c]) for c in ("arrears_workers", "arrears_migrant_workers")],
          "person", t("arrears_workers_trend", lang), lang, key="arrears_workers_trend")
