"""Heavy uploads under load: 20 sessions step while one user uploads the heaviest files the app accepts.

    .venv/bin/python bench/upload_load.py [--sessions 20] [--seconds 90]

What it measures (issue 12): every other session keeps stepping (steps, errors, step time before and during the
uploads), `/_stcore/health` keeps answering (every 0.2 s: latency p50 / p99 / max), and the uploader gets a message
for each file. The files are built here and are the worst the caps let through or that the review used:

- `zigzag-under-cap.geojson`: one self-intersecting ring just under the per-feature vertex cap (the review's
  240k-vertex ring froze the server for 14 s; validation and repair cost grows faster than the vertex count);
- `ten-zigzags.geojson`: ten such rings, up to the total vertex cap;
- `450k-coords.geojson`: a ring of 450,000 vertices (9.4 MB, just under the 10 MB cap; refused by the vertex cap
  with a message, before any validation);
- `many-points.csv`: 20,000 points with dates (the feature cap), about 1 MB.

Numbers are printed and written to bench/results/upload_load.json, never asserted (docs/benchmarks-load.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.async_api import async_playwright  # noqa: E402

from common import ForeignWork, machine, write_results  # noqa: E402
from concurrency import Session, start_month, ws_session  # noqa: E402
from devtools.browser import CHROMIUM, CHROMIUM_FLAGS, MAP_FRAME, start_server, stop_server  # noqa: E402
from geo.upload import MAX_FEATURES, MAX_VERTICES_FEATURE, MAX_VERTICES_TOTAL  # noqa: E402


def zigzag(vertices: int, offset: float = 0.0) -> list[list[float]]:
    ring = [[40 + offset + (i % 2) + i / vertices, 35 + ((i * 7919) % 1000) / 1000] for i in range(vertices)]
    return ring + [ring[0]]


def polygons(count: int, vertices: int) -> bytes:
    features = [{"type": "Feature", "properties": {"name": f"zigzag {i}"},
                 "geometry": {"type": "Polygon", "coordinates": [zigzag(vertices, i * 0.01)]}} for i in range(count)]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def files(folder: Path) -> list[Path]:
    per = MAX_VERTICES_FEATURE - 10
    out = {
        "zigzag-under-cap.geojson": polygons(1, per),
        "ten-zigzags.geojson": polygons(MAX_VERTICES_TOTAL // per, per),
        "450k-coords.geojson": polygons(1, 450_000),
        "many-points.csv": ("name,lat,lon,start\n" + "".join(
            f"p{i},{30 + (i % 900) / 100},{40 + (i // 900) / 100},2015-0{1 + i % 9}\n" for i in range(MAX_FEATURES))
        ).encode(),
    }
    paths = []
    for name, data in out.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


async def poll_health(url: str, samples: list, stop: dict) -> None:
    loop = asyncio.get_running_loop()

    def once() -> float | None:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
                ok = response.read() == b"ok"
        except OSError:
            return None
        return (time.perf_counter() - started) * 1000 if ok else None

    while not stop.get("done"):
        ms = await loop.run_in_executor(None, once)
        samples.append({"t": time.monotonic(), "ms": ms, "phase": stop["phase"]})
        await asyncio.sleep(0.2)  # the poll interval itself: what is measured is each answer's latency


async def upload_all(url: str, paths: list[Path], log: list) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
        await page.goto(f"{url}/?date=2015-06", timeout=120_000)
        await page.frame_locator(MAP_FRAME).locator(".leaflet-container[data-ready='1']").wait_for(timeout=120_000)
        await page.get_by_text("Your own layer").click()
        for path in paths:
            started = time.perf_counter()
            await page.locator("input[type='file']").set_input_files(str(path))
            # A message about this file: its features on the map, or a warning that names it.
            outcome = page.locator("[data-testid='stCaptionContainer'], [data-testid='stAlert']").filter(
                has_text=path.name.replace("_", "\\_"))
            try:
                await outcome.first.wait_for(timeout=120_000)
                text = await outcome.first.inner_text()
            except Exception as exc:  # recorded: the uploader got no message in time
                text = f"no message ({type(exc).__name__})"
            log.append({"file": path.name, "bytes": path.stat().st_size,
                        "seconds": round(time.perf_counter() - started, 2), "message": text[:200]})
            print(f"  uploaded {path.name} ({path.stat().st_size / 1e6:.1f} MB): {log[-1]['seconds']} s: "
                  f"{text[:120]}", flush=True)
        await browser.close()


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def health_summary(samples: list) -> dict:
    answered = [s["ms"] for s in samples if s["ms"] is not None]

    def of(phase: str) -> list[float]:
        return [s["ms"] for s in samples if s["ms"] is not None and s["phase"] == phase]

    return {"samples": len(samples), "failed": sum(1 for s in samples if s["ms"] is None),
            "p50_ms": pct(answered, 0.5), "p99_ms": pct(answered, 0.99),
            "max_ms": round(max(answered), 1) if answered else None,
            "over_1s": sum(1 for ms in answered if ms > 1000),
            "by_phase": {phase: {"p50_ms": pct(of(phase), 0.5), "p99_ms": pct(of(phase), 0.99),
                                 "max_ms": max((round(ms, 1) for ms in of(phase)), default=None)}
                         for phase in ("before", "uploading", "after")},
            "median_ms": round(statistics.median(answered), 1) if answered else None}


def probe_samples(lines: list[str], phases: list[tuple[float, str]]) -> list[dict]:
    """The separate probe's answers, each given the phase that was under way when it was sent."""
    out = []
    for line in lines:
        sample = json.loads(line)
        sent = sample["t"] - (sample["ms"] or 0) / 1000
        phase = "opening"
        for at, name in phases:
            if sent >= at:
                phase = name
        out.append({"t": sample["t"], "ms": sample["ms"], "phase": phase})
    return out


async def run_async(url: str, sessions: int, seconds: float, paths: list[Path]) -> dict:
    people = [Session(f"w{i + 1:02d}", "websocket") for i in range(sessions)]
    stop = {"at": float("inf"), "phase": "before"}
    go = asyncio.Event()
    health: list = []
    # The server's health as a separate process sees it (the measure the bar uses), and as a poller in
    # this process sees it (which adds this process's own pauses: it decodes every session's messages).
    probe_log = tempfile.TemporaryFile("w+")  # a file, not a pipe: a full pipe would stall the probe
    probe = subprocess.Popen([sys.executable, str(Path(__file__).with_name("health_probe.py")), url],
                             stdin=subprocess.PIPE, stdout=probe_log, text=True)
    phases: list[tuple[float, str]] = [(time.monotonic(), "before")]
    health_task = asyncio.create_task(poll_health(url, health, stop))
    tasks = [asyncio.create_task(ws_session(url, p, start_month(i), go, stop)) for i, p in enumerate(people)]
    await asyncio.wait_for(asyncio.gather(*[p.opened.wait() for p in people]), 300)
    print(f"  {sessions} sessions open", flush=True)
    stop["at"] = time.monotonic() + seconds
    go.set()
    await asyncio.sleep(15)  # a baseline of stepping before the first upload
    stop["phase"] = "uploading"
    phases.append((time.monotonic(), "uploading"))
    log: list = []
    await upload_all(url, paths, log)
    stop["phase"] = "after"
    phases.append((time.monotonic(), "after"))
    await asyncio.gather(*tasks)
    stop["done"] = True
    await health_task
    probe.communicate("", timeout=30)
    probe_log.seek(0)
    separate = probe_samples(probe_log.read().splitlines(), phases)
    rows = [r for p in people for r in p.rows]
    by_phase = {phase: [r["done_ms"] for r in rows if r["phase"] == phase and r.get("done_ms") is not None]
                for phase in ("before", "uploading", "after")}
    return {
        "sessions": sessions, "uploads": log,
        "dropped_sessions": sum(1 for p in people if p.errors),
        "errors": [e for p in people for e in p.errors][:10],
        "steps": {phase: len(v) for phase, v in by_phase.items()},
        "step_done_ms": {phase: {"p50": pct(v, 0.5), "p95": pct(v, 0.95)} for phase, v in by_phase.items()},
        "health": health_summary(separate),
        "health_in_load_process": health_summary(health),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=90)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, ForeignWork() as watch:
        paths = files(Path(folder))
        process, url = start_server()
        try:
            result = asyncio.run(run_async(url, args.sessions, args.seconds, paths))
        finally:
            stop_server(process)
    result["machine"] = machine()
    result["other_processes"] = watch.report()
    path = write_results("upload_load", result)
    print(json.dumps({k: v for k, v in result.items() if k not in ("machine", "other_processes")}, indent=1))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
