"""总览: headline indicators with change vs last year, trends since the first year, gaps to watch."""
import streamlit as st

from unionstats import app, attainment, catalog, charts, escape, filters, indicators
from unionstats.i18n import t

f = filters.current()
lang = f.lang
app.header(t("page_overview", lang), f)

by_year = app.indicators_by_year(f)
targets = attainment.scope_targets(indicators.targets(f.year), f.scope)  # a county target is not a township's

st.subheader(t("overview_headline", lang, year=f.year))
for note in indicators.notes(f.year, f.scope):  # what the county wrote down for its meetings
    st.markdown("> " + escape.markdown(note).replace("\n", "\n> "))
app.kpi_grid(catalog.HEADLINE, f)
shown = [c for c in catalog.HEADLINE if f.scope.is_region_only or c not in catalog.REGION_ONLY_FAMILY_CODES]
app.reported_note(shown, indicators.reported(f.year, f.scope), lang)
if not f.scope.is_region_only:
    st.caption(t("not_broken_down", lang))
app.attainment_table(f)

history = by_year.loc[:f.year]
years = list(history.index)
st.subheader(t("trends", lang, start=years[0], end=f.year))
left, right = st.columns(2)
name = lambda code: catalog.get(code).name(lang)  # noqa: E731
target_rate = targets.get("unionization_rate")
coverage = ("unionization_rate", "membership_rate", "migrant_membership_rate")
app.chart(
    left, charts.trend, years, [(name(c), history[c], attainment.parts_of(history, c, lang)) for c in coverage],
    "rate", t("trend_coverage", lang), lang,
    target=(f.year, target_rate) if target_rate is not None else None,
    references=app.reference_lines(coverage, f, left), key="trend_coverage")
# A stock (members at year end) and a flow (joined during the year) never share an axis.
app.chart(right, charts.trend, years, [(name("members"), history["members"])], "person",
          t("trend_members", lang), lang, key="trend_members")
app.chart(left, charts.trend, years, [(name("members_new"), history["members_new"])], "person",
          t("trend_members_new", lang), lang, key="trend_members_new")
app.chart(right, charts.trend, years, [(name("arrears_recovered_yuan"), history["arrears_recovered_yuan"])],
          "yuan", t("trend_arrears", lang), lang, key="trend_arrears")
if f.scope.is_region_only:
    app.chart(left, charts.trend, years,
              [(name(c), history[c]) for c in ("aid_yuan", "model_worker_aid_yuan", "subsidy_yuan")],
              "yuan", t("trend_aid", lang), lang, key="trend_aid")

st.subheader(t("gaps_title", lang))
by_region = indicators.table(f.scope, "region", (f.year,))
if len(by_region) < 2:
    st.info(t("gaps_need_regions", lang))
else:
    for column, code in zip(st.columns(2), ("unionization_rate", "membership_rate")):
        ind = catalog.get(code)
        column.markdown(f"**{t('gaps_lowest', lang, indicator=ind.name(lang))}**")
        # A township whose rate rests on a handful of units is not "lowest", it is unknown.
        column.dataframe(attainment.lowest(code, f.year, f.scope, lang), hide_index=True, width="stretch")
