"""会议汇报: the briefing one message per screen, and the same briefing as PPT, Excel and HTML."""
import streamlit as st

from unionstats import app, briefing, charts, escape, exports, filters, names, report, store
from unionstats.i18n import t

PRESENTING = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
.block-container {max-width: 1500px; padding-top: 1.5rem;}
h1 {font-size: 3.2rem !important;} h2 {font-size: 2.4rem !important;}
[data-testid="stMetricValue"] {font-size: 3rem;} [data-testid="stMarkdownContainer"] p {font-size: 1.5rem;}
</style>"""

f = filters.current()
lang = f.lang
presenting = st.session_state.get("presenting", False)
if presenting:
    st.html(PRESENTING)
else:
    app.header(t("page_briefing", lang), f)
app.indicators_by_year(f)  # stops with a hint when the year has no data
slides = app.slides(f.year, f.scope, lang)
index = min(st.session_state.get("slide", 0), len(slides) - 1)

left, middle, right, toggle = st.columns([1, 1, 2, 3])
if left.button(t("prev", lang), icon=":material/chevron_left:", disabled=index == 0, key="prev_slide"):
    st.session_state["slide"] = index - 1
    st.rerun()
if middle.button(t("next", lang), icon=":material/chevron_right:", disabled=index == len(slides) - 1,
                 key="next_slide"):
    st.session_state["slide"] = index + 1
    st.rerun()
right.caption(t("slide_of", lang, i=index + 1, n=len(slides)))
toggle.toggle(t("present_mode", lang), key="presenting")

slide = slides[index]
badge = f" :orange-badge[{t('demo_badge', lang)}]" if store.setting("is_demo") == "true" else ""
st.header(escape.markdown(slide.title) + badge)  # titles and messages carry county and township names
st.markdown(escape.markdown(slide.message))
if slide.kpis:
    for column, k in zip(st.columns(len(slide.kpis)), slide.kpis):
        with column.container(border=True):
            st.metric(k["name"], k["value"], k["change"] if k["change"] != "—" else None,
                      delta_color=k["change_color"], delta_arrow="off" if k["change_color"] == "off" else "auto",
                      delta_description=k["change_base"])
            if k["status"]:
                st.markdown(f"{app.status_badge(k['status'], lang)} {escape.markdown(k['target_text'])}")
if slide.chart is not None:
    c = slide.chart
    if c.kind == "bar":
        app.chart(st, charts.ranked_bars, c.categories, c.series[0][1], range(len(c.categories)), c.unit, "", lang,
                  height=520, key=f"slide_chart_{slide.key}")
    else:
        app.chart(st, charts.trend, c.categories, c.series, c.unit, "", lang, height=460,
                  key=f"slide_chart_{slide.key}")
if slide.table is not None and len(slide.table):
    table = slide.table
    if slide.row_colors:  # the status column in its colour
        colors = [f"color: {c}; font-weight: bold" for c in slide.row_colors]
        table = table.style.apply(lambda column: colors, subset=[table.columns[-1]])
    st.dataframe(table, hide_index=True, width="stretch")

if not presenting:
    st.divider()
    name = exports.safe_name(f"{slides[0].title}_{names.scope_label(f.scope, lang)}")
    a, d, b, c = st.columns([1, 1, 1, 1])
    d.download_button(t("download_docx", lang), lambda: report.to_docx(f.year, f.scope, lang), f"{name}.docx",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      icon=":material/description:", key="brief_docx")
    a.download_button(t("download_pptx", lang), lambda: briefing.to_pptx(slides), f"{name}.pptx",
                      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                      icon=":material/slideshow:", key="brief_pptx")
    b.download_button(t("download_brief_xlsx", lang), lambda: briefing.to_xlsx(f.year, f.scope, lang), f"{name}.xlsx",
                      exports.XLSX_MIME, icon=":material/table:", key="brief_xlsx")
    c.download_button(t("download_html", lang), lambda: briefing.to_html(slides, lang), f"{name}.html", "text/html",
                      icon=":material/language:", key="brief_html")
