"""Start scripts/serve_cluster.py (replicas behind nginx) on free loopback ports, for tests and benchmarks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from devtools.browser import ROOT, free_port

SUPERVISOR = ROOT / "scripts" / "serve_cluster.py"


def cluster_status(rundir: Path) -> dict | None:
    """What the supervisor last wrote to status.json (replicas, their ports, pids, states and restarts)."""
    try:
        return json.loads((rundir / "status.json").read_text())
    except (OSError, ValueError):
        return None


def start_cluster(replicas: int, env: dict[str, str] | None = None,
                  timeout_s: float = 120) -> tuple[subprocess.Popen, str, Path]:
    """The supervisor in its own process group; return it, nginx's URL and its folder once every replica is up
    and nginx answers the health check."""
    rundir = Path(tempfile.mkdtemp(prefix="ismap-cluster-"))
    port = free_port()
    base = free_port()
    while base + replicas > 65000 or base <= port < base + replicas:
        base = free_port()
    with open(rundir / "supervisor.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, str(SUPERVISOR), str(replicas), "--port", str(port), "--base-port", str(base),
             "--dir", str(rundir)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = cluster_status(rundir)
        if status and all(r["state"] == "up" for r in status["replicas"]):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        return process, url, rundir
            except OSError:
                pass
        if process.poll() is not None:
            break
        time.sleep(0.3)  # polling a starting cluster: the condition is every replica up and nginx answering
    stop_cluster(process, rundir)
    raise RuntimeError(f"the cluster did not start: {(rundir / 'supervisor.log').read_text()[-2000:]}")


def stop_cluster(process: subprocess.Popen, rundir: Path | None = None) -> None:
    """SIGTERM to the supervisor (it stops nginx and the replicas); if it hangs, SIGKILL to it and to the process
    groups of the replicas and nginx it started (each runs in its own session), from its status file."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=40)
        return
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        pass
    status = cluster_status(rundir) if rundir else None
    pids = [process.pid] + ([r["pid"] for r in status["replicas"] if r["pid"]] + [status["nginx_pid"]]
                            if status else [])
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):
            pass
