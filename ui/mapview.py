"""The map: the published layers plus the user's, the state a step sends, the view it reports back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from geo.view import View, centre_from_map, month_from_map, view_state
from geo.upload import UserLayer
from layers import userlayer
from layers.assets import versioned
from layers.base import payload
from layers.mapbuild import MapData, build_map, state_group
from layers.publish import prune_user_layers, publish, remove_published, user_token
from ui import foliumframe
from ui.keys import MAP_KEY, Keys
from ui.data import data_dir, published


RETURNED = ["center", "zoom"]  # what the map reports back: where it is (its month comes in the same value)


def with_user_layer(data: MapData) -> MapData:
    """The published map plus this session's uploaded layer, if any (its payload is content-hashed too)."""
    user: UserLayer | None = st.session_state.get(Keys.USER_LAYER)
    if user is None or user.frame.empty:
        return data
    # The file name carries a secret of this session (128 bits) as well as the content hash: another session, or
    # anyone who knows the file, cannot find it; it is deleted when the layer is replaced or removed, and any
    # user file older than a few hours (a session that ended) is deleted at the next upload.
    token = st.session_state.setdefault(Keys.USER_TOKEN, user_token())
    url = publish(f"user-{token}", payload(userlayer.LAYER, "user", user.frame))
    previous = st.session_state.get(Keys.USER_URL)
    if previous != url:
        if previous:
            remove_published(previous)
        prune_user_layers()
        st.session_state[Keys.USER_URL] = url
    return replace(data, layers=data.layers + ((userlayer.LAYER, url),))


def map_reported() -> None:
    """The map stepped to a month by itself (its time bar): adopt it, if it is a month the app offers."""
    value = st.session_state.get(MAP_KEY)
    month = month_from_map(value.get("ismap_month") if isinstance(value, dict) else None, date.today())
    if month is not None and month != st.session_state.get(Keys.MONTH):
        st.session_state[Keys.MONTH] = month
        st.session_state[Keys.MAP_REPORTED] = True


def map_state(view: View, today: date, frame: str) -> dict:
    """What the map is sent. After the map reported a month, the state it is sent stays as it was (the map
    already shows that month): st_folium then has nothing new to run, and the step costs the frame nothing.
    A new map frame (`frame`: a theme, tiles or a layer changed) starts from the app's month."""
    reported = st.session_state.pop(Keys.MAP_REPORTED, False)
    if not reported or st.session_state.get(Keys.MAP_FRAME) != frame:
        st.session_state[Keys.MAP_MONTH] = view.month
    st.session_state[Keys.MAP_FRAME] = frame
    state = view_state(replace(view, month=st.session_state[Keys.MAP_MONTH]), today)
    # The map keeps the month it shows (a new map frame starts from this one), unless the app moved it.
    state["map_owns_month"] = not st.session_state.pop(Keys.FORCE_MONTH, False)
    return state


def session_map(data: MapData, start: tuple | None) -> tuple:
    """The folium map of this session's view of the data and what st_folium would send of it (ui.foliumframe),
    built and rendered once and kept in the session: a step changes neither (building and rendering the map
    were most of a step's work). Kept by everything the map is made of: the data's URLs and settings, where
    it opened, and the app's own script and style versions."""
    key = (data, tuple(start) if start else None, versioned("ismap.js"), versioned("ismap.css"))
    kept = st.session_state.get(Keys.SESSION_MAP)
    if kept is not None and kept[0] == key:
        return kept[1], kept[2]
    fmap = build_map(data, center=(start[0], start[1]), zoom=start[2]) if start else build_map(data)
    rendered = foliumframe.frame_of(fmap, MAP_KEY, RETURNED)
    st.session_state[Keys.SESSION_MAP] = (key, fmap, rendered)
    return fmap, rendered


def render_map(view: View, today: date) -> None:
    data = with_user_layer(published(data_dir(), view.theme, bool(st.session_state.get(Keys.TILES))))
    fly = st.session_state.get(Keys.FLY)
    frame = repr((data.theme, data.tiles, data.layers[-1][1]))  # what, changed, makes st_folium a new frame
    if st.session_state.get(Keys.FRAME_BUILT) != frame:
        # A new frame (theme, tiles, an upload) opens where the user was, not at the default view; the centre is
        # kept for the frame's life, so panning (which changes Keys.CENTER) never rebuilds the map.
        st.session_state[Keys.FRAME_BUILT] = frame
        st.session_state[Keys.FRAME_CENTRE] = st.session_state.get(Keys.CENTER)
    start = st.session_state.get(Keys.FRAME_CENTRE)
    fmap, rendered = session_map(data, start)
    result = foliumframe.show(
        rendered, fmap, state_group(map_state(view, today, frame)), height=620, width="stretch",
        center=[fly[0], fly[1]] if fly else None, zoom=fly[2] if fly else None, on_change=map_reported,
    )
    centre = centre_from_map(result)
    if centre is not None:
        st.session_state[Keys.CENTER] = centre
