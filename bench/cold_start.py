"""Cold start to first map, and everything the page receives until the map is drawn.

    .venv/bin/python bench/cold_start.py [--runs 3] [--month 2015-06]

Each run launches a new Chromium with an empty profile (no HTTP cache), then times page.goto until the map
container has data-ready='1' and data-date (devtools.browser.open_map), with time.perf_counter. The server
is started once, fresh, before the first run: run 1 also pays the server's first-run work (loading the
layers, publishing the payloads, the area series), runs 2 and later find those cached.

Milestones (ms since navigation start, read from the page's and the map frame's performance timelines):
the page's DOMContentLoaded, the map frame's creation, the first and last response of the app's own static
files (Leaflet, ismap.js, the content-hashed JSON), and the read-out right after the map was seen drawn
(an upper bound: it includes one Playwright round trip).

Bytes, two ways. `before_map`: the Resource Timing entries of the page and the map frame that had finished
when the map container got data-ready (transferSize on the wire, decodedBodySize), the first payload proper.
And every HTTP response the page and its frames received until Playwright saw the map (decoded body length,
and the encoded size on the wire from Playwright's request.sizes()), plus the WebSocket frames Streamlit
sent over the same time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from common import ForeignWork, expected_date, load_snapshot, machine, summary, write_results  # noqa: E402
from devtools.browser import MAP_FRAME, launch, open_map, start_server, stop_server  # noqa: E402

# Milestones in ms since the page's navigation started (the map frame's clock shifted onto the page's).
MILESTONES = """(sel) => {
  const nav = performance.getEntriesByType('navigation')[0];
  const w = document.querySelector(sel).contentWindow;
  const shift = w.performance.timeOrigin - performance.timeOrigin;
  const own = w.performance.getEntriesByType('resource').filter(e => e.name.includes('/app/static/'));
  const round = v => Math.round(v * 10) / 10;
  return {
    page_dom_content_loaded: round(nav.domContentLoadedEventEnd),
    map_frame_created: round(shift),
    map_assets_first_request: own.length ? round(shift + Math.min(...own.map(e => e.startTime))) : null,
    map_assets_last_received: own.length ? round(shift + Math.max(...own.map(e => e.responseEnd))) : null,
    map_drawn: round(performance.now()),
  };
}"""


# Every frame, before its scripts: note (on the top window, epoch ms) when a map container first has
# data-ready='1', the moment the map is drawn (polled every 5 ms: Chromium pauses animation frames in the map
# frame while it loads, and a MutationObserver there saw nothing).
READY_CLOCK = """(() => {
  const timer = setInterval(() => {
    if (!document.querySelector('.leaflet-container[data-ready="1"]')) return;
    clearInterval(timer);
    try { if (!window.top.__mapReadyAt) window.top.__mapReadyAt = performance.timeOrigin + performance.now(); }
    catch (e) {}
  }, 5);
})();"""

# Main page: what the page and the map frame had fully received by the time the map was drawn, from the
# Resource Timing entries (transferSize: bytes on the wire, headers included; decodedBodySize: after gzip).
BEFORE_MAP = """(sel) => {
  const ready = window.__mapReadyAt;
  const entries = [];
  for (const w of [window, document.querySelector(sel).contentWindow]) {
    for (const e of w.performance.getEntriesByType('navigation').concat(w.performance.getEntriesByType('resource'))) {
      entries.push({url: e.name, end: w.performance.timeOrigin + e.responseEnd, wire: e.transferSize,
                    body: e.decodedBodySize});
    }
  }
  const before = entries.filter(e => e.end <= ready);
  const sum = (list, key) => list.reduce((a, e) => a + e[key], 0);
  const own = before.filter(e => e.url.includes('/app/static/'));
  return {ready_at: ready, responses: before.length, wire_bytes: sum(before, 'wire'), body_bytes: sum(before, 'body'),
          app_files_wire_bytes: sum(own, 'wire'), app_files_body_bytes: sum(own, 'body'),
          after_map: entries.filter(e => e.end > ready).map(e => e.url.replace(location.origin, '')).slice(0, 20)};
}"""


def one_run(playwright, url: str, month: str) -> dict:
    context = launch(playwright)
    page = context.pages[0] if context.pages else context.new_page()
    page.add_init_script(READY_CLOCK)
    responses: list = []
    ws_frames = {"received_bytes": 0, "received": 0, "sent_bytes": 0, "sent": 0}
    drawn = {"done": False}

    def on_response(response) -> None:
        if not drawn["done"]:
            responses.append(response)

    def on_websocket(ws) -> None:
        def count(direction: str, payload) -> None:
            if not drawn["done"]:
                ws_frames[f"{direction}_bytes"] += len(payload)
                ws_frames[direction] += 1
        ws.on("framereceived", lambda payload: count("received", payload))
        ws.on("framesent", lambda payload: count("sent", payload))

    page.on("response", on_response)
    page.on("websocket", on_websocket)
    try:
        started = time.perf_counter()
        frame = open_map(page, f"{url}/?date={month}", timeout=120_000)
        elapsed = (time.perf_counter() - started) * 1000
        drawn["done"] = True
        milestones = page.evaluate(MILESTONES, MAP_FRAME)
        before_map = page.evaluate(BEFORE_MAP, MAP_FRAME)
        shown = frame.locator(".leaflet-container").get_attribute("data-date")
        rows = []
        for response in responses:
            try:
                body = len(response.body())
            except Exception as exc:  # a redirect or a body the browser already dropped: recorded, not hidden
                body = None
                note = type(exc).__name__
            else:
                note = ""
            try:
                wire = response.request.sizes()["responseBodySize"]
            except Exception as exc:  # sizes() fails for requests that never finished; the decoded size stays
                wire = None
                note = note or f"no sizes: {type(exc).__name__}"
            rows.append({"url": response.url.split("?")[0].replace(url, ""), "status": response.status,
                         "type": response.request.resource_type, "body_bytes": body, "wire_bytes": wire,
                         "content_length": response.headers.get("content-length"), "note": note})
    finally:
        context.close()
    http_body = sum(r["body_bytes"] or 0 for r in rows)
    http_wire = sum(r["wire_bytes"] or 0 for r in rows)
    return {"first_map_ms": round(elapsed, 1), "milestones_ms": milestones, "data_date": shown,
            "expected_date": expected_date(month, 0),
            "responses": len(rows), "http_body_bytes": http_body, "http_wire_bytes": http_wire,
            "websocket": ws_frames, "total_received_bytes": http_body + ws_frames["received_bytes"],
            "before_map": before_map,
            "biggest": sorted(rows, key=lambda r: -(r["body_bytes"] or 0))[:5], "all_responses": rows}


def run(runs: int = 3, month: str = "2015-06") -> dict:
    load = load_snapshot()
    process, url = start_server()
    results = {"machine": machine(), "load_at_start": load, "method": __doc__.strip().split("\n\n", 1)[1],
               "month": month, "runs": []}
    try:
        with sync_playwright() as playwright, ForeignWork() as watch:
            for i in range(runs):
                row = one_run(playwright, url, month)
                row["server"] = "fresh (first session)" if i == 0 else "warm"
                results["runs"].append(row)
                before = row["before_map"]
                print(f"  cold start {i + 1}: {row['first_map_ms']:.0f} ms to first map; before it was drawn "
                      f"{before['wire_bytes'] / 1e6:.2f} MB on the wire ({before['body_bytes'] / 1e6:.2f} MB "
                      f"decoded, {before['responses']} responses); until Playwright saw it "
                      f"{row['total_received_bytes'] / 1e6:.2f} MB received "
                      f"({row['responses']} responses, {row['websocket']['received']} WebSocket frames); "
                      f"milestones {row['milestones_ms']}", flush=True)
    finally:
        stop_server(process)
    results["other_processes"] = watch.report()
    results["first_map_ms"] = summary([r["first_map_ms"] for r in results["runs"]])
    results["first_map_ms_warm_server"] = summary([r["first_map_ms"] for r in results["runs"][1:]])
    path = write_results("cold_start", results)
    print(f"wrote {path}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--month", default="2015-06", help="the month opened, YYYY-MM")
    args = parser.parse_args()
    results = run(args.runs, args.month)
    first = results["runs"][0]
    print(f"first map: {[r['first_map_ms'] for r in results['runs']]} ms; "
          f"first payload {first['total_received_bytes'] / 1e6:.2f} MB; biggest:")
    for row in first["biggest"]:
        print(f"  {row['body_bytes']:>10,} B  {row['url']}")


if __name__ == "__main__":
    main()
