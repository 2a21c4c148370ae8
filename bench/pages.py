"""Benchmarks from a county to a province: `python bench/pages.py` (see docs/BENCHMARKS.md).

For each scale it builds the demo store with the generator and measures, as median (min–max)
over repeated runs:
- every page's server rerun in AppTest, cold (every cache cleared) and warm (the same view
  again), and the time of the cold run's queries alone;
- the floor (bench/floor_page.py: 5 bar charts, no data), rerun between the pages in the same
  run, and each page's warm rerun as a multiple of it: on a shared machine only such ratios
  measured side by side mean anything;
- in Chromium (Playwright, Debian's /usr/bin/chromium) against `streamlit run`: the time from
  opening each page, and from changing the sidebar year, to the last chart drawn;
- the plain pandas 总览 (bench/baseline_overview.py) as a ratio, the import of one year's
  template, the first render of 总览 in a fresh process and the app's peak memory.
"""
from __future__ import annotations

import argparse
import contextlib
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from unionstats import demo, figcache, importing, indicators, snapshots, store, template  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import server  # noqa: E402

SCALES = {"tiny": 300, "county": 2_000, "city": 20_000, "province": 400_000, "national": 6_400_000}
# The generator needs ≈28 GB at national scale (docs/BENCHMARKS.md): that store is made from the
# province one by bench/national.py replicate --times 16, and measured as found.
REPLICATED = {"national"}
# Above this many unit-years the pandas baseline holds ≈290 bytes a unit-year (1.3 GB at province
# scale): at national scale ≈18 GB, too much beside this process, so bench/baseline_alone.py runs it.
BASELINE_MAX_UNIT_YEARS = 20_000_000
PAGES = ("overview", "coverage", "rights", "aid", "townships", "compare", "briefing", "data", "glossary")
FLOOR = ROOT / "bench" / "floor_page.py"
DASHBOARD = ROOT / "dashboard.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _stats(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{statistics.median(ms):,.0f} ({min(ms):,.0f}–{max(ms):,.0f})"


def _like_the_server() -> None:
    """Two things AppTest does that the server does not, which would be timed as page time: it
    compiles dashboard.py and the page again on every run (the server keeps one ScriptCache for
    all sessions), and it sends every run through the v1 pages/ wrapper (the server drops it once
    st.navigation has run; tests/conftest.py does the same)."""
    from streamlit.runtime import pages_manager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    if getattr(pages_manager.PagesManager, "_bench_like_server", False):
        return
    import logging  # AppTest outside a server warns on every run that it has no ScriptRunContext
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    original = pages_manager.PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False

    pages_manager.PagesManager.__init__ = init
    pages_manager.PagesManager._bench_like_server = True
    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared


def _timed(at, cpu: list | None = None) -> float:
    """Wall time of one run; its CPU time (the process's, all threads) appended to `cpu`."""
    started, used = time.perf_counter(), time.process_time()
    at.run()
    elapsed = time.perf_counter() - started
    if cpu is not None:
        cpu.append(time.process_time() - used)
    if at.exception:
        raise RuntimeError(f"{at._script_path}: {at.exception[0].value}")
    return elapsed


def _server_runs(db: Path, repeat: int) -> tuple[dict[str, list[float]], dict[str, dict[str, list[float]]]]:
    """Per page: cold rerun, warm rerun (wall and CPU time) and the cold run's query time; the floor
    rerun between them. CPU time is what the ratio to the floor uses: other processes on a shared
    machine stretch wall time, not the CPU a run needs."""
    from streamlit.testing.v1 import AppTest
    _like_the_server()
    os.environ["UNIONSTATS_DB"] = str(db)
    floor = AppTest.from_file(str(FLOOR), default_timeout=600)
    _timed(floor)
    apps = {}
    for page in PAGES:
        at = AppTest.from_file(str(DASHBOARD), default_timeout=600)
        _timed(at)
        if page != "overview":
            at.switch_page(f"pages/{page}.py")
            _timed(at)
        apps[page] = at
    floors: dict[str, list[float]] = {"wall": [], "cpu": []}
    timing = {page: {"cold": [], "warm": [], "warm_cpu": [], "queries": []} for page in PAGES}
    for _ in range(repeat):
        for page, at in apps.items():
            store.clear_cache()  # query results, per-snapshot results, connections
            figcache.clear()
            store.QUERY_LOG = []
            timing[page]["cold"].append(_timed(at))
            timing[page]["queries"].append(sum(seconds for _, seconds in store.QUERY_LOG))
            store.QUERY_LOG = None
    # Warm runs in a pass of their own (each page once first: the cold runs cleared every cache),
    # so that no cold run's garbage is collected during a floor or warm run.
    for at in apps.values():
        _timed(at)
    for _ in range(repeat):
        for page, at in apps.items():
            floors["wall"].append(_timed(floor, floors["cpu"]))
            timing[page]["warm"].append(_timed(at, timing[page]["warm_cpu"]))
    return floors, timing


def _baseline_runs(db: Path, repeat: int) -> dict[str, list[float]]:
    """bench/baseline_overview.py, the plain pandas 总览: cold (its cache cleared) and warm."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    os.environ["UNIONSTATS_DB"] = str(db)
    cold, warm = [], []
    for _ in range(repeat):
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "bench" / "baseline_overview.py"), default_timeout=600)
        cold.append(_timed(at))
        warm.append(_timed(at))
    return {"cold": cold, "warm": warm}


# --- the browser -------------------------------------------------------------------------------------

# Installed in every page before Streamlit's own scripts: notes when the app starts and stops
# running and when anything inside a plotly chart last changed (plotly drawing).
_WATCH = """
window.__bench = {start: 0, lastPlot: 0, idle: 0, sawRunning: false};
new MutationObserver((records) => {
  const now = performance.now();
  for (const r of records) {
    const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    if (r.type === 'attributes' && r.attributeName === 'data-test-script-state') {
      const state = r.target.getAttribute('data-test-script-state');
      if (state === 'running') window.__bench.sawRunning = true;
      if (state === 'notRunning') window.__bench.idle = now;
    } else if (el && el.closest && el.closest('.js-plotly-plot')) {
      window.__bench.lastPlot = now;
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""

# Done: the script has run and stopped (after a filter change: the URL carries the new value, which
# the run itself writes; a fast run may never show the 'running' state), every chart on the page
# has drawn, and nothing in any chart changed for QUIET ms (the quiet time itself is not counted).
_DONE = """([quiet, expect]) => {
  const b = window.__bench, app = document.querySelector("[data-testid='stApp']");
  // Idle only after a run of this document: before its first run the page can look idle
  // with no chart yet (the overview once counted 0 charts in CI).
  if (!b.sawRunning || !app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (expect && !location.search.includes(expect)) return false;
  if (!document.querySelector("[data-testid='stHeading'], [data-testid='stMarkdown']")) return false;
  for (const c of document.querySelectorAll("[data-testid='stPlotlyChart']"))
    if (!c.querySelector('.main-svg')) return false;
  if (b.idle === 0) b.idle = performance.now();
  const last = Math.max(b.lastPlot, b.idle);
  return performance.now() - last >= quiet ? {ms: last - b.start,
    charts: document.querySelectorAll('.js-plotly-plot').length} : false;
}"""
QUIET_MS = 600


@contextlib.contextmanager
def _streamlit(db: Path, root: Path = ROOT):
    """The dashboard of the checkout at `root` serving `db` until the block ends; yields its URL."""
    with server.streamlit(db, root) as (url, _):
        yield url


_STATE = """() => ({
  state: document.querySelector("[data-testid='stApp']")?.getAttribute('data-test-script-state'),
  sawRunning: window.__bench.sawRunning, sinceLastPlot: performance.now() - window.__bench.lastPlot,
  undrawn: [...document.querySelectorAll("[data-testid='stPlotlyChart']")].filter(c => !c.querySelector('.main-svg')).length})"""


def _wait_done(page, expect: str = "", progress=print) -> dict | None:
    """Wait for _DONE; None (and what was seen) after two minutes, so one stuck page does not end the run."""
    from playwright.sync_api import TimeoutError as Timeout
    try:
        return page.wait_for_function(_DONE, arg=[QUIET_MS, expect], polling="raf", timeout=120_000).json_value()
    except Timeout:
        progress(f"  not done after 120 s at {page.url}: {page.evaluate(_STATE)}")
        return None


def _browser_runs(db: Path, repeat: int, progress=print) -> dict[str, dict[str, list]]:
    """Per page: ms from opening the page, and from changing the sidebar year, to the last chart
    drawn; the number of charts; how many times the page fetched plotly.js."""
    from playwright.sync_api import sync_playwright
    with store.cursor(db) as cur:
        years = [int(y) for (y,) in cur.execute("SELECT DISTINCT year FROM unit_year ORDER BY year").fetchall()]
    store.clear_cache()
    earlier = str(years[-2] if len(years) > 1 else years[-1])
    out = {page: {"open": [], "year": [], "charts": [], "plotly_loads": []} for page in PAGES}
    with _streamlit(db) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        context.add_init_script(_WATCH)
        page = context.new_page()
        loads = []
        page.on("request", lambda r: loads.append(r.url) if "/PlotlyChart." in r.url else None)
        page.goto(f"{url}/overview")  # first visit: the browser caches the scripts, as on a second visit
        _wait_done(page, "", progress)
        for _ in range(repeat):
            for name in PAGES:
                loads.clear()
                page.goto(f"{url}/{name}")
                opened = _wait_done(page, "", progress)
                if opened is None:
                    continue
                page.evaluate("() => { Object.assign(window.__bench, {start: performance.now(), lastPlot: 0,"
                              " idle: 0, sawRunning: false}); }")
                page.get_by_test_id("stSidebar").get_by_role("combobox", name="年度", exact=True).click()
                page.get_by_role("option", name=earlier, exact=True).click()
                changed = _wait_done(page, f"year={earlier}", progress)
                out[name]["open"].append(opened["ms"] / 1000)
                if changed is not None:
                    out[name]["year"].append(changed["ms"] / 1000)
                out[name]["charts"].append(opened["charts"])
                out[name]["plotly_loads"].append(len(loads))
        browser.close()
    return out


# --- import, a fresh process, memory ------------------------------------------------------------------

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
    code = _CHILD.format(root=str(ROOT), db=str(db), fresh=fresh, dashboard=str(DASHBOARD),
                         all_pages=all_pages, pages=list(PAGES))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=3600)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the run and its tables -----------------------------------------------------------------------------

def run(scales: list[str], repeat: int, workdir: Path, out: Path | None, browser: bool = True,
        progress=print) -> str:
    workdir.mkdir(parents=True, exist_ok=True)
    rows, other = [], []
    for scale in scales:
        units = SCALES[scale]
        db = workdir / f"{scale}.duckdb"
        started = time.perf_counter()
        built = not db.exists()
        if built and scale in REPLICATED:
            raise SystemExit(f"{db} 不存在：先运行 python bench/national.py replicate --source-db "
                             f"{workdir / 'province.duckdb'} --db {db} --times 16")
        if built:
            demo.build(db, units=units)
        build = time.perf_counter() - started if built else None
        store.clear_cache()
        with store.cursor(db) as cur:
            unit_years = int(cur.execute("SELECT count(*) FROM unit_year").fetchone()[0])
        progress(f"[{scale}] {units:,} units, {unit_years:,} unit-years"
                 + (f" (built in {build:.1f} s)" if built else " (reused)"))
        floors, timing = _server_runs(db, repeat)
        floor = statistics.median(floors["cpu"])
        progress(f"  floor page: {_stats(floors['wall'])} ms, CPU {_stats(floors['cpu'])} ms")
        shown = _browser_runs(db, repeat, progress) if browser else {}
        for page in PAGES:
            t = timing[page]
            seen = shown.get(page)
            rows.append({"scale": scale, "page": page, "cold": _stats(t["cold"]), "warm": _stats(t["warm"]),
                         "floor": f"{statistics.median(t['warm_cpu']) / floor:.1f}×",
                         "queries": _stats(t["queries"]),
                         "open": _stats(seen["open"]) if seen and seen["open"] else "",
                         "year": _stats(seen["year"]) if seen and seen["year"] else "",
                         "charts": str(max(seen["charts"])) if seen and seen["charts"] else "",
                         "baseline_cold": "", "baseline_warm": "", "ratio": ""})
            if seen and max(seen["plotly_loads"], default=0) > 1:
                progress(f"  {page}: plotly.js fetched {max(seen['plotly_loads'])} times in one page load")
            if page == "overview" and unit_years > BASELINE_MAX_UNIT_YEARS:
                rows[-1].update(ratio="run alone: bench/baseline_alone.py")
            elif page == "overview":
                base = _baseline_runs(db, repeat)
                rows[-1].update(
                    baseline_cold=_stats(base["cold"]), baseline_warm=_stats(base["warm"]),
                    ratio=f"{statistics.median(base['cold']) / statistics.median(t['cold']):,.1f}× cold, "
                          f"{statistics.median(base['warm']) / statistics.median(t['warm']):,.1f}× warm")
            r = rows[-1]
            progress(f"  {page}: cold {r['cold']} ms, warm {r['warm']} ms = {r['floor']} floor"
                     + (f"; browser open {r['open']} ms, year {r['year']} ms" if seen else "") + f" {r['ratio']}")
        one_year = unit_years // len(indicators.years(db))
        if one_year > importing.MAX_ROWS:  # the importer refuses such a sheet: staff split it by region
            imports = []
        else:
            with tempfile.TemporaryDirectory(dir=workdir) as folder:
                source = _one_year_file(db, Path(folder))
                imports = [_import_run(db, source, Path(folder)) for _ in range(max(1, min(repeat, 2)))]
        first = [_child(db, fresh=False, all_pages=False)["first"] for _ in range(max(1, min(repeat, 3)))]
        rss = _child(db, fresh=False, all_pages=True)["rss_mb"]
        other.append({"scale": scale, "units": f"{units:,}", "unit_years": f"{unit_years:,}",
                      "build_s": f"{build:.1f}" if built else "reused",
                      "import_one_year": _stats(imports) if imports else f"over the {importing.MAX_ROWS:,}-row limit",
                      "first_render": _stats(first), "peak_rss_mb": f"{rss:,.0f}",
                      "floor": _stats(floors["wall"]), "floor_cpu": _stats(floors["cpu"])})
        progress(f"  import {other[-1]['import_one_year']} ms, first render {other[-1]['first_render']} ms, "
                 f"RSS {rss:,.0f} MB")
    with tempfile.TemporaryDirectory() as folder:
        cold_start = _child(Path(folder) / "data" / "unionstats.duckdb", fresh=True, all_pages=False)["first"]
    text = _markdown(rows, other, cold_start, repeat, browser)
    if out:
        out.write_text(text, encoding="utf-8")
    return text


def _table(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def _markdown(rows, other, cold_start: float, repeat: int, browser: bool) -> str:
    pages = pd.DataFrame(rows)
    if not browser:
        pages = pages.drop(columns=["open", "year", "charts"])
    pages = pages.rename(columns={
        "cold": "rerun, cold caches (ms)", "warm": "rerun, warm (ms)", "floor": "warm ÷ floor (CPU)",
        "queries": "its queries alone, cold (ms)", "open": "browser: open to last chart (ms)",
        "year": "browser: year change to last chart (ms)", "charts": "charts",
        "baseline_cold": "pandas baseline, cold (ms)", "baseline_warm": "pandas baseline, warm (ms)",
        "ratio": "baseline ÷ ours"})
    totals = pd.DataFrame(other).rename(columns={
        "units": "employer units", "unit_years": "unit-years", "build_s": "demo build (s)",
        "import_one_year": "import one year's template (ms)", "first_render": "first 总览 in a new process (ms)",
        "peak_rss_mb": "peak RSS, all pages (MB)", "floor": "floor page rerun (ms)",
        "floor_cpu": "floor page rerun, CPU (ms)"})
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    return "\n".join([
        f"Machine: {machine}. Each cell: median (min–max) of {repeat} runs.",
        "", _table(pages), "", _table(totals), "",
        f"Cold start with no database (builds the demo county, then renders 总览): {cold_start * 1000:,.0f} ms.", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="性能基准：县、市、省三个规模 (docs/BENCHMARKS.md)")
    parser.add_argument("--scales", default="county,city,province", help="tiny,county,city,province,national 中的若干个（national 先用 bench/national.py replicate 生成）")
    parser.add_argument("--repeat", type=int, default=5, help="每项重复次数（取中位数）")
    parser.add_argument("--workdir", default=str(ROOT / "data" / "bench"), help="基准数据库目录")
    parser.add_argument("--out", help="把结果表写入此 Markdown 文件")
    parser.add_argument("--no-browser", action="store_true", help="不测浏览器（没有 Chromium 时）")
    args = parser.parse_args(argv)
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in scales if s not in SCALES]
    if unknown:
        parser.error(f"未知规模：{', '.join(unknown)}（可选：{', '.join(SCALES)}）")
    if args.repeat < 1:
        parser.error("--repeat 应为正整数")
    browser = not args.no_browser
    if browser and not Path(CHROMIUM).exists():
        parser.error(f"找不到 {CHROMIUM}：安装 chromium，或加 --no-browser")
    text = run(scales, args.repeat, Path(args.workdir), Path(args.out) if args.out else None, browser,
               progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
