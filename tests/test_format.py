import math

import pytest

from unionstats.format import fmt_delta, fmt_number, fmt_pct_change


@pytest.mark.parametrize("value, unit, expected", [
    (0, "yuan", "0元"),
    (9_999, "yuan", "9,999元"),
    (10_000, "yuan", "1.0万元"),
    (680_000, "yuan", "68.0万元"),
    (96_180, "yuan", "9.6万元"),
    (99_999_999, "yuan", "1.00亿元"),   # rounds to 10,000.0万: must switch to 亿
    (100_000_000, "yuan", "1.00亿元"),
    (123_000_000, "yuan", "1.23亿元"),
    (-680_000, "yuan", "-68.0万元"),
    (1_046, "person", "1,046人"),
    (40_123, "person", "40,123人"),
    (2_500_000, "person", "250.0万人"),
    (21, "unit", "21家"),
    (186, "household", "186户次"),
    (0.75, "rate", "75.0%"),
    (0, "rate", "0.0%"),
    (1, "rate", "100.0%"),
    (None, "yuan", "—"),
    (math.nan, "rate", "—"),
])
def test_fmt_number_zh(value, unit, expected):
    assert fmt_number(value, unit) == expected


@pytest.mark.parametrize("value, unit, expected", [
    (680_000, "yuan", "¥680,000"),
    (123_000_000, "yuan", "¥123.00 m"),
    (2_000_000_000, "yuan", "¥2.00 bn"),
    (1_046, "person", "1,046 people"),
    (0.75, "rate", "75.0%"),
])
def test_fmt_number_en(value, unit, expected):
    assert fmt_number(value, unit, "en") == expected


@pytest.mark.parametrize("change, unit, lang, expected", [
    (0.023, "rate", "zh", "+2.3个百分点"),
    (-0.023, "rate", "zh", "-2.3个百分点"),
    (0.023, "rate", "en", "+2.3 pp"),
    (0, "rate", "zh", "±0.0个百分点"),
    (159_000, "yuan", "zh", "+15.9万元"),
    (-16, "household", "zh", "-16户次"),
    (math.nan, "person", "zh", "—"),
])
def test_fmt_delta(change, unit, lang, expected):
    assert fmt_delta(change, unit, lang) == expected


def test_pct_change():
    assert fmt_pct_change(110, 100) == "+10.0%"
    assert fmt_pct_change(90, 100) == "-10.0%"
    assert fmt_pct_change(5, 0) == "—"
    assert fmt_pct_change(None, 3) == "—"


def test_interface_catalog_has_no_key_written_twice():
    """A key written twice in i18n.TEXT silently replaces the first text."""
    import ast
    from pathlib import Path
    source = (Path(__file__).resolve().parent.parent / "unionstats" / "i18n.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            assert sorted(k for k in set(keys) if keys.count(k) > 1) == []


def test_count_and_editable_forms():
    from unionstats.format import fmt_count, fmt_editable
    assert fmt_count(1046) == "1,046" and fmt_count(None) == "—"
    assert fmt_editable(0.46, "rate") == "46%" and fmt_editable(0.755, "rate") == "75.5%"
    assert fmt_editable(1100.0, "person") == "1100" and fmt_editable(None, "rate") == ""


def test_unit_labels():
    from unionstats.format import unit_label
    assert [unit_label(u) for u in ("unit", "person", "yuan", "rate")] == ["家", "人", "元", "%"]
    assert [unit_label(u, "en") for u in ("unit", "person", "yuan", "household")] == ["units", "people", "yuan",
                                                                                       "households"]
