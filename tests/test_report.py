"""会场 (issue #14): the Word 汇报材料, the HTML report's charts and targets, English sentences,
the briefing's date."""
from __future__ import annotations

import html

import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from conftest import ROOT, run_cli
from unionstats import briefing, catalog, charts, indicators, report, store
from unionstats.view import View
from unionstats import format as fmt
from unionstats.indicators import Scope


@pytest.fixture(scope="module")
def word(demo_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("word") / "汇报.docx"
    done = run_cli("briefing", "--year", "2024", "--out", out, "--db", demo_db)
    assert done.returncode == 0, done.stderr
    return out


def _text(document) -> str:
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_word_report_holds_the_years_figures_as_on_the_pages(word, demo_db):
    document = docx.Document(str(word))
    text = _text(document)
    now = indicators.summary(2024, path=demo_db)
    for code in ("unions_new", "members_new", "unionization_rate", "arrears_recovered_yuan", "aid_households",
                 "aid_yuan", "units_inspected", "compliance_rate"):
        shown = fmt.fmt_number(now[code], catalog.get(code).unit)
        assert shown in text, (code, shown)
    target = indicators.targets(2024, demo_db)[("unions_new", "")]
    assert f"完成年度目标的{now['unions_new'] / target * 100:.0f}%" in text
    assert "示例县2024年工会工作数据汇报" in document.paragraphs[0].text
    assert "2024-12-31" in text and "全县" in text
    assert len(document.tables) >= 4  # key indicators, townships, gaps, aid, targets: real tables
    assert len(document.inline_shapes) == 3  # the charts, as pictures


def test_word_report_fonts_are_set_for_chinese(word):
    document = docx.Document(str(word))
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    texts = [r for r in runs if r.text.strip()]
    assert len(texts) > 100
    for run in texts:
        fonts = run._r.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")) in (report.BODY, report.HEADING, report.TABLE), run.text
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings and all(r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
                            for p in headings for r in p.runs)
    body = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert body.get(qn("w:eastAsia")) == "仿宋" and body.get(qn("w:eastAsiaTheme")) is None


@pytest.mark.slow
def test_word_report_renders_in_libreoffice_inside_the_page(word, tmp_path):
    soffice, pdftoppm, pdftotext = shutil.which("soffice"), shutil.which("pdftoppm"), shutil.which("pdftotext")
    if not (soffice and pdftoppm and pdftotext):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LibreOffice/poppler are missing: .ci/run must install them")
        pytest.skip("needs libreoffice-writer and poppler-utils")
    source = tmp_path / "report.docx"  # LibreOffice's command line is safest with an ASCII name
    shutil.copy(word, source)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=300)
    pdf = tmp_path / "report.pdf"
    assert pdf.exists(), "LibreOffice did not convert the report (is libreoffice-writer installed?)"
    subprocess.run([pdftotext, "-bbox-layout", str(pdf), str(tmp_path / "boxes.html")], check=True, timeout=120)
    boxes = (tmp_path / "boxes.html").read_text(encoding="utf-8")
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', boxes, re.S)
    assert len(pages) >= 2
    words = 0
    for number, (width, height, body) in enumerate(pages, start=1):
        for x0, y0, x1, y1, text in re.findall(
                r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>', body):
            words += 1
            assert 0 <= float(x0) and float(x1) <= float(width), (number, text)
            assert 0 <= float(y0) and float(y1) <= float(height), (number, text)
    assert words > 200
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=300)
    from PIL import Image, ImageStat
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(pages)
    shots = Path(os.environ.get("UNIONSTATS_SCREENSHOTS", ROOT / "tests" / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    for image_path in images:
        image = Image.open(image_path).convert("L")
        inked = sum(c for v, c in enumerate(image.histogram()) if v < 200) / (image.width * image.height)
        assert inked > 0.005 and ImageStat.Stat(image).stddev[0] > 10, image_path.name
        shutil.copy(image_path, shots / f"report-{image_path.name}")


def test_word_report_in_english_reads_as_sentences(demo_db):
    import io
    document = docx.Document(io.BytesIO(report.to_docx(View(2024, lang="en"), demo_db)))
    text = _text(document)
    now = indicators.summary(2024, path=demo_db)
    assert f"{now['unions_new']} new grassroots unions were founded" in text
    assert not re.search(r"\d (units|people) (new|employers|workers|members)", text)


def test_english_briefing_puts_no_unit_word_before_a_noun(demo_db):
    slides = briefing.build(View(2024, lang="en"), demo_db)
    for slide in slides:
        # "21 units new grassroots unions", "182 units employers …", "1,080 people workers …"
        assert not re.search(r"\d (units|people) (new|employers|workers|members)", slide.message), slide.message


def test_briefing_date_is_the_briefing_years_end(demo_db):
    subtitle = briefing.build(View(2015), demo_db)[0].message
    assert "2015-12-31" in subtitle and "2024" not in subtitle


def test_bar_chart_left_margin_fits_the_longest_township_name(demo_db):
    names = list(store.query("regions", path=demo_db)["name_zh"]) + ["经济技术开发区管理委员会"]
    fig = charts.ranked_bars(names, [0.5] * len(names), range(len(names)), "rate", "", "zh")
    longest = max(len(n) for n in names)  # all CJK: one em of the 13 px axis font each
    assert fig.layout.margin.l >= 13 * longest
    assert fig.layout.yaxis.automargin and fig.layout.xaxis.automargin


def test_html_report_shows_targets_and_their_status(demo_db):
    slides = briefing.build(View(2024), demo_db)
    page = briefing.to_html(slides, "zh")
    targets = indicators.targets(2024, demo_db)
    kpis = [k for s in slides for k in s.kpis if (k["code"], "") in targets]
    assert kpis
    for k in kpis:
        status = briefing.target_status(k["code"], k["raw"], targets[(k["code"], "")])
        assert status == k["status"]
        assert fmt.fmt_number(targets[(k["code"], "")], catalog.get(k["code"]).unit) in k["target_text"]
        assert html.escape(k["status_label"]) in page and html.escape(k["target_text"]) in page
    assert '"目标 ' in page  # the target line on the township bars


@pytest.mark.parametrize("value,target,want", [(21, 20, "done"), (0.4505, 0.46, "near"), (0.40, 0.46, "missed")])
def test_target_status(value, target, want, demo_db):
    assert briefing.target_status("unionization_rate", value, target, demo_db) == want


def test_deck_gap_table_numbers_right_aligned_and_widths_from_content(demo_db):
    import io

    from pptx import Presentation
    from pptx.enum.text import PP_ALIGN
    deck = Presentation(io.BytesIO(briefing.to_pptx(briefing.build(View(2024), demo_db))))
    table = next(s.table for slide in deck.slides for s in slide.shapes
                 if s.has_table and "职工人数" in [c.text for c in s.table.rows[0].cells])  # the gap list
    headers = [c.text for c in table.rows[0].cells]
    employees = headers.index("职工人数")
    assert all(row.cells[employees].text_frame.paragraphs[0].alignment == PP_ALIGN.RIGHT
               for row in list(table.rows)[1:])
    assert table.rows[1].cells[0].text_frame.paragraphs[0].alignment != PP_ALIGN.RIGHT  # names stay left
    widths = [c.width for c in table.columns]
    assert widths[headers.index("行业")] > widths[employees]  # not all the same width


def test_briefing_workbook_aid_sheet_has_chinese_headers(demo_db):
    import io

    import pandas as pd
    sheet = pd.read_excel(io.BytesIO(briefing.to_xlsx(View(2024), demo_db)), sheet_name="困难帮扶")
    assert not {"program_code", "name", "households", "yuan"} & set(sheet.columns)
    assert sheet["金额（元）"].sum() == indicators.summary(2024, path=demo_db)["aid_yuan"]


def test_compare_workbook_holds_numbers_with_formats_and_the_scope(demo_db):
    import io

    import openpyxl

    from unionstats import comparison
    region = store.query("regions", path=demo_db).iloc[0]
    scope = Scope(regions=(region["code"],))
    result = comparison.compare(scope, 2023, 2024, demo_db)
    book = openpyxl.load_workbook(io.BytesIO(comparison.workbook(result, 2023, 2024, View(2024, scope), demo_db)))
    assert region["name_zh"] in book.sheetnames[0]
    ws = book.worksheets[0]
    rows = {ws.cell(r, 7).value: r for r in range(2, ws.max_row + 1)}
    units = ws.cell(rows["units"], 3)
    assert isinstance(units.value, (int, float)) and units.number_format == '#,##0"家"'
    assert units.value == indicators.summary(2024, scope, demo_db)["units"]
    rate = ws.cell(rows["unionization_rate"], 3)
    assert rate.number_format == "0.0%" and 0 < rate.value < 1
    assert "个百分点" in ws.cell(rows["unionization_rate"], 4).number_format


def test_gap_file_name_says_scope_and_threshold():
    from unionstats import exports
    from unionstats.i18n import t
    name = exports.safe_name(t("gaps_file", "zh", year=2024, scope="城关镇 · 制造业", n=50))
    assert name == "空白点_2024_城关镇_制造业_50人以上"
    assert exports.safe_name("a/b:c*?") == "a_b_c__"


def test_coverage_page_english_sentences(demo_db):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/coverage.py").run()
    assert not at.exception
    text = " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])
    assert "employers with 25+ employees had no union" in text
    assert not re.search(r"\d (units|people) (new|employers|workers|members)", text), text
    assert not re.search(r"Township report totals only", text)
    assert "Reported as totals only" in text  # the demo's totals-only township (Qingquan)


def test_briefing_date_under_the_survey_year_and_an_unfinished_year(monkeypatch):
    settings = {"year_basis": "survey", "data_as_of": "2024-06-30"}
    monkeypatch.setattr(briefing.store, "setting", lambda key, default=None, path=None: settings.get(key, default))
    assert briefing.data_as_of(2015) == "2015-09-30"
    assert briefing.data_as_of(2024) == "2024-06-30"  # the store's own date when the year is not over
    settings["year_basis"] = "calendar"
    assert briefing.data_as_of(2023) == "2023-12-31"


def test_small_money_axis_ticks_keep_their_halves(demo_db):
    """The aid chart spans about 0–4万元; whole-number ticks printed 0, 1, 1, 2, 2, 3, 3."""
    from unionstats import aid
    programs = aid.by_program(View(2024), path=demo_db)
    fig = charts.ranked_bars(list(programs["name"]), list(programs["yuan"]), range(len(programs)), "yuan", "", "zh")
    places = re.search(r"\.(\d+)", fig.layout.xaxis.tickformat)
    assert places and int(places.group(1)) >= 1  # 0.5 steps stay 0.5
    assert "~" in fig.layout.xaxis.tickformat  # and 1 stays 1, not 1.0


def test_word_report_without_a_browser_is_written_without_pictures(demo_db, monkeypatch):
    import io

    import kaleido

    def no_browser(*args, **kwargs):
        raise RuntimeError("no Chromium here")
    monkeypatch.setattr(kaleido, "start_sync_server", no_browser)
    document = docx.Document(io.BytesIO(report.to_docx(View(2024), demo_db)))
    assert len(document.inline_shapes) == 0
    assert "no Chromium here" in _text(document)
    assert len(document.tables) >= 4
