"""Issue #11 item 2: a township's register sent in two files. `replace` lists exactly the units it
would remove; `merge` adds and updates, removes nothing; the CLI asks before removing anything."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from test_importing import UNIT_HEADER, state, unit_row, xlsx
from conftest import run_cli
from unionstats import importing, indicators, snapshots, store, template
from unionstats.indicators import Scope

GRAINS = ("county", "region", "industry", "ownership", "ownership_group")
TOTALS_HEADER = ["年度", "乡镇", "行业门类", "所有制", "单位数", "已建会单位数", "本年新建工会数", "职工人数", "女职工人数",
                 "农民工人数", "会员人数", "女会员人数", "农民工会员人数", "本年新入会人数", "建立职代会单位数",
                 "实行厂务公开单位数", "签订集体合同单位数", "签订工资专项集体合同单位数", "签订劳动合同人数"]


def copy_store(source: Path, target: Path) -> Path:
    shutil.copytree(snapshots.snapshot_dir(source), snapshots.snapshot_dir(target))
    shutil.copy(source, target)
    return target


def register(path: Path, region: str, year: int, as_year: int) -> pd.DataFrame:
    """A township's unit register for `year` in the store, relabelled as `as_year`'s."""
    tables = template.store_tables(path)
    rows = tables["unit_year"]
    rows = rows[(rows["region_code"] == region) & (rows["year"] == year)].assign(year=as_year)
    store.clear_cache()
    return rows.sort_values("name").reset_index(drop=True)


def workbook(path: Path, rows: pd.DataFrame) -> bytes:
    tables = template.store_tables(path)
    store.clear_cache()
    return template.sheet_bytes_of({"regions": tables["regions"], "units": tables["units"], "unit_year": rows})


def names_in(path: Path, region: str, year: int) -> set[str]:
    with store.cursor(path) as cur:
        found = cur.execute("SELECT name FROM unit_year WHERE region_code = ? AND year = ?", [region, year]).fetchall()
    return {n for (n,) in found}


def publish(path: Path, name: str, data: bytes, mode: str = "replace") -> importing.Prepared:
    prepared = importing.prepare(path, name, data, mode=mode)
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems[:5]]
    snapshots.publish(prepared.candidate)
    store.clear_cache()
    return prepared


@pytest.fixture
def halves(county, tmp_path):
    """城关镇's 2024 register as its 2025 one: the whole file and the same rows in two files."""
    whole = register(county, "chengguan", 2024, 2025)
    assert len(whole) > 100
    first, second = whole.iloc[::2], whole.iloc[1::2]
    files = {}
    for label, rows in (("whole", whole), ("first", first), ("second", second)):
        files[label] = tmp_path / f"城关镇2025_{label}.xlsx"
        files[label].write_bytes(workbook(county, rows))
    return files, set(first["name"]), set(second["name"])


def figures(path: Path) -> dict[str, pd.DataFrame]:
    return {grain: indicators.table(Scope(), grain, path=path) for grain in GRAINS}


def test_register_in_two_merged_files_gives_the_figures_of_the_whole_file(county, halves, tmp_path):
    files, first, second = halves
    twin = copy_store(county, tmp_path / "twin" / "county.duckdb")
    publish(twin, "whole.xlsx", files["whole"].read_bytes(), mode="replace")
    publish(county, "first.xlsx", files["first"].read_bytes(), mode="merge")
    prepared = publish(county, "second.xlsx", files["second"].read_bytes(), mode="merge")
    assert importing.removals(prepared).empty
    assert names_in(county, "chengguan", 2025) == first | second == names_in(twin, "chengguan", 2025)
    want, got = figures(twin), figures(county)
    for grain in GRAINS:
        pd.testing.assert_frame_equal(got[grain], want[grain], obj=grain)


def test_replace_lists_exactly_the_units_it_removes(county, halves):
    files, first, second = halves
    publish(county, "first.xlsx", files["first"].read_bytes(), mode="merge")
    prepared = importing.prepare(county, "second.xlsx", files["second"].read_bytes(), mode="replace")
    removed = importing.removals(prepared)
    assert list(removed.columns) == ["年度", "乡镇", "单位名称", "统一社会信用代码"]
    assert set(removed["单位名称"]) == first and len(removed) == len(first)
    assert set(removed["年度"]) == {2025} and set(removed["乡镇"]) == {"城关镇"}
    snapshots.publish(prepared.candidate)
    store.clear_cache()
    assert names_in(county, "chengguan", 2025) == second
    assert names_in(county, "chengguan", 2024) == first | second  # another year is never touched


def _listed(stderr: str) -> set[str]:
    """Unit names in the CLI's removal list ('  2025年 · 城关镇 · name')."""
    return {re.sub(r"（[0-9A-Z]{18}）$", "", line.split(" · ", 2)[2])  # without a credit code after it
            for line in stderr.splitlines() if line.startswith("  2025年 · ")}


def cli_import(path: Path, file: Path, *flags: str):
    return run_cli("import", file, "--db", path, *flags)


def test_cli_asks_before_removing_then_replace_or_merge(county, halves):
    files, first, second = halves
    done = cli_import(county, files["first"])  # nothing in force for 城关镇 2025: nothing to remove, no flag needed
    assert done.returncode == 0, done.stderr
    store.clear_cache()
    before = state(county)

    done = cli_import(county, files["second"])
    assert done.returncode == 2, done.stderr
    assert _listed(done.stderr) == first
    assert "--replace" in done.stderr and "--merge" in done.stderr and "Traceback" not in done.stderr
    assert state(county) == before  # nothing written, not even a candidate left behind

    done = cli_import(county, files["second"], "--merge")
    assert done.returncode == 0, done.stderr
    store.clear_cache()
    assert names_in(county, "chengguan", 2025) == first | second
    snapshots.undo(county)
    store.clear_cache()

    done = cli_import(county, files["second"], "--replace")
    assert done.returncode == 0, done.stderr
    store.clear_cache()
    assert names_in(county, "chengguan", 2025) == second
    assert _listed(done.stdout) == first


def test_merge_never_lets_totals_delete_a_register(county):
    before = state(county)
    data = xlsx({"乡镇汇总": [TOTALS_HEADER, [2024, "城关镇", "C", "170", 2, 1, 0, 40, 10, 10, 20, 5, 5, 0, 1, 1, 0, 0, 30]]})
    prepared = importing.prepare(county, "汇总.xlsx", data, mode="merge")
    assert prepared.candidate is None
    assert any("城关镇 2024 年已有单位名册" in p.line() and "替换" in p.line() for p in prepared.batch.problems)
    assert state(county) == before
    prepared = importing.prepare(county, "汇总.xlsx", data, mode="replace")  # replace says what goes
    assert len(importing.removals(prepared)) == len(names_in(county, "chengguan", 2024))
    snapshots.discard(prepared.candidate)


def test_one_unit_twice_in_a_year_is_a_problem_not_a_crash(county):
    before = state(county)
    code = "91330100MA2H000009"
    data = xlsx({"单位": [UNIT_HEADER, unit_row(单位名称="甲公司", 统一社会信用代码=code),
                          unit_row(单位名称="乙公司", 统一社会信用代码=code)]})
    prepared = importing.prepare(county, "重复.xlsx", data)
    assert prepared.candidate is None
    lines = [p.line() for p in prepared.batch.problems]
    assert any("第2行、第3行" in line and "同一家单位" in line for line in lines), lines
    assert state(county) == before
