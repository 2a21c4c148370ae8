"""Interface text, Chinese first. Data names (townships, units) are never translated here."""
from __future__ import annotations

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("工会数据看板", "Union statistics dashboard"),
    "page_overview": ("总览", "Overview"),
    "demo_badge": ("示例数据", "Demo data"),
    "demo_notice": ("当前显示的是示例县的示例数据，不是真实统计。导入本县数据后此提示消失。",
                    "You are looking at demo data for a fictional county, not real statistics. "
                    "This notice disappears once your own data is imported."),
    "filters": ("筛选", "Filters"),
    "year": ("年度", "Year"),
    "regions": ("乡镇（街道、园区）", "Townships"),
    "industries": ("行业门类", "Industry sections"),
    "ownership_group": ("所有制", "Ownership"),
    "all": ("全部", "All"),
    "public": ("公有制", "Public"),
    "nonpublic": ("非公有制", "Non-public"),
    "language": ("语言 / Language", "Language / 语言"),
    "scope_all": ("全县", "Whole county"),
    "scope_line": ("范围：{scope}", "Scope: {scope}"),
    "vs_prev_year": ("较{year}年", "vs {year}"),
    "no_prev_year": ("无上年数据", "no previous year"),
    "target_line": ("目标 {value}", "target {value}"),
    "not_broken_down": ("帮扶与补助只按乡镇统计，选择行业或所有制后不显示。",
                        "Aid and subsidies are recorded per township only; they are not shown "
                        "under an industry or ownership filter."),
    "overview_headline": ("{year}年主要指标", "Headline indicators, {year}"),
    "trends": ("{start}—{end}年趋势", "Trends {start}–{end}"),
    "trend_coverage": ("建会率与入会率", "Unionization and membership"),
    "trend_members": ("会员人数与新增会员", "Members and new members"),
    "trend_arrears": ("追回欠薪", "Wage arrears recovered"),
    "trend_aid": ("困难帮扶", "Hardship aid"),
    "gaps_title": ("需要关注的乡镇", "Townships to watch"),
    "gaps_lowest": ("{indicator}最低的乡镇", "Lowest {indicator}"),
    "gaps_need_regions": ("至少需要两个乡镇才能比较。", "Select at least two townships to compare."),
    "no_data_scope": ("所选范围在{year}年没有数据。请放宽筛选条件，或到“数据管理”导入数据。",
                      "No data for the chosen scope in {year}. Widen the filters or import data."),
    "no_data_at_all": ("数据库里还没有任何数据。请运行 `python -m unionstats demo` 生成示例数据，或导入本县数据。",
                       "The database holds no data yet. Run `python -m unionstats demo` or import data."),
    "building_demo": ("首次启动：正在生成示例数据库…", "First start: building the demo database…"),
    "built_demo": ("示例数据库已生成。", "Demo database built."),
    "store_error_title": ("无法打开数据库", "Cannot open the database"),
    "year_basis_survey": ("年度口径：工会统计年度（上年10月1日至当年9月30日）",
                          "Year basis: ACFTU survey year (1 Oct of the previous year to 30 Sep)"),
    "year_basis_calendar": ("年度口径：自然年", "Year basis: calendar year"),
    "unit_person": ("人", "people"),
    "unit_yuan_wan": ("万元", "¥10k"),
    "rank": ("排名", "Rank"),
    "url_dropped": ("链接中的筛选条件无效，已忽略：{values}", "Invalid filters in the link were ignored: {values}"),
    "region": ("乡镇", "Township"),
    "value": ("数值", "Value"),
}


def t(key: str, lang: str = "zh", **fields) -> str:
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text
