"""Load benchmarks: the app at 1x, 10x and 100x the data, then 20 concurrent sessions; one summary table.

    .venv/bin/python bench/run_load.py [--steps 30] [--sessions 20] [--browsers 4] [--seconds 120]

About 7 minutes on 2 cores (bench/scale.py about 3.5, bench/concurrency.py about 3.5). Numbers are printed,
never asserted. Writes bench/results/scale.json, bench/results/concurrency.json and
bench/results/load_summary.json; docs/benchmarks-load.md says what they mean.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import concurrency  # noqa: E402
import scale  # noqa: E402
from common import load_snapshot, machine, print_foreign_work, warn_if_busy, write_results  # noqa: E402


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def rows(scaled: dict, conc: dict) -> list[tuple[str, str, str, str]]:
    out = []
    for r in scaled["runs"]:
        x, w, c = f"{r['scale']}x", r["warm"], r["cold"]
        target = r["scale"] == scale.TARGET["scale"]
        out += [
            (f"{x}: features territory/provinces/plots", "/".join(str(v) for v in r["features"].values()), "", ""),
            (f"{x}: first payload until drawn (decoded / on the wire)",
             f"{c['total_received_bytes'] / 1e6:.1f} / "
             f"{(c['http_wire_bytes'] + c['websocket']['received_bytes']) / 1e6:.1f} MB", "", ""),
            (f"{x}: cold start to first map (fresh server) / warm", f"{c['first_map_ms']:.0f} / "
             f"{w['warm_open_ms']:.0f} ms", "", ""),
            (f"{x}: step p50 / p95 (in page, {w['in_page_ms']['n']} steps)",
             f"{w['in_page_ms']['p50']:.0f} / {w['in_page_ms']['p95']:.0f} ms",
             f"p50 <= {scale.TARGET['step_p50_ms']} ms" if target else "",
             verdict(w["in_page_ms"]["p50"] <= scale.TARGET["step_p50_ms"]) if target else ""),
            (f"{x}: step, update message p50 (server + transport)",
             f"{w['stages_ms']['update_msg_ms'].get('p50', 0):.0f} ms", "", ""),
            (f"{x}: JS heap after open / after steps",
             f"{w['heap_after_open']['js_heap_used_mb']:.0f} / {w['heap_after_steps']['js_heap_used_mb']:.0f} MB",
             "", ""),
            (f"{x}: server RSS after cold start / after steps",
             f"{r['server_rss']['after_cold_start_mb']:.0f} / {r['server_rss']['after_steps_mb']:.0f} MB", "", ""),
            (f"{x}: errors (exceptions on page, failed responses)",
             str(w["page_exceptions"] + len(w["failed_responses"])), "0", verdict(
                 w["page_exceptions"] + len(w["failed_responses"]) == 0)),
        ]
    o, m = conc["overall"], conc["server_rss_mb"]
    n = conc["sessions"]
    out += [
        (f"{n} sessions ({conc['browser_sessions']} Chromium + {conc['websocket_sessions']} WebSocket), "
         f"{conc['seconds']:.0f} s: steps", str(o["steps"]), "", ""),
        (f"{n} sessions: errors", str(o["errors"]), "0", verdict(o["errors"] == 0)),
        (f"{n} sessions: update message p50 / p95, all sessions",
         f"{o['update_msg_ms_all_sessions']['p50']:.0f} / {o['update_msg_ms_all_sessions']['p95']:.0f} ms", "", ""),
        (f"{n} sessions: worst single session's p95 (update message)",
         f"{o['worst_session_p95_update_msg_ms']:.0f} ms", "", ""),
        (f"{n} sessions: in page p50 / p95, Chromium sessions",
         f"{o['in_page_ms_browsers'].get('p50', 0):.0f} / {o['in_page_ms_browsers'].get('p95', 0):.0f} ms", "", ""),
        ("1 session alone: in page p50 / p95",
         f"{conc['single_session']['in_page_ms']['p50']:.0f} / {conc['single_session']['in_page_ms']['p95']:.0f} ms",
         "", ""),
        (f"{n} sessions: server RSS start (1 session) / all open / peak / end",
         f"{m['one_session_mb']:.0f} / {m['all_open_mb']:.0f} / {m['peak_mb']:.0f} / {m['end_of_loop_mb']:.0f} MB",
         "", ""),
        ("server RSS per added session vs the layers' size",
         f"{m['growth_per_added_session_mb']:.1f} vs {conc['layers_mb']['rss_growth_mb']:.1f} MB",
         "< layers", verdict(m["growth_per_added_session_mb"] < conc["layers_mb"]["rss_growth_mb"])),
        (f"{n} sessions: server CPU (share of one core) / machine busy",
         f"{conc['cpu_during_loop']['server_cpu_pct_of_one_core']:.0f}% / "
         f"{conc['cpu_during_loop']['machine_cpu_busy_pct']:.0f}%", "", ""),
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--browsers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--single", type=float, default=20)
    args = parser.parse_args()
    load = load_snapshot()
    warn_if_busy(load)
    started = time.monotonic()
    print("== scale: 1x, 10x, 100x", flush=True)
    scaled = scale.run((1, 10, 100), args.steps)
    print("== concurrency", flush=True)
    conc = concurrency.run(args.sessions, args.browsers, args.seconds, args.single)
    foreign = {f"scale {r['scale']}x": r["other_processes"] for r in scaled["runs"]}
    foreign["concurrency"] = conc["other_processes"]
    after = load_snapshot()
    minutes = (time.monotonic() - started) / 60
    table = rows(scaled, conc)
    width = max(len(r[0]) for r in table)
    print(f"\n{'measure':<{width}}  {'value':>26}  {'target':>15}  verdict")
    for name, value, target, result in table:
        print(f"{name:<{width}}  {value:>26}  {target:>15}  {result}")
    print(f"\nmachine: {machine()['cpus']} CPUs, {machine()['memory_gib']} GiB; took {minutes:.1f} min; "
          f"CPU busy before / after: {load['cpu_busy_pct_1s']}% / {after['cpu_busy_pct_1s']}%; "
          f"load average before {load['loadavg_1_5_15']}, after {after['loadavg_1_5_15']}")
    changed = {f"scale {r['scale']}x": r["app_changed_during_run"] for r in scaled["runs"]}
    changed["concurrency"] = conc["app_changed_during_run"]
    for name, files in changed.items():
        if files:
            print(f"WARNING: {files} changed during '{name}' (edited while the benchmark ran): run again.")
    print_foreign_work(foreign)
    write_results("load_summary", {
        "machine": machine(), "load_at_start": load, "load_at_end": after, "other_processes": foreign,
        "app_changed_during_run": changed,
        "clean": all(work["clean"] for work in foreign.values()) and not any(changed.values()),
        "minutes": round(minutes, 2),
        "rows": [dict(zip(("measure", "value", "target", "verdict"), r)) for r in table]})


if __name__ == "__main__":
    main()
