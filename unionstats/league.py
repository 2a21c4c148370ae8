"""乡镇排名: every township on the headline rates — value, rank, change in rank and value since the
latest earlier reported year, gap to the county and to its own target, status — and one
township's profile against the county. No Streamlit here: the page and the tests share it."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import attainment, catalog, indicators, store
from .indicators import Scope

RATES = ("unionization_rate", "membership_rate", "congress_rate", "labor_contract_rate", "compliance_rate")


def _ranks(values: pd.Series, small: pd.Series, higher_is_better: bool) -> pd.Series:
    """1 = best among townships with enough units; a small sample gets no rank."""
    ranked = values.where(~small)
    return ranked.rank(ascending=not higher_is_better, method="min").astype("Int64")


@store.memo  # the page asks for every rate's table several times per run
def table(code: str, year: int, scope: Scope = Scope(), path: Path | None = None) -> pd.DataFrame:
    """One row per township with data in `year`, best first (small samples last).

    `scope` narrows by industry or ownership group; its townships are ignored (every township is
    ranked). Own targets apply only without such a cut. Columns: region_code, value, numerator,
    denominator, small, rank, base_year, base_value, rank_base, moved (places climbed),
    change, change_small, county, gap_county, target, ratio, status."""
    ind = catalog.get(code)
    scope = Scope(None, scope.industries, scope.ownership_group)
    rule = attainment.rules(path)
    base = attainment.latest_earlier(indicators.years(path), year)
    frame = indicators.table(scope, "region", (year,) if base is None else (base, year), path)
    now = frame[frame["year"] == year].set_index("key")
    now = now[now[code].notna()]
    before = frame[frame["year"] == base].set_index("key") if base is not None else now.iloc[:0]
    before = before[before[code].notna()]
    better = ind.higher_is_better is not False
    out = pd.DataFrame(index=now.index)
    out["value"] = now[code].astype(float)
    out["numerator"] = now[ind.numerator] if ind.numerator else None
    out["denominator"] = now[ind.denominator] if ind.denominator else None
    out["small"] = [attainment.is_small(code, row, rule) for _, row in now.iterrows()]
    out["rank"] = _ranks(out["value"], out["small"], better)
    small_before = pd.Series([attainment.is_small(code, row, rule) for _, row in before.iterrows()],
                             index=before.index, dtype=bool)
    ranks_before = _ranks(before[code].astype(float), small_before, better)
    out["base_year"] = base
    out["base_value"] = before[code].reindex(out.index).astype(float)
    out["rank_base"] = ranks_before.reindex(out.index)
    out["moved"] = out["rank_base"] - out["rank"]
    out["change"] = out["value"] - out["base_value"]
    out["change_small"] = out["small"] | small_before.reindex(out.index, fill_value=False)
    county = indicators.table(scope, "county", (year,), path)
    out["county"] = float(county.iloc[0][code]) if len(county) else None
    out["gap_county"] = out["value"] - out["county"]
    targets = indicators.targets(year, path)
    own = {key: targets.get((code, key)) for key in out.index} if scope.is_region_only else {}
    results = [attainment.attain(code, v, own[k], rule) if own.get(k) is not None else None
               for k, v in out["value"].items()]
    out["target"] = [a.target if a else None for a in results]
    out["ratio"] = [a.ratio if a else None for a in results]
    out["status"] = [a.status if a else None for a in results]
    out = out.reset_index(names="region_code")
    out["_order"] = out["rank"].astype("Float64").fillna(len(out) + 1)
    return out.sort_values(["_order", "value"], ascending=[True, not better]).drop(columns="_order") \
        .reset_index(drop=True)


@store.memo
def profile(region: str, year: int, scope: Scope = Scope(), path: Path | None = None) -> pd.DataFrame:
    """One township against the county on every headline rate: value, county value, gap, rank of
    how many ranked, status against its own target."""
    rows = []
    for code in RATES:
        league = table(code, year, scope, path)
        mine = league[league["region_code"] == region]
        if mine.empty:
            continue
        row = mine.iloc[0]
        rows.append({"code": code, "value": row["value"], "county": row["county"], "gap_county": row["gap_county"],
                     "rank": row["rank"], "ranked": int(league["rank"].notna().sum()), "small": row["small"],
                     "numerator": row["numerator"], "denominator": row["denominator"],
                     "target": row["target"], "status": row["status"]})
    return pd.DataFrame(rows)


def own_notes(region: str, year: int, path: Path | None = None) -> list[str]:
    """The township's own meeting notes for the year (not the county's)."""
    from . import store
    frame = store.query("notes", path=path, years=(year,))
    return [text for key, text in zip(frame["region_code"], frame["text"]) if key == region and text]
