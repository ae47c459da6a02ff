"""Play a range of months of a standalone view to an animated GIF or an MP4, offline (Chromium frames; Pillow
for the GIF, the ffmpeg that imageio-ffmpeg ships for the MP4)."""

from __future__ import annotations

import io
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from PIL import Image

from layers.snapshot import SLIDE_CSS, SnapshotUnavailable, offline_page

MAX_FRAMES = 72  # six years of months: enough for any briefing slide, bounded for a shared server
FORMATS = ("gif", "mp4")
Progress = Callable[[int, int], None]

# One animation at a time per server: each holds a Chromium and a few hundred MB of frames.
_SLOT = threading.BoundedSemaphore(1)


class AnimationBusy(RuntimeError):
    """Another animation is being made on this server."""


def frames(html: str, months: list[str], *, width: int = 1280, height: int = 720,
           progress: Progress | None = None, shown: list | None = None, timeout_ms: int = 60_000) -> list[bytes]:
    """A PNG of the view's map at each month, in order. `progress(done, total)` after each frame; `shown`, if
    given, receives what the map showed in each frame (month, date, feature counts per layer)."""
    if not 1 <= len(months) <= MAX_FRAMES:
        raise ValueError(f"an animation has 1 to {MAX_FRAMES} months, not {len(months)}")
    if not _SLOT.acquire(blocking=False):
        raise AnimationBusy("another animation is being made on this server; try again in a minute")
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright's sync API wants a thread without a loop
            return pool.submit(_render, html, months, width, height, progress, shown, timeout_ms).result()
    finally:
        _SLOT.release()


def _render(html: str, months: list[str], width: int, height: int, progress: Progress | None,
            shown: list | None, timeout_ms: int) -> list[bytes]:
    images: list[bytes] = []
    with offline_page(width, height, "animation export") as (page, folder):
        path = folder / "view.html"
        path.write_text(html, encoding="utf-8")
        page.goto(path.as_uri())
        page.wait_for_selector(".ismap-standalone[data-scene='1']", timeout=timeout_ms)
        page.add_style_tag(content=SLIDE_CSS)
        for number, month in enumerate(months, start=1):
            if not page.evaluate("m => ISMap.standalone.goMonth(m)", month):
                raise ValueError(f"month {month} is not one the view offers")
            page.wait_for_selector(f".leaflet-container[data-month='{month}']", timeout=timeout_ms)
            images.append(page.screenshot(type="png"))
            if shown is not None:
                shown.append(page.evaluate("() => { const b = document.querySelector('.leaflet-container'); "
                                           "return {month: b.dataset.month, date: b.dataset.date, "
                                           "counts: JSON.parse(b.dataset.counts)}; }"))
            if progress:
                progress(number, len(months))
    return images


def to_gif(pngs: list[bytes], *, seconds_per_frame: float = 1.0) -> bytes:
    """An animated GIF that loops, each frame shown `seconds_per_frame` (the last one three times as long)."""
    images = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    palette = [image.quantize(colors=255, method=Image.Quantize.MEDIANCUT) for image in images]
    durations = [round(seconds_per_frame * 1000)] * len(palette)
    durations[-1] *= 3
    out = io.BytesIO()
    palette[0].save(out, format="GIF", save_all=True, append_images=palette[1:], duration=durations, loop=0,
                    optimize=False, disposal=1)
    return out.getvalue()


def to_mp4(pngs: list[bytes], *, seconds_per_frame: float = 1.0) -> bytes:
    """An H.264 MP4 (yuv420p, plays in PowerPoint, Keynote and browsers), each frame held `seconds_per_frame`."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise SnapshotUnavailable("MP4 export needs the imageio-ffmpeg package") from exc
    rate = f"{1 / seconds_per_frame:.6f}"
    with tempfile.TemporaryDirectory(prefix="ismap-mp4-") as folder:
        out = Path(folder) / "animation.mp4"
        # The last frame once more, so that players that stop at the last timestamp still show it.
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
                   "-f", "image2pipe", "-framerate", rate, "-c:v", "png", "-i", "-",
                   "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "25", "-movflags", "+faststart",
                   "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", str(out)]
        result = subprocess.run(command, input=b"".join(pngs + pngs[-1:]), capture_output=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"ffmpeg could not write the MP4: {result.stderr.decode(errors='replace')[-300:]}")
        return out.read_bytes()


def animation(html: str, months: list[str], fmt: str, *, seconds_per_frame: float = 1.0,
              progress: Progress | None = None, width: int = 1280, height: int = 720) -> bytes:
    """The whole export: frames of each month, encoded as `fmt` ('gif' or 'mp4')."""
    if fmt not in FORMATS:
        raise ValueError(f"format is gif or mp4, not {fmt!r}")
    pngs = frames(html, months, width=width, height=height, progress=progress)
    return to_gif(pngs, seconds_per_frame=seconds_per_frame) if fmt == "gif" else to_mp4(
        pngs, seconds_per_frame=seconds_per_frame)
