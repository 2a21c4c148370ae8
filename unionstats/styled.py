"""A pandas Styler worked out once, for a coloured st.dataframe shown on every rerun.

st.dataframe renders a Styler by calling its _compute() (the .apply/.map functions) and
_translate(False, False) (formats and CSS, cell by cell) on every run: 1–4 ms a table. A frozen
styler has done both when it is made and hands back that result; made inside a store.memo'd
function it is shared by every rerun and session until the snapshot or its arguments change, so
nothing may change it after freeze(). It stays a plain Styler (Streamlit checks the exact type).
No Streamlit here.
"""
from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler


def freeze(styler: Styler) -> Styler:
    """`styler` with its styles applied and rendered now; later renderings reuse them."""
    styler._compute()
    translated = styler._translate(False, False)

    def translate(sparse_index, sparse_cols, *args, **kwargs):
        if (sparse_index, sparse_cols) == (False, False) and not args and not kwargs:
            return translated  # what st.dataframe asks for; it only reads it
        return Styler._translate(styler, sparse_index, sparse_cols, *args, **kwargs)

    styler._compute = lambda: styler  # the styles of freeze() stay in styler.ctx
    styler._translate = translate
    return styler


def colored(frame: pd.DataFrame, css: pd.DataFrame, formats: dict | None = None, na_rep: str | None = None) -> Styler:
    """`frame` with one CSS string per cell (`css`: same index and columns, "" for none) and
    per-column formats, frozen. A table of text only, unformatted, names only its coloured cells:
    st.dataframe writes the display text of each named cell back column by column (0.2 ms a
    column), and an unnamed cell's text is already its display text."""
    text_only = not formats and all(isinstance(v, str) for column in frame.columns for v in frame[column])
    styler = Styler(frame, cell_ids=not text_only)
    if formats:
        styler = styler.format(formats, na_rep=na_rep)
    return freeze(styler.apply(lambda _: css, axis=None))
