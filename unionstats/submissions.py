"""Which import brought each township-year's sheet, and 退回修改 marks (the `submissions` table).

Pure frame logic, called by snapshots while it builds a snapshot: an import's unit or total rows
for a township-year record that import there and clear any mark; an edit may mark township-years
returned, with a note. Everything else is carried over unchanged, so undo takes a mark back too.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

COLUMNS = ("year", "region_code", "import_id", "file_name", "sha256", "submitted_at", "submitted_by",
           "status", "note", "marked_at", "marked_by")
STATUSES = ("submitted", "returned", "missing")  # missing: no rows, never stored


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("year", "import_id") else "object") for c in COLUMNS})


def after(base: pd.DataFrame | None, arrived: pd.DataFrame, imported: dict | None,
          returns: tuple[tuple[int, str, str], ...], when: dt.datetime, who: str) -> pd.DataFrame:
    """The submissions of the new snapshot.

    base: the table in force (None for a store older than schema 4, or a fresh store);
    arrived: (year, region_code) of the township-years whose rows this import brings;
    imported: import_id, file_name, sha256 of this import (None for an edit);
    returns: (year, region_code, note) to mark 退回修改."""
    rows = {(int(r["year"]), r["region_code"]): r for r in (base if base is not None else empty()).to_dict("records")}
    if imported is not None:
        for year, region in zip(arrived["year"], arrived["region_code"]):
            rows[(int(year), region)] = {
                "year": int(year), "region_code": region, **imported, "submitted_at": when, "submitted_by": who,
                "status": "submitted", "note": "", "marked_at": None, "marked_by": None}
    for year, region, note in returns:
        old = rows.get((int(year), region)) or {"year": int(year), "region_code": region, "import_id": None,
                                                 "file_name": None, "sha256": None, "submitted_at": None,
                                                 "submitted_by": None}
        rows[(int(year), region)] = {**old, "status": "returned", "note": note, "marked_at": when, "marked_by": who}
    frame = pd.DataFrame(list(rows.values()), columns=list(COLUMNS)) if rows else empty()
    return frame.astype({"year": "int64", "import_id": "Int64"}).sort_values(["year", "region_code"])
