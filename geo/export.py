"""Filtered exports of a built layer: the one function behind the CLI and the app's downloads."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd

from geo.errors import ArgumentError, GeoError
from geo.filters import Filters, TimeFilter, apply_filters, apply_time
from geo.geojson import encode_frame, read_layer
from geo.paths import GEOJSON, LAYERS


def layer_path(layer: str, geojson_dir: Path = GEOJSON) -> Path:
    if layer not in LAYERS:
        raise ArgumentError(f"unknown layer '{layer}': choose one of {', '.join(LAYERS)}")
    return geojson_dir / f"{layer}.geojson"


def load_layer(layer: str, geojson_dir: Path = GEOJSON) -> gpd.GeoDataFrame:
    path = layer_path(layer, geojson_dir)
    if not path.exists():
        raise ArgumentError(f"{path} does not exist: run `python -m geo build` first")
    check_build(path)
    return read_layer(path)


def check_build(path: Path) -> None:
    """A built file must be the one its build's manifest names (a build killed between two renames leaves a
    mixed set: refuse it rather than show one layer from one build and another from the next)."""
    manifest = path.parent / "build.json"
    if not manifest.exists():
        return  # a build from before manifests, or a hand-made folder: nothing to check against
    try:
        expected = json.loads(manifest.read_text(encoding="utf-8"))["files"].get(path.name)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise GeoError(f"{manifest} is not a build manifest: run `python -m geo build`") from None
    if expected and hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        raise GeoError(f"{path} is not the file its build wrote (a build was cut short?): run `python -m geo build`")


def select(frame: gpd.GeoDataFrame, time: TimeFilter, filters: Filters) -> gpd.GeoDataFrame:
    """The features of a layer that pass the time filter and every attribute filter."""
    return apply_filters(apply_time(frame, time), filters)


def export_geojson(layer: str, frame: gpd.GeoDataFrame, time: TimeFilter, filters: Filters) -> bytes:
    """RFC 7946 bytes of the selected features (same bytes for the same filters, CLI or app)."""
    return encode_frame(layer, select(frame, time, filters))


FORMATS = (".geojson", ".json", ".csv", ".kml", ".gpkg", ".parquet")


def export_as(suffix: str, frames: dict[str, gpd.GeoDataFrame], time: TimeFilter, filters: Filters,
              references: list[dict]) -> bytes:
    """The selected features of one layer (or, for a GeoPackage, of several) in the format named by a file
    suffix; the same bytes from the CLI and the app for the same filters."""
    from geo.formats import to_csv, to_kml
    from geo.gis import to_geoparquet

    suffix = suffix.lower()
    if suffix not in FORMATS:
        raise ArgumentError(f"unknown format '{suffix or '(none)'}': write to a file ending {', '.join(FORMATS)}")
    selected = {layer: select(frame, time, filters) for layer, frame in frames.items()}
    if suffix == ".gpkg":
        return geopackage_of(selected, references)
    if len(selected) != 1:
        raise ArgumentError("only a GeoPackage (.gpkg) holds several layers: name one layer")
    (layer, frame), = selected.items()
    writers = {".geojson": encode_frame, ".json": encode_frame, ".csv": to_csv, ".kml": to_kml,
               ".parquet": to_geoparquet}
    return writers[suffix](layer, frame)


def geopackage_of(selected: dict[str, gpd.GeoDataFrame], references: list[dict]) -> bytes:
    """A GeoPackage of already-selected layers, with the references they cite (and no others)."""
    from geo.gis import to_geopackage

    cited = {ref for frame in selected.values() if "refs" in frame.columns for refs in frame["refs"] for ref in refs}
    return to_geopackage(selected, [r for r in references if r["id"] in cited])
