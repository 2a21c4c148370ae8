"""Every figure, one look: plotly graph_objects (7–10× cheaper than plotly express here,
DESIGN.md §4), CJK-capable fonts, hover text from format.py. Plotly reads <a href>, <b>, <br> in
any label as markup, so every text that comes in (township names above all) goes through _text."""
from __future__ import annotations

import math
from typing import NamedTuple

import plotly.graph_objects as go

from . import format as fmt
from .escape import plotly as _text
from .i18n import t

# Fonts the client has: Microsoft YaHei on Chinese Windows, Noto Sans CJK on Linux.
FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Noto Sans SC, SimHei, sans-serif"
PALETTE = ("#c0392b", "#2e86c1", "#d68910", "#27ae60", "#7d3c98", "#5d6d7e", "#16a085", "#a04000")
TARGET_COLOR = "#7f8c8d"
GAIN, LOSS = "#27ae60", "#c0392b"
SMALL = "#bdc3c7"  # a rate on too few units: shown, but greyed
BASE_FONT = 13  # px


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


def label_margin(labels, font_size: int = BASE_FONT) -> int:
    """Pixels a category axis needs on the left for its longest label (CJK glyphs a full em,
    others about 0.6 em), so township names are never cut to their last character."""
    longest = max((sum(font_size if ord(ch) > 0x2E80 else font_size * 0.6 for ch in str(label))
                   for label in labels), default=0)
    return int(longest) + 24


def _layout(fig: go.Figure, title: str, unit: str, height: int, axis_title: str = "",
            font_size: int | None = None) -> go.Figure:
    """The house look. font_size (a projector's): every text that size, ticks, axis titles,
    legend and value labels too, which otherwise keep the Streamlit theme's 12 px."""
    size = font_size or BASE_FONT
    fig.update_layout(
        title={"text": _text(title), "font": {"size": size + 3}},
        font={"family": FONT, "size": size},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},  # room for % and 万元 ticks and the years
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
        separators=".,",
    )
    fig.update_yaxes(tickformat=fmt.axis_tickformat(unit), rangemode="tozero", title_text=axis_title,
                     automargin=True)
    fig.update_xaxes(automargin=True)  # the browser grows a margin that is still too small
    if font_size:
        for axes in (fig.update_xaxes, fig.update_yaxes):
            axes(tickfont_size=font_size, title_font_size=font_size)
        fig.update_layout(legend_font_size=font_size, hoverlabel_font_size=font_size,
                          uniformtext={"minsize": font_size, "mode": "show"})  # bar labels never shrink
        fig.update_traces(textfont_size=font_size, selector={"type": "bar"})
        if not title:  # a slide's chart: its headline is the slide's
            fig.update_layout(margin_t=font_size)
        # The legend above the plot: under it, a chart squeezed by the text above would print the
        # legend over the year labels.
        fig.update_layout(legend={"y": 1, "yanchor": "bottom", "x": 0, "xanchor": "left"})
    return fig


def zoom_start(values, unit: str) -> float | None:
    """Where a rate axis starts when every value sits in a narrow band high up (all ≥ 50%, spread
    ≤ 20个百分点): a multiple of 5% below the lowest; None means start at zero. Counts always
    start at zero."""
    shown = [float(v) for v in values if not fmt.is_missing(v)]
    if unit != "rate" or not shown or min(shown) < 0.5 or max(shown) - min(shown) > 0.2:
        return None
    return math.floor((min(shown) - 0.02) * 20) / 20


def _label_px(text: str, font_size: int = BASE_FONT) -> float:
    """Rough width of a value label in pixels (CJK glyphs a full em, others about 0.6 em)."""
    return 6 + sum(font_size if ord(ch) > 0x2E80 else font_size * 7.5 / 13 for ch in text)


def every_year(years, series):
    """Years made continuous (2001, 2004 → 2001…2004) with None where nothing was reported, so
    plotly breaks the line at the missing years."""
    years = [int(y) for y in years]
    if not years:
        return years, series
    full = list(range(min(years), max(years) + 1))
    at = {y: i for i, y in enumerate(years)}
    return full, [(label, *([list(values)[at[y]] if y in at else None for y in full] for values in lists))
                  for label, *lists in series]


class RefLine(NamedTuple):
    """Another body's published figures drawn beside series[series] (references.trend_lines)."""
    series: int         # index of the county's series it compares with: its colour
    style: int          # which body: its dash
    label: str          # legend name, e.g. 全省
    years: list[int]
    values: list[float]
    notes: list[str]    # per point, on hover: the source (user text, escaped here)


REF_DASHES = ("dot", "dash", "dashdot", "longdash")


def trend(years, series: list[tuple[str, list]], unit: str, title: str, lang: str = "zh",
          target: tuple[int, float] | None = None, height: int = 320,
          references: list[RefLine] = (), font_size: int | None = None) -> go.Figure:
    """Lines over years. series: [(label, values)] or [(label, values, parts)] where parts are a
    rate's '8/10家' per year, shown on hover; target: (year, value) drawn as a marker;
    references: others' published figures, thin dashed lines with hollow markers in the colour of
    the series they compare with, only within the years shown.
    A year with no data is a gap in the line, never a straight line across it."""
    fig = go.Figure()
    years, series = every_year(years, series)
    shown = set(years)  # a reference figure for a year outside the axis is not drawn
    references = [r for r in references if shown & set(r.years)]
    ref_values = [v for r in references for y, v in zip(r.years, r.values) if y in shown]
    divisor, axis_title = fmt.axis_scale(unit, [v for _, values, *_ in series for v in values] + ref_values, lang)
    for i, (label, values, *parts) in enumerate(series):
        texts = [fmt.fmt_number(v, unit, lang) for v in values]
        if parts:
            texts = [f"{text} ({p})" if p else text for text, p in zip(texts, parts[0])]
        fig.add_trace(go.Scatter(
            x=list(years), y=_scaled(values, divisor), name=_text(label), mode="lines+markers",
            line={"color": PALETTE[i % len(PALETTE)], "width": 3},
            customdata=texts, hovertemplate="%{customdata}",
        ))
    for ref in references:
        # every year of the axis, None where the body published nothing: the line breaks there
        at = {y: (v, n) for y, v, n in zip(ref.years, ref.values, ref.notes)}
        values = [at[y][0] if y in at else None for y in years]
        notes = [f"{fmt.fmt_number(at[y][0], unit, lang)} ({_text(at[y][1])})" if y in at else "" for y in years]
        fig.add_trace(go.Scatter(
            x=list(years), y=_scaled(values, divisor), name=_text(ref.label), mode="lines+markers",
            line={"color": PALETTE[ref.series % len(PALETTE)], "width": 1.5,
                  "dash": REF_DASHES[ref.style % len(REF_DASHES)]},
            marker={"symbol": "circle-open", "size": 7}, connectgaps=False, meta="reference",
            customdata=notes, hovertemplate="%{customdata}",
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
    start = zoom_start([v for _, values, *_ in series for v in values] + ref_values + ([target[1]] if target else []),
                       unit)
    if start is not None:
        axis_title = t("axis_from_y", lang, start=fmt.fmt_number(start, "rate", lang))
    _layout(fig, title, unit, height, axis_title, font_size)
    if start is not None:
        fig.update_yaxes(rangemode="normal", range=[start, 1.0])
    top = max((y for trace in fig.data for y in trace.y if y is not None), default=0)
    if unit != "rate" and top < 5:  # small counts: whole-number ticks, not 0, 0, 1, 1
        fig.update_yaxes(dtick=1, range=[0, max(top, 1) * 1.1])
    return fig


def ranked_bars(labels, values, keys, unit: str, title: str, lang: str = "zh",
                lines: list[tuple[str, float]] = (), colors=None, height: int | None = None,
                selected: str | None = None, parts=None, small=None, font_size: int | None = None) -> go.Figure:
    """Horizontal bars, lowest first (gaps on top), with reference lines (county value, target).

    customdata carries [key, formatted value, full label, detail] so a click can tell which bar it
    was. parts: a rate's '8/10家' per bar, shown on hover; small: True where the rate rests on too
    few units: such bars are grey and say 样本少.
    """
    texts = [fmt.fmt_number(v, unit, lang) for v in values]
    divisor, axis_title = fmt.axis_scale(unit, values, lang)
    if colors is None:
        colors = [PALETTE[0] if selected and k == selected else PALETTE[1] for k in keys]
    labels = list(labels)
    n = len(labels)
    parts = list(parts) if parts is not None else [""] * n
    small = list(small) if small is not None else [False] * n
    colors = [SMALL if few else c for c, few in zip(colors, small)]
    details = [" ".join(x for x in (f"({p})" if p else "", t("small_sample", lang) if few else "") if x)
               for p, few in zip(parts, small)]
    refs = [v / divisor for _, v in lines if not fmt.is_missing(v)]
    top = max([v for v in [*values, *(v for _, v in lines)] if not fmt.is_missing(v)], default=1) / divisor
    start = zoom_start([*values, *(v for _, v in lines)], unit)
    # Room on the right for the labels outside the bars (on a zoomed axis, a share of the band
    # shown, so a rate's axis does not run on far past 100%).
    low = start or 0.0
    high = top + (top - low) * 0.3 if start is not None else (top or 1) * 1.2
    # A label printed outside its bar must not sit under a reference line: where a line would
    # cross it, the label goes inside the bar's end instead. Widths assume a narrow plot (200 px,
    # half a 1366 screen with long names), so the guess errs towards moving a label in.
    scaled = _scaled(values, divisor)
    per_px = (high - low) / 200
    inside = [v is not None and any(v <= r <= v + _label_px(text, font_size or BASE_FONT) * per_px for r in refs)
              for v, text in zip(scaled, texts)]
    fig = go.Figure(go.Bar(
        y=_short(labels), x=scaled, orientation="h", text=texts,
        textposition=["inside" if i else "outside" for i in inside], insidetextanchor="end",
        insidetextfont={"color": "white"}, marker={"color": list(colors)},
        customdata=[[k, s, _text(full), d] for k, s, full, d in zip(keys, texts, labels, details)],
        hovertemplate="%{customdata[2]}: %{customdata[1]} %{customdata[3]}<extra></extra>", cliponaxis=False,
    ))
    for i, (label, value) in enumerate(lines):
        if fmt.is_missing(value):
            continue
        color = PALETTE[0] if i == 0 else TARGET_COLOR
        fig.add_vline(x=value / divisor, line_dash="dash" if i == 0 else "dot", line_color=color, line_width=2)
        # The line's name sits above the plot, never over a bar's label: the first to the right of
        # its line, the second to the left, so two close lines do not print over each other.
        fig.add_annotation(x=value / divisor, xref="x", y=1, yref="paper", yanchor="bottom",
                           xanchor="left" if i == 0 else "right", showarrow=False, font={"color": color},
                           text=_text(f"{label} {fmt.fmt_number(value, unit, lang)}"))
    _layout(fig, title, unit, height or max(260, 60 + 28 * len(labels)), font_size=font_size)
    if refs:
        fig.update_layout(margin={"t": 75})  # room for the line names between title and plot
    # A label outside its bar runs on past the axis into the right margin (cliponaxis=False): the
    # margin takes what the axis leaves short at the same narrow guess, so the longest label (an
    # English '91 households' is twice a '91户次') is never cut at the chart's edge.
    short = [_label_px(text, font_size or BASE_FONT) + 4 - (high - v) / per_px
             for v, text, i in zip(scaled, texts, inside) if v is not None and not i]
    fig.update_layout(hovermode="closest", showlegend=False, clickmode="event+select",
                      margin_l=label_margin(_short(labels), font_size or BASE_FONT),
                      margin_r=max(20, math.ceil(max(short, default=0))))
    if start is not None:  # a zoomed axis says where it starts
        axis_title = t("axis_from", lang, start=fmt.fmt_number(start, "rate", lang))
    fig.update_xaxes(tickformat=fmt.axis_tickformat(unit), range=[low, high], title_text=axis_title)
    if unit != "rate" and top < 5:  # small counts: whole-number ticks
        fig.update_xaxes(dtick=1)
    fig.update_yaxes(autorange="reversed", tickformat="", dtick=None, range=None, title_text="")
    return fig


def change_bars(labels, changes, unit: str, title: str, lang: str = "zh", small=None) -> go.Figure:
    """Diverging bars of a change: gains green, losses red, biggest gain on top; a change on too
    few units (small) grey and marked 样本少."""
    changes = list(changes)
    small = list(small) if small is not None else [False] * len(changes)
    texts = [fmt.fmt_delta(v, unit, lang) + (" " + t("small_sample", lang) if few else "")
             for v, few in zip(changes, small)]
    if unit == "rate":  # a change of a rate is drawn in percentage points, never in %
        changes = [None if fmt.is_missing(v) else v * 100 for v in changes]
    fig = go.Figure(go.Bar(
        y=[_text(label) for label in labels], x=changes, orientation="h", text=texts, textposition="outside",
        marker={"color": [SMALL if few else (GAIN if v >= 0 else LOSS) for v, few in zip(changes, small)]},
        cliponaxis=False,
        customdata=texts, hovertemplate="%{y}: %{customdata}<extra></extra>",
    ))
    _layout(fig, title, unit, max(260, 60 + 28 * len(labels)))
    fig.update_layout(hovermode="closest", showlegend=False, margin_l=label_margin(labels))
    low = min([0, *(v for v in changes if not fmt.is_missing(v))])
    high = max([0, *(v for v in changes if not fmt.is_missing(v))])
    pad = (high - low or 1) * 0.35  # labels sit outside the bars on both sides
    fig.update_xaxes(tickformat="+,.2~f", zeroline=True, range=[low - (pad if low < 0 else 0), high + pad],
                     title_text=t("axis_points", lang) if unit == "rate" else "")
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
    # Each trace carries the hover text of its own cells only and none on the others' (hoverongaps
    # off): one copy of the text, not two (a province's grid is 184 × 20 cells, 400 kB of JSON).
    hover_grey = [[None] * len(x) for _ in y]
    hover = [[None] * len(x) for _ in y]
    for r, c, rate, n in zip(rows, columns, rates, counts):
        i, j = y.index(r), x.index(c)
        place = _text(f"{row_labels.get(r, r)} · {column_labels.get(c, c)}")
        units = fmt.fmt_number(n, "unit", lang)
        if n < too_few:
            grey[i][j] = 1
            hover_grey[i][j] = f"{place}<br>{t('too_few_units', lang, units=units)}"
        else:
            shown[i][j] = rate
            hover[i][j] = f"{place}<br>{fmt.fmt_number(rate, 'rate', lang)} ({units})"
    ylab = [_text(row_labels.get(r, r)) for r in y]
    xlab = x  # section letters on the axis; full names on hover
    fig = go.Figure()
    fig.add_trace(go.Heatmap(z=grey, x=xlab, y=ylab, colorscale=[[0, "#d5d8dc"], [1, "#d5d8dc"]],
                             showscale=False, text=hover_grey, hovertemplate="%{text}<extra></extra>",
                             hoverongaps=False, xgap=2, ygap=2, name="too_few"))
    fig.add_trace(go.Heatmap(z=shown, x=xlab, y=ylab, zmin=0, zmax=1, colorscale="RdYlGn",
                             colorbar={"tickformat": ".0%", "len": 0.8}, text=hover,
                             hovertemplate="%{text}<extra></extra>", hoverongaps=False, xgap=2, ygap=2, name="rate",
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


def _map_colors(values, small) -> tuple[list[str], float, float]:
    """Fill colours from a sequential scale over the values shown (small samples grey)."""
    from plotly.colors import sample_colorscale
    shown = [float(v) for v, few in zip(values, small) if not few and not fmt.is_missing(v)]
    low, high = (min(shown), max(shown)) if shown else (0.0, 1.0)
    span = (high - low) or 1.0
    colors = [SMALL if few or fmt.is_missing(v) else sample_colorscale(MAP_SCALE, (float(v) - low) / span)[0]
              for v, few in zip(values, small)]
    return colors, low, high


def _map_layout(fig: go.Figure, title: str, unit: str, low: float, high: float, height: int) -> go.Figure:
    # An invisible trace carries the colour bar: the reader needs the scale of the fills.
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
                             marker={"colorscale": MAP_SCALE, "cmin": low, "cmax": high, "color": [low],
                                     "showscale": True,
                                     "colorbar": {"tickformat": fmt.axis_tickformat(unit).replace(".0%", ".1%"),
                                                  "len": 0.8}}))
    _layout(fig, title, unit, height)
    fig.update_layout(hovermode="closest", showlegend=False, plot_bgcolor="white")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1, rangemode="normal")
    return fig


MAP_SCALE = "Blues"


def tile_map(labels, keys, values, positions: dict, unit: str, title: str, lang: str = "zh",
             parts=None, small=None, height: int = 460) -> go.Figure:
    """A schematic map: one square tile per township at positions[key] = (column, row), filled by
    its value. The title must say 示意图: the layout is not geography."""
    labels, keys, values = list(labels), list(keys), list(values)
    parts = list(parts) if parts is not None else [""] * len(keys)
    small = list(small) if small is not None else [False] * len(keys)
    colors, low, high = _map_colors(values, small)
    texts = [fmt.fmt_number(v, unit, lang) for v in values]
    fig = go.Figure()
    for key, label, color, text, part, few in zip(keys, labels, colors, texts, parts, small):
        col, row = positions[key]
        fig.add_shape(type="rect", x0=col - 0.46, x1=col + 0.46, y0=-row - 0.46, y1=-row + 0.46,
                      fillcolor=color, line={"color": "white", "width": 2}, layer="below")
    detail = [" ".join(x for x in (f"({p})" if p else "", t("small_sample", lang) if few else "") if x)
              for p, few in zip(parts, small)]
    fig.add_trace(go.Scatter(
        x=[positions[k][0] for k in keys], y=[-positions[k][1] for k in keys], mode="text",
        text=[f"{_text(label)}<br>{text}" for label, text in zip(labels, texts)],
        textfont={"size": 13, "color": ["#1b2631" if c == SMALL or _light(c) else "white" for c in colors]},
        customdata=[[k, s, _text(full), d] for k, s, full, d in zip(keys, texts, labels, detail)],
        hovertemplate="%{customdata[2]}: %{customdata[1]} %{customdata[3]}<extra></extra>"))
    cols = max((p[0] for p in positions.values()), default=0)
    rows = max((p[1] for p in positions.values()), default=0)
    _map_layout(fig, title, unit, low, high, height)
    fig.update_xaxes(range=[-0.6, cols + 0.6])
    fig.update_yaxes(range=[-rows - 0.6, 0.6])
    return fig


def _light(color: str) -> bool:
    """True for a pale fill, on which text must be dark."""
    import re
    numbers = [float(n) for n in re.findall(r"[\d.]+", color)[:3]] if color.startswith("rgb") else \
        [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    r, g, b = numbers
    return 0.299 * r + 0.587 * g + 0.114 * b > 150


def outline_map(labels, keys, values, shapes: dict, unit: str, title: str, lang: str = "zh",
                parts=None, small=None, height: int = 520) -> go.Figure:
    """The townships' own outlines (from the admin's GeoJSON), filled by value, drawn on plain axes:
    no map tiles, nothing fetched."""
    labels, keys, values = list(labels), list(keys), list(values)
    parts = list(parts) if parts is not None else [""] * len(keys)
    small = list(small) if small is not None else [False] * len(keys)
    colors, low, high = _map_colors(values, small)
    fig = go.Figure()
    centres_x, centres_y, hover, names = [], [], [], []
    for key, label, value, color, part, few in zip(keys, labels, values, colors, parts, small):
        rings = shapes.get(key) or []
        if not rings:
            continue
        xs, ys = [], []
        for ring in rings:
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=color,
                                 line={"color": "white", "width": 1.5}, hoverinfo="skip", showlegend=False))
        biggest = max(rings, key=len)
        centres_x.append(sum(p[0] for p in biggest) / len(biggest))
        centres_y.append(sum(p[1] for p in biggest) / len(biggest))
        text = fmt.fmt_number(value, unit, lang)
        detail = " ".join(x for x in (f"({part})" if part else "", t("small_sample", lang) if few else "") if x)
        hover.append([key, text, _text(label), detail])
        names.append(f"{_text(label)}<br>{text}")
    fig.add_trace(go.Scatter(x=centres_x, y=centres_y, mode="text", text=names, textfont={"size": 12},
                             customdata=hover,
                             hovertemplate="%{customdata[2]}: %{customdata[1]} %{customdata[3]}<extra></extra>"))
    _map_layout(fig, title, unit, low, high, height)
    if centres_y:  # a degree of longitude is shorter than one of latitude away from the equator
        import math
        latitude = sum(centres_y) / len(centres_y)
        fig.update_yaxes(scaleratio=1 / max(math.cos(math.radians(latitude)), 0.2))
    return fig
