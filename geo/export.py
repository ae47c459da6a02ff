"""Filtered exports of a built layer: the one function behind the CLI and the app's downloads."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geo.errors import ArgumentError
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
    return read_layer(path)


def select(frame: gpd.GeoDataFrame, time: TimeFilter, filters: Filters) -> gpd.GeoDataFrame:
    """The features of a layer that pass the time filter and every attribute filter."""
    return apply_filters(apply_time(frame, time), filters)


def export_geojson(layer: str, frame: gpd.GeoDataFrame, time: TimeFilter, filters: Filters) -> bytes:
    """RFC 7946 bytes of the selected features (same bytes for the same filters, CLI or app)."""
    return encode_frame(layer, select(frame, time, filters))
