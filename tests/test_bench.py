"""The benchmark (bench/pages.py) runs end to end at a tiny scale, so it cannot rot (no timing is asserted)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, require_browser

PAGES = ("overview", "coverage", "rights", "aid", "townships", "compare", "briefing", "data", "glossary")


@pytest.mark.browser
def test_benchmark_prints_the_table(tmp_path):
    require_browser()
    out = tmp_path / "bench.md"
    done = subprocess.run([sys.executable, "bench/pages.py", "--scales", "tiny", "--repeat", "1",
                           "--workdir", str(tmp_path / "work"), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert text.strip() == done.stdout.strip()
    header = next(line for line in text.splitlines() if line.startswith("| scale | page |"))
    assert "warm ÷ floor (CPU)" in header and "browser: open to last chart (ms)" in header
    assert "browser: year change to last chart (ms)" in header
    rows = [line for line in text.splitlines() if line.startswith("| tiny |")]
    cells = [[c.strip() for c in r.split("|")[1:-1]] for r in rows[:len(PAGES)]]
    assert [c[1] for c in cells] == list(PAGES)        # every page, the new ones too
    columns = [c.strip() for c in header.split("|")[1:-1]]
    for c in cells:
        assert c[columns.index("warm ÷ floor (CPU)")].endswith("×")
        assert c[columns.index("browser: open to last chart (ms)")][0].isdigit()
    charts = {c[1]: int(c[columns.index("charts")]) for c in cells}
    assert charts["overview"] >= 4 and charts["glossary"] == 0   # the browser saw the charts it waited for
    assert "× cold" in rows[0]                                # the pandas baseline ratio
    assert "import one year's template" in text and "first 总览" in text and "peak RSS" in text
    assert "floor page rerun (ms)" in text and "Cold start with no database" in text


@pytest.mark.slow
def test_benchmark_without_a_browser(tmp_path):
    done = subprocess.run([sys.executable, "bench/pages.py", "--scales", "tiny", "--repeat", "1", "--no-browser",
                           "--workdir", str(tmp_path / "work")],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "warm ÷ floor" in done.stdout and "browser:" not in done.stdout
    # The same ratios for whatever checkout is the current directory (to measure an older one).
    ratios = subprocess.run([sys.executable, str(ROOT / "bench" / "ratios.py"), "--repeat", "1",
                             "--db", str(tmp_path / "work" / "tiny.duckdb"), "--pages", "overview,glossary"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert ratios.returncode == 0, ratios.stderr[-3000:]
    lines = ratios.stdout.splitlines()
    assert lines[0].startswith("floor ") and [line.split()[0] for line in lines[1:]] == ["overview", "glossary"]
    assert all(line.endswith("× floor") for line in lines[1:])


def test_unknown_scale_is_refused():
    done = subprocess.run([sys.executable, "bench/pages.py", "--scales", "galaxy"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "未知规模" in done.stderr


def test_the_runtime_package_has_no_benchmark():
    """Benchmark tooling lives in bench/, not in the app's package or its command line."""
    assert not (ROOT / "unionstats" / "bench.py").exists()
    done = subprocess.run([sys.executable, "-m", "unionstats", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2


def test_a_national_row_needs_the_replicated_store(tmp_path):
    """The generator cannot build a nation on this machine: the benchmark says how to make one."""
    done = subprocess.run([sys.executable, "bench/pages.py", "--scales", "national", "--no-browser",
                           "--workdir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode != 0 and "bench/national.py replicate" in done.stderr
    assert not (tmp_path / "national.duckdb").exists()


def test_the_pandas_baseline_runs_alone(demo_db):
    done = subprocess.run([sys.executable, "bench/baseline_alone.py", str(demo_db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("cold: ") and lines[1].startswith("warm: ")
    assert lines[2].startswith("peak RSS ") and lines[2].endswith(" MB")


@pytest.mark.browser
def test_two_checkouts_side_by_side(demo_db):
    """bench/browser_ab.py against this same checkout: one round, one page, both sides measured."""
    require_browser()
    done = subprocess.run([sys.executable, "bench/browser_ab.py", "--before", str(ROOT), "--db", str(demo_db),
                           "--pages", "compare", "--rounds", "1"], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    row = next(line for line in done.stdout.splitlines() if line.startswith("| compare |"))
    cells = [c.strip() for c in row.split("|")[1:-1]]
    assert cells[1] == "1 → 1" and all(c[0].isdigit() for c in cells[2:])
