"""Import benchmark (issue #17): time and peak memory of `python -m unionstats import` on a
单位 sheet of each scale, as a dry run and as a real import into a fresh store.

    python bench/import_bench.py --scales county,province,1m --out import-bench.md

For each scale bench/unit_sheet.py writes the sheet (.xlsx with its 乡镇 sheet, and .csv) into
--workdir, then each measured run is a new process: the CLI's own `main()` (the same code path
as `python -m unionstats import FILE --db X [--dry-run]`), timed around the call (wall seconds;
CPU seconds of the process and of its sheet worker, unionstats/sheetworker.py, the second
process that reads a big sheet), with the peak RSS (VmHWM) of each. --repeat N shows the median
of N runs. The CSV run first imports the 乡镇 sheet alone (a CSV names townships the store must
know). 1m exceeds the per-file limits (500,000 rows, 50 MB), and so does the province's CSV
(60 MB): those runs raise the limits, and say so. No timing is asserted anywhere; tests run
--scales tiny so that the script cannot rot.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import unit_sheet

from unionstats import importing

SCALES = {"tiny": 300, "county": 2_000, "province": 400_000, "1m": 1_000_000}
RAISED = {"1m"}  # scales above the file limits: their runs raise them

_CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
from unionstats import cli, importing
if {raise_limits!r}:
    importing.MAX_ROWS, importing.MAX_BYTES, importing.MAX_CELLS = 2_000_000, 1 << 30, 60_000_000
    importing.MAX_UNPACKED_BYTES = 4 << 30
started, cpu = time.perf_counter(), time.process_time()
code = cli.main({argv!r})
wall, cpu = time.perf_counter() - started, time.process_time() - cpu
children = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu += children.ru_utime + children.ru_stime  # the sheet worker's too
try:
    rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
except OSError:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the sheet worker, if one ran
print(json.dumps({{"code": code, "wall": wall, "cpu": cpu, "rss_mb": rss, "worker_rss_mb": worker,
                  "peak_rows": importing.__dict__.get("PEAK_ROWS")}}))
"""


def _run(argv: list[str], raise_limits: bool) -> dict:
    code = _CHILD.format(root=str(ROOT), argv=argv, raise_limits=raise_limits)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=7200,
                          check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise RuntimeError(f"import {argv} exited {result['code']}: {done.stderr[-2000:]}")
    return result


def _fresh_run(workdir: Path, kind: str, source: Path, towns: Path, run: str, raised: bool) -> dict:
    """One measured run into a new store (a CSV's first holds its townships): each run of a
    repeat is a first import, never a re-import of the same file."""
    with tempfile.TemporaryDirectory(dir=workdir) as folder:
        db = Path(folder) / f"{kind}.duckdb"
        if kind == "csv":
            _run(["import", str(towns), "--db", str(db)], False)
        return _run(["import", str(source), "--db", str(db)] + (["--dry-run"] if run == "dry-run" else []), raised)


def measure(scale: str, workdir: Path, progress=print, repeat: int = 1) -> list[dict]:
    rows = SCALES[scale]
    out = workdir / f"{scale}-units"
    if not out.with_suffix(".xlsx").exists():
        unit_sheet.write(out, rows)
    xlsx, csv_file, towns = out.with_suffix(".xlsx"), out.with_suffix(".csv"), out.with_name(out.name + "-regions.xlsx")
    results = []
    for kind, source in (("xlsx", xlsx), ("csv", csv_file)):
        raised = scale in RAISED or source.stat().st_size > importing.MAX_BYTES
        for run in ("dry-run", "import"):
            runs = sorted((_fresh_run(workdir, kind, source, towns, run, raised) for _ in range(repeat)),
                          key=lambda r: r["wall"])
            r = runs[len(runs) // 2]  # the median run by wall time
            results.append({"scale": scale, "rows": f"{rows:,}", "file": kind,
                            "size_mb": f"{source.stat().st_size / 1024 / 1024:,.1f}", "run": run,
                            "wall_s": f"{r['wall']:,.2f}", "cpu_s": f"{r['cpu']:,.2f}",
                            "peak_rss_mb": f"{r['rss_mb']:,.0f}",
                            "worker_rss_mb": f"{r['worker_rss_mb']:,.0f}" if r["worker_rss_mb"] else "—",
                            "limits": "raised" if raised else "as shipped"})
            progress("  ".join(f"{k}={v}" for k, v in results[-1].items()))
    return results


def markdown(results: list[dict], repeat: int = 1) -> str:
    head = ["scale", "unit rows", "file", "MB", "run", "wall (s)", "CPU (s), both processes", "peak RSS (MB)",
            "sheet worker's peak RSS (MB)", "file limits"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r.values()) + " |" for r in results]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    runs = "One run each" if repeat == 1 else f"The median of {repeat} runs each (by wall time)"
    return f"Machine: {machine}. {runs}, a new process per run.\n\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="county,province")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "unionstats-import-bench")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each kind; the median is shown")
    args = parser.parse_args(argv)
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in scales if s not in SCALES]
    if unknown:
        parser.error(f"unknown scale {unknown[0]!r}; choose from {', '.join(SCALES)}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = [r for s in scales
               for r in measure(s, args.workdir, progress=lambda line: print(line, file=sys.stderr), repeat=args.repeat)]
    text = markdown(results, args.repeat)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
