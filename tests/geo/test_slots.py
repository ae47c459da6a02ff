"""The server's run budget: no more runs at once than slots, re-entrant in a thread, released on errors."""

from __future__ import annotations

import threading

import pytest

from geo import slots


def test_runs_beyond_the_slots_wait_and_nested_runs_take_no_second_slot(monkeypatch):
    monkeypatch.setattr(slots, "_slots", threading.BoundedSemaphore(2))
    inside, most, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def run():
        with slots.run_slot():
            with slots.run_slot():  # a fragment inside a full run
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                release.wait(5)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for _ in range(100):  # until two runs are inside and the others wait
        with lock:
            if inside[0] == 2:
                break
        threading.Event().wait(0.01)
    with lock:
        assert inside[0] == 2
    release.set()
    for t in threads:
        t.join(10)
    assert most[0] == 2 and inside[0] == 0


def test_a_slot_is_released_when_the_run_raises(monkeypatch):
    monkeypatch.setattr(slots, "_slots", threading.BoundedSemaphore(1))
    with pytest.raises(RuntimeError):
        with slots.run_slot():
            raise RuntimeError("a rerun stops the script")
    with slots.run_slot(timeout_s=0.5) as got:
        assert got


def test_a_run_waiting_on_other_work_gives_its_slot_back(monkeypatch):
    monkeypatch.setattr(slots, "_slots", threading.BoundedSemaphore(1))
    with slots.run_slot() as got:
        assert got
        with slots.released():
            # Another session's run gets the only slot while this one waits on a child process.
            other = []
            thread = threading.Thread(target=lambda: other.append(slots._slots.acquire(timeout=1)))
            thread.start()
            thread.join(5)
            assert other == [True]
            slots._slots.release()
        assert slots._held.got  # taken again afterwards
    assert slots._slots.acquire(timeout=0.5)  # and released at the end of the run
    slots._slots.release()
