"""A user's own layer in the browser: it draws, follows the slider, reports problems, and hostile text stays inert."""

from __future__ import annotations

import json

from devtools.browser import open_map, step_map, wait_idle
from tests.hostile import SENTINEL


def counts(frame) -> dict:
    return json.loads(frame.locator(".leaflet-container").get_attribute("data-counts"))


def live_map(page):
    """The map frame after a remount (the previous frame may linger while the page reruns)."""
    return page.locator('iframe[title="streamlit_folium.st_folium"]').last.content_frame


def upload(page, path) -> None:
    page.get_by_text("Your own layer (GeoJSON, CSV, KML)").click()
    page.locator("section[data-testid='stFileUploaderDropzone'] input[type=file], input[type=file]").first.set_input_files(str(path))


def test_uploaded_csv_draws_and_follows_the_slider(page, app_url, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("name,lat,lon,start,end\nEarly site,36.3,43.1,2015-01-01,2015-12-31\n"
                    "Always,35.3,40.1,,\nBroken,north,40,,\n", encoding="utf-8")
    open_map(page, f"{app_url}/?date=2015-11")
    upload(page, path)
    frame = live_map(page)
    frame.locator(".leaflet-container[data-ready='1'][data-counts*='\"user\":2']").wait_for(timeout=60_000)
    page.get_by_text("sites.csv, row 4, column 'lat': 'north' is not a number").wait_for()
    wait_idle(page)
    assert step_map(page, live_map(page), 2) == "2016-01"
    assert counts(live_map(page))["user"] == 1


def test_hostile_upload_stays_inert(page, app_url, tmp_path):
    marker = tmp_path / "jinja-ran"
    evil = [f'<img src=x onerror="window.{SENTINEL}=1">', f"`${{window.{SENTINEL}=1}}`",
            "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"]
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [43.1 + i, 36.3]},
                 "properties": {"name": text, "note": text}} for i, text in enumerate(evil)]
    path = tmp_path / "evil.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    open_map(page, f"{app_url}/?date=2015-06")
    upload(page, path)
    live_map(page).locator(".leaflet-container[data-ready='1'][data-counts*='\"user\":3']").wait_for(timeout=60_000)
    mf = page.locator('iframe[title="streamlit_folium.st_folium"]').last.element_handle().content_frame()
    text = mf.evaluate("""() => ISMap.layers.user.items.map(item => {
        const at = item.layer.getBounds().getCenter();
        item.layer.openTooltip(at);
        item.layer.openPopup(at);
        const popup = document.querySelector('.leaflet-popup-content');
        const tips = Array.from(document.querySelectorAll('.leaflet-tooltip')).map(e => e.textContent).join(' ');
        return (popup ? popup.textContent : '') + ' ' + tips;
    }).join(' ')""")
    assert "onerror" in text and "{{ cycler" in text
    assert page.evaluate(f"() => window.{SENTINEL}") is None
    assert mf.evaluate(f"() => window.{SENTINEL}") is None
    assert not marker.exists()


def test_an_uploaded_layer_is_deleted_when_its_session_ends_and_not_before(browser, tmp_path):
    """Issue 12: users' layers are served only to their session and removed when it ends (here: a 1 s session TTL
    and a 1 s sweep); another session's layer stays while that session lives."""
    import time

    from devtools.browser import ROOT, start_server, stop_server

    gen = ROOT / "static" / "gen"
    path = tmp_path / "sites.csv"
    path.write_text("name,lat,lon\nA site,36.3,43.1\n", encoding="utf-8")
    process, url = start_server(env={"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "1", "ISMAP_USER_SWEEP_S": "1",
                                     "ISMAP_USER_SWEEP_MIN_AGE_S": "1"})
    try:
        pages = []
        for _ in range(2):
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            open_map(page, f"{url}/?date=2015-11")
            upload(page, path)
            live_map(page).locator(".leaflet-container[data-ready='1'][data-counts*='\"user\":1']").wait_for(timeout=60_000)
            pages.append(page)
        tokens = [p.locator('iframe[title="streamlit_folium.st_folium"]').last.evaluate(
            "f => f.contentWindow.ISMap.cfg.layers.find(d => d.id === 'user').url") for p in pages]
        files = [gen / t.rsplit("/", 1)[-1] for t in tokens]
        assert files[0] != files[1] and all(f.exists() for f in files)
        pages[0].context.close()
        # The closed session's file goes once Streamlit has dropped the session; the open one's stays. (Polling the
        # server's disk, as start_server polls its health: the condition is the file's absence.)
        deadline = time.monotonic() + 60
        while files[0].exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not files[0].exists() and files[1].exists()
        status = pages[1].evaluate("async (u) => (await fetch(u, {cache: 'no-store'})).status", tokens[1])
        assert status == 200
        pages[1].context.close()
    finally:
        stop_server(process)
