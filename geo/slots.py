"""A budget for the server's script runs: at most as many at once as the machine has cores."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

# Each session's script runs in its own thread of one Python process. With 20 sessions stepping, 20 runnable
# threads take turns at Python's lock with the event loop that answers the health check and sends every
# page its messages: the loop then waits seconds for a turn. Runs beyond this many wait, without the lock,
# for a slot; the work done is the same, the loop's share of the lock is not.
RUN_SLOTS = max(1, int(os.environ.get("ISMAP_RUN_SLOTS", "0")) or (os.cpu_count() or 2))
_slots = threading.BoundedSemaphore(RUN_SLOTS)
_held = threading.local()


@contextmanager
def run_slot(timeout_s: float = 60.0) -> Iterator[bool]:
    """Hold one of the server's run slots for the duration (re-entrant within a thread: a fragment run inside
    a full run takes no second slot). Yields False if no slot came free in `timeout_s` (the run goes on)."""
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield bool(_held.got)
        finally:
            _held.depth -= 1
        return
    _held.got = _slots.acquire(timeout=timeout_s)
    _held.depth = 1
    try:
        yield _held.got
    finally:
        _held.depth = 0
        if _held.got:
            _held.got = False
            _slots.release()


@contextmanager
def released(timeout_s: float = 60.0) -> Iterator[None]:
    """Give this thread's slot back while it waits on other work (an upload's child process, an animation's
    browser), so that a few long waits cannot hold every slot; take one again afterwards."""
    if not getattr(_held, "depth", 0) or not _held.got:
        yield
        return
    _slots.release()
    _held.got = False
    try:
        yield
    finally:
        _held.got = _slots.acquire(timeout=timeout_s)
