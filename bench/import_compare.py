"""Do two versions of the importer read the same files the same way? (issue #17)

    git worktree add /tmp/old <commit>
    python bench/import_compare.py --old /tmp/old --scales county,province

For each scale bench/unit_sheet.py writes the 单位 sheet (.xlsx and CSV), and a copy with errors
written in (wrong numbers, blanks, duplicates, unknown townships, bad credit codes, a 小计 and a
合计 row, years out of range...). Each version reads every file with `importing.read` in its own
process; problems, notices, totals checked and every frame must be equal (text compared as text,
whichever pandas dtype holds it). Exits 1 on the first difference. Times nothing.
"""
from __future__ import annotations

import argparse
import csv
import pickle
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import unit_sheet

SCALES = {"tiny": 300, "county": 2_000, "province": 400_000}

_CHILD = """
import pickle, sys
sys.path.insert(0, {root!r})
from pathlib import Path
import pandas as pd
from unionstats import importing
importing.MAX_BYTES = 1 << 30  # the province CSV is above the upload limit
empty = importing.Reference(pd.DataFrame(columns=["code", "name_zh", "name_en"]))
out = {{}}
for name in {files!r}:
    towns = importing.read("乡镇.xlsx", Path(name.rsplit(".", 1)[0] + "-regions.xlsx").read_bytes(), empty)
    reference = importing.Reference(towns.frames["regions"][["code", "name_zh", "name_en"]])
    b = importing.read(Path(name).name, Path(name).read_bytes(), reference if name.endswith(".csv") else empty)
    out[name] = ([tuple(vars(p).values()) for p in b.problems], [tuple(vars(p).values()) for p in b.notices],
                 b.totals_checked, b.frames)
pickle.dump(out, open({dump!r}, "wb"))
"""


def write_dirty(out: Path, n: int) -> None:
    """OUT.xlsx, OUT.csv and OUT-regions.xlsx: n unit rows with about n/500 (at least 30) errors."""
    header, rows, regions = unit_sheet.unit_rows(n)
    column = {h: j for j, h in enumerate(header)}
    changes = [("职工人数", "十二"), ("建立职代会", None), ("会员人数", 10**7), None, ("乡镇", "不存在镇"),
               ("统一社会信用代码", "91ABC"), ("职工人数", "1,046"), ("职工人数", " 68 "), ("单位名称", "小计"),
               ("建会年份", 2099), ("职工人数", 12.5), ("建会情况", "未建会"), ("年度", "2024年"),
               ("统一社会信用代码", None)]
    rng = random.Random(3)
    for k in rng.sample(range(n), max(30, n // 500)):
        change = changes[rng.randrange(len(changes))]
        if change is None:
            rows[k] = list(rows[(k + 1) % n])  # a duplicate
        else:
            rows[k][column[change[0]]] = change[1]
    rows.insert(n // 2, [None] * len(header))
    rows.append(["合计"] + [None] * (len(header) - 1))
    towns = [["乡镇代码", "乡镇名称", "英文名称", "类型"], *[list(r[:4]) for r in regions]]
    unit_sheet.write_xlsx(out.with_suffix(".xlsx"), {"乡镇": towns, "单位": [header, *rows]})
    unit_sheet.write_xlsx(out.with_name(out.name + "-regions.xlsx"), {"乡镇": towns})
    with open(out.with_suffix(".csv"), "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *(["" if v is None else v for v in r] for r in rows)])


def _text_as_objects(frame):
    """Text columns as Python objects, None where blank: pandas' text dtype (an importer before
    issue #17's fourth round) and plain objects (after it) hold the same text."""
    import pandas as pd
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.StringDtype):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def read_all(root: Path, files: list[str], folder: Path) -> dict:
    dump = folder / "read.pkl"
    subprocess.run([sys.executable, "-c", _CHILD.format(root=str(root), files=files, dump=str(dump))],
                   check=True, cwd=root)
    try:
        with open(dump, "rb") as f:
            return pickle.load(f)
    finally:
        dump.unlink()


def main(argv: list[str] | None = None) -> int:
    import pandas as pd
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the other version's checkout")
    parser.add_argument("--new", type=Path, default=ROOT)
    parser.add_argument("--scales", default="county,province")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "unionstats-import-compare")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    files = []
    for scale in (s.strip() for s in args.scales.split(",") if s.strip()):
        clean, dirty = args.workdir / f"{scale}-units", args.workdir / f"{scale}-dirty"
        if not clean.with_suffix(".xlsx").exists():
            unit_sheet.write(clean, SCALES[scale])
        if not dirty.with_suffix(".xlsx").exists():
            write_dirty(dirty, SCALES[scale])
        files += [str(p.with_suffix(s)) for p in (clean, dirty) for s in (".xlsx", ".csv")]
    old, new = read_all(args.old, files, args.workdir), read_all(args.new, files, args.workdir)
    for name in files:
        (op, on, ot, of), (np_, nn, nt, nf) = old[name], new[name]
        problems = "same" if (op, on, ot) == (np_, nn, nt) else "DIFFERENT"
        if problems == "same" and of.keys() == nf.keys():
            for table in of:
                try:
                    pd.testing.assert_frame_equal(_text_as_objects(of[table]), _text_as_objects(nf[table]))
                except AssertionError as exc:
                    problems = f"frame {table} DIFFERENT: {str(exc)[:300]}"
                    break
        elif problems == "same":
            problems = "tables DIFFERENT"
        print(f"{Path(name).name}: {len(op)} problems, {len(on)} notices, "
              f"{ {t: len(f) for t, f in of.items()} }: {problems}")
        if problems != "same":
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
