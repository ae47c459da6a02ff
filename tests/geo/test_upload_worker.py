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
    started = time.perf_counter()
    layer = read_user_layer("huge.geojson", zigzag_ring(MAX_VERTICES_FEATURE + 1))
    assert time.perf_counter() - started < 5  # the cap is checked before shapely's quadratic validation runs
    assert layer.frame.empty
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
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join()
    assert layer.frame.empty and "took longer than 2 s" in str(layer.problems[0])
    assert elapsed < 6
    assert ticks[0] / elapsed > 200  # ~900/s when the lock is free; shapely in this process gave < 1/s


def test_a_file_that_needs_too_much_memory_gets_a_message():
    layer = read_user_layer_bounded("greedy.geojson", zigzag_ring(MAX_VERTICES_FEATURE - 10), seconds=60,
                                    memory=30_000_000)
    assert layer.frame.empty
    assert "memory" in str(layer.problems[0]) or "could not be read" in str(layer.problems[0])
