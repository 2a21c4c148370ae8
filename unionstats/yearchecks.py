"""Checks between years, shown in an import's preview as notices (never errors): what a township's
new sheet says against its sheet of the year before, in the snapshot the import would publish.

For each township in the file, its latest year in the file against the year before (which may come
from the store or from the same file): units gone since, units whose employees or members moved by
more than half, the township's membership rate moved by more than 10 percentage points, and new
units of 25+ employees with no union (new gaps)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import format as fmt
from . import gaps, indicators, store
from .sheets import BY_TABLE

CHANGE = 0.5          # a unit's employees or members moving by more than half of last year's
RATE_POINTS = 0.10    # a township's membership rate moving by more than 10 percentage points
PREFIX = "与上年比较："
FIELD_ZH = {"employees": "职工人数", "members": "会员人数"}


def _latest(batch) -> list[tuple[int, str]]:
    """(year, township): each township's latest year among the file's unit and total rows."""
    parts = [batch.frames[t][["year", "region_code"]] for t in ("unit_year", "region_year") if t in batch.frames]
    if not parts:
        return []
    latest = pd.concat(parts).groupby("region_code")["year"].max()
    return [(int(y), r) for r, y in latest.items()]


def notices(file: Path, batch) -> list:
    """The warnings for `batch`, read from `file` (the candidate snapshot it built): a few
    queries per year in the file, whatever the number of townships."""
    from .importing import Problem
    pairs = _latest(batch)
    if not pairs:
        return []
    names = dict(zip(*store.query("regions", path=file)[["code", "name_zh"]].T.values))
    years = sorted({y for y, _ in pairs} | {y - 1 for y, _ in pairs})
    rates = indicators.table(indicators.Scope(regions=tuple(sorted({r for _, r in pairs}))), "region",
                             tuple(years), file)
    rate = {(int(y), k): (None if pd.isna(v) else float(v))
            for y, k, v in zip(rates["year"], rates["key"], rates["membership_rate"])}
    found = pd.concat([store.query("year_check_units", path=file, check_year=year, change=CHANGE,
                                   min_employees=gaps.DEFAULT_MIN_EMPLOYEES,
                                   regions=sorted(r for y, r in pairs if y == year)).assign(year=year)
                       for year in sorted({y for y, _ in pairs})])
    units = batch.frames.get("unit_year")
    rows = {}  # (year, township, name) → the row of the file
    if units is not None and "__row__" in units and len(found):
        units = units[units["name"].isin(set(found["name"]))]  # the few rows a notice names, not all
        rows = {(int(y), r, n): int(i) for y, r, n, i in
                zip(units["year"], units["region_code"], units["name"], units["__row__"])}
    sheet = BY_TABLE["unit_year"].zh
    out = []
    for year, region in sorted(pairs, key=lambda p: (p[1], p[0])):
        where = names.get(region, region)

        def notice(sheet: str, row, column: str, message: str, where: str = where) -> None:
            out.append(Problem(batch.file_name, sheet, row, column, PREFIX + f"{where}：" + message))

        before, after = rate.get((year - 1, region)), rate.get((year, region))
        if before is not None and after is not None and abs(after - before) > RATE_POINTS + 1e-9:
            notice("", None, "会员人数",
                   f"入会率 {year - 1} 年 {fmt.fmt_number(before, 'rate')} → {year} 年 {fmt.fmt_number(after, 'rate')}，"
                   f"变动 {(after - before) * 100:+.1f} 个百分点（超过 {RATE_POINTS * 100:.0f} 个百分点），请核实")
        mine = found[(found["year"] == year) & (found["region_code"] == region)]
        for f in mine.itertuples(index=False):
            row = rows.get((year, region, f.name))
            if f.kind == "gone":
                notice(sheet, None, "单位名称", f"「{f.name}」{year - 1} 年在册，{year} 年没有这家单位"
                                            f"（已注销、迁出，还是漏报？请核实）")
            elif f.kind == "changed":
                notice(sheet, row, FIELD_ZH[f.field],
                       f"「{f.name}」{FIELD_ZH[f.field]} {year - 1} 年 {int(f.before):,} → {year} 年 {int(f.after):,}"
                       f"（{(f.after - f.before) / f.before:+.0%}），变动超过 {CHANGE:.0%}，请核实")
            else:
                notice(sheet, row, "建会情况",
                       f"「{f.name}」是新增单位，职工 {int(f.after):,} 人，尚未建会（{gaps.DEFAULT_MIN_EMPLOYEES} 人以上"
                       f"应建立工会）：新的空白点")
    return out
