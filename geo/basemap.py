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
