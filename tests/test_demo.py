"""The demo generator: deterministic, the county's shape, lagging townships, scaling."""
from __future__ import annotations

import hashlib

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
