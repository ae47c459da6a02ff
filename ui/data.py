"""The built data the app shows, read and published once per process and shared by every session."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import streamlit as st

from geo.basemap import dated_labels, key_places, load_basemap_json
from geo.bookmarks import key_events
from geo.export import load_layer
from geo.find import held_months
from geo.paths import GEOJSON
from geo import stats
from geo.stats import changes_between
from geo.view import LAYER_IDS
from layers.areachart import chart_rows
from layers.assets import ensure_vendor
from layers.base import payload
from layers.mapbuild import MapData
from layers.publish import prune, publish
from ui.keys import LAYER_DEFS, CAPTION


def data_dir() -> str:
    """The built data the app shows: data/geojson, or ISMAP_GEOJSON_DIR (tests, benchmarks, other builds)."""
    return os.environ.get("ISMAP_GEOJSON_DIR") or str(GEOJSON)


@st.cache_resource(show_spinner=False)
def load_frames(directory: str) -> dict[str, object]:
    """The three built layers, read once per process and shared by every session (never copied per session)."""
    return {layer: load_layer(layer, Path(directory)) for layer in LAYER_IDS}


def frames() -> dict[str, object]:
    return load_frames(data_dir())


# Online tiles are opt-in: only when an operator sets a tile URL template (the app never needs them).
TILE_URL = os.environ.get("ISMAP_TILE_URL", "").strip()


TILE_ATTRIBUTION = os.environ.get("ISMAP_TILE_ATTRIBUTION", "").strip()


def canvas_min() -> int | None:
    """ISMAP_CANVAS_MIN: draw a layer on a canvas above this many features (tests, operators); unset = default."""
    value = os.environ.get("ISMAP_CANVAS_MIN", "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


@st.cache_resource(show_spinner=False)
def published(directory: str, theme: str, tiles: bool = False) -> MapData:
    """Publish the browser payloads under static/gen once; return the URLs the map fetches."""
    ensure_vendor()
    data = load_frames(directory)
    layer_urls = tuple(
        (LAYER_DEFS[layer], publish(layer, payload(LAYER_DEFS[layer], layer, data[layer])))
        for layer in LAYER_IDS
    )
    data = MapData(
        layers=layer_urls,
        basemap_url=publish("basemap", load_basemap_json(Path(directory))),
        refs_url=publish("references", (Path(directory) / "references.json").read_bytes()),
        labels_url=publish("labels", json.dumps(dated_labels(key_places(), data)).encode()),
        theme=theme,
        caption=CAPTION,
        tiles={"url": TILE_URL, "attribution": TILE_ATTRIBUTION} if tiles and TILE_URL else None,
        bookmarks=tuple(key_events(data)),
        canvas_min=canvas_min(),
    )
    current = {url.rsplit("/", 1)[-1] for url in (data.basemap_url, data.refs_url, data.labels_url)}
    prune(keep=current | {url.rsplit("/", 1)[-1] for _, url in layer_urls})
    return data


@st.cache_resource(show_spinner=False)
def monthly_area(directory: str, today: date) -> pd.DataFrame:
    return stats.monthly_area(load_frames(directory)["territory"], today)


@st.cache_resource(show_spinner=False)
def month_figures(directory: str, today: date) -> Mapping[str, stats.MonthFigures]:
    """The area panel's figures for every month, once per process (geo.stats.month_figures); read-only (a
    mapping proxy of frozen records), so one object can serve every session."""
    return MappingProxyType(stats.month_figures(monthly_area(directory, today)))


def province_names() -> dict[str, str]:
    frame = frames()["affiliates"]
    return dict(sorted(zip(frame["province_id"], frame["name"]), key=lambda item: item[1]))


def plot_countries() -> list[str]:
    return sorted(set(frames()["plots"]["country"]))


def find_options() -> dict[str, tuple[float, float, int]]:
    return place_index(data_dir())


@st.cache_resource(show_spinner=False)
def held_index(directory: str) -> dict[str, list[tuple[str, str | None]]]:
    return held_months(load_frames(directory)["territory"])


@st.cache_resource(show_spinner=False)
def place_index(directory: str) -> dict[str, tuple[float, float, int]]:
    """Places a user can fly to: territory places, plot targets and province anchors."""
    options: dict[str, tuple[float, float, int]] = {}
    terr = load_frames(directory)["territory"]
    terr = terr[terr["zone"] != "between"].drop_duplicates("place_id")
    for name, geom in zip(terr["place"], terr.geometry):
        centre = geom.representative_point()
        options[f"{name} (territory)"] = (centre.y, centre.x, 8)
    plot_frame = load_frames(directory)["plots"]
    for name, lat, lon in zip(plot_frame["target_place"], plot_frame["target_lat"], plot_frame["target_lon"]):
        options.setdefault(f"{name} (plot target)", (lat, lon, 8))
    prov = load_frames(directory)["affiliates"]
    for name, lat, lon in zip(prov["name"], prov["anchor_lat"], prov["anchor_lon"]):
        options.setdefault(f"{name} (province)", (lat, lon, 6))
    return dict(sorted(options.items()))


@st.cache_resource(show_spinner=False)
def reference_list(directory: str) -> list[dict]:
    return json.loads((Path(directory) / "references.json").read_text(encoding="utf-8"))


def known_ids() -> dict[str, frozenset[str]]:
    return {"refs": frozenset(r["id"] for r in reference_list(data_dir())),
            "provinces": frozenset(frames()["affiliates"]["province_id"])}


@st.cache_resource(show_spinner=False, max_entries=256)
def cached_changes(directory: str, first: date, second: date) -> dict[str, pd.DataFrame]:
    return changes_between(load_frames(directory)["territory"], first, second)


@st.cache_resource(show_spinner=False)
def area_chart_rows(directory: str, today: date) -> list[dict]:
    """One row a month (whole km²) for the chart."""
    return chart_rows(monthly_area(directory, today))


QUALIFIERS = {"more_than": "more than ", "up_to": "up to ", "at_least": "at least ", "about": "about ",
              "fewer_than": "fewer than "}


UNITS = {"people": "", "km2": " km²", "countries": " countries", "plots": " plots and attacks", "percent": "%"}


@st.cache_resource(show_spinner=False)
def figure_table(directory: str) -> pd.DataFrame:
    """The sources' headline figures, worded for the stats panel, each with its source."""
    refs = {r["id"]: r for r in reference_list(directory)}
    rows = []
    for f in json.loads((Path(directory) / "figures.json").read_text(encoding="utf-8")):
        low, high = f["value_low"], f["value_high"]
        value = f"{low:,.0f}" if high in (None, low) else f"{low:,.0f} to {high:,.0f}"
        sources = "; ".join(f"{refs[r]['publisher']}, {refs[r]['date']}" for r in f["refs"] if r in refs)
        rows.append({"Figure": QUALIFIERS.get(f["qualifier"] or "", "") + value + UNITS.get(f["unit"], ""),
                     "What it counts": f["label"], "As of": f["as_of"], "Source": sources})
    return pd.DataFrame(rows)
