"""Browser memory over many slider steps: does the page's JavaScript heap stay flat?

    .venv/bin/python bench/memory.py [--steps 100] [--every 10] [--start 2013-01]

Opens the real app, then steps the month slider (ArrowRight, waiting for each new date to be drawn and the
rerun to finish). Before the first step and after every `every` steps it forces a full garbage collection
(CDP HeapProfiler.collectGarbage) and reads CDP Performance.getMetrics for the page: JSHeapUsedSize is the
renderer's V8 heap, which holds the same-origin st_folium map frame too. Also sampled: DOM nodes and event
listeners (Performance.getMetrics), the number of SVG paths in the map, and the length of streamlit-folium's
`window.feature_group` in the map frame (it kept every replaced group before the app cleared it).
After the forward steps, it steps back and forth between the last two months `toggles` times (sampled every
2 x `every` steps): the same features each time, so growth there is held per step, not a cache of features
drawn once (Leaflet keeps a removed layer's SVG path for when it is added again).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from common import (DATE_CLOCK, KEY_CLOCK, REAL_MARKER, WS_HOOK, ForeignWork, expected_date, load_snapshot, machine,  # noqa: E402
                    step, summary, wait_idle, write_results)
from devtools.browser import launch, map_frame, open_map, start_server, stop_server  # noqa: E402

FRAME_STATE = """() => ({
  elements: document.getElementsByTagName('*').length,
  styles: document.querySelectorAll('head style').length,
  paths: document.querySelectorAll('.leaflet-overlay-pane path').length,
  featureGroup: Array.isArray(window.feature_group) ? window.feature_group.length : null,
  steps: Number(document.querySelector('.leaflet-container').dataset.steps || 0),
})"""


def sample(cdp, page, steps: int, phase: str) -> dict:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    frame = map_frame(page).evaluate(FRAME_STATE)
    return {"phase": phase, "steps": steps, "js_heap_used_mb": round(metrics["JSHeapUsedSize"] / 2**20, 2),
            "js_heap_total_mb": round(metrics["JSHeapTotalSize"] / 2**20, 2), "dom_nodes": int(metrics["Nodes"]),
            "event_listeners": int(metrics["JSEventListeners"]), "documents": int(metrics["Documents"]),
            "page_elements": page.evaluate("() => document.getElementsByTagName('*').length"),
            "frame_elements": frame["elements"], "frame_head_styles": frame["styles"], "map_paths": frame["paths"],
            "feature_group_len": frame["featureGroup"], "map_steps": frame["steps"]}


def report(row: dict) -> None:
    print(f"  memory, {row['phase']}, after {row['steps']:3d} steps: {row['js_heap_used_mb']:6.2f} MB JS heap, "
          f"{row['dom_nodes']} DOM nodes ({row['page_elements']} in the page, {row['frame_elements']} in the map "
          f"frame), {row['map_paths']} map paths", flush=True)


def run(steps: int = 100, every: int = 10, month: str = "2013-01", toggles: int = 60) -> dict:
    load = load_snapshot()
    process, url = start_server()
    series, toggle_series, latencies = [], [], []
    try:
        with sync_playwright() as playwright, ForeignWork() as watch:
            context = launch(playwright)
            page = context.pages[0] if context.pages else context.new_page()
            try:
                page.add_init_script(WS_HOOK)
                open_map(page, f"{url}/?date={month}")
                wait_idle(page)
                page.evaluate(KEY_CLOCK, REAL_MARKER)
                map_frame(page).evaluate(DATE_CLOCK)
                cdp = context.new_cdp_session(page)
                cdp.send("Performance.enable")
                series.append(sample(cdp, page, 0, "forward"))
                report(series[-1])
                for i in range(1, steps + 1):
                    latencies.append(step(page, expected_date(month, i))["in_page_ms"])
                    if i % every == 0 or i == steps:
                        series.append(sample(cdp, page, i, "forward"))
                        report(series[-1])
                # Then back and forth between the last two months: the same features each time, so whatever
                # still grows is held per step, not a cache of features seen once.
                toggle_series.append({**series[-1], "phase": "back and forth", "steps": 0})
                for i in range(1, toggles + 1):
                    back = i % 2 == 1
                    wanted = expected_date(month, steps - 1 if back else steps)
                    step(page, wanted, key="ArrowLeft" if back else "ArrowRight")
                    if i % (2 * every) == 0 or i == toggles:
                        toggle_series.append(sample(cdp, page, i, "back and forth"))
                        report(toggle_series[-1])
            finally:
                context.close()
    finally:
        stop_server(process)
    heap = [row["js_heap_used_mb"] for row in series]
    results = {"machine": machine(), "load_at_start": load, "method": __doc__.strip().split("\n\n", 1)[1],
               "start_month": month,
               "steps": steps, "series": series, "heap_first_mb": heap[0], "heap_last_mb": heap[-1],
               "heap_max_mb": max(heap), "heap_growth_mb": round(heap[-1] - heap[0], 2),
               "heap_growth_after_first_sample_mb": round(heap[-1] - heap[1], 2) if len(heap) > 1 else None,
               "step_in_page_ms": summary([v for v in latencies if v is not None]),
               "toggles": toggles, "toggle_series": toggle_series, "other_processes": watch.report()}
    if len(toggle_series) > 1:
        first, last = toggle_series[0], toggle_series[-1]
        span = last["steps"] - first["steps"]
        results["toggle_growth"] = {
            "steps": span, "js_heap_mb": round(last["js_heap_used_mb"] - first["js_heap_used_mb"], 2),
            "kb_per_step": round((last["js_heap_used_mb"] - first["js_heap_used_mb"]) * 1024 / span, 1),
            "frame_elements": last["frame_elements"] - first["frame_elements"],
            "frame_head_styles": last["frame_head_styles"] - first["frame_head_styles"]}
        middle = toggle_series[len(toggle_series) // 2]
        if last["steps"] > middle["steps"]:  # the second half: where the heap settles, if it does
            tail = last["steps"] - middle["steps"]
            results["toggle_tail"] = {
                "steps": tail, "js_heap_mb": round(last["js_heap_used_mb"] - middle["js_heap_used_mb"], 2),
                "kb_per_step": round((last["js_heap_used_mb"] - middle["js_heap_used_mb"]) * 1024 / tail, 1)}
    path = write_results("memory", results)
    print(f"wrote {path}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--start", default="2013-01", help="first month, YYYY-MM")
    parser.add_argument("--toggles", type=int, default=60, help="steps back and forth after the forward run")
    args = parser.parse_args()
    results = run(args.steps, args.every, args.start, args.toggles)
    print("JS heap (MB) every", args.every, "steps:", [row["js_heap_used_mb"] for row in results["series"]])


if __name__ == "__main__":
    main()
