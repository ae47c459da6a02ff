"""st_folium in two parts: what it computes from the map, once per map frame, and what a step adds.

streamlit_folium's st_folium renders the whole folium map on every run (the page, its header, the map's
script, a hash of it) to send the component the same strings again: after the area panel, that was most of a
step's work on the server (issue 18). `show` sends the component exactly what st_folium would (the same
arguments, the same key, the same change callback: tests/test_app.py compares the two), but renders the map
once per frame (`frame_of`, kept with the session's map) and only the step's small state group each run.
It uses streamlit_folium's own helpers, pinned in requirements.txt (0.27.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import branca
import folium
import streamlit as st
import streamlit_folium as sf


@dataclass(frozen=True)
class FoliumFrame:
    """The component's arguments that depend only on the map (and the key): st_folium's own computations."""
    script: str
    header: str
    html: str
    map_id: str
    hash_key: str
    default: dict
    css_links: list[str]
    js_links: list[str]


def _walk(element):
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def frame_of(fmap: folium.Map, key: str, returned_objects: list[str]) -> FoliumFrame:
    """Render a map as built (not yet rendered) the way st_folium does, and keep what it sends."""
    if any(isinstance(e, branca.colormap.ColorMap) for e in _walk(fmap)):  # st_folium adds d3 links for these
        raise ValueError("a map with a colour map needs st_folium itself")
    fmap.get_root().render()
    fmap.render()
    html, header = sf._get_html(fmap), sf._get_header(fmap)  # in st_folium's order: the script's render adds
    script = sf._get_map_string(fmap)                         # to the page after its header was taken
    css: list[str] = []
    js: list[str] = []
    for element in _walk(fmap):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    defaults = {"zoom": fmap.options.get("zoom")}  # st_folium's defaults, of the objects asked for
    return FoliumFrame(script=script, header=header, html=html,
                       map_id=sf.get_full_id(fmap), hash_key=sf.generate_js_hash(script, key, False),
                       default={k: v for k, v in defaults.items() if k in returned_objects},
                       css_links=list(dict.fromkeys(css)), js_links=list(dict.fromkeys(js)))


def show(frame: FoliumFrame, fmap: folium.Map, group: folium.FeatureGroup, *, key: str, height: int,
         width: str, returned_objects: list[str], zoom: int | None, center: list[float] | None,
         on_change: Callable[[], None] | None):
    """What st_folium(fmap, key=..., feature_group_to_add=group, ...) returns, sending the same arguments.
    The group is added to the map to be rendered (as st_folium does); the caller puts the map back."""
    group_script = sf._get_feature_group_string(group, map=fmap, idx=0)

    def changed() -> None:  # st_folium's own callback: the component's value under the caller's key
        st.session_state[key] = st.session_state.get(frame.hash_key, {})
        if on_change is not None:
            on_change()

    return sf._component_func(
        script=frame.script, header=frame.header, html=frame.html, id=frame.map_id, key=frame.hash_key,
        height=height, width=width, returned_objects=returned_objects, default=frame.default, zoom=zoom,
        center=center, feature_group=group_script, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=frame.css_links, js_links=frame.js_links, on_change=changed, wrap_longitude=False)
