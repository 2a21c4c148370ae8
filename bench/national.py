"""A national store on one machine: `python bench/national.py build|pages|parquet …`.

Each step runs in its own process so that `/usr/bin/time -v` reports that step's peak memory:

    /usr/bin/time -v python bench/national.py build --scale national --db data/bench/national.duckdb
    /usr/bin/time -v python bench/national.py pages --db data/bench/national.duckdb --repeat 3
    /usr/bin/time -v python bench/national.py parquet --db data/bench/national.duckdb

`build` times generation and writing separately; `pages` reruns each page in AppTest (cold and
warm caches, as `python -m unionstats bench` does); `parquet` exports unit_year to Parquet
partitioned by year and runs the same SQL (the cube's aggregation, one year's gap list) over the
store's table and over read_parquet, each in a fresh process for its own time and peak memory.
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

from unionstats import bench, demo, snapshots, store  # noqa: E402


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def build(db: Path, units: int) -> dict:
    started = time.perf_counter()
    tables = demo.build_tables(units)
    generated = time.perf_counter() - started
    unit_years = len(tables["unit_year"])
    snapshots.write_database(db, tables)
    written = time.perf_counter() - started - generated
    return {"units": units, "unit_years": unit_years, "regions": len(tables["regions"]),
            "generate_s": round(generated, 1), "write_s": round(written, 1),
            "file_mb": round(db.stat().st_size / 2**20), "peak_mb": round(_peak_mb())}


def pages(db: Path, repeat: int) -> dict:
    out = {}
    for page in bench.PAGES:
        timing = bench._page_runs(db, page, repeat)
        out[page] = {"cold": bench._stats(timing["cold"]), "warm": bench._stats(timing["warm"]),
                     "queries": bench._stats(timing["queries"])}
        print(page, out[page], file=sys.stderr, flush=True)
    out["peak_mb"] = round(_peak_mb())
    return out


# The cube's aggregation over the unit facts (build_cube.sql without the region_year rows).
CUBE_SQL = """
SELECT year, region_code, industry_code, ownership_code, count(*) AS rows,
       sum(employees), sum(members), sum(members_joined), sum(employees_contracted),
       sum((union_status <> 'none')::INTEGER) AS units_unionized,
       sum((union_status <> 'none' AND has_congress)::INTEGER) AS units_congress
FROM unit_year GROUP BY ALL
"""


def _query(source: str, db: Path, parquet: Path, which: str, year: int) -> dict:
    """One query in this process: on the store's table, or with unit_year a view over Parquet."""
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
    params = {} if which == "cube" else {"year": year, "min_employees": 10, "regions": None,
                                         "industries": None, "ownership_group": None}
    started = time.perf_counter()
    rows = con.execute(sql, params).fetchall()
    seconds = time.perf_counter() - started
    return {"source": source, "query": which, "rows": len(rows), "s": round(seconds, 2),
            "peak_mb": round(_peak_mb())}


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
    written and re-cubed by DuckDB alone. For serving measurements when the generator's frames
    would not fit in memory; the other tables stay the source's."""
    import duckdb
    started = time.perf_counter()
    tmp = db.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    shutil.copy(source, tmp)
    con = duckdb.connect(str(tmp))
    con.execute("SET preserve_insertion_order = false")
    last = con.execute("SELECT max(unit_id) FROM units").fetchone()[0]
    con.execute("CREATE TEMP TABLE base AS SELECT * FROM unit_year")
    con.execute("INSERT INTO units SELECT unit_id + k * $last, credit_code FROM units, range(1, $times) AS r(k)",
                {"last": last, "times": times})
    con.execute("DELETE FROM unit_year")
    con.execute("CHECKPOINT")
    # Year-major, as the generator writes it, so that a year's unit list skips other years.
    con.execute("""INSERT INTO unit_year
                   SELECT b.* REPLACE (unit_id + k * $last AS unit_id,
                                       CASE WHEN k = 0 THEN name ELSE name || '·' || (k + 1) END AS name)
                   FROM base AS b, range(0, $times) AS r(k) ORDER BY year, unit_id""",
                {"last": last, "times": times})
    con.execute("DROP TABLE base")
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
        result = _query(a.source, db, Path(a.parquet), a.which, a.year)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
