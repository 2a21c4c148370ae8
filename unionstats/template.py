"""The Excel workbook staff fill in: instructions, one sheet per table with Chinese headers,
drop-down lists for township, industry section, ownership code and yes/no fields. Filled with
a store's data it is also the export that imports back unchanged."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import catalog, dimensions, exports, store
from . import format as fmt
from .sheets import (BY_TABLE, FLAG_WORDS, INSTRUCTIONS_ZH, LISTS_SHEET, PEOPLE, REFERENCE_BODIES, REFERENCE_SHEET,
                     REGION_KINDS, SHEETS, STATUS_WORDS)

HEADER_FILL = PatternFill("solid", fgColor="FCE4D6")
MAX_ROWS = 5000  # rows the drop-downs cover in an empty template

INSTRUCTIONS = (
    "工会统计年报导入模板",
    "",
    "1. 每张工作表对应一类数据，请勿改动工作表名称和第一行表头；不需要的工作表可以留空。",
    "2. 数字可写 1046、1,046 或 １０４６；金额可写 680000 或 68万元；比率写 75% 或 0.75。",
    "3. 乡镇、行业门类、所有制、建会情况、是/否 等列请从下拉列表中选择。",
    "4. 可以有“合计”“小计”行：导入时会核对它与本乡镇（或全表）各行之和是否一致，然后忽略该行。"
    "表头可以带单位，如“金额（万元）”；统一社会信用代码列请设为文本格式。",
    "5. 同一乡镇同一年，只能选择“单位”（逐家单位）或“乡镇汇总”（汇总数）之一。",
    "6. 再次导入同一乡镇、同一年度的“单位”数据时，若文件没有列出已有的某些单位，导入前会列出它们，由您选择"
    "“替换”（删除这些单位）或“合并”（保留它们，适合一个乡镇分几个文件报送）；“乡镇汇总”和其他各表总是按年度、乡镇整体替换。"
    "导入前可预览，导入后可撤销。",
    "7. 请尽量填写统一社会信用代码：单位改名、迁到其他乡镇或改制后，凭它仍算同一家单位；"
    "各年的乡镇、行业、所有制按当年填报，以后年度的变动不会改动以前年度的数字。",
    "8. 不要填写任何个人信息（姓名、身份证号、电话等）：本系统只统计单位和人数。",
    "9. 没有统计或没有公布的数字请留空，不要填 0：留空即“未填报”，不计为 0，比率只按两项都填报的计算。"
    "只有合计数、没有分行业或所有制时，行业门类、所有制留空或填“全部”；合同检查、欠薪、帮扶、补助只有全县数时，乡镇留空或填“全县”。",
    "10. 「参考数据」只作对照：全市、全省、全国或 ILO 公布的比率画在趋势图和年度对比里，不计入本县任何数字。",
    "",
    "各工作表：",
)


def _lists(regions: pd.DataFrame) -> dict[str, list[str]]:
    return {
        "region": list(regions["name_zh"]),
        "industry": [f"{c} {zh}" for c, zh, _ in dimensions.INDUSTRIES],
        "ownership": [f"{c} {zh}" for c, zh, _, _ in dimensions.OWNERSHIP],
        "status": [words[0] for words in STATUS_WORDS.values()],
        "flag": [FLAG_WORDS[True][0], FLAG_WORDS[False][0]],
        "program": [zh for _, zh, _, _ in dimensions.AID_PROGRAMS],
        "indicator": [ind.name_zh for ind in catalog.INDICATORS],
        "region_kind": list(REGION_KINDS),
        "body": [words[0] for words in REFERENCE_BODIES.values()],
        "rate_indicator": [ind.name_zh for ind in catalog.INDICATORS if ind.is_rate],
    }


def _rows(spec, tables: dict[str, pd.DataFrame]) -> list[list]:
    """A store table as the sheet's rows (names rather than codes where people pick from lists)."""
    regions = tables.get("regions", pd.DataFrame(columns=["code", "name_zh"]))
    region_name = dict(zip(regions["code"], regions["name_zh"]))
    industry = {c: f"{c} {zh}" for c, zh, _ in dimensions.INDUSTRIES}
    ownership = {c: f"{c} {zh}" for c, zh, _, _ in dimensions.OWNERSHIP}
    program = {c: zh for c, zh, _, _ in dimensions.AID_PROGRAMS}
    status = {k: words[0] for k, words in STATUS_WORDS.items()}
    frame = tables.get(spec.table)
    if frame is None or frame.empty:
        return []
    if spec.table == "unit_year":
        frame = frame.merge(tables["units"], on="unit_id")
    rows = []
    for record in frame.to_dict("records"):
        row = []
        for column in spec.columns:
            value = record.get(column.field)
            if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
                row.append(None)
            elif column.kind == "region":
                row.append(region_name.get(value, value) if value else None)
            elif column.kind == "industry":  # '' = a total not broken down: left blank, read back as ''
                row.append(industry[value] if value else None)
            elif column.kind == "ownership":
                row.append(ownership[value] if value else None)
            elif column.kind == "program":
                row.append(program[value])
            elif column.kind == "status":
                row.append(status[value])
            elif column.kind == "flag":
                row.append(FLAG_WORDS[bool(value)][0])
            elif column.kind in ("indicator", "rate_indicator"):
                row.append(catalog.get(value).name_zh)
            elif column.kind == "body":
                row.append(REFERENCE_BODIES[value][0])
            elif column.kind == "rate":
                row.append(fmt.fmt_editable(value, "rate"))
            elif column.kind == "rate_or_number":
                code = record.get("indicator")
                row.append(fmt.fmt_editable(value, catalog.get(code).unit if code in catalog.BY_CODE else "unit"))
            elif isinstance(value, float) and value.is_integer():
                row.append(int(value))
            else:
                row.append(value.item() if hasattr(value, "item") else value)
        rows.append(row)
    return rows


def write(out: Path, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write the template to `out`; with `tables` (store format), filled with their rows."""
    tables = tables or {}
    regions = tables.get("regions", pd.DataFrame(columns=["code", "name_zh"]))
    book = openpyxl.Workbook()
    info = book.active
    info.title = INSTRUCTIONS_ZH
    for i, line in enumerate(INSTRUCTIONS, start=1):
        info.cell(i, 1, line).font = Font(bold=(i == 1), size=14 if i == 1 else 11)
    row = len(INSTRUCTIONS) + 1
    for spec in SHEETS:
        info.cell(row, 1, f"「{spec.zh}」：{spec.note_zh}")
        row += 1
    info.column_dimensions["A"].width = 110

    ranges = _lists_sheet(book, regions)
    for spec in SHEETS:
        _data_sheet(book, spec, spec.zh, _rows(spec, tables), ranges if not regions.empty else
                    {k: v for k, v in ranges.items() if k != "region"})
    book.move_sheet(LISTS_SHEET, offset=len(SHEETS))
    return _save(book, out)


def _save(book, out: Path) -> Path:
    for ws in book.worksheets:
        exports.text_cells(ws)  # a township called "=…" is a name, not a formula
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def _lists_sheet(book, regions: pd.DataFrame) -> dict[str, str]:
    """The hidden sheet of drop-down values; returns each list's cell range."""
    lists = book.create_sheet(LISTS_SHEET)
    ranges = {}
    for j, (kind, values) in enumerate(_lists(regions).items(), start=1):
        lists.cell(1, j, kind)
        for i, value in enumerate(values, start=2):
            lists.cell(i, j, value)
        letter = get_column_letter(j)
        ranges[kind] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${max(2, len(values) + 1)}"
    lists.sheet_state = "hidden"
    return ranges


def _data_sheet(book, spec, title: str, data: list[list], ranges: dict[str, str]):
    """One sheet: the spec's header, `data` below it, drop-downs for the columns in `ranges`."""
    ws = book.create_sheet(title)
    ws.append(spec.headers())
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "A2"
    for values in data:
        ws.append(values)
    last = max(MAX_ROWS, len(data) + 1)
    for j, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(10, len(column.zh) * 2 + 2)
        if column.kind in ranges:
            check = DataValidation(type="list", formula1=ranges[column.kind], allow_blank=not column.required,
                                   showErrorMessage=True, errorTitle="请从列表中选择",
                                   error=f"「{column.zh}」请从下拉列表中选择")
            ws.add_data_validation(check)
            check.add(f"{letter}2:{letter}{last}")
    return ws


# Counts a township fills in anew each year; its units' names, codes, industry, ownership, union
# status and flags carry over from the year before (it corrects what changed).
_NEW_EACH_YEAR = tuple(c.field for c in PEOPLE) + (
    "employees_contracted", "units", "units_unionized", "unions_new", "units_congress", "units_openness",
    "units_collective_contract", "units_wage_agreement")


def township_instructions(name: str, year: int, last: int | None, kind: str) -> list[str]:
    sheet = BY_TABLE[kind].zh
    listed = (f"「{sheet}」表已列出本乡镇 {last} 年报送的{'单位' if kind == 'unit_year' else '汇总行'}，"
              f"年度已填 {year}，乡镇已填好：请填写 {year} 年末的人数等数字（留空即未填报，不要填 0）。"
              if last is not None else f"本乡镇以前没有报送过数据：请在「{sheet}」表逐行填写 {year} 年的数据。")
    return [
        f"{name} {year} 年工会统计报表",
        "",
        "1. " + listed,
        ("2. 单位名称、统一社会信用代码、行业门类、所有制沿用上年，请勿随意改动（导入时据此认出同一家单位）；"
         "建会情况、职代会等沿用上年，如有变化请改正。"),
        "3. 已注销或迁出的单位请删除该行；新成立或新纳入统计的单位请在表末添加一行（乡镇选本乡镇）。",
        f"4. 「{REFERENCE_SHEET}」表是 {last or '上'} 年报送的数字，只读，供对照。",
        "5. 不要填写任何个人信息（姓名、身份证号、电话等）。",
        "6. 填好后交县总工会导入；导入时会与上年比较，变动大的会提示核实。",
    ]


def township_bytes(region: dict, year: int, last: int | None, units: pd.DataFrame | None,
                   totals: pd.DataFrame | None) -> bytes:
    """A township's own workbook for `year`: its units (or total rows) of year `last`, counts
    blank, township and year filled; last year's figures in a protected reference sheet."""
    import io
    regions = pd.DataFrame([region])
    kind = "region_year" if (units is None or units.empty) and totals is not None and len(totals) else "unit_year"
    spec = BY_TABLE[kind]
    before = units if kind == "unit_year" else totals
    if before is None:
        before = pd.DataFrame(columns=[c.field for c in spec.columns])
    fresh = before.assign(year=year, **{c: None for c in _NEW_EACH_YEAR if c in before.columns})

    def tables(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
        if kind == "unit_year":
            ids = frame.get("unit_id", pd.Series(dtype="int64"))
            codes = frame.get("credit_code", pd.Series(dtype="object"))
            return {"regions": regions, "unit_year": frame.drop(columns="credit_code", errors="ignore"),
                    "units": pd.DataFrame({"unit_id": ids, "credit_code": codes})}
        return {"regions": regions, kind: frame}

    book = openpyxl.Workbook()
    info = book.active
    info.title = INSTRUCTIONS_ZH
    for i, line in enumerate(township_instructions(region["name_zh"], year, last, kind), start=1):
        info.cell(i, 1, line).font = Font(bold=(i == 1), size=14 if i == 1 else 11)
    info.column_dimensions["A"].width = 110
    ranges = _lists_sheet(book, regions)
    _data_sheet(book, spec, spec.zh, _rows(spec, tables(fresh)), ranges)
    # The township itself, so the workbook also imports into a store that does not list it yet.
    fixed = _data_sheet(book, BY_TABLE["regions"], BY_TABLE["regions"].zh, _rows(BY_TABLE["regions"], {"regions": regions}), {})
    fixed.protection.sheet = True
    reference = _data_sheet(book, spec, REFERENCE_SHEET, _rows(spec, tables(before)), {})
    reference.protection.sheet = True  # read-only: last year's figures, for reference
    book.move_sheet(LISTS_SHEET, offset=3)
    buffer = io.BytesIO()
    for ws in book.worksheets:
        exports.text_cells(ws)
    book.save(buffer)
    return buffer.getvalue()


def store_tables(path: Path | None = None) -> dict[str, pd.DataFrame]:
    """The store's data tables as frames, for an export through the template."""
    with store.cursor(path) as cur:  # one cursor: every table from the same snapshot
        present = store.tables_of(cur)  # a store of an older format lacks the newer tables
        return {spec.table: cur.execute(f"SELECT * FROM {spec.table}").df()  # our table names
                for spec in SHEETS if spec.table in present} | {"units": cur.execute("SELECT * FROM units").df()}


def sheet_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A bare workbook from rows (first row the header), for edits validated like imports."""
    import io
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
        exports.text_cells(ws)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_bytes_of(tables: dict[str, pd.DataFrame]) -> bytes:
    """The template (filled from `tables`) as bytes, for a download button."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        out = write(Path(folder) / "template.xlsx", tables)
        return out.read_bytes()
