"""The workbook format staff fill in: one sheet per table, Chinese headers (English accepted),
each column's kind. The template writer and the importer both read this, so they cannot drift."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    kind: str  # text, credit, int, money, rate_or_number, rate, year, founded_year, region, industry, ownership,
    #            status, flag, program, indicator, rate_indicator, body, region_kind
    required: bool = True


@dataclass(frozen=True)
class Sheet:
    table: str       # the store table it loads
    zh: str          # sheet name in the template
    en: str
    columns: tuple[Column, ...]
    replaces: tuple[str, ...]   # an import replaces the store's rows for these keys
    unique: tuple[str, ...]     # fields that identify one row (duplicates are an error)
    ordered: tuple[tuple[str, str], ...] = ()  # (part, whole): part must not exceed whole
    note_zh: str = ""

    def headers(self) -> list[str]:
        return [c.zh for c in self.columns]


def _c(field, zh, en, kind, required=True):
    return Column(field, zh, en, kind, required)


YEAR = _c("year", "年度", "year", "year")
REGION = _c("region_code", "乡镇", "township", "region")
INDUSTRY = _c("industry_code", "行业门类", "industry", "industry")
OWNERSHIP = _c("ownership_code", "所有制", "ownership", "ownership")
# Totals without a breakdown: industry and ownership blank (or 全部) are stored as '' and count in
# every total, in no industry or ownership bar. Flows may be the county's own figure: township blank
# (or 全县) is stored as '' = the county as a whole.
ANY_INDUSTRY = _c("industry_code", "行业门类", "industry", "industry", required=False)
ANY_OWNERSHIP = _c("ownership_code", "所有制", "ownership", "ownership", required=False)
ANY_REGION = _c("region_code", "乡镇", "township", "region", required=False)
NOT_BROKEN_DOWN = ("全部", "全县", "all")


def _n(field, zh, en, kind="int"):
    """A count: may be left blank (stored as NULL, "not reported", never 0)."""
    return _c(field, zh, en, kind, required=False)

PEOPLE = (  # year-end people counts, the same in unit rows and township totals
    _n("employees", "职工人数", "employees"),
    _n("female_employees", "女职工人数", "female employees"),
    _n("migrant_workers", "农民工人数", "migrant workers"),
    _n("members", "会员人数", "members"),
    _n("female_members", "女会员人数", "female members"),
    _n("migrant_members", "农民工会员人数", "migrant members"),
    _n("members_joined", "本年新入会人数", "members joined"),
)
_STOCK_ORDER = (("female_employees", "employees"), ("migrant_workers", "employees"), ("members", "employees"),
                ("female_members", "members"), ("female_members", "female_employees"),
                ("migrant_members", "members"), ("migrant_members", "migrant_workers"),
                ("members_joined", "members"), ("employees_contracted", "employees"))

SHEETS: tuple[Sheet, ...] = (
    Sheet("regions", "乡镇", "townships", (
        _c("code", "乡镇代码", "code", "text"),
        _c("name_zh", "乡镇名称", "name", "text"),
        _c("name_en", "英文名称", "english name", "text", required=False),
        _c("kind", "类型", "kind", "region_kind"),
    ), replaces=(), unique=("code",),
        note_zh="本县的乡镇、街道、园区。代码自定（字母或数字），一经使用请勿更改。"),
    Sheet("unit_year", "单位", "units", (
        YEAR,
        _c("name", "单位名称", "employer", "text"),
        _c("credit_code", "统一社会信用代码", "credit code", "credit", required=False),
        REGION, INDUSTRY, OWNERSHIP,
        *PEOPLE,
        _c("union_status", "建会情况", "union status", "status"),
        _c("union_founded_year", "建会年份", "union founded", "founded_year", required=False),
        _c("has_congress", "建立职代会", "workers congress", "flag"),
        _c("has_openness", "实行厂务公开", "open management", "flag"),
        _c("has_collective_contract", "签订集体合同", "collective contract", "flag"),
        _c("has_wage_agreement", "签订工资专项集体合同", "wage agreement", "flag"),
        _n("employees_contracted", "签订劳动合同人数", "employees with contract"),
    ), replaces=("year", "region_code"), unique=("year", "region_code", "name"), ordered=_STOCK_ORDER,
        note_zh="有单位名册的乡镇：每家单位每年一行，年末数。建会情况填“未建会”“独立建会”或“联合工会”。"),
    Sheet("region_year", "乡镇汇总", "township totals", (
        YEAR, ANY_REGION, ANY_INDUSTRY, ANY_OWNERSHIP,
        _n("units", "单位数", "units"),
        _n("units_unionized", "已建会单位数", "unionized units"),
        _n("unions_new", "本年新建工会数", "new unions"),
        *PEOPLE,
        _n("units_congress", "建立职代会单位数", "units with congress"),
        _n("units_openness", "实行厂务公开单位数", "units with openness"),
        _n("units_collective_contract", "签订集体合同单位数", "units with collective contract"),
        _n("units_wage_agreement", "签订工资专项集体合同单位数", "units with wage agreement"),
        _n("employees_contracted", "签订劳动合同人数", "employees with contract"),
    ), replaces=("year", "region_code"), unique=("year", "region_code", "industry_code", "ownership_code"),
        ordered=_STOCK_ORDER + (("units_unionized", "units"), ("unions_new", "units_unionized"),
                                ("units_congress", "units_unionized"), ("units_openness", "units_unionized"),
                                ("units_collective_contract", "units_unionized"),
                                ("units_wage_agreement", "units_unionized")),
        note_zh="没有单位名册的乡镇：按行业、所有制填汇总数；只有合计数时行业、所有制留空（或填“全部”）；只有全县合计（如工作总结中的数）时乡镇也留空（或填“全县”）。没有公布的数留空，不要填 0。同一乡镇同一年不能既填“单位”又填“乡镇汇总”。"),
    Sheet("inspections", "合同检查", "inspections", (
        YEAR, ANY_REGION, ANY_INDUSTRY, ANY_OWNERSHIP,
        _n("units_inspected", "检查单位数", "units inspected"),
        _n("units_compliant", "履约良好单位数", "units compliant"),
        _n("workers_helped_sign", "指导签订劳动合同人数", "workers helped to sign"),
    ), replaces=("year", "region_code"), unique=("year", "region_code", "industry_code", "ownership_code"),
        ordered=(("units_compliant", "units_inspected"),), note_zh="全年劳动合同、集体合同检查情况。"),
    Sheet("arrears", "欠薪", "wage arrears", (
        YEAR, ANY_REGION, ANY_INDUSTRY, ANY_OWNERSHIP,
        _n("cases", "案件数", "cases"),
        _n("workers", "涉及职工人数", "workers"),
        _n("migrant_workers", "其中农民工人数", "migrant workers"),
        _n("yuan_recovered", "追回金额（元）", "yuan recovered", "money"),
    ), replaces=("year", "region_code"), unique=("year", "region_code", "industry_code", "ownership_code"),
        ordered=(("migrant_workers", "workers"),), note_zh="全年协调解决的拖欠工资。金额可写 680000 或 68万元。只有全县合计时乡镇留空（或填“全县”）。"),
    Sheet("aid", "帮扶", "aid", (
        YEAR, ANY_REGION,
        _c("program_code", "帮扶项目", "program", "program"),
        _n("households", "户次", "households"),
        _n("persons", "人数", "persons"),
        _n("yuan", "金额（元）", "yuan", "money"),
    ), replaces=("year", "region_code"), unique=("year", "region_code", "program_code"),
        note_zh="困难帮扶填户次；劳模慰问填人数。不填个人姓名、身份证号、电话。"),
    Sheet("subsidies", "补助", "subsidies", (
        YEAR, ANY_REGION,
        _n("unions_supported", "补助基层工会数", "unions supported"),
        _n("yuan", "补助金额（元）", "yuan", "money"),
    ), replaces=("year", "region_code"), unique=("year", "region_code"),
        note_zh="拨付基层工会的补助（职工之家建设等）。"),
    Sheet("targets", "目标", "targets", (
        YEAR,
        _c("indicator", "指标", "indicator", "indicator"),
        _c("region_code", "乡镇", "township", "region", required=False),
        _c("value", "目标值", "target", "rate_or_number"),
    ), replaces=(), unique=("year", "indicator", "region_code"),
        note_zh="工作计划的目标。乡镇留空表示全县。比率写 75% 或 0.75。"),
    Sheet("reference_figures", "参考数据", "reference figures", (
        YEAR,
        _c("body", "参照对象", "body", "body"),
        _c("indicator", "指标", "indicator", "rate_indicator"),
        _c("value", "数值", "value", "rate"),
        _c("source", "来源", "source", "text"),
    ), replaces=(), unique=("year", "body", "indicator"),
        note_zh="全市、全省、全国或国际劳工组织（ILO）公布的比率，在趋势图和年度对比中作对照，不计入本县任何数字。"
                "参照对象填 全市、全省、全国 或 ILO；只收比率指标（建会率、入会率等），写 80.1% 或 0.801；请写明来源"
                "（如“省总工会2024年统计公报”）。同一年度、对象、指标再次导入时替换原值。"),
)

BY_TABLE = {s.table: s for s in SHEETS}
INSTRUCTIONS_ZH = "填表说明"
LISTS_SHEET = "代码表"
REFERENCE_SHEET = "上年数据（只读）"  # a township workbook's last-year figures: never imported
# A row whose name holds one of these (anywhere, spaces aside) is a total, checked and dropped.
TOTAL_WORDS = ("合计", "总计", "小计")
TOTAL_WORDS_EN = ("total", "subtotal", "grandtotal", "total:", "subtotal:")  # the whole cell, never part of a name
# Whose published rate a reference figure is: a fixed list (the store checks it too); the first word
# of each is how the template writes it, display names are in i18n (body_city, ...).
REFERENCE_BODIES = {"city": ("全市", "本市", "市", "city"),
                    "province": ("全省", "本省", "省", "province"),
                    "nation": ("全国", "国家", "national", "nation", "china"),
                    "ilo": ("ILO", "国际劳工组织", "International Labour Organization")}
STATUS_WORDS = {"none": ("未建会", "无", "否", "none", "no"),
                "own": ("独立建会", "已建会", "单独建会", "own"),
                "joint": ("联合工会", "联合基层工会", "joint")}
FLAG_WORDS = {True: ("是", "有", "y", "yes", "1", "√", "true"), False: ("否", "无", "n", "no", "0", "×", "false")}
REGION_KINDS = ("乡", "镇", "街道", "园区", "县", "区", "市")  # what the store keeps (queries/schema.sql checks it)
COUNTY_KINDS = ("县", "区", "市")  # a city federation's regions: counties, each from its report-up file
# Kinds people write, each filed under the store's kind it belongs to. The kind only labels a
# township (no figure depends on it), so a file's 开发区 is kept as 园区 rather than refused.
REGION_KIND_WORDS = {**{k: k for k in REGION_KINDS},
                     "乡镇": "镇", "民族乡": "乡", "苏木": "乡", "农场": "乡", "林场": "乡", "牧场": "乡",
                     "社区": "街道", "办事处": "街道", "街道办事处": "街道",
                     "开发区": "园区", "经济开发区": "园区", "高新区": "园区", "工业园": "园区", "工业园区": "园区",
                     "产业园": "园区", "产业园区": "园区", "管委会": "园区", "新区": "园区",
                     "县级市": "市", "自治县": "县", "旗": "县", "自治旗": "县", "市辖区": "区", "城区": "区"}
# The one-page summary a report-up file carries for the chairman to sign (unionstats/reportup.py):
# read by people, skipped by the importer (the figures it shows come from the sheets beside it).
SUMMARY_SHEET = "上报汇总表"
