"""读工作总结: figures of catalog indicators in a year's work report (工作总结) and targets in its
plan (工作计划), read from .txt (UTF-8 or GBK), .docx or pasted text. Nothing here writes; a
person confirms what was found, then `prepare_import` builds a snapshot like any other edit.

How a figure is found:
1. every number is read with what stands around it: Chinese numerals (cn2an), full-width and
   grouped digits, 万/亿, 百分之/%, a qualifier (余/多/以上/近/约) and a unit (人, 家, 户次, 元 …);
2. a number with no unit a catalog indicator counts in (份, 张, 人次, 号, 年, 日 …) is not a figure;
3. the clause around it (between ，；：) is matched against RULES, a table of keyword patterns
   per indicator code; the first rule whose keywords and unit fit gives the code. A clause with
   no keyword that continues the one before ("…劳模发放了慰问金，共计26000元") borrows its keywords.
Sentences about other work (联系点, 驻村, 运动会 …), awards (先进, 表彰 …) and changes (比上年增加 …)
hold no figures. Offsets index the text exactly as read (full-width digits stay as written).
"""
from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import cn2an

from . import catalog

MAX_BYTES = 10 * 1024 * 1024  # a work report is a few dozen KB; a bigger file is the wrong file


class ReportError(ValueError):
    """A file that cannot be read as a report: the message is Chinese and names the file."""


# --- reading ---------------------------------------------------------------------------------------

def read_text(name: str, data: bytes) -> str:
    """The report's text: .txt in UTF-8 (with or without BOM) or GBK/GB18030, or .docx
    (paragraphs and table rows in document order)."""
    file = Path(name).name or "粘贴的文本"
    suffix = Path(name).suffix.lower()
    if len(data) > MAX_BYTES:
        raise ReportError(f"{file}：文件超过 {MAX_BYTES // 1024 // 1024} MB，不像是一份工作总结")
    if not data:
        raise ReportError(f"{file}：文件是空的")
    if suffix in (".txt", ".text", ""):
        for encoding in ("utf-8-sig", "gb18030"):  # GB18030 is a superset of GBK and GB2312
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ReportError(f"{file}：无法识别文件编码（应为 UTF-8 或 GBK）")
    elif suffix == ".docx":
        text = _docx_text(file, data)
    elif suffix == ".doc":
        raise ReportError(f"{file}：旧版 Word（.doc）无法读取，请在 Word/WPS 中另存为 .docx 或 .txt")
    else:
        raise ReportError(f"{file}：不支持的文件类型「{suffix}」，请用 .txt 或 .docx，或把文字粘贴到页面上")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReportError(f"{file}：文件里没有文字")
    return text


def _docx_text(file: str, data: bytes) -> str:
    import docx
    from docx.oxml.ns import qn
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zip, XML and its own errors for a damaged file
        raise ReportError(f"{file}：文件已损坏或不是有效的 Word 文档（{exc.__class__.__name__}）") from None
    lines = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append("".join(node.text or "" for node in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for row in child.iter(qn("w:tr")):
                cells = ["".join(node.text or "" for node in cell.iter(qn("w:t"))) for cell in row.iter(qn("w:tc"))]
                lines.append(" ".join(c.strip() for c in cells if c.strip()))  # one row reads as one clause
    return "\n".join(lines)


# --- numbers ---------------------------------------------------------------------------------------

# Full-width ASCII (１２３，％．) to ASCII, one character for one, so offsets stay those of the text.
_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_ALL = _CN_DIGITS + "十百千万亿"
_CN_DIGIT_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}

# Units a figure may carry, as written → as compared against the catalog (UNIT_WORDS).
_UNIT_NORMAL = {"%": "%", "户(次)": "户次", "户次": "户次", "人次": "人次", "户": "户", "人": "人", "名": "人",
                "位": "人", "家": "家", "个": "个", "所": "家", "元": "元", "件": "件", "起": "件",
                "个百分点": "个百分点"}
# Catalog unit (catalog.Indicator.unit) → the written units that count in it.
UNIT_WORDS = {"unit": ("家", "个"), "person": ("人",), "household": ("户", "户次"), "yuan": ("元",),
              "case": ("件",), "rate": ("%",)}

_QUALIFIER = {"余": "余", "多": "多", "以上": "以上", "有余": "余", "超过": "以上", "逾": "以上",
              "不少于": "以上", "不低于": "以上", "至少": "以上",
              "近": "近", "接近": "近", "将近": "近", "约": "约", "大约": "约", "左右": "约", "上": "以上"}

_NUMBER = re.compile(
    r"(?P<pre>接近|将近|近|大约|约|逾|超过|不少于|不低于|至少|上)?"
    r"(?P<pct>百分之)?"
    r"(?:(?P<ar>(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?)"
    rf"|(?P<cn>(?<![{_CN_ALL}数几成上第])[{_CN_DIGITS}十][{_CN_ALL}]*(?:点[{_CN_DIGITS}]+)?)"
    r"|(?P<bare>(?<=[近约逾上])[百千万]))"  # 近千人, 上百户: only after a qualifier
    r"(?P<q1>余|多)?(?P<mult>万|亿)?(?P<q2>余|多)?"
    r"(?P<unit>%|个百分点|户\(次\)|户次|人次|户|人|名|位|家|个|所|元|件|起)?"
    r"(?P<post>以上|左右|有余)?")
# "节约10万元" is not "about 10万": these characters before 约/近 make a word of it.
_WORD_BEFORE_QUALIFIER = set("节制签合公预契规条最附相亲")


@dataclass(frozen=True)
class Number:
    start: int            # the whole token, qualifiers and unit included
    end: int
    value: Decimal        # rates as fractions (75% → 0.75), money in yuan
    unit: str | None      # normalised: 人, 家, 个, 户, 户次, 元, 件, %, or another word; None: no unit
    qualifier: str | None
    step: Decimal         # the precision it was written with: 68万 → 10000, 1000 → 1000, 75% → 0.01
    ordinal: bool = False  # 第四届


def _cn_int(text: str) -> int | None:
    if not text:
        return None
    if len(text) > 1 and not any(c in "十百千万亿" for c in text):
        return None  # "五一", "二〇二四": digits read one by one are names and years, not counts
    try:
        value = cn2an.cn2an(text, "normal")
    except Exception:  # cn2an raises ValueError and its own errors for text that is not a numeral
        return None
    return int(value) if float(value).is_integer() else None


def _trailing_zeros_step(value: int) -> Decimal:
    step = 1
    while value and value % (step * 10) == 0:
        step *= 10
    return Decimal(step)


def find_numbers(text: str) -> list[Number]:
    """Every number in the text, with its qualifier and unit; unreadable numerals are skipped."""
    plain = text.translate(_ASCII)
    out = []
    for m in _NUMBER.finditer(plain):
        if not (m.group("ar") or m.group("cn") or m.group("bare")):
            continue
        start, pre, core = m.start(), m.group("pre"), "ar" if m.group("ar") else "cn" if m.group("cn") else "bare"
        if pre and (start > 0 and plain[start - 1] in _WORD_BEFORE_QUALIFIER or pre == "上" and core != "bare"):
            if core == "bare":
                continue  # "节约千元" is no number
            start, pre = m.start("pct") if m.group("pct") else m.start(core), None
        if m.group("ar"):
            digits = m.group("ar").replace(",", "")
            value = Decimal(digits)
            step = (Decimal(1).scaleb(-len(digits.split(".")[1])) if "." in digits
                    else _trailing_zeros_step(int(digits)))
        elif core == "bare":
            value = step = Decimal({"百": 100, "千": 1000, "万": 10_000}[m.group("bare")])
        else:
            whole, _, decimals = m.group("cn").partition("点")
            integer = _cn_int(whole)
            if integer is None or (decimals and any(c not in _CN_DIGIT_VALUE for c in decimals)):
                continue
            value = Decimal(integer)
            step = _trailing_zeros_step(integer)
            if decimals:
                value += Decimal("0." + "".join(str(_CN_DIGIT_VALUE[c]) for c in decimals))
                step = Decimal(1).scaleb(-len(decimals))
        multiplier = {"万": 10_000, "亿": 100_000_000}.get(m.group("mult") or "", 1)
        value, step = value * multiplier, step * multiplier
        unit = _UNIT_NORMAL.get(m.group("unit") or "")
        if m.group("pct"):
            if unit not in (None,):
                continue  # "百分之七十个" is not a number anyone writes
            unit = "%"
        if unit == "%":
            places = -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0
            value, step = value / 100, Decimal(1).scaleb(-places) / 100
        words = [w for w in (m.group("q1"), m.group("q2"), m.group("post")) if w]
        qualifier = _QUALIFIER[pre] if pre else (_QUALIFIER[words[0]] if words else None)
        end = m.end()
        if unit is None:  # a qualifier with no unit after it belongs to the next word ("多方协调")
            end = m.end(core)
        out.append(Number(start, end, value, unit, qualifier, step, ordinal=start > 0 and plain[start - 1] == "第"))
    return out


# --- the rules: keyword patterns per indicator code ------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """A number is a figure of `code` when its unit counts in the indicator's unit (or in
    `units`), every pattern of `all_of` occurs in its clause, `before` in the clause text before
    it, `after` in the text after it, and `unless` nowhere in the clause."""
    code: str
    all_of: tuple[str, ...] = ()
    before: str | None = None
    after: str | None = None
    unless: str | None = None
    units: tuple[str, ...] | None = None

    def allowed_units(self) -> tuple[str, ...]:
        return self.units or UNIT_WORDS[catalog.get(self.code).unit]


_AID = r"慰问|救助|帮扶|帮困|送温暖|困难职工|助学"
_ARREARS = r"欠薪|拖欠|讨薪|清欠|欠发|追回[^，；]{0,8}(工资|薪)"
_CONGRESS = r"职代会|职工代表大会"
_OPENNESS = r"厂务公开|政务公开|院务公开|校务公开"
_STOCK = r"累计|现有|共有|总数|已建|已有"

# Order matters: the first rule that fits wins, so the narrower rule comes first.
RULES: tuple[Rule, ...] = (
    # --- rates (%) ---
    Rule("migrant_membership_rate", all_of=(r"农民工",), after=None, before=r"入会率"),
    Rule("female_membership_rate", all_of=(r"女职工|女会员",), before=r"入会率"),
    Rule("membership_rate", all_of=(r"入会率",)),
    Rule("congress_rate", all_of=(_CONGRESS,)),
    Rule("openness_rate", all_of=(_OPENNESS,)),
    Rule("wage_agreement_rate", all_of=(r"工资(专项)?集体(合同|协商|协议)",)),
    Rule("compliance_rate", all_of=(r"履约|守法|合格",)),
    Rule("collective_contract_rate", all_of=(r"集体(合同|协议)",)),
    Rule("labor_contract_rate", all_of=(r"劳动合同",)),
    Rule("unionization_rate", all_of=(r"建会率|组建率|建会面|覆盖率",)),
    # --- units (家/个) ---
    Rule("units_compliant", all_of=(r"履约[^，；]{0,4}(良好|好)|合格|守法",)),
    Rule("units_inspected", all_of=(r"检查|抽查|巡查|执法", r"单位|企业")),
    Rule("subsidy_unions", all_of=(r"拨付|补助|资助",), after=r"工会|职工之家"),
    Rule("unions_new", all_of=(r"工会",), before=r"新(组建|建立?|成立)|组建", unless=_STOCK),
    Rule("units_congress", all_of=(_CONGRESS,)),
    Rule("units_openness", all_of=(_OPENNESS,)),
    Rule("units_wage_agreement", all_of=(r"工资(专项)?集体(合同|协商|协议)",)),
    Rule("units_collective_contract", all_of=(r"集体(合同|协议)",)),
    Rule("units_unionized", all_of=(r"已建会|建会单位|(已|累计)(建立?|组建)[^，；]{0,8}工会|(现有|共有)[^，；]{0,6}工会",)),
    Rule("units", all_of=(r"单位|企业",), before=r"(共有|现有|总数|总计|共计)[^，；]{0,10}$", unless=r"工会|建会|检查"),
    # --- people (人/名/位) ---
    Rule("members_new", all_of=(r"会员|入会",), before=r"新(增|发展|吸收|吸纳|入会)|(发展|吸收|吸纳)[^，；]{0,6}(会员|入会)"),
    Rule("workers_helped_sign", before=r"指导|帮助|督促|协助", after=r"签订|签约"),
    Rule("arrears_migrant_workers", all_of=(_ARREARS,), after=r"^农民工"),   # 为18名农民工讨回…
    Rule("arrears_migrant_workers", all_of=(_ARREARS,), before=r"农民工$"),  # …涉及农民工1,873人
    Rule("arrears_workers", all_of=(_ARREARS,)),
    Rule("model_workers_visited", all_of=(r"劳模|劳动模范", r"慰问|看望|走访|发放|补助")),
    Rule("employees_contracted", all_of=(r"签订[^，；]{0,6}劳动合同|劳动合同[^，；]{0,6}签订",)),
    Rule("migrant_members", all_of=(r"农民工会员|农民工[^，；]{0,4}入会",)),
    Rule("female_members", all_of=(r"女(职工)?会员",)),
    Rule("members", all_of=(r"会员",), unless=r"新增|发展|吸收|吸纳|代表"),
    Rule("migrant_workers", all_of=(r"农民工(总数|人数)|(共有|现有|在岗)[^，；]{0,4}农民工",)),
    Rule("female_employees", all_of=(r"女职工(总数|人数)|(共有|现有)[^，；]{0,4}女职工",)),
    Rule("employees", all_of=(r"职工(总数|人数)|(共有|现有)[^，；]{0,4}职工",)),
    # --- cases, households, money ---
    Rule("arrears_cases", all_of=(_ARREARS,)),
    Rule("aid_households", all_of=(_AID + r"|走访",)),
    Rule("arrears_recovered_yuan", all_of=(_ARREARS,)),
    Rule("aid_per_household", before=r"户均|平均每户|每户"),
    Rule("model_worker_aid_yuan", all_of=(r"劳模|劳动模范",)),
    Rule("subsidy_yuan", all_of=(r"补助款|补助资金|拨付|职工之家|(补助|资助)[^，；]{0,8}工会",)),
    Rule("aid_yuan", all_of=(_AID,)),
)

# A sentence about other work than the union's statistics holds no figure.
NOT_FIGURES_SENTENCE = re.compile(r"联系点|驻村|联乡|拆迁|运动会|运动员")
# Awards: "10家工会先进集体", "2人荣获…称号".
NOT_FIGURES_CLAUSE = re.compile(r"先进|表彰|评为|荣获|获评|称号")
# A change, not a level: "比上年增加5家", "同比增长12%".
CHANGE_BEFORE = re.compile(r"(?:(?:比|较)(?:上|去|前)一?年|同比)[^，；]*$|(?:增长|增加|提高|上升|下降|减少|降低|增幅)(?:了|为)?$")
# "其中…" gives a part of the figure before it: only these parts are figures of their own
# ("检查企业58家，其中履约良好的51家"); "新增会员640人，其中农民工会员410人" is not a stock of members.
PART_OF = {
    "units_inspected": ("units_compliant",),
    "arrears_workers": ("arrears_migrant_workers",),
    "members": ("migrant_members", "female_members"),
    "employees": ("migrant_workers", "female_employees", "employees_contracted"),
    "units_unionized": ("units_congress", "units_openness", "units_collective_contract", "units_wage_agreement"),
    "units": ("units_unionized",),
}
PART = re.compile(r"^\s*其中")
# "全县非公有制企业已建立职代会63家": a figure of the non-public units only.
NONPUBLIC = re.compile(r"非公")
# A clause that continues the one before it borrows its keywords: "…发放了慰问金，共计26000元".
CONTINUES = re.compile(r"^\s*(?:共计|合计|总计|共|计|达到?|占|为|金额|涉及|惠及)")

_CLAUSE_END = set("，,；;：:")
_SENTENCE_END = set("。！？!?\n")


def _match(clause: str, at: int, end: int, unit: str) -> str | None:
    """The code of the first rule that fits the number at clause[at:end]."""
    before, after = clause[:at], clause[end:]
    for rule in RULES:
        if unit not in rule.allowed_units():
            continue
        if rule.unless and re.search(rule.unless, clause):
            continue
        if not all(re.search(p, clause) for p in rule.all_of):
            continue
        if rule.before and not re.search(rule.before, before):
            continue
        if rule.after and not re.search(rule.after, after):
            continue
        return rule.code
    return None


# --- the report's parts: summary and plan, and its year --------------------------------------------

_ENUM = r"(?P<enum>[一二三四五六七八九十]+[、.]|[(][一二三四五六七八九十\d]+[)]|\d+[、.]|第[一二三四五六七八九十]+部分[、:]?)?\s*"
_YEAR = r"(?:19|20)\d{2}|[一二][〇零九][〇零一二三四五六七八九]{2}"
_PLAN_HEAD = re.compile(
    _ENUM + rf"(?P<when>(?P<year>{_YEAR})年度?|明年|来年|下一?步|下一年度?|今后)?(?P<filler>[^。！？\n:]{{0,8}}?)"
    r"(?:工作)?(?:计划|打算|思路|要点|安排|目标任务)")
_SUMMARY_HEAD = re.compile(_ENUM + r"[^。！？\n]{0,16}?(?:工作总结|工作回顾|主要成绩|完成情况|取得的成绩)")
_SUMMARY_YEAR = re.compile(rf"(?P<year>{_YEAR})\s*年度?[^。！？\n，,]{{0,12}}?总结")
_ANY_YEAR = re.compile(rf"(?<![\[〔(\d])(?P<year>{_YEAR})\s*年(?!\d)")
_TARGET_SENTENCE = re.compile(rf"^\s*(?:(?:明年|来年)|(?P<year>{_YEAR})年)[^。]*?(?:力争|计划|确保|争取|目标)")


def _year_value(text: str) -> int:
    if text.isdigit():
        return int(text)
    return int("".join(str(_CN_DIGIT_VALUE[c]) for c in text))


def _lines(text: str):
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1


def plan_sections(text: str) -> list[tuple[int, int, int | None]]:
    """(start, end, year named in the heading or None) of each plan section: from a plan
    heading ("二、2025年工作计划", "下一步工作打算") to the next summary heading or the end."""
    plain = text.translate(_ASCII)
    sections, open_at, open_year = [], None, None
    for start, line in _lines(plain):
        stripped = line.lstrip()
        lead = len(line) - len(stripped)
        head = _PLAN_HEAD.match(stripped)
        is_plan = bool(head) and "总结" not in head.group(0) and (
            head.group("enum") or (head.group("when") and len(head.group("filler")) <= 6)
            or (len(stripped) <= 30 and not re.search(r"[，。；,;]", stripped)))  # a heading on its own line
        if is_plan and open_at is None:
            open_at = start + lead
            open_year = _year_value(head.group("year")) if head.group("year") else None
        elif open_at is not None and not is_plan and _SUMMARY_HEAD.match(stripped) and "计划" not in stripped[:30]:
            sections.append((open_at, start, open_year))
            open_at = None
    if open_at is not None:
        sections.append((open_at, len(text), open_year))
    return sections


def report_year(text: str) -> int | None:
    """The year the summary reports on: "2024年度工作总结", else the year most named outside
    the plan, else the year before the plan's; None if the text names no year."""
    plain = text.translate(_ASCII)
    sections = plan_sections(text)
    outside = "".join(c if not any(a <= i < b for a, b, _ in sections) else " " for i, c in enumerate(plain))
    found = _SUMMARY_YEAR.search(outside)
    if found:
        return _year_value(found.group("year"))
    years = Counter(_year_value(m.group("year")) for m in _ANY_YEAR.finditer(outside))
    if years:
        return years.most_common(1)[0][0]
    planned = [y for _, _, y in sections if y]
    return planned[0] - 1 if planned else None


# --- reading a report ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    code: str
    value: Decimal
    qualifier: str | None
    unit: str
    kind: str             # "actual" (the report year's) or "target" (the plan year's)
    year: int | None
    start: int            # the figure in the text: text[start:end]
    end: int
    sentence_start: int
    sentence_end: int
    sentence: str
    step: Decimal         # precision as written, for comparing with the store
    ownership: str | None = None  # "nonpublic": the sentence speaks of 非公有制企业 only

    @property
    def number(self) -> int | float:
        """For JSON and the store: an int when whole, else a float (rates are fractions)."""
        return int(self.value) if self.value == self.value.to_integral_value() else float(self.value)

    def as_dict(self, text: str) -> dict:
        return {"code": self.code, "value": self.number, "qualifier": self.qualifier, "sentence": self.sentence,
                "kind": self.kind, "year": self.year, "unit": self.unit, "text": text[self.start:self.end],
                "start": self.start, "end": self.end, "ownership": self.ownership}


@dataclass
class Reading:
    text: str
    year: int | None
    target_year: int | None
    figures: list[Figure] = field(default_factory=list)
    unit_mismatches: list[str] = field(default_factory=list)  # "186人次" where 户次 was wanted, etc.

    def _first(self, kind: str) -> dict[str, Figure]:
        out: dict[str, Figure] = {}
        for f in self.figures:
            if f.kind == kind:
                out.setdefault(f.code, f)
        return out

    def actuals(self) -> dict[str, Figure]:
        return self._first("actual")

    def targets(self) -> dict[str, Figure]:
        return self._first("target")

    def ambiguous(self) -> list[tuple[str, str, list[Figure]]]:
        """(kind, code, figures) where the text gives one indicator different values."""
        groups: dict[tuple[str, str], list[Figure]] = {}
        for f in self.figures:
            groups.setdefault((f.kind, f.code), []).append(f)
        return [(kind, code, fs) for (kind, code), fs in groups.items() if len({f.value for f in fs}) > 1]

    def to_json(self) -> dict:
        return {"year": self.year, "target_year": self.target_year,
                "figures": {c: f.number for c, f in self.actuals().items()},
                "targets": {c: f.number for c, f in self.targets().items()},
                "found": [f.as_dict(self.text) for f in self.figures]}


def _bounds(text: str, start: int, end: int, stops: set[str], protected: set[int]) -> tuple[int, int]:
    left = start
    while left > 0 and not (text[left - 1] in stops and left - 1 not in protected):
        left -= 1
    right = end
    while right < len(text) and not (text[right] in stops and right not in protected):
        right += 1
    return left, right


def read_report(text: str, year: int | None = None) -> Reading:
    """Every figure of a catalog indicator in the text. `year` overrides the year read from it."""
    plain = text.translate(_ASCII)
    numbers = find_numbers(text)
    protected = {i for n in numbers for i in range(n.start, n.end) if plain[i] == ","}  # 2,156
    sections = plan_sections(text)
    year = year if year is not None else report_year(text)
    planned = next((y for _, _, y in sections if y), None)
    target_year = planned if planned is not None else (year + 1 if year is not None else None)
    reading = Reading(text, year, target_year)
    people = {"人", "人次", "户", "户次"}
    for n in numbers:
        if n.unit is None or n.ordinal:
            continue
        s_start, s_end = _bounds(plain, n.start, n.end, _SENTENCE_END, set())
        sentence = plain[s_start:s_end]
        if NOT_FIGURES_SENTENCE.search(sentence):
            continue
        c_start, c_end = _bounds(plain, n.start, n.end, _SENTENCE_END | _CLAUSE_END, protected)
        clause = plain[c_start:c_end]
        if NOT_FIGURES_CLAUSE.search(clause) or CHANGE_BEFORE.search(clause[:n.start - c_start]):
            continue
        code = _match(clause, n.start - c_start, n.end - c_start, n.unit)
        context = clause
        if code is None and c_start > s_start and CONTINUES.match(clause):
            p_start, _ = _bounds(plain, c_start - 1, c_start - 1, _SENTENCE_END | _CLAUSE_END, protected)
            joined = plain[p_start:c_end]
            if not NOT_FIGURES_CLAUSE.search(joined):
                code, context = _match(joined, n.start - p_start, n.end - p_start, n.unit), joined
        if code is None:
            if n.unit in people:  # people counted in the wrong unit (人次 for 户次): tell the reader
                wrong = next((r.code for r in RULES if n.unit not in r.allowed_units()
                              and set(r.allowed_units()) & people
                              and _match_ignoring_unit(r, clause, n.start - c_start, n.end - c_start)), None)
                if wrong:
                    ind = catalog.get(wrong)
                    reading.unit_mismatches.append(
                        f"「{text[n.start:n.end]}」像是{ind.name_zh}，但单位应为"
                        f"{'或'.join(UNIT_WORDS[ind.unit])}，没有计入：{text[s_start:s_end].strip()[:60]}")
            continue
        if PART.match(clause):
            whole = next((f for f in reversed(reading.figures) if s_start <= f.start < c_start), None)
            if whole is not None and code not in PART_OF.get(whole.code, ()):
                continue
        in_plan = any(a <= n.start < b for a, b, _ in sections)
        inline = _TARGET_SENTENCE.match(sentence)
        if not in_plan and inline and year is not None:
            stated = inline.group("year")
            in_plan = stated is None or _year_value(stated) == year + 1
        reading.figures.append(Figure(
            code, n.value, n.qualifier, n.unit, "target" if in_plan else "actual",
            (target_year if in_plan else year), n.start, n.end, s_start, s_end, text[s_start:s_end].strip(), n.step,
            "nonpublic" if NONPUBLIC.search(context) else None))
    return reading


def _match_ignoring_unit(rule: Rule, clause: str, at: int, end: int) -> bool:
    if rule.unless and re.search(rule.unless, clause):
        return False
    if not rule.all_of and not rule.before:
        return False
    return (all(re.search(p, clause) for p in rule.all_of)
            and (not rule.before or re.search(rule.before, clause[:at]) is not None)
            and (not rule.after or re.search(rule.after, clause[end:]) is not None))


def read_file(name: str, data: bytes, year: int | None = None) -> Reading:
    return read_report(read_text(name, data), year)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- writing confirmed figures ---------------------------------------------------------------------

# Where a confirmed figure can go. Targets go to `targets` (county or township). A county actual
# goes to the county's own row (township '') of its table, beside the county's other figures of
# that year, unless the townships report that count (the county total is their sum: queries/
# count_levels.sql). Of a township's actuals only its subsidies fit a row as they stand: its other
# tables are broken down by industry × ownership, which a sentence does not give.
_REGION_YEAR_CODES = frozenset(("units", "units_unionized", "unions_new", "employees", "female_employees",
                                "migrant_workers", "members", "female_members", "migrant_members", "members_new",
                                "units_congress", "units_openness", "units_collective_contract",
                                "units_wage_agreement", "employees_contracted"))
SUBSIDY_CODES = ("subsidy_unions", "subsidy_yuan")
# code → (table, column, aid program kind): where a county figure of a report is stored
COUNTY_COLUMNS = {
    **{c: ("region_year", c, None) for c in _REGION_YEAR_CODES - {"members_new"}},
    "members_new": ("region_year", "members_joined", None),
    **{c: ("inspections", c, None) for c in ("units_inspected", "units_compliant", "workers_helped_sign")},
    "arrears_cases": ("arrears", "cases", None), "arrears_workers": ("arrears", "workers", None),
    "arrears_migrant_workers": ("arrears", "migrant_workers", None),
    "arrears_recovered_yuan": ("arrears", "yuan_recovered", None),
    "aid_households": ("aid", "households", "hardship"), "aid_yuan": ("aid", "yuan", "hardship"),
    "model_workers_visited": ("aid", "persons", "model_worker"),
    "model_worker_aid_yuan": ("aid", "yuan", "model_worker"),
    "subsidy_unions": ("subsidies", "unions_supported", None), "subsidy_yuan": ("subsidies", "yuan", None),
}


def township_reported(path: Path, year: int) -> set[str]:
    """The codes townships report for `year`: a county figure of the report is not stored for
    these (the county total is already their sum)."""
    from . import store
    levels = store.query("count_levels", path=path, years=(year,))
    return set(levels.loc[levels["township_value"].notna(), "code"])


def not_stored_reason(code: str, kind: str, region_code: str | None, codes: set[str],
                      ownership: str | None = None, by_townships: set[str] = frozenset()) -> str | None:
    """Why an actual figure cannot be written to the store; None when it can. `codes`: the
    actual figures confirmed with it (a township's subsidies need both of theirs);
    `by_townships`: the codes the townships report for the year (township_reported)."""
    if ownership:
        return "只针对非公有制企业的数字暂无存放位置（目标和合计都不分所有制）"
    if kind == "target":
        return None
    ind = catalog.get(code)
    if ind.is_rate or ind.denominator:
        return "比率由计数计算，不单独存放；可作为目标写入，或核对后导入其分子、分母"
    if not region_code:
        if code in by_townships:
            return "各乡镇已填报该年的这个数，全县数是乡镇数之和，不另存全县合计（数字不符时请核对乡镇数据）"
        return None if code in COUNTY_COLUMNS else "这个指标暂无全县合计的存放位置"
    if code in SUBSIDY_CODES:
        if set(SUBSIDY_CODES) <= codes:
            return None
        return "乡镇补助需同时有“补助基层工会数”和“补助金额”两个数，才能写成一行"
    if code in _REGION_YEAR_CODES:
        return "乡镇汇总需按行业、所有制填报，总结中的单个数字无法填成一行；可改选“全县”写入全县合计"
    if ind.family in ("contracts", "arrears"):
        return "合同检查与欠薪需按行业、所有制填报，总结中的单个数字无法填成一行；可改选“全县”写入全县合计"
    return "乡镇的帮扶需注明帮扶项目，总结中的单个数字无法填成一行；可改选“全县”写入全县合计"


def _county_sheets(path: Path, items: list[dict]) -> dict[str, list[list]]:
    """The county's own rows of each table and year the confirmed county actuals touch: the rows
    in force with the confirmed figures laid over them (a write replaces the county's rows of a
    table and year, so the rest must be written back). Aid goes to the first program of its kind
    unless the county already has a row of that kind."""
    from . import dimensions, importing, store
    from .sheets import BY_TABLE
    rows: dict[tuple[str, int], dict[tuple, dict]] = {}
    for year in sorted({i["year"] for i in items}):
        existing = store.query("county_rows", path=path, years=(year,)) if store.resolve(path).exists() else None
        for item in (i for i in items if i["year"] == year):
            table, column, kind = COUNTY_COLUMNS[item["code"]]
            if (table, year) not in rows:
                old = existing[existing["table_name"] == table] if existing is not None else []
                spec = BY_TABLE[table]
                rows[(table, year)] = {
                    tuple(r.get(k) for k in spec.unique): {c.field: r.get(c.field) for c in spec.columns}
                    for r in (old.to_dict("records") if len(old) else [])}
            table_rows = rows[(table, year)]
            program = None
            if kind:
                programs = [code for code, _, _, k in dimensions.AID_PROGRAMS if k == kind]
                program = next((r["program_code"] for r in table_rows.values() if r["program_code"] in programs),
                               programs[0])
            fresh = {"year": year, "region_code": "", "industry_code": "", "ownership_code": "", "program_code": program}
            row = table_rows.setdefault(tuple(fresh[k] for k in BY_TABLE[table].unique), fresh)
            row[column] = item["value"]
    sheets: dict[str, list[list]] = {}
    for (table, _), table_rows in rows.items():
        spec = BY_TABLE[table]
        body = [[None if importing._blank(r.get(c.field)) else r.get(c.field) for c in spec.columns]
                for r in table_rows.values()]
        sheets.setdefault(spec.zh, [spec.headers()]).extend(body)
    return sheets


def _cell(code: str, value) -> object:
    """A rate as "88%" text, so the importer's checks read it as a percentage (1.2 is "120%")."""
    if catalog.get(code).is_rate:
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    return value


def prepare_import(path: Path, items: list[dict], region_code: str | None = None, file_name: str = "工作总结.txt",
                   sha: str = "", user: str | None = None):
    """Build the snapshot that writes the confirmed figures that have a place in the store.
    `items`: {"code", "value", "kind" ("actual"/"target"), "year"}, values as confirmed (rates as
    fractions). Returns (importing.Prepared, [(item, why not stored)]). Validated exactly like an
    imported 目标/补助 sheet; nothing in force changes until snapshots.publish."""
    from . import importing, store
    from .sheets import BY_TABLE
    actual_codes = {i["code"] for i in items if i["kind"] == "actual"}
    by_townships = {year: township_reported(path, year) if store.resolve(path).exists() else set()
                    for year in {i["year"] for i in items if i["kind"] == "actual" and not region_code}}
    kept, skipped = [], []
    for item in items:
        reason = not_stored_reason(item["code"], item["kind"], region_code, actual_codes, item.get("ownership"),
                                   by_townships.get(item["year"], set()))
        (skipped.append((item, reason)) if reason else kept.append(item))
    region = region_code or None
    sheets: dict[str, list[list]] = {}
    if not region_code:
        sheets.update(_county_sheets(path, [i for i in kept if i["kind"] == "actual"]))
    targets = [[i["year"], i["code"], region, _cell(i["code"], i["value"])] for i in kept if i["kind"] == "target"]
    if targets:
        sheets[BY_TABLE["targets"].zh] = [BY_TABLE["targets"].headers(), *targets]
    subsidies = {i["code"]: i for i in kept if i["kind"] == "actual" and i["code"] in SUBSIDY_CODES}
    if subsidies and region_code:
        years = {i["year"] for i in subsidies.values()}
        sheets[BY_TABLE["subsidies"].zh] = [BY_TABLE["subsidies"].headers(), *[
            [year, region, subsidies["subsidy_unions"]["value"], subsidies["subsidy_yuan"]["value"]] for year in years]]
    name = Path(file_name).name
    if not sheets:
        return importing.Prepared(importing.Batch(file_name=name, sha256=sha)), skipped
    batch = importing.validate_rows(name, sheets, importing._store_reference(path))
    batch.sha256 = sha
    # Problems name the report, not the workbook built from it (its rows mean nothing to the reader).
    batch.problems = [importing.Problem(name, p.sheet, None, p.column, p.message) for p in batch.problems]
    if batch.problems:
        batch.frames = {}
        return importing.Prepared(batch), skipped
    batch.action = "edit"  # adds to the data in force (a demo stays a demo), like the targets editor
    return importing._build(path, batch, user, None), skipped


# --- confirming on the data page (the logic; pages/data.py only lays it out) -----------------------

def editable(code: str, value) -> str:
    """A value as the person edits it: rates "75%", counts and yuan as whole numbers."""
    number = Decimal(str(value))
    if catalog.get(code).is_rate:
        return f"{(number * 100).normalize():f}%"
    return f"{number.normalize():f}"


def parse_value(code: str, raw) -> int | float:
    """What the person typed ("21", "75%", "0.75", "68万元", full-width digits), read exactly like
    an imported cell; ValueError with a Chinese message otherwise."""
    from . import importing
    value = importing._rate_or_number(raw, code)  # ValueError subclass with the importer's message
    if not catalog.get(code).is_rate:
        if value != int(value):
            raise ValueError(f"「{raw}」应为整数")
        return int(value)
    return value


def agrees(value, qualifier: str | None, step, stored) -> bool:
    """Does a stored value fit what the report says? "1000余人" fits 1000–1999, "50多家" 50–59,
    "75%以上" anything from 74.5%, "近300户" 200–300, "68万元" 675,000–685,000 (rounded as
    written), "21家" only 21."""
    v, s, got = float(value), float(step), float(stored)
    half = s / 2
    if qualifier in ("余", "多"):
        return v - 1e-9 <= got < v + s
    if qualifier == "以上":
        return got >= v - half
    if qualifier == "近":
        return v - s <= got <= v + 1e-9
    if qualifier == "约":
        return abs(got - v) <= s / 2 + 1e-9
    return abs(got - v) <= half + 1e-9


def review(reading: Reading, stored: dict[tuple[str | None, str], float | None],
           stored_targets: dict[str, float], region_code: str | None,
           by_townships: set[str] = frozenset()) -> list[dict]:
    """One row per figure for the confirmation table. `stored`: {(ownership, code): value} of the
    report year in the chosen scope; `stored_targets`: {code: value} of the plan year. An actual
    that does not fit the store is a conflict; a target that differs replaces the old one."""
    first: set[tuple[str, str]] = set()
    actual_codes = {f.code for f in reading.figures if f.kind == "actual"}
    rows = []
    for f in reading.figures:
        before = stored_targets.get(f.code) if f.kind == "target" else stored.get((f.ownership, f.code))
        differs = before is not None and not agrees(f.value, f.qualifier, f.step, before)
        conflict = differs and f.kind == "actual"  # a different target is replaced, not a conflict
        reason = not_stored_reason(f.code, f.kind, region_code, actual_codes, f.ownership, by_townships)
        rows.append({"figure": f, "take": (f.kind, f.code) not in first, "stored": before,
                     "conflict": conflict, "replaces": differs and not conflict, "reason": reason})
        first.add((f.kind, f.code))
    return rows


def confirmed_items(edited: list[dict], figures: list[Figure]) -> tuple[list[dict], list[str]]:
    """The table as the person left it → items for prepare_import, and problems (Chinese, by row).
    `edited` rows: {"take": bool, "code": str, "value": str}, in the order of `figures`."""
    items, problems, seen = [], [], {}
    for i, (row, f) in enumerate(zip(edited, figures), start=1):
        if not row.get("take"):
            continue
        code = row.get("code") or f.code
        if code not in catalog.BY_CODE:
            problems.append(f"第{i}行：未知指标「{code}」")
            continue
        try:
            value = parse_value(code, row.get("value"))
        except ValueError as exc:
            problems.append(f"第{i}行（{catalog.get(code).name_zh}）：{exc}")
            continue
        key = (f.kind, code)
        if key in seen:
            problems.append(f"第{i}行：{catalog.get(code).name_zh}与第{seen[key]}行重复，只能选一行写入")
            continue
        seen[key] = i
        items.append({"code": code, "value": value, "kind": f.kind, "year": f.year, "ownership": f.ownership})
    return items, problems


def highlighted(text: str, figures: list[Figure], conflicts: set[int]) -> str:
    """The text as Streamlit markdown, each figure highlighted (red where it conflicts with the
    store, blue for the year's figures, violet for targets); everything else shown as written."""
    from . import escape
    out, at = [], 0
    for f in sorted(figures, key=lambda f: f.start):
        if f.start < at:
            continue
        colour = "red" if f.start in conflicts else ("violet" if f.kind == "target" else "blue")
        out.append(escape.markdown(text[at:f.start]))
        out.append(f":{colour}-background[**{escape.markdown(text[f.start:f.end])}**]")
        at = f.end
    out.append(escape.markdown(text[at:]))
    return "".join(out).replace("\n", "  \n")
