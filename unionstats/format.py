"""Every number shown to a user goes through here: 万/亿, thousands separators, %, 个百分点, "—".

Chinese first: 680000 yuan → "68.0万元", 0.75 → "75.0%", 1046 people → "1,046人".
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

MISSING = "—"

# unit key → (Chinese suffix, English suffix)
UNITS = {
    "unit": ("家", " units"),
    "person": ("人", " people"),
    "household": ("户次", " households"),
    "case": ("件", " cases"),
    "yuan": ("元", ""),
    "rate": ("%", "%"),
}

# Below these, counts keep every digit (1,046人; 40,123人); above, they switch to 万/亿.
_WAN = 1e4
_YI = 1e8
_COUNT_WAN_FROM = 1e6


# Excel number formats per unit: the number stays a number, the cell shows 1,972家 / 75.0%.
EXCEL_FORMAT = {"rate": '0.0%', "yuan": '#,##0"元"', "person": '#,##0"人"', "unit": '#,##0"家"',
                "household": '#,##0"户次"', "case": '#,##0"件"'}
EXCEL_FORMAT_EN = {"rate": '0.0%', "yuan": '"¥"#,##0', "person": '#,##0', "unit": '#,##0',
                   "household": '#,##0', "case": '#,##0'}


def excel_format(unit: str, lang: str = "zh") -> str:
    return (EXCEL_FORMAT_EN if lang == "en" else EXCEL_FORMAT)[unit]


def excel_points_format(lang: str = "zh") -> str:
    """A change of a rate, written as percentage points (the cell holds 2.3 for +2.3个百分点)."""
    word = '" pp"' if lang == "en" else '"个百分点"'
    return f'+0.0{word};-0.0{word};0.0{word}'


def unit_label(unit: str, lang: str = "zh") -> str:
    """The unit's name for a table column: 家, 人, 元, % … / units, people, yuan, %."""
    zh, en = UNITS[unit]
    if unit == "yuan":
        return "yuan" if lang == "en" else "元"
    return (en if lang == "en" else zh).strip()


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _decimal(value) -> Decimal:
    """The decimal a float stands for as written (1017.65, not 1017.6499999999999773): the
    figure people read, so that rounding it half-up gives what they would write by hand."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def fixed(value, places: int, divisor: int = 1) -> str:
    """value ÷ divisor with `places` decimals, rounded half-up on the decimal value, with
    thousands separators: fixed(10_176_500, 1, 10_000) == '1,017.7'."""
    shown = (_decimal(value) / divisor).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{shown + 0:,.{places}f}"  # + 0 turns -0.0 into 0.0


def rounded(value, places: int) -> float:
    """value rounded half-up to `places` decimals as fixed() shows it, a number again (NaN where
    missing): what a downloaded table holds for a figure the page shows rounded."""
    if is_missing(value):
        return math.nan
    return float(_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _scaled_zh(value: float, small_from: float) -> tuple[str, str]:
    """Number text and scale word (''/万/亿), choosing the scale after rounding (99,999,999 → 1.00亿)."""
    magnitude = abs(value)
    wan = Decimal(fixed(magnitude, 1, 10_000).replace(",", ""))
    if magnitude >= _YI or wan >= _WAN and magnitude >= small_from:
        return fixed(value, 2, 100_000_000), "亿"
    if magnitude >= small_from:
        return fixed(value, 1, 10_000), "万"
    return fixed(value, 0), ""


def _scaled_en(value: float, small_from: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e9:
        return f"{fixed(value, 2, 10**9)} bn"
    if magnitude >= max(small_from, 1e6):
        return f"{fixed(value, 2, 10**6)} m"
    return fixed(value, 0)


def fmt_number(value, unit: str, lang: str = "zh") -> str:
    """A value with its unit: fmt_number(680000, 'yuan') == '68.0万元'."""
    if is_missing(value):
        return MISSING
    value = float(value)
    zh_suffix, en_suffix = UNITS[unit]
    if unit == "rate":
        return f"{fixed(_decimal(value) * 100, 1)}%"
    small_from = _WAN if unit == "yuan" else _COUNT_WAN_FROM
    if lang == "en":
        text = _scaled_en(value, small_from)
        return f"¥{text}" if unit == "yuan" else f"{text}{en_suffix}"
    text, scale = _scaled_zh(value, small_from)
    return f"{text}{scale}{zh_suffix}"


def fmt_bare(value, unit: str, lang: str = "zh") -> str:
    """A count for an English sentence whose noun names the unit ("21 new grassroots unions", not
    "21 units new …"); money, rates and Chinese (21家) keep their unit as in fmt_number."""
    if lang != "en" or unit in ("yuan", "rate"):
        return fmt_number(value, unit, lang)
    return fmt_number(value, unit, lang).removesuffix(UNITS[unit][1])


def fmt_count(value) -> str:
    """A bare count for a table cell whose header names the unit: 1046 → '1,046'."""
    return MISSING if is_missing(value) else fixed(value, 0)


def fmt_parts(numerator, denominator, unit: str, lang: str = "zh", numerator_unit: str | None = None) -> str:
    """A rate's two counts, every digit kept: '8/10家', '6,435/10,000人'; the numerator's unit too
    when it differs ('96,180元/186户次'); '—' if either is missing."""
    if is_missing(numerator) or is_missing(denominator):
        return MISSING
    suffix = lambda u: (UNITS[u][1] if lang == "en" else UNITS[u][0]) if u != "yuan" else (  # noqa: E731
        " yuan" if lang == "en" else "元")
    top = f"{float(numerator):,.0f}" + (suffix(numerator_unit) if numerator_unit and numerator_unit != unit else "")
    return f"{top}/{float(denominator):,.0f}{suffix(unit)}"


def fmt_editable(value, unit: str) -> str:
    """A target as typed back into the template or editor: rates as '75%', others as plain numbers
    (the importer reads both exactly; nothing is rounded away)."""
    if is_missing(value):
        return ""
    return f"{float(value) * 100:g}%" if unit == "rate" else f"{float(value):g}"


def fmt_delta(change, unit: str, lang: str = "zh") -> str:
    """A signed change: rates in percentage points ('+2.3个百分点'), others in their unit."""
    if is_missing(change):
        return MISSING
    change = float(change)
    if is_negligible(change, unit):
        change = 0.0  # the sign follows what is shown: never "-0.0个百分点"
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    if unit == "rate":
        points = fixed(_decimal(abs(change)) * 100, 1)
        return f"{sign}{points} pp" if lang == "en" else f"{sign}{points}个百分点"
    return sign + fmt_number(abs(change), unit, lang)


def is_negligible(change: float, unit: str) -> bool:
    """A change too small to show: under 0.05 percentage points for rates, under 0.5 otherwise."""
    return abs(change) < (0.0005 if unit == "rate" else 0.5)


def fmt_pct_change(new, old) -> str:
    """Relative change '+12.5%'; '—' when there is no base to compare with."""
    if is_missing(new) or is_missing(old) or float(old) == 0:
        return MISSING
    change = (float(new) - float(old)) / abs(float(old))
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    return f"{sign}{fixed(_decimal(abs(change)) * 100, 1)}%"


def fmt_signed_int(value) -> str:
    """Places moved in a ranking: '↑2', '↓1', '—' for none."""
    if is_missing(value) or int(value) == 0:
        return MISSING
    return f"↑{int(value)}" if value > 0 else f"↓{-int(value)}"


def axis_scale(unit: str, values, lang: str = "zh") -> tuple[float, str]:
    """Divisor and axis title so that money axes read 60万 rather than 600,000."""
    finite = [abs(float(v)) for v in values if not is_missing(v)]
    top = max(finite, default=0.0)
    if unit != "yuan":
        return 1.0, ""
    if lang == "en":
        return (1e6, "¥ million") if top >= 1e6 else (1.0, "¥")
    if top >= _YI:
        return _YI, "亿元"
    if top >= _WAN:
        return _WAN, "万元"
    return 1.0, "元"


def axis_tickformat(unit: str, signed: bool = False) -> str:
    """plotly d3 tick format for a unit's axis. Decimals appear only where a tick needs them
    (~ trims zeros): a 0–4万元 axis ticks 0, 0.5, 1 … rather than 0, 1, 1, 2, 2."""
    return ("+" if signed else "") + (".1~%" if unit == "rate" else ",.2~f")
