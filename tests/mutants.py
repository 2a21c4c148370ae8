"""Mutation check (issue #12 item 2): do the tests notice a wrong direction?

Not a pytest file (pytest.ini collects test_*.py only). Run from the repository root:

    python tests/mutants.py            # every mutant
    python tests/mutants.py kpi_sign   # only those whose name contains the word

Each mutant is one deliberate one-line mistake: (name, file, exact old text, new text, tests that
must catch it). For each, the tracked files are copied to a temporary directory, the old text is
replaced (it must occur exactly once: otherwise the code moved and this list must follow it), and
`python -m pytest -x -q <selection>` runs there. A mutant is caught when the tests fail. Prints a
table; exits 1 if any mutant survives or cannot be applied. First every selection runs once on the
unmutated code and must pass (exit 2 if not): a selection that always fails proves nothing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]  # pytest arguments: node ids, files, -k expressions


MUTANTS = [
    # --- the nine the old suite missed -----------------------------------------------------------
    Mutant("kpi_change_sign", "unionstats/attainment.py",
           "delta = float(value) - float(by_year.loc[base, code])",
           "delta = float(by_year.loc[base, code]) - float(value)",
           ("tests/test_app.py", "-k", "kpi_deltas")),
    Mutant("kpi_target_dropped", "unionstats/app.py",
           "        if code in targets:\n",
           "        if code in ():\n",
           ("tests/test_app.py", "-k", "county_target")),
    Mutant("ranking_direction", "unionstats/comparison.py",
           'out[f"rank_{col}"] = out[col].rank(ascending=not best_first',
           'out[f"rank_{col}"] = out[col].rank(ascending=best_first',
           ("tests/test_pages.py", "-k", "rank_moves")),
    Mutant("township_bar_order", "pages/coverage.py",
           'by_region = indicators.table(view.scope, "region", (view.year,)).dropna(subset=[code]).sort_values(code)',
           'by_region = indicators.table(view.scope, "region", (view.year,)).dropna(subset=[code])'
           '.sort_values(code, ascending=False)',
           ("tests/test_coverage.py", "-k", "lowest_first")),
    Mutant("trend_target_marker_dropped", "pages/overview.py",
           "target=(view.year, target_rate) if target_rate is not None else None,",
           "target=None,",
           ("tests/test_app.py", "-k", "trend_carries")),
    Mutant("coverage_target_line_dropped", "pages/coverage.py",
           '(view.t("target"), target)]',
           '(view.t("target"), None)]',
           ("tests/test_coverage.py", "-k", "lowest_first")),
    Mutant("briefing_change_sign", "unionstats/briefing.py",
           "compare = comparison.compare(scope, before, year, path)",
           "compare = comparison.compare(scope, year, before, path)",
           ("tests/test_briefing.py", "-k", "point_the_right_way")),
    Mutant("aid_rows_in_industry_breakdown", "queries/schema.sql",
           "WHEN 'industry' THEN nullif(industry_code, '')",
           "WHEN 'industry' THEN coalesce(nullif(industry_code, ''), region_code)",
           ("tests/test_indicators.py", "-k", "industry_breakdown")),
    Mutant("null_becomes_zero", "queries/schema.sql",
           "CASE WHEN key_rows > 0 THEN total WHEN year_has_rows THEN 0 END;",
           "CASE WHEN key_rows > 0 THEN total ELSE 0 END;",
           ("tests/test_indicators.py", "-k", "without_inspections")),
    # --- more of the same kind ---------------------------------------------------------------------
    Mutant("kpi_delta_colour", "unionstats/attainment.py",
           'else ("normal" if ind.higher_is_better else "inverse"))',
           'else ("inverse" if ind.higher_is_better else "normal"))',
           ("tests/test_app.py", "-k", "kpi_deltas")),
    Mutant("rate_numerator_denominator_swapped", "queries/indicators.sql",
           "compliance_rate_num::DOUBLE / nullif(compliance_rate_den, 0) AS compliance_rate",
           "compliance_rate_den::DOUBLE / nullif(compliance_rate_num, 0) AS compliance_rate",
           ("tests/test_indicators.py", "-k", "every_year_county")),
    Mutant("zero_denominator_unguarded", "queries/indicators.sql",
           "aid_per_household_num::DOUBLE / nullif(aid_per_household_den, 0) AS aid_per_household",
           "aid_per_household_num::DOUBLE / greatest(aid_per_household_den, 1) AS aid_per_household",
           ("tests/test_indicators.py", "-k", "zero_denominator")),
    Mutant("compare_default_year", "pages/compare.py",
           'st.session_state["compare_year_a"] = attainment.latest_earlier(years, view.year) or view.year',
           'st.session_state["compare_year_a"] = attainment.latest_earlier(years, view.year - 1) or view.year',
           ("tests/test_targets.py", "-k", "compare_follows")),
    Mutant("gap_list_threshold_strict", "queries/gap_units.sql",
           "AND uy.employees >= $min_employees",
           "AND uy.employees > $min_employees",
           ("tests/test_coverage.py", "-k", "exactly")),
    Mutant("gap_summary_threshold_strict", "queries/gap_summary.sql",
           "AND uy.employees >= $min_employees",
           "AND uy.employees > $min_employees",
           ("tests/test_coverage.py", "-k", "exactly")),
    # --- the screen's 空白点 list is fetched with a limit (issue #17 item 4) ------------------------
    Mutant("gap_limit_ignored", "unionstats/gaps.py",
           "min_employees=min_employees, limit=limit,",
           "min_employees=min_employees, limit=None,",
           ("tests/test_gaps_limit.py",)),
    Mutant("gap_limit_ties_unbroken", "queries/gap_units.sql",
           "uy.name, uy.unit_id, uy.year",
           "uy.name",
           ("tests/test_gaps_limit.py",)),
    Mutant("gap_limit_page_fetches_all", "pages/coverage.py",
           "min_employees, view.lang, limit=gaps.MAX_LISTED)",
           "min_employees, view.lang).head(gaps.MAX_LISTED)",
           ("tests/test_gaps_limit.py",)),
    Mutant("gap_limit_count_from_list", "pages/coverage.py",
           'total=fmt.fmt_count(summary["gap_units"])',
           "total=fmt.fmt_count(len(shown))",
           ("tests/test_gaps_limit.py",)),
    Mutant("gap_limit_download_shown_only", "pages/coverage.py",
           "    return gaps.uncovered_table(view.year, drill_scope, min_employees, view.lang)\n",
           "    return shown\n",
           ("tests/test_gaps_limit.py",)),
    Mutant("gap_limit_briefing_fetches_all", "unionstats/briefing.py",
           "lang, path, limit=gaps.BRIEF_LISTED)",
           "lang, path).head(gaps.BRIEF_LISTED)",
           ("tests/test_gaps_limit.py",)),
    Mutant("attainment_direction", "unionstats/attainment.py",
           "ahead = -gap if lower else gap",
           "ahead = gap if lower else -gap",
           ("tests/test_attainment.py", "-k", "status_uses")),
    Mutant("totals_only_township_forgotten", "queries/totals_only_regions.sql",
           "WHERE in_list($years, ry.year)",
           "WHERE in_list($years, ry.year + 1)",
           ("tests/test_indicators.py", "-k", "totals_only")),
    Mutant("totals_only_township_dropped_from_cube", "queries/build_cube.sql",
           "    SELECT * FROM region_year\n)",
           "    SELECT * FROM region_year WHERE region_code IN (SELECT region_code FROM unit_year WHERE year = region_year.year)\n)",
           ("tests/test_indicators.py", "-k", "totals_only")),
    # --- reference figures (issue #11 item 8): shown beside the county, never in it ---------------
    Mutant("reference_summed_into_county", "unionstats/indicators.py",
           '    return frame[["year", "key", *counts, *rates, "name_zh", "name_en", "sort_order"]]',
           '    refs = store.query("reference_figures", path=path, indicators=["unionization_rate"], bodies=["province"])\n'
           '    frame["unionization_rate"] = frame["unionization_rate"] + frame["year"].map(\n'
           '        dict(zip(refs["year"], refs["value"]))).fillna(0)\n'
           '    return frame[["year", "key", *counts, *rates, "name_zh", "name_en", "sort_order"]]',
           ("tests/test_reference.py", "-k", "never_change")),
    Mutant("reference_beside_adds_up", "unionstats/references.py",
           "parts = [f\"{t('ref_own', lang)} {fmt.fmt_number(own, unit, lang)}\"]",
           "parts = [f\"{t('ref_own', lang)} {fmt.fmt_number(own + rows['value'].sum(), unit, lang)}\"]",
           ("tests/test_reference.py", "-k", "side_by_side")),
    Mutant("reference_nearest_year", "unionstats/references.py",
           'rows = frame[(frame["indicator"] == code) & (frame["year"] == year)]',
           'rows = frame[(frame["indicator"] == code) & ((frame["year"] - year).abs() <= 1)]',
           ("tests/test_reference.py", "-k", "same_year")),
    Mutant("reference_lines_under_a_filter", "unionstats/app.py",
           "if len(frame) and not attainment.is_whole_county(view.scope):",
           "if False:",
           ("tests/test_reference.py", "-k", "township_filter")),
    Mutant("reference_import_drops_other_keys", "unionstats/snapshots.py",
           '_keyed(b.base("reference_figures"),',
           '_keyed(b.base("reference_figures").iloc[0:0],',
           ("tests/test_reference.py", "-k", "reimport_replaces")),
    Mutant("reference_source_unescaped", "unionstats/charts.py",
           "({_text(at[y][1])})",
           "({at[y][1]})",
           ("tests/test_reference.py", "-k", "dashed_with_its_source")),
    # --- a work report's county totals (issue #16) ------------------------------------------------
    Mutant("county_and_townships_both_counted", "unionstats/snapshots.py",
           "        if twice:\n", "        if twice and False:\n",
           ("tests/test_county_totals.py", "-k", "joining or counts_once")),
    Mutant("second_report_drops_the_first", "unionstats/narrative.py",
           'old = existing[existing["table_name"] == table] if existing is not None else []', "old = []",
           ("tests/test_county_totals.py", "-k", "second_report")),
    Mutant("county_figure_over_townships", "unionstats/narrative.py",
           "        if code in by_townships:\n", "        if False:\n",
           ("tests/test_county_totals.py", "-k", "townships_report")),
    # --- 维权 and 困难帮扶 in lazy tabs (issue #17 item 2) ------------------------------------------
    Mutant("section_drawn_under_another_tab", "pages/rights.py",
           "if arrears.open:", "if inspections.open:",
           ("tests/test_section_tabs.py", "-k", "alone")),
    Mutant("section_tab_lost_on_language", "unionstats/app.py",
           "                st.session_state[key] = label\n", "                pass\n",
           ("tests/test_section_tabs.py", "-k", "language")),
    # --- the streaming .xlsx reader (issue #17 item 3) ------------------------------------------
    Mutant("xlsx_shared_string_off_by_one", "unionstats/xlsxrows.py",
           "        out[shared] = strings[self.number[shared].astype(np.int64)]\n",
           "        out[shared] = strings[np.maximum(self.number[shared].astype(np.int64) - 1, 0)]\n",
           ("tests/test_xlsxrows.py", "-k", "calamines")),
    Mutant("xlsx_blank_rows_dropped", "unionstats/xlsxrows.py",
           "        if number > self._row:  # a row with no cell holding something\n",
           "        if False:\n",
           ("tests/test_xlsxrows.py", "-k", "calamines")),
    Mutant("xlsx_late_format_unseen", "unionstats/importing.py",
           "        self.scaled_columns = {c for _, c in self.table.cells.scales}\n",
           "        self.scaled_columns = self.__dict__.get(\"scaled_columns\", "
           "{c for _, c in self.table.cells.scales})\n",
           ("tests/test_xlsxrows.py", "-k", "late")),
    Mutant("xlsx_late_merge_unseen", "unionstats/importing.py",
           "        raise xlsxrows.Unsupported(\"merged label cells\")\n", "        pass\n",
           ("tests/test_xlsxrows.py", "-k", "merged")),
    Mutant("xlsx_plain_piece_unchecked", "unionstats/xlsxrows.py",
           "                    scan.add(tags, int(numbers.max(initial=0)), int(columns.max(initial=-1)) + 1)\n",
           "                    scan.add(tags, 0, 0)\n",
           ("tests/test_xlsxrows.py", "-k", "far_cell")),
    Mutant("xlsx_plain_formats_column_off", "unionstats/cellformats.py",
           "            cells.scales[(row, column)] = styles[style]\n",
           "            cells.scales[(row, column + 1)] = styles[style]\n",
           ("tests/test_xlsxrows.py", "-k", "formats_learnt")),
    Mutant("xlsx_inline_text_last_char_lost", "unionstats/xlsxrows.py",
           "    joined[offset + length] = 0\n",
           "    joined[np.maximum(offset + length - 1, offset)] = 0\n",
           ("tests/test_xlsxrows.py", "-k", "calamines")),
    Mutant("xlsx_separator_in_a_text_unseen", "unionstats/xlsxrows.py",
           "        if len(texts) == count:  # else a text held the separator itself\n",
           "        if True:\n",
           ("tests/test_xlsxrows.py", "-k", "calamines")),
    # --- the sheet worker, the store's checks once per build, credit codes at once (#17, 4th round)
    Mutant("worker_late_format_dropped", "unionstats/sheetworker.py",
           "    cells.scales.update(scales)\n", "    pass\n",
           ("tests/test_sheetworker.py",)),
    Mutant("worker_error_taken_for_the_end", "unionstats/sheetworker.py",
           "                if message[0] == \"error\":\n", "                if message[0] == \"ERROR\":\n",
           ("tests/test_sheetworker.py",)),
    Mutant("worker_left_to_the_collector", "unionstats/importing.py",
           "        _close(tables)  # a sheet worker whose sheet was not reached is stopped now, not when collected\n",
           "        pass\n", ("tests/test_sheetworker.py", "-k", "never_reached")),
    Mutant("worker_without_the_package_path", "unionstats/sheetworker.py",
           "                                      env={**os.environ, \"PYTHONPATH\": path})\n",
           "                                      env=None)\n", ("tests/test_sheetworker.py", "-k", "pythonsafepath")),
    Mutant("worker_stopped_by_ctrl_c", "unionstats/sheetworker.py",
           "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n", "    pass\n",
           ("tests/test_sheetworker.py", "-k", "ctrl_c")),
    Mutant("store_integrity_not_checked", "unionstats/snapshots.py",
           "        _check_integrity(con)\n        step(0.85, \"cube\")\n", "        step(0.85, \"cube\")\n",
           ("tests/test_hostile_files.py", "-k", "unknown_code")),
    Mutant("credit_plain_any_character", "unionstats/importing.py",
           "    plain[plain] = (((raw >= 48) & (raw <= 57)) | ((raw >= 65) & (raw <= 90))).all(axis=1)\n",
           "    plain[plain] = (((raw >= 48) & (raw <= 57)) | ((raw >= 65) & (raw <= 90))).any(axis=1)\n",
           ("tests/test_xlsxrows.py", "-k", "credit_codes")),
]



def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p]


def copy_tree(target: Path) -> None:
    """The working tree's tracked files as they are now (uncommitted edits included)."""
    for rel in tracked_files():
        source = ROOT / rel
        if source.is_file():
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)


def apply(tree: Path, m: Mutant) -> None:
    path = tree / m.file
    text = path.read_text(encoding="utf-8")
    found = text.count(m.old)
    if found != 1:
        raise LookupError(f"{m.name}: the old text occurs {found} times in {m.file}, not once")
    path.write_text(text.replace(m.old, m.new), encoding="utf-8")


def run(m: Mutant, base: Path) -> tuple[str, float, str]:
    """('caught' | 'MISSED' | 'ERROR', seconds, last lines of output)."""
    tree = base / m.name
    copy_tree(tree)
    try:
        if m.file:  # the baseline run changes nothing
            apply(tree, m)
    except LookupError as exc:
        return "ERROR", 0.0, str(exc)
    env = {k: v for k, v in os.environ.items() if k not in ("UNIONSTATS_DB", "PYTHONPATH")}
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *m.tests],
                          cwd=tree, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-3:])
    if done.returncode == 1:
        return "caught", seconds, tail
    if done.returncode == 0:
        return "MISSED", seconds, tail
    # 2–5: interrupted, internal error, usage error, nothing collected: the selection is wrong
    return "ERROR", seconds, f"pytest exit {done.returncode}: {tail}"


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or any(word in m.name for word in argv)]
    if not chosen:
        print("no mutant matches", argv)
        return 2
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names)), "mutant names must be unique"
    results = []
    with tempfile.TemporaryDirectory(prefix="unionstats-mutants-") as base:
        # A selection that fails on the unmutated code would "catch" every mutant: check first.
        for i, tests in enumerate(dict.fromkeys(m.tests for m in chosen)):
            result, seconds, tail = run(Mutant(f"baseline_{i}", "", "", "", tests), Path(base))
            print(f"{'ok' if result == 'MISSED' else 'BROKEN':7} {seconds:6.1f}s  baseline: {' '.join(tests)}",
                  flush=True)
            if result != "MISSED":
                print("        " + tail.replace("\n", "\n        "))
                return 2
        for m in chosen:
            result, seconds, tail = run(m, Path(base))
            results.append((m, result, seconds, tail))
            print(f"{result:7} {seconds:6.1f}s  {m.name}", flush=True)
            if result != "caught":
                print("        " + tail.replace("\n", "\n        "), flush=True)
    width = max(len(m.name) for m in chosen)
    print()
    print(f"{'mutant':{width}}  {'file':32}  result   tests")
    for m, result, seconds, _ in results:
        print(f"{m.name:{width}}  {m.file:32}  {result:7}  {' '.join(m.tests)}")
    survivors = [m.name for m, result, *_ in results if result != "caught"]
    print(f"\n{len(results) - len(survivors)}/{len(results)} caught"
          + (f"; not caught: {', '.join(survivors)}" if survivors else ""))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
