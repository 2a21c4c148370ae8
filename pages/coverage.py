"""组织覆盖与空白点: which townships, industries and employers are not yet organized."""
import streamlit as st

from unionstats import app, attainment, catalog, charts, escape, exports, filters, gaps, indicators, names
from unionstats import format as fmt
from unionstats.i18n import t
from unionstats.indicators import Scope

RATES = ("unionization_rate", "membership_rate", "migrant_membership_rate", "congress_rate", "openness_rate")

f = filters.current()
lang = f.lang
app.header(t("page_coverage", lang), f)
by_year = app.indicators_by_year(f)
app.kpi_grid(RATES, f, per_row=len(RATES))
regions = names.region_names(lang)
industries = names.industry_names(lang)
ownership = names.ownership_names(lang)

code = st.selectbox(t("coverage_indicator", lang), RATES, key="coverage_indicator",
                    format_func=lambda c: catalog.get(c).name(lang))
ind = catalog.get(code)
overall = by_year.loc[f.year, code]
# "全县" only when the value is the county's; the county's target only for the whole county.
target = attainment.scope_targets(indicators.targets(f.year), f.scope).get(code)
lines = [(t("county_value" if attainment.is_whole_county(f.scope) else "scope_value", lang), overall),
         (t("target", lang), target)]

# Township bars: a click drills the gap list and heat map down to that township.
by_region = indicators.table(f.scope, "region", (f.year,)).dropna(subset=[code]).sort_values(code)
drill_key = f"region_bars_{st.session_state.get('drill_reset', 0)}"
rule = attainment.rules()
event = app.chart(
    st, charts.ranked_bars, [regions[k] for k in by_region["key"]], by_region[code], by_region["key"], ind.unit,
    t("by_region", lang, indicator=ind.name(lang)), lang, lines,
    parts=attainment.parts_of(by_region, code, lang), small=attainment.small_of(by_region, code, rule),
    key=drill_key, select=True)
points = event.selection.points if event and event.selection else []
drill = points[0]["customdata"][0] if points else None
if drill:
    left, right = st.columns([3, 1])
    left.info(t("drilled_to", lang, region=escape.markdown(regions[drill])), icon=":material/filter_alt:")
    if right.button(t("drill_back", lang), icon=":material/undo:"):
        st.session_state["drill_reset"] = st.session_state.get("drill_reset", 0) + 1
        st.rerun()
else:
    st.caption(t("click_to_drill", lang))
drill_scope = Scope((drill,), f.scope.industries, f.scope.ownership_group) if drill else f.scope

left, right = st.columns(2)
by_industry = indicators.table(f.scope, "industry", (f.year,)).dropna(subset=[code]).sort_values(code)
app.chart(
    left, charts.ranked_bars,
    [f"{k} {industries[k]}" for k in by_industry["key"]], by_industry[code], by_industry["key"], ind.unit,
    t("by_industry", lang, indicator=ind.name(lang)), lang, lines,
    parts=attainment.parts_of(by_industry, code, lang), small=attainment.small_of(by_industry, code, rule),
    key="industry_bars")
by_owner = indicators.table(f.scope, "ownership", (f.year,)).dropna(subset=[code]).sort_values(code)
groups = names.ownership_groups()
app.chart(
    right, charts.ranked_bars,
    [ownership[k] for k in by_owner["key"]], by_owner[code], by_owner["key"], ind.unit,
    t("by_ownership", lang, indicator=ind.name(lang)), lang, lines,
    colors=[charts.PALETTE[1] if groups[k] == "public" else charts.PALETTE[2] for k in by_owner["key"]],
    parts=attainment.parts_of(by_owner, code, lang), small=attainment.small_of(by_owner, code, rule),
    key="ownership_bars")

cells = gaps.coverage_cells(f.year, drill_scope)
app.chart(
    st, charts.heatmap,
    list(cells["region_code"]), list(cells["industry_code"]), list(cells["unionization_rate"]),
    list(cells["units"]), t("heatmap_title", lang, n=gaps.TOO_FEW_UNITS), lang, gaps.TOO_FEW_UNITS,
    regions, {k: f"{k} {v}" for k, v in industries.items()}, key="coverage_heatmap")

st.subheader(t("gap_title", lang, n=st.session_state.get("min_employees", gaps.DEFAULT_MIN_EMPLOYEES)))
min_employees = st.number_input(t("min_employees", lang), min_value=1, max_value=100_000,
                                value=gaps.DEFAULT_MIN_EMPLOYEES, step=5, key="min_employees")
summary = gaps.summary(f.year, drill_scope, min_employees)
if summary["gap_units"]:
    st.markdown(t("gap_line", lang, year=f.year, n=min_employees,
                  units=fmt.fmt_number(summary["gap_units"], "unit", lang),
                  units_n=fmt.fmt_bare(summary["gap_units"], "unit", lang),
                  employees=fmt.fmt_number(summary["gap_employees"], "person", lang),
                  rate=fmt.fmt_number(summary["unionization_rate"], "rate", lang),
                  rate_if=fmt.fmt_number(summary["unionization_rate_if_joined"], "rate", lang),
                  mrate=fmt.fmt_number(summary["membership_rate"], "rate", lang),
                  mrate_if=fmt.fmt_number(summary["membership_rate_if_joined"], "rate", lang)))
else:
    st.success(t("gap_none", lang, n=min_employees))
unlisted = gaps.totals_only_regions(f.year, drill_scope)
if unlisted:
    st.caption(t("totals_only_note", lang, regions=escape.markdown(("、" if lang == "zh" else ", ").join(regions[r] for r in unlisted))))
# A province lists tens of thousands: the screen fetches its first rows, the files all of them.
shown = gaps.uncovered_table(f.year, drill_scope, min_employees, lang, limit=gaps.MAX_LISTED)
st.dataframe(shown, hide_index=True, width="stretch", height=min(600, 40 + 35 * max(len(shown), 1)),
             column_config={t(k, lang): st.column_config.NumberColumn(format="localized")
                            for k in ("col_employees", "col_migrant")})
if summary["gap_units"] > len(shown):  # the true count is the summary's, not the list's length
    st.caption(t("listed_first", lang, n=fmt.fmt_count(len(shown)), total=fmt.fmt_count(summary["gap_units"])))
# The file and its sheet say whose gaps at which threshold: 空白点_2024_城关镇_25人以上.
name = exports.safe_name(t("gaps_file", lang, year=f.year, scope=names.scope_label(drill_scope, lang), n=min_employees))
left, right, _ = st.columns([1, 1, 4])


def every():
    """The whole list, fetched only when a download is clicked: files are made only when asked
    for (building them on every rerun cost seconds at province scale)."""
    return gaps.uncovered_table(f.year, drill_scope, min_employees, lang)


left.download_button(t("download_xlsx", lang), lambda: exports.xlsx_bytes({name: every()}), f"{name}.xlsx",
                     exports.XLSX_MIME, icon=":material/download:", key="gaps_xlsx")
right.download_button(t("download_csv", lang), lambda: exports.csv_bytes(every()), f"{name}.csv", exports.CSV_MIME,
                      icon=":material/download:", key="gaps_csv")

earlier = [y for y in f.years if y < f.year]
if not earlier:
    st.caption(t("no_earlier_year", lang))
else:
    base = st.selectbox(t("base_year", lang), earlier[::-1], index=min(4, len(earlier) - 1), key="coverage_base_year")
    moved = gaps.region_changes(code, base, f.year, f.scope)
    few = ([b < rule.small_n or a < rule.small_n for b, a in zip(moved["n_before"], moved["n_after"])]
           if "n_before" in moved else None)  # a change on a handful of units: grey, 样本少
    app.chart(st, charts.change_bars, [regions[k] for k in moved["region_code"]], moved["change"], ind.unit,
              t("change_title", lang, start=base, indicator=ind.name(lang)), lang, few, key="coverage_change")
