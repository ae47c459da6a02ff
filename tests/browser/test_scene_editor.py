"""Scene editing in the app, as a briefer does it: add views as scenes, change a caption, reorder, delete,
and the downloaded YAML and the presenter say so."""

from __future__ import annotations

import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from devtools.browser import open_map, step_map, wait_idle
from tests.browser.test_app_flows import download


def edit_cell(page, row: int, column: int, text: str) -> None:
    """Type into a cell of the scene table (a canvas grid): select its first cell, move with the arrows, type.
    Each edit reruns the app: wait for it to finish before the next."""
    wait_idle(page)
    grid = page.locator("[data-testid='stMain'] [data-testid='stDataFrameResizable']")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # row 1, first column
    for _ in range(row - 1):
        page.keyboard.press("ArrowDown")
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    if text == " ":  # a checkbox: space toggles it
        page.keyboard.press("Space")
        wait_idle(page)
        return
    # Paste into the selected cell, as a user pastes from a document (the grid takes pasted text as an edit).
    page.evaluate("t => navigator.clipboard.writeText(t)", text)
    page.keyboard.press("ControlOrMeta+V")
    wait_idle(page)


def tick_delete(page, row: int) -> None:
    """Tick the Delete box of a row (the last column): a click selects the cell, Space toggles its box."""
    wait_idle(page)
    grid = page.locator("[data-testid='stMain'] [data-testid='stDataFrameResizable']")
    box = grid.bounding_box()
    x, y = box["x"] + box["width"] - 93, box["y"] + 35 + 35 * (row - 1) + 17  # the box sits mid-column
    page.mouse.click(x, y)
    page.keyboard.press("Space")
    wait_idle(page)


def test_scenes_are_edited_reordered_and_deleted_in_the_app(page, app_url):
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    frame = open_map(page, f"{app_url}/?date=2015-06&layers=territory")
    wait_idle(page)
    add = page.get_by_role("button", name="+ Add this view as a scene")
    if not add.is_visible():
        page.locator("[data-testid='stExpander'] summary", has_text="Briefing").click()
    for count in (1, 2, 3):
        added = page.get_by_text(f"This session's briefing: {count} scene{'s' if count > 1 else ''}.", exact=False).first
        for attempt in range(3):  # a click during a rerun can be swallowed: click again if the count stays
            add.click()
            try:
                added.wait_for(timeout=10_000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
        step_map(page, frame)
    page.get_by_text("Scenes", exact=True).click()
    edit_cell(page, 1, 3, "Raqqa and Mosul held <b>together</b>")
    edit_cell(page, 1, 0, "9")   # the first scene goes last
    tick_delete(page, 2)          # delete the second scene
    page.screenshot(path="test-results/scene-editor-before-apply.png")
    # A click that lands while the grid's last edit reruns the app can be swallowed: click until it is taken.
    done = page.get_by_text("This session's briefing: 2 scenes.", exact=False).first
    for attempt in range(3):
        page.get_by_role("button", name="Apply these edits").click()
        try:
            done.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    page.screenshot(path="test-results/scene-editor-after-apply.png")
    done.wait_for()
    data = yaml.safe_load(download(page, "Download its YAML").path().read_text(encoding="utf-8"))
    assert [s["date"] for s in data["scenes"]] == ["2015-08", "2015-06"]
    assert data["scenes"][1]["caption"] == "Raqqa and Mosul held <b>together</b>"
