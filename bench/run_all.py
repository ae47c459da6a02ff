"""Run every benchmark and print one summary table (about 3 minutes on 2 cores).

    .venv/bin/python bench/run_all.py [--steps 60] [--naive-steps 60] [--memory-steps 100] [--memory-toggles 200]
                                      [--cold-runs 3]
                                      [--only cold_start,step_latency,memory]

Numbers are printed, never asserted. Each benchmark also writes bench/results/<name>.json; this script adds
bench/results/summary.json. Each benchmark records how much CPU other processes (test runs, other
benchmarks, other browsers) used while it ran; above 5% of one CPU the summary flags it as not clean, and
`--only` runs just those again (the table then mixes runs; each one's time is in summary.json).
See docs/benchmarks.md for what the numbers mean.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cold_start  # noqa: E402
import memory  # noqa: E402
import step_latency  # noqa: E402
from common import RESULTS, load_snapshot, machine, print_foreign_work, warn_if_busy, write_results  # noqa: E402


BENCHMARKS = ("cold_start", "step_latency", "memory")


def stored(name: str) -> dict:
    """A benchmark's results as written to bench/results (stamped with the time it ran)."""
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))


def verdict(value: float, limit: float, higher_is_better: bool = False) -> str:
    ok = value >= limit if higher_is_better else value <= limit
    return "met" if ok else "MISSED"


def table(steps: dict, cold: dict, mem: dict) -> list[tuple[str, str, str, str]]:
    real, naive = steps["real"], steps["naive"]
    t = steps["targets"]
    rows = [
        ("step, real app, p50 (in page)", f"{real['in_page_ms']['p50']:.0f} ms", f"<= {t['p50_ms']} ms",
         verdict(real["in_page_ms"]["p50"], t["p50_ms"])),
        ("step, real app, p95 (in page)", f"{real['in_page_ms']['p95']:.0f} ms", f"<= {t['p95_ms']} ms",
         verdict(real["in_page_ms"]["p95"], t["p95_ms"])),
        ("step, real app, max (in page)", f"{real['in_page_ms']['max']:.0f} ms", "", ""),
        ("step, real app, p50 / p95 (Python wall)", f"{real['wall_ms']['p50']:.0f} / {real['wall_ms']['p95']:.0f} ms",
         "", ""),
        ("step, naive app, p50 / p95 (in page)",
         f"{naive['in_page_ms']['p50']:.0f} / {naive['in_page_ms']['p95']:.0f} ms", "", ""),
        ("speed-up, naive / real, p50", f"{steps['speedup']['in_page_ms']['p50']:.1f}x", f">= {t['speedup']}x",
         verdict(steps["speedup"]["in_page_ms"]["p50"], t["speedup"], higher_is_better=True)),
        ("speed-up, naive / real, p95", f"{steps['speedup']['in_page_ms']['p95']:.1f}x", "", ""),
        ("app caught up (URL, stats), p50 / p95",
         f"{real['stages_ms']['synced_ms']['p50']:.0f} / {real['stages_ms']['synced_ms']['p95']:.0f} ms", "", ""),
        ("view kept after a step, real app", f"{real['view_kept']}/{real['steps']}", "all",
         "met" if real["view_kept"] == real["steps"] else "MISSED"),
        ("view kept after a step, naive app", f"{naive['view_kept']}/{naive['steps']}", "", ""),
        ("WebSocket bytes per step, real / naive",
         f"{real['ws_bytes_per_step']['p50'] / 1e3:.0f} / {naive['ws_bytes_per_step']['p50'] / 1e3:.0f} kB", "", ""),
        ("cold start to first map, fresh server", f"{cold['runs'][0]['first_map_ms']:.0f} ms", "<= 4000 ms",
         verdict(cold["runs"][0]["first_map_ms"], 4000)),
        ("cold start to first map, later visits", " / ".join(f"{r['first_map_ms']:.0f}" for r in cold["runs"][1:])
         + " ms", "<= 4000 ms", verdict(max(r["first_map_ms"] for r in cold["runs"][1:]), 4000)),
        ("first payload before the map is drawn (wire)",
         f"{max(r['before_map']['wire_bytes'] for r in cold['runs']) / 1e6:.2f} MB", "<= 2 MB",
         verdict(max(r["before_map"]["wire_bytes"] for r in cold["runs"]) / 1e6, 2.0)),
        ("same, decoded", f"{max(r['before_map']['body_bytes'] for r in cold['runs']) / 1e6:.2f} MB", "", ""),
        (f"JS heap after 0 / {mem['steps']} steps", f"{mem['heap_first_mb']:.1f} / {mem['heap_last_mb']:.1f} MB",
         "flat", ""),
    ]
    if "toggle_growth" in mem:
        growth = mem["toggle_growth"]
        rows.append((f"JS heap growth, {growth['steps']} steps over the same 2 months",
                     f"{growth['js_heap_mb']:+.2f} MB ({growth['kb_per_step']} kB/step)", "flat", ""))
        rows.append(("map frame elements added over those steps", f"{growth['frame_elements']:+d}", "0", ""))
    if "toggle_tail" in mem:
        tail = mem["toggle_tail"]
        rows.append((f"JS heap growth, last {tail['steps']} of those steps", f"{tail['js_heap_mb']:+.2f} MB "
                     f"({tail['kb_per_step']} kB/step)", "flat", ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--naive-steps", type=int, default=60)
    parser.add_argument("--memory-steps", type=int, default=100)
    parser.add_argument("--memory-toggles", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help="comma-separated subset to run again; the others are read from bench/results")
    args = parser.parse_args()
    load = load_snapshot()
    warn_if_busy(load)
    started = time.monotonic()
    wanted = set(args.only.split(","))
    runners = {"cold_start": lambda: cold_start.run(args.cold_runs),
               "step_latency": lambda: step_latency.run(args.steps, args.naive_steps),
               "memory": lambda: memory.run(args.memory_steps, every=20, toggles=args.memory_toggles)}
    for name in BENCHMARKS:
        if name in wanted:
            print(f"== {name}", flush=True)
            runners[name]()
        else:
            print(f"== {name}: not run, the last results are used", flush=True)
    cold, steps, mem = (stored(name) for name in BENCHMARKS)
    foreign = {"cold start": cold["other_processes"], "step latency, real": steps["real"]["other_processes"],
               "step latency, naive": steps["naive"]["other_processes"], "memory": mem["other_processes"]}
    after = load_snapshot()  # our servers and browsers are gone: what is left is someone else's work
    rows = table(steps, cold, mem)
    minutes = (time.monotonic() - started) / 60
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'value':>24}  {'target':>10}  verdict")
    for name, value, target, result in rows:
        print(f"{name:<{width}}  {value:>24}  {target:>10}  {result}")
    print(f"\nmachine: {machine()['cpus']} CPUs, {machine()['memory_gib']} GiB, {machine()['chromium']}; "
          f"all benchmarks took {minutes:.1f} min; CPU busy before / after: {load['cpu_busy_pct_1s']}% / "
          f"{after['cpu_busy_pct_1s']}%")
    print_foreign_work(foreign)
    write_results("summary", {
        "machine": machine(), "load_at_start": load, "load_at_end": after, "other_processes": foreign,
        "measured_at_each": {"cold_start": cold["measured_at"], "step_latency": steps["measured_at"],
                             "memory": mem["measured_at"]},
        "clean": all(work["clean"] for work in foreign.values()),
        "minutes": round(minutes, 2),
        "rows": [dict(zip(("measure", "value", "target", "verdict"), r)) for r in rows]})


if __name__ == "__main__":
    main()
