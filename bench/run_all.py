"""Run every benchmark and print one summary table (about 4 minutes on 2 cores).

    .venv/bin/python bench/run_all.py [--steps 60] [--naive-steps 60] [--memory-steps 100] [--cold-runs 3]

Numbers are printed, never asserted. Each benchmark also writes bench/results/<name>.json; this script adds
bench/results/summary.json. See docs/benchmarks.md for what the numbers mean.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cold_start  # noqa: E402
import memory  # noqa: E402
import step_latency  # noqa: E402
from common import ForeignWork, load_snapshot, machine, write_results  # noqa: E402


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
        ("view kept after a step, real app", f"{real['view_kept']}/{real['steps']}", "all",
         "met" if real["view_kept"] == real["steps"] else "MISSED"),
        ("view kept after a step, naive app", f"{naive['view_kept']}/{naive['steps']}", "", ""),
        ("WebSocket bytes per step, real / naive",
         f"{real['ws_bytes_per_step']['p50'] / 1e3:.0f} / {naive['ws_bytes_per_step']['p50'] / 1e3:.0f} kB", "", ""),
        ("cold start to first map, runs", " / ".join(f"{r['first_map_ms']:.0f}" for r in cold["runs"]) + " ms", "",
         ""),
        ("first payload until drawn (run 1)", f"{cold['runs'][0]['total_received_bytes'] / 1e6:.2f} MB", "", ""),
        ("JS heap after 0 / 100 steps", f"{mem['heap_first_mb']:.1f} / {mem['heap_last_mb']:.1f} MB", "flat", ""),
    ]
    if "toggle_growth" in mem:
        growth = mem["toggle_growth"]
        rows.append((f"JS heap growth, {growth['steps']} steps over the same 2 months",
                     f"{growth['js_heap_mb']:+.2f} MB ({growth['kb_per_step']} kB/step)", "flat", ""))
        rows.append(("map frame elements added over those steps", f"{growth['frame_elements']:+d}", "0", ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--naive-steps", type=int, default=60)
    parser.add_argument("--memory-steps", type=int, default=100)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    load = load_snapshot()
    if load["cpu_busy_pct_1s"] > 20:
        print(f"WARNING: the machine is busy before the benchmarks start ({load['cpu_busy_pct_1s']}% CPU, "
              f"{load['other_streamlit_pytest_renderers']} other Streamlit/pytest/renderer processes): "
              "the numbers will be slower than on a quiet machine.", flush=True)
    started = time.monotonic()
    contended: dict[str, list[str]] = {}
    with ForeignWork() as watch:
        print("== cold start", flush=True)
        cold = cold_start.run(args.cold_runs)
    contended["cold start"] = sorted(watch.seen)
    with ForeignWork() as watch:
        print("== step latency, real app then naive app", flush=True)
        steps = step_latency.run(args.steps, args.naive_steps)
    contended["step latency"] = sorted(watch.seen)
    with ForeignWork() as watch:
        print("== browser memory", flush=True)
        mem = memory.run(args.memory_steps)
    contended["memory"] = sorted(watch.seen)
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
    for name, seen in contended.items():
        if seen:
            print(f"WARNING: test runs shared the CPUs during '{name}': {seen[0]} ...; its numbers are skewed.")
    write_results("summary", {
        "machine": machine(), "load_at_start": load, "load_at_end": after, "contended": contended,
        "clean": not any(contended.values()), "minutes": round(minutes, 2),
        "rows": [dict(zip(("measure", "value", "target", "verdict"), r)) for r in rows]})


if __name__ == "__main__":
    main()
