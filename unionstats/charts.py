"""Every figure, one look: plotly graph_objects (7–10× cheaper than plotly express here,
DESIGN.md §4), CJK-capable fonts, hover text from format.py."""
from __future__ import annotations

import plotly.graph_objects as go

from . import format as fmt

# Fonts the client has: Microsoft YaHei on Chinese Windows, Noto Sans CJK on Linux.
FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Noto Sans SC, SimHei, sans-serif"
PALETTE = ("#c0392b", "#2e86c1", "#d68910", "#27ae60", "#7d3c98", "#5d6d7e", "#16a085", "#a04000")
TARGET_COLOR = "#7f8c8d"


def _layout(fig: go.Figure, title: str, unit: str, height: int, axis_title: str = "") -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
        separators=".,",
    )
    fig.update_yaxes(tickformat=fmt.axis_tickformat(unit), rangemode="tozero", title_text=axis_title)
    top = max((y for trace in fig.data for y in (trace.y or ()) if y is not None), default=0)
    if unit != "rate" and top < 5:  # small counts: whole-number ticks, not 0, 0, 1, 1
        fig.update_yaxes(dtick=1, range=[0, max(top, 1) * 1.1])
    return fig


def trend(years, series: list[tuple[str, list]], unit: str, title: str, lang: str = "zh",
          target: tuple[int, float] | None = None, height: int = 320) -> go.Figure:
    """Lines over years. series: [(label, values)]; target: (year, value) drawn as a marker."""
    fig = go.Figure()
    divisor, axis_title = fmt.axis_scale(unit, [v for _, values in series for v in values], lang)
    for i, (label, values) in enumerate(series):
        fig.add_trace(go.Scatter(
            x=list(years), y=[None if fmt.is_missing(v) else v / divisor for v in values], name=label, mode="lines+markers",
            line={"color": PALETTE[i % len(PALETTE)], "width": 3},
            customdata=[fmt.fmt_number(v, unit, lang) for v in values],
            hovertemplate="%{customdata}",
        ))
    if target is not None:
        year, value = target
        label = fmt.fmt_number(value, unit, lang)
        fig.add_trace(go.Scatter(
            x=[year], y=[value / divisor], name=("target" if lang == "en" else "目标"), mode="markers",
            marker={"symbol": "line-ew-open", "size": 22, "color": TARGET_COLOR, "line": {"width": 3}},
            customdata=[label], hovertemplate="%{customdata}",
        ))
    fig.update_xaxes(dtick=1, tickformat="d")
    return _layout(fig, title, unit, height, axis_title)
