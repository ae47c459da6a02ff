"""Polls a server's health check from its own process and prints one JSON line per answer.

    python bench/health_probe.py URL [--every 0.2]

The load benchmarks run their sessions in one asyncio loop that also decodes every message the server sends:
a health poller in that process measures the load generator's own pauses as well as the server's. This probe
runs alone (it needs little CPU), so its latencies are the server's. Each line: {"t": monotonic seconds (the
same clock across processes on Linux), "ms": latency or null for a failed check}. It stops when stdin closes.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.request


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--every", type=float, default=0.2)
    args = parser.parse_args()
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{args.url}/_stcore/health", timeout=5) as response:
                ms = (time.perf_counter() - started) * 1000 if response.read() == b"ok" else None
        except OSError:
            ms = None
        print(json.dumps({"t": round(time.monotonic(), 4), "ms": None if ms is None else round(ms, 1)}), flush=True)
        stop.wait(args.every)


if __name__ == "__main__":
    main()
