"""Every exporter runs twice in one process and gives the same file (issue #12, item 1): query
results are cached, so an exporter that changed a cached frame broke the second download."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from unionstats import briefing, comparison, exports, gaps, store, template
from unionstats.view import View
from unionstats.indicators import Scope

pytestmark = pytest.mark.needs_db


def _cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[c.value for c in row] for ws in book.worksheets for row in ws.iter_rows()]


EXPORTERS = {
    "briefing_xlsx": lambda: _cells(briefing.to_xlsx(View(2024))),
    "briefing_pptx_slides": lambda: [s.title for s in briefing.build(View(2024))],
    "briefing_html": lambda: len(briefing.to_html(briefing.build(View(2024)))),
    "gaps_xlsx": lambda: _cells(exports.xlsx_bytes({"gaps": gaps.uncovered_table(2024, Scope())})),
    "gaps_csv": lambda: exports.csv_bytes(gaps.uncovered_table(2024, Scope())),
    "compare": lambda: comparison.compare(Scope(), 2023, 2024).to_json(),
    "template_export": lambda: _cells(template.sheet_bytes_of(template.store_tables())),
}


@pytest.mark.parametrize("name", sorted(EXPORTERS))
def test_exporter_runs_twice_in_one_process(name):
    first = EXPORTERS[name]()
    second = EXPORTERS[name]()  # served from the result cache
    assert first == second


def test_a_cached_result_cannot_be_changed_by_its_reader():
    frame = store.query("regions")
    frame.insert(0, "extra", 1)
    frame.loc[frame.index[0], "code"] = "changed"
    again = store.query("regions")
    assert "extra" not in again.columns
    assert "changed" not in set(again["code"])
    pd.testing.assert_frame_equal(again, store.query("regions"))
