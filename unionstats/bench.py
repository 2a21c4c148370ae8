"""Benchmarks from a county to a province: `python -m unionstats bench`.

For each scale it builds the demo store with the generator and measures, as median (min–max)
over repeated runs: each page's server rerun in AppTest with cold and warm caches, the time of
the page's queries alone, the import of one year's template file, the first render of 总览 in a
fresh process, the app's peak memory, and the same page figures for the plain pandas way (load
the facts into pandas once, group them on every rerun) as a ratio.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from . import demo, importing, snapshots, store, template

SCALES = demo.SCALES  # national (6.4 M units): see bench/national.py for its own steps
PAGES = ("overview", "coverage", "rights", "aid", "compare", "briefing", "data")
ROOT = store.ROOT


def _stats(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{statistics.median(ms):,.0f} ({min(ms):,.0f}–{max(ms):,.0f})"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _page_runs(db: Path, page: str, repeat: int) -> dict[str, list[float]]:
    """Cold rerun (caches cleared), warm rerun (same view again), and the cold run's query time."""
    from streamlit.testing.v1 import AppTest
    os.environ["UNIONSTATS_DB"] = str(db)
    cold, warm, queries = [], [], []
    for _ in range(repeat):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        at.run()
        store.clear_cache()
        store.QUERY_LOG = []
        started = time.perf_counter()
        (at.switch_page(f"pages/{page}.py") if page != "overview" else at).run()
        cold.append(time.perf_counter() - started)
        queries.append(sum(seconds for _, seconds in store.QUERY_LOG))
        store.QUERY_LOG = None
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
    return {"cold": cold, "warm": warm, "queries": queries}


def _baseline_runs(db: Path, repeat: int) -> dict[str, list[float]]:
    """bench/baseline_overview.py, the plain pandas 总览: cold (its cache cleared) and warm."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    os.environ["UNIONSTATS_DB"] = str(db)
    cold, warm = [], []
    for _ in range(repeat):
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "bench" / "baseline_overview.py"), default_timeout=600)
        started = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - started)
        if at.exception:
            raise RuntimeError(f"baseline: {at.exception[0].value}")
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
    return {"cold": cold, "warm": warm}


def _one_year_file(db: Path, folder: Path) -> Path:
    """The latest year of the store, as staff would fill the template for one year."""
    tables = template.store_tables(db)
    year = int(tables["unit_year"]["year"].max())
    for name, frame in tables.items():
        if "year" in frame.columns:
            tables[name] = frame[frame["year"] == year]
    return template.write(folder / f"year_{year}.xlsx", tables)


def _import_run(db: Path, source: Path, folder: Path) -> float:
    target = folder / "import_target.duckdb"
    shutil.rmtree(snapshots.snapshot_dir(target), ignore_errors=True)
    shutil.copy(db, target)
    store.clear_cache()
    # Import into a store holding that scale's data that is not the demo, as in real use.
    started = time.perf_counter()
    prepared = importing.prepare(target, source.name, source.read_bytes())
    if prepared.batch.problems:
        raise RuntimeError(prepared.batch.problems[0].line())
    if prepared.candidate is not None:
        snapshots.publish(prepared.candidate)
    return time.perf_counter() - started


_CHILD = """
import json, resource, sys, time, os
started = time.perf_counter()
sys.path.insert(0, {root!r})
from unionstats import store
if {fresh!r}:
    store.DEFAULT_DB = __import__("pathlib").Path({db!r})
    os.environ.pop("UNIONSTATS_DB", None)
else:
    os.environ["UNIONSTATS_DB"] = {db!r}
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({dashboard!r}, default_timeout=600).run()
first = time.perf_counter() - started
assert not at.exception, at.exception
if {all_pages!r}:
    for page in {pages!r}[1:]:
        at.switch_page("pages/" + page + ".py").run()
try:  # VmHWM: this process's own peak; ru_maxrss would carry over the parent's peak across exec
    rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
except OSError:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"first": first, "rss_mb": rss / 1024}}))
"""


def _child(db: Path, fresh: bool, all_pages: bool) -> dict:
    code = _CHILD.format(root=str(ROOT), db=str(db), fresh=fresh, dashboard=str(ROOT / "dashboard.py"),
                         all_pages=all_pages, pages=list(PAGES))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=3600)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(scales: list[str], repeat: int, workdir: Path, out: Path | None, progress=print) -> str:
    workdir.mkdir(parents=True, exist_ok=True)
    rows, other = [], []
    for scale in scales:
        units = SCALES[scale]
        db = workdir / f"{scale}.duckdb"
        started = time.perf_counter()
        built = not db.exists()
        if built:
            demo.build(db, units=units)
        build = time.perf_counter() - started if built else None
        store.clear_cache()
        with store.cursor(db) as cur:
            unit_years = int(cur.execute("SELECT count(*) FROM unit_year").fetchone()[0])
        progress(f"[{scale}] {units:,} units, {unit_years:,} unit-years"
                 + (f" (built in {build:.1f} s)" if built else " (reused)"))
        for page in PAGES:
            timing = _page_runs(db, page, repeat)
            rows.append({"scale": scale, "page": page, "cold": _stats(timing["cold"]),
                         "warm": _stats(timing["warm"]), "queries": _stats(timing["queries"]),
                         "baseline_cold": "", "baseline_warm": "", "ratio": ""})
            if page == "overview":
                base = _baseline_runs(db, repeat)
                rows[-1].update(
                    baseline_cold=_stats(base["cold"]), baseline_warm=_stats(base["warm"]),
                    ratio=f"{_median(base['cold']) / _median(timing['cold']):,.1f}× cold, "
                          f"{_median(base['warm']) / _median(timing['warm']):,.1f}× warm")
            progress(f"  {page}: cold {rows[-1]['cold']} ms, warm {rows[-1]['warm']} ms {rows[-1]['ratio']}")
        with tempfile.TemporaryDirectory(dir=workdir) as folder:
            source = _one_year_file(db, Path(folder))
            imports = [_import_run(db, source, Path(folder)) for _ in range(max(1, min(repeat, 2)))]
        first = [_child(db, fresh=False, all_pages=False)["first"] for _ in range(max(1, min(repeat, 3)))]
        rss = _child(db, fresh=False, all_pages=True)["rss_mb"]
        other.append({"scale": scale, "units": f"{units:,}", "unit_years": f"{unit_years:,}",
                      "build_s": f"{build:.1f}" if built else "reused", "import_one_year": _stats(imports),
                      "first_render": _stats(first), "peak_rss_mb": f"{rss:,.0f}"})
        progress(f"  import {other[-1]['import_one_year']} ms, first render {other[-1]['first_render']} ms, "
                 f"RSS {rss:,.0f} MB")
    with tempfile.TemporaryDirectory() as folder:
        cold_start = _child(Path(folder) / "data" / "unionstats.duckdb", fresh=True, all_pages=False)["first"]
    text = _markdown(rows, other, cold_start, repeat)
    if out:
        out.write_text(text, encoding="utf-8")
    return text


def _table(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def _markdown(rows, other, cold_start: float, repeat: int) -> str:
    pages = pd.DataFrame(rows).rename(columns={
        "scale": "scale", "page": "page", "cold": "rerun, cold caches (ms)", "warm": "rerun, warm (ms)",
        "queries": "its queries alone, cold (ms)", "baseline_cold": "pandas baseline, cold (ms)",
        "baseline_warm": "pandas baseline, warm (ms)", "ratio": "baseline ÷ ours"})
    totals = pd.DataFrame(other).rename(columns={
        "units": "employer units", "unit_years": "unit-years", "build_s": "demo build (s)",
        "import_one_year": "import one year's template (ms)", "first_render": "first 总览 in a new process (ms)",
        "peak_rss_mb": "peak RSS, all pages (MB)"})
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    return "\n".join([
        f"Machine: {machine}. Each cell: median (min–max) of {repeat} runs.",
        "", _table(pages), "", _table(totals), "",
        f"Cold start with no database (builds the demo county, then renders 总览): {cold_start * 1000:,.0f} ms.", ""])
