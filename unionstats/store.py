"""Data access: one cached read-only connection per database file, a new cursor per query,
named $params bound by DuckDB, results cached until clear_cache().

DuckDB 2.0: sharing one connection across threads without .cursor() gives wrong results, so
every query takes its own cursor.
"""
from __future__ import annotations

import os
import threading
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

_lock = threading.Lock()
_connections: dict[tuple, duckdb.DuckDBPyConnection] = {}
_results: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_RESULT_CACHE_SIZE = 512


class StoreError(Exception):
    """The database cannot be used; the message (Chinese, then English) says how to fix it."""


def db_path() -> Path:
    """Read at call time so tests and the CLI can point elsewhere."""
    return Path(os.environ.get("UNIONSTATS_DB") or DEFAULT_DB)


def is_default_path(path: Path) -> bool:
    return path.resolve() == DEFAULT_DB.resolve()


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
    """The cached read-only connection for `path`; raises StoreError with a Chinese message."""
    path = Path(path or db_path())
    if not path.exists():
        raise StoreError(f"找不到数据库文件：{path}\n{rebuild_hint(path)}")
    identity = _file_identity(path)
    with _lock:
        con = _connections.get(identity)
        if con is not None:
            return con
        # The file changed under us (rebuilt): drop connections to older versions first, or
        # DuckDB's instance cache hands back the old database.
        for key in [k for k in _connections if k[0] == identity[0]]:
            _connections.pop(key).close()
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(f"数据库文件无法打开或已损坏：{path}（{exc.__class__.__name__}）\n"
                             f"{rebuild_hint(path)}") from exc
        try:
            tables = {row[0] for row in con.execute(
                "SELECT table_name FROM information_schema.tables").fetchall()}
        except duckdb.Error as exc:
            con.close()
            raise StoreError(f"数据库文件已损坏：{path}\n{rebuild_hint(path)}") from exc
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            con.close()
            raise StoreError(f"这不是工会数据看板的数据库（缺少表：{', '.join(missing)}）：{path}\n"
                             f"{rebuild_hint(path)}")
        _connections[identity] = con
        return con


def _freeze(value):
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


def query(name: str, path: Path | None = None, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound $params. Lists bind as DuckDB lists; None means "all".

    The returned frame is shared by the cache: treat it as read-only.
    """
    path = Path(path or db_path())
    con = connect(path)
    key = (_file_identity(path), name, tuple(sorted((k, _freeze(v)) for k, v in params.items())))
    with _lock:
        hit = _results.get(key)
        if hit is not None:
            _results.move_to_end(key)
            return hit
    bound = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
    try:
        frame = con.cursor().execute(sql(name), bound).df()
    except duckdb.Error as exc:
        raise StoreError(f"查询 {name} 失败：{exc}\n{rebuild_hint(path)}") from exc
    with _lock:
        _results[key] = frame
        while len(_results) > _RESULT_CACHE_SIZE:
            _results.popitem(last=False)
    return frame


def setting(key: str, default: str | None = None, path: Path | None = None) -> str | None:
    frame = query("setting", path=path, key=key)
    return frame["value"].iloc[0] if len(frame) else default


def clear_cache() -> None:
    """Forget cached results and close connections (after a rebuild, between tests)."""
    with _lock:
        _results.clear()
        for con in _connections.values():
            con.close()
        _connections.clear()
