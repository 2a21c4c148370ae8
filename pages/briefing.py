"""会议汇报: the briefing one message per screen, and the same briefing as PPT, Excel and HTML."""
import streamlit as st

from unionstats import app, briefing, exports, filters, names, present, report, store

view = filters.current()
app.indicators_by_year(view)  # stops with a hint when the year has no data
slides = app.slides(view)
index, presenting = present.start(len(slides), view)
present.look(presenting)
if not presenting:
    app.header(view.t("page_briefing"), view)
present.controls(index, len(slides), presenting, view)

badge = f" :orange-badge[{view.t('demo_badge')}]" if store.setting("is_demo") == "true" else ""
present.show(slides[index], presenting, view, badge)

if not presenting:
    st.divider()
    name = exports.safe_name(f"{slides[0].title}_{names.scope_label(view.scope, view.lang)}")
    a, d, b, c = st.columns([1, 1, 1, 1])
    d.download_button(view.t("download_docx"), lambda: report.to_docx(view), f"{name}.docx",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      icon=":material/description:", key="brief_docx")
    a.download_button(view.t("download_pptx"), lambda: briefing.to_pptx(slides), f"{name}.pptx",
                      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                      icon=":material/slideshow:", key="brief_pptx")
    b.download_button(view.t("download_brief_xlsx"), lambda: briefing.to_xlsx(view), f"{name}.xlsx",
                      exports.XLSX_MIME, icon=":material/table:", key="brief_xlsx")
    c.download_button(view.t("download_html"), lambda: briefing.to_html(slides, view.lang), f"{name}.html", "text/html",
                      icon=":material/language:", key="brief_html")
