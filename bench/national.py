"""A national store on one machine: `python bench/national.py build|pages|parquet|replicate …`.

Each step runs in its own process so that `/usr/bin/time -v` reports that step's peak memory
(docs/BENCHMARKS.md, "National scale", has the commands and the results):

    /usr/bin/time -v python bench/national.py build --units 800000 --db data/bench/u800k.duckdb
    /usr/bin/time -v python bench/national.py pages --db data/bench/u800k.duckdb --repeat 2
    /usr/bin/time -v python bench/national.py parquet --db data/bench/u800k.duckdb
    /usr/bin/time -v python bench/national.py replicate --source-db data/bench/u400k.duckdb \
        --db data/bench/national.duckdb --times 16

`build` times generation and writing separately. `pages` reruns each page in AppTest with cold
and warm caches, as `python bench/pages.py` does, and records CPU time as well as wall time.
`parquet` exports unit_year to Parquet partitioned by year. It then runs the same SQL (the
cube's aggregation, one year's gap list) over the store's table and over read_parquet, each
in a fresh process for its own time and peak memory. `replicate` makes a store `--times` the
size of another inside DuckDB, for when the generator's frames would not fit in memory.
`query --which gap [--min-employees N] [--limit N]` runs the gap list alone in this process
(`parquet` runs it that way, with every row).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/pages.py before the app's pages/

import pages as bench  # noqa: E402  (bench/pages.py: ROOT, PAGES, _stats)
from unionstats import demo, snapshots, store  # noqa: E402


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def build(db: Path, units: int) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    tables = demo.build_tables(units)
    generated, generate_cpu = time.perf_counter() - started, time.process_time() - cpu
    generate_peak = _peak_mb()
    unit_years = len(tables["unit_year"])
    snapshots.write_database(db, tables)
    written = time.perf_counter() - started - generated
    return {"units": units, "unit_years": unit_years, "regions": len(tables["regions"]),
            "generate_s": round(generated, 1), "write_s": round(written, 1),
            "generate_cpu_s": round(generate_cpu, 1), "write_cpu_s": round(time.process_time() - cpu - generate_cpu, 1),
            "file_mb": round(db.stat().st_size / 2**20), "generate_peak_mb": round(generate_peak),
            "peak_mb": round(_peak_mb())}


def _page_runs(db: Path, page: str, repeat: int) -> dict[str, list[float]]:
    """bench._page_runs with CPU time too: on a shared machine wall time mostly measures the others."""
    import os
    from streamlit.testing.v1 import AppTest
    os.environ["UNIONSTATS_DB"] = str(db)
    out = {"cold": [], "warm": [], "cold_cpu": [], "warm_cpu": [], "queries": []}
    for _ in range(repeat):
        at = AppTest.from_file(str(bench.ROOT / "dashboard.py"), default_timeout=3600)
        at.run()
        for state in ("cold", "warm"):
            if state == "cold":
                store.clear_cache()
                store.QUERY_LOG = []
            wall, cpu = time.perf_counter(), time.process_time()
            (at.switch_page(f"pages/{page}.py") if page != "overview" and state == "cold" else at).run()
            out[state].append(time.perf_counter() - wall)
            out[f"{state}_cpu"].append(time.process_time() - cpu)
            if state == "cold":
                out["queries"].append(sum(seconds for _, seconds in store.QUERY_LOG))
                store.QUERY_LOG = None
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].value}")
    return out


def pages(db: Path, repeat: int) -> dict:
    out = {}
    for page in bench.PAGES:
        timing = _page_runs(db, page, repeat)
        out[page] = {key: bench._stats(values) for key, values in timing.items()}
        print(page, out[page], file=sys.stderr, flush=True)
    out["peak_mb"] = round(_peak_mb())
    out["load"] = Path("/proc/loadavg").read_text().split()[:3]
    return out


# The cube's aggregation over the unit facts (build_cube.sql without the region_year rows).
CUBE_SQL = """
SELECT year, region_code, industry_code, ownership_code, count(*) AS rows,
       sum(employees), sum(members), sum(members_joined), sum(employees_contracted),
       sum((union_status <> 'none')::INTEGER) AS units_unionized,
       sum((union_status <> 'none' AND has_congress)::INTEGER) AS units_congress
FROM unit_year GROUP BY ALL
"""


def _query(source: str, db: Path, parquet: Path, which: str, year: int, limit: int | None = None,
           min_employees: int = 10) -> dict:
    """One query in this process: on the store's table, or with unit_year a view over Parquet.
    The gap list takes `limit` (None: every row, as the downloads fetch it)."""
    import duckdb
    if source == "table":
        con = duckdb.connect(str(db), read_only=True)
    else:
        con = duckdb.connect()
        con.execute("ATTACH ? AS s (READ_ONLY)", [str(db)])  # dimensions and macros from the store
        con.execute(f"CREATE VIEW unit_year AS SELECT * FROM read_parquet('{parquet}/*/*.parquet', "
                    "hive_partitioning = true)")  # our own path, not user text
        con.execute("SET search_path = 'memory.main,s.main'")  # then the store's tables and macros
    sql = CUBE_SQL if which == "cube" else store.sql("gap_units")
    params = {} if which == "cube" else {"years": [year], "min_employees": min_employees, "regions": None,
                                         "industries": None, "ownership_group": None, "limit": limit}
    started, cpu = time.perf_counter(), time.process_time()
    rows = con.execute(sql, params).fetchall()
    seconds = time.perf_counter() - started
    return {"source": source, "query": which, "limit": limit, "min_employees": min_employees, "rows": len(rows), "s": round(seconds, 2),
            "cpu_s": round(time.process_time() - cpu, 2), "peak_mb": round(_peak_mb()),
            "load": Path("/proc/loadavg").read_text().split()[0]}


def parquet(db: Path, folder: Path, year: int) -> dict:
    import duckdb
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    con.execute(f"COPY unit_year TO '{folder}' (FORMAT parquet, PARTITION_BY (year))")  # our own path
    con.close()
    out = {"export_s": round(time.perf_counter() - started, 1),
           "parquet_mb": round(sum(p.stat().st_size for p in folder.rglob("*.parquet")) / 2**20)}
    runs = []
    for which in ("cube", "gap"):
        for source in ("table", "parquet"):
            done = subprocess.run([sys.executable, __file__, "query", "--db", str(db), "--parquet", str(folder),
                                   "--source", source, "--which", which, "--year", str(year)],
                                  capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout))
            print(runs[-1], file=sys.stderr, flush=True)
    out["queries"] = runs
    return out


def replicate(source: Path, db: Path, times: int) -> dict:
    """A store `times` the size of `source`: its units again under new ids (names marked ·2, ·3, …),
    written and re-cubed by DuckDB alone into a fresh file. For serving measurements when the
    generator's frames would not fit in memory; the other tables are the source's."""
    import duckdb
    started = time.perf_counter()
    tmp = db.with_suffix(".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    con.execute("SET memory_limit = '8GB'")  # a shared machine: spill rather than take it all
    con.execute(store.sql("schema"))
    con.execute("ATTACH ? AS src (READ_ONLY)", [str(source)])
    last = con.execute("SELECT max(unit_id) FROM src.units").fetchone()[0]
    for table in snapshots.TABLE_ORDER:
        if table == "units":
            con.execute("INSERT INTO units SELECT unit_id + k * $last, credit_code "
                        "FROM src.units, range(0, $times) AS r(k) ORDER BY k, unit_id",
                        {"last": last, "times": times})
        elif table == "unit_year":
            # Year-major, as the generator writes it, so that a year's unit list skips other years.
            for (year,) in con.execute("SELECT DISTINCT year FROM src.unit_year ORDER BY year").fetchall():
                con.execute("""INSERT INTO unit_year
                               SELECT b.* REPLACE (unit_id + k * $last AS unit_id,
                                      CASE WHEN k = 0 THEN name ELSE name || '·' || (k + 1) END AS name)
                               FROM src.unit_year AS b, range(0, $times) AS r(k)
                               WHERE b.year = $year ORDER BY k, b.unit_id""",
                            {"last": last, "times": times, "year": year})
        else:
            con.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")  # names from TABLE_ORDER
    con.execute("DETACH src")
    con.execute(store.sql("build_cube"))
    con.execute("CHECKPOINT")
    unit_years = con.execute("SELECT count(*) FROM unit_year").fetchone()[0]
    con.close()
    tmp.replace(db)
    return {"unit_years": unit_years, "replicate_s": round(time.perf_counter() - started, 1),
            "file_mb": round(db.stat().st_size / 2**20), "peak_mb": round(_peak_mb())}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("step", choices=("build", "pages", "parquet", "query", "replicate"))
    p.add_argument("--source-db")
    p.add_argument("--times", type=int, default=8)
    p.add_argument("--db", required=True)
    p.add_argument("--scale", choices=list(demo.SCALES))
    p.add_argument("--units", type=int)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--parquet")
    p.add_argument("--source", default="table")
    p.add_argument("--which", default="cube")
    p.add_argument("--year", type=int, default=demo.LAST)
    p.add_argument("--limit", type=int, help="query --which gap: the first LIMIT rows (default: every row)")
    p.add_argument("--min-employees", type=int, default=10, help="query --which gap: the list's threshold")
    a = p.parse_args()
    db = Path(a.db)
    if a.step == "build":
        result = build(db, a.units or demo.SCALES[a.scale or "national"])
    elif a.step == "pages":
        result = pages(db, a.repeat)
    elif a.step == "parquet":
        result = parquet(db, Path(a.parquet or str(db) + ".parquet"), a.year)
    elif a.step == "replicate":
        result = replicate(Path(a.source_db), db, a.times)
    else:
        result = _query(a.source, db, Path(a.parquet or str(db) + ".parquet"), a.which, a.year, a.limit,
                        a.min_employees)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
