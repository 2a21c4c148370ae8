"""Streamlit-side glue shared by dashboard.py and the pages: first-start demo build, page header."""
from __future__ import annotations

import streamlit as st

from . import demo, store
from .filters import Filters, scope_label
from .i18n import t


def ensure_database(lang: str) -> bool:
    """Open the store; on first start with the default path, build the demo database with a
    progress bar. On any other problem show how to fix it and return False."""
    path = store.db_path()
    if not path.exists() and store.is_default_path(path):
        bar = st.progress(0.0, text=t("building_demo", lang))
        demo.build(path, progress=lambda f, step: bar.progress(min(f, 1.0), text=f"{t('building_demo', lang)} {step}"))
        bar.empty()
        st.toast(t("built_demo", lang))
    try:
        store.connect(path)
    except store.StoreError as exc:
        st.error(f"**{t('store_error_title', lang)}**\n\n{exc}")
        return False
    return True


def header(title: str, filters: Filters) -> None:
    """Page title, scope, year basis, and the demo label while demo data is loaded."""
    lang = filters.lang
    is_demo = store.setting("is_demo") == "true"
    county = store.setting("county_name_en" if lang == "en" else "county_name_zh", "")
    badge = f" :orange-badge[{t('demo_badge', lang)}]" if is_demo else ""
    st.title(f"{county} · {title}{badge}" if county else f"{title}{badge}")
    basis = "year_basis_survey" if store.setting("year_basis") == "survey" else "year_basis_calendar"
    st.caption(f"{t('scope_line', lang, scope=scope_label(filters.scope, lang))} · {t(basis, lang)}")
    if is_demo:
        st.info(t("demo_notice", lang), icon=":material/science:")
