"""会议汇报 presentation mode in AppTest (issue #14 item 1): the slide and the mode come from the
URL and go back into it, bad slide numbers are clamped or ignored with a notice and no traceback,
the keys are bound to buttons while presenting, and a slide's chart is in projector type. The
browser side (keys pressed, sizes, nothing cut) is tests/test_browser_present.py."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from conftest import open_page
from unionstats import briefing, present
from unionstats.view import View


def briefing_page(**query) -> AppTest:
    return open_page("pages/briefing.py", **query)


@pytest.fixture(scope="module")
def titles(demo_db) -> list[str]:
    return [s.title for s in briefing.build(View(2024), path=demo_db)]


def _shown_slide(at, titles) -> int:
    """Which slide (0-based) the page shows, found by its headline."""
    heading = at.header[0].value
    found = [i for i, title in enumerate(titles) if heading.startswith(title)]
    assert len(found) == 1, heading
    return found[0]


@pytest.mark.parametrize("raw, number, fine", [
    (None, 1, True), ("1", 1, True), ("3", 3, True), ("9", 9, True),
    ("abc", 1, False), ("", 1, False), ("2.5", 1, False), ("9" * 5000, 1, False),
    ("999", 9, False), ("10", 9, False), ("0", 1, False), ("-1", 1, False),
])
def test_slide_number_in_a_link(raw, number, fine):
    assert present.slide_index(raw, 9) == (number - 1, fine)


@pytest.mark.parametrize("raw, number, notice", [
    ("3", 3, False), ("abc", 1, True), ("999", "last", True), ("-1", 1, True), ("<b>x</b>", 1, True),
])
def test_a_link_opens_its_slide_and_a_bad_number_is_put_right(demo_db, titles, raw, number, notice):
    at = briefing_page(year="2024", slide=raw)
    assert not at.exception
    want = len(titles) if number == "last" else number
    assert _shown_slide(at, titles) == want - 1
    assert at.query_params["slide"] == str(want)  # the URL now names the slide shown
    assert at.query_params["year"] == "2024"      # and the filters stay beside it
    toasts = [toast.value for toast in at.toast]
    assert bool(toasts) == notice, toasts
    if notice:
        assert f"第 {want} 页" in toasts[0] and "<b>" not in toasts[0]


def test_the_buttons_move_the_slide_and_the_url_follows(demo_db, titles):
    at = briefing_page(year="2024", slide="2")
    at.button(key="next_slide").click().run()
    assert _shown_slide(at, titles) == 2 and at.query_params["slide"] == "3"
    at.button(key="prev_slide").click().run()
    at.button(key="prev_slide").click().run()
    assert _shown_slide(at, titles) == 0 and at.query_params["slide"] == "1"
    assert at.button(key="prev_slide").disabled


def test_presenting_comes_from_the_link_and_binds_the_clicker_keys(demo_db, titles):
    at = briefing_page(year="2024", slide="4", present="1")
    assert not at.exception
    assert not at.title and not at.get("download_button")  # no page header, no downloads
    assert _shown_slide(at, titles) == 3 and at.query_params["present"] == "1"
    buttons = at.get("button")
    bound = {b.proto.shortcut: b.key for b in buttons if b.proto.shortcut}
    # Streamlit's own spelling of the keys: a clicker sends PageDown/PageUp.
    assert {k: v.split("_slide")[0] for k, v in bound.items() if "_slide" in v} == {
        "right": "next", "pagedown": "next", "down": "next", "space": "next",
        "left": "prev", "pageup": "prev", "up": "prev"}
    at.button(key="next_slide_PageDown").click().run()
    assert _shown_slide(at, titles) == 4 and at.query_params["slide"] == "5"
    at.button(key="present_off").click().run()
    assert "present" not in at.query_params and at.title  # back to the page with its header
    assert not any(b.proto.shortcut for b in at.get("button") if b.key and "_slide" in b.key)
    assert _shown_slide(at, titles) == 4


def test_a_slide_chart_is_in_projector_type(demo_db, titles):
    at = briefing_page(year="2024", slide="2", present="1")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    layout = spec["layout"]
    sizes = [layout["font"]["size"], layout["legend"]["font"]["size"]]
    sizes += [layout[axis]["tickfont"]["size"] for axis in ("xaxis", "yaxis")]
    sizes += [layout[axis]["title"]["font"]["size"] for axis in ("xaxis", "yaxis")]
    assert min(sizes) >= 16, sizes
