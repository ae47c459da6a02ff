"""Editing this session's briefing in the app: captions and titles, the order of the scenes, deleting scenes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.briefing import Briefing, edit_scenes
from geo.errors import SourceError
from layers.escape import markdown_text

EDITOR = "w_scene_editor"


def scene_editor(briefing: Briefing, store: str) -> None:
    """A table of the scenes (title, caption, position, delete) and an Apply button; the edited briefing is
    validated as a whole and saved in session_state[store], or every problem is shown with scene and field."""
    rows = pd.DataFrame([{"position": n, "title": s.title, "date": s.date, "caption": s.caption, "delete": False}
                         for n, s in enumerate(briefing.scenes, start=1)])
    # A new table whenever the briefing changes: the grid keeps unapplied edits by row number, which must not
    # carry over onto the reordered scenes.
    key = f"{EDITOR}-{abs(hash(briefing.model_dump_json())) % 10**12}"
    edited = st.data_editor(
        rows, key=key, num_rows="fixed", hide_index=True, width="stretch",
        column_config={
            "position": st.column_config.NumberColumn("Order", help="Scenes are shown in this order", step=1),
            "title": st.column_config.TextColumn("Title", max_chars=200, required=True),
            "date": st.column_config.TextColumn("Map date", disabled=True),
            "caption": st.column_config.TextColumn("Caption", max_chars=800, width="large"),
            "delete": st.column_config.CheckboxColumn("Delete"),
        })
    if st.button("Apply these edits", key="b_apply_scenes"):
        records = edited.to_dict(orient="records")
        edits = [{"title": r["title"], "caption": r["caption"], "delete": bool(r["delete"]),
                  "position": None if pd.isna(r["position"]) else float(r["position"])} for r in records]
        try:
            st.session_state[store] = edit_scenes(briefing, edits)
        except SourceError as exc:
            for problem in exc.problems[:20]:
                st.error(markdown_text(problem))
            return
        st.rerun()
