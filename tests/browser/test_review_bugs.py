"""The map review's bugs, each checked where a person meets it: in Chromium."""

from __future__ import annotations

import json

from devtools.browser import MAP_FRAME, centre_territory_place, click_map, map_frame, open_map, wait_idle


def test_held_ground_is_clickable_with_provinces_on(page, app_url):
    """B1: a click inside Mosul in the default layers opens the territory popup, not the province's."""
    frame = open_map(page, f"{app_url}/?date=2015-06")
    point = centre_territory_place(page, "iq-mosul")
    assert json.loads(frame.locator(".leaflet-container").get_attribute("data-counts"))["affiliates"] > 0
    click_map(page, point)
    popup = frame.locator(".ismap-popup")
    popup.wait_for()
    assert "Mosul" in popup.locator(".ismap-title").inner_text()
    assert popup.locator(".ismap-kind").inner_text() != "IS province or branch"


def test_the_target_country_filter_leaves_territory_and_provinces(page, app_url):
    """B4: country=FRA filters plots only."""
    frame = open_map(page, f"{app_url}/?date=2017-06&window=cumulative&link=directed&country=FRA")
    counts = json.loads(frame.locator(".leaflet-container").get_attribute("data-counts"))
    assert counts["territory"] > 50 and counts["affiliates"] > 5
    countries = map_frame(page).evaluate(
        "() => ISMap.layers.plots.items.filter(i => i.visible).map(i => i.feature.properties.country)")
    assert countries and set(countries) == {"FRA"} and len(countries) == counts["plots"]


def test_plot_target_labels_appear_from_the_plot_date(page, app_url):
    """B9: Kerman is not named on a 2015 map; it is from January 2024."""
    def labels(frame) -> list[str]:
        return frame.locator(".ismap-city-label").all_text_contents()  # also those hidden by the declutter

    frame = open_map(page, f"{app_url}/?date=2015-06&lat=32&lon=52&zoom=5")
    frame.locator(".ismap-city-label").first.wait_for(state="attached")
    assert "Kerman" not in labels(frame) and "Baghdad" in labels(frame)
    frame = open_map(page, f"{app_url}/?date=2024-02&lat=32&lon=52&zoom=5")
    frame.locator(".ismap-city-label", has_text="Kerman").wait_for(state="attached")


def test_a_theme_change_keeps_the_view(page, app_url):
    """B5: a new map frame (the projector theme) opens at the centre and zoom the user had."""
    frame = open_map(page, f"{app_url}/?date=2016-01")
    map_frame(page).evaluate("() => ISMap.map.setView([36.3, 41.9], 8, {animate: false})")
    page.wait_for_function("() => new URLSearchParams(location.search).get('zoom') === '8'", timeout=30_000)
    wait_idle(page)
    page.get_by_text("projector", exact=True).click()
    fresh = page.locator(MAP_FRAME).last.content_frame
    fresh.locator(".leaflet-container.ismap-theme-projector[data-ready='1']").wait_for(timeout=60_000)
    centre = page.locator(MAP_FRAME).last.evaluate(
        "f => { const m = f.contentWindow.ISMap.map; const c = m.getCenter(); return [c.lat, c.lng, m.getZoom()]; }")
    assert round(centre[0], 1) == 36.3 and round(centre[1], 1) == 41.9 and centre[2] == 8


OVERLAPS = """() => {
    const boxes = Array.from(document.querySelectorAll('.ismap-label'))
        .filter(n => getComputedStyle(n).visibility !== 'hidden')
        .map(n => n.getBoundingClientRect()).filter(b => b.width > 0);
    let n = 0;
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top) n++;
    }
    return [n, boxes.length];
}"""


def test_labels_never_overlap_in_the_default_views(page, app_url):
    """U2: labels decluttered by rank: zero overlapping label boxes, at world and regional zoom."""
    for view in ("?date=2015-06", "?date=2017-10&lat=20&lon=40&zoom=3", "?date=2024-07&lat=25&lon=45&zoom=4",
                 "?date=2015-06&theme=projector"):
        frame = open_map(page, f"{app_url}/{view}")
        frame.locator(".leaflet-container[data-labels-shown]").wait_for()
        overlaps, shown = map_frame(page).evaluate(OVERLAPS)
        assert overlaps == 0 and shown >= 5, (view, overlaps, shown)
