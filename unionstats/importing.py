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
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import catalog, dimensions, filelimits
from .exports import FORMULA_STARTS
from .sheets import (BY_TABLE, FLAG_WORDS, INSTRUCTIONS_ZH, LISTS_SHEET, NOT_BROKEN_DOWN, REGION_KINDS, SHEETS,
                     STATUS_WORDS, TOTAL_WORDS, Column, Sheet)

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
FIRST_YEAR = 2000

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
    totals_checked: int = 0
    whole_target_years: tuple[int, ...] = ()  # edits: these years' targets are replaced, not merged
    settings: dict[str, str] = field(default_factory=dict)  # edits: county name, year basis
    action: str = "import"

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.frames)

    def problems_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"文件": p.file, "工作表": p.sheet, "行": p.row, "列": p.column, "问题": p.message}
                             for p in self.problems], columns=["文件", "工作表", "行", "列", "问题"])


@dataclass(frozen=True)
class Reference:
    """What the file is checked against: townships already in the store (the file may add
    more), and the store's units, so that two rows of a year cannot land on one unit."""
    regions: pd.DataFrame  # code, name_zh, name_en
    units: pd.DataFrame | None = None  # unit_id, name, credit_code, region_code


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


_SCALE = {"万": 10_000, "亿": 100_000_000}


def _number(raw) -> float:
    if isinstance(raw, bool):
        raise _Bad("应为数字")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = _norm(raw).replace(",", "")
        match = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)(万|亿)?(元|人|家|户次|户|件|个)?", text)
        if not match:
            raise _Bad(f"「{raw}」不是数字")
        value = float(match.group(1)) * _SCALE.get(match.group(2) or "", 1)
    if not math.isfinite(value) or abs(value) > 1e15:  # 1e400 in a cell arrives as infinity
        shown = str(raw) if len(str(raw)) <= 24 else str(raw)[:20] + "…"
        raise _Bad(f"「{shown}」太大，不像是统计数字")
    return value


def _bounded(value: int, most: int, what: str) -> int:
    if value > most:
        raise _Bad(f"{value:,} 超过上限：{what}每一格不超过 {most:,}")
    return value


def _whole(raw) -> int:
    value = _number(raw)
    if value < 0:
        raise _Bad("不能为负数")
    if abs(value - round(value)) > 1e-9:
        raise _Bad(f"「{raw}」应为整数")
    return int(round(value))


def _rate_or_number(raw, indicator: str | None) -> float:
    is_rate = indicator in catalog.BY_CODE and catalog.get(indicator).is_rate
    text = _norm(raw) if not isinstance(raw, (int, float)) else None
    if is_rate:
        if text and text.endswith("%"):
            value = _number(text[:-1]) / 100
        else:
            value = _number(raw)
            if value > 1:
                raise _Bad(f"比率「{raw}」有歧义：请写成 75% 或 0.75")
        if not 0 <= value <= 1:
            raise _Bad("比率应在 0% 到 100% 之间")
        return value
    if text and text.endswith("%"):
        raise _Bad("这个指标不是比率，不能写百分号")
    value = _number(raw)
    if value < 0:
        raise _Bad("不能为负数")
    return _bounded(value, MAX_YUAN, "目标值")


def _year(raw, first: int = FIRST_YEAR) -> int:
    value = _whole(raw)
    last = dt.date.today().year + 1
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


def _parse(column: Column, raw, lookups, row_values: dict):
    kind = column.kind
    if kind == "text":
        text = _unquote(str(raw).strip())
        if not text:
            raise _Bad("不能为空")
        return text
    if kind == "int":
        return _bounded(_whole(raw), MAX_COUNT, "人数、单位数、件数")
    if kind == "money":
        return _bounded(_whole(raw), MAX_YUAN, "金额（元）")
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
        if _norm(raw) not in REGION_KINDS:
            raise _Bad(f"类型应为 {'、'.join(REGION_KINDS)} 之一")
        return _norm(raw)
    if kind == "rate_or_number":
        return _rate_or_number(raw, row_values.get("indicator"))
    raise AssertionError(kind)


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


def _read_csv(data: bytes) -> list[list[str]]:
    """Rows of a CSV, one per record, blank lines kept so row numbers match what Excel shows."""
    text = _decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise _Bad(f"文件超过 {MAX_ROWS:,} 行的上限", row=len(rows))
            if len(row) > MAX_COLUMNS:
                raise _Bad(f"这一行有 {len(row):,} 列，超过 {MAX_COLUMNS} 列的上限", row=len(rows))
    except csv.Error as exc:
        row = len(rows) + 1  # the record that failed, as Excel would number it
        lines = io.StringIO(text, newline="").readlines()
        first = lines[_record_start(rows, text) - 1] if lines else ""
        if "end of data" in str(exc):  # a quote opened in this record is never closed
            j = max(len(next(csv.reader([first]), [])) - 1, 0)  # the unclosed field is the last one
            header = next((r for r in rows if any(v.strip() for v in r)), [])
            column = header[j].strip() if j < len(header) and header[j].strip() else f"第{j + 1}列"
            raise _Bad("引号没有配对：这一格以引号开始，直到文件末尾都没有结束引号", row=row, column=column) from None
        if "expected after" in str(exc):
            raise _Bad(f"引号用法不对：「{first.strip()[:40]}」中引号之后应紧跟逗号；内容里的引号请写成两个（\"\"）",
                       row=row) from None
        if "field limit" in str(exc):
            raise _Bad(f"一格的内容超过 {csv.field_size_limit():,} 个字符，不像是统计数据", row=row) from None
        raise _Bad(f"无法读取这一行（{exc}）", row=row) from None
    return rows


def _record_start(rows: list[list[str]], text: str) -> int:
    """Physical line on which the record after `rows` starts (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    for _ in rows:
        next(reader, None)
    return reader.line_num + 1


def _read_tables(name: str, data: bytes) -> list[tuple[str, list[list]]]:
    """(sheet name, rows) for each sheet; CSV gives one nameless sheet."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return [("", _read_csv(data))]
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            filelimits.check(data, limits())  # before calamine: it aborts the process on a hostile file
        except filelimits.Refused as exc:
            raise _Bad(str(exc), sheet=exc.sheet) from None
        from python_calamine import CalamineWorkbook
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            return [(sheet, book.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
                    for sheet in book.sheet_names]
        except BaseException as exc:  # calamine raises its own types for every kind of damage, and on
            if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):  # some it panics: pyo3's
                raise  # PanicException is a BaseException
            raise _Bad(f"文件已损坏或不是有效的 Excel 文件（{exc.__class__.__name__}）") from None
    raise _Bad(f"不支持的文件类型「{suffix or '无扩展名'}」：请用 .xlsx、.xls 或 .csv")


def _formula_cells(data: bytes, sheet: str) -> set[tuple[int, int]]:
    """(row, col) of formula cells in an .xlsx sheet (1-based), to explain empty cached values."""
    import openpyxl
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        ws = book[sheet]
        return {(c.row, c.column) for row in ws.iter_rows() for c in row
                if getattr(c, "data_type", None) == "f"}
    except Exception:
        return set()


def _match_sheet(sheet_name: str, header: list) -> Sheet | None:
    if sheet_name:
        wanted = _key(sheet_name)
        return next((s for s in SHEETS if wanted in (_key(s.zh), _key(s.en), _key(s.table))), None)
    names = {_key(h) for h in header if not _blank(h)}
    has = lambda c: _key(c.zh) in names or _key(c.en) in names  # noqa: E731
    # Counts may be left out (not reported): the sheet is the one whose required columns are all
    # there and that recognises the most headers.
    fitting = [s for s in SHEETS if all(has(c) for c in s.columns if c.required)]
    return max(fitting, key=lambda s: sum(has(c) for c in s.columns), default=None)


# --- validating ------------------------------------------------------------------------------------

def read(name: str, data: bytes, reference: Reference) -> Batch:
    """Parse and validate one file. Nothing is written anywhere."""
    batch = Batch(file_name=Path(name).name, sha256=hashlib.sha256(data).hexdigest())
    file = batch.file_name

    def problem(sheet="", row=None, column="", message=""):
        batch.problems.append(Problem(file, sheet, row, column, message))

    if len(data) > MAX_BYTES:
        problem(message=f"文件超过 {MAX_BYTES // 1024 // 1024} MB 上限（{len(data) / 1024 / 1024:.1f} MB）")
        return batch
    if not data:
        problem(message="文件是空的")
        return batch
    try:
        tables = _read_tables(name, data)
    except _Bad as exc:
        problem(exc.sheet, exc.row, exc.column, str(exc))
        return batch

    lookups = _lookups(reference, _file_regions(tables))
    parsed: list[tuple[Sheet, str, list[dict], list[int]]] = []
    for sheet_name, rows in tables:
        if sheet_name in (INSTRUCTIONS_ZH, LISTS_SHEET):
            continue
        rows = [list(r) for r in rows]
        start = next((i for i, r in enumerate(rows) if any(not _blank(v) for v in r)), None)
        if start is None:
            continue  # an empty sheet in a workbook is fine; an empty file is caught below
        header = rows[start]
        spec = _match_sheet(sheet_name, header)
        if spec is None:
            expected = "、".join(s.zh for s in SHEETS)
            if sheet_name:
                problem(sheet_name, message=f"无法识别的工作表名称「{sheet_name}」，应为：{expected}")
            else:
                problem(message="无法识别这是哪一张表：表头与模板不符。请用模板的表头（见 python -m unionstats template）")
            continue
        sheet_label = sheet_name or spec.zh
        positions: dict[str, int] = {}
        by_name = {}
        for c in spec.columns:
            by_name[_key(c.zh)] = c
            by_name[_key(c.en)] = c
        for j, h in enumerate(header):
            if _blank(h):
                continue
            column = by_name.get(_key(h))
            if column is None:
                problem(sheet_label, start + 1, str(h), "无法识别的列名")
            elif column.field in positions:
                problem(sheet_label, start + 1, str(h), "列名重复")
            else:
                positions[column.field] = j
        missing = [c.zh for c in spec.columns if c.required and c.field not in positions]
        for m in missing:
            problem(sheet_label, start + 1, m, "缺少这一列")
        if missing:
            continue
        records, excel_rows = [], []
        formulas = None
        for i in range(start + 1, len(rows)):
            row = rows[i]
            cells = {f: (row[j] if j < len(row) else None) for f, j in positions.items()}
            if all(_blank(v) for v in cells.values()):
                continue
            excel_row = i + 1
            if not sheet_name and any(not _blank(v) for v in row[len(header):]):
                # CSV: an unquoted "1,000" splits one number into two cells and shifts the rest
                problem(sheet_label, excel_row, f"第{len(header) + 1}列",
                        f"这一行有 {len(row)} 格，比表头（{len(header)} 格）多：数字里的逗号会把一格拆成两格，"
                        "请写成 1000，或给整个数字加引号（\"1,000\"）")
                continue
            texts = [_key(v) for v in cells.values() if isinstance(v, str)]
            if any(t.startswith(w) for t in texts for w in TOTAL_WORDS):
                records.append({"__total__": True, **cells})
                excel_rows.append(excel_row)
                continue
            record, bad = {}, False
            for column in spec.columns:
                raw = cells.get(column.field)
                if _blank(raw):  # a blank count is "not reported" (NULL), never 0
                    if (column.required or column.kind in ("int", "money")) and column.field in positions \
                            and sheet_name and Path(name).suffix.lower() in (".xlsx", ".xlsm"):
                        if formulas is None:
                            formulas = _formula_cells(data, sheet_name)
                        if (excel_row, positions[column.field] + 1) in formulas:
                            problem(sheet_label, excel_row, column.zh,
                                    "单元格是公式但没有计算结果：请在 Excel/WPS 中打开、保存后再导入")
                            bad = True
                            continue
                    if column.required:
                        problem(sheet_label, excel_row, column.zh, "不能为空")
                        bad = True
                    record[column.field] = None
                    continue
                try:
                    record[column.field] = _parse(column, raw, lookups, record)
                except _Bad as exc:
                    problem(sheet_label, excel_row, column.zh, str(exc))
                    bad = True
            if not bad:
                for part, whole in spec.ordered:
                    if record.get(part) is not None and record.get(whole) is not None and record[part] > record[whole]:
                        names = {c.field: c.zh for c in spec.columns}
                        problem(sheet_label, excel_row, names[part],
                                f"{names[part]}（{record[part]}）不能大于{names[whole]}（{record[whole]}）")
                        bad = True
                bad |= _row_rules(spec, record, lambda col, msg: problem(sheet_label, excel_row, col, msg))
            records.append({"__bad__": bad, **record})
            excel_rows.append(excel_row)
        parsed.append((spec, sheet_label, records, excel_rows))

    if not parsed and not batch.problems:
        problem(message="文件中没有可导入的数据（工作表都是空的）")
    for spec, sheet_label, records, excel_rows in parsed:
        frame = _finish(spec, sheet_label, records, excel_rows, batch, problem)
        if frame is not None and len(frame):
            if spec.table in batch.frames:
                problem(sheet_label, message="同一张表在文件中出现了两次")
            batch.frames[spec.table] = frame
    if not batch.frames and not batch.problems:
        for _, sheet_label, _, _ in parsed:
            problem(sheet_label, message="只有表头，没有数据行：请在表头下面逐行填写数据")
    _cross_checks(batch, problem)
    _totals_alongside_rows(batch, problem)
    _township_clashes(batch, reference, problem)
    _same_unit_twice(batch, reference, problem)
    if batch.problems:
        batch.frames = {}
    return batch


def _file_regions(tables) -> pd.DataFrame | None:
    """Townships the file's 乡镇 sheet defines, read loosely: they only extend the lookups;
    the sheet itself is validated like any other."""
    for sheet_name, rows in tables:
        rows = [r for r in rows if any(not _blank(v) for v in r)]
        spec = _match_sheet(sheet_name, rows[0] if rows else [])
        if spec is None or spec.table != "regions" or len(rows) < 2:
            continue
        header = [_key(h) for h in rows[0]]
        idx = {c.field: next((j for j, h in enumerate(header) if h in (_key(c.zh), _key(c.en))), None)
               for c in spec.columns}
        return pd.DataFrame([{f: (str(r[j]).strip() if j is not None and j < len(r) and not _blank(r[j]) else "")
                              for f, j in idx.items()} for r in rows[1:]])
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


def _finish(spec: Sheet, sheet_label: str, records: list[dict], excel_rows: list[int], batch, problem):
    """Check 合计 rows and duplicates; return the sheet's rows as a frame in store columns."""
    body = [(r, n) for r, n in zip(records, excel_rows) if not r.get("__total__")]
    totals = [(r, n) for r, n in zip(records, excel_rows) if r.get("__total__")]
    numeric = [c for c in spec.columns if c.kind in ("int", "money")]
    for total, n in totals:
        batch.totals_checked += 1
        for c in numeric:
            raw = total.get(c.field)
            if _blank(raw):
                continue
            try:
                stated = _whole(raw)
            except _Bad as exc:
                problem(sheet_label, n, c.zh, f"合计行：{exc}")
                continue
            summed = sum(r.get(c.field) or 0 for r, _ in body)
            if stated != summed:
                problem(sheet_label, n, c.zh, f"合计行为 {stated}，但各行相加为 {summed}")
    seen: dict[tuple, int] = {}
    for record, n in body:
        if record.get("__bad__"):
            continue
        key = tuple(record.get(f) or "" for f in spec.unique)
        if key in seen:
            problem(sheet_label, n, "", f"与第{seen[key]}行重复（{'、'.join(str(k) for k in key)}）")
        else:
            seen[key] = n
    good = [{k: v for k, v in r.items() if not k.startswith("__")} for r, _ in body if not r.get("__bad__")]
    if not good:
        return None
    frame = pd.DataFrame(good)
    for column in spec.columns:  # an optional key left blank or left out: '' (the county, not broken down)
        if column.kind in ("region", "industry", "ownership") and not column.required:
            frame[column.field] = frame[column.field].fillna("") if column.field in frame else ""
    if spec.table == "regions":
        frame["name_en"] = frame["name_en"].where(frame["name_en"].notna(), frame["name_zh"])
    frame["__row__"] = [n for r, n in body if not r.get("__bad__")]
    return frame


def _cross_checks(batch: Batch, problem) -> None:
    units, totals = batch.frames.get("unit_year"), batch.frames.get("region_year")
    if units is not None and totals is not None:
        both = set(zip(units["year"], units["region_code"])) & set(zip(totals["year"], totals["region_code"]))
        for year, region in sorted(both):
            problem(BY_TABLE["region_year"].zh, None, "乡镇",
                    f"{region} 的 {year} 年数据同时按单位和按汇总填报：同一乡镇同一年只能选一种")


def _totals_alongside_rows(batch: Batch, problem) -> None:
    """A township's one row of totals (no industry, no ownership) with other rows of the same
    township and year would count its figures twice; the same for the county's own flow row
    (township blank) alongside townships' rows of that year."""
    for table in ("region_year", "inspections", "arrears"):
        frame = batch.frames.get(table)
        if frame is None or "industry_code" not in frame:
            continue
        whole = (frame["industry_code"] == "") & (frame["ownership_code"] == "")
        for (year, region), rows in frame.groupby(["year", "region_code"]):
            if len(rows) > 1 and whole[rows.index].any():
                problem(BY_TABLE[table].zh, int(rows.loc[whole[rows.index], "__row__"].iloc[0]), "行业门类",
                        f"{region or '全县'} {year} 年既有不分行业、所有制的合计行，又有分行业或所有制的行：数字会重复计算，请只保留一种")
    for table in ("inspections", "arrears", "aid", "subsidies"):
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
        for field, column in columns.items():
            key = _key(r[field]) if isinstance(r[field], str) else ""
            other = owners.get(key)
            if not key or other is not None and other[0] == r["code"]:
                continue
            if other is None:
                owners[key] = (r["code"], r["name_zh"], r["__row__"])
                continue
            where = f"第{other[2]}行" if other[2] else "已有"
            problem(label, r["__row__"], column,
                    f"「{r[field]}」与{where}的乡镇「{other[1]}」（代码 {other[0]}）的代码或名称相同"
                    "（不区分全角半角、大小写和空格）：每个乡镇的代码和名称都不能与别的乡镇重复")


def _unit_ids(base: pd.DataFrame | None, rows: pd.DataFrame) -> list[int]:
    """The unit each row would be filed under, by the rule of snapshots._match_units: the same
    credit code, else the same name and township, is the same unit."""
    by_credit, by_name, next_id = {}, {}, 1
    if base is not None and len(base):
        by_credit = {c: i for c, i in zip(base["credit_code"], base["unit_id"]) if isinstance(c, str) and c}
        by_name = {(n, r): i for n, r, i in zip(base["name"], base["region_code"], base["unit_id"])}
        next_id = int(base["unit_id"].max()) + 1
    ids = []
    for credit, name, region in zip(rows["credit_code"], rows["name"], rows["region_code"]):
        credit = credit if isinstance(credit, str) and credit else None
        unit = by_credit.get(credit) if credit else None
        if unit is None:
            unit = by_name.get((name, region))
        if unit is None:
            unit, next_id = next_id, next_id + 1
            by_name[(name, region)] = unit
            if credit:
                by_credit[credit] = unit
        ids.append(unit)
    return ids


def _same_unit_twice(batch: Batch, reference: Reference, problem) -> None:
    """Two rows of one year filed under one unit (one credit code for two names, say) would
    break the snapshot's one-row-per-unit-and-year key: name both rows."""
    units = batch.frames.get("unit_year")
    if units is None:
        return
    seen: dict[tuple, tuple] = {}
    rows = zip(_unit_ids(reference.units, units), units["year"], units["region_code"], units["name"],
               units["credit_code"], units["__row__"])
    for unit, year, region, name, credit, row in rows:
        first = seen.setdefault((year, unit), (region, name, credit, row))
        if first[3] == row or first[:2] == (region, name):
            continue  # the same name and township twice is reported as a duplicate row already
        how = "统一社会信用代码相同" if isinstance(credit, str) and credit and credit == first[2] else \
            "统一社会信用代码或单位名称与乡镇相同"
        problem(BY_TABLE["unit_year"].zh, row, "统一社会信用代码",
                f"与第{first[3]}行（{first[1]}）是同一家单位（{how}），同一年度只能有一行")


# --- the whole import: validate → build a candidate snapshot → preview → publish -----------------

@dataclass
class Prepared:
    batch: Batch
    candidate: "snapshots.Candidate | None" = None
    no_change: bool = False
    mode: str = "replace"  # what unit rows do to their township-years: see MODES


def reference_for(path: Path) -> Reference:
    """Townships an import may use: the store's, unless the store holds the demo county (an
    import replaces the demo wholesale, so its townships do not count)."""
    from . import snapshots, store
    if not store.resolve(path).exists() or snapshots.base_is_demo(path):
        return Reference(pd.DataFrame(columns=["code", "name_zh", "name_en"]))
    units = "units_v1" if store.setting("schema_version", path=path) == "1" else "units"
    return Reference(store.query("regions", path=path)[["code", "name_zh", "name_en"]],
                     store.query(units, path=path))


def _store_reference(path: Path) -> Reference:
    from . import store
    return Reference(store.query("regions", path=path)[["code", "name_zh", "name_en"]])


def edit_targets(path: Path, year: int, rows: list[dict], note: str, user: str | None = None) -> Prepared:
    """Targets and the county note for one year, as typed on the data page: the targets are
    validated exactly like an imported 目标 sheet; they replace that year's targets."""
    from . import template
    header = [c.zh for c in BY_TABLE["targets"].columns]
    county = {"", "全县", None}
    body = [[year, r.get("指标"), None if r.get("乡镇") in county else r.get("乡镇"), r.get("目标值")] for r in rows
            if any(not _blank(r.get(k)) for k in ("指标", "目标值"))]
    name = "页面编辑.xlsx"
    if body:
        data = template.sheet_bytes({BY_TABLE["targets"].zh: [header, *body]})
        batch = read(name, data, _store_reference(path))
        if batch.problems:
            return Prepared(batch)
    else:
        batch = Batch(file_name=name, sha256="")
    batch.frames["notes"] = pd.DataFrame({"year": [year], "region_code": [""], "text": [note or ""]})
    batch.action, batch.whole_target_years = "edit", (year,)
    return _build(path, batch, user, None)


YEAR_BASES = ("calendar", "survey")


def edit_settings(path: Path, county_zh: str, county_en: str, year_basis: str, user: str | None = None) -> Prepared:
    """County name and year basis (calendar year, or the ACFTU survey year Oct 1 – Sep 30)."""
    batch = Batch(file_name="页面编辑.xlsx", sha256="")
    if year_basis not in YEAR_BASES:
        batch.problems.append(Problem(batch.file_name, "", None, "年度口径", "应为自然年或工会统计年度"))
        return Prepared(batch)
    batch.settings = {"county_name_zh": county_zh.strip(), "county_name_en": county_en.strip(),
                      "year_basis": year_basis}
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
    batch = read(name, data, reference_for(path))
    if not batch.ok:
        if scratch is None:
            snapshots.log_rejected(path, batch, user)
        return Prepared(batch, mode=mode)
    return _build(path, batch, user, progress, scratch, mode)


def _build(path: Path, batch: Batch, user, progress, scratch: Path | None = None,
           mode: str = "replace") -> Prepared:
    import duckdb

    from . import snapshots
    try:
        candidate = snapshots.build_candidate(path, batch, user, progress, folder=scratch, mode=mode)
    except (snapshots.UnitClash, snapshots.MergeWouldRemove) as exc:
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
            before, after = _count(candidate.base_file, table, year), _count(candidate.file, table, year)
            if before or after:
                counts.append({"表": BY_TABLE[table].zh, "年度": str(year) if year is not None else "全部",
                               "导入前行数": before, "导入后行数": after})
    years = sorted({int(y) for t, f in frames.items() if "year" in f and t != "targets" for y in f["year"].unique()})
    changes = []
    for year in years:
        old = indicators.summary(year, path=candidate.base_file) if candidate.base_file else {}
        new = indicators.summary(year, path=candidate.file)
        for code in HEADLINE_PREVIEW:
            changes.append({"年度": year, "指标": catalog.get(code).name_zh, "code": code,
                            "导入前": old.get(code), "导入后": new.get(code)})
    store.forget(candidate.file)
    return (pd.DataFrame(counts, columns=["表", "年度", "导入前行数", "导入后行数"]),
            pd.DataFrame(changes, columns=list(PREVIEW_COLUMNS)))


def _count(file: Path | None, table: str, year: int | None) -> int:
    from . import store
    if file is None:
        return 0
    where, params = ("WHERE year = ?", [year]) if year is not None else ("", [])
    with store.cursor(file) as cur:
        return int(cur.execute(f"SELECT count(*) FROM {table} {where}", params).fetchone()[0])  # table from SHEETS


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
