"""Place histories -> territory cells valid over intervals (method: docs/method-territory.md)."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.countries import EQUAL_AREA, country_shape, polygons_only
from geo.load import Sources
from geo.models import ControlInterval, Place

METHOD = ("nearest-place cells: core within the place's radius, hinterland beyond it, ground between held "
          "neighbours, v3 (docs/method-territory.md)")

# Radius (km) of ground a place stands for when its row gives none.
DEFAULT_RADIUS_KM = {
    "city": 20.0, "town": 12.0, "village": 8.0, "district": 10.0, "area": 40.0,
    "dam": 8.0, "oil_field": 8.0, "air_base": 8.0, "military_base": 8.0, "border_crossing": 8.0,
}
# Settlements and desert anchors also stand for the countryside around them, out to this distance
# (never past a nearer listed place, nor a border): the low-confidence hinterland. Facilities do not.
HINTERLAND_KM = 20.0
HINTERLAND_KINDS = frozenset({"city", "town", "village", "district", "area"})
# Ground between held places (the "between" zone): a triangle of the Delaunay mesh of a country's listed
# places whose three corners IS held on a date, and whose edges are all at most this long, is held on that
# date beyond its corners' own zones. Every listed place is a corner of the triangles around it, so the
# fill never crosses a place IS did not hold on that date (a never-held town, a base that held out).
FILL_MAX_EDGE_KM = 100.0
# Shared borders are simplified together (coverage-preserving) to this tolerance, in degrees.
SIMPLIFY_DEGREES = 0.01
CONFIDENCE_ORDER = ("low", "medium", "high")


def radius_km(place: Place) -> float:
    return place.radius_km if place.radius_km is not None else DEFAULT_RADIUS_KM[place.kind]


def hinterland_km(place: Place) -> float:
    """Outer radius of the hinterland; equal to the core radius (no hinterland) for facilities."""
    core = radius_km(place)
    return max(core, HINTERLAND_KM) if place.kind in HINTERLAND_KINDS else core


def _local_crs(shape: shapely.Geometry) -> str:
    """A Lambert azimuthal equal-area projection centred on the country (distances near-true)."""
    centre = shape.centroid
    return f"+proj=laea +lat_0={centre.y:.1f} +lon_0={centre.x:.1f} +datum=WGS84 +units=m +no_defs"


def country_cells(places: list[Place], iso3: str) -> gpd.GeoDataFrame:
    """Two zones per place, from the land of its country nearer to it than to any other listed place:
    the core (within its radius) and the hinterland (beyond it, out to hinterland_km); and the
    "between" zone of each fill triangle (see FILL_MAX_EDGE_KM)."""
    shape = country_shape(iso3)
    crs = _local_crs(shape)
    outline = gpd.GeoSeries([shape], crs="EPSG:4326").to_crs(crs).iloc[0]
    points = list(gpd.GeoSeries([shapely.Point(p.lon, p.lat) for p in places], crs="EPSG:4326").to_crs(crs))
    lands = [region.intersection(outline) for region in _voronoi_regions(points, outline)]
    rows: list[dict] = []
    reach: list[shapely.Geometry] = []
    for place, point, land in zip(places, points, lands):
        core = polygons_only(land.intersection(point.buffer(radius_km(place) * 1000, quad_segs=16)))
        rows.append({"place_id": place.id, "zone": "core", "corners": "", "geometry": core})
        outer_km = hinterland_km(place)
        outer = point.buffer(outer_km * 1000, quad_segs=16)
        reach.append(outer)
        if outer_km > radius_km(place):
            rows.append({"place_id": place.id, "zone": "hinterland", "corners": "",
                         "geometry": polygons_only(land.intersection(outer).difference(core))})
    for corners in fill_triangles(places, points):
        triangle = shapely.Polygon([points[i] for i in corners])
        parts = [lands[i].intersection(triangle).difference(reach[i]) for i in corners]
        piece = polygons_only(shapely.union_all(parts))
        if not piece.is_empty:
            rows.append({"place_id": places[corners[0]].id, "zone": "between",
                         "corners": "+".join(places[i].id for i in corners), "geometry": piece})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs).to_crs("EPSG:4326")


def _voronoi_regions(points: list[shapely.Point], outline: shapely.Geometry) -> list[shapely.Geometry]:
    """Each point's Voronoi region, in the order of the points."""
    if len(points) == 1:
        return [outline]
    voronoi = shapely.voronoi_polygons(
        shapely.MultiPoint(points), extend_to=outline.envelope.buffer(1e6), ordered=True
    )
    return list(shapely.get_parts(voronoi))


def fill_triangles(places: list[Place], points: list[shapely.Point]) -> list[tuple[int, int, int]]:
    """Delaunay triangles of every listed place of a country (held or not), as sorted index triples,
    kept when no edge is longer than FILL_MAX_EDGE_KM. Whether a triangle is held is a question of dates (see fill_windows)."""
    if len(points) < 3:
        return []
    index = {(round(p.x, 3), round(p.y, 3)): i for i, p in enumerate(points)}
    out = []
    for triangle in shapely.get_parts(shapely.delaunay_triangles(shapely.MultiPoint(points))):
        coords = shapely.get_coordinates(triangle)[:3]
        corners = [index.get((round(x, 3), round(y, 3))) for x, y in coords]
        if any(c is None for c in corners) or len(set(corners)) < 3:
            continue
        edges = [float(np.hypot(*(coords[i] - coords[(i + 1) % 3]))) for i in range(3)]
        if max(edges) <= FILL_MAX_EDGE_KM * 1000:
            out.append(tuple(sorted(corners)))
    return sorted(set(out))


def build_cells(sources: Sources) -> gpd.GeoDataFrame:
    """Cells of every place in every country, simplified as one coverage, sorted by place id."""
    places = sorted(sources.places.records, key=lambda p: p.id)
    by_country: dict[str, list[Place]] = {}
    for place in places:
        by_country.setdefault(place.country, []).append(place)
    frames = [country_cells(group, iso3) for iso3, group in sorted(by_country.items())]
    cells = pd.concat(frames, ignore_index=True)
    cells = gpd.GeoDataFrame(cells, geometry="geometry", crs="EPSG:4326")
    # Snap to a 0.1 m-scale grid first: it merges the slivers that differences leave between zones.
    snapped = shapely.set_precision(shapely.make_valid(cells.geometry.values), 1e-6)
    cells["geometry"] = [polygons_only(shapely.make_valid(g)) for g in snapped]
    cells = cells[~cells.geometry.is_empty].sort_values(["place_id", "zone", "corners"]).reset_index(drop=True)
    simplified = cells.geometry.simplify_coverage(SIMPLIFY_DEGREES)
    simplified = shapely.set_precision(simplified.values, 1e-5)
    cells["geometry"] = [polygons_only(shapely.make_valid(g)) for g in simplified]
    cells = cells[~cells.geometry.is_empty].reset_index(drop=True)
    cells["area_km2"] = np.round(cells.geometry.to_crs(EQUAL_AREA).area / 1e6, 1)
    return cells


def cell_confidence(interval_confidence: str, place: Place, zone: str) -> str:
    """An interval's confidence; the hinterland is always low, desert and rural anchors at most medium."""
    if zone == "hinterland":
        return "low"
    if place.kind == "area" and interval_confidence == "high":
        return "medium"
    return interval_confidence


def build_territory(sources: Sources) -> gpd.GeoDataFrame:
    """One feature per control interval and zone (the place's core or hinterland, valid from start to end),
    and one per fill triangle and window when all its corners were held."""
    cells = build_cells(sources)
    zones = {(row.place_id, row.zone): row for row in cells.itertuples() if row.zone != "between"}
    places = sources.places.by_id()
    rows = []
    for interval in sorted(sources.control.records, key=lambda r: r.id):
        place = places[interval.place_id]
        for zone in ("core", "hinterland"):
            cell = zones.get((place.id, zone))
            if cell is None:
                continue
            rows.append(_feature(interval, place, zone, cell))
    by_place: dict[str, list[ControlInterval]] = {}
    for interval in sources.control.records:
        by_place.setdefault(interval.place_id, []).append(interval)
    for cell in cells[cells.zone == "between"].itertuples():
        corners = [places[i] for i in cell.corners.split("+")]
        for number, window in enumerate(fill_windows([by_place.get(p.id, []) for p in corners]), start=1):
            rows.append(_between_feature(corners, window, number, cell))
    columns = ["id", "interval_id", "zone", "place_id", "place", "country", "kind", "start", "start_precision", "end",
               "end_precision", "confidence", "area_km2", "radius_km", "method", "refs", "summary", "geometry"]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs="EPSG:4326")


def fill_windows(histories: list[list[ControlInterval]]) -> list[tuple[ControlInterval, ...]]:
    """The combinations of one interval per corner that overlap in time, in date order: each is a window
    when IS held every corner (from the latest start to the earliest end)."""
    windows: list[tuple[ControlInterval, ...]] = [()]
    for history in histories:
        windows = [w + (i,) for w in windows for i in sorted(history, key=lambda r: r.start.value)
                   if _window_start(w + (i,)) < _window_end(w + (i,))]
    return sorted(windows, key=_window_start)


def _window_start(window: tuple[ControlInterval, ...]):
    return max(i.start.value for i in window)


def _window_end(window: tuple[ControlInterval, ...]):
    ends = [i.end.value for i in window if i.end is not None]
    return min(ends) if ends else date.max


def _between_feature(corners: list[Place], window: tuple[ControlInterval, ...], number: int, cell: tuple) -> dict:
    """The ground between three held places, over the window when IS held all three."""
    first = max(window, key=lambda i: i.start.value)
    ending = [i for i in window if i.end is not None]
    last = min(ending, key=lambda i: i.end.value) if ending else None
    names = [p.name for p in corners]
    refs = list(dict.fromkeys(ref for interval in window for ref in interval.refs))
    return {
        "id": f"{'--'.join(p.id for p in corners)}--between-{number}",
        "interval_id": "+".join(i.id for i in window),
        "zone": "between",
        "place_id": "+".join(p.id for p in corners),
        "place": f"Between {names[0]}, {names[1]} and {names[2]}",
        "country": corners[0].country,
        "kind": "between",
        "start": first.start.iso,
        "start_precision": first.start.precision,
        "end": last.end.iso if last else None,
        "end_precision": last.end.precision if last else None,
        "confidence": "low",
        "area_km2": float(cell.area_km2),
        "radius_km": FILL_MAX_EDGE_KM,
        "method": METHOD,
        "refs": refs,
        "summary": (f"Open ground between {names[0]}, {names[1]} and {names[2]}, drawn as held while IS held all "
                    f"three (they lie within {FILL_MAX_EDGE_KM:.0f} km of one another): an inference from the "
                    "places' histories, not a documented front line."),
        "geometry": cell.geometry,
    }


def _feature(interval: ControlInterval, place: Place, zone: str, cell: tuple) -> dict:
    """The properties and geometry of one zone of one interval."""
    return {
        "id": interval.id if zone == "core" else f"{interval.id}--hinterland",
        "interval_id": interval.id,
        "zone": zone,
        "place_id": place.id,
        "place": place.name,
        "country": place.country,
        "kind": place.kind,
        "start": interval.start.iso,
        "start_precision": interval.start.precision,
        "end": interval.end.iso if interval.end else None,
        "end_precision": interval.end.precision if interval.end else None,
        "confidence": cell_confidence(interval.confidence, place, zone),
        "area_km2": float(cell.area_km2),
        "radius_km": radius_km(place) if zone == "core" else hinterland_km(place),
        "method": METHOD,
        "refs": list(interval.refs),
        "summary": interval.summary,
        "geometry": cell.geometry,
    }
