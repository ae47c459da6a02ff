"""'What changed': the map date compared with a second month, as lists, a CSV and shading on the map."""

from __future__ import annotations

from datetime import date
from typing import Callable

import pandas as pd
import streamlit as st

from geo.formats import write_csv
from geo.view import View, month_date, month_options, shift_month

ON = "w_compare_on"       # widget: shade gains and losses on the map
WITH = "w_compare_with"   # widget: the month compared with the map's
MONTH = "compare_month"   # the view's compare month (None = off); kept when the panel is closed
SWIPE_ON = "w_compare_swipe"  # widget: the two dates side by side with a divider, instead of shading
SWIPE = "compare_swipe"       # the view's swipe choice; kept when the panel is closed
Changes = Callable[[date, date], dict[str, pd.DataFrame]]


def _changed() -> None:
    state = st.session_state
    state[MONTH] = state[WITH] if state.get(ON) else None
    state[SWIPE] = bool(state.get(ON) and state.get(SWIPE_ON))


def compare_panel(view: View, today: date, changes: Changes) -> None:
    """Places and km² gained and lost between the map date and a second month, and (if asked) the same
    shaded on the map. It follows the map date: stepping the map moves one end of the comparison.
    changes(first_day, second_day) -> {"gained": frame, "lost": frame} (geo.stats.changes_between, cached)."""
    months = month_options(today)
    state = st.session_state
    if WITH not in state or state[WITH] not in months:
        year_before = shift_month(view.month, -12)
        state[WITH] = view.compare or (year_before if year_before in months else months[0])
    if ON not in state:
        state[ON] = view.compare is not None
    if SWIPE_ON not in state:
        state[SWIPE_ON] = view.swipe
    cols = st.columns([3, 2])
    cols[0].select_slider("Compare the map date with", options=months, key=WITH, on_change=_changed)
    cols[1].toggle("Shade gains and losses on the map", key=ON, on_change=_changed)
    cols[1].toggle("Side by side: drag the divider (swipe)", key=SWIPE_ON, disabled=not state.get(ON),
                   on_change=_changed,
                   help="The earlier date on the left of a divider, the later on the right, each as it was held; "
                        "drag the divider, or focus it and use the arrow keys.")
    first, second = sorted((view.month, state[WITH]))
    result = changes(month_date(first, today), month_date(second, today))
    gained, lost = result["gained"], result["lost"]
    st.caption(f"From the end of {month_date(first, today):%B %Y} to the end of {month_date(second, today):%B %Y}"
               " (the map date is one end; step the map to move it). Areas are of the places' own cells.")
    cols = st.columns(2)
    cols[0].metric("Gained by IS", f"{gained['area_km2'].sum():,.0f} km²", f"{len(gained)} places", delta_color="off")
    cols[1].metric("Lost by IS", f"{lost['area_km2'].sum():,.0f} km²", f"{len(lost)} places", delta_color="off")
    config = {"area_km2": st.column_config.NumberColumn("km²", format="%.0f")}
    cols[0].dataframe(gained, width="stretch", hide_index=True, column_config=config)
    cols[1].dataframe(lost, width="stretch", hide_index=True, column_config=config)
    rows = [{"change": kind, **row} for kind, frame in (("gained", gained), ("lost", lost))
            for row in frame.to_dict(orient="records")]
    st.download_button("These changes: CSV", key="dl_changes_csv", on_click="ignore", mime="text/csv",
                       file_name=f"changes-{first}-to-{second}.csv",
                       data=lambda: write_csv(rows, ["change", "place", "country", "area_km2"]))
