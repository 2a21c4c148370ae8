"""Hardship aid by program: the one aid view the indicator catalog does not hold (program is not
a grain). Model-worker visits are counted in persons, not households, and shown on their own."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import store
from .view import View


def by_program(view: View, path: Path | None = None) -> pd.DataFrame:
    """Per hardship program: name, households (户次), yuan; sums equal aid_households and aid_yuan."""
    frame = store.query("aid_by_program", path=path, years=[view.year], regions=view.scope.regions)
    frame = frame[frame["kind"] == "hardship"]
    return pd.DataFrame({
        "program_code": frame["program_code"],
        "name": frame["name_en" if view.en else "name_zh"],
        "households": frame["households"],
        "yuan": frame["yuan"],
    }).sort_values("yuan").reset_index(drop=True)
