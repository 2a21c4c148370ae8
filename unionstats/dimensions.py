"""Reference dimensions shipped with the product: industry sections, ownership codes, aid programs."""
from __future__ import annotations

import pandas as pd

# GB/T 4754-2017 门类 A–T.
INDUSTRIES = (
    ("A", "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"),
    ("B", "采矿业", "Mining"),
    ("C", "制造业", "Manufacturing"),
    ("D", "电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water supply"),
    ("E", "建筑业", "Construction"),
    ("F", "批发和零售业", "Wholesale and retail trade"),
    ("G", "交通运输、仓储和邮政业", "Transport, storage and post"),
    ("H", "住宿和餐饮业", "Accommodation and catering"),
    ("I", "信息传输、软件和信息技术服务业", "Information transmission, software and IT services"),
    ("J", "金融业", "Finance"),
    ("K", "房地产业", "Real estate"),
    ("L", "租赁和商务服务业", "Leasing and business services"),
    ("M", "科学研究和技术服务业", "Scientific research and technical services"),
    ("N", "水利、环境和公共设施管理业", "Water, environment and public facilities management"),
    ("O", "居民服务、修理和其他服务业", "Household services, repair and other services"),
    ("P", "教育", "Education"),
    ("Q", "卫生和社会工作", "Health and social work"),
    ("R", "文化、体育和娱乐业", "Culture, sports and entertainment"),
    ("S", "公共管理、社会保障和社会组织", "Public administration, social security and social organizations"),
    ("T", "国际组织", "International organizations"),
)

# ACFTU unit categories. The public/non-public group is data (the ownership table), so an
# office can re-map a code without touching a query. 150 有限责任公司 is split so that wholly
# state-owned companies (151) count as public.
OWNERSHIP = (
    ("110", "国有", "State-owned", "public"),
    ("120", "集体", "Collective", "public"),
    ("130", "股份合作", "Joint-stock cooperative", "public"),
    ("140", "联营", "Joint operation", "public"),
    ("151", "国有独资公司", "Wholly state-owned company", "public"),
    ("159", "其他有限责任公司", "Other limited liability company", "nonpublic"),
    ("160", "股份有限公司", "Company limited by shares", "nonpublic"),
    ("170", "私营", "Private", "nonpublic"),
    ("190", "其他内资", "Other domestic", "nonpublic"),
    ("200", "港澳台投资", "Hong Kong, Macao and Taiwan invested", "nonpublic"),
    ("300", "外商投资", "Foreign invested", "nonpublic"),
    ("400", "事业单位", "Public institution", "public"),
    ("500", "机关", "Government organ", "public"),
    ("600", "个体", "Individual business", "nonpublic"),
    ("700", "民办非企业", "Private non-enterprise", "nonpublic"),
)

AID_PROGRAMS = (
    ("songnuan", "送温暖", "Winter warmth visits", "hardship"),
    ("jinqiu", "金秋助学", "Autumn school aid", "hardship"),
    ("yiliao", "医疗救助", "Medical aid", "hardship"),
    ("shenghuo", "生活救助", "Living aid", "hardship"),
    ("laomo", "劳模慰问", "Model-worker visits", "model_worker"),
)


def industries_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [(c, zh, en, i) for i, (c, zh, en) in enumerate(INDUSTRIES)],
        columns=["code", "name_zh", "name_en", "sort_order"])


def ownership_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [(c, zh, en, g, i) for i, (c, zh, en, g) in enumerate(OWNERSHIP)],
        columns=["code", "name_zh", "name_en", "grp", "sort_order"])


def aid_programs_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [(c, zh, en, k, i) for i, (c, zh, en, k) in enumerate(AID_PROGRAMS)],
        columns=["code", "name_zh", "name_en", "kind", "sort_order"])
