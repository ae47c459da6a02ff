"""CSV and KML renderings of selected features (GeoJSON lives in geo/geojson.py)."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import simplekml
from shapely.geometry import LineString, MultiPolygon, Polygon

from geo.geojson import features_of


def to_csv(layer: str, frame: gpd.GeoDataFrame) -> bytes:
    """Properties one row per feature; lists joined with ';', nested records as JSON; geometry as WKT."""
    features = features_of(layer, frame)
    rows = []
    for feature in features:
        row = {}
        for key, value in feature["properties"].items():
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = ";".join(value)
            elif isinstance(value, (list, dict)):
                value = json.dumps(value, ensure_ascii=False)
            row[key] = value
        rows.append(row)
    columns = list(features[0]["properties"]) if features else ["id"]
    buffer = io.StringIO()
    import csv

    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def _kml_colour(hex_colour: str, alpha: int) -> str:
    r, g, b = hex_colour[1:3], hex_colour[3:5], hex_colour[5:7]
    return f"{alpha:02x}{b}{g}{r}"


def _add_polygon(folder: simplekml.Folder, name: str, polygon: Polygon) -> simplekml.Polygon:
    item = folder.newpolygon(name=name)
    item.outerboundaryis = list(polygon.exterior.coords)
    item.innerboundaryis = [list(ring.coords) for ring in polygon.interiors]
    return item


def to_kml(layer: str, frame: gpd.GeoDataFrame, *, colour: str = "#D55E00") -> bytes:
    """KML for Google Earth and GIS: one placemark per feature (polygons per part), text in descriptions."""
    kml = simplekml.Kml(name=f"IS map: {layer}")
    folder = kml.newfolder(name=layer)
    for feature, geometry in zip(features_of(layer, frame), frame.geometry):
        props = feature["properties"]
        name = str(props.get("place") or props.get("name") or props.get("target_place") or props["id"])
        description = "\n".join(f"{k}: {v}" for k, v in props.items() if v not in (None, "", []))
        parts = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
        for part in parts:
            if isinstance(part, Polygon):
                item = _add_polygon(folder, name, part)
                item.style.polystyle.color = _kml_colour(colour, 0x80)
            elif isinstance(part, LineString):
                item = folder.newlinestring(name=name, coords=list(part.coords))
                item.style.linestyle.width = 2
            else:
                continue
            item.style.linestyle.color = _kml_colour(colour, 0xFF)
            item.description = description
            if props.get("start") or props.get("date"):
                item.timespan.begin = props.get("start") or props.get("date")
                if props.get("end"):
                    item.timespan.end = props["end"]
    return kml.kml().encode("utf-8")
