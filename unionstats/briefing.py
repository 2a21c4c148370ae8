"""会议汇报: one briefing, three outputs. `build()` assembles the slides from the same queries the
pages use; `to_pptx()` writes a 16:9 deck with native, editable PowerPoint charts, `to_xlsx()` a
workbook of the tables, `to_html()` a self-contained report that opens offline."""
from __future__ import annotations

import html
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import aid, attainment, catalog, charts, comparison, exports, gaps, indicators, store
from . import format as fmt
from .i18n import t
from .names import region_names, scope_label
from .view import View

EA_FONT = "Microsoft YaHei"  # on every Chinese Windows; LibreOffice falls back to Noto Sans CJK
HEADLINE = ("unionization_rate", "membership_rate", "unions_new", "members_new",
            "arrears_recovered_yuan", "aid_yuan")
PPT_FORMAT = {"rate": '0.0%', "yuan": '#,##0"元"', "yuan_wan": '#,##0.0"万元"', "person": '#,##0"人"',
              "unit": '#,##0"家"', "household": '#,##0"户次"', "case": '#,##0"件"'}
# An English deck's charts carry no Chinese: ¥ and bare counts (the series name says what is counted).
PPT_FORMAT_EN = {**fmt.EXCEL_FORMAT_EN, "yuan_m": '"¥"#,##0.00" m"'}
WAN = 10_000


@dataclass
class Chart:
    kind: str                       # bar (horizontal), column, line
    categories: list
    series: list[tuple[str, list]]  # (name, values in store units: yuan, fractions for rates)
    unit: str
    codes: list[str] = field(default_factory=list)  # the indicator of each series, for checks
    lang: str = "zh"                # the deck's language: number formats and the money scale's words


@dataclass
class Slide:
    key: str
    title: str
    message: str
    kpis: list[dict] = field(default_factory=list)   # code, name, value, change, target
    chart: Chart | None = None
    table: pd.DataFrame | None = None
    notes: str = ""
    row_colors: list[str] | None = None  # text colour of each table row's last cell (the status)


def target_status(code: str, value, target, path: Path | None = None) -> str | None:
    """done / near / missed (已完成 / 接近 / 未完成) by the admin's rules, or None without both."""
    if fmt.is_missing(value) or fmt.is_missing(target):
        return None
    return attainment.attain(code, value, target, attainment.rules(path)).status


def _definitions(codes, view: View) -> str:
    colon = ": " if view.en else "："
    return "\n".join(f"{view.name(c)}{colon}{view.definition(c)}" for c in codes)


def _kpis(codes, history: pd.DataFrame, view: View, targets: dict[str, float], rule: attainment.Rules) -> list[dict]:
    """KPI cards: value; change against the latest earlier reported year (样本少 when small); the
    scope's own target with 完成率 and status."""
    out = []
    year = view.year
    now = history.loc[year]
    for code in codes:
        ind = catalog.get(code)
        value = now.get(code)
        moved = attainment.change(history, code, year, view.lang, rule)
        a = attainment.attain(code, value, targets[code], rule) if code in targets else None
        out.append({"code": code, "name": view.name(ind.code), "value": view.number(value, ind.unit),
                    "change": moved.text, "change_color": moved.color, "small": moved.small,
                    "change_base": attainment.base_text(year, moved.base, view.lang),
                    "status": a.status if a else None,
                    "status_label": attainment.status_label(a.status, view.lang) if a else "",
                    "target_text": attainment.describe(a, view.lang) if a else "",
                    "target_short": attainment.describe(a, view.lang, short=True) if a else "", "raw": value,
                    "target": targets.get(code)})
    return out


def data_as_of(year: int, path: Path | None = None) -> str:
    """The end of the briefing's year (30 September under the survey year basis), or the store's
    data_as_of when that is earlier (a year still being filled in): never a later year's date."""
    end = f"{year}-09-30" if store.setting("year_basis", "calendar", path=path) == "survey" else f"{year}-12-31"
    stored = store.setting("data_as_of", "", path=path) or ""
    return stored if stored[:10].count("-") == 2 and stored[:10] < end else end


def build(view: View, path: Path | None = None) -> list[Slide]:
    """The briefing's slides for the view's year and scope."""
    year, scope = view.year, view.scope
    now = indicators.summary(year, scope, path)
    rule = attainment.rules(path)
    targets = attainment.scope_targets(indicators.targets(year, path), scope)  # the scope's own only
    names = region_names(view.lang, path)
    county = store.setting("county_name_en" if view.en else "county_name_zh", "", path=path) or ""
    as_of = data_as_of(year, path)
    years = [y for y in indicators.years(path) if y <= year]
    history = indicators.table(scope, "county", tuple(years), path).set_index("year")
    slides = [Slide("title", view.t("brief_title", county=county, year=year),
                    view.t("brief_subtitle", as_of=as_of, scope=scope_label(scope, view.lang, path)))]


    def trend(codes, unit: str, kind: str = "line") -> Chart:
        # Missing years stay on the axis as gaps: a line never runs straight across them.
        shown, series = charts.every_year(years, [(view.name(c), list(history[c])) for c in codes])
        return Chart(kind, shown, series, unit, list(codes), view.lang)

    trend_codes = ("unionization_rate", "membership_rate")
    slides.append(Slide("headline", view.t("brief_headline", year=year),
                        view.t("brief_headline_msg", rate=view.number(now["unionization_rate"], "rate"),
                               unions=view.number(now["unions_new"], "unit"),
                               members=view.number(now["members_new"], "person"),
                               unions_n=view.bare(now["unions_new"], "unit"),
                               members_n=view.bare(now["members_new"], "person")),
                        kpis=_kpis(HEADLINE, history, view, targets, rule),
                        chart=trend(trend_codes, "rate"),
                        notes=_definitions(HEADLINE, view)))

    if targets:
        rows = attainment.attainments(now, targets, rule)
        counts = {status: sum(a.status == status for a in rows) for status in ("done", "near", "missed")}
        slides.append(Slide(
            "attainment", view.t("attainment_title"),
            view.t("brief_attainment_msg", n=len(rows), done=counts["done"], near=counts["near"],
                   not_done=counts["near"] + counts["missed"]),
            table=attainment.frame(rows, view.lang),
            row_colors=[attainment.COLORS.get(a.status, "#222222") for a in rows],
            notes=view.t("attainment_rules_note", ratio=view.number(rule.near_ratio, "rate"),
                         points=view.delta(rule.near_points, "rate").lstrip("+"))))

    by_region = indicators.table(scope, "region", (year,), path).dropna(subset=["unionization_rate"])
    by_region = by_region.sort_values("unionization_rate")
    lowest = attainment.reliable(by_region, "unionization_rate", rule).head(3)  # not a township of 3 units
    slides.append(Slide(
        "coverage", view.t("brief_coverage"),
        view.t("brief_coverage_msg", towns=view.join(names[k] for k in lowest["key"])),
        kpis=_kpis(("unionization_rate", "membership_rate", "congress_rate"), history, view, targets, rule),
        chart=Chart("bar", [names[k] for k in by_region["key"]],
                    [(view.name("unionization_rate"), list(by_region["unionization_rate"]))],
                    "rate", ["unionization_rate"], view.lang),
        notes=_definitions(("unionization_rate", "membership_rate", "congress_rate"), view)))

    g = gaps.summary(year, scope, gaps.DEFAULT_MIN_EMPLOYEES, path)
    top = gaps.uncovered_table(year, scope, gaps.DEFAULT_MIN_EMPLOYEES, view.lang, path, limit=gaps.BRIEF_LISTED)
    target = targets.get("unionization_rate")
    below = [names[k] for k, v in zip(by_region["key"], by_region["unionization_rate"])
             if target is not None and v < target]
    slides.append(Slide(
        "gaps", view.t("brief_gaps"),
        view.t("brief_gaps_msg", units=view.number(g["gap_units"], "unit"),
               units_n=view.bare(g["gap_units"], "unit"),
               employees=view.number(g["gap_employees"], "person"),
               rate_if=view.number(g["unionization_rate_if_joined"], "rate"))
        + (" " + view.t("brief_below_target", n=len(below), target=view.number(target, "rate"))
           if target is not None else ""),
        table=top, notes=view.t("brief_gaps_note")))

    rights_codes = ("labor_contract_rate", "collective_contract_rate", "compliance_rate")
    slides.append(Slide(
        "rights", view.t("brief_rights"),
        view.t("brief_rights_msg", inspected=view.number(now["units_inspected"], "unit"),
               rate=view.number(now["compliance_rate"], "rate"),
               helped=view.number(now["workers_helped_sign"], "person"),
               inspected_n=view.bare(now["units_inspected"], "unit"),
               helped_n=view.bare(now["workers_helped_sign"], "person")),
        kpis=_kpis(rights_codes, history, view, targets, rule),
        chart=trend(rights_codes, "rate"),
        notes=_definitions(rights_codes, view)))
    slides.append(Slide(
        "arrears", view.t("brief_arrears"),
        view.t("brief_arrears_msg", yuan=view.number(now["arrears_recovered_yuan"], "yuan"),
               workers=view.number(now["arrears_workers"], "person"),
               workers_n=view.bare(now["arrears_workers"], "person")),
        kpis=_kpis(("arrears_recovered_yuan", "arrears_workers", "arrears_cases"), history, view, targets, rule),
        chart=trend(("arrears_recovered_yuan",), "yuan", "column"),
        notes=_definitions(("arrears_recovered_yuan", "arrears_workers", "arrears_cases"), view)))
    aid_codes = ("aid_households", "aid_yuan", "model_worker_aid_yuan", "subsidy_yuan")
    if scope.is_region_only:
        programs = aid.by_program(view, path)
        slides.append(Slide(
            "aid", view.t("brief_aid"),
            view.t("brief_aid_msg", households=view.number(now["aid_households"], "household"),
                   yuan=view.number(now["aid_yuan"], "yuan"),
                   households_n=view.bare(now["aid_households"], "household")),
            kpis=_kpis(aid_codes, history, view, targets, rule),
            chart=Chart("bar", list(programs["name"]), [(view.name("aid_yuan"), list(programs["yuan"]))],
                        "yuan", ["aid_yuan"], view.lang),
            notes=_definitions(aid_codes, view)))
    plan = indicators.targets(year + 1, path)
    if not attainment.is_whole_county(scope):  # a township sees its own plan; other cuts have none
        own = scope.regions[0] if scope.regions and len(scope.regions) == 1 and scope.is_region_only else None
        plan = {key: value for key, value in plan.items() if own is not None and key[1] == own}
    table = pd.DataFrame([{view.t("col_indicator"): view.name(code) if code in catalog.BY_CODE else code,
                           view.t("region"): names.get(region, view.t("scope_all")),
                           view.t("col_target"): view.number(value, catalog.get(code).unit)
                           if code in catalog.BY_CODE else value}
                          for (code, region), value in plan.items()])
    slides.append(Slide("targets", view.t("brief_targets", year=year + 1),
                        view.t("brief_targets_msg", n=len(plan)) if plan else view.t("brief_no_targets", year=year + 1),
                        table=table if len(table) else None))
    return slides


# --- PowerPoint -------------------------------------------------------------------------------------

def _east_asian(run_or_font_element, size=None) -> None:
    """Set latin, East Asian and complex-script typefaces on one a:rPr / a:defRPr element."""
    from pptx.oxml.ns import qn
    rpr = run_or_font_element
    for tag in ("a:latin", "a:ea", "a:cs"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    for tag in ("a:latin", "a:ea", "a:cs"):
        element = rpr.makeelement(qn(tag), {"typeface": EA_FONT})
        rpr.append(element)


def _text(frame, lines: list[tuple]) -> None:
    """Fill a text frame: (text, size in pt, bold[, colour '#rrggbb']) per paragraph, fonts set on
    every run."""
    from pptx.dml.color import RGBColor
    from pptx.util import Pt
    frame.word_wrap = True
    for i, (text, size, bold, *color) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold
        if color and color[0]:
            run.font.color.rgb = RGBColor.from_string(color[0].lstrip("#"))
        _east_asian(run._r.get_or_add_rPr())


def _chart_data(number_format: str):
    """python-pptx chart data whose embedded workbook (PowerPoint's "Edit Data") stores every
    category and series name as text: XlsxWriter would otherwise turn "=…" into a formula and
    "http://…" into a link."""
    from pptx.chart.data import CategoryChartData
    from pptx.chart.xlsx import CategoryWorkbookWriter
    from xlsxwriter import Workbook

    class TextWorkbookWriter(CategoryWorkbookWriter):
        @contextmanager
        def _open_worksheet(self, xlsx_file):  # python-pptx 1.0.2's, with XlsxWriter's text options
            workbook = Workbook(xlsx_file, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
            yield workbook, workbook.add_worksheet()
            workbook.close()

    class TextChartData(CategoryChartData):
        @property
        def _workbook_writer(self):
            return TextWorkbookWriter(self)

    return TextChartData(number_format=number_format)


def _chart(slide, spec: Chart, left, top, width, height) -> None:
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Pt
    # Money in 万元 as on screen; LibreOffice and WPS do not all honour Excel's 0!.0, scaling trick,
    # so the chart's own data is in 万元 (its series name says so) and stays editable.
    # An English deck in ¥ million from ¥1 m up (as its pages' axes), its words in English.
    values = [v for _, series in spec.series for v in series]
    if spec.lang == "en":  # the pages' axis rule: ¥ million from ¥1 m up
        scale, word = fmt.axis_scale(spec.unit, values, "en")
        number_format, suffix = (PPT_FORMAT_EN["yuan_m"], f" ({word})") if scale > 1 else (PPT_FORMAT_EN[spec.unit], "")
    else:
        largest = max((abs(v) for v in values if not fmt.is_missing(v)), default=0)
        scale, number_format, suffix = (WAN, PPT_FORMAT["yuan_wan"], "（万元）") \
            if spec.unit == "yuan" and largest >= WAN else (1, PPT_FORMAT[spec.unit], "")
    data = _chart_data(number_format)
    data.categories = [str(c) for c in spec.categories]
    for name, values in spec.series:
        data.add_series(name + suffix, [None if fmt.is_missing(v) else float(v) / scale for v in values])
    kind = {"bar": XL_CHART_TYPE.BAR_CLUSTERED, "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
            "line": XL_CHART_TYPE.LINE_MARKERS}[spec.kind]
    chart = slide.shapes.add_chart(kind, left, top, width, height, data).chart
    chart.font.size = Pt(12)
    _east_asian(chart.font._rPr)  # township names on the axis are Chinese
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.has_data_labels = spec.kind != "line" or len(spec.categories) <= 12
    if plot.has_data_labels:
        plot.data_labels.number_format = number_format
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(10)
        _east_asian(plot.data_labels.font._rPr)
    chart.value_axis.tick_labels.number_format = number_format
    chart.value_axis.tick_labels.number_format_is_linked = False
    chart.value_axis.has_major_gridlines = True
    if spec.kind == "bar":
        chart.category_axis.reverse_order = True


def _shown(value) -> str:
    return fmt.fmt_count(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _is_number_column(frame: pd.DataFrame, column) -> bool:
    """Counts, or figures already formatted (1,046 / 68.0万元 / 75.0%): right-aligned."""
    values = [str(v) for v in frame[column].tolist() if str(v) != fmt.MISSING]
    return pd.api.types.is_numeric_dtype(frame[column]) or bool(values) and all(
        v[:1].isdigit() or v[:1] in "+-¥" for v in values)


def _table(slide, frame: pd.DataFrame, left, top, width, height, row_colors=None) -> None:
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Emu, Pt
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, left, top, width, height)
    table = shape.table
    texts = [[str(c) for c in frame.columns]] + [[_shown(v) for v in row] for row in frame.itertuples(index=False)]
    # Column widths from the longest text (CJK double), so names get room and numbers do not.
    needs = [max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in row[j]) for row in texts) + 2 for j in range(cols)]
    for j, need in enumerate(needs):
        table.columns[j].width = Emu(int(width * need / sum(needs)))
    # 11 pt fits about 2 × 12.1 in × 72 / 11 half-width characters across; shrink a wide table.
    size = 11 if sum(needs) <= 150 else max(8, int(11 * 150 / sum(needs)))
    numeric = [_is_number_column(frame, c) for c in frame.columns]
    for i, row in enumerate(texts):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            cell.text_frame.clear()
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.margin_left = cell.margin_right = Pt(4)
            cell.margin_top = cell.margin_bottom = Pt(2)
            color = row_colors[i - 1] if row_colors and i and j == cols - 1 else None  # the status cell
            _text(cell.text_frame, [(text, size + 1 if i == 0 else size, i == 0 or color is not None, color)])
            cell.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT if numeric[j] and i else \
                (PP_ALIGN.CENTER if i == 0 else PP_ALIGN.LEFT)


def to_pptx(slides: list[Slide]) -> bytes:
    from pptx import Presentation
    from pptx.util import Emu, Inches
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]
    for spec in slides:
        slide = deck.slides.add_slide(blank)
        if spec.key == "title":
            box = slide.shapes.add_textbox(Inches(0.8), Inches(2.4), Inches(11.7), Inches(2.6))
            _text(box.text_frame, [(spec.title, 40, True), (spec.message, 20, False)])
        else:
            box = slide.shapes.add_textbox(Inches(0.6), Inches(0.35), Inches(12.1), Inches(1.3))
            _text(box.text_frame, [(spec.title, 30, True), (spec.message, 16, False)])
            top = Inches(1.75)
            if spec.kpis:
                width = Emu(int(Inches(12.1) / len(spec.kpis)))
                for i, k in enumerate(spec.kpis):
                    card = slide.shapes.add_textbox(Inches(0.6) + width * i, top, width, Inches(1.4))
                    grey = attainment.COLORS["small"] if k["change_color"] == "off" else None
                    lines = [(k["name"], 13, False), (k["value"], 26, True),
                             (f"{k['change']} {k['change_base']}", 12, False, grey)]
                    if k["status"]:
                        color = attainment.COLORS[k["status"]]
                        lines += [(k["status_label"], 11, True, color), (k["target_short"], 10, False, color)]
                    _text(card.text_frame, lines)
                top = Inches(3.75) if any(k["status"] for k in spec.kpis) else Inches(3.3)
            if spec.chart is not None:
                _chart(slide, spec.chart, Inches(0.6), top, Inches(12.1), Inches(7.2) - top)
            elif spec.table is not None and len(spec.table):
                _table(slide, spec.table, Inches(0.6), top, Inches(12.1), Inches(0.4) * (len(spec.table) + 1),
                       spec.row_colors)
        if spec.notes:
            slide.notes_slide.notes_text_frame.text = spec.notes
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


# --- Excel and HTML ------------------------------------------------------------------------------------

def to_xlsx(view: View, path: Path | None = None) -> bytes:
    """One sheet per page's tables, Chinese headers, number formats, frozen header rows."""
    year, scope = view.year, view.scope

    def named(frame: pd.DataFrame, codes) -> pd.DataFrame:
        return frame.rename(columns={c: view.name(c) for c in codes})

    names = region_names(view.lang, path)
    codes = [ind.code for ind in catalog.INDICATORS]
    county = indicators.table(scope, "county", path=path)
    overview = named(county[["year", *codes]], codes).rename(columns={"year": view.t("year")})
    region = indicators.table(scope, "region", (year,), path)
    region.insert(0, view.t("region"), [names.get(k, k) for k in region["key"]])
    coverage = named(region.drop(columns=["year", "key"])[[view.t("region"), *codes]], codes)
    before = attainment.latest_earlier(indicators.years(path), year) or year - 1  # skip years with no data
    compare = comparison.compare(scope, before, year, path)
    compare.insert(0, view.t("col_indicator"), [view.name(c) for c in compare["code"]])
    sheets = {
        view.t("page_overview"): overview,
        view.t("page_coverage"): coverage,
        view.t("gaps_sheet", n=gaps.DEFAULT_MIN_EMPLOYEES):
            gaps.uncovered_table(year, scope, gaps.DEFAULT_MIN_EMPLOYEES, view.lang, path),
        view.t("page_compare"): compare.drop(columns=["verdict"]).rename(
            columns={"a": str(before), "b": str(year), "change": view.t("col_change"),
                     "relative": view.t("col_relative"), "code": view.t("col_code")}),
    }
    if scope.is_region_only:
        programs = aid.by_program(view, path)
        sheets[view.t("page_aid")] = pd.DataFrame({
            view.t("col_program"): programs["name"], view.t("col_households"): programs["households"],
            view.t("col_yuan"): programs["yuan"], view.t("col_code"): programs["program_code"]})
    formats = {view.name(c): ("0.0%" if catalog.get(c).is_rate else "#,##0") for c in codes}
    formats.update({view.t("col_households"): "#,##0", view.t("col_yuan"): "#,##0"})
    formats[view.t("col_relative")] = "0.0%"
    return exports.xlsx_bytes(sheets, formats)


def _html_table(frame: pd.DataFrame, row_colors=None) -> str:
    """A plain table, every cell escaped; the last cell of row i in row_colors[i] (the status)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = [f"<td>{html.escape(str(v))}</td>" for v in row]
        if row_colors:
            cells[-1] = f"<td style='color:{row_colors[i]};font-weight:bold'>{html.escape(str(row[-1]))}</td>"
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class='table'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def to_html(slides: list[Slide], lang: str = "zh") -> str:
    """A single file that opens offline: plotly.js inline, no external script, style or font.
    Targets and their status as on the pages: under each KPI, and as a line on the township bars."""
    import plotly.offline

    from . import charts
    targets = {k["code"]: k["target"] for spec in slides for k in spec.kpis if k.get("target") is not None}
    parts = []
    for spec in slides:
        parts.append(f"<section><h2>{html.escape(spec.title)}</h2><p class='msg'>{html.escape(spec.message)}</p>")
        if spec.kpis:
            parts.append("<div class='kpis'>" + "".join(
                f"<div class='kpi'><div>{html.escape(k['name'])}</div><b>{html.escape(k['value'])}</b>"
                f"<div>{html.escape(k['change'])} <small>{html.escape(k['change_base'])}</small></div>"
                + (f"<div class='status' style='color:{attainment.COLORS[k['status']]}'>"
                   f"<b>{html.escape(k['status_label'])}</b> {html.escape(k['target_text'])}</div>"
                   if k["status"] else "")
                + "</div>" for k in spec.kpis) + "</div>")
        if spec.chart is not None:
            c = spec.chart
            if c.kind == "bar":
                target = targets.get(c.codes[0]) if c.codes else None
                fig = charts.ranked_bars(c.categories, c.series[0][1], range(len(c.categories)), c.unit, "", lang,
                                         lines=[(t("target", lang), target)] if target is not None else ())
            else:
                fig = charts.trend(c.categories, c.series, c.unit, "", lang)
            parts.append(fig.to_html(full_html=False, include_plotlyjs=False))
        if spec.table is not None and len(spec.table):
            parts.append(_html_table(spec.table, spec.row_colors))
        parts.append("</section>")
    style = ("body{font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',sans-serif;max-width:1100px;"
             "margin:auto;padding:24px;color:#222}section{page-break-after:always;margin-bottom:48px}"
             ".msg{font-size:18px;color:#444}.kpis{display:flex;gap:12px;flex-wrap:wrap}"
             ".kpi{border:1px solid #ddd;border-radius:8px;padding:12px;min-width:150px}.kpi b{font-size:26px}"
             ".target{color:#555}.target.met{color:#1e8449}.target.missed{color:#c0392b}.target.near{color:#b9770e}"
             "table.table{border-collapse:collapse}table.table td,table.table th{border:1px solid #ddd;padding:4px 8px}")
    title = html.escape(slides[0].title) if slides else ""
    return (f"<!DOCTYPE html><html lang='{'en' if lang == 'en' else 'zh-CN'}'><head><meta charset='utf-8'>"
            f"<title>{title}</title><style>{style}</style>"
            f"<script type='text/javascript'>{plotly.offline.get_plotlyjs()}</script></head><body>"
            + "".join(parts) + "</body></html>")
