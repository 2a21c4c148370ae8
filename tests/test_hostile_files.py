"""Hardening (issue #10): files that would take the server down, files that used to end in a
traceback, mixed encodings and clashing townships. Each is refused with a Chinese message
naming where, changes nothing, and the CLI exits 2; townships-only and targets-only files import.

The hostile workbooks are built here by hand. calamine aborts the whole process on some of
them, so the in-process tests replace it with a stand-in that records being called: the checks
must refuse these files before calamine is ever reached. The dimension bomb also goes through
the real CLI in a subprocess, where an abort shows up as a crash instead of killing pytest.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import struct
import subprocess
import sys
import zlib
from html import escape

import pandas as pd
import pytest
import python_calamine

from test_importing import AID_HEADER, state, unit_row, units_file, xlsx
from conftest import ROOT
from unionstats import cli, importing, snapshots, store

REGION_HEADER = ["乡镇代码", "乡镇名称", "英文名称", "类型"]


# --- building workbooks by hand --------------------------------------------------------------------

class Raw(str):
    """A cell value written into the sheet XML as it is (<v>1e400</v>)."""


def column(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: list[list], dimension: str | None = None, start: int = 1) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    for i, row in enumerate(rows, start):
        out.append(f'<row r="{i}">')
        for j, value in enumerate(row, 1):
            ref = f"{column(j)}{i}"
            if value is None:
                continue
            if isinstance(value, Raw) or not isinstance(value, str):
                out.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out).encode("utf-8")


WORKBOOK_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml"'
    b' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+'
    b'xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def workbook_xml(sheet: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>').encode("utf-8")


def members(sheet: bytes | tuple, name: str = "帮扶", extra: dict | None = None,
            target: str = "worksheets/sheet1.xml") -> list[tuple]:
    """Zip members (name, raw deflate, crc, size) of a one-sheet workbook; `sheet` is XML or an
    already deflated (raw, crc, size), stored where the workbook's relation `target` points."""
    rels = WORKBOOK_PARTS["xl/_rels/workbook.xml.rels"].replace(b"worksheets/sheet1.xml", target.encode())
    parts = {**WORKBOOK_PARTS, "xl/_rels/workbook.xml.rels": rels, "xl/workbook.xml": workbook_xml(name),
             **(extra or {})}
    out = [(n, *deflate(data)) for n, data in parts.items()]
    out.append(("xl/" + target, *(sheet if isinstance(sheet, tuple) else deflate(sheet))))
    return out


def deflate(data: bytes) -> tuple[bytes, int, int]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)


def deflate_repeated(head: bytes, block: bytes, times: int) -> tuple[bytes, int, int]:
    """Raw deflate of head + block × times, built from one packed copy of block: a full flush
    makes each copy independent, so a gigabyte costs one megabyte of work (and a CRC pass)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    one = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    return first + one * times + packer.flush(zlib.Z_FINISH), crc, len(head) + len(block) * times


def zip_file(parts: list[tuple]) -> bytes:
    """A zip written field by field, so sizes and CRCs can be anything we like."""
    out, central = bytearray(), bytearray()
    for name, raw, crc, size in parts:
        encoded, offset = name.encode("utf-8"), len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0, crc, len(raw), size, len(encoded), 0)
        out += encoded + raw
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0, crc, len(raw), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    return bytes(out + central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central),
                                             len(out), 0))


def book(rows, dimension=None, name="帮扶") -> bytes:
    return zip_file(members(sheet_xml(rows, dimension), name))


def raw_sheet(body: str, dimension: str | None = None) -> bytes:
    """A one-sheet workbook whose <sheetData> is `body`, verbatim."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f"{dim}<sheetData>{body}</sheetData></worksheet>")
    return zip_file(members(xml.encode()))


def sheet_named_like_a_picture() -> bytes:
    xml = sheet_xml([[1]]).replace(b'<c r="A1"><v>1</v></c>', FAR_CELLS)
    return zip_file(members(xml, target="worksheets/chart.png"))


def picture(data: bytes, part: str) -> bytes:
    return zip_file(members(sheet_xml([AID_HEADER, [2024, "城关镇", "送温暖", 41, 0, 12000]]), extra={part: data}))


FAR_CELLS = b'<c r="A1"><v>1</v></c><c r="XFD1048576"><v>2</v></c>'
FAR = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
ROW = b'<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2"><v>3</v></c></row>'
HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def zip_bomb() -> bytes:
    """2 GB of sheet XML in about 6 MB: what calamine would read, all of it."""
    return zip_file(members(deflate_repeated(HEAD, ROW * 12_000, 2048)))


def ratio_bomb() -> bytes:
    """40 MB packed some 300 times: under the size limit, but no spreadsheet packs like that."""
    return zip_file(members(deflate_repeated(HEAD, ROW * 12_000, 40)))


def lying_part() -> bytes:
    """A sheet that declares 1 KB but inflates to 40 MB."""
    raw, crc, _ = deflate_repeated(HEAD, ROW * 12_000, 40)
    return zip_file(members((raw, crc, 1024)))


def ods_named_xlsx() -> bytes:
    parts = [("mimetype", *deflate(b"application/vnd.oasis.opendocument.spreadsheet")),
             ("content.xml", *deflate(b"<office:document-content/>"))]
    return zip_file(parts)


def xls_file(patch, yuan: float = 12345.678) -> bytes:
    """An .xls written by xlwt, then one BIFF record changed in place by `patch`."""
    import xlwt
    workbook = xlwt.Workbook()
    ws = workbook.add_sheet("补助")
    for j, h in enumerate(["年度", "乡镇", "补助基层工会数", "补助金额（元）"]):
        ws.write(0, j, h)
    for j, v in enumerate([2024, "南山乡", 4, yuan]):
        ws.write(1, j, v)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = bytearray(buffer.getvalue())
    patch(data)
    return bytes(data)


def xls_far_cell(data: bytearray) -> None:
    at = data.find(struct.pack("<d", 12345.678)) - 10  # NUMBER record: type, length, row, column, xf, value
    data[at + 4:at + 8] = struct.pack("<HH", 65535, 65535)


def xls_huge_dimensions(data: bytearray) -> None:
    at = data.find(b"\x00\x02\x0e\x00")  # DIMENSIONS, 14 bytes: first row, last row + 1 (32-bit), columns
    data[at + 8:at + 12] = struct.pack("<I", 0xFFFFFFFF)


def xls_huge_strings(data: bytearray) -> None:
    at = data.find(b"\xfc\x00")  # SST: total count, unique count (calamine reserves one string each)
    data[at + 8:at + 12] = struct.pack("<i", 2**31 - 1)


# --- in-process: calamine must never see these ----------------------------------------------------

@pytest.fixture
def no_calamine(monkeypatch):
    """calamine replaced by a stand-in that records each call (the real one would abort)."""
    calls = []

    class Refuse:
        @classmethod
        def from_filelike(cls, *args, **kwargs):
            calls.append(args)
            raise AssertionError("calamine was handed a hostile file")

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Refuse)
    return calls


HOSTILE = {  # kind: (file name, maker, words in the message)
    "cells in A1 and XFD1048576 (as declared)": ("bomb.xlsx", lambda: raw_sheet(FAR, "A1:XFD1048576"), "超出上限"),
    "cells in A1 and XFD1048576, no dimension": ("bomb.xlsx", lambda: raw_sheet(FAR), "XFD 列"),
    "dimension says A1:B2, cells say otherwise": ("bomb.xlsx", lambda: raw_sheet(FAR, "A1:B2"), "1,048,576 行"),
    "dimension alone is huge": ("bomb.xlsx", lambda: book([["年度"], [2024]], "A1:XFD1048576"), "声明的范围"),
    "lower-case position": ("bomb.xlsx", lambda: raw_sheet('<row r="1"><c r="xfd1048576"><v>1</v></c></row>'),
                            "位置写法不标准"),
    "position with leading zeros": ("bomb.xlsx", lambda: raw_sheet('<row r="1"><c r="A0001048576"><v>1</v></c></row>'),
                                    "位置写法不标准"),
    "second position in one cell": ("bomb.xlsx", lambda: raw_sheet('<row r="1"><c r="A1" r="XFD1"><v>1</v></c></row>'),
                                    "位置写法不标准"),
    "position behind a namespace prefix": ("bomb.xlsx", lambda: raw_sheet(
        '<row r="1"><c r="A1"><v>1</v></c><y:c xmlns:y="urn:other" r="XFD1048576"><y:v>2</y:v></y:c></row>'),
        "位置写法不标准"),
    "position in single quotes": ("bomb.xlsx", lambda: raw_sheet("<row r='1'><c r='XFD1048576'><v>1</v></c></row>"),
                                  "位置写法不标准"),
    "cells placed by counting": ("bomb.xlsx", lambda: raw_sheet('<row r="1048576">' + "<c/>" * 300 + "<c><v>1</v></c></row>"),
                                 "位置写法不标准"),
    "empty inline string far away": ("bomb.xlsx", lambda: raw_sheet(
        '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" t="inlineStr"><is><t></t></is></c></row>'), "XFD 列"),
    "sheet stored under a picture's name": ("bomb.xlsx", sheet_named_like_a_picture, "XFD 列"),
    "2 GB zip bomb": ("bomb.xlsx", zip_bomb, "解压后共"),
    "packing ratio over 100": ("bomb.xlsx", ratio_bomb, "压缩炸弹"),
    "part larger than it declares": ("bomb.xlsx", lying_part, "文件已损坏"),
    "an .ods named .xlsx": ("bomb.xlsx", ods_named_xlsx, ".ods"),
    "xls cell in column 65536": ("bomb.xls", lambda: xls_file(xls_far_cell), "65,536 列"),
    "xls dimension of 4 G rows": ("bomb.xls", lambda: xls_file(xls_huge_dimensions), "声明的范围"),
    "xls string table of 2 G strings": ("bomb.xls", lambda: xls_file(xls_huge_strings), "文件已损坏"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_workbook_is_refused_before_calamine(county, no_calamine, kind):
    name, make, words = HOSTILE[kind]
    before = state(county)
    prepared = importing.prepare(county, name, make())
    messages = [p.line() for p in prepared.batch.problems]
    assert no_calamine == [], messages
    assert prepared.candidate is None
    assert messages and any(words in m for m in messages), messages
    assert state(county) == before


LOW_LIMITS = {  # kind: (limits to lower, file name, maker, words)
    "rows over the limit, no dimension": ({"MAX_ROWS": 50}, "a.xlsx",
                                          lambda: book([[i, i] for i in range(60)]), "第 60 行"),
    "columns over the limit": ({"MAX_COLUMNS": 5}, "a.xlsx", lambda: book([list(range(8))]), "第 8 列"),
    "used area over the cell limit": ({"MAX_CELLS": 100}, "a.xlsx",
                                      lambda: book([[1] + [None] * 18 + [1]] * 6), "第 6 行、第 20 列"),
    "unpacked size over the limit": ({"MAX_UNPACKED_BYTES": 4000}, "a.xlsx",
                                     lambda: book([["x" * 50] * 10] * 20), "解压后共"),
    "CSV rows over the limit": ({"MAX_ROWS": 50}, "a.csv",
                                lambda: (",".join(AID_HEADER) + "\n" + "2024,城关镇,送温暖,1,0,1\n" * 60).encode(),
                                "超过 50 行"),
    "CSV columns over the limit": ({"MAX_COLUMNS": 10}, "a.csv", lambda: ("1," * 20 + "\n").encode(), "超过 10 列"),
}


@pytest.mark.parametrize("kind", LOW_LIMITS)
def test_limits_hold_with_lowered_values(county, no_calamine, monkeypatch, kind):
    lowered, name, make, words = LOW_LIMITS[kind]
    for constant, value in lowered.items():
        monkeypatch.setattr(importing, constant, value)
    before = state(county)
    prepared = importing.prepare(county, name, make())
    messages = [p.line() for p in prepared.batch.problems]
    assert no_calamine == [] and messages and any(words in m for m in messages), messages
    assert state(county) == before


def test_files_within_the_limits_still_import(county, tmp_path):
    """The checks pass an ordinary workbook, one written by hand, an .xls and a CSV."""
    rows = [AID_HEADER, [2024, "城关镇", "送温暖", 41, 0, 12000]]
    for name, data in (("a.xlsx", xlsx({"帮扶": rows})), ("b.xlsx", book(rows)),
                       ("c.csv", "\n".join(",".join(map(str, r)) for r in rows).encode())):
        prepared = importing.prepare(county, name, data)
        assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems]
        assert prepared.no_change or prepared.candidate is not None
        if prepared.candidate:
            snapshots.discard(prepared.candidate)
    bytes_like_a_tag = b"\x89PNG\r\n\x1a\n" + b"<c xy" + bytes(range(256)) * 40  # a picture is not a sheet
    for part in ("xl/media/image1.png", "xl/embeddings/oleObject1.bin", "xl/vbaProject.bin"):
        prepared = importing.prepare(county, "e.xlsx", picture(bytes_like_a_tag, part))
        assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems]
    prepared = importing.prepare(county, "d.xls", xls_file(lambda data: None, yuan=12000))
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems]
    snapshots.discard(prepared.candidate)


CALAMINE_READS = {  # what calamine still reads: an .xls, and an .xlsx the streaming reader leaves to it
    "odd.xls": lambda: xls_file(lambda data: None, yuan=12345),
    "odd.xlsx": lambda: xlsx({"帮扶": [AID_HEADER, [dt.date(2024, 12, 31), "城关镇", "送温暖", 5, 0, 1]]}),
}


@pytest.mark.parametrize("name", CALAMINE_READS)
def test_a_calamine_panic_is_a_message_not_a_crash(county, monkeypatch, name):
    """calamine panics on some damage; pyo3 raises that as PanicException, a BaseException."""
    class PanicException(BaseException):
        pass

    class Panics:
        @classmethod
        def from_filelike(cls, *args, **kwargs):
            raise PanicException("chunk size must be non-zero")

    data = CALAMINE_READS[name]()
    assert not importing.prepare(county, name, data).batch.problems  # with calamine itself
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Panics)
    before = state(county)
    prepared = importing.prepare(county, name, data)
    assert [p.message for p in prepared.batch.problems] == ["文件已损坏或不是有效的 Excel 文件（PanicException）"]
    assert state(county) == before


@pytest.mark.slow
def test_dimension_bomb_through_the_real_cli_in_a_subprocess(county, tmp_path):
    """With calamine itself: an abort here is a crash of the child (exit -6), not of pytest."""
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(raw_sheet(FAR, "A1:XFD1048576"))
    before = state(county)
    done = subprocess.run([sys.executable, "-m", "unionstats", "import", str(bomb), "--db", str(county)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert "工作表「帮扶」" in done.stderr and "超出上限" in done.stderr and "Traceback" not in done.stderr
    assert state(county) == before


# --- bad values and shapes that used to end in a traceback ----------------------------------------

def aid_csv(*lines: str, encoding="utf-8") -> bytes:
    return ("\n".join([",".join(AID_HEADER), *lines]) + "\n").encode(encoding)


def people(n: int, **more) -> list:
    """A unit row whose every count is n or 0, so that only the size of n can be wrong."""
    zero = dict(女职工人数=0, 农民工人数=0, 会员人数=0, 女会员人数=0, 农民工会员人数=0, 本年新入会人数=0,
                签订劳动合同人数=0)
    return unit_row(职工人数=n, **{**zero, **more})


def regions_file(*rows) -> bytes:
    return xlsx({"乡镇": [REGION_HEADER, *rows]})


MIXED = ",".join(AID_HEADER).encode() + b"\n" + "2024,城关镇,送温暖,5,0,1000\n".encode() + \
    "2024,河东乡,送温暖,3,0,500\n".encode("gbk") + "2024,南山乡,送温暖,2,0,200\n".encode()
MOSTLY_GBK = ",".join(AID_HEADER).encode("gbk") + b"\n" + "2024,城关镇,送温暖,5,0,1000\n".encode("gbk") + \
    "2024,河东乡,送温暖,3,0,500\n".encode() + "2024,南山乡,送温暖,2,0,200\n".encode("gbk")

BAD = {  # kind: (file name, maker, words, row, column) — row and column of the first problem, None = any
    "CSV with an extra field": ("a.csv", lambda: aid_csv("2024,城关镇,送温暖,5,0,1,000"), "比表头", 2, "第7列"),
    "CSV with an unclosed quote": ("a.csv", lambda: aid_csv('2024,城关镇,"送温暖,5,0,1000', "2024,河东乡,送温暖,3,0,500"),
                                   "引号没有配对", 2, "帮扶项目"),
    "CSV with text after a closing quote": ("a.csv", lambda: aid_csv('2024,城关镇,"送温"暖,5,0,1000'),
                                            "引号用法不对", 2, None),
    "CSV with a 200,000-character cell": ("a.csv", lambda: aid_csv("2024,城关镇,送温暖,5,0," + "9" * 200_000),
                                          "超过 131,072 个字符", 2, ""),
    "employees of 2^31": ("a.xlsx", lambda: units_file(people(2**31)), "超过上限", 2, "职工人数"),
    "employees of 1e308 written out": ("a.xlsx", lambda: units_file(people("1" + "0" * 308)), "太大", 2, "职工人数"),
    "yuan of 2^63": ("a.xlsx", lambda: xlsx({"帮扶": [AID_HEADER, [2024, "城关镇", "送温暖", 5, 0, 2**63]]}),
                     "太大", 2, "金额（元）"),
    "yuan just over the limit": ("a.xlsx", lambda: xlsx({"帮扶": [AID_HEADER, [2024, "城关镇", "送温暖", 5, 0, 10**13]]}),
                                 "超过上限", 2, "金额（元）"),
    "1e400 in a number cell": ("a.xlsx", lambda: book([AID_HEADER, [2024, "城关镇", "送温暖", Raw("1e400"), 0, 1]]),
                               "太大", 2, "户次"),
    "1e400 in a total row": ("a.xlsx", lambda: book([AID_HEADER, [2024, "城关镇", "送温暖", 5, 0, 1],
                                                     ["合计", None, None, Raw("1e400"), 0, 1]]), "太大", 3, "户次"),
    "infinite target": ("a.xlsx", lambda: book([["年度", "指标", "乡镇", "目标值"], [2025, "帮扶金额", None, Raw("1e400")]],
                                               name="目标"), "太大", 2, "目标值"),
    "one credit code on two units": ("a.xlsx", lambda: units_file(
        unit_row(统一社会信用代码="91330000MA2TEST01X"),
        unit_row(单位名称="另一家公司", 统一社会信用代码="91330000MA2TEST01X")), "同一家单位", 3, "统一社会信用代码"),
    "headers and no rows": ("a.xlsx", lambda: xlsx({"帮扶": [AID_HEADER]}), "只有表头", None, ""),
    "CSV headers and no rows": ("a.csv", lambda: aid_csv(), "只有表头", None, ""),
    "UTF-8 file with a GBK line": ("a.csv", lambda: MIXED, "第3行不是", 3, ""),
    "GBK file with a UTF-8 line": ("a.csv", lambda: MOSTLY_GBK, "第3行是 UTF-8", 3, ""),
    "replacement characters": ("a.csv", lambda: aid_csv("2024,城关\ufffd镇,送温暖,5,0,1000"), "乱码替换符", 2, ""),
    "new township named like an old one": ("a.xlsx", lambda: regions_file(["xin1", "城关镇", "", "镇"]), "城关镇",
                                           2, "乡镇名称"),
    "new township code differing in case only": ("a.xlsx", lambda: regions_file(["HEDONG", "新河东", "", "乡"]),
                                                 "河东乡", 2, "乡镇代码"),
    "one new township twice in the file": ("a.xlsx", lambda: regions_file(["n1", "新区", "", "园区"],
                                                                           ["n2", "新 区", "", "园区"]), "第2行", 3,
                                           "乡镇名称"),
    "township code equal to another's English name": ("a.xlsx", lambda: regions_file(["Nanshan Township", "新南山", "",
                                                                                       "乡"]), "南山乡", 2, "乡镇代码"),
}


def test_an_unreadable_csv_record_late_in_the_file_is_the_only_problem(county):
    """Records are parsed as they are checked: the rows checked before a record that cannot be
    read are not reported, the file is refused for that record alone."""
    data = aid_csv(*["2024,城关镇,送温暖,x,0,1"] * 3, *[f"{y},河东乡,送温暖,3,0,500" for y in range(2000, 2020)],
                   '2024,城关镇,"送温暖,5,0,1000')
    before = state(county)
    prepared = importing.prepare(county, "a.csv", data)
    assert [(p.row, p.column) for p in prepared.batch.problems] == [(25, "帮扶项目")]
    assert "引号没有配对" in prepared.batch.problems[0].message and state(county) == before


@pytest.mark.parametrize("kind", BAD)
def test_bad_file_gets_a_located_message_and_changes_nothing(county, kind):
    name, make, words, row, column_name = BAD[kind]
    before = state(county)
    prepared = importing.prepare(county, name, make())
    assert prepared.candidate is None
    problems = prepared.batch.problems
    messages = [p.line() for p in problems]
    assert messages and words in messages[0], messages
    if row is not None:
        assert problems[0].row == row, messages
    if column_name:
        assert problems[0].column == column_name, messages
    assert state(county) == before


@pytest.mark.parametrize("kind", [*HOSTILE, *BAD])
def test_cli_prints_the_message_and_exits_2(county, tmp_path, capsys, request, kind):
    calls = request.getfixturevalue("no_calamine") if kind in HOSTILE else []
    name, make, words = (HOSTILE.get(kind) or BAD[kind])[:3]
    file = tmp_path / name
    file.write_bytes(make())
    before = state(county)
    code = cli.main(["import", str(file), "--db", str(county)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert words in err and "数据库没有任何改动" in err and "Traceback" not in err
    assert calls == []
    assert state(county) == before


def test_townships_only_and_targets_only_files_import(county, tmp_path, capsys):
    towns = tmp_path / "乡镇.xlsx"
    towns.write_bytes(regions_file(["xinqu", "新区", "New District", "园区"]))
    targets = tmp_path / "目标.xlsx"
    targets.write_bytes(xlsx({"目标": [["年度", "指标", "乡镇", "目标值"], [2026, "建会率", None, "81%"],
                                      [2026, "帮扶户次", "新区", 20]]}))
    files_before = state(county)[1]
    assert cli.main(["import", str(towns), "--db", str(county)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "乡镇" in out and "全部" in out
    assert "xinqu" in set(store.query("regions", path=county)["code"])
    assert cli.main(["import", str(targets), "--db", str(county)]) == 0, capsys.readouterr().err
    store.clear_cache()
    got = store.query("targets", path=county, years=(2026,)).set_index(["indicator", "region_code"])["value"]
    assert got[("unionization_rate", "")] == pytest.approx(0.81) and got[("aid_households", "xinqu")] == 20
    assert len(state(county)[1]) == len(files_before) + 2  # two snapshots published, no orphans


def test_a_store_rule_broken_at_build_time_is_a_message(county, monkeypatch, tmp_path, capsys):
    """Should the checks ever miss something the database refuses, the import says so."""
    import duckdb

    def broken(*args, **kwargs):
        raise duckdb.ConstraintException('PRIMARY KEY or UNIQUE constraint violation: duplicate key "2024, 7"')

    monkeypatch.setattr(snapshots, "build_candidate", broken)
    file = tmp_path / "帮扶.xlsx"
    file.write_bytes(xlsx({"帮扶": [AID_HEADER, [2024, "城关镇", "送温暖", 41, 0, 12000]]}))
    before = state(county)
    assert cli.main(["import", str(file), "--db", str(county)]) == 2
    err = capsys.readouterr().err
    assert "数据不符合数据库的规则" in err and "Traceback" not in err
    assert state(county) == before


@pytest.mark.parametrize("field, value", [("industry_code", "Z"), ("region_code", "nowhere"), ("ownership_code", "999")])
def test_a_unit_year_naming_an_unknown_code_is_refused_by_the_store(county, field, value):
    """unit_year has no foreign keys (DuckDB checks them row by row: 0.6 s of a province
    import): the build checks its references once (queries/store_integrity.sql). A row the
    importer's checks let through by mistake is still refused."""
    batch = importing.read("单位.xlsx", units_file(unit_row(), unit_row(单位名称="城关另一测试公司")),
                           importing.reference_for(county))
    assert batch.ok, batch.problems
    batch.frames["unit_year"].loc[1, field] = value
    before = state(county)
    prepared = importing._build(county, batch, "test", None)
    assert prepared.candidate is None
    assert any("数据不符合数据库的规则" in p.message and f"{field} {value!r} is not in" in p.message for p in batch.problems)
    assert state(county) == before


@pytest.mark.parametrize("how", ["a unit twice", "an unknown unit", "a unit-year twice"])
def test_a_key_the_matching_breaks_is_refused_by_the_store(county, how, monkeypatch):
    """units and unit_year have no keys (queries/store_integrity.sql checks them once per build):
    should unit matching ever give a unit twice, a row an unknown unit or two rows of a year one
    unit, the import is refused, as the keys refused it, and the store is unchanged."""
    batch = importing.read("单位.xlsx", units_file(unit_row(), unit_row(单位名称="城关另一测试公司")),
                           importing.reference_for(county))
    assert batch.ok, batch.problems
    matched = snapshots._match_units

    def broken(units, by_name, incoming):
        units, ids = matched(units, by_name, incoming)
        if how == "a unit twice":
            return pd.concat([units, units.tail(1)], ignore_index=True), ids
        if how == "an unknown unit":
            return units, ids + 10**6
        return units, pd.Series(ids.iloc[0], index=ids.index)
    monkeypatch.setattr(snapshots, "_match_units", broken)
    monkeypatch.setattr(snapshots, "_clashes", lambda *args: [])  # (the importer's own check of the last)
    before = state(county)
    prepared = importing._build(county, batch, "test", None)
    assert prepared.candidate is None
    expected = {"a unit twice": r"units\.unit_id \d+ is there twice", "an unknown unit": r"unit_id \d+ is not in units",
                "a unit-year twice": r"\(2024, \d+\) is there twice"}[how]
    assert any("数据不符合数据库的规则" in p.message and re.search(expected, p.message) for p in batch.problems)
    assert state(county) == before


def test_a_demo_store_breaking_a_key_or_reference_is_not_written(tmp_path):
    tables = snapshots.empty_tables()
    tables["units"] = pd.DataFrame({"unit_id": [1], "credit_code": [None]})
    row = dict(year=2024, unit_id=2, name="某公司", region_code="chengguan", industry_code="C", ownership_code="170",
               union_status="none", has_congress=False, has_openness=False, has_collective_contract=False,
               has_wage_agreement=False)
    tables["unit_year"] = pd.DataFrame([row])
    tables["regions"] = pd.DataFrame([("chengguan", "城关镇", "Chengguan", "镇", 0)],
                                     columns=["code", "name_zh", "name_en", "kind", "sort_order"])
    with pytest.raises(store.StoreError, match="unit_id 2 is not in units"):
        snapshots.write_database(tmp_path / "s.duckdb", tables)
    assert not (tmp_path / "s.duckdb").exists()
    tables["units"] = pd.DataFrame({"unit_id": [2, 2], "credit_code": [None, "X"]})
    with pytest.raises(store.StoreError, match="units.unit_id 2 is there twice"):
        snapshots.write_database(tmp_path / "s.duckdb", tables)
    tables["units"] = pd.DataFrame({"unit_id": [2], "credit_code": [None]})
    tables["unit_year"] = pd.DataFrame([row, {**row, "name": "又一行"}])
    with pytest.raises(store.StoreError, match=r"\(2024, 2\) is there twice"):
        snapshots.write_database(tmp_path / "s.duckdb", tables)
    tables["unit_year"] = pd.DataFrame([row])
    snapshots.write_database(tmp_path / "s.duckdb", tables)  # the same rows, each once: written
    assert store.query("regions", path=tmp_path / "s.duckdb")["code"].tolist() == ["chengguan"]


def test_dry_run_leaves_no_snapshot_behind(county, tmp_path):
    towns = tmp_path / "乡镇.xlsx"
    towns.write_bytes(regions_file(["xinqu", "新区", "", "园区"]))
    before = state(county)
    assert cli.main(["import", str(towns), "--db", str(county), "--dry-run"]) == 0
    assert state(county) == before


def test_the_data_page_previews_a_townships_only_upload(county, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from unionstats import auth
    monkeypatch.setenv("UNIONSTATS_DB", str(county))
    monkeypatch.setenv(auth.ENV, auth.hash_password("correct horse battery"))
    store.clear_cache()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at = at.switch_page("pages/data.py").run()
    at.text_input[0].set_value("correct horse battery")
    at.button[0].click().run()
    at.file_uploader[0].set_value(("乡镇.xlsx", regions_file(["xinqu", "新区", "", "园区"]),
                                   "application/octet-stream")).run()
    assert not at.exception
    at.button(key="confirm_import").click().run()
    assert not at.exception
    assert "xinqu" in set(store.query("regions", path=county)["code"])
