"""Two replicas behind nginx (scripts/serve_cluster.py, issue 18) in a real browser: pages are spread and stay on
their replica, nginx serves the files, and a replica killed with SIGKILL loses no saved briefing."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import signal
import time
import urllib.error
import urllib.request

import pytest

from devtools.browser import MAP_FRAME, ROOT, open_map, step_map, wait_idle
from devtools.cluster import cluster_status, start_cluster, stop_cluster
from serve import IMMUTABLE, content_security_policy

GEN = ROOT / "static" / "gen"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    briefings = tmp_path_factory.mktemp("briefings")
    process, url, rundir = start_cluster(2, env={"ISMAP_ALLOW_SERVER_BRIEFINGS": "1",
                                                 "ISMAP_BRIEFINGS_DIR": str(briefings)})
    yield {"url": url, "rundir": rundir, "briefings": briefings, "supervisor": process.pid}
    stop_cluster(process, rundir)


def replica_of(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == "ismap_replica"), None)


def get(url: str) -> tuple[dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


def wait_until(condition, timeout_s: float):
    """Poll a condition outside the browser (the supervisor's status file) until it holds; fail at the deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)  # polling period of a condition, not a wait for time to pass
    raise AssertionError(f"{condition.__name__} did not hold within {timeout_s} s")


def stable_map(page, timeout: int = 60_000):
    """The map frame once exactly one is on the page and drawn (after a reconnection Streamlit mounts it again)."""
    page.wait_for_function(
        "(sel) => { const f = document.querySelectorAll(sel); return f.length === 1 && f[0].contentDocument && "
        "f[0].contentDocument.querySelector(\".leaflet-container[data-ready='1'][data-date]\"); }",
        arg=MAP_FRAME, timeout=timeout)
    wait_idle(page, timeout)
    return page.locator(MAP_FRAME).element_handle().content_frame()


def offered(page, name: str, timeout_s: float = 60) -> None:
    """The Briefing panel's list offers `name`: open the panel and its list once the app is idle and look for
    the option. A rerun that lands meanwhile can redraw the list closed (or the panel), so both are opened
    again until the deadline."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    select = page.locator("[data-testid='stExpander'] [data-testid='stSelectbox']").first
    deadline = time.monotonic() + timeout_s
    while True:
        wait_idle(page)
        try:
            if not select.is_visible():
                page.locator("[data-testid='stExpander'] summary", has_text="Briefing").click()
                select.wait_for(timeout=5_000)
            select.click(timeout=5_000)
            page.get_by_role("option", name=name).wait_for(timeout=5_000)
            return
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise
            page.keyboard.press("Escape")


def test_pages_are_spread_over_the_replicas_and_stay_on_theirs(browser, cluster):
    # New pages go to the replica with the fewest open connections (nginx's least_conn). A page's own requests
    # are open connections too while its WebSocket is placed, so a second page can still join the first one's
    # replica (a clean-clone run saw that once); so pages are opened until both replicas hold one, at most four.
    contexts = []
    try:
        seen = []
        while len(set(seen)) < 2 and len(contexts) < 4:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            contexts.append(context)
            page = context.new_page()
            sockets = []
            page.on("websocket", lambda ws, sockets=sockets: sockets.append(ws.url))
            open_map(page, f"{cluster['url']}/?date=2016-06")
            seen.append(replica_of(context))
            assert sockets == [cluster["url"].replace("http://", "ws://") + "/_stcore/stream"]
        assert set(seen) == {"r1", "r2"}, seen
        # The page's script runs on the replica its cookie names: the layer a user uploads carries that name.
        page = contexts[-1].pages[0]
        path = cluster["briefings"].parent / "sites.csv"
        path.write_text("name,lat,lon\nA site,36.3,43.1\n", encoding="utf-8")
        page.get_by_text("Your own layer (GeoJSON, CSV, KML)").click()
        page.locator("input[type=file]").first.set_input_files(str(path))
        page.locator(MAP_FRAME).last.content_frame.locator(
            ".leaflet-container[data-ready='1'][data-counts*='\"user\":1']").wait_for(timeout=60_000)
        assert list(GEN.glob(f"user-{seen[-1]}_*.json")), sorted(p.name for p in GEN.glob("user-*"))
        assert [replica_of(c) for c in contexts] == seen  # no page moved
    finally:
        for context in contexts:
            context.close()


def test_nginx_serves_the_files_compressed_cached_and_with_the_apps_headers(cluster):
    headers, body = get(f"{cluster['url']}/")
    assert headers.get("content-encoding") == "gzip"  # proxied pages are compressed by nginx too
    index = gzip.decompress(body).decode()
    bundle = re.search(r'src="\.?(/static/js/[^"]+\.js)"', index).group(1)
    payloads = sorted(GEN.glob("territory-*.json"), key=lambda p: p.stat().st_mtime)
    assert payloads, "the replicas published the payloads"
    for path in (bundle, f"/app/static/gen/{payloads[-1].name}"):
        headers, body = get(cluster["url"] + path)
        assert headers.get("server") == "nginx" and headers.get("content-encoding") == "gzip", (path, headers)
        assert headers["cache-control"] == IMMUTABLE
        assert headers["content-security-policy"] == content_security_policy(os.environ.get("ISMAP_TILE_URL", ""))
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "same-origin"
        assert len(gzip.decompress(body)) > len(body)
    with pytest.raises(urllib.error.HTTPError) as hidden:
        get(f"{cluster['url']}/app/static/gen/.territory.tmp")
    assert hidden.value.code == 404


def test_a_killed_replica_loses_no_saved_briefing_and_its_pages_carry_on(browser, cluster):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    paused = False
    try:
        page = context.new_page()
        open_map(page, f"{cluster['url']}/?date=2016-06")
        first = replica_of(context)
        # Save a briefing on the server through the Briefing panel.
        page.locator("[data-testid='stExpander'] summary", has_text="Briefing").click()
        page.get_by_role("button", name="+ Add this view as a scene").click()
        page.get_by_text("This session's briefing: 1 scene", exact=False).first.wait_for(timeout=60_000)
        page.get_by_label("Save as", exact=False).fill("before-kill")
        page.get_by_label("Save as", exact=False).press("Enter")
        wait_idle(page)
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("Saved before-kill-", exact=False).first.wait_for(timeout=60_000)
        [saved] = list(cluster["briefings"].glob("before-kill-*.yaml"))
        digest = hashlib.sha256(saved.read_bytes()).hexdigest()
        # SIGKILL the replica this page is on, with the supervisor paused (SIGSTOP) until the page has moved: the
        # supervisor starts a dead replica again at once, and a page whose reconnection is slow (a loaded CI
        # machine) may otherwise find its own replica back and never need the other one (CI saw that once).
        before = {r["name"]: r for r in cluster_status(cluster["rundir"])["replicas"]}
        os.kill(cluster["supervisor"], signal.SIGSTOP)
        paused = True
        with page.expect_websocket(timeout=60_000) as reconnected:
            os.killpg(before[first]["pid"], signal.SIGKILL)
        # The page reconnects through nginx to the other replica. The session it had is gone with its replica, so
        # the next thing the user does runs the whole app there as a new session (serve.FirstRunIsWhole): the
        # view comes back from the page's URL (the link's month: a step taken during the failover is not kept),
        # what lived only in the old session (its unsaved scenes) is gone, and the new replica names itself in
        # the cookie. Then the map steps, and the app catches up, as before.
        assert reconnected.value.url.endswith("/_stcore/stream")
        page.wait_for_function("() => !/connect/i.test((document.querySelector('[data-testid=\"stStatusWidget\"]')"
                               " || {}).innerText || '')", timeout=60_000)
        stable_map(page).locator(".ismap-tb-forward").click()
        page.get_by_text("This session's briefing: 1 scene", exact=False).first.wait_for(state="detached",
                                                                                       timeout=60_000)
        assert replica_of(context) in ("r1", "r2") and replica_of(context) != first
        os.kill(cluster["supervisor"], signal.SIGCONT)
        paused = False
        frame = stable_map(page)
        assert frame.locator(".leaflet-container").get_attribute("data-month") == "2016-06"
        assert step_map(page, frame, 1) == "2016-07" and "date=2016-07" in page.url
        # Nothing saved is lost: the file is there byte for byte, and a new page is offered it.
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == digest
        fresh = context.browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        open_map(fresh, f"{cluster['url']}/?date=2016-06")
        offered(fresh, saved.stem)
        fresh.context.close()
        # The supervisor started the killed replica again.
        def restarted() -> dict | None:
            status = {r["name"]: r for r in cluster_status(cluster["rundir"])["replicas"]}
            again = status[first]["pid"] != before[first]["pid"] and status[first]["state"] == "up"
            return status[first] if again else None

        replica = wait_until(restarted, timeout_s=90)
        assert replica["restarts"] == before[first]["restarts"] + 1
    finally:
        if paused:
            os.kill(cluster["supervisor"], signal.SIGCONT)
        context.close()


def handshake(url: str, host: str, origin: str | None = None) -> str:
    """The head of nginx's answer to a WebSocket handshake sent as a page of `origin` (default http://{host})
    would send it."""
    import base64
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin or 'http://' + host}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Protocol: streamlit\r\n\r\n")
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    return head.decode("latin-1")


def test_a_page_reached_by_name_and_port_connects_and_only_the_handshake_names_the_replica(cluster):
    """Reached as http://maps.internal:PORT, the WebSocket must pass Streamlit's origin check (nginx passes the
    Host with its port); the handshake sets the replica cookie, the page itself does not."""
    port = cluster["url"].rsplit(":", 1)[1]
    head = handshake(cluster["url"], f"maps.internal:{port}")
    assert head.startswith("HTTP/1.1 101"), head[:200]
    assert re.search(r"(?im)^set-cookie: ismap_replica=r[12]; Path=/; HttpOnly; SameSite=Lax", head), head
    # a page of another origin is refused (Streamlit's check, which nginx must not weaken)
    assert handshake(cluster["url"], f"maps.internal:{port}", "http://elsewhere.example").startswith("HTTP/1.1 403")
    headers, _ = get(f"{cluster['url']}/")
    assert "ismap_replica" not in headers.get("set-cookie", "")
