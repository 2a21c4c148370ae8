"""工会数据看板 · entry point: `streamlit run dashboard.py`."""
import streamlit as st

from unionstats import app, filters, store
from unionstats.i18n import t

lang = filters.lang()
st.set_page_config(page_title=t("app_title", lang), page_icon=":material/bar_chart:", layout="wide")
if not app.ensure_database(lang):
    st.stop()
store.pin()  # every query of this run reads the snapshot in force now, even if a publish lands mid-run
app.use_store_labels()  # 乡镇 or 县（市、区）: before any text of this run is drawn
view = filters.sidebar()

overview = st.Page("pages/overview.py", title=view.t("page_overview"), icon=":material/dashboard:",
                   url_path="overview")


def _home() -> None:
    # Streamlit serves the default page at "/" only, so a default 总览 answered its own link
    # /overview with "Page not found". "/" is a hidden page that moves on to /overview instead.
    st.switch_page(overview, query_params=st.query_params.to_dict())


pages = [
    st.Page(_home, title=view.t("page_overview"), url_path="home", default=True, visibility="hidden"),
    overview,
    st.Page("pages/coverage.py", title=view.t("page_coverage"), icon=":material/travel_explore:",
            url_path="coverage"),
    st.Page("pages/rights.py", title=view.t("page_rights"), icon=":material/gavel:", url_path="rights"),
    st.Page("pages/aid.py", title=view.t("page_aid"), icon=":material/volunteer_activism:", url_path="aid"),
    st.Page("pages/townships.py", title=view.t("page_league"), icon=":material/leaderboard:",
            url_path="townships"),
    st.Page("pages/compare.py", title=view.t("page_compare"), icon=":material/compare_arrows:",
            url_path="compare"),
    st.Page("pages/briefing.py", title=view.t("page_briefing"), icon=":material/co_present:",
            url_path="briefing"),
    st.Page("pages/data.py", title=view.t("page_data"), icon=":material/database:", url_path="data"),
    st.Page("pages/glossary.py", title=view.t("page_glossary"), icon=":material/menu_book:", url_path="glossary"),
]
st.navigation(pages).run()
