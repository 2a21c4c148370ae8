"""Publishing data without ever showing a half-written store (DESIGN.md §4).

A store is the database file P (`UNIONSTATS_DB`) plus, once anything is imported, a folder
`P.snapshots/` holding numbered snapshot files, a one-line pointer `CURRENT` naming the one in
force, and `history.jsonl`. Every import builds a complete new snapshot file, then switches the
pointer with one atomic rename. So:
- readers see the old snapshot or the new one, never a mix; the app notices the pointer change
  on its next query and moves over (store.resolve);
- a crash (even SIGKILL) at any moment leaves the pointer on a complete file;
- undo is a pointer switch back; old snapshots stay until pruned;
- nothing is ever renamed over, or deleted while open (Windows cannot do either);
- writers (imports, edits, undo, demo rebuilds; any process, any thread) take an exclusive lock
  on `P.snapshots/LOCK` around every write, so two at once never pick one snapshot name or
  publish over each other; the OS releases the lock when a process dies;
- history is written after the pointer switch, never before: it never claims what is not in force.
No `CURRENT` means P itself is in force (the demo database, or a file someone pointed us at).
The paths of these files are named in one place, store.Layout.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import getpass
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pandas as pd

from . import dimensions, store, submissions

# Load order: a table after those it refers to.
TABLE_ORDER = ("settings", "regions", "industries", "ownership", "aid_programs", "units",
               "unit_year", "region_year", "inspections", "arrears", "aid", "subsidies",
               "targets", "notes", "reference_figures", "imports", "submissions")
DATA_TABLES = ("regions", "units", "unit_year", "region_year", "inspections", "arrears", "aid",
               "subsidies", "targets", "notes", "reference_figures")
POINTER, LOCK, HISTORY = store.POINTER, store.LOCK, store.HISTORY  # file names: store.Layout
DEFAULT_KEEP = 10
_SNAPSHOT_NAME = store.SNAPSHOT_NAME
LOCK_WAIT = 60.0  # seconds a writer waits for another to finish before giving up
PENDING_KEEP = 3600  # seconds an unpublished candidate (a page waiting for "confirm") is kept
Progress = Callable[[float, str], None]
BUSY_MESSAGE = "另一个导入正在进行，请稍后再试 / another import is in progress, try again shortly"


_DATA_RULES = (duckdb.ConstraintException, duckdb.ConversionException, duckdb.OutOfRangeException)


class Busy(store.StoreError):
    """Another writer holds the store's lock."""


_held = threading.local()  # lock files this thread holds → depth (the lock is re-entrant per thread)


def _try_lock(fd: int) -> bool:
    if os.name == "nt":
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(fd: int) -> None:
    if os.name == "nt":
        import msvcrt
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def writer_lock(path: Path, wait: float | None = None):
    """Hold store P's writer lock (waiting up to `wait` seconds, then Busy). Other processes and
    other threads of this one wait; the same thread may nest it."""
    where = store.layout(path)
    folder = where.folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(exc, folder) from exc
    file = str(where.lock.resolve())
    depth = getattr(_held, "depth", None)
    if depth is None:
        depth = _held.depth = {}
    if depth.get(file):
        depth[file] += 1
        try:
            yield
        finally:
            depth[file] -= 1
        return
    try:
        fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _write_error(exc, folder) from exc
    try:
        wait = LOCK_WAIT if wait is None else wait
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise Busy(BUSY_MESSAGE)
            time.sleep(0.05)
        depth[file] = 1
        try:
            yield
        finally:
            depth.pop(file, None)
            _unlock(fd)
    finally:
        os.close(fd)


def _write_error(exc: BaseException, where: Path) -> store.StoreError:
    """A true message for a failed write: disk full, no permission, or what the system said."""
    text = str(exc)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) \
            or "No space left" in text or "File too large" in text:
        return store.StoreError(f"磁盘空间不足，数据没有任何改动：{where}\n请清理磁盘空间后再试。"
                                f"\nDisk full: nothing was changed.")
    if isinstance(exc, PermissionError) or "Permission denied" in text or "Read-only" in text:
        return store.StoreError(f"没有写入权限，数据没有任何改动：{where}\n"
                                f"请检查该文件夹的权限（或是否为只读），或把 UNIONSTATS_DB 指向可写的位置。"
                                f"\nNo permission to write there: nothing was changed.")
    return store.StoreError(f"写入失败，数据没有任何改动：{where}（{exc.__class__.__name__}: {text[:200]}）")


def _pause_point(stage: str) -> None:
    """Crash tests stop the process here (UNIONSTATS_PAUSE_AT=stage); a no-op otherwise."""
    if os.environ.get("UNIONSTATS_PAUSE_AT") == stage:
        Path(os.environ["UNIONSTATS_PAUSE_FILE"]).write_text(stage)
        import time
        time.sleep(3600)


snapshot_dir, current_name, resolve = store.snapshot_dir, store.current_name, store.resolve


def _fsync_dir(folder: Path) -> None:
    if os.name != "nt":  # Windows cannot open a directory; its renames are durable enough
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _switch_pointer(path: Path, name: str) -> None:
    where = store.layout(path)
    folder, pointer, tmp = where.folder, where.pointer, where.pointer_tmp
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not name:
            if pointer.is_dir():
                pointer.rmdir()
            pointer.unlink(missing_ok=True)
        else:
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(name + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            _pause_point("pointer_written")
            if pointer.is_dir():  # a damaged store: a folder where the pointer belongs
                pointer.rmdir()
            os.replace(tmp, pointer)
        _fsync_dir(folder)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(exc, folder) from exc
    store.clear_results()


def _log(path: Path, record: dict) -> bool:
    """Append to history; False if it could not be written (the action itself stands)."""
    where = store.layout(path)
    try:
        where.folder.mkdir(parents=True, exist_ok=True)
        with open(where.history, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return True
    except OSError:
        return False


def history(path: Path) -> list[dict]:
    """Every recorded action, oldest first, with `current` marking the snapshot in force."""
    file = store.layout(path).history
    if not file.exists():
        return []
    records = []
    for line in file.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut by a crash mid-append
    now = current_name(path)
    for r in records:
        r["current"] = r.get("outcome") == "published" and r.get("snapshot") == now and (
            r is max((x for x in records if x.get("outcome") == "published"), key=records.index))
    return records


def user_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


# --- whole-file writes (demo) ----------------------------------------------------------------------

def _connect_quiet(file: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(file))
    con.execute("SET enable_progress_bar = false")  # no bar in the CLI's or the server's terminal
    return con


def _load(con, name: str, frame: pd.DataFrame) -> None:
    columns = ", ".join(f'"{c}"' for c in frame.columns)  # column names are ours, never user text
    con.register("incoming", frame)
    con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM incoming")
    con.unregister("incoming")


def _check_integrity(con) -> None:
    """What the keys of units and unit_year and the foreign keys of unit_year once checked,
    checked once (queries/store_integrity.sql)."""
    findings = [f for (f,) in con.execute(store.sql("store_integrity")).fetchall()]
    if findings:
        raise duckdb.ConstraintException("; ".join(findings))


def write_database(path: Path, tables: dict[str, pd.DataFrame], progress: Progress | None = None) -> Path:
    """Create a complete database from frames and atomically replace `path` with it."""
    path = Path(path)
    unknown = set(tables) - set(TABLE_ORDER)
    if unknown:
        raise ValueError(f"unknown tables: {sorted(unknown)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(exc, path.parent) from exc
    with writer_lock(path):
        try:
            return _write_database(path, tables, progress)
        except (OSError, duckdb.Error) as exc:  # disk full, no permission, or a value DuckDB refused
            raise _write_error(exc, path) from exc


def _write_database(path: Path, tables: dict[str, pd.DataFrame], progress: Progress | None) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB wants to create the file itself
    try:
        con = _connect_quiet(tmp)
        try:
            con.execute(store.sql("schema"))
            names = [n for n in TABLE_ORDER if n in tables]
            for i, name in enumerate(names):
                if progress:
                    progress(i / (len(names) + 1), name)
                _load(con, name, tables[name])
            _check_integrity(con)
            if progress:
                progress(len(names) / (len(names) + 1), "cube")
            con.execute(store.sql("build_cube"))
            con.execute("INSERT OR REPLACE INTO settings VALUES ('schema_version', ?)", [store.SCHEMA_VERSION])
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


def empty_tables() -> dict[str, pd.DataFrame]:
    """A store with the built-in dimensions and nothing else."""
    return {
        "settings": pd.DataFrame([("county_name_zh", ""), ("county_name_en", ""), ("is_demo", "false"),
                                  ("year_basis", "calendar")], columns=["key", "value"]),
        "industries": dimensions.industries_frame(), "ownership": dimensions.ownership_frame(),
        "aid_programs": dimensions.aid_programs_frame(),
    }


# --- imports -----------------------------------------------------------------------------------------

@dataclass
class Candidate:
    """A complete snapshot built from an import, not yet in force."""
    store_path: Path
    file: Path
    parent: str          # snapshot it was built on ('' = base file)
    base_file: Path | None
    replaced_demo: bool
    record: dict
    mode: str = "replace"
    # Unit-years in force now that this import would delete: year, region_code, region_zh,
    # unit_id, name, credit_code (always empty in merge mode).
    removed: pd.DataFrame | None = None


def _next_name(folder: Path) -> str:
    numbers = [int(m.group(1)) for p in folder.glob("*.duckdb") if (m := _SNAPSHOT_NAME.match(p.name))]
    return f"{max(numbers, default=0) + 1:06d}.duckdb"


def base_is_demo(path: Path) -> bool:
    base = resolve(path)
    if not base.exists():
        return False
    try:
        return store.setting("is_demo", path=base) == "true"
    except store.StoreError:
        return False


class UnitClash(ValueError):
    """Two rows of one import are the same unit in the same year (same credit code, or the same
    name and township as a known unit). `rows` holds (year, name, file row numbers)."""

    def __init__(self, rows: list[tuple[int, str, list[int]]]):
        super().__init__(rows)
        self.rows = rows


class DoubleCounted(ValueError):
    """The county's own row and townships' rows would both report a count of one year (see
    queries/count_levels.sql). `rows` holds (year, source, code, county value, townships' sum)."""

    def __init__(self, rows: list[tuple[int, str, str, float, float]]):
        super().__init__(rows)
        self.rows = rows


class MergeWouldRemove(ValueError):
    """Merge mode, but township totals would replace a township-year's unit register.
    `slices` holds (year, township name, units that would go)."""

    def __init__(self, slices: list[tuple[int, str, int]]):
        super().__init__(slices)
        self.slices = slices


MODES = ("replace", "merge")


def _credit(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _match_units(units: pd.DataFrame, by_name: pd.DataFrame, incoming: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """All units after the import (unit_id, credit_code) and the unit_id of each incoming row.

    `units`: the known units; `by_name`: (name, region_code, unit_id) of the latest unit-year of
    each known name in each township. A row is the unit with its credit code; without one (or
    with a code no unit has yet), the unit of the same name in the same township, unless that
    unit carries a different credit code or another row of the year claims it by its code. A
    renamed or moved unit is the same unit only through its credit code."""
    units = units[["unit_id", "credit_code"]].copy()
    code_of = {i: _credit(c) for i, c in zip(units["unit_id"].tolist(), units["credit_code"].tolist())}
    by_credit = {c: i for i, c in code_of.items() if c}
    names = {(n, r): i for n, r, i in zip(by_name["name"].tolist(), by_name["region_code"].tolist(),
                                         by_name["unit_id"].tolist())}
    next_id = int(units["unit_id"].max()) + 1 if len(units) else 1
    credit = incoming["credit_code"]
    if not names and pd.api.types.infer_dtype(credit, skipna=True) in ("string", "empty"):
        given = credit.fillna("") != ""
        codes = credit[given]
        if not codes.isin(list(by_credit)).any() and not codes.duplicated().any() \
                and not incoming.duplicated(["name", "region_code"]).any():
            # Every row a unit not seen before, by code or by name (a first import): each gets
            # the next id in turn, as the loop below would give it, a column at a time.
            ids = np.arange(next_id, next_id + len(incoming))
            new = pd.DataFrame({"unit_id": ids, "credit_code": credit.where(given, None).to_numpy()})
            return pd.concat([units, new], ignore_index=True), pd.Series(ids, index=incoming.index)
    # Plain lists: iterating pandas' Arrow-backed text columns value by value is slow.
    years, row_names, regions = incoming["year"].tolist(), incoming["name"].tolist(), incoming["region_code"].tolist()
    credits = [_credit(c) for c in credit.tolist()]
    claimed = {(y, by_credit[c]) for y, c in zip(years, credits) if c in by_credit}
    ids, new_rows, learned = [], [], {}
    for year, name, region, credit in zip(years, row_names, regions, credits):
        unit_id = by_credit.get(credit) if credit else None
        if unit_id is None:
            named = names.get((name, region))
            if named is not None and (credit is None or code_of.get(named) is None) \
                    and (year, named) not in claimed:
                unit_id = named
        if unit_id is None:
            unit_id = next_id
            next_id += 1
            new_rows.append({"unit_id": unit_id, "credit_code": credit})
            code_of[unit_id] = credit
        elif credit and code_of.get(unit_id) is None:
            learned[unit_id] = credit  # a known unit's credit code, first given now
            code_of[unit_id] = credit
        if credit:
            by_credit[credit] = unit_id
        names[(name, region)] = unit_id
        ids.append(unit_id)
    if learned:
        units["credit_code"] = [learned.get(i, c) for i, c in zip(units["unit_id"], units["credit_code"])]
    if new_rows:
        units = pd.concat([units, pd.DataFrame(new_rows)], ignore_index=True)
    return units, pd.Series(ids, index=incoming.index)


def _clashes(rows: pd.DataFrame, ids: pd.Series, numbers: pd.Series | None) -> list[tuple[int, str, list[int]]]:
    """Rows of one year that came out as the same unit."""
    keyed = pd.DataFrame({"year": rows["year"], "unit_id": ids, "name": rows["name"],
                          "row": numbers if numbers is not None else pd.Series(pd.NA, index=rows.index)})
    twice = keyed[keyed.duplicated(["year", "unit_id"], keep=False)]
    return [(int(year), str(group["name"].iloc[0]), [int(n) for n in group["row"].dropna()])
            for (year, _), group in twice.groupby(["year", "unit_id"], sort=True)]


def build_candidate(path: Path, batch, user: str | None = None, progress: Progress | None = None,
                    folder: Path | None = None, mode: str = "replace") -> Candidate:
    """Build the snapshot an import would publish, under the writer lock. Nothing in force
    changes. `folder` builds it elsewhere (a dry run: the store's folder is not touched).

    `mode` says what the file's unit rows do to the township-years they cover:
    - "replace": the file is the township-year's whole register; units in force there that the
      file does not list are removed (Candidate.removed lists them);
    - "merge": the file's units are added or updated, none is removed (MergeWouldRemove if
      township totals in the file would replace a unit register).
    Either way a unit row updates that unit's row for its year wherever it was (a unit that
    moved), and township totals and the other tables replace by (year, township).
    Raises UnitClash when two rows of one year are the same unit."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    path = Path(path)
    if folder is not None:
        return _build_candidate(path, batch, user, progress, Path(folder), mode)
    with writer_lock(path):
        if not path.exists() and not current_name(path):
            # The first import into a new store: an empty base, so its undo has somewhere to go.
            write_database(path, empty_tables())
        try:
            return _build_candidate(path, batch, user, progress, snapshot_dir(path), mode)
        except _DATA_RULES:
            raise  # a value the store refuses: importing reports it as a problem of the file
        except (OSError, duckdb.Error) as exc:  # disk full, no permission
            raise _write_error(exc, snapshot_dir(path)) from exc


@dataclass
class _Build:
    """One candidate being built: its connection, the batch's frames and the data in force."""
    con: duckdb.DuckDBPyConnection
    batch: object
    frames: dict[str, pd.DataFrame]
    base_file: Path | None
    mode: str
    record: dict
    step: Callable[[float, str], None]
    in_force: set[str] = field(default_factory=set)

    def base(self, table: str) -> pd.DataFrame:
        """A table in force; empty for a new store, or a table newer than the store's format."""
        if self.base_file is None:
            return empty_tables().get(table, self.con.execute(f"SELECT * FROM {table}").df())
        source = f"cur.{table}" if table in self.in_force else table
        return self.con.execute(f"SELECT * FROM {source}").df()  # table names are ours

    def slices(self, *tables: str) -> pd.DataFrame:
        """(year, township) pairs an import replaces in these tables."""
        parts = [self.frames[t][["year", "region_code"]] for t in tables if t in self.frames]
        return (pd.concat(parts).drop_duplicates() if parts
                else pd.DataFrame({"year": pd.Series(dtype="int64"), "region_code": pd.Series(dtype="str")}))


def _build_candidate(path: Path, batch, user, progress, folder: Path, mode: str) -> Candidate:
    parent = current_name(path)
    base_file = resolve(path) if resolve(path).exists() else None
    replaced_demo = batch.action == "import" and base_file is not None and base_is_demo(path)
    if replaced_demo:
        base_file = None  # the county's own data replaces the demo county wholesale
    frames = {k: v.drop(columns="__row__", errors="ignore") for k, v in batch.frames.items()}
    target = folder / _next_name(folder)
    tmp = target.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    record = {"action": batch.action, "snapshot": target.name, "parent": parent, "time": _now(),
              "user": user or user_name(), "file": batch.file_name, "sha256": batch.sha256,
              "rows": {k: int(len(v)) for k, v in frames.items()}, "outcome": "built"}
    if "unit_year" in frames or "region_year" in frames:
        record["mode"] = mode

    def step(fraction: float, label: str) -> None:
        if progress:
            progress(fraction, label)
        _pause_point(label)

    con = _connect_quiet(tmp)
    try:
        con.execute(store.sql("schema"))
        b = _Build(con, batch, frames, base_file, mode, record, step)
        if base_file is not None:
            escaped = str(base_file).replace("'", "''")  # our own file path, not user input
            con.execute(f"ATTACH '{escaped}' AS cur (READ_ONLY)")
            _base_unit_views(con)
            b.in_force = {row[0] for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'cur'").fetchall()}
        step(0.05, "settings")
        _write_settings_and_lists(b, parent)
        removed = _write_stock(b)
        _write_flows(b)
        step(0.75, "targets")
        _write_plans(b)
        _write_imports(b)
        _check_integrity(con)
        step(0.85, "cube")
        con.execute(store.sql("build_cube"))
        twice = [r for r in con.execute(store.sql("count_levels"), {"years": None}).fetchall()
                 if r[3] is not None and r[4] is not None]
        if twice:
            raise DoubleCounted(twice)
        con.execute("INSERT OR REPLACE INTO settings VALUES ('schema_version', ?)", [store.SCHEMA_VERSION])
        step(0.95, "checkpoint")
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    con.close()
    _pause_point("before_rename")
    os.replace(tmp, target)
    _pause_point("after_rename")
    return Candidate(path, target, parent, base_file, replaced_demo, record, mode, removed)


def _write_settings_and_lists(b: _Build, parent: str | None) -> None:
    """Settings (the batch's over those in force), townships (new ones after the known), and the
    fixed lists."""
    batch = b.batch
    settings = b.base("settings")
    keep_demo = batch.action != "import" and store.setting("is_demo", "false", path=b.base_file) == "true" \
        if b.base_file is not None else False
    settings = settings[~settings["key"].isin(["is_demo", "parent_snapshot", "schema_version", *batch.settings])]
    settings = pd.concat([settings, pd.DataFrame(list(batch.settings.items()), columns=["key", "value"])])
    settings = pd.concat([settings, pd.DataFrame([("is_demo", "true" if keep_demo else "false"),
                                                  ("parent_snapshot", parent)], columns=["key", "value"])])
    _load(b.con, "settings", settings)
    regions = b.base("regions")
    if "regions" in b.frames:
        incoming = b.frames["regions"]
        kept = regions[~regions["code"].isin(incoming["code"])]
        order = dict(zip(regions["code"], regions["sort_order"]))
        start = int(regions["sort_order"].max()) + 1 if len(regions) else 0
        incoming = incoming.assign(sort_order=[order.get(c, start + i) for i, c in enumerate(incoming["code"])])
        regions = pd.concat([kept, incoming[["code", "name_zh", "name_en", "kind", "sort_order"]]])
    _load(b.con, "regions", regions.sort_values("sort_order"))
    for table in ("industries", "ownership", "aid_programs"):
        _load(b.con, table, b.base(table))


def _write_stock(b: _Build) -> pd.DataFrame:
    """Units, unit-years and township totals; returns the unit-years this build removes. Unit and
    total rows of a township-year replace each other, so a township can switch from one to the
    other."""
    con, frames = b.con, b.frames
    b.step(0.2, "units")
    units = con.execute("SELECT * FROM base_units").df() if b.base_file is not None else b.base("units")
    unit_rows = frames.get("unit_year")
    if unit_rows is not None:
        by_name = pd.DataFrame({"name": pd.Series(dtype="str"), "region_code": pd.Series(dtype="str"),
                                "unit_id": pd.Series(dtype="int64")})
        if b.base_file is not None:  # known names, each at the latest year it was reported
            con.register("incoming_names", unit_rows[["name", "region_code"]].drop_duplicates())
            by_name = con.execute("""SELECT uy.name, uy.region_code, arg_max(uy.unit_id, uy.year) AS unit_id
                                     FROM base_unit_year AS uy
                                     SEMI JOIN incoming_names AS i USING (name, region_code)
                                     GROUP BY ALL""").df()
            con.unregister("incoming_names")
        units, ids = _match_units(units, by_name, unit_rows)
        clashes = _clashes(unit_rows, ids, b.batch.frames["unit_year"].get("__row__"))
        if clashes:
            raise UnitClash(clashes)
        unit_rows = unit_rows.assign(unit_id=ids)
    _load(con, "units", units)

    b.step(0.35, "unit_year")
    con.register("stock_slices", b.slices("unit_year", "region_year"))
    # Unit rows in force that go: those of the township-years a replace covers, and every row
    # this file re-sends (by year and unit, wherever the unit was: it may have moved).
    con.register("unit_slices", b.slices("unit_year", "region_year") if b.mode == "replace"
                 else b.slices("region_year"))
    con.register("incoming_ids", unit_rows[["year", "unit_id"]] if unit_rows is not None
                 else pd.DataFrame({"year": pd.Series(dtype="int64"), "unit_id": pd.Series(dtype="int64")}))
    if b.base_file is not None:
        con.execute("""INSERT INTO unit_year BY NAME SELECT uy.* FROM base_unit_year AS uy
                       ANTI JOIN unit_slices AS s ON s.year = uy.year AND s.region_code = uy.region_code
                       ANTI JOIN incoming_ids AS n ON n.year = uy.year AND n.unit_id = uy.unit_id""")
        con.execute("""INSERT INTO region_year BY NAME SELECT ry.* FROM cur.region_year AS ry
                       ANTI JOIN stock_slices AS s ON s.year = ry.year AND s.region_code = ry.region_code""")
    if unit_rows is not None:
        columns = [c for c in con.execute("SELECT * FROM unit_year LIMIT 0").df().columns]
        _load(con, "unit_year", unit_rows[columns])
    for name in ("stock_slices", "unit_slices", "incoming_ids"):
        con.unregister(name)
    removed = _removed(con) if b.base_file is not None else _removed_none()
    if b.mode == "merge" and len(removed):
        counts = removed.groupby(["year", "region_zh"], sort=False).size()
        raise MergeWouldRemove([(int(y), str(r), int(n)) for (y, r), n in counts.items()])
    # A unit with no row left in any year is forgotten (a later row makes it anew).
    con.execute("DELETE FROM units WHERE unit_id NOT IN (SELECT unit_id FROM unit_year)")
    b.record["removed_units"] = int(len(removed))
    b.step(0.5, "region_year")
    if "region_year" in frames:
        _load(con, "region_year", frames["region_year"])
    return removed


def _write_flows(b: _Build) -> None:
    """The flow tables: the file's (year, township) slices replace those in force."""
    for i, table in enumerate(("inspections", "arrears", "aid", "subsidies")):
        b.step(0.55 + 0.05 * i, table)
        b.con.register("table_slices", b.slices(table))
        if b.base_file is not None:
            b.con.execute(f"""INSERT INTO {table} SELECT t.* FROM cur.{table} AS t
                              ANTI JOIN table_slices AS s ON s.year = t.year AND s.region_code = t.region_code""")
        if table in b.frames:
            _load(b.con, table, b.frames[table])
        b.con.unregister("table_slices")


def _keyed(old: pd.DataFrame, new: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame:
    """`old` with every row whose key `new` re-sends replaced by `new`'s."""
    if new is None:
        return old
    sent = set(zip(*(new[k] for k in keys)))
    return pd.concat([old[[k not in sent for k in zip(*(old[k] for k in keys))]], new])


def _write_plans(b: _Build) -> None:
    """Targets (an edit's whole years replaced), meeting notes (a blank note removes one) and
    others' reference figures, each replaced by key."""
    targets = b.base("targets")
    targets = targets[~targets["year"].isin(b.batch.whole_target_years)]
    _load(b.con, "targets", _keyed(targets, b.frames.get("targets"), ["year", "indicator", "region_code"]))
    notes = _keyed(b.base("notes"), b.frames.get("notes"), ["year", "region_code"])
    _load(b.con, "notes", notes[notes["text"].str.strip() != ""])
    references = b.frames.get("reference_figures")
    _load(b.con, "reference_figures", _keyed(b.base("reference_figures"),
                                             None if references is None else references.assign(unit="rate"),
                                             ["year", "body", "indicator"]))


def _write_imports(b: _Build) -> None:
    """The import's line, and the townships whose sheets it brought (退回修改 marks it clears)."""
    batch, imports = b.batch, b.base("imports")
    this = pd.DataFrame([{"import_id": int(imports["import_id"].max()) + 1 if len(imports) else 1,
                          "file_name": batch.file_name, "sha256": batch.sha256,
                          "row_counts": json.dumps(b.record["rows"], ensure_ascii=False),
                          "imported_at": dt.datetime.now(), "imported_by": b.record["user"],
                          "outcome": "published"}])
    _load(b.con, "imports", pd.concat([imports, this]) if len(imports) else this)
    b.step(0.8, "submissions")
    is_import = batch.action == "import"
    arrived = b.slices("unit_year", "region_year") if is_import else b.slices()
    imported = {"import_id": int(this["import_id"].iloc[0]), "file_name": batch.file_name, "sha256": batch.sha256}
    _load(b.con, "submissions", submissions.after(
        _base_submissions(b.con) if b.base_file is not None else None, arrived,
        imported if is_import else None, batch.returns, this["imported_at"].iloc[0], b.record["user"]))


def _base_unit_views(con) -> None:
    """base_units and base_unit_year: the units and unit-years in force (cur), in today's shape.
    A store of schema 1 kept name, township, industry and ownership on `units`: it is read with
    those on every year, as it showed them, and the snapshot built from it has schema 2."""
    columns = {row[0] for row in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'cur' AND table_name = 'unit_year'"
    ).fetchall()}
    con.execute("CREATE TEMP VIEW base_units AS SELECT unit_id, credit_code FROM cur.units")
    if "region_code" in columns:
        con.execute("CREATE TEMP VIEW base_unit_year AS SELECT * FROM cur.unit_year")
    else:
        con.execute("""CREATE TEMP VIEW base_unit_year AS
                       SELECT uy.*, u.name, u.region_code, u.industry_code, u.ownership_code
                       FROM cur.unit_year AS uy JOIN cur.units AS u USING (unit_id)""")


def _has_table(con, catalog: str, table: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? AND table_name = ?",
                       [catalog, table]).fetchall()[0][0] > 0


def _base_submissions(con) -> pd.DataFrame | None:
    """The submissions in force (cur); None for a store older than schema 4, which has none."""
    return con.execute("SELECT * FROM cur.submissions").df() if _has_table(con, "cur", "submissions") else None


_REMOVED_COLUMNS = ("year", "region_code", "region_zh", "unit_id", "name", "credit_code")


def _removed_none() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("year", "unit_id") else "object")
                         for c in _REMOVED_COLUMNS})


def _removed(con) -> pd.DataFrame:
    """Unit-years in force (cur) that the candidate no longer holds: what the import deletes."""
    return con.execute("""
        SELECT b.year, b.region_code, coalesce(r.name_zh, b.region_code) AS region_zh, b.unit_id, b.name,
               u.credit_code
        FROM base_unit_year AS b
        JOIN base_units AS u USING (unit_id)
        LEFT JOIN regions AS r ON r.code = b.region_code
        ANTI JOIN unit_year AS c ON c.year = b.year AND c.unit_id = b.unit_id
        ORDER BY b.year, r.sort_order, b.name""").df()[list(_REMOVED_COLUMNS)]


def checksums(file: Path) -> dict[str, tuple[int, int]]:
    """(row count, order-free hash) of every data table: equal checksums, equal data."""
    out = {}
    with store.cursor(file) as cur:
        present = store.tables_of(cur)
        for table in ("settings", *DATA_TABLES):  # table names from our own list, never user text
            if table not in present:  # a store of an older format: the newer table is empty
                out[table] = (0, 0)
                continue
            where = "WHERE t.key <> 'parent_snapshot'" if table == "settings" else ""  # differs by design
            count, digest = cur.execute(
                f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {table} AS t {where}").fetchone()
            out[table] = (int(count), int(digest))
        # Submissions count by what they say (submitted or returned, and the note), not by which file
        # or when: the same figures imported again from another file are no change.
        out["submissions"] = cur.execute(
            "SELECT count(*), coalesce(sum(hash(year, region_code, status, note)::HUGEINT), 0) FROM submissions"
        ).fetchone() if _has_table(cur, "snap", "submissions") else (0, 0)
    return out


def unchanged(candidate: Candidate) -> bool:
    return candidate.base_file is not None and checksums(candidate.base_file) == checksums(candidate.file)


def discard(candidate: Candidate) -> None:
    store.forget(candidate.file)
    candidate.file.unlink(missing_ok=True)


STALE_MESSAGE = ("在您确认之前，数据已被他人更新（另一次导入或修改已发布）；本次没有写入，请重新上传或重新提交。"
                 "\nThe store changed while this import waited for confirmation: nothing was written, please redo it.")


def publish(candidate: Candidate, keep: int | None = None) -> None:
    """Put a candidate in force: switch the pointer (the one atomic step), then log it. Under
    the writer lock, and only if nothing was published since the candidate was built."""
    with writer_lock(candidate.store_path):
        if current_name(candidate.store_path) != candidate.parent or not candidate.file.exists():
            discard(candidate)
            raise store.StoreError(STALE_MESSAGE)
        _switch_pointer(candidate.store_path, candidate.file.name)
        _pause_point("published")
        _log(candidate.store_path, {**candidate.record, "outcome": "published"})
        _pause_point("logged")
        prune(candidate.store_path, keep)


def log_rejected(path: Path, batch, user: str | None = None) -> None:
    """Note a refused file in history, if history can be written (a read-only folder must not
    hide the problems found)."""
    _log(path, {"action": "import", "snapshot": "", "parent": current_name(path), "time": _now(),
                "user": user or user_name(), "file": batch.file_name, "sha256": batch.sha256,
                "rows": {}, "outcome": f"rejected: {len(batch.problems)} problems"})


def _pointer_or_broken(path: Path) -> str:
    """The snapshot in force, or '(损坏)' when the pointer itself is damaged (go_to repairs it)."""
    try:
        return current_name(path)
    except store.StoreError:
        return "(损坏)"


def go_to(path: Path, name: str, user: str | None = None) -> None:
    """Put any kept snapshot (or '' for the base file) in force; also repairs a damaged pointer."""
    if name and (not _SNAPSHOT_NAME.match(name) or not store.layout(path).snapshot(name).is_file()):
        raise store.StoreError(f"没有这个快照：{name}\n{store.goto_hint(path)}")
    if not name and not Path(path).exists():
        raise store.StoreError(f"没有可回退的基础数据库\n{store.goto_hint(path)}")
    with writer_lock(path):
        parent = _pointer_or_broken(path)
        _switch_pointer(path, name)
        _log(path, {"action": "go_to", "snapshot": name, "parent": parent, "time": _now(),
                    "user": user or user_name(), "outcome": "published"})


def _parent_of(path: Path, name: str) -> str | None:
    """The snapshot `name` was built on: recorded inside the snapshot itself, else in history."""
    file = store.layout(path).snapshot(name)
    if name and file.is_file():
        try:
            parent = store.setting("parent_snapshot", path=file)
            if parent is not None:
                return parent
        except store.StoreError:
            pass
    parents = {r["snapshot"]: r.get("parent", "") for r in history(path)
               if r.get("action") in ("import", "edit") and r.get("snapshot")}
    return parents.get(name)


def undo(path: Path, user: str | None = None) -> str:
    """Go back to the snapshot the one in force was built on; returns its name ('' = base)."""
    with writer_lock(path):
        now = current_name(path)
        if not now:
            raise store.StoreError("没有可撤销的导入 / nothing to undo")
        parent = _parent_of(path, now)
        if parent is None:
            raise store.StoreError(f"找不到快照 {now} 的来源，无法撤销。\n{store.goto_hint(path)}")
        go_to(path, parent, user)
        return parent


def prune(path: Path, keep: int | None = None) -> list[str]:
    """Delete the oldest snapshots beyond `keep` (UNIONSTATS_KEEP_SNAPSHOTS, default 10), never
    the one in force or its parent, never one this process has open, and never P itself."""
    keep = keep if keep is not None else int(os.environ.get("UNIONSTATS_KEEP_SNAPSHOTS", DEFAULT_KEEP))
    where = store.layout(path)
    names = where.snapshot_names()
    now = current_name(path)
    protected = {now, _parent_of(path, now) if now else ""}
    published = {r.get("snapshot") for r in history(path) if r.get("outcome") == "published"}
    removed = []
    for name in names[:max(0, len(names) - keep)]:
        file = where.snapshot(name)
        if name in protected or store.is_open(file):
            continue
        if name not in published and time.time() - file.stat().st_mtime < PENDING_KEEP:
            continue  # a candidate another session is still previewing
        try:
            file.unlink()
            removed.append(name)
        except OSError:
            continue  # open in another process (Windows): try again next time
    return removed
