"""The animation export in headless Chromium: one frame per month showing what the exports hold that month,
encoded as a looping GIF and an H.264 MP4; one animation at a time per server."""

from __future__ import annotations

import io
import json
from datetime import date

import imageio_ffmpeg
import pytest
from PIL import Image, ImageChops

from geo.export import load_layer, select
from geo.filters import Filters, TimeFilter
from geo.view import View, month_date
from layers import animation as anim
from layers.export import briefing_html, browser_payloads, view_scene

MONTHS = ["2015-04", "2015-05", "2015-06"]


@pytest.fixture(scope="module")
def shot(fixture_build):
    frames = {layer: load_layer(layer, fixture_build) for layer in ("territory", "affiliates", "plots")}
    refs = json.loads((fixture_build / "references.json").read_text(encoding="utf-8"))
    today = date(2026, 12, 2)
    view = View(month=MONTHS[0], layers=("territory", "affiliates"))
    html = briefing_html(view_scene(view, today, title="Test"), browser_payloads(frames, refs), today)
    shown, ticks = [], []
    pngs = anim.frames(html, MONTHS, width=800, height=500, shown=shown, progress=lambda d, n: ticks.append((d, n)))
    return {"pngs": pngs, "shown": shown, "ticks": ticks, "frames": frames, "today": today}


def test_each_frame_shows_its_month_as_the_exports_hold_it(shot):
    assert [s["month"] for s in shot["shown"]] == MONTHS
    assert shot["ticks"] == [(1, 3), (2, 3), (3, 3)]
    for state in shot["shown"]:
        day = month_date(state["month"], shot["today"])
        assert state["date"] == day.isoformat()
        for layer in ("territory", "affiliates"):
            assert state["counts"][layer] == len(select(shot["frames"][layer], TimeFilter(on=day), Filters())), layer
    # Palmyra falls in May 2015 in the fixture: the April and June frames differ.
    first, last = (Image.open(io.BytesIO(p)).convert("RGB") for p in (shot["pngs"][0], shot["pngs"][2]))
    assert first.size == (800, 500) and ImageChops.difference(first, last).getbbox() is not None


def test_gif_loops_through_every_frame(shot):
    gif = Image.open(io.BytesIO(anim.to_gif(shot["pngs"], seconds_per_frame=0.5)))
    assert gif.n_frames == 3 and gif.info.get("loop") == 0
    durations = []
    for index in range(gif.n_frames):
        gif.seek(index)
        durations.append(gif.info["duration"])
    assert durations == [500, 500, 1500]


def test_mp4_is_h264_of_the_right_length(shot, tmp_path):
    path = tmp_path / "a.mp4"
    path.write_bytes(anim.to_mp4(shot["pngs"], seconds_per_frame=0.5))
    assert path.read_bytes()[4:8] == b"ftyp"
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert 1.9 <= seconds <= 2.1 and frames >= 45  # 3 frames + the last held once more, 0.5 s each, at 25 fps


def test_one_animation_at_a_time_and_bounded_length():
    with pytest.raises(ValueError, match="1 to"):
        anim.frames("<html></html>", ["2015-01"] * (anim.MAX_FRAMES + 1))
    assert anim._SLOT.acquire(blocking=False)
    try:
        with pytest.raises(anim.AnimationBusy):
            anim.frames("<html></html>", ["2015-01"])
    finally:
        anim._SLOT.release()
    with pytest.raises(ValueError, match="gif or mp4"):
        anim.animation("<html></html>", ["2015-01"], "avi")
