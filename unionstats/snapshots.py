"""Writing a database: build a complete new file beside the target, then publish it with one
atomic rename, so a reader never sees a half-built database and a crash leaves the old one.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

from . import store

# Load order respects foreign keys.
TABLE_ORDER = ("settings", "regions", "industries", "ownership", "aid_programs", "units",
               "unit_year", "region_year", "inspections", "arrears", "aid", "subsidies",
               "targets", "notes", "imports")


def write_database(path: Path, tables: dict[str, pd.DataFrame],
                   progress: Callable[[float, str], None] | None = None) -> Path:
    """Create the schema, load `tables` (name → frame with the table's columns), build the cube,
    and atomically replace `path` with the result."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    unknown = set(tables) - set(TABLE_ORDER)
    if unknown:
        raise ValueError(f"unknown tables: {sorted(unknown)}")
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB wants to create the file itself
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(store.sql("schema"))
            names = [n for n in TABLE_ORDER if n in tables]
            for i, name in enumerate(names):
                if progress:
                    progress(i / (len(names) + 1), name)
                frame = tables[name]
                columns = ", ".join(f'"{c}"' for c in frame.columns)  # column names are ours, not user text
                con.register("incoming", frame)
                con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM incoming")
                con.unregister("incoming")
            if progress:
                progress(len(names) / (len(names) + 1), "cube")
            con.execute(store.sql("build_cube"))
            con.execute("INSERT OR REPLACE INTO settings VALUES ('schema_version', ?)",
                        [store.SCHEMA_VERSION])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    if progress:
        progress(1.0, "done")
    return path
