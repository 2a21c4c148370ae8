"""Real sheets in, true figures out (issue #11): the ways staff really fill the template.

Each messy file is imported into a fresh copy of the county store and its stored rows are
compared with those of the clean file imported into another fresh copy: a messy file either
imports exactly the clean figures or is refused with the store unchanged. Never anything else.
"""
from __future__ import annotations

import datetime as dt
import io
import random
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from test_importing import AID_HEADER, UNIT_HEADER, state, unit_row, units_file, xlsx
from unionstats import dimensions
from unionstats import format as fmt
from unionstats import importing, indicators, snapshots, store, template

TITLE = ["2024年度工会组织统计表"]
FILLED_BY = ["填报单位：示例县总工会        单位：个、人"]


def fresh(county_store: Path, folder: Path) -> Path:
    """A private copy of the county store, as the `county` fixture makes one."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "county.duckdb"
    shutil.copytree(snapshots.snapshot_dir(county_store), snapshots.snapshot_dir(target))
    shutil.copy(county_store, target)
    return target


def imported(path: Path, name: str, data: bytes) -> importing.Batch:
    prepared = importing.prepare(path, name, data)
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems]
    assert prepared.candidate is not None
    snapshots.publish(prepared.candidate)
    store.clear_cache()
    return prepared.batch


def stored(path: Path) -> dict[str, pd.DataFrame]:
    """Every data table of the store in force, rows in a fixed order."""
    tables = template.store_tables(path)
    store.clear_cache()
    return {name: frame.sort_values(list(frame.columns)).reset_index(drop=True) for name, frame in tables.items()}


def assert_same_figures(county_store: Path, tmp_path: Path, clean: tuple[str, bytes], messy: tuple[str, bytes]):
    """Import both into fresh stores; every stored row and the 2024 summary must be equal."""
    a, b = fresh(county_store, tmp_path / "clean"), fresh(county_store, tmp_path / "messy")
    imported(a, *clean)
    batch = imported(b, *messy)
    left, right = stored(a), stored(b)
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], check_dtype=False, obj=name)
    assert indicators.summary(2024, path=a) == indicators.summary(2024, path=b)
    return batch


def book(sheets: dict[str, list[list]], formats: dict[tuple[str, str], str] = (), merged=(), hidden_rows=(),
         hidden_sheets=()) -> bytes:
    """An .xlsx from rows, with number formats {(sheet, cell): format}, merged ranges
    [(sheet, "D3:D5")], hidden rows [(sheet, 4)] and hidden sheets."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    for (sheet, cell), code in dict(formats).items():
        wb[sheet][cell].number_format = code
    for sheet, cells in merged:
        wb[sheet].merge_cells(cells)
    for sheet, row in hidden_rows:
        wb[sheet].row_dimensions[row].hidden = True
    for sheet in hidden_sheets:
        wb[sheet].sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


UNITS = [unit_row(),
         unit_row(单位名称="城关第二商贸有限公司", 职工人数=40, 会员人数=35, 本年新入会人数=30, 签订劳动合同人数=40),
         unit_row(单位名称="城关第三建筑有限公司", 职工人数=80, 会员人数=70, 签订劳动合同人数=80),
         unit_row(单位名称="河东农机合作社", 乡镇="河东乡", 职工人数=30, 会员人数=25, 农民工人数=20,
                  本年新入会人数=10, 签订劳动合同人数=30)]
CLEAN_UNITS = ("单位.xlsx", units_file(*UNITS))
AID_ROWS = [[2024, "城关镇", "送温暖", 40, 0, 680000],
            [2024, "河东乡", "金秋助学", 3, 0, 10_243_600],
            [2024, "南山乡", "医疗救助", 5, 0, 230_000_000]]
CLEAN_AID = ("帮扶.xlsx", xlsx({"帮扶": [AID_HEADER, *AID_ROWS]}))
COLUMN = {h: j for j, h in enumerate(UNIT_HEADER)}


def _with_header(header: list, rows=UNITS) -> list[list]:
    return [header, *rows]


def _title_rows():
    return book({"单位": [TITLE, FILLED_BY, [], UNIT_HEADER, *UNITS]})


def _header_units():
    header = [{"职工人数": "职工人数（人）", "会员人数": "会员\n人数", "女职工人数": "女职工人数(人)",
               "签订工资专项集体合同": "签订工资专项\n集体合同", "签订劳动合同人数": "签订劳动合同人数（单位：人）"}.get(h, h)
              for h in UNIT_HEADER]
    return book({"单位": _with_header(header)})


def _extra_columns():
    rows = [["序号", *UNIT_HEADER, "备注"]] + [[i, *r, "已核实" if i % 2 else None] for i, r in enumerate(UNITS, 1)]
    return book({"单位": rows})


def _merged_townships():
    j = COLUMN["乡镇"]
    rows = [list(r) for r in UNITS]
    for r in rows[1:3]:
        r[j] = None  # what openpyxl keeps of a merged cell: the value in its first row only
    letter = openpyxl.utils.get_column_letter(j + 1)
    return book({"单位": _with_header(UNIT_HEADER, rows)}, merged=[("单位", f"{letter}2:{letter}4")])


def _years_as_text_and_dates():
    rows = [list(r) for r in UNITS]
    rows[0][COLUMN["年度"]] = "2024年"
    rows[1][COLUMN["年度"]] = dt.datetime(2024, 12, 31)  # typed as a date in Excel
    rows[2][COLUMN["年度"]] = "2024年度"
    rows[0][COLUMN["建会年份"]] = dt.datetime(2024, 3, 1)  # founded "2024-03-01"
    rows[3][COLUMN["建会年份"]] = "2024年"
    return book({"单位": _with_header(UNIT_HEADER, rows)}, formats={("单位", "A3"): "yyyy-mm-dd"})


def _money_as_written():
    rows = [r[:5] + [v] for r, v in zip(AID_ROWS, ["¥680,000", "1,024.36万元", "2.3亿元"])]
    return xlsx({"帮扶": [AID_HEADER, *rows]})


def _money_header_in_wan():
    header = AID_HEADER[:5] + ["金额(万元)"]
    rows = [r[:5] + [v] for r, v in zip(AID_ROWS, [68, 1024.36, 23000])]
    return book({"帮扶": [header, *rows]})


def _money_formatted_in_wan():
    rows = [r[:5] + [v] for r, v in zip(AID_ROWS, [68, 1024.36, 2.3])]
    return book({"帮扶": [AID_HEADER, *rows]},
                formats={("帮扶", "F2"): '0"万元"', ("帮扶", "F3"): '#,##0.00"万元"', ("帮扶", "F4"): '0.0"亿元"'})


def _totals_by_name():
    def total(name, region, rows):
        numbers = {h: sum(r[COLUMN[h]] for r in rows) for h in UNIT_HEADER
                   if isinstance(rows[0][COLUMN[h]], int) and h not in ("年度", "建会年份")}
        return unit_row(单位名称=name, 乡镇=region, **numbers)  # every column filled, as staff do
    rows = [*UNITS[:3], total("城关镇合计", "城关镇", UNITS[:3]), UNITS[3], total("河东乡　小计", None, UNITS[3:]),
            total("合 计", None, UNITS)]
    rows[5][COLUMN["乡镇"]] = None
    return book({"单位": _with_header(UNIT_HEADER, rows)})


def _csv_with_title():
    lines = [",".join(TITLE), "\"填报单位：示例县总工会\",,,\"单位：个、人\"", ",".join(UNIT_HEADER)]
    lines += [",".join("" if v is None else str(v) for v in r) for r in UNITS]
    return "\n".join(lines).encode("gbk")


def _hidden_rows_and_sheets():
    return book({"单位": _with_header(UNIT_HEADER), "帮扶": [AID_HEADER, *AID_ROWS]},
                hidden_rows=[("单位", 3)], hidden_sheets=["帮扶"])


MESSY = {  # case: (clean file, messy file name, maker, words one of the notices must hold)
    "title rows above the header": (CLEAN_UNITS, "单位.xlsx", _title_rows, "标题"),
    "header cells with units and line breaks": (CLEAN_UNITS, "单位.xlsx", _header_units, None),
    "serial-number and remarks columns": (CLEAN_UNITS, "单位.xlsx", _extra_columns, "已忽略"),
    "merged township cells": (CLEAN_UNITS, "单位.xlsx", _merged_townships, None),
    "years as 2024年 and as dates": (CLEAN_UNITS, "单位.xlsx", _years_as_text_and_dates, None),
    "money as ¥680,000, 1,024.36万元, 2.3亿元": (CLEAN_AID, "帮扶.xlsx", _money_as_written, None),
    "money header in 万元": (CLEAN_AID, "帮扶.xlsx", _money_header_in_wan, "乘以 10,000"),
    "money cells formatted as 万元/亿元": (CLEAN_AID, "帮扶.xlsx", _money_formatted_in_wan, None),
    "total rows named 合计, 小计, 合 计": (CLEAN_UNITS, "单位.xlsx", _totals_by_name, "合计行"),
    "CSV whose first lines are a title": (CLEAN_UNITS, "单位.csv", _csv_with_title, "标题"),
}


@pytest.mark.parametrize("case", MESSY)
def test_messy_sheet_imports_the_clean_figures(county_store, tmp_path, case):
    clean, name, make, words = MESSY[case]
    batch = assert_same_figures(county_store, tmp_path, clean, (name, make()))
    if words:
        assert any(words in n.line() for n in batch.notices), [n.line() for n in batch.notices]


def test_total_rows_are_checked_against_their_group_and_listed(county):
    batch = importing.prepare(county, "单位.xlsx", _totals_by_name()).batch
    assert batch.totals_checked == 3
    rows = {n.row: n.message for n in batch.notices if "合计行" in n.message}
    assert set(rows) == {5, 7, 8}, rows
    assert "城关镇各行" in rows[5] and "河东乡各行" in rows[7] and "本表各行" in rows[8]


def test_subtotal_without_a_township_sums_the_rows_above_it(county):
    def subtotal(name, employees):  # only the name and one figure: the other cells blank
        row = [None] * len(UNIT_HEADER)
        row[COLUMN["单位名称"]], row[COLUMN["职工人数"]] = name, employees
        return row
    rows = [*UNITS[:3], subtotal("小计", 180), UNITS[3], subtotal("小 计", 30)]
    batch = importing.prepare(county, "单位.xlsx", units_file(*rows)).batch
    assert not batch.problems, [p.line() for p in batch.problems]
    assert len(batch.frames["unit_year"]) == 4
    assert sum("上一个合计行之后各行" in n.message for n in batch.notices) == 2


def test_wrong_subtotal_is_refused_naming_row_and_column(county):
    rows = [*UNITS[:3], unit_row(单位名称="城关镇 小计", 职工人数=181), UNITS[3]]
    before = state(county)
    prepared = importing.prepare(county, "单位.xlsx", units_file(*rows))
    assert prepared.candidate is None
    wrong = [p for p in prepared.batch.problems if p.column == "职工人数"]
    assert wrong and wrong[0].row == 5 and "181" in wrong[0].message and "180" in wrong[0].message
    assert state(county) == before


def test_a_name_containing_total_in_a_word_is_a_unit(county):
    name = "TotalEnergies中国投资有限公司"
    imported(county, "单位.xlsx", units_file(unit_row(单位名称=name), *UNITS[1:]))
    names = set(stored(county)["unit_year"]["name"])
    assert name in names and "城关第二商贸有限公司" in names


def test_hidden_rows_and_sheets_import_and_are_listed(county_store, tmp_path):
    batch = assert_same_figures(county_store, tmp_path, ("全部.xlsx", xlsx({"单位": _with_header(UNIT_HEADER),
                                                                            "帮扶": [AID_HEADER, *AID_ROWS]})),
                                ("全部.xlsx", _hidden_rows_and_sheets()))
    lines = [n.line() for n in batch.notices]
    assert any("帮扶" in n and "隐藏的工作表" in n for n in lines), lines
    assert any("第3行" in n and "隐藏行" in n for n in lines), lines


REFUSED = {  # case: (file name, maker, (row, column, words))
    "credit code typed as a number": ("单位.xlsx", lambda: units_file(unit_row(统一社会信用代码=913201007430988000)),
                                      (2, "统一社会信用代码", "请把这一列设为文本格式")),
    "credit code in scientific form": ("单位.csv", lambda: (",".join(UNIT_HEADER) + "\n" + ",".join(
        "" if v is None else str(v) for v in unit_row(统一社会信用代码="9.13201007430988E+17"))).encode("utf-8"),
                                       (2, "统一社会信用代码", "请把这一列设为文本格式")),
    "two employers' codes that a number format merged": ("单位.xlsx", lambda: units_file(
        unit_row(统一社会信用代码=9.13201007430988e17),
        unit_row(单位名称="另一家公司", 统一社会信用代码=9.13201007430988e17)), (2, "统一社会信用代码", "文本格式")),
    "万 format that divides by a thousand": ("帮扶.xlsx", lambda: book(
        {"帮扶": [AID_HEADER, *AID_ROWS]}, formats={("帮扶", "F2"): '0,"万元"'}), (2, "金额（元）", "单元格格式")),
    "old .xls with a 万元 format": ("帮扶.xls", lambda: _xls_in_wan(), (None, "", "另存为 .xlsx")),
    "people in a money column": ("帮扶.xlsx", lambda: xlsx({"帮扶": [AID_HEADER, [2024, "城关镇", "送温暖", 5, 0, "12人"]]}),
                                 (2, "金额（元）", "不是金额")),
}


def _xls_in_wan() -> bytes:
    import xlwt
    wb = xlwt.Workbook()
    ws = wb.add_sheet("帮扶")
    for j, h in enumerate(AID_HEADER):
        ws.write(0, j, h)
    for i, row in enumerate(AID_ROWS, 1):
        for j, v in enumerate(row[:5]):
            ws.write(i, j, v)
        ws.write(i, 5, row[5] // 10_000, xlwt.easyxf(num_format_str='0"万元"'))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("case", REFUSED)
def test_unknowable_figure_is_refused_and_changes_nothing(county, case):
    name, make, (row, column, words) = REFUSED[case]
    before = state(county)
    prepared = importing.prepare(county, name, make())
    assert prepared.candidate is None
    assert any(p.row == row and p.column == column and words in p.message for p in prepared.batch.problems), \
        [p.line() for p in prepared.batch.problems]
    assert state(county) == before


def _check_char(code17: str) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [3 ** i % 31 for i in range(17)]  # 1, 3, 9, 27, 19, 26, …: the standard's weights are 3^i mod 31
    return chars[(31 - sum(chars.index(c) * w for c, w in zip(code17, weights)) % 31) % 31]


def test_credit_code_check_character_is_a_notice_not_an_error(county):
    good = "91320100743098" + "12A"
    good += _check_char(good)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    batch = imported(county, "单位.xlsx", units_file(unit_row(统一社会信用代码=good),
                                                    unit_row(单位名称="另一家公司", 统一社会信用代码=wrong)))
    codes = [n for n in batch.notices if n.column == "统一社会信用代码"]
    assert [n.row for n in codes] == [3] and good[17] in codes[0].message
    assert set(stored(county)["units"]["credit_code"].dropna()) >= {good, wrong}


def test_township_kinds_people_write_are_accepted(county):
    rows = [["乡镇代码", "乡镇名称", "英文名称", "类型"], ["kfq", "经济开发区", "", "开发区"],
            ["sq1", "城东社区", "", "社区"], ["gyy", "城南工业园", "", "工业园"], ["nc1", "红星农场", "", "农场"]]
    batch = imported(county, "乡镇.xlsx", xlsx({"乡镇": rows}))
    regions = store.query("regions", path=county).set_index("code")
    assert regions.loc[["kfq", "sq1", "gyy", "nc1"], "kind"].tolist() == ["园区", "街道", "园区", "乡"]
    assert sum("按「" in n.message for n in batch.notices) == 4


def test_years_from_1949(county):
    imported(county, "单位.xlsx", units_file(unit_row(年度=1985, 建会年份=1952)))
    units = stored(county)["unit_year"]
    assert 1985 in set(units["year"]) and 1952 in set(units["union_founded_year"])


def test_every_two_decimal_wan_value_imports_exactly(county):
    """2,000 values 1,000.00万–10,000.00万 (fixed seed), written as "1,024.36万元" text and as
    numbers under a 金额(万元) header: each must be stored as the exact yuan (integer arithmetic)."""
    rng = random.Random(11)
    cents = rng.sample(range(1000_00, 10_000_00 + 1), 2000)  # hundredths of 万
    expected = [c * 100 for c in cents]  # 1 hundredth of 万 = 100 yuan
    regions = list(store.query("regions", path=county)["name_zh"])
    industries = [code for code, _, _ in dimensions.INDUSTRIES]
    ownership = [code for code, _, _, _ in dimensions.OWNERSHIP]
    keys = [(r, i, o) for r in regions for i in industries for o in ownership][:len(cents)]
    header = ["年度", "乡镇", "行业门类", "所有制", "案件数", "涉及职工人数", "其中农民工人数"]
    as_text = [[2024, r, i, o, 1, 1, 0, f"{c // 100:,}.{c % 100:02d}万元"] for (r, i, o), c in zip(keys, cents)]
    as_numbers = [[2024, r, i, o, 1, 1, 0, float(f"{c // 100}.{c % 100:02d}")] for (r, i, o), c in zip(keys, cents)]
    for rows, money in ((as_text, "追回金额（元）"), (as_numbers, "追回金额(万元)")):
        batch = importing.read("欠薪.xlsx", xlsx({"欠薪": [header + [money], *rows]}), importing.reference_for(county))
        assert not batch.problems, [p.line() for p in batch.problems[:5]]
        assert batch.frames["arrears"]["yuan_recovered"].tolist() == expected
    imported(county, "欠薪.xlsx", xlsx({"欠薪": [header + ["追回金额（元）"], *as_text]}))
    codes = store.query("regions", path=county).set_index("name_zh")["code"]
    used = {codes[r] for r, _, _ in keys}
    got = stored(county)["arrears"].query("year == 2024 and region_code in @used")
    assert sorted(got["yuan_recovered"].astype(int)) == sorted(expected)


def test_wan_display_rounds_half_up_on_the_decimal_value():
    """Every 50 yuan from 1,000万 up (2,000 values, half of them ending in 50 yuan: a tie for one
    decimal of 万), and a few that switch to 亿, against rounding done in integers."""
    for yuan in [10_000_000 + 50 * k for k in range(2000)] + [99_950_000, 99_949_999, 123_450_000, 10_176_500]:
        tenths = (yuan + 500) // 1000  # tenths of 万, rounded half-up in integers
        if tenths < 100_000:
            expected = f"{tenths // 10:,}.{tenths % 10}万元"
        else:
            hundredths = (yuan + 500_000) // 1_000_000
            expected = f"{hundredths // 100:,}.{hundredths % 100:02d}亿元"
        assert fmt.fmt_number(yuan, "yuan") == expected, yuan
    assert fmt.fmt_number(10_176_500, "yuan") == "1,017.7万元"


def test_cli_import_lists_the_notices(county, tmp_path):
    from test_cli import run_cli
    file = tmp_path / "单位.xlsx"
    file.write_bytes(_hidden_rows_and_sheets())
    done = run_cli("import", str(file), "--db", str(county), "--replace")
    assert done.returncode == 0, done.stderr
    assert "隐藏的工作表" in done.stderr and "第3行是隐藏行" in done.stderr, done.stderr
    store.clear_cache()
    assert "城关第二商贸有限公司" in set(stored(county)["unit_year"]["name"])


def test_data_page_preview_lists_the_notices(county_copy, county_store):
    from test_data_page import data_page, log_in
    copy = county_copy
    at = log_in(data_page())
    total = ["全县合计", None, None, *(sum(r[j] for r in AID_ROWS) for j in (3, 4, 5))]
    at.file_uploader[0].set_value(("帮扶.xlsx", xlsx({"帮扶": [AID_HEADER, *AID_ROWS, total]}),
                                   "application/octet-stream")).run()
    assert not at.exception
    assert any("提示" in w.value for w in at.warning), [w.value for w in at.warning]
    notes = [d.value for d in at.dataframe if "提示" in d.value.columns]
    assert notes and any("全县合计" in m and "本表各行" in m for m in notes[0]["提示"]), notes
    assert indicators.summary(2024, path=copy) == indicators.summary(2024, path=county_store)  # preview only
