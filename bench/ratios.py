"""Warm page reruns ÷ the floor page, for the checkout in the current directory (so an older
checkout can be measured with the same script):

    cd ../old-checkout && python /path/to/bench/ratios.py --db data/bench/county.duckdb --repeat 9

Each round reruns the floor page (bench/floor_page.py, next to this script) and then each page,
interleaved; reported: medians of the process's CPU time per rerun (other processes on a shared
machine stretch wall time, not the CPU a rerun needs). bench/pages.py does the same and more.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = ("overview", "coverage", "rights", "aid", "townships", "compare", "briefing", "data", "glossary")


def _like_the_server() -> None:
    """As bench/pages.py (not imported: it would put its own checkout first on sys.path): one
    compiled copy of each script for all runs, and no v1 pages/ wrapper, as on the server."""
    import logging
    from streamlit.runtime import pages_manager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    original = pages_manager.PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False

    pages_manager.PagesManager.__init__ = init
    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a store built with bench/pages.py or `unionstats demo --units N`")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args()
    app = Path.cwd()
    sys.path.insert(0, str(app))
    os.environ["UNIONSTATS_DB"] = str(Path(args.db).resolve())
    _like_the_server()
    from streamlit.testing.v1 import AppTest

    def cpu(at) -> float:
        used = time.process_time()
        at.run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        return time.process_time() - used

    floor = AppTest.from_file(str(HERE / "floor_page.py"), default_timeout=600)
    cpu(floor)
    apps = {}
    pages = [p for p in args.pages.split(",") if p and (app / "pages" / f"{p}.py").exists()]
    for page in pages:
        at = AppTest.from_file(str(app / "dashboard.py"), default_timeout=600)
        cpu(at)
        if page != "overview":
            at.switch_page(f"pages/{page}.py")
        cpu(at)
        cpu(at)
        apps[page] = at
    floors, runs = [], {p: [] for p in pages}
    for _ in range(args.repeat):
        for page, at in apps.items():
            floors.append(cpu(floor))
            runs[page].append(cpu(at))
    base = statistics.median(floors)
    print(f"floor {base * 1000:.1f} ms CPU ({app})")
    for page in pages:
        median = statistics.median(runs[page])
        print(f"{page:10s} {median * 1000:7.1f} ms  {median / base:5.1f}× floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
