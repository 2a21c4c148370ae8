"""Collecting the townships' sheets (issue #15): who has sent this year's sheet, returning one for
correction (退回修改), and each township's own workbook for the next year. The page and the CLI
call these; the marks are written through the normal snapshot publish, so they can be undone."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import importing, store, template

STATUS_ZH = {"submitted": "已报送", "returned": "退回修改", "missing": "未报送"}
STATUS_EN = {"submitted": "Submitted", "returned": "Returned for correction", "missing": "Not submitted"}
RETURN_FILE = "退回修改"  # the file name history shows for a return mark


def status(year: int, path: Path | None = None) -> pd.DataFrame:
    """One row per township (region_code, name_zh, name_en, status, kind, rows, units,
    units_unionized, employees, members, file_name, submitted_at, submitted_by, note, marked_at,
    marked_by). status: submitted / returned / missing; kind: units / totals / None."""
    return store.query("submission_status", path=path, years=(int(year),))


def plain(value) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="seconds")
    return str(value)


def _number(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def status_json(year: int, path: Path | None = None) -> dict[str, dict]:
    """{region_code: {"status", "status_zh", "name", "kind", "rows", "units", "units_unionized",
    "employees", "members", "file", "at", "by", "note", "returned_at", "returned_by"}}."""
    out = {}
    for r in status(year, path).to_dict("records"):
        out[r["region_code"]] = {
            "status": r["status"], "status_zh": STATUS_ZH[r["status"]], "name": r["name_zh"], "kind": r["kind"],
            "rows": int(r["rows"]), "units": _number(r["units"]), "units_unionized": _number(r["units_unionized"]),
            "employees": _number(r["employees"]), "members": _number(r["members"]),
            "file": plain(r["file_name"]), "at": plain(r["submitted_at"]), "by": plain(r["submitted_by"]),
            "note": plain(r["note"]) or "", "returned_at": plain(r["marked_at"]), "returned_by": plain(r["marked_by"])}
    return out


def find_region(code_or_name: str, path: Path | None = None) -> dict | None:
    """A township by its code or Chinese name (code, name_zh, name_en, kind), or None."""
    regions = store.query("regions", path=path)
    match = regions[(regions["code"] == code_or_name) | (regions["name_zh"] == code_or_name)]
    return match.iloc[0][["code", "name_zh", "name_en", "kind"]].to_dict() if len(match) else None


def mark_returned(path: Path, year: int, region: str, note: str, user: str | None = None) -> importing.Prepared:
    """Build the edit that marks township `region`'s sheet of `year` 退回修改 with `note`: call it
    inside importing.write_edit. A township that sent nothing that year cannot be returned; the mark
    stays until the township's next file for that year is imported."""
    batch = importing.Batch(file_name=RETURN_FILE, sha256="", action="edit")
    note = (note or "").strip()

    def problem(column: str, message: str) -> importing.Prepared:
        batch.problems.append(importing.Problem(batch.file_name, "", None, column, message))
        return importing.Prepared(batch)

    found = find_region(region, path)
    if found is None:
        known = "、".join(store.query("regions", path=path)["code"])
        return problem("乡镇", f"没有乡镇「{region}」（可用代码：{known}）")
    if not note:
        return problem("说明", "请写明退回修改的原因，乡镇据此改正后重新报送")
    row = status(year, path).set_index("region_code").loc[found["code"]]
    if row["status"] == "missing":
        return problem("乡镇", f"{found['name_zh']} {year} 年还没有报送，无法退回修改")
    batch.returns = ((int(year), found["code"], note),)
    return importing._build(path, batch, user, None)


def township_workbook(region: str, year: int, path: Path | None = None) -> tuple[bytes, int | None, int]:
    """Township `region`'s workbook for `year`: (xlsx bytes, the year its list comes from or None,
    rows listed). Its units (or total rows) as of its latest year before `year`, counts blank."""
    found = find_region(region, path)
    if found is None:
        raise ValueError(f"没有乡镇「{region}」")
    last = store.query("township_last_year", path=path, region=found["code"], before_year=int(year))["year"].iloc[0]
    last = None if pd.isna(last) else int(last)
    units = totals = None
    if last is not None:
        units = store.query("township_units", path=path, region=found["code"], years=(last,))
        totals = store.query("township_totals", path=path, region=found["code"], years=(last,))
    data = template.township_bytes(found, int(year), last, units, totals)
    listed = len(units) if units is not None and len(units) else len(totals) if totals is not None else 0
    return data, last, listed


def source_line(row: dict) -> str:
    """Where a township's sheet came from, in one line: file, time, who; a return note."""
    if row["status"] == "missing":
        return ""
    parts = []
    if isinstance(row.get("file_name"), str):
        parts.append(f"{row['file_name']}（{plain(row['submitted_at'])}，{row['submitted_by']}）")
    else:
        parts.append("来源未记录（示例数据或升级前导入）")
    if row["status"] == "returned":
        parts.append(f"退回：{row['note']}（{plain(row['marked_at'])}，{row['marked_by']}）")
    return "；".join(parts)


def shown_time(value) -> str:
    """A time for a table cell: 2025-01-15 09:30 ('' when none)."""
    text = plain(value)
    return text[:16].replace("T", " ") if text else ""


def source_file(row: dict) -> str:
    """The file a township's sheet came from, for a table cell ('' when it sent nothing)."""
    if row["status"] == "missing" and not row["rows"]:
        return ""
    return row["file_name"] if isinstance(row.get("file_name"), str) else "（来源未记录）"
