"""The CLI: seed figures on the demo database (issue #2 must-show), bad input, broken databases."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli


def summary(db, *extra) -> dict:
    done = run_cli("summary", "--year", "2024", *extra, "--json", db=db)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
def test_seed_figures_2024_end_to_end(demo_db):
    """The one CLI test in a child process, as a user types it; the others run cli.main in-process."""
    done = subprocess.run([sys.executable, "-m", "unionstats", "summary", "--year", "2024", "--json"], cwd=ROOT,
                          env={**os.environ, "UNIONSTATS_DB": str(demo_db)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout)
    assert s["unions_new"] == 21
    assert s["members_new"] >= 1000
    assert s["arrears_recovered_yuan"] == 680000
    assert s["aid_households"] == 186
    assert s["aid_yuan"] == 96180
    assert s["model_worker_aid_yuan"] == 26000
    assert s["subsidy_yuan"] >= 250000
    assert s["units_inspected"] >= 50 and s["compliance_rate"] >= 0.80
    assert s["workers_helped_sign"] >= 1000


def test_seed_figures_nonpublic(demo_db):
    s = summary(demo_db, "--ownership", "nonpublic")
    assert s["units_congress"] == 63
    assert s["congress_rate"] >= 0.75


def test_region_scope_is_a_part_of_the_county(demo_db):
    county = summary(demo_db)
    town = summary(demo_db, "--region", "nanshan")
    assert 0 < town["units"] < county["units"]
    assert 0 <= town["unionization_rate"] <= 1


@pytest.mark.parametrize("args, words", [
    (("summary", "--year", "2024", "--region", "atlantis", "--json"), "未知乡镇代码"),
    (("summary", "--year", "1999", "--json"), "没有 1999 年的数据"),
    (("summary", "--year", "20x4", "--json"), "年度应为四位数字"),
    (("summary", "--year", "2024", "--ownership", "mixed", "--json"), "所有制只能是"),
    (("demo", "--units", "12"), "不小于 200"),
])
def test_bad_arguments_exit_2_with_one_line(demo_db, args, words):
    done = run_cli(*args, db=demo_db)
    assert done.returncode == 2
    assert words in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_missing_database_says_how_to_rebuild(tmp_path):
    done = run_cli("summary", "--year", "2024", "--json", db=tmp_path / "nothing.duckdb")
    assert done.returncode == 1
    assert "找不到数据库文件" in done.stderr and "python -m unionstats demo" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("content", [b"this is not a database" * 100, b""])
def test_corrupt_database_says_how_to_rebuild(tmp_path, content):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(content)
    done = run_cli("summary", "--year", "2024", "--json", db=bad)
    assert done.returncode == 1
    assert "python -m unionstats demo" in done.stderr
    assert "Traceback" not in done.stderr


def test_foreign_duckdb_file_is_refused(tmp_path):
    import duckdb
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    done = run_cli("summary", "--year", "2024", "--json", db=other)
    assert done.returncode == 1
    assert "不是工会数据看板的数据库" in done.stderr


def test_demo_command_builds_a_database(tmp_path):
    target = tmp_path / "sub" / "built.duckdb"
    done = run_cli("demo", "--db", str(target))
    assert done.returncode == 0, done.stderr
    assert summary(target)["unions_new"] == 21


def test_demo_scale_names_a_size(tmp_path):
    import duckdb
    target = tmp_path / "tiny.duckdb"
    done = run_cli("demo", "--scale", "tiny", "--db", str(target))
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(target), read_only=True) as con:
        units = con.execute("SELECT count(*) FROM units").fetchone()[0]
    assert 250 <= units <= 300  # 300 units less the totals-only township's
    both = run_cli("demo", "--scale", "tiny", "--units", "300", "--db", str(target))
    assert both.returncode != 0 and "--units" in both.stderr


@pytest.mark.parametrize("where", ["a_folder.pptx", "a_file.txt/brief.html"])
def test_a_briefing_that_cannot_be_written_says_so_in_chinese(demo_db, tmp_path, where):
    (tmp_path / "a_folder.pptx").mkdir()  # a folder where the file should go
    (tmp_path / "a_file.txt").write_text("x")  # a file where a folder should be
    done = run_cli("briefing", "--year", "2024", "--out", tmp_path / where, db=demo_db)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "无法写入" in done.stderr and where.split("/")[0] in done.stderr


def test_the_english_deck_notes_use_english_punctuation(demo_db):
    from unionstats import briefing
    from unionstats.view import View
    notes = [s.notes for s in briefing.build(View(2024, lang="en"), demo_db) if s.notes]
    assert notes and not [n for n in notes if "：" in n]
    assert any("：" in s.notes for s in briefing.build(View(2024), demo_db) if s.notes)  # Chinese keeps its own
