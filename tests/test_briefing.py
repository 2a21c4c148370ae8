"""会议汇报 (issue #6): the deck's slides and native charts hold the summary's figures, every run
carries an East Asian font, LibreOffice renders every slide, the HTML is self-contained."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.oxml.ns import qn
from streamlit.testing.v1 import AppTest

from conftest import ROOT, run_cli
from unionstats import aid, briefing, indicators
from unionstats.view import View
from unionstats.i18n import t
from unionstats.indicators import Scope


@pytest.fixture(scope="module")
def deck(demo_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("deck") / "briefing.pptx"
    done = run_cli("briefing", "--year", "2024", "--out", out, "--db", demo_db)
    assert done.returncode == 0, done.stderr
    return out


def _charts(presentation):
    for number, slide in enumerate(presentation.slides, start=1):
        for shape in slide.shapes:
            if shape.has_chart:
                yield number, shape.chart


def test_slides_and_titles_as_designed(deck):
    slides = Presentation(str(deck)).slides
    titles = [next(s.text_frame.paragraphs[0].text for s in slide.shapes if s.has_text_frame) for slide in slides]
    assert titles == [
        "示例县2024年工会工作数据汇报", "2024年主要指标", t("attainment_title"), t("brief_coverage"), t("brief_gaps"),
        t("brief_rights"), t("brief_arrears"), t("brief_aid"), "2025年目标"]
    assert Presentation(str(deck)).slide_width > Presentation(str(deck)).slide_height  # 16:9


def _scaled(chart) -> float:
    return 10_000 if "万元" in chart.plots[0].series[0].name else 1


def test_native_chart_values_equal_the_summary(deck, demo_db):
    charts = dict(_charts(Presentation(str(deck))))
    assert set(charts) == {2, 4, 6, 7, 8}  # headline, coverage, rights, arrears, aid: native, not pictures
    for series, code in zip(charts[2].plots[0].series, ("unionization_rate", "membership_rate")):
        for year, value in zip(charts[2].plots[0].categories, series.values):
            assert value == pytest.approx(indicators.summary(int(year), path=demo_db)[code]), (code, year)
    regions = indicators.table(Scope(), "region", (2024,), demo_db)
    names = dict(zip(*__import__("unionstats").store.query("regions", path=demo_db)[["name_zh", "code"]].T.values))
    coverage = charts[4]
    for name, value in zip(coverage.plots[0].categories, coverage.plots[0].series[0].values):
        want = indicators.summary(2024, Scope(regions=(names[name],)), demo_db)["unionization_rate"]
        assert value == pytest.approx(want), name
    assert len(coverage.plots[0].categories) == len(regions)
    rights = charts[6]
    for series, code in zip(rights.plots[0].series, ("labor_contract_rate", "collective_contract_rate",
                                                     "compliance_rate")):
        for year, value in zip(rights.plots[0].categories, series.values):
            assert value == pytest.approx(indicators.summary(int(year), path=demo_db)[code]), (code, year)
    arrears = charts[7]
    for year, value in zip(arrears.plots[0].categories, arrears.plots[0].series[0].values):
        want = indicators.summary(int(year), path=demo_db)["arrears_recovered_yuan"]
        assert value * _scaled(arrears) == pytest.approx(want), year
    aid_chart = charts[8]
    total = sum(aid_chart.plots[0].series[0].values) * _scaled(aid_chart)
    assert total == pytest.approx(indicators.summary(2024, path=demo_db)["aid_yuan"])
    assert list(aid_chart.plots[0].categories) == list(aid.by_program(View(2024), path=demo_db)["name"])


CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")  # CJK, its punctuation, full-width forms


def test_an_english_decks_charts_carry_no_chinese(deck, demo_db, tmp_path):
    """Found by a user trial: money series were named "Wage arrears recovered（万元）" and labelled
    in 元/万元 in an English deck. Every chart's XML (series names, categories, number formats)
    is English there; the Chinese deck keeps its Chinese names and 万元."""
    out = tmp_path / "briefing_en.pptx"
    done = run_cli("briefing", "--year", "2024", "--lang", "en", "--out", out, "--db", demo_db)
    assert done.returncode == 0, done.stderr
    english = dict(_charts(Presentation(str(out))))
    assert english
    for number, chart in english.items():
        xml = chart.part.blob.decode("utf-8")
        assert not CJK.search(xml), (number, sorted(set(CJK.findall(xml))))
    arrears = english[7].plots[0].series[0]
    assert arrears.name.startswith(View(2024, lang="en").name("arrears_recovered_yuan"))
    scale = 1_000_000 if "million" in arrears.name else 1
    for year, value in zip(english[7].plots[0].categories, arrears.values):  # the scale the name says
        assert value * scale == pytest.approx(indicators.summary(int(year), path=demo_db)["arrears_recovered_yuan"])
    chinese = dict(_charts(Presentation(str(deck))))
    assert chinese[7].plots[0].series[0].name == f"{View(2024).name('arrears_recovered_yuan')}（万元）"
    assert [s.name for s in chinese[2].plots[0].series] == [View(2024).name(c) for c in
                                                              ("unionization_rate", "membership_rate")]


def test_every_run_has_an_east_asian_font_and_notes_define_the_indicators(deck):
    presentation = Presentation(str(deck))
    runs = 0
    for slide in presentation.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        ea = run._r.find(qn("a:rPr")).find(qn("a:ea"))
                        assert ea is not None and ea.get("typeface") == briefing.EA_FONT, run.text
                        runs += 1
            if shape.has_chart:
                default = shape.chart.font._rPr.find(qn("a:ea"))
                assert default is not None and default.get("typeface") == briefing.EA_FONT
    assert runs > 50
    notes = presentation.slides[1].notes_slide.notes_text_frame.text
    assert "建会率：已建会单位数 ÷ 单位数" in notes


@pytest.mark.slow
def test_libreoffice_renders_every_slide(deck, tmp_path):
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not (soffice and pdftoppm):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LibreOffice/pdftoppm are missing: .ci/run must install them")
        pytest.skip("needs libreoffice-impress and poppler-utils")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(deck)], check=True, capture_output=True, timeout=300)
    subprocess.run([pdftoppm, "-r", "40", "-png", str(tmp_path / "briefing.pdf"), str(tmp_path / "slide")],
                   check=True, timeout=300)
    from PIL import Image, ImageStat
    pages = sorted(tmp_path.glob("slide-*.png"))
    assert len(pages) == len(Presentation(str(deck)).slides)
    shots = Path(os.environ.get("UNIONSTATS_SCREENSHOTS", ROOT / "tests" / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    for page in pages:
        image = Image.open(page).convert("L")
        inked = sum(count for value, count in enumerate(image.histogram()) if value < 200) / (image.width * image.height)
        assert inked > 0.005 and ImageStat.Stat(image).stddev[0] > 10, page.name  # not blank
        shutil.copy(page, shots / f"deck-{page.name}")


def test_html_report_is_self_contained(demo_db, tmp_path):
    out = tmp_path / "report.html"
    assert run_cli("briefing", "--year", "2024", "--out", out, "--db", demo_db).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src\s*=", text, re.I)
    assert not re.search(r"<link[^>]+href\s*=\s*['\"]?https?://", text, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?https?://", text, re.I)
    assert "Plotly.newPlot" in text and "示例县2024年工会工作数据汇报" in text


def test_excel_workbook_has_the_pages_tables(demo_db):
    data = briefing.to_xlsx(View(2024), demo_db)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert {"总览", "组织覆盖与空白点", "空白点_25人以上", "年度对比", "困难帮扶"} <= set(book.sheetnames)
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)
    overview = pd.read_excel(io.BytesIO(data), sheet_name="总览").set_index("年度")
    assert overview.loc[2024, "追回欠薪"] == 680000
    assert book["总览"].cell(2, 2).number_format in ("#,##0", "0.0%")


def test_briefing_page_steps_through_slides(demo_db):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/briefing.py").run()
    assert not at.exception
    assert at.header[0].value.startswith("示例县2024年工会工作数据汇报")
    at.button(key="next_slide").click().run()
    assert at.header[0].value.startswith("2024年主要指标")
    assert {m.label: m.value for m in at.metric}["追回欠薪"] == "68.0万元"
    at.button(key="next_slide").click().run()
    assert at.header[0].value.startswith("目标完成情况") and at.dataframe
    at.button(key="next_slide").click().run()
    assert at.get("plotly_chart")
    at.button(key="present_on").click().run()
    assert not at.exception and not at.title  # no page header while presenting
    assert len(at.get("download_button")) == 0


def test_shapes_sit_inside_the_slide_and_below_the_title(deck):
    presentation = Presentation(str(deck))
    for number, slide in enumerate(presentation.slides, start=1):
        for shape in slide.shapes:
            assert 0 <= shape.left and shape.left + shape.width <= presentation.slide_width, (number, shape.name)
            assert 0 <= shape.top and shape.top + shape.height <= presentation.slide_height, (number, shape.name)
            if shape.has_chart or shape.has_table:
                assert shape.top >= presentation.slide_height * 0.2, (number, shape.name)  # below title and KPIs


def test_changes_in_the_workbook_and_on_the_cards_point_the_right_way(demo_db):
    """变化 = this year − the year before, from the raw tables; a rise reads '+', a fall '-'."""
    import independent
    from unionstats import catalog
    from unionstats.format import fmt_delta
    want = independent.expected(independent.raw(demo_db), ["year"], True)
    sheet = pd.read_excel(io.BytesIO(briefing.to_xlsx(View(2024), demo_db)), sheet_name="年度对比")
    sheet = sheet.set_index("代码")
    for ind in catalog.INDICATORS:
        a, b = want.loc[2023, ind.code], want.loc[2024, ind.code]
        assert sheet.loc[ind.code, "2023"] == pytest.approx(a) and sheet.loc[ind.code, "2024"] == pytest.approx(b)
        assert sheet.loc[ind.code, "变化"] == pytest.approx(b - a), ind.code
    cards = [k for slide in briefing.build(View(2024), demo_db) for k in slide.kpis]
    assert cards
    for k in cards:
        ind = catalog.get(k["code"])
        assert k["change"] == fmt_delta(want.loc[2024, ind.code] - want.loc[2023, ind.code], ind.unit), ind.code


@pytest.mark.parametrize("values, name, shown", [
    ([2_500_000, 800_000], "Aid (¥ million)", [2.5, 0.8]),   # from ¥1 m up: in millions, as the pages' axes
    ([500_000, 80_000], "Aid", [500_000, 80_000]),          # below: in yuan
])
def test_an_english_money_chart_says_its_scale(values, name, shown):
    chart = briefing.Chart("column", ["2023", "2024"], [("Aid", values)], "yuan", ["aid_yuan"], "en")
    deck = Presentation(io.BytesIO(briefing.to_pptx([briefing.Slide("aid", "Aid", "", chart=chart)])))
    series = next(c for _, c in _charts(deck)).plots[0].series[0]
    assert series.name == name and list(series.values) == pytest.approx(shown)
