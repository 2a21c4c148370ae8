"""Streamlit-side glue shared by dashboard.py and the pages: first-start demo build, page header."""
from __future__ import annotations

import copy
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from . import attainment, briefing, catalog, demo, escape, figcache, i18n, indicators, references, store, styled
from . import format as fmt
from .names import scope_label
from .i18n import t
from .view import View


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


def use_store_labels() -> None:
    """This run's words for the store's regions and its whole: 乡镇/全县, or 县（市、区）/全市 in a
    city federation's store (settings region_label, whole_label)."""
    i18n.use_labels(store.setting(i18n.REGION_LABEL), store.setting(i18n.WHOLE_LABEL))


def header(title: str, view: View) -> None:
    """Page title, scope, year basis, and the demo label while demo data is loaded."""
    is_demo = store.setting("is_demo") == "true"
    county = store.setting("county_name_en" if view.en else "county_name_zh", "")
    badge = f" :orange-badge[{view.t('demo_badge')}]" if is_demo else ""
    st.title(f"{escape.markdown(county)} · {title}{badge}" if county else f"{title}{badge}")
    basis = "year_basis_survey" if store.setting("year_basis") == "survey" else "year_basis_calendar"
    st.caption(f"{view.t('scope_line', scope=escape.markdown(scope_label(view.scope, view.lang)))} · {view.t(basis)}")
    if is_demo:
        st.info(view.t("demo_notice"), icon=":material/science:")


def chart(where, build, *args, key: str, select: bool = False, **kwargs):
    """st.plotly_chart of charts.<build>(*args, **kwargs), the figure built once per distinct set of
    values (figcache). `where` is st or a column; select=True makes a click rerun the page and
    returns the selection. The cached figure goes only to plotly_chart, which copies it."""
    figure = figcache.figure(build, *args, **kwargs)
    if select:
        return where.plotly_chart(figure, key=key, on_select="rerun", selection_mode="points")
    return where.plotly_chart(figure, key=key)


def section_tabs(sections: tuple[str, ...], view: View, key: str) -> list:
    """One tab per section (i18n keys), lazy: only the open tab's `.open` is True, so a page draws
    only that section's charts (plotly's drawing is most of a page's time in the browser, issue
    #17). The first is open by default; the open section stays open when the language changes."""
    labels = [view.t(s) for s in sections]
    stored = st.session_state.get(key)
    if stored is not None and stored not in labels:  # the other language's label: the same section
        for section, label in zip(sections, labels):
            if stored in (i18n.t(section, lang) for lang in i18n.LANGS):
                st.session_state[key] = label
    return st.tabs(labels, key=key, on_change="rerun")


@store.memo
def _slides(view: View) -> tuple:
    return tuple(briefing.build(view))


def slides(view: View) -> list:
    """briefing.build for the 会议汇报 page: built once per snapshot, scope, year and language (about
    13 ms), not on every click through the slides; each run gets its own copy (0.3 ms)."""
    return copy.deepcopy(list(_slides(view)))


def indicators_by_year(view: View) -> pd.DataFrame:
    """Every indicator per year for the filtered scope; stops the page with a hint when the
    chosen year has no data."""
    if view.year is None:
        st.warning(view.t("no_data_at_all"))
        st.stop()
    by_year = indicators.table(view.scope).set_index("year")
    if view.year not in by_year.index:
        st.warning(view.t("no_data_scope", year=view.year))
        st.stop()
    return by_year


def status_badge(status: str | None, lang: str) -> str:
    """A coloured Streamlit badge for an attainment status: :red-badge[未完成]."""
    label = escape.markdown(attainment.status_label(status, lang))
    return f":{attainment.ST_COLORS[status]}-badge[{label}]" if status else f":gray-badge[{label}]"


@dataclass(frozen=True)
class Card:
    """One metric card of kpi_grid, all text already formatted."""
    label: str
    value: str
    delta: str | None
    color: str
    description: str
    help: str
    target: str | None  # badge and attainment line under the card, markdown


@store.memo  # every rerun shows the same cards until the snapshot, scope, year or language changes
def kpi_cards(codes: tuple[str, ...], view: View) -> tuple[Card, ...]:
    """The cards of kpi_grid for `codes`, from the scope's indicators by year."""
    year = view.year
    by_year = indicators.table(view.scope).set_index("year")
    now = by_year.loc[year]
    rule = attainment.rules()
    targets = attainment.scope_targets(indicators.targets(year), view.scope)
    cards = []
    for code in codes:
        ind = catalog.get(code)
        value = now[code]
        moved = attainment.change(by_year, code, year, view.lang, rule)
        help_text = view.definition(code)
        if ind.numerator:
            help_text += "\n\n" + view.t("parts_line", parts=attainment.parts(code, now, view.lang))
            if moved.base is not None:
                help_text += "; " + view.t("parts_line_base", year=moved.base,
                                           parts=attainment.parts(code, by_year.loc[moved.base], view.lang))
        if moved.small:
            help_text += "\n\n" + view.t("small_sample_help", n=rule.small_n)
        target = None
        if code in targets:
            a = attainment.attain(code, value, targets[code], rule)
            target = f"{status_badge(a.status, view.lang)} {escape.markdown(attainment.describe(a, view.lang))}"
        cards.append(Card(view.name(code), view.number(value, ind.unit),
                          None if moved.delta is None else moved.text, moved.color,
                          attainment.base_text(year, moved.base, view.lang), help_text, target))
    return tuple(cards)


def kpi_grid(codes, view: View, per_row: int = 4) -> None:
    """Metric cards: value; change against the latest earlier reported year (coloured by
    higher-is-better, grey and marked 样本少 on a small sample, percentage points for rates); under
    it the scope's own target with 完成率, gap and status; the definition and a rate's parts on hover."""
    for i, card in enumerate(kpi_cards(tuple(codes), view)):
        if i % per_row == 0:  # a new row of columns: cards of one row start level
            columns = st.columns(per_row)
        with columns[i % per_row].container(border=True):
            st.metric(card.label, card.value, delta=card.delta, delta_color=card.color,
                      delta_arrow="off" if card.color == "off" else "auto",
                      delta_description=card.description,
                      help=card.help)  # our own words and figures, no user text
            if card.target:
                st.markdown(card.target)


def attainment_table(view: View) -> None:
    """目标完成情况: every target of the scope with actual, 完成率, gap and status, misses first."""
    st.subheader(view.t("attainment_title"))
    table = _attainment_styled(view, i18n.labels())
    if table is None:
        st.caption(view.t("attainment_none_county" if attainment.is_whole_county(view.scope)
                          else "attainment_none_scope", year=view.year))
        return
    st.dataframe(table, hide_index=True, placeholder=fmt.MISSING, width="stretch", height=40 + 35 * len(table.data), key="attainment_table")


@store.memo  # made once per snapshot, scope, year, language and the store's words (labels), not per rerun
def _attainment_styled(view: View, labels: tuple):
    """The scope's targets against its values of the year, formatted, status coloured (None: no targets)."""
    targets = attainment.scope_targets(indicators.targets(view.year), view.scope)
    if not targets:
        return None
    values = indicators.table(view.scope).set_index("year").loc[view.year].to_dict()
    rows = attainment.attainments(values, targets, attainment.rules())
    frame = attainment.frame(rows, view.lang)
    colors = [f"color: {attainment.COLORS[a.status]}; font-weight: bold" if a.status else "" for a in rows]
    status_col = view.t("col_status")
    css = pd.DataFrame({c: colors if c == status_col else [""] * len(frame) for c in frame.columns})
    return styled.colored(frame, css)


def reported_note(codes, shares: dict[str, tuple[int, int]], view: View) -> None:
    """Under the KPI grid: which of `codes` not every township reported, e.g. "12个乡镇中11个填报：…"
    (shares from indicators.reported). Nothing when all reported."""
    groups: dict[tuple[int, int], list[str]] = {}
    for code in codes:
        n, total = shares.get(code, (0, 0))
        if n < total:
            groups.setdefault((n, total), []).append(view.name(code))
    for (n, total), names in sorted(groups.items(), reverse=True):
        st.caption(view.t("reported_share", n=n, total=total, names=view.join(names)))


def reference_figures(codes, view: View, where=st) -> pd.DataFrame:
    """Others' published rates for `codes` (references.figures), for the whole county only: a
    province's rate says nothing about one township or one industry, so under a filter they are
    left out and a caption in `where` says so. An older store that cannot hold them says how to
    upgrade, and the page goes on without them."""
    try:
        frame = references.figures(codes)
    except store.StoreError:
        where.caption(view.t("ref_upgrade", hint=escape.markdown(store.upgrade_hint(store.db_path()).split("\n")[0])))
        return _no_references()
    if len(frame) and not attainment.is_whole_county(view.scope):
        where.caption(view.t("ref_whole_county"))
        return _no_references()
    return frame


def _no_references() -> pd.DataFrame:
    return pd.DataFrame(columns=["year", "body", "indicator", "value", "source"])


def reference_lines(codes, view: View, where=st) -> list:
    """reference_figures as comparison lines for charts.trend."""
    return references.trend_lines(reference_figures(codes, view, where), codes, view.lang)

