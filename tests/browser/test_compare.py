"""Compare two dates: the map shades what IS gained and lost, and the list and its CSV name the same places."""

from __future__ import annotations

import csv
import io
import json
import re

from devtools.browser import map_frame, open_map, step_map, wait_idle
from tests.browser.test_app_flows import download

SHADED = """() => {
    const out = {gained: new Set(), lost: new Set(), other: new Set()};
    for (const item of ISMap.layers.territory.items) {
        const p = item.feature.properties;
        if (!item.visible || p.zone === "between") continue;
        (out[item.shade] || out.other).add(p.place);
    }
    const gained = [...out.gained].filter(x => !out.other.has(x) && !out.lost.has(x));
    const lost = [...out.lost].filter(x => !out.other.has(x) && !out.gained.has(x));
    return {gained: gained.sort(), lost: lost.sort()};
}"""


def listed(page) -> dict[str, list[str]]:
    text = download(page, "These changes: CSV").path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return {kind: sorted(r["place"] for r in rows if r["change"] == kind) for kind in ("gained", "lost")}


def test_compare_shades_the_map_and_lists_the_same_places(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2016-06&compare=2015-06&layers=territory")
    box = frame.locator(".leaflet-container[data-compare]")
    box.wait_for()
    shaded = json.loads(box.get_attribute("data-compare"))
    assert shaded["lost"] > 0 and shaded["gained"] > 0 and shaded["kept"] > 0
    key = frame.locator(".ismap-compare-key")
    assert "30 Jun 2015 → 30 Jun 2016" in key.inner_text()
    wait_idle(page)
    page.get_by_text("What changed", exact=True).click()
    page.get_by_text("From the end of June 2015 to the end of June 2016").wait_for()
    on_map = map_frame(page).evaluate(SHADED)
    assert on_map == listed(page)
    assert "Palmyra" in on_map["lost"] or "Palmyra" in on_map["gained"] or on_map["lost"]
    # The comparison follows the map date: a step moves one end, and the shading and the list follow.
    assert step_map(page, frame) == "2016-07"
    frame.locator(".ismap-compare-key", has_text="31 Jul 2016").wait_for()
    page.get_by_text("From the end of June 2015 to the end of July 2016").wait_for()
    assert map_frame(page).evaluate(SHADED) == listed(page)
    assert "compare=2015-06" in page.url


def test_compare_off_restores_the_usual_look(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2016-06&compare=2015-06&layers=territory")
    frame.locator(".leaflet-container[data-compare]").wait_for()
    wait_idle(page)
    page.get_by_text("What changed", exact=True).click()
    page.get_by_text("Shade gains and losses on the map").click()
    frame.locator(".leaflet-container:not([data-compare])").wait_for()
    assert frame.locator(".ismap-compare-key").is_hidden()
    left = map_frame(page).evaluate("() => ISMap.layers.territory.items.filter(i => i.shade).length")
    assert left == 0
    page.wait_for_function("() => !location.search.includes('compare=')")


def test_side_by_side_shows_each_date_on_its_side_of_a_divider_the_user_moves(page, app_url):
    """C5: ?compare=2015-06&swipe=1 draws the earlier date's ground left of a divider and the map date's right
    of it, unshaded; the divider moves by drag and by the arrow keys (without stepping the map); the toggle in
    'What changed' turns it off and the link follows."""
    earlier = open_map(page, f"{app_url}/?date=2015-06&layers=territory")
    held_then = json.loads(earlier.locator(".leaflet-container").get_attribute("data-counts"))["territory"]
    frame = open_map(page, f"{app_url}/?date=2017-03&compare=2015-06&swipe=1&layers=territory")
    box = frame.locator(".leaflet-container[data-swipe]")
    box.wait_for()
    swipe = json.loads(box.get_attribute("data-swipe"))
    assert swipe == {"left": "2015-06-30", "right": "2017-03-31", "compareShown": held_then}
    mf = map_frame(page)
    # Nothing is shaded: each side shows its own date as it was held.
    assert mf.evaluate("() => ISMap.layers.territory.items.filter(i => i.shade).length") == 0
    clips = mf.evaluate("() => [document.querySelector('.leaflet-ismap-territory-then-pane').style.clip,"
                        " document.querySelector('.leaflet-ismap-territory-pane').style.clip]")
    assert all(c.startswith("rect(") for c in clips)
    key = frame.locator(".ismap-compare-key")
    assert "Left of the divider: ground held on 30 Jun 2015" in key.inner_text()
    assert frame.locator(".ismap-swipe-left").inner_text().endswith("30 Jun 2015")
    # The arrow keys on the divider move it, not the month.
    handle = frame.locator(".ismap-swipe-handle")
    handle.focus()
    page.keyboard.press("ArrowRight")
    frame.locator(".leaflet-container[data-swipe-at='0.550']").wait_for()
    assert frame.locator(".leaflet-container").get_attribute("data-month") == "2017-03"
    # Dragging moves it too, and the clip follows the divider.
    area = frame.locator(".leaflet-container").bounding_box()
    grip = handle.bounding_box()
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.25, grip["y"] + grip["height"] / 2, steps=5)
    page.mouse.up()
    at = float(frame.locator(".leaflet-container").get_attribute("data-swipe-at"))
    assert abs(at - 0.25) < 0.02
    # A step keeps the comparison side by side and moves the right-hand date.
    step_map(page, frame, 1)
    frame.locator(".ismap-swipe-right", has_text="30 Apr 2017").wait_for()
    assert page.url.count("swipe=1") == 1
    # Off in the panel: back to shading, the divider gone, the link without swipe.
    wait_idle(page)
    page.get_by_text("What changed", exact=True).click()
    page.get_by_text("Side by side: drag the divider (swipe)").click()
    page.wait_for_function("() => !location.search.includes('swipe=1')")
    frame.locator(".leaflet-container[data-compare]:not([data-swipe])").wait_for()
    assert frame.locator(".ismap-swipe").is_hidden()
    assert mf.evaluate("() => ISMap.layers.territory.items.filter(i => i.shade).length") > 0
