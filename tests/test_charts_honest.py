"""Charts that do not mislead (issue #13 item 7): titles name what is drawn, one unit per chart and
never a stock with a flow, narrow-band rates on a zoomed axis that says where it starts, changes of
rates in 个百分点. The browser half (labels vs reference lines, duplicated ticks) is in
test_browser.py."""
from __future__ import annotations

import html
import json

import pytest

from conftest import each_section, open_page
from unionstats import catalog, charts

BY_NAME = {ind.name_zh: ind for ind in catalog.INDICATORS}


def kind(ind) -> str:
    """Stock or flow, read from the definition's own words (年末 = as of year end; 年内 = during)."""
    if ind.is_rate or ind.denominator:
        return "ratio"
    return "stock" if "年末" in ind.definition_zh else "flow"


def line_charts(page: str):
    at = open_page(page, year="2024")
    charts = [chart for shown in each_section(at) for chart in shown.get("plotly_chart")]  # every tab's
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        # the county's own series; others' published figures (meta "reference") are named by body
        lines = [tr for tr in spec["data"] if tr.get("mode") == "lines+markers" and tr.get("meta") != "reference"]
        if lines:
            yield html.unescape(spec["layout"]["title"]["text"]), [html.unescape(tr["name"]) for tr in lines]


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/rights.py", "pages/aid.py"])
def test_titles_name_what_is_drawn_and_stocks_never_meet_flows(demo_db, page):
    seen = 0
    for title, names in line_charts(page):
        seen += 1
        for name in names:
            assert name in title, (title, name)
        indicators = [BY_NAME[n] for n in names]
        assert len({ind.unit for ind in indicators}) == 1, (title, names)  # one unit per chart
        assert len({kind(ind) for ind in indicators}) == 1, (title, names)  # stock, flow or ratio
    assert seen >= 2


def test_the_definitions_tell_stocks_from_flows():
    assert kind(catalog.get("members")) == "stock" and kind(catalog.get("members_new")) == "flow"
    assert kind(catalog.get("aid_yuan")) == "flow" and kind(catalog.get("employees")) == "stock"


def test_narrow_band_rates_zoom_and_say_where_the_axis_starts():
    fig = charts.ranked_bars(["甲", "乙", "丙"], [0.889, 0.962, 0.951], ["a", "b", "c"], "rate", "劳动合同签订率")
    start = fig.layout.xaxis.range[0]
    assert start == pytest.approx(0.85)  # the 5% step below 88.9% − 2个百分点
    assert fig.layout.xaxis.title.text == "横轴从85.0%起"
    wide = charts.ranked_bars(["甲", "乙"], [0.25, 0.52], ["a", "b"], "rate", "建会率")
    assert wide.layout.xaxis.range[0] == 0 and "起" not in (wide.layout.xaxis.title.text or "")
    counts = charts.ranked_bars(["甲", "乙"], [900, 960], ["a", "b"], "person", "会员人数")
    assert counts.layout.xaxis.range[0] == 0  # a count's bar always starts at zero
    trend = charts.trend([2022, 2023, 2024], [("劳动合同签订率", [0.93, 0.94, 0.951])], "rate", "劳动合同签订率")
    assert trend.layout.yaxis.range[0] == pytest.approx(0.9) and trend.layout.yaxis.title.text == "纵轴从90.0%起"


def test_a_change_of_a_rate_is_drawn_in_percentage_points():
    fig = charts.change_bars(["甲", "乙"], [0.023, -0.011], "rate", "建会率变化")
    assert list(fig.data[0].x) == pytest.approx([2.3, -1.1])
    assert fig.layout.xaxis.title.text == "个百分点" and "%" not in fig.layout.xaxis.tickformat
    assert list(fig.data[0].text) == ["+2.3个百分点", "-1.1个百分点"]


def test_a_value_label_moves_inside_its_bar_rather_than_under_a_line():
    # 44.9% ends just short of the county's 45.1% line: outside, its label would sit on the line.
    fig = charts.ranked_bars(["甲", "乙", "丙"], [0.25, 0.449, 0.52], ["a", "b", "c"], "rate", "建会率",
                             lines=[("全县", 0.451)])
    positions = list(fig.data[0].textposition)
    assert positions == ["outside", "inside", "outside"]


# The narrowest a ranked bar chart is drawn: half the page beside the sidebar on a 1366 screen.
NARROW_FIGURE_PX = 470
TEXT_PAD_PX = 3  # plotly's gap between a bar's end and its outside label


def _text_px(text: str, size: float) -> float:
    """The label's width as the browser draws it (the chart's font here is Noto Sans CJK)."""
    from PIL import ImageFont
    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", size=round(size), index=2)
    return font.getlength(html.unescape(text))


@pytest.mark.parametrize("page", ["pages/aid.py", "pages/coverage.py", "pages/rights.py"])
def test_an_outside_bar_label_fits_in_english(demo_db, page):
    """Found by a user trial: in English '91 households' ran past the right edge of 按项目帮扶户次
    (room for labels was 20% of the axis and a 20 px margin, sized for '91户次'). Every outside
    label of every horizontal ranked bar chart must fit between its bar's end and the figure's
    right edge at the narrowest width the chart is drawn."""
    if not __import__("pathlib").Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists():
        pytest.skip("fonts-noto-cjk is not installed")
    at = open_page(page, year="2024", lang="en")
    checked = 0
    for shown in each_section(at):
        for chart in shown.get("plotly_chart"):
            spec = json.loads(chart.proto.spec)
            bars = [tr for tr in spec["data"] if tr.get("type") == "bar" and tr.get("orientation") == "h"]
            layout = spec["layout"]
            if not bars or "range" not in layout.get("xaxis", {}):
                continue
            low, high = layout["xaxis"]["range"]
            margin = layout["margin"]
            plot_px = NARROW_FIGURE_PX - margin["l"] - margin["r"]
            size = (bars[0].get("textfont") or {}).get("size") or layout["font"]["size"]
            positions = bars[0]["textposition"]
            for value, text, where in zip(bars[0]["x"], bars[0]["text"], positions):
                if value is None or where != "outside":
                    continue
                room = (high - value) / (high - low) * plot_px + margin["r"]
                need = _text_px(text, size) + TEXT_PAD_PX
                assert room >= need, (page, html.unescape(layout["title"]["text"]), text, room, need)
                checked += 1
    assert checked >= 10
