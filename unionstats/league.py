"""乡镇排名: every township on the headline rates — value, rank, change in rank and value since the
latest earlier reported year, gap to the county and to its own target, status — and one
township's profile against the county. No Streamlit here: the page and the tests share it."""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd
from pandas.io.formats.style import Styler

from . import attainment, catalog, i18n, indicators, names, store
from . import format as fmt
from .i18n import t
from .indicators import Scope
from .styled import colored

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


class Shown(NamedTuple):
    styled: Styler          # the league table as 乡镇排名 shows it: formatted, coloured
    numbers: pd.DataFrame   # the same table for the download, rates as fractions


def shown(code: str, year: int, scope: Scope, lang: str, path: Path | None = None) -> Shown:
    """table(code, …) as the page shows it: rank, township, rate in %, parts (样本少 on a small
    sample), places moved, change and gap to the county in points, own target and status (only
    when a township set one), status and parts coloured. Made once per snapshot, arguments,
    language and the store's words (乡镇/全县); each caller gets its own `numbers`."""
    made = _shown(code, year, scope, lang, i18n.labels(), path)
    return Shown(made.styled, made.numbers.copy(deep=False))


@store.memo  # formatting and styling a league table each rerun cost more than drawing it
def _shown(code: str, year: int, scope: Scope, lang: str, labels: tuple, path: Path | None) -> Shown:
    ranked = table(code, year, scope, path)
    ind = catalog.get(code)
    regions = names.region_names(lang, path)
    points = t("points_unit", lang)
    cols = {k: t(k, lang) for k in ("col_rank", "region", "col_parts", "col_moved", "col_vs_county", "col_own_target",
                                    "col_status")}
    change_col = f"{t('col_change', lang)}（{points}）" if lang == "zh" else f"{t('col_change', lang)} ({points})"
    gap_col = f"{cols['col_vs_county']}（{points}）" if lang == "zh" else f"{cols['col_vs_county']} ({points})"
    value_col = ind.name(lang)
    # Rates in % and changes in points to the one decimal shown, here, so that the table and both
    # downloads hold the same figures (a file of 70.12345678% was not what the page said).
    def as_shown(fractions) -> list[float]:
        return [fmt.rounded(v * 100, 1) for v in fractions]
    percent = as_shown(ranked["value"])
    shown = ranked.assign(**{
        cols["col_rank"]: ranked["rank"],
        cols["region"]: [regions.get(k, k) for k in ranked["region_code"]],
        value_col: percent,
        cols["col_parts"]: [fmt.fmt_parts(a, b, catalog.get(ind.denominator).unit, lang) + (
            " " + t("small_sample", lang) if few else "") for a, b, few in
            zip(ranked["numerator"], ranked["denominator"], ranked["small"])],
        cols["col_moved"]: ranked["moved"],
        change_col: as_shown(ranked["change"]),
        gap_col: as_shown(ranked["gap_county"]),
        cols["col_own_target"]: [fmt.fmt_number(v, ind.unit, lang) for v in ranked["target"]],
        cols["col_status"]: [attainment.status_label(s, lang) if s else "" for s in ranked["status"]],
    })[[cols["col_rank"], cols["region"], value_col, cols["col_parts"], cols["col_moved"], change_col, gap_col,
        cols["col_own_target"], cols["col_status"]]]
    if ranked["target"].isna().all():  # no township set a target of its own: no empty columns
        shown = shown.drop(columns=[cols["col_own_target"], cols["col_status"]])
    row_colors = [attainment.COLORS["small"] if few else attainment.COLORS.get(s, "") for few, s in
                  zip(ranked["small"], ranked["status"])]
    colored_columns = [c for c in (cols["col_status"], cols["col_parts"]) if c in shown.columns]
    css = pd.DataFrame({c: [f"color: {x}" if x and c in colored_columns else "" for x in row_colors]
                        for c in shown.columns}, index=shown.index)
    styled = colored(shown, css, {value_col: "{:.1f}%", change_col: "{:+.1f}", gap_col: "{:+.1f}",
                                  cols["col_moved"]: fmt.fmt_signed_int,
                                  cols["col_rank"]: lambda r: fmt.MISSING if pd.isna(r) else f"{r}"}, fmt.MISSING)
    fractions = [round(v / 100, 3) for v in percent]  # the file keeps fractions (70.1% → 0.701), shown as 0.0%
    return Shown(styled, shown.assign(**{value_col: fractions}))


class Rates(NamedTuple):
    order: tuple[str, ...]  # the townships' codes, in the store's order
    styled: Styler          # township name, then each rate formatted (— where none), coloured


def rates_matrix(year: int, scope: Scope, lang: str, path: Path | None = None) -> Rates:
    """Every township on every rate of RATES, as 乡镇排名 shows it: each rate grey on a small
    sample, green at or above the county, red below. Made once per snapshot, arguments, language
    and the store's words."""
    return _rates_matrix(year, scope, lang, i18n.labels(), path)


@store.memo  # five league tables, formatted and coloured: the page shows this on every rerun
def _rates_matrix(year: int, scope: Scope, lang: str, labels: tuple, path: Path | None) -> Rates:
    regions = names.region_names(lang, path)
    wide = {}  # rate → {township: (value, small sample, gap to the county)}; plain dicts, no .loc per cell
    for rate in RATES:
        one = table(rate, year, scope, path)
        wide[rate] = dict(zip(one["region_code"], zip(one["value"], one["small"], one["gap_county"])))
    order = tuple(k for k in regions if any(k in w for w in wide.values()))
    header = t("region", lang)
    matrix = {header: [regions[k] for k in order]}
    css = {header: [""] * len(order)}
    for rate, one in wide.items():
        label = catalog.get(rate).name(lang)
        matrix[label] = [fmt.fmt_number(one[k][0] if k in one else None, "rate", lang) for k in order]  # "—" where none
        css[label] = [
            "" if k not in one else (
                f"color: {attainment.COLORS['small']}" if one[k][1] else
                (f"color: {attainment.COLORS['done']}" if one[k][2] >= 0 else
                 f"color: {attainment.COLORS['missed']}"))
            for k in order]
    return Rates(order, colored(pd.DataFrame(matrix), pd.DataFrame(css)))


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


def profile_shown(region: str, year: int, scope: Scope, lang: str, path: Path | None = None) -> pd.DataFrame:
    """profile(…) as the township profile shows it: indicator, the township, the county (under the
    same cut), gap, rank of how many, parts; formatted. Made once per snapshot, arguments, language
    and the store's words; the caller's own frame (empty when the township has no rates)."""
    return _profile_shown(region, year, scope, lang, i18n.labels(), path).copy(deep=False)


@store.memo  # the profile shows it on every rerun
def _profile_shown(region: str, year: int, scope: Scope, lang: str, labels: tuple, path: Path | None) -> pd.DataFrame:
    figures = profile(region, year, scope, path)
    if not len(figures):
        return pd.DataFrame()
    regions = names.region_names(lang, path)
    cut = Scope(None, scope.industries, scope.ownership_group)  # the county under the same cut
    county_header = (t("col_county", lang) if attainment.is_whole_county(cut)
                     else f"{t('col_county', lang)} · {names.scope_label(cut, lang, path)}")
    return pd.DataFrame({
        t("col_indicator", lang): [catalog.get(c).name(lang) for c in figures["code"]],
        regions.get(region, region): [fmt.fmt_number(v, "rate", lang) for v in figures["value"]],
        county_header: [fmt.fmt_number(v, "rate", lang) for v in figures["county"]],
        t("col_vs_county", lang): [fmt.fmt_delta(v, "rate", lang) for v in figures["gap_county"]],
        t("col_rank_of", lang): [t("small_sample", lang) if few else t("rank_of", lang, rank=r, n=n)
                                 for r, n, few in zip(figures["rank"], figures["ranked"], figures["small"])],
        t("col_parts", lang): [fmt.fmt_parts(a, b, catalog.get(catalog.get(c).denominator).unit, lang)
                               for c, a, b in zip(figures["code"], figures["numerator"], figures["denominator"])],
    })


def own_notes(region: str, year: int, path: Path | None = None) -> list[str]:
    """The township's own meeting notes for the year (not the county's)."""
    from . import store
    frame = store.query("notes", path=path, years=(year,))
    return [text for key, text in zip(frame["region_code"], frame["text"]) if key == region and text]
