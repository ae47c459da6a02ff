"""Offline basemap: simplified country outlines and key-place labels."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import shapely

from geo.countries import load_countries, polygons_only
from geo.paths import BASE

BASEMAP_DEGREES = 0.03
WORLD_DEGREES = 0.1
# Where analysts zoom in (the Middle East, North and East Africa, Central Asia): finer outlines.
FOCUS = shapely.box(20.0, 5.0, 65.0, 45.0)


def basemap_countries(base: Path = BASE, tolerance: float = BASEMAP_DEGREES,
                      world_tolerance: float = WORLD_DEGREES) -> gpd.GeoDataFrame:
    """Country outlines simplified for display (coverage-preserving, so borders stay shared): fine in the
    focus region, coarser elsewhere, which keeps the file the browser loads small."""
    frame = load_countries(base)[["iso3", "name", "geometry"]].copy()
    fine = shapely.set_precision(frame.geometry.simplify_coverage(tolerance).values, 1e-3)
    coarse = shapely.set_precision(frame.geometry.simplify_coverage(world_tolerance).values, 1e-2)
    near = frame.geometry.representative_point().within(FOCUS).values
    frame["geometry"] = [polygons_only(shapely.make_valid(f if n else c)) for f, c, n in zip(fine, coarse, near)]
    return frame[~frame.geometry.is_empty].reset_index(drop=True)


BASEMAP_FILE = "basemap.geojson"


def basemap_json(base: Path = BASE) -> bytes:
    """The basemap as the browser loads it (compact GeoJSON). `python -m geo build` writes it beside the layers,
    so a server starting up reads it instead of simplifying the world's borders again (1.5 s)."""
    frame = basemap_countries(base)
    return json.dumps(json.loads(frame.to_json(drop_id=True)), separators=(",", ":")).encode("utf-8")


def load_basemap_json(directory: Path, base: Path = BASE) -> bytes:
    """The built basemap of a data directory; computed afresh for a directory built without one."""
    path = directory / BASEMAP_FILE
    return path.read_bytes() if path.is_file() else basemap_json(base)


def key_places(base: Path = BASE) -> list[dict]:
    """Labels for the basemap: gazetteer places that have coordinates (GeoNames, CC BY 4.0)."""
    out: list[dict] = []
    seen: set[str] = set()
    with (base / "gazetteer_key_places.csv").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if not row["lat"] or not row["lon"] or row["label"] in seen:
                continue
            seen.add(row["label"])
            out.append({"name": row["label"], "lat": round(float(row["lat"]), 4), "lon": round(float(row["lon"]), 4)})
    return out


LABEL_NEAR_PLOT_KM = 25.0


def dated_labels(labels: list[dict], frames: dict) -> list[dict]:
    """Labels with the date from which the map shows them (`since`, or None for always).

    A place that lies in ground IS held or in a province's operating area, on any date, is always labelled. A place
    outside them is on the map because of a plot or attack: it is labelled from the first plot within
    LABEL_NEAR_PLOT_KM of it, so a 2014 map does not name the targets of 2024."""
    import shapely

    areas = [frames[name].geometry for name in ("territory", "affiliates") if name in frames and len(frames[name])]
    union = shapely.union_all([g for series in areas for g in series]) if areas else shapely.GeometryCollection()
    plots = frames.get("plots")
    targets = []
    if plots is not None and len(plots):
        targets = sorted(zip(plots["date"], plots["target_lon"], plots["target_lat"]))
    out = []
    for label in labels:
        point = shapely.Point(label["lon"], label["lat"])
        since = None
        if not union.covers(point):
            near = [d for d, lon, lat in targets
                    if _km(label["lon"], label["lat"], lon, lat) <= LABEL_NEAR_PLOT_KM]
            since = near[0] if near else None
        out.append({**label, "since": since})
    return out


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (haversine)."""
    import math

    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))
