"""Browser time of two checkouts, interleaved: `python bench/browser_ab.py --before ../old --db X`.

On a shared machine the same page's time to the last chart varies by 2× between minutes, so a
before/after measured an hour apart says little. This runs `streamlit run` of both checkouts on
the same store at once, and one Chromium opens each page on one server and then the other (the
order alternating by round): from opening the page, and from changing the sidebar year, to the
last chart drawn (bench/pages.py's measure). Medians (min–max) per page and checkout.
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages as bench  # noqa: E402


def _measure(page, url: str, name: str, earlier: str) -> tuple[float, float, int] | None:
    page.goto(f"{url}/{name}")
    opened = bench._wait_done(page)
    if opened is None:
        return None
    page.evaluate("() => { Object.assign(window.__bench, {start: performance.now(), lastPlot: 0,"
                  " idle: 0, sawRunning: false}); }")
    page.get_by_test_id("stSidebar").get_by_role("combobox", name="年度", exact=True).click()
    page.get_by_role("option", name=earlier, exact=True).click()
    changed = bench._wait_done(page, f"year={earlier}")
    return opened["ms"] / 1000, (changed or {"ms": float("nan")})["ms"] / 1000, opened["charts"]


def run(before: Path, db: Path, names: list[str], rounds: int, earlier: str) -> dict:
    from playwright.sync_api import sync_playwright
    roots = {"before": before.resolve(), "after": bench.ROOT}
    out = {(name, side): {"open": [], "year": [], "charts": 0} for name in names for side in roots}
    with contextlib.ExitStack() as stack, sync_playwright() as pw:
        urls = {side: stack.enter_context(bench._streamlit(db, root)) for side, root in roots.items()}
        browser = pw.chromium.launch(executable_path=bench.CHROMIUM, args=bench.CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        context.add_init_script(bench._WATCH)
        page = context.new_page()
        for url in urls.values():  # first visits: scripts cached, the servers' first runs done
            page.goto(f"{url}/overview")
            bench._wait_done(page)
        for i in range(rounds):
            for name in names:
                for side in (("before", "after") if i % 2 == 0 else ("after", "before")):
                    got = _measure(page, urls[side], name, earlier)
                    if got:
                        out[name, side]["open"].append(got[0])
                        out[name, side]["year"].append(got[1])
                        out[name, side]["charts"] = got[2]
            print(f"round {i + 1}/{rounds} done", file=sys.stderr)
        browser.close()
    return out


def _ms(values: list[float]) -> str:
    values = [v * 1000 for v in values if v == v]
    if not values:
        return "—"
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}–{max(values):,.0f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="两个版本的浏览器时间，交替测量")
    parser.add_argument("--before", required=True, help="旧版本的检出目录（含 dashboard.py）")
    parser.add_argument("--db", required=True, help="两边共用的数据库")
    parser.add_argument("--pages", default="overview,coverage,rights,aid,townships,compare")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--earlier", default="2023", help="改选的年度")
    args = parser.parse_args(argv)
    names = args.pages.split(",")
    out = run(Path(args.before), Path(args.db), names, args.rounds, args.earlier)
    print("| page | charts before → after | open to last chart, before (ms) | after (ms) "
          "| year change to last chart, before (ms) | after (ms) |")
    print("|---|---|---|---|---|---|")
    for name in names:
        b, a = out[name, "before"], out[name, "after"]
        print(f"| {name} | {b['charts']} → {a['charts']} | {_ms(b['open'])} | {_ms(a['open'])} "
              f"| {_ms(b['year'])} | {_ms(a['year'])} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
