"""Load test (issue #10): N browser sessions read the dashboard while imports publish.

    python bench/load_test.py --sessions 20 --seconds 120 --publish-every 10 --json load.json

Builds a county store (the demo written out through the template and imported, as staff would
do) in a temporary folder, starts `streamlit run dashboard.py` on 127.0.0.1 with UNIONSTATS_DB
pointing at it, then opens N pages in one headless Chromium (Debian's /usr/bin/chromium), each
cycling through every page of the app for --seconds. Meanwhile `python -m unionstats import`
publishes a small 帮扶 sheet with alternating figures every --publish-every seconds.

Counted per page view, after the app reports its script run finished: exception boxes
(stException) and alerts whose text contains 失败 or Traceback. Also recorded: imports run and
their exit codes, the server's peak RSS (VmHWM, summed over it and any children) and CPU time,
tracebacks in the server's log. Exit status 1 when any view failed, timed out or an import failed.

--app-dir runs the server, the store build and the imports from another checkout (for example
the code before a fix), so the same load can be compared. Not part of pytest. Bounded: no view
starts after --seconds, one in flight may take twice --view-timeout (load, then run), and the
whole load is cut off after --seconds + 2 × --view-timeout + 300 s. Binds 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import server as dashboard  # noqa: E402
PAGES = ("overview", "coverage", "rights", "aid", "townships", "compare", "briefing", "data", "glossary")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"
ALERT = "[data-testid='stAlert']"
ERROR_WORDS = ("失败", "Traceback")
HEADING = "[data-testid='stMain'] [data-testid='stHeading']"  # the page's title, not the sidebar's
# A view is finished when the script run is over and something was drawn: a fresh document
# shows the idle state before its first run starts, so idle alone is not enough.
FINISHED = f"""() => document.querySelector("{IDLE}") !== null && document.querySelector(
    "{HEADING}, {EXCEPTION}, {ALERT}") !== null"""

# After a sidebar click the old page stays on screen, idle, until the new run has started. The
# new view is there once the app is idle again and either the first heading changed (every page
# has its own title) or a run was seen since the click. Under load the frontend may apply "run
# started" and "run finished" in one render, so the run state alone can miss a run.
WATCH_RUNS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    window.__ranSinceClick = false;
    new MutationObserver((records) => {
        if (records.some(r => r.oldValue !== "notRunning")
            || app.getAttribute("data-test-script-state") !== "notRunning") window.__ranSinceClick = true;
    }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"]});
}"""
BEFORE_CLICK = f"""() => {{
    window.__ranSinceClick = false;
    const heading = document.querySelector("{HEADING}");
    return heading ? heading.innerText : "";
}}"""
FINISHED_AFTER_CLICK = f"""(before) => {{
    const heading = document.querySelector("{HEADING}");
    const moved = window.__ranSinceClick === true || (heading !== null && heading.innerText !== before);
    return moved && ({FINISHED})();
}}"""
# What the page showed when a view timed out, for the report.
STATE = f"""() => {{
    const app = document.querySelector("[data-testid='stApp']");
    const heading = document.querySelector("{HEADING}");
    return {{path: location.pathname, state: app && app.getAttribute("data-test-script-state"),
            heading: heading && heading.innerText.slice(0, 60), ran: window.__ranSinceClick,
            connection_notice: document.querySelector("[data-testid='stConnectionStatus']") !== null}};
}}"""

# Runs with the app's own code (cwd = --app-dir): the same steps as tests/conftest.py
# county_template/county_store, plus the two 帮扶 files the publisher alternates between.
BUILD = """
import sys
from pathlib import Path
from unionstats import demo, importing, snapshots, store, template
folder, values = Path(sys.argv[1]), [int(v) for v in sys.argv[2:]]
demo_db = folder / "demo.duckdb"
demo.build(demo_db)
county = folder / "county.xlsx"
template.write(county, template.store_tables(demo_db))
store.clear_cache()
db = folder / "county.duckdb"
prepared = importing.prepare(db, county.name, county.read_bytes())
if prepared.batch.problems:
    sys.exit("county template has problems: " + repr(prepared.batch.problems[:3]))
snapshots.publish(prepared.candidate)
header = ["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"]
for n in values:
    (folder / f"aid_{n}.xlsx").write_bytes(
        template.sheet_bytes({"帮扶": [header, [2024, "城关镇", "送温暖", n, 0, n * 100]]}))
"""
AID_VALUES = (1111, 2222)


# --- the server's memory and CPU, from /proc ------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


class Monitor(threading.Thread):
    """Samples the server and its children: peak VmHWM per process and CPU seconds (user+system,
    including children it has waited for). Summing per-process peaks is an upper bound."""

    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every, self.stop = pid, every, threading.Event()
        self.hwm_kb: dict[int, int] = {}
        self.cpu_s: dict[int, float] = {}
        self.tick = os.sysconf("SC_CLK_TCK")

    def sample(self) -> None:
        for pid in _tree(self.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), int(match.group(1)))
            # utime, stime, cutime, cstime are fields 14-17 of /proc/pid/stat (11-14 after the name)
            self.cpu_s[pid] = sum(int(v) for v in fields[11:15]) / self.tick

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.every)

    def peak_rss_mb(self) -> float:
        return sum(self.hwm_kb.values()) / 1024

    def cpu_seconds(self) -> float:
        return sum(self.cpu_s.values())


# --- the load ---------------------------------------------------------------------------------------

async def session(index: int, browser, base: str, deadline: float, view_timeout: float, navigate: str,
                  views: list) -> None:
    """One user: opens a page, then moves on through the sidebar (navigate='click': one server
    session that reruns, as people use it) or by loading each page afresh ('goto': a new server
    session per view). Every view is checked once its script run has finished."""
    from playwright.async_api import Error as PlaywrightError
    async def new_page():
        context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        return context, await context.new_page()

    context, page = await new_page()
    step = index  # sessions start on different pages
    fresh = True
    timeout = view_timeout * 1000
    try:
        while time.monotonic() < deadline:
            name = PAGES[step % len(PAGES)]
            step += 1
            started = time.monotonic()
            view = {"session": index, "page": name, "at": round(started, 3)}
            try:
                links = page.locator("[data-testid='stSidebarNav'] a")
                if fresh or navigate == "goto" or await links.count() != len(PAGES):
                    view["how"] = "goto"
                    await page.goto(f"{base}/{name}", timeout=timeout)
                    view["loaded"] = round(time.monotonic() - started, 3)  # the document, before the run
                    # Polled on a timer: animation frames may be throttled in a page nobody looks at.
                    await page.wait_for_function(FINISHED, polling=200, timeout=timeout)
                    await page.evaluate(WATCH_RUNS)
                else:
                    view["how"] = "click"
                    before = await page.evaluate(BEFORE_CLICK)
                    await links.nth(PAGES.index(name)).click(timeout=timeout)
                    await page.wait_for_function(FINISHED_AFTER_CLICK, arg=before, polling=200, timeout=timeout)
                view["seconds"] = round(time.monotonic() - started, 3)
                fresh = False
                landed = page.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
                if landed != name and not (name == PAGES[0] and landed == base.rsplit("/", 1)[-1]):
                    view["failed"] = f"landed on {page.url}"
                view["exceptions"] = [t[:3000] for t in await page.locator(EXCEPTION).all_inner_texts()]
                alerts = await page.locator(ALERT).all_inner_texts()
                view["errors"] = [t[:3000] for t in alerts if any(w in t for w in ERROR_WORDS)]
            except PlaywrightError as exc:  # a timeout, or the page crashed: start afresh
                view["seconds"] = round(time.monotonic() - started, 3)
                view["failed"] = f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:300]}"
                try:
                    view["state"] = await page.evaluate(STATE)
                except PlaywrightError:
                    pass
                fresh = True
                views.append(view)
                # A new browser context, as a user would reopen the page (a crashed page would
                # otherwise fail again at once, over and over).
                await context.close()
                context, page = await new_page()
                continue
            views.append(view)
    finally:
        await context.close()


async def publisher(app_dir: Path, db: Path, files: list[Path], every: float, deadline: float,
                    runs: list) -> None:
    """`python -m unionstats import` every `every` seconds (never two at once), alternating files."""
    i = 0
    next_at = time.monotonic() + every
    while True:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        if time.monotonic() >= deadline:
            return
        file = files[i % len(files)]
        i += 1
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "unionstats", "import", str(file), "--db", str(db), cwd=app_dir,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            _out, err = await asyncio.wait_for(proc.communicate(), timeout=300)
        except asyncio.TimeoutError:
            proc.kill()
            _out, err = await proc.communicate()
        text = err.decode(errors="replace")
        runs.append({"file": file.name, "at": round(started, 3), "seconds": round(time.monotonic() - started, 3),
                     "exit_code": proc.returncode, "published": "已导入并发布快照" in text,
                     "stderr_tail": text[-1500:] if proc.returncode else ""})
        next_at = max(next_at + every, time.monotonic())


async def load(base: str, args, app_dir: Path, db: Path, files: list[Path]) -> tuple[list, list, float]:
    from playwright.async_api import async_playwright
    views, runs = [], []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            started = time.monotonic()
            deadline = started + args.seconds
            tasks = [session(i, browser, base, deadline, args.view_timeout, args.navigate, views)
                     for i in range(args.sessions)]
            if args.publish_every > 0:
                tasks.append(publisher(app_dir, db, files, args.publish_every, deadline, runs))
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.seconds + args.view_timeout * 2 + 300)
            elapsed = time.monotonic() - started
        finally:
            await browser.close()
    return views, runs, elapsed


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def machine_cpu() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine since boot, from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return sum(ticks) - idle, sum(ticks)


def git_head(folder: Path) -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def summarise(args, app_dir: Path, views: list, runs: list, elapsed: float, monitor: Monitor,
              cpu_before: float, server_log: str, build_seconds: float, machine_busy: int) -> dict:
    ok_times = [v["seconds"] for v in views if "failed" not in v]
    bad = [v for v in views if v.get("exceptions") or v.get("errors") or v.get("failed")]
    samples, seen = [], set()
    for v in bad:  # one example of each distinct problem (first line), for the report
        text = (v.get("exceptions") or v.get("errors") or [v.get("failed", "")])[0]
        key = text.splitlines()[0][:200] if text else ""
        if key not in seen:
            seen.add(key)
            samples.append({"page": v["page"], "session": v["session"], "text": text})
    return {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "app_dir": str(app_dir), "app_commit": git_head(app_dir),
        "sessions": args.sessions, "seconds": args.seconds, "publish_every": args.publish_every,
        "navigate": args.navigate,
        "store_build_seconds": round(build_seconds, 1),
        "elapsed_seconds": round(elapsed, 1),
        "page_views": len(views),
        "page_views_by_page": {p: sum(v["page"] == p for v in views) for p in PAGES},
        "views_with_exception": sum(bool(v.get("exceptions")) for v in views),
        "exception_boxes": sum(len(v.get("exceptions", [])) for v in views),
        "views_with_error_alert": sum(bool(v.get("errors")) for v in views),
        "views_failed_or_timed_out": sum(bool(v.get("failed")) for v in views),
        "view_seconds_median": round(statistics.median(ok_times), 2) if ok_times else None,
        "view_seconds_p95": percentile(ok_times, 0.95),
        "view_seconds_max": max(ok_times) if ok_times else None,
        "imports_run": len(runs),
        "imports_published": sum(r["published"] for r in runs),
        "import_exit_codes": sorted({r["exit_code"] for r in runs}),
        "imports_failed": sum(r["exit_code"] != 0 for r in runs),
        "import_seconds_median": round(statistics.median([r["seconds"] for r in runs]), 2) if runs else None,
        "server_peak_rss_mb": round(monitor.peak_rss_mb(), 1),
        "server_processes_seen": len(monitor.hwm_kb),
        "server_cpu_seconds_total": round(monitor.cpu_seconds(), 1),
        "server_cpu_seconds_during_load": round(monitor.cpu_seconds() - cpu_before, 1),
        "machine_cpu_busy_percent_during_load": machine_busy,
        "machine_cores": os.cpu_count(),
        "server_log_tracebacks": server_log.count("Traceback (most recent call last)"),
        "load_average_1min_at_end": float(Path("/proc/loadavg").read_text().split()[0]),
        "problem_samples": samples[:10],
        "imports": runs,
        "views": [{k: v[k] for k in ("session", "page", "how", "loaded", "seconds", "failed", "state") if k in v}
                  | {"problems": len(v.get("exceptions", [])) + len(v.get("errors", []))} for v in views],
    }


TABLE_ROWS = (
    ("app checkout", "app_dir"), ("commit", "app_commit"), ("sessions", "sessions"), ("navigate", "navigate"),
    ("seconds of load", "seconds"), ("publish every (s)", "publish_every"),
    ("elapsed (s)", "elapsed_seconds"), ("page views", "page_views"),
    ("views with an exception", "views_with_exception"), ("exception boxes", "exception_boxes"),
    ("views with a 失败/Traceback alert", "views_with_error_alert"),
    ("views failed or timed out", "views_failed_or_timed_out"),
    ("view time median (s)", "view_seconds_median"), ("view time p95 (s)", "view_seconds_p95"),
    ("view time max (s)", "view_seconds_max"), ("imports run", "imports_run"),
    ("imports published", "imports_published"), ("import exit codes", "import_exit_codes"),
    ("import time median (s)", "import_seconds_median"), ("server peak RSS (MB)", "server_peak_rss_mb"),
    ("server CPU total (s)", "server_cpu_seconds_total"),
    ("server CPU during load (s)", "server_cpu_seconds_during_load"),
    ("machine CPU busy during load (%)", "machine_cpu_busy_percent_during_load"),
    ("tracebacks in server log", "server_log_tracebacks"), ("load average at end", "load_average_1min_at_end"),
)


def print_table(summary: dict) -> None:
    width = max(len(label) for label, _ in TABLE_ROWS)
    print("| " + "measure".ljust(width) + " | value |")
    print("|" + "-" * (width + 2) + "|-------|")
    for label, key in TABLE_ROWS:
        print(f"| {label.ljust(width)} | {summary[key]} |")
    print("views by page: " + ", ".join(f"{p} {n}" for p, n in summary["page_views_by_page"].items()))
    for sample in summary["problem_samples"]:
        print(f"\n--- problem on /{sample['page']} (session {sample['session']}):\n{sample['text'][:1500]}")
    for run in summary["imports"]:
        if run["exit_code"]:
            print(f"\n--- import {run['file']} exit {run['exit_code']}:\n{run['stderr_tail']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="browser pages at once (default 20)")
    parser.add_argument("--seconds", type=float, default=120, help="how long the load runs (default 120)")
    parser.add_argument("--publish-every", type=float, default=10,
                        help="seconds between imports; 0 = no imports (default 10)")
    parser.add_argument("--json", type=Path, help="write the summary and every import run here")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="checkout whose dashboard.py and unionstats serve and import (default: this one)")
    parser.add_argument("--view-timeout", type=float, default=180, help="seconds one page view may take")
    parser.add_argument("--navigate", choices=("click", "goto"), default="click",
                        help="next page through the sidebar (default) or by loading it afresh")
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--server-log", type=Path, help="keep the server's output here")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0:
        parser.error("--sessions and --seconds must be positive")
    app_dir = args.app_dir.resolve()
    if not (app_dir / "dashboard.py").is_file():
        parser.error(f"no dashboard.py in {app_dir}")

    with tempfile.TemporaryDirectory(prefix="unionstats-load-") as scratch:
        folder = Path(scratch)
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", BUILD, str(folder), *map(str, AID_VALUES)], cwd=app_dir, check=True)
        build_seconds = time.monotonic() - started
        db = folder / "county.duckdb"
        files = [folder / f"aid_{n}.xlsx" for n in AID_VALUES]
        log = folder / "server.log"
        with dashboard.streamlit(db, app_dir, log=log) as (base, server):
            monitor = Monitor(server.pid)
            try:
                monitor.start()
                monitor.sample()
                cpu_before = monitor.cpu_seconds()
                busy_before, total_before = machine_cpu()
                views, runs, elapsed = asyncio.run(load(base, args, app_dir, db, files))
                busy_after, total_after = machine_cpu()
                machine_busy = round(100 * (busy_after - busy_before) / max(1, total_after - total_before))
                monitor.stop.set()
                monitor.join()
                monitor.sample()
            finally:
                monitor.stop.set()
        server_log = log.read_text(errors="replace")
        if args.server_log:
            args.server_log.write_text(server_log)
        summary = summarise(args, app_dir, views, runs, elapsed, monitor, cpu_before, server_log, build_seconds,
                            machine_busy)
    print_table(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    failed = (summary["views_with_exception"] or summary["views_with_error_alert"]
              or summary["views_failed_or_timed_out"] or summary["imports_failed"] or not summary["page_views"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
