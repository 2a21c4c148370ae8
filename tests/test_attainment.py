"""The rules of issue #13, one test per rule, on hand-made numbers: target status and its margins,
which targets a scope may show, small samples, the base year of a change when years are missing."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from unionstats import attainment, charts
from unionstats.attainment import Rules
from unionstats.indicators import Scope


# --- status thresholds ----------------------------------------------------------------------------------

@pytest.mark.parametrize("actual, status", [
    (0.47, "done"), (0.46, "done"),
    (0.4505, "near"),    # 0.95个百分点 short: within the default 1个百分点
    (0.4501, "near"),    # 0.99个百分点 short
    (0.449, "missed"),   # 1.1个百分点 short
    (0.30, "missed"),
])
def test_rate_status_uses_percentage_points(actual, status):
    a = attainment.attain("unionization_rate", actual, 0.46)
    assert a.status == status
    assert a.ratio == pytest.approx(actual / 0.46)
    assert a.gap == pytest.approx(actual - 0.46)


@pytest.mark.parametrize("actual, status", [(1284, "done"), (1000, "done"), (950, "near"), (949, "missed"),
                                            (0, "missed")])
def test_count_status_uses_share_of_target(actual, status):
    assert attainment.attain("members_new", actual, 1000).status == status


def test_the_margins_are_the_admins():
    assert attainment.attain("unionization_rate", 0.4505, 0.46, Rules(near_points=0.005)).status == "missed"
    assert attainment.attain("unionization_rate", 0.44, 0.46, Rules(near_points=0.03)).status == "near"
    assert attainment.attain("members_new", 949, 1000, Rules(near_ratio=0.90)).status == "near"
    assert attainment.attain("members_new", 899, 1000, Rules(near_ratio=0.90)).status == "missed"


def test_not_reported_is_no_status():
    a = attainment.attain("unionization_rate", None, 0.46)
    assert a.status is None and a.ratio is None
    assert attainment.status_label(a.status) == "无数据"


def test_description_says_not_met_with_the_gap_a_reader_would_compute():
    # 45.1% shown against 46.0%: the reader subtracts and gets 0.9, so the page says 0.9.
    text = attainment.describe(attainment.attain("unionization_rate", 0.4506, 0.46))
    ratio = f"{0.4506 / 0.46 * 100:.1f}%"
    assert text == f"目标 46.0% · 完成率 {ratio} · 差0.9个百分点"
    assert attainment.describe(attainment.attain("members_new", 1284, 1000)) == "目标 1,000人 · 完成率 128.4% · 超出284人"
    english = attainment.describe(attainment.attain("unionization_rate", 0.4506, 0.46), "en")
    assert english == f"target 46.0% · {ratio} of target · 0.9 pp short"


def test_misses_come_first():
    values = {"unionization_rate": 0.4505, "members_new": 1284, "membership_rate": 0.50, "unions_new": None}
    targets = {"members_new": 1000, "unionization_rate": 0.46, "membership_rate": 0.63, "unions_new": 20}
    assert [a.code for a in attainment.attainments(values, targets)] == [
        "membership_rate", "unionization_rate", "members_new", "unions_new"]
    table = attainment.frame(attainment.attainments(values, targets))
    assert list(table["状态"]) == ["未完成", "接近（未完成）", "已完成", "无数据"]
    assert list(table["差距"]) == ["-13.0个百分点", "-0.9个百分点", "+284人", "—"]


def test_rules_come_from_the_settings(demo_db, tmp_path):
    assert attainment.rules(demo_db) == Rules(0.95, 0.01, 5)  # the demo sets none: the defaults
    assert attainment.validate(0.95, 0.01, 5) == []
    assert [field for field, _ in attainment.validate(0, 2, 0)] == ["接近目标（数量）", "接近目标（比率）", "样本少的界限"]


# --- targets follow the scope ---------------------------------------------------------------------------

TARGETS = {("unionization_rate", ""): 0.46, ("members_new", ""): 1000.0, ("members_new", "qingshi"): 20.0,
           ("no_such_code", ""): 1.0}


@pytest.mark.parametrize("scope, wanted", [
    (Scope(), {"unionization_rate": 0.46, "members_new": 1000.0}),
    (Scope(regions=("qingshi",)), {"members_new": 20.0}),
    (Scope(regions=("nanshan",)), {}),
    (Scope(regions=("qingshi", "nanshan")), {}),
    (Scope(regions=("qingshi",), ownership_group="nonpublic"), {}),
    (Scope(ownership_group="nonpublic"), {}),
    (Scope(industries=("C",)), {}),
])
def test_targets_follow_the_scope(scope, wanted):
    assert attainment.scope_targets(TARGETS, scope) == wanted


# --- small numbers --------------------------------------------------------------------------------------

def _inspections(counts: dict[int, tuple[int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame({"units_inspected": {y: n for y, (n, _) in counts.items()},
                          "units_compliant": {y: k for y, (_, k) in counts.items()}}).astype(float)
    frame["compliance_rate"] = frame["units_compliant"] / frame["units_inspected"].where(frame["units_inspected"] > 0)
    return frame


def test_a_change_on_one_unit_is_grey_and_marked():
    by_year = _inspections({2023: (2, 1), 2024: (1, 1)})  # the 1 of 1 inspected
    moved = attainment.change(by_year, "compliance_rate", 2024)
    assert moved.small and moved.color == "off"
    assert moved.text == "+50.0个百分点 样本少"
    assert attainment.parts("compliance_rate", by_year.loc[2024]) == "1/1家"
    aid = pd.Series({"aid_yuan": 96180.0, "aid_households": 186.0})
    assert attainment.parts("aid_per_household", aid) == "96,180元/186户次"  # two units: both named
    assert attainment.parts("aid_yuan", aid) == ""  # a count has no parts


def test_a_change_on_enough_units_keeps_its_colour():
    by_year = _inspections({2023: (10, 8), 2024: (12, 11)})
    moved = attainment.change(by_year, "compliance_rate", 2024)
    assert not moved.small and moved.color == "normal"
    assert moved.text == f"+{(11 / 12 - 8 / 10) * 100:.1f}个百分点"
    falling = attainment.change(_inspections({2023: (10, 9), 2024: (10, 5)}), "compliance_rate", 2024)
    assert falling.color == "normal" and falling.text.startswith("-")  # Streamlit colours a fall red


def test_small_in_the_base_year_is_small_too_and_the_threshold_is_adjustable():
    by_year = _inspections({2023: (4, 4), 2024: (20, 10)})
    assert attainment.change(by_year, "compliance_rate", 2024).small
    assert not attainment.change(by_year, "compliance_rate", 2024, rule=Rules(small_n=4)).small
    assert not attainment.change(by_year, "units_inspected", 2024).small  # a count has no sample


def test_small_groups_leave_the_lowest_lists():
    frame = pd.DataFrame({"key": ["a", "b", "c"], "units_inspected": [1, 5, 40], "units_compliant": [0, 2, 30]})
    frame["compliance_rate"] = frame["units_compliant"] / frame["units_inspected"]
    assert list(attainment.reliable(frame, "compliance_rate")["key"]) == ["b", "c"]
    assert list(attainment.reliable(frame, "compliance_rate", Rules(small_n=50))["key"]) == []
    assert list(attainment.reliable(frame, "units_inspected")["key"]) == ["a", "b", "c"]


# --- missing years --------------------------------------------------------------------------------------

def _rates(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"units": {y: 100.0 for y in values},
                         "units_unionized": {y: v * 100 for y, v in values.items()},
                         "unionization_rate": values})


def test_the_change_skips_missing_years_and_says_so():
    by_year = _rates({2001: 0.40, 2004: 0.45})
    moved = attainment.change(by_year, "unionization_rate", 2004)
    assert moved.base == 2001 and moved.delta == pytest.approx(0.05)
    assert attainment.base_text(2004, moved.base) == "较2001年（2002—2003年无数据）"
    assert attainment.base_text(2004, 2002) == "较2002年（2003年无数据）"
    assert attainment.base_text(2004, 2003) == "较2003年"
    assert attainment.base_text(2004, 2001, "en") == "vs 2001 (no data for 2002–2003)"


def test_an_indicator_not_reported_in_a_year_falls_back_per_indicator():
    by_year = _rates({2001: 0.40, 2003: math.nan, 2004: 0.45})
    assert attainment.base_year(by_year, "unionization_rate", 2004) == 2001


def test_no_earlier_year_says_the_year_before_has_no_data():
    by_year = _rates({2004: 0.45})
    moved = attainment.change(by_year, "unionization_rate", 2004)
    assert moved.base is None and moved.delta is None and moved.text == "—"
    assert attainment.base_text(2004, None) == "2003年无数据"
    assert attainment.latest_earlier([2001, 2004, 2005], 2004) == 2001
    assert attainment.latest_earlier([2004, 2005], 2004) is None


def test_trend_lines_break_at_missing_years():
    fig = charts.trend([2001, 2004, 2005], [("建会率", [0.40, 0.45, 0.46])], "rate", "建会率")
    line = fig.data[0]
    assert list(line.x) == [2001, 2002, 2003, 2004, 2005]
    assert list(line.y) == [0.40, None, None, 0.45, 0.46]
    assert not line.connectgaps


def test_the_admin_sets_the_rules_and_bad_values_change_nothing(tmp_path):
    from unionstats import demo, importing, snapshots, store
    path = demo.build(tmp_path / "rules.duckdb")
    store.clear_cache()
    bad = importing.edit_settings(path, "示例县", "Demo County", "calendar", rules=Rules(1.5, 0.01, 0))
    assert bad.candidate is None
    assert {(p.column, p.message) for p in bad.batch.problems} == {
        ("接近目标（数量）", "应大于0%且不超过100%"), ("样本少的界限", "应为1到1,000,000之间的整数")}
    assert attainment.rules(path) == Rules()
    good = importing.edit_settings(path, "示例县", "Demo County", "calendar", rules=Rules(0.9, 0.02, 10))
    snapshots.publish(good.candidate)
    store.clear_cache()
    assert attainment.rules(path) == Rules(0.9, 0.02, 10)
    assert store.setting("county_name_zh", path=path) == "示例县"
