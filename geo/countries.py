"""Natural Earth country polygons keyed by ISO 3166-1 alpha-3, and equal-area helpers."""

from __future__ import annotations

import functools

import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.paths import BASE

EQUAL_AREA = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global: equal-area, metres

# Natural Earth 1:50m countries the 1:110m table cannot name (it lacks them or has -99).
_EXTRA_ISO3 = {
    "048": "BHR", "702": "SGP", "470": "MLT", "462": "MDV", "480": "MUS", "174": "COM",
    "578": "NOR", "690": "SYC", "132": "CPV", "020": "AND", "492": "MCO", "336": "VAT",
    "674": "SMR", "438": "LIE", "344": "HKG", "446": "MAC",
}
_EXTRA_BY_NAME = {"Somaliland": "SOL", "Kosovo": "KOS", "N. Cyprus": "CYN"}


def _alpha3(props: dict) -> str:
    iso = props.get("ISO_A3", "-99")
    return iso if iso != "-99" else props["ADM0_A3"]


def polygons_only(geometry: BaseGeometry) -> BaseGeometry:
    """Drop points and lines that make_valid or an intersection may leave behind."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _unwrap_ring(coords: "np.ndarray") -> "np.ndarray":
    """Make longitudes continuous along a ring that crosses the antimeridian (179 -> -179 becomes 179 -> 181)."""
    out = coords.copy()
    shift = 0.0
    for i in range(1, len(out)):
        step = coords[i, 0] - coords[i - 1, 0]
        if step > 180:
            shift -= 360
        elif step < -180:
            shift += 360
        out[i, 0] = coords[i, 0] + shift
    return out


def split_antimeridian(geometry: BaseGeometry) -> BaseGeometry:
    """Cut polygons whose rings cross the antimeridian into parts within -180..180 (no edge spans the globe)."""
    parts = []
    for polygon in shapely.get_parts(geometry):
        ring = np.asarray(polygon.exterior.coords)
        if polygon.geom_type != "Polygon" or np.abs(np.diff(ring[:, 0])).max(initial=0) <= 180:
            parts.append(polygon)
            continue
        unwrapped = shapely.make_valid(shapely.Polygon(_unwrap_ring(ring)))
        for offset in (-360.0, 0.0, 360.0):
            window = shapely.box(-180 - offset, -90, 180 - offset, 90)
            piece = unwrapped.intersection(window)
            if not piece.is_empty:
                parts.append(shapely.transform(piece, lambda xy, o=offset: xy + np.array([o, 0.0])))
    return polygons_only(shapely.union_all(parts)) if parts else geometry


@lru_cache(maxsize=4)
def load_countries(base: Path = BASE) -> gpd.GeoDataFrame:
    """The 1:50m countries with an `iso3` column, in EPSG:4326, sorted by iso3."""
    small = json.loads((base / "ne_110m_admin_0_countries.geojson").read_text(encoding="utf-8"))
    by_number = {
        f["properties"]["ISO_N3"]: _alpha3(f["properties"])
        for f in small["features"]
        if f["properties"]["ISO_N3"] != "-99"
    }
    by_number.update(_EXTRA_ISO3)
    frame = gpd.read_file(base / "world_atlas_countries_50m.geojson")
    frame["iso3"] = [
        by_number.get(str(number)) or _EXTRA_BY_NAME.get(name)
        for number, name in zip(frame["id"], frame["name"])
    ]
    frame["geometry"] = [polygons_only(split_antimeridian(g)) for g in shapely.make_valid(
        [split_antimeridian(g) for g in frame.geometry.values])]
    frame = frame.dropna(subset=["iso3"]).dissolve(by="iso3", as_index=False, aggfunc="first")
    return frame[["iso3", "name", "geometry"]].sort_values("iso3").reset_index(drop=True)


def country_shape(iso3: str, base: Path = BASE) -> BaseGeometry | None:
    """One country's polygon, or None when the code is unknown."""
    frame = load_countries(base)
    match = frame.loc[frame["iso3"] == iso3, "geometry"]
    return None if match.empty else match.iloc[0]


def known_iso3(base: Path = BASE) -> frozenset[str]:
    return frozenset(load_countries(base)["iso3"])


def area_km2(geometries: gpd.GeoSeries) -> list[float]:
    """Areas in km² computed in an equal-area projection (never in degrees)."""
    return list(geometries.to_crs(EQUAL_AREA).area / 1e6)


def distance_km(geometry: BaseGeometry, lon: float, lat: float) -> float:
    """Approximate distance in km from a point to a geometry (0 when inside)."""
    point = shapely.Point(lon, lat)
    if geometry.covers(point):
        return 0.0
    frame = gpd.GeoSeries([geometry, point], crs="EPSG:4326").to_crs(
        f"+proj=aeqd +lat_0={lat:.4f} +lon_0={lon:.4f} +datum=WGS84 +units=m"
    )
    return float(frame.iloc[0].distance(frame.iloc[1]) / 1000)


@functools.lru_cache(maxsize=1)
def country_names(base: Path = BASE) -> dict[str, str]:
    """ISO alpha-3 code -> the country's name (Natural Earth), for popups, tables and filters."""
    frame = load_countries(base)
    return {iso: name for iso, name in zip(frame["iso3"], frame["name"]) if iso}
