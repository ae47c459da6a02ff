"""Slider step latency of the real app against a naive rebuild-the-map app, and whether pan/zoom survive a step.

    .venv/bin/python bench/step_latency.py [--steps 60] [--naive-steps 60] [--start 2014-06]
                                           [--app serve.py] [--results step_latency]

Each step: focus the month slider, press ArrowRight, wait until the map frame shows the new month-end date in
`data-date`. Two clocks are kept:
  in_page_ms  from the keydown event in the page to the moment `data-date` took the new value in the map frame
              (both `performance.timeOrigin + performance.now()`, same renderer clock); the headline number;
  wall_ms     time.perf_counter around `keyboard.press` + `wait_for_function` (adds Playwright round trips and
              up to one animation frame of polling).
After each step the benchmark also waits until Streamlit reports the script run finished (rerun_done_ms), so
one step never overlaps the next.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from common import (DATE_CLOCK, DRAWN, KEY_CLOCK, REAL_MARKER, SET_VIEW, VIEW, WS_HOOK, ForeignWork, expected_date,  # noqa: E402
                    load_snapshot, machine, step, summary, wait_idle, write_results)
from devtools.browser import ROOT, launch, map_frame, start_server, stop_server  # noqa: E402
from layers.assets import ensure_vendor  # noqa: E402

VIEW_SET = (36.3, 43.1, 8)
TARGET = {"p50_ms": 120, "p95_ms": 250, "speedup": 5}


def view_kept(view: list | None) -> bool:
    return bool(view) and abs(view[0] - VIEW_SET[0]) < 1e-6 and abs(view[1] - VIEW_SET[1]) < 1e-6 \
        and view[2] == VIEW_SET[2]


# A string only the map's update carries in the WebSocket message: the state script, or the naive map's marker.
MARKERS = {True: REAL_MARKER, False: "drawnAt"}


def open_app(page, url: str, month: str, real: bool) -> None:
    page.add_init_script(WS_HOOK)
    page.goto(f"{url}/?date={month}")
    page.wait_for_function(DRAWN, arg=expected_date(month, 0), timeout=90_000)
    wait_idle(page)
    page.evaluate(KEY_CLOCK, MARKERS[real])
    if real:
        map_frame(page).evaluate(DATE_CLOCK)
    page.evaluate(SET_VIEW, list(VIEW_SET))
    if real:  # the app stores the moved view (st_folium returns centre and zoom): let that rerun finish first
        page.wait_for_function("() => location.search.includes('zoom=8')", timeout=30_000)
        wait_idle(page)


def measure(url: str, month: str, steps: int, real: bool, label: str) -> dict:
    """Open the app at `month`, set a view, step `steps` months; per-step times and whether the view held."""
    rows = []
    with sync_playwright() as playwright:
        context = launch(playwright)
        page = context.pages[0] if context.pages else context.new_page()
        try:
            open_app(page, url, month, real)
            for i in range(1, steps + 1):
                wanted = expected_date(month, i)
                row = step(page, wanted)
                row["view"] = page.evaluate(VIEW, wanted)
                row["view_kept"] = view_kept(row["view"])
                rows.append(row)
                print(f"  {label} step {i:3d} {wanted}: {row['in_page_ms']:7.1f} ms in page, "
                      f"{row['wall_ms']:7.1f} ms wall, view kept {row['view_kept']}", flush=True)
        finally:
            context.close()
    return {
        "start_month": month,
        "steps": len(rows),
        "in_page_ms": summary([r["in_page_ms"] for r in rows if r["in_page_ms"] is not None]),
        "wall_ms": summary([r["wall_ms"] for r in rows]),
        "rerun_done_ms": summary([r["rerun_done_ms"] for r in rows]),
        "stages_ms": {stage: summary([r[stage] for r in rows if r[stage] is not None])
                      for stage in ("send_ms", "update_msg_ms", "frame_msg_ms", "synced_ms")},
        "ws_bytes_per_step": summary([r["ws_bytes"] for r in rows]),
        "view_kept": sum(r["view_kept"] for r in rows),
        "rows": rows,
    }


def run(steps: int = 60, naive_steps: int = 60, month: str = "2014-06", app: str = "serve.py",
        name: str = "step_latency") -> dict:
    """`app`: the real app, or a variant of it (a path; its folder needs the app's static/ beside it)."""
    results = {"machine": machine(), "load_at_start": load_snapshot(), "targets": TARGET, "app": app,
               "method": __doc__.strip().split("\n\n", 1)[1]}
    for label, script, count in (("real", app, steps), ("naive", "bench/naive_app.py", naive_steps)):
        if count <= 0:
            continue
        if label == "naive":  # its Leaflet copy must exist before the server maps /app/static
            ensure_vendor(ROOT / "bench" / "static")
        process, url = start_server(app=script)
        try:
            print(f"{label}: {script} at {url}, {count} steps from {month}", flush=True)
            with ForeignWork() as watch:
                results[label] = measure(url, month, count, real=label == "real", label=label)
            results[label]["other_processes"] = watch.report()
        finally:
            stop_server(process)
    if "real" in results and "naive" in results:
        for clock in ("in_page_ms", "wall_ms"):
            real, naive = results["real"][clock], results["naive"][clock]
            results.setdefault("speedup", {})[clock] = {
                "p50": round(naive["p50"] / real["p50"], 1), "p95": round(naive["p95"] / real["p95"], 1)}
        real_counts = [r["counts"] for r in results["real"]["rows"]]
        naive_counts = [r["counts"] for r in results["naive"]["rows"]]
        shared = min(len(real_counts), len(naive_counts))
        results["same_features_drawn"] = real_counts[:shared] == naive_counts[:shared]
    path = write_results(name, results)
    print(f"wrote {path}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--naive-steps", type=int, default=60)
    parser.add_argument("--start", default="2014-06", help="first month, YYYY-MM")
    parser.add_argument("--app", default="serve.py",
                        help="the app to measure: serve.py (app.py as run.sh serves it), or a variant's path (with the app's static/ beside it)")
    parser.add_argument("--results", default="step_latency", help="name of the results file in bench/results")
    args = parser.parse_args()
    results = run(args.steps, args.naive_steps, args.start, args.app, args.results)
    for label in ("real", "naive"):
        if label in results:
            s = results[label]["in_page_ms"]
            print(f"{label:6s} p50 {s['p50']} ms  p95 {s['p95']} ms  max {s['max']} ms  "
                  f"view kept {results[label]['view_kept']}/{results[label]['steps']}")
    if "speedup" in results:
        print(f"speed-up (p50, in page): {results['speedup']['in_page_ms']['p50']}x")


if __name__ == "__main__":
    main()
