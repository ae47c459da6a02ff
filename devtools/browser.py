"""Start the app on a free loopback port, and launch Debian's Chromium with the offline flags."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from layers.snapshot import CHROMIUM, CHROMIUM_FLAGS  # noqa: F401  (one list of flags for app and tests)

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOOPBACK = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str] | None = None, app: str = "serve.py") -> tuple[subprocess.Popen, str]:
    """Run `streamlit run` in its own process group; return it once /_stcore/health answers ok.
    serve.py is the app as scripts/run.sh serves it (app.py plus compressed frontend files)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / app), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)  # polling a starting server: the condition is its health answer
    stop_server(process)
    raise RuntimeError("streamlit did not start")


def stop_server(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def launch(playwright, **kwargs):
    """A fresh Chromium (its own empty user-data-dir) that cannot reach the network on its own."""
    return playwright.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="chromium-"), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True,
        viewport=kwargs.pop("viewport", {"width": 1400, "height": 1000}), **kwargs,
    )


def open_map(page, url: str, timeout: int = 60_000):
    """Open a view and wait until the map has drawn its state; return the frame locator."""
    page.goto(url)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container[data-ready='1'][data-date]").wait_for(timeout=timeout)
    return frame


def map_frame(page):
    """The st_folium frame as a Frame (for evaluate)."""
    return page.locator(MAP_FRAME).element_handle().content_frame()


def step_map(page, frame, months: int = 1, timeout: int = 30_000) -> str:
    """Click the map's time bar (▶ or ◀) `months` times; wait until the map shows the month and the app has
    taken it up (the URL says so and the run is over). Returns the month, YYYY-MM."""
    from geo.view import shift_month

    month = frame.locator(".leaflet-container").get_attribute("data-month")
    button = frame.locator(".ismap-tb-forward" if months > 0 else ".ismap-tb-back")
    for _ in range(abs(months)):
        month = shift_month(month, 1 if months > 0 else -1)
        button.click()
        frame.locator(f".leaflet-container[data-month='{month}']").wait_for(timeout=timeout)
    page.wait_for_function("(m) => new URLSearchParams(location.search).get('date') === m", arg=month,
                           timeout=timeout)
    wait_idle(page, timeout)
    return month


def wait_idle(page, timeout: int = 30_000) -> None:
    """Wait until Streamlit has finished its current run (its 'running' indicator is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') || "
        "!document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout)


def centre_territory_place(page, place_prefix: str, zoom: int = 9) -> tuple[float, float]:
    """Centre the map on the first visible territory feature of a place and return its point in the map frame."""
    return tuple(map_frame(page).evaluate("""([prefix, zoom]) => {
        const item = ISMap.layers.territory.items.find(i => i.visible && i.feature.properties.place_id.startsWith(prefix));
        const centre = item.layer.getBounds().getCenter();
        ISMap.map.setView(centre, zoom, {animate: false});
        const p = ISMap.map.latLngToContainerPoint(centre);
        return [p.x, p.y];
    }""", [place_prefix, zoom]))


def click_map(page, point: tuple[float, float]) -> None:
    """A real mouse click at a point of the map frame (as a person clicks)."""
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
