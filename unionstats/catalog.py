"""The indicator catalog: one definition per code. Codes are a contract (CLI, tests, exports).

Rates are computed in SQL (queries/indicators.sql) from the numerator and denominator named
here; tests check that every code below is a column of that query and that every rate equals
numerator ÷ denominator computed independently.
"""
from __future__ import annotations

from dataclasses import dataclass

FAMILIES = ("coverage", "contracts", "arrears", "aid")


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    unit: str  # key into format.UNITS: unit, household, person, yuan, case, rate
    family: str
    higher_is_better: bool | None  # None: neither (a size, not a performance)
    definition_zh: str
    definition_en: str
    numerator: str | None = None  # rates only: codes of the counts they divide
    denominator: str | None = None

    @property
    def is_rate(self) -> bool:
        return self.unit == "rate"

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    def definition(self, lang: str) -> str:
        return self.definition_en if lang == "en" else self.definition_zh


def _i(*args, **kwargs) -> Indicator:
    return Indicator(*args, **kwargs)


INDICATORS: tuple[Indicator, ...] = (
    # --- coverage: 组织覆盖 ---
    _i("units", "单位数", "Employer units", "unit", "coverage", None,
       "年末在统计范围内的用人单位数。", "Employer units in scope at year end."),
    _i("units_unionized", "已建会单位数", "Unionized units", "unit", "coverage", True,
       "已单独建立工会或被联合基层工会覆盖的单位数（年末）。",
       "Units with their own union or covered by a joint union, at year end."),
    _i("unionization_rate", "建会率", "Unionization rate", "rate", "coverage", True,
       "已建会单位数 ÷ 单位数。", "Unionized units ÷ units.",
       numerator="units_unionized", denominator="units"),
    _i("unions_new", "新组建基层工会", "New grassroots unions", "unit", "coverage", True,
       "年内新建立本单位工会的单位数（不含被联合工会覆盖）。",
       "Units that founded their own union during the year (joint-union coverage not counted)."),
    _i("employees", "职工人数", "Employees", "person", "coverage", None,
       "年末职工人数。", "Employees at year end."),
    _i("female_employees", "女职工人数", "Female employees", "person", "coverage", None,
       "年末女职工人数。", "Female employees at year end."),
    _i("migrant_workers", "农民工人数", "Migrant workers", "person", "coverage", None,
       "年末在岗农民工人数。", "Migrant workers employed at year end."),
    _i("members", "会员人数", "Union members", "person", "coverage", True,
       "年末工会会员人数。", "Union members at year end."),
    _i("female_members", "女会员人数", "Female members", "person", "coverage", True,
       "年末女会员人数。", "Female union members at year end."),
    _i("migrant_members", "农民工会员人数", "Migrant members", "person", "coverage", True,
       "年末农民工会员人数。", "Migrant workers who are union members at year end."),
    _i("membership_rate", "入会率", "Membership rate", "rate", "coverage", True,
       "会员人数 ÷ 职工人数。", "Members ÷ employees.",
       numerator="members", denominator="employees"),
    _i("female_membership_rate", "女职工入会率", "Female membership rate", "rate", "coverage", True,
       "女会员人数 ÷ 女职工人数。", "Female members ÷ female employees.",
       numerator="female_members", denominator="female_employees"),
    _i("members_new", "新增会员", "New members", "person", "coverage", True,
       "年内新加入工会的职工人数。", "Workers who joined a union during the year."),
    _i("migrant_membership_rate", "农民工入会率", "Migrant membership rate", "rate", "coverage", True,
       "农民工会员人数 ÷ 农民工人数。", "Migrant members ÷ migrant workers.",
       numerator="migrant_members", denominator="migrant_workers"),
    _i("units_congress", "建立职代会单位数", "Units with a workers' congress", "unit", "coverage", True,
       "已建会单位中建立职工代表大会制度的单位数。",
       "Unionized units that hold a workers' congress (职代会)."),
    _i("congress_rate", "职代会建制率", "Workers' congress rate", "rate", "coverage", True,
       "建立职代会单位数 ÷ 已建会单位数。", "Units with a workers' congress ÷ unionized units.",
       numerator="units_congress", denominator="units_unionized"),
    _i("units_openness", "实行厂务公开单位数", "Units practising openness", "unit", "coverage", True,
       "已建会单位中实行厂务公开制度的单位数。",
       "Unionized units that practise open management (厂务公开)."),
    _i("openness_rate", "厂务公开建制率", "Open-management rate", "rate", "coverage", True,
       "实行厂务公开单位数 ÷ 已建会单位数。", "Units practising openness ÷ unionized units.",
       numerator="units_openness", denominator="units_unionized"),
    # --- contracts: 合同 ---
    _i("units_collective_contract", "签订集体合同单位数", "Units with a collective contract", "unit",
       "contracts", True, "已建会单位中签订集体合同的单位数。",
       "Unionized units covered by a collective contract."),
    _i("collective_contract_rate", "集体合同覆盖率", "Collective contract coverage", "rate",
       "contracts", True, "签订集体合同单位数 ÷ 已建会单位数。",
       "Units with a collective contract ÷ unionized units.",
       numerator="units_collective_contract", denominator="units_unionized"),
    _i("units_wage_agreement", "签订工资专项集体合同单位数", "Units with a wage agreement", "unit",
       "contracts", True, "已建会单位中签订工资专项集体合同的单位数。",
       "Unionized units covered by a collective wage agreement."),
    _i("wage_agreement_rate", "工资集体协商覆盖率", "Wage bargaining coverage", "rate",
       "contracts", True, "签订工资专项集体合同单位数 ÷ 已建会单位数。",
       "Units with a wage agreement ÷ unionized units.",
       numerator="units_wage_agreement", denominator="units_unionized"),
    _i("employees_contracted", "签订劳动合同职工数", "Employees with a labour contract", "person",
       "contracts", True, "年末与用人单位签订劳动合同的职工人数。",
       "Employees with a signed labour contract at year end."),
    _i("labor_contract_rate", "劳动合同签订率", "Labour contract rate", "rate", "contracts", True,
       "签订劳动合同职工数 ÷ 职工人数。", "Employees with a signed contract ÷ employees.",
       numerator="employees_contracted", denominator="employees"),
    _i("units_inspected", "检查用工单位", "Employers inspected", "unit", "contracts", True,
       "年内对劳动合同、集体合同签订履约情况检查的用工单位数。",
       "Employers whose labour and collective contracts were inspected during the year."),
    _i("units_compliant", "履约良好单位", "Employers compliant", "unit", "contracts", True,
       "受检单位中履约情况良好的单位数。", "Inspected employers found compliant."),
    _i("compliance_rate", "履约良好率", "Compliance rate", "rate", "contracts", True,
       "履约良好单位 ÷ 检查用工单位。", "Compliant employers ÷ employers inspected.",
       numerator="units_compliant", denominator="units_inspected"),
    _i("workers_helped_sign", "指导签订劳动合同", "Workers helped to sign", "person", "contracts", True,
       "检查中现场指导与用人单位签订劳动合同的职工人数。",
       "Workers helped on site to sign a labour contract during inspections."),
    # --- arrears: 欠薪 ---
    _i("arrears_cases", "欠薪案件", "Wage arrears cases", "case", "arrears", None,
       "年内协调解决的拖欠工资案件数。", "Wage arrears cases resolved during the year."),
    _i("arrears_workers", "涉及职工", "Workers owed wages", "person", "arrears", None,
       "欠薪案件涉及的职工人数。", "Workers involved in the resolved arrears cases."),
    _i("arrears_migrant_workers", "涉及农民工", "Migrant workers owed wages", "person", "arrears", None,
       "欠薪案件涉及的农民工人数。", "Migrant workers involved in the resolved arrears cases."),
    _i("arrears_recovered_yuan", "追回欠薪", "Wage arrears recovered", "yuan", "arrears", True,
       "年内为职工、农民工追回的被拖欠工资金额。",
       "Unpaid wages recovered for workers during the year."),
    # --- aid: 帮扶 ---
    _i("aid_households", "帮扶户次", "Households aided", "household", "aid", None,
       "年内走访慰问、救助困难职工的户次（同一户多次帮扶计多次；不含劳模慰问）。",
       "Household visits with hardship aid during the year (a household aided twice counts twice; "
       "model-worker visits excluded)."),
    _i("aid_yuan", "帮扶金额", "Hardship aid paid", "yuan", "aid", None,
       "年内发放的生活、医疗、助学救助金及慰问金、慰问物品折款（不含劳模慰问金）。",
       "Hardship aid paid during the year, in cash and in kind (model-worker aid excluded)."),
    _i("aid_per_household", "户均帮扶", "Aid per household visit", "yuan", "aid", None,
       "帮扶金额 ÷ 帮扶户次。", "Hardship aid paid ÷ household visits.",
       numerator="aid_yuan", denominator="aid_households"),
    _i("model_workers_visited", "慰问劳模", "Model workers visited", "person", "aid", None,
       "年内慰问的劳动模范人数。", "Model workers visited during the year."),
    _i("model_worker_aid_yuan", "劳模慰问金", "Model-worker aid", "yuan", "aid", None,
       "年内向劳动模范发放的慰问金和生活困难补助金。",
       "Visiting and hardship allowances paid to model workers during the year."),
    _i("subsidy_unions", "补助基层工会", "Grassroots unions subsidised", "unit", "aid", None,
       "年内获得县总工会补助的基层工会数。", "Grassroots unions that received a subsidy."),
    _i("subsidy_yuan", "基层工会补助", "Grassroots union subsidies", "yuan", "aid", None,
       "年内拨付基层工会用于“职工之家”建设和文体活动的补助款。",
       "Subsidies paid to grassroots unions (workers' homes, culture and sports)."),
)

BY_CODE: dict[str, Indicator] = {ind.code: ind for ind in INDICATORS}

# Aid and subsidies are recorded per township only (see queries/indicators.sql).
REGION_ONLY_FAMILY_CODES = frozenset(
    ("aid_households", "aid_yuan", "aid_per_household", "model_workers_visited",
     "model_worker_aid_yuan", "subsidy_unions", "subsidy_yuan"))

# Shown on the 总览 page, in this order.
HEADLINE = (
    "unionization_rate", "membership_rate", "unions_new", "members_new",
    "congress_rate", "labor_contract_rate", "compliance_rate", "workers_helped_sign",
    "arrears_recovered_yuan", "aid_households", "aid_yuan", "subsidy_yuan",
)


def get(code: str) -> Indicator:
    return BY_CODE[code]


def by_family(family: str) -> list[Indicator]:
    return [ind for ind in INDICATORS if ind.family == family]
