"""The CLI: seed figures on the demo database (issue #2 must-show), bad input, broken databases."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
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


ARGPARSE_ENGLISH = re.compile(r"usage:|error:|argument|invalid|required|unrecognized|expected|not allowed|choose from")


@pytest.mark.parametrize("args, words", [
    (("briefing", "--year", "2024", "--lang", "fr", "--out", "x.pptx"), ["--lang", "zh、en", "不是 fr"]),
    (("briefing", "--out", "x.pptx"), ["缺少必需的参数", "--year"]),
    (("summary", "--year", "2024", "--frob", "3"), ["无法识别的参数", "--frob 3"]),
    (("summary", "--year"), ["--year", "缺少取值"]),
    (("demo", "--units", "300", "--scale", "tiny"), ["--scale", "不能与 --units 同用"]),
    (("frob",), ["命令", "不是 frob", "summary"]),
    ((), ["缺少必需的参数", "命令"]),
])
def test_argparse_errors_are_chinese(demo_db, args, words):
    """Found by a user trial: argparse's own errors were English in a Chinese-first CLI."""
    done = run_cli(*args, db=demo_db)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert "用法：" in done.stderr and "错误：" in done.stderr
    assert all(w in done.stderr for w in words), done.stderr
    assert not ARGPARSE_ENGLISH.search(done.stderr), done.stderr


def test_an_invalid_int_is_said_in_chinese(capsys):
    from unionstats import arguments
    parser = arguments.Parser(prog="t")
    parser.add_argument("--n", type=int)
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["--n", "x"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "参数 --n：应为整数，不是 x" in err and not ARGPARSE_ENGLISH.search(err)


@pytest.mark.parametrize("year", ["-5", "0", "1948", "99999", str(dt.date.today().year + 2)])
def test_a_year_out_of_range_is_refused(demo_db, tmp_path, year):
    """Found by a user trial: --year -5 was taken as a year (a township template for year 0 was
    written). The range is the importer's: FIRST_YEAR to next year."""
    from unionstats import importing
    out = tmp_path / "t.xlsx"
    for args in (("summary", "--year", year, "--json"),
                 ("template", "--region", "nanshan", "--year", year, "--out", out)):
        done = run_cli(*args, db=demo_db)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert f"年度应在 {importing.FIRST_YEAR}–{dt.date.today().year + 1} 之间" in done.stderr, done.stderr
    assert not out.exists()
    assert run_cli("template", "--region", "nanshan", "--year", dt.date.today().year + 1, "--out", out,
                   db=demo_db).returncode == 0 and out.exists()  # next year's sheet is the usual case


def _deck_texts(data) -> list[list[str]]:
    from pptx import Presentation
    import io as _io
    deck = Presentation(_io.BytesIO(data) if isinstance(data, bytes) else str(data))
    return [[shape.text_frame.text for shape in slide.shapes if shape.has_text_frame] for slide in deck.slides]


def _coverage_bars(path) -> dict[str, float]:
    from pptx import Presentation
    from unionstats.i18n import t
    for slide in Presentation(str(path)).slides:
        if any(s.has_text_frame and s.text_frame.paragraphs[0].text == t("brief_coverage") for s in slide.shapes):
            chart = next(s.chart for s in slide.shapes if s.has_chart)
            return dict(zip(chart.plots[0].categories, chart.plots[0].series[0].values))
    raise AssertionError("no coverage slide")


def test_a_briefing_for_one_industry_is_that_industrys(demo_db, tmp_path):
    """Found by a user trial: the 会议汇报 page filters by industry, the CLI briefing could not.
    --industry C (or its name) gives the page's briefing for 制造业: each township's bar is the
    rate over its manufacturing units, computed here from the raw tables."""
    import independent
    from unionstats import briefing, indicators, store
    from unionstats.view import View
    whole, by_code, by_name = tmp_path / "all.pptx", tmp_path / "c.pptx", tmp_path / "name.pptx"
    assert run_cli("briefing", "--year", "2024", "--out", whole, db=demo_db).returncode == 0
    done = run_cli("briefing", "--year", "2024", "--industry", "C", "--out", by_code, db=demo_db)
    assert done.returncode == 0, done.stderr
    assert run_cli("briefing", "--year", "2024", "--industry", "制造业", "--out", by_name, db=demo_db).returncode == 0

    raw = independent.raw(demo_db)
    want = independent.expected(raw, ["year", "region_code"], mask=lambda f: f[f["industry_code"] == "C"],
                                cut=lambda f: f[f["industry_code"] != ""]).loc[2024]["unionization_rate"].dropna()
    names = dict(zip(store.query("regions", path=demo_db)["name_zh"], store.query("regions", path=demo_db)["code"]))
    bars = {names[k]: v for k, v in _coverage_bars(by_code).items()}
    assert bars and set(bars) == set(want.index)
    for region, value in bars.items():
        assert value == pytest.approx(want[region]), region
    county = {names[k]: v for k, v in _coverage_bars(whole).items()}
    assert any(county[r] != pytest.approx(v) for r, v in bars.items())  # not the whole county's bars

    texts = _deck_texts(by_code)
    assert "制造业" in texts[0][0] and "制造业" not in _deck_texts(whole)[0][0]  # the scope on the title slide
    # the page's briefing for the same filters (filters.sidebar makes this Scope), slide for slide
    page = briefing.to_pptx(briefing.build(View(2024, indicators.Scope(industries=("C",))), demo_db))
    assert texts == _deck_texts(page) == _deck_texts(by_name)


def test_an_unknown_industry_lists_the_sections(demo_db, tmp_path):
    done = run_cli("briefing", "--year", "2024", "--industry", "Z", "--out", tmp_path / "x.pptx", db=demo_db)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "未知行业：Z" in done.stderr and "C 制造业" in done.stderr and "T 国际组织" in done.stderr
    assert not (tmp_path / "x.pptx").exists()


@pytest.mark.parametrize("word", ["nonpublic", "非公有制"])
def test_a_briefing_for_the_nonpublic_sector(demo_db, tmp_path, word):
    from unionstats import briefing, indicators
    from unionstats.view import View
    out = tmp_path / "np.pptx"
    done = run_cli("briefing", "--year", "2024", "--ownership", word, "--out", out, db=demo_db)
    assert done.returncode == 0, done.stderr
    page = briefing.to_pptx(briefing.build(View(2024, indicators.Scope(ownership_group="nonpublic")), demo_db))
    assert _deck_texts(out) == _deck_texts(page) and "非公有制" in _deck_texts(out)[0][0]
