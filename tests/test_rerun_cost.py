"""A warm rerun reuses what the last run built (issue #17): no figure is built again and no query
runs again; what is reused is never stale (a new snapshot, another filter) and never shared with a
caller who changes it."""
from __future__ import annotations

import functools
import json
import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from test_concurrency import aid_file
from conftest import open_page, open_section, section_tabs
from unionstats import charts, figcache, importing, indicators, snapshots, store
from unionstats.indicators import Scope

BUILDERS = ("trend", "ranked_bars", "change_bars", "heatmap", "dumbbell", "tile_map", "outline_map")
CHART_PAGES = ("overview", "coverage", "rights", "aid", "townships", "compare")


def open_named(page: str) -> AppTest:
    return open_page(f"pages/{page}.py")


def specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.fixture
def builds(monkeypatch) -> Counter:
    """Counts calls of every charts.py builder (the pages look them up at run time)."""
    counts = Counter()
    for name in BUILDERS:
        original = getattr(charts, name)

        @functools.wraps(original)
        def counted(*args, _original=original, _name=name, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(charts, name, counted)
    figcache.clear()
    return counts


def sections(at) -> list[str | None]:
    """The labels of the page's section tabs (维权, 困难帮扶), or [None] for a page without."""
    found = section_tabs(at)
    return found[1] if found else [None]


@pytest.mark.parametrize("page", CHART_PAGES)
def test_a_warm_rerun_builds_no_figure_and_runs_no_query(demo_db, builds, page):
    at = open_named(page)
    for label in sections(at):  # each tab: opening it builds its charts, a rerun of it none
        if label is not None and label != at.session_state[section_tabs(at)[0]]:
            builds.clear()
            open_section(at, label)
        assert sum(builds.values()) > 0  # the first run of the page (of the tab) built its charts
        before = specs(at)
        builds.clear()
        store.QUERY_LOG = []
        try:
            at.run()
            assert not at.exception, at.exception
            assert store.QUERY_LOG == []
        finally:
            store.QUERY_LOG = None
        assert dict(builds) == {}
        assert specs(at) == before


def test_reused_figures_are_the_ones_a_fresh_build_draws(demo_db, builds):
    """Another year draws other figures; back at the first year the figures are the same as
    before and the same as a build from nothing."""
    at = open_named("overview")
    first = specs(at)
    at.sidebar.selectbox(key="f_year").set_value("2019").run()
    assert not at.exception, at.exception
    other = specs(at)
    assert other != first and builds["trend"] > 0
    at.sidebar.selectbox(key="f_year").set_value("2024").run()
    assert specs(at) == first
    figcache.clear()
    at.run()
    assert specs(at) == first


def test_per_snapshot_results_follow_a_publish_and_stay_the_callers(county):
    scope, key = Scope(), ("aid_households", 2024)
    before = indicators.table(scope, "county", (2024,), county)
    count = before.loc[before["year"] == 2024, key[0]].iloc[0]
    before.loc[:, key[0]] = -1  # the caller's copy: the next caller must not see this
    again = indicators.table(scope, "county", (2024,), county)
    assert again.loc[again["year"] == 2024, key[0]].iloc[0] == count
    prepared = importing.prepare(county, "aid.xlsx", aid_file("城关镇", 7777))
    snapshots.publish(prepared.candidate)
    after = indicators.table(scope, "county", (2024,), county)
    assert after.loc[after["year"] == 2024, key[0]].iloc[0] != count


def test_a_figure_key_tells_apart_what_draws_differently():
    freeze = figcache.freeze
    assert freeze([1, 2]) != freeze([1.0, 2.0]) != freeze([True, 2])      # 1 and 1.0 print differently
    assert freeze([1.5, math.nan]) == freeze([1.5, float("nan")])         # NaN is NaN
    assert freeze([1.5, math.nan]) != freeze([1.5, None])
    assert freeze(pd.Series([1, 2], index=[2023, 2024])) != freeze(pd.Series([1, 2], index=[2022, 2024]))
    assert freeze(np.float64(0.5)) == freeze(0.5)
    assert freeze({"a": 1}) != freeze({"a": 2})
    with pytest.raises(figcache.Unhashable):
        freeze(object())


@pytest.mark.parametrize("page", ("rights", "townships"))
def test_a_warm_rerun_copies_no_cached_figure_again(demo_db, monkeypatch, page):
    """st.plotly_chart reads a figure's to_dict(), which plotly makes by deep copy on every call:
    for a cached figure that dict is made once."""
    from plotly.basedatatypes import BaseFigure
    at = open_named(page)
    copies = Counter()
    original = BaseFigure.to_dict

    def counted(self):
        copies["to_dict"] += 1
        return original(self)

    monkeypatch.setattr(BaseFigure, "to_dict", counted)
    for label in sections(at):  # each tab: its first run copies, its warm rerun does not
        if label is not None:
            open_section(at, label)
        copies.clear()
        at.run()
        assert not at.exception, at.exception
        assert len(at.get("plotly_chart")) > 0 and copies["to_dict"] == 0


def test_a_cached_figure_dict_is_what_a_fresh_figure_gives_after_showing(demo_db):
    """The dict made once is handed to every st.plotly_chart: showing it must leave it as plotly
    would make it from the figure anew."""
    figcache.clear()
    at = open_named("rights")
    for label in sections(at):  # every tab's figures, each shown twice
        open_section(at, label)
        at.run()
        assert not at.exception, at.exception
    cached = list(figcache._figures.values())
    assert len(cached) >= 9  # 维权's nine charts
    assert cached and all(type(fig) is not figcache.go.Figure for fig in cached)
    for fig in cached:
        made = fig.to_dict()
        assert fig.to_dict() is made  # made once
        assert made == figcache.go.Figure.to_dict(fig)  # plotly's own, anew: nothing changed it
