"""Uploads read in a child process with a time and memory budget, a few at a time, so no upload stalls the server.

Shapely holds Python's lock while it validates or repairs a geometry: read in the server's own process, one
self-intersecting ring of a few hundred thousand vertices stops every session for minutes. Here the reading runs
in a child Python (`python -m geo.upload_worker`, the file on stdin, the layer as JSON on stdout, never
unpickled); the caller waits
on a pipe without holding the lock, and a child that runs past its time or memory budget is killed and the user
told so. A child costs about a second to start (its imports): little beside a user's upload, and it isolates fully.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading

import geopandas as gpd
import shapely

from geo.errors import Problem
from geo.paths import ROOT
from geo.upload import MAX_UPLOAD_BYTES, UserLayer, empty_layer, read_user_layer, safe_file_name

UPLOAD_SECONDS = 30.0
UPLOAD_MEMORY_BYTES = 1_500_000_000
MAX_PARALLEL = 1
QUEUE_SECONDS = 60.0
_MEMORY_EXIT = 3

_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL)


def _limit_memory(extra_bytes: int) -> None:
    """Cap this process's address space at what it has now plus extra_bytes (Linux: /proc/self/statm)."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[0])
    limit = pages * resource.getpagesize() + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _failed(name: str, message: str, hint: str) -> UserLayer:
    safe = safe_file_name(name)
    return empty_layer(safe, [Problem(safe, None, None, message, hint)])


def read_user_layer_bounded(name: str, data: bytes, *, seconds: float = UPLOAD_SECONDS,
                            memory: int = UPLOAD_MEMORY_BYTES, queue_seconds: float = QUEUE_SECONDS) -> UserLayer:
    """read_user_layer in a child process: at most MAX_PARALLEL at once in this server, each killed after
    `seconds` or when it needs more than `memory` bytes. Never raises for bad content."""
    if len(data) > MAX_UPLOAD_BYTES:  # refused here: no child, no slot taken
        return read_user_layer(name, data)
    if not _SLOTS.acquire(timeout=queue_seconds):
        return _failed(name, "was not read: the server is busy reading other uploads", "try again in a minute")
    try:
        return _run_child(name, data, seconds, memory)
    finally:
        _SLOTS.release()


def _run_child(name: str, data: bytes, seconds: float, memory: int) -> UserLayer:
    header = json.dumps({"name": str(name), "memory": memory}).encode()
    message = len(header).to_bytes(8, "big") + header + data
    env = {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}  # nothing else inherited
    try:
        done = subprocess.run([sys.executable, "-m", "geo.upload_worker"], input=message, capture_output=True,
                              timeout=seconds, cwd=ROOT, env=env, check=False)
    except subprocess.TimeoutExpired:
        return _failed(name, f"took longer than {seconds:.0f} s to read and check, and was stopped",
                       "simplify the geometry (fewer vertices) or split the file")
    if done.returncode == _MEMORY_EXIT or (done.returncode != 0 and b"std::bad_alloc" in done.stderr[-2000:]):
        return _failed(name, f"needs more than {memory / 1e9:.1f} GB of memory to read", "simplify or split the file")
    if done.returncode != 0:
        return _failed(name, f"could not be read (the reader stopped with code {done.returncode})",
                       "check the file; if it looks right, report it to the maintainers")
    try:
        return layer_from_json(json.loads(done.stdout))
    except (ValueError, KeyError, TypeError, shapely.errors.ShapelyError):
        return _failed(name, "could not be read (the reader's answer was not understood)", "report it to the maintainers")


def layer_to_json(layer: UserLayer) -> dict:
    """A layer as plain data (features as WKB hex): what the child sends; the server never unpickles it."""
    frame = layer.frame
    def text(value: object) -> str | None:  # pandas gives NaN for a missing date: JSON gets null
        return None if value is None or (isinstance(value, float) and value != value) else str(value)

    rows = [{"id": r["id"], "name": r["name"], "start": text(r["start"]), "end": text(r["end"]), "details": r["details"],
             "wkb": shapely.to_wkb(g, hex=True)} for r, g in zip(frame.drop(columns="geometry").to_dict("records"),
                                                                  frame.geometry)]
    problems = [[p.file, p.row, p.column, p.message, p.hint] for p in layer.problems]
    return {"name": layer.name, "problems": problems, "rows": rows}


def layer_from_json(data: dict) -> UserLayer:
    """The layer back from plain data, every value checked for its type."""
    name = str(data["name"])[:80]
    problems = [Problem(str(f), r if isinstance(r, int) else None, None if c is None else str(c), str(m), str(h))
                for f, r, c, m, h in data["problems"]]
    rows = []
    for row in data["rows"]:
        details = {str(k): str(v) for k, v in dict(row["details"]).items()}
        rows.append({"id": str(row["id"]), "name": str(row["name"]),
                     "start": None if row["start"] is None else str(row["start"]),
                     "end": None if row["end"] is None else str(row["end"]), "details": details,
                     "geometry": shapely.from_wkb(bytes.fromhex(str(row["wkb"])))})
    columns = ["id", "name", "start", "end", "details", "geometry"]
    frame = gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs="EPSG:4326")
    return UserLayer(name, frame, problems)


def _serve() -> int:
    """The child: read one file from stdin, write the layer as JSON to stdout."""
    raw = sys.stdin.buffer.read()
    size = int.from_bytes(raw[:8], "big")
    header = json.loads(raw[8:8 + size])
    data = raw[8 + size:]
    del raw
    os.nice(19)  # the server's own threads (every other session, the health check) come first on the CPU
    _limit_memory(int(header["memory"]))
    try:
        layer = read_user_layer(str(header["name"]), data)
        sys.stdout.write(json.dumps(layer_to_json(layer), ensure_ascii=True, allow_nan=False))
    except MemoryError:
        return _MEMORY_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
