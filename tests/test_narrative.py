"""读工作总结 (issue #16): figures of catalog indicators read from work reports.

The seed report is copied from shared/seeds/. The expected figures of each report under tests/data/reports/ were labelled by hand from the
text (NAME.expected.json: {code: [value, qualifier]}), not copied from the reader's output."""
from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import ADMIN_PASSWORD, ROOT, run_cli
from unionstats import catalog, narrative

REPORTS = ROOT / "tests" / "data" / "reports"
SEED = REPORTS / "seed_000_3aedff2f801e4680.txt"  # a copy of shared/seeds/000_3aedff2f801e4680.txt


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def build_docx(source: str) -> bytes:
    """A Word file from a plain source: lines "|a|b|" are table rows, the others paragraphs."""
    import docx
    document = docx.Document()
    rows: list[list[str]] = []

    def flush():
        if rows:
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
            rows.clear()

    for line in source.splitlines():
        if line.startswith("|"):
            rows.append(line.strip("|").split("|"))
        else:
            flush()
            document.add_paragraph(line)
    flush()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_file(stem: str) -> tuple[str, bytes]:
    source = REPORTS / f"{stem}.source"
    if source.exists():
        return f"{stem}.docx", build_docx(source.read_text(encoding="utf-8"))
    return f"{stem}.txt", (REPORTS / f"{stem}.txt").read_bytes()


def labelled(figures: dict) -> dict:
    return {code: (f.number, f.qualifier) for code, f in figures.items()}


# --- the seed -------------------------------------------------------------------------------------

SEED_FIGURES = {
    "unions_new": (21, None), "members_new": (1000, "余"), "units_congress": (63, None),
    "congress_rate": (0.75, "以上"), "units_inspected": (50, "多"), "compliance_rate": (0.80, "以上"),
    "workers_helped_sign": (1000, "余"), "arrears_recovered_yuan": (680000, None), "aid_households": (186, None),
    "aid_yuan": (96180, None), "model_worker_aid_yuan": (26000, None), "subsidy_yuan": (250000, "余"),
}


def test_seed_figures_are_read_with_their_qualifiers():
    reading = narrative.read_report(seed_text())
    got = labelled(reading.actuals())
    for code, expected in SEED_FIGURES.items():
        assert got.get(code) == expected, code
    assert reading.year == 2024
    assert reading.targets() == {}  # the seed's plan names no figures
    assert reading.ambiguous() == []


def test_seed_distractors_are_not_figures():
    text = seed_text()
    reading = narrative.read_report(text)
    values = {f.number for f in reading.figures}
    for distractor in (3000, 200, 400, 32, 29, 1600, 1200, 8, 2):
        assert distractor not in values
    shown = [text[f.start:f.end] for f in reading.figures]
    assert not any("3000" in s or "32号" in s or "29名" in s for s in shown)


def test_seed_figures_keep_their_sentence_and_position():
    text = seed_text()
    for f in narrative.read_report(text).figures:
        assert f.sentence_start <= f.start < f.end <= f.sentence_end
        assert text[f.start:f.end] in f.sentence
        assert "。" not in f.sentence.rstrip("。")
    first = narrative.read_report(text).actuals()["unions_new"]
    assert text[first.start:first.end] == "21家"
    assert "新组建基层工会组织21家" in first.sentence


# --- reports of our own ---------------------------------------------------------------------------

STEMS = sorted(p.name[:-len(".expected.json")] for p in REPORTS.glob("*.expected.json"))


def test_there_are_enough_labelled_reports():
    assert len(STEMS) >= 5
    assert any((REPORTS / f"{s}.source").exists() for s in STEMS)  # one is built as .docx


@pytest.mark.parametrize("stem", STEMS)
def test_report_is_read_exactly(stem):
    expected = json.loads((REPORTS / f"{stem}.expected.json").read_text(encoding="utf-8"))
    name, data = report_file(stem)
    reading = narrative.read_file(name, data, expected.get("given_year"))
    assert reading.year == expected["year"]
    assert reading.target_year == expected["target_year"]
    assert labelled(reading.actuals()) == {k: tuple(v) for k, v in expected["figures"].items()}
    assert labelled(reading.targets()) == {k: tuple(v) for k, v in expected["targets"].items()}
    values = {f.number for f in reading.figures}
    rates = {round(f.number * 100, 6) for f in reading.figures if f.unit == "%"}
    for distractor in expected["not_figures"]:
        assert distractor not in values and distractor not in rates
    assert all(f.year == (reading.year if f.kind == "actual" else reading.target_year) for f in reading.figures)


def test_gbk_report_really_is_gbk():
    data = (REPORTS / "township_2024_gbk.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "石桥镇" in narrative.read_text("x.txt", data)


def test_full_width_positions_point_at_the_text_as_written():
    name, data = report_file("fullwidth_2024")
    text = narrative.read_text(name, data)
    reading = narrative.read_report(text)
    members = reading.actuals()["members_new"]
    assert text[members.start:members.end] == "２，１５６人"
    arrears = reading.actuals()["arrears_recovered_yuan"]
    assert text[arrears.start:arrears.end] == "１，０２４．３６万元"


def test_report_without_a_year_needs_one():
    name, data = report_file("street_no_year")
    reading = narrative.read_file(name, data)
    assert reading.year is None
    assert all(f.year is None for f in reading.figures)


def test_people_in_the_wrong_unit_are_not_counted_but_told():
    name, data = report_file("street_no_year")
    reading = narrative.read_file(name, data, 2024)
    assert "aid_households" not in reading.actuals()  # 135人次 is not 户次
    assert any("135人次" in m and "帮扶户次" in m for m in reading.unit_mismatches)


def test_different_values_for_one_indicator_are_flagged():
    reading = narrative.read_report("2024年工作总结。全年新建工会21家。其他乡镇新建工会19家。")
    assert [(kind, code, [f.number for f in fs]) for kind, code, fs in reading.ambiguous()] == \
        [("actual", "unions_new", [21, 19])]
    assert reading.actuals()["unions_new"].number == 21  # the first stated


# --- numbers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, value, unit, qualifier", [
    ("一千二百人", Decimal(1200), "人", None),
    ("三十二点六万元", Decimal(326000), "元", None),
    ("２，１５６人", Decimal(2156), "人", None),
    ("1,024.36万元", Decimal(10243600), "元", None),
    ("25万余元", Decimal(250000), "元", "余"),
    ("25余万元", Decimal(250000), "元", "余"),
    ("百分之七十", Decimal("0.7"), "%", None),
    ("75％以上", Decimal("0.75"), "%", "以上"),
    ("50多家", Decimal(50), "家", "多"),
    ("近３００户次", Decimal(300), "户次", "近"),
    ("约1.2万人", Decimal(12000), "人", "约"),
    ("186户（次）", Decimal(186), "户次", None),
    ("两千余名", Decimal(2000), "人", "余"),
    ("近千人", Decimal(1000), "人", "近"),
    ("不少于300户次", Decimal(300), "户次", "以上"),
    ("二十三点五万元", Decimal(235000), "元", None),
])
def test_number_forms(written, value, unit, qualifier):
    numbers = narrative.find_numbers(written)
    assert len(numbers) == 1
    n = numbers[0]
    assert (n.value, n.unit, n.qualifier) == (value, unit, qualifier)
    assert (n.start, n.end) == (0, len(written))


@pytest.mark.parametrize("written", ["3月8日", "〔2024〕32号", "x工字[2024]32号", "3000多份", "400多人次", "8条",
                                     "4.2个百分点", "二是", "“五一”", "十七大", "千方百计", "节约千元"])
def test_not_a_count_of_the_catalog(written):
    units = {n.unit for n in narrative.find_numbers(written)}
    assert not units & {u for words in narrative.UNIT_WORDS.values() for u in words}


@pytest.mark.parametrize("text", [
    "2024年工作总结。召开第四届职工运动会，共有30家单位、1000余名运动员参加。",
    "2024年工作总结。10家工会先进集体及29名工会先进个人受到表彰。",
    "2024年工作总结。全年新建工会比上年增加5家，入会率同比提高5%。",
    "2024年工作总结。第3家新建工会在3月8日挂牌。",
    "2024年工作总结。走访慰问联系点贫困户，发放帮扶金共计1600元。",
])
def test_distractor_sentences_hold_no_figures(text):
    assert narrative.read_report(text).figures == []


def test_every_rule_names_a_catalog_code_and_its_units():
    for rule in narrative.RULES:
        assert rule.code in catalog.BY_CODE
        assert rule.allowed_units()


def test_the_plan_part_gives_targets_for_its_year():
    text = "县总工会2024年度工作总结\n全年新建工会21家。\n2025年工作计划：新建工会组织20家以上…，建会率达到80%"
    reading = narrative.read_report(text)
    assert labelled(reading.actuals()) == {"unions_new": (21, None)}
    assert labelled(reading.targets()) == {"unions_new": (20, "以上"), "unionization_rate": (0.8, None)}
    assert reading.target_year == 2025


def test_a_sentence_that_mentions_the_plan_is_not_a_plan_heading():
    text = "2024年工作总结\n按照年初工作计划，全年新建工会15家。"
    assert labelled(narrative.read_report(text).actuals()) == {"unions_new": (15, None)}


# --- files -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, data, words", [
    ("总结.doc", b"\xd0\xcf\x11\xe0", "另存为 .docx"),
    ("总结.pdf", b"%PDF-1.4", "不支持"),
    ("总结.txt", b"", "空"),
    ("总结.txt", b"   \n  ", "没有文字"),
    ("总结.docx", b"PK\x03\x04 not a zip", "损坏"),
])
def test_unreadable_files_get_a_chinese_message_naming_the_file(name, data, words):
    with pytest.raises(narrative.ReportError) as info:
        narrative.read_text(name, data)
    assert name in str(info.value) and words in str(info.value)


def test_utf8_with_bom_and_crlf():
    data = "\ufeff2024年工作总结\r\n全年新建工会21家。\r\n".encode("utf-8")
    text = narrative.read_text("a.txt", data)
    assert text.startswith("2024") and "\r" not in text


# --- the command line ------------------------------------------------------------------------------

def run(capsys, *args) -> tuple[int, str, str]:
    from unionstats import cli
    code = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def state(path: Path) -> tuple:
    """What a reader of the store would see: the snapshot in force, its data, the history."""
    from unionstats import snapshots, store
    return (snapshots.current_name(path), snapshots.checksums(store.resolve(path)), len(snapshots.history(path)))


def test_cli_json_on_the_seed_writes_nothing(county, capsys):
    before = state(county)
    code, out, err = run(capsys, "read-report", SEED, "--json", "--db", county)
    assert code == 0, err
    data = json.loads(out)
    assert data["year"] == 2024
    assert {k: data["figures"][k] for k in SEED_FIGURES} == {k: v for k, (v, _) in SEED_FIGURES.items()}
    assert data["targets"] == {}
    found = {f["code"]: f for f in data["found"]}
    assert {"code", "value", "qualifier", "sentence"} <= set(found["members_new"])
    assert found["members_new"]["qualifier"] == "余" and "新增会员1000余人" in found["members_new"]["sentence"]
    assert state(county) == before


def test_cli_command_line_reads_a_gbk_report():
    done = run_cli("read-report", REPORTS / "township_2024_gbk.txt", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["year"], data["figures"]["unions_new"], data["targets"]["membership_rate"]) == (2024, 5, 0.9)


def test_cli_import_writes_the_plan_targets_and_undo_takes_them_back(county, capsys):
    from unionstats import indicators, snapshots, store
    before = indicators.targets(2024, county)
    data_before = {k: v for k, v in state(county)[1].items() if k not in ("targets", "settings")}
    code, out, err = run(capsys, "read-report", REPORTS / "county_2023.txt", "--import", "--db", county)
    assert code == 0, err
    store.clear_cache()
    after = indicators.targets(2024, county)
    assert after[("unions_new", "")] == 20 and after[("members_new", "")] == 1500
    assert after[("unionization_rate", "")] == pytest.approx(0.88)
    assert after[("aid_households", "")] == 300
    assert after[("labor_contract_rate", "")] == before[("labor_contract_rate", "")]  # not in the plan: kept
    # The 2023 actuals have no place yet (county totals): they are listed, not written.
    assert "未写入" in err and "全县合计" in err and "新组建基层工会" in err
    data_after = {k: v for k, v in state(county)[1].items() if k not in ("targets", "settings")}
    assert {k: v for k, v in data_after.items() if k != "imports"} == \
        {k: v for k, v in data_before.items() if k != "imports"}
    record = snapshots.history(county)[-1]
    assert (record["file"], record["action"], record["outcome"]) == ("county_2023.txt", "edit", "published")
    snapshots.undo(county)
    store.clear_cache()
    assert indicators.targets(2024, county) == before


def test_cli_import_as_a_township_writes_its_subsidies(county, capsys):
    from unionstats import indicators, store
    region = str(store.query("regions", path=county)["code"].iloc[0])

    def subsidies():
        with store.cursor(store.resolve(county)) as cur:
            return {(y, r): (u, v) for y, r, u, v in cur.execute(
                "SELECT year, region_code, unions_supported, yuan FROM subsidies").fetchall()}

    before = subsidies()
    code, out, err = run(capsys, "read-report", REPORTS / "numerals_2021.txt", "--import", "--region", region,
                         "--db", county)
    assert code == 0, err
    store.clear_cache()
    after = subsidies()
    assert after[(2021, region)] == (19, 200000)
    assert {k: v for k, v in after.items() if k != (2021, region)} == \
        {k: v for k, v in before.items() if k != (2021, region)}
    targets = indicators.targets(2022, county)
    assert targets[("unions_new", region)] == 15
    assert targets[("migrant_membership_rate", region)] == pytest.approx(0.75)
    assert "乡镇汇总" in err  # unions_new, members_new: a township row needs every column


@pytest.mark.parametrize("text, words", [
    ("2024年工作总结。全年新建工会21家。另据统计，新建工会19家。\n2025年工作计划\n新建工会25家。", "不同的数"),
    ("2024年工作总结\n2025年工作计划：建会率达到120%。", "0% 到 100%"),
    ("工作总结。全年新建工会21家。", "--year"),
])
def test_cli_import_refuses_bad_reports_and_changes_nothing(county, capsys, tmp_path, text, words):
    file = tmp_path / "总结.txt"
    file.write_text(text, encoding="utf-8")
    before = state(county)
    code, out, err = run(capsys, "read-report", file, "--import", "--db", county)
    assert code == 2
    assert words in err
    assert state(county) == before


def test_cli_unknown_township_is_refused(county, capsys):
    before = state(county)
    code, out, err = run(capsys, "read-report", REPORTS / "numerals_2021.txt", "--import", "--region", "无此镇",
                         "--db", county)
    assert code == 2 and "未知乡镇" in err
    assert state(county) == before


# --- the data page ---------------------------------------------------------------------------------

PASSWORD = ADMIN_PASSWORD


def report_section(text: str):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at = at.switch_page("pages/data.py").run()
    at.text_input[0].set_value(PASSWORD)
    at.button[0].click().run()
    at.toggle(key="report_open").set_value(True).run()
    at.text_area(key="report_paste").input(text).run()
    assert not at.exception
    return at


def review_table(at):
    return next(d.value for d in at.dataframe if "核对" in d.value.columns)


def test_data_page_flags_a_conflict_and_writes_nothing_before_confirm(county_copy):
    from unionstats import indicators
    stored = indicators.summary(2023, path=county_copy)["unions_new"]
    text = f"县总工会2023年工作总结\n全年新组建基层工会组织{stored + 2}家。\n2024年工作计划：建会率达到50%，新建工会组织25家以上。"
    before = state(county_copy)
    at = report_section(text)
    table = review_table(at)
    assert list(table["指标"]) == ["新组建基层工会", "建会率", "新组建基层工会"]
    assert list(table["类别"]) == ["实际", "目标", "目标"]
    assert list(table["数值"]) == [str(stored + 2), "50%", "25"]
    assert list(table["核对"]) == ["⚠ 不符", "将替换", "将替换"]  # the demo targets are 46% and 20
    assert any("1 个数字与库中数据不符" in w.value for w in at.warning)
    assert any(f":red-background[**{stored + 2}家**]" in m.value for m in at.markdown)
    assert any(":violet-background[**50%**]".replace("%", "\\%") in m.value for m in at.markdown)
    assert state(county_copy) == before  # shown, not written


def test_data_page_confirm_writes_the_targets_and_undo_takes_them_back(county_copy):
    from unionstats import indicators, snapshots, store
    before = indicators.targets(2024, county_copy)
    at = report_section("县总工会2023年工作总结\n全年新组建基层工会组织19家。\n"
                        "2024年工作计划：建会率达到50%，新建工会组织25家以上。")
    at.button(key="report_confirm").click().run()
    assert not at.exception
    assert any("已写入 2 项" in s.value for s in at.success)
    assert any("新组建基层工会 19" in i.value and "全县合计" in i.value for i in at.info)
    store.clear_cache()
    after = indicators.targets(2024, county_copy)
    assert after[("unionization_rate", "")] == pytest.approx(0.5) and after[("unions_new", "")] == 25
    assert snapshots.history(county_copy)[-1]["file"] == "粘贴的文本"
    snapshots.undo(county_copy)
    store.clear_cache()
    assert indicators.targets(2024, county_copy) == before


def test_data_page_refuses_a_bad_edit(county_copy):
    from unionstats import narrative as n
    figures = n.read_report("2023年工作总结\n2024年工作计划：建会率达到50%，新建工会25家。").figures
    items, problems = n.confirmed_items([{"take": True, "code": "unionization_rate", "value": "五成"},
                                         {"take": True, "code": "unions_new", "value": "25.5"}], figures)
    assert items == [] and len(problems) == 2
    assert "第1行" in problems[0] and "第2行" in problems[1] and "整数" in problems[1]
    items, problems = n.confirmed_items([{"take": True, "code": "unions_new", "value": "２６"},
                                         {"take": True, "code": "unions_new", "value": "25"}], figures)
    assert items[0]["value"] == 26 and "重复" in problems[0]


@pytest.mark.parametrize("value, qualifier, step, stored, fits", [
    (1000, "余", 1000, 1284, True), (1000, "余", 1000, 999, False), (50, "多", 10, 52, True),
    (50, "多", 10, 60, False), (0.75, "以上", 0.01, 0.7592, True), (0.75, "以上", 0.01, 0.74, False),
    (680000, None, 10000, 683000, True), (21, None, 1, 19, False), (21, None, 1, 21, True),
    (300, "近", 100, 296, True), (300, "近", 100, 310, False), (1000, "约", 1000, 1400, True),
])
def test_stored_values_fit_what_the_report_says(value, qualifier, step, stored, fits):
    from unionstats import narrative as n
    assert n.agrees(value, qualifier, step, stored) is fits


@pytest.mark.browser
def test_browser_paste_edit_confirm_see_on_overview_then_undo(county_copy):
    """In a real browser: paste a report, change one found figure in the table, confirm, see the
    new target on 总览's coverage chart, undo on the data page, see the old one again."""
    import time

    from conftest import require_browser
    from test_browser import CHROMIUM_ARGS, IDLE, SHOTS, _streamlit, shoot
    from unionstats import snapshots
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    target_marker = """() => [...document.querySelectorAll('.js-plotly-plot')]
        .flatMap(p => p.data.filter(t => t.name === '目标').map(t => t.customdata[0]))"""

    def overview(page, expected: list[str] | None = None) -> list[str]:
        """The target markers on 总览's charts (a fresh session), once drawn (and showing `expected`)."""
        page.goto(url + "/?year=2024")
        page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')]"
                               ".filter(p => p.data && p.data.length).length >= 3", timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        if expected is not None:
            page.wait_for_function(f"() => JSON.stringify(({target_marker})()) === {json.dumps(json.dumps(expected))}",
                                   timeout=60_000)
        return page.evaluate(target_marker)

    def data_page(page) -> None:
        """The data page, logged in as administrator."""
        page.goto(url + "/data?year=2024")
        password = page.get_by_label("密码")
        password.wait_for(timeout=60_000)
        password.fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.locator("[data-testid='stCheckbox']", has_text="读工作总结").wait_for(timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)

    with _streamlit(county_copy) as url:  # the admin password and store are in the environment
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="zh-CN").new_page()
            before = overview(page)
            assert before != ["52.0%"]
            data_page(page)
            page.locator("[data-testid='stCheckbox']", has_text="读工作总结").click()
            paste = page.get_by_label("或粘贴文字")
            paste.fill("县总工会2023年工作总结\n全年新组建基层工会组织19家。\n"
                       "2024年工作计划：建会率达到50%，新建工会组织25家以上。")
            page.keyboard.press("Control+Enter")
            page.get_by_role("button", name="确认写入").wait_for(timeout=60_000)
            page.wait_for_selector(IDLE, timeout=60_000)
            assert page.get_by_text("50%", exact=True).count() >= 1  # highlighted in the text
            grid = page.locator("[data-testid='stDataFrame']").last
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            # Row 2 (建会率, the target), column 数值: 写入, 类别, 年度 are small (75 px), 指标 medium (200 px).
            page.mouse.dblclick(box["x"] + 3 * 75 + 200 + 37, box["y"] + 35 + 35 + 17)
            editor = page.locator("textarea.gdg-input")
            editor.wait_for(timeout=30_000)
            assert editor.input_value() == "50%"
            editor.fill("52%")
            page.keyboard.press("Enter")
            try:  # the edit reruns the page; confirm only once that run is over
                page.wait_for_selector("[data-testid='stApp'][data-test-script-state='running']", timeout=10_000)
            except Exception:
                pass  # it was over before we looked
            page.wait_for_selector(IDLE, timeout=60_000)
            page.get_by_role("button", name="确认写入").click()
            try:
                page.get_by_text("已写入 2 项").wait_for(timeout=60_000)
            except Exception:
                SHOTS.mkdir(parents=True, exist_ok=True)  # a picture of the failure, nothing asserted
                page.screenshot(path=str(SHOTS / "data-report-failed.png"), full_page=True)
                raise
            page.wait_for_selector(IDLE, timeout=60_000)
            shoot(page, "data-report", full_page=True)
            assert overview(page, ["52.0%"]) == ["52.0%"]
            data_page(page)
            written = snapshots.current_name(county_copy)
            page.get_by_role("button", name="撤销最近一次导入").click()
            for _ in range(600):  # the page reruns at once after undo: watch the store instead
                if snapshots.current_name(county_copy) != written:
                    break
                time.sleep(0.1)
            assert snapshots.current_name(county_copy) != written
            assert overview(page, before) == before
            browser.close()


@pytest.mark.parametrize("sentence, expected", [
    ("全县共有基层工会组织586个，会员总数达5.6万人。", {"units_unionized": 586, "members": 56000}),
    ("签订工资集体协议的企业156家。", {"units_wage_agreement": 156}),
    ("全县劳动合同签订率达97%，集体合同覆盖率达90%。", {"labor_contract_rate": 0.97, "collective_contract_rate": 0.9}),
    ("全县女职工入会率达到85%，农民工入会率达到80%。", {"female_membership_rate": 0.85, "migrant_membership_rate": 0.8}),
    ("为困难职工子女发放助学金3.5万元。", {"aid_yuan": 35000}),
    ("建立职工之家示范点12个，组织1200名职工参加技能培训，工会经费收缴率达到95%。", {}),
    ("协调解决劳动争议案件15件，举办劳模先进事迹报告会3场。", {}),
])
def test_more_phrasings(sentence, expected):
    reading = narrative.read_report("2024年工作总结\n" + sentence)
    assert {c: f.number for c, f in reading.actuals().items()} == expected
