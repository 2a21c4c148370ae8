"""Text users typed stays text (issue #10, items 4–6): township and unit names that look like
spreadsheet formulas come out of every export as text and import back unchanged; names, notes,
the county name and URL values never render as markdown links, images or plotly HTML."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, each_section
from unionstats import briefing, exports, gaps, importing, snapshots, store, template
from unionstats.view import View

# OWASP's list of first characters that make Excel, WPS or LibreOffice run a cell as a formula.
FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3")
HTML_TOWN = '<a href="http://evil">镇</a>'
MARKDOWN_TOWN = "![t](http://evil/t.png)乡"
COUNTY = "![x](http://evil/x.png)[点我](http://evil)"
NOTE = "要点 [会议](http://evil.com) ![n](http://evil/n.png) :red[注意] www.evil.com $x$"
# code, name, kind; one code looks like a negative number but is text
TOWNS = [("t1", FORMULAS[0], "镇"), ("t2", FORMULAS[1], "乡"), ("t3", FORMULAS[2], "街道"),
         ("-4", FORMULAS[3], "园区"), ("t5", HTML_TOWN, "镇"), ("t6", MARKDOWN_TOWN, "乡")]
UNIT_HEADER = ["年度", "单位名称", "统一社会信用代码", "乡镇", "行业门类", "所有制", "职工人数", "女职工人数", "农民工人数",
               "会员人数", "女会员人数", "农民工会员人数", "本年新入会人数", "建会情况", "建会年份", "建立职代会",
               "实行厂务公开", "签订集体合同", "签订工资专项集体合同", "签订劳动合同人数"]


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx whose text cells are all plain strings, written without the code under test."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl would make "=…" a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _county_file() -> bytes:
    units, aid = [UNIT_HEADER], [["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"]]
    for year in (2023, 2024):
        for i, (code, name, _) in enumerate(TOWNS):
            extra = year - 2023 + i
            units.append([year, "正常单位", None, name, "C 制造业", "170 私营", 50, 20, 10, 40, 15, 8, 5,
                          "独立建会", 2020, "是", "是", "否", "否", 45])
            units.append([year, FORMULAS[i % len(FORMULAS)], None, name, "F 批发和零售业", "170 私营", 30 + extra,
                          10, 5, 0, 0, 0, 0, "未建会", None, "否", "否", "否", "否", 20])
            aid.append([year, name, "送温暖", 3 + extra, 0, 3000 + 100 * extra])
    return _workbook({
        "乡镇": [["乡镇代码", "乡镇名称", "英文名称", "类型"], *[[c, n, None, k] for c, n, k in TOWNS]],
        "单位": units,
        "帮扶": aid,
        "目标": [["年度", "指标", "乡镇", "目标值"], [2025, "建会率", FORMULAS[0], "80%"], [2025, "入会率", None, "70%"]],
    })


def _publish(prepared) -> None:
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems[:5]]
    snapshots.publish(prepared.candidate)
    store.clear_cache()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A county whose every name is hostile: formulas, HTML, markdown links and images."""
    path = tmp_path_factory.mktemp("hostile") / "county.duckdb"
    _publish(importing.prepare(path, "县.xlsx", _county_file()))
    _publish(importing.edit_settings(path, COUNTY, COUNTY, "calendar"))
    # The targets of a year as typed on the data page (a township picked by its name), and a note.
    _publish(importing.edit_targets(path, 2024, [{"指标": "建会率", "乡镇": FORMULAS[0], "目标值": "60%"},
                                                 {"指标": "入会率", "乡镇": "全县", "目标值": "50%"}], NOTE))
    return path


@pytest.fixture
def hostile_copy(hostile, tmp_path) -> Path:
    target = tmp_path / "county.duckdb"
    shutil.copytree(snapshots.snapshot_dir(hostile), snapshots.snapshot_dir(target))
    return target


# --- item 4: formulas in exports -------------------------------------------------------------------

def _xlsx_cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def _assert_xlsx_text(data: bytes, must_hold=FORMULAS) -> None:
    cells = _xlsx_cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "formula cells in an export"
    values = {c.value for c in cells}
    assert set(must_hold) <= values, set(must_hold) - values  # the names are there, as text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_csv_text(data: bytes, must_hold=FORMULAS) -> None:
    fields = [f for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for f in row]
    live = [f for f in fields if f.startswith(FORMULA_FIRST) and not _is_number(f)]  # -5 is a number
    assert not live, live
    assert {"'" + name for name in must_hold} <= set(fields)


def test_numbers_stay_numbers_and_text_stays_text():
    frame = pd.DataFrame({"名称": ["-2+3", "甲"], "变化": [-5, 3], "比率": [-0.25, 0.5]})
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[1:] == [["'-2+3", "-5", "-0.25"], ["甲", "3", "0.5"]]
    ws = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes({"s": frame}))).active
    assert (ws["A2"].value, ws["A2"].data_type, ws["A2"].quotePrefix) == ("-2+3", "s", True)
    assert [(c.value, c.data_type) for c in ws[2][1:]] == [(-5, "n"), (-0.25, "n")]


def test_the_store_holds_the_hostile_names(hostile):
    names = dict(zip(*[store.query("regions", path=hostile)[c] for c in ("code", "name_zh")]))
    assert names == {code: name for code, name, _ in TOWNS}
    assert set(FORMULAS) <= set(gaps.uncovered_units(2024, path=hostile)["name"])
    assert store.setting("county_name_zh", path=hostile) == COUNTY


def test_gap_list_files_write_formulas_as_text(hostile):
    table = gaps.uncovered_table(2024, path=hostile)
    _assert_xlsx_text(exports.xlsx_bytes({"空白点": table}))
    _assert_csv_text(exports.csv_bytes(table))


def test_briefing_workbook_writes_formulas_as_text(hostile):
    _assert_xlsx_text(briefing.to_xlsx(View(2024), path=hostile))


def test_chart_data_inside_the_deck_is_text(hostile):
    deck = briefing.to_pptx(briefing.build(View(2024), path=hostile))
    with zipfile.ZipFile(io.BytesIO(deck)) as package:
        books = [package.read(n) for n in package.namelist() if n.endswith(".xlsx")]
    assert books
    cells = [c for book in books for c in _xlsx_cells(book)]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert set(FORMULAS) <= {c.value for c in cells}  # township names are the coverage chart's categories


def test_problem_list_writes_formulas_as_text(hostile):
    data = _workbook({"帮扶": [["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）", FORMULAS[2]],
                               [2024, FORMULAS[1], FORMULAS[0], 1, 0, 100, "x"]]})
    batch = importing.read("-2+3.xlsx", data, importing.Reference(pd.DataFrame(columns=["code", "name_zh", "name_en"])))
    assert batch.problems
    _assert_csv_text(exports.csv_bytes(batch.problems_frame()), must_hold=("-2+3.xlsx", FORMULAS[2]))


def _store_data(path: Path) -> dict[str, pd.DataFrame]:
    """The store's tables without unit ids (names are on the unit-years), sorted, for comparing two stores."""
    tables = template.store_tables(path)
    units = tables.pop("units")[["unit_id", "credit_code"]]
    tables["unit_year"] = tables["unit_year"].merge(units, on="unit_id").drop(columns="unit_id")
    return {name: frame.sort_values(sorted(frame.columns)).reset_index(drop=True)[sorted(frame.columns)]
            for name, frame in tables.items()}


def test_data_export_writes_formulas_as_text_and_imports_back_unchanged(hostile, tmp_path):
    exported = template.sheet_bytes_of(template.store_tables(hostile))
    _assert_xlsx_text(exported)
    fresh = tmp_path / "fresh.duckdb"
    _publish(importing.prepare(fresh, "导出.xlsx", exported))
    before, after = _store_data(hostile), _store_data(fresh)
    assert before.keys() == after.keys()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], check_dtype=False, obj=name)


def test_csv_exports_import_back_unchanged(hostile_copy):
    """A sheet of the data export saved through our CSV writer (each name with its ') imports back
    as the same data: the importer takes the ' off."""
    sheets = pd.read_excel(io.BytesIO(template.sheet_bytes_of(template.store_tables(hostile_copy))),
                           sheet_name=["乡镇", "单位"], engine="calamine", dtype=object)
    for name in ("乡镇", "单位"):
        data = exports.csv_bytes(sheets[name])
        assert "'" + FORMULAS[0] in data.decode("utf-8-sig").replace('""', '"')
        prepared = importing.prepare(hostile_copy, f"{name}.csv", data)
        assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems[:5]]
        assert prepared.no_change, name


def test_targets_typed_on_the_page_keep_a_formula_like_township(hostile):
    targets = store.query("targets", path=hostile, years=(2024,))
    assert set(zip(targets["indicator"], targets["region_code"])) == {("unionization_rate", "t1"),
                                                                      ("membership_rate", "")}


# --- items 5 and 6: markdown and plotly HTML ------------------------------------------------------

LINKISH = [re.compile(p) for p in (
    r"(?<!\\)\]\s*\(",           # [text](url) and ![alt](src)
    r"(?<!\\)<[A-Za-z/!]",        # raw HTML and <http://…> autolinks
    r"(?i)(?:https?:|www\.)",    # GFM links bare URLs
    r"(?<!\\):[a-z-]+(?<!\\)\[",  # :red[…] directives
)]


def _shown(markdown: str) -> str:
    """What a reader sees of escaped markdown: backslash escapes undone, invisible joiners gone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def _markdown_texts(at: AppTest) -> list[str]:
    """Every text Streamlit renders as markdown on the page: bodies, labels, help."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and proto.DESCRIPTOR.name not in ("Text", "Code", "PlotlyChart", "Arrow"):
            for name in ("body", "label", "help"):
                if name in proto.DESCRIPTOR.fields_by_name and isinstance(getattr(proto, name), str):
                    out.append(getattr(proto, name))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return [text for text in out if text]


def _plotly_texts(at: AppTest) -> list[str]:
    out = []

    def walk(value):
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return out


def test_invalid_url_values_show_as_plain_text(demo_db):
    value = "**FAKE** [click](http://evil) ![x](http://evil/x.png)"
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["region"] = value
    at.run()
    assert not at.exception
    notice = " ".join(w.value for w in at.warning)
    assert value in _shown(notice)
    assert not [p.pattern for p in LINKISH if p.search(notice)], notice
    assert "**" not in notice


PAGES = ("pages/overview.py", "pages/coverage.py", "pages/rights.py", "pages/aid.py", "pages/compare.py",
         "pages/briefing.py", "pages/data.py", "pages/glossary.py")


@pytest.mark.parametrize("page", PAGES)
def test_user_text_renders_as_text_on_every_page(hostile, monkeypatch, page):
    monkeypatch.setenv("UNIONSTATS_DB", str(hostile))
    store.clear_cache()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["region"] = "t1,t5,t6"  # the scope line names them
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    if page == "pages/briefing.py":  # to the slide of township bars
        while not at.get("plotly_chart") or "bar" not in at.get("plotly_chart")[0].proto.spec:
            at.button(key="next_slide").click().run()
    assert not at.exception, at.exception
    texts, labels = [], []
    for shown in each_section(at):  # 维权, 困难帮扶: every tab's
        texts += _markdown_texts(shown)
        labels += _plotly_texts(shown)
    bad = [(p.pattern, text) for text in texts for p in LINKISH if p.search(text)]
    assert not bad, bad
    shown = [_shown(text) for text in texts]
    assert any(COUNTY in s for s in shown)  # the title names the county, as typed
    assert any(HTML_TOWN in s and MARKDOWN_TOWN in s for s in shown)  # the scope line names the townships
    if page == "pages/overview.py":  # the county's note shows for the whole county, as typed
        county = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
        county_texts = _markdown_texts(county)
        noted = [text for text in county_texts if NOTE in _shown(text)]
        assert noted
        assert not [text for text in noted for p in LINKISH if p.search(text)]  # (status badges are ours)
    assert not [s for s in labels if re.search(r"(?i)<(a|img)\b", s)]
    if page in ("pages/coverage.py", "pages/rights.py", "pages/aid.py", "pages/compare.py", "pages/briefing.py"):
        assert any("&lt;a href" in s for s in labels), "no township bar to check"


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = []

    def handle_starttag(self, tag, attrs):
        self.values += [value or "" for _, value in attrs]


def test_html_report_shows_names_as_text(hostile):
    report = briefing.to_html(briefing.build(View(2024), path=hostile))
    parser = _Attributes()
    parser.feed(report)
    assert not [v for v in parser.values if "evil" in v]
    # plotly's JSON writes < as \u003c; a label that plotly would draw as a link or image:
    assert not re.search(r"(?i)\\u003c(a|img)\b", report)
    assert "&lt;a href" in report  # the township is in the chart, escaped


def test_presenting_tables_show_names_as_text(hostile, monkeypatch):
    """While presenting, a slide's table is st.table, which renders markdown in every cell
    (issue #14): unit and township names reach it escaped and read as typed."""
    monkeypatch.setenv("UNIONSTATS_DB", str(hostile))
    store.clear_cache()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["present"] = "1"
    at.run()
    at.switch_page("pages/briefing.py").run()
    cells, grids = [], 0
    for _ in range(20):
        assert not at.exception, at.exception
        grids += len(at.dataframe)
        for table in at.table:
            cells += [str(c) for c in table.value.columns] + [str(v) for v in table.value.to_numpy().ravel()]
        if at.button(key="next_slide").disabled:
            break
        at.button(key="next_slide").click().run()
    assert cells and grids == 0  # every table of the show went through st.table
    bad = [(p.pattern, cell) for cell in cells for p in LINKISH if p.search(cell)]
    assert not bad, bad
    shown = [_shown(cell) for cell in cells]
    assert FORMULAS[0] in shown and FORMULAS[1] in shown  # a unit and a township named by a formula, as typed
