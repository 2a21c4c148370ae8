"""The demo generator: deterministic, the county's shape, lagging townships, scaling."""
from __future__ import annotations

import hashlib
import sys

import numpy as np
import pandas as pd

from unionstats import demo, indicators
from unionstats.indicators import Scope


def _digest(tables: dict[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for name in sorted(tables):
        h.update(name.encode())
        h.update(pd.util.hash_pandas_object(tables[name].astype(str), index=False).values.tobytes())
    return h.hexdigest()


def test_same_seed_same_data_other_seed_other_data():
    assert _digest(demo.build_tables()) == _digest(demo.build_tables())
    assert _digest(demo.build_tables()) != _digest(demo.build_tables(seed=7))


def test_shape_of_the_county():
    t = demo.build_tables()
    assert len(t["regions"]) >= 12
    assert set(t["unit_year"]["industry_code"]) == set(t["industries"]["code"]) and len(t["industries"]) == 20
    assert set(t["unit_year"]["ownership_code"]) == set(t["ownership"]["code"])
    units_2024 = (t["unit_year"]["year"] == 2024).sum() + t["region_year"].query("year == 2024")["units"].sum()
    assert 1800 <= units_2024 <= 2200
    assert sorted(t["unit_year"]["year"].unique()) == list(range(2015, 2025))
    # One township reports totals only, never both ways in a year.
    unit_regions = set(t["unit_year"]["region_code"])
    assert set(t["region_year"]["region_code"]).isdisjoint(unit_regions)
    # No personal data: the unit table holds employers' identity only; name, township, industry
    # and ownership are the unit-year's (issue #11).
    assert list(t["units"].columns) == ["unit_id", "credit_code"]
    assert {"name", "region_code", "industry_code", "ownership_code"} <= set(t["unit_year"].columns)


def test_lagging_townships_lag(demo_db):
    by_region = indicators.table(Scope(), "region", (2024,), demo_db).set_index("key")
    county = indicators.summary(2024, Scope(), demo_db)
    assert demo.LAGGING_REGIONS == ("nanshan", "qingshi", "liulin")
    for town in demo.LAGGING_REGIONS:
        assert by_region.loc[town, "unionization_rate"] < county["unionization_rate"] - 0.05, town
    lowest3 = set(by_region.nsmallest(3, "unionization_rate").index)
    assert lowest3 == set(demo.LAGGING_REGIONS)


def test_earlier_years_trend_toward_2024(demo_db):
    trend = indicators.table(Scope(), "county", path=demo_db).set_index("year")
    assert trend.loc[2015, "members"] < trend.loc[2024, "members"]
    assert trend.loc[2015, "unionization_rate"] < trend.loc[2024, "unionization_rate"]
    assert trend.loc[2015, "arrears_recovered_yuan"] < trend.loc[2024, "arrears_recovered_yuan"]


def test_scales_for_benchmarks():
    t = demo.build_tables(units=6000)
    units_2024 = (t["unit_year"]["year"] == 2024).sum() + t["region_year"].query("year == 2024")["units"].sum()
    assert 5400 <= units_2024 <= 6600
    assert t["arrears"].query("year == 2024")["yuan_recovered"].sum() == 3 * 680_000


def _first_free_names(regions, region, industry, ownership) -> list[str]:
    """The naming rule stated as a search: each unit takes its first candidate no one has yet
    (public bodies: plain, then 第二…第十; companies: brands from its own, in turn), else its
    first candidate numbered （2）, （3）, … The generator must give exactly these names."""
    region_zh = {r[0]: r[1] for r in regions}
    taken, names = set(), []
    for i, (reg, ind, o) in enumerate(zip(region, industry, ownership)):
        if o in ("500", "400") and ind in demo._PUBLIC_NAMES:
            kind = demo._PUBLIC_NAMES[ind][i % len(demo._PUBLIC_NAMES[ind])]
            candidates = [region_zh[reg] + kind] + [f"{region_zh[reg]}第{x}{kind}" for x in demo._ORDINALS[1:]]
        else:
            suffix = {"600": "经营部", "700": "服务中心", "160": "股份有限公司"}.get(o, "有限公司")
            candidates = [f"{region_zh[reg][:2]}{demo._BRANDS[(i + k) % len(demo._BRANDS)]}"
                          f"{demo._TRADE[ind]}{suffix}" for k in range(len(demo._BRANDS))]
        name, k = next((c for c in candidates if c not in taken), None), 2
        while name is None or name in taken:
            name, k = f"{candidates[0]}（{k}）", k + 1
        taken.add(name)
        names.append(name)
    return names


def test_unit_names_are_the_first_free_candidates():
    # 30,000 units: many groups are full, so numbered names (（2）, …) occur too.
    t = demo.build_tables(units=30_000)
    units = t["unit_year"].drop_duplicates("unit_id").set_index("unit_id")["name"]
    rng = np.random.default_rng(demo.SEED)
    frame = demo._units(rng, 30_000, demo.regions_for(30_000))
    expected = _first_free_names(demo.regions_for(30_000), frame["region_code"], frame["industry_code"],
                                 frame["ownership_code"])
    assert frame["name"].tolist() == expected
    assert units.to_dict().items() <= dict(zip(frame["unit_id"], frame["name"])).items()  # the store's names
    assert any("（" in name for name in expected)


def _python_steps(units: int) -> int:
    """Lines of demo.py Python executes to generate `units` units (numpy's work is not counted)."""
    steps = 0

    def local(frame, event, arg):
        nonlocal steps
        steps += event == "line"
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == demo.__file__ else None

    rng = np.random.default_rng(demo.SEED)
    sys.settrace(tracer)
    try:
        frame = demo._units(rng, units, demo.regions_for(units))
    finally:
        sys.settrace(None)
    assert frame["name"].is_unique
    return steps


def test_unit_generation_is_linear_by_count():
    # A search over names already taken makes each unit's work grow with the number of units
    # (1.6 M units never finished); counted work per unit must not grow from 5,000 to 50,000.
    assert _python_steps(50_000) / 50_000 <= _python_steps(5_000) / 5_000
