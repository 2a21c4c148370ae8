"""乡镇排名: every township on the headline rates, ranked, with its change, gap to the county and to
its own target; choosing one gives its profile."""
import streamlit as st

from unionstats import app, attainment, catalog, charts, escape, exports, filters, gaps, indicators, league, maps, names
from unionstats import format as fmt
from unionstats.indicators import Scope

view = filters.current()
app.header(view.t("page_league"), view)
if view.year is None:
    st.warning(view.t("no_data_at_all"))
    st.stop()
regions = names.region_names(view.lang)
rule = attainment.rules()

code = st.selectbox(view.t("league_indicator"), league.RATES, format_func=view.name, key="league_indicator")
ind = catalog.get(code)
ranked = league.table(code, view.year, view.scope)
if ranked.empty:
    st.warning(view.t("no_data_scope", year=view.year))
    st.stop()
base = attainment.latest_earlier(view.years, view.year)
st.subheader(view.t("league_title", year=view.year, indicator=view.name(ind.code)))
st.caption(view.t("league_help", n=rule.small_n, base=attainment.base_text(view.year, base, view.lang)))

value_col = view.name(ind.code)
styled, numbers = league.shown(code, view.year, view.scope, view.lang)
st.dataframe(styled, hide_index=True, placeholder=fmt.MISSING, width="stretch", height=40 + 35 * len(numbers), key="league_table")
file_name = view.t("league_file", indicator=view.name(ind.code), year=view.year)
left, right, _ = st.columns([1, 1, 4])
left.download_button(view.t("download_xlsx"), lambda: exports.xlsx_bytes({view.name(ind.code): numbers}, {value_col: "0.0%"}),
                     f"{file_name}.xlsx", exports.XLSX_MIME, icon=":material/download:", key="league_xlsx")
right.download_button(view.t("download_csv"), lambda: exports.csv_bytes(numbers), f"{file_name}.csv", exports.CSV_MIME,
                      icon=":material/download:", key="league_csv")

bars = ranked.sort_values("value")
county_value = ranked["county"].iloc[0]
app.chart(
    st, charts.ranked_bars,
    [regions.get(k, k) for k in bars["region_code"]], bars["value"], bars["region_code"], ind.unit,
    view.t("by_region", indicator=view.name(ind.code)), lang=view.lang,
    lines=[(view.t("county_value" if attainment.is_whole_county(Scope(None, view.scope.industries, view.scope.ownership_group))
                   else "scope_value"), county_value)],
    parts=[view.parts(a, b, catalog.get(ind.denominator).unit)
           for a, b in zip(bars["numerator"], bars["denominator"])], small=list(bars["small"]),
    key="league_bars")

# The map: the admin's township outlines when uploaded, else a schematic of tiles that says so.
shapes = maps.outlines()
bar_parts = [view.parts(a, b, catalog.get(ind.denominator).unit)
             for a, b in zip(ranked["numerator"], ranked["denominator"])]
labels = [regions.get(k, k) for k in ranked["region_code"]]
if shapes:
    app.chart(st, charts.outline_map, labels, ranked["region_code"], ranked["value"], shapes, ind.unit,
              view.t("map_title_outline", indicator=view.name(ind.code), year=view.year), lang=view.lang,
              parts=bar_parts, small=list(ranked["small"]), key="league_map")
else:
    app.chart(st, charts.tile_map, labels, ranked["region_code"], ranked["value"], maps.tile_positions(regions),
              ind.unit, view.t("map_title_tiles", indicator=view.name(ind.code), year=view.year), lang=view.lang,
              parts=bar_parts, small=list(ranked["small"]), key="league_map")
if not shapes:
    st.caption(view.t("map_tiles_note"))

st.subheader(view.t("league_rates_title"))
st.caption(view.t("league_rates_help"))
order, rates_styled = league.rates_matrix(view.year, view.scope, view.lang)
st.dataframe(rates_styled, hide_index=True, placeholder=fmt.MISSING, width="stretch", height=40 + 35 * len(order), key="league_rates")

st.divider()
st.subheader(view.t("profile_title"))
choices = list(order)
default = view.scope.regions[0] if view.scope.regions and view.scope.regions[0] in choices else choices[0]
region = st.selectbox(view.t("profile_choose"), choices, format_func=lambda k: regions.get(k, k),
                      index=choices.index(default), key="profile_region")
mine = Scope((region,), view.scope.industries, view.scope.ownership_group)
reported_years = set(indicators.table(mine)["year"])
st.markdown(f"**{view.t('profile_vs_county', region=escape.markdown(regions.get(region, region)), year=view.year)}**")
if view.year in reported_years:
    app.kpi_grid(catalog.HEADLINE if mine.is_region_only else
                 [c for c in catalog.HEADLINE if c not in catalog.REGION_ONLY_FAMILY_CODES],
                 view.at(scope=mine))
figures = league.profile_shown(region, view.year, view.scope, view.lang)
if len(figures):
    st.dataframe(figures, hide_index=True, placeholder=fmt.MISSING, width="stretch", key="profile_figures")

st.markdown(f"**{view.t('profile_notes')}**")
notes = league.own_notes(region, view.year)
for note in notes:
    st.markdown("> " + escape.markdown(note).replace("\n", "\n> "))
if not notes:
    st.caption(view.t("profile_no_notes", year=view.year))

st.markdown(f"**{view.t('profile_gaps', n=gaps.DEFAULT_MIN_EMPLOYEES)}**")
listed = gaps.uncovered_table(view.year, mine, gaps.DEFAULT_MIN_EMPLOYEES, view.lang, limit=gaps.MAX_LISTED)
if gaps.totals_only_regions(view.year, mine):
    st.caption(view.t("totals_only_note", regions=escape.markdown(regions.get(region, region))))
elif listed.empty:
    st.success(view.t("gap_none", n=gaps.DEFAULT_MIN_EMPLOYEES))
else:
    st.dataframe(listed, hide_index=True, placeholder=fmt.MISSING, width="stretch", key="profile_gaps",
                 column_config={view.t(k): st.column_config.NumberColumn(format="localized")
                                for k in ("col_employees", "col_migrant")})
