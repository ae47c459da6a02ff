"""Provinces and branches -> features with their operating area, history, strength and rivals."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely import wkt
from shapely.errors import ShapelyError

from geo.countries import EQUAL_AREA, country_shape, polygons_only
from geo.errors import Problem, SourceError
from geo.load import Sources

SIMPLIFY_DEGREES = 0.02


def region_shape(sources: Sources, region_id: str) -> shapely.Geometry:
    """A region: its country's polygon, clipped to the region's WKT polygon when one is given."""
    region = sources.regions.by_id()[region_id]
    shape = country_shape(region.country)
    if region.clip_wkt:
        shape = polygons_only(shape.intersection(wkt.loads(region.clip_wkt)))
    return shape


def check_regions(sources: Sources) -> list[Problem]:
    """Each clip is a valid lon/lat polygon that overlaps its country."""
    problems = []
    for region in sources.regions.records:
        if not region.clip_wkt:
            continue
        where = sources.regions.locate(region)
        try:
            clip = wkt.loads(region.clip_wkt)
        except (ShapelyError, ValueError) as exc:
            problems.append(Problem(where.file, where.row, "clip_wkt", f"is not readable WKT ({exc})",
                                    "write POLYGON((lon lat, lon lat, ...)) with the first point repeated last"))
            continue
        if clip.geom_type not in ("Polygon", "MultiPolygon") or not clip.is_valid:
            problems.append(Problem(where.file, where.row, "clip_wkt", "is not a valid polygon",
                                    "close the ring and avoid self-crossing edges"))
            continue
        minx, miny, maxx, maxy = clip.bounds
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            problems.append(Problem(where.file, where.row, "clip_wkt", "has coordinates outside lon/lat range",
                                    "write longitude first, then latitude"))
            continue
        shape = country_shape(region.country)
        if shape is not None and not shape.intersects(clip):
            problems.append(Problem(where.file, where.row, "clip_wkt", f"does not overlap {region.country}",
                                    "check the polygon and the country code"))
    return problems


def _history(sources: Sources, province_id: str) -> tuple[list[dict], list[dict], list[dict]]:
    events = [
        {"date": e.date.iso, "date_precision": e.date.precision, "event": e.event, "status_after": e.status_after,
         "related_id": e.related_id or None, "detail": e.detail, "confidence": e.confidence, "refs": list(e.refs)}
        for e in sorted(sources.events.records, key=lambda e: (e.date.value, e.id)) if e.province_id == province_id
    ]
    strength = [
        {"as_of": s.as_of.iso, "as_of_precision": s.as_of.precision, "low": s.low, "high": s.high,
         "qualifier": s.qualifier, "confidence": s.confidence, "refs": list(s.refs), "note": s.note}
        for s in sorted(sources.strength.records, key=lambda s: (s.as_of.value, s.id)) if s.province_id == province_id
    ]
    rivals = [
        {"rival": r.rival, "refs": list(r.refs), "note": r.note}
        for r in sorted(sources.rivals.records, key=lambda r: r.id) if r.province_id == province_id
    ]
    return events, strength, rivals


def build_affiliates(sources: Sources) -> gpd.GeoDataFrame:
    """One feature per province: geometry = union of its regions, simplified for display."""
    problems = check_regions(sources)
    if problems:
        raise SourceError(problems)
    regions = sources.regions.by_id()
    rows = []
    for province in sorted(sources.provinces.records, key=lambda p: p.id):
        shapes = [region_shape(sources, r) for r in province.regions]
        area = polygons_only(shapely.union_all(shapes))
        events, strength, rivals = _history(sources, province.id)
        rows.append({
            "id": province.id,
            "name": province.name,
            "aliases": list(province.aliases),
            "start": province.announced.iso,
            "start_precision": province.announced.precision,
            "end": province.end.iso if province.end else None,
            "end_precision": province.end.precision if province.end else None,
            "end_reason": province.end_reason,
            "successor_id": province.successor_id or None,
            "countries": sorted({regions[r].country for r in province.regions}),
            "anchor_name": province.anchor_name,
            "anchor_lon": province.anchor_lon,
            "anchor_lat": province.anchor_lat,
            "anchor_note": province.anchor_note,
            "confidence": province.confidence,
            "refs": list(province.refs),
            "summary": province.summary,
            "events": events,
            "strength": strength,
            "rivals": rivals,
            "geometry": area,
        })
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["area_km2"] = (frame.geometry.to_crs(EQUAL_AREA).area / 1e6).round(0)
    frame["geometry"] = [
        polygons_only(shapely.make_valid(g))
        for g in shapely.set_precision(frame.geometry.simplify(SIMPLIFY_DEGREES).values, 1e-4)
    ]
    return frame
