"""汇报材料: the briefing as the Word report a county hands in. One paragraph per work area in the
register of a 工作总结, filled from the same figures as the pages (format.py), from sentence
templates in i18n (one per area and language, never assembled word by word); the key tables as
real Word tables; charts as PNG pictures drawn by plotly + kaleido in the system Chromium.

Fonts follow 党政机关公文格式 (GB/T 9704): body 仿宋, headings 黑体, tables 宋体, each set as
w:eastAsia on every run so Word and WPS on Chinese Windows pick them (LibreOffice falls back to Noto)."""
from __future__ import annotations

import io
import logging
import threading
from pathlib import Path

import pandas as pd

from . import aid, briefing, catalog, gaps, indicators, store
from . import format as fmt
from .view import View
from .names import region_names, scope_label

log = logging.getLogger(__name__)

LATIN = "Times New Roman"
BODY, HEADING, TABLE = "仿宋", "黑体", "宋体"
KEY_CODES = ("unions_new", "members_new", "unionization_rate", "membership_rate", "congress_rate",
             "units_inspected", "compliance_rate", "workers_helped_sign", "labor_contract_rate",
             "collective_contract_rate", "arrears_recovered_yuan", "aid_households", "aid_yuan")
# --- sentences -------------------------------------------------------------------------------------

def _versus(code: str, now: dict, before: dict, targets: dict, view: View, path: Path | None) -> str:
    """The clause after a figure: change on last year, then the target and how far it was met."""
    year = view.year
    ind = catalog.get(code)
    value, old, target = now.get(code), before.get(code), targets.get((code, ""))
    out = ""
    if not fmt.is_missing(value) and not fmt.is_missing(old):
        change = float(value) - float(old)
        if fmt.is_negligible(change, ind.unit):
            out += view.t("rep_flat", prev=year - 1)
        else:
            key = ("rep_up" if change > 0 else "rep_down") + ("_rate" if ind.is_rate else "")
            delta = view.delta(abs(change), ind.unit).lstrip("+")
            out += view.t(key, delta=delta if ind.is_rate or not view.en else view.bare(abs(change), ind.unit),
                          prev=year - 1)
    status = briefing.target_status(code, value, target, path)
    if status is not None:
        if ind.is_rate:
            out += view.t("rep_target_rate", target=view.number(target, ind.unit),
                          status=view.t(f"status_{status}"))
        else:
            out += view.t("rep_target_count", pct=f"{float(value) / float(target) * 100:.0f}%",
                          target=view.bare(target, ind.unit))
    return out


def _fields(codes, now: dict, before: dict, targets: dict, view: View, path: Path | None) -> dict:
    """{code}: figure with unit, {code_n}: figure for an English noun phrase, {code_vs}: clause."""
    out = {}
    for code in codes:
        unit = catalog.get(code).unit
        out[code] = view.number(now.get(code), unit)
        out[f"{code}_n"] = view.bare(now.get(code), unit)
        out[f"{code}_vs"] = _versus(code, now, before, targets, view, path)
    return out


# --- Word helpers --------------------------------------------------------------------------------

def _fonts(rpr, east_asian: str, latin: str = LATIN) -> None:
    """Explicit fonts on a w:rPr (style or run); theme fonts removed, or they would win."""
    from docx.oxml.ns import qn
    fonts = rpr.get_or_add_rFonts()  # in schema order (after w:rStyle): Word rejects it elsewhere
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asian), ("w:cs", latin)):
        fonts.set(qn(attr), name)


def _run(paragraph, text: str, font: str = BODY, size: float | None = None, bold: bool = False):
    from docx.shared import Pt
    run = paragraph.add_run(text)
    _fonts(run._r.get_or_add_rPr(), font)
    if size:
        run.font.size = Pt(size)
    run.bold = bold or None
    return run


def _styles(document) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt, RGBColor
    for name, font, size in (("Normal", BODY, 16), ("Title", HEADING, 22), ("Heading 1", HEADING, 16),
                             ("Heading 2", HEADING, 14), ("Caption", HEADING, 12)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = False
        style.font.italic = False
        _fonts(style.element.get_or_add_rPr(), font)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE if name == "Normal" else None
    # Word's Title style draws a blue rule under the title: not in a 汇报材料.
    ppr = document.styles["Title"].element.pPr
    if ppr is not None:
        for border in ppr.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr"):
            ppr.remove(border)


def _heading(document, text: str, level: int = 1) -> None:
    paragraph = document.add_paragraph(style=f"Heading {level}")
    _run(paragraph, text, HEADING)


def _body(document, text: str) -> None:
    from docx.shared import Pt
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters of 三号
    _run(paragraph, text)


def _caption(document, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    paragraph = document.add_paragraph(style="Caption")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, HEADING, 12)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _table(document, frame: pd.DataFrame, numeric: set[str], text_width_cm: float) -> None:
    """A real Word table: header row repeated on each page, numbers right-aligned, column widths
    from the longest text in each column, scaled to the text width."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm
    table = document.add_table(rows=len(frame) + 1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    cells = [[str(c) for c in frame.columns]] + [[str(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max(_display_width(row[j]) for row in cells) + 2 for j in range(len(frame.columns))]
    scale = text_width_cm / sum(widths)
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))
    for i, row in enumerate(cells):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            cell.width = Cm(widths[j] * scale)
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.first_line_indent = None
            paragraph.paragraph_format.line_spacing = 1.0
            if i == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif frame.columns[j] in numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, text, HEADING if i == 0 else TABLE, 10.5)
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths):
        column.set(qn("w:w"), str(int(Cm(width * scale).twips)))
    document.add_paragraph()


_browser = threading.Lock()  # one kaleido browser per process: two downloads at once take turns


def chart_images(figures: list) -> tuple[list[bytes], str]:
    """PNG bytes per plotly figure, drawn by kaleido in the system Chromium; ([], reason) when that
    cannot run here (no Chromium on an office PC): the report is still written, without pictures."""
    with _browser:
        return _draw(figures)


def _draw(figures: list) -> tuple[list[bytes], str]:
    try:
        import warnings

        import kaleido
        import plotly.io as pio
        kaleido.start_sync_server(silence_warnings=True)  # one browser for all charts
        try:
            with warnings.catch_warnings():  # "kopts ignored with a server": we pass none
                warnings.simplefilter("ignore", UserWarning)
                return [pio.to_image(fig, format="png", width=800, height=fig.layout.height or 420, scale=2)
                        for fig in figures], ""
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
    except Exception as error:  # noqa: BLE001 -- any failure means: no pictures, say why
        log.warning("chart images not drawn: %s", error)
        return [], str(error).splitlines()[0][:200] if str(error) else type(error).__name__


# --- the report ---------------------------------------------------------------------------------------

def to_docx(view: View, path: Path | None = None) -> bytes:
    """The 汇报材料 for the view's year and scope as .docx bytes."""
    year, scope = view.year, view.scope
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    from . import charts
    slides = {s.key: s for s in briefing.build(view, path)}
    now = indicators.summary(year, scope, path)
    before = indicators.summary(year - 1, scope, path) if year - 1 in indicators.years(path) else {}
    targets = indicators.targets(year, path)
    names = region_names(view.lang, path)
    county = store.setting("county_name_en" if view.en else "county_name_zh", "", path=path) or ""
    basis = view.t("year_basis_survey" if store.setting("year_basis", path=path) == "survey" else "year_basis_calendar")

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    text_width = 21 - 2.8 - 2.6 - 0.2
    _styles(document)

    title = document.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, view.t("brief_title", county=county, year=year), HEADING, 22)
    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(meta, view.t("rep_meta", scope=scope_label(scope, view.lang, path), as_of=briefing.data_as_of(year, path),
                      basis=basis), BODY, 12)
    _body(document, view.t("rep_intro", county=county or scope_label(scope, view.lang, path), year=year))

    figures, captions, tables = [], [], 0

    def caption_table(title_text: str) -> None:
        nonlocal tables
        tables += 1
        _caption(document, view.t("rep_tab", n=tables, title=title_text))

    # Key indicators: last year, this year, change, target, status.
    rows = []
    for code in KEY_CODES:
        ind = catalog.get(code)
        value, old, target = now.get(code), before.get(code), targets.get((code, ""))
        change = None if fmt.is_missing(value) or fmt.is_missing(old) else float(value) - float(old)
        status = briefing.target_status(code, value, target, path)
        rows.append({view.t("col_indicator"): view.name(ind.code),
                     view.t("col_value_a", year=year - 1): view.number(old, ind.unit),
                     view.t("col_value_b", year=year): view.number(value, ind.unit),
                     view.t("col_change"): view.delta(change, ind.unit),
                     view.t("col_target"): view.number(target, ind.unit),
                     view.t("col_status"): view.t(f"status_{status}") if status else fmt.MISSING})
    key = pd.DataFrame(rows)
    caption_table(view.t("rep_h_key"))
    _table(document, key, set(key.columns[1:5]), text_width)

    # 一、组织建设
    _heading(document, view.t("rep_h_coverage"))
    coverage_codes = ("unions_new", "members_new", "units_unionized", "unionization_rate", "members",
                      "membership_rate", "congress_rate")
    _body(document, view.t("rep_p_coverage", **_fields(coverage_codes, now, before, targets, view, path)))
    years = indicators.years(path)
    headline = slides["headline"].chart
    figures.append(charts.trend(headline.categories, headline.series, headline.unit, "", lang=view.lang, height=420))
    captions.append(view.t("rep_fig_trend", n=1, year=min(y for y in years if y <= year)))
    by_region = indicators.table(scope, "region", (year,), path).sort_values("unionization_rate")
    region_rows = pd.DataFrame({
        view.t("region"): [names.get(k, k) for k in by_region["key"]],
        view.t("col_units"): [fmt.fmt_count(v) for v in by_region["units"]],
        view.name("units_unionized"): [fmt.fmt_count(v) for v in by_region["units_unionized"]],
        view.name("unionization_rate"): [view.number(v, "rate")
                                         for v in by_region["unionization_rate"]],
        view.name("membership_rate"): [view.number(v, "rate")
                                       for v in by_region["membership_rate"]]})
    coverage = slides["coverage"].chart
    target = targets.get(("unionization_rate", ""))
    figures.append(charts.ranked_bars(coverage.categories, coverage.series[0][1], range(len(coverage.categories)),
                                      "rate", "", lang=view.lang, lines=[(view.t("target"), target)] if target else (),
                                      height=max(360, 60 + 30 * len(coverage.categories))))
    captions.append(view.t("rep_fig_coverage", n=2, year=year))

    # 二、空白点
    g = gaps.summary(year, scope, gaps.DEFAULT_MIN_EMPLOYEES, path)
    lowest = [names.get(k, k) for k in by_region.dropna(subset=["unionization_rate"])["key"].head(3)]
    gap_fields = {"gap_units": view.number(g["gap_units"], "unit"),
                  "gap_units_n": view.bare(g["gap_units"], "unit"),
                  "gap_employees": view.number(g["gap_employees"], "person"),
                  "gap_employees_n": view.bare(g["gap_employees"], "person"),
                  "rate_if": view.number(g["unionization_rate_if_joined"], "rate"),
                  "towns": view.join(lowest) or fmt.MISSING}

    # 三、维权 and 四、帮扶
    rights_codes = ("units_inspected", "compliance_rate", "workers_helped_sign", "labor_contract_rate",
                    "collective_contract_rate", "arrears_recovered_yuan", "arrears_workers")
    aid_codes = ("aid_households", "aid_yuan", "model_worker_aid_yuan", "subsidy_yuan")
    arrears = slides["arrears"].chart
    figures.append(charts.trend(arrears.categories, arrears.series, arrears.unit, "", lang=view.lang, height=380))
    captions.append(view.t("rep_fig_arrears", n=3))
    images, reason = chart_images(figures)

    def picture(i: int) -> None:
        if i < len(images):
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run().add_picture(io.BytesIO(images[i]), width=Cm(text_width))
            _caption(document, captions[i])

    if not images:
        _body(document, view.t("rep_no_charts", reason=reason))
    picture(0)
    caption_table(view.t("rep_tab_regions", year=year))
    _table(document, region_rows, set(region_rows.columns[1:]), text_width)
    picture(1)

    _heading(document, view.t("rep_h_gaps"))
    _body(document, view.t("rep_p_gaps", **gap_fields))
    top = slides["gaps"].table
    if top is not None and len(top):
        caption_table(view.t("rep_tab_gaps", n=len(top)))
        numeric = {view.t("col_employees"), view.t("col_migrant")}
        shown = top.assign(**{c: [fmt.fmt_count(v) for v in top[c]] for c in numeric if c in top})
        _table(document, shown, numeric, text_width)

    _heading(document, view.t("rep_h_rights"))
    _body(document, view.t("rep_p_rights", **_fields(rights_codes, now, before, targets, view, path)))
    picture(2)

    number = 4
    if scope.is_region_only:
        _heading(document, view.t("rep_h_aid"))
        _body(document, view.t("rep_p_aid", **_fields(aid_codes, now, before, targets, view, path)))
        programs = aid.by_program(view, path).sort_values("yuan", ascending=False)
        frame = pd.DataFrame({view.t("col_program"): programs["name"],
                              view.t("col_households"): [fmt.fmt_count(v) for v in programs["households"]],
                              view.t("col_yuan"): [fmt.fmt_count(v) for v in programs["yuan"]]})
        caption_table(view.t("brief_aid"))
        _table(document, frame, set(frame.columns[1:]), text_width)
        number = 5

    plan = slides["targets"]
    heading = view.t("rep_h_plan", year=year + 1)
    if number == 4:  # no aid section for an industry or ownership scope: renumber
        heading = heading.replace("五、", "四、").replace("5.", "4.")
    _heading(document, heading)
    _body(document, plan.message)
    if plan.table is not None and len(plan.table):
        caption_table(plan.title)
        _table(document, plan.table, {view.t("col_target")}, text_width)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
