"""Benchmark baseline: the same map screen built the naive way, a whole new folium map on every rerun.

Run by bench/step_latency.py through `streamlit run bench/naive_app.py`. Same data, same filters and styles as
the real app (territory and provinces held on the month's date, plots in the app's default 12-month window),
but each rerun rebuilds the map, embeds the filtered features in it and hands it to st_folium with no
`feature_group_to_add`, so st_folium remounts the map frame every time. No basemap, tooltips or popups are
drawn, so this baseline is, if anything, faster than a faithful naive copy of the app would be.
Leaflet comes from the same xstatic wheel as the app's, copied to bench/static/vendor (Streamlit serves
/app/static/ from the folder beside the main script).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
import streamlit as st  # noqa: E402
from branca.element import MacroElement  # noqa: E402
from jinja2 import Template  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from geo.export import load_layer  # noqa: E402
from geo.filters import DateRange, active_on, starts_within  # noqa: E402
from geo.view import View, month_date, month_options  # noqa: E402
from layers import affiliates, plots, territory  # noqa: E402
from layers.assets import ensure_vendor, offline_map_class  # noqa: E402
from layers.mapbuild import DEFAULT_CENTER, DEFAULT_ZOOM  # noqa: E402

STATIC = Path(__file__).resolve().parent / "static"  # Streamlit serves /app/static from beside the main script
LAYERS = {"territory": territory.LAYER, "affiliates": affiliates.LAYER, "plots": plots.LAYER}


class DrawnMarker(MacroElement):
    """Added last, so its script runs after every layer is on the map: mark the container with the date drawn."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function () { var box = {{ this._parent.get_name() }}.getContainer();"
        " box.dataset.drawnAt = String(performance.timeOrigin + performance.now());"
        " box.dataset.counts = {{ this.counts_json }}; box.dataset.date = {{ this.date_json }}; })();"
        "{% endmacro %}"
    )

    def __init__(self, day: date, counts: dict[str, int]) -> None:
        super().__init__()
        self._name = "DrawnMarker"
        self.date_json = json.dumps(day.isoformat())
        self.counts_json = json.dumps(json.dumps(counts))


@st.cache_resource(show_spinner=False)
def frames() -> dict:
    ensure_vendor(STATIC)
    return {layer: load_layer(layer) for layer in LAYERS}


def selected(layer: str, month: str, today: date):
    frame = frames()[layer]
    if layer == "plots":
        return starts_within(frame, DateRange(*View(month=month).plot_window(today)))
    return active_on(frame, month_date(month, today))


def naive_map(month: str, today: date) -> folium.Map:
    fmap = offline_map_class()(location=list(DEFAULT_CENTER), zoom_start=DEFAULT_ZOOM, tiles=None)
    counts = {}
    for layer, definition in LAYERS.items():
        frame = selected(layer, month, today)
        counts[layer] = len(frame)
        if len(frame):
            folium.GeoJson(frame.to_json(), name=definition.name,
                           style_function=lambda feature, d=definition: d.style_for(feature["properties"])).add_to(fmap)
    DrawnMarker(month_date(month, today), counts).add_to(fmap)
    return fmap


def main() -> None:
    st.set_page_config(page_title="Naive baseline", layout="wide")
    today = date.today()
    months = month_options(today)
    if "month" not in st.session_state:
        wanted = st.query_params.get("date", "2014-12")
        st.session_state["month"] = wanted if wanted in months else "2014-12"
    with st.sidebar:
        month = st.select_slider("Map date (month)", options=months, key="month")
    st_folium(naive_map(month, today), height=620, width="stretch", returned_objects=[])


main()
