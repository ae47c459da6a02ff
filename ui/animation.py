"""The animation export: play a range of months of the current view to a GIF or an MP4, with a progress bar."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import date
from typing import Callable

import streamlit as st

from geo.slots import released
from geo.view import View, month_options
from layers.animation import MAX_FRAMES, AnimationBusy, animation
from layers.snapshot import SnapshotUnavailable

RESULT = "animation_result"  # (file name, MIME type, bytes) of the last animation this session made
FORMATS = {"GIF (loops; for slides and chat)": "gif", "MP4 (H.264; PowerPoint, Keynote, browsers)": "mp4"}


def animation_panel(view: View, today: date, html_for: Callable[[View, str, str], str]) -> None:
    """html_for(view, title, caption): the standalone HTML of a view (the frames are its map, month by month)."""
    st.markdown("**Animation** of this view, month by month, made here offline in headless Chromium.")
    months = month_options(today)
    start_default = max(months.index(view.month) - 11, 0)
    cols = st.columns([3, 2, 2])
    first, last = cols[0].select_slider("Months", options=months, key="w_anim_range",
                                        value=(months[start_default], view.month))
    seconds = cols[1].select_slider("Seconds per month", options=[0.25, 0.5, 1.0, 1.5, 2.0], value=0.5,
                                    key="w_anim_speed")
    label = cols[2].radio("Format", list(FORMATS), key="w_anim_format")
    chosen = months[months.index(first): months.index(last) + 1]
    if len(chosen) > MAX_FRAMES:
        st.warning(f"{len(chosen)} months: an animation holds at most {MAX_FRAMES}. Choose a shorter range.")
        return
    if st.button(f"Make the animation ({len(chosen)} frames)", key="w_anim_make"):
        _make(view, chosen, FORMATS[label], float(seconds), html_for)
    result = st.session_state.get(RESULT)
    if result:
        name, mime, data = result
        st.download_button(f"Download {name} ({len(data) / 1e6:.1f} MB)", data=data, file_name=name, mime=mime,
                           key="dl_animation", on_click="ignore")


def _make(view: View, months: list[str], fmt: str, seconds: float, html_for: Callable[[View, str, str], str]) -> None:
    title = f"IS map, {months[0]} to {months[-1]}"
    caption = (f"Month by month from {months[0]} to {months[-1]}; the date is in the legend. Layers: "
               f"{', '.join(view.layers) or 'none'}.")
    html = html_for(replace(view, month=months[0], compare=None), title, caption)
    bar = st.progress(0.0, text=f"Frame 0 of {len(months)}")
    done = {"frames": 0}

    def progress(count: int, total: int) -> None:  # runs in the worker thread: only records the count
        done["frames"] = count

    # The frames are made in a worker thread; this (the script's) thread redraws the bar while it waits.
    with ThreadPoolExecutor(max_workers=1) as pool, released():  # Chromium does the work: others may run
        job = pool.submit(animation, html, months, fmt, seconds_per_frame=seconds, progress=progress)
        while not wait([job], timeout=0.3).done:
            count = done["frames"]
            bar.progress(count / len(months), text=f"Frame {count} of {len(months)}" +
                         (", encoding" if count == len(months) else ""))
        try:
            data = job.result()
        except AnimationBusy as exc:
            bar.empty()
            st.warning(str(exc).capitalize() + ".")
            return
        except SnapshotUnavailable as exc:
            bar.empty()
            st.error(f"Animation export is not available on this server: {exc}.")
            return
    bar.progress(1.0, text=f"Done: {len(months)} frames")
    name = f"is-map-{months[0]}-to-{months[-1]}.{fmt}"
    st.session_state[RESULT] = (name, "image/gif" if fmt == "gif" else "video/mp4", data)
