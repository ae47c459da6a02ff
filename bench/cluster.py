"""One process against replicas behind nginx (scripts/serve_cluster.py), 20 and 50 sessions, and a kill -9.

    .venv/bin/python bench/cluster.py [--sessions 20 50] [--replicas 2] [--seconds 120] [--browsers 4]
                                      [--only single,cluster,kill]

Every run is bench/concurrency.py's (real Chromium sessions plus sessions over Streamlit's WebSocket protocol
from Python, each stepping month after month and waiting for the app to catch up), pointed at:
  single   one app process, `streamlit run serve.py`, as scripts/run.sh starts it;
  cluster  nginx in front of --replicas app processes on this same machine (scripts/serve_cluster.py).
For each, with 20 and with 50 sessions: the catch-up (`update_msg_ms`: from the step to the WebSocket message
with the new month's stats) p50/p95 over all sessions, errors, steps, and the memory of each app process
(VmRSS of the process and its children, sampled every 0.5 s: peak and end) and its CPU share.
kill     the cluster again with 20 sessions, with saving briefings on the server turned on: before the loop one
         more Chromium page saves a briefing through the app's Briefing panel; halfway through the loop replica
         r1 gets SIGKILL. Its sessions reconnect (a browser's frontend does that by itself, a Python client opens a
         new WebSocket) through nginx to another replica; the supervisor starts r1 again. Reported: disconnects
         and how long each session took to step again, errors (those of steps begun within 30 s of the kill
         apart), r1's restart, and whether the saved briefing is still there, byte for byte, and
         listed by a new page.
The ratio single/cluster of the catch-up p50 is reported for each session count, from the same run of this
script. Every number depends on this machine's 2 cores, shared by the server processes, nginx and the load
(the Chromium sessions above all): see docs/benchmarks-load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.async_api import async_playwright  # noqa: E402

import concurrency  # noqa: E402
from common import ForeignWork, load_snapshot, machine, summary, write_results  # noqa: E402
from devtools.browser import CHROMIUM, CHROMIUM_FLAGS, MAP_FRAME, start_server, stop_server  # noqa: E402
from devtools.cluster import cluster_status, start_cluster, stop_cluster  # noqa: E402
from scale import process_tree, tree_rss_mb  # noqa: E402

# ---------------------------------------------------------------- CPU

def process_tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its descendants (a replica's `streamlit run` and its upload workers)."""
    return sum(concurrency.process_cpu_s(p) for p in process_tree(pid))


# ---------------------------------------------------------------- what runs beside the sessions

def replica_watch(pids: dict[str, int], rundir: Path | None, kill: str | None = None):
    """A coroutine function for concurrency.run_async's `during`: sample each app process's RSS every 0.5 s,
    measure its CPU over the loop, and (kill) SIGKILL one replica halfway through."""

    async def during(state: dict, seconds: float) -> dict:
        started = time.monotonic()
        cpu0 = {name: process_tree_cpu_s(pid) for name, pid in pids.items()}
        rss: dict[str, list[float]] = {name: [] for name in pids}
        killed = None
        while time.monotonic() - started < seconds:
            current = dict(pids)
            if rundir is not None and (status := cluster_status(rundir)):
                current = {r["name"]: r["pid"] for r in status["replicas"]}
            for name, pid in current.items():
                rss.setdefault(name, []).append(tree_rss_mb(pid))
            if kill and killed is None and time.monotonic() - started >= seconds / 2:
                victim = current[kill]
                os.killpg(victim, signal.SIGKILL)
                killed = {"replica": kill, "pid": victim, "at": time.monotonic(), "at_s": round(time.monotonic() - started, 1)}
                print(f"  killed {kill} (pid {victim}) at {killed['at_s']} s", flush=True)
            if killed and "restarted_ms" not in killed and rundir is not None:
                status = cluster_status(rundir) or {}
                mine = next((r for r in status.get("replicas", []) if r["name"] == kill), None)
                if mine and mine["pid"] != killed["pid"] and mine["state"] == "up":
                    killed["restarted_ms"] = round((time.monotonic() - killed["at"]) * 1000)
                    killed["new_pid"] = mine["pid"]
            await asyncio.sleep(0.5)  # a sampling period, not a wait for a condition
        elapsed = time.monotonic() - started
        final = dict(pids)
        if rundir is not None and (status := cluster_status(rundir)):
            final = {r["name"]: r["pid"] for r in status["replicas"]}
        out = {"per_process": {
            name: {"rss_peak_mb": max(values) if values else None, "rss_end_mb": values[-1] if values else None,
                   "cpu_pct_of_one_core": None if kill == name else round(
                       100 * (process_tree_cpu_s(final[name]) - cpu0.get(name, 0.0)) / elapsed, 1)}
            for name, values in rss.items()}}
        if killed:
            out["killed"] = killed
        return out

    return during


async def save_briefing_through_the_app(url: str, name: str) -> dict:
    """One Chromium page adds its view as a scene and saves the briefing on the server (Briefing panel)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await context.new_page()
            await page.goto(f"{url}/?date=2016-06", timeout=120_000)
            await page.frame_locator(MAP_FRAME).locator(".leaflet-container[data-ready='1']").wait_for(timeout=120_000)
            await page.wait_for_function(concurrency.SCRIPT_IDLE, timeout=120_000)
            await page.locator("[data-testid='stExpander'] summary", has_text="Briefing").click()
            await page.get_by_role("button", name="+ Add this view as a scene").click()
            await page.get_by_text("This session's briefing: 1 scene", exact=False).first.wait_for(timeout=60_000)
            await page.get_by_label("Save as", exact=False).fill(name)
            await page.get_by_label("Save as", exact=False).press("Enter")
            await page.get_by_role("button", name="Save", exact=True).click()
            saved = page.get_by_text(f"Saved {name}-", exact=False).first
            await saved.wait_for(timeout=60_000)
            text = await saved.inner_text()
            replica = next((c["value"] for c in await context.cookies() if c["name"] == "ismap_replica"), None)
            return {"file": text.split("Saved ", 1)[1].rstrip("."), "replica": replica}
        finally:
            await browser.close()


async def briefing_listed(url: str, stem: str) -> bool:
    """Whether a new page's Briefing panel offers the saved briefing."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
            await page.goto(f"{url}/?date=2016-06", timeout=120_000)
            await page.frame_locator(MAP_FRAME).locator(".leaflet-container[data-ready='1']").wait_for(timeout=120_000)
            await page.wait_for_function(concurrency.SCRIPT_IDLE, timeout=120_000)
            await page.locator("[data-testid='stExpander'] summary", has_text="Briefing").click()
            await page.locator("[data-testid='stExpander'] [data-testid='stSelectbox']").first.click()
            option = page.get_by_role("option", name=stem)
            try:
                await option.wait_for(timeout=20_000)
                return True
            except Exception:  # not offered
                return False
        finally:
            await browser.close()


# ---------------------------------------------------------------- runs

def one_run(kind: str, sessions: int, browsers: int, seconds: float, single: float, replicas: int) -> dict:
    briefings = Path(tempfile.mkdtemp(prefix="ismap-briefings-"))
    env = {"ISMAP_ALLOW_SERVER_BRIEFINGS": "1", "ISMAP_BRIEFINGS_DIR": str(briefings)} if kind == "kill" else {}
    print(f"cluster bench: {kind}, {sessions} sessions ({browsers} in Chromium)"
          + ("" if kind == "single" else f", {replicas} replicas"), flush=True)
    rundir = None
    if kind == "single":
        process, url = start_server(env=env)
        pids = {"single": process.pid}
    else:
        process, url, rundir = start_cluster(replicas, env)
        pids = {r["name"]: r["pid"] for r in cluster_status(rundir)["replicas"]}
    saved = None
    try:
        if kind == "kill":
            saved = asyncio.run(save_briefing_through_the_app(url, "bench-before-kill"))
            path = briefings / saved["file"]
            saved["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            print(f"  saved {saved['file']} through replica {saved['replica']}", flush=True)
        during = replica_watch(pids, rundir, kill="r1" if kind == "kill" else None)
        out = asyncio.run(concurrency.run_async(url, process.pid, sessions, browsers, seconds, single,
                                                during=during, reconnect=kind == "kill"))
        if kind == "kill":
            path = briefings / saved["file"]
            saved["still_there"] = path.exists()
            saved["unchanged"] = path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == saved["sha256"]
            saved["listed_by_a_new_page"] = asyncio.run(briefing_listed(url, path.stem))
        status = cluster_status(rundir) if rundir else None
    finally:
        stop_server(process) if kind == "single" else stop_cluster(process, rundir)
    people = out["people"]
    rows = [r for p in people for r in p.rows if r["phase"] == "all"]
    result = {
        "kind": kind, "sessions": sessions, "browser_sessions": browsers, "seconds": seconds,
        "replicas": 1 if kind == "single" else replicas, "steps": len(rows),
        "errors": sum(len(p.errors) for p in people),
        "update_msg_ms": summary([r["update_msg_ms"] for r in rows if r["update_msg_ms"]]),
        "in_page_ms_browsers": summary([r["in_page_ms"] for p in people if p.kind == "browser"
                                        for r in p.rows if r["phase"] == "all"]),
        "load": out["load"], "processes": out["side"]["per_process"],
        "error_samples": {p.name: p.errors[:3] for p in people if p.errors},
    }
    if kind == "kill":
        killed = out["side"].get("killed", {})
        at = killed.get("at")
        errors_at = [t for p in people for t in p.error_at]
        result["kill"] = {
            **{k: v for k, v in killed.items() if k != "at"},
            "sessions_disconnected": sum(1 for p in people if p.disconnects),
            "recovered_ms": summary([d["recovered_ms"] for p in people for d in p.disconnects
                                     if d["recovered_ms"] is not None]),
            "not_recovered": sum(1 for p in people for d in p.disconnects if d["recovered_ms"] is None),
            # A step in flight at the kill began up to 30 s (the step timeout) before it.
            "errors_of_steps_begun_within_30_s_of_the_kill": sum(1 for t in errors_at if at is not None and abs(t - at) < 30),
            "errors_elsewhere": sum(1 for t in errors_at if at is None or abs(t - at) >= 30),
            "saved_briefing": saved, "restarts": {r["name"]: r["restarts"] for r in (status or {}).get("replicas", [])},
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--browsers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--single", type=float, default=10, help="seconds the first session steps alone")
    parser.add_argument("--only", default="single,cluster,kill")
    args = parser.parse_args()
    kinds = args.only.split(",")
    results = {"machine": machine(), "load_at_start": load_snapshot(), "method": __doc__.strip().split("\n\n", 1)[1],
               "runs": []}
    with ForeignWork() as watch:
        for sessions in args.sessions:
            for kind in ("single", "cluster"):
                if kind in kinds:
                    results["runs"].append(one_run(kind, sessions, args.browsers, args.seconds, args.single,
                                                   args.replicas))
                    print(f"  -> {json.dumps({k: results['runs'][-1][k] for k in ('errors', 'steps', 'update_msg_ms')})}",
                          flush=True)
        if "kill" in kinds:
            results["runs"].append(one_run("kill", min(args.sessions), args.browsers, args.seconds, args.single,
                                           args.replicas))
            print(f"  -> kill: {json.dumps(results['runs'][-1]['kill'])}", flush=True)
    results["other_processes"] = watch.report()
    ratios = {}
    for sessions in args.sessions:
        pair = {r["kind"]: r for r in results["runs"] if r["sessions"] == sessions and r["kind"] != "kill"}
        if {"single", "cluster"} <= pair.keys():
            ratios[str(sessions)] = round(pair["single"]["update_msg_ms"]["p50"] / pair["cluster"]["update_msg_ms"]["p50"], 2)
    results["catch_up_p50_ratio_single_over_cluster"] = ratios
    results["load_at_end"] = load_snapshot()
    print(f"wrote {write_results('cluster', results)}")
    for run in results["runs"]:
        print(f"{run['kind']:8s} {run['sessions']:3d} sessions x {run['replicas']}: {run['steps']} steps, "
              f"{run['errors']} errors, catch-up p50 {run['update_msg_ms'].get('p50')} / p95 "
              f"{run['update_msg_ms'].get('p95')} ms; processes {run['processes']}")
    print(f"ratio single/cluster (catch-up p50): {ratios}")


if __name__ == "__main__":
    main()
