"""Uploads read in a child process with a time and memory budget, a few at a time, so no upload stalls the server.

Shapely holds Python's lock while it validates or repairs a geometry: read in the server's own process, one
self-intersecting ring of a few hundred thousand vertices stops every session for minutes. Here the reading runs
in a child Python (`python -m geo.upload_worker`, the file on stdin, the pickled layer on stdout); the caller waits
on a pipe without holding the lock, and a child that runs past its time or memory budget is killed and the user
told so. A child costs about a second to start (its imports): little beside a user's upload, and it isolates fully.
"""

from __future__ import annotations

import os
import pickle
import resource
import subprocess
import sys
import threading

from geo.errors import Problem
from geo.paths import ROOT
from geo.upload import UserLayer, empty_layer, read_user_layer, safe_file_name

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
    if not _SLOTS.acquire(timeout=queue_seconds):
        return _failed(name, "was not read: the server is busy reading other uploads", "try again in a minute")
    try:
        return _run_child(name, data, seconds, memory)
    finally:
        _SLOTS.release()


def _run_child(name: str, data: bytes, seconds: float, memory: int) -> UserLayer:
    header = pickle.dumps((str(name), memory))
    message = len(header).to_bytes(8, "big") + header + data
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, "-m", "geo.upload_worker"], input=message, capture_output=True,
                              timeout=seconds, cwd=ROOT, env=env, check=False)
    except subprocess.TimeoutExpired:
        return _failed(name, f"took longer than {seconds:.0f} s to read and check, and was stopped",
                       "simplify the geometry (fewer vertices) or split the file")
    out_of_memory = b"MemoryError" in done.stderr or b"bad_alloc" in done.stderr
    if done.returncode == _MEMORY_EXIT or (done.returncode != 0 and out_of_memory):
        return _failed(name, f"needs more than {memory / 1e9:.1f} GB of memory to read", "simplify or split the file")
    if done.returncode != 0:
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        return _failed(name, f"could not be read ({last[0][:120]})",
                       "check the file; if it looks right, report it to the maintainers")
    return pickle.loads(done.stdout)  # our own child's output, never the user's bytes


def _serve() -> int:
    """The child: read one file from stdin, write the pickled layer to stdout."""
    raw = sys.stdin.buffer.read()
    size = int.from_bytes(raw[:8], "big")
    name, memory = pickle.loads(raw[8:8 + size])
    data = raw[8 + size:]
    del raw
    os.nice(19)  # the server's own threads (every other session, the health check) come first on the CPU
    _limit_memory(memory)
    try:
        layer = read_user_layer(name, data)
    except MemoryError:
        return _MEMORY_EXIT
    sys.stdout.buffer.write(pickle.dumps(layer))
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
