"""年度对比: any two years side by side, per township, and who moved up or down the ranking."""
import pandas as pd
import streamlit as st

from unionstats import app, attainment, catalog, charts, comparison, escape, exports, filters, names, references
from unionstats import format as fmt

view = filters.current()
app.header(view.t("page_compare"), view)
if view.year is None:
    st.warning(view.t("no_data_at_all"))
    st.stop()
years = list(view.years)
# Open at the sidebar year against the latest earlier reported year, and follow the sidebar when it
# moves; between sidebar changes the two boxes are the user's.
if st.session_state.get("compare_for") != view.year or "compare_year_b" not in st.session_state:
    st.session_state["compare_for"] = view.year
    st.session_state["compare_year_b"] = view.year
    st.session_state["compare_year_a"] = attainment.latest_earlier(years, view.year) or view.year
left, right, _ = st.columns([1, 1, 2])
year_b = right.selectbox(view.t("year_b"), years[::-1], key="compare_year_b")
year_a = left.selectbox(view.t("year_a"), years[::-1], key="compare_year_a")
if year_a == year_b:
    st.warning(view.t("same_years") if attainment.latest_earlier(years, year_b) is not None
               else view.t("compare_no_earlier", year=year_b))
    st.stop()
if year_b - year_a > 1 and not any(y in years for y in range(year_a + 1, year_b)):
    st.caption(attainment.base_text(year_b, year_a, view.lang))  # say that the years between have no data

st.subheader(view.t("compare_table"))
result = comparison.compare(view.scope, year_a, year_b)
col = {k: view.t(k) for k in ("col_indicator",)}
shown = comparison.shown(view.scope, year_a, year_b, view.lang)
# Others' published rates beside the county's (whole county only): shown, never added in.
others = app.reference_figures([c for c in result["code"] if catalog.get(c).is_rate], view)
st.dataframe(shown, hide_index=True, placeholder=fmt.MISSING, width="stretch", height=40 + 35 * len(shown.data),
             column_config={col["col_indicator"]: st.column_config.TextColumn(width=170)})
# Beside it, only the rows others published: "本县 45.1% · 全市 44.9% · 全省 47.2%" needs room.
beside = comparison.beside_columns(result, others, year_a, year_b, view.lang)
if beside:
    table = pd.DataFrame({col["col_indicator"]: shown.data[col["col_indicator"]], **beside})
    table = table[(table[list(beside)] != "").any(axis=1)]
    st.markdown(f"**{view.t('ref_table')}**")
    st.dataframe(table, hide_index=True, placeholder=fmt.MISSING, width="stretch",
                 column_config={col["col_indicator"]: st.column_config.TextColumn(width=170)})
    if sources := references.sources(others, view.lang, (year_a, year_b)):
        st.caption(view.t("ref_sources", sources=escape.markdown(sources)))
file_name = exports.safe_name(view.t("compare_file", a=year_a, b=year_b, scope=names.scope_label(view.scope, view.lang)))
st.download_button(
    view.t("compare_download"), lambda: comparison.workbook(result, year_a, year_b, view),
    f"{file_name}.xlsx", exports.XLSX_MIME, icon=":material/download:", key="compare_xlsx")

available = [c for c in result.dropna(subset=["a", "b"])["code"]]
code = st.selectbox(view.t("compare_indicator"), available, index=available.index("unionization_rate")
                    if "unionization_rate" in available else 0, format_func=lambda c: view.name(c),
                    key="compare_indicator")
ind = catalog.get(code)
ranks = comparison.region_ranks(code, view.scope, year_a, year_b)
regions = names.region_names(view.lang)
left, right = st.columns([3, 2])
app.chart(
    left, charts.dumbbell,
    [regions[k] for k in ranks["region_code"]], ranks["a"], ranks["b"], ind.unit,
    view.t("compare_dumbbell", indicator=view.name(ind.code), a=year_a, b=year_b), lang=view.lang, name_before=str(year_a), name_after=str(year_b),
    key="compare_dumbbell")
with right:
    st.markdown(f"**{view.t('rank_moves', indicator=view.name(ind.code))}**")
    moved = view.t("col_moved")
    st.dataframe(
        {view.t("region"): [regions[k] for k in ranks["region_code"]],
         view.t("col_rank_a", year=year_a): ranks["rank_a"],
         view.t("col_rank_b", year=year_b): ranks["rank_b"],
         moved: [fmt.fmt_signed_int(m) for m in ranks["moved"]]},
        hide_index=True, placeholder=fmt.MISSING, width="stretch", height=40 + 35 * len(ranks))
