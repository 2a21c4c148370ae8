"""组织覆盖与空白点: which townships, industries and employers are not yet organized."""
import streamlit as st

from unionstats import app, attainment, catalog, charts, escape, exports, filters, gaps, indicators, names
from unionstats import format as fmt
from unionstats.indicators import Scope

RATES = ("unionization_rate", "membership_rate", "migrant_membership_rate", "congress_rate", "openness_rate")

view = filters.current()
app.header(view.t("page_coverage"), view)
by_year = app.indicators_by_year(view)
app.kpi_grid(RATES, view, per_row=len(RATES))
regions = names.region_names(view.lang)
industries = names.industry_names(view.lang)
ownership = names.ownership_names(view.lang)

code = st.selectbox(view.t("coverage_indicator"), RATES, key="coverage_indicator",
                    format_func=lambda c: view.name(c))
ind = catalog.get(code)
overall = by_year.loc[view.year, code]
# "全县" only when the value is the county's; the county's target only for the whole county.
target = attainment.scope_targets(indicators.targets(view.year), view.scope).get(code)
lines = [(view.t("county_value" if attainment.is_whole_county(view.scope) else "scope_value"), overall),
         (view.t("target"), target)]

# Township bars: a click drills the gap list and heat map down to that township.
by_region = indicators.table(view.scope, "region", (view.year,)).dropna(subset=[code]).sort_values(code)
drill_key = f"region_bars_{st.session_state.get('drill_reset', 0)}"
rule = attainment.rules()
event = app.chart(
    st, charts.ranked_bars, [regions[k] for k in by_region["key"]], by_region[code], by_region["key"], ind.unit,
    view.t("by_region", indicator=view.name(ind.code)), lang=view.lang, lines=lines,
    parts=attainment.parts_of(by_region, code, view.lang), small=attainment.small_of(by_region, code, rule),
    key=drill_key, select=True)
points = event.selection.points if event and event.selection else []
drill = points[0]["customdata"][0] if points else None
if drill:
    left, right = st.columns([3, 1])
    left.info(view.t("drilled_to", region=escape.markdown(regions[drill])), icon=":material/filter_alt:")
    if right.button(view.t("drill_back"), icon=":material/undo:"):
        st.session_state["drill_reset"] = st.session_state.get("drill_reset", 0) + 1
        st.rerun()
else:
    st.caption(view.t("click_to_drill"))
drill_scope = Scope((drill,), view.scope.industries, view.scope.ownership_group) if drill else view.scope

left, right = st.columns(2)
by_industry = indicators.table(view.scope, "industry", (view.year,)).dropna(subset=[code]).sort_values(code)
app.chart(
    left, charts.ranked_bars,
    [f"{k} {industries[k]}" for k in by_industry["key"]], by_industry[code], by_industry["key"], ind.unit,
    view.t("by_industry", indicator=view.name(ind.code)), lang=view.lang, lines=lines,
    parts=attainment.parts_of(by_industry, code, view.lang), small=attainment.small_of(by_industry, code, rule),
    key="industry_bars")
by_owner = indicators.table(view.scope, "ownership", (view.year,)).dropna(subset=[code]).sort_values(code)
groups = names.ownership_groups()
app.chart(
    right, charts.ranked_bars,
    [ownership[k] for k in by_owner["key"]], by_owner[code], by_owner["key"], ind.unit,
    view.t("by_ownership", indicator=view.name(ind.code)), lang=view.lang, lines=lines,
    colors=[charts.PALETTE[1] if groups[k] == "public" else charts.PALETTE[2] for k in by_owner["key"]],
    parts=attainment.parts_of(by_owner, code, view.lang), small=attainment.small_of(by_owner, code, rule),
    key="ownership_bars")

cells = gaps.coverage_cells(view.year, drill_scope)
app.chart(
    st, charts.heatmap,
    list(cells["region_code"]), list(cells["industry_code"]), list(cells["unionization_rate"]),
    list(cells["units"]), view.t("heatmap_title", n=gaps.TOO_FEW_UNITS), lang=view.lang, too_few=gaps.TOO_FEW_UNITS,
    row_labels=regions, column_labels={k: f"{k} {v}" for k, v in industries.items()}, key="coverage_heatmap")

st.subheader(view.t("gap_title", n=st.session_state.get("min_employees", gaps.DEFAULT_MIN_EMPLOYEES)))
min_employees = st.number_input(view.t("min_employees"), min_value=1, max_value=100_000,
                                value=gaps.DEFAULT_MIN_EMPLOYEES, step=5, key="min_employees")
summary = gaps.summary(view.year, drill_scope, min_employees)
if summary["gap_units"]:
    st.markdown(view.t("gap_line", year=view.year, n=min_employees,
                       units=view.number(summary["gap_units"], "unit"),
                       units_n=view.bare(summary["gap_units"], "unit"),
                       employees=view.number(summary["gap_employees"], "person"),
                       rate=view.number(summary["unionization_rate"], "rate"),
                       rate_if=view.number(summary["unionization_rate_if_joined"], "rate"),
                       mrate=view.number(summary["membership_rate"], "rate"),
                       mrate_if=view.number(summary["membership_rate_if_joined"], "rate")))
else:
    st.success(view.t("gap_none", n=min_employees))
unlisted = gaps.totals_only_regions(view.year, drill_scope)
if unlisted:
    st.caption(view.t("totals_only_note", regions=escape.markdown(view.join(regions[r] for r in unlisted))))
# A province lists tens of thousands: the screen fetches its first rows, the files all of them.
shown = gaps.uncovered_table(view.year, drill_scope, min_employees, view.lang, limit=gaps.MAX_LISTED)
st.dataframe(shown, hide_index=True, placeholder=fmt.MISSING, width="stretch", height=min(600, 40 + 35 * max(len(shown), 1)),
             column_config={view.t(k): st.column_config.NumberColumn(format="localized")
                            for k in ("col_employees", "col_migrant")})
if summary["gap_units"] > len(shown):  # the true count is the summary's, not the list's length
    st.caption(view.t("listed_first", n=fmt.fmt_count(len(shown)), total=fmt.fmt_count(summary["gap_units"])))
# The file and its sheet say whose gaps at which threshold: 空白点_2024_城关镇_25人以上.
name = exports.safe_name(view.t("gaps_file", year=view.year, scope=names.scope_label(drill_scope, view.lang), n=min_employees))
left, right, _ = st.columns([1, 1, 4])


def every():
    """The whole list, fetched only when a download is clicked: files are made only when asked
    for (building them on every rerun cost seconds at province scale)."""
    return gaps.uncovered_table(view.year, drill_scope, min_employees, view.lang)


left.download_button(view.t("download_xlsx"), lambda: exports.xlsx_bytes({name: every()}), f"{name}.xlsx",
                     exports.XLSX_MIME, icon=":material/download:", key="gaps_xlsx")
right.download_button(view.t("download_csv"), lambda: exports.csv_bytes(every()), f"{name}.csv", exports.CSV_MIME,
                      icon=":material/download:", key="gaps_csv")

earlier = [y for y in view.years if y < view.year]
if not earlier:
    st.caption(view.t("no_earlier_year"))
else:
    base = st.selectbox(view.t("base_year"), earlier[::-1], index=min(4, len(earlier) - 1), key="coverage_base_year")
    moved = gaps.region_changes(code, base, view.year, view.scope)
    few = ([b < rule.small_n or a < rule.small_n for b, a in zip(moved["n_before"], moved["n_after"])]
           if "n_before" in moved else None)  # a change on a handful of units: grey, 样本少
    app.chart(st, charts.change_bars, [regions[k] for k in moved["region_code"]], moved["change"], ind.unit,
              view.t("change_title", start=base, indicator=view.name(ind.code)), lang=view.lang, small=few, key="coverage_change")
