"""Read and validate a staff workbook (.xlsx, .xls) or CSV (UTF-8, UTF-8 with BOM, GBK/GB18030)
before anything is written. Every problem is collected, each with file, sheet, row and column.

Values are parsed the way people type them: "1,046", "６８万元", "75％", stray spaces; anything
ambiguous ("12.5" people, "75" as a rate) is an error, never a guess.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import catalog, cellformats, dimensions, filelimits, sheetworker, xlsxrows
from .exports import FORMULA_STARTS
from .sheets import (BY_TABLE, COUNTY_KINDS, FLAG_WORDS, INSTRUCTIONS_ZH, LISTS_SHEET, NOT_BROKEN_DOWN,
                     REFERENCE_BODIES, REFERENCE_SHEET, REGION_KIND_WORDS, SHEETS, STATUS_WORDS, SUMMARY_SHEET,
                     TOTAL_WORDS, TOTAL_WORDS_EN, Column, Sheet)

if TYPE_CHECKING:  # annotations only
    from . import snapshots

# What one file may hold (issue #10), checked before any parser allocates memory. A province's
# year is about 400,000 unit rows of 20 columns: 8 M cells, some 320 MB of sheet XML as Excel
# writes it (~40 bytes a cell), 30-40 MB zipped. The limits leave room above that and stay far
# below what takes a server down: calamine holds 32 bytes for every cell of a sheet's used area
# (the 20 M cells allowed are 640 MB; one cell in XFD1048576 would be 549 GB).
MAX_BYTES = 50 * 1024 * 1024  # the upload itself; same as .streamlit/config.toml server.maxUploadSize
MAX_ROWS = 500_000            # last row of a sheet (the number Excel shows), or records of a CSV
MAX_COLUMNS = 100             # last column of a sheet (CV); the widest sheet has 20
MAX_CELLS = 20_000_000        # rows × columns of a sheet's used area; also cells written in it
MAX_UNPACKED_BYTES = 500 * 1024 * 1024  # all parts of an .xlsx unpacked: 20 M cells of Excel's XML fit
MAX_PACKING_RATIO = 100       # unpacked ÷ packed, parts over 10 MB: sheets pack 5-20×, zip bombs ~1000×
# Largest value one cell may hold, so that nothing overflows the store's columns (INTEGER is
# 32-bit, BIGINT 64-bit: queries/schema.sql) and a typo of a few extra digits is caught.
MAX_COUNT = 999_999_999       # people, units, cases in one row: a national census line fits (INTEGER holds 2.1e9)
MAX_YUAN = 10**13 - 1         # yuan in one row: ten trillion, far above any county's budget
FIRST_YEAR = 1949  # statistics of the People's Republic: a county may keep its series from 1949

LIMITS_ZH = (f"单个文件不超过 {MAX_BYTES // 1024 // 1024} MB；每张工作表（或 CSV 文件）不超过 {MAX_ROWS:,} 行、"
             f"{MAX_COLUMNS} 列、共 {MAX_CELLS // 10_000:,} 万个单元格；.xlsx 解压后不超过 "
             f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB。每一格的人数、单位数、件数不超过 {MAX_COUNT:,}，"
             f"金额不超过 {MAX_YUAN:,} 元。")


def limits() -> filelimits.Limits:
    """The file limits as they are now (tests lower them)."""
    return filelimits.Limits(rows=MAX_ROWS, columns=MAX_COLUMNS, cells=MAX_CELLS,
                             unpacked_bytes=MAX_UNPACKED_BYTES, ratio=MAX_PACKING_RATIO)


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str
    row: int | None      # the row number Excel shows (header is row 1)
    column: str
    message: str

    def line(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.row:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"「{self.column}」列")
        return " · ".join(where) + f"：{self.message}"


@dataclass
class Batch:
    """What one file holds, parsed: frames per store table, and every problem found."""
    file_name: str
    sha256: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)  # imported anyway, but a person should know
    totals_checked: int = 0
    whole_target_years: tuple[int, ...] = ()  # edits: these years' targets are replaced, not merged
    settings: dict[str, str] = field(default_factory=dict)  # edits: county name, year basis
    action: str = "import"
    returns: tuple[tuple[int, str, str], ...] = ()  # edits: (year, township, note) marked 退回修改

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.frames)

    def problems_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"文件": p.file, "工作表": p.sheet, "行": p.row, "列": p.column, "问题": p.message}
                             for p in self.problems], columns=["文件", "工作表", "行", "列", "问题"])

    def notices_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"工作表": p.sheet, "行": p.row, "列": p.column, "提示": p.message}
                             for p in self.notices], columns=["工作表", "行", "列", "提示"])


@dataclass(frozen=True)
class Reference:
    """What the file is checked against: townships already in the store (the file may add
    more). Which rows are the same unit is decided where units are matched (snapshots)."""
    regions: pd.DataFrame  # code, name_zh, name_en


class _Bad(ValueError):
    def __init__(self, message: str, row: int | None = None, column: str = "", sheet: str = ""):
        super().__init__(message)
        self.row, self.column, self.sheet = row, column, sheet


def _norm(value) -> str:
    text = unicodedata.normalize("NFKC", str(value))  # full-width digits, ％, spaces → ASCII
    return _SPACE.sub("", text)


def _key(text) -> str:
    return _norm(_unquote(str(text))).lower()


def _unquote(text: str) -> str:
    """Our CSV exports write text that starts like a formula as '=…, '+…, …: read it back as =…, +…."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text


_SPACE = re.compile(r"\s+")


_SCALE = {"千": 1000, "万": 10_000, "亿": 100_000_000}
_NUMBER = re.compile(r"([+-]?)(?:¥|RMB)?(\d+(?:\.\d+)?|\.\d+)(千|万|亿)?(元|人|家|户次|户|件|个)?", re.IGNORECASE)


def _decimal(raw) -> tuple[Decimal, bool]:
    """The exact value of a cell, and whether the cell names its own unit ("68万元", "¥680,000",
    "12人"): then a 万元 header does not scale it again. Decimal, never float: 1,024.36万 is
    10,243,600 exactly. A number cell is read as Excel shows it, to 15 significant digits."""
    if isinstance(raw, bool):
        raise _Bad("应为数字")
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        raise _Bad(f"「{raw}」是日期，不是数字：请把这一格设为数字格式")
    own = False
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):  # 1e400 in a cell arrives as infinity
            raise _Bad(f"「{str(raw)[:20]}」太大，不像是统计数字")
        value = Decimal(f"{raw:.15g}")
    else:
        text = _norm(raw).replace(",", "")
        match = _NUMBER.fullmatch(text)
        if not match:
            raise _Bad(f"「{raw}」不是数字")
        sign, digits, scale, unit = match.groups()
        value = Decimal(sign + digits) * _SCALE.get(scale or "", 1)
        own = bool(scale or unit or "¥" in text or "rmb" in text.lower())
    if abs(value) > Decimal(10) ** 15:
        shown = str(raw) if len(str(raw)) <= 24 else str(raw)[:20] + "…"
        raise _Bad(f"「{shown}」太大，不像是统计数字")
    return value, own


def _number(raw, scale: Decimal | int = 1) -> Decimal:
    """A cell's value; `scale` (from the header's 万元 or the cell's number format) multiplies a
    bare number, not one that says its own unit."""
    value, own = _decimal(raw)
    return value if own else value * scale


def _bounded(value: int, most: int, what: str) -> int:
    if value > most:
        raise _Bad(f"{value:,} 超过上限：{what}每一格不超过 {most:,}")
    return value


def _whole(raw, scale: Decimal | int = 1) -> int:
    value = _number(raw, scale)
    if value < 0:
        raise _Bad("不能为负数")
    if value != value.to_integral_value():
        raise _Bad(f"「{raw}」应为整数" if scale == 1 else f"「{raw}」×{scale:,} 应为整数")
    return int(value)


def _rate(raw) -> float:
    """A rate as typed: "75%", "７５％" or 0.75; a bare number above 1 is ambiguous, never a guess."""
    text = _norm(raw) if not isinstance(raw, (int, float)) else None
    if text and text.endswith("%"):
        value = _number(text[:-1]) / 100
    else:
        value = _number(raw)
        if value > 1:
            raise _Bad(f"比率「{raw}」有歧义：请写成 75% 或 0.75")
    if not 0 <= value <= 1:
        raise _Bad("比率应在 0% 到 100% 之间")
    return float(value)


def _rate_or_number(raw, indicator: str | None, scale: Decimal | int = 1) -> float:
    if indicator in catalog.BY_CODE and catalog.get(indicator).is_rate:
        return _rate(raw)
    text = _norm(raw) if not isinstance(raw, (int, float)) else None
    if text and text.endswith("%"):
        raise _Bad("这个指标不是比率，不能写百分号")
    value = _number(raw, scale)
    if value < 0:
        raise _Bad("不能为负数")
    if value > MAX_YUAN:
        raise _Bad(f"{value:,} 超过上限：目标值每一格不超过 {MAX_YUAN:,}")
    return float(value)


_YEAR_TEXT = re.compile(r"(\d{4})(?:年度?|年\d{1,2}月(?:\d{1,2}日)?|([-/.])\d{1,2}\2\d{1,2})?")  # not "2024.5"


def last_year() -> int:
    """The latest year a file may report: next year's plan, not further."""
    return dt.date.today().year + 1


def _year(raw, first: int = FIRST_YEAR) -> int:
    """A year as typed: 2024, "2024年", "2024年度", or a date (Excel date cell, "2024/12/31")."""
    if isinstance(raw, (dt.date, dt.datetime)):
        value = raw.year
    elif isinstance(raw, str) and (match := _YEAR_TEXT.fullmatch(_norm(raw))):
        value = int(match.group(1))
    else:
        value = _whole(raw)
    last = last_year()
    if not first <= value <= last:
        raise _Bad(f"年份 {value} 超出范围（{first}–{last}）")
    return value


def _lookup(raw, table: dict[str, str], what: str) -> str:
    code = table.get(_key(raw))
    if code is None:
        raise _Bad(f"未知的{what}「{raw}」")
    return code


def _words(options: dict) -> dict[str, object]:
    return {_key(w): value for value, words in options.items() for w in words}


_STATUS = _words(STATUS_WORDS)
_BODIES = _words(REFERENCE_BODIES)
_FLAGS = _words(FLAG_WORDS)
_NOT_BROKEN_DOWN = {_key(w) for w in NOT_BROKEN_DOWN}


def _lookups(reference: Reference, file_regions: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    regions = reference.regions
    if file_regions is not None and len(file_regions):
        regions = pd.concat([regions, file_regions[["code", "name_zh", "name_en"]]])
    out = {"region": {}, "industry": {}, "ownership": {}, "program": {}, "indicator": {}}
    for r in regions.itertuples():
        for name in (r.code, r.name_zh, r.name_en):
            if isinstance(name, str) and name:
                out["region"][_key(name)] = r.code
    for code, zh, en in dimensions.INDUSTRIES:
        for name in (code, zh, en, f"{code}{zh}", f"{code} {zh}"):
            out["industry"][_key(name)] = code
    for code, zh, en, _ in dimensions.OWNERSHIP:
        for name in (code, zh, en, f"{code}{zh}", f"{code} {zh}"):
            out["ownership"][_key(name)] = code
    for code, zh, en, _ in dimensions.AID_PROGRAMS:
        for name in (code, zh, en):
            out["program"][_key(name)] = code
    for ind in catalog.INDICATORS:
        for name in (ind.code, ind.name_zh, ind.name_en):
            out["indicator"][_key(name)] = ind.code
    return out


def _parse(column: Column, raw, lookups, row_values: dict, scale: Decimal | int = 1):
    """One cell's value; `scale` multiplies bare numbers (a 万元 header, a 0"万元" number format)."""
    kind = column.kind
    if kind == "text":
        text = _unquote(str(raw).strip())
        if not text:
            raise _Bad("不能为空")
        return text
    if kind == "credit":
        return _credit_code(raw)
    if kind in ("int", "money") and isinstance(raw, str):
        _unit_fits(kind, raw)
    if kind == "int":
        return _bounded(_whole(raw, scale), MAX_COUNT, "人数、单位数、件数")
    if kind == "money":
        return _bounded(_whole(raw, scale), MAX_YUAN, "金额（元）")
    if kind == "year":
        return _year(raw)
    if kind == "founded_year":
        return _year(raw, first=1925)  # 中华全国总工会 was founded in 1925
    if kind in ("region", "industry", "ownership") and not column.required and _key(raw) in _NOT_BROKEN_DOWN:
        return ""  # a total not broken down this way (sheets.ANY_*)
    if kind in ("region", "industry", "ownership", "program", "indicator"):
        words = {"region": "乡镇", "industry": "行业门类", "ownership": "所有制代码", "program": "帮扶项目",
                 "indicator": "指标"}
        try:
            return _lookup(raw, lookups[kind], words[kind])
        except _Bad as exc:
            if kind == "region" and not lookups["region"]:
                raise _Bad(f"{exc}：当前没有本县的乡镇名单（示例数据不算），请在文件的「乡镇」工作表中列出本县乡镇") from None
            raise
    if kind == "status":
        return _lookup(raw, _STATUS, "建会情况（应为 未建会 / 独立建会 / 联合工会）")
    if kind == "flag":
        value = _FLAGS.get(_key(raw))
        if value is None:
            raise _Bad(f"「{raw}」应为 是 或 否")
        return value
    if kind == "region_kind":
        stored = REGION_KIND_WORDS.get(_norm(raw))
        if stored is None:
            raise _Bad(f"类型应为 {'、'.join(REGION_KIND_WORDS)} 之一")
        return stored
    if kind == "rate_or_number":
        return _rate_or_number(raw, row_values.get("indicator"), scale)
    if kind == "rate":
        return _rate(raw)
    if kind == "body":
        body = _BODIES.get(_key(raw))
        if body is None:
            raise _Bad(f"未知的参照对象「{raw}」：应为 {'、'.join(w[0] for w in REFERENCE_BODIES.values())} 之一")
        return body
    if kind == "rate_indicator":
        code = _lookup(raw, lookups["indicator"], "指标")
        if not catalog.get(code).is_rate:
            raise _Bad(f"「{raw}」不是比率指标：参考数据只收比率（如建会率、入会率），别处的数量不能与本县相比")
        return code
    raise AssertionError(kind)


def _unit_fits(kind: str, raw: str) -> None:
    """"12人" is no sum of money and "68万元" no count of people: refuse the mix-up."""
    match = _NUMBER.fullmatch(_norm(raw).replace(",", ""))
    if match is None:
        return  # _decimal says what is wrong with it
    money = match.group(4) == "元" or "¥" in _norm(raw) or "rmb" in _norm(raw).lower()
    if kind == "int" and money:
        raise _Bad(f"「{raw}」是金额，这一列应填人数、单位数或件数")
    if kind == "money" and match.group(4) and not money:
        raise _Bad(f"「{raw}」不是金额，这一列应填元（或万元）")


CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
TEXT_FORMAT = "请把这一列设为文本格式"


def _credit_code(raw) -> str:
    """18 characters of text. A number cell has lost digits already (Excel keeps 15): refuse it,
    or two employers would become one."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise _Bad(f"统一社会信用代码「{raw}」是数字，不是文本：Excel 只保留 15 位数字，后几位已经丢失。"
                   f"{TEXT_FORMAT}，重新填写代码后再导入")
    text = _norm(_unquote(str(raw))).upper()
    if re.fullmatch(r"[+-]?\d+(?:\.\d+)?E[+-]?\d+", text):
        raise _Bad(f"统一社会信用代码「{raw}」是科学计数法的数字，后几位已经丢失。{TEXT_FORMAT}，重新填写代码后再导入")
    if not re.fullmatch(r"[0-9A-Z]{18}", text):
        raise _Bad(f"统一社会信用代码「{raw}」应为 18 位数字或大写字母")
    return text


def credit_check_char(code: str) -> str | None:
    """The 18th character that GB 32100-2015 computes from the first 17; None if any of them
    is a letter the standard does not use (I, O, S, V, Z)."""
    if any(ch not in CREDIT_CHARS for ch in code[:17]):
        return None
    total = sum(CREDIT_CHARS.index(ch) * w for ch, w in zip(code[:17], CREDIT_WEIGHTS))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, (int, float)):  # numeric cells (most of a sheet) need no text clean-up
        return isinstance(value, float) and value != value
    return _norm(value) == ""


# --- reading files -------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff]")
RESAVE_CSV = "请在 Excel 或 WPS 中打开后“另存为 CSV UTF-8”，或另存为 .xlsx"


def _line_of(data, position: int) -> int:
    return data.count(b"\n" if isinstance(data, bytes) else "\n", 0, position) + 1


def _decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK/GB18030, never a mix of the two: a file that is
    UTF-8 in some lines and GBK in others would decode to mojibake either way."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        utf8 = other = None  # first line of each kind that has Chinese text or is not UTF-8
        for number, line in enumerate(data.split(b"\n"), 1):
            if line.isascii():
                continue
            try:
                decoded = line.decode("utf-8")
            except UnicodeDecodeError:
                other = other or number
            else:
                utf8 = utf8 or (number if _CJK.search(decoded) else None)
            if utf8 and other:
                raise _Bad(f"文件混用了两种编码：第{utf8}行是 UTF-8，第{other}行不是（可能是 GBK）。{RESAVE_CSV}",
                           row=max(utf8, other)) from None
        try:
            text = data.decode("gb18030")  # GB18030 is a superset of GBK and GB2312
        except UnicodeDecodeError as exc:
            raise _Bad(f"无法识别文件编码（第{_line_of(data, exc.start)}行；应为 UTF-8 或 GBK/GB18030）；{RESAVE_CSV}",
                       row=_line_of(data, exc.start)) from None
        try:
            text.encode("gbk")  # Excel and WPS save GBK: anything beyond it means a wrong guess
        except UnicodeEncodeError as exc:
            line = _line_of(text, exc.start)
            raise _Bad(f"第{line}行有 GBK 以外的字符「{text[exc.start]}」，文件可能不是 GBK 编码；{RESAVE_CSV}",
                       row=line) from None
    if "\ufffd" in text:
        line = _line_of(text, text.index("\ufffd"))
        raise _Bad(f"第{line}行有乱码替换符“\ufffd”：文件在之前的转换中已经损坏，请找到原始文件重新保存", row=line)
    return text


def _read_csv(data: bytes) -> _Table:
    """A CSV as one nameless sheet, its records parsed as they are validated, blank lines kept so
    row numbers match what Excel shows. A record that cannot be read, or one past the limits,
    stops the import (_Bad) when it is reached."""
    text = _decode_csv(data)
    return _Table("", _csv_rows(text))


def _csv_rows(text: str) -> Iterator[list]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    count, header = 0, []  # records read so far; the first non-blank one
    try:
        for row in reader:
            count += 1
            if not header and any(v.strip() for v in row):
                header = row
            if count > MAX_ROWS:
                raise _Bad(f"文件超过 {MAX_ROWS:,} 行的上限", row=count)
            if len(row) > MAX_COLUMNS:
                raise _Bad(f"这一行有 {len(row):,} 列，超过 {MAX_COLUMNS} 列的上限", row=count)
            yield row
    except csv.Error as exc:
        row = count + 1  # the record that failed, as Excel would number it
        lines = io.StringIO(text, newline="").readlines()
        first = lines[_record_start(count, text) - 1] if lines else ""
        if "end of data" in str(exc):  # a quote opened in this record is never closed
            j = max(len(next(csv.reader([first]), [])) - 1, 0)  # the unclosed field is the last one
            column = header[j].strip() if j < len(header) and header[j].strip() else f"第{j + 1}列"
            raise _Bad("引号没有配对：这一格以引号开始，直到文件末尾都没有结束引号", row=row, column=column) from None
        if "expected after" in str(exc):
            raise _Bad(f"引号用法不对：「{first.strip()[:40]}」中引号之后应紧跟逗号；内容里的引号请写成两个（\"\"）",
                       row=row) from None
        if "field limit" in str(exc):
            raise _Bad(f"一格的内容超过 {csv.field_size_limit():,} 个字符，不像是统计数据", row=row) from None
        raise _Bad(f"无法读取这一行（{exc}）", row=row) from None


def _record_start(count: int, text: str) -> int:
    """Physical line on which the record after the first `count` starts (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    for _ in range(count):
        next(reader, None)
    return reader.line_num + 1


@dataclass
class _Table:
    """One sheet as read: its rows, streamed (iterated once, in order), and what a person sees
    of it that the cells do not say."""
    name: str                      # "" for a CSV
    rows: Iterable[list]
    hidden: bool = False           # a hidden sheet
    merged: list = field(default_factory=list)  # ((first row, first col), (last row, last col)), 0-based
    cells: cellformats.SheetCells = field(default_factory=cellformats.SheetCells)
    formulas: bool = False         # whether cells.formulas was read (an .xlsx): explains empty cells


def _grid_rows(grid) -> Iterator[list]:
    """A calamine sheet's rows from A1, one at a time (its rows start at column A only from the
    first used column: pad them, so that column numbers and merged ranges agree)."""
    start = grid.start
    if not start or not start[1]:
        yield from grid.iter_rows()
        return
    pad = [""] * start[1]
    for row in grid.iter_rows():
        yield pad + row


def _read_tables(name: str, data: bytes, streamed: bool = True) -> list[_Table]:
    """Each sheet; a CSV gives one nameless sheet. An .xlsx is streamed (xlsxrows) unless
    `streamed` is False: then calamine reads it, as it reads an .xls."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return [_read_csv(data)]
    if suffix not in (".xlsx", ".xlsm", ".xls"):
        raise _Bad(f"不支持的文件类型「{suffix or '无扩展名'}」：请用 .xlsx、.xls 或 .csv")
    formats = cellformats.Reader()  # number formats, hidden rows, formula cells, merged ranges
    xlsx = data[:2] == b"PK"
    streamed = streamed and xlsx
    worker = sheetworker.start() if streamed and sheetworker.wanted(data) else None
    try:
        # Before any reader: calamine aborts the process on a hostile file. A streamed sheet is
        # checked piece by piece as it is read, in the same pass.
        filelimits.check(data, limits(), formats, sheets_too=not streamed)
    except BaseException as exc:
        if worker is not None:
            worker.close()
        if isinstance(exc, filelimits.Refused):
            raise _Bad(str(exc), sheet=exc.sheet) from None
        raise
    if streamed:
        try:
            return _streamed_tables(data, formats, worker)
        except (xlsxrows.Unsupported, xlsxrows.Damaged):  # calamine's answer (or its message) it is
            if worker is not None:
                worker.close()
            return _read_tables(name, data, streamed=False)
    tables = _calamine_tables(data)
    if xlsx:  # number formats, hidden rows and formula cells (by content: an .xlsx named .xls too)
        for table in tables:
            table.cells = formats.sheets.get(table.name, table.cells)
            table.formulas = True
    elif scaled := cellformats.xls_scaled_formats(data):
        # An .xls cell's format is not read here: a 0"万元" somewhere could turn 68万 into 68 元.
        raise _Bad(f"文件使用了数字格式「{scaled[0]}」，单元格显示的数与保存的数不同；.xls 文件无法逐格核对，"
                   "请在 Excel 或 WPS 中另存为 .xlsx 后再导入")
    return tables


def _streamed_tables(data: bytes, formats: cellformats.Reader, worker: sheetworker.Worker | None) -> list[_Table]:
    """The sheets of an .xlsx as xlsxrows streams them, each piece checked (filelimits.PartScan)
    and read by `formats` before its rows are; the first big sheet by `worker`, in a second
    process. Merged ranges are written after the rows: they are known once a sheet has been read
    (_validate_sheet checks)."""
    if worker is not None:
        worker.read(data, limits())  # the worker reads the workbook while this process does
    tables = []
    try:
        book = xlsxrows.open_book(data)
        for sheet in book.sheets:
            visit = formats(book.zip, sheet.part)
            if visit is None or formats.parts.get(sheet.part) != sheet.name:
                # cellformats would not read this part as this sheet: its number formats would go unseen
                raise xlsxrows.Unsupported(f"part {sheet.part}")
            cells = formats.sheets[sheet.name]
            if worker is not None and book.zip.getinfo(sheet.part).file_size >= sheetworker.BIG:
                rows = xlsxrows.SheetRows(worker.grids(sheet.part, sheet.name, cells, book.strings), worker.close)
                worker = None
            else:
                rows = xlsxrows.rows(book, sheet.part, filelimits.PartScan(limits(), sheet.name), visit)
            tables.append(_Table(sheet.name, rows, sheet.hidden, cells.merged, cells, formulas=True))
    except BaseException:
        _close(tables)
        raise
    finally:
        if worker is not None:  # no sheet was its (or reading stopped before one was)
            worker.close()
    return tables


def _calamine_tables(data: bytes) -> list[_Table]:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = {m.name: m.visible == SheetVisibleEnum.Visible for m in book.sheets_metadata}
        tables = []
        for sheet in book.sheet_names:
            grid = book.get_sheet_by_name(sheet)
            tables.append(_Table(sheet, _grid_rows(grid), not visible.get(sheet, True),
                                 list(grid.merged_cell_ranges or [])))
    except BaseException as exc:  # calamine raises its own types for every kind of damage, and on
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):  # some it panics: pyo3's
            raise  # PanicException is a BaseException
        raise _Bad(f"{filelimits.DAMAGED}（{exc.__class__.__name__}）") from None
    return tables


_UNIT_IN_HEADER = re.compile(r"(.+?)\((?:单位[:：]?)?([^()]*)\)")
_HEADER_UNIT = re.compile(r"(千|万|亿)?(元|人|个|家|户次|户|件|项|次)?")
IGNORED_COLUMNS = ("序号", "编号", "备注", "说明", "备注说明", "no", "no.")  # never statistics: skipped with a notice
HEADER_SEARCH = 20  # non-blank rows above the header a sheet may have (titles, 填报单位, 单位：个、人)


def _header_unit(key: str) -> tuple[str, str | None, Decimal]:
    """"金额(万元)" → ("金额", "元", 10000); a header without a unit → (key, None, 1). A bracket that
    holds no unit ("人数(含派遣)") is part of the name."""
    match = _UNIT_IN_HEADER.fullmatch(key)
    unit = _HEADER_UNIT.fullmatch(match.group(2)) if match and match.group(2) else None
    if unit is None:
        return key, None, Decimal(1)
    return match.group(1), unit.group(2) or "", Decimal(_SCALE.get(unit.group(1) or "", 1))


def _column_for(spec: Sheet, header_cell) -> tuple[Column, Decimal] | None:
    """The column a header names, and the factor its unit puts on bare numbers (金额(万元): 10000)."""
    key = _key(header_cell)
    for c in spec.columns:
        if key in (_key(c.zh), _key(c.en)):
            return c, Decimal(1)
    base, unit, scale = _header_unit(key)
    if unit is None and "(" in key:
        return None  # a bracket that is no unit: not a column of ours
    unit = unit or ""  # "金额" names the column "金额（元）"
    for c in spec.columns:
        if base != _header_unit(_key(c.zh))[0] or c.kind not in ("int", "money"):
            continue
        if (c.kind == "money") != (unit in ("元", "")) and unit != "":
            return None  # 金额(人), 职工人数(元): the unit contradicts the column
        if c.kind == "int" and unit == "元":
            return None
        return c, scale
    return None


def _match_sheet(sheet_name: str, header: list) -> Sheet | None:
    if sheet_name:
        wanted = _key(sheet_name)
        return next((s for s in SHEETS if wanted in (_key(s.zh), _key(s.en), _key(s.table))), None)
    # Counts may be left out (not reported): the sheet is the one whose required columns are all
    # there and that recognises the most headers.
    found = {s.table: {hit[0].field for h in header if not _blank(h) and (hit := _column_for(s, h))} for s in SHEETS}
    fitting = [s for s in SHEETS if all(c.field in found[s.table] for c in s.columns if c.required)]
    return max(fitting, key=lambda s: len(found[s.table]), default=None)


@dataclass
class _Sheet:
    """A sheet's first rows, read to find its header; the rest is still in `rest`."""
    table: _Table
    head: list[tuple[int, list | None]]  # (0-based index, row); None for a blank row
    rest: Iterator[tuple[int, list]]
    found: tuple[int, Sheet | None] | None = None  # (index of the header row, its spec)
    streamed: bool = False  # `rest` is still the reader's (xlsxrows.SheetRows): see blocks

    @property
    def blocks(self) -> Iterator[tuple[np.ndarray, np.ndarray]] | None:
        """The rows after `head` as the streaming reader's (row numbers, grid); None if not streamed."""
        return self.table.rows.rest_blocks() if self.streamed else None

    def body(self) -> Iterator[tuple[int, list]]:
        """Rows below the header, each once."""
        start = self.found[0]
        yield from ((i, row if row is not None else []) for i, row in self.head if i > start)
        yield from self.rest


def _row_blank(row) -> bool:
    return all(_blank(v) for v in row)


def _head(table: _Table) -> _Sheet:
    """Read rows until HEADER_SEARCH non-blank ones are in hand (the header is among them)."""
    rest = enumerate(table.rows)
    head, nonblank = [], 0
    for i, row in rest:
        if _row_blank(row):
            head.append((i, None))
            continue
        head.append((i, list(row)))
        nonblank += 1
        if nonblank >= HEADER_SEARCH:
            break
    sheet = _Sheet(table, head, rest, streamed=isinstance(table.rows, xlsxrows.SheetRows))
    sheet.found = _find_header(table.name, [(i, r) for i, r in head if r is not None])
    return sheet


def _find_header(name: str, rows: list[tuple[int, list]]) -> tuple[int, Sheet | None] | None:
    """(index of the header row, its sheet spec): the first row, among the first non-blank ones,
    that names every required column; titles above it are skipped. Without one, the first
    non-blank row (whose missing columns are then reported)."""
    if not rows:
        return None
    for i, row in rows[:HEADER_SEARCH]:
        spec = _match_sheet(name, row)
        if spec is None and name:
            break  # an unknown sheet name: no header will make it known
        if spec is not None:
            fields = {f[0].field for h in row if not _blank(h) and (f := _column_for(spec, h))}
            if all(c.field in fields for c in spec.columns if c.required):
                return i, spec
    return rows[0][0], _match_sheet(name, rows[0][1])


def _total_word(text: str) -> str | None:
    """合计/总计/小计 anywhere in a name cell (spaces, full-width ones too, aside), or a cell that
    is only "Total"/"Subtotal": "TotalEnergies中国投资有限公司" is a unit."""
    key = _key(text)
    for word in TOTAL_WORDS:
        if word in key:
            return word
    return "合计" if key in TOTAL_WORDS_EN else None


_LABEL_FIELDS = ("name", "year", "region_code")  # cells that name a row: where a total row says so


def _ranges(rows: list[int]) -> str:
    shown = "、".join(f"第{r}行" for r in rows[:20])
    return shown + (f"等 {len(rows)} 行" if len(rows) > 20 else "")


# --- validating ------------------------------------------------------------------------------------

CHUNK_ROWS = 50_000  # rows of a sheet converted and checked at once: all of a sheet's cells the importer holds
PEAK_ROWS = 0        # most raw rows held at once by the last validate() (tests check it against CHUNK_ROWS)


def read(name: str, data: bytes, reference: Reference) -> Batch:
    """Parse and validate one file. Nothing is written anywhere."""
    file, sha = Path(name).name, hashlib.sha256(data).hexdigest()
    if len(data) > MAX_BYTES:
        return _refused_file(file, sha, message=f"文件超过 {MAX_BYTES // 1024 // 1024} MB 上限（{len(data) / 1024 / 1024:.1f} MB）")
    if not data:
        return _refused_file(file, sha, message="文件是空的")
    tables = []
    try:
        try:
            tables = _read_tables(name, data)
            return validate(file, tables, reference, sha)
        except (xlsxrows.Unsupported, xlsxrows.Damaged):  # met while streaming: calamine reads the file
            # instead, so that a damaged file gets the one message whichever reader met the damage
            _close(tables)
            return validate(file, _read_tables(name, data, streamed=False), reference, sha)
        except filelimits.Refused as exc:  # a streamed sheet over a limit
            raise _Bad(str(exc), sheet=exc.sheet) from None
    except _Bad as exc:
        return _refused_file(file, sha, exc.sheet, exc.row, exc.column, str(exc))
    finally:
        _close(tables)  # a sheet worker whose sheet was not reached is stopped now, not when collected


def _close(tables: list[_Table]) -> None:
    for table in tables:
        if isinstance(table.rows, xlsxrows.SheetRows):
            table.rows.close()


def validate_rows(file: str, sheets: dict[str, list[list]], reference: Reference) -> Batch:
    """validate() of sheets given as rows (the first row of each its header), as a page or a
    report builds them: no workbook is written and read back. A missing value (None, NaN, NA)
    is a blank cell."""
    def cell(value):
        return None if value is None or not isinstance(value, str) and pd.api.types.is_scalar(value) \
            and pd.isna(value) else value
    tables = [_Table(name, [[cell(v) for v in row] for row in rows]) for name, rows in sheets.items()]
    return validate(file, tables, reference)


def _refused_file(file: str, sha: str, sheet="", row=None, column="", message="") -> Batch:
    batch = Batch(file_name=file, sha256=sha)
    batch.problems.append(Problem(file, sheet, row, column, message))
    return batch


def validate(file: str, tables: Iterable[_Table], reference: Reference, sha256: str = "") -> Batch:
    """Check sheets of rows (cells as a reader gives them) against the template and the store's
    townships: every problem and notice, and the clean rows as frames in store columns. No I/O:
    a file's sheets come from _read_tables, a page's edits are rows built in memory."""
    global PEAK_ROWS
    PEAK_ROWS = 0
    batch = Batch(file_name=file, sha256=sha256)

    def problem(sheet="", row=None, column="", message=""):
        batch.problems.append(Problem(file, sheet, row, column, message))

    def notice(sheet="", row=None, column="", message=""):
        batch.notices.append(Problem(file, sheet, row, column, message))

    # A county's report-up file (unionstats/reportup.py) carries the summary sheet; sheets for
    # people only (instructions, lists, last year's figures) hold no data.
    report_up = any(t.name == SUMMARY_SHEET for t in tables)
    sheets = [_head(t) for t in tables if t.name not in (INSTRUCTIONS_ZH, LISTS_SHEET, SUMMARY_SHEET, REFERENCE_SHEET)]
    lookups = _lookups(reference, _file_regions(sheets))
    parsed = []
    for sheet in sheets:
        one = _validate_sheet(sheet, lookups, problem, notice)
        if one is not None:
            parsed.append(one)

    if not parsed and not batch.problems:
        problem(message="文件中没有可导入的数据（工作表都是空的）")
    for spec, sheet_label, body, totals in parsed:
        frame = _finish(spec, sheet_label, body, totals, batch, problem, notice)
        if frame is not None and len(frame):
            if spec.table in batch.frames:
                problem(sheet_label, message="同一张表在文件中出现了两次")
            batch.frames[spec.table] = frame
    if not batch.frames and not batch.problems:
        for _, sheet_label, _, _ in parsed:
            problem(sheet_label, message="只有表头，没有数据行：请在表头下面逐行填写数据")
    _cross_checks(batch, problem)
    _totals_alongside_rows(batch, problem, report_up)
    _township_clashes(batch, reference, problem)
    if batch.problems:
        batch.frames = {}
    return batch


def _validate_sheet(sheet: _Sheet, lookups, problem, notice):
    """One sheet's header and rows: (spec, label, body frame, total rows), or None."""
    table, found = sheet.table, sheet.found
    sheet_name = table.name
    if found is None:
        return None  # an empty sheet in a workbook is fine; an empty file is caught later
    start, spec = found
    head = dict(sheet.head)
    header = head[start]
    if spec is None:
        expected = "、".join(s.zh for s in SHEETS)
        if sheet_name:
            problem(sheet_name, message=f"无法识别的工作表名称「{sheet_name}」，应为：{expected}")
        else:
            problem(message="无法识别这是哪一张表：表头与模板不符。请用模板的表头（见 python -m unionstats template）")
        return None
    sheet_label = sheet_name or spec.zh
    if table.hidden:
        notice(sheet_label, message="这是一张隐藏的工作表，其中的数据也已导入：请确认这是有意的")
    above = [i + 1 for i, r in sheet.head if i < start and r is not None]
    if above:
        notice(sheet_label, None, "", f"表头（第{start + 1}行）之上的{_ranges(above)}是标题或说明，未导入")
    positions: dict[str, int] = {}
    scales: dict[str, Decimal] = {}
    for j, h in enumerate(header):
        if _blank(h):
            continue
        column = _column_for(spec, h)
        if column is None:
            if _key(h) in IGNORED_COLUMNS:
                notice(sheet_label, start + 1, str(h), "这一列不是统计数据，已忽略")
            else:
                problem(sheet_label, start + 1, str(h), "无法识别的列名")
        elif column[0].field in positions:
            problem(sheet_label, start + 1, str(h), "列名重复")
        else:
            positions[column[0].field] = j
            if column[1] != 1:
                scales[column[0].field] = column[1]
                notice(sheet_label, start + 1, str(h), f"按表头的单位，这一列的数字乘以 {column[1]:,} 后导入")
    missing = [c.zh for c in spec.columns if c.required and c.field not in positions]
    for m in missing:
        problem(sheet_label, start + 1, m, "缺少这一列")
    if missing:
        return None
    # A merged 乡镇 (or 年度) cell shows its value on every row it spans: fill it down. Only
    # these label columns: a merged count would be counted once per row.
    merged = _label_merges(table.merged, positions, start)
    checker = _Checker(spec, sheet_label, table, positions, scales, len(header), lookups, problem, notice)
    global PEAK_ROWS
    if not merged and sheet.blocks is not None:  # a streamed .xlsx: its rows as the reader's grids
        head = [(i, row) for i, row in sheet.head if i > start and row is not None]
        if head:
            checker.check(head)
        for numbers, block in sheet.blocks:
            for at in range(0, len(block), CHUNK_ROWS):
                grid = block[at:at + CHUNK_ROWS]
                PEAK_ROWS = max(PEAK_ROWS, len(grid))
                checker.check_grid(numbers[at:at + CHUNK_ROWS], grid)
    else:
        rows = sheet.body()
        filled: dict[tuple[int, int], object] = {}
        while True:
            if not merged:
                chunk = list(itertools.islice(rows, CHUNK_ROWS))
            else:
                chunk = _filled_chunk(rows, merged, filled, positions)
            if not chunk:
                break
            PEAK_ROWS = max(PEAK_ROWS, len(chunk))
            checker.check(chunk)
            del chunk
    if _label_merges(table.merged, positions, start) != merged:  # a streamed sheet's, known only now
        raise xlsxrows.Unsupported("merged label cells")
    return checker.result()


def _label_merges(ranges, positions: dict[str, int], start: int) -> dict[int, list[tuple[int, int]]]:
    """Merged 乡镇 and 年度 cells below the header: first row → (column, last row)."""
    merged: dict[int, list[tuple[int, int]]] = {}
    for (r0, c0), (r1, c1) in ranges:
        for f in ("region_code", "year"):
            j = positions.get(f)
            if j is not None and c0 <= j <= c1 and start < r0:
                merged.setdefault(r0, []).append((j, r1))
    return merged


def _filled_chunk(rows, merged, filled, positions) -> list[tuple[int, list]]:
    """The next CHUNK_ROWS rows, merged label cells filled down."""
    chunk = []
    for i, row in rows:
        if i in merged:
            for j, r1 in merged[i]:
                if j < len(row):
                    for r in range(i + 1, r1 + 1):
                        filled[(r, j)] = row[j]
        if filled:
            row = list(row)
            for f in ("region_code", "year"):
                j = positions.get(f)
                if j is not None and (i, j) in filled:
                    value = filled.pop((i, j))
                    if j >= len(row):
                        row.extend([None] * (j + 1 - len(row)))
                    if _blank(row[j]):
                        row[j] = value
        chunk.append((i, row))
        if len(chunk) >= CHUNK_ROWS:
            break
    return chunk


_FAST_NUMBERS = ("integer", "floating", "mixed-integer-float")
_CREDIT_PLAIN = re.compile(r"[0-9A-Z]{18}")
_CREDIT_INDEX = np.full(128, -1, dtype=np.int64)
_CREDIT_INDEX[[ord(ch) for ch in CREDIT_CHARS]] = np.arange(len(CREDIT_CHARS))


def _blanks(values: np.ndarray) -> np.ndarray:
    """_blank of each cell: None, NaN, "" and text of spaces only."""
    kind = pd.api.types.infer_dtype(values, skipna=False)
    if kind == "integer":
        return np.zeros(len(values), dtype=bool)
    if kind in ("floating", "mixed-integer-float"):
        return np.isnan(values.astype(float))
    if kind == "string":
        return (values == "") | np.fromiter(map(str.isspace, values), bool, len(values))
    blank = (values == "") | np.equal(values, None)
    rest = ~blank
    if rest.any():
        given = values[rest]
        kind = pd.api.types.infer_dtype(given, skipna=False)
        if kind == "string":
            blank[rest] = np.fromiter(map(str.isspace, given), bool, len(given))
        elif kind in ("floating", "mixed-integer-float"):
            blank[rest] = np.isnan(given.astype(float))
        elif kind != "integer":
            blank[rest] = [_blank(v) for v in given]
    return blank


def _maybe_total(text: str) -> bool:
    """False when _total_word(text) surely finds nothing: no 计 and no t in a text that NFKC
    leaves as it is (every total word holds one of them)."""
    return "计" in text or "t" in text or "T" in text or not (
        text.isascii() or unicodedata.is_normalized("NFKC", text))


_TOTAL_MARKS = np.array([ord("计"), ord("t"), ord("T")], dtype=np.uint32)


def _maybe_totals(texts: np.ndarray) -> np.ndarray:
    """_maybe_total of many texts at once: whether each one's NFKC form holds 计, t or T (all
    the texts normalised as one, then read as code points)."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a text with a line break of its own
        return np.fromiter(map(_maybe_total, texts), bool, len(texts))
    points = np.frombuffer(unicodedata.normalize("NFKC", joined).encode("utf-32-le"), dtype=np.uint32)
    breaks = np.flatnonzero(points == 10)
    maybe = np.zeros(len(texts), dtype=bool)
    maybe[np.searchsorted(breaks, np.flatnonzero(np.isin(points, _TOTAL_MARKS)))] = True
    return maybe


def _plain_credits(codes: np.ndarray) -> np.ndarray:
    """_CREDIT_PLAIN.fullmatch of many texts at once: 18 of 0-9 and A-Z."""
    lengths = np.fromiter(map(len, codes), np.int64, len(codes))
    plain = lengths == 18
    try:
        raw = np.frombuffer("".join(codes[plain]).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    except UnicodeEncodeError:  # a code with a character beyond ASCII among them: one at a time
        return np.fromiter((_CREDIT_PLAIN.fullmatch(v) is not None for v in codes), bool, len(codes))
    plain[plain] = (((raw >= 48) & (raw <= 57)) | ((raw >= 65) & (raw <= 90))).all(axis=1)
    return plain


def _check_chars(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """credit_check_char of many 18-character codes at once ("" where a letter is not in the
    standard), and the 18th character each has."""
    raw = np.frombuffer("".join(codes).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    index = _CREDIT_INDEX[raw[:, :17]]
    usable = (index >= 0).all(axis=1)
    total = (index * np.array(CREDIT_WEIGHTS)).sum(axis=1)
    check = np.array(list(CREDIT_CHARS))[(31 - total % 31) % 31]
    return np.where(usable, check, ""), raw[:, 17].copy().view("S1").astype(str)


class _Checker:
    """A sheet's rows, checked a chunk at a time: each column at once where the cells are plain
    (numbers, text from a short list), cell by cell through _parse where they are not, so every
    message is the one _parse gives."""

    def __init__(self, spec: Sheet, label: str, table: _Table, positions, scales, header_width: int, lookups,
                 problem, notice):
        self.spec, self.label, self.table, self.positions, self.scales = spec, label, table, positions, scales
        self.header_width, self.lookups, self.problem, self.notice = header_width, lookups, problem, notice
        self.width = max(header_width, max(positions.values()) + 1)
        self.hidden: list[int] = []
        self.chunks: list[dict[str, np.ndarray]] = []  # each chunk's parsed columns: one frame at the end
        self.totals: list[tuple[int, dict]] = []
        self.memo: dict[str, dict] = {}

    def check(self, chunk: list[tuple[int, list]]) -> None:
        width = self.width
        excel = np.fromiter((i + 1 for i, _ in chunk), dtype=np.int64, count=len(chunk))
        extra: list[tuple[int, int]] = []  # CSV rows with cells right of the header: (row in chunk, cells)
        rows = []
        for k, (_, row) in enumerate(chunk):
            if len(row) != width:
                if not self.table.name and len(row) > self.header_width and not _row_blank(row[self.header_width:]):
                    extra.append((k, len(row)))
                row = (list(row) + [None] * (width - len(row)))[:width]
            rows.append(row)
        grid = np.empty((len(rows), width), dtype=object)
        grid[:] = rows  # one C loop; np.array(rows) would also work, but not for a row of lists
        del rows
        self.check_grid(excel, grid, extra)

    def check_grid(self, excel: np.ndarray, grid: np.ndarray, extra: list[tuple[int, int]] = ()) -> None:
        """The rows numbered `excel` (as Excel numbers them), their cells in `grid` from column A
        (a row shorter than the header is blank to its right)."""
        spec, positions = self.spec, self.positions
        blank_column = np.full(len(grid), "", dtype=object)
        cols = {f: grid[:, j] if j < grid.shape[1] else blank_column for f, j in positions.items()}
        del grid
        # 1-based columns with a scaling format so far (a streamed sheet's grow as it is read)
        self.scaled_columns = {c for _, c in self.table.cells.scales}
        blank = {f: _blanks(v) for f, v in cols.items()}
        keep = ~np.logical_and.reduce(list(blank.values()))  # rows that hold something
        for k in np.flatnonzero(keep & np.isin(excel, list(self.table.cells.hidden_rows))) if \
                self.table.cells.hidden_rows else ():
            self.hidden.append(int(excel[k]))
        found: list[tuple[int, int, int, str, str]] = []  # (excel row, phase, order, column, message)
        body = keep.copy()
        for k, n in extra:
            if keep[k]:
                body[k] = False
                found.append((int(excel[k]), 0, -1, f"第{self.header_width + 1}列",
                              (f"这一行有 {n} 格，比表头（{self.header_width} 格）多：数字里的逗号会把一格拆成两格，"
                               "请写成 1000，或给整个数字加引号（\"1,000\"）")))
        labels: dict[int, str] = {}  # row in chunk → the label cell that makes it a total row
        for f in _LABEL_FIELDS:
            kind = pd.api.types.infer_dtype(cols[f], skipna=False) if f in cols else "integer"
            if kind == "string":
                maybe = _maybe_totals(cols[f])
            elif kind not in _FAST_NUMBERS:
                maybe = np.fromiter((isinstance(v, str) and _maybe_total(v) for v in cols[f]), bool, len(excel))
            if kind not in _FAST_NUMBERS:
                for k in np.flatnonzero(body & maybe):
                    if k not in labels and _total_word(cols[f][k]):
                        labels[k] = str(cols[f][k])
        for k in sorted(labels):
            body[k] = False
            cells = {f: v[k] for f, v in cols.items()}
            n = int(excel[k])
            self.totals.append((n, _total_record(spec, cells, labels[k], self.lookups,
                                                 lambda c, raw, n=n: self._scale_of(c, raw, n),
                                                 lambda col, msg, n=n: found.append((n, 0, -1, col, msg)))))
        rows = np.flatnonzero(body)
        excel_rows = excel[rows]
        bad = np.zeros(len(rows), dtype=bool)
        values: dict[str, np.ndarray] = {}
        for order, column in enumerate(spec.columns):
            if column.field not in cols:  # left out: not reported
                numeric = column.kind in ("int", "money", "year", "founded_year")
                values[column.field] = np.full(len(rows), np.nan if numeric else None, dtype=float if numeric else object)
                continue
            raw, empty = (cols[column.field], blank[column.field]) if len(rows) == len(excel) else \
                (cols[column.field][rows], blank[column.field][rows])  # (no copy when every row is a unit's)
            values[column.field] = self._column(column, order, raw, empty, excel_rows, bad, values, found)
        self._row_checks(values, excel_rows, bad, found)
        for n, _, _, col, message in sorted(found, key=lambda p: p[:3]):
            self.problem(self.label, n, col, message)
        self.chunks.append({**values, "__row__": excel_rows, "__bad__": bad})

    def _scale_of(self, column: Column, raw, excel_row: int):
        """The factor for this cell: its number format's, else its header's."""
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and column.kind in (
                "int", "money", "rate_or_number"):
            by_format = self.table.cells.scales.get((excel_row, self.positions[column.field] + 1))
            if by_format is not None:
                return by_format
        return self.scales.get(column.field, Decimal(1))

    def _column(self, column: Column, order: int, raw: np.ndarray, empty: np.ndarray, excel_rows, bad, values,
                found) -> np.ndarray:
        """Parsed values of one column (None where blank or wrong); problems go to `found`."""
        kind, field = column.kind, column.field
        numeric = kind in ("int", "money", "year", "founded_year")
        out = np.full(len(raw), np.nan if numeric else None, dtype=float if numeric else object)
        todo = ~empty
        formulas = self.table.formulas and self.table.cells.formulas  # formula cells with no value
        if empty.any() and (column.required or formulas and kind in ("int", "money")):
            j = self.positions[field] + 1
            for k in np.flatnonzero(empty):
                n = int(excel_rows[k])
                if (column.required or kind in ("int", "money")) and self.table.formulas and \
                        (n, j) in self.table.cells.formulas:
                    found.append((n, 0, order, column.zh, "单元格是公式但没有计算结果：请在 Excel/WPS 中打开、保存后再导入"))
                    bad[k] = True
                elif column.required:
                    found.append((n, 0, order, column.zh, "不能为空"))
                    bad[k] = True
        if not todo.any():
            return out
        given = raw[todo]
        plain = pd.api.types.infer_dtype(given, skipna=False)
        done = np.zeros(len(given), dtype=bool)
        result = np.empty(len(given), dtype=float if numeric else object)
        j = self.positions[field] + 1
        if numeric and plain in (*_FAST_NUMBERS, "string") and field not in self.scales \
                and j not in self.scaled_columns:
            if plain == "string":  # a CSV: plain ASCII digits are read here, anything else by _parse
                digits = np.fromiter((v.isascii() and v.isdigit() and len(v) <= 15 for v in given), bool, len(given))
                number = np.full(len(given), np.nan)
                number[digits] = np.fromiter(map(int, given[digits]), float, int(digits.sum()))
            else:
                number = given.astype(float)
            low, high = {"int": (0, MAX_COUNT), "money": (0, MAX_YUAN), "year": (FIRST_YEAR, last_year()),
                         "founded_year": (1925, last_year())}[kind]
            with np.errstate(invalid="ignore"):
                done = np.isfinite(number) & (number == np.floor(number)) & (number >= low) & (number <= high)
            result[done] = number[done]
        elif kind == "text" and plain == "string":
            stripped = np.array([v.strip() for v in given], dtype=object)
            done = np.array([bool(v) and v[0] != "'" for v in stripped], dtype=bool)
            result[done] = stripped[done]
        elif kind == "credit" and plain == "string":
            done = _plain_credits(given)
            result[done] = given[done]
        elif kind in ("region", "industry", "ownership", "program", "status", "flag", "region_kind") \
                and plain == "string":
            codes, uniques = pd.factorize(given)
            memo = self.memo.setdefault(field, {})
            parsed = []
            for u in uniques:
                if u not in memo:
                    try:
                        memo[u] = (True, _parse(column, u, self.lookups, {}, Decimal(1)))
                    except _Bad as exc:
                        memo[u] = (False, str(exc))
                parsed.append(memo[u])
            ok = np.array([p[0] for p in parsed], dtype=bool)[codes]
            done = ok & (kind != "region_kind")  # a region kind's notice is given cell by cell below
            mapped = np.array([p[1] for p in parsed], dtype=object)[codes]
            result[done] = mapped[done]
        # Everything else, cell by cell: the exact value or message _parse gives.
        positions = np.flatnonzero(todo)
        for k in np.flatnonzero(~done):
            row, n, cell = positions[k], int(excel_rows[positions[k]]), given[k]
            scale = self._scale_of(column, cell, n)
            try:
                if isinstance(scale, str):
                    raise _Bad(f"{scale}：请把这一格改为常规或数值格式，并填写以元（或人、家）为单位的数")
                row_values = {"indicator": values["indicator"][row]} if "indicator" in values else {}
                value = _parse(column, cell, self.lookups, row_values, scale)
            except _Bad as exc:
                found.append((n, 0, order, column.zh, str(exc)))
                bad[row] = True
                result[k] = np.nan if numeric else None
                continue
            result[k] = value
            if kind == "region_kind" and value != _norm(cell):
                self.notice(self.label, n, column.zh, f"类型「{cell}」按「{value}」保存")
        out[todo] = result
        if kind == "credit":
            self._credit_notices(column, out, excel_rows)
        return out

    def _credit_notices(self, column: Column, codes: np.ndarray, excel_rows) -> None:
        given = np.flatnonzero(pd.notna(codes))
        if not len(given):
            return
        check, last = _check_chars(codes[given])
        for k in np.flatnonzero(check != last):
            code, want = codes[given[k]], check[k]
            why = f"校验位应为「{want}」" if want else "含有标准不用的字母（I、O、S、V、Z）"
            self.notice(self.label, int(excel_rows[given[k]]), column.zh,
                        f"统一社会信用代码「{code}」不符合 GB 32100（{why}）：可能抄错了，请核对")

    def _row_checks(self, values: dict, excel_rows, bad: np.ndarray, found) -> None:
        """part ≤ whole, then the unit rules, on rows whose cells are all right."""
        spec = self.spec
        names = {c.field: c.zh for c in spec.columns}
        clean = ~bad
        for order, (part, whole) in enumerate(spec.ordered):
            a, b = values.get(part), values.get(whole)
            if a is None or b is None:
                continue
            with np.errstate(invalid="ignore"):
                over = clean & (a > b)  # NaN (blank) compares False
            for k in np.flatnonzero(over):
                found.append((int(excel_rows[k]), 1, order, names[part],
                              f"{names[part]}（{int(a[k])}）不能大于{names[whole]}（{int(b[k])}）"))
                bad[k] = True
        if spec.table == "unit_year":
            members = np.nan_to_num(values["members"].astype(float), nan=0.0)
            for k in np.flatnonzero(clean & (values["union_status"] == "none") & (members > 0)):
                found.append((int(excel_rows[k]), 2, 0, "会员人数",
                              "未建会单位的会员人数应为 0；如已加入联合工会，建会情况请填“联合工会”"))
                bad[k] = True
            founded, year = values["union_founded_year"], values["year"]
            with np.errstate(invalid="ignore"):
                late = clean & (founded > year)
            for k in np.flatnonzero(late):
                found.append((int(excel_rows[k]), 2, 1, "建会年份", f"建会年份 {int(founded[k])} 晚于统计年度 {int(year[k])}"))
                bad[k] = True

    def result(self):
        if self.hidden:
            self.notice(self.label, None, "", f"{_ranges(self.hidden)}是隐藏行，已照常导入：请确认这些行应当计入")
        # One frame at the end, its text left as Python objects (dtype object): _finish finds
        # repeated keys among them (far quicker than among new Arrow text), then _store_values
        # makes each column what the store takes, once.
        body = pd.DataFrame({k: pd.Series(np.concatenate([c[k] for c in self.chunks]), dtype=v.dtype)
                             for k, v in self.chunks[0].items()}) if self.chunks else None
        return self.spec, self.label, body, self.totals


def _total_record(spec: Sheet, cells: dict, label: str, lookups, scale_of, problem) -> dict:
    """A total row: its stated figures (parsed like any row's) and the group it sums: its
    township (from the 乡镇 cell, or the name: "城关镇小计"), else for 小计 the rows since the
    last total and for 合计/总计 the whole sheet; within its year when it names one."""
    word = _total_word(label)
    record = {"__total__": True, "__label__": label.strip(), "__sub__": word == "小计"}
    region, named = None, ""
    if not _blank(cells.get("region_code")):
        named = str(cells["region_code"]).strip()
        region = lookups["region"].get(_key(named))
    if region is None:
        named = _norm(label)
        for w in (*TOTAL_WORDS, *TOTAL_WORDS_EN):
            named = re.sub(w, "", named, flags=re.IGNORECASE)
        named = named.strip(":：-—()")
        region = lookups["region"].get(_key(named))
    record["__region__"], record["__region_name__"] = region, named
    try:
        record["__year__"] = _year(cells["year"]) if not _blank(cells.get("year")) else None
    except _Bad:
        record["__year__"] = None
    for c in spec.columns:
        raw = cells.get(c.field)
        if c.kind not in ("int", "money") or _blank(raw):
            continue
        scale = scale_of(c, raw)
        try:
            if isinstance(scale, str):
                raise _Bad(scale)
            record[c.field] = _whole(raw, scale)
        except _Bad as exc:
            problem(c.zh, f"合计行：{exc}")
    return record


def _file_regions(sheets: list[_Sheet]) -> pd.DataFrame | None:
    """Townships the file's 乡镇 sheet defines, read loosely: they only extend the lookups;
    the sheet itself is validated like any other (its rows are kept for that: a short sheet)."""
    for sheet in sheets:
        if sheet.found is None or sheet.found[1] is None or sheet.found[1].table != "regions":
            continue
        start, spec = sheet.found
        rest = list(sheet.rest)
        sheet.rest, sheet.streamed = iter(rest), False
        rows = [r for i, r in sheet.head if i > start and r is not None] + [r for _, r in rest if not _row_blank(r)]
        if not rows:
            continue
        idx = {}
        for j, h in enumerate(dict(sheet.head)[start]):
            column = _column_for(spec, h) if not _blank(h) else None
            if column is not None:
                idx.setdefault(column[0].field, j)
        return pd.DataFrame([{c.field: (str(r[idx[c.field]]).strip()
                                        if c.field in idx and idx[c.field] < len(r) and not _blank(r[idx[c.field]])
                                        else "") for c in spec.columns} for r in rows])
    return None



def _row_rules(spec: Sheet, record: dict, problem) -> bool:
    """Rules within one row beyond part ≤ whole."""
    bad = False
    if spec.table == "unit_year":
        if record.get("union_status") == "none" and (record.get("members") or 0) > 0:
            problem("会员人数", "未建会单位的会员人数应为 0；如已加入联合工会，建会情况请填“联合工会”")
            bad = True
        founded, year = record.get("union_founded_year"), record.get("year")
        if founded is not None and year is not None and founded > year:
            problem("建会年份", f"建会年份 {founded} 晚于统计年度 {year}")
            bad = True
    return bad


def _finish(spec: Sheet, sheet_label: str, body: pd.DataFrame | None, totals: list[tuple[int, dict]], batch,
            problem, notice):
    """Check total rows against their group, then drop them; check duplicates; return the sheet's
    good rows as a frame in store columns. `body` holds every row that is not a total, with the
    values that parsed (None where a cell was blank or wrong) and whether the row is bad."""
    numeric = [c for c in spec.columns if c.kind in ("int", "money")]
    last = 0  # row of the last total: a 小计 without a township sums the rows since
    for n, record in totals:
        region, year = record["__region__"], record["__year__"]
        rows = body if body is not None else pd.DataFrame(columns=["__row__", "year", "region_code"])
        in_year = rows["year"] == year if year is not None and "year" in rows else np.ones(len(rows), dtype=bool)
        if region is not None:
            group = rows[(rows["region_code"] == region) & in_year] if "region_code" in rows else rows.iloc[:0]
            what = f"{record['__region_name__']}各行"
        elif record["__sub__"]:
            group, what = rows[(rows["__row__"] > last) & (rows["__row__"] < n)], "上一个合计行之后各行"
        else:
            group, what = rows[in_year], "本表各行"
        last = n
        batch.totals_checked += 1
        ok = True
        for c in numeric:
            if c.field not in record:
                continue
            summed = int(group[c.field].dropna().astype("int64").sum()) if c.field in group else 0
            if record[c.field] != summed:
                problem(sheet_label, n, c.zh, f"合计行为 {record[c.field]}，但{what}相加为 {summed}"
                                              f"（「{record['__label__']}」）")
                ok = False
        if ok:
            notice(sheet_label, n, "", f"「{record['__label__']}」是合计行：已与{what}核对一致，未作为数据导入")
    if body is None:
        return None
    good = body[~body["__bad__"]]
    keys = good[list(spec.unique)].astype(object)
    keys = keys.where(keys.notna() & (keys != 0), "")  # as `value or ""`
    repeated = keys.duplicated(keep="first").to_numpy()
    if repeated.any():
        first = good["__row__"].groupby([keys[f] for f in spec.unique], dropna=False, sort=False).transform("first")
        for i in np.flatnonzero(repeated):
            key = keys.iloc[i]
            problem(sheet_label, int(good["__row__"].iloc[i]), "",
                    f"与第{int(first.iloc[i])}行重复（{'、'.join(_shown(k) for k in key)}）")
    if good.empty:
        return None
    frame = pd.DataFrame({c.field: _store_values(good[c.field], c.kind) for c in spec.columns})
    for column in spec.columns:  # an optional key left blank or left out: '' (the county, not broken down)
        if column.kind in ("region", "industry", "ownership") and not column.required:
            frame[column.field] = frame[column.field].fillna("")
    if spec.table == "regions":
        frame["name_en"] = frame["name_en"].where(frame["name_en"].notna(), frame["name_zh"])
    frame["__row__"] = good["__row__"].to_numpy()
    return frame


def _shown(value) -> str:
    """A key value as a duplicate's message shows it (a year is 2024, not 2024.0)."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _store_values(values: pd.Series, kind: str) -> pd.Series:
    """A column as the store takes it: whole numbers as integers (float with NaN where some are
    not reported, None when none are), text as it is (object: str or None), the rest as pandas
    infers it (bool)."""
    values = values.reset_index(drop=True)
    if kind in ("int", "money", "year", "founded_year"):
        if values.isna().all():
            return pd.Series([None] * len(values), dtype=object)
        return values.astype("int64") if values.notna().all() else values.astype(float)
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values  # text stays Python's: DuckDB reads it as fast as Arrow text, and copying it costs
    return pd.Series(values.tolist())  # the dtype pandas infers, as for the rows of a file before


def _cross_checks(batch: Batch, problem) -> None:
    units, totals = batch.frames.get("unit_year"), batch.frames.get("region_year")
    if units is not None and totals is not None:
        both = set(zip(units["year"], units["region_code"])) & set(zip(totals["year"], totals["region_code"]))
        for year, region in sorted(both):
            problem(BY_TABLE["region_year"].zh, None, "乡镇",
                    f"{region} 的 {year} 年数据同时按单位和按汇总填报：同一乡镇同一年只能选一种")


def _totals_alongside_rows(batch: Batch, problem, report_up: bool = False) -> None:
    """A township's one row of totals (no industry, no ownership) with other rows of the same
    township and year would count its figures twice; the same for the county's own flow row
    (township blank) alongside townships' rows of that year. A report-up file is made by this
    product, not typed: there the row without industry and ownership is the part of the county's
    figures its townships did not break down (a township's totals, the county's own row), added to
    the other rows exactly as the county's store adds them."""
    for table in ("region_year", "inspections", "arrears") if not report_up else ():
        frame = batch.frames.get(table)
        if frame is None or "industry_code" not in frame:
            continue
        whole = (frame["industry_code"] == "") & (frame["ownership_code"] == "")
        for (year, region), rows in frame.groupby(["year", "region_code"]):
            if len(rows) > 1 and whole[rows.index].any():
                problem(BY_TABLE[table].zh, int(rows.loc[whole[rows.index], "__row__"].iloc[0]), "行业门类",
                        f"{region or '全县'} {year} 年既有不分行业、所有制的合计行，又有分行业或所有制的行：数字会重复计算，请只保留一种")
    for table in ("region_year", "inspections", "arrears", "aid", "subsidies"):
        frame = batch.frames.get(table)
        if frame is None:
            continue
        for year, rows in frame.groupby("year"):
            county = rows[rows["region_code"] == ""]
            if len(county) and len(county) < len(rows):
                problem(BY_TABLE[table].zh, int(county["__row__"].iloc[0]), "乡镇",
                        f"{year} 年既有全县合计（乡镇留空）又有各乡镇的行：数字会重复计算，请只保留一种")


def _township_clashes(batch: Batch, reference: Reference, problem) -> None:
    """Every code and name of a township (compared as the lookups compare them: full-width,
    spaces and case aside) must belong to one township, or the rows naming it would silently go
    to whichever township was read last. A file row with a store township's exact code restates
    that township (it may rename it); any other clash is refused."""
    incoming = batch.frames.get("regions")
    if incoming is None:
        return
    label, columns = BY_TABLE["regions"].zh, {"code": "乡镇代码", "name_zh": "乡镇名称", "name_en": "英文名称"}
    owners: dict[str, tuple[str, str, int | None]] = {}  # key → (code, Chinese name, file row)
    restated = set(incoming["code"])
    for r in reference.regions.itertuples():
        if r.code not in restated:
            for name in (r.code, r.name_zh, r.name_en):
                if isinstance(name, str) and _key(name):
                    owners.setdefault(_key(name), (r.code, r.name_zh, None))
    for r in incoming.to_dict("records"):
        for key_field, column in columns.items():
            key = _key(r[key_field]) if isinstance(r[key_field], str) else ""
            other = owners.get(key)
            if not key or other is not None and other[0] == r["code"]:
                continue
            if other is None:
                owners[key] = (r["code"], r["name_zh"], r["__row__"])
                continue
            where = f"第{other[2]}行" if other[2] else "已有"
            problem(label, r["__row__"], column,
                    f"「{r[key_field]}」与{where}的乡镇「{other[1]}」（代码 {other[0]}）的代码或名称相同"
                    "（不区分全角半角、大小写和空格）：每个乡镇的代码和名称都不能与别的乡镇重复")


# --- the whole import: validate → build a candidate snapshot → preview → publish -----------------

@dataclass
class Prepared:
    batch: Batch
    candidate: snapshots.Candidate | None = None
    no_change: bool = False
    mode: str = "replace"  # what unit rows do to their township-years: see MODES
    warnings: list[str] = field(default_factory=list)  # shown above the preview: see name_warnings()


def reference_for(path: Path) -> Reference:
    """Townships an import may use: the store's, unless the store holds the demo county (an
    import replaces the demo wholesale, so its townships do not count)."""
    from . import snapshots, store
    if not store.resolve(path).exists() or snapshots.base_is_demo(path):
        return Reference(pd.DataFrame(columns=["code", "name_zh", "name_en"]))
    return Reference(store.query("regions", path=path)[["code", "name_zh", "name_en"]])


def _store_reference(path: Path) -> Reference:
    """Townships an edit may use: the store's (none yet in a new store)."""
    from . import store
    if not store.resolve(path).exists():
        return Reference(pd.DataFrame(columns=["code", "name_zh", "name_en"]))
    return Reference(store.query("regions", path=path)[["code", "name_zh", "name_en"]])


def write_edit(path: Path, make):
    """Build an edit with make() and publish it as one write under the store's lock, so nothing is
    published between the build and the switch. make() returns a Prepared, or a tuple whose first
    item is one; write_edit returns what make() returned."""
    from . import snapshots
    with snapshots.writer_lock(path):
        made = make()
        prepared = made[0] if isinstance(made, tuple) else made
        if prepared.candidate is not None:
            snapshots.publish(prepared.candidate)
    return made


def edit_targets(path: Path, year: int, rows: list[dict], note: str, user: str | None = None) -> Prepared:
    """Targets and the county note for one year, as typed on the data page: the targets are
    validated exactly like an imported 目标 sheet; they replace that year's targets."""
    header = [c.zh for c in BY_TABLE["targets"].columns]
    county = {"", "全县", None}
    body = [[year, r.get("指标"), None if r.get("乡镇") in county else r.get("乡镇"), r.get("目标值")] for r in rows
            if any(not _blank(r.get(k)) for k in ("指标", "目标值"))]
    name = "页面编辑.xlsx"
    if body:
        batch = validate_rows(name, {BY_TABLE["targets"].zh: [header, *body]}, _store_reference(path))
        if batch.problems:
            return Prepared(batch)
    else:
        batch = Batch(file_name=name, sha256="")
    batch.frames["notes"] = pd.DataFrame({"year": [year], "region_code": [""], "text": [note or ""]})
    batch.action, batch.whole_target_years = "edit", (year,)
    return _build(path, batch, user, None)


YEAR_BASES = ("calendar", "survey")


def edit_settings(path: Path, county_zh: str, county_en: str, year_basis: str, user: str | None = None,
                  rules=None) -> Prepared:
    """County name and year basis (calendar year, or the ACFTU survey year Oct 1 – Sep 30); with
    `rules` (an attainment.Rules) also the 接近目标 margins and the 样本少 threshold."""
    from . import attainment
    batch = Batch(file_name="页面编辑.xlsx", sha256="")
    if year_basis not in YEAR_BASES:
        batch.problems.append(Problem(batch.file_name, "", None, "年度口径", "应为自然年或工会统计年度"))
    if rules is not None:
        for column, message in attainment.validate(rules.near_ratio, rules.near_points, rules.small_n):
            batch.problems.append(Problem(batch.file_name, "", None, column, message))
    if batch.problems:
        return Prepared(batch)
    batch.settings = {"county_name_zh": county_zh.strip(), "county_name_en": county_en.strip(),
                      "year_basis": year_basis}
    if rules is not None:
        batch.settings.update({attainment.SETTING_KEYS["near_ratio"]: f"{rules.near_ratio:g}",
                               attainment.SETTING_KEYS["near_points"]: f"{rules.near_points:g}",
                               attainment.SETTING_KEYS["small_n"]: str(int(rules.small_n))})
    batch.action = "edit"
    return _build(path, batch, user, None)


def edit_map(path: Path, file_name: str, data: bytes | None, user: str | None = None) -> Prepared:
    """Township outlines from an uploaded GeoJSON file, kept in the settings table (the maps draw
    them instead of the schematic); `data` None removes them. A bad file changes nothing."""
    import json

    from . import maps, store
    batch = Batch(file_name=file_name, sha256=hashlib.sha256(data or b"").hexdigest())
    if data is None:
        batch.settings = {maps.SETTING: ""}
    else:
        regions = store.query("regions", path=path)
        shapes, problems = maps.parse(data, file_name, dict(zip(regions["code"], regions["name_zh"])))
        if problems:
            batch.problems = [Problem(file_name, "", None, "", message.split("：", 1)[1]) for message in problems]
            return Prepared(batch)
        batch.settings = {maps.SETTING: json.dumps(shapes, ensure_ascii=False, separators=(",", ":"))}
    batch.action = "edit"
    return _build(path, batch, user, None)


def prepare(path: Path, name: str, data: bytes, user: str | None = None, progress=None,
            scratch: Path | None = None, mode: str = "replace") -> Prepared:
    """Validate and, if clean, build the candidate snapshot. Nothing in force changes.
    `scratch`: build the candidate in that folder and log nothing (a dry run writes nothing).
    `mode`: "replace" (the file's unit rows are the whole register of their township-years:
    units in force there and not in the file are removed, see removals()) or "merge" (units are
    added or updated, none removed). Township totals and the other tables always replace by
    year and township."""
    from . import snapshots
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    reference = reference_for(path)
    batch = read(name, data, reference)
    if not batch.ok:
        if scratch is None:
            snapshots.log_rejected(path, batch, user)
        return Prepared(batch, mode=mode)
    batch.settings.update(_county_labels(reference, batch))
    prepared = _build(path, batch, user, progress, scratch, mode)
    if prepared.candidate is not None:  # warnings between years (issue #15): the import goes ahead
        from . import store, yearchecks
        batch.notices.extend(yearchecks.notices(prepared.candidate.file, batch))
        store.forget(prepared.candidate.file)
        prepared.warnings = name_warnings(name, batch, reference, prepared.candidate.base_file)
    return prepared


def _county_labels(reference: Reference, batch: Batch) -> dict[str, str]:
    """A first import whose regions are all counties (县/区/市: county report-up files into a city
    federation's store) makes the pages say 县（市、区） and 全市 instead of 乡镇 and 全县."""
    from . import i18n
    regions = batch.frames.get("regions")
    if not reference.regions.empty or regions is None or regions.empty \
            or not regions["kind"].isin(COUNTY_KINDS).all():
        return {}
    return dict(i18n.COUNTY_LABELS)


def build_edit(path: Path, batch: Batch, user: str | None = None) -> Prepared:
    """An edit validated by its caller (batch.settings, frames) built as a candidate snapshot."""
    batch.action = "edit"
    return _build(path, batch, user, None)


def _build(path: Path, batch: Batch, user, progress, scratch: Path | None = None,
           mode: str = "replace") -> Prepared:
    import duckdb

    from . import snapshots
    try:
        candidate = snapshots.build_candidate(path, batch, user, progress, folder=scratch, mode=mode)
    except (snapshots.UnitClash, snapshots.MergeWouldRemove, snapshots.DoubleCounted) as exc:
        _refused(batch, exc)
        if scratch is None:
            snapshots.log_rejected(path, batch, user)
        return Prepared(batch, mode=mode)
    except (duckdb.ConstraintException, duckdb.ConversionException, duckdb.OutOfRangeException) as exc:
        # The checks above should make this unreachable; if data still breaks a store rule, say
        # so instead of a traceback (build_candidate has removed its half-built file).
        batch.problems.append(Problem(batch.file_name, "", None, "",
                                      f"数据不符合数据库的规则，没有导入（{exc.__class__.__name__}：{str(exc)[:200]}）"))
        batch.frames = {}
        if scratch is None:
            snapshots.log_rejected(path, batch, user)
        return Prepared(batch, mode=mode)
    if snapshots.unchanged(candidate):
        snapshots.discard(candidate)
        return Prepared(batch, None, no_change=True, mode=mode)
    return Prepared(batch, candidate, mode=mode)


HEADLINE_PREVIEW = ("units", "unionization_rate", "members", "membership_rate", "unions_new",
                    "arrears_recovered_yuan", "aid_yuan")


PREVIEW_COLUMNS = ("年度", "指标", "code", "导入前", "导入后")
ROW_COUNT_COLUMNS = ("导入前行数", "导入后行数")  # preview()'s row counts, before and after


def preview(prepared: Prepared) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows per table and year before → after, headline indicators before → after). A file
    of townships or targets only has rows to show and no headline figures."""
    from . import indicators, store
    candidate = prepared.candidate
    frames = prepared.batch.frames
    counts = []
    for table, frame in frames.items():
        if table not in BY_TABLE:
            continue
        years = sorted({int(y) for y in frame["year"].unique()}) if "year" in frame else [None]
        for year in years:
            shown = [year] if year is not None else None
            before, after = _count(candidate.base_file, table, shown), _count(candidate.file, table, shown)
            if before or after:
                counts.append(dict(zip(("表", "年度", *ROW_COUNT_COLUMNS),
                                       (BY_TABLE[table].zh, str(year) if year is not None else "全部", before, after))))
    # Targets and others' reference figures change no county figure: no headline to show for them.
    years = sorted({int(y) for t, f in frames.items() if "year" in f and t not in ("targets", "reference_figures")
                    for y in f["year"].unique()})
    changes = []
    for year in years:
        old = indicators.summary(year, path=candidate.base_file) if candidate.base_file else {}
        new = indicators.summary(year, path=candidate.file)
        for code in HEADLINE_PREVIEW:
            changes.append({"年度": year, "指标": catalog.get(code).name_zh, "code": code,
                            "导入前": old.get(code), "导入后": new.get(code)})
    store.forget(candidate.file)
    return (pd.DataFrame(counts, columns=["表", "年度", *ROW_COUNT_COLUMNS]),
            pd.DataFrame(changes, columns=list(PREVIEW_COLUMNS)))


def _count(file: Path | None, table: str, years: list[int] | None = None, region: str | None = None) -> int:
    """Rows of one table in a store (of those years, of that region)."""
    from . import store
    if file is None:
        return 0
    where = [("list_contains(?, year)", years), ("region_code = ?", region)]
    where = [(sql, value) for sql, value in where if value is not None]
    with store.cursor(file) as cur:
        if table not in store.tables_of(cur):
            return 0  # a store of an older format, before this table existed
        clause = " AND ".join(sql for sql, _ in where)
        return int(cur.execute(f"SELECT count(*) FROM {table}" + (f" WHERE {clause}" if clause else ""),
                               [value for _, value in where]).fetchone()[0])  # table from SHEETS, values bound


# --- a file named for one region that holds another's rows ---------------------------------------

# Kind words a file name may leave off a region's name (城关镇 → 城关, 示例县 → 示例).
_KIND_SUFFIXES = tuple(REGION_KIND_WORDS)
_DATA_TABLES = ("unit_year", "region_year", "inspections", "arrears", "aid", "subsidies")


def _name_keys(code: str, name_zh: str, name_en: str) -> set[str]:
    """How a file name may name a region: its Chinese name, with or without the kind word, its
    English name or its code; CJK from two characters, other text from four (a code like "hx"
    would be found in too many names)."""
    words = {name_zh, name_en, code}
    words |= {name_zh[:-len(s)] for s in _KIND_SUFFIXES if isinstance(name_zh, str) and name_zh.endswith(s)}
    keys = {_key(w) for w in words if isinstance(w, str)}
    return {k for k in keys if len(k) >= (4 if k.isascii() else 2)}


def name_warnings(file_name: str, batch: Batch, reference: Reference, base_file: Path | None) -> list[str]:
    """A file whose name names one region (南山乡2024.xlsx, 乙县_2024年_上报汇总.xlsx) but whose
    rows belong to another: one warning per other region, saying which of its figures in force
    the import would replace. A slip of this kind (the wrong file picked, a sheet copied from
    another township's) is not refused, since a file name is no rule, but it must be seen before
    the import is confirmed. A name that names no known region warns nothing."""
    regions = pd.concat([reference.regions[["code", "name_zh", "name_en"]],
                         *([batch.frames["regions"][["code", "name_zh", "name_en"]]]
                           if "regions" in batch.frames else [])]).drop_duplicates("code", keep="last")
    stem = _key(Path(file_name).stem)
    names = dict(zip(regions["code"], regions["name_zh"]))
    named = [r.code for r in regions.itertuples()
             if any(k in stem for k in _name_keys(r.code, r.name_zh, r.name_en))]
    if not named:
        return []
    found: dict[str, dict[str, set[int]]] = {}  # region → table → years, of rows not of a named region
    for table in _DATA_TABLES:  # figures; targets and notes aside
        frame = batch.frames.get(table)
        if frame is None or "region_code" not in frame:
            continue
        for year, region in zip(frame["year"], frame["region_code"]):
            if region and region not in named:
                found.setdefault(region, {}).setdefault(table, set()).add(int(year))
    shown = "、".join(names.get(c) or c for c in named)
    order = {code: i for i, code in enumerate(regions["code"])}
    out = []
    for region in sorted(found, key=lambda c: (order.get(c, len(order)), c)):
        name = names.get(region) or region
        span = sorted(set().union(*found[region].values()))
        when = "、".join(str(y) for y in span) + " 年"
        existing = {table: _count(base_file, table, sorted(years), region)
                    for table, years in found[region].items()}
        replaced = "、".join(f"{BY_TABLE[t].zh} {n} 行" for t, n in existing.items() if n)
        what = (f"导入将替换{name} {when}已有的数据（{replaced}）" if replaced
                else f"导入后这些数据将记在{name}名下")
        out.append(f"文件名「{file_name}」写的是{shown}，但文件中有{name}（{when}）的数据：{what}。"
                   "请核对是否选错了文件、「乡镇」列是否填错；确认无误再导入（导入后也可撤销）。")
    return out


# --- replace or merge: what an import removes ----------------------------------------------------

MODES = ("replace", "merge")
MODE_NAMES = {"replace": "替换", "merge": "合并"}
REMOVAL_COLUMNS = ("年度", "乡镇", "单位名称", "统一社会信用代码")


def removals(prepared: Prepared) -> pd.DataFrame:
    """The units this import would delete (年度, 乡镇, 单位名称, 统一社会信用代码), one row per
    unit-year, exactly as the candidate differs from the data in force. Empty in merge mode, for
    a refused file, and when nothing changes."""
    removed = prepared.candidate.removed if prepared.candidate is not None else None
    if removed is None or removed.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "年度" else "object") for c in REMOVAL_COLUMNS})
    return pd.DataFrame({"年度": removed["year"].astype("int64"), "乡镇": removed["region_zh"],
                         "单位名称": removed["name"],
                         "统一社会信用代码": removed["credit_code"].where(removed["credit_code"].notna(), "")}
                        ).reset_index(drop=True)


def _refused(batch: Batch, exc: Exception) -> None:
    """An import the store's units refuse, as problems in the batch (nothing is written)."""
    from . import snapshots
    sheet = BY_TABLE["unit_year"].zh
    if isinstance(exc, snapshots.UnitClash):
        for year, name, rows in exc.rows:
            where = "、".join(f"第{r}行" for r in rows)
            batch.problems.append(Problem(
                batch.file_name, sheet, rows[-1] if rows else None, "统一社会信用代码",
                f"{where}在 {year} 年是同一家单位（统一社会信用代码相同，或与已有单位名称、乡镇相同），"
                f"同一单位每年只能有一行（{name}）"))
    elif isinstance(exc, snapshots.DoubleCounted):
        from .format import fmt_count
        for year, source, code, county, townships in exc.rows:
            table = {"stock": "region_year", "hardship": "aid", "model_worker": "aid"}.get(source, source)
            name = catalog.BY_CODE[code].name_zh if code in catalog.BY_CODE else code
            batch.problems.append(Problem(
                batch.file_name, BY_TABLE[table].zh, None, "乡镇",
                f"{year} 年的“{name}”既有全县合计（{fmt_count(county)}，乡镇留空）又有各乡镇的数（合计 {fmt_count(townships)}）："
                "全县数会重复计算。请只保留一种：改用各乡镇的数时，先撤销写入全县合计的那次导入"
                "（数据管理页“撤销”或 python -m unionstats undo），或在文件中去掉全县合计行"))
    elif isinstance(exc, snapshots.MergeWouldRemove):
        for year, region, count in exc.slices:
            batch.problems.append(Problem(
                batch.file_name, BY_TABLE["region_year"].zh, None, "乡镇",
                f"{region} {year} 年已有单位名册（{count} 家单位）：“合并”不删除任何单位，不能改为按乡镇汇总填报；"
                f"如要以汇总数替换该乡镇该年的单位名册，请选择“替换”（命令行加 --replace）"))
    batch.frames = {}


# --- a store of an older format ------------------------------------------------------------------

def upgrade(path: Path, user: str | None = None) -> Prepared:
    """The store in force rebuilt in the current format, data unchanged (no_change if it already is)."""
    from . import snapshots, store
    if store.setting("schema_version", path=path) == store.SCHEMA_VERSION:
        return Prepared(Batch(file_name="升级", sha256=""), no_change=True)
    batch = Batch(file_name="升级", sha256="", action="upgrade")
    return Prepared(batch, snapshots.build_candidate(path, batch, user))
