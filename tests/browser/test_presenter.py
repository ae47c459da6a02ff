"""The presenter view in the app: arrows and Page Up/Down (what clickers send) move through the scenes."""

from __future__ import annotations

from devtools.browser import open_map


def counter(page) -> str:
    return page.get_by_test_id("scene-counter").inner_text()


def test_keyboard_moves_between_scenes(page, app_url):
    frame = open_map(page, f"{app_url}/?mode=present&briefing=default&scene=1")
    assert counter(page) == "1 / 7"
    assert frame.locator(".leaflet-container").get_attribute("data-date") == "2014-12-31"
    page.mouse.click(5, 5)  # focus the page (not the map frame), as a presenter would
    for key, expected, day in (("ArrowRight", "2 / 7", "2017-07-31"), ("PageDown", "3 / 7", "2017-10-31"),
                               ("PageUp", "2 / 7", "2017-07-31"), ("ArrowLeft", "1 / 7", "2014-12-31")):
        page.keyboard.press(key)
        page.get_by_test_id("scene-counter").filter(has_text=expected).wait_for(timeout=30_000)
        frame.locator(f".leaflet-container[data-date='{day}']").wait_for(timeout=30_000)
    assert "mode=present" in page.url and "scene=1" in page.url
    page.get_by_role("button", name="Exit").click()
    page.get_by_text("Map controls").wait_for(timeout=30_000)


def test_keys_still_work_after_clicking_the_map(page, app_url):
    frame = open_map(page, f"{app_url}/?mode=present&briefing=default&scene=3")
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 40)
    page.keyboard.press("PageDown")
    page.get_by_test_id("scene-counter").filter(has_text="4 / 7").wait_for(timeout=30_000)
    frame.locator(".leaflet-container[data-counts*='\"territory\":0']").wait_for(timeout=30_000)


def test_presenter_is_the_whole_screen_with_the_caption_over_the_map(page, app_url):
    page.set_viewport_size({"width": 1440, "height": 900})
    frame = open_map(page, f"{app_url}/?mode=present&briefing=default&scene=2")
    # No page chrome and no helper buttons on the slide (their keys still work: see the tests above).
    assert page.locator("[data-testid='stSidebar']").is_hidden()
    for key in ("b_pageup", "b_pagedown"):
        box = page.locator(f".st-key-{key}").bounding_box()  # off the screen: its shortcut still works
        assert box is None or box["x"] + box["width"] < 0, key
    # The map fills the window's height; the caption lies over its foot, inside the window.
    mapbox = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert mapbox["height"] >= 900 - 110 and mapbox["y"] + mapbox["height"] <= 900 + 2
    caption = page.locator(".st-key-presenter_caption").bounding_box()
    assert caption["y"] + caption["height"] <= 900 and caption["y"] > mapbox["y"] + mapbox["height"] / 2
    # Full screen through the Fullscreen API, from the map's button or F.
    frame.get_by_role("button", name="Full screen (F)").click()
    page.wait_for_function("() => document.fullscreenElement !== null")
    frame.get_by_role("button", name="Leave full screen (F)").wait_for()
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === null")
    page.screenshot(path="test-results/presenter-1440x900.png")
