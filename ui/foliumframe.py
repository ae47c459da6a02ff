"""st_folium in two parts: what it computes from the map, once per map frame, and what a step adds.

streamlit_folium's st_folium renders the whole folium map on every run (the page, its header, the map's
script, a hash of it) to send the component the same strings again: after the area panel, that was most of a
step's work on the server (issue 18). `show` sends the component exactly what st_folium would (the same
arguments, the same key, the same change callback: tests/test_app.py compares the two), but renders the map
once per frame (`frame_of`, kept with the session's map) and only the step's small state group each run.
It uses streamlit_folium's own helpers, pinned in requirements.txt (0.27.4), and covers what this app's maps
hold (no colour maps, no assets in the step's group, only the centre and zoom reported back): anything else is
refused, not sent differently.

After `frame_of` the kept map is never rendered again: a step only renders its own new group, which st_folium's
helper hangs on the map under one fixed name (replacing the last). Two runs of one session that overlap (a rerun
that starts while the last is stopping: runner.fastReruns) each render their own group and read nothing the
other changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import branca
import folium
import streamlit as st
import streamlit_folium as sf


REPORTED = {"center", "zoom"}  # what the map may report back through this path


@dataclass(frozen=True)
class FoliumFrame:
    """The component's arguments that depend only on the map, the key and what it reports back: st_folium's
    own computations."""
    key: str
    returned_objects: list[str]
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
    if not set(returned_objects) <= REPORTED:  # st_folium's defaults for others (bounds, clicks) are not built here
        raise ValueError(f"only {sorted(REPORTED)} can be reported back here, not {sorted(returned_objects)}")
    fmap.get_root().render()
    fmap.render()
    html, header = sf._get_html(fmap), sf._get_header(fmap)  # in st_folium's order: the script's render adds
    script = sf._get_map_string(fmap)                         # to the page after its header was taken
    css: list[str] = []
    js: list[str] = []
    for element in _walk(fmap):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    defaults = {"zoom": fmap.options.get("zoom")}  # st_folium's defaults of REPORTED ("center" has none)
    return FoliumFrame(key=key, returned_objects=list(returned_objects), script=script, header=header, html=html,
                       map_id=sf.get_full_id(fmap), hash_key=sf.generate_js_hash(script, key, False),
                       default={k: v for k, v in defaults.items() if k in returned_objects},
                       css_links=list(dict.fromkeys(css)), js_links=list(dict.fromkeys(js)))


def show(frame: FoliumFrame, fmap: folium.Map, group: folium.FeatureGroup, *, height: int, width: str,
         zoom: int | None, center: list[float] | None, on_change: Callable[[], None] | None):
    """What st_folium(fmap, key=frame.key, returned_objects=frame.returned_objects, feature_group_to_add=group,
    ...) returns, sending the same arguments."""
    if any(True for _ in _walk(group)):  # st_folium would add the group's script and style links
        raise ValueError("the step's group must not load assets")
    group_script = sf._get_feature_group_string(group, map=fmap, idx=0)

    def changed() -> None:  # st_folium's own callback: the component's value under the caller's key
        st.session_state[frame.key] = st.session_state.get(frame.hash_key, {})
        if on_change is not None:
            on_change()

    return sf._component_func(
        script=frame.script, header=frame.header, html=frame.html, id=frame.map_id, key=frame.hash_key,
        height=height, width=width, returned_objects=frame.returned_objects, default=frame.default, zoom=zoom,
        center=center, feature_group=group_script, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=frame.css_links, js_links=frame.js_links, on_change=changed, wrap_longitude=False)
