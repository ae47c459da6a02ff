"""CSV and KML renderings of selected features (GeoJSON lives in geo/geojson.py)."""

from __future__ import annotations

import csv
import io
import json

import geopandas as gpd
import simplekml
import shapely
from shapely.geometry import LineString, Point, Polygon

from geo.geojson import features_of
from geo.styles import StyleClass, layer_style


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a leading apostrophe
    (OWASP's advice), which Excel, LibreOffice and Google Sheets show as text. Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: list[dict], columns: list[str]) -> bytes:
    """Rows as UTF-8 CSV, every text cell made inert (safe_cell); None is an empty cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def flat_properties(props: dict, *, keep_lists: bool = False) -> dict:
    """Properties as a flat table holds them: lists of text joined with ';' (or kept, for Parquet), other
    lists and nested records as JSON text. The one rule for CSV, GeoPackage and GeoParquet."""
    row = {}
    for key, value in props.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = value if keep_lists else ";".join(value)
        elif isinstance(value, (list, dict)):
            value = json.dumps(value, ensure_ascii=False)
        row[key] = value
    return row


def cite(ref: dict) -> str:
    """One source as a reader cites it: title (publisher, date) address."""
    return f"{ref.get('title', '')} ({ref.get('publisher', '')}, {ref.get('date', '')}) {ref.get('address', '')}".strip()


def to_csv(layer: str, frame: gpd.GeoDataFrame, *, references: dict[str, dict] | None = None) -> bytes:
    """Properties one row per feature; lists joined with ';', nested records as JSON; with `references`
    (id -> reference), a `sources` column citing each ref by title, publisher, date and address; geometry as
    WKT (last column), so a file read back by a GIS has its shapes. Text cells are made inert for spreadsheets."""
    features = features_of(layer, frame)
    rows = []
    for feature, geometry in zip(features, frame.geometry):
        row = flat_properties(feature["properties"])
        if references is not None:
            row["sources"] = " | ".join(cite(references[r]) for r in feature["properties"].get("refs") or []
                                        if r in references)
        row["geometry_wkt"] = shapely.to_wkt(geometry, rounding_precision=6, trim=True)
        rows.append(row)
    columns = list(features[0]["properties"]) if features else ["id"]
    columns += (["sources"] if references is not None else []) + ["geometry_wkt"]
    return write_csv(rows, columns)


def _kml_colour(hex_colour: str, alpha: int) -> str:
    r, g, b = hex_colour[1:3], hex_colour[3:5], hex_colour[5:7]
    return f"{alpha:02x}{b}{g}{r}"


def _add_polygon(folder: simplekml.Folder, name: str, polygon: Polygon) -> simplekml.Polygon:
    item = folder.newpolygon(name=name)
    item.outerboundaryis = list(polygon.exterior.coords)
    item.innerboundaryis = [list(ring.coords) for ring in polygon.interiors]
    return item


def _parts(geometry: shapely.Geometry) -> list[shapely.Geometry]:
    """Single parts of any geometry: multi-geometries and collections (nested too) are taken apart."""
    if geometry is None or geometry.is_empty:
        return []
    if hasattr(geometry, "geoms"):
        return [part for child in geometry.geoms for part in _parts(child)]
    return [geometry]


def _kml_styles(layer: str, colour: str) -> tuple[str | None, dict[str, simplekml.Style]]:
    """Shared KML styles, one per class of the layer's style (geo/styles.py), or one in `colour` for a layer
    without classes (a user's own layer); and the property the classes follow."""
    style = layer_style(layer)
    classes = style.classes if style else (StyleClass("", layer, colour, 0.5, 1.0, 2.0),)
    shared = {}
    for cls in classes:
        kml_style = simplekml.Style()
        kml_style.polystyle.color = _kml_colour(cls.colour, round(cls.fill_opacity * 255))
        kml_style.polystyle.outline = 1 if cls.line_opacity else 0
        kml_style.linestyle.color = _kml_colour(cls.colour, round(max(cls.line_opacity, 0.4) * 255))
        kml_style.linestyle.width = max(cls.width, 1.0)
        kml_style.iconstyle.color = _kml_colour(cls.colour, 0xFF)
        shared[cls.value] = kml_style
    return (style.attribute if style else None), shared


def to_kml(layer: str, frame: gpd.GeoDataFrame, *, colour: str = "#D55E00") -> bytes:
    """KML for Google Earth and GIS: one placemark per feature (polygons per part), styled by the same classes
    as the map (confidence, phase, outcome), text in descriptions."""
    kml = simplekml.Kml(name=f"IS map: {layer}")
    folder = kml.newfolder(name=layer)
    attribute, shared = _kml_styles(layer, colour)
    fallback = next(iter(shared.values()))
    for feature, geometry in zip(features_of(layer, frame), frame.geometry):
        props = feature["properties"]
        name = str(props.get("place") or props.get("name") or props.get("target_place") or props["id"])
        description = "\n".join(f"{k}: {v}" for k, v in props.items() if v not in (None, "", []))
        kml_style = shared.get(str(props.get(attribute))) if attribute else None
        for part in _parts(geometry):
            if isinstance(part, Polygon):
                item = _add_polygon(folder, name, part)
            elif isinstance(part, LineString):
                item = folder.newlinestring(name=name, coords=list(part.coords))
            elif isinstance(part, Point):
                item = folder.newpoint(name=name, coords=[(part.x, part.y)])
            else:
                continue
            item.style = kml_style or fallback
            item.description = description
            if props.get("start") or props.get("date"):
                item.timespan.begin = props.get("start") or props.get("date")
                if props.get("end"):
                    item.timespan.end = props["end"]
    return kml.kml().encode("utf-8")
