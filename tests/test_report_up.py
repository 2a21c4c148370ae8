"""Reporting up (issue #15 items 4–5): a county's roll-up, imported into a city federation's store
as one region, gives the county's own figures; three counties give their sum; every page works
with counties as regions and says 县（市、区）."""
from __future__ import annotations

from pathlib import Path

import duckdb
import independent
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_pages import _interface_texts

from conftest import each_section, open_page
from unionstats import (
    catalog,
    cli,
    demo,
    i18n,
    importing,
    indicators,
    reportup,
    snapshots,
    store,
)
from unionstats.indicators import Scope
from unionstats.sheets import SUMMARY_SHEET

YEARS = (2023, 2024)
CODES = [ind.code for ind in catalog.INDICATORS]
COUNTS = [ind.code for ind in catalog.INDICATORS if not ind.numerator]
RATES = [ind for ind in catalog.INDICATORS if ind.numerator]
ALL_PAGES = ("pages/overview.py", "pages/coverage.py", "pages/rights.py", "pages/aid.py", "pages/townships.py",
             "pages/compare.py", "pages/briefing.py", "pages/data.py", "pages/glossary.py")


def small_county(path: Path, units: int, seed: int, name: str, code: str, kind: str, mutate=None) -> Path:
    """A demo county of its own size and seed, under its own name, code and kind."""
    tables = demo.build_tables(units, seed)
    settings = tables["settings"].set_index("key")["value"].to_dict()
    settings.update(county_name_zh=name, county_name_en="", county_code=code, county_kind=kind)
    tables["settings"] = pd.DataFrame(list(settings.items()), columns=["key", "value"])
    if mutate:
        mutate(tables)
    snapshots.write_database(path, tables)
    return path


def report_up(db: Path, year: int, out: Path) -> Path:
    """Through the command line, in-process."""
    assert cli.main(["report-up", "--year", str(year), "--out", str(out), "--db", str(db)]) == 0
    store.clear_cache()
    return out


def import_into(city: Path, file: Path) -> None:
    prepared = importing.prepare(city, file.name, file.read_bytes())
    assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems[:5]]
    snapshots.publish(prepared.candidate)
    store.clear_cache()


def county_figures(path: Path) -> pd.DataFrame:
    return indicators.table(Scope(), "county", YEARS, path).set_index("year")[CODES].astype(float)


@pytest.fixture(scope="module")
def counties(demo_db, tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("counties")
    return [demo_db,
            small_county(folder / "b.duckdb", 400, 7, "乙县", "yixian", "县"),
            small_county(folder / "c.duckdb", 600, 11, "丙区", "bingqu", "区")]


@pytest.fixture(scope="module")
def files(counties, tmp_path_factory) -> dict[tuple[int, int], Path]:
    folder = tmp_path_factory.mktemp("up")
    return {(i, y): report_up(db, y, folder / f"{i}_{y}.xlsx") for i, db in enumerate(counties) for y in YEARS}


@pytest.fixture(scope="module")
def one_county_city(files, tmp_path_factory) -> Path:
    city = tmp_path_factory.mktemp("city1") / "city.duckdb"
    for y in YEARS:
        import_into(city, files[(0, y)])
    return city


@pytest.fixture(scope="module")
def city(files, tmp_path_factory) -> Path:
    city = tmp_path_factory.mktemp("city3") / "city.duckdb"
    for (i, y), file in sorted(files.items()):
        import_into(city, file)
    return city


def test_one_county_imported_gives_the_county_figures_exactly(demo_db, one_county_city):
    got, want = county_figures(one_county_city), county_figures(demo_db)
    assert want.loc[2024, "units"] > 1000 and want.loc[2024, "congress_rate"] > 0  # a real comparison
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # and by the independent computation over each store's raw rows
    mine = independent.expected(independent.raw(one_county_city), ["year"]).loc[list(YEARS)]
    theirs = independent.expected(independent.raw(demo_db), ["year"]).loc[list(YEARS)]
    pd.testing.assert_frame_equal(mine, theirs, check_exact=True)
    regions = store.query("regions", path=one_county_city)
    assert list(regions["name_zh"]) == ["示例县"] and list(regions["kind"]) == ["县"]
    assert store.setting(i18n.REGION_LABEL, path=one_county_city) == "县（市、区）"


def test_the_county_is_one_region_and_its_row_is_the_county(demo_db, one_county_city):
    by_region = indicators.table(Scope(), "region", YEARS, one_county_city).set_index("year")
    assert set(by_region["key"]) == {"demo-county"}
    pd.testing.assert_frame_equal(by_region[CODES].astype(float), county_figures(demo_db), check_exact=True)


def test_three_counties_sum(counties, city):
    each = [county_figures(db) for db in counties]
    got = county_figures(city)
    for code in COUNTS:
        assert list(got[code]) == list(sum(f[code] for f in each)), code
    for ind in RATES:
        num = sum(f[ind.numerator] for f in each)
        den = sum(f[ind.denominator] for f in each)
        assert list(got[ind.code]) == pytest.approx(list(num / den), rel=1e-12), ind.code
    assert {*store.query("regions", path=city)["code"]} == {"demo-county", "yixian", "bingqu"}
    by_region = indicators.table(Scope(), "region", YEARS, city).set_index(["key", "year"])
    for code, db in zip(("demo-county", "yixian", "bingqu"), counties):
        pd.testing.assert_frame_equal(by_region.loc[code][CODES].astype(float), county_figures(db),
                                      check_exact=True, check_index_type=False, obj=code)


def test_the_summary_sheet_shows_the_county_and_leaves_signatures_blank(demo_db, files):
    book = openpyxl.load_workbook(files[(0, 2024)])
    assert book.sheetnames[0] == SUMMARY_SHEET
    ws = book[SUMMARY_SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    by_code = {r[4]: r[2] for r in rows if len(r) > 4 and r[4] in catalog.BY_CODE}
    want = indicators.summary(2024, path=demo_db)
    assert set(by_code) == set(CODES)
    for code, value in want.items():
        assert (by_code[code] == "—") if value is None else by_code[code] == pytest.approx(value), code
    sign = next(r for r in rows if r[0] == "填报人：")
    assert sign[2:7:2] == ["审核人：", "负责人签字：", "日期："]
    assert sign[1] is None and sign[3] is None and sign[5] is None and sign[7] is None
    assert "示例县" in rows[0][0]


def test_not_reported_stays_blank_and_mixed_cells_are_named(tmp_path):
    def blanks(tables):
        uy, ry = tables["unit_year"], tables["region_year"]
        uy.loc[uy["year"] == 2024, "female_members"] = None  # no one reported it
        ry.loc[ry["year"] == 2024, "female_members"] = None
        now = uy[(uy["year"] == 2024) & (uy["employees"] > 0)]
        size = now.groupby(["industry_code", "ownership_code"])["unit_id"].transform("size")
        first = now.index[size >= 3][0]  # in a cell whose other units reported both parts
        uy.loc[first, "employees_contracted"] = None  # one unit of a cell left one part of a rate blank
        tables["unit_year"] = uy.astype({"female_members": "Int64", "employees_contracted": "Int64"})
        # a township that reported 2024 as totals only, not by industry or ownership
        now = ry["year"] == 2024
        whole = ry[now].drop(columns=["industry_code", "ownership_code"]).groupby(
            ["year", "region_code"], as_index=False).sum(min_count=1).assign(industry_code="", ownership_code="")
        ry = pd.concat([ry[~now], whole], ignore_index=True)
        tables["region_year"] = ry.astype({"female_members": "Int64"})
        # the county's own figures (township ''), beside its townships'
        tables["inspections"] = pd.concat([tables["inspections"], pd.DataFrame(
            [{"year": 2024, "region_code": "", "industry_code": "", "ownership_code": "", "units_inspected": 9,
              "units_compliant": 2, "workers_helped_sign": 77}])], ignore_index=True)
        tables["aid"] = pd.concat([tables["aid"], pd.DataFrame(
            [{"year": 2024, "region_code": "", "program_code": "songnuan", "households": 5, "persons": 0,
              "yuan": 3000}])], ignore_index=True)
        tables["subsidies"] = pd.concat([tables["subsidies"], pd.DataFrame(
            [{"year": 2024, "region_code": "", "unions_supported": None, "yuan": 50_000}])], ignore_index=True)
    db = small_county(tmp_path / "blank.duckdb", 300, 3, "丁县", "dingxian", "县", blanks)
    assert indicators.summary(2024, path=db)["female_members"] is None
    data, rollup = reportup.report_up(2024, db)
    assert rollup.tables["region_year"]["female_members"].isna().all()
    for table in ("region_year", "inspections"):  # the part not broken down beside the broken-down rows
        rows = rollup.tables[table]
        assert ((rows["industry_code"] == "") & (rows["ownership_code"] == "")).sum() == 1 and len(rows) > 1
    assert any("劳动合同签订率" in w for w in rollup.warnings) and len(rollup.warnings) == 1
    file = tmp_path / "up.xlsx"
    file.write_bytes(data)
    city = tmp_path / "city.duckdb"
    import_into(city, file)
    got, want = indicators.summary(2024, path=city), indicators.summary(2024, path=db)
    assert got["female_members"] is None and got["female_membership_rate"] is None
    assert {k: v for k, v in got.items() if k != "labor_contract_rate"} == \
        {k: v for k, v in want.items() if k != "labor_contract_rate"}
    assert got["labor_contract_rate"] != want["labor_contract_rate"]  # what the warning said


def test_report_up_refuses_a_year_without_data(demo_db, tmp_path, capsys):
    assert cli.main(["report-up", "--year", "1990", "--out", str(tmp_path / "x.xlsx"), "--db", str(demo_db)]) == 2
    assert "没有 1990 年的数据" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_county_code_and_labels_are_settings(demo_db, tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    db.write_bytes(demo_db.read_bytes())
    assert reportup.county(db)[0] == "demo-county"  # from the English name, no pinyin needed
    assert cli.main(["settings", "--county-code", "SL-01", "--county-kind", "市", "--db", str(db)]) == 0
    assert reportup.county(db)[:1] + reportup.county(db)[3:] == ("SL-01", "市")
    assert cli.main(["settings", "--county-kind", "乡", "--db", str(db)]) == 2
    assert "应为 县、区、市 之一" in capsys.readouterr().err
    assert reportup.county(db)[3] == "市"
    assert cli.main(["settings", "--region-label", "县（市、区）", "--db", str(db)]) == 0
    assert store.setting(i18n.REGION_LABEL, path=db) == "县（市、区）"
    assert reportup.default_code("示例 县") == "示例县"


def test_a_township_import_into_an_empty_store_keeps_saying_township(county_store):
    assert store.setting(i18n.REGION_LABEL, path=county_store) is None


def test_an_old_store_upgrades_to_allow_counties(demo_db, tmp_path):
    old = tmp_path / "old.duckdb"
    schema = store.sql("schema").replace("'园区', '县', '区', '市'", "'园区'")
    assert schema != store.sql("schema")
    con = duckdb.connect(str(old))
    try:
        con.execute(schema)
        con.execute("ATTACH $f AS new (READ_ONLY)", {"f": str(demo_db)})
        for table in snapshots.TABLE_ORDER:
            con.execute(f"INSERT INTO {table} SELECT * FROM new.{table}")
        con.execute("CREATE TABLE cube AS SELECT * FROM new.cube")
        con.execute("UPDATE settings SET value = '3' WHERE key = 'schema_version'")
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO regions VALUES ('x', '某县', '', '县', 99)")
    finally:
        con.close()
    assert cli.main(["upgrade", "--db", str(old)]) == 0
    store.clear_cache()
    assert store.setting("schema_version", path=old) == store.SCHEMA_VERSION
    store.clear_cache()  # our read-only connection lets go of the file
    con = duckdb.connect(str(store.resolve(old)))
    try:
        con.execute("INSERT INTO regions VALUES ('x', '某县', '', '县', 99)")  # the new rule
    finally:
        con.close()


def test_importer_reads_county_kinds():
    from unionstats.sheets import REGION_KIND_WORDS
    assert REGION_KIND_WORDS["县级市"] == "市" and REGION_KIND_WORDS["旗"] == "县"


def _open(page: str) -> AppTest:
    return open_page(page, timeout=120, year="2024")


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_works_with_counties_and_says_so(city, page, monkeypatch):
    monkeypatch.setenv("UNIONSTATS_DB", str(city))
    store.clear_cache()
    at = _open(page)
    assert not at.exception, at.exception
    texts = []
    for shown in each_section(at):  # 维权, 困难帮扶: every tab
        texts += _interface_texts(shown)
        if page in ("pages/overview.py", "pages/coverage.py", "pages/rights.py", "pages/aid.py"):
            metrics = {m.label: m.value for m in shown.metric}
            assert metrics
    assert any("县（市、区）" in x for x in texts), page
    assert not [x for x in texts if "乡镇" in x], page
    i18n.use_labels()  # AppTest ran in this thread: leave the next test the county's words


def test_the_data_page_makes_the_report_up_file(demo_db):
    at = _open("pages/data.py")
    at.button(key="report_up_make").click().run()
    assert not at.exception
    button = [b for b in at.get("download_button") if "上报" in b.proto.label]
    assert button


def test_the_briefing_from_the_command_line_says_counties(city, tmp_path):
    out = tmp_path / "brief.html"
    assert cli.main(["briefing", "--year", "2024", "--out", str(out), "--db", str(city)]) == 0
    i18n.use_labels()  # the command set this thread's words from the city's store
    text = out.read_text(encoding="utf-8")
    assert "县（市、区）" in text and "乡镇" not in text


@pytest.mark.parametrize("suffix", [".html", ".docx", ".pptx"])
def test_the_english_briefing_of_a_city_says_city_and_keeps_its_name(city, tmp_path, suffix):
    """The English words follow the city's labels (county → city), but a template's {county}
    field is a field, not a word: renamed, it had no value and the export raised KeyError."""
    out = tmp_path / f"brief{suffix}"
    try:
        assert cli.main(["briefing", "--year", "2024", "--lang", "en", "--out", str(out), "--db", str(city)]) == 0
    finally:
        i18n.use_labels()
    if suffix == ".html":
        text = out.read_text(encoding="utf-8")
        name = store.setting("county_name_en", path=city)
        assert f"{name} trade union work in 2024" in text and "Whole city" in text and "Township" not in text


def _changed(data: bytes) -> bytes:
    """The report-up file with one figure changed (a corrected file sent again)."""
    import io
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["帮扶"]
    column = [c.value for c in sheet[1]].index("户次") + 1
    sheet.cell(2, column).value = int(sheet.cell(2, column).value or 0) + 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_report_up_file_named_for_another_county_warns(files, city, tmp_path):
    """Found by a user trial: a city importing the file named for 乙县 that in fact held 示例县's
    rows replaced 示例县's figures unwarned. The preview warns; the same file named for its own
    county does not."""
    data = _changed(files[(0, 2024)].read_bytes())  # 示例县 2024, already in the city's store
    names = set(store.query("regions", path=city)["name_zh"])
    store.clear_cache()
    assert {"示例县", "乙县"} <= names
    for name, warned in (("乙县_2024年_上报汇总.xlsx", True), ("示例县_2024年_上报汇总.xlsx", False)):
        prepared = importing.prepare(city, name, data)
        assert not prepared.batch.problems, [p.line() for p in prepared.batch.problems[:5]]
        assert prepared.candidate is not None
        snapshots.discard(prepared.candidate)
        store.clear_cache()
        if warned:
            assert len(prepared.warnings) == 1, prepared.warnings
            assert "写的是乙县" in prepared.warnings[0] and "将替换示例县 2024 年已有的数据" in prepared.warnings[0]
        else:
            assert prepared.warnings == []
