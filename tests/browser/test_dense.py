"""Dense layers (issue 18): a step visits only the features whose dates it crosses, and a layer drawn on a canvas
shows what the SVG map shows (the same features, the hatch of low confidence, popups on click)."""

from __future__ import annotations

import json

import pytest

from devtools.browser import MAP_FRAME, click_map, map_frame, open_map, start_server, stop_server

VISIBLE_IDS = """() => Object.fromEntries(Object.keys(ISMap.layers).map(id => [id,
    ISMap.layers[id].items.filter(i => i.visible).map(i => String(i.feature.id ?? i.feature.properties.id)).sort()]))"""

# Months visited in the browser (no app round trip): forward and back by one, long jumps both ways, the ends.
WALK = ["2014-07", "2014-08", "2015-06", "2015-05", "2017-03", "2014-01", "2018-11", "2016-10", "2016-11",
        "2019-04", "2013-06", "2026-11", "2017-07"]


def visible_after_full_apply(mf, month: str) -> dict:
    """Go to `month` with the fast path turned off: every feature is visited, as on the first draw."""
    mf.evaluate("""(month) => {
        ISMap.goTo(ISMap.months.find(m => m !== month), false);
        ISMap.applied = null;  // the next apply visits every feature
        ISMap.goTo(month, false);
    }""", month)
    return mf.evaluate(VISIBLE_IDS)


@pytest.mark.parametrize("query", ["", "&window=cumulative", "&months=6&province=sinai,khorasan&killed=1",
                                   "&window=range&from=2015-01&to=2016-12"])
def test_a_step_shows_the_same_features_as_a_full_redraw(page, app_url, query):
    frame = open_map(page, f"{app_url}/?date=2014-06{query}")
    mf = map_frame(page)
    fast_before = mf.evaluate("() => ISMap.fastSteps")
    for month in WALK:
        assert mf.evaluate("(m) => ISMap.goTo(m, false)", month), month
        fast = mf.evaluate(VISIBLE_IDS)
        counts = json.loads(frame.locator(".leaflet-container").get_attribute("data-counts"))
        assert {layer: len(ids) for layer, ids in fast.items()} == counts, month
        assert fast == visible_after_full_apply(mf, month), month
    # Every step of the walk took the fast path (the full redraws above are the others).
    assert mf.evaluate("() => ISMap.fastSteps") - fast_before >= len(WALK)
    assert sum(len(ids) for ids in fast.values()) > 0


@pytest.fixture(scope="module")
def canvas_url():
    """The app with every layer drawn on a canvas (as a layer of more than ISMAP_CANVAS_MIN features is)."""
    process, url = start_server({"ISMAP_CANVAS_MIN": "0"})
    yield url
    stop_server(process)


PIXELS_AT = """([lat, lng, half]) => {
    const r = ISMap.renderers.territory, p = ISMap.map.latLngToLayerPoint([lat, lng]).subtract(r._bounds.min);
    const ratio = window.devicePixelRatio || 1, size = Math.round(2 * half * ratio);
    const data = r._ctx.getImageData(Math.round((p.x - half) * ratio), Math.round((p.y - half) * ratio), size, size).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) seen.add(data.slice(i, i + 4).join(','));
    return [seen.size, data[3]];
}"""

# A low-confidence (hatched) or a high-confidence (flat) cell that no other shown cell overlaps, fitted to the view:
# the pixels at its centroid are its own.
CELL = """([hatched]) => {
    const entry = ISMap.layers.territory, shown = entry.items.filter(i => i.visible);
    const item = shown.find(i => !!(entry.def.styles[i.feature.properties._style] || {}).patternColour === hatched
        && i.feature.geometry.type === 'Polygon'
        && !shown.some(o => o !== i && o.layer.getBounds().intersects(i.layer.getBounds())));
    ISMap.map.fitBounds(item.layer.getBounds(), {animate: false});
    const c = item.layer.getLayers()[0].getCenter();
    return [c.lat, c.lng, item.feature.properties.name || ''];
}"""


def test_a_canvas_layer_draws_what_the_svg_map_draws(page, app_url, canvas_url):
    svg = open_map(page, f"{app_url}/?date=2015-06")
    svg_counts = json.loads(svg.locator(".leaflet-container").get_attribute("data-counts"))
    svg_ids = map_frame(page).evaluate(VISIBLE_IDS)

    frame = open_map(page, f"{canvas_url}/?date=2015-06")
    box = frame.locator(".leaflet-container")
    assert box.get_attribute("data-canvas_territory") == "1" and box.get_attribute("data-canvas_plots") == "1"
    assert json.loads(box.get_attribute("data-counts")) == svg_counts
    mf = map_frame(page)
    assert mf.evaluate(VISIBLE_IDS) == svg_ids
    # No SVG element a feature: one canvas in the territory pane.
    assert mf.evaluate("() => document.querySelectorAll('.leaflet-ismap-territory-pane path').length") == 0
    assert mf.evaluate("() => document.querySelectorAll('.leaflet-ismap-territory-pane canvas').length") == 1

    # The hatch: inside a low-confidence cell the canvas holds stripes (several colours within 7 px), inside a
    # high-confidence cell one flat tint.
    lat, lng, _ = mf.evaluate(CELL, [True])
    mf.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    hatched_colours, hatched_alpha = mf.evaluate(PIXELS_AT, [lat, lng, 7])
    assert hatched_colours >= 2 and hatched_alpha > 0
    lat, lng, _ = mf.evaluate(CELL, [False])
    mf.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    solid_colours, solid_alpha = mf.evaluate(PIXELS_AT, [lat, lng, 7])
    assert solid_colours == 1 and solid_alpha > 0

    # A click on the canvas opens the cell's popup, with its sources.
    point = mf.evaluate("([lat, lng]) => { const p = ISMap.map.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
                        [lat, lng])
    click_map(page, tuple(point))
    popup = frame.locator(".ismap-popup")
    popup.wait_for()
    assert popup.locator(".ismap-title").inner_text().strip() != ""

    # The canvases do not hide each other: a province's area, on the lowest canvas under the territory's and the
    # plots', opens its own popup where nothing lies above it.
    page.keyboard.press("Escape")
    title = mf.evaluate("""() => {
        ISMap.map.closePopup();
        ISMap.map.setView([30, 30], 3, {animate: false});
        const leaves = l => l.getLayers ? l.getLayers().flatMap(leaves) : (l._containsPoint ? [l] : []);
        const shapes = id => ISMap.layers[id].items.filter(i => i.visible).flatMap(i => leaves(i.layer));
        const above = shapes('territory').concat(shapes('plots')), size = ISMap.map.getSize();
        for (const item of ISMap.layers.affiliates.items.filter(i => i.visible)) {
            const own = leaves(item.layer);
            for (let x = 20; x < size.x - 20; x += 25) for (let y = 60; y < size.y - 120; y += 25) {
                const lp = ISMap.map.containerPointToLayerPoint([x, y]);
                if (own.some(o => o._containsPoint(lp)) && !above.some(o => o._containsPoint(lp))) {
                    window.__probe = [x, y];
                    return item.feature.properties.name;
                }
            }
        }
        return null;
    }""")
    assert title
    click_map(page, tuple(mf.evaluate("() => window.__probe")))
    frame.locator(".ismap-popup .ismap-title", has_text=title).wait_for()

    # Stepping redraws the canvas: the counts follow the SVG map's at another month.
    assert mf.evaluate("() => ISMap.goTo('2017-03', false)")
    frame.locator(".leaflet-container[data-month='2017-03']").wait_for()
    canvas_counts = json.loads(box.get_attribute("data-counts"))
    page.goto("about:blank")
    svg = open_map(page, f"{app_url}/?date=2017-03")
    assert json.loads(svg.locator(".leaflet-container").get_attribute("data-counts")) == canvas_counts
