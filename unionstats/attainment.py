"""Did we meet the plan, and can this change be trusted? The rules every page, the deck and the
HTML report share: target attainment and its status, which targets belong to a scope, small
samples, and the base year of a change when years are missing. No Streamlit here.

Settings (the `settings` table, editable on the data page):
  target_near_ratio   a count within this share of its target is 接近 (default 0.95)
  target_near_points  a rate within this many percentage points (as a fraction) is 接近 (0.01)
  small_n             a rate whose denominator is below this is 样本少 (default 5)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import catalog, i18n, indicators, store
from . import format as fmt
from .i18n import t
from .indicators import Scope

DEFAULT_NEAR_RATIO = 0.95
DEFAULT_NEAR_POINTS = 0.01
DEFAULT_SMALL_N = 5
SETTING_KEYS = {"near_ratio": "target_near_ratio", "near_points": "target_near_points", "small_n": "small_n"}

# Status → colour: hex for charts, the deck and HTML; Streamlit's colour name for badges and text.
COLORS = {"done": "#1e8449", "near": "#d68910", "missed": "#c0392b", "small": "#7f8c8d"}
ST_COLORS = {"done": "green", "near": "orange", "missed": "red", "small": "gray"}
ORDER = {"missed": 0, "near": 1, "done": 2, None: 3}  # misses first; no data last
EPSILON = 1e-9  # 0.46 read back from a file is not always exactly 0.46


@dataclass(frozen=True)
class Rules:
    near_ratio: float = DEFAULT_NEAR_RATIO
    near_points: float = DEFAULT_NEAR_POINTS
    small_n: int = DEFAULT_SMALL_N


@store.memo
def rules(path: Path | None = None) -> Rules:
    """The rules in force, from the settings table; a missing or unreadable setting keeps its default."""
    def number(key: str, default: float) -> float:
        raw = store.setting(SETTING_KEYS[key], None, path=path)
        try:
            return float(raw) if raw not in (None, "") else default
        except ValueError:
            return default
    return Rules(number("near_ratio", DEFAULT_NEAR_RATIO), number("near_points", DEFAULT_NEAR_POINTS),
                 int(number("small_n", DEFAULT_SMALL_N)))


def validate(near_ratio: float, near_points: float, small_n: int) -> list[tuple[str, str]]:
    """(field, message) for every value out of range; empty when all are fine."""
    problems = []
    if not 0 < near_ratio <= 1:
        problems.append(("接近目标（数量）", "应大于0%且不超过100%"))
    if not 0 <= near_points <= 1:
        problems.append(("接近目标（比率）", "应在0到100个百分点之间"))
    if not 1 <= small_n <= 1_000_000:
        problems.append(("样本少的界限", "应为1到1,000,000之间的整数"))
    return problems


# --- targets ------------------------------------------------------------------------------------------

def is_whole_county(scope: Scope) -> bool:
    return scope.regions is None and scope.industries is None and scope.ownership_group is None


def scope_targets(targets: dict[tuple[str, str], float], scope: Scope) -> dict[str, float]:
    """{code: target} that apply to the scope: the county's for the whole county, a township's own
    for exactly that township; none for any other cut (an industry, an ownership group, several
    townships), since no target was set for those."""
    if is_whole_county(scope):
        region = ""
    elif scope.regions is not None and len(scope.regions) == 1 and scope.industries is None \
            and scope.ownership_group is None:
        region = scope.regions[0]
    else:
        return {}
    return {code: value for (code, where), value in targets.items() if where == region and code in catalog.BY_CODE}


@dataclass(frozen=True)
class Attainment:
    code: str
    actual: float | None
    target: float
    ratio: float | None   # 完成率: actual ÷ target (target ÷ actual where lower is better)
    gap: float | None     # actual − target, in the indicator's unit (a fraction for rates)
    status: str | None    # done / near / missed; None when the actual is not reported


def attain(code: str, actual, target: float, rule: Rules = Rules()) -> Attainment:
    """Compare one actual with its target. Higher is better unless the catalog says lower."""
    ind = catalog.get(code)
    if fmt.is_missing(actual):
        return Attainment(code, None, target, None, None, None)
    actual, target = float(actual), float(target)
    lower = ind.higher_is_better is False
    gap = actual - target
    ahead = -gap if lower else gap  # > 0: better than the target
    if lower:
        ratio = target / actual if actual else None
    else:
        ratio = actual / target if target else None
    if ahead >= -EPSILON:
        status = "done"
    elif ind.is_rate:
        status = "near" if -ahead <= rule.near_points + EPSILON else "missed"
    else:
        status = "near" if ratio is not None and ratio >= rule.near_ratio - EPSILON else "missed"
    return Attainment(code, actual, target, ratio, gap, status)


def attainments(values: dict, targets: dict[str, float], rule: Rules = Rules()) -> list[Attainment]:
    """Every target of the scope against its actual, misses first, then in catalog order."""
    order = {ind.code: i for i, ind in enumerate(catalog.INDICATORS)}
    rows = [attain(code, values.get(code), target, rule) for code, target in targets.items()]
    return sorted(rows, key=lambda a: (ORDER[a.status], order[a.code]))


def status_label(status: str | None, lang: str = "zh") -> str:
    return t({"done": "status_done", "near": "status_near", "missed": "status_missed"}.get(status, "status_none"),
             lang)


def shown_gap(a: Attainment) -> float | None:
    """The gap as a reader would work it out from the figures on screen: for rates, between the
    values rounded to 0.1% (45.1% against 46.0% is 0.9个百分点, not the exact 0.95 shown as 1.0)."""
    if a.gap is None or not catalog.get(a.code).is_rate:
        return a.gap
    return (float(f"{a.actual * 100:.1f}") - float(f"{a.target * 100:.1f}")) / 100


def describe(a: Attainment, lang: str = "zh", short: bool = False) -> str:
    """'目标 46.0% · 完成率 97.9% · 差0.9个百分点' (plain text: no markdown; the status says
    whether it was met); `short`
    leaves out the gap (the deck's small cards)."""
    ind = catalog.get(a.code)
    parts = [t("target_line", lang, value=fmt.fmt_number(a.target, ind.unit, lang))]
    if a.status is None:
        return " · ".join([*parts, t("status_none", lang)])
    if a.ratio is not None:
        parts.append(t("completion_line", lang, ratio=fmt.fmt_number(a.ratio, "rate", lang)))
    if short:
        return " · ".join(parts)
    size = fmt.fmt_delta(abs(shown_gap(a)), ind.unit, lang).lstrip("+±")
    if a.status == "done":
        parts.append(t("gap_ahead", lang, gap=size) if not fmt.is_negligible(a.gap, ind.unit)
                     else t("gap_even", lang))
    else:
        parts.append(t("gap_behind", lang, gap=size))
    return " · ".join(parts)


def frame(rows: list[Attainment], lang: str = "zh") -> pd.DataFrame:
    """Attainment rows as a display table (总览, the briefing, the deck and the HTML report)."""
    unit = lambda a: catalog.get(a.code).unit  # noqa: E731
    return pd.DataFrame({
        t("col_indicator", lang): [catalog.get(a.code).name(lang) for a in rows],
        t("col_target", lang): [fmt.fmt_number(a.target, unit(a), lang) for a in rows],
        t("col_actual", lang): [fmt.fmt_number(a.actual, unit(a), lang) for a in rows],
        t("col_completion", lang): [fmt.fmt_number(a.ratio, "rate", lang) for a in rows],
        t("col_gap", lang): [fmt.fmt_delta(shown_gap(a), unit(a), lang) for a in rows],
        t("col_status", lang): [status_label(a.status, lang) for a in rows],
    })


# --- small samples -------------------------------------------------------------------------------------

def denominator(code: str, row) -> float | None:
    """The count a rate is computed on (None for a count indicator or where not reported)."""
    ind = catalog.get(code)
    if not ind.denominator:
        return None
    value = row.get(ind.denominator) if hasattr(row, "get") else None
    return None if fmt.is_missing(value) else float(value)


def is_small(code: str, row, rule: Rules = Rules()) -> bool:
    """True when the rate in `row` rests on fewer than `small_n` units (or people)."""
    n = denominator(code, row)
    return n is not None and n < rule.small_n


def parts(code: str, row, lang: str = "zh") -> str:
    """A rate's numerator and denominator: '8/10家'; '' for a count indicator."""
    ind = catalog.get(code)
    if not ind.numerator or not hasattr(row, "get"):
        return ""
    return fmt.fmt_parts(row.get(ind.numerator), row.get(ind.denominator), catalog.get(ind.denominator).unit, lang,
                         catalog.get(ind.numerator).unit)


def _column(frame: pd.DataFrame, name: str | None) -> list:
    """A column's values, or None for each row where the frame has no such column (as row.get)."""
    return list(frame[name]) if name and name in frame.columns else [None] * len(frame)


def parts_of(frame: pd.DataFrame, code: str, lang: str = "zh") -> list[str]:
    """parts() for every row of a frame (one bar per row); column-wise, iterrows costs ms per chart."""
    ind = catalog.get(code)
    if not ind.numerator:
        return [""] * len(frame)
    units = catalog.get(ind.denominator).unit, catalog.get(ind.numerator).unit
    return [fmt.fmt_parts(a, b, units[0], lang, units[1])
            for a, b in zip(_column(frame, ind.numerator), _column(frame, ind.denominator))]


def small_of(frame: pd.DataFrame, code: str, rule: Rules = Rules()) -> list[bool]:
    """is_small() for every row of a frame."""
    ind = catalog.get(code)
    if not ind.denominator:
        return [False] * len(frame)
    return [not fmt.is_missing(n) and float(n) < rule.small_n for n in _column(frame, ind.denominator)]


def reliable(frame: pd.DataFrame, code: str, rule: Rules = Rules()) -> pd.DataFrame:
    """Rows of `frame` whose rate rests on enough units: only these may appear in "lowest" lists."""
    ind = catalog.get(code)
    if not ind.denominator:
        return frame
    return frame[frame[ind.denominator].astype(float) >= rule.small_n]


def lowest(code: str, year: int, scope: Scope, lang: str, n: int = 3) -> dict[str, list]:
    """总览's 需关注: the `n` townships lowest on `code` in `year` among those with enough units,
    as columns for st.dataframe (township, the rate, its parts). Made once per snapshot,
    arguments, language and the store's words."""
    return _lowest(code, year, scope, lang, n, i18n.labels())


@store.memo  # the page shows it on every rerun
def _lowest(code: str, year: int, scope: Scope, lang: str, n: int, labels: tuple) -> dict[str, list]:
    by_region = indicators.table(scope, "region", (year,))
    ind = catalog.get(code)
    rows = reliable(by_region.dropna(subset=[code]), code, rules()).nsmallest(n, code)
    return {t("region", lang): list(rows["name_en" if lang == "en" else "name_zh"]),
            ind.name(lang): [fmt.fmt_number(v, ind.unit, lang) for v in rows[code]],
            t("col_parts", lang): [parts(code, row, lang) for _, row in rows.iterrows()]}


# --- changes across missing years ---------------------------------------------------------------------

def base_year(by_year: pd.DataFrame, code: str, year: int) -> int | None:
    """The latest year before `year` in which `code` was reported; None if there is none."""
    if code not in by_year.columns:
        return None
    earlier = by_year.loc[[y for y in by_year.index if y < year], code]
    reported = [int(y) for y, v in earlier.items() if not fmt.is_missing(v)]
    return max(reported) if reported else None


def latest_earlier(years, year: int) -> int | None:
    """The latest reported year before `year` (years with any data)."""
    earlier = [int(y) for y in years if y < year]
    return max(earlier) if earlier else None


def base_text(year: int, base: int | None, lang: str = "zh") -> str:
    """'较2023年'; '较2001年（2002—2003年无数据）'; '2003年无数据' when nothing earlier was reported."""
    if base is None:
        return t("no_data_year", lang, year=year - 1)
    if base == year - 1:
        return t("vs_prev_year", lang, year=base)
    gap = (t("no_data_year", lang, year=base + 1) if base + 1 == year - 1
           else t("no_data_years", lang, start=base + 1, end=year - 1))
    return t("vs_year_gap", lang, year=base, gap=gap)


@dataclass(frozen=True)
class Change:
    code: str
    base: int | None      # the year compared with
    delta: float | None   # value − value in `base`
    small: bool           # 样本少: this year's or the base year's rate rests on too few units
    text: str             # '+2.3个百分点', '+1.0个百分点 样本少', '—'
    color: str            # 'normal', 'inverse' or 'off' (Streamlit's delta colours)


def change(by_year: pd.DataFrame, code: str, year: int, lang: str = "zh", rule: Rules = Rules()) -> Change:
    """The change of `code` in `year` against its latest earlier reported year, with the small-sample
    flag and the colour it may be shown in."""
    ind = catalog.get(code)
    base = base_year(by_year, code, year)
    value = by_year.loc[year, code] if year in by_year.index else None
    if base is None or fmt.is_missing(value):
        return Change(code, base, None, False, fmt.MISSING, "off")
    delta = float(value) - float(by_year.loc[base, code])
    small = is_small(code, by_year.loc[year], rule) or is_small(code, by_year.loc[base], rule)
    text = fmt.fmt_delta(delta, ind.unit, lang)
    if small:
        text += " " + t("small_sample", lang)
    flat = fmt.is_negligible(delta, ind.unit)
    color = ("off" if small or flat or ind.higher_is_better is None
             else ("normal" if ind.higher_is_better else "inverse"))
    return Change(code, base, delta, small, text, color)
