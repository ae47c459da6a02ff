"""PNG of a standalone page, rendered on the server in headless Chromium (Debian's, off the network)."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# A PNG or an animation frame is a slide, not a page to click: no zoom buttons, scene buttons, counter or slider.
SLIDE_CSS = (".leaflet-control-zoom, .ismap-standalone-nav, .ismap-standalone-counter, .ismap-standalone-slider "
             "{ display: none !important; }")


class SnapshotUnavailable(RuntimeError):
    """Chromium or Playwright is not installed where the app runs."""


def png_pages(html_pages: list[tuple[str, int | None]], *, width: int = 1600, height: int = 900,
              timeout_ms: int = 60_000) -> list[bytes]:
    """Render each (html, scene number or None) offline and return PNG bytes; one browser for all pages.
    Runs in a worker thread: Playwright's sync API refuses a thread that already runs an event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_render, html_pages, width, height, timeout_ms).result()


@contextmanager
def offline_page(width: int, height: int, what: str = "PNG export") -> Iterator[tuple[object, Path]]:
    """A page of a fresh headless Chromium that can load only file: and data: addresses, and a scratch folder
    to write the pages it opens; both gone afterwards. Call from a thread without an event loop."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise SnapshotUnavailable(f"{what} needs the playwright package") from exc
    if not Path(CHROMIUM).exists():
        raise SnapshotUnavailable(f"{what} needs Debian's chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="ismap-chromium-") as folder, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            Path(folder) / "profile", executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True,
            viewport={"width": width, "height": height}, offline=True)
        try:
            page = context.new_page()
            page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(("file:", "data:"))
                       else route.continue_())
            yield page, Path(folder)
        finally:
            context.close()


def _render(html_pages: list[tuple[str, int | None]], width: int, height: int, timeout_ms: int) -> list[bytes]:
    images: list[bytes] = []
    with offline_page(width, height) as (page, folder):
        for number, (html, scene) in enumerate(html_pages):
            path = folder / f"page-{number}.html"
            path.write_text(html, encoding="utf-8")
            page.goto(path.as_uri())
            page.wait_for_selector(".leaflet-container[data-ready='1'][data-date]", timeout=timeout_ms)
            page.add_style_tag(content=SLIDE_CSS)
            if scene is not None:
                page.evaluate("n => ISMap.standalone.show(n - 1)", scene)
                page.wait_for_selector(f".ismap-standalone[data-scene='{scene}']", timeout=timeout_ms)
            images.append(page.screenshot(type="png"))
    return images
