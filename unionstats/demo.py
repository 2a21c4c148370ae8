"""Deterministic demo county 示例县, 2015–2024, built from the seed work summary's figures.

At the default size (2,000 units) the 2024 county totals are the seed's: 21 new grassroots
unions, 1,000余 new members, 职代会 in 63 of 83 unionized non-public units (75.9%),
52 employers inspected (43 compliant), 1,080 workers helped to sign, 680,000 yuan arrears
recovered, 186 households aided with 96,180 yuan, 27 model workers given 26,000 yuan,
252,000 yuan to 12 grassroots unions. `units` scales everything for benchmarks.
Three townships (南山乡, 青石乡, 柳林乡) lag on purpose; 清泉乡 reports totals only.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from . import dimensions, snapshots

SEED = 20241231
YEARS = np.arange(2015, 2025)
FIRST, LAST = int(YEARS[0]), int(YEARS[-1])
DEFAULT_UNITS = 2000
# Named sizes for the demo and benchmarks; national ≈ the ACFTU's 6.4 million covered units.
SCALES = {"tiny": 300, "county": 2_000, "city": 20_000, "province": 400_000, "national": 6_400_000}

# code, 中文名, English, kind, size weight, lag (0 = normal, 1 = clearly behind)
REGIONS = (
    ("chengguan", "城关镇", "Chengguan Town", "镇", 3.0, 0),
    ("dongcheng", "东城街道", "Dongcheng Subdistrict", "街道", 2.2, 0),
    ("xicheng", "西城街道", "Xicheng Subdistrict", "街道", 2.0, 0),
    ("gongye", "工业园区", "Industrial Park", "园区", 1.6, 0),
    ("hongxing", "红星镇", "Hongxing Town", "镇", 1.2, 0),
    ("baiyang", "白杨镇", "Baiyang Town", "镇", 1.0, 0),
    ("hedong", "河东乡", "Hedong Township", "乡", 0.8, 0),
    ("hexi", "河西乡", "Hexi Township", "乡", 0.8, 0),
    ("beishan", "北山乡", "Beishan Township", "乡", 0.6, 0),
    ("nanshan", "南山乡", "Nanshan Township", "乡", 0.7, 1),
    ("qingshi", "青石乡", "Qingshi Township", "乡", 0.6, 1),
    ("liulin", "柳林乡", "Liulin Township", "乡", 0.6, 1),
    ("qingquan", "清泉乡", "Qingquan Township", "乡", 0.5, 0),
)
TOTALS_ONLY_REGIONS = ("qingquan",)
LAGGING_REGIONS = tuple(r[0] for r in REGIONS if r[5])


def regions_for(units: int) -> tuple:
    """The county's 13 townships; larger benchmark scales (a city, a province) add generated
    townships so that each keeps a county-like size (~13 × √scale townships in all)."""
    extra = max(0, round(len(REGIONS) * (units / DEFAULT_UNITS) ** 0.5) - len(REGIONS))
    generated = tuple((f"t{i:04d}", f"第{i}乡镇", f"Township {i}", "乡", 0.8, int(i % 7 == 0))
                      for i in range(1, extra + 1))
    return REGIONS + generated

# ownership code → (share of units, mean employees, industries it works in)
OWNERSHIP_PROFILE = {
    "500": (0.130, 22, "S"),
    "400": (0.240, 38, "PPPQQNMRS"),
    "110": (0.035, 110, "DGJBC"),
    "151": (0.015, 160, "DGJ"),
    "120": (0.035, 30, "ACF"),
    "130": (0.020, 25, "CFA"),
    "140": (0.005, 40, "CF"),
    "170": (0.260, 14, "CCEEFFFHHOAKL"),
    "600": (0.150, 5, "FFFHHOOA"),
    "159": (0.040, 45, "CEJKDI"),
    "160": (0.0125, 120, "CJD"),
    "200": (0.004, 90, "CH"),
    "300": (0.006, 150, "CI"),
    "190": (0.020, 18, "FO"),
    "700": (0.0275, 20, "PQRT"),
}

# 2024 county totals from the seed, at DEFAULT_UNITS.
SEED_2024 = dict(
    unions_new=21, unions_new_nonpublic=15, members_new=1046,
    nonpublic_unionized=83, nonpublic_joint=10, nonpublic_congress=63,
    units_inspected=52, units_compliant=43, workers_helped_sign=1080,
    arrears_yuan=680_000, arrears_cases=14, arrears_workers=236, arrears_migrant=181,
    aid_households=186, aid_yuan=96_180, model_workers=27, model_worker_yuan=26_000,
    subsidy_unions=12, subsidy_yuan=252_000,
)
# New own unions per year 2015–2023 (2024 is the seed's 21), non-public share ~70%.
UNIONS_NEW_BEFORE = (9, 10, 11, 12, 13, 14, 16, 17, 19)

# Name parts for plausible, clearly invented unit names.
_BRANDS = ("鑫达", "恒信", "华泰", "宏远", "金源", "瑞丰", "永安", "天成", "福满", "昌盛", "新兴", "顺发",
           "万和", "东方", "盛世", "嘉禾", "锦程", "利民", "康泰", "立新", "长青", "博雅", "星辰", "汇通")
_TRADE = {"A": "农牧", "B": "矿业", "C": "制造", "D": "能源", "E": "建筑", "F": "商贸", "G": "运输",
          "H": "餐饮", "I": "信息", "J": "金融", "K": "置业", "L": "商务", "M": "科技", "N": "环境",
          "O": "家政", "P": "教育", "Q": "医疗", "R": "文化", "S": "服务", "T": "联络"}
_PUBLIC_NAMES = {"S": ("人民政府", "司法所", "财政所", "派出所", "社区居委会", "农业服务中心"),
                 "P": ("中心小学", "第二小学", "中学", "幼儿园"),
                 "Q": ("卫生院", "社区卫生服务中心"),
                 "N": ("水利站", "环卫所"), "M": ("农技站",), "R": ("文化站",)}


def _split_exact(rng: np.random.Generator, total: int, weights, step: int = 1) -> np.ndarray:
    """Split an integer total into parts proportional to weights (random, exact sum)."""
    weights = np.asarray(weights, dtype=float)
    if total == 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=np.int64)
    parts = rng.multinomial(total // step, weights / weights.sum()).astype(np.int64) * step
    parts[np.argmax(weights)] += total - parts.sum()
    return parts


def _top_k(scores: np.ndarray, eligible: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores among eligible (fewer if not enough)."""
    idx = np.flatnonzero(eligible)
    k = min(k, len(idx))
    if k <= 0:
        return np.array([], dtype=np.int64)
    return idx[np.argpartition(-scores[idx], k - 1)[:k]]


def _trend(year: np.ndarray | int, start: float, end: float) -> np.ndarray:
    """Linear path from `start` in FIRST to `end` in LAST."""
    return start + (end - start) * (np.asarray(year) - FIRST) / (LAST - FIRST)


_ORDINALS = "一二三四五六七八九十"


def _unit_names(regions, region, industry, ownership) -> np.ndarray:
    """Plausible, clearly invented names, unique. Companies of a township prefix, trade and suffix
    share 24 brands: the r-th such company (r < 24) takes the first free brand from its own
    (index mod 24), later ones number their brand name (（2）, （3）, …). The r-th public body of a
    kind in a township takes the plain name, then ordinals 第二…第十, then numbers. Ranks are
    counted per group, so the work is linear in units: no search over names already taken."""
    zh = {r[0]: r[1] for r in regions}
    region = pd.Series(np.asarray(region, dtype=object))
    industry = np.asarray(industry, dtype=object)
    ownership = np.asarray(ownership, dtype=object)
    index = np.arange(len(region))
    names = np.empty(len(region), dtype=object)

    public = np.isin(ownership, ["500", "400"]) & np.isin(industry, list(_PUBLIC_NAMES))
    kind = np.empty(len(region), dtype=object)
    for ind, options in _PUBLIC_NAMES.items():
        mask = public & (industry == ind)
        kind[mask] = np.array(options, dtype=object)[index[mask] % len(options)]
    p = np.flatnonzero(public)
    town = region.iloc[p].map(zh).to_numpy(dtype=object)
    base = town + kind[p]
    rank = pd.Series(base).groupby(base, sort=False).cumcount().to_numpy()
    ordinals = np.array([""] + [f"第{x}" for x in _ORDINALS[1:]], dtype=object)
    names[p] = np.where(rank < len(ordinals), town + ordinals[np.minimum(rank, len(ordinals) - 1)] + kind[p],
                        base + "（" + (rank - len(ordinals) + 2).astype(str).astype(object) + "）")

    c = np.flatnonzero(~public)
    prefix = region.iloc[c].map({code: name[:2] for code, name in zh.items()}).to_numpy(dtype=object)
    trade = pd.Series(industry[c]).map(_TRADE).to_numpy(dtype=object)
    suffix = pd.Series(ownership[c]).map({"600": "经营部", "700": "服务中心", "160": "股份有限公司"}) \
        .fillna("有限公司").to_numpy(dtype=object)
    group = prefix + "|" + trade + "|" + suffix
    rank = pd.Series(group).groupby(group, sort=False).cumcount().to_numpy()
    brand = c % len(_BRANDS)
    used: dict[str, set] = {}
    for j in np.flatnonzero(rank < len(_BRANDS)):  # at most 24 per group, each probing ≤ 24 brands
        taken = used.setdefault(group[j], set())
        while brand[j] in taken:
            brand[j] = (brand[j] + 1) % len(_BRANDS)
        taken.add(brand[j])
    base = prefix + np.array(_BRANDS, dtype=object)[brand] + trade + suffix
    names[c] = base
    late = rank >= len(_BRANDS)
    number = pd.Series(base[late]).groupby(base[late], sort=False).cumcount().to_numpy() + 2
    names[c[late]] = base[late] + "（" + number.astype(str).astype(object) + "）"
    return names


def _units(rng: np.random.Generator, n: int, all_regions: tuple) -> pd.DataFrame:
    regions = [r[0] for r in all_regions]
    region_w = np.array([r[4] for r in all_regions])
    codes = list(OWNERSHIP_PROFILE)
    shares = np.array([OWNERSHIP_PROFILE[c][0] for c in codes])
    ownership = rng.choice(codes, size=n, p=shares / shares.sum())
    industry = np.empty(n, dtype=object)
    for code, (_, _, sections) in OWNERSHIP_PROFILE.items():
        mask = ownership == code
        industry[mask] = rng.choice(list(sections), size=int(mask.sum()))
    industry = industry.astype(str)
    # Every GB/T section appears at least once.
    for i, (code, _, _) in enumerate(dimensions.INDUSTRIES):
        industry[i] = code
        if code == "T":
            ownership[i] = "700"
    region = rng.choice(regions, size=n, p=region_w / region_w.sum())
    # Most units exist since before 2015; the rest start during the decade.
    start = np.where(rng.random(n) < 0.88, FIRST, rng.integers(FIRST + 1, LAST + 1, size=n))
    start[: len(dimensions.INDUSTRIES)] = FIRST
    mean_size = np.array([OWNERSHIP_PROFILE[o][1] for o in ownership], dtype=float)
    size = np.maximum(1, np.round(mean_size * rng.lognormal(-0.3, 0.75, size=n))).astype(int)
    names = _unit_names(all_regions, region, industry, ownership)
    return pd.DataFrame({
        "unit_id": np.arange(1, n + 1), "name": names, "credit_code": None,
        "region_code": region, "industry_code": industry, "ownership_code": ownership,
        "start_year": start, "size": size,
    })


def _union_years(rng, units: pd.DataFrame, k: float, regions: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Year each unit founded its own union, and year it joined a joint union (NaN = never)."""
    n = len(units)
    lag = units["region_code"].map({r[0]: r[5] for r in regions}).to_numpy()
    public = units["ownership_code"].map({c: g for c, _, _, g in dimensions.OWNERSHIP}).eq("public").to_numpy()
    size = units["size"].to_numpy()
    start = units["start_year"].to_numpy()
    score = np.log1p(size) + rng.gumbel(size=n) * 0.8 - lag * 1.6
    union_year = np.full(n, np.nan)
    joint_year = np.full(n, np.nan)

    # Before 2015: most public units and a few non-public ones already had a union.
    existing = start == FIRST
    for mask, share in ((public & existing, 0.86), (~public & existing, 0.03)):
        chosen = _top_k(score, mask, int(round(mask.sum() * share)))
        union_year[chosen] = rng.integers(1985, FIRST, size=len(chosen))

    np_total = int(round(SEED_2024["nonpublic_unionized"] * k))
    np_joint = int(round(SEED_2024["nonpublic_joint"] * k))
    np_before = int((~public & ~np.isnan(union_year)).sum())
    np_own_decade = max(0, np_total - np_joint - np_before)
    new_per_year = list(UNIONS_NEW_BEFORE) + [SEED_2024["unions_new"]]
    new_per_year = [int(round(v * k)) for v in new_per_year]
    np_2024 = int(round(SEED_2024["unions_new_nonpublic"] * k))
    # Non-public foundings 2015–2023 share what is left of the non-public decade total.
    np_before_2024 = _split_exact(rng, max(0, np_own_decade - np_2024), new_per_year[:-1])
    np_per_year = list(np_before_2024) + [np_2024]
    # Units organized during the decade are mostly smaller ones: size matters less.
    decade_score = 0.4 * np.log1p(size) + rng.gumbel(size=n) - lag * 0.9
    for year, total, np_count in zip(YEARS, new_per_year, np_per_year):
        free = np.isnan(union_year) & np.isnan(joint_year) & (start <= year)
        chosen_np = _top_k(decade_score, free & ~public, int(np_count))
        chosen_pub = _top_k(decade_score, free & public, int(total - np_count))
        union_year[np.concatenate([chosen_np, chosen_pub])] = year

    # Joint unions cover small non-public units from 2018 on.
    free = np.isnan(union_year) & ~public & (size < 25)
    chosen = _top_k(-size + rng.random(n), free, np_joint)
    joint_year[chosen] = rng.integers(2018, LAST + 1, size=len(chosen))
    joint_year = np.maximum(joint_year, start)
    return union_year, joint_year


def _adoption_year(rng, union_year, joint_year, share: float, mean_lag: float) -> np.ndarray:
    """Year a unionized unit adopted a practice (职代会, 厂务公开, …); inf = never."""
    covered = np.fmin(union_year, joint_year)
    lag = rng.geometric(1 / (1 + mean_lag), size=len(covered)) - 1
    adopt = np.where(rng.random(len(covered)) < share, covered + lag, np.inf)
    return np.where(np.isnan(covered), np.inf, adopt)


def _panel(rng, units: pd.DataFrame, k: float, regions: tuple) -> pd.DataFrame:
    """One row per unit per year it exists, with that year's name, township, industry and
    ownership (constant here: demo units never move)."""
    n = len(units)
    public = units["ownership_code"].map({c: g for c, _, _, g in dimensions.OWNERSHIP}).eq("public").to_numpy()
    lag = units["region_code"].map({r[0]: r[5] for r in regions}).to_numpy()
    union_year, joint_year = _union_years(rng, units, k, regions)

    congress = _adoption_year(rng, union_year, joint_year, 0.95, 1.5)
    # Exactly the seed's 63 non-public units with a 职代会 in 2024 (scaled).
    np_unionized = np.flatnonzero(~public & (np.fmin(union_year, joint_year) <= LAST))
    want = min(len(np_unionized), int(round(SEED_2024["nonpublic_congress"] * k)))
    order = np_unionized[np.argsort(congress[np_unionized] + rng.random(len(np_unionized)) * 0.1)]
    congress[order[:want]] = np.minimum(congress[order[:want]], LAST)
    congress[order[:want]] = np.maximum(congress[order[:want]], np.fmin(union_year, joint_year)[order[:want]])
    congress[order[want:]] = np.inf
    openness = _adoption_year(rng, union_year, joint_year, 0.9, 1.0)
    collective = _adoption_year(rng, union_year, joint_year, 0.8 - 0.3 * lag, 2.5)
    wage = _adoption_year(rng, union_year, joint_year, 0.6 - 0.3 * lag, 4.0)

    years = YEARS[None, :]
    exists = units["start_year"].to_numpy()[:, None] <= years
    ui, yi = np.nonzero(exists)
    year = YEARS[yi]
    size = units["size"].to_numpy()[ui]
    # Noise is per unit, not per year: year-to-year jitter would read as member churn.
    growth = (1.008 ** (year - LAST)) * rng.lognormal(0, 0.05, size=n)[ui]
    employees = np.maximum(1, np.round(size * growth)).astype(np.int64)
    industry = units["industry_code"].to_numpy()[ui]
    female_share = np.where(np.isin(industry, list("PQHFO")), 0.62, np.where(np.isin(industry, list("BEDG")), 0.18, 0.40))
    female = np.minimum(employees, rng.binomial(employees, female_share))
    migrant_share = np.where(public[ui], 0.04, np.where(np.isin(industry, list("ECH")), 0.72, 0.35))
    migrant = np.minimum(employees, rng.binomial(employees, migrant_share))

    uy, jy = union_year[ui], joint_year[ui]
    status = np.where(uy <= year, "own", np.where(jy <= year, "joint", "none"))
    unionized = status != "none"
    base_share = np.where(status == "own", np.where(public[ui], 0.93, 0.82), 0.70) - 0.12 * lag[ui]
    share = np.clip(base_share + _trend(year, -0.03, 0.0) + rng.normal(0, 0.03, size=n)[ui], 0.3, 1.0)
    members = np.where(unionized, np.round(employees * share), 0).astype(np.int64)
    female_members = np.minimum(np.minimum(members, female), rng.binomial(members, female / employees))
    migrant_rate = np.clip(share - 0.15 - 0.1 * lag[ui], 0.1, 1.0)
    migrant_members = np.minimum(members, rng.binomial(migrant, np.where(unionized, migrant_rate, 0.0)))
    contract_rate = np.clip(_trend(year, 0.80, 0.95) - np.where(public[ui], -0.03, 0.04) - 0.06 * lag[ui]
                            + rng.normal(0, 0.03, size=len(ui)), 0.4, 1.0)
    contracted = np.minimum(employees, np.round(employees * contract_rate)).astype(np.int64)

    panel = pd.DataFrame({
        "year": year, "unit_id": units["unit_id"].to_numpy()[ui],
        **{c: units[c].to_numpy()[ui] for c in ("name", "region_code", "industry_code", "ownership_code")},
        "employees": employees,
        "female_employees": female, "migrant_workers": migrant, "members": members,
        "female_members": female_members, "migrant_members": migrant_members,
        "union_status": status,
        # Known only once the union exists: a year-end record cannot name a future founding.
        "union_founded_year": pd.array(np.where(uy <= year, uy, None), dtype="Int64"),
        "has_congress": unionized & (congress[ui] <= year),
        "has_openness": unionized & (openness[ui] <= year),
        "has_collective_contract": unionized & (collective[ui] <= year),
        "has_wage_agreement": unionized & (wage[ui] <= year),
        "employees_contracted": contracted,
    })
    panel["members_joined"] = _members_joined(rng, panel, k)
    return panel


def _members_joined(rng, panel: pd.DataFrame, k: float) -> np.ndarray:
    """New members during the year: everyone in a newly unionized unit, growth elsewhere, and
    turnover topping each year up to a rising floor (2024: the seed's 1,000余).
    The panel comes unit by unit, years ascending (_panel), so a unit's previous year is the row
    before: no sorted copy of the panel is needed."""
    unit = panel["unit_id"].to_numpy()
    members = panel["members"].to_numpy()
    has_prev = np.concatenate([[False], unit[1:] == unit[:-1]])
    prev = np.concatenate([[np.nan], members[:-1]]).astype(float)
    prev[~has_prev] = np.nan
    prev_none = np.concatenate([[True], panel["union_status"].to_numpy()[:-1] == "none"])
    newly = prev_none & (members > 0) & has_prev
    newly |= panel["union_founded_year"].eq(panel["year"]).fillna(False).to_numpy()
    growth = np.maximum(0, members - np.where(np.isnan(prev), members, prev)).astype(np.int64)
    joined = np.where(newly, members, np.minimum(members, growth)).astype(np.int64)
    room = members - joined
    year = panel["year"].to_numpy()
    for y in YEARS:
        in_year = year == y
        target = int(round(_trend(y, 0.55, 1.0) * SEED_2024["members_new"] * k))
        gap = target - int(joined[in_year].sum())
        if gap > 0 and room[in_year].sum() > 0:
            idx = np.flatnonzero(in_year & (room > 0))
            extra = rng.multinomial(gap, room[idx] / room[idx].sum())
            joined[idx] += np.minimum(extra, room[idx])
    return joined


def _region_totals(panel: pd.DataFrame) -> pd.DataFrame:
    """Collapse the totals-only townships to region_year rows (they keep no unit register)."""
    rows = panel[panel["region_code"].isin(TOTALS_ONLY_REGIONS)]
    unionized = rows["union_status"] != "none"
    rows = rows.assign(
        units=1, units_unionized=unionized.astype(int),
        unions_new=((rows["union_status"] == "own") & (rows["union_founded_year"] == rows["year"])).astype(int),
        units_congress=(unionized & rows["has_congress"]).astype(int),
        units_openness=(unionized & rows["has_openness"]).astype(int),
        units_collective_contract=(unionized & rows["has_collective_contract"]).astype(int),
        units_wage_agreement=(unionized & rows["has_wage_agreement"]).astype(int),
    )
    keys = ["year", "region_code", "industry_code", "ownership_code"]
    sums = ["units", "units_unionized", "unions_new", "employees", "female_employees", "migrant_workers",
            "members", "female_members", "migrant_members", "members_joined", "units_congress",
            "units_openness", "units_collective_contract", "units_wage_agreement", "employees_contracted"]
    return rows.groupby(keys, as_index=False)[sums].sum()


def _inspections(rng, units: pd.DataFrame, k: float) -> pd.DataFrame:
    frames = []
    for y in YEARS:
        f = float(_trend(y, 0.55, 1.0)) if y < LAST else 1.0
        n_insp = int(round(SEED_2024["units_inspected"] * k * f))
        rate = SEED_2024["units_compliant"] / SEED_2024["units_inspected"] if y == LAST else float(_trend(y, 0.68, 0.80))
        n_ok = int(round(n_insp * rate))
        helped = int(round(SEED_2024["workers_helped_sign"] * k * (1.0 if y == LAST else f * 0.9)))
        pool = units[units["start_year"] <= y]
        weight = np.log1p(pool["size"].to_numpy()) * np.where(pool["ownership_code"].isin(["500", "400"]), 0.1, 1.0)
        picked = pool.iloc[rng.choice(len(pool), size=n_insp, replace=False, p=weight / weight.sum())].copy()
        picked["units_compliant"] = 0
        picked.iloc[rng.choice(n_insp, size=n_ok, replace=False), picked.columns.get_loc("units_compliant")] = 1
        picked["workers_helped_sign"] = _split_exact(rng, helped, picked["size"].to_numpy())
        picked["units_inspected"] = 1
        picked["year"] = int(y)
        frames.append(picked)
    rows = pd.concat(frames)
    keys = ["year", "region_code", "industry_code", "ownership_code"]
    return rows.groupby(keys, as_index=False)[["units_inspected", "units_compliant", "workers_helped_sign"]].sum()


def _arrears(rng, units: pd.DataFrame, k: float) -> pd.DataFrame:
    frames = []
    s = SEED_2024
    for y in YEARS:
        f = 1.0 if y == LAST else float(_trend(y, 0.38, 0.9)) * rng.uniform(0.85, 1.15)
        cases = max(1, int(round(s["arrears_cases"] * k * (1.0 if y == LAST else f))))
        yuan = s["arrears_yuan"] * k if y == LAST else round(s["arrears_yuan"] * k * f, -3)
        workers = int(round(s["arrears_workers"] * k * (1.0 if y == LAST else f)))
        migrant = int(round(s["arrears_migrant"] * k * (1.0 if y == LAST else f)))
        pool = units[(units["start_year"] <= y) & units["industry_code"].isin(list("ECHFG"))
                     & ~units["ownership_code"].isin(["500", "400"])]
        picked = pool.iloc[rng.choice(len(pool), size=cases, replace=False)].copy()
        picked["cases"] = 1
        picked["yuan_recovered"] = _split_exact(rng, int(yuan), rng.gamma(2.0, 1.0, size=cases), step=100)
        picked["workers"] = _split_exact(rng, workers, np.ones(cases)) if workers >= cases else 1
        picked["migrant_workers"] = np.minimum(picked["workers"], _split_exact(rng, migrant, picked["workers"]))
        picked["year"] = int(y)
        frames.append(picked)
    rows = pd.concat(frames)
    keys = ["year", "region_code", "industry_code", "ownership_code"]
    return rows.groupby(keys, as_index=False)[["cases", "workers", "migrant_workers", "yuan_recovered"]].sum()


def _aid(rng, k: float, all_regions: tuple) -> pd.DataFrame:
    s = SEED_2024
    regions = [r[0] for r in all_regions]
    # Lagging townships have more hardship cases.
    need = np.array([r[4] * (1.6 if r[5] else 1.0) for r in all_regions])
    hardship = [p for p in dimensions.AID_PROGRAMS if p[3] == "hardship"]
    program_w = np.array([0.55, 0.12, 0.18, 0.15])
    program_avg = np.array([420.0, 1200.0, 800.0, 500.0])
    rows = []
    for y in YEARS:
        f = 1.0 if y == LAST else float(_trend(y, 0.62, 0.95))
        households = int(round(s["aid_households"] * k * f))
        yuan = int(s["aid_yuan"] * k) if y == LAST else int(round(s["aid_yuan"] * k * float(_trend(y, 0.5, 0.93)), -1))
        cell_w = (need[:, None] * program_w[None, :]).ravel()
        hh = _split_exact(rng, households, cell_w)
        money = _split_exact(rng, yuan, np.maximum(hh, 0) * np.tile(program_avg, len(regions)) + 1e-9, step=10)
        for (ri, pi), h, m in zip(np.ndindex(len(regions), len(hardship)), hh, money):
            if h or m:
                rows.append((int(y), regions[ri], hardship[pi][0], int(h), 0, int(m)))
        workers = int(round(s["model_workers"] * k)) if y == LAST else int(round(s["model_workers"] * k * f))
        model_yuan = int(s["model_worker_yuan"] * k) if y == LAST else int(round(workers * float(_trend(y, 600, 900)), -2))
        persons = _split_exact(rng, workers, np.array([r[4] for r in all_regions]))
        money = _split_exact(rng, model_yuan, persons + 1e-9, step=100)
        for ri, (p, m) in enumerate(zip(persons, money)):
            if p or m:
                rows.append((int(y), regions[ri], "laomo", 0, int(p), int(m)))
    return pd.DataFrame(rows, columns=["year", "region_code", "program_code", "households", "persons", "yuan"])


def _subsidies(rng, k: float, all_regions: tuple) -> pd.DataFrame:
    s = SEED_2024
    regions = [r[0] for r in all_regions]
    rows = []
    for y in YEARS:
        f = 1.0 if y == LAST else float(_trend(y, 0.4, 0.9))
        unions = max(1, int(round(s["subsidy_unions"] * k * f)))
        yuan = int(s["subsidy_yuan"] * k) if y == LAST else int(round(s["subsidy_yuan"] * k * f, -3))
        per_region = _split_exact(rng, unions, np.array([r[4] for r in all_regions]))
        money = _split_exact(rng, yuan, per_region + 1e-9, step=1000)
        for ri, (u, m) in enumerate(zip(per_region, money)):
            if u or m:
                rows.append((int(y), regions[ri], int(u), int(m)))
    return pd.DataFrame(rows, columns=["year", "region_code", "unions_supported", "yuan"])


def _targets() -> pd.DataFrame:
    rows = [
        (2024, "unionization_rate", "", 0.46), (2024, "membership_rate", "", 0.63),
        (2024, "congress_rate", "", 0.75), (2024, "labor_contract_rate", "", 0.95),
        (2024, "compliance_rate", "", 0.80), (2024, "unions_new", "", 20),
        (2024, "members_new", "", 1000),
        (2025, "unionization_rate", "", 0.50), (2025, "membership_rate", "", 0.67),
        (2025, "congress_rate", "", 0.80), (2025, "labor_contract_rate", "", 0.96),
        (2025, "compliance_rate", "", 0.85), (2025, "unions_new", "", 22),
        (2025, "members_new", "", 1100),
    ]
    return pd.DataFrame(rows, columns=["year", "indicator", "region_code", "value"])


def _notes() -> pd.DataFrame:
    return pd.DataFrame([(2024, "", "今年以来共新组建基层工会组织21家，新增会员1000余人；"
                                     "非公有制企业已建立职代会63家，达75%以上。")],
                        columns=["year", "region_code", "text"])


def _references() -> pd.DataFrame:
    """Others' published rates for the demo county to be compared with (made up, and labelled so)."""
    province, city, nation = "省总工会统计公报（示例）", "市总工会统计年报（示例）", "全国总工会统计公报（示例）"
    rows = [(y, "province", "unionization_rate", v, province)
            for y, v in zip(range(2020, 2025), (0.452, 0.456, 0.461, 0.466, 0.472))]
    rows += [(y, "province", "membership_rate", v, province)
             for y, v in zip(range(2020, 2025), (0.652, 0.655, 0.659, 0.662, 0.668))]
    rows += [(y, "city", "unionization_rate", v, city) for y, v in zip(range(2022, 2025), (0.436, 0.443, 0.449))]
    rows += [(y, "nation", "labor_contract_rate", v, nation) for y, v in zip(range(2022, 2025), (0.905, 0.915, 0.93))]
    frame = pd.DataFrame(rows, columns=["year", "body", "indicator", "value", "source"])
    return frame.assign(unit="rate")


def build_tables(units: int = DEFAULT_UNITS, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """All tables of the demo county as frames; the same arguments give the same data."""
    if units < 200:
        raise ValueError("示例数据至少需要 200 家单位 (--units ≥ 200)")
    rng = np.random.default_rng(seed)
    k = units / DEFAULT_UNITS
    all_regions = regions_for(units)
    unit_frame = _units(rng, units, all_regions)
    panel = _panel(rng, unit_frame, k, all_regions)
    region_year = _region_totals(panel)
    register = unit_frame[~unit_frame["region_code"].isin(TOTALS_ONLY_REGIONS)]
    # One copy of the panel, filtered and in year-major order (the largest frame by far).
    keep = np.flatnonzero(panel["unit_id"].isin(register["unit_id"]).to_numpy())
    keep = keep[np.lexsort((panel["unit_id"].to_numpy()[keep], panel["year"].to_numpy()[keep]))]
    unit_year = panel.take(keep).reset_index(drop=True)
    del panel
    regions = pd.DataFrame([(c, zh, en, kind, i) for i, (c, zh, en, kind, _, _) in enumerate(all_regions)],
                           columns=["code", "name_zh", "name_en", "kind", "sort_order"])
    settings = pd.DataFrame([("county_name_zh", "示例县"), ("county_name_en", "Demo County"),
                             ("is_demo", "true"), ("year_basis", "calendar"),
                             ("data_as_of", f"{LAST}-12-31")], columns=["key", "value"])
    return {
        "settings": settings, "regions": regions,
        "industries": dimensions.industries_frame(), "ownership": dimensions.ownership_frame(),
        "aid_programs": dimensions.aid_programs_frame(),
        "units": register[["unit_id", "credit_code"]],
        # Year-major order lets DuckDB's zone maps skip other years' row groups in unit lists.
        "unit_year": unit_year, "region_year": region_year,
        "inspections": _inspections(rng, unit_frame, k), "arrears": _arrears(rng, unit_frame, k),
        "aid": _aid(rng, k, all_regions), "subsidies": _subsidies(rng, k, all_regions),
        "targets": _targets(), "notes": _notes(), "reference_figures": _references(),
    }


def build(path: Path, units: int = DEFAULT_UNITS, seed: int = SEED,
          progress: Callable[[float, str], None] | None = None) -> Path:
    """Build the demo database at `path` (atomically replacing what is there)."""
    if progress:
        progress(0.0, "generate")
    tables = build_tables(units, seed)
    return snapshots.write_database(path, tables, progress=progress)
