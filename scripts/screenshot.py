"""Take the README's screenshot: the app on its bundled data in headless Chromium (python scripts/screenshot.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from devtools.browser import ROOT, launch, open_map, start_server, stop_server, wait_idle  # noqa: E402


def main(view: str = "?date=2015-05&lat=34.8&lon=40.6&zoom=6", out: Path = ROOT / "docs" / "screenshot.png") -> None:
    process, url = start_server()
    try:
        with sync_playwright() as playwright:
            context = launch(playwright, viewport={"width": 1440, "height": 960})
            page = context.new_page()
            open_map(page, f"{url}/{view}")
            wait_idle(page)
            page.get_by_text("Held in Iraq").wait_for()
            page.screenshot(path=str(out))
            context.close()
    finally:
        stop_server(process)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
