"""bench/import_bench.py runs end to end at a tiny scale, so that it cannot rot (no timing is asserted)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_import_benchmark_prints_its_table(tmp_path):
    out = tmp_path / "import-bench.md"
    done = subprocess.run([sys.executable, "bench/import_bench.py", "--scales", "tiny", "--workdir", str(tmp_path / "w"),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.split("|")[1:-1] for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| tiny")]
    assert [(r[2].strip(), r[4].strip()) for r in rows] == [("xlsx", "dry-run"), ("xlsx", "import"),
                                                            ("csv", "dry-run"), ("csv", "import")]
    for r in rows:
        assert r[1].strip() == "300" and float(r[6]) > 0 and float(r[7].replace(",", "")) > 0
    assert (tmp_path / "w" / "tiny-units.xlsx").exists() and (tmp_path / "w" / "tiny-units.csv").exists()


def test_unknown_scale_is_refused():
    done = subprocess.run([sys.executable, "bench/import_bench.py", "--scales", "galaxy"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "unknown scale" in done.stderr


@pytest.mark.slow
def test_import_compare_runs_and_finds_a_version_equal_to_itself(tmp_path):
    """bench/import_compare.py (old importer against new, issue #17) at a tiny scale: this
    checkout against itself is the same on every file, clean and with errors written in."""
    done = subprocess.run([sys.executable, "bench/import_compare.py", "--old", str(ROOT), "--scales", "tiny",
                           "--workdir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 4 and all(line.endswith(": same") for line in lines), lines
    assert any("tiny-dirty.xlsx" in line and " 0 problems" not in line for line in lines), lines
