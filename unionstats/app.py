"""Streamlit-side glue shared by dashboard.py and the pages: first-start demo build, page header."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from . import catalog, demo, escape, indicators, store
from . import format as fmt
from .filters import Filters
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


def kpi_grid(codes, by_year: pd.DataFrame, year: int, lang: str, per_row: int = 4) -> None:
    """Metric cards: value, change against the year before (coloured by higher-is-better,
    percentage points for rates), the definition and any target on hover."""
    now = by_year.loc[year]
    prev = by_year.loc[year - 1] if year - 1 in by_year.index else None
    targets = indicators.targets(year)
    columns = st.columns(per_row)
    for i, code in enumerate(codes):
        ind = catalog.get(code)
        value = now[code]
        delta = None if prev is None or fmt.is_missing(value) else value - prev[code]
        flat = not fmt.is_missing(delta) and fmt.is_negligible(delta, ind.unit)
        target = targets.get((code, ""))
        help_text = ind.definition(lang)
        if target is not None:
            help_text += "\n\n" + t("target_line", lang, value=fmt.fmt_number(target, ind.unit, lang))
        columns[i % per_row].metric(
            ind.name(lang),
            fmt.fmt_number(value, ind.unit, lang),
            delta=None if fmt.is_missing(delta) else fmt.fmt_delta(delta, ind.unit, lang),
            delta_color="off" if ind.higher_is_better is None or flat
            else ("normal" if ind.higher_is_better else "inverse"),
            delta_arrow="off" if flat else "auto",
            delta_description=t("vs_prev_year", lang, year=year - 1) if prev is not None else None,
            help=help_text,
            border=True,
        )


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
