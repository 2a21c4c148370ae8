"""Gaps in union coverage: uncovered employers (空白点), the township × industry grid, and which
townships moved most since an earlier year. Pages and the CLI share these functions."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import catalog, store
from .i18n import t
from .indicators import Scope, table

DEFAULT_MIN_EMPLOYEES = 25  # 《工会法》: 25 members or more set up a grassroots committee
TOO_FEW_UNITS = 3           # heat-map cells with fewer units show "too few", not a rate
MAX_LISTED = 1000           # rows the page lists; downloads hold every row
BRIEF_LISTED = 10           # rows the briefing's 空白点 slide lists


def uncovered_units(year: int, scope: Scope = Scope(), min_employees: int = DEFAULT_MIN_EMPLOYEES,
                    path: Path | None = None, limit: int | None = None) -> pd.DataFrame:
    """Uncovered employers, largest first; `limit` rows only (the full list's first), None = all.
    A province has ~100 k of them: a screen asks for its rows in SQL, and counts come from
    summary(), never from the length of a limited list."""
    return store.query("gap_units", path=path, years=(year,), min_employees=min_employees, limit=limit,
                       **scope.params())


@store.memo  # the list as shown: the page reruns on every click
def uncovered_table(year: int, scope: Scope = Scope(), min_employees: int = DEFAULT_MIN_EMPLOYEES,
                    lang: str = "zh", path: Path | None = None, limit: int | None = None) -> pd.DataFrame:
    """The 空白点 list as shown (`limit` rows) and exported (limit None: every row): localized
    headers, names in the chosen language."""
    suffix = "en" if lang == "en" else "zh"
    columns = {"name": "col_unit", f"region_{suffix}": "region", f"industry_{suffix}": "col_industry",
               f"ownership_{suffix}": "col_ownership", "employees": "col_employees",
               "migrant_workers": "col_migrant"}
    frame = uncovered_units(year, scope, min_employees, path, limit)[list(columns)]
    return frame.rename(columns={k: t(v, lang) for k, v in columns.items()})


def summary(year: int, scope: Scope = Scope(), min_employees: int = DEFAULT_MIN_EMPLOYEES,
            path: Path | None = None) -> dict:
    row = store.query("gap_summary", path=path, years=(year,), min_employees=min_employees,
                      **scope.params()).iloc[0]
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


def totals_only_regions(year: int, scope: Scope = Scope(), path: Path | None = None) -> list[str]:
    frame = store.query("totals_only_regions", path=path, years=(year,), regions=scope.regions)
    return list(frame["region_code"])


def coverage_cells(year: int, scope: Scope = Scope(), path: Path | None = None) -> pd.DataFrame:
    return store.query("coverage_cells", path=path, years=(year,), **scope.params())


@store.memo
def region_changes(code: str, base_year: int, year: int, scope: Scope = Scope(),
                   path: Path | None = None) -> pd.DataFrame:
    """Per township: the indicator in base_year and year, and the change, largest gain first; for a
    rate also its denominator in each year (n_before, n_after)."""
    frame = table(scope, "region", (base_year, year), path)
    wide = frame.pivot(index="key", columns="year", values=code)
    out = pd.DataFrame({"region_code": wide.index,
                        "before": wide.get(base_year), "after": wide.get(year)}).reset_index(drop=True)
    denominator = catalog.get(code).denominator
    if denominator:  # the count each rate rests on in each year, to tell a small sample
        counts = frame.pivot(index="key", columns="year", values=denominator)
        for column, y in (("n_before", base_year), ("n_after", year)):
            out[column] = out["region_code"].map(counts[y]) if y in counts.columns else float("nan")
    out["change"] = out["after"] - out["before"]
    return out.dropna(subset=["change"]).sort_values("change", ascending=False, ignore_index=True)
