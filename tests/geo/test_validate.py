"""Every contributor mistake gets a message naming the file, row and column, and saying how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import SourceError
from geo.validate import load_valid_sources
from tests.geo.helpers import append_row, read_table, set_cell, write_table

CONTROL = "territory/control_test.csv"
PLACES = "territory/places_test.csv"
PLOTS = "plots/plots_test.csv"
PROVINCES = "affiliates/provinces_test.csv"
REGIONS = "affiliates/regions_test.csv"


def problems_of(root: Path) -> list:
    with pytest.raises(SourceError) as info:
        load_valid_sources(root)
    return info.value.problems


def only_problem(root: Path):
    problems = problems_of(root)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_fixture_sources_are_valid(sources_copy):
    sources = load_valid_sources(sources_copy)
    assert len(sources.places.records) == 7
    assert len(sources.plots.records) == 3


@pytest.mark.parametrize("table, row_id, column, value, fragment", [
    (CONTROL, "iq-mosul-1", "start", "2014-02-30", "not a real date"),
    (CONTROL, "iq-mosul-1", "start", "10 June 2014", "YYYY-MM-DD"),
    (CONTROL, "iq-mosul-1", "confidence", "certain", "'high', 'medium' or 'low'"),
    (CONTROL, "iq-mosul-1", "refs", "", "at least 1"),
    (CONTROL, "iq-mosul-1", "summary", "", "required"),
    (PLACES, "iq-mosul", "lat", "north", "valid number"),
    (PLACES, "iq-mosul", "lat", "136.3", "less than or equal to 90"),
    (PLACES, "iq-mosul", "kind", "metropolis", "input should be 'city', 'town'"),
    (PLACES, "iq-mosul", "coord_source", "wikipedia", "should match pattern"),
    (PLACES, "iq-mosul", "name", "Mosul\x07", "control character"),
    (PLOTS, "2015-paris", "link", "ordered", "'directed', 'enabled', 'inspired' or 'unknown'"),
    (PLOTS, "2015-paris", "outcome", "thwarted", "'attack', 'failed' or 'foiled'"),
    (PLOTS, "2015-paris", "killed", "-3", "greater than or equal to 0"),
    (PLOTS, "2015-paris", "killed", "about 130", "valid integer"),
])
def test_row_errors_name_file_row_and_column(sources_copy, table, row_id, column, value, fragment):
    row = set_cell(sources_copy / table, row_id, column, value)
    problem = only_problem(sources_copy)
    assert (problem.file, problem.row, problem.column) == (f"data/sources/{table}", row, column)
    assert fragment in str(problem)


@pytest.mark.parametrize("table, row_id, column, value, fragment, hint", [
    (CONTROL, "iq-mosul-1", "end", "2014-01-01", "is not after start", "swap"),
    (CONTROL, "iq-mosul-1", "place_id", "iq-nowhere", "unknown place 'iq-nowhere'", "places"),
    (CONTROL, "iq-mosul-1", "refs", "ref-a;ref-zzz", "reference 'ref-zzz'", "add the reference"),
    (CONTROL, "sy-palmyra-2", "start", "2016-03-01", "overlaps 'sy-palmyra-1'", "ends (exclusive)"),
    (PLOTS, "2015-paris", "province_id", "atlantis", "unknown province 'atlantis'", "provinces"),
    (PLOTS, "2024-kaufbeuren", "date", "2014-01", "announced 2014-06-29, after this plot", "existed then"),
    (PLOTS, "2015-paris", "country", "ZZZ", "unknown country code 'ZZZ'", "alpha-3"),
    (PLOTS, "2015-paris", "lat", "2.3488", "outside FRA", "latitude first"),
    (PLACES, "iq-mosul", "country", "SYR", "outside SYR", "country code"),  # reported on 'lat', see below
    (PROVINCES, "iraq", "regions", "irq-all;mars", "unknown region 'mars'", "regions"),
    (PROVINCES, "khorasan", "end", "2014-01-01", "ends before it was announced", "correct"),
])
def test_cross_table_errors(sources_copy, table, row_id, column, value, fragment, hint):
    row = set_cell(sources_copy / table, row_id, column, value)
    problem = only_problem(sources_copy)
    reported = {"date": "province_id", "country": "lat"}.get(column, column) if "outside" in fragment or "announced" in fragment else column
    assert (problem.file, problem.row, problem.column) == (f"data/sources/{table}", row, reported)
    assert fragment in problem.message
    assert hint in problem.hint


def test_duplicate_id_points_at_the_first_use(sources_copy):
    row = append_row(sources_copy / CONTROL, {
        "id": "iq-mosul-1", "place_id": "iq-erbil", "start": "2015", "end": "", "confidence": "low",
        "refs": "ref-a", "summary": "Duplicate on purpose.",
    })
    problem = only_problem(sources_copy)
    assert (problem.row, problem.column) == (row, "id")
    assert "duplicate id 'iq-mosul-1' (first used in data/sources/territory/control_test.csv, row 2)" in problem.message


def test_missing_and_unknown_columns(sources_copy):
    header, rows = read_table(sources_copy / PLACES)
    header = ["identifier" if h == "id" else h for h in header]
    for row in rows:
        row["identifier"] = row.pop("id")
    write_table(sources_copy / PLACES, header, rows)
    messages = [str(p) for p in problems_of(sources_copy) if p.file.endswith("places_test.csv")]
    assert "data/sources/territory/places_test.csv, row 1, column 'id': column is missing from the header" in messages[0]
    assert "column 'identifier': is not a column of this table" in messages[1]


def test_not_utf8(sources_copy):
    (sources_copy / PLACES).write_bytes("id,name\niq-x,Mossoul\xe9".encode("latin-1"))
    problem = problems_of(sources_copy)[0]
    assert problem.file == "data/sources/territory/places_test.csv"
    assert "not UTF-8" in problem.message and "UTF-8" in problem.hint


def test_blank_row_and_wrong_field_count(sources_copy):
    path = sources_copy / CONTROL
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + "\n\niq-x,iq-erbil,2015,,low,ref-a,one, too many\n", encoding="utf-8")
    messages = [str(p) for p in problems_of(sources_copy)]
    assert any("control_test.csv, row 7: is blank" in m for m in messages)
    assert any("control_test.csv, row 8: has 8 fields, the header has 7" in m and "quote" in m for m in messages)


def test_empty_file(sources_copy):
    (sources_copy / PLOTS).write_text("", encoding="utf-8")
    problem = only_problem(sources_copy)
    assert problem.file == "data/sources/plots/plots_test.csv" and "is empty" in problem.message


def test_bad_region_polygon_is_reported_by_the_build(sources_copy, tmp_path):
    from geo.build import build

    row = set_cell(sources_copy / REGIONS, "afg-east", "clip_wkt", "POLYGON((69 33, 71 33, 71")
    with pytest.raises(SourceError) as info:
        build(sources_copy, tmp_path / "out")
    problem = info.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("data/sources/affiliates/regions_test.csv", row, "clip_wkt")
    assert not (tmp_path / "out" / "territory.geojson").exists()


def test_every_problem_is_reported_at_once(sources_copy):
    set_cell(sources_copy / CONTROL, "iq-mosul-1", "start", "2014-02-30")
    set_cell(sources_copy / PLOTS, "2015-paris", "outcome", "thwarted")
    files = {p.file for p in problems_of(sources_copy)}
    assert files == {"data/sources/territory/control_test.csv", "data/sources/plots/plots_test.csv"}
