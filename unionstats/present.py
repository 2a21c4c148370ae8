"""会议汇报 on a meeting-room projector (issue #14): the slide and the mode live in the URL
(?slide=3&present=1, so a refresh or a copied link keeps both), the slide controls answer a
clicker and the keyboard, and present.css gives the big type. Streamlit-side, like app.py."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from . import app, briefing, charts, escape, filters
from . import format as fmt
from .view import View

SLIDE, PRESENT = filters.PAGE_PARAMS  # ?slide=3&present=1; slides count from 1, as people say them
# Clickers send PageDown/PageUp. Streamlit binds one key per button, so each further key gets a
# button of its own that only the keyboard uses (present.css hides them).
NEXT_KEYS = ("Right", "PageDown", "Down", "Space")
PREV_KEYS = ("Left", "PageUp", "Up")
CSS = Path(__file__).with_name("present.css")
CHART_FONT = 18  # px, every text of a slide's chart: legible from the back of the room


def slide_index(raw: str | None, n: int) -> tuple[int, bool]:
    """The 0-based slide for ?slide=raw among n slides, and whether raw named it as it stood:
    no number → the first slide; a number out of range → the nearest end."""
    if raw is None:
        return 0, True
    try:
        number = int(raw)
    except ValueError:  # abc, 2.5, and a 5,000-digit number alike
        return 0, False
    index = min(max(number, 1), max(n, 1)) - 1
    return index, index + 1 == number


def start(n: int, view: View) -> tuple[int, bool]:
    """This run's slide (0-based, within n) and whether presenting. On the session's first visit
    (a link, a refresh) the URL decides; then the buttons and keys do, and the URL follows."""
    if "slide" not in st.session_state:
        raw = st.query_params.get(SLIDE)
        index, fine = slide_index(raw, n)
        st.session_state["slide"] = index
        if not fine:
            st.toast(view.t("slide_url_bad", value=escape.markdown(raw[:20]), i=index + 1, n=n),
                     icon=":material/warning:")
    if "presenting" not in st.session_state:
        st.session_state["presenting"] = st.query_params.get(PRESENT) == "1"
    index = min(max(st.session_state["slide"], 0), n - 1)  # fewer slides after a filter change
    st.session_state["slide"] = index
    presenting = bool(st.session_state["presenting"])
    wanted = {SLIDE: str(index + 1), PRESENT: "1" if presenting else None}
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            if value is None:
                del st.query_params[key]
            else:
                st.query_params[key] = value
    return index, presenting


def look(presenting: bool) -> None:
    """The projector look while presenting: Streamlit's sidebar collapsed, its header and the
    slide controls shown only under the mouse, type sized to the screen."""
    st.set_page_config(initial_sidebar_state="collapsed" if presenting else "auto")
    if presenting:
        st.html(f"<style>{CSS.read_text(encoding='utf-8')}</style>")


def show(slide: briefing.Slide, presenting: bool, view: View, badge: str = "") -> None:
    """One slide: headline, message, KPI cards, chart or table. While presenting it fills the
    window (a fixed height that present.css makes the window's) and the chart stretches into what
    the text leaves; otherwise the page flows and the cards go three to a row, so that a figure
    like 1,234,567 元 has room beside the sidebar on a 1366 screen."""
    with st.container(key="slide", height=600 if presenting else "content", border=False):
        st.header(escape.markdown(slide.title) + badge)  # titles and messages carry county and township names
        st.markdown(escape.markdown(slide.message))
        per_row = len(slide.kpis) if presenting else 3
        for row in range(0, len(slide.kpis), per_row or 1):
            for column, k in zip(st.columns(per_row), slide.kpis[row:row + per_row]):
                with column.container(border=True):
                    st.metric(k["name"], k["value"], k["change"] if k["change"] != "—" else None,
                              delta_color=k["change_color"],
                              delta_arrow="off" if k["change_color"] == "off" else "auto",
                              delta_description=k["change_base"])
                    if k["status"]:  # on a projector the short form: 目标 46.0% · 完成率 97.9%
                        target = k["target_short"] if presenting else k["target_text"]
                        st.markdown(f"{app.status_badge(k['status'], view.lang)} {escape.markdown(target)}")
        if slide.chart is not None:
            c, font = slide.chart, CHART_FONT if presenting else None
            figure = (charts.ranked_bars(c.categories, c.series[0][1], range(len(c.categories)), c.unit, "", lang=view.lang,
                                         height=520, font_size=font) if c.kind == "bar"
                      else charts.trend(c.categories, c.series, c.unit, "", lang=view.lang, height=460, font_size=font))
            st.plotly_chart(figure, key=f"slide_chart_{slide.key}", height="stretch" if presenting else "content")
        if slide.table is not None and len(slide.table):
            table(slide.table, slide.row_colors, presenting)


def table(frame: pd.DataFrame, row_colors: list[str] | None, presenting: bool) -> None:
    """A slide's table, its last column (the status) in row_colors. While presenting an HTML
    table that takes the projector's type (the grid draws small on a canvas); st.table reads
    markdown in every cell, so unit and township names go in escaped."""
    if presenting:
        frame = frame.rename(columns=escape.markdown).map(lambda v: escape.markdown(v) if isinstance(v, str) else v)
    shown = frame
    if row_colors:
        colors = [f"color: {c}; font-weight: bold" for c in row_colors]
        shown = frame.style.apply(lambda column: colors, subset=[frame.columns[-1]])
    if presenting:
        # present.css sizes the rows from their number so that all of them fit under the headline
        st.html(f"<style>.st-key-slide {{ --table-rows: {len(frame)}; }}</style>")
        st.table(shown, hide_index=True)
    else:
        st.dataframe(shown, hide_index=True, placeholder=fmt.MISSING, width="stretch")


def _step(by: int) -> None:
    st.session_state["slide"] = st.session_state.get("slide", 0) + by  # start() keeps it in range


def _mode(on: bool) -> None:
    st.session_state["presenting"] = on


def controls(index: int, n: int, presenting: bool, view: View) -> None:
    """上一页 / 下一页, 第 i / n 页 and the mode button in one strip. While presenting the arrow,
    page and space keys turn the slides and Esc ends the show; otherwise those keys scroll."""
    first, last = index == 0, index == n - 1
    with st.container(key="slide_controls", horizontal=True, vertical_alignment="center", gap="small"):
        st.button(view.t("prev"), icon=":material/chevron_left:", disabled=first, key="prev_slide",
                  on_click=_step, args=(-1,), shortcut=PREV_KEYS[0] if presenting else None)
        st.button(view.t("next"), icon=":material/chevron_right:", disabled=last, key="next_slide",
                  on_click=_step, args=(1,), shortcut=NEXT_KEYS[0] if presenting else None)
        st.caption(view.t("slide_of", i=index + 1, n=n))
        if presenting:
            st.button(view.t("present_end"), icon=":material/close_fullscreen:", key="present_off",
                      on_click=_mode, args=(False,), shortcut="Esc")
        else:
            st.button(view.t("present_mode"), icon=":material/co_present:", key="present_on",
                      on_click=_mode, args=(True,))
    if presenting:
        with st.container(key="slide_keys"):
            for key in PREV_KEYS[1:]:
                st.button(view.t("prev"), key=f"prev_slide_{key}", disabled=first, on_click=_step, args=(-1,),
                          shortcut=key)
            for key in NEXT_KEYS[1:]:
                st.button(view.t("next"), key=f"next_slide_{key}", disabled=last, on_click=_step, args=(1,),
                          shortcut=key)
