"""Time filtering at interval edges, attribute filters, and their properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import ArgumentError
from geo.export import load_layer
from geo.filters import BBox, DateRange, Filters, active_on, apply_filters, parse_bbox, parse_window, starts_within


@pytest.fixture(scope="module")
def territory(fixture_build):
    return load_layer("territory", fixture_build)


@pytest.fixture(scope="module")
def plots(fixture_build):
    return load_layer("plots", fixture_build)


def ids(frame):
    """Record ids: a territory interval counts once, whatever its zones."""
    column = "interval_id" if "interval_id" in frame.columns else "id"
    return sorted(set(frame[column]))


def test_start_is_inclusive_end_is_exclusive(territory):
    assert "iq-mosul-1" not in ids(active_on(territory, date(2014, 6, 9)))
    assert "iq-mosul-1" in ids(active_on(territory, date(2014, 6, 10)))
    assert "iq-mosul-1" in ids(active_on(territory, date(2017, 7, 9)))
    assert "iq-mosul-1" not in ids(active_on(territory, date(2017, 7, 10)))


def test_month_precision_starts_on_the_first(territory):
    assert "sy-raqqa-1" in ids(active_on(territory, date(2014, 1, 1)))
    assert "sy-raqqa-1" not in ids(active_on(territory, date(2013, 12, 31)))


def test_a_place_taken_twice(territory):
    assert ids(active_on(territory, date(2016, 6, 1))) == ["iq-mosul-1", "iq-tal-afar-1", "sy-raqqa-1"]
    assert "sy-palmyra-2" in ids(active_on(territory, date(2017, 1, 1)))
    assert not {"sy-palmyra-1", "sy-palmyra-2"} & set(ids(active_on(territory, date(2017, 6, 1))))


def test_open_end_is_still_true(fixture_build):
    provinces = load_layer("affiliates", fixture_build)
    assert "khorasan--2019-11-01" in ids(active_on(provinces, date(2026, 1, 1)))  # its last period has no end
    assert "khorasan--2015-01-26" not in ids(active_on(provinces, date(2015, 1, 25)))  # starts the next day
    assert "khorasan--2014-10-01" in ids(active_on(provinces, date(2015, 1, 25)))  # the pledged group before it


def test_window_is_inclusive(plots):
    assert ids(starts_within(plots, DateRange(date(2024, 1, 3), date(2024, 5, 1)))) == ["2024-kaufbeuren", "2024-kerman"]
    assert ids(starts_within(plots, DateRange(date(2024, 1, 4), date(2024, 4, 30)))) == []


def test_attribute_filters(plots):
    assert ids(apply_filters(plots, Filters(provinces=("khorasan",)))) == ["2024-kerman"]
    assert ids(apply_filters(plots, Filters(outcomes=("foiled",)))) == ["2024-kaufbeuren"]
    assert ids(apply_filters(plots, Filters(links=("enabled", "directed"), countries=("FRA",)))) == ["2015-paris"]
    assert ids(apply_filters(plots, Filters(bbox=BBox(0, 40, 20, 55)))) == ["2015-paris", "2024-kaufbeuren"]


def test_bbox_and_window_parsing():
    assert parse_bbox("40,30,45,38") == BBox(40, 30, 45, 38)
    for bad in ("40,30,45", "a,b,c,d", "45,30,40,38", "40,38,45,30", "0,0,200,10"):
        with pytest.raises(ArgumentError):
            parse_bbox(bad)
    with pytest.raises(ArgumentError, match="before"):
        parse_window("2024-06-01", "2024-01-01")


@settings(max_examples=60, deadline=None)
@given(day=st.dates(min_value=date(2013, 1, 1), max_value=date(2026, 12, 31)))
def test_active_on_matches_the_interval_definition(territory, day):
    got = set(active_on(territory, day)["id"])
    for _, row in territory.iterrows():
        expected = row["start"] <= day.isoformat() and (row["end"] is None or row["end"] != row["end"]
                                                         or day.isoformat() < row["end"])
        assert (row["id"] in got) == expected


@settings(max_examples=40, deadline=None)
@given(first=st.dates(min_value=date(2013, 1, 1), max_value=date(2026, 1, 1)), days=st.integers(0, 4000))
def test_windows_split_cleanly(plots, first, days):
    last = first + timedelta(days=days)
    middle = first + timedelta(days=days // 2)
    whole = set(ids(starts_within(plots, DateRange(first, last))))
    left = set(ids(starts_within(plots, DateRange(first, middle))))
    right = set(ids(starts_within(plots, DateRange(middle + timedelta(days=1), last)))) if middle < last else set()
    assert whole == left | right and not left & right


def test_a_casualty_threshold_keeps_only_plots_with_a_known_toll_at_or_above_it():
    from geo.paths import GEOJSON

    plots = load_layer("plots", GEOJSON)
    killed = plots["killed"]
    kept = apply_filters(plots, Filters(min_killed=20))
    assert 0 < len(kept) < len(plots)
    assert (kept["killed"] >= 20).all()
    assert set(kept["id"]) == set(plots.loc[killed.notna() & (killed >= 20), "id"])
    assert len(apply_filters(plots, Filters(min_killed=0))) == len(plots)
    # A plot whose toll is not known is not "at least 1 killed".
    unknown = set(plots.loc[killed.isna(), "id"])
    assert unknown and not unknown & set(apply_filters(plots, Filters(min_killed=1))["id"])


def test_the_casualty_threshold_travels_in_links_and_scenes():
    from geo.briefing import scene_from_view
    from geo.view import KILLED_STEPS, parse_query, selection, to_query

    today = date(2026, 12, 1)
    view, notices = parse_query({"date": "2016-07", "killed": "20"}, today)
    assert view.min_killed == 20 and notices == []
    assert to_query(view, today)["killed"] == "20"
    assert parse_query(to_query(view, today), today)[0] == view
    assert selection(view, today)["plots"][1].min_killed == 20
    assert selection(view, today)["territory"][1].min_killed == 0
    scene = scene_from_view(view, title="t", caption="c", refs=[])
    assert scene.filters.min_killed == 20 and scene.view().min_killed == 20
    for bad in ("7", "-5", "x", "1" * 40, "²", "\u0662\u0660"):  # "²": a digit int() refuses; Arabic-Indic 20
        bad_view, bad_notices = parse_query({"killed": bad}, today)
        assert bad_view.min_killed == 0 and any("killed" in n for n in bad_notices), bad
    assert "killed" not in to_query(parse_query({}, today)[0], today) and 0 in KILLED_STEPS


def test_a_region_filter_keeps_only_plots_aimed_at_that_region():
    from geo.paths import GEOJSON
    from geo.regions import REGION_IDS, REGIONS, region_of

    plots = load_layer("plots", GEOJSON)
    # Every plot carries its target's region, the same as the fixed table gives for its country.
    assert (plots["region"] == plots["country"].map(region_of)).all()
    kept = apply_filters(plots, Filters(regions=("Europe", "North America")))
    assert 0 < len(kept) < len(plots)
    assert set(kept["country"]) <= set(REGIONS["Europe"]) | {"USA", "CAN"}
    assert set(kept["id"]) == set(plots.loc[plots["country"].map(region_of).isin(["Europe", "North America"]), "id"])
    # Regions are about plots: territory has no region and is left whole.
    territory = load_layer("territory", GEOJSON)
    assert len(apply_filters(territory, Filters(regions=("Europe",)))) == len(territory)
    assert set(REGION_IDS.values()) >= set(plots["region"])


def test_the_region_filter_travels_in_links_scenes_and_the_command_line():
    from geo.__main__ import export_args, parser
    from geo.briefing import Briefing, parse_briefing, scene_from_view, to_yaml
    from geo.errors import SourceError
    from geo.view import parse_query, selection, to_query, view_state

    today = date(2026, 12, 1)
    view, notices = parse_query({"date": "2016-07", "region": "europe,north-america"}, today)
    assert view.regions == ("europe", "north-america") and notices == []
    assert to_query(view, today)["region"] == "europe,north-america"
    assert parse_query(to_query(view, today), today)[0] == view
    assert selection(view, today)["plots"][1].regions == ("Europe", "North America")
    assert selection(view, today)["territory"][1].regions == ()
    assert view_state(view, today)["filters"]["regions"] == ["Europe", "North America"]
    scene = scene_from_view(view, title="t", caption="c", refs=[])
    assert scene.view().regions == ("europe", "north-america")
    text = to_yaml(Briefing(title="t", description="d", scenes=[scene]))
    assert parse_briefing(text, "b.yaml").scenes[0].filters.regions == ["europe", "north-america"]
    with pytest.raises(SourceError, match="regions"):
        parse_briefing(text.replace("- north-america", "- atlantis"), "b.yaml")
    for bad in ("Europe", "mars", "europe,,x", "e" * 300):
        bad_view, bad_notices = parse_query({"region": bad}, today)
        assert bad_view.regions == () and any("region" in n for n in bad_notices), bad
    assert "north-america" in next(n for n in parse_query({"region": "mars"}, today)[1] if "region" in n)
    args = parser().parse_args(["export", "plots", "--region", "south-east-asia"])
    assert export_args(args)[1].regions == ("South-East Asia",)
    with pytest.raises(ArgumentError, match="unknown region"):
        export_args(parser().parse_args(["export", "plots", "--region", "atlantis"]))


def test_side_by_side_compare_travels_in_links_and_the_map_state():
    from geo.view import parse_query, to_query, view_state

    today = date(2026, 12, 1)
    view, notices = parse_query({"date": "2017-03", "compare": "2015-06", "swipe": "1"}, today)
    assert view.swipe and view.compare == "2015-06" and notices == []
    assert to_query(view, today)["swipe"] == "1"
    assert parse_query(to_query(view, today), today)[0] == view
    assert view_state(view, today)["compare"] == {"month": "2015-06", "date": "2015-06-30", "swipe": True}
    # Without a compare month there is nothing to show side by side: the link leaves it out.
    alone, _ = parse_query({"date": "2017-03", "swipe": "1"}, today)
    assert "swipe" not in to_query(alone, today) and view_state(alone, today)["compare"] is None
    for bad in ("yes", "2", "1" * 300):
        bad_view, bad_notices = parse_query({"compare": "2015-06", "swipe": bad}, today)
        assert not bad_view.swipe and any("swipe" in n for n in bad_notices), bad
