"""会议汇报: the briefing one message per screen, and the same briefing as PPT, Excel and HTML."""
import streamlit as st

from unionstats import app, briefing, exports, filters, names, present, report, store
from unionstats.i18n import t

f = filters.current()
lang = f.lang
app.indicators_by_year(f)  # stops with a hint when the year has no data
slides = app.slides(f.year, f.scope, lang)
index, presenting = present.start(len(slides), lang)
present.look(presenting)
if not presenting:
    app.header(t("page_briefing", lang), f)
present.controls(index, len(slides), presenting, lang)

badge = f" :orange-badge[{t('demo_badge', lang)}]" if store.setting("is_demo") == "true" else ""
present.show(slides[index], presenting, lang, badge)

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
