"""Tables as files people open on Chinese Windows: .xlsx with a frozen, bold header row, and CSV
in UTF-8 with BOM (without the BOM, Excel reads UTF-8 as GBK and shows mojibake).

Text typed by users (unit and township names, file names) may start like a formula: `=HYPERLINK(…)`,
`+cmd|…`, `@SUM(…)`, `-2+3`. Excel and WPS would run it (OWASP "CSV injection"), so every exporter
writes such text as text: a string cell with Excel's quote prefix in .xlsx, a leading ' in CSV
(the importer takes that ' off again). Numbers stay numbers."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def text_cells(ws) -> None:
    """Formula-like text in an openpyxl sheet as string cells (openpyxl makes '=…' a formula)."""
    for row in ws.iter_rows():
        for cell in row:
            if formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True  # stays text when someone edits the cell in Excel


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV, formula-like text cells (and headers) prefixed with '."""
    def guard(value):
        return "'" + value if formula_like(value) else value
    safe = frame.rename(columns=guard)
    for column, dtype in zip(safe.columns, safe.dtypes):
        if not pd.api.types.is_numeric_dtype(dtype):  # only text can look like a formula
            safe[column] = safe[column].map(guard)
    return safe.to_csv(index=False)


def safe_name(text: str) -> str:
    """Text for a file or sheet name: characters Windows and Excel refuse ([]:*?/\\"<>|) become _,
    the scope's " · " separators a plain _."""
    out = str(text).replace(" · ", "_")
    return "".join("_" if ch in '[]:*?/\\"<>|' or ord(ch) < 32 else ch for ch in out)


def _width(text: str) -> float:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))  # CJK glyphs are double width


def xlsx_bytes(sheets: dict[str, pd.DataFrame], number_formats: dict[str, str | list] | None = None) -> bytes:
    """One sheet per frame. number_formats: column header → Excel format ('0.0%', '#,##0'), or a
    list of formats, one per row, for a column whose rows hold different units."""
    number_formats = number_formats or {}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            sheet_name = safe_name(name)[:31]  # Excel's limit and forbidden characters
            frame.to_excel(writer, sheet_name=sheet_name, index=False)
            ws = writer.sheets[sheet_name]
            text_cells(ws)
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for i, column in enumerate(frame.columns, start=1):
                values = [column, *frame[column].head(200).astype(str)]
                ws.column_dimensions[get_column_letter(i)].width = min(60, max(_width(v) for v in values) + 2)
                fmt = number_formats.get(column)
                if fmt:
                    per_row = fmt if isinstance(fmt, list) else [fmt] * len(frame)
                    for (cell,), row_fmt in zip(ws.iter_rows(min_row=2, min_col=i, max_col=i), per_row):
                        if row_fmt:
                            cell.number_format = row_fmt
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return csv_text(frame).encode("utf-8-sig")
