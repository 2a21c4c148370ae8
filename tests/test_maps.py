"""The township map (issue #13 item 6): a schematic tile map labelled 示意图, drawn offline; or the
admin's GeoJSON outlines kept in the store; a bad file is refused in Chinese and changes nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import independent
from conftest import open_page
from unionstats import demo, importing, maps, snapshots, store


def square(x: float, y: float) -> list:
    return [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]]


def geojson(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def feature(props: dict, rings: list, kind: str = "Polygon") -> dict:
    return {"type": "Feature", "properties": props, "geometry": {"type": kind, "coordinates": rings}}


REGIONS = {"qingshi": "青石乡", "nanshan": "南山乡", "chengguan": "城关镇"}


def test_tiles_keep_the_order_in_rows_of_root_n():
    positions = maps.tile_positions(["a", "b", "c", "d", "e"])
    assert positions == {"a": (0, 0), "b": (1, 0), "c": (2, 0), "d": (0, 1), "e": (1, 1)}
    assert len(set(maps.tile_positions([str(i) for i in range(13)]).values())) == 13


def test_outlines_match_townships_by_code_or_chinese_name():
    data = geojson([feature({"NAME": "青石乡"}, square(110, 30)),
                    feature({"adcode": "nanshan", "x": 1}, [square(111, 30), square(112, 30)], "MultiPolygon")])
    shapes, problems = maps.parse(data, "边界.geojson", REGIONS)
    assert problems == []
    assert set(shapes) == {"qingshi", "nanshan"}
    assert shapes["qingshi"] == [square(110, 30)[0]] and len(shapes["nanshan"]) == 2


@pytest.mark.parametrize("data, words", [
    (b"{not json", "不是有效的 GeoJSON"),
    (geojson([]), "FeatureCollection"),
    (geojson([feature({"NAME": "火星乡"}, square(1, 1))]), "第1个要素的属性中没有本县乡镇"),
    (geojson([{"type": "Feature", "properties": {"NAME": "青石乡"},
               "geometry": {"type": "Point", "coordinates": [1, 2]}}]), "第1个要素（青石乡）不是面"),
])
def test_a_bad_file_is_refused_in_chinese(data, words):
    shapes, problems = maps.parse(data, "边界.geojson", REGIONS)
    assert shapes == {} and problems and all(p.startswith("边界.geojson：") for p in problems)
    assert any(words in p for p in problems), problems


@pytest.fixture(scope="module")
def mapped(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("map") / "map.duckdb"
    demo.build(path)
    store.clear_cache()
    return path


def test_the_admins_outlines_are_stored_drawn_and_removable(mapped, monkeypatch):
    regions = store.query("regions", path=mapped)
    bad = importing.edit_map(mapped, "坏.geojson", geojson([feature({"NAME": "火星乡"}, square(1, 1))]))
    assert bad.candidate is None and "坏.geojson" in bad.batch.problems[0].line()
    assert maps.outlines(mapped) is None
    features = [feature({"name": name}, square(110 + i * 0.1, 30)) for i, name in enumerate(regions["name_zh"])]
    good = importing.edit_map(mapped, "边界.geojson", geojson(features))
    assert not good.batch.problems
    snapshots.publish(good.candidate)
    store.clear_cache()
    assert set(maps.outlines(mapped)) == set(regions["code"])

    monkeypatch.setenv("UNIONSTATS_DB", str(mapped))
    at = open_page("pages/townships.py", year="2024")
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert "乡镇边界图" in spec["layout"]["title"]["text"]
    fills = [trace for trace in spec["data"] if trace.get("fill") == "toself"]
    assert len(fills) == len(regions)
    labels = next(trace for trace in spec["data"] if trace.get("mode") == "text")
    want = independent.expected(independent.raw(mapped), ["year", "region_code"], True).loc[2024]
    for key, shown, _, _ in labels["customdata"]:
        assert shown == f"{want.loc[key, 'unionization_rate'] * 100:.1f}%"

    removed = importing.edit_map(mapped, "删除乡镇边界", None)
    snapshots.publish(removed.candidate)
    store.clear_cache()
    assert maps.outlines(mapped) is None


def test_without_outlines_the_map_is_a_labelled_schematic(demo_db):
    at = open_page("pages/townships.py", year="2024")
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert "示意图" in spec["layout"]["title"]["text"]
    tiles = [shape for shape in spec["layout"]["shapes"] if shape["type"] == "rect"]
    regions = store.query("regions")
    want = independent.expected(independent.raw(demo_db), ["year", "region_code"], True).loc[2024]
    assert len(tiles) == len(want) == len(regions)
    assert any("示意图" in c.value for c in at.caption)
