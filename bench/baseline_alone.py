"""The pandas baseline (bench/baseline_overview.py) alone in this process, for a store too large
to load beside the benchmark's own: `python bench/baseline_alone.py STORE`. Prints the cold and the
warm rerun (wall and CPU) and the process's peak RSS."""
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    os.environ["UNIONSTATS_DB"] = sys.argv[1]
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "bench" / "baseline_overview.py"), default_timeout=3600)
    for run in ("cold", "warm"):
        wall, cpu = time.perf_counter(), time.process_time()
        at.run()
        assert not at.exception, at.exception
        print(f"{run}: {(time.perf_counter() - wall) * 1000:,.0f} ms, CPU {(time.process_time() - cpu) * 1000:,.0f} ms")
    rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print(f"peak RSS {rss / 1024:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
