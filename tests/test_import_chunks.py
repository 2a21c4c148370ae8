"""A sheet is read and checked a chunk of rows at a time (issue #17): the rows the importer
holds at once are bounded by importing.CHUNK_ROWS, not by the file, and nothing it finds
depends on where the chunks break (merged cells, 小计 rows, duplicates across a break)."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from test_importing import UNIT_HEADER, unit_row
from test_real_sheets import book

from unionstats import importing, store

TOWNS = [["乡镇代码", "乡镇名称", "英文名称", "类型"], ["chengguan", "城关镇", "Chengguan", "镇"],
         ["hedong", "河东乡", "Hedong", "乡"], ["nanshan", "南山乡", "Nanshan", "乡"]]
REGION = UNIT_HEADER.index("乡镇")
EMPTY = importing.Reference(pd.DataFrame(columns=["code", "name_zh", "name_en"]))


def _rows(n: int, bad: bool = False) -> list[list]:
    towns = ["城关镇", "河东乡", "南山乡"]
    rows = [unit_row(单位名称=f"测试单位{i:03d}", 乡镇=towns[i * 3 // n], 职工人数=60 + i, 会员人数=50 + i % 5,
                     本年新入会人数=i % 5, 签订劳动合同人数=50 + i) for i in range(n)]
    if bad:
        rows[20][UNIT_HEADER.index("职工人数")] = "十二"      # not a number
        rows[29] = list(rows[2])                              # the same unit as row 4, across chunks
        rows[33][UNIT_HEADER.index("建立职代会")] = None       # a required cell left blank
        rows[35][UNIT_HEADER.index("会员人数")] = 999          # more members than employees
    return rows


def _clean_book() -> bytes:
    """40 units; the 城关镇 cells merged over rows 3-12 (across chunk breaks), a 小计 after the
    城关镇 rows, a 合计 at the end, two hidden rows."""
    rows = _rows(40)
    for r in rows[1:11]:
        r[REGION] = None  # what a merged range keeps: the value in its first row only
    last_town = max(i for i, r in enumerate(rows) if r[REGION] in ("城关镇", None))
    employees = UNIT_HEADER.index("职工人数")
    sub = [None] * len(UNIT_HEADER)
    sub[UNIT_HEADER.index("单位名称")], sub[employees] = "小计", sum(r[employees] for r in rows[:last_town + 1])
    total = [None] * len(UNIT_HEADER)
    total[UNIT_HEADER.index("单位名称")], total[employees] = "合计", sum(r[employees] for r in rows)
    body = [*rows[:last_town + 1], sub, *rows[last_town + 1:], total]
    letter = "ABCDEFGHIJKLMNOPQRST"[REGION]
    return book({"乡镇": TOWNS, "单位": [UNIT_HEADER, *body]}, merged=[("单位", f"{letter}2:{letter}12")],
                hidden_rows=[("单位", 9), ("单位", 30)])


def _read(monkeypatch, chunk: int, name: str, data: bytes) -> importing.Batch:
    monkeypatch.setattr(importing, "CHUNK_ROWS", chunk)
    return importing.read(name, data, EMPTY)


def _same(a: importing.Batch, b: importing.Batch) -> None:
    assert a.problems == b.problems and a.notices == b.notices and a.totals_checked == b.totals_checked
    assert a.frames.keys() == b.frames.keys()
    for table in a.frames:
        pd.testing.assert_frame_equal(a.frames[table].reset_index(drop=True), b.frames[table].reset_index(drop=True))


def test_rows_held_at_once_stay_within_the_chunk(monkeypatch):
    data = _clean_book()
    small = _read(monkeypatch, 7, "单位.xlsx", data)
    assert 0 < importing.PEAK_ROWS <= 7
    whole = _read(monkeypatch, 100_000, "单位.xlsx", data)
    assert importing.PEAK_ROWS > 7  # the counter counts: one chunk holds the whole sheet
    assert not whole.problems, [p.line() for p in whole.problems]
    assert len(whole.frames["unit_year"]) == 40 and whole.totals_checked == 2
    assert set(whole.frames["unit_year"]["region_code"].iloc[:11]) == {"chengguan"}  # merged cells filled down
    assert any("隐藏行" in n.message and "第9行" in n.message and "第30行" in n.message for n in whole.notices)
    _same(small, whole)


def test_problems_do_not_depend_on_where_chunks_break(monkeypatch):
    data = book({"乡镇": TOWNS, "单位": [UNIT_HEADER, *_rows(40, bad=True)]})
    small = _read(monkeypatch, 6, "单位.xlsx", data)
    whole = _read(monkeypatch, 100_000, "单位.xlsx", data)
    messages = [(p.row, p.column, p.message) for p in whole.problems]
    assert (22, "职工人数", "「十二」不是数字") in messages
    assert (35, "建立职代会", "不能为空") in messages
    assert any(row == 37 and "不能大于" in message for row, _, message in messages)
    assert any(row == 31 and "与第4行重复" in message for row, _, message in messages)
    _same(small, whole)


def test_a_csv_is_read_a_chunk_at_a_time(monkeypatch, tmp_path):
    rows = _rows(30)
    text = "\n".join(",".join("" if v is None else str(v) for v in r) for r in [UNIT_HEADER, *rows]) + "\n"
    reference = importing.Reference(pd.DataFrame({"code": ["chengguan", "hedong", "nanshan"],
                                                  "name_zh": ["城关镇", "河东乡", "南山乡"],
                                                  "name_en": ["Chengguan", "Hedong", "Nanshan"]}))
    monkeypatch.setattr(importing, "CHUNK_ROWS", 4)
    small = importing.read("单位.csv", text.encode("utf-8"), reference)
    assert 0 < importing.PEAK_ROWS <= 4
    monkeypatch.setattr(importing, "CHUNK_ROWS", 100_000)
    whole = importing.read("单位.csv", text.encode("utf-8"), reference)
    assert not whole.problems and len(whole.frames["unit_year"]) == 30
    _same(small, whole)


@pytest.fixture(autouse=True)
def _clean_cache():
    store.clear_cache()
    yield
    store.clear_cache()


def test_formula_cells_are_found_wherever_the_sheet_xml_is_cut(monkeypatch):
    """cellformats reads a sheet's XML in chunks: a formula cell's tag and its <f> must not be
    split between two of them (then an empty formula cell would read as "not reported")."""
    import io

    import openpyxl

    from unionstats import cellformats, filelimits
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "帮扶"
    ws.append(["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"])
    for i in range(30):
        ws.append([2024, "城关镇", "送温暖", f"=2+{i}", 0, 1000])
    buffer = io.BytesIO()
    wb.save(buffer)
    want = {(r, 4) for r in range(2, 32)}
    for size in (37, 64, 101, 4096):
        monkeypatch.setattr(filelimits, "CHUNK", size)
        assert cellformats.read(buffer.getvalue())["帮扶"].formulas == want, size


def _formatted_book() -> bytes:
    """An 帮扶 sheet with what only cellformats sees: formula cells without a value, a hidden
    row, a 0"万元" number format."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "帮扶"
    ws.append(["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"])
    for i in range(40):
        ws.append([2024, "城关镇", "送温暖", f"=2+{i}" if i % 7 == 3 else 5, 0, 68 if i == 11 else 1000])
    ws["F13"].number_format = '0"万元"'
    ws.row_dimensions[20].hidden = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_the_sheet_xml_is_unpacked_once_before_calamine(monkeypatch):
    """filelimits and cellformats read a sheet's XML in one pass (issue #17): each part of the
    zip is opened once by Python (calamine reads the file itself, in Rust)."""
    import zipfile
    data, opened = _formatted_book(), []
    real = zipfile.ZipFile.open

    def counting(self, name, *args, **kwargs):
        opened.append(name if isinstance(name, str) else name.filename)
        return real(self, name, *args, **kwargs)
    monkeypatch.setattr(zipfile.ZipFile, "open", counting)
    batch = importing.read("帮扶.xlsx", data, EMPTY)
    sheets = [n for n in opened if n.startswith("xl/worksheets/")]
    assert sheets and len(sheets) == len(set(sheets)), opened
    assert any("公式" in p.message for p in batch.problems), [p.line() for p in batch.problems]


def test_formats_read_in_the_check_pass_match_cellformats_read(monkeypatch):
    """What the importer learns while filelimits streams the file (formula cells, hidden rows,
    scaled cells) is what cellformats.read finds on its own, wherever the pieces break."""
    from unionstats import cellformats, filelimits
    data = _formatted_book()
    alone = cellformats.read(data)["帮扶"]
    assert alone.formulas == {(r, 4) for r in range(2, 42) if (r - 2) % 7 == 3}
    assert alone.hidden_rows == {20} and set(alone.scales) == {(13, 6)}
    batches = []
    for size in (700, 1500, 4096, 1 << 20):  # pieces never cut a tag: the longest here is ~600 bytes
        monkeypatch.setattr(filelimits, "CHUNK", size)
        reader = cellformats.Reader()
        filelimits.check(data, importing.limits(), reader)
        got = reader.sheets["帮扶"]
        assert (got.formulas, got.hidden_rows, got.scales) == (alone.formulas, alone.hidden_rows, alone.scales), size
        batches.append(importing.read("帮扶.xlsx", data, EMPTY))
    assert any("隐藏行" in n.message for n in batches[0].notices)
    for batch in batches[1:]:
        _same(batch, batches[0])


def test_a_long_text_cell_is_not_carried_from_piece_to_piece(monkeypatch):
    """cellformats keeps a cell's tag with its first child by carrying the end of each piece
    on to the next; a cell holding a long text (inline, no tag inside) must not be carried
    whole again and again: that copies it once per piece, quadratic in its length."""
    import openpyxl

    from unionstats import cellformats, filelimits
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "帮扶"
    ws.append(["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"])
    ws.append([2024, "城关镇", "送温暖", "=1+1", 0, 1000])
    ws.append([2024, "城关镇", "说明" + "很长的说明" * 4000, 1, 0, 1000])  # ~60 KB of text in one cell
    ws.append([2024, "河东乡", "送温暖", "=2+2", 0, 1000])
    buffer = io.BytesIO()
    wb.save(buffer)
    scanned = []
    real = cellformats._scan
    monkeypatch.setattr(cellformats, "_scan", lambda text, *a: (scanned.append(len(text)), real(text, *a)))
    monkeypatch.setattr(filelimits, "CHUNK", 1024)
    found = cellformats.read(buffer.getvalue())["帮扶"]
    assert found.formulas == {(2, 4), (4, 4)}
    assert max(scanned) <= 3 * 1024, max(scanned)
