"""A work report's figures as county totals (issues #16 and #11): the county's own row (township
blank), never added on top of what the townships report, kept when a later report adds figures,
and refused when township rows of the same count would join it."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from unionstats import importing, indicators, narrative, snapshots, store, template
from unionstats.sheets import BY_TABLE

SEED = ROOT / "tests" / "data" / "reports" / "seed_000_3aedff2f801e4680.txt"

# Figures of the seed that have a county row, labelled by hand from its text (values as written,
# qualifiers aside): 新组建基层工会组织21家，新增会员1000余人，检查用人单位50多家，帮助1000余名职工
# 签订劳动合同，追回欠薪68万元，帮扶困难职工186户、发放96180元，劳模慰问金26000元，补助资金25万余元.
SEED_COUNTY = {"unions_new": 21, "members_new": 1000, "units_inspected": 50, "workers_helped_sign": 1000,
               "arrears_recovered_yuan": 680000, "aid_households": 186, "aid_yuan": 96180,
               "model_worker_aid_yuan": 26000, "subsidy_yuan": 250000}


def confirm(path: Path, text: str, year: int, region: str | None = None):
    """What the data page's confirm button does with every figure found."""
    reading = narrative.read_report(text, year)
    items = [f.as_dict(reading.text) for f in (*reading.actuals().values(), *reading.targets().values())]
    prepared, skipped = importing.write_edit(path, lambda: narrative.prepare_import(path, items, region, "总结.txt"))
    store.clear_cache()
    return prepared, {i["code"]: why for i, why in skipped}


def county_rows(path: Path, table: str) -> list[dict]:
    with store.cursor(store.resolve(path)) as cur:
        frame = cur.execute(f"SELECT * FROM {table} WHERE region_code = '' ORDER BY ALL").df()  # table: ours
    return frame.to_dict("records")


def test_the_seed_into_a_new_store_gives_its_county_totals(tmp_path):
    path = tmp_path / "county.duckdb"
    prepared, skipped = confirm(path, SEED.read_text(encoding="utf-8"), 2024)
    assert not prepared.batch.problems, prepared.batch.problems
    summary = indicators.summary(2024, path=path)
    assert {code: summary[code] for code in SEED_COUNTY} == SEED_COUNTY
    assert summary["units"] is None and summary["unionization_rate"] is None  # not said: not reported, not 0
    assert "compliance_rate" in skipped  # a rate is derived from counts, never stored by itself
    assert indicators.summary(2024, indicators.Scope(regions=("chengguan",)), path=path)["unions_new"] is None


def test_where_townships_report_a_count_the_report_adds_nothing(county):
    before = snapshots.checksums(store.resolve(county))
    prepared, skipped = confirm(county, SEED.read_text(encoding="utf-8"), 2024)
    assert not prepared.batch.problems
    for code in SEED_COUNTY:
        assert "各乡镇已填报" in skipped[code], code
    assert snapshots.checksums(store.resolve(county)) == before  # targets aside, nothing to write


def test_a_second_report_keeps_the_first_reports_figures(county):
    first, _ = confirm(county, "2025年新组建基层工会组织12家，追回欠薪30万元，帮扶困难职工40户。", 2025)
    assert not first.batch.problems
    second, skipped = confirm(county, "2025年新增会员800余人，为劳模发放慰问金1万元。", 2025)
    assert not second.batch.problems and not skipped
    summary = indicators.summary(2025, path=county)
    assert (summary["unions_new"], summary["members_new"], summary["arrears_recovered_yuan"],
            summary["aid_households"], summary["model_worker_aid_yuan"]) == (12, 800, 300000, 40, 10000)
    assert [r["program_code"] for r in county_rows(county, "aid")] == ["laomo", "songnuan"]
    assert len(county_rows(county, "region_year")) == 1  # one county row holds both reports' counts
    snapshots.undo(county)
    store.clear_cache()
    summary = indicators.summary(2025, path=county)
    assert (summary["unions_new"], summary["members_new"], summary["model_worker_aid_yuan"]) == (12, None, None)


def township_inspections(path: Path, year: int, region: str) -> bytes:
    spec = BY_TABLE["inspections"]
    return template.sheet_bytes({spec.zh: [spec.headers(), [year, region, None, None, 7, 6, 40]]})


def test_township_rows_joining_a_county_figure_are_refused(county):
    prepared, _ = confirm(county, "2025年检查用人单位50家。", 2025)
    assert prepared.candidate is not None
    before = (snapshots.current_name(county), snapshots.checksums(store.resolve(county)))
    region = str(store.query("regions", path=county)["code"].iloc[0])
    refused = importing.prepare(county, "乡镇检查.xlsx", township_inspections(county, 2025, region))
    store.clear_cache()
    assert refused.candidate is None
    text = " ".join(p.message for p in refused.batch.problems)
    assert "2025 年" in text and "检查用工单位" in text and "重复计算" in text and "50" in text
    assert (snapshots.current_name(county), snapshots.checksums(store.resolve(county))) == before
    # Another year of the same township is fine: the rule is per count and year.
    other = importing.prepare(county, "乡镇检查.xlsx", township_inspections(county, 2026, region))
    assert other.candidate is not None and not other.batch.problems
    snapshots.discard(other.candidate)


def test_a_county_row_of_township_totals_counts_once(county):
    """A 乡镇汇总 row with the township blank is the county's own total: it counts in the county
    total, in no township and in no list of townships."""
    spec = BY_TABLE["region_year"]
    header = spec.headers()
    row = {h: None for h in header}
    row.update({"年度": 2025, "单位数": 120, "已建会单位数": 90, "职工人数": 5000, "会员人数": 4100})
    data = template.sheet_bytes({spec.zh: [header, [row[h] for h in header]]})
    prepared = importing.prepare(county, "全县合计.xlsx", data)
    assert not prepared.batch.problems, prepared.batch.problems
    snapshots.publish(prepared.candidate)
    store.clear_cache()
    summary = indicators.summary(2025, path=county)
    assert (summary["units"], summary["units_unionized"], summary["members"]) == (120, 90, 4100)
    assert summary["unionization_rate"] == pytest.approx(0.75)
    assert store.query("totals_only_regions", path=county, years=(2025,), regions=None).empty
    # The same figures for a year the townships report are refused, not added.
    row["年度"] = 2024
    twice = importing.prepare(county, "全县合计.xlsx", template.sheet_bytes({spec.zh: [header, [row[h] for h in header]]}))
    assert twice.candidate is None and any("重复计算" in p.message for p in twice.batch.problems)


def test_cli_import_of_the_seed_into_a_new_store(tmp_path, capsys):
    from unionstats import cli
    path = tmp_path / "new.duckdb"
    assert cli.main(["read-report", str(SEED), "--import", "--db", str(path)]) == 0
    store.clear_cache()
    assert indicators.summary(2024, path=path)["arrears_recovered_yuan"] == 680000
    assert "已写入" in capsys.readouterr().err

