"""The streaming .xlsx reader (unionstats/xlsxrows.py) gives what calamine gives, cell for cell,
or says it cannot (Unsupported: the importer then reads the file with calamine). Checked on
workbooks written by the writers staff and this product use (Excel-like XML by hand, XlsxWriter,
openpyxl, the product's own template and township workbooks) with every kind of cell."""
from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from conftest import ROOT
from test_hostile_files import book as hand_book, members, zip_file
from unionstats import importing, template, xlsxrows


def _trimmed(rows) -> list[list]:
    """Rows as (type, value) pairs, trailing empty cells and rows dropped: calamine pads every
    row to the sheet's width, the streaming reader to its piece's."""
    out = [[(type(v).__name__, v) for v in row] for row in rows]
    for row in out:
        while row and row[-1] == ("str", ""):
            row.pop()
    while out and not out[-1]:
        out.pop()
    return out


def calamine_read(data: bytes) -> list[tuple]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    hidden = {m.name: m.visible != SheetVisibleEnum.Visible for m in book.sheets_metadata}
    out = []
    for name in book.sheet_names:
        grid = book.get_sheet_by_name(name)
        out.append((name, hidden[name], sorted(grid.merged_cell_ranges or []),
                    _trimmed(importing._grid_rows(grid))))
    return out


def streamed_read(data: bytes) -> list[tuple]:
    from unionstats import cellformats
    formats = cellformats.read(data)
    book = xlsxrows.open_book(data)
    return [(s.name, s.hidden, sorted(formats.get(s.name, cellformats.SheetCells()).merged),
             _trimmed(xlsxrows.rows(book, s.part))) for s in book.sheets]


def xlsxwriter_book() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    ws = book.add_worksheet("单位")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    ws.write_row(0, 0, ["年度", "单位名称", "职工人数", "金额（元）", "备注"], bold)
    ws.write_row(1, 0, [2024, "城关镇 A&B <有限> \"公司\" 'x'", 60, 1234.5, True])
    ws.write_row(2, 0, [2024.0, "  前后有空格  ", -0.0, 1e20, False])
    ws.write_row(3, 0, [123456789012345678, "行一\r\n行二", 0.1 + 0.2, -12.75, "_x000D_字面"])
    ws.write_formula(4, 0, "=A2+0", None, 2024)
    ws.write_formula(4, 1, '="文"&"本"', None, "文本")
    ws.write_formula(4, 2, "=1/0", None, "#DIV/0!")
    ws.write_formula(4, 3, "=TRUE()", None, True)
    ws.write_rich_string(5, 1, "富", bold, "文本", "在此")
    ws.write_blank(6, 2, None, money)  # a formatted empty cell: <c r="C7" s="1"/>
    ws.write(8, 4, "九行五列", money)
    ws.merge_range(10, 0, 11, 1, "合并", bold)
    ws.write_number(12, 3, 68, money)
    hidden = book.add_worksheet("隐藏")
    hidden.write(2, 2, "C3 起")
    hidden.write(4, 5, 5)
    hidden.hide()
    book.add_worksheet("空表")
    book.close()
    return buffer.getvalue()


def openpyxl_book() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "帮扶"
    ws.append(["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"])
    ws.append([2024, "城关镇", "送温暖", 41, None, 12000])
    ws.append([2024, "南山乡 ", "金秋助学", "12户", 0, "=F2*2"])
    ws.append([None, None, True, False, 3.5, -1])
    ws["H9"] = "远处"
    ws.merge_cells("A12:B13")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SHARED = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>年度</t></si>'
          '<si><r><t>富</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 文本 </t></r></si><si><t/></si>'
          '<si><t>a &amp; b_x000D_</t></si></sst>').encode()


def unusual_cells() -> bytes:
    """Cells Excel and others write that the piece-at-once path does not: attributes in another
    order, a formula before its value, empty values, inline strings, booleans, errors."""
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           '<row r="1"><c r="A1" t="s" s="0"><v>0</v></c><c r="B1" s="0" t="n"><v>2.5</v></c>'
           '<c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c><c r="E1" t="s"><v>3</v></c></row>'
           '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c><c r="B2" t="str"><f>"a"&amp;"b"</f><v>a&amp;b</v></c>'
           '<c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#N/A</v></c><c r="E2"><v></v></c></row>'
           '<row r="4"><c r="B4" t="inlineStr"><is><r><t>富</t></r><r><t xml:space="preserve"> 文本</t></r></is></c>'
           '<c r="C4"><v>-1.5E3</v></c><c r="D4"><v>007</v></c><c r="E4" t="s"><v>3</v></c></row>'
           "</sheetData></worksheet>").encode()
    return zip_file(members(xml, extra={"xl/sharedStrings.xml": SHARED}))


KEEP = ' xml:space="preserve"'


def inline_references() -> bytes:
    """Inline strings as openpyxl writes them (every Chinese character a character reference),
    with the references expat reads in one go and ones that send it back to item by item."""
    texts = ["&#24180;&#24230;", "a &amp; b &lt;c&gt; &quot;q&quot; &apos;", "&#x4E2D;&#x6587;", "",
             "私用&#57344;字", "&#57344;", "_x000D_&#13;end", "  两端空格  ", "&#32;前后&#10;", "&#x20;", "x&#9;"]
    # Every other row without xml:space="preserve": calamine trims those, references to spaces too.
    rows = "".join(f'<row r="{i}">' + "".join(f'<c r="{c}{i}" t="inlineStr"><is><t{KEEP * (i % 2)}>{t}</t></is></c>'
                                              for c, t in zip("ABCDEFGHIJK", texts[i % 3:] + texts[:i % 3]))
                   + f'<c r="L{i}" t="n"><v>{i}</v></c></row>' for i in range(1, 60))
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           + rows + "</sheetData></worksheet>").encode()
    return zip_file(members(xml))


def rows_out_of_order() -> bytes:
    """Rows and cells not written in order (no spreadsheet program does; a script might)."""
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           '<row r="3"><c r="B3"><v>3</v></c><c r="A3" t="s"><v>0</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>'
           '<row r="2"><c r="C2" t="s"><v>3</v></c></row><row r="5"><c r="A5"><v>5</v></c></row>'
           "</sheetData></worksheet>").encode()
    return zip_file(members(xml, extra={"xl/sharedStrings.xml": SHARED}))


def plain_cells() -> bytes:
    """Only what the piece-at-once path reads: numbers and shared strings, attributes as Excel writes them."""
    cells = []
    for i in range(1, 400):
        cells.append(f'<row r="{i}" spans="1:5"><c r="A{i}" s="1" t="s"><v>{i % 4}</v></c><c r="B{i}" s="2"><v>{i}</v></c>'
                     f'<c r="C{i}"><v>{i * 1.25}</v></c><c r="E{i}" t="s"><v>0</v></c>'
                     + (f'<c r="AB{i}"><v>-{i}</v></c>' if i % 50 == 0 else "") + "</row>")
        if i % 100 == 0:
            cells.append(f'<row r="{i + 1}" spans="1:5"><c r="A{i + 1}" s="1"/></row>')
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           + "".join(cells) + "</sheetData></worksheet>").encode()
    return zip_file(members(xml, extra={"xl/sharedStrings.xml": SHARED}))


def many_rows() -> bytes:
    """More rows than one piece of the reader holds, with gaps, inline strings as openpyxl writes them."""
    rows = [["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"]]
    rows += [[2024, f"乡{i % 7}", "送温暖", i, None if i % 3 else i * 2, i * 100 + 0.5 * (i % 2)] for i in range(3000)]
    rows[1500] = []
    return hand_book(rows)


def unit_sheet_file(tmp_path) -> bytes:
    """The benchmark's 单位 sheet (Excel's shared strings), small."""
    sys.path.insert(0, str(ROOT / "bench"))
    import unit_sheet
    unit_sheet.write(tmp_path / "units", 2000)
    return (tmp_path / "units.xlsx").read_bytes()


WORKBOOKS = {
    "XlsxWriter, every kind of cell": xlsxwriter_book,
    "openpyxl, inline strings and formulas without values": openpyxl_book,
    "hand-written XML, unusual cells": unusual_cells,
    "hand-written XML, plain cells": plain_cells,
    "hand-written XML, rows out of order": rows_out_of_order,
    "hand-written XML, inline strings with character references": inline_references,
    "hand-written XML, many pieces": many_rows,
}


@pytest.mark.parametrize("kind", WORKBOOKS)
def test_rows_equal_calamines(kind, monkeypatch):
    monkeypatch.setattr(xlsxrows, "PIECE", 4096)  # many pieces even in a small file: rows cut between them
    data = WORKBOOKS[kind]()
    assert streamed_read(data) == calamine_read(data)


def test_the_benchmark_sheet_reads_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxrows, "PIECE", 65_536)
    data = unit_sheet_file(tmp_path)
    assert streamed_read(data) == calamine_read(data)


def test_the_products_own_workbooks_read_the_same(county, monkeypatch):
    """The store written out as the staff template, and the workbooks the 数据 page sends each
    township, filled with last year's units."""
    from unionstats import collection
    monkeypatch.setattr(xlsxrows, "PIECE", 16_384)
    data = template.sheet_bytes_of(template.store_tables(county))
    assert streamed_read(data) == calamine_read(data)
    for region in ("nanshan", "chengguan"):
        data, last, _ = collection.township_workbook(region, 2025, county)
        assert last == 2024
        assert streamed_read(data) == calamine_read(data)


@pytest.mark.parametrize("value, style", [(dt.date(2024, 12, 31), "yyyy-mm-dd"), (dt.time(3, 4), "hh:mm"),
                                          (45000, 'yyyy"年"m"月"'), (1.25, "[h]:mm")])
def test_a_number_shown_as_a_date_is_left_to_calamine(value, style):
    book = openpyxl.Workbook()
    book.active["A1"] = value
    book.active["A1"].number_format = style
    buffer = io.BytesIO()
    book.save(buffer)
    opened = xlsxrows.open_book(buffer.getvalue())
    with pytest.raises(xlsxrows.Unsupported):
        list(xlsxrows.rows(opened, opened.sheets[0].part))


def test_an_import_with_a_date_cell_is_read_by_calamine_and_says_the_same():
    """The importer's answer does not depend on the reader: a date in 年度 is that date's year,
    a time is no year."""
    rows = [["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"],
            [dt.date(2024, 12, 31), "城关镇", "送温暖", 5, None, 100],
            [dt.time(3, 4), "城关镇", "金秋助学", 5, None, 100]]
    batch = importing.read("a.xlsx", template.sheet_bytes({"帮扶": rows}), importing.Reference(_regions()))
    assert [(p.row, p.column) for p in batch.problems] == [(3, "年度")], [p.line() for p in batch.problems]
    assert "03:04:00" in batch.problems[0].message


def _regions():
    import pandas as pd
    return pd.DataFrame({"code": ["CG"], "name_zh": ["城关镇"], "name_en": ["Chengguan"]})


def _edited(data: bytes, edit) -> bytes:
    """The workbook with each part's bytes replaced by edit(part name, bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as changed:
        for info in source.infolist():
            changed.writestr(info.filename, edit(info.filename, source.read(info)))
    return out.getvalue()


def test_a_damaged_sheet_is_refused_with_a_message():
    damaged = _edited(plain_cells(), lambda name, body: body.replace(
        b'<c r="A9" s="1" t="s"><v>', b'<c r="A9" s="1" t="s"><v>99999999') if name.startswith("xl/worksheets/") else body)
    batch = importing.read("a.xlsx", damaged, importing.Reference(_regions()))
    assert len(batch.problems) == 1 and batch.problems[0].message.startswith("文件已损坏或不是有效的 Excel 文件（")
    # The one message whichever reader met the damage (the streamed reader leaves it to calamine).
    with pytest.raises(importing._Bad) as refused:
        importing._read_tables("a.xlsx", damaged, streamed=False)
    assert batch.problems[0].message == str(refused.value)


# --- the importer on the streamed path: what is learnt late in a sheet still counts ----------------

def _unit_book(rows: int, edit=None) -> bytes:
    """A 单位 sheet of `rows` units as XlsxWriter (Excel's shared strings) writes it; `edit(ws, book)` adds to it."""
    from test_importing import UNIT_HEADER, unit_row
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("单位")
    ws.write_row(0, 0, UNIT_HEADER)
    for i in range(1, rows + 1):
        ws.write_row(i, 0, unit_row(单位名称=f"测试单位{i}", 乡镇="城关镇" if i % 2 else "南山乡", 职工人数=60 + i))
    if edit:
        edit(ws, book)
    book.close()
    return buffer.getvalue()


def _both_ways(data: bytes, monkeypatch, piece: int = 4096) -> tuple:
    """importing.read streamed in small pieces, and the same file read by calamine."""
    reference = importing.Reference(_regions2())
    monkeypatch.setattr(xlsxrows, "PIECE", piece)
    monkeypatch.setattr(importing, "CHUNK_ROWS", 100)  # rows are checked long before the sheet is read
    streamed = importing.read("a.xlsx", data, reference)
    by_calamine = importing.validate("a.xlsx", importing._read_tables("a.xlsx", data, streamed=False), reference)
    return streamed, by_calamine


def _regions2():
    import pandas as pd
    return pd.DataFrame({"code": ["CG", "NS"], "name_zh": ["城关镇", "南山乡"], "name_en": ["Chengguan", "Nanshan"]})


def _same(a, b) -> None:
    assert [p.line() for p in a.problems] == [p.line() for p in b.problems]
    assert [p.line() for p in a.notices] == [p.line() for p in b.notices]
    assert a.frames.keys() == b.frames.keys()
    for table in a.frames:
        assert a.frames[table].equals(b.frames[table]), table


def test_a_scaling_format_met_late_in_the_sheet_still_scales(monkeypatch):
    """68 under 0"万人" in row 1,500 is 680,000 people, though the first pieces had no such format."""
    def edit(ws, book):
        ws.write_number(1499, 6, 68, book.add_format({"num_format": '0"万人"'}))
    streamed, by_calamine = _both_ways(_unit_book(2000, edit), monkeypatch)
    _same(streamed, by_calamine)
    units = streamed.frames["unit_year"]
    assert units.loc[units["name"] == "测试单位1499", "employees"].tolist() == [680_000]


@pytest.mark.parametrize("piece", [4096, xlsxrows.PIECE])
def test_merged_township_cells_are_filled_down(monkeypatch, piece):
    """Merged ranges are written after the rows. In one piece they are known before any row is
    checked; in many, the streamed read notices them at the end and the file is read again by
    calamine. Either way the merged 乡镇 counts for every row it spans."""
    def edit(ws, book):
        for row in range(1501, 1504):  # what Excel keeps of a merged range: its first cell
            ws.write_blank(row, 3, None, book.add_format())
        ws.merge_range(1500, 3, 1503, 3, "南山乡")
    streamed, by_calamine = _both_ways(_unit_book(2000, edit), monkeypatch, piece)
    _same(streamed, by_calamine)
    units = streamed.frames["unit_year"]
    assert set(units.loc[units["name"].isin([f"测试单位{i}" for i in range(1500, 1504)]), "region_code"]) == {"NS"}


def _without_dimension(data: bytes) -> bytes:
    """The workbook with its sheets' <dimension> taken out: only the cells say how far they go."""
    import re
    return _edited(data, lambda name, body: re.sub(rb"<dimension [^>]*/>", b"", body)
                   if name.startswith("xl/worksheets/") else body)


def test_a_far_cell_in_a_late_piece_is_refused_before_any_grid(monkeypatch):
    """The limits hold on the streamed path: a cell in row 1,048,576 after 2,000 ordinary rows,
    with no declared dimension to give it away."""
    def edit(ws, book):
        ws.write_number(1_048_575, 0, 1)
    data = _without_dimension(_unit_book(2000, edit))
    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    monkeypatch.setattr(xlsxrows, "PIECE", 4096)
    batch = importing.read("a.xlsx", data, importing.Reference(_regions2()))
    assert [p.message for p in batch.problems] and "有内容的单元格一直到第 1,048,576 行" in batch.problems[0].message, \
        [p.line() for p in batch.problems]


def test_the_total_prefilter_misses_no_total_row():
    """importing._maybe_totals may let through rows that are no total, never one that is."""
    import random
    import numpy as np
    words = ["合计", "总计", "小计", "合 计", "Total", "TOTAL", "Ｔｏｔａｌ", "subtotal", "Subtotal:", "ＳＵＢＴＯＴＡＬ",
             "城关镇小计", "合計", "总　计", "TotalEnergies中国", "南山乡", "t", "ｔ", "计", "a\nb合计", ""]
    rng = random.Random(7)
    texts = words + ["".join(rng.choice(words + ["公司", "Ａ", "ﬁ", "㈱"]) for _ in range(rng.randint(1, 3)))
                     for _ in range(300)]
    values = np.empty(len(texts), dtype=object)
    values[:] = texts
    maybe = importing._maybe_totals(values)
    for text, flag in zip(texts, maybe):
        if importing._total_word(text):
            assert flag, text
    assert not maybe[texts.index("南山乡")]
    without_break = values[[("\n" not in t) for t in texts]]
    assert importing._maybe_totals(without_break).sum() < len(without_break)


def test_credit_codes_checked_at_once_as_one_at_a_time():
    """_plain_credits and _check_chars (a column of codes as one byte matrix) against the
    definitions they stand in for: _CREDIT_PLAIN.fullmatch and credit_check_char, code by code."""
    import random
    import numpy as np
    rng = random.Random(11)
    def char() -> str:  # now and then a letter the standard leaves out, or no plain character at all
        return rng.choice(importing.CREDIT_CHARS) if rng.random() < 0.97 else rng.choice("IOSVZaz-Ｍ９ ")
    codes = ["91350100M000100Y43", "91350100M000100Y44", "9135010OM000100Y43", "91350100m000100Y43",
             "９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y4", "91350100M000100Y433", "", "ABCDEFGHJKLMNPQRTU"]
    codes += ["".join(char() for _ in range(rng.choice([17, 18, 18, 18, 19]))) for _ in range(400)]
    values = np.empty(len(codes), dtype=object)
    values[:] = codes
    plain = importing._plain_credits(values)
    assert plain.tolist() == [importing._CREDIT_PLAIN.fullmatch(c) is not None for c in codes]
    assert plain.sum() > 50 and (~plain).sum() > 50
    check, last = importing._check_chars(values[plain])
    assert check.tolist() == [importing.credit_check_char(c) or "" for c in values[plain]]
    assert last.tolist() == [c[17] for c in values[plain]]
    ascii_only = values[[c.isascii() for c in codes]]  # the byte matrix itself, without the fallback
    assert importing._plain_credits(ascii_only).tolist() == [importing._CREDIT_PLAIN.fullmatch(c) is not None
                                                              for c in ascii_only]


def test_formats_learnt_while_streaming_equal_cellformats_own_reading(monkeypatch):
    """Plain pieces hand cellformats the cells already found (styles, rows, columns); what it
    learns must equal its own search of the XML: scaled cells, hidden rows, merged ranges."""
    from unionstats import cellformats

    def edit(ws, book):
        wan, thousand = book.add_format({"num_format": '0"万人"'}), book.add_format({"num_format": '0"千人"'})
        for row in (3, 700, 1800):
            ws.write_number(row, 6, 68, wan)
        ws.write_blank(900, 7, None, thousand)  # an empty cell with a format: no value, still a scaled cell
        ws.write_number(1200, 8, 5, thousand)
        for row in (5, 1500):
            ws.set_row(row, None, None, {"hidden": True})
        ws.merge_range(1990, 10, 1991, 11, "合并")
    data = _unit_book(2000, edit)
    monkeypatch.setattr(xlsxrows, "PIECE", 4096)
    reader = cellformats.Reader()
    book = xlsxrows.open_book(data)
    for sheet in book.sheets:
        for _ in xlsxrows.rows(book, sheet.part, visit=reader(book.zip, sheet.part)):
            pass
    alone = cellformats.read(data)
    assert reader.sheets == alone
    assert set(alone["单位"].scales) == {(4, 7), (701, 7), (1801, 7), (901, 8), (1201, 9)}
    assert alone["单位"].hidden_rows == {6, 1501} and alone["单位"].merged == [((1990, 10), (1991, 11))]


def test_the_last_cell_of_a_piece_and_of_the_sheet_is_seen_before_its_rows_are_checked(monkeypatch):
    """cellformats held back a piece's last cell (in case its formula was cut off) until the next
    piece came; a chunk of rows that ended with the piece, or with the sheet (2,000 rows are 20
    chunks exactly), was checked without that cell's number format or formula."""
    def scaled(ws, book):
        tens = book.add_format({"num_format": '0"十人"'})
        for row in range(1, 2001):
            ws.write_number(row, 19, 5, tens)  # 签订劳动合同人数, each row's last cell: 50 people
    streamed, by_calamine = _both_ways(_unit_book(2000, scaled), monkeypatch)
    _same(streamed, by_calamine)
    assert not streamed.problems, [p.line() for p in streamed.problems[:3]]
    assert set(streamed.frames["unit_year"]["employees_contracted"]) == {50}

    def formulas(ws, book):
        for row in range(1, 2001):
            ws.write_formula(row, 19, "=1+1", None, "")  # no value saved
    streamed, by_calamine = _both_ways(_unit_book(2000, formulas), monkeypatch)
    _same(streamed, by_calamine)
    assert {p.row for p in streamed.problems} == set(range(2, 2002))
    assert {p.message for p in streamed.problems} == {"单元格是公式但没有计算结果：请在 Excel/WPS 中打开、保存后再导入"}


def test_a_piece_whose_values_all_start_with_a_sign_or_point():
    """The numbers of a piece were read in place of where they start when no value in it
    began with a digit (the digit reader handed back the array it was given): -5 and .5 came
    out as empty cells. The last rows of a sheet are often such a piece."""
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>-{i}.5</v></c><c r="B{i}"><v>.{i}</v></c></row>' for i in range(1, 40))
    xml = f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>'
    data = zip_file(members(xml.encode()))
    for piece in (64, 4096, xlsxrows.PIECE):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(xlsxrows, "PIECE", piece)
            assert streamed_read(data) == calamine_read(data), piece


# --- what calamine makes of text, cells and sheets written other ways ------------------------------

def _hand(cells: str, strings: str = "", after: str = "") -> bytes:
    """A one-sheet workbook: <sheetData> holding `cells`, `after` it, and shared strings."""
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f"<sheetData>{cells}</sheetData>{after}</worksheet>")
    sst = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>'
    return zip_file(members(xml.encode(), extra={"xl/sharedStrings.xml": sst.encode()}))


def _as_calamine_or_unsupported(data: bytes, exact: bool) -> None:
    """The streamed rows are calamine's (`exact`: without falling back, unless a row is cut between
    tiny pieces), in pieces small and large, and the importer's answer is the same both ways."""
    try:
        expected = calamine_read(data)
    except Exception:  # calamine refuses the file: so must the streamed reader
        expected, exact = None, False
    for piece in (64, 4096, xlsxrows.PIECE):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(xlsxrows, "PIECE", piece)
            try:
                assert streamed_read(data) == expected, piece
            except (xlsxrows.Unsupported, xlsxrows.Damaged) as exc:
                assert not exact or piece == 64 and isinstance(exc, xlsxrows.Unsupported)
    reference = importing.Reference(_regions2())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsxrows, "PIECE", 4096)
        streamed = importing.read("a.xlsx", data, reference)
    try:
        _same(streamed, importing.validate("a.xlsx", importing._read_tables("a.xlsx", data, streamed=False), reference))
    except importing._Bad as refused:  # calamine refuses the file: so does the streamed path, in its words
        assert [p.message for p in streamed.problems] == [str(refused)]


def _string_cells(strings: str) -> str:
    """A row of cells showing each of the string items in turn."""
    return '<row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>'
                                   for i, c in enumerate("ABCDEFGH"[:strings.count("</si>")])) + "</row>"


TEXTS = {  # shared strings as writers other than Excel write them; calamine's reading is the reference
    "spaces and line breaks around a <t> without xml:space": "<si><t>  城关镇 </t></si><si><t>\n年度\n</t></si>"
    "<si><r><t> 富 </t></r><r><t xml:space=\"preserve\"> 文本 </t></r></si><si><t xml:space=\"default\"> x </t></si>",
    "line ends written \\r\\n and \\r": "<si><t>行一\r\n行二</t></si><si><t xml:space=\"preserve\">a\rb</t></si>"
    "<si><t>&#13;&#10;</t></si>",
    "Excel escapes beyond _x00HH_": "<si><t>_x4E2D_</t></si><si><t>_x00e9__x000a_</t></si><si><t>_x005F_x000D_</t></si>"
    "<si><t>_xD800_</t></si>",
}
HOSTILE_TEXTS = {
    "a CDATA section": "<si><t><![CDATA[a<b]]></t></si>",
    "a comment hiding a string item": "<!-- <si><t>藏</t></si> --><si><t>显</t></si>",
    "an entity calamine refuses": "<si><t>&nbsp;</t></si>",
    "a string item with an attribute": '<si><t>a</t></si><si foo="1"><t>b</t></si>',
    "prefixed string items": '<x:si xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:t>a</x:t></x:si><si><t>b</t></si>',
}


@pytest.mark.parametrize("kind", TEXTS)
def test_text_reads_as_calamine_reads_it(kind):
    """calamine drops spaces and line breaks at either end of a <t> not marked xml:space="preserve",
    makes \\r\\n and \\r line ends \\n, and resolves _x00HH_ escapes of two hex digits only; the
    streamed reader kept all of them as written."""
    _as_calamine_or_unsupported(_hand(_string_cells(TEXTS[kind]), TEXTS[kind]), exact=True)
    inline = "".join(f'<c r="{c}1" t="inlineStr"><is>{si[4:]}</is></c>'
                     for c, si in zip("ABCDEFGH", TEXTS[kind].split("</si>")[:-1]))
    _as_calamine_or_unsupported(_hand(f'<row r="1">{inline}</row>'), exact=True)


@pytest.mark.parametrize("kind", HOSTILE_TEXTS)
def test_strings_written_to_mislead_are_left_to_calamine(kind):
    """Text calamine reads otherwise than a pattern would (a CDATA section, a commented-out string
    item that would shift every index after it) or refuses: calamine's reading, or its message."""
    _as_calamine_or_unsupported(_hand(_string_cells(HOSTILE_TEXTS[kind]), HOSTILE_TEXTS[kind]), exact=False)


CELLS = {
    "booleans written TRUE, empty or 2": '<c r="A1" t="b"><v>TRUE</v></c><c r="B1" t="b"><v></v></c><c r="C1" t="b"><v>2</v></c>',
    "an error value calamine does not know": '<c r="A1" t="e"><v>#SPILL!</v></c><c r="B1"><v>5</v></c>',
    "an empty type": '<c r="A1" t=""><v>5</v></c>',
    "shared string indices empty, spaced or signed": '<c r="A1" t="s"><v></v></c><c r="B1" t="s"><v> 1</v></c>'
    '<c r="C1" t="s"><v>+1</v></c>',
    "a formula after its value": '<c r="A1"><v>5</v><f>1+1</f></c><c r="B1"><v>5</v><v>6</v></c>',
    "an inline string in a number cell": '<c r="A1"><is><t>文</t></is></c>',
    "a comment in a cell": '<c r="A1"><!-- x --><v>5</v></c><!-- <c r="B1"><v>9</v></c> -->',
}


@pytest.mark.parametrize("kind", CELLS)
def test_cells_read_as_calamine_reads_them_or_left_to_it(kind):
    _as_calamine_or_unsupported(_hand(f'<row r="1">{CELLS[kind]}</row>', "<si><t>a</t></si><si><t>b</t></si>"),
                                exact=False)


def test_only_the_cells_inside_sheet_data_are_read():
    """calamine reads the cells between <sheetData> and </sheetData>; rows written after it (or
    in a second <sheetData>) are not in the sheet."""
    row = '<row r="2"><c r="A2"><v>2</v></c></row>'
    for after in (f"<foo>{row}</foo>", f"<sheetData>{row}</sheetData>"):
        _as_calamine_or_unsupported(_hand('<row r="1"><c r="A1"><v>1</v></c></row>', after=after), exact=True)


def test_a_row_longer_than_two_pieces_loses_no_cell(monkeypatch):
    """A row longer than two pieces was cut at any tag, in the middle of a cell, whose value was
    then lost; now it is cut before a cell, and a cell longer than two pieces goes to calamine."""
    long = '<row r="1"><c r="A1" t="inlineStr"><is><t>' + "长" * 200 + '</t></is></c></row>'
    data = _hand(long + '<row r="2"><c r="A2"><v>2</v></c><c r="B2" t="inlineStr"><is><t>' + "文" * 100
                 + "</t></is></c></row>")
    for piece in (64, 256, 4096):
        monkeypatch.setattr(xlsxrows, "PIECE", piece)
        try:
            assert streamed_read(data) == calamine_read(data), piece
        except xlsxrows.Unsupported:
            assert piece == 64, piece  # the 600-byte cell: longer than two pieces


def test_a_style_index_that_is_no_number_is_left_to_calamine():
    """calamine takes s="x" for style 0: here a date format, so it gives a date, not 45000."""
    styles = ('<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="1">'
              '<xf numFmtId="14"/></cellXfs></styleSheet>')
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           '<row r="1"><c r="A1" s="x"><v>45000</v></c></row></sheetData></worksheet>')
    data = zip_file(members(xml.encode(), extra={"xl/styles.xml": styles.encode()}))
    book = xlsxrows.open_book(data)
    with pytest.raises(xlsxrows.Unsupported):
        list(xlsxrows.rows(book, book.sheets[0].part))


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _workbook(sheets: str, relations: str, parts: dict[str, bytes], folder: str = "xl") -> bytes:
    """A workbook whose workbook.xml lists `sheets` (<sheet .../> tags), its relations file holds
    `relations` (<Relationship .../> tags), in `folder` as the package names it."""
    from test_hostile_files import WORKBOOK_PARTS, deflate
    files = {
        "[Content_Types].xml": WORKBOOK_PARTS["[Content_Types].xml"],
        "_rels/.rels": f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_TYPES}officeDocument" '
                       f'Target="{folder}/workbook.xml"/></Relationships>'.encode(),
        f"{folder}/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_TYPES[:-1]}"><sheets>{sheets}</sheets>'
                                  "</workbook>".encode(),
        f"{folder}/_rels/workbook.xml.rels": f'<Relationships xmlns="{_RELS}">{relations}</Relationships>'.encode(),
        **parts}
    return zip_file([(name, *deflate(body)) for name, body in files.items()])


def _aid_sheet(project: str) -> bytes:
    from test_hostile_files import sheet_xml
    from test_importing import AID_HEADER
    return sheet_xml([AID_HEADER, [2024, "城关镇", project, 41, 0, 12000]])


def _rel(number: int, target: str, kind: str = "worksheet") -> str:
    return f'<Relationship Id="rId{number}" Type="{_TYPES}{kind}" Target="{target}"/>'


_TWO_PARTS = {"xl/worksheets/sheet1.xml": _aid_sheet("送温暖"), "xl/worksheets/sheet2.xml": _aid_sheet("金秋助学")}
WORKBOOKS_WRITTEN_TO_MISLEAD = {
    "a commented-out sheet": _workbook('<!-- <sheet name="帮扶" sheetId="2" r:id="rId2"/> -->'
                                       '<sheet name="帮扶" sheetId="1" r:id="rId1"/>',
                                       _rel(1, "worksheets/sheet1.xml") + _rel(2, "worksheets/sheet2.xml"), _TWO_PARTS),
    "a commented-out relationship": _workbook('<sheet name="帮扶" sheetId="1" r:id="rId1"/>',
                                              _rel(1, "worksheets/sheet1.xml") + f"<!-- {_rel(1, 'worksheets/sheet2.xml')} -->",
                                              _TWO_PARTS),
    "two id attributes, calamine takes the last": _workbook('<sheet name="帮扶" sheetId="1" id="rId2" r:id="rId1"/>',
                                                            _rel(1, "worksheets/sheet1.xml") + _rel(2, "worksheets/sheet2.xml"),
                                                            _TWO_PARTS),
    "an entity in a target, which calamine does not resolve": _workbook(
        '<sheet name="帮扶" sheetId="1" r:id="rId1"/>', _rel(1, "worksheets/sheet&#50;.xml"),
        {**_TWO_PARTS, "xl/worksheets/sheet&#50;.xml": _aid_sheet("困难职工")}),
    "two sheets of one name": _workbook('<sheet name="帮扶" sheetId="1" r:id="rId1"/><sheet name="帮扶" sheetId="2" r:id="rId2"/>',
                                        _rel(1, "worksheets/sheet1.xml") + _rel(2, "worksheets/sheet2.xml"), _TWO_PARTS),
    "a state calamine refuses": _workbook('<sheet name="帮扶" sheetId="1" r:id="rId1" state="Hidden"/>',
                                          _rel(1, "worksheets/sheet1.xml"), _TWO_PARTS),
    "a relationship of no known type": _workbook('<sheet name="帮扶" sheetId="1" r:id="rId1"/>',
                                                 _rel(1, "worksheets/sheet1.xml", "foo"), _TWO_PARTS),
    "a sheet name calamine refuses": _workbook('<sheet name="帮扶&nbsp;" sheetId="1" r:id="rId1"/>',
                                               _rel(1, "worksheets/sheet1.xml"), _TWO_PARTS),
    "the package's workbook elsewhere, a decoy in xl/": _workbook(
        '<sheet name="帮扶" sheetId="1" r:id="rId1"/>', _rel(1, "worksheets/sheet1.xml"),
        {"xl2/worksheets/sheet1.xml": _aid_sheet("送温暖"), "xl/worksheets/sheet1.xml": _aid_sheet("金秋助学"),
         "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_TYPES[:-1]}"><sheets><sheet name="帮扶" '
                            'sheetId="1" r:id="rId1"/></sheets></workbook>'.encode(),
         "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_RELS}">{_rel(1, "worksheets/sheet1.xml")}'
                                       "</Relationships>".encode()},
        folder="xl2"),
}


@pytest.mark.parametrize("kind", WORKBOOKS_WRITTEN_TO_MISLEAD)
def test_a_workbook_is_read_as_calamine_reads_it(kind):
    """Which sheets a workbook has, of which parts, named what: as calamine reads them (the
    figures imported are the ones Excel shows), or calamine reads the file."""
    _as_calamine_or_unsupported(WORKBOOKS_WRITTEN_TO_MISLEAD[kind], exact=False)


def test_two_sheets_of_one_part_get_a_message_not_a_traceback():
    """Two sheets whose relations name one part: cellformats reads the part for one of them,
    and the importer looked up the other's formats (KeyError)."""
    data = _workbook('<sheet name="帮扶" sheetId="1" r:id="rId1"/><sheet name="单位" sheetId="2" r:id="rId2"/>',
                     _rel(1, "worksheets/sheet1.xml") + _rel(2, "worksheets/sheet1.xml"), _TWO_PARTS)
    batch = importing.read("a.xlsx", data, importing.Reference(_regions2()))
    assert batch.problems and not batch.frames
    _as_calamine_or_unsupported(data, exact=False)


@pytest.mark.parametrize("xfs", ['<xf numFmtId="0"/><xf numFmtId="200"/>', '<xf numFmtId="0"/><xf numFmtId="201"/>',
                                 '<xf/><xf numFmtId="14"/>', '<xf numFmtId="0"/><!-- <xf numFmtId="0"/> --><xf numFmtId="14"/>'])
def test_a_number_calamine_shows_as_a_date_is_left_to_it(xfs):
    """calamine takes a/p, and a date section followed by General, for dates; an <xf/> without
    attributes counts as a style: the reader took these numbers for plain ones."""
    styles = (f'<styleSheet xmlns="{_MAIN}"><numFmts count="2"><numFmt numFmtId="200" formatCode="a/p"/>'
              f'<numFmt numFmtId="201" formatCode="yyyy/m/d;General"/></numFmts><cellXfs>{xfs}</cellXfs></styleSheet>')
    xml = (f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1"><c r="A1" s="1"><v>45000.5</v></c></row>'
           "</sheetData></worksheet>")
    data = zip_file(members(xml.encode(), extra={"xl/styles.xml": styles.encode()}))
    assert calamine_read(data)[0][3][0][0][0] == "datetime"
    _as_calamine_or_unsupported(data, exact=False)


def test_rows_far_apart_cost_no_grid_between_them():
    """A file of a few cells, one in row 2 and one in CV199999 (within the limits), had the
    reader build the whole 200,000 × 100 grid between them: some 300 MB for 1.6 kB."""
    import tracemalloc
    data = _hand('<row r="2"><c r="A2"><v>2024</v></c></row><row r="199999"><c r="CV199999"><v>1</v></c></row>')
    book = xlsxrows.open_book(data)
    held = {}
    tracemalloc.start()
    try:
        for number, row in enumerate(xlsxrows.rows(book, book.sheets[0].part), 1):
            if row:
                held[number] = row
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert number == 199_999 and list(held) == [2, 199_999]
    assert held[2][0] == 2024.0 and held[199_999][99] == 1.0 and not any(held[2][1:] + held[199_999][:99])
    assert peak < 20 * 1024 * 1024, f"{peak / 2**20:.0f} MB"


@pytest.mark.parametrize("cells, strings", [('<row r="1">' + '<c r="A1">' * 50 + "</row>", "<si><t>a</t></si>"),
                                            ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', "<si><t>a</t>" * 50),
                                            ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', "<si><r><t>a" * 50 + "</si>")])
def test_tags_left_open_are_left_to_calamine(cells, strings):
    """Cells (or string items, or texts) whose end tag never comes: the reader's pattern looked
    for it to the end of the piece from every one of them (20,000 open cells, 250 kB, took
    15 s of CPU; 400,000 would take hours) and then skipped them: an empty sheet where calamine
    refuses the file."""
    _as_calamine_or_unsupported(_hand(cells, strings), exact=False)


def test_an_xlsx_named_xls_gets_the_same_answer_both_ways(monkeypatch):
    """A workbook saved as .xlsx and renamed .xls is read by content. calamine's path took the
    name for whether formula cells were known, and imported a formula without a value as an
    empty amount; the streamed path said what it was."""
    from test_importing import AID_HEADER
    book = openpyxl.Workbook()
    book.active.title = "帮扶"
    book.active.append(AID_HEADER)
    book.active.append([2024, "城关镇", "送温暖", 41, 0, "=F1*2"])
    buffer = io.BytesIO()
    book.save(buffer)
    reference = importing.Reference(_regions2())
    for name in ("a.xls", "a.xlsx"):
        streamed = importing.read(name, buffer.getvalue(), reference)
        by_calamine = importing.validate(name, importing._read_tables(name, buffer.getvalue(), streamed=False), reference)
        _same(streamed, by_calamine)
        assert [p.message for p in by_calamine.problems] == ["单元格是公式但没有计算结果：请在 Excel/WPS 中打开、保存后再导入"]


DAMAGED_PARTS = {  # (part, text to find, what it becomes): XML calamine refuses, as found by a fuzzer
    "a workbook attribute without its opening quote": ("xl/workbook.xml", b'windowHeight="', b"windowHeight=P"),
    "a number format attribute cut": ("xl/styles.xml", b'<numFmt numFmtId="164"', b'<numFmt nu64"'),
    "a style list whose end tag is misspelt": ("xl/styles.xml", b"</cellXfs>", b"</cellXf>"),
}


DAMAGED_PARTS.update({
    "a sheet whose </sheetData> is cut out": ("xl/worksheets/sheet1.xml", b"</sheetData>", b""),
    "a shared strings root tag run together": ("xl/sharedStrings.xml", b"<sst xmlns", b"<sstwxmlns"),
    "a string item's start cut out": ("xl/sharedStrings.xml", b"<si><t>\xe5\xb9\xb4", b"\xe5\xb9\xb4"),
    "a shared strings root tag without its <": ("xl/sharedStrings.xml", b"<sst xmlns", b"[sst xmlns"),
    "an end tag cut short in a string item": ("xl/sharedStrings.xml", b"</t></si><si><t>\xe5\x8d\x95",
                                              b"</t></s</si>i><si><t>\xe5\x8d\x95"),
})


@pytest.mark.parametrize("kind", DAMAGED_PARTS)
def test_a_damaged_workbook_part_is_refused_as_calamine_refuses_it(kind):
    """The patterns read a workbook's names, styles, strings and cells from XML calamine refuses
    as damaged: the streamed path imported the file, calamine's said it was damaged. (A sheet's
    rows are counted, tag by kind, the rest of it is parsed: a row or cell tag calamine would
    accept though damaged goes to calamine too.)"""
    part, old, new = DAMAGED_PARTS[kind]
    data = xlsxwriter_book()
    assert old in zipfile.ZipFile(io.BytesIO(data)).read(part)
    damaged = _edited(data, lambda name, body: body.replace(old, new) if name == part else body)
    with pytest.raises(Exception):
        calamine_read(damaged)
    _as_calamine_or_unsupported(damaged, exact=False)


@pytest.mark.parametrize("part", ["xl/styles.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_declared_encoding_python_does_not_know_is_no_traceback(part):
    """<?xml ... encoding="es"?> (found by a fuzzer): calamine reads the part as UTF-8; the
    styles' XML parser raised LookupError, a traceback out of importing.read on both paths."""
    changed = _edited(xlsxwriter_book(), lambda name, body: body.replace(b'encoding="UTF-8"', b'encoding="es"', 1)
                      if name == part else body)
    assert b'encoding="es"' in zipfile.ZipFile(io.BytesIO(changed)).read(part)
    _as_calamine_or_unsupported(changed, exact=True)


def test_end_tags_of_a_string_in_a_rows_end_tag_are_refused_as_calamine_refuses_them():
    """</row</t></is>> (found by a fuzzer): calamine refuses the sheet at its end; the plain
    path, which reads only <row>, <c> and <v> tags, read the rows."""
    from test_hostile_files import sheet_xml
    xml = sheet_xml([[2024, 41, 0, 12000], [2024, 4, 0, 1200], [2025, 5, 1, 100]])  # numbers only: the plain path
    assert b"\n" not in xml.partition(b"<sheetData>")[2]
    data = zip_file(members(xml.replace(b'</row><row r="3"', b'</row</t></is>><row r="3"')))
    with pytest.raises(Exception):
        calamine_read(data)
    _as_calamine_or_unsupported(data, exact=False)
