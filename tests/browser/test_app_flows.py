"""A user's flows in headless Chromium: play, filters, find a place, exports, and a link that restores the view."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from devtools.browser import ROOT, map_frame, open_map, step_map, wait_idle


def download(page, name: str):
    """Click a download button and return the download. A click that lands while Streamlit is rerunning
    (the map reports its first view, say) can be swallowed: click again, at most three times."""
    last = None
    for _ in range(3):
        wait_idle(page)
        try:
            with page.expect_download(timeout=60_000) as info:
                page.get_by_role("button", name=name).click(timeout=60_000)
            return info.value
        except PlaywrightTimeout as exc:
            last = exc
    raise last


def counts(frame) -> dict:
    return json.loads(frame.locator(".leaflet-container").get_attribute("data-counts"))


def wait_date(frame, iso: str) -> None:
    frame.locator(f".leaflet-container[data-date='{iso}']").wait_for(timeout=30_000)


def test_play_advances_month_by_month_and_pause_stops(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2015-01")
    wait_idle(page)
    frame.locator(".ismap-tb-speed").select_option("0.5")
    frame.get_by_role("button", name="Play: one month after another").click()
    wait_date(frame, "2015-02-28")
    wait_date(frame, "2015-03-31")
    frame.locator(".ismap-tb-play").click()
    frame.locator(".ismap-timebar[data-playing='0']").wait_for()
    assert frame.locator(".ismap-tb-play").inner_text() == "▶ Play"
    paused = frame.locator(".leaflet-container").get_attribute("data-month")
    # The app catches up with the month the map stopped at: the URL and the stats say it.
    page.wait_for_function("(m) => new URLSearchParams(location.search).get('date') === m", arg=paused)
    wait_idle(page)
    month = step_map(page, frame)
    assert month > paused
    assert frame.locator(".leaflet-container").get_attribute("data-month") == month


def test_a_step_on_the_map_updates_the_stats_and_the_exports(page, app_url, tmp_path):
    frame = open_map(page, f"{app_url}/?date=2016-06&window=moving&months=1")
    wait_idle(page)
    page.get_by_text("Area held at the end of June 2016").wait_for()
    assert step_map(page, frame) == "2016-07"
    page.get_by_text("Area held at the end of July 2016").wait_for()
    page.locator("img.ismap-area-chart[data-month='2016-07']").wait_for()
    shown = counts(frame)["plots"]
    page.get_by_text("Export", exact=True).click()
    path = tmp_path / "plots.geojson"
    download(page, "External plots: GeoJSON").save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data["features"]) == shown
    assert all(f["properties"]["date"].startswith("2016-07") for f in data["features"])


def test_province_filter_limits_the_plots(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2024-12&window=range&from=2024-01&to=2024-06&layers=plots")
    everything = counts(frame)["plots"]
    assert everything >= 11
    box = page.get_by_label("Directing province")
    box.click()
    page.keyboard.type("Khorasan")
    page.keyboard.press("Enter")
    frame.locator(".leaflet-container").evaluate("(el, n) => new Promise(r => { const t = () => "
                                                 "JSON.parse(el.dataset.counts).plots !== n ? r() : setTimeout(t, 50); t(); })",
                                                 everything)
    khorasan = counts(frame)["plots"]
    assert 0 < khorasan < everything
    assert "province=khorasan" in page.url


def test_find_a_place_flies_there(page, app_url):
    open_map(page, f"{app_url}/?date=2017-01")
    page.get_by_label("Find a place").click()
    page.keyboard.type("Marawi (territory)")
    page.keyboard.press("Enter")
    mf = map_frame(page)
    mf.wait_for_function("() => Math.abs(ISMap.map.getCenter().lng - 124.3) < 1 && ISMap.map.getZoom() === 8",
                         timeout=30_000)


def test_exported_geojson_is_what_the_map_shows(page, app_url, tmp_path):
    frame = open_map(page, f"{app_url}/?date=2024-07&window=moving&months=12&outcome=foiled")
    shown = counts(frame)["plots"]
    wait_idle(page)
    page.get_by_text("Export", exact=True).click()
    page.get_by_role("button", name="External plots: GeoJSON").wait_for()
    path = tmp_path / "plots.geojson"
    download(page, "External plots: GeoJSON").save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == shown > 0
    assert {f["properties"]["outcome"] for f in data["features"]} == {"foiled"}
    cli = subprocess.run([sys.executable, "-m", "geo", "export", "plots", "--from", "2023-08-01", "--to", "2024-07-31",
                          "--outcome", "foiled"], cwd=ROOT, capture_output=True, check=True)
    assert cli.stdout == path.read_bytes(), "the download and the CLI give the same bytes"
    csv_text = download(page, "External plots: CSV").path().read_text(encoding="utf-8")
    assert csv_text.count("\n") == shown + 1
    kml = download(page, "External plots: KML").path().read_text(encoding="utf-8")
    assert kml.lstrip().startswith("<?xml") and kml.count("<Placemark") == shown
    parquet = gpd.read_parquet(download(page, "External plots: GeoParquet").path())
    assert sorted(parquet["id"]) == sorted(f["id"] for f in data["features"])
    # The GeoPackage holds every shown layer, each with the features the map shows on this view.
    gpkg = download(page, re.compile("^All shown layers: GeoPackage")).path()
    on_map = counts(frame)
    for layer in ("plots", "territory", "affiliates"):
        assert len(gpd.read_file(gpkg, layer=layer)) == on_map[layer], layer
    # The ZIP: the same features per layer, each carrying its sources written out (titles and addresses).
    with zipfile.ZipFile(download(page, re.compile("^All shown layers: ZIP")).path()) as archive:
        for layer in ("plots", "territory", "affiliates"):
            features = json.loads(archive.read(f"{layer}.geojson"))["features"]
            assert len(features) == on_map[layer], layer
            for feature in features:
                sources = feature["properties"]["sources"]
                assert [s["id"] for s in sources] == feature["properties"]["refs"]
                assert all(s["title"] and s["address"] for s in sources)
            assert archive.read(f"{layer}.csv").decode("utf-8").count("\n") >= on_map[layer] + 1
        assert "Plots and attacks from 01 Aug 2023 to 31 Jul 2024" in archive.read("README.txt").decode()


def plot_exports_match(page, ids: list[str], cli_args: list[str]) -> None:
    """The Export panel's plots GeoJSON and CSV, and `python -m geo export plots` with cli_args, hold exactly ids."""
    wait_idle(page)
    page.get_by_text("Export", exact=True).click()
    page.get_by_role("button", name="External plots: GeoJSON").wait_for()
    data = json.loads(download(page, "External plots: GeoJSON").path().read_text(encoding="utf-8"))
    assert sorted(f["id"] for f in data["features"]) == sorted(ids)
    csv_text = download(page, "External plots: CSV").path().read_text(encoding="utf-8")
    assert csv_text.count("\n") == len(ids) + 1
    cli = subprocess.run([sys.executable, "-m", "geo", "export", "plots", *cli_args], cwd=ROOT, capture_output=True,
                         check=True)
    assert sorted(f["id"] for f in json.loads(cli.stdout)["features"]) == sorted(ids)


def test_the_casualty_filter_shows_and_exports_the_same_plots(page, app_url, tmp_path):
    """C9: ?killed=20 keeps plots with at least 20 killed on the map, in the GeoJSON, the CSV and the caption."""
    frame = open_map(page, f"{app_url}/?date=2017-12&window=cumulative&killed=20")
    shown = map_frame(page).evaluate(
        "() => ISMap.layers.plots.items.filter(i => i.visible).map(i => [i.feature.properties.id, i.feature.properties.killed])")
    assert shown and all(killed >= 20 for _, killed in shown)
    assert len(shown) == counts(frame)["plots"]
    plot_exports_match(page, [i for i, _ in shown], ["--to", "2017-12-31", "--from", "2013-01-01", "--min-killed", "20"])
    # The same view without the threshold shows more plots.
    frame = open_map(page, f"{app_url}/?date=2017-12&window=cumulative")
    assert counts(frame)["plots"] > len(shown)


def test_the_region_filter_shows_and_exports_the_same_plots(page, app_url):
    """C9: ?region=south-east-asia,australia-and-new-zealand keeps plots aimed there on the map, in the GeoJSON,
    the CSV, the command line and the export caption; the sidebar names the regions and countries in words."""
    frame = open_map(page, f"{app_url}/?date=2019-12&window=cumulative&region=south-east-asia,australia-and-new-zealand")
    shown = map_frame(page).evaluate(
        "() => ISMap.layers.plots.items.filter(i => i.visible).map(i => [i.feature.properties.id, i.feature.properties.region])")
    assert shown and {region for _, region in shown} <= {"South-East Asia", "Australia and New Zealand"}
    assert len(shown) == counts(frame)["plots"]
    # Territory is not a plot: the region filter leaves it whole.
    assert counts(frame)["territory"] > 0
    plot_exports_match(page, [i for i, _ in shown], ["--from", "2013-01-01", "--to", "2019-12-31",
                                                     "--region", "south-east-asia,australia-and-new-zealand"])
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("South-East Asia").count() >= 1
    # Stepping the map keeps the filter (it is applied in the browser as well as on the server).
    map_frame(page).evaluate("() => ISMap.step(-12)")
    later = map_frame(page).evaluate(
        "() => ISMap.layers.plots.items.filter(i => i.visible).map(i => i.feature.properties.region)")
    assert set(later) <= {"South-East Asia", "Australia and New Zealand"}


def test_a_link_restores_the_same_view(page, app_url, browser):
    open_map(page, f"{app_url}/?date=2016-08&layers=territory,plots&link=directed")
    mf = map_frame(page)
    mf.evaluate("() => ISMap.map.setView([35.0, 40.5], 7, {animate: false})")
    page.wait_for_function("() => location.search.includes('zoom=7')", timeout=30_000)
    link = page.url
    query = parse_qs(urlsplit(link).query)
    assert query["date"] == ["2016-08"] and query["link"] == ["directed"] and query["layers"] == ["territory,plots"]
    other = browser.new_page(viewport={"width": 1400, "height": 1000})
    frame2 = open_map(other, link)
    mf2 = map_frame(other)
    mf2.wait_for_function("() => ISMap.map.getZoom() === 7 && Math.abs(ISMap.map.getCenter().lat - 35.0) < 0.05",
                          timeout=30_000)
    assert frame2.locator(".leaflet-container").get_attribute("data-date") == "2016-08-31"
    assert counts(frame2)["affiliates"] == 0
    other.close()


def test_copy_link_gives_the_view_on_screen_before_the_app_catches_up(page, app_url, browser):
    frame = open_map(page, f"{app_url}/?date=2016-08&layers=territory,plots&link=directed")
    wait_idle(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    mf = map_frame(page)
    # Step and pan in the map, then copy at once: the address bar may still say August and no zoom.
    frame.locator(".ismap-tb-forward").click()
    frame.locator(".leaflet-container[data-month='2016-09']").wait_for()
    mf.evaluate("() => ISMap.map.setView([35.2, 40.1], 8, {animate: false})")
    frame.get_by_role("button", name="Copy link to this view").click()
    frame.locator(".ismap-copylink-status", has_text="Copied").wait_for()
    link = page.evaluate("() => navigator.clipboard.readText()")
    query = parse_qs(urlsplit(link).query)
    assert query["date"] == ["2016-09"] and query["zoom"] == ["8"] and query["link"] == ["directed"]
    assert abs(float(query["lat"][0]) - 35.2) < 0.01 and abs(float(query["lon"][0]) - 40.1) < 0.01
    other = browser.new_page(viewport={"width": 1200, "height": 900})
    frame2 = open_map(other, link)
    map_frame(other).wait_for_function("() => ISMap.map.getZoom() === 8 && Math.abs(ISMap.map.getCenter().lat - 35.2) < 0.05",
                                       timeout=30_000)
    assert frame2.locator(".leaflet-container").get_attribute("data-month") == "2016-09"
    other.close()


def test_area_csv_holds_what_the_stats_panel_and_chart_show(page, app_url):
    page.set_viewport_size({"width": 1024, "height": 700})
    open_map(page, f"{app_url}/?date=2016-06")
    wait_idle(page)
    page.get_by_text("Area held at the end of June 2016").wait_for()
    shown = page.get_by_text(re.compile(r"^June 2016: Iraq [\d,]+ km², Syria")).inner_text()
    iraq, syria, abroad = (int(v.replace(",", "")) for v in re.findall(r"([\d,]+) km²", shown))
    metric = page.locator(".ismap-fig[data-figure='iraq']")
    assert "Held in Iraq, km²" in metric.inner_text() and f"{iraq:,}" in metric.inner_text()
    assert page.locator(".ismap-area-panel").get_attribute("data-month") == "2016-06"
    rows = download(page, re.compile("^Area series: CSV")).path().read_text(encoding="utf-8").splitlines()
    assert rows[0] == "month,iraq_km2,syria_km2,abroad_km2,iraq_syria_km2"
    june = next(r for r in rows if r.startswith("2016-06,")).split(",")
    assert [round(float(v)) for v in june[1:4]] == [iraq, syria, abroad]
    # At 1024 px every figure is shown whole, not cut with an ellipsis.
    for part in (".ismap-fig-value", ".ismap-fig-label"):  # and so is every label
        shown = page.locator(part)
        assert shown.count() == 4
        for i in range(4):
            assert shown.nth(i).evaluate("el => el.scrollWidth <= el.clientWidth + 1"), shown.nth(i).inner_text()
    assert abroad > 0  # Sirte and Nangarhar were held in June 2016


def test_animation_export_shows_progress_and_gives_a_gif_of_every_month(page, app_url):
    from PIL import Image

    open_map(page, f"{app_url}/?date=2015-03&layers=territory")
    wait_idle(page)
    page.get_by_text("Export", exact=True).click()
    button = page.get_by_role("button", name="Make the animation (12 frames)")
    button.click()
    page.get_by_text("Done: 12 frames").wait_for(timeout=180_000)
    path = download(page, re.compile(r"^Download is-map-2014-04-to-2015-03\.gif")).path()
    gif = Image.open(path)
    assert gif.n_frames == 12 and gif.size == (1280, 720)


def test_legend_says_which_plots_the_arcs_are(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2016-06&window=moving&months=12")
    line = frame.locator(".ismap-legend-window")
    assert line.text_content() == "Plots and attacks from 1 Jul 2015 to 30 Jun 2016"
    wait_idle(page)
    step_map(page, frame)
    frame.locator(".ismap-legend-window", has_text="from 1 Aug 2015 to 31 Jul 2016").wait_for(state="attached")


def test_find_forgives_spelling_and_opens_a_month_the_place_was_held(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2016-06")
    wait_idle(page)
    page.get_by_label("Find a place").click()
    page.keyboard.type("Marawy")  # misspelt; Marawi was held from May to October 2017
    page.keyboard.press("Enter")
    frame.locator(".leaflet-container[data-month='2017-05']").wait_for(timeout=30_000)
    map_frame(page).wait_for_function("() => Math.abs(ISMap.map.getCenter().lng - 124.3) < 1", timeout=30_000)
    page.wait_for_function("() => new URLSearchParams(location.search).get('date') === '2017-05'")
    # The map still steps by itself afterwards: the app gave it the month once, not for good.
    assert step_map(page, frame) == "2017-06"


def test_plots_panel_says_what_the_map_window_holds(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2016-06&window=moving&months=12")
    shown = counts(frame)["plots"]
    wait_idle(page)
    page.get_by_text("Plots per province", exact=True).click()
    line = page.get_by_text(re.compile(r"^On the map now \(01 Jul 2015 to 30 Jun 2016\): \d+ plots")).inner_text()
    assert int(re.search(r"\): (\d+) plots", line).group(1)) == shown > 0


def test_ignored_link_parts_are_one_collapsed_line_above_a_working_map(page, app_url):
    frame = open_map(page, f"{app_url}/?date=banana&zoom=99")
    summary = page.get_by_text(re.compile(r"^2 parts of this link ignored: Ignored 'date'"))
    summary.wait_for()
    assert page.get_by_text("Ignored 'zoom': expected a whole number from 2 to 12.").is_hidden()
    summary.click()
    page.get_by_text("Ignored 'zoom': expected a whole number from 2 to 12.").wait_for()
    assert frame.locator(".leaflet-container").get_attribute("data-month") == "2014-12"
