"""The static build for readers (layers/site.py, issue 18 part 3): from file:// and from a static server, offline,
the map draws, steps and filters in the page as the data says, nothing leaves the machine, hostile text stays text."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from dataclasses import replace
from datetime import date

import pytest

from devtools.browser import launch
from geo.export import load_layer
from geo.filters import apply_filters, apply_time
from geo.view import default_view, selection
from layers.site import write_site
from tests.browser.test_hostile import OPEN_EVERYTHING
from tests.hostile import SENTINEL

TODAY = date(2026, 11, 21)
LOCAL = ("file:", "data:", "about:", "blob:")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    write_site(out, today=TODAY)
    return out


@pytest.fixture(scope="module")
def served(site):
    """The build behind Python's static file server on loopback (any static server or CDN would do)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def open_site(playwright, url: str):
    # From disk, with the network off; from the server, with Chromium's flags that keep it off the network (an
    # offline context would refuse loopback too), and every request recorded.
    context = launch(playwright, offline=url.startswith("file:"))
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector(".leaflet-container[data-ready='1'][data-date='2014-12-31']", timeout=60_000)
    return context, page, requests, errors


def counts(page) -> dict:
    return json.loads(page.locator(".leaflet-container").get_attribute("data-counts"))


def expected(view) -> dict:
    """What the app's own filters keep for a view (geo/), to hold the page's counts against."""
    frames = {layer: load_layer(layer) for layer in ("territory", "affiliates", "plots")}
    out = {}
    for layer, (time_filter, filters) in selection(view, TODAY).items():
        if layer in frames:
            out[layer] = len(apply_filters(apply_time(frames[layer], time_filter), filters))
    return out


@pytest.mark.parametrize("where", ["file", "server"])
def test_the_site_draws_steps_and_filters_offline(playwright, site, served, where):
    url = (site / "index.html").as_uri() if where == "file" else f"{served}/index.html"
    context, page, requests, errors = open_site(playwright, url)
    view = default_view(TODAY)
    shown = counts(page)
    assert {k: shown[k] for k in ("territory", "affiliates", "plots")} == expected(view)
    # The filter panel: leave out directed plots; the map keeps its month and shows what the app's filter keeps.
    page.locator(".ismap-site-filters summary").click()
    page.get_by_label("Directed").uncheck()
    page.wait_for_selector(".ismap-site-filters[data-changed='1']")
    want = expected(replace(view, links=("enabled", "inspired", "unknown")))
    assert counts(page)["plots"] == want["plots"] < shown["plots"]
    page.get_by_label("Territory held").uncheck()
    page.wait_for_function("() => JSON.parse(document.querySelector('.leaflet-container').dataset.counts).territory === 0")
    # The time bar steps in the page.
    page.locator(".ismap-tb-forward").click()
    page.wait_for_selector(".leaflet-container[data-month='2015-01']")
    assert page.evaluate("() => location.hash") == "#date=2015-01"  # a link to what the reader sees
    assert page.locator(".ismap-site-header a[aria-current='page']").inner_text() == "Map"
    assert not errors, errors
    if where == "file":
        assert all(r.startswith(LOCAL) for r in requests), [r for r in requests if not r.startswith(LOCAL)]
    else:  # only the page itself from the server: everything else is inside it
        assert [r for r in requests if not r.startswith(LOCAL)] == [url]
    context.close()


def test_a_link_opens_its_month_and_the_province_and_country_filters_match_the_app(playwright, site):
    context = launch(playwright, offline=True)
    page = context.new_page()
    page.goto((site / "index.html").as_uri() + "#date=2016-06")
    page.wait_for_selector(".leaflet-container[data-ready='1'][data-date='2016-06-30']", timeout=60_000)
    view = replace(default_view(TODAY), month="2016-06")
    shown = counts(page)
    assert {k: shown[k] for k in ("territory", "affiliates", "plots")} == expected(view)
    page.locator(".ismap-site-filters summary").click()
    province = page.locator("select[name='province'] option").nth(1).get_attribute("value")
    page.locator("select[name='province']").select_option(province)
    page.wait_for_selector(".ismap-site-filters[data-changed='1']")
    by_province = expected(replace(view, provinces=(province,)))
    assert {k: counts(page)[k] for k in by_province} == by_province
    page.locator("select[name='province']").select_option("")
    country = page.locator("select[name='country'] option").nth(1).get_attribute("value")
    page.locator("select[name='country']").select_option(country)
    page.wait_for_selector(".ismap-site-filters[data-changed='3']")
    by_country = expected(replace(view, countries=(country,)))
    assert {k: counts(page)[k] for k in by_country} == by_country and by_country["plots"] < shown["plots"]
    # A hash that is not a month the time bar offers, or not a month at all, opens the default view with its panel.
    for odd in ("#date=2999-01", "#date=<img src=x onerror=alert(1)>", "#date=2016-6"):
        page.goto((site / "index.html").as_uri() + odd)
        page.reload()
        page.wait_for_selector(".leaflet-container[data-ready='1'][data-date='2014-12-31']", timeout=60_000)
        assert page.locator(".ismap-site-filters select[name='province'] option").count() > 1
    context.close()


def test_the_chart_and_briefing_pages_open_offline(playwright, site):
    context = launch(playwright, offline=True)
    page = context.new_page()
    page.goto((site / "chart.html").as_uri())
    image = page.locator("img.ismap-area-chart")
    assert image.evaluate("(img) => img.complete && img.naturalWidth > 0")
    assert page.locator(".ismap-area-hover > span").count() > 150  # one a month since 2013
    page.goto((site / "briefing.html").as_uri())
    page.wait_for_selector(".ismap-standalone[data-scene='1']")
    assert json.loads((site / "data" / "territory.geojson").read_text(encoding="utf-8"))["features"]
    context.close()


def test_hostile_data_in_a_site_stays_text(playwright, hostile_build, tmp_path):
    out = tmp_path / "site"
    write_site(out, hostile_build["geojson"], today=TODAY)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "{{" not in html.split("<script>", 1)[0]
    context = launch(playwright, offline=True)
    page = context.new_page()
    page.goto((out / "index.html").as_uri())
    page.wait_for_selector(".leaflet-container[data-ready='1']", timeout=60_000)
    slider = page.locator(".ismap-tb-slider")
    slider.evaluate("(el) => { el.value = String(el.max); el.dispatchEvent(new Event('input')); "
                    "el.dispatchEvent(new Event('change')); }")
    page.wait_for_function("() => document.querySelector('.leaflet-container').dataset.date > '2015'")
    assert page.evaluate(OPEN_EVERYTHING) >= 5
    texts = page.evaluate("() => Array.from(document.querySelectorAll('.leaflet-popup-content, .leaflet-tooltip'))"
                          ".map(e => e.textContent).join('\\n')")
    assert "onerror" in texts
    assert page.evaluate(f"() => window.{SENTINEL}") is None
    assert not hostile_build["marker"].exists()
    context.close()
