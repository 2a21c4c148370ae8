"""The benchmark runs end to end at a tiny scale, so it cannot rot (no timing is asserted)."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT
from unionstats import bench


def test_benchmark_prints_the_table(tmp_path):
    out = tmp_path / "bench.md"
    done = subprocess.run([sys.executable, "-m", "unionstats", "bench", "--scales", "tiny", "--repeat", "1",
                           "--workdir", str(tmp_path / "work"), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert text.strip() == done.stdout.strip()
    rows = [line for line in text.splitlines() if line.startswith("| tiny |")]
    assert [r.split("|")[2].strip() for r in rows[:len(bench.PAGES)]] == list(bench.PAGES)
    assert "× cold" in rows[0]                       # the pandas baseline ratio
    assert "import one year's template" in text and "first 总览" in text and "peak RSS" in text
    assert "Cold start with no database" in text


def test_unknown_scale_is_refused():
    done = subprocess.run([sys.executable, "-m", "unionstats", "bench", "--scales", "galaxy"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "未知规模" in done.stderr
