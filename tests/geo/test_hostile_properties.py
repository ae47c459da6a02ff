"""Property-based: any text in any field of any layer is kept literally or refused with its field; URL parameters never break the view."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo.build import build
from geo.errors import SourceError
from geo.view import LAYER_IDS, MAX_PARAM, THEME_NAMES, WINDOW_MODES, parse_query, to_query
from tests.conftest import FIXTURE_SOURCES
from tests.hostile import rewrite_free_text

TODAY = date(2026, 11, 21)
# Printable text as people paste it: any script, RTL marks, quotes, braces, angle brackets, backticks.
PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029"),
                    min_size=1, max_size=60).map(str.strip).filter(bool)


def rewrite(root: Path, value: str) -> int:
    return rewrite_free_text(root, lambda column, old, n: value.replace(";", ",") if column == "aliases" else value)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=PRINTABLE)
def test_any_printable_text_in_every_field_reaches_the_geojson_literally(tmp_path_factory, value):
    root = tmp_path_factory.mktemp("src")
    shutil.copytree(FIXTURE_SOURCES, root / "sources")
    assert rewrite(root / "sources", value) > 20
    build(root / "sources", root / "out")
    texts = []
    for layer in ("territory", "affiliates", "plots"):
        for feature in json.loads((root / "out" / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]:
            props = feature["properties"]
            texts += [props.get(k) for k in ("place", "name", "summary", "target_place", "attribution_note",
                                             "anchor_name", "anchor_note") if props.get(k)]
            texts += [stop["place"] for stop in props.get("route", [])]
    references = json.loads((root / "out" / "references.json").read_text(encoding="utf-8"))
    texts += [r["title"] for r in references] + [r["publisher"] for r in references]
    assert texts and all(t == value for t in texts)
    paths = [f for f in json.loads((root / "out" / "plots.geojson").read_text(encoding="utf-8"))["features"]
             if len(f["properties"]["route"]) > 2]
    assert paths and all(f["properties"]["route_text"].startswith(value) for f in paths)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=st.sampled_from(["\x00", "\x07", "\x1b[31m", "\x7f"]), column=st.sampled_from(["summary", "name", "title"]))
def test_control_characters_are_refused_with_their_field(tmp_path_factory, bad, column):
    root = tmp_path_factory.mktemp("ctl")
    shutil.copytree(FIXTURE_SOURCES, root / "sources")
    table = {"summary": "territory/control_test.csv", "name": "territory/places_test.csv",
             "title": "references/refs.csv"}[column]
    path = root / "sources" / table
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    cells = next(csv.reader([text[1]]))
    cells[header.index(column)] = f"Text{bad}here"
    out = __import__("io").StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    text[1] = out.getvalue().rstrip("\n")
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    try:
        build(root / "sources", root / "out")
    except SourceError as exc:
        problem = exc.problems[0]
        assert (problem.file, problem.row, problem.column) == (f"data/sources/{table}", 2, column)
        assert "control character" in problem.message
    else:
        raise AssertionError("a control character was accepted")
    assert not (root / "out").exists()


PARAM_NAMES = ["date", "layers", "province", "link", "outcome", "country", "window", "months", "from", "to", "lat",
               "lon", "zoom", "theme", "region", "killed", "compare", "swipe"]
# Every notice parse_query can give for these names, run together: what may legitimately contain a value.
NOTICE_WORDING = " ".join(
    parse_query({name: "\x00" * (MAX_PARAM + 1)}, TODAY)[1][0] + " " + " ".join(parse_query({name: "?"}, TODAY)[1])
    for name in PARAM_NAMES) + (
    " Ignored 'lat'/'lon': both are needed. Ignored 'from'/'to': 'from' is after 'to'."
    " Ignored 'from'/'to': they go together, with window=range.")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["date", "layers", "province", "link", "outcome", "country", "window",
                                        "months", "from", "to", "lat", "lon", "zoom", "theme", "region", "killed",
                                        "compare", "swipe", "x", "<b>", "{{"]),
                       st.text(max_size=80), max_size=8))
@example(params={"date": "", "layers": "laye"})  # found by hypothesis: a value inside a parameter's name
@example(params={"from": "2013-01"})  # found by hypothesis: a lone month of a range did not survive the link
def test_any_query_parameters_give_a_valid_view(params):
    view, notices = parse_query(params, TODAY, provinces=frozenset({"iraq", "khorasan"}),
                                countries=frozenset({"FRA", "IRN"}))
    assert set(view.layers) <= set(LAYER_IDS) and view.theme in THEME_NAMES and view.window in WINDOW_MODES
    assert set(view.provinces) <= {"iraq", "khorasan"} and set(view.countries) <= {"FRA", "IRN"}
    assert view.zoom is None or 2 <= view.zoom <= 12
    for notice in notices:
        assert "<" not in notice and "{{" not in notice and "`" not in notice
        for value in params.values():
            # A value may only show up where it is part of the fixed wording ('laye' is in "'layers'").
            if len(value) > 3 and value not in NOTICE_WORDING:
                assert value not in notice
    again, more = parse_query(to_query(view, TODAY), TODAY, provinces=frozenset({"iraq", "khorasan"}),
                              countries=frozenset({"FRA", "IRN"}))
    assert again == view and more == []
