"""GeoPackage, GeoParquet and styled KML exports: what a GIS reads back is what the map shows."""

from __future__ import annotations

import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from datetime import date

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geo.__main__ import main
from geo.export import export_as, load_layer
from geo.filters import Filters, TimeFilter
from geo.formats import to_kml
from geo.gis import qml
from geo.paths import LAYERS
from geo.styles import LAYER_STYLES

ON = TimeFilter(on=date(2016, 6, 1))


@pytest.fixture(scope="module")
def frames(fixture_build):
    return {layer: load_layer(layer, fixture_build) for layer in LAYERS}


@pytest.fixture(scope="module")
def references(fixture_build):
    return json.loads((fixture_build / "references.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory, frames, references):
    path = tmp_path_factory.mktemp("gpkg") / "all.gpkg"
    path.write_bytes(export_as(".gpkg", frames, ON, Filters(), references))
    return path


def test_geopackage_holds_each_layer_as_the_geojson_export_does(gpkg, frames, references):
    for layer in LAYERS:
        expected = json.loads(export_as(".geojson", {layer: frames[layer]}, ON, Filters(), references))["features"]
        read = gpd.read_file(gpkg, layer=layer)
        assert sorted(read["id"]) == sorted(f["id"] for f in expected), layer
        by_id = {f["id"]: f for f in expected}
        for row in read.itertuples():
            shape = shapely.geometry.shape(by_id[row.id]["geometry"])
            assert row.geometry.equals_exact(shapely.force_2d(row.geometry), 0) and shape.symmetric_difference(
                row.geometry).area < 1e-9, (layer, row.id)
    assert {name for name, _ in pyogrio.list_layers(gpkg)} >= {"territory", "affiliates", "plots", "references"}


def test_geopackage_references_table_holds_every_cited_source_and_only_those(gpkg):
    db = sqlite3.connect(gpkg)
    titles = dict(db.execute('SELECT id, address FROM "references"').fetchall())
    cited = set()
    for layer in LAYERS:
        for refs in gpd.read_file(gpkg, layer=layer)["refs"]:
            cited |= set(refs.split(";")) if refs else set()
    assert set(titles) == cited and cited
    assert all(address.startswith(("http://", "https://")) or address for address in titles.values())


def test_geopackage_styles_are_qgis_defaults_classed_as_on_the_map(gpkg):
    db = sqlite3.connect(gpkg)
    rows = db.execute("SELECT f_table_name, styleQML, useAsDefault FROM layer_styles").fetchall()
    assert sorted(r[0] for r in rows) == sorted(LAYERS)
    for layer, document, default in rows:
        assert default == 1
        root = ET.fromstring(document.split("\n", 1)[1])
        renderer = root.find("renderer-v2")
        style = LAYER_STYLES[layer]
        assert renderer.get("attr") == style.attribute
        values = [c.get("value") for c in renderer.iter("category")]
        assert values == [c.value for c in style.classes]
        # Every value the layer holds has a class, so nothing opens unstyled.
        held = set(gpd.read_file(gpkg, layer=layer)[style.attribute].dropna())
        assert held <= set(values), (layer, held - set(values))


def test_qml_escapes_text_it_carries():
    from geo.styles import LayerStyle, StyleClass

    style = LayerStyle("x\"<", "polygon", (StyleClass('a"<b>&', "<script>", "#112233", 0.5, 1.0, 1.0),))
    document = qml(style)
    root = ET.fromstring(document.split("\n", 1)[1])
    assert root.find("renderer-v2").get("attr") == "x\"<"
    assert next(root.iter("category")).get("label") == "<script>"


def test_geoparquet_round_trips(frames, references):
    data = export_as(".parquet", {"plots": frames["plots"]}, TimeFilter(), Filters(), references)
    read = gpd.read_parquet(io.BytesIO(data))
    built = frames["plots"]
    assert list(read["id"]) == list(built["id"])
    assert read.crs.to_epsg() == 4326
    assert all(a.equals_exact(b, 1e-9) for a, b in zip(read.geometry, built.geometry))
    assert [list(r) for r in read["refs"]] == [list(r) for r in built["refs"]]


def test_kml_is_styled_by_the_same_classes(frames):
    document = to_kml("territory", frames["territory"]).decode()
    root = ET.fromstring(document)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    fills = {s.find("k:PolyStyle/k:color", ns).text.lower() for s in root.iter("{http://www.opengis.net/kml/2.2}Style")}
    expected = set()
    for cls in LAYER_STYLES["territory"].classes:
        if cls.value in set(frames["territory"]["confidence"]):
            r, g, b = cls.colour[1:3], cls.colour[3:5], cls.colour[5:7]
            expected.add(f"{round(cls.fill_opacity * 255):02x}{b}{g}{r}".lower())
    assert fills == expected and len(expected) >= 2


def test_cli_format_follows_the_extension(tmp_path, fixture_build):
    gpkg, parquet = tmp_path / "all.gpkg", tmp_path / "plots.parquet"
    assert main(["export", "all", "-o", str(gpkg), "--geojson-dir", str(fixture_build)]) == 0
    assert main(["export", "plots", "-o", str(parquet), "--geojson-dir", str(fixture_build)]) == 0
    assert gpkg.read_bytes()[:16] == b"SQLite format 3\x00"
    assert parquet.read_bytes()[:4] == b"PAR1"
    assert main(["export", "all", "-o", str(tmp_path / "x.geojson"), "--geojson-dir", str(fixture_build)]) == 2
    assert main(["export", "plots", "-o", str(tmp_path / "x.shp"), "--geojson-dir", str(fixture_build)]) == 2
