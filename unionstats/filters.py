"""Sidebar filters (year, townships, industry sections, ownership group, language), mirrored in
the URL so that a copied link reopens the same view. Invalid URL values are dropped with a notice.
"""
from __future__ import annotations

import streamlit as st

from . import escape, store
from .i18n import LANGS, t
from .names import industry_names, region_names
from .indicators import OWNERSHIP_GROUPS, Scope, years
from .view import View

# session-state key → URL parameter
_URL = {"f_year": "year", "f_regions": "region", "f_industries": "industry",
        "f_ownership": "ownership", "f_lang": "lang"}
_ALL = "all"
PAGE_PARAMS = ("slide", "present")  # the briefing's own (present.py): left in the URL as they are


def current() -> View:
    """What the sidebar set during this run (pages call this)."""
    if "_filters" not in st.session_state:
        # Streamlit's legacy pages/ auto-discovery serves the very first request of a server
        # process without running dashboard.py when a page URL is opened directly. Switch that
        # discovery off (st.navigation does the same on its first call) and start again.
        from streamlit.runtime.pages_manager import PagesManager
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["_filters"]


def lang() -> str:
    return st.session_state.get("f_lang", "zh")


def _from_url(options: dict[str, list]) -> list[str]:
    """Seed widget state from the URL on the first run of a session; return notices for bad values."""
    notices = []
    params = st.query_params
    for key, param in _URL.items():
        if key in st.session_state or param not in params:
            continue
        raw = params.get_all(param)
        values = [v for part in raw for v in part.split(",") if v]
        allowed = options[key]
        good = [v for v in values if v in allowed]
        bad = [v for v in values if v not in allowed]
        if bad:
            notices.append(escape.markdown(f"{param}={','.join(bad)}"))  # a shared link is not our markdown
        if key in ("f_regions", "f_industries"):
            st.session_state[key] = good
        elif good:
            st.session_state[key] = good[0]
    return notices


def _forget_url_notice() -> None:
    st.session_state.pop("_url_notice", None)


# Widgets whose shown labels depend on the language (format_func).
_LABELLED = ("f_regions", "f_industries", "f_ownership")


def _relabel() -> None:
    """After a language switch, hand the labelled widgets their own values again. Streamlit keys a
    widget by its key alone, so new labels do not reach the browser, which keeps showing (and
    sending back) the old language's labels; a value set in session state is sent anew, written
    with the new format_func."""
    for key in _LABELLED:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _to_url() -> None:
    wanted = {}
    for key, param in _URL.items():
        value = st.session_state.get(key)
        if isinstance(value, list):
            if value:
                wanted[param] = ",".join(value)
        elif value not in (None, _ALL) and not (key == "f_lang" and value == "zh"):
            wanted[param] = str(value)
    wanted.update({param: st.query_params[param] for param in PAGE_PARAMS if param in st.query_params})
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def sidebar() -> View:
    """Draw the sidebar filters and remember the result for current()."""
    regions = store.query("regions")
    industries = store.query("industries")
    all_years = years()
    options = {
        "f_year": [str(y) for y in all_years],
        "f_regions": list(regions["code"]),
        "f_industries": list(industries["code"]),
        "f_ownership": [_ALL, *OWNERSHIP_GROUPS],
        "f_lang": list(LANGS),
    }
    notices = _from_url(options)
    st.session_state.setdefault("f_lang", "zh")
    st.session_state.setdefault("f_year", options["f_year"][-1] if options["f_year"] else None)
    st.session_state.setdefault("f_ownership", _ALL)
    lng = st.session_state["f_lang"]

    with st.sidebar:
        st.selectbox(t("language", lng), LANGS, key="f_lang", on_change=_relabel,
                     format_func=lambda v: "中文" if v == "zh" else "English")
        lng = st.session_state["f_lang"]
        region_label, industry_label = region_names(lng), industry_names(lng)
        st.subheader(t("filters", lng))
        st.selectbox(t("year", lng), options["f_year"], key="f_year", on_change=_forget_url_notice)
        st.multiselect(t("regions", lng), options["f_regions"], key="f_regions", on_change=_forget_url_notice,
                       format_func=region_label.get, placeholder=t("all", lng))
        st.multiselect(t("industries", lng), options["f_industries"], key="f_industries", on_change=_forget_url_notice,
                       format_func=lambda c: f"{c} {industry_label[c]}", placeholder=t("all", lng))
        st.selectbox(t("ownership_group", lng), options["f_ownership"], key="f_ownership", on_change=_forget_url_notice,
                     format_func=lambda v: t(v, lng))
    _to_url()
    if notices:
        st.session_state["_url_notice"] = "; ".join(notices)
    if st.session_state.get("_url_notice"):  # stays until the user changes a filter
        st.warning(t("url_dropped", lng, values=st.session_state["_url_notice"]))
    scope = Scope(
        regions=tuple(st.session_state["f_regions"]) or None,
        industries=tuple(st.session_state["f_industries"]) or None,
        ownership_group=None if st.session_state["f_ownership"] == _ALL else st.session_state["f_ownership"],
    )
    year = int(st.session_state["f_year"]) if st.session_state["f_year"] else None
    view = View(year=year, scope=scope, lang=lng, years=tuple(all_years))
    st.session_state["_filters"] = view
    return view
