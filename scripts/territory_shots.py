"""The method note's three territory views (docs/territory-YYYY-MM.png): June 2015, March 2017, November 2018,
the map frame only, territory layer only (python scripts/territory_shots.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from devtools.browser import MAP_FRAME, ROOT, launch, open_map, start_server, stop_server, wait_idle  # noqa: E402

VIEWS = ("2015-06", "2017-03", "2018-11")


def main(out_dir: Path = ROOT / "docs") -> None:
    process, url = start_server()
    try:
        with sync_playwright() as playwright:
            context = launch(playwright, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            for month in VIEWS:
                open_map(page, f"{url}/?date={month}&layers=territory&lat=34.9&lon=40.9&zoom=7")
                wait_idle(page)
                out = out_dir / f"territory-{month}.png"
                page.locator(MAP_FRAME).screenshot(path=str(out))
                print(f"wrote {out}")
            context.close()
    finally:
        stop_server(process)


if __name__ == "__main__":
    main()
