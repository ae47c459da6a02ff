"""Releases: a versioned archive of main that GIS tools and the data package checker open; diffs between builds."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import date

import geopandas as gpd
import pytest

from geo.__main__ import main
from geo.build import build
from geo.paths import GEOJSON, SOURCES
from geo.release import diff, diff_markdown, release
from tests.geo.helpers import set_cell


@pytest.fixture(scope="module")
def main_release(tmp_path_factory):
    out = tmp_path_factory.mktemp("releases")
    changelog = out / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\nolder entries\n", encoding="utf-8")
    path = release("1.0.0", out, changelog=changelog, day=date(2026, 12, 2))
    return path, changelog


def test_release_of_main_holds_the_tables_the_build_the_geopackage_and_a_citation(main_release, tmp_path):
    path, changelog = main_release
    assert path.name == "ismap-data-1.0.0.zip"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"CITATION.cff", "CHANGELOG.md", "ismap-1.0.0.gpkg", "sources/datapackage.json",
                "sources/citations.csv", "geojson/territory.geojson", "geojson/references.json"} <= names
        sources = {n for n in names if n.startswith("sources/") and n.endswith(".csv")}
        assert sources == {f"sources/{p.relative_to(SOURCES).as_posix()}" for p in SOURCES.rglob("*.csv")}
        assert archive.read("geojson/plots.geojson") == (GEOJSON / "plots.geojson").read_bytes()
        assert 'version: "1.0.0"' in archive.read("CITATION.cff").decode()
        gpkg = tmp_path / "r.gpkg"
        gpkg.write_bytes(archive.read("ismap-1.0.0.gpkg"))
        archive.extractall(tmp_path / "x")
    built = json.loads((GEOJSON / "territory.geojson").read_text(encoding="utf-8"))["features"]
    assert len(gpd.read_file(gpkg, layer="territory")) == len(built)
    from frictionless import validate
    assert validate(str(tmp_path / "x" / "sources" / "datapackage.json")).valid
    assert changelog.read_text(encoding="utf-8").startswith("# Changelog\n\n## 1.0.0 (2026-12-02)\n\nFirst release")
    assert "older entries" in changelog.read_text(encoding="utf-8")


def test_a_release_is_reproducible_and_never_overwritten(main_release, tmp_path):
    path, _ = main_release
    again = release("1.0.0", tmp_path, changelog=tmp_path / "C.md", day=date(2026, 12, 2))
    # Same data, same day: same bytes, except the GeoPackage's own timestamps inside SQLite.
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(again) as b:
        for name in a.namelist():
            if not name.endswith(".gpkg"):
                assert a.read(name) == b.read(name), name
    assert main(["release", "1.0.0", "--out", str(path.parent), "--changelog", str(tmp_path / "C.md")]) == 2
    assert main(["release", "not a version!", "--out", str(tmp_path)]) == 2


def test_diff_against_a_build_with_one_record_changed(main_release, tmp_path):
    copy = tmp_path / "sources"
    shutil.copytree(SOURCES, copy)
    set_cell(copy / "territory" / "control_iraq.csv", "iq-tal-afar-1", "summary", "Changed for the test.")
    build(copy, tmp_path / "geojson")
    result = diff(main_release[0], tmp_path / "geojson")
    features = json.loads((GEOJSON / "territory.geojson").read_text(encoding="utf-8"))["features"]
    expected = sorted(f["id"] for f in features if f["properties"]["interval_id"] == "iq-tal-afar-1")
    assert result["territory"].changed == expected and expected
    assert not result["territory"].added and not result["territory"].removed
    assert all(not (d.added or d.changed or d.removed) for k, d in result.items() if k != "territory")
    text = diff_markdown(result, "1.0.0", "work")
    assert f"| territory | 0 | {len(expected)} | 0 |" in text and "| plots | 0 | 0 | 0 |" in text
    # A second release lists those changes in its CHANGELOG entry.
    out = tmp_path / "rel"
    out.mkdir()
    shutil.copy(main_release[0], out)
    second = release("1.0.1", out, geojson_dir=tmp_path / "geojson", changelog=tmp_path / "C.md",
                     day=date(2026, 12, 3))
    with zipfile.ZipFile(second) as archive:
        entry = archive.read("CHANGELOG.md").decode()
    assert "## 1.0.1 (2026-12-03)" in entry and f"territory, changed: {', '.join(expected)}" in entry


def test_diff_cli_and_bad_paths(tmp_path, capsys):
    assert main(["diff", str(GEOJSON), str(GEOJSON)]) == 0
    assert "| territory | 0 | 0 | 0 |" in capsys.readouterr().out
    assert main(["diff", str(tmp_path / "missing"), str(GEOJSON)]) == 2
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    assert main(["diff", str(bad), str(GEOJSON)]) == 2
