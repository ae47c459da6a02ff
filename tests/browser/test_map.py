"""What a person sees, in Debian's headless Chromium: polygons drawn offline, the slider moving the map."""

from __future__ import annotations

import json

from devtools.browser import (LOOPBACK, MAP_FRAME, centre_territory_place, click_map, map_frame, open_map,
                              step_map, wait_idle)


def test_draws_polygons_and_requests_nothing_outside_loopback(page, app_url):
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(LOOPBACK) else None)
    frame = open_map(page, f"{app_url}/?date=2015-06")
    counts = json.loads(frame.locator(".leaflet-container").get_attribute("data-counts"))
    assert counts["territory"] > 50 and counts["affiliates"] > 5
    fills = map_frame(page).evaluate(
        "() => Array.from(document.querySelectorAll('path')).filter(p => p.getAttribute('fill') === '#D55E00'"
        " || (p.getAttribute('fill') || '').startsWith('url(#ismap-pat-hatch-D55E00')).length")
    assert fills == counts["territory"]
    assert frame.locator(".ismap-legend-date").inner_text() == "30 Jun 2015"
    # The area chart under the map marks the same month.
    chart = page.locator("img.ismap-area-chart[data-month='2015-06']")
    chart.wait_for(timeout=30_000)
    assert "the line marks June 2015" in chart.get_attribute("alt")
    chart.evaluate("img => img.decode()")  # rejects if the SVG does not decode
    assert chart.evaluate("img => img.naturalWidth") == 960
    assert outside == []


def test_time_bar_step_updates_the_map_and_keeps_the_view(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2016-01")
    mf = map_frame(page)
    mf.evaluate("() => ISMap.map.setView([36.3, 43.1], 8)")
    before = json.loads(frame.locator(".leaflet-container").get_attribute("data-counts"))
    sent = mf.evaluate("() => window.__GLOBAL_DATA__.last_feature_group")
    assert step_map(page, frame) == "2016-02"
    assert mf.evaluate("() => window.__GLOBAL_DATA__.last_feature_group") == sent, \
        "the app took up the month without sending the map anything new to run"
    assert frame.locator(".leaflet-container").get_attribute("data-date") == "2016-02-29"
    assert frame.locator(".ismap-tb-label").inner_text() == "Feb 2016"
    centre = mf.evaluate("() => { const c = ISMap.map.getCenter(); return [c.lat, c.lng, ISMap.map.getZoom()]; }")
    assert round(centre[0], 1) == 36.3 and round(centre[1], 1) == 43.1 and centre[2] == 8
    after = json.loads(frame.locator(".leaflet-container").get_attribute("data-counts"))
    assert after["territory"] > 0 and before["territory"] > 0


def test_popup_lists_sources_as_links(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2015-06&layers=territory")
    click_map(page, centre_territory_place(page, "iq-mosul"))
    popup = frame.locator(".ismap-popup")
    popup.wait_for()
    assert "Mosul" in popup.locator(".ismap-title").inner_text()
    links = popup.locator(".ismap-sources a")
    links.first.wait_for()  # the bibliography loads after the first map is drawn; an open popup is redrawn
    assert links.count() >= 1
    assert links.first.get_attribute("href").startswith("http")
    assert links.first.get_attribute("rel") == "noopener noreferrer"


def test_a_new_map_frame_starts_at_the_month_the_map_showed(page, app_url):
    """A theme change builds a new map frame: it must open at the month stepped to, not the link's month."""
    frame = open_map(page, f"{app_url}/?date=2016-01")
    wait_idle(page)
    assert step_map(page, frame, 2) == "2016-03"
    page.get_by_text("projector", exact=True).click()
    fresh = page.locator(MAP_FRAME).last.content_frame
    fresh.locator(".leaflet-container.ismap-theme-projector[data-ready='1'][data-month='2016-03']").wait_for(
        timeout=60_000)
    page.get_by_text("Area held at the end of March 2016").wait_for()


def test_confidence_reads_by_hatch_as_well_as_opacity_on_every_theme(page, app_url):
    """U10: low confidence is hatched (a second channel), and the legend's swatches show the map's own opacities,
    so high, medium and low keep their order on the projector too."""
    for theme in ("default", "projector", "print"):
        frame = open_map(page, f"{app_url}/?date=2015-06&theme={theme}")
        mf = map_frame(page)
        drawn = mf.evaluate("""() => {
            const low = ISMap.cfg.layers.find(d => d.id === 'territory').styles.low;
            const pattern = document.getElementById(low.fillColor.slice(5, -1));
            const paths = Array.from(document.querySelectorAll('.leaflet-pane path'));
            return {fill: low.fillColor, lines: pattern ? pattern.querySelectorAll('rect').length : 0,
                    hatched: paths.filter(p => p.getAttribute('fill') === low.fillColor).length};
        }""")
        assert drawn["fill"].startswith("url(#ismap-pat-hatch-"), theme
        assert drawn["lines"] == 2 and drawn["hatched"] > 0, (theme, drawn)
        swatches = frame.locator(".ismap-legend-group[data-layer='territory'] .ismap-swatch-ink")
        opacities = [float(swatches.nth(i).evaluate("e => getComputedStyle(e).opacity")) for i in range(3)]
        assert opacities[0] > opacities[1], (theme, opacities)
        hatched = frame.locator(".ismap-legend-group[data-layer='territory'] .ismap-swatch-hatch")
        assert hatched.count() == 1, theme
        assert "repeating-linear-gradient" in hatched.locator(".ismap-swatch-ink").evaluate("e => e.style.background")


def test_the_area_chart_shows_each_months_values_on_hover_as_its_csv_holds_them(page, app_url):
    """U7: hovering a month of the area chart shows that month's km² for every series, the same figures as the
    area series CSV; the hover cells sit over the months they name at any width."""
    import csv
    import io

    open_map(page, f"{app_url}/?date=2016-07")
    page.locator("img.ismap-area-chart[data-month='2016-07']").wait_for(timeout=30_000)
    cell = page.locator(".ismap-area-hover > span[data-month='2015-06']")
    cell.hover()
    tip = cell.evaluate("el => getComputedStyle(el, '::after').content")
    assert "Jun 2015" in tip and "Iraq:" in tip and "Abroad:" in tip
    with page.expect_download() as info:
        page.get_by_role("button", name="Area series: CSV").click()
    rows = {r["month"]: r for r in csv.DictReader(io.StringIO(info.value.path().read_text(encoding="utf-8")))}
    june = rows["2015-06"]
    for label, column in (("Iraq", "iraq_km2"), ("Syria", "syria_km2"), ("Iraq + Syria", "iraq_syria_km2"),
                          ("Abroad", "abroad_km2")):
        assert f"{label}: {round(float(june[column])):,} km²" in tip, (label, tip)
    # Nothing else is hovered, and the cell for June 2015 lies where the chart draws June 2015.
    others = page.locator(".ismap-area-hover > span[data-month='2015-05']")
    assert others.evaluate("el => getComputedStyle(el, '::after').content") in ("none", "normal")
    img = page.locator("img.ismap-area-chart").bounding_box()
    months = page.locator(".ismap-area-hover > span").count()
    box = cell.bounding_box()
    index = [r for r in rows].index("2015-06")
    expected = img["x"] + img["width"] * (64 + (960 - 64 - 150) * index / (months - 1)) / 960
    assert abs(box["x"] + box["width"] / 2 - expected) < 2


def test_key_events_on_the_time_bar_jump_the_map_and_the_app_to_their_month(page, app_url):
    """C4: the time bar lists the key events and marks each above the slider; choosing one (from the list, by
    keyboard, or by its mark) moves the map and the app to its month, and the list names the event of the month."""
    from geo.bookmarks import key_events
    from geo.export import load_layer
    from geo.paths import GEOJSON

    expected = key_events({layer: load_layer(layer, GEOJSON) for layer in ("territory", "affiliates", "plots")},
                          strict=True)
    frame = open_map(page, f"{app_url}/?date=2016-01")
    events = frame.locator("select.ismap-tb-events")
    assert events.locator("option").count() == len(expected) + 1
    assert frame.locator(".ismap-tb-mark").count() == len(expected)
    assert events.input_value() == ""
    mosul = next(i for i, e in enumerate(expected) if e["label"] == "IS takes Mosul")
    events.select_option(str(mosul))
    frame.locator(".leaflet-container[data-month='2014-06']").wait_for()
    page.wait_for_function("() => new URLSearchParams(location.search).get('date') === '2014-06'")
    assert frame.locator(".ismap-tb-label").inner_text() == "Jun 2014"
    assert "10 Jun 2014: IS takes Mosul" in events.locator("option:checked").inner_text()
    # Its mark sits where the slider puts June 2014, and a mark click jumps too.
    paris = frame.locator(".ismap-tb-mark[data-month='2015-11']")
    assert "Paris attacks" in paris.get_attribute("title")
    paris.click()
    frame.locator(".leaflet-container[data-month='2015-11']").wait_for()
    assert "Paris attacks" in events.locator("option:checked").inner_text()
    # A step to a month without an event clears the list's choice.
    step_map(page, frame, 1)
    assert events.input_value() == ""
    # From the keyboard: focus the list and pick the next event with the arrow key.
    events.focus()
    page.keyboard.press("ArrowDown")
    frame.locator(".leaflet-container[data-month='2014-01']").wait_for()
