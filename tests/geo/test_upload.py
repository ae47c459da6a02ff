"""Users' own layers: every bad input gets a message naming the feature or row and the field; good parts load."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.filters import active_on
from geo.upload import MAX_UPLOAD_BYTES, read_user_layer


def fc(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def point(lon, lat, **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def messages(layer) -> list[str]:
    return [str(p) for p in layer.problems]


def test_good_geojson_with_dates_follows_the_slider():
    layer = read_user_layer("sites.geojson", fc(point(43.1, 36.3, name="A", start="2015-01", end="2016-06-30"),
                                                point(40.1, 35.3, name="B")))
    assert layer.problems == [] and list(layer.frame["name"]) == ["A", "B"]
    assert list(active_on(layer.frame, date(2015, 6, 1))["name"]) == ["A", "B"]
    assert list(active_on(layer.frame, date(2017, 1, 1))["name"]) == ["B"]


def test_malformed_json_names_line_and_column():
    layer = read_user_layer("bad.geojson", b'{"type": "FeatureCollection", "features": [}')
    assert layer.frame.empty
    assert messages(layer) == ["bad.geojson: is not valid JSON (line 1, column 44: Expecting value) (fix: check the file is GeoJSON)"]


def test_invalid_geometry_is_repaired_and_reported():
    bowtie = {"type": "Feature", "properties": {"name": "bowtie"},
              "geometry": {"type": "Polygon", "coordinates": [[[40, 30], [41, 31], [41, 30], [40, 31], [40, 30]]]}}
    layer = read_user_layer("shapes.geojson", fc(bowtie))
    assert len(layer.frame) == 1 and layer.frame.geometry.iloc[0].is_valid
    assert "shapes.geojson, row 1, column 'geometry': was invalid (Self-intersection" in messages(layer)[0]
    assert "repaired with make_valid" in messages(layer)[0]


def test_projected_coordinates_are_detected():
    layer = read_user_layer("utm.geojson", fc(point(4_800_000, 4_020_000, name="metres"), point(43.1, 36.3, name="ok")))
    assert list(layer.frame["name"]) == ["ok"]
    assert "row 1, column 'geometry'" in messages(layer)[0] and "look projected (metres)" in messages(layer)[0]


def test_missing_and_impossible_dates():
    layer = read_user_layer("dates.csv", b"name,lat,lon,start,end\nA,36.3,43.1,2015-02-30,\nB,35.3,40.1,2016-01-01,2015-01-01\n")
    assert len(layer.frame) == 2
    text = messages(layer)
    assert any("dates.csv, row 2, column 'start': '2015-02-30' is not a real date" in m for m in text)
    assert any("dates.csv, row 3, column 'end': is not after start" in m for m in text)


def test_csv_rows_with_bad_numbers_are_skipped_with_their_row():
    layer = read_user_layer("points.csv", b"name,latitude,longitude\nA,36.3,43.1\nB,north,40\nC,95,40\n")
    assert list(layer.frame["name"]) == ["A"]
    text = messages(layer)
    assert any("points.csv, row 3, column 'latitude': 'north' is not a number" in m for m in text)
    assert any("points.csv, row 4, column 'geometry'" in m for m in text)


def test_csv_without_coordinates():
    layer = read_user_layer("nocoords.csv", b"name,place\nA,Mosul\n")
    assert layer.frame.empty and "has no latitude/longitude columns" in messages(layer)[0]


def test_non_utf8_empty_oversized_and_unknown_type():
    assert "is not UTF-8 text (byte 10)" in messages(read_user_layer("x.csv", b"name,lat\nA\xe9,1"))[0]
    assert "is empty" in messages(read_user_layer("x.geojson", b"   "))[0]
    big = read_user_layer("x.geojson", b" " * (MAX_UPLOAD_BYTES + 1))
    assert "over the 10 MB cap" in messages(big)[0]
    assert "extension" in messages(read_user_layer("x.shp", b"abc"))[0]


def test_kml_with_timespan_and_a_bomb():
    kml = b"""<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>
      <Placemark><name>Site</name><TimeSpan><begin>2015-03-01</begin><end>2016-01-01</end></TimeSpan>
      <Point><coordinates>43.1,36.3,0</coordinates></Point></Placemark>
      <Placemark><name>Area</name><Polygon><outerBoundaryIs><LinearRing><coordinates>40,30 41,30 41,31 40,30</coordinates>
      </LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"""
    layer = read_user_layer("sites.kml", kml)
    assert list(layer.frame["name"]) == ["Site", "Area"] and layer.frame["start"].iloc[0] == "2015-03-01"
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><kml>&lol2;</kml>'
    refused = read_user_layer("bomb.kml", bomb)
    assert refused.frame.empty and "entities and DTDs are refused" in messages(refused)[0]


def test_hostile_file_names_are_cleaned():
    layer = read_user_layer('<img src=x onerror=alert(1)>.geojson', b"")
    assert "<" not in layer.name and ">" not in layer.name and "=" not in layer.name


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["a.geojson", "a.csv", "a.kml", "a.json"]))
def test_any_bytes_give_problems_not_exceptions(data, name):
    layer = read_user_layer(name, data)
    assert layer.frame.crs.to_epsg() == 4326
    for problem in layer.problems:
        assert problem.file == name and problem.message


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_in_properties_is_kept_as_plain_text(text):
    layer = read_user_layer("t.geojson", fc(point(43.1, 36.3, name=text, note=text)))
    assert len(layer.frame) == 1
    assert all(ch >= " " or ch == "\t" for ch in layer.frame["name"].iloc[0])


# ---------------------------------------------------------------- the security review's malformed files (M1, L8)

def test_geometry_collection_and_kml_multigeometry_are_drawn_and_exported():
    from geo.formats import to_csv, to_kml
    from geo.geojson import encode_frame

    kml = (b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>pair</name><MultiGeometry>'
           b'<Point><coordinates>43.1,36.3</coordinates></Point><Point><coordinates>40.1,35.3</coordinates></Point>'
           b'</MultiGeometry></Placemark></Document></kml>')
    layer = read_user_layer("multi.kml", kml)
    assert layer.problems == [] and layer.frame.geometry.iloc[0].geom_type == "GeometryCollection"
    geojson = json.loads(encode_frame("user", layer.frame))
    assert geojson["features"][0]["geometry"]["type"] == "GeometryCollection"
    assert len(geojson["features"][0]["geometry"]["geometries"]) == 2
    assert to_kml("user", layer.frame).count(b"<Point") == 2
    assert b"GEOMETRYCOLLECTION (POINT (43.1 36.3), POINT (40.1 35.3))" in to_csv("user", layer.frame)


def test_kml_points_survive_the_kml_export():
    from geo.formats import to_kml

    layer = read_user_layer("points.csv", b"name,lat,lon\nA,36.3,43.1\nB,35.3,40.1\n")
    assert to_kml("user", layer.frame).count(b"<Point") == 2


def test_semicolon_csv_with_cr_only_line_endings_reads():
    layer = read_user_layer("excel.csv", b"name;lat;lon\rA;36,3;43.1\rB;35.3;40.1\r")
    assert list(layer.frame["name"]) == ["B"]
    assert "row 2, column 'lat': '36,3' is not a number" in str(layer.problems[0])


def test_headers_only_csv_and_empty_kml_are_named():
    assert "has a header but no rows" in str(read_user_layer("h.csv", b"lat,lon\n").problems[0])
    empty = read_user_layer("e.kml", b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>')
    assert "has no placemarks" in str(empty.problems[0])


def test_huge_cell_deep_nesting_and_lone_surrogates_get_messages():
    huge = read_user_layer("big.csv", b"lat,lon,n\n1,2," + b"x" * 200_000 + b"\n")
    assert "big.csv, row 2: cannot be read as CSV" in str(huge.problems[0])
    deep = read_user_layer("deep.geojson", b"[" * 5000 + b"]" * 5000)
    assert "nested too deeply" in str(deep.problems[0])
    nested = b"<MultiGeometry>" * 50 + b"<Point><coordinates>1,2</coordinates></Point>" + b"</MultiGeometry>" * 50
    kml = read_user_layer("deep.kml", b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark>' + nested
                          + b"</Placemark></kml>")
    assert kml.frame.empty and "nested more than" in str(kml.problems[0])
    text = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a\\ud800b"},' \
           '"geometry":{"type":"Point","coordinates":[1,2]}}]}'
    lone = read_user_layer("lone.geojson", text.encode())
    assert lone.frame["name"].iloc[0] == "a?b"
    lone.frame.to_json()  # encodable: the map payload and every export can write it


def test_a_file_name_with_brackets_is_kept_in_messages():
    layer = read_user_layer("sites (v2).csv", b"lat,lon\nx,1\n")
    assert str(layer.problems[0]).startswith("sites (v2).csv, row 2")


# ---------------------------------------------------------------- any malformed file: a message, never a crash

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
_GEOMETRY = st.fixed_dictionaries({
    "type": st.sampled_from(["Point", "LineString", "Polygon", "MultiPolygon", "GeometryCollection", "Nope", 7]),
    "coordinates": _JSON_VALUES, "geometries": _JSON_VALUES,
})
_FEATURE = st.fixed_dictionaries({"type": st.just("Feature"), "geometry": _GEOMETRY | _JSON_VALUES,
                                  "properties": _JSON_VALUES})


@settings(max_examples=150, deadline=None)
@given(features=st.lists(_FEATURE, max_size=5), junk=st.binary(max_size=64), kind=st.sampled_from(["json", "raw"]))
def test_malformed_geojson_never_raises_and_what_survives_can_be_drawn_and_exported(features, junk, kind):
    from geo.formats import to_csv, to_kml
    from geo.geojson import encode_frame

    data = fc(*features) if kind == "json" else junk
    layer = read_user_layer("random.geojson", data)
    assert all(str(p).startswith("random.geojson") for p in layer.problems)
    if len(layer.frame):
        json.loads(encode_frame("user", layer.frame))
        to_csv("user", layer.frame)
        to_kml("user", layer.frame)
    else:
        assert layer.problems  # nothing on the map is always explained


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list('latlon,;\t\r\n"=+-@.0123456789x') + ["\ud800", "é"]), max_size=200))
def test_malformed_csv_never_raises(text):
    layer = read_user_layer("random.csv", text.encode("utf-8", "surrogatepass"))
    assert len(layer.frame) or layer.problems
    assert all(str(p).startswith("random.csv") for p in layer.problems)


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(st.sampled_from(["<Placemark>", "</Placemark>", "<Point>", "</Point>", "<MultiGeometry>",
                                       "</MultiGeometry>", "<coordinates>", "</coordinates>", "1,2", " ", "x",
                                       "<name>", "</name>", "<Polygon>", "</Polygon>"]), max_size=40))
def test_malformed_kml_never_raises(parts):
    body = "".join(parts)
    data = f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{body}</Document></kml>'.encode()
    layer = read_user_layer("random.kml", data)
    assert len(layer.frame) or layer.problems
