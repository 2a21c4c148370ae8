"""Read and validate a staff workbook (.xlsx, .xls) or CSV (UTF-8, UTF-8 with BOM, GBK/GB18030)
before anything is written. Every problem is collected, each with file, sheet, row and column.

Values are parsed the way people type them: "1,046", "６８万元", "75％", stray spaces; anything
ambiguous ("12.5" people, "75" as a rate) is an error, never a guess.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import catalog, dimensions
from .exports import FORMULA_STARTS
from .sheets import (BY_TABLE, FLAG_WORDS, INSTRUCTIONS_ZH, LISTS_SHEET, REGION_KINDS, SHEETS, STATUS_WORDS,
                     TOTAL_WORDS, Column, Sheet)

MAX_BYTES = 50 * 1024 * 1024  # same as .streamlit/config.toml server.maxUploadSize
FIRST_YEAR = 2000


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
    """Codes the file may use: townships already in the store (the file may add more)."""
    regions: pd.DataFrame  # code, name_zh, name_en


class _Bad(ValueError):
    pass


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
        return float(raw)
    text = _norm(raw).replace(",", "")
    match = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)(万|亿)?(元|人|家|户次|户|件|个)?", text)
    if not match:
        raise _Bad(f"「{raw}」不是数字")
    return float(match.group(1)) * _SCALE.get(match.group(2) or "", 1)


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
    return value


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
    if kind in ("int", "money"):
        return _whole(raw)
    if kind == "year":
        return _year(raw)
    if kind == "founded_year":
        return _year(raw, first=1925)  # 中华全国总工会 was founded in 1925
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

def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 is a superset of GBK and GB2312
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _Bad("无法识别文件编码（应为 UTF-8 或 GBK/GB18030）；请在 Excel 中“另存为 CSV UTF-8”或 .xlsx")


def _read_tables(name: str, data: bytes) -> list[tuple[str, list[list]]]:
    """(sheet name, rows) for each sheet; CSV gives one nameless sheet."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        text = _decode_csv(data)
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=None,
                            skip_blank_lines=True)
        return [("", frame.values.tolist())]
    if suffix in (".xlsx", ".xlsm", ".xls"):
        from python_calamine import CalamineWorkbook
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            return [(sheet, book.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
                    for sheet in book.sheet_names]
        except Exception as exc:  # calamine raises its own types for every kind of damage
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
    scored = [(sum(_key(c.zh) in names or _key(c.en) in names for c in s.columns if c.required), s)
              for s in SHEETS]
    best, sheet = max(scored, key=lambda x: x[0])
    needed = sum(c.required for c in sheet.columns)
    return sheet if best == needed else None


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
        problem(message=str(exc))
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
            texts = [_key(v) for v in cells.values() if isinstance(v, str)]
            if any(t.startswith(w) for t in texts for w in TOTAL_WORDS):
                records.append({"__total__": True, **cells})
                excel_rows.append(excel_row)
                continue
            record, bad = {}, False
            for column in spec.columns:
                raw = cells.get(column.field)
                if _blank(raw):
                    if column.required:
                        if sheet_name and Path(name).suffix.lower() in (".xlsx", ".xlsm"):
                            if formulas is None:
                                formulas = _formula_cells(data, sheet_name)
                            if (excel_row, positions[column.field] + 1) in formulas:
                                problem(sheet_label, excel_row, column.zh,
                                        "单元格是公式但没有计算结果：请在 Excel/WPS 中打开、保存后再导入")
                                bad = True
                                continue
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
    _cross_checks(batch, problem)
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
    if spec.table == "targets":
        frame["region_code"] = frame["region_code"].fillna("")
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


# --- the whole import: validate → build a candidate snapshot → preview → publish -----------------

@dataclass
class Prepared:
    batch: Batch
    candidate: "snapshots.Candidate | None" = None
    no_change: bool = False


def reference_for(path: Path) -> Reference:
    """Townships an import may use: the store's, unless the store holds the demo county (an
    import replaces the demo wholesale, so its townships do not count)."""
    from . import snapshots, store
    if not store.resolve(path).exists() or snapshots.base_is_demo(path):
        return Reference(pd.DataFrame(columns=["code", "name_zh", "name_en"]))
    return Reference(store.query("regions", path=path)[["code", "name_zh", "name_en"]])


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
            scratch: Path | None = None) -> Prepared:
    """Validate and, if clean, build the candidate snapshot. Nothing in force changes.
    `scratch`: build the candidate in that folder and log nothing (a dry run writes nothing)."""
    from . import snapshots
    batch = read(name, data, reference_for(path))
    if not batch.ok:
        if scratch is None:
            snapshots.log_rejected(path, batch, user)
        return Prepared(batch)
    return _build(path, batch, user, progress, scratch)


def _build(path: Path, batch: Batch, user, progress, scratch: Path | None = None) -> Prepared:
    from . import snapshots
    candidate = snapshots.build_candidate(path, batch, user, progress, folder=scratch)
    if snapshots.unchanged(candidate):
        snapshots.discard(candidate)
        return Prepared(batch, None, no_change=True)
    return Prepared(batch, candidate)


HEADLINE_PREVIEW = ("units", "unionization_rate", "members", "membership_rate", "unions_new",
                    "arrears_recovered_yuan", "aid_yuan")


def preview(prepared: Prepared) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows per table and year before → after, headline indicators before → after)."""
    from . import indicators, store
    candidate = prepared.candidate
    frames = {t: f for t, f in prepared.batch.frames.items() if "year" in f and t != "targets"}
    years = sorted({int(y) for f in frames.values() for y in f["year"].unique()})
    counts = []
    for table in frames:
        for year in years:
            before, after = _count(candidate.base_file, table, year), _count(candidate.file, table, year)
            if before or after:
                counts.append({"表": BY_TABLE[table].zh, "年度": year, "导入前行数": before, "导入后行数": after})
    changes = []
    for year in years:
        old = indicators.summary(year, path=candidate.base_file) if candidate.base_file else {}
        new = indicators.summary(year, path=candidate.file)
        for code in HEADLINE_PREVIEW:
            changes.append({"年度": year, "指标": catalog.get(code).name_zh, "code": code,
                            "导入前": old.get(code), "导入后": new.get(code)})
    store.forget(candidate.file)
    return pd.DataFrame(counts), pd.DataFrame(changes)


def _count(file: Path | None, table: str, year: int) -> int:
    from . import store
    if file is None:
        return 0
    with store.cursor(file) as cur:
        return int(cur.execute(f"SELECT count(*) FROM {table} WHERE year = ?", [year]).fetchone()[0])  # table from SHEETS
