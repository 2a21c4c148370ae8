"""The pure step of an import (issue #12): validate() takes sheets of rows and gives problems
and clean frames, with no file in between; the data page's edits are checked that way; one
object (store.Layout) names the files of a store."""
from __future__ import annotations

import pandas as pd

from unionstats import importing, snapshots, store, template
from unionstats.sheets import BY_TABLE

EMPTY = importing.Reference(pd.DataFrame(columns=["code", "name_zh", "name_en"]))
TARGETS = BY_TABLE["targets"].headers()


def test_rows_are_validated_without_a_workbook(monkeypatch):
    def no_workbook(*_):
        raise AssertionError("a workbook was written")
    monkeypatch.setattr(template, "sheet_bytes", no_workbook)
    batch = importing.validate_rows("页面编辑", {"目标": [TARGETS, [2024, "建会率", None, "75%"],
                                                         [2024, "会员人数", float("nan"), 1200]]}, EMPTY)
    assert not batch.problems
    frame = batch.frames["targets"]
    assert frame["indicator"].tolist() == ["unionization_rate", "members"]
    assert frame["value"].tolist() == [0.75, 1200.0]
    assert frame["region_code"].tolist() == ["", ""]  # NaN is a blank cell: the county
    bad = importing.validate_rows("页面编辑", {"目标": [TARGETS, [2024, "建会率", None, "75"]]}, EMPTY)
    assert [(p.sheet, p.row, p.column) for p in bad.problems] == [("目标", 2, "目标值")]
    assert "有歧义" in bad.problems[0].message and not bad.frames


def test_target_edits_on_the_data_page_write_no_workbook(county, monkeypatch):
    def no_workbook(*_):
        raise AssertionError("a workbook was written")
    monkeypatch.setattr(template, "sheet_bytes", no_workbook)
    prepared = importing.write_edit(county, lambda: importing.edit_targets(
        county, 2025, [{"指标": "建会率", "乡镇": "全县", "目标值": "80%"}], "明年目标"))
    assert not prepared.batch.problems
    store.clear_cache()
    targets = store.query("targets", path=county, years=(2025,))
    assert targets[["indicator", "region_code", "value"]].values.tolist() == [["unionization_rate", "", 0.8]]


def test_one_layout_names_the_files_of_a_store(county):
    where = store.layout(county)
    prepared = importing.prepare(county, "帮扶.xlsx", template.sheet_bytes(
        {"帮扶": [["年度", "乡镇", "帮扶项目", "户次", "人数", "金额（元）"], [2024, "城关镇", "送温暖", 3, 0, 900]]}))
    snapshots.publish(prepared.candidate)
    name = snapshots.current_name(county)
    assert where.pointer.read_text(encoding="utf-8").strip() == name
    assert store.resolve(county) == where.snapshot(name) and where.snapshot("") == county
    assert where.snapshot_names()[-1] == name
    assert sorted(p.name for p in where.folder.iterdir()) == sorted(
        {*where.snapshot_names(), where.pointer.name, where.lock.name, where.history.name})
    assert where.history.read_text(encoding="utf-8").count('"published"') >= 2
