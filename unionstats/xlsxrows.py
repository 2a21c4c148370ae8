"""An .xlsx sheet's rows, streamed: a few megabytes of its XML at a time, never the whole sheet
(issue #17: calamine builds the whole grid first, so an import's memory grew with the file).

Each row is a list from column A, with the values calamine gives (float for a number, str for
text, bool, "" for an empty or error cell): the importer's checks and messages do not depend on
which reader read the file. What this reader does not read exactly as calamine does (a number
shown as a date, phonetic guides in a shared string, XML calamine refuses as damaged or reads
otherwise: comments, CDATA, tags left open) raises Unsupported; the importer then reads the
file with calamine (as it does after Damaged, so that a damaged file gets calamine's message).
The file has passed filelimits.check (cells are written <c r="B2" ...>, within the limits)
before any row is read here.

The plain cells of a big sheet (numbers, shared strings, inline strings) are read a piece at a
time with numpy, and handed to the importer a grid at a time (SheetRows.rest_blocks); other cells
(rich text, formula text, booleans, errors) one by one.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Iterator, NamedTuple
from xml.etree import ElementTree
from xml.parsers import expat

import numpy as np

from . import cellformats, filelimits

PIECE = 8 * 1024 * 1024  # bytes of sheet XML read at once


class Unsupported(Exception):
    """A cell this reader cannot give exactly as calamine would."""


class Damaged(Exception):
    """XML or zip data no reader could read (the message names the error's kind)."""


@dataclass
class SheetInfo:
    name: str
    part: str
    hidden: bool


@dataclass
class Book:
    sheets: list[SheetInfo]
    strings: np.ndarray        # shared strings (object array of str)
    date_styles: frozenset     # cell style indices whose number format shows a date or time
    zip: zipfile.ZipFile


class Values(NamedTuple):
    """A piece's cell values before they are Python objects (small to send to another process:
    sheetworker): kind 1, the shared string number `number`; kind 2, the number `number`; kind
    0, the next of `objects` (an inline string, a number calamine reads by float(), a boolean...)."""
    kind: np.ndarray     # uint8
    number: np.ndarray   # float64 (a shared string's number is exact: fewer than 2**53 strings)
    objects: np.ndarray  # object, the values of kind 0 in order

    def given(self, strings: np.ndarray) -> np.ndarray:
        """The values as calamine gives them."""
        out = np.empty(len(self.kind), dtype=object)
        shared, number = self.kind == 1, self.kind == 2
        out[shared] = strings[self.number[shared].astype(np.int64)]
        out[number] = self.number[number]
        out[self.kind == 0] = self.objects
        return out


_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\s[^>]*>")
# Bodies never run past the next tag of their own kind (possessive: a tag left open costs one
# pass, not one pass per tag after it); items and texts not matched are counted and refused.
_SI = re.compile(rb"<si>((?:[^<]++|<(?!/?si[\s>/]))*+)</si>|<si/>")
_T = re.compile(rb"<t(\s[^>]*)?>((?:[^<]++|<(?!/?t[\s>/]))*+)</t>|<t(?:\s[^>]*)?/>")
_T_TAG = re.compile(rb"<t[\s>/]")
_MARKUP = re.compile(rb"""(?:[^<]++|</?[\w:.-]+(?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*/?>)*+""")
_PRESERVE = re.compile(rb"""\sxml:space\s*=\s*(["'])preserve\1""")
_PREFIXED_TAG = re.compile(rb"</?[\w.-]+:")
_EDGE_START, _EDGE_END = re.compile(rb"<t>[ \t\n\r]"), re.compile(rb"[ \t\n\r]</t>")  # what calamine drops
# What may follow an &: an entity XML defines or a character reference, then ";" (calamine
# refuses anything else, so this reader leaves it to calamine).
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+))?(;?)")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ESCAPED = re.compile(r"_x00(\+[0-9a-fA-F]|[0-9a-fA-F]{2})_")  # Excel's escape of a control character (_x000D_ is \r)


def _entity(match: re.Match) -> str:
    name, decimal, hexadecimal, end = match.groups()
    if not end or not (name or decimal or hexadecimal):
        raise Unsupported("an entity calamine does not read")
    if name:
        return _ENTITIES[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise Unsupported("a character reference calamine refuses")
    return chr(code)


def text_of(raw: bytes, trim: bool = False) -> str:
    """The text of an XML text node as calamine gives it: line ends made \n (XML's rule),
    entities resolved, ASCII spaces and line breaks at either end dropped if `trim` (a <t>
    without xml:space="preserve"), then Excel's _x00HH_ escapes resolved (two hex digits only)."""
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    text = raw.decode("utf-8")
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    if trim:
        text = text.strip(" \t\r\n")
    if "_x00" in text:
        text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def _rich_text(body: bytes) -> tuple[str, int]:
    """A string item's or inline string's text: its <t>, or the <t> of each run in turn; and
    how many of its texts have an end tag."""
    if b"<rPh" in body:
        raise Unsupported("phonetic guide")
    if _MARKUP.fullmatch(body) is None:
        raise Unsupported("a tag cut short")  # </s, < t...: calamine refuses it as damaged
    out, closed = [], 0
    for match in _T.finditer(body):
        attributes, text = match.group(1) or b"", match.group(2)
        if text is not None:
            closed += 1
            if b"<" in text:
                raise Unsupported("markup inside a <t>")
            out.append(text_of(text, trim=_PRESERVE.search(attributes) is None))
    if len(_T_TAG.findall(body)) != len(list(_T.finditer(body))) or closed != body.count(b"</t>") or \
            body.count(b"<r>") + body.count(b"<r ") != body.count(b"</r>"):
        raise Unsupported("a <t> or run left open")
    return "".join(out), closed


_SIMPLE_SI = re.compile(r'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>')


def _no_texts(book: zipfile.ZipFile) -> np.ndarray:
    """As many Nones as _shared_strings finds texts (it reads the file only if it finds one per <si)."""
    try:
        return np.empty(book.read("xl/sharedStrings.xml").count(b"<si"), dtype=object)
    except KeyError:
        return np.empty(0, dtype=object)


def _shared_strings(book: zipfile.ZipFile) -> np.ndarray:
    try:
        raw = book.read("xl/sharedStrings.xml")
    except KeyError:
        return np.empty(0, dtype=object)
    # (":" is rare after the root tag's namespace: look for a prefixed tag only when there is one.)
    if b"!" in raw and b"<!" in raw or b":" in raw[raw.find(b">", raw.find(b"<sst")):] and _PREFIXED_TAG.search(raw):
        raise Unsupported("comments, CDATA or prefixed tags among the shared strings")
    # Most files: no string has anything to resolve or drop (looked for once, in all of them).
    plain = not (b"&" in raw or b"\r" in raw or b"_x" in raw or _EDGE_START.search(raw) or _EDGE_END.search(raw))
    root = raw.find(b"<sst")
    if root == -1:
        raise Unsupported("no <sst> root")
    _well_formed_start(raw[:raw.find(b">", root) + 1])
    tags = 2 + (raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"<?xml")  # the root's, the declaration
    if plain:  # as Excel writes most of them: one <t> each, nothing to resolve; one regex for all
        simple = _SIMPLE_SI.findall(raw.decode("utf-8"))
        n = len(simple)
        if raw.count(b"<si") == n == raw.count(b"</si>") == raw.count(b"</t>") and raw.count(b"<") == tags + 4 * n:
            strings = np.empty(n, dtype=object)
            strings[:] = simple
            return strings
    out, items, texts = [], 0, 0  # string items and texts with an end tag
    for match in _SI.finditer(raw):
        body = match.group(1)
        if body is None:  # <si/>
            out.append("")
            tags += 1
            continue
        items += 1
        if body[:3] == b"<t>" and body[-4:] == b"</t>" and b"<" not in body[3:-4]:
            out.append(body[3:-4].decode("utf-8") if plain else text_of(body[3:-4], trim=True))
            texts += 1
            tags += 4
        else:
            text, closed = _rich_text(body)
            out.append(text)
            texts += closed
            tags += 2 + body.count(b"<")
    # Every tag matched: an item or text written <si ...>, or left open, or an end tag with no
    # start, or any tag between the items (what calamine refuses as damaged, or reads otherwise)
    # goes to calamine.
    if raw.count(b"<si") != len(out) or raw.count(b"</si>") != items or raw.count(b"</t>") != texts \
            or raw.count(b"<") != tags:
        raise Unsupported("a string item or text written otherwise, left open or closed twice")
    strings = np.empty(len(out), dtype=object)
    strings[:] = out
    return strings


# Built-in number formats that show a date or time (ECMA-376 18.8.30, and the East Asian ones).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)}
_NUM_FMT = re.compile(rb"<numFmt\s[^>]*>")
_XF = re.compile(rb"<xf(?:[\s/][^>]*)?>")


def _well_formed_start(head: bytes) -> None:
    """The XML declaration and root tag of a part read by patterns, parsed as XML."""
    try:
        expat.ParserCreate("utf-8").Parse(head, False)  # UTF-8 whatever is declared, as calamine reads it
    except (expat.ExpatError, LookupError, ValueError):  # LookupError: a declared encoding Python does not know
        raise Unsupported("a part whose declaration or root tag is not well-formed") from None


def _well_formed(*parts: bytes) -> None:
    """The workbook's small parts (a few kB) are parsed as XML: what calamine refuses as damaged
    (a tag left open, an attribute without quotes), it refuses in its words. (Sheets and shared
    strings are too big to parse twice: their patterns are strict instead.)"""
    for part in parts:
        try:
            ElementTree.fromstring(part, parser=ElementTree.XMLParser(encoding="utf-8"))
        except (ElementTree.ParseError, LookupError, ValueError):
            raise Unsupported("a part that is not well-formed XML") from None


def _date_styles(book: zipfile.ZipFile) -> frozenset:
    """Style indices (cellXfs) whose format shows a date, a time or a duration."""
    try:
        raw = book.read("xl/styles.xml")
    except KeyError:
        return frozenset()
    if b"<!" in raw or _PREFIXED_TAG.search(raw) or raw.count(b"<cellXfs") > 1:
        raise Unsupported("styles written otherwise than this reader counts them")  # an <xf> not counted
    _well_formed(raw)
    custom = {}
    for tag in _NUM_FMT.findall(raw):
        number, code = filelimits._attribute(tag, b"numFmtId"), filelimits._attribute(tag, b"formatCode")
        if number.isdigit():
            custom[int(number)] = code
    start, end = raw.find(b"<cellXfs"), raw.find(b"</cellXfs>")
    if start == -1 or end == -1:
        return frozenset()
    out = set()
    for index, tag in enumerate(_XF.findall(raw, start, end)):
        number = filelimits._attribute(tag, b"numFmtId")
        number = int(number) if number.isdigit() else 0
        if number in _DATE_FORMAT_IDS or number in custom and _shows_date(custom[number]):
            out.add(index)
    return frozenset(out)


def _shows_date(code: str) -> bool:
    """Whether a format code holds a date or time part (quoted text, [colours] and escaped
    characters aside), or calamine takes it for one. Erring towards True only costs speed: the
    file is read by calamine."""
    if _calamine_shows_date(code):
        return True
    code = re.sub(r'"[^"]*"|\\.|\[(?!h|m|s)[^\]]*\]', "", code, flags=re.I)
    return re.search(r"[dmyhse]|\[[hms]", code, re.I) is not None and "General" not in code


def _calamine_shows_date(code: str) -> bool:
    """calamine's own test (formats.rs, detect_custom_number_format): the first section only;
    d m h y s outside quotes and brackets, an a followed by p, m or /, or [h] [m] [s]."""
    escaped = quoted = ampm = hms = False
    brackets, previous = 0, " "
    for ch in code:
        if escaped:
            escaped = False
        elif ch in "_\\*":
            escaped = True
        elif quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = True
        elif ch == ";":
            return False
        elif ch == "[":
            brackets += 1
        elif ch == "]" and brackets == 1 and hms:
            return True
        elif ch == "]":
            brackets = max(brackets - 1, 0)
        elif brackets == 0 and not ampm and ch in "aA":
            ampm = True
        elif brackets == 0 and ampm and ch in "pmPM/":
            return True
        elif brackets == 0 and not ampm and ch in "dmhysDMHYS":
            return True
        elif not (hms and ch.lower() == previous.lower()):
            hms = previous == "[" and ch in "mhsMHS"
        previous = ch
    return False


def _attribute(tag: bytes, name: bytes, any_prefix: bool = False) -> str | None:
    """An attribute's value as written (entities left as they are), None if absent. Two of one
    name (`any_prefix`: r:id and x:id alike, of which calamine takes the last) go to calamine."""
    found = re.findall(rb"\s" + (rb"(?:[\w.-]+:)?" if any_prefix else b"") + name
                       + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
    if len(found) > 1:
        raise Unsupported(f"two {name.decode()} attributes")
    return (found[0][0] or found[0][1]).decode("utf-8") if found else None


def _sheet_name(raw: str) -> str:
    """A sheet's name with its entities resolved as calamine does; where filelimits (and so
    cellformats) would resolve them otherwise (html.unescape knows &nbsp;), calamine reads it."""
    if "&" not in raw:
        return raw
    name = _ENTITY.sub(_entity, raw)
    if name != html.unescape(raw):
        raise Unsupported("a sheet name cellformats would read otherwise")
    return name


# What reading a damaged part raises (zipfile: NotImplementedError for an unknown compression
# method or zip version, RuntimeError for an encrypted part; filelimits refuses the same as damaged).
_ZIP_ERRORS = (KeyError, ValueError, IndexError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError,
               OSError, NotImplementedError, RuntimeError)
_WORKSHEET = "/relationships/worksheet"
_OFFICE_DOCUMENT = "/relationships/officeDocument"


def open_book(data: bytes, texts: bool = True) -> Book:
    """The workbook's worksheets (in its order), shared strings and date styles (`texts` False:
    as many Nones as there are shared strings, for a reader that gives them by number). Raises
    Unsupported for what this reader does not read, Damaged for what no reader could. The
    workbook's parts are read as calamine reads them, or left to it: the workbook the package
    names (its folder must be xl/, where filelimits and cellformats look), sheets through their
    relationships, a sheet's visibility."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        root, workbook, rels = (book.read(p) for p in ("_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"))
        if any(b"<!" in part for part in (root, workbook, rels)):
            raise Unsupported("a comment in the workbook's parts")  # a <sheet> or relationship calamine does not see
        _well_formed(root, workbook, rels)
        documents = [_attribute(tag, b"Target") or "" for tag in filelimits._REL_TAG.findall(root)
                     if (_attribute(tag, b"Type") or "").endswith(_OFFICE_DOCUMENT)]
        if not documents or documents[-1].lstrip("/").rpartition("/")[0] != "xl":
            raise Unsupported("the workbook is not in xl/")
        names = set(book.namelist())
        if re.search(rb'date1904="(?:1|true)"', workbook):
            raise Unsupported("1904 date system")
        targets = {}
        for tag in filelimits._REL_TAG.findall(rels):
            target, kind = _attribute(tag, b"Target") or "", _attribute(tag, b"Type") or ""
            part = target[1:] if target.startswith("/") else "xl/" + target
            targets[_attribute(tag, b"Id")] = part if kind.endswith(_WORKSHEET) and "&" not in target else ""
        sheets = []
        for tag in _SHEET.findall(workbook):
            part = targets.get(_attribute(tag, b"id", any_prefix=True), "")
            if not part.startswith("xl/worksheets/") or part not in names:
                raise Unsupported(f"sheet part {part!r}")  # a chart sheet, a path written another way
            state = _attribute(tag, b"state")
            if state not in (None, "visible", "hidden", "veryHidden"):
                raise Unsupported(f"sheet state {state!r}")  # calamine refuses the file
            sheets.append(SheetInfo(_sheet_name(_attribute(tag, b"name") or ""), part, state not in (None, "visible")))
        if len({s.name for s in sheets}) != len(sheets) or len({s.part for s in sheets}) != len(sheets):
            raise Unsupported("two sheets of one name, or one part")  # calamine reads the first twice
        return Book(sheets, _shared_strings(book) if texts else _no_texts(book), _date_styles(book), book)
    except _ZIP_ERRORS as exc:
        raise Damaged(exc.__class__.__name__) from None


# --- one sheet's rows ------------------------------------------------------------------------------

_LT, _GT, _SLASH, _QUOTE = ord("<"), ord(">"), ord("/"), ord('"')
_CELL_ONE = re.compile(rb'<c\sr="([A-Z]{1,3})([0-9]+)"([^>]*?)(/>|>((?:[^<]++|<(?!/?c[\s>/]))*+)</c>)')
_CELL_TAG = re.compile(rb"<c\s")
_ROW_TAG, _EMPTY_ROW = re.compile(rb"<row[\s>/]"), re.compile(rb"<row(?:\s[^>]*)?/>")
_ATTR_T = re.compile(rb'\st="([^"]*)"')
_ATTR_S = re.compile(rb'\ss="([^"]*)"')
_BODY = re.compile(rb"\s*(?:<f(?:\s[^>]*)?/>|<f(?:\s[^>]*)?>[^<]*</f>)?\s*"
                   rb"(?:<v(?:\s[^>]*)?/>|<v(?:\s[^>]*)?>([^<]*)</v>|<is>(.*)</is>)?\s*", re.S)
_ERRORS = {b"#DIV/0!", b"#N/A", b"#NAME?", b"#NULL!", b"#NUM!", b"#REF!", b"#VALUE!"}  # those calamine reads
_NUMERIC = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class SheetRows:
    """A sheet's rows from row 1, each a list from column A (blank rows as []), as an iterator;
    or, from wherever iterating stopped, the rest as blocks (`rest_blocks`): the grids the reader
    makes a piece at a time, which the importer checks without a list per row."""

    def __init__(self, blocks: Iterator[tuple[np.ndarray, np.ndarray]], close=None):
        self._blocks = blocks
        self._close = close  # what else to let go of when reading stops (a sheet worker)
        self._block: tuple[np.ndarray, np.ndarray] | None = None
        self._lists: list = []
        self._next = 0  # in the current block
        self._row = 0   # the row number last given

    def __iter__(self):
        return self

    def __next__(self) -> list:
        while self._next >= len(self._lists):
            self._block = next(self._blocks)
            self._lists, self._next = self._block[1].tolist(), 0
        number = int(self._block[0][self._next])
        self._row += 1
        if number > self._row:  # a row with no cell holding something
            return []
        self._next += 1
        return self._lists[self._next - 1]

    def close(self) -> None:
        """Stop reading (the rows not read are dropped). A generator never started would not run
        its `finally`, so a worker is stopped here, whether or not its sheet was reached."""
        self._blocks.close()
        if self._close is not None:
            self._close()

    def rest_blocks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The rows not yet given: (their row numbers, as Excel numbers them; a 2-D object grid
        of their cells from column A, "" where empty). Rows holding nothing are left out."""
        if self._block is not None and self._next < len(self._lists):
            yield self._block[0][self._next:], self._block[1][self._next:]
        self._block, self._lists, self._next = None, [], 0
        yield from self._blocks


def rows(book: Book, part: str, scan: filelimits.PartScan | None = None, visit=None) -> SheetRows:
    """The sheet's rows (SheetRows). `scan` checks each piece against the file limits before it
    is read (filelimits.check left this part to us); `visit` (cellformats) is handed each piece
    that passed, then None."""
    return SheetRows(_blocks(book, part, scan, visit))


def _blocks(book: Book, part: str, scan, visit) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for numbers, columns, values in cells(book, part, scan, visit):
        yield grid(numbers, columns, values.given(book.strings))


def grid(numbers: np.ndarray, columns: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A piece's rows that hold something: (their numbers, their cells as a grid from column A)."""
    # A grid of the rows holding something only: a tiny file may skip 500,000 rows.
    ordered = (numbers[1:] >= numbers[:-1]).all()  # as written by every writer: no sort needed
    held = numbers[np.r_[True, numbers[1:] != numbers[:-1]]] if ordered else np.unique(numbers)
    out = np.full((len(held), int(columns.max()) + 1), "", dtype=object)
    out[np.searchsorted(held, numbers), columns] = values
    return held, out


def cells(book: Book, part: str, scan, visit) -> Iterator[tuple[np.ndarray, np.ndarray, Values]]:
    """Each piece's cells that hold something: (row numbers, 0-based columns, values). Raises
    Unsupported, Damaged, or filelimits.Refused naming the sheet."""
    try:
        yield from _cells(book, part, scan, visit)
    except filelimits.Refused as exc:
        raise filelimits.Refused(str(exc), exc.sheet or (scan.sheet if scan else "")) from None
    except _ZIP_ERRORS as exc:
        raise Damaged(exc.__class__.__name__) from None


_WHITESPACE = (b"\t", b"\n", b"\r")


_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData(?:\s[^>]*?)?(/?)>")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")


def _cells(book: Book, part: str, scan, visit) -> Iterator[tuple[np.ndarray, np.ndarray, Values]]:
    done = 0  # the last row given
    where = 0  # 0 before <sheetData>, 1 inside it, 2 after it: calamine reads cells only inside
    # The sheet's XML but its rows is parsed as XML (the rows' tags are counted instead, far faster):
    # what calamine refuses as damaged, it refuses in its words.
    skeleton = expat.ParserCreate("utf-8")
    with book.zip.open(part) as stream:
        for piece in _pieces(stream, scan):
            if b"!" in piece and b"<!" in piece:  # ("!" is rare: found far faster than "<!")
                raise Unsupported("a comment, CDATA or DOCTYPE")  # what they hold is no cell to calamine
            rest = b""
            if where == 0:
                start = _SHEET_DATA.search(piece)
                if start is None or start.group(1):  # <sheetData/>: no cells
                    where = 0 if start is None else 2
                    _checked(piece, scan, visit, skeleton)
                    continue
                _checked(piece[:start.end()], scan, visit, skeleton)  # the XML declaration, column widths...
                piece, where = piece[start.end():], 1
            elif where == 2:
                _checked(piece, scan, visit, skeleton)
                continue
            if b"sheetData" in piece and (end := _SHEET_DATA_END.search(piece)):
                piece, rest, where = piece[:end.start()], piece[end.start():], 2
            found = None if any(w in piece for w in _WHITESPACE) else _plain_cells(piece, book)
            if found is None:
                _checked(piece, scan, visit)
                numbers, columns, values = _cells_one_by_one(piece, book)
            else:  # (no <si> among its tags: nothing to count for filelimits' string items)
                numbers, columns, values, tags, formats = found
                if scan is not None:
                    scan.add(tags, int(numbers.max(initial=0)), int(columns.max(initial=-1)) + 1)
                if visit is not None:
                    visit(piece, formats)
            if rest:
                _checked(rest, scan, visit, skeleton)  # merged ranges... (no rows: hand them over first)
            if not len(numbers):
                continue
            if int(numbers.min()) <= done:
                raise Unsupported("rows out of order, or a row cut between pieces")
            yield numbers, columns, values
            done = int(numbers.max())
    _parse(skeleton, b"", True)
    if visit is not None:
        visit(None)


def _checked(piece: bytes, scan, visit, skeleton=None) -> None:
    """A piece through the limits' own checks, then to cellformats, as filelimits hands it (and
    to the XML parser of the sheet's skeleton, a piece outside the rows)."""
    spaced = piece.translate(filelimits._SPACES) if any(w in piece for w in _WHITESPACE) else piece
    if scan is not None:
        scan.piece(spaced)
    if skeleton is not None:
        _parse(skeleton, piece)
    if visit is not None:
        visit(spaced)


def _parse(parser, piece: bytes, last: bool = False) -> None:
    try:
        parser.Parse(piece, last)
    except (expat.ExpatError, LookupError, ValueError):
        raise Unsupported("XML that is not well-formed") from None


def _pieces(stream, scan=None) -> Iterator[bytes]:
    """The sheet XML in pieces of whole rows (cut after a </row>); a row longer than two pieces
    is cut before a cell (its cells then span two pieces, which _rows refuses), anything else
    at a tag. A single cell longer than two pieces is left to calamine."""
    tail, first = b"", scan is not None
    while True:
        block = stream.read(PIECE)
        if first and block:
            scan.first(block)
            first = False
        text = tail + block
        if not block:
            if text:
                yield text
            return
        cut = text.rfind(b"</row>")
        if cut != -1:
            cut += 6
        elif len(text) > 2 * PIECE:
            cut = max(text.rfind(b"<c "), text.rfind(b"<c\t"), text.rfind(b"<c\n"), text.rfind(b"<c\r"))
            if cut == 0:
                raise Unsupported("a cell longer than two pieces")
            cut = text.rfind(b"<") if cut == -1 else cut
        if cut <= 0:
            tail = text
            continue
        yield text[:cut]
        tail = text[cut:]


_INLINE = b"><is><t>"
_INLINE_KEPT = b'><is><t xml:space="preserve">'


def _plain_cells(piece: bytes, book: Book):
    """(row numbers, 0-based columns, values, cell tags, what cellformats needs of them) of a
    piece whose cells are all written as Excel writes numbers and shared strings, or openpyxl
    inline strings: <c r="B2"( s="3")?( t="s|n|inlineStr")?> then <v>…</v></c> or
    <is><t>…</t></is></c>, or empty (…/>), in rows. None for any other piece (read one by one).
    Numbers are read as calamine reads them: 15 digits or fewer at once, anything else by float()."""
    if b"'" in piece or b":" in piece and b":c" in piece:  # single quotes, a prefixed <x:c>
        return None
    raw = np.frombuffer(piece + b" " * 64, dtype=np.uint8)  # padding: reads past a tag's end stay inside
    lt = np.flatnonzero(raw == _LT)
    name, after = raw[lt + 1], raw[lt + 2]
    cell = name == ord("c")
    if (cell & ((after == _GT) | (after == _SLASH))).any():
        return None  # <c> or <c/>: a cell placed by counting
    closing = name == _SLASH
    row = (name == ord("r")) & (after == ord("o"))
    if np.count_nonzero(row) != np.count_nonzero(closing & (after == ord("r"))):
        return None  # a row written <row/>, left open or closed twice: read one by one
    known = (row | cell & (after == ord(" ")) | (name == ord("v")) & (after == _GT)
             | (name == ord("i")) & (after == ord("s")) | (name == ord("t")) & ((after == _GT) | (after == ord(" ")))
             | closing & ((after == ord("r")) | (after == ord("c")) | (after == ord("v")) | (after == ord("i"))
                          | (after == ord("t"))))
    if not known.all():
        return None  # a tag other than <row>, <c>, <v>, <is>, <t> and their ends (<f>, <r>...): one by one
    starts = lt[cell & (after == ord(" "))]
    tags = len(starts)
    if not tags:
        nothing = np.empty(0, np.int64)
        return nothing, nothing, Values(np.empty(0, np.uint8), np.empty(0), np.empty(0, object)), 0, None
    ok = _bytes_are(raw, starts + 3, b'r="')
    columns, at = _letters(raw, starts + 6)
    ok &= at > starts + 6
    numbers, end = _digits(raw, at, 7)
    ok &= (end > at) & (raw[at] != ord("0")) & (raw[end] == _QUOTE)
    at = end + 1
    styled = _bytes_are(raw, at, b' s="')
    style = np.full(len(at), -1, dtype=np.int64)
    if styled.any():  # (the digits of unstyled cells would be read for nothing)
        style[styled], end = _digits(raw, at[styled] + 4, 6)
        ok[styled] &= (end > at[styled] + 4) & (raw[end] == _QUOTE)
        at[styled] = end + 1
    typed = _bytes_are(raw, at, b' t="')
    shared = typed & _bytes_are(raw, at + 4, b's"')
    inline = typed & _bytes_are(raw, at + 4, b'inlineStr"')
    ok &= ~typed | shared | inline | _bytes_are(raw, at + 4, b'n"')
    at = np.where(inline, at + 14, np.where(typed, at + 6, at))
    empty = _bytes_are(raw, at, b"/>")
    kept = inline & _bytes_are(raw, at, _INLINE_KEPT)
    ok &= empty | ~inline & _bytes_are(raw, at, b"><v>") | inline & (_bytes_are(raw, at, _INLINE) | kept)
    if not ok.all():
        return None
    # Merged ranges come after the last row: in a piece of their own, with no cells (see _pieces).
    formats = cellformats.PlainCells(numbers, columns + 1, style)
    keep = ~empty
    if np.count_nonzero(closing & (after == ord("c"))) != np.count_nonzero(keep):
        return None  # an end tag </c> with no cell: read one by one
    strings = np.count_nonzero(inline & keep)  # each <is>, <t> and their ends belong to one of them
    if not (np.count_nonzero((name == ord("i")) & (after == ord("s"))) == np.count_nonzero(name == ord("t"))
            == np.count_nonzero(closing & (after == ord("i"))) == np.count_nonzero(closing & (after == ord("t")))
            == strings):
        return None
    numbers, columns, shared, inline, kept = numbers[keep], columns[keep], shared[keep], inline[keep], kept[keep]
    styled, style, at = styled[keep], style[keep], at[keep]
    if book.date_styles and np.isin(style[styled & ~shared & ~inline], list(book.date_styles)).any():
        return None  # a number shown as a date: the one-by-one path says Unsupported
    kind, objects = np.zeros(len(numbers), dtype=np.uint8), np.empty(len(numbers), dtype=object)
    if inline.any():
        text_at = at[inline] + np.where(kept[inline], len(_INLINE_KEPT), len(_INLINE))
        text_end = lt[np.searchsorted(lt, text_at)]
        if not _bytes_are(raw, text_end, b"</t></is></c>").all():
            return None  # rich text runs: one by one
        objects[inline] = _texts(raw, text_at, text_end, kept[inline])
    v = ~inline
    value_at = at[v] + 4
    number, value_end = _digits(raw, value_at, 15)
    whole = raw[value_end] == _LT  # digits only, at most 15 of them
    if not whole.all():
        value_end[~whole] = lt[np.searchsorted(lt, value_at[~whole])]
    if not _bytes_are(raw, value_end, b"</v></c>").all():
        return None
    shared_v = shared[v]
    if shared_v.any() and ((shared_v & ~(whole & (value_end > value_at))).any()
                           or int(number[shared_v].max()) >= len(book.strings)):
        return None  # an empty index, one not in digits or out of range: read one by one
    short = ~shared_v & whole & (value_end > value_at)
    kind[v] = np.where(shared_v, 1, np.where(short, 2, 0))
    read = np.zeros(len(numbers))
    read[v] = number  # (15 digits or fewer: exact as a float)
    other = np.flatnonzero(~shared_v & ~short)  # a sign, a point, an exponent, more digits: float()
    objects[np.flatnonzero(v)[other]] = [_number(piece[value_at[k]:value_end[k]]) for k in other]
    return numbers, columns, Values(kind, read, objects[kind == 0]), tags, formats


def _texts(raw: np.ndarray, start: np.ndarray, end: np.ndarray, kept: np.ndarray) -> list[str]:
    """The texts at [start, end) in raw as text_of gives them (`kept`: xml:space="preserve", not
    trimmed): copied side by side with a NUL between them (XML text never holds one), decoded
    at once and split."""
    length = end - start
    offset = np.cumsum(length + 1) - (length + 1)  # where each text begins in the joined copy
    total = int(length.sum() + len(length))
    source = np.arange(total) + np.repeat(start - offset, length + 1)  # each byte's place in raw
    joined = raw[np.minimum(source, len(raw) - 1)]
    joined[offset + length] = 0
    data = joined.tobytes()
    if b"&" in data:  # references (openpyxl writes every Chinese character as &#...;): expat reads them
        texts = _entities_resolved(data, kept)
    else:
        texts = data.decode("utf-8").split("\x00")[:-1]
    # What calamine drops at either end of a <t> not kept as written: only a text that starts or
    # ends with a space or a reference (&#32;) can have any.
    edge = ~kept & (length > 0)
    edge &= np.isin(raw[start], _EDGE_BYTES) | np.isin(raw[np.maximum(end - 1, start)], _EDGE_BYTES)
    for k in np.flatnonzero(edge).tolist():
        texts[k] = texts[k].strip(" \t\r\n")
    if b"_x00" in data:
        texts = [_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), t) if "_x00" in t else t for t in texts]
    return texts


_EDGE_BYTES = np.frombuffer(b" \t\r\n&;", dtype=np.uint8)
_SEPARATOR = "\ue000"  # a private-use character stands between the texts while expat reads them


def _entities_resolved(data: bytes, kept: np.ndarray) -> list[str]:
    """NUL-separated XML texts with their references resolved, by expat in one go (a regex with
    a function per reference is ten times slower); one by one (text_of) if that fails."""
    parser = expat.ParserCreate("utf-8")
    parser.buffer_text, parser.buffer_size = True, 1 << 24
    found: list[str] = []
    parser.CharacterDataHandler = found.append
    count = data.count(b"\x00")
    try:
        parser.Parse(b"<t>" + data.replace(b"\x00", _SEPARATOR.encode()) + b"</t>", True)
    except expat.ExpatError:
        pass  # a reference XML does not define, or a character it refuses: text_of says which
    else:
        texts = "".join(found).split(_SEPARATOR)[:-1]
        if len(texts) == count:  # else a text held the separator itself
            return texts
    return [_resolved(t) for t in data.split(b"\x00")[:-1]]


def _resolved(raw: bytes) -> str:
    """text_of's references, nothing else (the caller trims and resolves _x00HH_ escapes)."""
    text = raw.decode("utf-8")
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _bytes_are(raw: np.ndarray, at: np.ndarray, expected: bytes) -> np.ndarray:
    """Whether the bytes at each position `at` are `expected`."""
    same = raw[at] == expected[0]
    if len(expected) == 1:
        return same
    where = np.flatnonzero(same)  # the positions still matching: fewer bytes to read at each step
    spots = at[where]
    for k, byte in enumerate(expected[1:], 1):
        still = raw[spots + k] == byte
        if not still.all():
            where, spots = where[still], spots[still]
    same[:] = False
    same[where] = True
    return same


def _number(text: bytes):
    if not text:
        return ""
    if _NUMERIC.fullmatch(text):
        return float(text)
    raise Unsupported(f"number {text[:20]!r}")


def _letters(raw: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """0-based column numbers from the letters at `at`, and where the digits after them start."""
    column = np.zeros(len(at), dtype=np.int64)
    going = np.ones(len(at), dtype=bool)
    for _ in range(3):
        byte = raw[at].astype(np.int64)
        letter = going & (byte >= 65) & (byte <= 90)
        column = np.where(letter, column * 26 + byte - 64, column)
        going = letter
        at = at + letter
    return column - 1, at


def _digits(raw: np.ndarray, at: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """The number written in digits at `at` (at most `most` of them), and where it ends (a new
    array, even where no digit is found: the caller may change it)."""
    at = at.copy()
    number = np.zeros(len(at), dtype=np.int64)
    going = np.ones(len(at), dtype=bool)
    for _ in range(most):
        byte = raw[at]
        going &= (byte >= 48) & (byte <= 57)
        if not going.any():
            break
        number = np.where(going, number * 10 + byte - 48, number)  # quicker than assigning through a mask
        at += going
    return number, at

def _cells_one_by_one(piece: bytes, book: Book) -> tuple[np.ndarray, np.ndarray, Values]:
    if re.search(rb"</c\s", piece):
        raise Unsupported("an end tag written </c >")  # the cell pattern would run into the next cell
    numbers, columns, values, shared = [], [], [], []
    matches = list(_CELL_ONE.finditer(piece))
    if len(matches) != len(_CELL_TAG.findall(piece)) or \
            piece.count(b"</c>") != sum(1 for m in matches if m.group(4) != b"/>"):
        raise Unsupported("a cell left open, or an end tag with no cell")  # calamine refuses it, or reads it otherwise
    if len(_ROW_TAG.findall(piece)) != piece.count(b"</row>") + len(_EMPTY_ROW.findall(piece)):
        raise Unsupported("a row left open or closed twice")
    for match in matches:
        if match.group(4) == b"/>":
            continue
        attributes, body = match.group(3), match.group(5) or b""
        kind = _ATTR_T.search(attributes)
        kind = kind.group(1) if kind else None
        style = _ATTR_S.search(attributes)
        if style and not style.group(1).isdigit():
            raise Unsupported("a style index that is not a number")  # calamine takes it for style 0
        if style and int(style.group(1)) in book.date_styles and kind in (b"n", None):
            raise Unsupported("a number shown as a date")
        # What calamine reads in a cell: a formula (<f>), then its value (<v>) or inline string
        # (<is>); the last element read gives the value. Anything else, or in another order: calamine.
        parts = _BODY.fullmatch(body)
        if parts is None:
            raise Unsupported("a cell holding more than a formula and a value")
        text, inline = parts.group(1), parts.group(2)
        if inline is not None:
            if kind != b"inlineStr":
                raise Unsupported("an inline string in a cell of another type")
            value = _rich_text(inline)[0]
        elif text is None or kind == b"inlineStr":
            value = ""
        elif kind == b"s":
            if not text:
                value = ""
            elif text.isdigit() and int(text) < len(book.strings):
                shared.append((len(values), int(text)))  # by its number, as a plain piece gives it
                value = None
            else:
                raise Unsupported("a shared string index out of range or not a number")
        elif kind == b"str":
            value = text_of(text)
        elif kind == b"b":
            flag = text.strip().lower()
            if not text:
                value = ""
            elif flag in (b"1", b"true", b"0", b"false"):
                value = flag in (b"1", b"true")
            else:
                raise Unsupported(f"boolean {text[:20]!r}")
        elif kind == b"e":
            if text and text not in _ERRORS:
                raise Unsupported(f"error {text[:20]!r}")
            value = ""
        elif kind in (b"n", None):
            value = _number(text)
        else:
            raise Unsupported(f"cell type {kind!r}")
        numbers.append(int(match.group(2)))
        columns.append(filelimits._column_number(match.group(1)) - 1)
        values.append(value)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    kind, number = np.zeros(len(out), dtype=np.uint8), np.zeros(len(out))
    if shared:
        at, index = zip(*shared)
        kind[list(at)], number[list(at)] = 1, index
    return np.array(numbers, dtype=np.int64), np.array(columns, dtype=np.int64), Values(kind, number, out[kind == 0])
