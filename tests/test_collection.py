"""Collecting the townships' sheets (issue #15): submission status, 退回修改, each township's own
workbook for the next year, and the warnings between years in an import's preview."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from conftest import ADMIN_PASSWORD
from test_importing import UNIT_HEADER, xlsx

from unionstats import catalog, cli, importing, indicators, snapshots, store
from unionstats.indicators import Scope
from unionstats.sheets import BY_TABLE, REFERENCE_SHEET

PASSWORD = ADMIN_PASSWORD
# Figures a township's unit sheet holds: the coverage and contract families, less the inspections
# (their own table) and unions founded during the year (a unit's union is founded once: the same
# register a year later founded none).
FROM_UNIT_SHEET = [i.code for i in catalog.INDICATORS if i.family in ("coverage", "contracts")
                   and i.code not in ("unions_new", "units_inspected", "units_compliant", "compliance_rate",
                                      "workers_helped_sign")]
COUNTS = ["职工人数", "女职工人数", "农民工人数", "会员人数", "女会员人数", "农民工会员人数", "本年新入会人数", "签订劳动合同人数"]
COUNT_FIELDS = ["employees", "female_employees", "migrant_workers", "members", "female_members", "migrant_members",
                "members_joined", "employees_contracted"]


def run(capsys, *args) -> tuple[int, str, str]:
    """The CLI in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    store.clear_cache()
    return code, out, err


def raw(path: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    """Read the file in force directly, not through the queries under test."""
    con = duckdb.connect(str(store.resolve(path)), read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def status(capsys, path: Path, year: int) -> dict:
    code, out, err = run(capsys, "status", "--year", year, "--json", "--db", path)
    assert code == 0, err
    return json.loads(out)


def test_status_on_the_demo_lists_every_township_with_its_rows_and_totals(demo_db, capsys):
    got = status(capsys, demo_db, 2024)
    regions = raw(demo_db, "SELECT code FROM regions")["code"]
    assert set(got) == set(regions) and len(got) >= 12
    units = raw(demo_db, "SELECT * FROM unit_year WHERE year = 2024")
    totals = raw(demo_db, "SELECT * FROM region_year WHERE year = 2024")
    for code, row in got.items():
        mine, theirs = units[units["region_code"] == code], totals[totals["region_code"] == code]
        assert row["status"] == "submitted" and row["status_zh"] == "已报送"
        if len(mine):
            assert (row["rows"], row["units"]) == (len(mine), len(mine))
            assert row["employees"] == int(mine["employees"].sum()) and row["members"] == int(mine["members"].sum())
        else:  # a township that reports totals only
            assert row["rows"] == len(theirs) > 0 and row["units"] == int(theirs["units"].sum())
            assert row["members"] == int(theirs["members"].sum())
        assert row["file"] is None and row["note"] == ""  # the demo was generated, not imported
    assert {r["kind"] for r in got.values()} == {"units", "totals"}


def test_a_year_nobody_sent_lists_every_township_as_missing(demo_db, capsys):
    got = status(capsys, demo_db, 2010)  # before the demo's first year
    assert len(got) >= 12 and {r["status"] for r in got.values()} == {"missing"}
    assert {r["rows"] for r in got.values()} == {0}


def township_file(path: Path, region: str, year: int, from_year: int, change=None) -> bytes:
    """A township's unit sheet for `year` carrying `from_year`'s rows as stored; `change(frame)`
    may drop, alter or add rows first."""
    frame = raw(path, """SELECT uy.*, u.credit_code, r.name_zh AS region FROM unit_year uy JOIN units u USING (unit_id)
                         JOIN regions r ON r.code = uy.region_code
                         WHERE uy.year = ? AND uy.region_code = ? ORDER BY uy.name""", [from_year, region])
    frame["year"] = year
    if change is not None:
        frame = change(frame)
    industry = dict(raw(path, "SELECT code, code || ' ' || name_zh AS label FROM industries").values)
    ownership = dict(raw(path, "SELECT code, code || ' ' || name_zh AS label FROM ownership").values)
    status_words = {"none": "未建会", "own": "独立建会", "joint": "联合工会"}

    def value(v):
        return None if pd.isna(v) else int(v)

    rows = [[r.year, r.name, r.credit_code if isinstance(r.credit_code, str) else None, r.region,
             industry[r.industry_code], ownership[r.ownership_code], *(value(getattr(r, f)) for f in COUNT_FIELDS[:7]),
             status_words[r.union_status], value(r.union_founded_year),
             *("是" if getattr(r, f) else "否" for f in ("has_congress", "has_openness", "has_collective_contract",
                                                        "has_wage_agreement")),
             value(r.employees_contracted)] for r in frame.itertuples(index=False)]
    return xlsx({"单位": [UNIT_HEADER, *rows]})


def test_returned_then_sent_again_is_submitted_and_the_note_is_gone(county, capsys):
    before = status(capsys, county, 2024)["chengguan"]
    assert before["status"] == "submitted" and before["file"] and before["at"] and before["by"]
    code, _, err = run(capsys, "status", "--year", 2024, "--return", "chengguan", "--note", "会员人数与台账不符", "--db", county)
    assert code == 0, err
    after = status(capsys, county, 2024)
    assert after["chengguan"]["status"] == "returned" and after["chengguan"]["note"] == "会员人数与台账不符"
    assert after["chengguan"]["returned_by"] and after["chengguan"]["file"] == before["file"]
    assert all(r["status"] == "submitted" for c, r in after.items() if c != "chengguan")
    # The mark is an edit like any other: undo takes it back, and it can be made again.
    assert run(capsys, "undo", "--db", county)[0] == 0
    assert status(capsys, county, 2024)["chengguan"]["status"] == "submitted"
    run(capsys, "status", "--year", 2024, "--return", "城关镇", "--note", "请补填信用代码", "--db", county)
    assert status(capsys, county, 2024)["chengguan"]["status"] == "returned"
    # Another township's file, or an edit of other data, leaves the mark alone.
    other = tmp_file(county, "东城街道2024.xlsx", township_file(county, "dongcheng", 2024, 2024))
    assert run(capsys, "import", other, "--db", county)[0] == 0
    assert status(capsys, county, 2024)["chengguan"]["status"] == "returned"
    # The township's corrected file arrives: submitted again, from that file, the note gone.
    again = tmp_file(county, "城关镇2024更正.xlsx", township_file(county, "chengguan", 2024, 2024))
    code, _, err = run(capsys, "import", again, "--db", county)
    assert code == 0, err
    final = status(capsys, county, 2024)["chengguan"]
    assert final["status"] == "submitted" and final["note"] == "" and final["file"] == "城关镇2024更正.xlsx"
    assert final["rows"] == before["rows"] and final["members"] == before["members"]


def tmp_file(near: Path, name: str, data: bytes) -> Path:
    out = near.parent / name
    out.write_bytes(data)
    return out


@pytest.mark.parametrize("args, words", [
    (("--return", "atlantis", "--note", "x"), "没有乡镇「atlantis」"),
    (("--return", "chengguan"), "须用 --note 写明原因"),
    (("--return", "chengguan", "--note", "  "), "须用 --note 写明原因"),
])
def test_a_bad_return_says_why_and_changes_nothing(county, capsys, args, words):
    pointer = snapshots.current_name(county)
    code, out, err = run(capsys, "status", "--year", 2024, *args, "--db", county)
    assert code == 2 and words in err and out == ""
    assert snapshots.current_name(county) == pointer


def test_a_township_that_sent_nothing_cannot_be_returned(county, capsys):
    code, _, err = run(capsys, "status", "--year", 2010, "--return", "chengguan", "--note", "x", "--db", county)  # before any sheet
    assert code == 2 and "还没有报送" in err


def unit_sheet(data: bytes, name: str = "单位") -> pd.DataFrame:
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book[name].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_a_townships_workbook_filled_with_last_years_figures_gives_the_same_figures(county, capsys, tmp_path):
    out = tmp_path / "城关镇2025.xlsx"
    code, _, err = run(capsys, "template", "--region", "chengguan", "--year", 2025, "--out", out, "--db", county)
    assert code == 0, err
    book = openpyxl.load_workbook(out)
    sheet = unit_sheet(out.read_bytes())
    listed = raw(county, """SELECT uy.name, u.credit_code, uy.industry_code, uy.ownership_code, uy.employees,
                                   uy.members, uy.union_status
                            FROM unit_year uy JOIN units u USING (unit_id)
                            WHERE uy.year = 2024 AND uy.region_code = 'chengguan'""")
    assert sorted(sheet["单位名称"]) == sorted(listed["name"])
    assert set(sheet["年度"]) == {2025} and set(sheet["乡镇"]) == {"城关镇"}
    assert sheet[COUNTS].isna().all().all()  # counts blank for the new year
    codes = dict(zip(listed["name"], listed["credit_code"]))
    assert all(codes[n] == c or (pd.isna(codes[n]) and c is None) for n, c in zip(sheet["单位名称"], sheet["统一社会信用代码"]))
    industries = dict(zip(listed["name"], listed["industry_code"]))
    assert all(i.split()[0] == industries[n] for n, i in zip(sheet["单位名称"], sheet["行业门类"]))
    reference = book[REFERENCE_SHEET]
    assert reference.protection.sheet  # last year's figures: read-only
    shown = unit_sheet(out.read_bytes(), REFERENCE_SHEET)
    assert set(shown["年度"]) == {2024}
    assert dict(zip(shown["单位名称"], shown["职工人数"])) == dict(zip(listed["name"], listed["employees"]))

    # Fill it as the township would, from 2024's figures read straight from the store, by name.
    figures = raw(county, f"SELECT name, {', '.join(COUNT_FIELDS)} FROM unit_year "
                          "WHERE year = 2024 AND region_code = 'chengguan'").set_index("name")
    units = book["单位"]
    header = [c.value for c in units[1]]
    for row in units.iter_rows(min_row=2):
        name = row[header.index("单位名称")].value
        for zh, field in zip(COUNTS, COUNT_FIELDS):
            value = figures.at[name, field]
            row[header.index(zh)].value = None if pd.isna(value) else int(value)
    filled = tmp_path / "城关镇2025已填.xlsx"
    book.save(filled)
    code, _, err = run(capsys, "import", filled, "--db", county)
    assert code == 0, err
    assert "与上年比较" not in err  # the same figures as last year: nothing to check
    scope = Scope(regions=("chengguan",))
    old, new = indicators.summary(2024, scope, county), indicators.summary(2025, scope, county)
    assert {c: new[c] for c in FROM_UNIT_SHEET} == {c: old[c] for c in FROM_UNIT_SHEET}
    assert all(old[c] is not None for c in FROM_UNIT_SHEET) and len(FROM_UNIT_SHEET) >= 20
    assert old["units"] > 0 and new["unions_new"] == 0
    assert status(capsys, county, 2025)["chengguan"]["file"] == filled.name


def test_a_townships_workbook_imports_into_a_store_that_does_not_list_it(county, capsys, tmp_path):
    """The workbook carries its township, so a county starting afresh can import it as it is."""
    out = tmp_path / "城关镇2025.xlsx"
    run(capsys, "template", "--region", "城关镇", "--year", 2025, "--out", out, "--db", county)
    fresh = tmp_path / "fresh.duckdb"
    code, _, err = run(capsys, "import", out, "--db", fresh)
    assert code == 0, err
    got = status(capsys, fresh, 2025)
    assert list(got) == ["chengguan"] and got["chengguan"]["units"] == len(unit_sheet(out.read_bytes()))


def test_a_township_with_totals_only_gets_its_total_rows(county, capsys, tmp_path):
    totals = raw(county, "SELECT region_code, count(*) AS n FROM region_year WHERE year = 2024 GROUP BY ALL")
    region, rows = totals.iloc[0]["region_code"], int(totals.iloc[0]["n"])
    out = tmp_path / "totals.xlsx"
    assert run(capsys, "template", "--region", region, "--year", 2025, "--out", out, "--db", county)[0] == 0
    sheet = unit_sheet(out.read_bytes(), BY_TABLE["region_year"].zh)
    assert len(sheet) == rows and set(sheet["年度"]) == {2025} and sheet["单位数"].isna().all()


@pytest.mark.parametrize("args, words", [
    (("--region", "atlantis", "--year", "2025"), "未知乡镇"),
    (("--region", "chengguan"), "同时指定"),
])
def test_bad_township_template_arguments(county, capsys, tmp_path, args, words):
    code, _, err = run(capsys, "template", *args, "--out", tmp_path / "x.xlsx", "--db", county)
    assert code == 2 and words in err and not (tmp_path / "x.xlsx").exists()


def year_notices(path: Path, data: bytes, tmp_path: Path, rows: dict | None = None) -> list[str]:
    """The between-year notices of an import (a dry run); `rows` collects message → file row."""
    prepared = importing.prepare(path, "城关镇2025.xlsx", data, scratch=tmp_path / "scratch")
    assert not prepared.batch.problems, prepared.batch.problems[:3]
    store.clear_cache()
    found = [n for n in prepared.batch.notices if n.message.startswith("与上年比较")]
    if rows is not None:
        rows.update({n.message: n.row for n in found})
    return [n.message for n in found]


def test_warnings_between_years_fire_on_changes_and_stay_silent_on_an_unchanged_file(county, tmp_path):
    (tmp_path / "scratch").mkdir()
    assert year_notices(county, township_file(county, "chengguan", 2025, 2024), tmp_path) == []

    picked = {}

    def change(frame: pd.DataFrame) -> pd.DataFrame:
        members = frame[frame["members"] > 0].index
        picked["dropped"], picked["doubled"] = frame.at[members[0], "name"], frame.at[members[1], "name"]
        frame = frame.drop(index=members[0])
        for field in ("employees", "members"):
            frame.loc[members[1], field] *= 2
        new = frame.iloc[[0]].assign(name="城关新开业测试有限公司", credit_code=None, employees=30, female_employees=10,
                                     migrant_workers=5, members=0, female_members=0, migrant_members=0,
                                     members_joined=0, union_status="none", union_founded_year=None,
                                     has_congress=False, has_openness=False, has_collective_contract=False,
                                     has_wage_agreement=False, employees_contracted=30)
        return pd.concat([frame, new])

    data = township_file(county, "chengguan", 2025, 2024, change)
    rows: dict = {}
    found = year_notices(county, data, tmp_path, rows)
    sheet = unit_sheet(data)
    excel_row = {name: i + 2 for i, name in enumerate(sheet["单位名称"])}  # header is row 1
    assert all(m.startswith("与上年比较：城关镇：") for m in found)
    gone = [m for m in found if "没有这家单位" in m]
    assert len(gone) == 1 and picked["dropped"] in gone[0]
    moved = [m for m in found if "变动超过 50%" in m]
    assert len(moved) == 2 and all(picked["doubled"] in m and "+100%" in m for m in moved)
    assert any("职工人数" in m for m in moved) and any("会员人数" in m for m in moved)
    gaps = [m for m in found if "新的空白点" in m]
    assert len(gaps) == 1 and "城关新开业测试有限公司" in gaps[0] and "30 人" in gaps[0]
    assert len(found) == 4  # nothing else: the township's rate barely moved
    # Each warning about a row of the file names that row; a unit gone has none.
    assert rows[gone[0]] is None
    assert {rows[m] for m in moved} == {excel_row[picked["doubled"]]}
    assert rows[gaps[0]] == excel_row["城关新开业测试有限公司"]


def test_a_membership_rate_moving_more_than_ten_points_is_flagged(county, tmp_path, capsys):
    def halve(frame: pd.DataFrame) -> pd.DataFrame:
        for field in ("members", "female_members", "migrant_members", "members_joined"):
            frame[field] = frame[field] // 2
        return frame

    data = township_file(county, "chengguan", 2025, 2024, halve)
    file = tmp_file(county, "城关镇2025.xlsx", data)
    old = indicators.summary(2024, Scope(regions=("chengguan",)), county)["membership_rate"]
    pointer = snapshots.current_name(county)
    code, _, err = run(capsys, "import", file, "--dry-run", "--db", county)  # the CLI shows them as notices
    assert code == 0 and snapshots.current_name(county) == pointer
    rate = [line for line in err.splitlines() if "入会率" in line and "与上年比较" in line]
    assert len(rate) == 1 and f"{old * 100:.1f}%" in rate[0] and "个百分点" in rate[0]


def test_an_old_store_says_upgrade_then_upgrades_with_every_township_submitted(county, capsys, tmp_path):
    old = tmp_path / "old.duckdb"
    shutil.copy(store.resolve(county), old)
    con = duckdb.connect(str(old))
    con.execute("DROP TABLE submissions")
    con.execute("UPDATE settings SET value = '3' WHERE key = 'schema_version'")
    con.close()
    code, _, err = run(capsys, "status", "--year", 2024, "--db", old)
    assert code == 1 and "旧版格式" in err and "upgrade" in err
    assert run(capsys, "upgrade", "--db", old)[0] == 0
    got = status(capsys, old, 2024)
    assert {r["status"] for r in got.values()} == {"submitted"} and {r["file"] for r in got.values()} == {None}
    assert store.setting("schema_version", path=old) == store.SCHEMA_VERSION


# --- the data page -------------------------------------------------------------------------------


def test_the_data_page_shows_the_status_and_returns_a_sheet(county_copy, capsys):
    from test_data_page import data_page, log_in
    at = log_in(data_page())
    assert not at.exception
    table = next(d.value for d in at.dataframe if "退回说明" in d.value.columns)
    regions = raw(county_copy, "SELECT name_zh FROM regions ORDER BY sort_order")["name_zh"]
    assert list(table["乡镇"]) == list(regions) and set(table["状态"]) == {"已报送"}
    assert at.get("download_button") and any(b.key == "collect_download" for b in at.get("download_button"))
    at.selectbox(key="return_region").set_value("xicheng")
    at.text_input(key="return_note").set_value("职工人数漏填两家")
    at.button(key="return_sheet").click().run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "退回说明" in d.value.columns)
    row = table[table["乡镇"] == "西城街道"].iloc[0]
    assert row["状态"] == "退回修改" and row["退回说明"] == "职工人数漏填两家"
    assert status(capsys, county_copy, 2024)["xicheng"]["status"] == "returned"


def test_the_data_page_download_is_that_townships_workbook(county_copy):
    from test_data_page import data_page, log_in
    at = log_in(data_page())
    at.selectbox(key="collect_year").set_value(2025).run()
    at.selectbox(key="collect_region").set_value("nanshan").run()
    assert not at.exception
    from unionstats import collection
    data, last, _ = collection.township_workbook("nanshan", 2025, county_copy)
    names = raw(county_copy, "SELECT name FROM unit_year WHERE year = 2024 AND region_code = 'nanshan'")["name"]
    assert last == 2024 and sorted(unit_sheet(data)["单位名称"]) == sorted(names)


@pytest.mark.browser
def test_the_status_table_in_a_real_browser(county):
    """The data page's status table drawn by Chromium, after a township was returned; the
    screenshot is kept for a person to look at."""
    from conftest import require_browser
    executable = require_browser()  # skips without Chromium (never under CI=true)
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM_ARGS, IDLE, SHOTS, _streamlit

    from unionstats import auth, collection
    importing.write_edit(county, lambda: collection.mark_returned(county, 2024, "nanshan", "会员人数与台账不符，请核对后重报"))
    store.clear_cache()
    with _streamlit(county, **{auth.ENV: auth.hash_password(PASSWORD)}) as url, sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        page = chromium.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN").new_page()
        page.goto(url + "/data")
        page.wait_for_selector(IDLE, timeout=60_000)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        heading = page.get_by_text("各乡镇报送情况")
        heading.wait_for(timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        heading.scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "collection-status.png"))
        assert page.get_by_text("2024 年：已报送 12，退回修改 1，未报送 0").count() == 1
        chromium.close()
