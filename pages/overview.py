"""总览: headline indicators with change vs last year, trends since the first year, gaps to watch."""
import streamlit as st

from unionstats import app, attainment, catalog, charts, escape, filters, indicators
from unionstats import format as fmt

view = filters.current()
app.header(view.t("page_overview"), view)

by_year = app.indicators_by_year(view)
targets = attainment.scope_targets(indicators.targets(view.year), view.scope)  # a county target is not a township's

st.subheader(view.t("overview_headline", year=view.year))
for note in indicators.notes(view.year, view.scope):  # what the county wrote down for its meetings
    st.markdown("> " + escape.markdown(note).replace("\n", "\n> "))
app.kpi_grid(catalog.HEADLINE, view)
shown = [c for c in catalog.HEADLINE if view.scope.is_region_only or c not in catalog.REGION_ONLY_FAMILY_CODES]
app.reported_note(shown, indicators.reported(view.year, view.scope), view)
if not view.scope.is_region_only:
    st.caption(view.t("not_broken_down"))
app.attainment_table(view)

history = by_year.loc[:view.year]
years = list(history.index)
st.subheader(view.t("trends", start=years[0], end=view.year))
left, right = st.columns(2)
target_rate = targets.get("unionization_rate")
coverage = ("unionization_rate", "membership_rate", "migrant_membership_rate")
app.chart(
    left, charts.trend, years, [(view.name(c), history[c], attainment.parts_of(history, c, view.lang)) for c in coverage],
    "rate", view.t("trend_coverage"), lang=view.lang,
    target=(view.year, target_rate) if target_rate is not None else None,
    references=app.reference_lines(coverage, view, left), key="trend_coverage")
# A stock (members at year end) and a flow (joined during the year) never share an axis.
app.chart(right, charts.trend, years, [(view.name("members"), history["members"])], "person",
          view.t("trend_members"), lang=view.lang, key="trend_members")
app.chart(left, charts.trend, years, [(view.name("members_new"), history["members_new"])], "person",
          view.t("trend_members_new"), lang=view.lang, key="trend_members_new")
app.chart(right, charts.trend, years, [(view.name("arrears_recovered_yuan"), history["arrears_recovered_yuan"])],
          "yuan", view.t("trend_arrears"), lang=view.lang, key="trend_arrears")
if view.scope.is_region_only:
    app.chart(left, charts.trend, years,
              [(view.name(c), history[c]) for c in ("aid_yuan", "model_worker_aid_yuan", "subsidy_yuan")],
              "yuan", view.t("trend_aid"), lang=view.lang, key="trend_aid")

st.subheader(view.t("gaps_title"))
by_region = indicators.table(view.scope, "region", (view.year,))
if len(by_region) < 2:
    st.info(view.t("gaps_need_regions"))
else:
    for column, code in zip(st.columns(2), ("unionization_rate", "membership_rate")):
        ind = catalog.get(code)
        column.markdown(f"**{view.t('gaps_lowest', indicator=view.name(ind.code))}**")
        # A township whose rate rests on a handful of units is not "lowest", it is unknown.
        column.dataframe(attainment.lowest(code, view.year, view.scope, view.lang), hide_index=True, placeholder=fmt.MISSING, width="stretch")
