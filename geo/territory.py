"""Place histories -> territory cells valid over intervals (method: docs/method-territory.md)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.countries import EQUAL_AREA, country_shape, polygons_only
from geo.load import Sources
from geo.models import ControlInterval, Place

METHOD = "nearest-place cells: core within the place's radius, hinterland beyond it, v2 (docs/method-territory.md)"

# Radius (km) of ground a place stands for when its row gives none.
DEFAULT_RADIUS_KM = {
    "city": 30.0, "town": 20.0, "village": 12.0, "district": 15.0, "area": 40.0,
    "dam": 8.0, "oil_field": 8.0, "air_base": 8.0, "military_base": 8.0, "border_crossing": 8.0,
}
# Settlements and desert anchors also stand for the countryside around them, out to this distance
# (never past a nearer listed place, nor a border): the low-confidence hinterland. Facilities do not.
HINTERLAND_KM = 35.0
HINTERLAND_KINDS = frozenset({"city", "town", "village", "district", "area"})
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
    the core (within its radius) and the hinterland (beyond it, out to hinterland_km)."""
    shape = country_shape(iso3)
    crs = _local_crs(shape)
    outline = gpd.GeoSeries([shape], crs="EPSG:4326").to_crs(crs).iloc[0]
    points = gpd.GeoSeries(
        [shapely.Point(p.lon, p.lat) for p in places], crs="EPSG:4326"
    ).to_crs(crs)
    if len(places) == 1:
        regions = [outline]
    else:
        # Equal points share a cell; duplicates are dropped by Voronoi, so nudge them apart.
        coords = shapely.get_coordinates(points.values)
        voronoi = shapely.voronoi_polygons(
            shapely.MultiPoint(coords), extend_to=outline.envelope.buffer(1e6), ordered=True
        )
        regions = list(shapely.get_parts(voronoi))
    rows: list[dict] = []
    for place, point, region in zip(places, points, regions):
        land = region.intersection(outline)
        core = polygons_only(land.intersection(point.buffer(radius_km(place) * 1000, quad_segs=16)))
        rows.append({"place_id": place.id, "zone": "core", "geometry": core})
        outer_km = hinterland_km(place)
        if outer_km > radius_km(place):
            outer = land.intersection(point.buffer(outer_km * 1000, quad_segs=16))
            rows.append({"place_id": place.id, "zone": "hinterland", "geometry": polygons_only(outer.difference(core))})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs).to_crs("EPSG:4326")


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
    cells = cells[~cells.geometry.is_empty].sort_values(["place_id", "zone"]).reset_index(drop=True)
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
    """One feature per control interval and zone: the place's core or hinterland, valid from start to end."""
    cells = build_cells(sources)
    zones = {(row.place_id, row.zone): row for row in cells.itertuples()}
    places = sources.places.by_id()
    rows = []
    for interval in sorted(sources.control.records, key=lambda r: r.id):
        place = places[interval.place_id]
        for zone in ("core", "hinterland"):
            cell = zones.get((place.id, zone))
            if cell is None:
                continue
            rows.append(_feature(interval, place, zone, cell))
    columns = ["id", "interval_id", "zone", "place_id", "place", "country", "kind", "start", "start_precision", "end",
               "end_precision", "confidence", "area_km2", "radius_km", "method", "refs", "summary", "geometry"]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs="EPSG:4326")


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
