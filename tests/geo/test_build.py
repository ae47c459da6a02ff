"""The build: RFC 7946 output, deterministic bytes, atomic replacement, and committed files up to date."""

from __future__ import annotations

import json
import math

import pytest
import shapely
from shapely.geometry import shape

from geo.territory import DEFAULT_RADIUS_KM, HINTERLAND_KM
from geo.build import build
from geo.errors import SourceError
from geo.paths import GEOJSON, SOURCES
from tests.conftest import FIXTURE_SOURCES as FIXTURE
from tests.geo.helpers import set_cell

LAYERS = ("territory", "affiliates", "plots")


def coordinates(geometry: dict) -> list:
    flat = []

    def walk(value):
        if isinstance(value[0], (int, float)):
            flat.append(value)
        else:
            for item in value:
                walk(item)

    walk(geometry["coordinates"])
    return flat


@pytest.mark.parametrize("layer", LAYERS)
def test_rfc7946(fixture_build, layer):
    data = json.loads((fixture_build / f"{layer}.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    ids = [f["id"] for f in data["features"]]
    assert ids and len(ids) == len(set(ids))
    for feature in data["features"]:
        assert feature["type"] == "Feature" and feature["properties"]["id"] == feature["id"]
        geom = shape(feature["geometry"])
        assert geom.is_valid and not geom.is_empty
        for lon, lat in coordinates(feature["geometry"]):
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert round(lon, 6) == lon and round(lat, 6) == lat
        for polygon in getattr(geom, "geoms", [geom]):
            if polygon.geom_type == "Polygon":
                assert polygon.exterior.is_ccw, f"{feature['id']}: exterior ring must be counter-clockwise"
                assert all(not ring.is_ccw for ring in polygon.interiors)


def test_build_twice_gives_identical_bytes(tmp_path):
    build(SOURCES, tmp_path / "a")
    build(SOURCES, tmp_path / "b")
    for name in ("territory.geojson", "affiliates.geojson", "plots.geojson", "references.json", "figures.json",
                 "basemap.geojson"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_committed_geojson_is_built_from_the_committed_sources(tmp_path):
    """data/geojson is the app's embedded data: it must be exactly what `python -m geo build` makes."""
    build(SOURCES, tmp_path)
    for name in ("territory.geojson", "affiliates.geojson", "plots.geojson", "references.json", "figures.json",
                 "basemap.geojson"):
        assert (tmp_path / name).read_bytes() == (GEOJSON / name).read_bytes(), f"run `python -m geo build` ({name})"


def test_failed_build_leaves_previous_files_untouched(sources_copy, tmp_path):
    out = tmp_path / "out"
    build(sources_copy, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    set_cell(sources_copy / "territory/control_test.csv", "iq-mosul-1", "end", "2013-01-01")
    with pytest.raises(SourceError):
        build(sources_copy, out)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before


def test_territory_cells_never_overlap_and_stay_in_their_country(fixture_build):
    from geo.countries import country_shape

    data = json.loads((fixture_build / "territory.geojson").read_text(encoding="utf-8"))
    cells = {}
    for feature in data["features"]:
        props = feature["properties"]
        cells[(props["place_id"], props["zone"])] = (props["country"], shape(feature["geometry"]))
    items = list(cells.items())
    assert {zone for _, zone in cells} == {"core", "hinterland"}
    for i, (a, (_, ga)) in enumerate(items):
        for b, (_, gb) in items[i + 1:]:
            # 1e-6 square degrees is about 0.01 km²: rounding to six decimals, not an overlap.
            assert ga.intersection(gb).area < 1e-6, f"{a} overlaps {b}"
    for place, (country, geom) in cells.items():
        outside = geom.difference(country_shape(country).buffer(1e-4))
        assert outside.area < 1e-6, f"{place} leaks outside {country}"


def test_territory_area_is_equal_area_km2(fixture_build):
    data = json.loads((fixture_build / "territory.geojson").read_text(encoding="utf-8"))
    mosul = next(f for f in data["features"] if f["id"] == "iq-mosul-1")
    # A cap of the city radius around a point, less what neighbours and borders take.
    cap = math.pi * DEFAULT_RADIUS_KM["city"] ** 2
    assert 0.5 * cap < mosul["properties"]["area_km2"] <= cap * 1.01
    # A city's 30 km core is wider than the hinterland's reach: it has no ring. A town (20 km core) has one.
    assert not any(f["id"] == "iq-mosul-1--hinterland" for f in data["features"])
    ring = next(f for f in data["features"] if f["id"] == "iq-tal-afar-1--hinterland")
    assert ring["properties"]["zone"] == "hinterland" and ring["properties"]["confidence"] == "low"
    reach, core = HINTERLAND_KM, DEFAULT_RADIUS_KM["town"]
    assert 0 < ring["properties"]["area_km2"] <= math.pi * (reach ** 2 - core ** 2) * 1.01


def test_plot_arcs_start_at_the_anchor_and_end_at_the_target(fixture_build):
    data = json.loads((fixture_build / "plots.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        props, coords = feature["properties"], feature["geometry"]["coordinates"]
        assert coords[0] == [props["anchor_lon"], props["anchor_lat"]]
        assert coords[-1] == [props["target_lon"], props["target_lat"]]
        assert len(coords) > 10, "an arc, not a straight segment"


def test_affiliate_area_is_a_polygon_not_a_dot(fixture_build):
    data = json.loads((fixture_build / "affiliates.geojson").read_text(encoding="utf-8"))
    khorasan = next(f for f in data["features"] if f["id"] == "khorasan--2015-01-26")
    geom = shape(khorasan["geometry"])
    assert geom.geom_type in ("Polygon", "MultiPolygon") and khorasan["properties"]["area_km2"] > 5_000
    assert shapely.contains_xy(geom, 70.45, 34.43)  # Jalalabad, in the Nangarhar area of the period
    assert khorasan["properties"]["rivals"][0]["rival"] == "Taliban"
    assert khorasan["properties"]["strength"][0]["low"] == 1000


def test_a_build_set_cut_short_is_refused_by_the_loader(tmp_path):
    """L7: a kill between two renames leaves files of two builds; the manifest (renamed last) catches it."""
    import hashlib
    import json as _json

    from geo.errors import GeoError
    from geo.export import load_layer

    out = tmp_path / "geojson"
    build(FIXTURE, out)
    manifest = _json.loads((out / "build.json").read_text(encoding="utf-8"))["files"]
    for name, digest in manifest.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    assert len(load_layer("plots", out)) > 0
    # One file from another build (here: the same layer with one feature fewer).
    data = _json.loads((out / "plots.geojson").read_text(encoding="utf-8"))
    data["features"] = data["features"][1:]
    (out / "plots.geojson").write_text(_json.dumps(data), encoding="utf-8")
    with pytest.raises(GeoError, match=r"plots.geojson is not the file its build wrote.*python -m geo build"):
        load_layer("plots", out)
    assert len(load_layer("territory", out)) > 0  # the files that are the build's still load


def test_a_build_removes_temp_files_that_killed_builds_left(tmp_path):
    import os
    import time as _time

    out = tmp_path / "geojson"
    out.mkdir()
    old, fresh = out / ".territory.geojson.abc123", out / ".plots.geojson.def456"
    old.write_bytes(b"x" * 1000)
    fresh.write_bytes(b"y")
    an_hour_ago = _time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    build(FIXTURE, out)
    assert not old.exists()
    assert fresh.exists()  # it may belong to a build running now
