"""The app through Streamlit's AppTest: state, query parameters, and exactly what st_folium is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def run_app(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def component_args(at: AppTest) -> dict:
    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    found = [n for n in walk(at._tree.main) if getattr(n, "type", "") == "component_instance"]
    assert len(found) == 1, "one st_folium map on the page"
    return json.loads(found[0].proto.json_args)


@pytest.fixture(scope="module")
def default_app() -> AppTest:
    return run_app()


def test_opens_on_the_2014_peak_with_all_layers(default_app):
    state = default_app.session_state
    assert state["month"] == "2014-12"
    assert state["w_layers"] == ["Territory held", "Provinces", "External plots"]
    assert default_app.query_params["date"] == "2014-12"


def test_map_assets_are_local_and_the_step_is_small(default_app):
    args = component_args(default_app)
    assert args["js_links"] and all(u.startswith("/app/static/") for u in args["js_links"] + args["css_links"])
    assert "https://" not in args["script"] and "cdn" not in args["script"].lower()
    assert '"date":"2014-12-31"' in args["feature_group"]
    assert len(args["feature_group"]) < 2000, "a step sends the state, not the features"


def test_query_parameters_restore_the_view():
    at = run_app({"date": "2017-07", "layers": "territory,plots", "province": "khorasan", "outcome": "attack",
                  "window": "cumulative", "lat": "36.3", "lon": "43.1", "zoom": "8"})
    state = at.session_state
    assert state["month"] == "2017-07"
    assert state["w_layers"] == ["Territory held", "External plots"]
    assert state["w_provinces"] == ["khorasan"] and state["w_outcomes"] == ["attack"]
    args = component_args(at)
    assert args["center"] == [36.3, 43.1] and args["zoom"] == 8
    assert '"affiliates":false' in args["feature_group"]
    assert at.query_params["province"] == "khorasan"
    assert not at.warning


@pytest.mark.parametrize("params, fragment", [
    ({"date": "2099-01"}, "Ignored 'date'"),
    ({"date": "<script>alert(1)</script>"}, "Ignored 'date'"),
    ({"province": "{{7*7}}"}, "Ignored 'province'"),
    ({"zoom": "-1"}, "Ignored 'zoom'"),
    ({"lat": "NaN", "lon": "1"}, "Ignored 'lat'"),
    ({"layers": "territory,`${x}`"}, "Ignored 'layers'"),
    ({"[x](javascript:alert(1))": "1"}, "Ignored an unknown parameter."),
])
def test_bad_parameters_fall_back_with_a_notice(params, fragment):
    at = run_app(params)
    notices = [w.value.replace("\\", "") for w in at.warning]  # shown with Markdown escaped: read as plain text
    assert any(fragment in n for n in notices), notices
    assert at.session_state["month"] in ("2014-12",) or "date" not in params
    args = component_args(at)
    for bad in ("<script>", "{{", "`", "${", "javascript:"):
        assert bad not in args["feature_group"]


def test_a_month_the_map_reports_updates_the_app_but_resends_nothing_to_the_map():
    """The map steps by itself and reports the month (browser tests cover that round trip). The run that
    follows updates the stats and the URL, and sends the map the very same arguments: nothing to redo."""
    at = run_app({"date": "2015-06"})
    before = component_args(at)
    at.session_state["month"] = "2015-07"
    at.session_state["map_reported"] = True
    at.run()
    after = component_args(at)
    assert after == before
    assert at.query_params["date"] == "2015-07"
    assert any("Area held at the end of July 2015" in h.proto.body and 'data-month="2015-07"' in h.proto.body
               for h in at.get("html"))
    # Any other change (a filter here) sends the current month along, marked as the map's to keep, so a map
    # that already shows a month keeps it and a new map frame starts from this one.
    at.multiselect(key="w_outcomes").select("attack").run()
    changed = component_args(at)
    state = changed.pop("feature_group")
    # Only the step's state changed: the map itself (kept in the session from run to run) is sent as it was.
    assert changed == {k: v for k, v in before.items() if k != "feature_group"}
    assert '"month":"2015-07"' in state and '"map_owns_month":true' in state and '"outcomes":["attack"]' in state


@pytest.mark.parametrize("reported, expected", [
    ("2015-07", "2015-07"), ("2012-12", None), ("2099-01", None), ("2015-7", None), ("<script>", None),
    (201507, None), (None, None), ({"m": 1}, None),
])
def test_only_a_month_the_slider_offers_is_taken_from_the_map(reported, expected):
    from datetime import date

    from geo.view import month_from_map

    assert month_from_map(reported, date(2026, 11, 21)) == expected


def test_hostile_data_never_reaches_what_st_folium_is_sent(hostile_build, monkeypatch):
    monkeypatch.setenv("ISMAP_GEOJSON_DIR", str(hostile_build["geojson"]))
    at = run_app({"date": "2016-01", "window": "cumulative"})
    args = component_args(at)
    sent = json.dumps(args)
    for needle in ("onerror", "__pwned", "cycler", "{{", "{%", "${", "`", "<img", "<svg"):
        assert needle not in sent, needle
    assert not hostile_build["marker"].exists()
    at.text_input(key="w_find").input("Mosul").run()
    shown = " ".join(c.value for c in at.caption)
    assert "Mosul" in shown and ("\\<" in shown or "\\{" in shown), "hostile text is shown with its Markdown escaped"
    assert not at.exception


def test_key_figures_from_the_seeds_are_shown():
    at = run_app()
    at.session_state["w_panel"] = "Key figures"
    at.run()
    table = [d for d in at.dataframe if "What it counts" in d.value.columns][0].value
    figures = set(table["Figure"])
    assert "up to 40,000" in figures and "more than 120 countries" in figures
    assert "at least 5,600" in figures and "6,000 to 10,000" in figures
    assert "fewer than 100" in figures
    assert {"8 plots and attacks", "17 plots and attacks"} <= figures
    assert table["Source"].str.contains("The Christian Science Monitor").any()


@pytest.mark.parametrize("reported, expected", [
    ({"center": {"lat": 36.34, "lng": 43.13}, "zoom": 8}, (36.34, 43.13, 8)),
    ({"center": {"lat": 10, "lng": 250}, "zoom": 3}, (10, -110, 3)),  # panned round the world
    ({"center": {"lat": 89.9, "lng": 0}, "zoom": 2}, (85.0, 0, 2)),
    ({"center": {"lat": "x", "lng": 0}, "zoom": 6}, None), ({"center": {"lat": float("nan"), "lng": 0}, "zoom": 6}, None),
    ({"center": {"lat": 1, "lng": 1}, "zoom": 13}, None), ({"center": {"lat": 1, "lng": 1}, "zoom": 6.5}, None),
    ({"center": {"lat": True, "lng": 1}, "zoom": 6}, None), ({"zoom": 6}, None), (None, None), ("<script>", None),
])
def test_only_a_sane_centre_and_zoom_are_taken_from_the_map(reported, expected):
    from geo.view import centre_from_map

    assert centre_from_map(reported) == expected


def test_a_mixed_build_gives_a_message_not_a_traceback(tmp_path, monkeypatch):
    import json as _json
    import shutil

    from geo.paths import GEOJSON

    out = tmp_path / "geojson"
    shutil.copytree(GEOJSON, out)
    data = _json.loads((out / "plots.geojson").read_text(encoding="utf-8"))
    data["features"] = data["features"][1:]
    (out / "plots.geojson").write_text(_json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("ISMAP_GEOJSON_DIR", str(out))
    at = AppTest.from_file(str(APP), default_timeout=90).run()
    assert not at.exception
    assert any("is not the file its build wrote" in e.value.replace("\\", "") for e in at.error)


def test_the_map_is_sent_what_st_folium_itself_would_send(monkeypatch):
    """ui.foliumframe renders the map once per frame and sends the component st_folium's own arguments: the
    same app, run through the same steps with a new map each run and st_folium itself, sends the same
    arguments at every step (a new map, a step the map reported, a filter, a place found, a theme).
    (An upload changes the map's layers, so its frame: covered by the browser tests of uploads.)"""
    from streamlit_folium import st_folium

    from ui import foliumframe

    def through(at: AppTest) -> list[dict]:
        sent = [component_args(at)]
        at.session_state["month"] = "2015-07"
        at.session_state["map_reported"] = True
        at.run()
        sent.append(component_args(at))
        at.multiselect(key="w_outcomes").select("attack").run()
        sent.append(component_args(at))
        at.text_input(key="w_find").input("Mosul").run()
        sent.append(component_args(at))
        at.radio(key="w_theme").set_value("projector").run()
        sent.append(component_args(at))
        assert not at.exception
        return sent

    fast = through(run_app({"date": "2015-06"}))

    # The app as it was before ui.foliumframe: a new folium map every run, sent through st_folium.
    from layers.mapbuild import build_map
    from ui import mapview

    def fresh(data, start):
        return (build_map(data, center=(start[0], start[1]), zoom=start[2]) if start else build_map(data)), None

    def real(frame, fmap, group, *, height, width, zoom, center, on_change):
        return st_folium(fmap, key=mapview.MAP_KEY, height=height, width=width, feature_group_to_add=group,
                         returned_objects=mapview.RETURNED, zoom=zoom, center=center, on_change=on_change)

    monkeypatch.setattr(mapview, "session_map", fresh)
    monkeypatch.setattr(foliumframe, "show", real)
    slow = through(run_app({"date": "2015-06"}))
    assert len(fast) == len(slow) == 5
    for i, (a, b) in enumerate(zip(fast, slow)):
        assert a == b, f"step {i}: {sorted(k for k in a if a[k] != b.get(k))}"
    assert fast[3]["zoom"] is not None and fast[4]["script"] != fast[0]["script"]  # the steps did change things
