"""Uploads are read in a child process with a time and memory budget; the server's own thread keeps running."""

from __future__ import annotations

import json
import threading
import time

from geo.upload import MAX_VERTICES_FEATURE, read_user_layer
from geo.upload_worker import read_user_layer_bounded


def zigzag_ring(vertices: int) -> bytes:
    """A self-intersecting ring: cheap to write, expensive to validate and repair."""
    coords = [[(i % 2) + i / vertices, ((i * 7919) % 1000) / 1000] for i in range(vertices)]
    coords.append(coords[0])
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [coords]}}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def test_a_good_file_reads_the_same_in_the_child():
    data = b"name,lat,lon\nA,36.3,43.1\nB,35.3,40.1\n"
    bounded, direct = read_user_layer_bounded("sites.csv", data), read_user_layer("sites.csv", data)
    assert list(bounded.frame["name"]) == list(direct.frame["name"]) == ["A", "B"]
    assert bounded.frame.geometry.geom_equals(direct.frame.geometry).all()


def test_a_feature_over_the_vertex_cap_is_refused_before_any_validation():
    layer = read_user_layer("huge.geojson", zigzag_ring(MAX_VERTICES_FEATURE + 1))
    assert layer.frame.empty
    assert not any("was invalid" in str(p) for p in layer.problems)  # refused before any validation ran
    assert f"over the cap of {MAX_VERTICES_FEATURE:,} per feature" in str(layer.problems[0])


def test_a_slow_file_is_stopped_at_its_time_limit_while_the_server_thread_runs():
    ticks, stop = [0], threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks[0] += 1
            time.sleep(0.001)

    thread = threading.Thread(target=tick)
    thread.start()
    started = time.perf_counter()
    layer = read_user_layer_bounded("slow.geojson", zigzag_ring(MAX_VERTICES_FEATURE - 10), seconds=2)
    elapsed = time.perf_counter() - started  # reported on failure only
    stop.set()
    thread.join()
    assert layer.frame.empty and "took longer than 2 s" in str(layer.problems[0])
    # The server's thread went on while the child worked (with shapely in this process it advanced about once).
    assert ticks[0] > 50, (ticks[0], elapsed)


def test_a_file_that_needs_too_much_memory_gets_a_message():
    layer = read_user_layer_bounded("greedy.geojson", zigzag_ring(MAX_VERTICES_FEATURE - 10), seconds=60,
                                    memory=1)
    assert layer.frame.empty
    assert "needs more than 0.0 GB of memory to read" in str(layer.problems[0])


def test_an_oversized_file_is_refused_without_a_child_and_a_busy_server_says_so(monkeypatch):
    import geo.upload_worker as worker

    started = []
    monkeypatch.setattr(worker.subprocess, "run", lambda *a, **k: started.append(a))
    big = worker.read_user_layer_bounded("big.geojson", b" " * 10_000_001)
    assert "over the 10 MB cap" in str(big.problems[0]) and started == []
    assert worker._SLOTS.acquire(timeout=1)
    try:
        busy = worker.read_user_layer_bounded("a.csv", b"lat,lon\n1,2\n", queue_seconds=0.01)
    finally:
        worker._SLOTS.release()
    assert "the server is busy" in str(busy.problems[0]) and started == []


def test_the_childs_answer_is_data_never_code():
    """The server reads the child's answer as JSON with typed fields: junk gives a message, not an exception."""
    import geo.upload_worker as worker

    layer = read_user_layer("sites.csv", b"name,lat,lon\nA,36.3,43.1\n")
    back = worker.layer_from_json(worker.layer_to_json(layer))
    assert list(back.frame["name"]) == ["A"] and back.frame.geometry.iloc[0].equals(layer.frame.geometry.iloc[0])
    class Done:
        returncode, stdout, stderr = 0, b"\x80\x04 not json", b""
    import pytest
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(worker.subprocess, "run", lambda *a, **k: Done())
    try:
        junk = worker.read_user_layer_bounded("a.csv", b"lat,lon\n1,2\n")
    finally:
        monkeypatch.undo()
    assert junk.frame.empty and "not understood" in str(junk.problems[0])


def test_missing_dates_survive_the_childs_answer():
    """A feature without dates holds on every day after the round trip too (NaN must not become 'nan')."""
    from datetime import date

    from geo.filters import active_on

    data = b"name,lat,lon,start,end\nEarly,36.3,43.1,2015-01-01,2015-12-31\nAlways,35.3,40.1,,\n"
    layer = read_user_layer_bounded("sites.csv", data)
    assert sorted(active_on(layer.frame, date(2015, 11, 30))["name"]) == ["Always", "Early"]
    assert list(active_on(layer.frame, date(2017, 1, 1))["name"]) == ["Always"]
