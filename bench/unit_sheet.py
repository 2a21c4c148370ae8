"""Write a province-scale 单位 sheet as staff would send it: an .xlsx (a 乡镇 sheet and a 单位
sheet, shared strings as Excel writes them) and the same 单位 rows as a UTF-8 CSV.

    python bench/unit_sheet.py --rows 400000 --out /tmp/province

Writes OUT.xlsx, OUT.csv and OUT-regions.xlsx (the 乡镇 sheet alone: a CSV import needs the
townships in the store first). Deterministic (seeded); every row is valid, so an import of it
measures the clean path. The XML is written directly: openpyxl would take minutes at this size.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from unionstats import demo, dimensions, importing
from unionstats.sheets import BY_TABLE

YEAR = 2024


def _credit_codes(rng, n: int) -> np.ndarray:
    """n distinct codes with a correct GB 32100 check character."""
    chars = np.array(list(importing.CREDIT_CHARS))
    body = rng.integers(0, 31, size=(n, 17))
    body[:, :2] = [[9, 1]]  # "91": a company
    serial = np.arange(n)  # distinct: the last 7 characters spell the row number in base 31
    for k in range(7):
        body[:, 16 - k] = serial % 31
        serial //= 31
    weights = np.array(importing.CREDIT_WEIGHTS)
    check = (31 - (body * weights).sum(axis=1) % 31) % 31
    codes = np.concatenate([chars[body], chars[check][:, None]], axis=1)
    return np.array(["".join(row) for row in codes])


def unit_rows(n: int, seed: int = 7) -> tuple[list[str], list[list], tuple]:
    """(header, rows, regions) of a 单位 sheet with n rows."""
    rng = np.random.default_rng(seed)
    regions = demo.regions_for(n)
    region_names = np.array([r[1] for r in regions])
    industries = np.array([f"{c} {zh}" for c, zh, _ in dimensions.INDUSTRIES])
    ownership = np.array([f"{c} {zh}" for c, zh, _, _ in dimensions.OWNERSHIP])
    region = region_names[rng.integers(0, len(regions), n)]
    employees = rng.integers(1, 400, n)
    female = (employees * rng.uniform(0, 0.6, n)).astype(int)
    migrant = (employees * rng.uniform(0, 0.5, n)).astype(int)
    status = rng.choice(np.array(["未建会", "独立建会", "联合工会"]), n, p=[0.3, 0.5, 0.2])
    union = status != "未建会"
    members = np.where(union, (employees * rng.uniform(0.5, 1, n)).astype(int), 0)
    female_members = np.minimum(female, (members * rng.uniform(0, 0.6, n)).astype(int))
    migrant_members = np.minimum(migrant, (members * rng.uniform(0, 0.5, n)).astype(int))
    joined = (members * rng.uniform(0, 0.2, n)).astype(int)
    founded = np.where(union, rng.integers(1990, YEAR + 1, n), 0)
    flags = [np.where(union & (rng.random(n) < p), "是", "否") for p in (0.7, 0.6, 0.5, 0.4)]
    contracted = (employees * rng.uniform(0.6, 1, n)).astype(int)
    codes = _credit_codes(rng, n)
    no_code = rng.random(n) < 0.2
    spec = BY_TABLE["unit_year"]
    header = spec.headers()
    rows = []
    ind = industries[rng.integers(0, len(industries), n)]
    own = ownership[rng.integers(0, len(ownership), n)]
    for i in range(n):
        rows.append([YEAR, f"示例单位{i:07d}有限公司", None if no_code[i] else codes[i], region[i], ind[i], own[i],
                     int(employees[i]), int(female[i]), int(migrant[i]), int(members[i]), int(female_members[i]),
                     int(migrant_members[i]), int(joined[i]), status[i], int(founded[i]) if founded[i] else None,
                     flags[0][i], flags[1][i], flags[2][i], flags[3][i], int(contracted[i])])
    return header, rows, regions


def _col(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A minimal .xlsx: shared strings for text, plain number cells, no styles."""
    strings: dict[str, int] = {}
    parts = {}
    for s, (name, rows) in enumerate(sheets.items(), 1):
        out = io.StringIO()
        out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                  'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        letters = [_col(j) for j in range(max(len(r) for r in rows))]
        for i, row in enumerate(rows, 1):
            out.write(f'<row r="{i}">')
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str):
                    k = strings.setdefault(v, len(strings))
                    out.write(f'<c r="{letters[j]}{i}" t="s"><v>{k}</v></c>')
                else:
                    out.write(f'<c r="{letters[j]}{i}"><v>{v}</v></c>')
            out.write("</row>")
        out.write("</sheetData></worksheet>")
        parts[f"xl/worksheets/sheet{s}.xml"] = out.getvalue()
    names = list(sheets)
    sst = "".join(f"<si><t>{escape(t)}</t></si>" for t in strings)
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{s}.xml" ContentType="application/vnd.openxmlformats-'
                      f'officedocument.spreadsheetml.worksheet+xml"/>' for s in range(1, len(names) + 1))
            + "</Types>"))
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                   f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                   f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {ns} '
                   f'xmlns:r="{rel}"><sheets>'
                   + "".join(f'<sheet name="{escape(n)}" sheetId="{s}" r:id="rId{s}"/>' for s, n in enumerate(names, 1))
                   + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(f'<Relationship Id="rId{s}" Type="{rel}/worksheet" Target="worksheets/sheet{s}.xml"/>'
                             for s in range(1, len(names) + 1))
                   + f'<Relationship Id="rId{len(names) + 1}" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                   "</Relationships>")
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {ns} '
                   f'count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>')
        for part, text in parts.items():
            z.writestr(part, text)
    return path


def write(out: Path, n: int) -> tuple[Path, Path, Path]:
    header, rows, regions = unit_rows(n)
    towns = [["乡镇代码", "乡镇名称", "英文名称", "类型"], *[[r[0], r[1], r[2], r[3]] for r in regions]]
    out.parent.mkdir(parents=True, exist_ok=True)
    xlsx = write_xlsx(out.with_suffix(".xlsx"), {"乡镇": towns, "单位": [header, *rows]})
    towns_file = write_xlsx(out.with_name(out.name + "-regions.xlsx"), {"乡镇": towns})
    csv_file = out.with_suffix(".csv")
    with open(csv_file, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    return xlsx, csv_file, towns_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--out", type=Path, required=True, help="path without suffix")
    args = parser.parse_args()
    for file in write(args.out, args.rows):
        print(f"{file}  {file.stat().st_size / 1024 / 1024:.1f} MB")


if __name__ == "__main__":
    main()
