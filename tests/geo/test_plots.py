"""Plots as directed paths: province anchor -> target, or the documented route through its legs."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from geo.errors import SourceError
from geo.formats import to_csv, to_kml
from geo.geojson import encode_frame
from geo.plots import build_plots
from geo.validate import load_valid_sources
from tests.geo.helpers import append_row, set_cell

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "sources"


@pytest.fixture()
def sources_dir(tmp_path: Path) -> Path:
    target = tmp_path / "sources"
    shutil.copytree(FIXTURE, target)
    return target


def test_a_multi_leg_case_is_one_directed_path_through_its_legs():
    frame = build_plots(load_valid_sources(FIXTURE)).set_index("id")
    paris = frame.loc["2015-paris"]
    coords = list(paris.geometry.coords)
    assert coords[0] == (39.00788, 35.95283)  # the 'directed' leg replaces the province's symbolic anchor
    assert (4.34878, 50.85045) in coords  # passes through the base
    assert coords[-1] == (2.3488, 48.85341)  # and ends at the target
    assert paris["route_text"] == "Raqqa (directed) → Molenbeek, Brussels (based) → Paris"
    assert paris["refs"] == ["ref-a", "ref-b"]  # the legs' sources join the plot's


def test_a_case_without_legs_keeps_province_to_target():
    frame = build_plots(load_valid_sources(FIXTURE)).set_index("id")
    kerman = frame.loc["2024-kerman"]
    assert kerman["route"][0]["role"] == "province" and kerman["route_text"].endswith("→ Kerman")
    assert list(kerman.geometry.coords)[-1] == (57.07879, 30.28321)


def test_the_route_reaches_every_export():
    frame = build_plots(load_valid_sources(FIXTURE))
    feature = next(f for f in json.loads(encode_frame("plots", frame))["features"] if f["id"] == "2015-paris")
    assert [stop["place"] for stop in feature["properties"]["route"]] == ["Raqqa", "Molenbeek, Brussels", "Paris"]
    assert feature["geometry"]["coordinates"][0] == [39.00788, 35.95283]
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(to_csv("plots", frame).decode()))}
    assert rows["2015-paris"]["route_text"] == "Raqqa (directed) → Molenbeek, Brussels (based) → Paris"
    assert rows["2015-paris"]["geometry_wkt"].startswith("LINESTRING (39.00788 35.95283")
    assert "Raqqa (directed) → Molenbeek" in to_kml("plots", frame).decode()


def test_legs_must_point_at_a_plot_and_be_numbered_once(sources_dir: Path):
    legs = sources_dir / "plots" / "legs_test.csv"
    append_row(legs, {"plot_id": "2099-nowhere", "seq": "1", "role": "based", "place": "X", "country": "BEL",
                      "lat": "50.85", "lon": "4.35", "refs": "ref-a"})
    append_row(legs, {"plot_id": "2015-paris", "seq": "2", "role": "based", "place": "Y", "country": "BEL",
                      "lat": "50.85", "lon": "4.35", "refs": "ref-a"})
    with pytest.raises(SourceError) as error:
        load_valid_sources(sources_dir)
    text = str(error.value)
    assert "legs_test.csv, row 4, column 'plot_id': unknown plot '2099-nowhere'" in text
    assert "legs_test.csv, row 5, column 'seq': plot '2015-paris' has two legs numbered 2" in text


def test_a_foiled_plot_has_no_victims_and_disclosure_follows_the_event(sources_dir: Path):
    plots = sources_dir / "plots" / "plots_test.csv"
    row = set_cell(plots, "2024-kaufbeuren", "killed", "3")
    set_cell(plots, "2024-kerman", "date_public", "2023-12")
    with pytest.raises(SourceError) as error:
        load_valid_sources(sources_dir)
    text = str(error.value)
    assert f"plots_test.csv, row {row}, column 'killed': a foiled plot has no victims" in text
    assert "column 'date_public': 2023-12 is before the plot's date 2024-01-03" in text


def test_outcome_target_type_and_evidence_are_checked(sources_dir: Path):
    plots = sources_dir / "plots" / "plots_test.csv"
    set_cell(plots, "2024-kerman", "outcome", "thwarted")
    set_cell(plots, "2024-kaufbeuren", "evidence", "rumour")
    set_cell(plots, "2015-paris", "target_type", "")
    with pytest.raises(SourceError) as error:
        load_valid_sources(sources_dir)
    text = str(error.value)
    assert "column 'outcome': 'thwarted'" in text and "column 'evidence'" in text and "column 'target_type'" in text
