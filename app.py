"""Streamlit app: widgets, state and wiring for the map of IS territory, provinces and external plots."""

from __future__ import annotations

import gc
import json
import os
import secrets
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.basemap import dated_labels, key_places, load_basemap_json
from geo.bundle import bundle_zip
from geo.export import export_as, export_geojson, geopackage_of, load_layer, select
from geo.slots import released, run_slot
from geo.find import held_months, month_held, place_matches
from geo.filters import LINKS, OUTCOMES, Filters, TimeFilter
from geo.formats import to_csv, to_kml, write_csv
from geo.paths import GEOJSON
from geo.stats import area_series, changes_between, peak_so_far, plots_per_year
from geo.view import (LAYER_IDS, View, centre_from_map, month_date, month_from_map, month_options, parse_query,
                      selection, shift_month, to_query, view_state)
from geo.briefing import (BRIEFINGS, MAX_SCENES, Briefing, briefing_names, load_briefing, parse_presenter,
                          save_briefing, scene_from_view, server_saving_allowed, to_yaml)
from geo.errors import GeoError, SourceError
from geo.upload import MAX_UPLOAD_BYTES, MAX_VERTICES_FEATURE, MAX_VERTICES_TOTAL, UserLayer
from geo.upload_worker import read_user_layer_bounded
from layers import affiliates, plots, territory, userlayer
from layers.areachart import area_chart_svg, as_img
from layers.plotschart import plots_chart_svg
from layers.assets import ensure_vendor
from layers.escape import escape_text, markdown_text
from layers.export import briefing_html, briefing_pack, browser_payloads, briefing_pngs, view_caption, view_scene
from layers.snapshot import SnapshotUnavailable
from ui import compare as compare_keys
from ui.animation import animation_panel
from ui.compare import compare_panel
from ui.scenes import scene_editor
from layers.base import payload
from layers.mapbuild import DEFAULT_CENTER, DEFAULT_ZOOM, MapData, build_map, state_group
from layers.palette import OKABE_ITO, TERRITORY
from layers.publish import prune, prune_user_layers, publish, remove_published

LAYER_DEFS = {"territory": territory.LAYER, "affiliates": affiliates.LAYER, "plots": plots.LAYER}
LAYER_LABELS = {"territory": "Territory held", "affiliates": "Provinces", "plots": "External plots"}
# A layer's downloads: suffix, button label, MIME type (the format follows the suffix, as in the CLI).
LAYER_FORMATS = ((".geojson", "GeoJSON", "application/geo+json"), (".csv", "CSV", "text/csv"),
                 (".kml", "KML", "application/vnd.google-earth.kml+xml"),
                 (".parquet", "GeoParquet", "application/vnd.apache.parquet"))
WINDOW_LABELS = {"moving": "Moving window", "cumulative": "Cumulative", "range": "Explicit range"}
MAP_KEY = "ismap"
CAPTION = "Sources: project dataset (data/sources); Natural Earth; GeoNames. Shapes are approximate: see the method note."


class Keys:
    """Every session-state key the app uses, in one place."""

    INIT = "view_initialised"
    NOTICES = "view_notices"
    MONTH = "month"
    MAP_MONTH = "map_month"
    MAP_REPORTED = "map_reported"
    MAP_FRAME = "map_frame"
    LAYERS = "w_layers"
    PROVINCES = "w_provinces"
    LINKS = "w_links"
    OUTCOMES = "w_outcomes"
    COUNTRIES = "w_countries"
    WINDOW = "w_window"
    WINDOW_MONTHS = "w_window_months"
    RANGE_FROM = "w_range_from"
    RANGE_TO = "w_range_to"
    THEME = "w_theme"
    FLY = "fly_to"
    CENTER = "view_center"
    FIND = "w_find"
    FORCE_MONTH = "force_month"  # the app moved the month (find a place): the map takes it this once
    TILES = "w_tiles"
    UPLOAD = "w_upload"
    USER_LAYER = "user_layer"
    UPLOAD_ID = "user_layer_file"
    MODE = "mode"
    BRIEFING = "w_briefing"
    SCENE = "scene"
    SESSION_BRIEFING = "session_briefing"
    SAVE_NAME = "w_save_name"
    PANEL = "w_panel"
    UPLOAD_PROBLEMS = "user_layer_problems"
    USER_LAYER_FILE = "user_layer_from"
    FRAME_BUILT = "map_frame_built"
    USER_TOKEN = "user_layer_token"
    USER_URL = "user_layer_url"
    FRAME_CENTRE = "map_frame_centre"
    COMPARE_MONTH = compare_keys.MONTH  # the view's compare month (None = off); kept when the panel closes


# ---------------------------------------------------------------- data (cached once per process)

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
    )
    current = {url.rsplit("/", 1)[-1] for url in (data.basemap_url, data.refs_url, data.labels_url)}
    prune(keep=current | {url.rsplit("/", 1)[-1] for _, url in layer_urls})
    return data


@st.cache_resource(show_spinner=False)
def monthly_area(directory: str, today: date) -> pd.DataFrame:
    months = month_options(today)
    return area_series(load_frames(directory)["territory"], [month_date(m, today) for m in months]).assign(month=months)


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


# ---------------------------------------------------------------- view state <-> widgets <-> URL

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
    st.session_state[Keys.WINDOW] = view.window
    st.session_state[Keys.WINDOW_MONTHS] = view.window_months
    st.session_state[Keys.RANGE_FROM] = view.range_from or "2024-01"
    st.session_state[Keys.RANGE_TO] = view.range_to or months[-1]
    st.session_state[Keys.THEME] = view.theme
    st.session_state[Keys.COMPARE_MONTH] = view.compare
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
        window=state[Keys.WINDOW],
        window_months=int(state[Keys.WINDOW_MONTHS]),
        range_from=first,
        range_to=last,
        lat=centre[0] if centre else None,
        lon=centre[1] if centre else None,
        zoom=centre[2] if centre else None,
        theme=state[Keys.THEME],
        compare=state.get(Keys.COMPARE_MONTH),
    )


PANELS = ("Area held", "Plots per province", "What changed", "Key figures", "Scenes", "Export")
WIDGET_KEYS = ("PANEL", "LAYERS", "PROVINCES", "LINKS", "OUTCOMES", "COUNTRIES", "WINDOW", "WINDOW_MONTHS",
               "RANGE_FROM", "RANGE_TO", "THEME", "BRIEFING")


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


# ---------------------------------------------------------------- widgets

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
    st.multiselect("Target country", plot_countries(), key=Keys.COUNTRIES)




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


# ---------------------------------------------------------------- briefings and the presenter

@st.cache_resource(show_spinner=False)
def reference_list(directory: str) -> list[dict]:
    return json.loads((Path(directory) / "references.json").read_text(encoding="utf-8"))


def known_ids() -> dict[str, frozenset[str]]:
    return {"refs": frozenset(r["id"] for r in reference_list(data_dir())),
            "provinces": frozenset(frames()["affiliates"]["province_id"])}


def current_briefing() -> Briefing | None:
    """The selected briefing: a file in data/briefings, or the one built in this session."""
    name = st.session_state.get(Keys.BRIEFING)
    if name == "session":
        return st.session_state.get(Keys.SESSION_BRIEFING)
    if not name:
        return None
    try:
        return load_briefing(BRIEFINGS / f"{name}.yaml", **known_ids())
    except SourceError as exc:
        for problem in exc.problems[:20]:
            st.error(markdown_text(problem))
        return None


def add_scene() -> None:
    """One action: the current view becomes the last scene of this session's briefing."""
    view = current_view()
    scene = scene_from_view(view, title=f"View of {view.month}", caption="Scene built from the map view; "
                            "edit the caption below.", refs=[])
    briefing = st.session_state.get(Keys.SESSION_BRIEFING) or Briefing(
        title="My briefing", description="Scenes built from map views.", scenes=[scene])
    if st.session_state.get(Keys.SESSION_BRIEFING) is not None:
        if len(briefing.scenes) >= MAX_SCENES:
            st.toast(f"A briefing holds at most {MAX_SCENES} scenes: download this one and start another.")
            return
        briefing = briefing.with_scene(scene)
    st.session_state[Keys.SESSION_BRIEFING] = briefing


def scenes_text(count: int) -> str:
    return f"{count} scene" if count == 1 else f"{count} scenes"


def start_presenting() -> None:
    st.session_state[Keys.MODE] = "present"
    st.session_state[Keys.SCENE] = 1


def stop_presenting() -> None:
    st.session_state[Keys.MODE] = "explore"


def move_scene(step: int, count: int) -> None:
    st.session_state[Keys.SCENE] = max(1, min(count, st.session_state[Keys.SCENE] + step))


def briefing_panel() -> None:
    with st.expander("Briefing", expanded=False):
        names = briefing_names() + (["session"] if st.session_state.get(Keys.SESSION_BRIEFING) else [])
        st.selectbox("Briefing", names, key=Keys.BRIEFING,
                     format_func=lambda n: "This session's scenes" if n == "session" else n)
        st.button("▶ Present", on_click=start_presenting, key="b_present", width="stretch")
        st.button("+ Add this view as a scene", on_click=add_scene, key="b_add_scene", width="stretch")
        session = st.session_state.get(Keys.SESSION_BRIEFING)
        if session is not None:
            st.caption(f"This session's briefing: {scenes_text(len(session.scenes))}. Edit their titles, captions and "
                       "order in the Scenes panel under the map.")
            st.download_button("Download its YAML", data=to_yaml(session), file_name="briefing.yaml",
                               mime="application/yaml", key="dl_session_yaml", on_click="ignore", width="stretch")
            if not server_saving_allowed():
                return
            st.text_input("Save as (new file in data/briefings, shared with every user)", key=Keys.SAVE_NAME,
                          max_chars=40)
            if st.button("Save", key="b_save_briefing") and st.session_state.get(Keys.SAVE_NAME):
                try:
                    path = save_briefing(session, st.session_state[Keys.SAVE_NAME])
                    st.success(markdown_text(f"Saved {path.name}."))
                except SourceError as exc:
                    st.error(markdown_text(exc.problems[0]))


def present_page(today: date) -> None:
    """Presenter view: the map fills the screen; arrows and Page Up/Down (what clickers send) move scenes."""
    briefing = current_briefing()
    dark = "projector" in (st.session_state.get(Keys.THEME), briefing.theme if briefing else None)
    ink, ground = ("#ffffff", "#0b1a2a") if dark else ("#1a1a1a", "#ffffff")
    # The slide is the map: no page chrome, the keyboard helpers hidden (their shortcuts still work), the map as
    # tall as the window, the caption laid over the map's foot.
    st.html("<style>[data-testid='stSidebar'], [data-testid='stHeader'], footer {display: none;} "
            f".stApp {{background: {ground}; color: {ink};}} "
            + (".stApp button {background: #24313f; color: #ffffff; border-color: #9fb0c0;} " if dark else "") +
            ".block-container {padding: 0.4rem 1rem 0 1rem; max-width: 100%;} "
            ".st-key-b_pageup, .st-key-b_pagedown {position: fixed !important; left: -10000px; top: 0;} "
            "iframe[title='streamlit_folium.st_folium'] {height: calc(100vh - 100px) !important;} "
            ".st-key-presenter_caption {position: fixed; left: 1.2rem; right: 1.2rem; bottom: 1rem; z-index: 1000; "
            f"background: {'rgba(11,26,42,.88)' if dark else 'rgba(255,255,255,.92)'}; border-radius: 6px; "
            "padding: 0.5rem 1rem; box-shadow: 0 1px 6px rgba(0,0,0,.35); max-height: 30vh; overflow: auto;} "
            f".ismap-caption {{font-size: 1.45rem; line-height: 1.4; margin: 0; color: {ink};}} "
            f".ismap-scene-title {{font-size: 2.1rem; font-weight: 700; margin: 0; color: {ink};}} "
            f".ismap-counter {{font-size: 1.3rem; font-weight: 700; color: {ink};}} "
            f".ismap-sources-line {{font-size: 1rem; margin: 0.2rem 0 0 0; color: {'#c8d3de' if dark else '#555'};}}</style>")
    if briefing is None:
        st.warning("No briefing to present.")
        st.button("Exit presenter", on_click=stop_presenting, key="b_exit")
        return
    count = len(briefing.scenes)
    st.session_state[Keys.SCENE] = max(1, min(count, st.session_state[Keys.SCENE]))
    number = st.session_state[Keys.SCENE]
    scene = briefing.scenes[number - 1]
    top = st.columns([6, 1, 1, 1, 1])
    top[0].html(f"<p class='ismap-scene-title'>{escape_text(scene.title)}</p>")
    top[1].html(f"<p class='ismap-counter' data-testid='scene-counter'>{number} / {count}</p>")
    top[2].button("◀ Previous", on_click=move_scene, args=(-1, count), key="b_prev", shortcut="Left")
    top[3].button("Next ▶", on_click=move_scene, args=(1, count), key="b_next", shortcut="Right")
    top[4].button("Exit", on_click=stop_presenting, key="b_exit", shortcut="Esc")
    hidden = st.columns(2)
    hidden[0].button("Page up", on_click=move_scene, args=(-1, count), key="b_pageup", shortcut="PageUp",
                     type="tertiary")
    hidden[1].button("Page down", on_click=move_scene, args=(1, count), key="b_pagedown", shortcut="PageDown",
                     type="tertiary")
    view = scene.view(theme=st.session_state.get(Keys.THEME) if st.session_state.get(Keys.THEME) != "default"
                      else briefing.theme)
    data = replace(published(data_dir(), view.theme), presenter=True)
    st_folium(build_map(data), key="presenter-map", height=700, width="stretch",
              feature_group_to_add=state_group(view_state(view, today)),
              center=list(scene.center), zoom=scene.zoom, returned_objects=[])
    refs = {r["id"]: r for r in reference_list(data_dir())}
    sources = "; ".join(f"{refs[r]['publisher']}, {refs[r]['date']}" for r in scene.refs if r in refs)
    with st.container(key="presenter_caption"):
        st.html(f"<p class='ismap-caption'>{escape_text(scene.caption)}</p>"
                f"<p class='ismap-sources-line'>Sources: {escape_text(sources or 'none given')}</p>")


# ---------------------------------------------------------------- map, stats, exports

def with_user_layer(data: MapData) -> MapData:
    """The published map plus this session's uploaded layer, if any (its payload is content-hashed too)."""
    user: UserLayer | None = st.session_state.get(Keys.USER_LAYER)
    if user is None or user.frame.empty:
        return data
    # The file name carries a secret of this session (128 bits) as well as the content hash: another session, or
    # anyone who knows the file, cannot find it; it is deleted when the layer is replaced or removed, and any
    # user file older than a few hours (a session that ended) is deleted at the next upload.
    token = st.session_state.setdefault(Keys.USER_TOKEN, secrets.token_hex(16))
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
    fmap = build_map(data, center=(start[0], start[1]), zoom=start[2]) if start else build_map(data)
    result = st_folium(
        fmap, key=MAP_KEY, height=620, width="stretch",
        feature_group_to_add=state_group(map_state(view, today, frame)),
        center=[fly[0], fly[1]] if fly else None, zoom=fly[2] if fly else None,
        returned_objects=["center", "zoom"], on_change=map_reported,
    )
    centre = centre_from_map(result)
    if centre is not None:
        st.session_state[Keys.CENTER] = centre


@st.cache_resource(show_spinner=False)
def area_chart_rows(directory: str, today: date) -> list[dict]:
    """One row a month (whole km²) for the chart."""
    series = monthly_area(directory, today)
    return [{"m": m, "Iraq": round(i), "Syria": round(s), "Iraq + Syria": round(t), "Abroad": round(o)}
            for m, i, s, t, o in zip(series["month"], series["IRQ"], series["SYR"], series["total"], series["other"])]


# Iraq + Syria in the territory colour; the parts and the enclaves abroad in colours no other series uses.
AREA_SERIES = {"Iraq": OKABE_ITO["orange"], "Syria": OKABE_ITO["blue"], "Iraq + Syria": TERRITORY,
               "Abroad": OKABE_ITO["bluish_green"]}


def stats_panel(view: View, today: date) -> None:
    series = monthly_area(data_dir(), today)
    row = series.loc[series["month"] == view.month].iloc[0]
    previous = series.loc[series["month"] == shift_month(view.month, -1)]
    peak = series.loc[series["total"].idxmax()]
    before = float(previous["total"].iloc[0]) if not previous.empty else float(row["total"])
    st.caption(f"Area held at the end of {month_date(view.month, today):%B %Y} on this map "
               "(computed from its polygons; published estimates compared in docs/area-estimates.md).")
    cols = st.columns(4)
    cols[0].metric("Held in Iraq", f"{row['IRQ']:,.0f} km²")
    cols[1].metric("Held in Syria", f"{row['SYR']:,.0f} km²")
    cols[2].metric("Iraq + Syria", f"{row['total']:,.0f} km²", delta=f"{row['total'] - before:,.0f} km² vs previous month",
                   delta_color="off")
    best, is_peak = peak_so_far(series, view.month)
    cols[3].metric("Since the peak" if is_peak else "Below the highest so far", f"{row['total'] - best['total']:,.0f} km²",
                   help=(f"Peak on this map: {peak['total']:,.0f} km² in {peak['month']}." if is_peak else
                         f"Highest up to this month: {best['total']:,.0f} km² in {best['month']}; the peak, "
                         f"{peak['total']:,.0f} km², comes later, in {peak['month']}."))
    title = (f"Area held on this map, km², January 2013 to now; the line marks {month_date(view.month, today):%B %Y}: "
             f"Iraq + Syria {row['total']:,.0f} km², peak {peak['total']:,.0f} km² in {peak['month']}")
    st.html(as_img(area_chart_svg(area_chart_rows(data_dir(), today), AREA_SERIES, view.month, title=title),
                   title, view.month))
    st.caption(f"{month_date(view.month, today):%B %Y}: Iraq {row['IRQ']:,.0f} km², Syria {row['SYR']:,.0f} km², "
               f"enclaves abroad {row['other']:,.0f} km².")
    st.download_button("Area series: CSV (km² a month: Iraq, Syria, abroad, Iraq + Syria)", key="dl_area_csv",
                       on_click="ignore", file_name="area-by-month.csv", mime="text/csv",
                       data=lambda: write_csv(series.rename(columns={"IRQ": "iraq_km2", "SYR": "syria_km2",
                                                                     "other": "abroad_km2", "total": "iraq_syria_km2"})
                                              .to_dict(orient="records"),
                                              ["month", "iraq_km2", "syria_km2", "abroad_km2", "iraq_syria_km2"]))



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


def figures_panel() -> None:
    st.caption("Headline figures as the sources give them (not computed by this project).")
    st.dataframe(figure_table(data_dir()), hide_index=True, width="stretch")


def plots_panel(view: View, today: date) -> None:
    time, filters = selection(view, today)["plots"]
    shown = select(frames()["plots"], TimeFilter(), filters)
    st.caption("Plots and attacks per year by directing province (the filters applied, every date; the table "
               "on the map lists those of the map's window).")
    if shown.empty:
        st.info("No plots match the filters.")
        return
    counts = plots_per_year(shown)
    years = [str(y) for y in range(2014, today.year + 1)]
    # What the map's own window holds (U8), and how uneven the record is (U16), said in words.
    in_window = select(frames()["plots"], time, filters)
    first, last = time.window
    by_province = in_window["province"].value_counts()
    top = ", ".join(f"{markdown_text(name)} {n}" for name, n in by_province.head(5).items())
    st.markdown(f"**On the map now** ({first:%d %b %Y} to {last:%d %b %Y}): {len(in_window)} plots and attacks"
                + (f"; by directing province: {top}." if top else "."))
    per_year = {year: sum(counts.get(year, {}).values()) for year in years}
    thin = [year for year, n in per_year.items() if n < 12 and year < str(today.year)]
    if thin:
        st.caption(f"The record is uneven: fewer than 12 documented plots and attacks in {', '.join(thin)}. A "
                   "low year can mean fewer plots or fewer made public; docs/method-plots.md says what is counted.")
    title = f"External plots and attacks per year by directing province, 2014-{today.year}: {len(shown)} in all"
    st.html(as_img(plots_chart_svg(counts, years, title=title), title, view.month, css_class="ismap-plots-chart"))
    rows = [{"year": year, "province": province, "plots": n}
            for year in years for province, n in sorted(counts.get(year, {}).items())]
    st.download_button("Plots per province per year: CSV", key="dl_plots_series", on_click="ignore",
                       data=lambda: write_csv(rows, ["year", "province", "plots"]), file_name="plots-per-year.csv",
                       mime="text/csv")


@st.cache_resource(show_spinner=False, max_entries=256)
def cached_changes(directory: str, first: date, second: date) -> dict[str, pd.DataFrame]:
    return changes_between(load_frames(directory)["territory"], first, second)


def briefing_exports(view: View, today: date) -> None:
    """Files a briefer carries into a room with no network: HTML that opens from disk, PNGs, the pack."""
    st.caption("For a room with no network: the HTML opens from disk with no server (data and scripts inside), "
               "the PNG is rendered here in headless Chromium, the pack holds a PNG per scene, the HTML, each "
               "scene's GeoJSON, a bibliography and the method note.")
    cols = st.columns(4)
    title = f"IS map, {view.month}"

    def payloads() -> dict:
        user: UserLayer | None = st.session_state.get(Keys.USER_LAYER)
        return browser_payloads(frames(), reference_list(data_dir()), user=user.frame if user is not None else None)

    def view_html() -> str:
        return briefing_html(view_scene(view, today, title=title), payloads(), today)

    cols[0].download_button("This view: HTML", data=view_html, file_name=f"is-map-{view.month}.html",
                            mime="text/html", key="dl_view_html", on_click="ignore")

    def view_png() -> bytes:
        try:
            return briefing_pngs(view_html(), 1)[0]
        except SnapshotUnavailable as exc:
            return f"PNG export is not available on this server: {exc}".encode()

    cols[1].download_button("This view: PNG", data=view_png, file_name=f"is-map-{view.month}.png",
                            mime="image/png", key="dl_view_png", on_click="ignore")
    briefing = current_briefing()
    if briefing is not None:
        cols[2].download_button("Briefing: HTML", data=lambda: briefing_html(briefing, payloads(), today),
                                file_name="briefing.html", mime="text/html", key="dl_briefing_html", on_click="ignore")
        cols[3].download_button("Briefing pack: ZIP", data=lambda: briefing_pack(
                                    briefing, frames(), reference_list(data_dir()), today),
                                file_name="briefing-pack.zip", mime="application/zip", key="dl_briefing_zip",
                                on_click="ignore")
    animation_panel(view, today, lambda v, title, caption: briefing_html(
        view_scene(v, today, title=title, caption=caption), payloads(), today))


def exports_panel(view: View, today: date) -> None:
    st.caption("Exactly what the map shows at this date with these filters. GeoJSON is byte-identical to "
               "`python -m geo export` with the same arguments.")
    user: UserLayer | None = st.session_state.get(Keys.USER_LAYER)
    if user is not None and not user.frame.empty:
        on_map = TimeFilter(on=month_date(view.month, today))  # its own name: the loop below rebinds `time`
        cols = st.columns(3)
        cols[0].download_button("Your layer: GeoJSON", key="dl_user_geojson", on_click="ignore",
                                data=lambda: export_geojson("user", user.frame, on_map, Filters()),
                                file_name=f"your-layer-{view.month}.geojson", mime="application/geo+json")
        cols[1].download_button("Your layer: CSV", key="dl_user_csv", on_click="ignore",
                                data=lambda: to_csv("user", select(user.frame, on_map, Filters())),
                                file_name=f"your-layer-{view.month}.csv", mime="text/csv")
        cols[2].download_button("Your layer: KML", key="dl_user_kml", on_click="ignore",
                                data=lambda: to_kml("user", select(user.frame, on_map, Filters())),
                                file_name=f"your-layer-{view.month}.kml", mime="application/vnd.google-earth.kml+xml")
    chosen = {layer: choice for layer, choice in selection(view, today).items() if layer in view.layers}
    for layer, (time, filters) in chosen.items():
        cols = st.columns(4)
        for col, (suffix, label, mime) in zip(cols, LAYER_FORMATS):
            col.download_button(f"{LAYER_LABELS[layer]}: {label}", key=f"dl_{layer}_{suffix[1:]}", on_click="ignore",
                                data=lambda layer=layer, time=time, filters=filters, suffix=suffix: export_as(
                                    suffix, {layer: frames()[layer]}, time, filters, reference_list(data_dir())),
                                file_name=f"{layer}-{view.month}{suffix}", mime=mime)
    if chosen:
        def shown() -> dict:
            return {layer: select(frames()[layer], time, filters) for layer, (time, filters) in chosen.items()}

        cols = st.columns(2)
        cols[0].download_button("All shown layers: GeoPackage (QGIS opens it styled; sources in its references table)",
                                key="dl_all_gpkg", on_click="ignore", file_name=f"ismap-{view.month}.gpkg",
                                mime="application/geopackage+sqlite3",
                                data=lambda: geopackage_of(shown(), reference_list(data_dir())))
        cols[1].download_button("All shown layers: ZIP (GeoJSON, CSV and GeoPackage, with the sources written out)",
                                key="dl_all_zip", on_click="ignore", file_name=f"ismap-{view.month}.zip",
                                mime="application/zip",
                                data=lambda: bundle_zip(shown(), reference_list(data_dir()), view_caption(view, today)))


# ---------------------------------------------------------------- page

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
