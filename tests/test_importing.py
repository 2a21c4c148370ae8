"""数据管理 imports (issue #5): round trip, every kind of bad file, GBK and .xls, snapshots,
undo, crash safety under SIGKILL, readers during publishes."""
from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, run_cli
from unionstats import importing, indicators, snapshots, store, template
from unionstats.indicators import Scope

AID_HEADER = ["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"]


def state(path: Path) -> tuple:
    """Everything a failed import must leave alone: the pointer, the snapshot files, the data."""
    folder = snapshots.snapshot_dir(path)
    files = sorted(p.name for p in folder.glob("*.duckdb"))
    checks = snapshots.checksums(store.resolve(path))
    store.clear_cache()
    return snapshots.current_name(path), files, checks


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    return template.sheet_bytes(sheets)


def unit_row(**changes) -> list:
    base = {"年度": 2024, "单位名称": "城关新测试制造有限公司", "统一社会信用代码": None, "乡镇": "城关镇",
            "行业门类": "C 制造业", "所有制": "170 私营", "职工人数": 60, "女职工人数": 20, "农民工人数": 30,
            "会员人数": 50, "女会员人数": 15, "农民工会员人数": 20, "本年新入会人数": 50, "建会情况": "独立建会",
            "建会年份": 2024, "建立职代会": "是", "实行厂务公开": "是", "签订集体合同": "否",
            "签订工资专项集体合同": "否", "签订劳动合同人数": 55}
    base.update(changes)
    return list(base.values())


UNIT_HEADER = list(dict.fromkeys(["年度", "单位名称", "统一社会信用代码", "乡镇", "行业门类", "所有制", "职工人数",
                                  "女职工人数", "农民工人数", "会员人数", "女会员人数", "农民工会员人数", "本年新入会人数",
                                  "建会情况", "建会年份", "建立职代会", "实行厂务公开", "签订集体合同",
                                  "签订工资专项集体合同", "签订劳动合同人数"]))


def units_file(*rows) -> bytes:
    return xlsx({"单位": [UNIT_HEADER, *rows]})


def aid_file(*rows, header=AID_HEADER) -> bytes:
    return xlsx({"帮扶": [header, *rows]})


def _formula_file() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "帮扶"
    ws.append(AID_HEADER)
    ws.append([2024, "城关镇", "送温暖", "=2+3", 0, 1000])  # openpyxl stores no cached value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _gbk_broken() -> bytes:
    text = ",".join(AID_HEADER) + "\n2024,城关镇,送温暖,5,0,1000\n"
    return text.encode("gbk")[:-12] + b"\xff\xfe\x81" + text.encode("gbk")[-12:]


BAD_FILES = {
    "text in a count": ("a.xlsx", lambda: units_file(unit_row(职工人数="六十")), "不是数字"),
    "fraction of a person": ("a.xlsx", lambda: units_file(unit_row(职工人数="12.5")), "应为整数"),
    "negative count": ("a.xlsx", lambda: units_file(unit_row(女职工人数=-3)), "不能为负数"),
    "about a hundred": ("a.xlsx", lambda: units_file(unit_row(农民工人数="约100")), "不是数字"),
    # Counts may be blank (not reported); the unit's name, township, industry may not (issue #11).
    "blank required cell": ("a.xlsx", lambda: units_file(unit_row(行业门类=None)), "不能为空"),
    "missing column": ("a.xlsx", lambda: xlsx({"单位": [UNIT_HEADER[:5] + UNIT_HEADER[6:],
                                                      unit_row()[:5] + unit_row()[6:]]}), "缺少这一列"),
    "unknown column": ("a.xlsx", lambda: xlsx({"单位": [UNIT_HEADER + ["备注二"], unit_row() + ["x"]]}), "无法识别的列名"),
    "duplicate column": ("a.xlsx", lambda: xlsx({"单位": [UNIT_HEADER + ["职工人数"], unit_row() + [60]]}), "列名重复"),
    "unknown township": ("a.xlsx", lambda: units_file(unit_row(乡镇="亚特兰蒂斯乡")), "未知的乡镇"),
    "unknown industry": ("a.xlsx", lambda: units_file(unit_row(行业门类="Z")), "未知的行业门类"),
    "unknown ownership": ("a.xlsx", lambda: units_file(unit_row(所有制="999")), "未知的所有制代码"),
    "members over employees": ("a.xlsx", lambda: units_file(unit_row(会员人数=70)), "不能大于职工人数"),
    "female members over members": ("a.xlsx", lambda: units_file(unit_row(女会员人数=60, 女职工人数=60)),
                                    "不能大于会员人数"),
    "migrant members over migrants": ("a.xlsx", lambda: units_file(unit_row(农民工人数=10, 农民工会员人数=20)),
                                      "不能大于农民工人数"),
    "joined over members": ("a.xlsx", lambda: units_file(unit_row(本年新入会人数=55)), "不能大于会员人数"),
    "members without a union": ("a.xlsx", lambda: units_file(unit_row(建会情况="未建会", 建会年份=None)),
                                "会员人数应为 0"),
    "founded after the year": ("a.xlsx", lambda: units_file(unit_row(年度=2023, 建会年份=2024)), "晚于统计年度"),
    "unknown union status": ("a.xlsx", lambda: units_file(unit_row(建会情况="也许")), "未知的建会情况"),
    "flag not yes or no": ("a.xlsx", lambda: units_file(unit_row(建立职代会="大概")), "应为 是 或 否"),
    "duplicate rows": ("a.xlsx", lambda: units_file(unit_row(), unit_row()), "重复"),
    "year too early": ("a.xlsx", lambda: units_file(unit_row(年度=1948, 建会年份=1940)), "超出范围"),
    "year in the future": ("a.xlsx", lambda: units_file(unit_row(年度=2099)), "超出范围"),
    "compliant over inspected": ("a.xlsx", lambda: xlsx({"合同检查": [
        ["年度", "乡镇", "行业门类", "所有制", "检查单位数", "履约良好单位数", "指导签订劳动合同人数"],
        [2024, "城关镇", "C", "170", 3, 5, 10]]}), "不能大于检查单位数"),
    "units and totals for one township-year": ("a.xlsx", lambda: xlsx({
        "单位": [UNIT_HEADER, unit_row()],
        "乡镇汇总": [["年度", "乡镇", "行业门类", "所有制", "单位数", "已建会单位数", "本年新建工会数", "职工人数",
                   "女职工人数", "农民工人数", "会员人数", "女会员人数", "农民工会员人数", "本年新入会人数",
                   "建立职代会单位数", "实行厂务公开单位数", "签订集体合同单位数", "签订工资专项集体合同单位数",
                   "签订劳动合同人数"],
                  [2024, "城关镇", "C", "170", 2, 1, 0, 40, 10, 10, 20, 5, 5, 0, 1, 1, 0, 0, 30]]}), "只能选一种"),
    "wrong total row": ("a.xlsx", lambda: aid_file([2024, "城关镇", "送温暖", 5, 0, 1000],
                                                   [2024, "河东乡", "送温暖", 3, 0, 500],
                                                   ["合计", None, None, 9, 0, 1500]), "合计行为 9"),
    "ambiguous rate": ("a.xlsx", lambda: xlsx({"目标": [["年度", "指标", "乡镇", "目标值"],
                                                       [2025, "建会率", None, "75"]]}), "有歧义"),
    "rate over 100%": ("a.xlsx", lambda: xlsx({"目标": [["年度", "指标", "乡镇", "目标值"],
                                                       [2025, "建会率", None, "150%"]]}), "0% 到 100%"),
    "unknown indicator": ("a.xlsx", lambda: xlsx({"目标": [["年度", "指标", "乡镇", "目标值"],
                                                          [2025, "幸福指数", None, "5"]]}), "未知的指标"),
    "money in dollars": ("a.xlsx", lambda: aid_file([2024, "城关镇", "送温暖", 5, 0, "68万美元"]), "不是数字"),
    "bad township kind": ("a.xlsx", lambda: xlsx({"乡镇": [["乡镇代码", "乡镇名称", "英文名称", "类型"],
                                                          ["x1", "新乡", "", "村"]]}), "类型应为"),
    "sheet renamed": ("a.xlsx", lambda: xlsx({"帮扶表": [AID_HEADER, [2024, "城关镇", "送温暖", 5, 0, 1000]]}),
                      "无法识别的工作表名称"),
    "formula without cached value": ("a.xlsx", _formula_file, "公式但没有计算结果"),
    "empty workbook": ("a.xlsx", lambda: xlsx({"单位": [], "帮扶": []}), "没有可导入的数据"),
    "empty file": ("a.xlsx", lambda: b"", "文件是空的"),
    "not really xlsx": ("a.xlsx", lambda: b"PK\x03\x04 this is no workbook" * 20, "文件已损坏"),
    "unsupported type": ("a.txt", lambda: b"hello", "不支持的文件类型"),
    "GBK with broken bytes": ("a.csv", _gbk_broken, "无法识别文件编码"),
    "CSV with unknown headers": ("a.csv", lambda: "甲,乙,丙\n1,2,3\n".encode("utf-8"), "无法识别这是哪一张表"),
    "over the size limit": ("a.csv", lambda: b"0" * (importing.MAX_BYTES + 1), "超过"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_file_is_refused_and_changes_nothing(county, kind):
    name, make, words = BAD_FILES[kind]
    before = state(county)
    prepared = importing.prepare(county, name, make())
    assert prepared.candidate is None
    messages = [p.line() for p in prepared.batch.problems]
    assert messages and any(words in m for m in messages), messages
    assert all(m.startswith(name) for m in messages)
    assert state(county) == before


def test_at_least_thirty_kinds_of_bad_files():
    assert len(BAD_FILES) >= 30


def test_all_problems_are_reported_at_once(county):
    data = units_file(unit_row(职工人数="abc"), unit_row(单位名称="二号", 所有制="999"),
                      unit_row(单位名称="三号", 会员人数=99))
    batch = importing.prepare(county, "many.xlsx", data).batch
    rows = sorted({p.row for p in batch.problems})
    assert rows == [2, 3, 4]
    frame = batch.problems_frame()
    assert list(frame.columns) == ["文件", "工作表", "行", "列", "问题"] and len(frame) >= 3


def test_round_trip_through_the_template_gives_the_same_summary_every_year(demo_db, county_store):
    for year in indicators.years(demo_db):
        assert indicators.summary(year, path=county_store) == indicators.summary(year, path=demo_db), year
    assert store.setting("is_demo", path=county_store) == "false"


def test_reimporting_the_same_file_changes_nothing(county, county_template):
    before = state(county)
    prepared = importing.prepare(county, county_template.name, county_template.read_bytes())
    assert prepared.no_change and prepared.candidate is None
    assert state(county) == before


def test_gbk_csv_with_chinese_headers_imports(county):
    text = ",".join(AID_HEADER) + "\n2024,城关镇,送温暖,40,0,\"1,2000\"\n2024, 河东乡 ,金秋助学,３,0,0.5万元\n"
    prepared = importing.prepare(county, "帮扶.csv", text.encode("gbk"))
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems]
    snapshots.publish(prepared.candidate)
    rows = store.query("aid_by_program", path=county, years=[2024], regions=["chengguan"])
    assert rows.set_index("program_code").loc["songnuan", "yuan"] == 12000
    hedong = store.query("aid_by_program", path=county, years=[2024], regions=["hedong"]).set_index("program_code")
    assert list(hedong.index) == ["jinqiu"] and hedong.loc["jinqiu", "yuan"] == 5000
    assert hedong.loc["jinqiu", "households"] == 3


def test_xls_file_imports(county, tmp_path):
    import xlwt
    book = xlwt.Workbook()
    ws = book.add_sheet("补助")
    for j, h in enumerate(["年度", "乡镇", "补助基层工会数", "补助金额（元）"]):
        ws.write(0, j, h)
    for j, v in enumerate([2024, "南山乡", 4, "8万元"]):
        ws.write(1, j, v)
    out = tmp_path / "补助.xls"
    book.save(str(out))
    prepared = importing.prepare(county, out.name, out.read_bytes())
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems]
    snapshots.publish(prepared.candidate)
    by_region = indicators.table(Scope(), "region", (2024,), county).set_index("key")
    assert by_region.loc["nanshan", "subsidy_yuan"] == 80000 and by_region.loc["nanshan", "subsidy_unions"] == 4


def test_english_headers_full_width_digits_and_correct_total(county):
    rows = [["year", "township", "program", "households", "persons", "yuan"],
            [2024, "chengguan", "songnuan", "１０", 0, "1,000元"],
            [2024, "Hedong Township", "yiliao", 2, 0, 500],
            ["合计", None, None, 12, 0, 1500]]
    prepared = importing.prepare(county, "aid.xlsx", xlsx({"aid": rows}))
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems]
    assert prepared.batch.totals_checked == 1
    assert len(prepared.batch.frames["aid"]) == 2


def test_preview_then_publish_then_undo(county):
    old = indicators.summary(2024, path=county)
    data = aid_file([2024, "城关镇", "送温暖", 500, 0, 1_000_000])
    prepared = importing.prepare(county, "big.xlsx", data)
    counts, changes = importing.preview(prepared)
    assert set(counts["表"]) == {"帮扶"}
    aid_row = changes[(changes["code"] == "aid_yuan") & (changes["年度"] == 2024)].iloc[0]
    assert aid_row["导入前"] == old["aid_yuan"]
    assert aid_row["导入后"] > old["aid_yuan"]
    assert indicators.summary(2024, path=county) == old  # preview publishes nothing
    snapshots.publish(prepared.candidate)
    assert indicators.summary(2024, path=county)["aid_yuan"] == aid_row["导入后"]
    record = snapshots.history(county)[-1]
    assert record["file"] == "big.xlsx" and record["outcome"] == "published" and record["current"]
    assert len(record["sha256"]) == 64 and record["rows"] == {"aid": 1}
    snapshots.undo(county)
    assert indicators.summary(2024, path=county) == old


def test_go_back_to_any_snapshot_and_prune(county, monkeypatch):
    first = snapshots.current_name(county)
    names = []
    for i in range(4):
        prepared = importing.prepare(county, f"v{i}.xlsx", aid_file([2024, "城关镇", "送温暖", 10 + i, 0, 100 * i]))
        snapshots.publish(prepared.candidate, keep=100)
        names.append(snapshots.current_name(county))
    snapshots.go_to(county, names[1])
    assert store.query("aid_by_program", path=county, years=[2024], regions=["chengguan"]).set_index(
        "program_code").loc["songnuan", "households"] == 11
    store.clear_cache()
    removed = snapshots.prune(county, keep=2)
    kept = sorted(p.name for p in snapshots.snapshot_dir(county).glob("*.duckdb"))
    assert first in removed and names[1] in kept and names[0] in kept  # in force, and its parent
    assert indicators.summary(2024, path=county)["aid_households"] is not None


def test_demo_store_is_replaced_wholesale_and_undo_brings_it_back(tmp_path, demo_db, county_template):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    prepared = importing.prepare(path, "regions.xlsx", xlsx({
        "乡镇": [["乡镇代码", "乡镇名称", "英文名称", "类型"], ["t1", "甲镇", "Jia Town", "镇"]],
        "补助": [["年度", "乡镇", "补助基层工会数", "补助金额（元）"], [2024, "甲镇", 1, 1000]]}))
    assert not prepared.batch.problems
    assert prepared.candidate.replaced_demo
    snapshots.publish(prepared.candidate)
    assert list(store.query("regions", path=path)["code"]) == ["t1"]
    assert store.setting("is_demo", path=path) == "false"
    snapshots.undo(path)
    assert store.setting("is_demo", path=path) == "true" and len(store.query("regions", path=path)) == 13


def test_cli_import_reports_problems_with_exit_2(county, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(units_file(unit_row(职工人数="abc")))
    before = state(county)
    done = run_cli("import", bad, "--db", county)
    assert done.returncode == 2 and "第2行" in done.stderr and "职工人数" in done.stderr
    assert "Traceback" not in done.stderr
    assert state(county) == before
    done = run_cli("history", "--db", county)
    assert "rejected" in done.stdout and "bad.xlsx" in done.stdout


CRASH_STAGES = ("settings", "units", "unit_year", "region_year", "inspections", "arrears", "aid", "subsidies",
                "targets", "cube", "checkpoint", "before_rename", "after_rename", "pointer_written", "published",
                "logged")


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_a_consistent_store(county, tmp_path):
    assert len(CRASH_STAGES) >= 10
    source = tmp_path / "new.xlsx"
    source.write_bytes(aid_file([2024, "城关镇", "送温暖", 777, 0, 777_000]))
    old = indicators.summary(2024, path=county)
    twin = tmp_path / "twin" / "county.duckdb"  # the same import, uninterrupted, gives "new"
    shutil.copytree(snapshots.snapshot_dir(county), snapshots.snapshot_dir(twin))
    snapshots.publish(importing.prepare(twin, source.name, source.read_bytes()).candidate)
    new = indicators.summary(2024, path=twin)
    assert new != old
    outcomes = []
    for stage in CRASH_STAGES:
        marker = tmp_path / f"paused-{stage}"
        env = dict(os.environ, UNIONSTATS_PAUSE_AT=stage, UNIONSTATS_PAUSE_FILE=str(marker))
        proc = subprocess.Popen([sys.executable, "-m", "unionstats", "import", str(source), "--db", str(county)],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(1200):
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), f"never reached {stage}"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store.clear_cache()
        now = indicators.summary(2024, path=county)  # the store opens on a complete snapshot
        assert now in (old, new), stage
        outcomes.append("new" if now == new else "old")
        if now == new:  # killed after the pointer switched: go back for the next round
            snapshots.undo(county)
            store.clear_cache()
    # Before the pointer is switched the old data is in force, after it the new: never a mix.
    # History is written after the switch, so a kill between the two still undoes (the snapshot
    # records its own parent).
    switched = CRASH_STAGES.index("published")
    assert outcomes == ["old"] * switched + ["new"] * (len(CRASH_STAGES) - switched)


def test_readers_see_one_snapshot_each_while_imports_publish(county):
    store.clear_cache()
    old_name = snapshots.current_name(county)
    a = indicators.summary(2024, path=county)["aid_households"]
    prepared = importing.prepare(county, "x.xlsx", aid_file([2024, "城关镇", "送温暖", 9999, 0, 1]))
    snapshots.publish(prepared.candidate, keep=100)
    new_name = snapshots.current_name(county)
    b = indicators.summary(2024, path=county)["aid_households"]
    assert a != b
    errors, seen, stop = [], set(), threading.Event()
    reads, read_done = [0], threading.Condition()

    def reader() -> None:
        while not stop.is_set():
            try:
                value = int(indicators.table(Scope(), "county", (2024,), county)["aid_households"].iloc[0])
                seen.add(value)
                if value not in (a, b):
                    errors.append(f"mixed read {value}")
                store.clear_results()  # so the next read really runs a query
            except Exception as exc:  # noqa: BLE001 - any error at all is a failure here
                errors.append(repr(exc))
            with read_done:
                reads[0] += 1
                read_done.notify_all()

    def readers_read(n: int = 8) -> None:
        """Wait until the readers have read n more times (on state, not on the clock)."""
        with read_done:
            wanted = reads[0] + n
            assert read_done.wait_for(lambda: reads[0] >= wanted, timeout=120), "readers stopped reading"

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for th in threads:
        th.start()
    for _ in range(8):
        snapshots.go_to(county, old_name)
        readers_read()
        snapshots.go_to(county, new_name)
        readers_read()
    stop.set()
    for th in threads:
        th.join()
    assert errors == []
    assert seen == {a, b}
