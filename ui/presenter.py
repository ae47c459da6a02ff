"""Briefings: the sidebar's briefing section, scenes built from views, and the presenter page."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from geo.view import view_state
from geo.briefing import (MAX_SCENES, Briefing, briefing_names, briefing_path, load_briefing, save_briefing,
    scene_from_view, server_saving_allowed, to_yaml)
from geo.errors import SourceError
from layers.escape import escape_text, markdown_text
from layers.mapbuild import build_map, state_group
from ui.keys import Keys
from ui.data import data_dir, published, reference_list, known_ids
from ui.state import current_view


def current_briefing() -> Briefing | None:
    """The selected briefing: a file in data/briefings, or the one built in this session."""
    name = st.session_state.get(Keys.BRIEFING)
    if name == "session":
        return st.session_state.get(Keys.SESSION_BRIEFING)
    if not name:
        return None
    try:
        return load_briefing(briefing_path(name), **known_ids())
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
            st.text_input("Save as (a new file on the server, shared with every user)", key=Keys.SAVE_NAME,
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
