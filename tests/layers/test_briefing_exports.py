"""Briefing exports: standalone HTML from file:// with the network off, PNG size and content, the pack's files."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

import pytest
from PIL import Image

from devtools.browser import launch
from geo.briefing import BRIEFINGS, load_briefing
from geo.export import load_layer
from geo.paths import GEOJSON
from layers.export import briefing_html, briefing_pack, briefing_pngs, browser_payloads

TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def frames():
    return {layer: load_layer(layer) for layer in ("territory", "affiliates", "plots")}


@pytest.fixture(scope="module")
def references():
    return json.loads((GEOJSON / "references.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def briefing():
    return load_briefing(BRIEFINGS / "default.yaml")


@pytest.fixture(scope="module")
def html(frames, references, briefing) -> str:
    return briefing_html(briefing, browser_payloads(frames, references), TODAY)


def test_standalone_html_has_no_links_to_fetch(html):
    assert "/app/static" not in html
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert 'src="http' not in markup and 'href="http' not in markup and "@import" not in markup


def test_standalone_html_works_from_disk_with_the_network_off(playwright, html, tmp_path):
    path = tmp_path / "briefing.html"
    path.write_text(html, encoding="utf-8")
    context = launch(playwright, offline=True)
    requests: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-container[data-ready='1'][data-date='2014-12-31']")
    counts = json.loads(page.locator(".leaflet-container").get_attribute("data-counts"))
    assert counts["territory"] > 100
    # Solid fills for high and medium confidence, the hatch pattern for low (U10): together, every cell.
    solid = page.locator("path[fill='#D55E00']").count()
    hatched = page.locator("path[fill^='url(#ismap-pat-hatch-D55E00']").count()
    assert solid > 0 and hatched > 0 and solid + hatched == counts["territory"]
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(".ismap-standalone[data-scene='2']")
    assert page.locator(".leaflet-container").get_attribute("data-date") == "2017-07-31"
    page.keyboard.press("PageDown")
    page.wait_for_selector(".ismap-standalone[data-scene='3']")
    page.keyboard.press("PageUp")
    page.wait_for_selector(".ismap-standalone[data-scene='2']")
    slider = page.locator(".ismap-month")
    slider.evaluate("(el) => { el.value = String(el.max - 24); el.dispatchEvent(new Event('input')); }")
    page.wait_for_function("() => document.querySelector('.leaflet-container').dataset.date !== '2017-07-31'")
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
    context.close()


def test_png_has_the_size_and_is_not_blank(html):
    image = Image.open(io.BytesIO(briefing_pngs(html, 1, width=1280, height=720)[0]))
    assert image.size == (1280, 720)
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 200, "a map, not a blank page"
    # B11: a slide has no zoom buttons (they are white boxes at the top left of the map).
    assert image.convert("RGB").getpixel((27, 27)) != (255, 255, 255)


def test_pack_holds_what_it_should(briefing, frames, references):
    data = briefing_pack(briefing, frames, references, TODAY)
    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        names = set(pack.namelist())
        count = len(briefing.scenes)
        assert {f"scenes/{n:02d}.png" for n in range(1, count + 1)} <= names
        assert {"briefing.html", "briefing.yaml", "bibliography.md", "method-territory.md"} <= names
        assert "scenes/01-territory.geojson" in names and "scenes/06-plots.geojson" in names
        plots = json.loads(pack.read("scenes/06-plots.geojson"))
        assert plots["type"] == "FeatureCollection" and len(plots["features"]) >= 11
        bibliography = pack.read("bibliography.md").decode()
        assert "The Washington Institute for Near East Policy" in bibliography and "seed-csm-2017" in bibliography
        for ref in plots["features"][0]["properties"]["refs"]:
            assert f"`{ref}`" in bibliography
        first = Image.open(io.BytesIO(pack.read("scenes/01.png")))
        assert first.size == (1600, 900)


def test_a_view_export_describes_its_own_window_and_cites_no_fixed_source():
    """B11: the exported view's caption says what it shows; no hard-coded reference."""
    from datetime import date

    from geo.view import View
    from layers.export import view_scene

    briefing = view_scene(View(month="2016-07", countries=("FRA",)), date(2026, 12, 1), title="IS map, 2016-07")
    scene = briefing.scenes[0]
    assert scene.refs == []
    assert "Plots and attacks from 01 Aug 2015 to 31 Jul 2016." in scene.caption
    assert "Only target countries: FRA." in scene.caption


def test_the_bibliography_copies_nothing_a_viewer_would_run():
    """Security review L6: a curated title with HTML or Markdown is text in bibliography.md."""
    from layers.export import bibliography

    refs = [{"id": "ref-x", "title": '<img src=x onerror="alert(1)"> ![](http://evil.example/p.png)',
             "publisher": "[click](javascript:alert(1))", "date": "2020", "address": "https://example.org/a>b"}]
    text = bibliography({"ref-x"}, refs)
    import re

    assert not re.search(r"(?<!\\)<img", text)  # only as escaped text
    assert "](http://evil" not in text and "](javascript" not in text
    assert "\\<img" in text and "<https://example.org/a%3Eb>" in text and "`ref-x`" in text
    print_citation = bibliography({"ref-p"}, [{"id": "ref-p", "title": "T", "publisher": "P", "date": "2020",
                                               "address": "[x](javascript:alert(1))"}])
    assert "](javascript" not in print_citation and "\\[x\\]" in print_citation


def test_an_uploaded_layer_is_in_the_exported_view(playwright, frames, references, tmp_path):
    """U11: the view HTML (and so its PNG) shows the session's upload, as the map did; its text stays text."""
    from geo.upload import read_user_layer
    from geo.view import View
    from layers.export import view_scene

    upload = read_user_layer("mine.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "My <b>site</b>"},
         "geometry": {"type": "Point", "coordinates": [40.1, 35.3]}}]}).encode())
    html = briefing_html(view_scene(View(month="2015-06"), TODAY, title="With my layer"),
                         browser_payloads(frames, references, user=upload.frame), TODAY)
    assert "My <b>site</b>" not in html and '"id":"user"' in html.replace(" ", "")
    path = tmp_path / "view.html"
    path.write_text(html, encoding="utf-8")
    context = launch(playwright, offline=True)
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-container[data-ready='1'][data-date='2015-06-30']")
    assert json.loads(page.locator(".leaflet-container").get_attribute("data-counts"))["user"] == 1
    context.close()
    without = briefing_html(view_scene(View(month="2015-06"), TODAY, title="Without"),
                            browser_payloads(frames, references), TODAY)
    assert '"id":"user"' not in without.replace(" ", "")
