"""The real app on the real data (1x) and on synthetic data at 10x and 100x the feature counts.

    .venv/bin/python bench/scale.py [--scale 1 --scale 10 --scale 100] [--steps 30] [--start 2014-06]

For each data set (1x: data/geojson; 10x and 100x: bench/synthetic.py's output, generated if missing), a fresh
server (`streamlit run app.py` with ISMAP_GEOJSON_DIR pointing at the data) and:
  cold start   bench/cold_start.py's one_run: a new Chromium with an empty profile opens the app; time from
               page.goto until the map container has data-ready='1' and data-date; the first session also
               pays the server's first-run work (reading the layers, publishing the payloads, area series);
  first payload  the decoded bodies of every HTTP response plus every WebSocket frame received until then
               (bodies Playwright cannot return, the multi-MB payloads at 100x, are sized from the served
               file under static/gen: see payload_bytes);
  warm open    a second new Chromium profile opens the same view (server caches warm, browser cache cold);
  steps        then `steps` slider steps on that page with bench/common.py's step (focus the month slider,
               ArrowRight, wait until data-date takes the next month-end date and the rerun has finished);
               in_page_ms, keydown to data-date changed in the map frame, is the headline number;
  JS heap      CDP Performance.getMetrics JSHeapUsedSize of the page (the st_folium frame is same-origin, in
               the same V8 heap), after a forced garbage collection (HeapProfiler.collectGarbage), after the
               map opened and after the steps; also the value before that collection;
  server RSS   VmRSS from /proc of the streamlit process and all its descendants (psutil is not a dependency):
               idle after start, after the cold start, after the steps.
  server only  5 more steps from a Python client speaking Streamlit's WebSocket protocol (no browser):
               the server's time to the map's update message and to the end of the run, and what one rerun
               sends, message by message (in full: that client announces no cached messages);
Also counted: responses with status >= 400, failed requests and `.stException` elements on the page.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402

import cold_start  # noqa: E402
import synthetic  # noqa: E402
from common import (DATE_CLOCK, DRAWN, KEY_CLOCK, REAL_MARKER, WS_HOOK, ForeignWork, app_version, expected_date,  # noqa: E402
                    load_snapshot, machine, step, summary, wait_idle, write_results)
from devtools.browser import ROOT, launch, map_frame, start_server, stop_server  # noqa: E402
from geo.paths import GEOJSON  # noqa: E402

TARGET = {"scale": 10, "step_p50_ms": 250}
EXCEPTIONS = "() => document.querySelectorAll('.stException, [data-testid=\"stException\"]').length"


def _ppid(pid: str) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def process_tree(root: int) -> list[int]:
    """root and every process descended from it (from /proc: psutil is not installed)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _ppid(entry.name)
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_bytes(pid: int) -> int:
    """VmRSS of a process; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and its descendants, MB (the streamlit server; PNG exports add Chromium)."""
    return round(sum(rss_bytes(pid) for pid in process_tree(root)) / 2**20, 1)


def heap(cdp) -> dict:
    before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    cdp.send("HeapProfiler.collectGarbage")
    after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {"js_heap_used_mb": round(after["JSHeapUsedSize"] / 2**20, 1),
            "js_heap_used_before_gc_mb": round(before["JSHeapUsedSize"] / 2**20, 1),
            "js_heap_total_mb": round(after["JSHeapTotalSize"] / 2**20, 1), "dom_nodes": int(after["Nodes"])}


def warm_page_steps(playwright, url: str, month: str, steps: int, label: str) -> dict:
    """A second browser profile: open the view (timed), then `steps` ArrowRight steps; heap before and after."""
    context = launch(playwright)
    page = context.pages[0] if context.pages else context.new_page()
    failures: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failures.append(f"failed {r.url} {r.failure}"))
    rows = []
    try:
        page.add_init_script(WS_HOOK)
        started = time.perf_counter()
        page.goto(f"{url}/?date={month}")
        page.wait_for_function(DRAWN, arg=expected_date(month, 0), timeout=180_000)
        warm_ms = round((time.perf_counter() - started) * 1000, 1)
        wait_idle(page, 180_000)
        page.evaluate(KEY_CLOCK, REAL_MARKER)
        map_frame(page).evaluate(DATE_CLOCK)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        heap_open = heap(cdp)
        for i in range(1, steps + 1):
            row = step(page, expected_date(month, i), timeout=120_000)
            rows.append(row)
            print(f"  {label} step {i:2d} {row['date']}: {row['in_page_ms']:7.1f} ms in page, "
                  f"{row['wall_ms']:7.1f} ms wall, {row['rerun_done_ms']:7.1f} ms to rerun done", flush=True)
        heap_steps = heap(cdp)
        exceptions = page.evaluate(EXCEPTIONS)
    finally:
        context.close()
    return {"warm_open_ms": warm_ms, "heap_after_open": heap_open, "heap_after_steps": heap_steps,
            "in_page_ms": summary([r["in_page_ms"] for r in rows if r["in_page_ms"] is not None]),
            "painted_ms": summary([r["painted_ms"] for r in rows if r.get("painted_ms") is not None]),
            "wall_ms": summary([r["wall_ms"] for r in rows]),
            "rerun_done_ms": summary([r["rerun_done_ms"] for r in rows]),
            "stages_ms": {s: summary([r[s] for r in rows if r[s] is not None])
                          for s in ("send_ms", "update_msg_ms", "frame_msg_ms")},
            "ws_bytes_per_step": summary([r["ws_bytes"] for r in rows]),
            "counts_last_step": rows[-1]["counts"] if rows else None,
            "page_exceptions": exceptions, "failed_responses": failures, "rows": rows}


def payload_bytes(cold: dict) -> dict:
    """Bytes received until the map was drawn, counting the bodies Playwright could not return.

    cold_start.one_run reads each body with response.body(); for bodies of several MB (the territory and
    plots payloads at 100x) that fails (Chromium has already dropped the body) and the response counted 0.
    Those payloads are content-hashed files under static/gen, byte for byte the body, so their size is
    taken from the file.
    """
    missing = []
    for row in cold["all_responses"]:
        if row["body_bytes"] is None and "/app/static/gen/" in row["url"]:
            served = ROOT / "static" / "gen" / row["url"].rsplit("/", 1)[1]
            if served.exists():
                row["body_bytes"] = served.stat().st_size
                row["note"] += " (body size from the served file)"
                missing.append(row["url"])
    http = sum(r["body_bytes"] or 0 for r in cold["all_responses"])
    return {"http_body_bytes": http, "total_received_bytes": http + cold["websocket"]["received_bytes"],
            "bodies_sized_from_file": missing,
            "bodies_unknown": [r["url"] for r in cold["all_responses"] if r["body_bytes"] is None]}


def server_only_steps(url: str, month: str) -> dict:
    """A few steps from a Python WebSocket client (bench/concurrency.py's): the server's share of a step."""
    import concurrency  # imported here: concurrency imports this module

    with ThreadPoolExecutor(1) as pool:  # its own event loop, away from Playwright's
        return pool.submit(asyncio.run, concurrency.rerun_anatomy(url, month)).result(timeout=300)


def data_for(scale: int) -> Path:
    return GEOJSON if scale == 1 else synthetic.ensure(scale)


def feature_counts(directory: Path) -> dict[str, int]:
    return {layer: (directory / f"{layer}.geojson").read_bytes().count(b'"type":"Feature"')
            for layer in synthetic.LAYERS}


def measure(playwright, scale: int, steps: int, month: str) -> dict:
    directory = data_for(scale)
    env = None if scale == 1 else {"ISMAP_GEOJSON_DIR": str(directory)}
    label = f"{scale}x"
    before = app_version()
    with ForeignWork() as watch:
        process, url = start_server(env=env)
        cold, warm, rss = measure_server(playwright, process, url, label, month, steps, directory)
    cold["biggest"] = sorted(cold.pop("all_responses"), key=lambda r: -(r["body_bytes"] or 0))[:6]
    return {"scale": scale, "data_dir": str(directory), "features": feature_counts(directory),
            "data_bytes": {p.name: p.stat().st_size for p in sorted(directory.glob("*.geojson"))},
            "cold": cold, "warm": warm, "server_rss": rss, "other_processes": watch.report(),
            "app_changed_during_run": sorted(n for n, d in app_version().items() if before.get(n) != d)}


def measure_server(playwright, process, url: str, label: str, month: str, steps: int, directory: Path) -> tuple:
    """Cold start, warm open and steps against a fresh server; the server is stopped at the end."""
    try:
        rss = {"idle_after_start_mb": tree_rss_mb(process.pid)}
        print(f"{label}: {directory} at {url}", flush=True)
        cold = cold_start.one_run(playwright, url, month)
        cold.update(payload_bytes(cold))
        rss["after_cold_start_mb"] = tree_rss_mb(process.pid)
        print(f"  {label} cold start {cold['first_map_ms']:.0f} ms, first payload "
              f"{cold['total_received_bytes'] / 1e6:.2f} MB", flush=True)
        warm = warm_page_steps(playwright, url, month, steps, label)
        rss["after_steps_mb"] = tree_rss_mb(process.pid)
        warm["server_only"] = server_only_steps(url, month)
        print(f"  {label} server only (WebSocket client, no browser): update message p50 "
              f"{warm['server_only']['update_msg_ms']['p50']} ms, run done p50 {warm['server_only']['done_ms']['p50']} "
              f"ms, {warm['server_only']['bytes_per_rerun'] / 1e3:.0f} kB per rerun", flush=True)
    finally:
        stop_server(process)
    return cold, warm, rss


def run(scales: tuple[int, ...] = (1, 10, 100), steps: int = 30, month: str = "2014-06") -> dict:
    results = {"machine": machine(), "load_at_start": load_snapshot(), "targets": TARGET,
               "method": __doc__.strip().split("\n\n", 1)[1], "start_month": month, "steps": steps, "runs": []}
    with sync_playwright() as playwright:
        for scale in scales:
            results["runs"].append(measure(playwright, scale, steps, month))
            write_results("scale", results)  # keep what was measured if a later scale fails
    results["load_at_end"] = load_snapshot()
    path = write_results("scale", results)
    print(f"wrote {path}")
    return results


def table(results: dict) -> list[tuple[str, ...]]:
    """One row per data set: the numbers the issue asks for."""
    rows = []
    for r in results["runs"]:
        w = r["warm"]
        rows.append((f"{r['scale']}x", "/".join(str(v) for v in r["features"].values()),
                     f"{r['cold']['total_received_bytes'] / 1e6:.1f} / "
                     f"{(r['cold']['http_wire_bytes'] + r['cold']['websocket']['received_bytes']) / 1e6:.1f}",
                     f"{r['cold']['first_map_ms']:.0f}",
                     f"{w['warm_open_ms']:.0f}", f"{w['in_page_ms']['p50']:.0f}", f"{w['in_page_ms']['p95']:.0f}",
                     f"{w['ws_bytes_per_step']['p50'] / 1e3:.0f}",
                     f"{w['heap_after_open']['js_heap_used_mb']:.0f} / {w['heap_after_steps']['js_heap_used_mb']:.0f}",
                     f"{r['server_rss']['after_cold_start_mb']:.0f} / {r['server_rss']['after_steps_mb']:.0f}",
                     str(w["page_exceptions"] + len(w["failed_responses"]))))
    return rows


HEADER = ("data", "features t/a/p", "first MB decoded/wire", "cold ms", "warm ms", "step p50", "step p95", "kB/step",
          "heap MB open/steps", "server RSS MB", "errors")


def print_table(results: dict) -> None:
    rows = [HEADER] + table(results)
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    for row in rows:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths)))
    target = TARGET
    for r in results["runs"]:
        if r.get("app_changed_during_run"):
            print(f"WARNING: {r['app_changed_during_run']} changed during {r['scale']}x: the numbers mix two versions.")
        work = r.get("other_processes", {})
        if work and not work["clean"]:
            print(f"WARNING: other processes used {work['busy_pct_of_one_cpu']}% of one CPU during {r['scale']}x "
                  f"(top: {work['top'][:1]}): those numbers are skewed.")
    for r in results["runs"]:
        if r["scale"] == target["scale"]:
            p50 = r["warm"]["in_page_ms"]["p50"]
            print(f"target: at {target['scale']}x step p50 <= {target['step_p50_ms']} ms: {p50:.0f} ms, "
                  f"{'met' if p50 <= target['step_p50_ms'] else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, action="append", help="1 (real data), 10, 100 (default: all three)")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--start", default="2014-06", help="first month, YYYY-MM")
    args = parser.parse_args()
    results = run(tuple(args.scale or (1, 10, 100)), args.steps, args.start)
    print_table(results)


if __name__ == "__main__":
    main()
