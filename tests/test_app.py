"""The dashboard in-process (AppTest): 总览 renders, shows the right figures, follows filters,
and explains database problems instead of raising."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from unionstats import catalog, indicators, store
from unionstats.format import fmt_number
from unionstats.indicators import Scope

ROOT = Path(__file__).resolve().parent.parent


def app(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_metrics(year: int, scope: Scope, lang: str = "zh") -> dict[str, str]:
    values = indicators.summary(year, scope)
    return {catalog.get(c).name(lang): fmt_number(values[c], catalog.get(c).unit, lang) for c in catalog.HEADLINE}


def test_overview_renders_headline_figures(demo_db):
    at = app()
    assert not at.exception
    assert metrics(at) == expected_metrics(2024, Scope())
    assert metrics(at)["追回欠薪"] == "68.0万元"
    assert dict(at.query_params) == {"year": "2024"}  # the view is in the URL


def test_overview_charts_have_data(demo_db):
    at = app()
    charts = at.get("plotly_chart")
    assert len(charts) == 5  # coverage rates, members (stock), new members (flow), arrears, aid
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        assert spec["data"], "empty chart"
        xs = spec["data"][0]["x"]
        assert xs[0] == 2015 and xs[-1] == 2024
        assert any(v is not None for v in spec["data"][0]["y"])


def test_demo_label_shown(demo_db):
    at = app()
    assert "示例数据" in at.title[0].value
    assert any("示例数据" in i.value for i in at.info)


def test_changing_the_year_changes_the_kpis(demo_db):
    at = app()
    before = metrics(at)
    at.sidebar.selectbox(key="f_year").set_value("2019").run()
    assert not at.exception
    after = metrics(at)
    assert after != before
    assert after == expected_metrics(2019, Scope())


def test_filters_from_url_apply(demo_db):
    at = app(year="2021", region="nanshan,qingshi", ownership="nonpublic")
    assert not at.exception
    scope = Scope(regions=("nanshan", "qingshi"), ownership_group="nonpublic")
    assert metrics(at) == expected_metrics(2021, scope)
    # Aid is per township only: shown as "—" with a note, never a county figure.
    assert metrics(at)["帮扶金额"] == "—"
    assert any("只按乡镇统计" in c.value for c in at.caption)


def test_gaps_box_lists_the_lowest_townships(demo_db):
    at = app()
    by_region = indicators.table(Scope(), "region", (2024,))
    names = store.query("regions").set_index("code")["name_zh"]
    want = [names[k] for k in by_region.nsmallest(3, "unionization_rate")["key"]]
    table = next(d.value for d in at.dataframe if "乡镇" in d.value.columns)  # after the targets table
    assert list(table["乡镇"]) == want


def test_invalid_url_values_are_dropped_with_a_notice(demo_db):
    at = app(year="1899", region="atlantis,chengguan", ownership="martian")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "1899" in warning and "atlantis" in warning and "martian" in warning
    assert metrics(at) == expected_metrics(2024, Scope(regions=("chengguan",)))


def test_english_mode(demo_db):
    at = app(lang="en")
    assert not at.exception
    assert metrics(at) == expected_metrics(2024, Scope(), "en")
    assert "Overview" in at.title[0].value


@pytest.mark.parametrize("content", [b"not a database" * 50, None])
def test_broken_database_shows_how_to_rebuild(tmp_path, monkeypatch, content):
    path = tmp_path / "broken.duckdb"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv("UNIONSTATS_DB", str(path))
    at = app()
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "python -m unionstats demo" in message
    assert not path.exists() or path.read_bytes() == content  # nothing overwritten


def test_first_start_builds_the_demo_database(tmp_path, monkeypatch):
    target = tmp_path / "data" / "unionstats.duckdb"
    monkeypatch.delenv("UNIONSTATS_DB", raising=False)
    monkeypatch.setattr(store, "DEFAULT_DB", target)
    at = app()
    assert not at.exception
    assert target.exists()
    assert metrics(at)["新组建基层工会"] == "21家"


def test_meeting_note_for_the_year_is_shown(demo_db):
    at = app(year="2024")
    assert any("非公有制企业已建立职代会63家" in m.value for m in at.markdown)
    at = app(year="2023")
    assert not any("职代会63家" in m.value for m in at.markdown)


def test_a_township_view_shows_no_county_note(demo_db):
    """The county's note quotes county figures (新组建21家); beside a township's cards it misleads."""
    at = app(year="2024", region="qingshi")
    assert not at.exception
    assert not any("职代会63家" in m.value for m in at.markdown)
