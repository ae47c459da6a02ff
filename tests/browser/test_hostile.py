"""Hostile strings in every text field of every layer: shown literally, never run (browser or server)."""

from __future__ import annotations

import pytest

from devtools.browser import map_frame, open_map, start_server, step_map, stop_server, wait_idle
from tests.hostile import SENTINEL

OPEN_EVERYTHING = """() => {
    let opened = 0;
    for (const id of Object.keys(ISMap.layers)) {
        for (const item of ISMap.layers[id].items) {
            if (!item.visible) continue;
            const targets = [];
            item.layer.eachLayer ? item.layer.eachLayer(l => targets.push(l)) : targets.push(item.layer);
            if (item.marker) targets.push(item.marker);
            for (const layer of targets) {
                const inner = [];
                layer.eachLayer ? layer.eachLayer(l => inner.push(l)) : inner.push(layer);
                for (const l of inner.concat([layer])) {
                    const at = l.getLatLng ? l.getLatLng() : (l.getBounds ? l.getBounds().getCenter() : null);
                    if (!at) continue;
                    if (l.getPopup && l.getPopup()) { l.openPopup(at); opened++; }
                    if (l.getTooltip && l.getTooltip()) { l.openTooltip(at); opened++; }
                }
            }
        }
    }
    return opened;
}"""


@pytest.fixture(scope="module")
def hostile_url(hostile_build):
    process, url = start_server(env={"ISMAP_GEOJSON_DIR": str(hostile_build["geojson"])})
    yield url
    stop_server(process)


def test_hostile_text_is_shown_literally_and_never_runs(page, hostile_url, hostile_build):
    frame = open_map(page, f"{hostile_url}/?date=2016-01&window=cumulative")
    mf = map_frame(page)
    opened = mf.evaluate(OPEN_EVERYTHING)
    assert opened >= 10
    popup_text = frame.locator(".leaflet-popup-content").last.inner_text()
    assert popup_text
    texts = mf.evaluate("() => Array.from(document.querySelectorAll('.leaflet-popup-content, .leaflet-tooltip'))"
                        ".map(e => e.textContent).join('\\n')")
    shown = [p for p in hostile_build["payloads"] if p[:40] in texts]
    assert len(shown) >= 4, "payloads appear as text"
    assert "onerror" in texts and "{{ cycler" in texts
    assert page.evaluate(f"() => window.{SENTINEL}") is None
    assert mf.evaluate(f"() => window.{SENTINEL}") is None
    assert not hostile_build["marker"].exists(), "Jinja evaluated data on the server"
    # The page still works: a step redraws the map.
    wait_idle(page)
    assert step_map(page, frame) == "2016-02"
    assert mf.evaluate(f"() => window.{SENTINEL}") is None
