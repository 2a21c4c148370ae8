"""总览: headline indicators with change vs last year, trends since the first year, gaps to watch."""
import streamlit as st

from unionstats import app, catalog, charts, filters, indicators
from unionstats import format as fmt
from unionstats.i18n import t

f = filters.current()
lang = f.lang
app.header(t("page_overview", lang), f)

by_year = indicators.table(f.scope).set_index("year")
if f.year not in by_year.index:
    st.warning(t("no_data_scope", lang, year=f.year))
    st.stop()
now = by_year.loc[f.year]
prev_year = f.year - 1
prev = by_year.loc[prev_year] if prev_year in by_year.index else None
targets = indicators.targets(f.year)

st.subheader(t("overview_headline", lang, year=f.year))
columns = st.columns(4)
for i, code in enumerate(catalog.HEADLINE):
    ind = catalog.get(code)
    value = now[code]
    delta = None if prev is None or fmt.is_missing(value) else value - prev[code]
    target = targets.get((code, ""))
    help_text = ind.definition(lang)
    if target is not None:
        help_text += "\n\n" + t("target_line", lang, value=fmt.fmt_number(target, ind.unit, lang))
    columns[i % 4].metric(
        ind.name(lang),
        fmt.fmt_number(value, ind.unit, lang),
        delta=None if fmt.is_missing(delta) else fmt.fmt_delta(delta, ind.unit, lang),
        delta_color="off" if ind.higher_is_better is None or delta == 0
        else ("normal" if ind.higher_is_better else "inverse"),
        delta_arrow="off" if delta == 0 else "auto",
        delta_description=t("vs_prev_year", lang, year=prev_year) if prev is not None else None,
        help=help_text,
        border=True,
    )
if not f.scope.is_region_only:
    st.caption(t("not_broken_down", lang))

history = by_year.loc[:f.year]
years = list(history.index)
st.subheader(t("trends", lang, start=years[0], end=f.year))
left, right = st.columns(2)
name = lambda code: catalog.get(code).name(lang)  # noqa: E731
target_rate = targets.get(("unionization_rate", ""))
left.plotly_chart(charts.trend(
    years, [(name(c), history[c]) for c in ("unionization_rate", "membership_rate", "migrant_membership_rate")],
    "rate", t("trend_coverage", lang), lang,
    target=(f.year, target_rate) if target_rate is not None else None), key="trend_coverage")
right.plotly_chart(charts.trend(
    years, [(name(c), history[c]) for c in ("members", "members_new")],
    "person", t("trend_members", lang), lang), key="trend_members")
left.plotly_chart(charts.trend(
    years, [(name("arrears_recovered_yuan"), history["arrears_recovered_yuan"])],
    "yuan", t("trend_arrears", lang), lang), key="trend_arrears")
if f.scope.is_region_only:
    right.plotly_chart(charts.trend(
        years, [(name(c), history[c]) for c in ("aid_yuan", "model_worker_aid_yuan", "subsidy_yuan")],
        "yuan", t("trend_aid", lang), lang), key="trend_aid")

st.subheader(t("gaps_title", lang))
by_region = indicators.table(f.scope, "region", (f.year,))
if len(by_region) < 2:
    st.info(t("gaps_need_regions", lang))
else:
    names = filters.region_names(lang)
    for column, code in zip(st.columns(2), ("unionization_rate", "membership_rate")):
        ind = catalog.get(code)
        lowest = by_region.nsmallest(3, code)
        column.markdown(f"**{t('gaps_lowest', lang, indicator=ind.name(lang))}**")
        column.dataframe(
            {t("region", lang): [names[k] for k in lowest["key"]],
             ind.name(lang): [fmt.fmt_number(v, ind.unit, lang) for v in lowest[code]],
             catalog.get(ind.denominator).name(lang): [fmt.fmt_number(v, catalog.get(ind.denominator).unit, lang)
                                                       for v in lowest[ind.denominator]]},
            hide_index=True, width="stretch")
