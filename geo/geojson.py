"""RFC 7946 GeoJSON: deterministic encoding (lon/lat, CCW exteriors, 6 decimals) and reading back."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

from geo.props import LAYER_PROPS

DECIMALS = 6


def _round(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    return round(float(value), DECIMALS) + 0.0


def geometry_json(geometry: shapely.Geometry) -> dict:
    """A geometry as RFC 7946 JSON: exterior rings counter-clockwise, holes clockwise, rounded."""
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)
    return _rounded(mapping(oriented))


def _rounded(data: dict) -> dict:
    """A mapping() result rounded; a GeometryCollection keeps its parts (KML MultiGeometry, make_valid output)."""
    if data["type"] == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [_rounded(part) for part in data["geometries"]]}
    return {"type": data["type"], "coordinates": _round(data["coordinates"])}


def _clean(value: Any) -> Any:
    """Plain JSON values: NaN -> None, numpy scalars -> Python, arrays -> lists."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _clean(value.item())
    if isinstance(value, np.ndarray):
        return [_clean(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def feature_json(layer: str, properties: dict, geometry: shapely.Geometry) -> dict:
    """One feature, its properties checked against the layer's typed model."""
    model = LAYER_PROPS[layer]
    props = model.model_validate({k: _clean(v) for k, v in properties.items()}).model_dump(mode="json")
    return {"type": "Feature", "id": props["id"], "geometry": geometry_json(geometry), "properties": props}


def features_of(layer: str, frame: gpd.GeoDataFrame) -> list[dict]:
    columns = list(LAYER_PROPS[layer].model_fields)
    records = frame[columns].to_dict(orient="records") if len(frame) else []
    return [feature_json(layer, record, geom) for record, geom in zip(records, frame.geometry)]


def encode(features: Iterable[dict]) -> bytes:
    """A FeatureCollection as bytes: one feature per line, so a diff shows what changed."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":"), allow_nan=False) for f in features]
    body = ",\n".join(lines)
    text = '{"type":"FeatureCollection","features":[\n' + body + ("\n" if lines else "") + "]}\n"
    return text.encode("utf-8")


def encode_frame(layer: str, frame: gpd.GeoDataFrame) -> bytes:
    return encode(features_of(layer, frame))


def read_features(path: Path) -> list[dict]:
    """The features of a built layer file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ValueError(f"{path} is not a GeoJSON FeatureCollection")
    return data["features"]


def to_frame(features: list[dict]) -> gpd.GeoDataFrame:
    """Features as a GeoDataFrame whose property values stay Python objects (lists stay lists)."""
    if not features:
        return gpd.GeoDataFrame({"id": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    geometries = [shapely.geometry.shape(f["geometry"]) for f in features]
    props = [f["properties"] for f in features]
    frame = gpd.GeoDataFrame(props, geometry=geometries, crs="EPSG:4326")
    return frame


def read_layer(path: Path) -> gpd.GeoDataFrame:
    return to_frame(read_features(path))
