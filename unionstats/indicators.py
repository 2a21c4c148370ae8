"""Catalog × store: indicator values for a scope, at any grain, through queries/indicators.sql."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import catalog, store

GRAINS = ("county", "region", "industry", "ownership", "ownership_group")
OWNERSHIP_GROUPS = ("public", "nonpublic")


@dataclass(frozen=True)
class Scope:
    """What the user filtered to. None means "all"."""
    regions: tuple[str, ...] | None = None
    industries: tuple[str, ...] | None = None
    ownership_group: str | None = None

    @property
    def is_region_only(self) -> bool:
        """True when aid and subsidies (recorded per township) apply to this scope."""
        return self.industries is None and self.ownership_group is None

    def params(self) -> dict:
        return {"regions": self.regions, "industries": self.industries,
                "ownership_group": self.ownership_group}


@store.memo  # pages ask for the same table several times per run
def table(scope: Scope = Scope(), grain: str = "county", years: tuple[int, ...] | None = None,
          path: Path | None = None) -> pd.DataFrame:
    """One row per year × key with every catalog code as a column (NaN where not applicable), and
    the key's name_zh, name_en and sort_order for the township, industry and ownership grains."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    frame = store.query("indicators", path=path, grain=grain,
                        years=list(years) if years else None, **scope.params())
    codes = [ind.code for ind in catalog.INDICATORS if ind.code in frame.columns]
    counts, rates = [c for c in codes if not catalog.get(c).numerator], [c for c in codes if catalog.get(c).numerator]
    # catalog order: counts, then rates; then the key's names and display order (NULL at the
    # county and ownership-group grains)
    return frame[["year", "key", *counts, *rates, "name_zh", "name_en", "sort_order"]]


def summary(year: int, scope: Scope = Scope(), path: Path | None = None) -> dict[str, float | None]:
    """Every catalog indicator for one year and scope: {code: value}; None where not reported."""
    frame = table(scope, "county", (year,), path)
    if frame.empty:
        return {ind.code: None for ind in catalog.INDICATORS}
    row = frame.iloc[0]
    out = {}
    for ind in catalog.INDICATORS:
        value = row[ind.code]
        out[ind.code] = None if pd.isna(value) else (float(value) if ind.is_rate or ind.denominator
                                                    else int(value))
    return out


@store.memo
def reported(year: int, scope: Scope = Scope(), path: Path | None = None) -> dict[str, tuple[int, int]]:
    """{code: (townships that reported it, townships in scope)} for one year.

    A township has not reported a count when it sent rows of that table but left the count blank;
    for year-end stock it has also not reported when it sent no rows at all (every township has
    employers). A flow table (inspections, arrears, aid, subsidies) without a township's rows in a
    year that has rows means nothing happened there: 0, as queries/indicators.sql counts it, and
    reported. A year with no rows of a table at all: no one reported. A figure for the county as a
    whole (region '') reports the count for every township. A rate counts the townships that
    report both its parts."""
    frame = store.query("reported", path=path, years=(year,), **scope.params())
    everyone = len(scope.regions) if scope.regions else len(store.query("regions", path=path))
    rows = {r.measure: r for r in frame.itertuples()}
    out = {}
    for ind in catalog.INDICATORS:
        row = rows.get(f"{ind.code}_num" if ind.numerator else ind.code)
        if row is None:
            out[ind.code] = (0, everyone)
        elif row.county:
            out[ind.code] = (everyone, everyone)
        elif row.source == "stock" or row.with_rows == 0:
            out[ind.code] = (int(row.regions), everyone)
        else:
            out[ind.code] = (everyone - int(row.with_rows - row.regions), everyone)
    return out


def years(path: Path | None = None) -> list[int]:
    return [int(y) for y in store.query("years", path=path)["year"]]


def targets(year: int, path: Path | None = None) -> dict[tuple[str, str], float]:
    """{(indicator, region_code): value}; region_code '' is the county."""
    frame = store.query("targets", path=path, years=(year,))
    return {(r.indicator, r.region_code): float(r.value) for r in frame.itertuples()}


def notes(year: int, scope: Scope = Scope(), path: Path | None = None) -> list[str]:
    """Meeting notes for the year: the county's for the whole county, the chosen townships' own
    under a township filter (a county note quotes county figures, wrong beside a township's)."""
    frame = store.query("notes", path=path, years=(year,))
    wanted = set(scope.regions) if scope.regions else {""}
    return [text for region, text in zip(frame["region_code"], frame["text"]) if region in wanted and text]
