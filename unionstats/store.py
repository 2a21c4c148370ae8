"""Data access: one cached read-only connection per database file, a new cursor per query,
named $params bound by DuckDB, results cached until clear_cache().

DuckDB 2.0: sharing one connection across threads without .cursor() gives wrong results, so
every query takes its own cursor.

Publishes by other processes switch the store's pointer while this process reads. So:
- each file gets its own in-memory DuckDB instance that ATTACHes it read-only: a file rebuilt
  under the same path is a new instance, never DuckDB's cached old one;
- a connection is closed only when no query is running on it and it has been out of force for
  a while, never under another thread's feet;
- a page run pins the file in force once (pin()), so all its queries read one snapshot.
"""
from __future__ import annotations

import functools
import inspect
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
DEFAULT_DB = ROOT / "data" / "unionstats.duckdb"
SCHEMA_VERSION = "4"  # 2: name, township, industry, ownership per unit-year; 3: blank counts, facts view;
#                       4: reference_figures (others' published rates); regions may be counties
#                          (县/区/市), for a city federation's store; submissions (which import brought
#                          each township-year, 退回修改 marks)
# What each format added, for the message that asks to upgrade an older store.
SCHEMA_CHANGES = {"2": "单位的乡镇、行业、所有制按年度保存", "3": "未填报的数留空",
                  "4": "参考数据（全省、全国等公布的比率）；地区可以是县（市、区）；各乡镇报送情况"}
REQUIRED_TABLES = ("settings", "regions", "industries", "ownership", "units", "unit_year",
                   "region_year", "inspections", "arrears", "aid_programs", "aid", "subsidies",
                   "targets", "notes", "imports", "cube")

POINTER = "CURRENT"
LOCK = "LOCK"
HISTORY = "history.jsonl"
SNAPSHOT_NAME = re.compile(r"^(\d{6})\.duckdb$")

_lock = threading.Lock()
_connections: dict[tuple, "_Open"] = {}  # file identity → its instance
_in_force: dict[str, tuple] = {}  # store path → identity of the file it last resolved to
_results: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_RESULT_CACHE_SIZE = 512
_memo: OrderedDict[tuple, object] = OrderedDict()  # store.memo results: (file identity, function, args) → value
_MEMO_SIZE = 512
_RETIRE_AFTER = 60.0  # seconds a connection out of force stays open for runs still pinned to it
_pinned = threading.local()  # this thread's page run: store path → file it reads (files), its identity (identities)
QUERY_LOG: list[tuple[str, float]] | None = None  # the benchmark sets a list to time each query run


class StoreError(Exception):
    """The database cannot be used; the message (Chinese, then English) says how to fix it."""


class _Open:
    """One attached database file: the connection, queries running on it, last use."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con, self.active, self.last_used = con, 0, time.monotonic()


def db_path() -> Path:
    """Read at call time so tests and the CLI can point elsewhere."""
    return Path(os.environ.get("UNIONSTATS_DB") or DEFAULT_DB)


def is_default_path(path: Path) -> bool:
    return path.resolve() == DEFAULT_DB.resolve()


@dataclass(frozen=True)
class Layout:
    """The files of store P, named in this one place (snapshots.py says how they are used): P
    itself (the demo, or a file pointed at), and beside it P.snapshots/ holding the numbered
    snapshots, the pointer CURRENT naming the one in force (written as CURRENT.tmp, then
    renamed), the writers' LOCK and history.jsonl."""
    path: Path

    @property
    def folder(self) -> Path:
        return self.path.with_name(self.path.name + ".snapshots")

    @property
    def pointer(self) -> Path:
        return self.folder / POINTER

    @property
    def pointer_tmp(self) -> Path:
        return self.folder / (POINTER + ".tmp")

    @property
    def lock(self) -> Path:
        return self.folder / LOCK

    @property
    def history(self) -> Path:
        return self.folder / HISTORY

    def snapshot(self, name: str) -> Path:
        """Snapshot `name` ('' = P itself)."""
        return self.folder / name if name else self.path

    def snapshot_names(self) -> list[str]:
        """Numbered snapshots kept, oldest first."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.glob("*.duckdb") if SNAPSHOT_NAME.match(p.name))


def layout(path: Path) -> Layout:
    return Layout(Path(path))


def snapshot_dir(path: Path) -> Path:
    """Where imports keep their snapshots of store P (see snapshots.py)."""
    return layout(path).folder


def current_name(path: Path) -> str:
    """The snapshot in force for store P ('' = P itself)."""
    pointer = layout(path).pointer
    try:
        name = pointer.read_bytes().decode("utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return ""
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise StoreError(f"快照指针文件已损坏或无法读取：{pointer}（{exc.__class__.__name__}）\n"
                         f"{goto_hint(path)}") from exc
    if name and (Path(name).name != name or not name.endswith(".duckdb")):
        raise StoreError(f"快照指针文件内容无效（「{name[:40]}」）：{pointer}\n{goto_hint(path)}")
    return name


def resolve(path: Path) -> Path:
    """The database file in force for store P: read on every query, so a publish by any
    process is seen at the next query."""
    return layout(path).snapshot(current_name(path))


def rebuild_hint(path: Path) -> str:
    return (f"请重新生成示例数据库：python -m unionstats demo --db \"{path}\"，"
            f"或设置环境变量 UNIONSTATS_DB 指向正确的数据库文件。\n"
            f"Rebuild it with: python -m unionstats demo --db \"{path}\"")


def goto_hint(path: Path) -> str:
    """How to put a kept snapshot back in force from the command line (works without the app)."""
    folder = snapshot_dir(path)
    kept = sorted(p.name for p in folder.glob("*.duckdb")) if folder.is_dir() else []
    latest = kept[-1] if kept else ""
    where = f' --db "{path}"' if not is_default_path(Path(path)) else ""
    if not latest:
        return f"请重新导入数据，或重新生成示例数据库：python -m unionstats demo{where}"
    return (f"现有快照：{'、'.join(kept[-5:])}。查看历史：python -m unionstats history{where}；"
            f"回到最新的快照：python -m unionstats undo --to {latest}{where}\n"
            f"Put a kept snapshot in force: python -m unionstats undo --to {latest}{where}")


def sql(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def _file_identity(path: Path) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_ino, st.st_mtime_ns, st.st_size)


def _attach(file: Path, configured: Path) -> duckdb.DuckDBPyConnection:
    # An in-memory instance per file: DuckDB caches instances by path, so a connect() to a
    # path rebuilt in place could hand back the old database.
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("ATTACH $file AS snap (READ_ONLY)", {"file": str(file)})
        con.execute("USE snap")
        tables = {row[0] for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'snap'").fetchall()}
    except duckdb.Error as exc:
        con.close()
        text = str(exc)
        if "version" in text.lower() or "serializ" in text.lower():
            raise StoreError(f"数据库文件由另一版本的 DuckDB 写入，本程序（DuckDB {duckdb.__version__}）读不了它：{file}\n"
                             f"请用 requirements.txt 中固定的版本（duckdb=={duckdb.__version__}）的程序打开，"
                             f"或用写入它的那个版本导出为 Excel 后重新导入。") from exc
        raise StoreError(f"数据库文件无法打开或已损坏：{file}（{exc.__class__.__name__}）\n"
                         f"{goto_hint(configured) if file != configured else rebuild_hint(configured)}") from exc
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        con.close()
        raise StoreError(f"这不是工会数据看板的数据库（缺少表：{', '.join(missing)}）：{file}\n"
                         f"{rebuild_hint(configured)}")
    return con


def _retire_idle() -> None:
    """Close connections out of force, with no query running, unused for a while (lock held)."""
    now = time.monotonic()
    in_force = set(_in_force.values())
    for identity in [k for k, o in _connections.items()
                     if k not in in_force and o.active == 0 and now - o.last_used > _RETIRE_AFTER]:
        _connections.pop(identity).con.close()


def _file_for(configured: Path) -> tuple[Path, bool]:
    """The file this thread reads for the store, and whether it was just resolved (in force)."""
    pinned = getattr(_pinned, "files", {}).get(str(configured))
    if pinned is not None and pinned.exists():
        return pinned, False
    return resolve(configured), True


def _pinned_identity(configured: Path) -> tuple | None:
    """The identity of the file this thread's run is pinned to, when this process has it open:
    then no need to look at the disk again (a page run makes dozens of queries; an open
    snapshot is never pruned, see snapshots.py)."""
    identity = getattr(_pinned, "identities", {}).get(str(configured))
    return identity if identity in _connections else None


def _acquire(configured: Path, file: Path | None = None) -> tuple[_Open, tuple]:
    """The open instance for the file in force (or `file`), marked busy until _release."""
    fresh = False
    if file is None and (identity := _pinned_identity(configured)) is not None:
        with _lock:
            entry = _connections.get(identity)
            if entry is not None:
                entry.active += 1
                entry.last_used = time.monotonic()
                return entry, identity
    if file is None:
        file, fresh = _file_for(configured)
    if not file.exists():
        if file != configured:
            raise StoreError(f"当前快照文件丢失：{file}\n{goto_hint(configured)}")
        raise StoreError(f"找不到数据库文件：{file}\n{rebuild_hint(file)}")
    identity = _file_identity(file)
    with _lock:
        entry = _connections.get(identity)
        if entry is None:
            entry = _connections[identity] = _Open(_attach(file, configured))
        if fresh:
            _in_force[str(configured)] = identity
        entry.active += 1
        entry.last_used = time.monotonic()
        _retire_idle()
    return entry, identity


def _release(entry: _Open) -> None:
    with _lock:
        entry.active -= 1
        entry.last_used = time.monotonic()


def pin(path: Path | None = None) -> Path:
    """Make this thread's queries on store `path` read the file in force now, until the next
    pin() (a Streamlit page run calls this once, so the whole run reads one snapshot)."""
    configured = Path(path or db_path())
    file = resolve(configured)
    if not hasattr(_pinned, "files"):
        _pinned.files, _pinned.identities = {}, {}
    _pinned.files[str(configured)] = file
    try:
        _pinned.identities[str(configured)] = _file_identity(file)
    except OSError:  # not there (yet): queries say so
        _pinned.identities.pop(str(configured), None)
    return file


def unpin() -> None:
    _pinned.files, _pinned.identities = {}, {}


class cursor:
    """`with store.cursor(path) as cur:` a cursor on the file in force (or a given file)."""

    def __init__(self, path: Path | None = None, file: Path | None = None):
        self.configured = Path(path or db_path())
        self.file = Path(file) if file is not None else None

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.entry, _ = _acquire(self.configured, self.file)
        try:
            cur = self.entry.con.cursor()
            cur.execute("USE snap")  # a cursor starts in the in-memory catalog
        except BaseException:
            _release(self.entry)
            raise
        self.cur = cur
        return cur

    def __exit__(self, *exc) -> None:
        try:
            self.cur.close()
        finally:
            _release(self.entry)


def tables_of(cur) -> set[str]:
    """Tables of the snapshot a store cursor reads (a store of an older format lacks newer ones)."""
    return {row[0] for row in cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'snap'").fetchall()}


def connect(path: Path | None = None) -> None:
    """Check that store `path` opens; raises StoreError with a Chinese message. Attaching checks
    the file; an instance already open for it is not checked again (every page run calls this,
    and a new cursor costs milliseconds)."""
    entry, _ = _acquire(Path(path or db_path()))
    _release(entry)


def _freeze(value):
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


def query(name: str, path: Path | None = None, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound $params. Lists bind as DuckDB lists; None means "all".

    Every caller gets its own frame (the cache keeps the original), so a caller may change it.
    Years are always `years` (a list; None = every year), never a single `year`.
    """
    if "year" in params:
        raise TypeError(f"{name}: pass years=(year,) — every query takes $years")
    configured = Path(path or db_path())
    entry, identity = _acquire(configured)
    try:
        key = (identity, name, tuple(sorted((k, _freeze(v)) for k, v in params.items())))
        with _lock:
            hit = _results.get(key)
            if hit is not None:
                _results.move_to_end(key)
                return hit.copy(deep=False)  # copy-on-write: the caller's edits never reach the cache
        bound = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
        try:
            cur = entry.con.cursor()
            try:
                cur.execute("USE snap")
                started = time.perf_counter()
                frame = cur.execute(sql(name), bound).df()
            finally:
                cur.close()
            if QUERY_LOG is not None:
                QUERY_LOG.append((name, time.perf_counter() - started))
        except duckdb.Error as exc:
            old = _old_format(entry.con, configured)
            raise StoreError(old or f"查询 {name} 失败：{exc}\n{rebuild_hint(configured)}") from exc
    finally:
        _release(entry)
    with _lock:
        _results[key] = frame
        while len(_results) > _RESULT_CACHE_SIZE:
            _results.popitem(last=False)
    return frame.copy(deep=False)


def _handed_out(value):
    """What a caller gets of a cached value: its own frame or dict, so its edits never reach the cache."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)  # copy-on-write (pandas 3): cheap, and edits stay the caller's
    if isinstance(value, (dict, list)):
        return type(value)(value)
    return value


def memo(fn):
    """Cache fn's result per snapshot: for functions whose result depends only on their (hashable)
    arguments and the store they read (`path`, default db_path()). The key holds the identity of
    the file in force (or pinned), so a publish is a new key and nothing stale is ever returned.
    Frames, dicts and lists are handed out as the caller's own copies."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def cached(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        configured = Path(bound.arguments.get("path") or db_path())
        try:
            identity = _pinned_identity(configured) or _file_identity(_file_for(configured)[0])
            key = (identity, fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
            hash(key)
        except (OSError, TypeError, StoreError):  # no file yet, or an unhashable argument: no cache
            return fn(*args, **kwargs)
        with _lock:
            if key in _memo:
                _memo.move_to_end(key)
                return _handed_out(_memo[key])
        value = fn(*args, **kwargs)
        with _lock:
            _memo[key] = value
            while len(_memo) > _MEMO_SIZE:
                _memo.popitem(last=False)
        return _handed_out(value)

    return cached


def upgrade_hint(path: Path) -> str:
    where = f' --db "{path}"' if not is_default_path(Path(path)) else ""
    return (f"升级（数据不变，可撤销）：python -m unionstats upgrade{where}；示例数据库也可重新生成：python -m unionstats demo{where}"
            f"\nUpgrade it with: python -m unionstats upgrade{where}")


def _old_format(con, configured: Path) -> str | None:
    """Why a query failed, when the file is an older store format (else None)."""
    try:
        cur = con.cursor()
        try:
            cur.execute("USE snap")
            row = cur.execute("SELECT value FROM settings WHERE key = 'schema_version'").fetchone()
        finally:
            cur.close()
    except duckdb.Error:
        return None
    if row is None or not row[0].isdigit() or int(row[0]) >= int(SCHEMA_VERSION):
        return None
    added = "；".join(text for version, text in SCHEMA_CHANGES.items() if int(version) > int(row[0]))
    return (f"数据库是旧版格式（第 {row[0]} 版；本程序用第 {SCHEMA_VERSION} 版，新增：{added}）："
            f"{configured}\n{upgrade_hint(configured)}")


def setting(key: str, default: str | None = None, path: Path | None = None) -> str | None:
    frame = query("setting", path=path, key=key)
    return frame["value"].iloc[0] if len(frame) else default


def clear_results() -> None:
    """Forget cached query results (connections stay open)."""
    with _lock:
        _results.clear()
        _memo.clear()


def is_open(file: Path) -> bool:
    target = str(Path(file).resolve())
    with _lock:
        return any(key[0] == target for key in _connections)


def forget(file: Path) -> None:
    """Close this process's idle connections to one file (before deleting it)."""
    target = str(Path(file).resolve())
    with _lock:
        for key in [k for k, o in _connections.items() if k[0] == target and o.active == 0]:
            _connections.pop(key).con.close()
        for key in [k for k in _results if k[0][0] == target]:
            del _results[key]
        for key in [k for k in _memo if k[0][0] == target]:
            del _memo[key]


def clear_cache() -> None:
    """Forget cached results and close idle connections (after a rebuild, between tests)."""
    with _lock:
        _results.clear()
        _memo.clear()
        for key in [k for k, o in _connections.items() if o.active == 0]:
            _connections.pop(key).con.close()
        _in_force.clear()
    unpin()
