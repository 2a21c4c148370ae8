"""Every figure, one look: plotly graph_objects (7–10× cheaper than plotly express here,
DESIGN.md §4), CJK-capable fonts, hover text from format.py. Plotly reads <a href>, <b>, <br> in
any label as markup, so every text that comes in (township names above all) goes through _text."""
from __future__ import annotations

import plotly.graph_objects as go

from . import format as fmt
from .escape import plotly as _text
from .i18n import t

# Fonts the client has: Microsoft YaHei on Chinese Windows, Noto Sans CJK on Linux.
FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Noto Sans SC, SimHei, sans-serif"
PALETTE = ("#c0392b", "#2e86c1", "#d68910", "#27ae60", "#7d3c98", "#5d6d7e", "#16a085", "#a04000")
TARGET_COLOR = "#7f8c8d"
GAIN, LOSS = "#27ae60", "#c0392b"


def _scaled(values, divisor: float) -> list:
    return [None if fmt.is_missing(v) else float(v) / divisor for v in values]


def _short(labels, width: int = 24) -> list[str]:
    """Axis labels cut to a display width (CJK counts double) so long names leave room for the
    bars; the full name stays on hover. Cut labels get a unique tail so bars never merge."""
    out = []
    for label in labels:
        text, used = "", 0
        for ch in str(label):
            used += 2 if ord(ch) > 0x2E80 else 1
            if used > width:
                text += "…"
                break
            text += ch
        while text in out:
            text += "\u200b"  # zero-width: same look, distinct category
        out.append(text)
    return [_text(label) for label in out]  # cut first: never half an &lt;


def label_margin(labels, font_size: int = 13) -> int:
    """Pixels a category axis needs on the left for its longest label (CJK glyphs a full em,
    others about 0.6 em), so township names are never cut to their last character."""
    longest = max((sum(font_size if ord(ch) > 0x2E80 else font_size * 0.6 for ch in str(label))
                   for label in labels), default=0)
    return int(longest) + 24


def _layout(fig: go.Figure, title: str, unit: str, height: int, axis_title: str = "") -> go.Figure:
    fig.update_layout(
        title={"text": _text(title), "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},  # room for % and 万元 ticks and the years
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
        separators=".,",
    )
    fig.update_yaxes(tickformat=fmt.axis_tickformat(unit), rangemode="tozero", title_text=axis_title,
                     automargin=True)
    fig.update_xaxes(automargin=True)  # the browser grows a margin that is still too small
    return fig


def trend(years, series: list[tuple[str, list]], unit: str, title: str, lang: str = "zh",
          target: tuple[int, float] | None = None, height: int = 320) -> go.Figure:
    """Lines over years. series: [(label, values)]; target: (year, value) drawn as a marker."""
    fig = go.Figure()
    divisor, axis_title = fmt.axis_scale(unit, [v for _, values in series for v in values], lang)
    for i, (label, values) in enumerate(series):
        fig.add_trace(go.Scatter(
            x=list(years), y=_scaled(values, divisor), name=_text(label), mode="lines+markers",
            line={"color": PALETTE[i % len(PALETTE)], "width": 3},
            customdata=[fmt.fmt_number(v, unit, lang) for v in values],
            hovertemplate="%{customdata}",
        ))
    if target is not None:
        year, value = target
        label = fmt.fmt_number(value, unit, lang)
        fig.add_trace(go.Scatter(
            x=[year], y=[value / divisor], name=t("target", lang), mode="markers",
            marker={"symbol": "line-ew-open", "size": 22, "color": TARGET_COLOR, "line": {"width": 3}},
            customdata=[label], hovertemplate="%{customdata}",
        ))
    fig.update_xaxes(dtick=1, tickformat="d")
    _layout(fig, title, unit, height, axis_title)
    top = max((y for trace in fig.data for y in trace.y if y is not None), default=0)
    if unit != "rate" and top < 5:  # small counts: whole-number ticks, not 0, 0, 1, 1
        fig.update_yaxes(dtick=1, range=[0, max(top, 1) * 1.1])
    return fig


def ranked_bars(labels, values, keys, unit: str, title: str, lang: str = "zh",
                lines: list[tuple[str, float]] = (), colors=None, height: int | None = None,
                selected: str | None = None) -> go.Figure:
    """Horizontal bars, lowest first (gaps on top), with reference lines (county value, target).

    customdata carries [key, formatted value] so a click can tell which bar it was.
    """
    texts = [fmt.fmt_number(v, unit, lang) for v in values]
    divisor, axis_title = fmt.axis_scale(unit, values, lang)
    if colors is None:
        colors = [PALETTE[0] if selected and k == selected else PALETTE[1] for k in keys]
    labels = list(labels)
    fig = go.Figure(go.Bar(
        y=_short(labels), x=_scaled(values, divisor), orientation="h", text=texts, textposition="outside",
        marker={"color": list(colors)}, customdata=[[k, s, _text(full)] for k, s, full in zip(keys, texts, labels)],
        hovertemplate="%{customdata[2]}: %{customdata[1]}<extra></extra>", cliponaxis=False,
    ))
    for i, (label, value) in enumerate(lines):
        if fmt.is_missing(value):
            continue
        fig.add_vline(x=value / divisor, line_dash="dash" if i == 0 else "dot",
                      line_color=PALETTE[0] if i == 0 else TARGET_COLOR, line_width=2,
                      annotation_text=_text(f"{label} {fmt.fmt_number(value, unit, lang)}"),
                      annotation_position="top right" if i == 0 else "bottom right")
    _layout(fig, title, unit, height or max(260, 60 + 28 * len(labels)))
    fig.update_layout(hovermode="closest", showlegend=False, clickmode="event+select",
                      margin_l=label_margin(_short(labels)))
    top = max([v for v in [*values, *(v for _, v in lines)] if not fmt.is_missing(v)], default=1) / divisor
    # Room on the right for the value labels printed outside the bars.
    fig.update_xaxes(tickformat=fmt.axis_tickformat(unit), range=[0, (top or 1) * 1.2], title_text=axis_title)
    fig.update_yaxes(autorange="reversed", tickformat="", dtick=None, range=None, title_text="")
    return fig


def change_bars(labels, changes, unit: str, title: str, lang: str = "zh") -> go.Figure:
    """Diverging bars of a change: gains green, losses red, biggest gain on top."""
    texts = [fmt.fmt_delta(v, unit, lang) for v in changes]
    fig = go.Figure(go.Bar(
        y=[_text(label) for label in labels], x=list(changes), orientation="h", text=texts, textposition="outside",
        marker={"color": [GAIN if v >= 0 else LOSS for v in changes]}, cliponaxis=False,
        customdata=texts, hovertemplate="%{y}: %{customdata}<extra></extra>",
    ))
    _layout(fig, title, unit, max(260, 60 + 28 * len(labels)))
    fig.update_layout(hovermode="closest", showlegend=False, margin_l=label_margin(labels))
    low = min([0, *(v for v in changes if not fmt.is_missing(v))])
    high = max([0, *(v for v in changes if not fmt.is_missing(v))])
    pad = (high - low or 1) * 0.35  # labels sit outside the bars on both sides
    fig.update_xaxes(tickformat=fmt.axis_tickformat(unit, signed=True), zeroline=True,
                     range=[low - (pad if low < 0 else 0), high + pad])
    fig.update_yaxes(autorange="reversed", rangemode="normal", dtick=None, range=None, title_text="")
    return fig


def heatmap(rows, columns, rates, counts, title: str, lang: str = "zh", too_few: int = 3,
            row_labels=None, column_labels=None) -> go.Figure:
    """Cells of a rate; cells with fewer than `too_few` units are grey "too few", never 0% or 100%.

    rows/columns/rates/counts are parallel lists, one entry per cell that has units.
    """
    row_labels = row_labels or {}
    column_labels = column_labels or {}
    y = list(dict.fromkeys(rows))
    x = list(dict.fromkeys(columns))
    shown = [[None] * len(x) for _ in y]
    grey = [[None] * len(x) for _ in y]
    hover = [[""] * len(x) for _ in y]
    for r, c, rate, n in zip(rows, columns, rates, counts):
        i, j = y.index(r), x.index(c)
        place = _text(f"{row_labels.get(r, r)} · {column_labels.get(c, c)}")
        units = fmt.fmt_number(n, "unit", lang)
        if n < too_few:
            grey[i][j] = 1
            hover[i][j] = f"{place}<br>{t('too_few_units', lang, units=units)}"
        else:
            shown[i][j] = rate
            hover[i][j] = f"{place}<br>{fmt.fmt_number(rate, 'rate', lang)} ({units})"
    ylab = [_text(row_labels.get(r, r)) for r in y]
    xlab = x  # section letters on the axis; full names on hover
    fig = go.Figure()
    fig.add_trace(go.Heatmap(z=grey, x=xlab, y=ylab, colorscale=[[0, "#d5d8dc"], [1, "#d5d8dc"]],
                             showscale=False, text=hover, hovertemplate="%{text}<extra></extra>",
                             xgap=2, ygap=2, name="too_few"))
    fig.add_trace(go.Heatmap(z=shown, x=xlab, y=ylab, zmin=0, zmax=1, colorscale="RdYlGn",
                             colorbar={"tickformat": ".0%", "len": 0.8}, text=hover,
                             hovertemplate="%{text}<extra></extra>", xgap=2, ygap=2, name="rate",
                             texttemplate="%{z:.0%}", textfont={"size": 10}))
    _layout(fig, title, "rate", max(200, 110 + 30 * len(y)))
    fig.update_layout(hovermode="closest", margin={"t": 90, "l": label_margin(ylab)})  # title above the top axis
    fig.update_yaxes(autorange="reversed", tickformat="", rangemode="normal")
    fig.update_xaxes(side="top", tickangle=0)
    return fig


def dumbbell(labels, before, after, unit: str, title: str, lang: str, name_before: str,
             name_after: str) -> go.Figure:
    """Two years per township: a grey dot for the earlier year, a coloured one for the later,
    joined by a line."""
    fig = go.Figure()
    divisor, axis_title = fmt.axis_scale(unit, [*before, *after], lang)
    before, after, labels = list(before), list(after), [_text(label) for label in labels]
    xs, ys = [], []
    for label, a, b in zip(labels, _scaled(before, divisor), _scaled(after, divisor)):
        xs += [a, b, None]
        ys += [label, label, None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#bdc3c7", "width": 4},
                             hoverinfo="skip", showlegend=False))
    for values, name, color in ((before, name_before, TARGET_COLOR), (after, name_after, PALETTE[0])):
        texts = [fmt.fmt_number(v, unit, lang) for v in values]
        fig.add_trace(go.Scatter(x=_scaled(values, divisor), y=list(labels), mode="markers", name=name,
                                 marker={"size": 12, "color": color}, customdata=texts,
                                 hovertemplate="%{y}: %{customdata}<extra>" + name + "</extra>"))
    _layout(fig, title, unit, max(280, 70 + 28 * len(labels)))
    fig.update_layout(hovermode="closest", margin_l=label_margin(labels))
    fig.update_xaxes(tickformat=fmt.axis_tickformat(unit), title_text=axis_title)
    fig.update_yaxes(autorange="reversed", tickformat="", rangemode="normal", dtick=None, range=None,
                     title_text="")
    return fig
