"""The notebook example of docs/notebooks.md, run as written, opened from a file in Chromium with no network:
it draws what the exports hold, and hostile text in every field stays text."""

from __future__ import annotations

import re
from datetime import date

import pytest

from devtools.browser import ROOT
from geo.export import load_layer, select
from geo.filters import DateRange, Filters, TimeFilter
from tests.hostile import SENTINEL

EXAMPLE = re.search(r"```python\n(.*?)```", (ROOT / "docs" / "notebooks.md").read_text(encoding="utf-8"), re.S).group(1)
OUT = "is-map-2015-06.html"

OPEN_ALL = """() => {
    let opened = 0;
    const walk = (layer) => {
        if (layer.eachLayer) layer.eachLayer(walk);
        const bounds = layer.getBounds ? layer.getBounds() : null;
        const at = layer.getLatLng ? layer.getLatLng() : (bounds && bounds.isValid() ? bounds.getCenter() : null);
        if (!at) return;
        if (layer.getPopup && layer.getPopup()) { layer.openPopup(at); opened++; }
        if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(at); opened++; }
    };
    for (const key of Object.keys(window)) {
        const value = window[key];
        if (value && value instanceof L.Map) value.eachLayer(walk);
    }
    return opened;
}"""


def run_example(tmp_path, monkeypatch, geojson_dir=None):
    import layers.folium_layers as module

    if geojson_dir is not None:
        monkeypatch.setattr(module, "GEOJSON", geojson_dir)
    monkeypatch.chdir(tmp_path)
    exec(compile(EXAMPLE, "docs/notebooks.md", "exec"), {"__name__": "notebook"})
    return tmp_path / OUT


def open_offline(page, path):
    """Open a saved map from file://, refusing (and recording) every request that is not the file itself."""
    outside = []

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!file:|data:|about:).*"), refuse)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.ISLayers && document.querySelectorAll('.leaflet-interactive').length > 0")
    return outside


def expected_counts(geojson_dir) -> dict[str, int]:
    day = date(2015, 6, 30)
    return {
        "territory": len(select(load_layer("territory", geojson_dir), TimeFilter(on=day), Filters())),
        "provinces": len(select(load_layer("affiliates", geojson_dir), TimeFilter(on=day), Filters())),
        "plots": len(select(load_layer("plots", geojson_dir), TimeFilter(window=DateRange(date(2014, 7, 1), day)),
                            Filters())),
    }


DRAWN = """() => {
    const out = {};
    for (const key of Object.keys(window)) {
        const g = window[key];
        if (g && g instanceof L.FeatureGroup && g.islayersCount !== undefined) {
            let n = 0;
            g.eachLayer(l => l.eachLayer ? l.eachLayer(() => n++) : n++);
            out[g.islayersName] = n;
        }
    }
    return out;
}"""


def test_notebook_example_draws_what_the_exports_hold_offline(page, tmp_path, monkeypatch):
    path = run_example(tmp_path, monkeypatch)
    outside = open_offline(page, path)
    assert outside == [], "the saved map asked the network for something"
    want = expected_counts(None or ROOT / "data" / "geojson")
    drawn = page.evaluate(DRAWN)
    assert drawn == {"Territory held": want["territory"], "Provinces": want["provinces"],
                     "External plots": want["plots"]}
    assert min(want.values()) > 0
    page.locator("details.islayers-legend summary").click()
    assert page.locator("details.islayers-legend").inner_text().count("confidence") >= 3
    # A popup lists the fields and the sources, as titles with their addresses.
    assert page.evaluate(OPEN_ALL) > 0
    popup = page.locator(".islayers-popup").last
    assert "Sources" in popup.inner_text()
    assert popup.locator("a[href^='http']").count() >= 1


def test_notebook_layers_keep_hostile_text_inert(page, tmp_path, monkeypatch, hostile_build):
    path = run_example(tmp_path, monkeypatch, hostile_build["geojson"])
    assert not hostile_build["marker"].exists(), "a Jinja payload ran while the map was built"
    html = path.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "{{ cycler" not in html
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside = open_offline(page, path)
    opened = page.evaluate(OPEN_ALL)
    assert opened > 10
    assert page.evaluate(f"() => window.{SENTINEL}") is None
    text = page.locator("body").inner_text()
    assert "<img src=x onerror=" in text, "the payload is shown as text"
    assert page.locator(".islayers-popup img, .islayers-popup svg, .islayers-popup script").count() == 0
    assert page.locator(".islayers-popup a:not([href^='http'])").count() == 0
    assert outside == [] and errors == []
    assert not hostile_build["marker"].exists()


@pytest.mark.parametrize("bad", ["2015-13-01", "yesterday"])
def test_a_bad_date_is_refused_with_a_message(bad):
    from geo.errors import ArgumentError
    from layers.folium_layers import territory

    with pytest.raises((ArgumentError, ValueError), match=bad):
        territory(bad)
