"""The view: URL -> widgets on a session's first run, widgets -> View, View -> URL."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo.view import View, month_options, parse_query, to_query
from geo.briefing import briefing_names, parse_presenter
from layers.mapbuild import DEFAULT_CENTER, DEFAULT_ZOOM
from ui.keys import LAYER_LABELS, Keys
from ui.data import frames, plot_countries


def init_view(today: date) -> None:
    """On a session's first run: read the URL into the widgets, keeping notices for what was ignored."""
    if st.session_state.get(Keys.INIT):
        return
    params = dict(st.query_params)
    name, scene, presenter_notices = parse_presenter(params, briefing_names())
    for key in ("mode", "briefing", "scene"):
        params.pop(key, None)
    st.session_state[Keys.MODE] = "present" if name else "explore"
    st.session_state[Keys.BRIEFING] = name if name in briefing_names() else (briefing_names() or [None])[0]
    st.session_state[Keys.SCENE] = scene
    view, notices = parse_query(
        params, today,
        provinces=frozenset(frames()["affiliates"]["province_id"]), countries=frozenset(plot_countries()),
    )
    months = month_options(today)
    st.session_state[Keys.MONTH] = view.month
    st.session_state[Keys.LAYERS] = [LAYER_LABELS[layer] for layer in view.layers]
    st.session_state[Keys.PROVINCES] = list(view.provinces)
    st.session_state[Keys.LINKS] = list(view.links)
    st.session_state[Keys.OUTCOMES] = list(view.outcomes)
    st.session_state[Keys.COUNTRIES] = list(view.countries)
    st.session_state[Keys.MIN_KILLED] = view.min_killed
    st.session_state[Keys.REGIONS] = list(view.regions)
    st.session_state[Keys.WINDOW] = view.window
    st.session_state[Keys.WINDOW_MONTHS] = view.window_months
    st.session_state[Keys.RANGE_FROM] = view.range_from or "2024-01"
    st.session_state[Keys.RANGE_TO] = view.range_to or months[-1]
    st.session_state[Keys.THEME] = view.theme
    st.session_state[Keys.COMPARE_MONTH] = view.compare
    st.session_state[Keys.COMPARE_SWIPE] = view.swipe
    st.session_state[Keys.MAP_MONTH] = view.month
    st.session_state[Keys.PANEL] = "Area held"
    if view.lat is not None:
        st.session_state[Keys.CENTER] = (view.lat, view.lon, view.zoom or DEFAULT_ZOOM)
        st.session_state[Keys.FLY] = st.session_state[Keys.CENTER]
    elif view.zoom is not None:
        st.session_state[Keys.FLY] = (DEFAULT_CENTER[0], DEFAULT_CENTER[1], view.zoom)
    st.session_state[Keys.NOTICES] = presenter_notices + notices
    st.session_state[Keys.INIT] = True


def current_view() -> View:
    state = st.session_state
    labels = {label: layer for layer, label in LAYER_LABELS.items()}
    centre = state.get(Keys.CENTER)
    first, last = sorted((state[Keys.RANGE_FROM], state[Keys.RANGE_TO]))
    return View(
        month=state[Keys.MONTH],
        layers=tuple(labels[label] for label in state[Keys.LAYERS] if label in labels),
        provinces=tuple(state[Keys.PROVINCES]),
        links=tuple(state[Keys.LINKS]),
        outcomes=tuple(state[Keys.OUTCOMES]),
        countries=tuple(state[Keys.COUNTRIES]),
        min_killed=int(state.get(Keys.MIN_KILLED, 0)),
        regions=tuple(state.get(Keys.REGIONS, ())),
        window=state[Keys.WINDOW],
        window_months=int(state[Keys.WINDOW_MONTHS]),
        range_from=first,
        range_to=last,
        lat=centre[0] if centre else None,
        lon=centre[1] if centre else None,
        zoom=centre[2] if centre else None,
        theme=state[Keys.THEME],
        compare=state.get(Keys.COMPARE_MONTH),
        swipe=bool(state.get(Keys.COMPARE_MONTH) and state.get(Keys.COMPARE_SWIPE)),
    )


PANELS = ("Area held", "Plots per province", "What changed", "Key figures", "Scenes", "Export")


WIDGET_KEYS = ("PANEL", "LAYERS", "PROVINCES", "LINKS", "OUTCOMES", "COUNTRIES", "REGIONS", "MIN_KILLED", "WINDOW",
               "WINDOW_MONTHS", "RANGE_FROM", "RANGE_TO", "THEME", "BRIEFING")


def keep_widget_state() -> None:
    """Streamlit forgets the state of widgets a run does not draw: keep it while the presenter hides them."""
    for name in WIDGET_KEYS:
        key = getattr(Keys, name)
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def sync_url(view: View | None, today: date) -> None:
    if st.session_state.get(Keys.MODE) == "present" or view is None:
        wanted = {"mode": "present", "briefing": st.session_state.get(Keys.BRIEFING) or "default",
                  "scene": str(st.session_state.get(Keys.SCENE, 1))}
    else:
        wanted = to_query(view, today)
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
