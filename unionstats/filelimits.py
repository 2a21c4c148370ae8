"""Refuse a workbook that would take the server down, before any parser sees it (issue #10).

python-calamine builds a dense grid from the first cell to the last: one cell in A1 and one in
XFD1048576 asks for 549 GB and aborts the whole process, the Streamlit server with it. A zip
bomb inflates a 10 MB upload to many GB. So the containers are read here first, and only bytes
are read, never a grid:
- .xlsx: the zip directory (declared sizes, packing ratio, duplicate names), then every part
  streamed through zlib (which stops at the declared size and checks the CRC), counting the
  cells that hold something and finding the farthest one, stopping at the first limit passed.
  Cells must name their position the plain way (<c r="B2" ...>, no namespace prefix), as Excel,
  WPS, LibreOffice and openpyxl all write them. calamine also reads positions written other ways
  (lower case, single quotes, a prefix) and places a cell without one by counting; this check
  does neither, so such a file is refused with a hint to save it again.
- .xls: the OLE2 container and the BIFF records calamine allocates for (DIMENSIONS, SST and the
  cell records), walked from the same places calamine walks them.
The caller passes the limits; importing.py defines them. A sheet_reader (cellformats.Reader)
may read the sheets in the same pass: it is handed each piece of a sheet after the piece passed.
"""
from __future__ import annotations

import functools
import html
import io
import posixpath
import re
import struct
import sys
import zipfile
import zlib
from array import array
from dataclasses import dataclass

MB = 1024 * 1024
CHUNK = 1024 * 1024
RATIO_FLOOR = 10 * MB  # below this a part's packing ratio says nothing (tiny parts pack very well)
NAMES_PART_MAX = 10 * MB  # workbook.xml and its relations, read whole only to name sheets
DAMAGED = "文件已损坏或不是有效的 Excel 文件"
RESAVE = "请在 Excel 或 WPS 中打开，删除多余的行列后另存为 .xlsx 再导入"


@dataclass(frozen=True)
class Limits:
    rows: int            # last row a sheet may use (the number Excel shows)
    columns: int         # last column a sheet may use
    cells: int           # rows × columns of a sheet's used area; also cell tags in one part
    unpacked_bytes: int  # all parts of an .xlsx together, unpacked
    ratio: int           # unpacked ÷ packed size of any part over RATIO_FLOOR


class Refused(Exception):
    """A file over a limit, or one that cannot be read safely; the message is for the user."""

    def __init__(self, message: str, sheet: str = ""):
        super().__init__(message)
        self.sheet = sheet


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def _check_extent(rows: int, columns: int, limits: Limits, sheet: str, what: str) -> None:
    """Refuse a used area over the limits; `what` says how we know its size."""
    if rows <= limits.rows and columns <= limits.columns and rows * columns <= limits.cells:
        return
    where = "" if sheet else "文件中的一张工作表"  # a named sheet is in the problem's own sheet column
    raise Refused(f"{where}{what}到第 {rows:,} 行、第 {columns:,} 列（{column_letters(columns)} 列），超出上限："
                  f"每张表最多 {limits.rows:,} 行、{limits.columns} 列、共 {limits.cells // 10_000:,} 万个单元格。"
                  f"{RESAVE}", sheet)


def check(data: bytes, limits: Limits, sheet_reader=None, sheets_too: bool = True) -> None:
    """Refuse `data` unless calamine can open it within the limits. Decided by content, as
    calamine decides: a zip is read as .xlsx, an OLE2 file as .xls. `sheet_reader(book, part)`
    may return a function that is handed each piece of that .xlsx part as it is checked (see
    pieces()), so that cellformats reads the sheets in the same pass; it is called only after
    every part that is not a sheet has passed."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        check_xlsx(data, limits, sheet_reader, sheets_too)
    elif data[:8] == _OLE_MAGIC:
        check_xls(data, limits)
    else:
        raise Refused(DAMAGED)


# --- .xlsx -----------------------------------------------------------------------------------------

_SPACES = bytes.maketrans(b"\t\n\r", b"   ")
_ATTRIBUTES = rb'(?: +(?!r=)[\w:.-]+="[^"<>]*")* *'  # more attributes, none of them a second r
# A cell tag whose position is plainly written: r first, in double quotes, letters then digits.
_CELL = re.compile(rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"' + _ATTRIBUTES + rb"/?>")
# The same, holding something: not self-closing (calamine skips <c r="B2" s="1"/>).
_VALUED = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"' + _ATTRIBUTES + rb">")
_DIMENSION = re.compile(rb'<dimension ref="(?:[^":]*:)?\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"')  # openpyxl trusts it
_REF = rb'[A-Z]{1,3}[1-9][0-9]{0,6}"'
_BARE_CELL = re.compile(rb"<c/?>")  # a cell with no position: calamine places it by counting
_PREFIXED_CELL = re.compile(rb"<[^\s<>/!?\"']+:c[ />]")  # calamine takes <x:c> for a cell, whatever x is
_STRINGS = re.compile(rb"<si[ >]")
_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\s[^>]*>")
_REL_TAG = re.compile(rb"<(?:[\w.-]+:)?Relationship\s[^>]*>")
# calamine reads XML parts and the parts the workbook points its sheets at; pictures, embedded
# files and macros are not scanned unless so pointed at (their bytes hold "<c " now and then).
_XML = (".xml", ".rels", ".vml")


def _attribute(tag: bytes, name: bytes) -> str:
    found = re.search(rb"\s(?:[\w.-]+:)?" + name + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
    return html.unescape((found.group(1) or found.group(2) or b"").decode("utf-8", "replace")) if found else ""


def _sheet_parts(book: zipfile.ZipFile) -> tuple[dict[str, str], bool]:
    """(part → sheet name, whether that is every part the workbook points to). The part names are
    worked out as calamine does (and as a tidy path, in case another version differs)."""
    try:
        infos = {i.filename: i for i in book.infolist()}
        parts = [infos.get("xl/workbook.xml"), infos.get("xl/_rels/workbook.xml.rels")]
        if any(p is None or p.file_size > NAMES_PART_MAX for p in parts):
            return {}, False
        workbook, rels = (book.read(p) for p in parts)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError, RuntimeError):
        return {}, False
    names = {_attribute(t, b"id"): _attribute(t, b"name") for t in _SHEET_TAG.findall(workbook)}
    out = {}
    for tag in _REL_TAG.findall(rels):
        target = _attribute(tag, b"Target")
        if not target:
            continue
        plain = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else "xl/" + target
        for path in (plain, plain.replace("\\", "/"), posixpath.normpath(plain.replace("\\", "/"))):
            out[path] = names.get(_attribute(tag, b"Id"), "")
    return out, True


def check_xlsx(data: bytes, limits: Limits, sheet_reader=None, sheets_too: bool = True) -> None:
    """With sheets_too False the parts the workbook names as its sheets are left to the reader
    that streams them (xlsxrows), which checks each piece with PartScan before it reads it."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        infos = book.infolist()
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError, RuntimeError):
        raise Refused(DAMAGED) from None
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):  # two parts of one name: we might check one, calamine read the other
        raise Refused(f"{DAMAGED}（压缩包中有重名的部件）")
    if "content.xml" in names or any(n.lower().endswith(".bin") and n.startswith("xl/workbook") for n in names):
        raise Refused(f"{DAMAGED}（这是 .ods 或 .xlsb 文件）：请另存为 .xlsx")  # calamine would read them; we do not check them
    total = sum(i.file_size for i in infos)
    if total > limits.unpacked_bytes:
        raise Refused(f"文件解压后共 {total / MB:,.0f} MB，超过 {limits.unpacked_bytes // MB:,} MB 的上限。{RESAVE}")
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise Refused(f"文件中的部件「{info.filename}」解压后是压缩时的 "
                          f"{info.file_size // max(info.compress_size, 1):,} 倍（正常表格远低于 {limits.ratio} 倍），"
                          "疑似“压缩炸弹”，已拒绝")
    sheets, known = _sheet_parts(book)
    # The sheets last: a sheet_reader reads styles.xml, which must have passed by then.
    for info in sorted(infos, key=lambda i: bool(sheets.get(i.filename))):
        read = not known or info.filename in sheets or info.filename.lower().endswith(_XML)
        if not sheets_too and known and sheets.get(info.filename):
            continue
        if read and not info.is_dir():
            visit = sheet_reader(book, info.filename) if sheet_reader and sheets.get(info.filename) else None
            _scan_part(book, info, limits, sheets.get(info.filename, ""), visit)


def _above(limit: str, first: str, rest: str, longest: int) -> str:
    """A regex for the numbers written with `first` then `rest` characters, at most `longest`
    long, that are above `limit` written the same way: longer is larger, and of equal length
    the first character that differs decides (true of digits and of column letters alike)."""
    top = rest[-2]
    options = [f"{first}{rest}{{{len(limit)},{longest - 1}}}"] if len(limit) < longest else []
    for i, char in enumerate(limit):
        if char != top:
            options.append(f"{re.escape(limit[:i])}[{chr(ord(char) + 1)}-{top}]{rest}{{{len(limit) - i - 1}}}")
    return "(?:" + ("|".join(options) or "(?!)") + ")"


@functools.lru_cache(maxsize=64)
def _suspect(row: int, column: int) -> re.Pattern:
    """Cell tags that are not plainly written (see _CELL), or that hold something below `row`
    or right of `column`: any tag but a plain one that is empty (/>) or within."""
    rows = _above(str(row) if row else "", "[1-9]", "[0-9]", 7)
    columns = _above(column_letters(column), "[A-Z]", "[A-Z]", 3)
    beyond = f'(?:{columns}[1-9][0-9]{{0,6}}|[A-Z]{{1,3}}{rows})"'.encode()
    return re.compile(rb'<c (?!r="(?!' + beyond + rb")" + _REF + _ATTRIBUTES + rb'>|r="' + _REF + _ATTRIBUTES + rb"/>)")


def _last_row(data: bytes, tries: int = 100) -> int:
    """Row of the last cell in `data` that holds something (0 if not among the last `tries`):
    in a sheet written in order no cell of the chunk lies below it."""
    pos = len(data)
    for _ in range(tries):
        pos = data.rfind(b'<c r="', 0, pos)
        found = _VALUED.match(data, pos) if pos != -1 else None
        if found:
            return int(found.group(2))
        if pos == -1:
            break
    return 0


def pieces(stream, first=None):
    """A part's bytes in pieces of about CHUNK, tabs and line breaks made spaces, never cutting a
    tag: a tag split by a chunk boundary is carried over whole to the next piece (a tag longer
    than a megabyte is no spreadsheet: refused). `first(raw)` sees the start of the part."""
    tail = b""
    while chunk := stream.read(CHUNK):
        if first is not None:
            first(chunk)
            first = None
        text = (tail + chunk).translate(_SPACES)
        cut = text.rfind(b"<")
        if cut == -1 or text.find(b">", cut) != -1:
            cut = len(text)
        text, tail = text[:cut], text[cut:]
        if len(tail) > CHUNK:
            raise Refused(DAMAGED)
        yield text


class PartScan:
    """The checks of one part's pieces, in order: the declared used area (`first`), then for each
    piece (`piece`) its cell tags, stopping at the first limit passed. The used area so far
    (last_row × last_column, of cells holding something) is exact: a piece is searched for cells
    beyond it or cell tags not plainly written (one search: a regex pass costs as much as the
    decompression), and only a piece that has some is read cell by cell (in a sheet written in
    order, the first one). Pieces never cut a tag and have tabs and line breaks made spaces."""

    def __init__(self, limits: Limits, sheet: str):
        self.limits, self.sheet = limits, sheet
        self.cells = self.strings = self.last_row = self.last_column = 0

    def first(self, raw: bytes) -> None:
        found = _DIMENSION.search(raw.translate(_SPACES))
        if found:
            _check_extent(int(found.group(2)), _column_number(found.group(1).upper()), self.limits, self.sheet,
                          "声明的范围（dimension）")

    def piece(self, data: bytes) -> None:
        sheet = self.sheet
        tags = data.count(b"<c ")
        self.last_row = max(self.last_row, _last_row(data))
        if (_suspect(self.last_row, self.last_column).search(data) or _BARE_CELL.search(data)
                or b":c" in data and _PREFIXED_CELL.search(data)):
            if tags != len(_CELL.findall(data)) or _BARE_CELL.search(data) or \
                    b":c" in data and _PREFIXED_CELL.search(data):
                raise Refused(f"单元格的位置写法不标准，无法安全读取。{RESAVE}", sheet)
            if found := _VALUED.findall(data):
                letters, digits = zip(*found)
                self.last_row = max(self.last_row, max(map(int, set(digits))))
                self.last_column = max(self.last_column, max(map(_column_number, set(letters))))
        self.add(tags, 0, 0, len(_STRINGS.findall(data)))

    def add(self, tags: int, last_row: int, last_column: int, strings: int = 0) -> None:
        """Count a piece's cell tags (and string items) and widen the used area to take in its
        farthest cell holding something; refuse past a limit. (xlsxrows reads a plainly written
        piece's cells itself and reports them here.)"""
        limits, sheet = self.limits, self.sheet
        self.last_row, self.last_column = max(self.last_row, last_row), max(self.last_column, last_column)
        self.cells += tags
        _check_extent(self.last_row, self.last_column, limits, sheet, "有内容的单元格一直")
        self.strings += strings
        if self.cells > limits.cells or self.strings > limits.cells:
            raise Refused(f"单元格超过 {limits.cells // 10_000:,} 万个的上限。{RESAVE}", sheet)


def _scan_part(book: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, sheet: str, visit=None) -> None:
    """Stream one part through PartScan; `visit` gets each piece that passed, then None."""
    scan = PartScan(limits, sheet)
    try:
        with book.open(info) as stream:
            for data in pieces(stream, scan.first):
                scan.piece(data)
                if visit is not None:
                    visit(data)
        if visit is not None:
            visit(None)  # the part's end
    except Refused as exc:
        raise Refused(str(exc), exc.sheet or sheet) from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
        raise Refused(DAMAGED, sheet) from None  # includes a CRC mismatch: the part is not what it declared


# --- .xls (OLE2 compound file holding a BIFF "Workbook" stream) -----------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFA  # sector numbers from here up are markers (end of chain, free, FAT, DIFAT)
_FREE = 0xFFFFFFFF
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_RECORD = struct.Struct("<HH")
_ROW_COL = struct.Struct("<HH")
_ONE_CELL = {0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006}  # number, label, bool, rk, sst label, formula
_MULRK, _DIMENSIONS, _SST, _BOUNDSHEET, _EOF = 0x00BD, 0x0200, 0x00FC, 0x0085, 0x000A


def _u32s(raw: bytes) -> array:
    out = array("I")
    out.frombytes(raw[:len(raw) // 4 * 4])
    if sys.byteorder == "big":
        out.byteswap()
    return out


def _workbook_stream(data: bytes) -> bytes:
    """The BIFF stream, read as calamine reads it, refusing every size it would trust blindly."""
    if len(data) < 512:
        raise Refused(DAMAGED)
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise Refused(DAMAGED)
    size = 1 << shift
    n_dir, n_fat, dir_start, _, _, minifat_start, n_minifat, difat_start, n_difat = struct.unpack_from("<9I", data, 0x28)
    sectors = max(0, (len(data) - size + size - 1) // size)
    if max(n_dir, n_fat, n_minifat, n_difat) > sectors:  # calamine reserves memory for these counts
        raise Refused(DAMAGED)

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise Refused(DAMAGED)
        return data[(number + 1) * size:(number + 2) * size]

    def chain(start: int, table: array, read) -> list[bytes]:
        out, seen, number = [], set(), start
        while number < _END:
            if number in seen or number >= len(table):
                raise Refused(DAMAGED)  # a loop, or a pointer off the table
            seen.add(number)
            out.append(read(number))
            number = table[number]
        return out

    fat_sectors = [s for s in _u32s(data[0x4C:512]) if s != _FREE]  # calamine reads every one listed
    number, seen = difat_start, set()
    while number < _END and len(seen) < n_difat:
        if number in seen or len(fat_sectors) > sectors:
            raise Refused(DAMAGED)
        seen.add(number)
        entries = _u32s(sector(number))
        fat_sectors.extend(s for s in entries[:-1] if s != _FREE)
        number = entries[-1]
    if len(fat_sectors) > sectors:
        raise Refused(DAMAGED)
    fat = _u32s(b"".join(sector(s) for s in fat_sectors))
    directory = b"".join(chain(dir_start, fat, sector))
    entries = []
    for at in range(0, len(directory) - 127, 128):
        entry = directory[at:at + 128]
        name_bytes = min(_U16.unpack_from(entry, 64)[0], 64)
        name = entry[:max(0, name_bytes - 2)].decode("utf-16-le", "replace")
        start = _U32.unpack_from(entry, 116)[0]
        length = _U32.unpack_from(entry, 120)[0] if size == 512 else struct.unpack_from("<Q", entry, 120)[0]
        if length > len(data):  # calamine reserves this much before reading a byte
            raise Refused(DAMAGED)
        entries.append((name, start, length))
    if not entries:
        raise Refused(DAMAGED)
    found = next((e for wanted in ("Workbook", "Book") for e in entries if e[0] == wanted), None)
    if found is None:
        raise Refused(DAMAGED)
    _, start, length = found
    if length >= 4096:
        return b"".join(chain(start, fat, sector))[:length]
    mini = b"".join(chain(entries[0][1], fat, sector))[:entries[0][2]]
    minifat = _u32s(b"".join(chain(minifat_start, fat, sector))) if minifat_start < _END else array("I")
    return b"".join(chain(start, minifat, lambda n: mini[n * 64:(n + 1) * 64]))[:length]


def _records(stream: bytes, start: int, seen: set[int]):
    """(type, body offset, body length) from `start` to the first EOF record, each record once."""
    pos, end = start, len(stream)
    while pos + 4 <= end and pos not in seen:
        seen.add(pos)
        typ, length = _RECORD.unpack_from(stream, pos)
        if pos + 4 + length > end:
            return
        yield typ, pos + 4, length
        if typ == _EOF:
            return
        pos += 4 + length


def check_xls(data: bytes, limits: Limits) -> None:
    stream = _workbook_stream(data)
    sheets: list[tuple[int, str]] = []
    for typ, body, length in _records(stream, 0, set()):
        if typ == _SST and length >= 8:
            count = struct.unpack_from("<i", stream, body + 4)[0]  # calamine reserves a string per count
            if not 0 <= count <= min(limits.cells, len(stream)):
                raise Refused(DAMAGED)
        elif typ == _BOUNDSHEET and length >= 8:
            chars, wide = stream[body + 6], stream[body + 7] & 1
            raw = stream[body + 8:body + 8 + chars * (2 if wide else 1)]
            sheets.append((_U32.unpack_from(stream, body)[0], raw.decode("utf-16-le" if wide else "latin-1", "replace")))
    seen: set[int] = set()  # sheets walked over the same records are checked once: positions are global
    last_row = last_column = 0
    for start, sheet in sheets:
        for typ, body, length in _records(stream, start, seen):
            if typ == _DIMENSIONS and length in (10, 14):
                if length == 10:
                    first_row, end_row, first_col, end_col = struct.unpack_from("<4H", stream, body)
                else:
                    first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", stream, body)
                if end_row >= 1 and end_col >= 1:
                    if first_row > end_row - 1 or first_col > end_col - 1:
                        raise Refused(DAMAGED, sheet)
                    _check_extent(end_row - first_row, end_col - first_col, limits, sheet, "声明的范围（dimension）")
            elif typ in _ONE_CELL and length >= 4:
                row, column = _ROW_COL.unpack_from(stream, body)
                last_row, last_column = max(last_row, row + 1), max(last_column, column + 1)
            elif typ == _MULRK and length >= 6:
                row = _U16.unpack_from(stream, body)[0]
                last = _U16.unpack_from(stream, body + length - 2)[0]
                last_row, last_column = max(last_row, row + 1), max(last_column, last + 1)
            else:
                continue
            if last_row > limits.rows or last_column > limits.columns or last_row * last_column > limits.cells:
                _check_extent(last_row, last_column, limits, sheet, "有内容的单元格一直")
