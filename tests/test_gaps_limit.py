"""The 空白点 list on screen is the full list's first rows, fetched with a limit in SQL (issue #17
item 4): the page shows gaps.MAX_LISTED rows, the briefing gaps.BRIEF_LISTED, in the full list's
order; the count shown is the true count; the downloads hold every row, fetched only on a click."""
from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.elements.widgets import button

from conftest import open_page
from unionstats import briefing, demo, gaps, snapshots, store
from unionstats.view import View
from unionstats import format as fmt
from unionstats.indicators import Scope

YEAR = 2024
UNITS = 4_000  # twice the county: about 2,100 uncovered employers of 1 or more, more than MAX_LISTED
SAME = "同名测试有限公司"


@pytest.fixture(scope="module")
def many_gaps(tmp_path_factory) -> Path:
    """A demo store with more uncovered employers than the page lists, where ties need the last
    key: every other uncovered employer of YEAR is named SAME (so a township's same-size SAMEs
    differ by unit_id only), and unit_year is stored in descending unit_id, so that a tie left to
    the engine comes out in storage order, not unit_id order."""
    tables = demo.build_tables(UNITS)
    uy = tables["unit_year"]
    renamed = (uy["year"] == YEAR) & (uy["union_status"] == "none") & (uy["unit_id"] % 2 == 0)
    uy.loc[renamed, "name"] = SAME
    tables["unit_year"] = uy.sort_values(["year", "unit_id"], ascending=[True, False], ignore_index=True)
    path = tmp_path_factory.mktemp("gaps") / "many_gaps.duckdb"
    snapshots.write_database(path, tables)
    return path


def expected(db: Path, min_employees: int) -> pd.DataFrame:
    """The full list in pandas from the unit rows: largest first, then the township's order, the
    name, the unit id (the last tie-break; (year, unit_id) is the key)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT * FROM unit_year").df()
        regions = con.execute("SELECT code, name_zh, sort_order FROM regions").df()
    finally:
        con.close()
    rows = rows[(rows["year"] == YEAR) & (rows["union_status"] == "none") & (rows["employees"] >= min_employees)]
    rows = rows.merge(regions, left_on="region_code", right_on="code")
    return rows.sort_values(["employees", "sort_order", "name", "unit_id"], ascending=[False, True, True, True],
                            ignore_index=True)


def _key(frame: pd.DataFrame) -> list[tuple]:
    """Name, township and size per row: with SAME names, the township and size tell the ties' places."""
    return list(zip(frame["单位名称"], frame["乡镇"], frame["职工人数"]))


def _want(rows: pd.DataFrame) -> list[tuple]:
    return list(zip(rows["name"], rows["name_zh"], rows["employees"]))


@pytest.fixture
def fetched(monkeypatch) -> list[tuple]:
    """Every gap_units query run: its limit and how many rows it returned."""
    calls = []
    query = store.query

    def spy(name, path=None, **params):
        frame = query(name, path, **params)
        if name == "gap_units":
            calls.append((params.get("limit"), len(frame)))
        return frame

    monkeypatch.setattr(store, "query", spy)
    return calls


def test_the_fixture_has_ties_that_only_the_unit_id_breaks(many_gaps):
    rows = expected(many_gaps, 1)
    assert len(rows) > gaps.MAX_LISTED
    tied = rows[rows["name"] == SAME].duplicated(["employees", "region_code"], keep=False)
    assert tied.sum() > 20  # same name, township and size: only unit_id orders them


@pytest.mark.parametrize("limit", (1, 7, 10, 333, gaps.MAX_LISTED))
def test_a_limited_list_is_the_full_lists_first_rows(many_gaps, limit):
    rows = expected(many_gaps, 1)
    full = gaps.uncovered_units(YEAR, Scope(), 1, many_gaps)
    assert list(full["unit_id"]) == list(rows["unit_id"])  # today's display order, ties by unit_id
    first = gaps.uncovered_units(YEAR, Scope(), 1, many_gaps, limit=limit)
    assert list(first["unit_id"]) == list(rows["unit_id"][:limit])
    table = gaps.uncovered_table(YEAR, Scope(), 1, "zh", many_gaps, limit=limit)
    assert _key(table) == _want(rows.head(limit))


def test_coverage_page_lists_the_first_rows_and_the_true_count(many_gaps, monkeypatch, fetched):
    offered = {}
    original = button.ButtonMixin.download_button

    def keep(self, label, data, *args, **kwargs):  # the data a click would produce (AppTest has no runtime)
        offered[kwargs.get("key")] = data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(button.ButtonMixin, "download_button", keep)
    monkeypatch.setenv("UNIONSTATS_DB", str(many_gaps))
    store.clear_cache()
    at = open_page("pages/coverage.py", year=str(YEAR))
    fetched.clear()
    at.number_input(key="min_employees").set_value(1).run()
    assert not at.exception
    rows = expected(many_gaps, 1)
    shown = at.dataframe[0].value
    assert len(shown) == gaps.MAX_LISTED < len(rows)
    assert _key(shown) == _want(rows.head(gaps.MAX_LISTED))
    said = [m.groups() for c in at.caption if (m := re.search(r"前 ([\d,]+) 家（共 ([\d,]+) 家）", c.value))]
    assert [tuple(int(x.replace(",", "")) for x in pair) for pair in said] == [(gaps.MAX_LISTED, len(rows))]
    # The rerun fetched only the rows it shows; the whole list waits for a click on a download.
    assert fetched and all(limit == gaps.MAX_LISTED and n <= gaps.MAX_LISTED for limit, n in fetched)

    csv = offered["gaps_csv"]()
    assert any(limit is None and n == len(rows) for limit, n in fetched)
    every = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert _key(every) == _want(rows)
    assert len(pd.read_excel(io.BytesIO(offered["gaps_xlsx"]()))) == len(rows)


def test_coverage_page_lists_everything_under_the_limit(many_gaps, monkeypatch):
    monkeypatch.setenv("UNIONSTATS_DB", str(many_gaps))
    store.clear_cache()
    at = open_page("pages/coverage.py", year=str(YEAR))
    rows = expected(many_gaps, gaps.DEFAULT_MIN_EMPLOYEES)
    assert 0 < len(rows) <= gaps.MAX_LISTED
    assert _key(at.dataframe[0].value) == _want(rows)
    assert not any("共" in c.value and "家" in c.value and "仅列出" in c.value for c in at.caption)


def test_briefing_lists_the_first_rows_and_the_true_count(many_gaps, monkeypatch, fetched):
    slide = next(s for s in briefing.build(View(YEAR), many_gaps) if s.key == "gaps")
    rows = expected(many_gaps, gaps.DEFAULT_MIN_EMPLOYEES)
    assert len(rows) > gaps.BRIEF_LISTED
    assert _key(slide.table) == _want(rows.head(gaps.BRIEF_LISTED))
    assert fmt.fmt_number(len(rows), "unit", "zh") in slide.message
    assert fetched and all(limit == gaps.BRIEF_LISTED and n == gaps.BRIEF_LISTED for limit, n in fetched)

    monkeypatch.setenv("UNIONSTATS_DB", str(many_gaps))
    store.clear_cache()
    at = open_page("pages/briefing.py", year=str(YEAR), slide="5")
    assert at.header[0].value.startswith(slide.title)
    assert _key(at.dataframe[0].value) == _want(rows.head(gaps.BRIEF_LISTED))
