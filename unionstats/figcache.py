"""Built figures kept between reruns. Building a figure costs 5–50 ms (plotly validates every
property it is given); handing a built one to st.plotly_chart costs about 3 ms. The charts.py
builders are pure functions of their arguments, so a figure is cached under its builder and the
values of its arguments: the same numbers, labels and language give the same figure, and any
changed value (a new snapshot, another filter) is a new key. No Streamlit here.

A cached figure is shared: nothing may change it. Only app.chart reads this cache, and it hands
the figure straight to st.plotly_chart, which only reads its to_dict() (serialized to JSON). That
dict is made once per cached figure (_Frozen): plotly's to_dict is a deep copy plus a walk for
numpy arrays, about a millisecond per chart on every rerun, for the same dict each time.
"""
from __future__ import annotations

import dataclasses
import math
import threading
from collections import OrderedDict

import numpy as np
import pandas as pd
import plotly.graph_objects as go

MAX_FIGURES = 256  # a figure is a few kB to a few hundred kB (a province's heat map)

_lock = threading.Lock()
_figures: OrderedDict = OrderedDict()
stats = {"hits": 0, "misses": 0}


class Unhashable(TypeError):
    """An argument whose value cannot be part of a key: the figure is built, not cached."""


_NAN = ("nan",)
_NA = ("NA",)
_SCALARS = (str, int, float, bool, type(None))


def _scalar(value):
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, float):
        return _NAN if math.isnan(value) else value
    if isinstance(value, int):
        return value
    if value is pd.NA or value is pd.NaT:
        return _NA
    raise Unhashable(type(value).__name__)


def freeze(value):
    """A hashable stand-in that tells apart every value a builder would draw differently: the type
    is part of it (1 and 1.0 and True format differently), NaN equals NaN."""
    if isinstance(value, np.generic):  # before the scalars: np.float64 is a float
        return freeze(value.item())
    if isinstance(value, _SCALARS):
        return (type(value).__name__, _scalar(value))
    if isinstance(value, pd.Series):  # the index too, in case a builder ever reads it
        return ("Series", str(value.dtype), _sequence(value.tolist()), _sequence(value.index.tolist()))
    if isinstance(value, (pd.Index, np.ndarray)):
        return (type(value).__name__, str(value.dtype), _sequence(value.tolist()))
    if isinstance(value, (list, tuple, range)):
        return (type(value).__name__, _sequence(list(value)))
    if isinstance(value, dict):
        return ("dict", tuple((freeze(k), freeze(v)) for k, v in value.items()))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # e.g. references.RefLine
        return (type(value).__qualname__, tuple(freeze(getattr(value, f.name)) for f in dataclasses.fields(value)))
    raise Unhashable(type(value).__name__)


def _sequence(values: list) -> tuple:
    kinds = set(map(type, values))
    if len(kinds) == 1 and next(iter(kinds)) in (str, int, bool):  # the common case, fast
        return (next(iter(kinds)).__name__, tuple(values))
    if kinds == {float}:
        return ("float", tuple(_NAN if v != v else v for v in values))
    return ("mixed", tuple(freeze(v) for v in values))


class _Frozen(go.Figure):
    """A cached figure whose to_dict() is made once and then handed out as is: for st.plotly_chart,
    which reads it and never changes it. Anything that would change a cached figure is wrong anyway."""

    def to_dict(self):
        made = self.__dict__.get("_made")
        if made is None:
            made = self._made = super().to_dict()
        return made


def _frozen(fig):
    if type(fig) is go.Figure:  # only the plain class: a subclass may have its own to_dict
        fig.__class__ = _Frozen
    return fig


def figure(build, *args, **kwargs):
    """build(*args, **kwargs), from the cache when the same builder drew the same values before."""
    try:
        key = (build.__module__, build.__qualname__, freeze(args), freeze(kwargs))
    except Unhashable:
        return build(*args, **kwargs)
    with _lock:
        fig = _figures.get(key)
        if fig is not None:
            _figures.move_to_end(key)
            stats["hits"] += 1
            return fig
    fig = _frozen(build(*args, **kwargs))
    with _lock:
        stats["misses"] += 1
        _figures[key] = fig
        while len(_figures) > MAX_FIGURES:
            _figures.popitem(last=False)
    return fig


def clear() -> None:
    with _lock:
        _figures.clear()
        stats.update(hits=0, misses=0)
