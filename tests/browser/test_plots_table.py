"""The table of plots beside the map and the time bar's histogram stay in step with the map (Chromium)."""

from __future__ import annotations

import csv
import io
import json

from devtools.browser import map_frame, open_map, step_map


def visible_plot_ids(page) -> list[str]:
    return sorted(map_frame(page).evaluate(
        "() => ISMap.layers.plots.items.filter(i => i.visible).map(i => i.feature.id)"))


def table_ids(frame) -> list[str]:
    return sorted(frame.locator(".ismap-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)"))


def test_the_table_lists_what_the_map_shows_through_filters_dates_and_search(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2016-07&window=cumulative&outcome=foiled")
    frame.locator(".ismap-table-toggle").click()
    frame.locator(".ismap-table tbody tr").first.wait_for()
    shown = visible_plot_ids(page)
    assert len(shown) > 20 and table_ids(frame) == shown
    outcomes = set(frame.locator(".ismap-table tbody tr td:nth-child(5)").all_inner_texts())
    assert outcomes == {"plot foiled"}
    assert step_map(page, frame, 6) == "2017-01"  # the map steps by itself: the table follows
    frame.locator(f".ismap-table-panel[data-rows='{len(visible_plot_ids(page))}']").wait_for()
    assert table_ids(frame) == visible_plot_ids(page) and len(table_ids(frame)) > len(shown)
    before_search = len(table_ids(frame))
    frame.locator(".ismap-table-search").fill("Germany")
    rows = frame.locator(".ismap-table tbody tr td:nth-child(3)").all_inner_texts()
    assert rows.count("Germany") >= 2 and len(rows) < before_search
    table_csv = map_frame(page).evaluate("() => ISMap.table.csv()")
    records = list(csv.DictReader(io.StringIO(table_csv)))
    assert sorted(r["id"] for r in records) == table_ids(frame)
    assert "DEU" in {r["country"] for r in records} and {r["outcome"] for r in records} == {"foiled"}
    assert all("germany" in " ".join(r.values()).lower() for r in records)


def test_a_row_flies_to_its_plot_and_opens_its_popup(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2016-12&window=cumulative")
    frame.locator(".ismap-table-toggle").click()
    frame.locator(".ismap-table-search").fill("Berlin")
    row = frame.locator(".ismap-table tbody tr").first
    row.wait_for()
    target = row.locator("td").nth(1).inner_text()
    row.click()
    popup = frame.locator(".ismap-popup")
    popup.wait_for()
    assert popup.locator(".ismap-title").inner_text() == target
    centre = map_frame(page).evaluate("() => { const c = ISMap.map.getCenter(); return [c.lat, c.lng]; }")
    assert abs(centre[0] - 52.5) < 1 and abs(centre[1] - 13.4) < 1.5


def test_sorting_by_killed_and_the_histogram_counts_filtered_plots(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2017-12&window=range&from=2015-01&to=2017-12&outcome=attack")
    frame.locator(".ismap-table-toggle").click()
    header = frame.locator(".ismap-table th[data-key='killed']")
    header.click()
    header.click()  # descending
    assert header.get_attribute("aria-sort") == "descending"
    killed = [int(k) for k in frame.locator(".ismap-table tbody tr td:nth-child(6)").all_inner_texts() if k.isdigit()]
    assert killed == sorted(killed, reverse=True) and killed[0] >= 130
    bars = map_frame(page).evaluate("() => Array.from(document.querySelectorAll('.ismap-tb-histogram rect')).length")
    months = json.loads(map_frame(page).evaluate(
        "() => JSON.stringify(new Set(ISMap.layers.plots.items.filter(i => i.feature.properties.outcome === 'attack')"
        ".map(i => i.start.slice(0, 7))).size)"))
    assert bars == months  # one bar per month with attacks: the histogram follows the outcome filter


def test_arrow_keys_step_the_map_from_anywhere_in_it(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2016-01")
    frame.locator(".leaflet-container").click(position={"x": 200, "y": 200})
    page.keyboard.press("ArrowRight")
    frame.locator(".leaflet-container[data-month='2016-02']").wait_for()
    page.keyboard.press("PageDown")
    frame.locator(".leaflet-container[data-month='2017-02']").wait_for()
    ticks = frame.locator(".ismap-tb-tick").all_inner_texts()
    assert "2014" in ticks and "2024" in ticks


def test_at_world_zoom_paths_are_bundled_per_start_and_target_country(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2016-12&window=cumulative&lat=30&lon=20&zoom=3")
    box = frame.locator(".leaflet-container[data-bundles]")
    box.wait_for(state="attached")
    shown = visible_plot_ids(page)
    bundles = int(box.get_attribute("data-bundles"))
    assert int(box.get_attribute("data-bundled-plots")) == len(shown) > 50
    pairs = map_frame(page).evaluate("""() => new Set(ISMap.layers.plots.items.filter(i => i.visible).map(i =>
        i.feature.geometry.coordinates[0][0].toFixed(2) + ',' + i.feature.geometry.coordinates[0][1].toFixed(2)
        + '>' + i.feature.properties.country)).size""")
    assert bundles == pairs < len(shown)  # fewer lines than plots: that is the point
    assert not map_frame(page).evaluate("() => ISMap.map.hasLayer(ISMap.layers.plots.group)")
    map_frame(page).evaluate("() => ISMap.map.setZoom(5, {animate: false})")
    frame.locator(".leaflet-container[data-bundles='0']").wait_for(state="attached")
    assert map_frame(page).evaluate("() => ISMap.map.hasLayer(ISMap.layers.plots.group)")
