"""Every figure, one look: plotly graph_objects (7–10× cheaper than plotly express here,
DESIGN.md §4), CJK-capable fonts, hover text from format.py."""
from __future__ import annotations

import plotly.graph_objects as go

from . import format as fmt

# Fonts the client has: Microsoft YaHei on Chinese Windows, Noto Sans CJK on Linux.
FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Noto Sans SC, SimHei, sans-serif"
PALETTE = ("#c0392b", "#2e86c1", "#d68910", "#27ae60", "#7d3c98", "#5d6d7e", "#16a085", "#a04000")
TARGET_COLOR = "#7f8c8d"


def _layout(fig: go.Figure, title: str, unit: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
        separators=".,",
    )
    fig.update_yaxes(tickformat=fmt.axis_tickformat(unit), rangemode="tozero")
    return fig


def trend(years, series: list[tuple[str, list]], unit: str, title: str, lang: str = "zh",
          target: tuple[int, float] | None = None, height: int = 320) -> go.Figure:
    """Lines over years. series: [(label, values)]; target: (year, value) drawn as a marker."""
    fig = go.Figure()
    for i, (label, values) in enumerate(series):
        fig.add_trace(go.Scatter(
            x=list(years), y=list(values), name=label, mode="lines+markers",
            line={"color": PALETTE[i % len(PALETTE)], "width": 3},
            customdata=[fmt.fmt_number(v, unit, lang) for v in values],
            hovertemplate="%{customdata}",
        ))
    if target is not None:
        year, value = target
        label = fmt.fmt_number(value, unit, lang)
        fig.add_trace(go.Scatter(
            x=[year], y=[value], name=("target" if lang == "en" else "目标"), mode="markers",
            marker={"symbol": "line-ew-open", "size": 22, "color": TARGET_COLOR, "line": {"width": 3}},
            customdata=[label], hovertemplate="%{customdata}",
        ))
    fig.update_xaxes(dtick=1, tickformat="d")
    return _layout(fig, title, unit, height)


def bars(labels, values, unit: str, title: str, lang: str = "zh", reference: float | None = None,
         reference_label: str = "", height: int = 360, horizontal: bool = True) -> go.Figure:
    """Sorted bars with an optional reference line (county value or target)."""
    texts = [fmt.fmt_number(v, unit, lang) for v in values]
    if horizontal:
        bar = go.Bar(y=list(labels), x=list(values), orientation="h", text=texts, textposition="auto",
                     marker={"color": PALETTE[1]}, customdata=texts, hovertemplate="%{y}: %{customdata}<extra></extra>")
    else:
        bar = go.Bar(x=list(labels), y=list(values), text=texts, textposition="auto",
                     marker={"color": PALETTE[1]}, customdata=texts, hovertemplate="%{x}: %{customdata}<extra></extra>")
    fig = go.Figure(bar)
    if reference is not None:
        line = {"line_dash": "dash", "line_color": PALETTE[0],
                "annotation_text": f"{reference_label} {fmt.fmt_number(reference, unit, lang)}"}
        (fig.add_vline(x=reference, **line) if horizontal else fig.add_hline(y=reference, **line))
    _layout(fig, title, unit, height)
    fig.update_layout(hovermode="closest", showlegend=False)
    if horizontal:
        fig.update_xaxes(tickformat=fmt.axis_tickformat(unit), rangemode="tozero")
        fig.update_yaxes(autorange="reversed", tickformat=None)
    return fig
