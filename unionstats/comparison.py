"""Two years side by side: every indicator's change, per-township values, ranking moves."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import catalog, exports, i18n, store, styled
from . import format as fmt
from .format import is_missing, is_negligible
from .i18n import t
from .view import View
from .indicators import Scope, table


def _verdict(ind: catalog.Indicator, change) -> str | None:
    """'better', 'worse', 'same', or None when the indicator has no good direction."""
    if is_missing(change) or ind.higher_is_better is None:
        return None
    if is_negligible(change, ind.unit):
        return "same"
    return "better" if (change > 0) == ind.higher_is_better else "worse"


@store.memo
def compare(scope: Scope, year_a: int, year_b: int, path: Path | None = None) -> pd.DataFrame:
    """One row per catalog indicator: value in year_a and year_b, change (percentage points as a
    fraction for rates), relative change (not for rates), verdict."""
    frame = table(scope, "county", (year_a, year_b), path).set_index("year")
    rows = []
    for ind in catalog.INDICATORS:
        a = frame[ind.code].get(year_a) if year_a in frame.index else None
        b = frame[ind.code].get(year_b) if year_b in frame.index else None
        change = None if is_missing(a) or is_missing(b) else float(b) - float(a)
        relative = None if ind.is_rate or change is None or float(a) == 0 else change / abs(float(a))
        rows.append({"code": ind.code, "a": a, "b": b, "change": change, "relative": relative,
                     "verdict": _verdict(ind, change)})
    return pd.DataFrame(rows)


VERDICT_COLOR = {"better": "color: #1e8449", "worse": "color: #c0392b"}


def shown(scope: Scope, year_a: int, year_b: int, lang: str, path: Path | None = None):
    """compare(…) as 年度对比 shows it: indicator, both years, change, relative change, verdict, the
    change and the verdict coloured (green better, red worse); a frozen Styler (styled.py), made
    once per snapshot, arguments, language and the store's words, never changed by its callers."""
    return _shown(scope, year_a, year_b, lang, i18n.labels(), path)


@store.memo  # formatting and styling the table each rerun cost more than showing it
def _shown(scope: Scope, year_a: int, year_b: int, lang: str, labels: tuple, path: Path | None):
    result = compare(scope, year_a, year_b, path)
    col = {k: t(k, lang) for k in ("col_indicator", "col_change", "col_relative", "col_verdict")}
    col_a, col_b = t("col_value_a", lang, year=year_a), t("col_value_b", lang, year=year_b)
    frame = result.assign(
        **{col["col_indicator"]: [catalog.get(c).name(lang) for c in result["code"]],
           col_a: [fmt.fmt_number(v, catalog.get(c).unit, lang) for c, v in zip(result["code"], result["a"])],
           col_b: [fmt.fmt_number(v, catalog.get(c).unit, lang) for c, v in zip(result["code"], result["b"])],
           col["col_change"]: [fmt.fmt_delta(v, catalog.get(c).unit, lang)
                               for c, v in zip(result["code"], result["change"])],
           col["col_relative"]: [fmt.fmt_pct_change(1 + r, 1) if r is not None else fmt.MISSING
                                 for r in result["relative"]],
           col["col_verdict"]: [t(v, lang) if isinstance(v, str) else fmt.MISSING for v in result["verdict"]]},
    )[[col["col_indicator"], col_a, col_b, col["col_change"], col["col_relative"], col["col_verdict"]]]
    colors = [VERDICT_COLOR.get(v, "") for v in result["verdict"]]
    css = pd.DataFrame({c: colors if c in (col["col_change"], col["col_verdict"]) else [""] * len(frame)
                        for c in frame.columns}, index=frame.index)
    return styled.colored(frame, css)


def beside_columns(result: pd.DataFrame, figures: pd.DataFrame, year_a: int, year_b: int,
                   lang: str = "zh") -> dict[str, list[str]]:
    """For each compared year in which another body published a figure of some indicator: a
    column (2024年对照) with '本县 81.2% · 全省 80.1%' on those indicators' rows, '' on the others.
    `figures` from references.figures; the county's value is the comparison's own a or b."""
    from . import references
    out = {}
    published = set(zip(figures["indicator"], figures["year"]))  # look rows up only where there are some
    for year, own in ((year_a, "a"), (year_b, "b")):
        if (figures["year"] == year).any():
            out[t("col_beside", lang, year=year)] = [
                references.beside(code, year, value, figures, lang) if (code, year) in published else ""
                for code, value in zip(result["code"], result[own])]
    return out


@store.memo
def region_ranks(code: str, scope: Scope, year_a: int, year_b: int, path: Path | None = None) -> pd.DataFrame:
    """Per township: the indicator in both years and its rank (1 = best) in each; `moved` > 0
    means it climbed."""
    ind = catalog.get(code)
    frame = table(scope, "region", (year_a, year_b), path)
    wide = frame.pivot(index="key", columns="year", values=code)
    out = pd.DataFrame({"region_code": wide.index, "a": wide.get(year_a), "b": wide.get(year_b)})
    best_first = ind.higher_is_better is not False
    for col in ("a", "b"):
        out[f"rank_{col}"] = out[col].rank(ascending=not best_first, method="min").astype("Int64")
    out["moved"] = out["rank_a"] - out["rank_b"]
    order = store.query("regions", path=path)["code"].tolist()
    out["order"] = out["region_code"].map({c: i for i, c in enumerate(order)})
    return out.sort_values(["rank_b", "order"]).drop(columns="order").reset_index(drop=True)


def workbook(result: pd.DataFrame, year_a: int, year_b: int, view: View, path: Path | None = None) -> bytes:
    """The comparison as .xlsx: numbers as numbers, each row in its unit's Excel format (1,972家,
    75.0%), rate changes in percentage points; the scope in the sheet name."""
    from .names import scope_label
    inds = [catalog.get(c) for c in result["code"]]
    col_a, col_b = view.t("col_value_a", year=year_a), view.t("col_value_b", year=year_b)
    change, relative = view.t("col_change"), view.t("col_relative")
    frame = pd.DataFrame({
        view.t("col_indicator"): [view.name(ind.code) for ind in inds],
        col_a: pd.to_numeric(result["a"], errors="coerce").tolist(),
        col_b: pd.to_numeric(result["b"], errors="coerce").tolist(),
        change: [None if is_missing(v) else float(v) * (100 if ind.is_rate else 1)
                 for ind, v in zip(inds, result["change"])],
        relative: [None if is_missing(v) else float(v) for v in result["relative"]],
        view.t("col_verdict"): [view.t(v) if isinstance(v, str) else None for v in result["verdict"]],
        view.t("col_code"): list(result["code"]),
    })
    units = [fmt.excel_format(ind.unit, view.lang) for ind in inds]
    formats = {col_a: units, col_b: units,
               change: [fmt.excel_points_format(view.lang) if ind.is_rate else "+" + u + ";-" + u + ";0"
                        for ind, u in zip(inds, units)],
               relative: "+0.0%;-0.0%;0.0%"}
    sheet = f"{year_a}-{year_b}_{scope_label(view.scope, view.lang, path)}"
    return exports.xlsx_bytes({sheet: frame}, formats)
