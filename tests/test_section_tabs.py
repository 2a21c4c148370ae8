"""维权 and 困难帮扶 in lazy tabs (issue #17 item 2): a page sends and draws only the open section's
charts and cards, the first section by default; opening another shows that one alone; the open
section survives a change of language."""
from __future__ import annotations

import json

import pytest

from conftest import open_page, open_section, section_tabs
from unionstats import catalog, indicators
from unionstats.format import fmt_number
from unionstats.i18n import t
from unionstats.indicators import Scope

# Written out here from the issue, not read from the pages: each section's cards and chart keys.
SECTIONS = {
    "pages/rights.py": [
        ("section_contracts", ("labor_contract_rate", "collective_contract_rate", "wage_agreement_rate"),
         {"contracts_by_region", "contracts_by_industry", "contracts_trend"}),
        ("section_inspections", ("units_inspected", "compliance_rate", "workers_helped_sign"),
         {"inspections_trend", "compliance_trend"}),
        ("section_arrears", ("arrears_recovered_yuan", "arrears_cases", "arrears_workers", "arrears_migrant_workers"),
         {"arrears_by_industry", "arrears_by_region", "arrears_trend", "arrears_workers_trend"}),
    ],
    "pages/aid.py": [
        ("section_aid", ("aid_households", "aid_yuan", "aid_per_household"),
         {"aid_program_yuan", "aid_program_households", "aid_region_aid_yuan", "aid_region_aid_households",
          "aid_trend", "aid_per_household_trend"}),
        ("section_model_workers", ("model_workers_visited", "model_worker_aid_yuan", "subsidy_unions", "subsidy_yuan"),
         {"model_worker_trend", "subsidy_trend"}),
    ],
}
EACH = [(page, i) for page, sections in SECTIONS.items() for i in range(len(sections))]


def chart_keys(at) -> set[str]:
    return {c.key for c in at.get("plotly_chart")}


def assert_shows(at, page: str, i: int, lang: str = "zh", year: int = 2024) -> None:
    """Section i's cards, with the store's values, and its charts, drawn; nothing of another section."""
    _, codes, keys = SECTIONS[page][i]
    assert chart_keys(at) == keys
    for chart in at.get("plotly_chart"):
        assert json.loads(chart.proto.spec)["data"], chart.key
    values = indicators.summary(year, Scope())
    want = {catalog.get(c).name(lang): fmt_number(values[c], catalog.get(c).unit, lang) for c in codes}
    assert {m.label: m.value for m in at.metric} == want


@pytest.mark.parametrize("page", SECTIONS)
def test_only_the_first_section_is_drawn_by_default(demo_db, page):
    at = open_page(page, year="2024")
    key, labels = section_tabs(at)
    assert labels == [t(s) for s, _, _ in SECTIONS[page]]  # in Chinese, in the page's order
    assert at.session_state[key] == labels[0]
    assert_shows(at, page, 0)


@pytest.mark.parametrize("page, i", EACH)
def test_opening_a_tab_shows_that_section_alone(demo_db, page, i):
    at = open_page(page, year="2024")
    open_section(at, t(SECTIONS[page][i][0]))
    assert_shows(at, page, i)


@pytest.mark.parametrize("page, i", [(p, i) for p, i in EACH if i > 0])
def test_the_open_section_stays_open_in_the_other_language(demo_db, page, i):
    at = open_page(page, year="2024")
    open_section(at, t(SECTIONS[page][i][0]))
    at.sidebar.selectbox(key="f_lang").set_value("en").run()
    assert not at.exception, at.exception
    key, labels = section_tabs(at)
    assert labels == [t(s, "en") for s, _, _ in SECTIONS[page]]
    assert at.session_state[key] == labels[i]
    assert_shows(at, page, i, "en")
    at.sidebar.selectbox(key="f_lang").set_value("zh").run()
    assert not at.exception, at.exception
    assert_shows(at, page, i)


@pytest.mark.parametrize("page, i", EACH)
def test_a_stored_label_of_the_other_language_opens_its_section(demo_db, page, i):
    """Opened from a link with ?lang=en, the tab's state holding a Chinese label (as after a switch
    of language) opens that section in English instead of failing."""
    at = open_page(page, year="2024", lang="en")
    key, labels = section_tabs(at)
    assert labels == [t(s, "en") for s, _, _ in SECTIONS[page]]
    at.session_state[key] = t(SECTIONS[page][i][0], "zh")
    at.run()
    assert not at.exception, at.exception
    assert at.session_state[key] == labels[i]
    assert_shows(at, page, i, "en")


def test_a_ranking_with_nothing_to_rank_says_so_instead_of_bare_axes(demo_db, monkeypatch):
    """A township with no wage-arrears case (the demo's 北山乡 in 2024) has no bars to rank: the
    tab says so where the two charts would be, and draws no empty chart."""
    monkeypatch.setenv("UNIONSTATS_DB", str(demo_db))
    arrears = indicators.table(Scope(regions=("beishan",)), "region", (2024,), demo_db)["arrears_recovered_yuan"]
    assert not (arrears > 0).any()  # independent of the page: nothing recovered there that year
    at = open_section(open_page("pages/rights.py", region="beishan", year="2024"), "追讨欠薪")
    keys = [chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")]
    assert "arrears_by_region" not in keys and "arrears_by_industry" not in keys
    assert "arrears_trend" in keys  # the page's other charts are still drawn
    assert sum("没有可排列的数" in c.value for c in at.caption) == 2
