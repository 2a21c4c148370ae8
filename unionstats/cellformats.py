"""What an .xlsx says about its cells beyond their values, which calamine does not tell: the
number format that scales what a cell shows (68 typed under 0"万元" is 68万元 to the person who
typed it), the rows a person cannot see (hidden rows), formula cells and merged ranges. Read from the sheet's XML as bytes:
the importer hands a Reader to filelimits.check, which passes it each piece of a sheet once
the piece is within the limits (cells are written <c r="B2" ...>), so the XML is inflated and
searched once for both.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from . import filelimits

_SCALE_WORDS = {"": 1, "十": 10, "百": 100, "千": 1000, "万": 10_000, "十万": 100_000, "百万": 10**6,
                "千万": 10**7, "亿": 10**8}
_UNIT_WORDS = ("", "元", "人", "个", "家", "户", "户次", "件", "项", "次")
_SCALE_LITERAL = re.compile(f"({'|'.join(sorted(filter(None, _SCALE_WORDS), key=len, reverse=True))})?"
                            f"({'|'.join(sorted(filter(None, _UNIT_WORDS), key=len, reverse=True))})?")
_SCALE_CHARS = re.compile("[十百千万亿]")


@dataclass
class SheetCells:
    hidden_rows: set[int] = field(default_factory=set)      # Excel row numbers
    scales: dict[tuple[int, int], Decimal | str] = field(default_factory=dict)  # (row, column) → factor or refusal
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column) of cells holding a formula
    merged: list = field(default_factory=list)  # ((first row, first col), (last row, last col)), 0-based


def _section_scale(section: str) -> Decimal | str | None:
    """Factor from what one format section shows to what it means; None when it shows no digits."""
    literal, code, i = [], [], 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end == -1 else end
            literal.append(section[i + 1:end])
            i = end + 1
        elif ch in "\\!":
            literal.append(section[i + 1:i + 2])
            i += 2
        elif ch == "[":  # [Red], [$-804], [DBNum1]: colours and locales, not the value
            end = section.find("]", i)
            i = len(section) if end == -1 else end + 1
        elif ch in "_*":  # padding: the next character is not shown as such
            i += 2
        else:
            code.append(ch)
            i += 1
    digits = "".join(code)
    if not re.search("[0#?]", digits):
        return None
    text = "".join(literal).strip()
    if any(ch.isdigit() for ch in text):
        return f"单元格格式「{section}」在数字中插入了其他数字或符号，无法确定这一格的数值"
    # Commas right after the last digit placeholder divide what is shown by 1000 each.
    commas = len(re.search(r"[0#?.]*(,*)[^0#?.,]*$", digits).group(1))
    word = _SCALE_LITERAL.fullmatch(text)
    if word is None:
        if _SCALE_CHARS.search(text):
            return f"单元格格式「{section}」带有无法识别的单位「{text}」"
        return Decimal(1) if not commas else f"单元格格式「{section}」把数值缩小显示，无法确定单位"
    factor = Decimal(_SCALE_WORDS[word.group(1) or ""])
    if commas:
        shown = Decimal(1000) ** commas
        # 680000 under 0,"千元" shows 680千元: what it shows is what it holds. Any other pairing
        # (0,"万元" shows 680万元 for 680,000) says two different things: refuse.
        return Decimal(1) if shown == factor else f"单元格格式「{section}」显示的单位与数值不一致"
    return factor


def format_scale(code: str) -> Decimal | str:
    """The factor a cell's number format multiplies its value by (1 for most formats), or a
    message why the value cannot be known. Sections for positive and negative numbers must agree
    (the zero section shows 0 whatever the unit)."""
    sections, current, quoted = [], "", False
    for ch in code:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += ch
    sections.append(current)
    found = {scale for scale in map(_section_scale, sections[:2]) if scale is not None}
    messages = [s for s in found if isinstance(s, str)]
    if messages:
        return messages[0]
    if len(found) > 1:
        return f"单元格格式「{code}」的正数和负数单位不同"
    return found.pop() if found else Decimal(1)


def _styles(book: zipfile.ZipFile) -> dict[int, Decimal | str]:
    """Style index → factor, for the styles whose format is not plain (factor ≠ 1 or unknowable)."""
    try:
        # As UTF-8, whatever the declaration says (calamine reads it so): an encoding Python does
        # not know (encoding="es") ended the import in a traceback.
        root = ET.fromstring(book.read("xl/styles.xml"), parser=ET.XMLParser(encoding="utf-8"))
    except (KeyError, ET.ParseError):
        return {}
    ns = {"m": root.tag[1:].split("}")[0]} if root.tag.startswith("{") else {}
    p = "m:" if ns else ""
    formats = {int(f.get("numFmtId")): f.get("formatCode", "") for f in root.findall(f"{p}numFmts/{p}numFmt", ns)
               if (f.get("numFmtId") or "").isdigit()}
    out = {}
    for index, xf in enumerate(root.findall(f"{p}cellXfs/{p}xf", ns)):
        code = formats.get(int(xf.get("numFmtId") or 0) if (xf.get("numFmtId") or "0").isdigit() else 0)
        if code and (_SCALE_CHARS.search(code) or "," in code):
            scale = format_scale(code)
            if scale != 1:
                out[index] = scale
    return out


_ROW = re.compile(rb"<row\s[^>]*>")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_HIDDEN = re.compile(rb'\shidden="(?:1|true)"')
_STYLED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"[^>]*?\ss="(\d+)"')
# A cell whose first child is its formula: <c r="B2"><f>SUM(…)</f><v/></c>, or a shared one <f t="shared" …/>.
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([1-9][0-9]{0,6}):([A-Z]{1,3})([1-9][0-9]{0,6})"')
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"[^>/]*>\s*<f[\s>/]')


class Reader:
    """Reads the sheets of one workbook from the pieces filelimits streams as it checks them
    (filelimits.check(data, limits, reader)): one pass over the XML for both. `sheets` is
    read()'s answer once the check has passed."""

    def __init__(self):
        self.sheets: dict[str, SheetCells] = {}
        self.parts: dict[str, str] | None = None  # part → sheet, for the part read of each sheet

    def open(self, book: zipfile.ZipFile) -> None:
        found, _ = filelimits._sheet_parts(book)
        names, self.parts = set(book.namelist()), {}
        for name, sheet in found.items():  # the first part that exists for each sheet
            if sheet and name in names and sheet not in self.parts.values():
                self.parts[name] = sheet
        self.styles = _styles(book)
        self.styled = {str(i).encode() for i in self.styles}

    def __call__(self, book: zipfile.ZipFile, part: str):
        """The function to hand each piece of `part` to, or None for a part not read."""
        if self.parts is None:
            self.open(book)
        sheet = self.parts.get(part)
        if sheet is None or sheet in self.sheets:
            return None
        cells = self.sheets[sheet] = SheetCells()
        tail = b""

        def visit(piece: bytes | None, plain: PlainCells | None = None) -> None:
            nonlocal tail
            if piece is None:  # the part's end: the last cell and tags
                _scan(tail, cells, self.styles, self.styled)
                return
            if plain is not None:  # whole cells, found already (xlsxrows), none holding a formula
                _scan(tail, cells, self.styles, self.styled)
                tail = b""
                _scan_plain(piece, plain, cells, self.styles)
                return
            text = tail + piece
            cut = text.rfind(b"<c ")  # a cell's tag and its first child (<f>) stay in one piece
            cut = text.rfind(b"<") if cut <= 0 else cut
            # A piece of whole rows (xlsxrows cuts after a </row>) holds no cut cell: read it all
            # now, for its rows are checked before the next piece comes.
            if cut == -1 or cut == 0 and len(text) > filelimits.CHUNK or text.endswith(b"</row>"):
                cut = len(text)  # one tag and a long text after it: carrying it on would copy it again and again
            _scan(text[:cut], cells, self.styles, self.styled)
            tail = text[cut:]
        return visit


def read(data: bytes) -> dict[str, SheetCells]:
    """Sheet name → its hidden rows, scaled cells and formula cells. Empty for a file that is not
    an .xlsx. (The importer reads them while filelimits checks the file: Reader.)"""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return {}
    reader = Reader()
    reader.open(book)
    for part in list(reader.parts):
        visit = reader(book, part)
        if visit is not None:
            with book.open(part) as stream:
                while chunk := stream.read(filelimits.CHUNK):  # raw chunks: visit keeps tags whole
                    visit(chunk)
            visit(None)
    return reader.sheets


def _scan(text: bytes, cells: SheetCells, styles: dict, styled: set) -> None:
    if b'hidden="' in text:  # most sheets hide no row: skip reading every row tag
        _scan_hidden(text, cells)
    if styled:
        for letters, row, style in _STYLED_CELL.findall(text):
            if style in styled:
                cells.scales[(int(row), _column(letters))] = styles[int(style)]
    if b"<f" in text:
        for letters, row in _FORMULA_CELL.findall(text):
            cells.formulas.add((int(row), _column(letters)))
    if b"<mergeCell " in text:
        for a, r0, b, r1 in _MERGE.findall(text):
            cells.merged.append(((int(r0) - 1, _column(a) - 1), (int(r1) - 1, _column(b) - 1)))


@dataclass
class PlainCells:
    """What xlsxrows found of a piece's cells (every cell tag, empty ones too), so that its
    number formats need not be searched for again: row, 1-based column, style index (-1: none)."""
    rows: object     # numpy arrays
    columns: object
    styles: object


def _scan_plain(text: bytes, plain: PlainCells, cells: SheetCells, styles: dict) -> None:
    if b'hidden="' in text:
        _scan_hidden(text, cells)
    if styles:
        scaled = np.isin(plain.styles, list(styles))
        for row, column, style in zip(plain.rows[scaled].tolist(), plain.columns[scaled].tolist(),
                                      plain.styles[scaled].tolist()):
            cells.scales[(row, column)] = styles[style]


def _scan_hidden(text: bytes, cells: SheetCells) -> None:
    for tag in _ROW.findall(text):
        number = _ROW_NUMBER.search(tag)
        if number and _HIDDEN.search(tag):
            cells.hidden_rows.add(int(number.group(1)))


def _column(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


_FORMAT_RECORD = 0x041E


def xls_scaled_formats(data: bytes) -> list[str]:
    """Number formats of an old .xls that scale or hide what a cell holds (0"万元", 0,"千元").
    Which cell uses which format is not read from .xls: the caller refuses such a file whole."""
    try:
        stream = filelimits._workbook_stream(data)
    except filelimits.Refused:
        return []
    found = []
    for typ, body, length in filelimits._records(stream, 0, set()):
        if typ != _FORMAT_RECORD or length < 5:
            continue
        chars, wide = filelimits._U16.unpack_from(stream, body + 2)[0], stream[body + 4] & 1
        raw = stream[body + 5:body + 5 + chars * (2 if wide else 1)]
        code = raw.decode("utf-16-le" if wide else "latin-1", "replace")
        if (_SCALE_CHARS.search(code) or "," in code) and format_scale(code) != 1:
            found.append(code)
    return found
