"""Tables as files people open on Chinese Windows: .xlsx with a frozen, bold header row, and CSV
in UTF-8 with BOM (without the BOM, Excel reads UTF-8 as GBK and shows mojibake)."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"


def _width(text: str) -> float:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))  # CJK glyphs are double width


def xlsx_bytes(sheets: dict[str, pd.DataFrame], number_formats: dict[str, str] | None = None) -> bytes:
    """One sheet per frame. number_formats: column header → Excel format ('0.0%', '#,##0')."""
    number_formats = number_formats or {}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            sheet_name = name[:31]  # Excel's limit
            frame.to_excel(writer, sheet_name=sheet_name, index=False)
            ws = writer.sheets[sheet_name]
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for i, column in enumerate(frame.columns, start=1):
                values = [column, *frame[column].head(200).astype(str)]
                ws.column_dimensions[get_column_letter(i)].width = min(60, max(_width(v) for v in values) + 2)
                fmt = number_formats.get(column)
                if fmt:
                    for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                        cell.number_format = fmt
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8-sig")
