"""Streamlit-side glue shared by dashboard.py and the pages: first-start demo build, page header."""
from __future__ import annotations

import copy
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from . import attainment, briefing, catalog, demo, escape, figcache, i18n, indicators, references, store, styled
from . import format as fmt
from .filters import Filters
from .indicators import Scope
from .names import scope_label
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


def use_store_labels() -> None:
    """This run's words for the store's regions and its whole: 乡镇/全县, or 县（市、区）/全市 in a
    city federation's store (settings region_label, whole_label)."""
    i18n.use_labels(store.setting(i18n.REGION_LABEL), store.setting(i18n.WHOLE_LABEL))


def header(title: str, filters: Filters) -> None:
    """Page title, scope, year basis, and the demo label while demo data is loaded."""
    lang = filters.lang
    is_demo = store.setting("is_demo") == "true"
    county = store.setting("county_name_en" if lang == "en" else "county_name_zh", "")
    badge = f" :orange-badge[{t('demo_badge', lang)}]" if is_demo else ""
    st.title(f"{escape.markdown(county)} · {title}{badge}" if county else f"{title}{badge}")
    basis = "year_basis_survey" if store.setting("year_basis") == "survey" else "year_basis_calendar"
    st.caption(f"{t('scope_line', lang, scope=escape.markdown(scope_label(filters.scope, lang)))} · {t(basis, lang)}")
    if is_demo:
        st.info(t("demo_notice", lang), icon=":material/science:")


def chart(where, build, *args, key: str, select: bool = False, **kwargs):
    """st.plotly_chart of charts.<build>(*args, **kwargs), the figure built once per distinct set of
    values (figcache). `where` is st or a column; select=True makes a click rerun the page and
    returns the selection. The cached figure goes only to plotly_chart, which copies it."""
    figure = figcache.figure(build, *args, **kwargs)
    if select:
        return where.plotly_chart(figure, key=key, on_select="rerun", selection_mode="points")
    return where.plotly_chart(figure, key=key)


@store.memo
def _slides(year: int, scope: Scope, lang: str) -> tuple:
    return tuple(briefing.build(year, scope, lang))


def slides(year: int, scope: Scope, lang: str) -> list:
    """briefing.build for the 会议汇报 page: built once per snapshot, scope, year and language (about
    13 ms), not on every click through the slides; each run gets its own copy (0.3 ms)."""
    return copy.deepcopy(list(_slides(year, scope, lang)))


def indicators_by_year(filters: Filters) -> pd.DataFrame:
    """Every indicator per year for the filtered scope; stops the page with a hint when the
    chosen year has no data."""
    lang = filters.lang
    if filters.year is None:
        st.warning(t("no_data_at_all", lang))
        st.stop()
    by_year = indicators.table(filters.scope).set_index("year")
    if filters.year not in by_year.index:
        st.warning(t("no_data_scope", lang, year=filters.year))
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
def kpi_cards(codes: tuple[str, ...], scope: Scope, year: int, lang: str) -> tuple[Card, ...]:
    """The cards of kpi_grid for `codes`, from the scope's indicators by year."""
    by_year = indicators.table(scope).set_index("year")
    now = by_year.loc[year]
    rule = attainment.rules()
    targets = attainment.scope_targets(indicators.targets(year), scope)
    cards = []
    for code in codes:
        ind = catalog.get(code)
        value = now[code]
        moved = attainment.change(by_year, code, year, lang, rule)
        help_text = ind.definition(lang)
        if ind.numerator:
            help_text += "\n\n" + t("parts_line", lang, parts=attainment.parts(code, now, lang))
            if moved.base is not None:
                help_text += "; " + t("parts_line_base", lang, year=moved.base,
                                      parts=attainment.parts(code, by_year.loc[moved.base], lang))
        if moved.small:
            help_text += "\n\n" + t("small_sample_help", lang, n=rule.small_n)
        target = None
        if code in targets:
            a = attainment.attain(code, value, targets[code], rule)
            target = f"{status_badge(a.status, lang)} {escape.markdown(attainment.describe(a, lang))}"
        cards.append(Card(ind.name(lang), fmt.fmt_number(value, ind.unit, lang),
                          None if moved.delta is None else moved.text, moved.color,
                          attainment.base_text(year, moved.base, lang), help_text, target))
    return tuple(cards)


def kpi_grid(codes, filters: Filters, per_row: int = 4) -> None:
    """Metric cards: value; change against the latest earlier reported year (coloured by
    higher-is-better, grey and marked 样本少 on a small sample, percentage points for rates); under
    it the scope's own target with 完成率, gap and status; the definition and a rate's parts on hover."""
    for i, card in enumerate(kpi_cards(tuple(codes), filters.scope, filters.year, filters.lang)):
        if i % per_row == 0:  # a new row of columns: cards of one row start level
            columns = st.columns(per_row)
        with columns[i % per_row].container(border=True):
            st.metric(card.label, card.value, delta=card.delta, delta_color=card.color,
                      delta_arrow="off" if card.color == "off" else "auto",
                      delta_description=card.description,
                      help=card.help)  # our own words and figures, no user text
            if card.target:
                st.markdown(card.target)


def attainment_table(filters: Filters) -> None:
    """目标完成情况: every target of the scope with actual, 完成率, gap and status, misses first."""
    lang = filters.lang
    st.subheader(t("attainment_title", lang))
    table = _attainment_styled(filters.scope, filters.year, lang, i18n.labels())
    if table is None:
        st.caption(t("attainment_none_county" if attainment.is_whole_county(filters.scope)
                     else "attainment_none_scope", lang, year=filters.year))
        return
    st.dataframe(table, hide_index=True, width="stretch", height=40 + 35 * len(table.data), key="attainment_table")


@store.memo  # made once per snapshot, scope, year, language and the store's words (labels), not per rerun
def _attainment_styled(scope: Scope, year: int, lang: str, labels: tuple):
    """The scope's targets against its values of `year`, formatted, status coloured (None: no targets)."""
    targets = attainment.scope_targets(indicators.targets(year), scope)
    if not targets:
        return None
    values = indicators.table(scope).set_index("year").loc[year].to_dict()
    rows = attainment.attainments(values, targets, attainment.rules())
    frame = attainment.frame(rows, lang)
    colors = [f"color: {attainment.COLORS[a.status]}; font-weight: bold" if a.status else "" for a in rows]
    status_col = t("col_status", lang)
    css = pd.DataFrame({c: colors if c == status_col else [""] * len(frame) for c in frame.columns})
    return styled.colored(frame, css)


def reported_note(codes, shares: dict[str, tuple[int, int]], lang: str) -> None:
    """Under the KPI grid: which of `codes` not every township reported, e.g. "12个乡镇中11个填报：…"
    (shares from indicators.reported). Nothing when all reported."""
    groups: dict[tuple[int, int], list[str]] = {}
    for code in codes:
        n, total = shares.get(code, (0, 0))
        if n < total:
            groups.setdefault((n, total), []).append(catalog.get(code).name(lang))
    sep = ", " if lang == "en" else "、"
    for (n, total), names in sorted(groups.items(), reverse=True):
        st.caption(t("reported_share", lang, n=n, total=total, names=sep.join(names)))


def reference_figures(codes, filters: Filters, where=st) -> pd.DataFrame:
    """Others' published rates for `codes` (references.figures), for the whole county only: a
    province's rate says nothing about one township or one industry, so under a filter they are
    left out and a caption in `where` says so. An older store that cannot hold them says how to
    upgrade, and the page goes on without them."""
    lang = filters.lang
    try:
        frame = references.figures(codes)
    except store.StoreError:
        where.caption(t("ref_upgrade", lang, hint=escape.markdown(store.upgrade_hint(store.db_path()).split("\n")[0])))
        return _no_references()
    if len(frame) and not attainment.is_whole_county(filters.scope):
        where.caption(t("ref_whole_county", lang))
        return _no_references()
    return frame


def _no_references() -> pd.DataFrame:
    return pd.DataFrame(columns=["year", "body", "indicator", "value", "source"])


def reference_lines(codes, filters: Filters, where=st) -> list:
    """reference_figures as comparison lines for charts.trend."""
    return references.trend_lines(reference_figures(codes, filters, where), codes, filters.lang)

