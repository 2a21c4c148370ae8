"""Data access: one cached read-only connection per database file, a new cursor per query,
named $params bound by DuckDB, results cached until clear_cache().

DuckDB 2.0: sharing one connection across threads without .cursor() gives wrong results, so
every query takes its own cursor.
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
DEFAULT_DB = ROOT / "data" / "unionstats.duckdb"
SCHEMA_VERSION = "1"
REQUIRED_TABLES = ("settings", "regions", "industries", "ownership", "units", "unit_year",
                   "region_year", "inspections", "arrears", "aid_programs", "aid", "subsidies",
                   "targets", "notes", "imports", "cube")

POINTER = "CURRENT"

_lock = threading.Lock()
_connections: dict[tuple, duckdb.DuckDBPyConnection] = {}
_in_force: dict[str, tuple] = {}  # store path → identity of the file it last resolved to
_results: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_RESULT_CACHE_SIZE = 512
QUERY_LOG: list[tuple[str, float]] | None = None  # the benchmark sets a list to time each query run


class StoreError(Exception):
    """The database cannot be used; the message (Chinese, then English) says how to fix it."""


def db_path() -> Path:
    """Read at call time so tests and the CLI can point elsewhere."""
    return Path(os.environ.get("UNIONSTATS_DB") or DEFAULT_DB)


def is_default_path(path: Path) -> bool:
    return path.resolve() == DEFAULT_DB.resolve()


def snapshot_dir(path: Path) -> Path:
    """Where imports keep their snapshots of store P (see snapshots.py)."""
    path = Path(path)
    return path.with_name(path.name + ".snapshots")


def current_name(path: Path) -> str:
    """The snapshot in force for store P ('' = P itself)."""
    try:
        return (snapshot_dir(path) / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return ""


def resolve(path: Path) -> Path:
    """The database file in force for store P: read on every query, so a publish by any
    process is seen at the next query."""
    name = current_name(path)
    return snapshot_dir(path) / name if name else Path(path)


def rebuild_hint(path: Path) -> str:
    return (f"请重新生成示例数据库：python -m unionstats demo --db \"{path}\"，"
            f"或设置环境变量 UNIONSTATS_DB 指向正确的数据库文件。\n"
            f"Rebuild it with: python -m unionstats demo --db \"{path}\"")


def sql(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def _file_identity(path: Path) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_ino, st.st_mtime_ns, st.st_size)


def connect(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """The cached read-only connection to the file in force for store `path`; raises
    StoreError with a Chinese message."""
    return _open(Path(path or db_path()))[0]


def _open(configured: Path) -> tuple[duckdb.DuckDBPyConnection, tuple]:
    file = resolve(configured)
    if not file.exists():
        if file != configured:
            raise StoreError(f"当前快照文件丢失：{file}\n请在“数据管理”页或用 python -m unionstats undo 回到其他快照。")
        raise StoreError(f"找不到数据库文件：{file}\n{rebuild_hint(file)}")
    identity = _file_identity(file)
    store_key = str(configured.resolve())
    with _lock:
        con = _connections.get(identity)
        if con is not None:
            return con, identity
        # The store moved to another file (a publish) or the file was rebuilt: close what this
        # store had open. Cursors already running keep their own handle; and DuckDB's instance
        # cache would otherwise hand back the old database for a rebuilt path.
        previous = _in_force.get(store_key)
        stale = [k for k in _connections if k[0] == identity[0] or (previous and k == previous)]
        for key in stale:
            _connections.pop(key).close()
        try:
            con = duckdb.connect(str(file), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(f"数据库文件无法打开或已损坏：{file}（{exc.__class__.__name__}）\n"
                             f"{rebuild_hint(configured)}") from exc
        try:
            tables = {row[0] for row in con.execute(
                "SELECT table_name FROM information_schema.tables").fetchall()}
        except duckdb.Error as exc:
            con.close()
            raise StoreError(f"数据库文件已损坏：{file}\n{rebuild_hint(configured)}") from exc
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            con.close()
            raise StoreError(f"这不是工会数据看板的数据库（缺少表：{', '.join(missing)}）：{file}\n"
                             f"{rebuild_hint(configured)}")
        _connections[identity] = con
        _in_force[store_key] = identity
        return con, identity


def _freeze(value):
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


def query(name: str, path: Path | None = None, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound $params. Lists bind as DuckDB lists; None means "all".

    The returned frame is shared by the cache: treat it as read-only.
    """
    configured = Path(path or db_path())
    con, identity = _open(configured)
    key = (identity, name, tuple(sorted((k, _freeze(v)) for k, v in params.items())))
    with _lock:
        hit = _results.get(key)
        if hit is not None:
            _results.move_to_end(key)
            return hit
    bound = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
    try:
        try:
            cursor = con.cursor()
        except duckdb.ConnectionException:  # closed by a publish in another thread just now
            con, identity = _open(configured)
            cursor = con.cursor()
        started = time.perf_counter()
        frame = cursor.execute(sql(name), bound).df()
        if QUERY_LOG is not None:
            QUERY_LOG.append((name, time.perf_counter() - started))
    except duckdb.Error as exc:
        raise StoreError(f"查询 {name} 失败：{exc}\n{rebuild_hint(configured)}") from exc
    with _lock:
        _results[key] = frame
        while len(_results) > _RESULT_CACHE_SIZE:
            _results.popitem(last=False)
    return frame


def setting(key: str, default: str | None = None, path: Path | None = None) -> str | None:
    frame = query("setting", path=path, key=key)
    return frame["value"].iloc[0] if len(frame) else default


def clear_results() -> None:
    """Forget cached query results (connections stay open)."""
    with _lock:
        _results.clear()


def is_open(file: Path) -> bool:
    target = str(Path(file).resolve())
    with _lock:
        return any(key[0] == target for key in _connections)


def forget(file: Path) -> None:
    """Close this process's connections to one file (before deleting it)."""
    target = str(Path(file).resolve())
    with _lock:
        for key in [k for k in _connections if k[0] == target]:
            _connections.pop(key).close()
        for key in [k for k in _results if k[0][0] == target]:
            del _results[key]


def clear_cache() -> None:
    """Forget cached results and close connections (after a rebuild, between tests)."""
    with _lock:
        _results.clear()
        for con in _connections.values():
            con.close()
        _connections.clear()
        _in_force.clear()
