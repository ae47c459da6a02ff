"""Users' own layers: GeoJSON, CSV with latitude/longitude, or KML, read defensively with a message per problem."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field

import geopandas as gpd
import shapely
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from shapely.errors import ShapelyError
from shapely.geometry import shape

from geo.dates import parse_partial_date
from geo.errors import Problem

MAX_UPLOAD_BYTES = 10_000_000
MAX_FEATURES = 20_000
MAX_VERTICES_FEATURE = 20_000
MAX_VERTICES_TOTAL = 200_000
MAX_TEXT = 500
MAX_KML_DEPTH = 20
CSV_DELIMITERS = ",;\t"
KINDS = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".kml": "kml"}
LAT_NAMES = ("lat", "latitude", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "x")
NAME_KEYS = ("name", "title", "label", "place")
KML_NS = "{http://www.opengis.net/kml/2.2}"


@dataclass
class UserLayer:
    """What an upload gave: the features that could be read, and every problem met on the way."""

    name: str
    frame: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.hint.startswith("kept")]


@dataclass
class _Row:
    row: int
    geometry: shapely.Geometry
    props: dict
    start: str | None = None
    end: str | None = None


class _Reader:
    """Collects problems for one file, naming the feature or row and the field."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.vertices = 0

    def problem(self, row: int | None, column: str | None, message: str, hint: str) -> None:
        self.problems.append(Problem(self.name, row, column, message, hint))

    def text(self, value: object) -> str:
        """Displayable text: control characters dropped, lone surrogates replaced, at most MAX_TEXT characters."""
        text = "" if value is None else str(value)[:MAX_TEXT * 2]
        text = text.encode("utf-8", "replace").decode("utf-8")
        text = "".join(ch for ch in text if ch >= " " or ch in "\t")
        return text[:MAX_TEXT]

    def dates(self, item: _Row, props: dict) -> None:
        """start/end (or date) from properties; a bad value is reported and the feature kept without it."""
        values = {key: props.get(key) for key in ("start", "end", "date")}
        if not values["start"] and values["date"]:
            values["start"] = values["date"]
        parsed = {}
        for key in ("start", "end"):
            raw = values[key]
            if raw in (None, ""):
                continue
            try:
                parsed[key] = parse_partial_date(str(raw)[:40])
            except ValueError as exc:
                self.problem(item.row, key, str(exc), "kept the feature without this date (fix it as YYYY-MM-DD)")
        if "start" in parsed and "end" in parsed and parsed["end"].value <= parsed["start"].value:
            self.problem(item.row, "end", "is not after start", "kept the feature without an end date")
            parsed.pop("end")
        item.start = parsed["start"].iso if "start" in parsed else None
        item.end = parsed["end"].iso if "end" in parsed else None

    def geometry(self, row: int, geometry: shapely.Geometry) -> shapely.Geometry | None:
        """Reject empty, oversized and projected (metre) coordinates; repair invalid shapes and say so.
        The vertex caps come first: validating a huge self-intersecting ring is what costs time."""
        if geometry is None or geometry.is_empty:
            self.problem(row, "geometry", "is empty", "skipped the feature")
            return None
        count = int(shapely.get_num_coordinates(geometry))
        if count > MAX_VERTICES_FEATURE:
            self.problem(row, "geometry", f"has {count:,} vertices, over the cap of {MAX_VERTICES_FEATURE:,} per feature",
                         "skipped the feature: simplify it in your GIS (e.g. QGIS Simplify) and upload again")
            return None
        if self.vertices + count > MAX_VERTICES_TOTAL:
            self.problem(row, "geometry", f"would take the file past {MAX_VERTICES_TOTAL:,} vertices in total",
                         "skipped this and later features: simplify or split the file")
            return None
        self.vertices += count
        coords = shapely.get_coordinates(geometry)
        if not all(math.isfinite(v) for v in coords.ravel()):
            self.problem(row, "geometry", "has coordinates that are not numbers", "skipped the feature")
            return None
        if (abs(coords[:, 0]) <= 360).all() and (abs(coords[:, 1]) <= 180).all() and (
                (abs(coords[:, 0]) > 180).any() or (abs(coords[:, 1]) > 90).any()):
            self.problem(row, "geometry",
                         f"has a longitude beyond ±180 or a latitude beyond ±90 (such as ({coords[0][0]:g}, "
                         f"{coords[0][1]:g}))", "skipped the feature: check the values, and that longitude comes first")
            return None
        if (abs(coords[:, 0]) > 180).any() or (abs(coords[:, 1]) > 90).any():
            self.problem(row, "geometry",
                         f"has coordinates such as ({coords[0][0]:.0f}, {coords[0][1]:.0f}) outside longitude/latitude "
                         "ranges: they look projected (metres), not degrees",
                         "skipped the feature: export the file in EPSG:4326 (WGS 84 degrees)")
            return None
        if not geometry.is_valid:
            reason = shapely.is_valid_reason(geometry)
            geometry = shapely.make_valid(geometry)
            self.problem(row, "geometry", f"was invalid ({reason})", "kept the feature, repaired with make_valid")
        return geometry


def _read_geojson(reader: _Reader, text: str) -> list[_Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        reader.problem(None, None, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                       "check the file is GeoJSON")
        return []
    except RecursionError:
        reader.problem(None, None, "is nested too deeply to be GeoJSON", "check the file is GeoJSON")
        return []
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        reader.problem(None, "type", "is not a GeoJSON FeatureCollection", "export a FeatureCollection")
        return []
    rows = []
    for index, feature in enumerate(data["features"][:MAX_FEATURES], start=1):
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            reader.problem(index, "geometry", "is missing", "skipped the feature")
            continue
        try:
            geometry = shape(feature["geometry"])
        except (ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            reader.problem(index, "geometry", f"cannot be read ({type(exc).__name__})", "skipped the feature")
            continue
        geometry = reader.geometry(index, geometry)
        if geometry is None:
            continue
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        item = _Row(index, geometry, props)
        reader.dates(item, props)
        rows.append(item)
    if len(data["features"]) > MAX_FEATURES:
        reader.problem(None, None, f"has more than {MAX_FEATURES} features", "kept the first ones only")
    if not data["features"]:
        reader.problem(None, "features", "is an empty list", "add features to the FeatureCollection")
    return rows


def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[n] for n in names if n in lowered), None)


def _csv_delimiter(first_line: str) -> str:
    """The separator of the header row: a comma unless the header holds more semicolons or tabs (Excel in many
    locales writes semicolons)."""
    counts = {d: first_line.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


MAX_CELL_CHARS = 131_072  # the csv module's default cap on one cell


def _csv_records(reader: _Reader, text: str):
    """(row number, record) pairs; a row the csv module cannot read ends the file with a message, not a crash."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # CR-only files (classic Mac, old Excel)
    # The cell cap is this module's own, not whatever another library set the csv module's global to.
    previous = csv.field_size_limit(MAX_CELL_CHARS)
    try:
        yield from _csv_rows(reader, text)
    finally:
        csv.field_size_limit(previous)


def _csv_rows(reader: _Reader, text: str):
    lines = io.StringIO(text, newline="")
    table = csv.DictReader(lines, delimiter=_csv_delimiter(text.split("\n", 1)[0]))
    number = 1
    try:
        table.fieldnames  # noqa: B018 - reads the header
        yield 1, table.fieldnames or []
        for number, record in enumerate(table, start=2):
            yield number, record
    except csv.Error as exc:
        reader.problem(number + 1, None, f"cannot be read as CSV ({str(exc)[:80]})",
                       f"check the quoting near this row; cells over {MAX_CELL_CHARS:,} characters are refused")


def _read_csv(reader: _Reader, text: str) -> list[_Row]:
    records = _csv_records(reader, text)
    first = next(records, None)
    header = [reader.text(h) for h in first[1]] if first else []
    lat, lon = _column(header, LAT_NAMES), _column(header, LON_NAMES)
    if not any(header):
        if not reader.problems:
            reader.problem(1, None, "has no header row (the first line is empty)",
                           "put the column names (lat, lon, ...) on the first line")
        return []
    if not lat or not lon:
        reader.problem(1, None, "has no latitude/longitude columns (header: "
                       f"{', '.join(h[:20] for h in header[:6])})",
                       "name them lat and lon (or latitude and longitude), separated by commas or semicolons")
        return []
    rows = []
    for number, record in records:
        record = {reader.text(k) if k is not None else None: v for k, v in record.items()}
        if number - 1 > MAX_FEATURES:
            reader.problem(number, None, f"is past the first {MAX_FEATURES} rows", "kept the first ones only")
            break
        values = {}
        for column in (lat, lon):
            try:
                values[column] = float(str(record.get(column) or "").strip())
            except ValueError:
                reader.problem(number, column, f"'{reader.text(record.get(column))[:30]}' is not a number",
                               "skipped the row")
        if len(values) < 2:
            continue
        geometry = reader.geometry(number, shapely.Point(values[lon], values[lat]))
        if geometry is None:
            continue
        props = {k: v for k, v in record.items() if k not in (lat, lon) and k is not None}
        item = _Row(number, geometry, props)
        reader.dates(item, props)
        rows.append(item)
    if not rows and not reader.problems:
        reader.problem(None, None, "has a header but no rows", "add one row per feature below the header")
    return rows


def _kml_coords(text: str) -> list[tuple[float, float]]:
    points = []
    for chunk in (text or "").split():
        parts = chunk.split(",")
        points.append((float(parts[0]), float(parts[1])))
    return points


def _kml_geometry(node, depth: int = 0) -> shapely.Geometry | None:
    """A KML geometry element as shapely; MultiGeometry becomes a GeometryCollection (nested at most MAX_KML_DEPTH)."""
    if depth > MAX_KML_DEPTH:
        raise ValueError(f"MultiGeometry nested more than {MAX_KML_DEPTH} deep")
    tag = node.tag.replace(KML_NS, "")
    if tag == "Point":
        return shapely.Point(_kml_coords(node.findtext(f"{KML_NS}coordinates"))[0])
    if tag == "LineString":
        return shapely.LineString(_kml_coords(node.findtext(f"{KML_NS}coordinates")))
    if tag == "Polygon":
        outer = node.find(f"{KML_NS}outerBoundaryIs/{KML_NS}LinearRing/{KML_NS}coordinates")
        inner = node.findall(f"{KML_NS}innerBoundaryIs/{KML_NS}LinearRing/{KML_NS}coordinates")
        return shapely.Polygon(_kml_coords(outer.text), [_kml_coords(i.text) for i in inner])
    if tag == "MultiGeometry":
        parts = [_kml_geometry(child, depth + 1) for child in node]
        parts = [p for p in parts if p is not None]
        return shapely.GeometryCollection(parts) if parts else None
    return None


def _read_kml(reader: _Reader, text: str) -> list[_Row]:
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        reader.problem(None, None, f"is not readable KML ({type(exc).__name__}: {str(exc)[:80]})",
                       "check the file is KML 2.2 (entities and DTDs are refused)")
        return []
    rows = []
    for index, mark in enumerate(root.iter(f"{KML_NS}Placemark"), start=1):
        geometry = None
        for child in mark:
            try:
                geometry = _kml_geometry(child)
            except (ValueError, IndexError, AttributeError, ShapelyError) as exc:
                reader.problem(index, "coordinates", f"cannot be read ({str(exc)[:60] or type(exc).__name__})",
                               "skipped the placemark")
                geometry = None
                break
            if geometry is not None:
                break
        if geometry is None:
            if not any(p.row == index for p in reader.problems):
                reader.problem(index, "geometry", "has no Point, LineString or Polygon", "skipped the placemark")
            continue
        geometry = reader.geometry(index, geometry)
        if geometry is None:
            continue
        props = {"name": mark.findtext(f"{KML_NS}name") or "", "description": mark.findtext(f"{KML_NS}description") or ""}
        span = mark.find(f"{KML_NS}TimeSpan")
        stamp = mark.findtext(f"{KML_NS}TimeStamp/{KML_NS}when")
        if span is not None:
            props["start"] = (span.findtext(f"{KML_NS}begin") or "")[:10]
            props["end"] = (span.findtext(f"{KML_NS}end") or "")[:10]
        elif stamp:
            props["start"] = stamp[:10]
        item = _Row(index, geometry, props)
        reader.dates(item, props)
        rows.append(item)
    if not rows and not reader.problems:
        reader.problem(None, None, "has no placemarks", "add Placemark elements with a Point, LineString or Polygon")
    return rows


def safe_file_name(name: str) -> str:
    """The file name as messages show it: letters, digits and . _ - ( ) and spaces, at most 80 characters."""
    return "".join(ch for ch in str(name) if ch.isalnum() or ch in "._-() ")[:80] or "upload"


def empty_layer(name: str, problems: list[Problem]) -> UserLayer:
    """A layer with no features, only the problems that explain why."""
    return UserLayer(name, _frame(_Reader(name), []), list(problems))


def read_user_layer(name: str, data: bytes) -> UserLayer:
    """Read an uploaded file; never raises for bad content: problems are returned with the features that survived.
    Heavy work: in the app, call it through geo.upload_worker.read_user_layer_bounded."""
    safe_name = safe_file_name(name)
    reader = _Reader(safe_name)
    suffix = "." + safe_name.rsplit(".", 1)[-1].lower() if "." in safe_name else ""
    kind = KINDS.get(suffix)
    rows: list[_Row] = []
    if kind is None:
        reader.problem(None, None, "has an extension this app does not read", "upload .geojson, .json, .csv or .kml")
    elif len(data) > MAX_UPLOAD_BYTES:
        reader.problem(None, None, f"is {len(data) / 1e6:.1f} MB, over the {MAX_UPLOAD_BYTES // 1_000_000} MB cap",
                       "split the file or simplify its geometry")
    elif not data.strip():
        reader.problem(None, None, "is empty", "upload a file with features")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            reader.problem(None, None, f"is not UTF-8 text (byte {exc.start})", "save the file as UTF-8")
            text = None
        if text is not None:
            rows = {"geojson": _read_geojson, "csv": _read_csv, "kml": _read_kml}[kind](reader, text)
    return UserLayer(safe_name, _frame(reader, rows), reader.problems)


def _frame(reader: _Reader, rows: list[_Row]) -> gpd.GeoDataFrame:
    records = []
    for item in rows:
        title = next((reader.text(item.props[k]) for k in NAME_KEYS if item.props.get(k)), f"Feature {item.row}")
        details = {reader.text(k)[:60]: reader.text(v) for k, v in list(item.props.items())[:30]
                   if k not in NAME_KEYS and v not in (None, "") and not isinstance(v, (dict, list))}
        records.append({"id": f"upload-{item.row}", "name": title, "start": item.start, "end": item.end,
                        "details": details, "geometry": item.geometry})
    columns = ["id", "name", "start", "end", "details", "geometry"]
    return gpd.GeoDataFrame(records, columns=columns, geometry="geometry", crs="EPSG:4326")
