"""Reporting up: the county's figures of one year as ONE region of the city federation's store.

The file is the import workbook itself (sheets.py, template.py), so a city federation running this
product imports each county's file as one region (kind 县/区/市): 乡镇汇总 rows by industry ×
ownership (the county's unit rows and township totals summed, queries/rollup_stock.sql), the flows
of every township and of the county as a whole (queries/rollup_flows.sql), and the county's own
targets. A one-page summary sheet (上报汇总表) in the layout of the annual survey's 基层以上工会
summary carries every indicator as the county's pages show it, with the sign-off cells left blank
for the chairman; the importer skips it.

Counts roll up exactly; a blank stays blank. A rate is exact too, unless some rows of one
industry × ownership cell reported only one of its parts: one rolled-up row cannot keep that
apart, so such cells are listed as warnings (the city's rate would then differ from the county's).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Border, Font, Side

from . import catalog, dimensions, exports, i18n, importing, indicators, store, template
from . import format as fmt
from .sheets import BY_TABLE, COUNTY_KINDS, SUMMARY_SHEET

CODE_SETTING, KIND_SETTING = "county_code", "county_kind"
DEFAULT_KIND = "县"
SIGN_OFF = ("填报人", "审核人", "负责人签字", "日期")
FAMILY_TITLES = {"coverage": "一、组织建设", "contracts": "二、合同与检查", "arrears": "三、欠薪",
                 "aid": "四、帮扶与补助"}
FLOW_TABLES = ("inspections", "arrears", "aid", "subsidies")
_CODE = re.compile(r"[^\w\u3400-\u9fff]+")


class ReportUpError(Exception):
    """The roll-up cannot be written; the message (Chinese) says why and what to do."""


@dataclass
class RollUp:
    year: int
    code: str
    name_zh: str
    tables: dict[str, pd.DataFrame]          # store-format frames, region = the county
    summary: dict[str, float | None]         # every indicator, as the county's pages show it
    warnings: list[str] = field(default_factory=list)


def default_code(name_zh: str, name_en: str = "") -> str:
    """A region code from the county's name, no pinyin needed: the English name as a slug
    ("Demo County" → "demo-county"), else the Chinese name itself (a code may be any text)."""
    slug = _CODE.sub("-", name_en.strip().lower()).strip("-_")
    return slug if slug.isascii() and slug else (_CODE.sub("", name_zh) or "county")


def county(path: Path | None = None) -> tuple[str, str, str, str]:
    """(code, name_zh, name_en, kind) of the county as a region of the city's store."""
    zh = store.setting("county_name_zh", "", path=path) or ""
    en = store.setting("county_name_en", "", path=path) or ""
    code = store.setting(CODE_SETTING, None, path=path) or default_code(zh, en)
    kind = store.setting(KIND_SETTING, None, path=path) or DEFAULT_KIND
    return code, zh or code, en, kind


def _mismatches(frame: pd.DataFrame, pairs: dict[str, tuple[str, str, str, str]], where) -> list[str]:
    """Rows whose rate, computed from the rolled-up parts the way the city's store will, would
    differ from the rate over the rows that reported both parts (what the county's pages show)."""
    def equal(a, b) -> bool:
        return (pd.isna(a) and pd.isna(b)) or (pd.notna(a) and pd.notna(b) and a == b)

    out = []
    for name, (num, den, num_both, den_both) in pairs.items():
        for _, row in frame.iterrows():
            both = pd.notna(row[num]) and pd.notna(row[den])  # the city's one row: both parts or none
            if not (equal(row[num] if both else None, row[num_both])
                    and equal(row[den] if both else None, row[den_both])):
                out.append(f"{where(row)}：部分行只填报了{name}的一项，汇总后上级算出的{name}会与本县不同；"
                           "请补齐或核对后再上报")
    return out


def _stock(year: int, code: str, path) -> tuple[pd.DataFrame, list[str]]:
    rolled = store.query("rollup_stock", path=path, years=(year,))
    industry = {c: zh for c, zh, _ in dimensions.INDUSTRIES}
    owner = {c: zh for c, zh, _, _ in dimensions.OWNERSHIP}
    pairs = {ind.name_zh: (ind.numerator, ind.denominator, f"{ind.code}_num", f"{ind.code}_den")
             for ind in catalog.INDICATORS if f"{ind.code}_num" in rolled.columns}
    warnings = _mismatches(rolled, pairs, lambda r: f"{BY_TABLE['region_year'].zh} "
                           f"{industry.get(r['industry_code'], '全部行业')} × {owner.get(r['ownership_code'], '全部所有制')}")
    fields = [c.field for c in BY_TABLE["region_year"].columns]
    return rolled.assign(year=year, region_code=code)[fields], warnings


def _flows(year: int, code: str, path) -> tuple[dict[str, pd.DataFrame], list[str]]:
    tables, warnings = {}, []
    program = {c: zh for c, zh, _, _ in dimensions.AID_PROGRAMS}
    for table in FLOW_TABLES:
        rolled = store.query("rollup_flows", path=path, years=(year,), table=table)
        fields = [c.field for c in BY_TABLE[table].columns]
        if table == "inspections":
            warnings += _mismatches(rolled, {"履约良好率": ("units_compliant", "units_inspected", "num_both", "den_both")},
                                    lambda r: BY_TABLE["inspections"].zh)
        if table == "aid":
            warnings += _mismatches(rolled, {"户均帮扶": ("yuan", "households", "num_both", "den_both")},
                                    lambda r: f"{BY_TABLE['aid'].zh} {program.get(r['program_code'], '')}")
        tables[table] = rolled.assign(year=year, region_code=code)[fields]
    return tables, warnings


def roll_up(year: int, path: Path | None = None) -> RollUp:
    """The county's `year` as one region: store-format tables and the summary values."""
    known = indicators.years(path)
    if year not in known:
        span = f"{known[0]}–{known[-1]}" if known else "无"
        raise ReportUpError(f"没有 {year} 年的数据（已有年度：{span}）")
    code, zh, en, kind = county(path)
    stock, warnings = _stock(year, code, path)
    flows, more = _flows(year, code, path)
    targets = pd.concat([store.query("targets", path=path, years=(y,)).assign(year=y) for y in (year, year + 1)])
    targets = targets[targets["region_code"] == ""].assign(region_code=code)  # the county's own, not its townships'
    regions = pd.DataFrame([{"code": code, "name_zh": zh, "name_en": en, "kind": kind}])
    tables = {"regions": regions, "region_year": stock, **flows,
              "targets": targets[["year", "indicator", "region_code", "value"]]}
    return RollUp(year, code, zh, tables, indicators.summary(year, path=path), warnings + more)


def _summary_sheet(book, rollup: RollUp, path) -> None:
    ws = book.create_sheet(SUMMARY_SHEET, 0)
    bold = Font(bold=True)
    ws.append([f"{rollup.name_zh}工会统计汇总表（基层以上工会）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    ws["A1"].alignment = Alignment(horizontal="center")
    basis = "工会统计年度" if store.setting("year_basis", path=path) == "survey" else "自然年"
    ws.append([f"填报单位：{rollup.name_zh}总工会（地区代码 {rollup.code}）", None, f"统计年度：{rollup.year}年（{basis}）"])
    ws.append(["序号", "指标", "数值", "计量单位", "指标代码"])
    for cell in ws[3]:
        cell.font = bold
    n = 0
    for family in catalog.FAMILIES:
        ws.append([FAMILY_TITLES[family]])
        ws.cell(ws.max_row, 1).font = bold
        for ind in catalog.by_family(family):
            n += 1
            value = rollup.summary.get(ind.code)
            ws.append([n, ind.name_zh, fmt.MISSING if value is None else value, fmt.unit_label(ind.unit), ind.code])
            if value is not None:
                ws.cell(ws.max_row, 3).number_format = '0.0%' if ind.is_rate else '#,##0'
            ws.cell(ws.max_row, 3).alignment = Alignment(horizontal="right")
    ws.append([])
    ws.append([(f"说明：“{fmt.MISSING}”为未填报（不是 0）；比率只按两项都填报的计算。本表供阅签，导入时不读取；"
                f"数据见其余各工作表（本县作为一个地区，代码 {rollup.code}）。")])
    ws.append([("各表中行业、所有制都空着的行，是没有按行业、所有制分开的部分（只报合计的乡镇、全县的数），"
                "与其余各行相加；有本表的文件导入时按此计算。")])
    for warning in rollup.warnings:
        ws.append([f"注意：{warning}"])
    ws.append([])
    line = Border(bottom=Side(style="thin"))
    row = ws.max_row + 1
    for j, label in enumerate(SIGN_OFF):  # label, then a blank cell to sign in
        ws.cell(row, 2 * j + 1, f"{label}：").font = bold
        ws.cell(row, 2 * j + 2).border = line
    for letter, width in zip("ABCDEFGH", (12, 30, 16, 10, 28, 12, 12, 16)):
        ws.column_dimensions[letter].width = width
    exports.text_cells(ws)


def workbook_bytes(rollup: RollUp, path: Path | None = None) -> bytes:
    """The report-up workbook: the summary sheet first, then the import sheets."""
    book = openpyxl.load_workbook(io.BytesIO(template.sheet_bytes_of(rollup.tables)))
    _summary_sheet(book, rollup, path)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check(data: bytes, name: str = "上报.xlsx") -> list[str]:
    """Problems the importer finds in a report-up file, read as a city's empty store would."""
    batch = importing.read(name, data, importing.Reference(pd.DataFrame(columns=["code", "name_zh", "name_en"])))
    return [p.line() for p in batch.problems]


def report_up(year: int, path: Path | None = None) -> tuple[bytes, RollUp]:
    """The file to send up, checked through the importer first: a file the city could not import
    is never handed out (ReportUpError says which rows)."""
    rollup = roll_up(year, path)
    data = workbook_bytes(rollup, path)
    problems = check(data)
    if problems:
        raise ReportUpError("汇总结果不能被导入，没有生成文件：\n" + "\n".join(problems[:20]))
    return data, rollup


def file_name(rollup: RollUp) -> str:
    return exports.safe_name(f"{rollup.name_zh}_{rollup.year}年_上报汇总.xlsx")


# --- the settings reporting up reads: the county's code and kind; a store's region words ---------

LABEL_CHOICES = {i18n.REGION_LABEL: ("乡镇", i18n.COUNTY_LABELS[i18n.REGION_LABEL]),
                 i18n.WHOLE_LABEL: ("全县", i18n.COUNTY_LABELS[i18n.WHOLE_LABEL])}


def edit_settings(path: Path, values: dict[str, str], user: str | None = None) -> importing.Prepared:
    """county_code, county_kind, region_label, whole_label as given (others untouched); a bad
    value is a problem and changes nothing."""
    batch = importing.Batch(file_name="设置", sha256="")
    names = {CODE_SETTING: "地区代码", KIND_SETTING: "地区类型", i18n.REGION_LABEL: "地区称谓",
             i18n.WHOLE_LABEL: "全域称谓"}
    for key, value in values.items():
        value = (value or "").strip()
        if key == CODE_SETTING and (not value or len(value) > 40 or exports.formula_like(value)):
            message = "应为 1–40 个字符的代码（字母、数字或汉字），不能以 = + - @ 开头"
        elif key == KIND_SETTING and value not in COUNTY_KINDS:
            message = f"应为 {'、'.join(COUNTY_KINDS)} 之一"
        elif key in LABEL_CHOICES and value not in LABEL_CHOICES[key]:
            message = f"应为 {'、'.join(LABEL_CHOICES[key])} 之一"
        elif key not in names:
            raise ValueError(f"unknown setting {key!r}")
        else:
            batch.settings[key] = value
            continue
        batch.problems.append(importing.Problem(batch.file_name, "", None, names[key], f"「{value}」{message}"))
    if batch.problems or not batch.settings:
        return importing.Prepared(batch)
    return importing.build_edit(path, batch, user)
