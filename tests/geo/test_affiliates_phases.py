"""Provinces over time: a branch appears, changes shape, splits, merges, fades and ends as its phases and areas say."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from geo.affiliates import build_affiliates
from geo.errors import SourceError
from geo.export import export_geojson
from geo.filters import Filters, TimeFilter, active_on
from geo.validate import load_valid_sources
from tests.geo.helpers import append_row

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "sources"


@pytest.fixture(scope="module")
def frame():
    return build_affiliates(load_valid_sources(FIXTURE))


def on(frame, day: str, province: str):
    rows = active_on(frame, date.fromisoformat(day))
    rows = rows[rows["province_id"] == province]
    return None if rows.empty else rows.iloc[0]


def test_a_pledged_group_is_drawn_before_the_province_is_announced(frame):
    before = on(frame, "2014-12-01", "khorasan")
    assert before is not None and before["phase"] == "affiliated" and before.geometry.geom_type == "Point"
    assert before["announced"] == "2015-01-26"
    announced = on(frame, "2015-02-01", "khorasan")
    assert announced["phase"] == "active" and announced["area_km2"] > 1000
    assert on(frame, "2014-09-01", "khorasan") is None


def test_a_split_starts_the_new_province_and_keeps_the_old(frame):
    old, new = on(frame, "2019-06-01", "khorasan"), on(frame, "2019-06-01", "pakistan")
    assert old["phase"] == "active" and old["phase_change"] == "split" and old["successor_id"] == "pakistan"
    assert new["phase"] == "active" and on(frame, "2019-05-01", "pakistan") is None


def test_degrading_changes_the_phase_and_the_area(frame):
    nangarhar, north = on(frame, "2019-06-01", "khorasan"), on(frame, "2020-06-01", "khorasan")
    assert north["phase"] == "degraded" and north["area_note"] == "Test: moved north."
    assert not nangarhar.geometry.intersects(north.geometry)


def test_a_merged_province_ends_and_a_dormant_one_stays_as_an_outline(frame):
    assert on(frame, "2017-06-01", "barqa") is not None
    assert on(frame, "2018-06-01", "barqa") is None  # ended: gone from the map
    dormant = on(frame, "2024-06-01", "pakistan")
    assert dormant["phase"] == "dormant" and "shown at its anchor only" in dormant["area_note"]


def test_exports_carry_the_phase_and_area_of_the_date(frame):
    data = json.loads(export_geojson("affiliates", frame, TimeFilter(on=date(2020, 6, 1)), Filters()))
    by_province = {f["properties"]["province_id"]: f["properties"] for f in data["features"]}
    assert by_province["khorasan"]["phase"] == "degraded" and by_province["khorasan"]["regions"] == [
        "Northern Afghanistan (test)"]
    assert by_province["pakistan"]["phase"] == "active"
    assert "barqa" not in by_province


def test_rivals_carry_their_dates(frame):
    rivals = on(frame, "2020-06-01", "khorasan")["rivals"]
    assert {r["rival"]: r["end"] for r in rivals} == {"Taliban": None, "US forces": "2021-08-31"}


def test_overlapping_areas_and_unknown_regions_are_refused(tmp_path):
    root = tmp_path / "sources"
    shutil.copytree(FIXTURE, root)
    append_row(root / "affiliates" / "areas_test.csv", {"id": "ar-k-x", "province_id": "khorasan", "start": "2016",
               "end": "2017", "regions": "afg-nowhere", "confidence": "low", "refs": "ref-a"})
    with pytest.raises(SourceError) as error:
        load_valid_sources(root)
    text = str(error.value)
    assert "area period 'ar-k-x' overlaps 'ar-k-2015' of 'khorasan'" in text
    assert "unknown region 'afg-nowhere'" in text


def test_a_branch_without_phases_is_never_drawn_before_its_announcement(tmp_path):
    root = tmp_path / "sources"
    shutil.copytree(FIXTURE, root)
    append_row(root / "affiliates" / "areas_test.csv", {"id": "ar-iraq-2013", "province_id": "iraq",
               "start": "2013-01", "regions": "irq-all", "confidence": "low", "refs": "ref-a"})
    frame = build_affiliates(load_valid_sources(root))
    iraq = frame[frame["province_id"] == "iraq"]
    assert list(iraq["start"]) == ["2014-06-29"] and on(frame, "2014-01-01", "iraq") is None


@pytest.mark.parametrize("row, message", [
    ({"id": "ar-b-early", "province_id": "barqa", "start": "2013-01", "end": "2014-06"},
     "starts 2013-01, before the first phase of 'barqa' (2014-11-13)"),
    ({"id": "ar-b-after", "province_id": "barqa", "start": "2019"},
     "runs into the time 'barqa' had ended (2018, 'ph-b-2018')"),
])
def test_an_area_outside_its_branchs_phases_is_named(tmp_path, row, message):
    root = tmp_path / "sources"
    shutil.copytree(FIXTURE, root)
    append_row(root / "affiliates" / "areas_test.csv", {**row, "regions": "afg-east", "confidence": "low",
                                                         "refs": "ref-b"})
    with pytest.raises(SourceError) as error:
        load_valid_sources(root)
    assert message in str(error.value) and "areas_test.csv" in str(error.value)
