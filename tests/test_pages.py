"""Every page in AppTest with filters from the URL; URL round trip; the compare page against an
independent computation; English mode shows no Chinese interface text (issue #4)."""
from __future__ import annotations

import json
import re

import pytest

import independent
from conftest import each_section, open_page
from unionstats import catalog, indicators
from unionstats.format import fmt_delta, fmt_number
from unionstats.i18n import t
from unionstats.indicators import Scope

PAGES = ("pages/overview.py", "pages/coverage.py", "pages/rights.py", "pages/aid.py", "pages/compare.py")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def shown_metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_metrics(labels, year: int, scope: Scope, lang: str = "zh") -> dict[str, str]:
    values = indicators.summary(year, scope)
    by_name = {ind.name(lang): ind for ind in catalog.INDICATORS}
    return {label: fmt_number(values[by_name[label].code], by_name[label].unit, lang) for label in labels}


@pytest.mark.parametrize("page", PAGES)
def test_each_page_with_url_filters(demo_db, page):
    at = open_page(page, year="2022", region="chengguan,hedong")
    assert not at.exception, at.exception
    scope = Scope(regions=("chengguan", "hedong"))
    for shown in each_section(at):  # 维权, 困难帮扶: every tab
        charts = shown.get("plotly_chart")
        assert charts, "no chart"
        for chart in charts:
            assert json.loads(chart.proto.spec)["data"], "empty chart"
        metrics = shown_metrics(shown)
        assert metrics == expected_metrics(metrics, 2022, scope)
        if page != "pages/compare.py":
            assert metrics, "no KPI"


@pytest.mark.parametrize("page", PAGES)
def test_each_page_with_ownership_and_industry_filters(demo_db, page):
    at = open_page(page, year="2024", ownership="nonpublic", industry="C,E")
    assert not at.exception, at.exception
    scope = Scope(industries=("C", "E"), ownership_group="nonpublic")
    for shown in each_section(at):
        metrics = shown_metrics(shown)
        assert metrics == expected_metrics(metrics, 2024, scope)


def test_filters_survive_switching_pages(demo_db):
    at = open_page("pages/overview.py", year="2020", region="nanshan", ownership="public")
    at.switch_page("pages/rights.py").run()
    assert not at.exception
    assert dict(at.query_params) == {"year": "2020", "region": "nanshan", "ownership": "public"}
    scope = Scope(regions=("nanshan",), ownership_group="public")
    metrics = shown_metrics(at)
    assert metrics and metrics == expected_metrics(metrics, 2020, scope)
    at.switch_page("pages/overview.py").run()
    assert dict(at.query_params) == {"year": "2020", "region": "nanshan", "ownership": "public"}
    assert shown_metrics(at) == expected_metrics(shown_metrics(at), 2020, scope)


def test_compare_page_equals_independent_computation(demo_db):
    at = open_page("pages/compare.py", year="2024")
    at.selectbox(key="compare_year_a").set_value(2019).run()
    assert not at.exception
    table = at.dataframe[0].value
    if hasattr(table, "data"):  # a Styler
        table = table.data
    raw = independent.raw(demo_db)
    want = independent.expected(raw, ["year"], True)
    assert len(table) == len(catalog.INDICATORS)
    for ind, (_, row) in zip(catalog.INDICATORS, table.iterrows()):
        assert row["指标"] == ind.name_zh
        a, b = want.loc[2019, ind.code], want.loc[2024, ind.code]
        assert row["2019年"] == fmt_number(a, ind.unit), ind.code
        assert row["2024年"] == fmt_number(b, ind.unit), ind.code
        assert row["变化"] == fmt_delta(b - a, ind.unit), ind.code
        if not ind.is_rate and a:
            assert row["变化率"] == f"{(b - a) / abs(a) * 100:+.1f}%".replace("+0.0%", "±0.0%"), ind.code


def test_compare_same_year_is_refused_kindly(demo_db):
    at = open_page("pages/compare.py", year="2024")
    at.selectbox(key="compare_year_a").set_value(2024).run()
    assert not at.exception
    assert any("两个不同的年度" in w.value for w in at.warning)


def test_aid_page_explains_itself_under_an_industry_filter(demo_db):
    at = open_page("pages/aid.py", industry="C")
    assert not at.exception
    assert any("只按乡镇统计" in i.value for i in at.info)


def _interface_texts(at) -> list[str]:
    """Every piece of interface text a page rendered, minus data (table cells, unit names)."""
    texts = []
    sources = t("ref_sources", "en", sources="")  # then the sources of reference figures, as staff typed them
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        # Block quotes carry meeting notes as staff entered them: data, not interface.
        texts += [e.value[:len(sources)] if e.value.startswith(sources) else e.value for e in getattr(at, kind)
                  if not (kind == "markdown" and e.value.startswith("> "))]
    texts += [tab.label for tab in at.tabs]
    texts += [m.label for m in at.metric] + [m.value for m in at.metric]
    texts += [m.delta or "" for m in at.metric]
    for widget in (*at.selectbox, *at.multiselect, *at.number_input, *at.button, *at.get("segmented_control")):
        label = getattr(widget, "label", None) or widget.proto.label
        if label != "Language / 语言":  # the switch back to Chinese must stay readable in Chinese
            texts.append(label)
    for sb in at.selectbox:
        if sb.key != "f_lang":
            texts += [str(o) for o in sb.options]
    for frame in at.dataframe:
        value = frame.value.data if hasattr(frame.value, "data") else frame.value
        texts += [str(c) for c in value.columns]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        layout = spec.get("layout", {})
        texts.append(str(layout.get("title", {}).get("text", "")))
        for axis in ("xaxis", "yaxis"):
            texts.append(str(layout.get(axis, {}).get("title", {}).get("text", "")))
        texts += [str(a.get("text", "")) for a in layout.get("annotations", [])]
        for trace in spec["data"]:
            texts.append(str(trace.get("name", "")))
            if trace.get("meta") == "reference":  # the hover names the source, as staff typed it
                texts += [str(v).split(" (source: ")[0] for v in trace.get("customdata") or []]
                continue
            texts += [str(v) for v in (trace.get("customdata") or []) if not isinstance(v, list)]
            texts += [str(v[1]) for v in (trace.get("customdata") or []) if isinstance(v, list)]
            if trace.get("orientation") == "h" or trace.get("type") == "heatmap":
                texts += [str(v) for v in (trace.get("y") or []) if v is not None]
    for button in at.get("download_button"):
        texts.append(button.proto.label)
    for box in at.text_input:
        texts.append(box.label)
    return texts


@pytest.mark.parametrize("page", (*PAGES, "pages/data.py", "pages/glossary.py", "pages/briefing.py"))
def test_english_mode_has_no_chinese_interface_text(demo_db, page):
    at = open_page(page, lang="en", year="2024")
    assert not at.exception
    texts = [text for shown in each_section(at) for text in _interface_texts(shown)]
    assert len(texts) > 10
    chinese = sorted({x for x in texts if CJK.search(x)})
    assert chinese == []


def test_the_text_walk_does_see_chinese_in_chinese_mode(demo_db):
    """Guards the English test above: the same walk finds Chinese when the page is in Chinese."""
    at = open_page("pages/coverage.py", year="2024")
    texts = _interface_texts(at)
    assert any(CJK.search(x) for x in texts)
    assert "各乡镇建会率" in texts and "单位名称" in texts


def test_compare_rank_moves_put_the_best_first(demo_db):
    """Rank 1 is the highest 建会率, worked out by hand from the raw tables; moved = climbed places."""
    want = independent.expected(independent.raw(demo_db), ["year", "region_code"], True)["unionization_rate"]

    def ranks(year):
        values = want.loc[year].dropna()
        return {k: 1 + sum(v > mine for v in values) for k, mine in values.items()}

    before, after = ranks(2019), ranks(2024)
    at = open_page("pages/compare.py", year="2024")
    at.selectbox(key="compare_year_a").set_value(2019).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "名次变化" in d.value.columns)
    from unionstats import store
    codes = store.query("regions", path=demo_db).set_index("name_zh")["code"]
    assert len(table) == len(after)
    for _, row in table.iterrows():
        code = codes[row["乡镇"]]
        assert row["2019年排名"] == before[code] and row["2024年排名"] == after[code], code
        assert row["名次变化"] == fmt_signed(before[code] - after[code]), code
    assert list(table["2024年排名"]) == sorted(after.values())  # best first


def fmt_signed(n: int) -> str:
    from unionstats.format import fmt_signed_int
    return fmt_signed_int(n)


@pytest.mark.parametrize("page", ["pages/townships.py", "pages/compare.py", "pages/overview.py", "pages/coverage.py"])
def test_missing_cells_read_as_a_dash_not_none(page):
    """In the first year there is no earlier one: 名次变化 and 变化 are empty, and an empty cell
    reads — as everywhere else in the product, not Streamlit's default "None"."""
    at = open_page(page, year="2016" if page == "pages/compare.py" else "2015")  # compare needs a year before
    tables = at.dataframe
    assert tables
    assert [d.proto.placeholder for d in tables] == ["—"] * len(tables)
    if page == "pages/townships.py":
        league = tables[0].value
        assert league["名次变化"].isna().all()  # what the dash stands for here
