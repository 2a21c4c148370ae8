"""Found by a user trial: a file named for one township (or a report-up file named for one county)
whose rows belong to another replaced that other region's figures after a preview that said
nothing about it. The preview (page and command line) now warns, in Chinese, before anything is
confirmed; the import itself is not refused (a file name is no rule) and nothing is written."""
from __future__ import annotations

import pytest

from conftest import run_cli
from test_importing import aid_file
from unionstats import importing, indicators, snapshots, store

CHENGGUAN_AID = [2024, "城关镇", "送温暖", 500, 0, 90000]


def warnings_for(path, name: str, data: bytes) -> list[str]:
    prepared = importing.prepare(path, name, data)
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems[:5]]
    snapshots.discard(prepared.candidate)
    store.clear_cache()
    return prepared.warnings


def test_a_file_named_for_another_township_warns_that_it_replaces(county):
    with store.cursor(county) as cur:  # 城关镇's 2024 aid rows in force: what the file would replace
        existing = cur.execute("SELECT count(*) FROM aid WHERE region_code = 'chengguan' AND year = 2024").fetchone()[0]
    assert existing > 0
    found = warnings_for(county, "南山乡2024年帮扶.xlsx", aid_file(CHENGGUAN_AID))
    assert len(found) == 1
    assert "写的是南山乡" in found[0] and "有城关镇（2024 年）的数据" in found[0]
    assert f"将替换城关镇 2024 年已有的数据（帮扶 {existing} 行）" in found[0]
    # a short name (南山 for 南山乡) names the township as well
    assert len(warnings_for(county, "南山2024.xlsx", aid_file(CHENGGUAN_AID))) == 1


@pytest.mark.parametrize("name", ["城关镇2024年帮扶.xlsx", "城关2024.xlsx", "帮扶2024.xlsx", "示例县2024年.xlsx"])
def test_no_warning_when_the_name_fits_or_names_no_township(county, name):
    assert warnings_for(county, name, aid_file(CHENGGUAN_AID)) == []


def test_rows_of_the_named_township_and_another_warn_only_for_the_other(county):
    found = warnings_for(county, "南山乡.xlsx", aid_file([2024, "南山乡", "送温暖", 5, 0, 900], CHENGGUAN_AID))
    assert len(found) == 1 and "有城关镇（2024 年）的数据" in found[0]


def test_the_command_line_prints_the_warning_in_its_preview(county):
    file = county.parent / "南山乡2024年帮扶.xlsx"
    file.write_bytes(aid_file(CHENGGUAN_AID))
    before = indicators.summary(2024, path=county)["aid_households"]
    done = run_cli("import", file, "--dry-run", db=county)
    assert done.returncode == 0, done.stderr
    assert "警告：文件名「南山乡2024年帮扶.xlsx」写的是南山乡" in done.stderr
    assert "将替换城关镇 2024 年已有的数据" in done.stderr
    assert indicators.summary(2024, path=county)["aid_households"] == before  # a dry run writes nothing
