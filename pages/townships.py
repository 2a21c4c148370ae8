"""乡镇排名: every township on the headline rates, ranked, with its change, gap to the county and to
its own target; choosing one gives its profile."""
import streamlit as st

from unionstats import app, attainment, catalog, charts, escape, exports, filters, gaps, indicators, league, maps, names
from unionstats import format as fmt
from unionstats.filters import Filters
from unionstats.i18n import t
from unionstats.indicators import Scope

f = filters.current()
lang = f.lang
app.header(t("page_league", lang), f)
if f.year is None:
    st.warning(t("no_data_at_all", lang))
    st.stop()
regions = names.region_names(lang)
rule = attainment.rules()
name = lambda code: catalog.get(code).name(lang)  # noqa: E731

code = st.selectbox(t("league_indicator", lang), league.RATES, format_func=name, key="league_indicator")
ind = catalog.get(code)
ranked = league.table(code, f.year, f.scope)
if ranked.empty:
    st.warning(t("no_data_scope", lang, year=f.year))
    st.stop()
base = attainment.latest_earlier(f.years, f.year)
st.subheader(t("league_title", lang, year=f.year, indicator=ind.name(lang)))
st.caption(t("league_help", lang, n=rule.small_n, base=attainment.base_text(f.year, base, lang)))

value_col = ind.name(lang)
styled, numbers = league.shown(code, f.year, f.scope, lang)
st.dataframe(styled, hide_index=True, width="stretch", height=40 + 35 * len(numbers), key="league_table")
file_name = t("league_file", lang, indicator=ind.name(lang), year=f.year)
left, right, _ = st.columns([1, 1, 4])
left.download_button(t("download_xlsx", lang), lambda: exports.xlsx_bytes({ind.name(lang): numbers}, {value_col: "0.0%"}),
                     f"{file_name}.xlsx", exports.XLSX_MIME, icon=":material/download:", key="league_xlsx")
right.download_button(t("download_csv", lang), lambda: exports.csv_bytes(numbers), f"{file_name}.csv", exports.CSV_MIME,
                      icon=":material/download:", key="league_csv")

bars = ranked.sort_values("value")
county_value = ranked["county"].iloc[0]
app.chart(
    st, charts.ranked_bars,
    [regions.get(k, k) for k in bars["region_code"]], bars["value"], bars["region_code"], ind.unit,
    t("by_region", lang, indicator=ind.name(lang)), lang,
    [(t("county_value" if attainment.is_whole_county(Scope(None, f.scope.industries, f.scope.ownership_group))
        else "scope_value", lang), county_value)],
    parts=[fmt.fmt_parts(a, b, catalog.get(ind.denominator).unit, lang)
           for a, b in zip(bars["numerator"], bars["denominator"])], small=list(bars["small"]),
    key="league_bars")

# The map: the admin's township outlines when uploaded, else a schematic of tiles that says so.
shapes = maps.outlines()
bar_parts = [fmt.fmt_parts(a, b, catalog.get(ind.denominator).unit, lang)
             for a, b in zip(ranked["numerator"], ranked["denominator"])]
labels = [regions.get(k, k) for k in ranked["region_code"]]
if shapes:
    app.chart(st, charts.outline_map, labels, ranked["region_code"], ranked["value"], shapes, ind.unit,
              t("map_title_outline", lang, indicator=ind.name(lang), year=f.year), lang,
              bar_parts, list(ranked["small"]), key="league_map")
else:
    app.chart(st, charts.tile_map, labels, ranked["region_code"], ranked["value"], maps.tile_positions(regions),
              ind.unit, t("map_title_tiles", lang, indicator=ind.name(lang), year=f.year), lang,
              bar_parts, list(ranked["small"]), key="league_map")
if not shapes:
    st.caption(t("map_tiles_note", lang))

st.subheader(t("league_rates_title", lang))
st.caption(t("league_rates_help", lang))
order, rates_styled = league.rates_matrix(f.year, f.scope, lang)
st.dataframe(rates_styled, hide_index=True, width="stretch", height=40 + 35 * len(order), key="league_rates")

st.divider()
st.subheader(t("profile_title", lang))
choices = list(order)
default = f.scope.regions[0] if f.scope.regions and f.scope.regions[0] in choices else choices[0]
region = st.selectbox(t("profile_choose", lang), choices, format_func=lambda k: regions.get(k, k),
                      index=choices.index(default), key="profile_region")
mine = Scope((region,), f.scope.industries, f.scope.ownership_group)
reported_years = set(indicators.table(mine)["year"])
st.markdown(f"**{t('profile_vs_county', lang, region=escape.markdown(regions.get(region, region)), year=f.year)}**")
if f.year in reported_years:
    app.kpi_grid(catalog.HEADLINE if mine.is_region_only else
                 [c for c in catalog.HEADLINE if c not in catalog.REGION_ONLY_FAMILY_CODES],
                 Filters(f.year, mine, lang, f.years))
figures = league.profile_shown(region, f.year, f.scope, lang)
if len(figures):
    st.dataframe(figures, hide_index=True, width="stretch", key="profile_figures")

st.markdown(f"**{t('profile_notes', lang)}**")
notes = league.own_notes(region, f.year)
for note in notes:
    st.markdown("> " + escape.markdown(note).replace("\n", "\n> "))
if not notes:
    st.caption(t("profile_no_notes", lang, year=f.year))

st.markdown(f"**{t('profile_gaps', lang, n=gaps.DEFAULT_MIN_EMPLOYEES)}**")
listed = gaps.uncovered_table(f.year, mine, gaps.DEFAULT_MIN_EMPLOYEES, lang)
if gaps.totals_only_regions(f.year, mine):
    st.caption(t("totals_only_note", lang, regions=escape.markdown(regions.get(region, region))))
elif listed.empty:
    st.success(t("gap_none", lang, n=gaps.DEFAULT_MIN_EMPLOYEES))
else:
    st.dataframe(listed.head(gaps.MAX_LISTED), hide_index=True, width="stretch", key="profile_gaps",
                 column_config={t(k, lang): st.column_config.NumberColumn(format="localized")
                                for k in ("col_employees", "col_migrant")})
