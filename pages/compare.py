"""年度对比: any two years side by side, per township, and who moved up or down the ranking."""
import pandas as pd
import streamlit as st

from unionstats import app, attainment, catalog, charts, comparison, escape, exports, filters, names, references
from unionstats import format as fmt
from unionstats.i18n import t

f = filters.current()
lang = f.lang
app.header(t("page_compare", lang), f)
if f.year is None:
    st.warning(t("no_data_at_all", lang))
    st.stop()
years = list(f.years)
# Open at the sidebar year against the latest earlier reported year, and follow the sidebar when it
# moves; between sidebar changes the two boxes are the user's.
if st.session_state.get("compare_for") != f.year or "compare_year_b" not in st.session_state:
    st.session_state["compare_for"] = f.year
    st.session_state["compare_year_b"] = f.year
    st.session_state["compare_year_a"] = attainment.latest_earlier(years, f.year) or f.year
left, right, _ = st.columns([1, 1, 2])
year_b = right.selectbox(t("year_b", lang), years[::-1], key="compare_year_b")
year_a = left.selectbox(t("year_a", lang), years[::-1], key="compare_year_a")
if year_a == year_b:
    st.warning(t("same_years", lang) if attainment.latest_earlier(years, year_b) is not None
               else t("compare_no_earlier", lang, year=year_b))
    st.stop()
if year_b - year_a > 1 and not any(y in years for y in range(year_a + 1, year_b)):
    st.caption(attainment.base_text(year_b, year_a, lang))  # say that the years between have no data

st.subheader(t("compare_table", lang))
result = comparison.compare(f.scope, year_a, year_b)
col = {k: t(k, lang) for k in ("col_indicator",)}
shown = comparison.shown(f.scope, year_a, year_b, lang)
# Others' published rates beside the county's (whole county only): shown, never added in.
others = app.reference_figures([c for c in result["code"] if catalog.get(c).is_rate], f)
st.dataframe(shown, hide_index=True, width="stretch", height=40 + 35 * len(shown.data),
             column_config={col["col_indicator"]: st.column_config.TextColumn(width=170)})
# Beside it, only the rows others published: "本县 45.1% · 全市 44.9% · 全省 47.2%" needs room.
beside = comparison.beside_columns(result, others, year_a, year_b, lang)
if beside:
    table = pd.DataFrame({col["col_indicator"]: shown.data[col["col_indicator"]], **beside})
    table = table[(table[list(beside)] != "").any(axis=1)]
    st.markdown(f"**{t('ref_table', lang)}**")
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={col["col_indicator"]: st.column_config.TextColumn(width=170)})
    if sources := references.sources(others, lang, (year_a, year_b)):
        st.caption(t("ref_sources", lang, sources=escape.markdown(sources)))
file_name = exports.safe_name(t("compare_file", lang, a=year_a, b=year_b, scope=names.scope_label(f.scope, lang)))
st.download_button(
    t("compare_download", lang), lambda: comparison.workbook(result, year_a, year_b, f.scope, lang),
    f"{file_name}.xlsx", exports.XLSX_MIME, icon=":material/download:", key="compare_xlsx")

available = [c for c in result.dropna(subset=["a", "b"])["code"]]
code = st.selectbox(t("compare_indicator", lang), available, index=available.index("unionization_rate")
                    if "unionization_rate" in available else 0, format_func=lambda c: catalog.get(c).name(lang),
                    key="compare_indicator")
ind = catalog.get(code)
ranks = comparison.region_ranks(code, f.scope, year_a, year_b)
regions = names.region_names(lang)
left, right = st.columns([3, 2])
app.chart(
    left, charts.dumbbell,
    [regions[k] for k in ranks["region_code"]], ranks["a"], ranks["b"], ind.unit,
    t("compare_dumbbell", lang, indicator=ind.name(lang), a=year_a, b=year_b), lang, str(year_a), str(year_b),
    key="compare_dumbbell")
with right:
    st.markdown(f"**{t('rank_moves', lang, indicator=ind.name(lang))}**")
    moved = t("col_moved", lang)
    st.dataframe(
        {t("region", lang): [regions[k] for k in ranks["region_code"]],
         t("col_rank_a", lang, year=year_a): ranks["rank_a"],
         t("col_rank_b", lang, year=year_b): ranks["rank_b"],
         moved: [fmt.fmt_signed_int(m) for m in ranks["moved"]]},
        hide_index=True, width="stretch", height=40 + 35 * len(ranks))
