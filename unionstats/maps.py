"""Township maps drawn offline: a schematic tile map (one square per township, labelled 示意图), or
the township outlines from a GeoJSON file the admin uploaded, kept in the store's settings. No
Streamlit here, no tiles or map servers: plotly draws the outlines as filled shapes."""
from __future__ import annotations

import json
import math
from pathlib import Path

from . import store

SETTING = "map_outlines"      # {region code: [[ [lon, lat], … ] ring, …]} as JSON text
MAX_BYTES = 5 * 1024 * 1024   # a county's outlines are kilobytes; refuse what is clearly not one


def tile_positions(codes) -> dict[str, tuple[int, int]]:
    """(column, row) for each township in its sort order, rows of ceil(√n) tiles: a schematic
    layout that keeps the list's order, not geography."""
    codes = list(codes)
    per_row = max(1, math.ceil(math.sqrt(len(codes))))
    return {code: (i % per_row, i // per_row) for i, code in enumerate(codes)}


def outlines(path: Path | None = None) -> dict[str, list] | None:
    """The uploaded outlines, or None when there are none (or they cannot be read)."""
    text = store.setting(SETTING, None, path=path)
    if not text:
        return None
    try:
        shapes = json.loads(text)
    except ValueError:
        return None
    return shapes if isinstance(shapes, dict) and shapes else None


def _rings(geometry) -> list:
    """Outer rings of a Polygon or MultiPolygon as lists of [lon, lat]."""
    kind = (geometry or {}).get("type")
    coords = (geometry or {}).get("coordinates") or []
    if kind == "Polygon":
        return [coords[0]] if coords else []
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in coords if polygon]
    return []


def parse(data: bytes, file_name: str, regions: dict[str, str]) -> tuple[dict[str, list], list[str]]:
    """Township outlines from GeoJSON bytes: ({code: rings}, problems in Chinese, each naming the
    file and the feature). A feature is
    matched to a township when one of its properties equals the township's code or Chinese
    name (`regions`: code → name_zh). Any problem means nothing is kept."""
    if len(data) > MAX_BYTES:
        return {}, [f"{file_name}：文件超过 {MAX_BYTES // 1024 // 1024} MB，不像一个县的乡镇边界文件。"]
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return {}, [f"{file_name}：不是有效的 GeoJSON（UTF-8 编码的 JSON）：{exc}"]
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or not features:
        return {}, [f"{file_name}：应为含 features 的 FeatureCollection。"]
    by_name = {name: code for code, name in regions.items()}
    shapes: dict[str, list] = {}
    problems = []
    for i, feature in enumerate(features, start=1):
        properties = (feature or {}).get("properties") or {}
        values = [str(v).strip() for v in properties.values() if v is not None]
        code = next((v for v in values if v in regions), None) or next((by_name[v] for v in values if v in by_name), None)
        rings = _rings((feature or {}).get("geometry"))
        if code is None:
            problems.append(f"{file_name}：第{i}个要素的属性中没有本县乡镇的代码或名称（{'、'.join(values[:3]) or '无属性'}）。")
        elif not rings:
            problems.append(f"{file_name}：第{i}个要素（{regions[code]}）不是面（Polygon/MultiPolygon）。")
        else:
            try:
                shapes.setdefault(code, []).extend([[float(x), float(y)] for x, y, *_ in ring] for ring in rings)
            except (TypeError, ValueError):
                problems.append(f"{file_name}：第{i}个要素（{regions[code]}）的坐标不是数字。")
    return ({}, problems) if problems else (shapes, [])
