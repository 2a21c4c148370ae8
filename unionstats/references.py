"""Rates others published (全市, 全省, 全国, ILO) beside the county's own (DESIGN.md §3 `reference`).

They are read by their own query only (queries/reference_figures.sql): no cube, facts or indicators
query touches them, so a reference figure is never added into a county figure. They are drawn as
comparison lines and written next to the county's value; nothing is computed from them.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import catalog
from . import format as fmt
from . import store
from .charts import RefLine
from .i18n import t
from .sheets import REFERENCE_BODIES

BODIES = tuple(REFERENCE_BODIES)  # display order: city, province, nation, ILO


def label(body: str, lang: str = "zh") -> str:
    return t(f"body_{body}", lang)


def figures(codes, path: Path | None = None) -> pd.DataFrame:
    """year, body, indicator, value, source of every reference figure for the catalog `codes`."""
    return store.query("reference_figures", path=path, indicators=list(codes), bodies=list(BODIES))


def trend_lines(frame: pd.DataFrame, codes, lang: str = "zh") -> list[RefLine]:
    """One comparison line per indicator and body, for charts.trend: coloured like the county's
    series of that indicator, dashed by body; named by the body alone when the chart has one
    series ("全省"), by body and indicator when it has several ("全省 · 建会率")."""
    codes = list(codes)
    by_key: dict[tuple[str, str], list[tuple]] = {}  # one pass over the few rows, not a filter per line
    for year, body, code, value, source in zip(frame["year"], frame["body"], frame["indicator"], frame["value"],
                                               frame["source"]):
        by_key.setdefault((code, body), []).append((int(year), float(value), t("ref_source", lang, source=source)))
    lines = []
    for i, code in enumerate(codes):
        for body in BODIES:
            part = by_key.get((code, body))
            if not part:
                continue
            name = label(body, lang) if len(codes) == 1 else f"{label(body, lang)} · {catalog.get(code).name(lang)}"
            years, values, notes = (list(column) for column in zip(*part))
            lines.append(RefLine(i, BODIES.index(body), name, years, values, notes))
    return lines


def beside(code: str, year: int, own, frame: pd.DataFrame, lang: str = "zh") -> str:
    """'本县 81.2% · 全省 80.1%': the county's value and each body's figure for the same year (no
    nearest year: a 2023 figure is not 2024's); '' when no body published one that year."""
    rows = frame[(frame["indicator"] == code) & (frame["year"] == year)]
    if rows.empty:
        return ""
    unit = catalog.get(code).unit
    parts = [f"{t('ref_own', lang)} {fmt.fmt_number(own, unit, lang)}"]
    parts += [f"{label(b, lang)} {fmt.fmt_number(v, unit, lang)}" for b, v in zip(rows["body"], rows["value"])]
    return " · ".join(parts)


def sources(frame: pd.DataFrame, lang: str = "zh", years=None) -> str:
    """'全省：省总工会统计公报；全市：…', each body's sources once, of the figures of `years` (all
    when None); raw user text: escape it to show."""
    if years is not None:
        frame = frame[frame["year"].isin(list(years))]
    seen = sorted(dict.fromkeys(zip(frame["body"], frame["source"])), key=lambda pair: BODIES.index(pair[0]))
    sep = "; " if lang == "en" else "；"
    colon = ": " if lang == "en" else "："
    return sep.join(f"{label(b, lang)}{colon}{s}" for b, s in seen)
