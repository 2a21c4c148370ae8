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

The plain cells of a big sheet (numbers, shared strings) are read a piece at a time with numpy;
other cells (inline strings, formula text, booleans, errors) one by one.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Iterator
from xml.etree import ElementTree
from xml.parsers import expat

import numpy as np

from . import filelimits

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
    out, items, texts = [], 0, 0  # string items and texts with an end tag
    tags = 2 + (raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"<?xml")  # the root's, the declaration
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


_WORKSHEET = "/relationships/worksheet"
_OFFICE_DOCUMENT = "/relationships/officeDocument"


def open_book(data: bytes) -> Book:
    """The workbook's worksheets (in its order), shared strings and date styles. Raises
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
        return Book(sheets, _shared_strings(book), _date_styles(book), book)
    except (KeyError, ValueError, IndexError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError,
            OSError) as exc:
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


def rows(book: Book, part: str, scan: filelimits.PartScan | None = None, visit=None) -> Iterator[list]:
    """The sheet's rows from row 1, each a list from column A (blank rows as []). `scan` checks
    each piece against the file limits before it is read (filelimits.check left this part to
    us); `visit` (cellformats) is handed each piece that passed, then None."""
    try:
        yield from _rows(book, part, scan, visit)
    except filelimits.Refused as exc:
        raise filelimits.Refused(str(exc), exc.sheet or (scan.sheet if scan else "")) from None
    except (KeyError, ValueError, IndexError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError,
            OSError) as exc:
        raise Damaged(exc.__class__.__name__) from None


_WHITESPACE = (b"\t", b"\n", b"\r")


_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData(?:\s[^>]*?)?(/?)>")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")


def _rows(book: Book, part: str, scan, visit) -> Iterator[list]:
    done = 0  # rows yielded so far
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
            else:
                numbers, columns, values, tags = found
                if scan is not None:
                    scan.add(tags, int(numbers.max(initial=0)), int(columns.max(initial=-1)) + 1,
                             piece.count(b"<si ") + piece.count(b"<si>"))
                if visit is not None:
                    visit(piece)
            if rest:
                _checked(rest, scan, visit, skeleton)  # merged ranges... (no rows: hand them over first)
            if not len(numbers):
                continue
            first, last = int(numbers.min()), int(numbers.max())
            if first <= done:
                raise Unsupported("rows out of order, or a row cut between pieces")
            width = int(columns.max()) + 1
            filled = np.zeros(last - done, dtype=bool)
            filled[numbers - 1 - done] = True
            if filled.all():
                grid = np.full((last - done, width), "", dtype=object)
                grid[numbers - 1 - done, columns] = values
                yield from grid.tolist()
            else:  # a grid of the rows holding something only: a tiny file may skip 500,000 rows
                slot = np.cumsum(filled) - 1
                grid = np.full((int(slot[-1]) + 1, width), "", dtype=object)
                grid[slot[numbers - 1 - done], columns] = values
                lists = iter(grid.tolist())
                for holds in filled.tolist():
                    yield next(lists) if holds else []  # a row with no cell holding something
            done = last
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


def _plain_cells(piece: bytes, book: Book):
    """(row numbers, 0-based columns, values, cell tags) of a piece whose cells are all written
    as Excel writes numbers and shared strings: <c r="B2"( s="3")?( t="s|n")?><v>…</v></c>, or
    empty (…/>). None for any other piece (read one by one). Numbers are read as calamine reads
    them: 15 digits or fewer at once, anything else by float()."""
    if b"'" in piece or b":" in piece and b":c" in piece:  # single quotes, a prefixed <x:c>
        return None
    raw = np.frombuffer(piece + b" " * 64, dtype=np.uint8)  # padding: reads past a tag's end stay inside
    lt = np.flatnonzero(raw == _LT)
    name, after = raw[lt + 1], raw[lt + 2]
    cell = name == ord("c")
    if (cell & ((after == _GT) | (after == _SLASH))).any() or ((name == ord("i")) & (after == ord("s"))).any():
        return None  # <c> or <c/> (a cell placed by counting), an inline string <is>
    closing = name == _SLASH
    if np.count_nonzero((name == ord("r")) & (after == ord("o"))) != np.count_nonzero(closing & (after == ord("r"))):
        return None  # a row written <row/>, left open or closed twice: read one by one
    known = ((name == ord("r")) & (after == ord("o")) | cell & (after == ord(" ")) | (name == ord("v")) & (after == _GT)
             | closing & ((after == ord("r")) | (after == ord("c")) | (after == ord("v"))))
    if not known.all():
        return None  # a tag other than <row>, <c>, <v> and their ends (</t>, <f>...): read one by one
    starts = lt[cell & (after == ord(" "))]
    tags = len(starts)
    if not tags:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, object), 0
    ok = _bytes_are(raw, starts + 3, b'r="')
    columns, at = _letters(raw, starts + 6)
    ok &= at > starts + 6
    numbers, end = _digits(raw, at, 7)
    ok &= (end > at) & (raw[at] != ord("0")) & (raw[end] == _QUOTE)
    at = end + 1
    styled = _bytes_are(raw, at, b' s="')
    style, end = _digits(raw, at + 4, 6)
    ok &= ~styled | (end > at + 4) & (raw[end] == _QUOTE)
    at = np.where(styled, end + 1, at)
    typed = _bytes_are(raw, at, b' t="') & (raw[at + 5] == _QUOTE)
    shared = typed & (raw[at + 4] == ord("s"))
    ok &= ~typed | shared | (raw[at + 4] == ord("n"))
    at = np.where(typed, at + 6, at)
    empty = _bytes_are(raw, at, b"/>")
    ok &= empty | _bytes_are(raw, at, b"><v>")
    if not ok.all():
        return None
    keep = ~empty
    if np.count_nonzero(closing & (after == ord("c"))) != np.count_nonzero(keep):
        return None  # an end tag </c> with no cell: read one by one
    numbers, columns, shared, styled, style = numbers[keep], columns[keep], shared[keep], styled[keep], style[keep]
    value_at = at[keep] + 4
    if book.date_styles and np.isin(style[styled & ~shared], list(book.date_styles)).any():
        return None  # a number shown as a date: the one-by-one path says Unsupported
    number, value_end = _digits(raw, value_at, 15)
    whole = raw[value_end] == _LT  # digits only, at most 15 of them
    if not whole.all():
        value_end[~whole] = lt[np.searchsorted(lt, value_at[~whole])]
    if not _bytes_are(raw, value_end, b"</v></c>").all():
        return None
    values = np.empty(len(numbers), dtype=object)
    if shared.any() and ((shared & ~(whole & (value_end > value_at))).any()
                         or int(number[shared].max()) >= len(book.strings)):
        return None  # an empty index, one not in digits or out of range: read one by one
    values[shared] = book.strings[number[shared]]
    short = ~shared & whole & (value_end > value_at)
    values[short] = number[short].astype(np.float64)
    for k in np.flatnonzero(~shared & ~short):
        values[k] = _number(piece[value_at[k]:value_end[k]])
    return numbers, columns, values, tags


def _bytes_are(raw: np.ndarray, at: np.ndarray, expected: bytes) -> np.ndarray:
    """Whether the bytes at each position `at` are `expected`."""
    same = np.ones(len(at), dtype=bool)
    for k, byte in enumerate(expected):
        same &= raw[at + k] == byte
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
        number[going] = number[going] * 10 + (byte[going] - 48)
        at = at + going
    return number, at

def _cells_one_by_one(piece: bytes, book: Book) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if re.search(rb"</c\s", piece):
        raise Unsupported("an end tag written </c >")  # the cell pattern would run into the next cell
    numbers, columns, values = [], [], []
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
                value = book.strings[int(text)]
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
    return np.array(numbers, dtype=np.int64), np.array(columns, dtype=np.int64), out
