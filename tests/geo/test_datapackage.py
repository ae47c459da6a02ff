"""data/sources/datapackage.json: it describes every table, stays in step, and a broken key fails both checks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from frictionless import Package, validate

from geo.datapackage import CITATIONS, PACKAGE, citations, package, write_package
from geo.errors import SourceError
from geo.load import TABLES, load_sources
from geo.paths import ROOT, SOURCES
from geo.validate import load_valid_sources
from tests.geo.helpers import set_cell


@pytest.fixture()
def copy(tmp_path):
    target = tmp_path / "sources"
    shutil.copytree(SOURCES, target)
    return target


def errors(report) -> list[str]:
    return [error.type for task in report.tasks for error in task.errors]


def test_committed_package_is_current():
    committed = json.loads((SOURCES / PACKAGE).read_text(encoding="utf-8"))
    assert committed == package(SOURCES), "run `python -m geo datapackage`"
    assert (SOURCES / CITATIONS).read_bytes() == citations(load_valid_sources(SOURCES)), "run `python -m geo datapackage`"


def test_every_table_with_files_is_a_resource_with_its_fields():
    names = {r["name"]: r for r in package(SOURCES)["resources"]}
    for spec in TABLES:
        if not list(SOURCES.glob(spec.pattern)):
            continue
        resource = names[spec.name.replace("_", "-")]
        assert [f["name"] for f in resource["schema"]["fields"]] == list(spec.model.model_fields)
    assert names["control"]["schema"]["foreignKeys"] == [
        {"fields": ["place_id"], "reference": {"resource": "places", "fields": ["id"]}}]
    assert names["citations"]["schema"]["foreignKeys"][0]["reference"]["resource"] == "references"


def test_frictionless_validates_the_committed_package():
    report = validate(str(SOURCES / PACKAGE))
    assert report.valid, errors(report)
    cli = subprocess.run([sys.executable, "-m", "frictionless", "validate", str(SOURCES / PACKAGE)],
                         capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 0, cli.stdout[-2000:]


def test_a_broken_place_key_fails_both_checks(copy):
    set_cell(copy / "territory" / "control_iraq.csv", "iq-mosul-1", "place_id", "iq-nowhere")
    with pytest.raises(SourceError, match="iq-nowhere"):
        load_valid_sources(copy)
    report = validate(str(copy / PACKAGE))
    assert not report.valid and "foreign-key" in errors(report)


def test_a_broken_reference_key_fails_both_checks(copy):
    set_cell(copy / "territory" / "control_iraq.csv", "iq-mosul-1", "refs", "no-such-source")
    with pytest.raises(SourceError, match="no-such-source"):
        load_valid_sources(copy)
    sources, _ = load_sources(copy, strict=False)
    write_package(sources, copy)
    report = validate(str(copy / PACKAGE))
    assert not report.valid and "foreign-key" in errors(report)
    assert Package(str(copy / PACKAGE)).get_resource("citations")


def test_a_wrong_type_fails_the_package(copy):
    set_cell(copy / "territory" / "places_iraq.csv", "iq-mosul", "lat", "north")
    assert "type-error" in errors(validate(str(copy / PACKAGE)))
