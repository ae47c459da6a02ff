"""Provinces and branches -> one feature per period in which a branch's phase and operating area both hold."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import geopandas as gpd
import shapely
from shapely import wkt
from shapely.errors import ShapelyError

from geo.countries import EQUAL_AREA, country_shape, polygons_only
from geo.errors import Problem, SourceError
from geo.dates import PartialDate
from geo.load import Sources
from geo.models import Area, Phase, Province

SIMPLIFY_DEGREES = 0.02
CONFIDENCE_ORDER = ("low", "medium", "high")


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
        {"rival": r.rival, "start": r.start.iso if r.start else None, "end": r.end.iso if r.end else None,
         "refs": list(r.refs), "note": r.note}
        for r in sorted(sources.rivals.records, key=lambda r: ((r.start.value if r.start else dt.date.min), r.id))
        if r.province_id == province_id
    ]
    return events, strength, rivals


@dataclass(frozen=True)
class Period:
    """One stretch of a branch's history in which its phase and its operating area both hold."""

    start: PartialDate
    end: PartialDate | None
    phase: Phase | None
    area: Area | None
    regions: tuple[str, ...]


def _phases(sources: Sources, province: Province) -> list[Phase]:
    return sorted((p for p in sources.phases.records if p.province_id == province.id), key=lambda p: p.start.value)


def _areas(sources: Sources, province: Province) -> list[Area]:
    return sorted((a for a in sources.areas.records if a.province_id == province.id), key=lambda a: a.start.value)


def periods(sources: Sources, province: Province) -> list[Period]:
    """The branch's history cut where its phase or its area changes; ended phases and dates without an area are
    left out (nothing is drawn). A branch without phases is active from its announcement; one without area
    periods keeps the regions of provinces.csv from its first phase (or announcement) to its end."""
    phases, areas = _phases(sources, province), _areas(sources, province)
    first = phases[0].start if phases else province.announced
    fallback = None if areas else (first, province.end, tuple(province.regions))
    cuts: dict[dt.date, PartialDate] = {}
    for when in [p.start for p in phases] + [a.start for a in areas] + [a.end for a in areas if a.end] + [first] + (
            [province.end] if province.end else []):
        cuts.setdefault(when.value, when)
    days = sorted(cuts)
    out: list[Period] = []
    for index, day in enumerate(days):
        end = cuts[days[index + 1]] if index + 1 < len(days) else None
        if day < first.value:  # an area recorded before the branch's first phase (or announcement): not drawn
            continue
        phase = next((p for p in reversed(phases) if p.start.value <= day), None)
        if phases and phase is None:
            continue
        if phase is not None and phase.phase == "ended":
            continue
        if province.end and day >= province.end.value:
            continue
        area = next((a for a in areas if a.start.value <= day and (a.end is None or a.end.value > day)), None)
        if fallback is not None and day >= fallback[0].value:
            regions = fallback[2]
        elif area is not None:
            regions = tuple(area.regions)
        else:
            regions = ()  # a phase with no documented ground: the branch is shown at its anchor
        if out and out[-1].phase == phase and out[-1].area == area and out[-1].end is not None \
                and out[-1].end.value == day:
            out[-1] = Period(out[-1].start, end, phase, area, regions)
        else:
            out.append(Period(cuts[day], end, phase, area, regions))
    return out


def _weakest(*levels: str) -> str:
    return min(levels, key=CONFIDENCE_ORDER.index)


def build_affiliates(sources: Sources) -> gpd.GeoDataFrame:
    """One feature per period of each branch (see `periods`): geometry = union of that period's regions."""
    problems = check_regions(sources)
    if problems:
        raise SourceError(problems)
    regions = sources.regions.by_id()
    shape_of = functools.lru_cache(maxsize=None)(lambda region_id: region_shape(sources, region_id))
    rows = []
    for province in sorted(sources.provinces.records, key=lambda p: p.id):
        events, strength, rivals = _history(sources, province.id)
        for period in periods(sources, province):
            phase, area = period.phase, period.area
            refs = list(dict.fromkeys([*province.refs, *(phase.refs if phase else []), *(area.refs if area else [])]))
            rows.append({
                "id": f"{province.id}--{period.start.iso}",
                "province_id": province.id,
                "name": province.name,
                "aliases": list(province.aliases),
                "announced": province.announced.iso,
                "announced_precision": province.announced.precision,
                "start": period.start.iso,
                "start_precision": period.start.precision,
                "end": period.end.iso if period.end else None,
                "end_precision": period.end.precision if period.end else None,
                "end_reason": province.end_reason,
                "successor_id": (phase.successor_id if phase and phase.successor_id else province.successor_id) or None,
                "phase": phase.phase if phase else "active",
                "phase_change": phase.change if phase else None,
                "phase_detail": phase.detail if phase else "",
                "area_note": _area_note(period, area),
                "regions": [regions[r].name for r in period.regions],
                "countries": sorted({regions[r].country for r in period.regions}),
                "anchor_name": province.anchor_name,
                "anchor_lon": province.anchor_lon,
                "anchor_lat": province.anchor_lat,
                "anchor_note": province.anchor_note,
                "confidence": _weakest(province.confidence, *(x.confidence for x in (phase, area) if x)),
                "refs": refs,
                "summary": province.summary,
                "events": events,
                "strength": strength,
                "rivals": rivals,
                "geometry": (polygons_only(shapely.union_all([shape_of(r) for r in period.regions])) if period.regions
                             else shapely.Point(province.anchor_lon, province.anchor_lat)),
            })
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["area_km2"] = (frame.geometry.to_crs(EQUAL_AREA).area / 1e6).round(0)
    frame["geometry"] = [
        g if g.geom_type == "Point" else polygons_only(shapely.make_valid(g))
        for g in shapely.set_precision(frame.geometry.simplify(SIMPLIFY_DEGREES).values, 1e-4)
    ]
    return frame


def _area_note(period: Period, area: Area | None) -> str:
    if not period.regions:
        return ((area.note + " ") if area and area.note else "") + \
            "No operating area is documented for this period: the branch is shown at its anchor only."
    return area.note if area else "Operating area as recorded for the province as a whole (provinces.csv)."
