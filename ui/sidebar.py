"""The sidebar's controls: time help, find a place, filters, the user's own layer."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo.slots import released
from geo.countries import country_names
from geo.find import month_held, place_matches
from geo.regions import REGION_IDS
from geo.filters import LINKS, OUTCOMES
from geo.view import KILLED_STEPS, month_options
from geo.upload import MAX_UPLOAD_BYTES, MAX_VERTICES_FEATURE, MAX_VERTICES_TOTAL
from geo.upload_worker import read_user_layer_bounded
from layers.escape import markdown_text
from layers.publish import remove_published
from ui.keys import LAYER_LABELS, WINDOW_LABELS, Keys
from ui.data import data_dir, province_names, plot_countries, find_options, held_index


def time_help() -> None:
    st.caption("**Map date:** use the time bar on the map: ◀ and ▶ step a month, Play runs through the months, "
               "the slider picks any month from January 2013 to now. With the map clicked, ← → step a month, "
               "PageUp/PageDown a year, space plays.")


def filter_controls(today: date) -> None:
    st.multiselect("Layers", list(LAYER_LABELS.values()), key=Keys.LAYERS)
    st.radio("Plots shown", list(WINDOW_LABELS), format_func=WINDOW_LABELS.get, key=Keys.WINDOW, horizontal=True)
    window = st.session_state[Keys.WINDOW]
    if window == "moving":
        st.select_slider("Months up to the map date", options=[1, 3, 6, 12, 24, 36], key=Keys.WINDOW_MONTHS)
    elif window == "range":
        st.select_slider("Plots from (month)", options=month_options(today), key=Keys.RANGE_FROM)
        st.select_slider("Plots to (month)", options=month_options(today), key=Keys.RANGE_TO)
    names = province_names()
    st.multiselect("Directing province", list(names), format_func=names.get, key=Keys.PROVINCES)
    st.multiselect("Link", list(LINKS), key=Keys.LINKS)
    st.multiselect("Outcome", list(OUTCOMES), key=Keys.OUTCOMES)
    st.multiselect("Target region", list(REGION_IDS), format_func=REGION_IDS.get, key=Keys.REGIONS)
    names_of = country_names()
    st.multiselect("Target country", plot_countries(), key=Keys.COUNTRIES,
                   format_func=lambda code: f"{names_of.get(code, code)} ({code})")
    st.select_slider("At least this many killed", options=list(KILLED_STEPS), key=Keys.MIN_KILLED,
                     format_func=lambda n: "any toll" if n == 0 else f"{n}+",
                     help="Plots and attacks whose toll is not known are left out when this is above 0.")


def find_place() -> None:
    """The find box changed: fly to the best match (a callback, so the map, drawn first, already flies)."""
    query = st.session_state.get(Keys.FIND) or ""
    matches = place_matches(query, list(find_options()))
    if matches:
        fly_to(matches[0])


def fly_to(name: str) -> None:
    """Fly to a place; a territory place not held on the map date opens the nearest month it was held."""
    st.session_state[Keys.FLY] = find_options()[name]
    st.session_state["found"] = name
    if name.endswith(" (territory)"):
        spans = held_index(data_dir()).get(name.removesuffix(" (territory)"), [])
        month = month_held(spans, st.session_state[Keys.MONTH])
        if month and month != st.session_state[Keys.MONTH] and month in month_options(date.today()):
            st.session_state[Keys.MONTH] = month
            st.session_state[Keys.FORCE_MONTH] = True


def find_control() -> None:
    """Type a name: the map flies to the best match; other matches are one click away.
    (A text box, not a list of every place: a rerun then resends a few bytes, not the whole gazetteer.)"""
    query = st.text_input("Find a place", key=Keys.FIND, placeholder="Type a name, press Enter", max_chars=60,
                          on_change=find_place)
    if not query.strip():
        return
    matches = place_matches(query, list(find_options()))
    if not matches:
        st.caption("No place of that name on the map.")
        return
    st.caption("Showing " + markdown_text(st.session_state.get("found", matches[0])))
    others = [m for m in matches if m != st.session_state.get("found")][:3]
    for number, name in enumerate(others):
        st.button(markdown_text(name), key=f"find_{number}", type="tertiary", on_click=fly_to, args=(name,))


def read_upload() -> None:
    """A file was added or removed (a callback, so the map, drawn before the sidebar, already shows it).
    Read defensively: a file that gives no features never replaces a good layer already loaded."""
    upload = st.session_state.get(Keys.UPLOAD)
    if upload is None:
        for key in (Keys.USER_LAYER, Keys.UPLOAD_ID, Keys.UPLOAD_PROBLEMS, Keys.USER_LAYER_FILE):
            st.session_state.pop(key, None)
        if st.session_state.get(Keys.USER_URL):
            remove_published(st.session_state.pop(Keys.USER_URL))
        return
    if st.session_state.get(Keys.UPLOAD_ID) != upload.file_id:
        with released():  # the child does the work: other sessions may run meanwhile
            layer = read_user_layer_bounded(upload.name, upload.getvalue())
        st.session_state[Keys.UPLOAD_ID] = upload.file_id
        st.session_state[Keys.UPLOAD_PROBLEMS] = layer.problems
        if not layer.frame.empty:
            st.session_state[Keys.USER_LAYER] = layer
            st.session_state[Keys.USER_LAYER_FILE] = upload.file_id


def upload_control() -> None:
    """A user's own layer, and what was wrong with the last file."""
    with st.expander("Your own layer (GeoJSON, CSV, KML)"):
        upload = st.file_uploader("Add a layer", type=["geojson", "json", "csv", "kml"], key=Keys.UPLOAD,
                                  on_change=read_upload,
                                  help=f"Up to {MAX_UPLOAD_BYTES // 1_000_000} MB, {MAX_VERTICES_FEATURE:,} vertices "
                                       f"per feature and {MAX_VERTICES_TOTAL:,} in all. CSV needs lat and lon "
                                       "columns (comma or semicolon separated); optional start and end dates "
                                       "(YYYY-MM-DD) make it follow the slider.")
        if upload is None:
            return
        layer = st.session_state.get(Keys.USER_LAYER)
        problems = st.session_state.get(Keys.UPLOAD_PROBLEMS, [])
        if layer is not None:
            count = len(layer.frame)
            st.caption(markdown_text(f"{count} {'feature' if count == 1 else 'features'} from {layer.name} on the map."))
            if st.session_state.get(Keys.USER_LAYER_FILE) != upload.file_id:
                st.info("The last file gave no features; the previous layer stays on the map.")
        for problem in problems[:50]:
            st.warning(markdown_text(problem), icon="⚠️")
        if len(problems) > 50:
            st.caption(f"… and {len(problems) - 50} more problems.")
