"""The territory method's rules, on small made-up place histories in the Syrian desert (far from the
committed data, so a test says what a rule does, not what the record is)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import shapely

from geo import models
from geo.countries import EQUAL_AREA
from geo.filters import active_on
from geo.load import Sources, Table, Where
from geo.territory import FILL_MAX_EDGE_KM, HINTERLAND_KM, build_territory
from geo.validate import check_intervals, check_links

# Three towns in an equilateral triangle in the Syrian desert, its edges just under the fill limit, and
# its centre, farther than the hinterland reach from every corner (km per degree at 35.2 N: 91 E, 111 N).
EDGE_KM = FILL_MAX_EDGE_KM * 0.94
A = (38.50, 35.20)
B = (A[0] + EDGE_KM / 91.0, A[1])
C = (A[0] + EDGE_KM / 182.0, A[1] + EDGE_KM * 0.866 / 111.0)
CENTRE = ((A[0] + B[0] + C[0]) / 3, (A[1] + B[1] + C[1]) / 3)


def place(pid: str, lon: float, lat: float, kind: str = "town") -> models.Place:
    return models.Place.model_validate({"id": pid, "name": pid.upper(), "country": "SYR", "kind": kind,
                                        "lat": str(lat), "lon": str(lon), "coord_source": "approx:test"})


def held(pid: str, start: str, end: str, n: int = 1) -> models.ControlInterval:
    return models.ControlInterval.model_validate({"id": f"{pid}-{n}", "place_id": pid, "start": start, "end": end,
                                                  "confidence": "high", "refs": "ref-a", "summary": "Test."})


def other(pid: str, start: str, end: str) -> models.OtherHeld:
    return models.OtherHeld.model_validate({"id": f"{pid}-o1", "place_id": pid, "force": "sdf_ypg", "start": start,
                                            "end": end, "confidence": "high", "refs": "ref-a", "summary": "Test."})


def sources(places: list, control: list, others: tuple = ()) -> Sources:
    tables = {"places": Table("places", list(places)), "control": Table("control", list(control)),
              "others": Table("others", list(others))}
    tables.update({name: Table(name) for name in ("provinces", "events", "strength", "rivals", "plots", "phases",
                                                  "areas", "regions")})
    for name, table in tables.items():
        table.where = {id(r): Where(f"territory/{name}_test.csv", n + 2) for n, r in enumerate(table.records)}
    return Sources(Path("."), tables)


def held_km2(frame, day: date, point: tuple[float, float] | None = None) -> float:
    on = active_on(frame, day)
    if point is not None:
        on = on[on.geometry.covers(shapely.Point(point))]
    return float(on.geometry.to_crs(EQUAL_AREA).area.sum() / 1e6) if len(on) else 0.0


def covered(frame, day: date, point: tuple[float, float]) -> bool:
    return bool(active_on(frame, day).geometry.covers(shapely.Point(point)).any())


def test_ground_between_three_held_towns_is_held_while_all_three_are():
    assert EDGE_KM / 3 ** 0.5 > HINTERLAND_KM + 3  # the centre is beyond every corner's hinterland
    towns = [place("sy-a", *A), place("sy-b", *B), place("sy-c", *C)]
    frame = build_territory(sources(towns, [held("sy-a", "2014-06", "2016-01"), held("sy-b", "2014-08", "2017-01"),
                                            held("sy-c", "2014-07", "2016-06")]))
    between = frame[frame.zone == "between"]
    assert len(between) == 1
    # The window is from the latest start to the earliest end, and the fill is low confidence.
    assert (between.start.iloc[0], between.end.iloc[0]) == ("2014-08-01", "2016-01-01")
    assert between.confidence.iloc[0] == "low"
    # The triangle's middle is farther than the hinterland from every corner: only the fill covers it.
    assert covered(frame, date(2015, 1, 1), CENTRE)
    assert not covered(frame, date(2014, 7, 15), CENTRE)  # B not yet held
    assert not covered(frame, date(2016, 2, 1), CENTRE)   # A lost


def test_fill_never_crosses_a_place_that_was_not_held():
    towns = [place("sy-a", *A), place("sy-b", *B), place("sy-c", *C), place("sy-mid", *CENTRE, kind="village")]
    frame = build_territory(sources(towns, [held("sy-a", "2014-06", "2016-01"), held("sy-b", "2014-06", "2016-01"),
                                            held("sy-c", "2014-06", "2016-01")]))
    # The never-held village is a corner of every triangle of the mesh: no triangle is filled.
    assert frame[frame.zone == "between"].empty
    assert not covered(frame, date(2015, 1, 1), CENTRE)


def test_fill_needs_edges_no_longer_than_the_limit():
    scale = (FILL_MAX_EDGE_KM + 20) / EDGE_KM  # stretch the triangle so its edges pass the limit
    far = [(A[0] + (x - A[0]) * scale, A[1] + (y - A[1]) * scale) for x, y in (A, B, C)]
    towns = [place(f"sy-{n}", *p) for n, p in zip("abc", far)]
    frame = build_territory(sources(towns, [held(f"sy-{n}", "2014-06", "2016-01") for n in "abc"]))
    assert frame[frame.zone == "between"].empty


def test_fill_and_zones_never_overlap():
    towns = [place("sy-a", *A), place("sy-b", *B), place("sy-c", *C)]
    frame = build_territory(sources(towns, [held(f"sy-{n}", "2014-06", "2016-01") for n in "abc"]))
    on = active_on(frame, date(2015, 1, 1)).to_crs(EQUAL_AREA)
    total = float(on.area.sum())
    union = float(shapely.union_all(on.geometry.values).area)
    assert len(on) == 7  # three cores, three hinterlands, one fill
    assert abs(total - union) / union < 1e-4


def test_a_place_held_by_others_bounds_a_held_towns_hinterland():
    town = place("sy-a", *A)
    km = lambda k: A[0] + k / 91.0  # noqa: E731  (degrees east of the town at 35.2 N)
    # Another force holds a village 1.2 hinterland-reaches east: the line runs midway, at 0.6.
    rival = place("sy-east", km(1.2 * HINTERLAND_KM), A[1])
    far, near = (km(0.8 * HINTERLAND_KM), A[1]), (km(0.4 * HINTERLAND_KM), A[1])
    alone = build_territory(sources([town], [held("sy-a", "2014-06", "2016-01")]))
    bounded = build_territory(sources([town, rival], [held("sy-a", "2014-06", "2016-01")],
                                      [other("sy-east", "2014-01", "2017-01")]))
    day = date(2015, 1, 1)
    assert covered(alone, day, far) and covered(alone, day, near)
    assert not covered(bounded, day, far)
    assert covered(bounded, day, near)
    assert held_km2(bounded, day) < held_km2(alone, day) * 0.92


def test_a_split_place_shows_one_part_held_and_the_other_not():
    west = place("sy-town-west", 38.90, 35.30, kind="district")
    east = place("sy-town-east", 38.96, 35.30, kind="district")
    frame = build_territory(sources([west, east], [held("sy-town-west", "2014-06", "2017-06"),
                                                   held("sy-town-east", "2014-06", "2017-01")]))
    day = date(2017, 3, 1)
    assert covered(frame, day, (38.88, 35.30))
    assert not covered(frame, day, (38.98, 35.30))


def test_other_held_and_is_held_at_once_is_a_problem_naming_both_records():
    town = place("sy-a", *A)
    src = sources([town], [held("sy-a", "2014-06", "2016-01")], [other("sy-a", "2015-06", "2017-01")])
    problems = [p for p in check_intervals(src) if "sy-a-o1" in p.message]
    assert len(problems) == 1
    assert "sy-a-1" in problems[0].message
    assert (problems[0].file, problems[0].row, problems[0].column) == ("territory/others_test.csv", 2, "start")


def test_other_held_needs_a_known_place():
    src = sources([place("sy-a", *A)], [], [other("sy-nowhere", "2015-06", "2017-01")])
    assert any("sy-nowhere" in p.message for p in check_links(src))
