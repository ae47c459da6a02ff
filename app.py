"""Streamlit app: widgets, state and wiring for the map of IS territory, provinces and external plots."""

from __future__ import annotations

import gc
from datetime import date

import streamlit as st

from geo.errors import GeoError
from geo.slots import run_slot
from layers.escape import markdown_text
from ui.compare import compare_panel
from ui.scenes import scene_editor
from ui.keys import Keys
from ui.data import data_dir, frames, TILE_URL, cached_changes
from ui.state import init_view, current_view, PANELS, keep_widget_state, sync_url
from ui.sidebar import time_help, filter_controls, find_control, read_upload, upload_control
from ui.presenter import scenes_text, briefing_panel, present_page
from ui.mapview import render_map
from ui.panels import stats_panel, figures_panel, plots_panel, briefing_exports, exports_panel


def main() -> None:
    with run_slot():
        page()


def page() -> None:
    st.set_page_config(page_title="IS territory, provinces and external plots", layout="wide")
    try:
        frames()
    except GeoError as exc:  # a missing or mixed build: say what to run, not a traceback
        st.error(markdown_text(f"The map's data cannot be read: {exc}"))
        st.stop()
    today = date.today()
    init_view(today)
    notices = st.session_state.get(Keys.NOTICES, [])
    if notices:  # one collapsed line, not a stack pushing the map down (U17); the first note is in its title
        label = f"{len(notices)} {'part' if len(notices) == 1 else 'parts'} of this link ignored: {notices[0]}"
        with st.expander(markdown_text(label[:120]), expanded=False):
            for notice in notices:
                st.warning(markdown_text(notice))
    keep_widget_state()
    if st.session_state.get(Keys.MODE) == "present":
        present_page(today)
        sync_url(None, today)
        return
    # The map fills the height of the window it is in (the title and caption above it take up to 200 px), from
    # a phone to a projector; Leaflet follows its frame's size.
    st.html("<style>.block-container {padding-top: 2.2rem;} "
            "iframe[title='streamlit_folium.st_folium'] {height: max(380px, calc(100vh - 200px)) !important;}</style>")
    st.subheader("Islamic State: territory, provinces and external plots, 2013 to today")
    st.caption("A sourced reference map. Every shape, province and plot links to its sources; click a feature.")
    if Keys.UPLOAD not in st.session_state:  # Streamlit forgot the uploader (the presenter hid it): so does the map
        read_upload()
    # The map first: the browser starts loading it while the sidebar is still being built. The sidebar's
    # widgets keep their values in session state, and the ones that move the map act in callbacks.
    map_and_panel(today)
    with st.sidebar:
        st.header("Map controls")
        time_help()
        find_control()
        filter_controls(today)
        st.radio("Theme", ["default", "projector", "print"], key=Keys.THEME, horizontal=True)
        upload_control()
        briefing_panel()
        if TILE_URL:
            st.toggle("Online basemap tiles", key=Keys.TILES, value=False,
                      help="Off by default. Needs a network; the offline basemap shows through where tiles fail.")


@st.fragment
def map_and_panel(today: date) -> None:
    """The map and the panel below it. A month or a view the map reports reruns only this part of the page
    (the sidebar's widgets are not rebuilt); a change in the sidebar reruns everything, this included."""
    with run_slot():
        map_and_panel_body(today)


def map_and_panel_body(today: date) -> None:
    view = current_view()
    render_map(view, today)
    sync_url(current_view(), today)
    # One panel at a time: a step then sends only what the open panel shows (tabs would send them all).
    panel = st.segmented_control("Panel", list(PANELS), key=Keys.PANEL, label_visibility="collapsed") or "Area held"
    if panel == "Area held":
        stats_panel(view, today)
    elif panel == "Plots per province":
        plots_panel(view, today)
    elif panel == "What changed":
        compare_panel(view, today, lambda first, second: cached_changes(data_dir(), first, second))
    elif panel == "Key figures":
        figures_panel()
    elif panel == "Scenes":
        session = st.session_state.get(Keys.SESSION_BRIEFING)
        if session is None:
            st.info("No scenes yet: in the sidebar's Briefing section, 'Add this view as a scene' adds the map as "
                    "it is now. They can then be edited, reordered and deleted here, presented, and downloaded.")
        else:
            st.caption(f"This session's briefing: {scenes_text(len(session.scenes))}. Edit a title or caption in the "
                       "table, change the Order numbers to reorder, tick Delete to drop a scene; then Apply.")
            scene_editor(session, Keys.SESSION_BRIEFING)
    else:
        exports_panel(view, today)
        briefing_exports(view, today)


@st.cache_resource(show_spinner=False)
def freeze_long_lived_objects() -> bool:
    """Once per process, after the first run loaded the data: move it out of the collector's way.
    (Freezing on every rerun would also freeze each rerun's garbage: a leak the load benchmark found.)"""
    gc.freeze()
    return True


main()
freeze_long_lived_objects()
