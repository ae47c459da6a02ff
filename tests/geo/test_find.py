"""Find a place: forgiving of spelling, and a date when a territory place was held."""

from __future__ import annotations

from geo.export import load_layer
from geo.find import held_months, month_held, place_matches

NAMES = ["Mosul (west bank) (territory)", "Mosul (east bank) (territory)", "Raqqa (territory)",
         "Marawi (territory)", "Paris (plot target)", "Mosul Dam (territory)"]


def test_substring_matches_come_first_and_starts_before_contains():
    assert place_matches("mosul", NAMES)[:2] == ["Mosul (east bank) (territory)", "Mosul (west bank) (territory)"]
    assert place_matches("dam", NAMES) == ["Mosul Dam (territory)"]
    assert place_matches("  ", NAMES) == []


def test_misspellings_find_the_place():
    assert set(place_matches("Mosoul", NAMES)) >= {"Mosul (west bank) (territory)", "Mosul (east bank) (territory)"}
    assert place_matches("Rakka", NAMES) == ["Raqqa (territory)"]
    assert place_matches("Zzzzqq", NAMES) == []


def test_month_held_opens_the_nearest_interval(fixture_build):
    spans = held_months(load_layer("territory", fixture_build))
    assert spans["Palmyra"] == [("2015-05", "2016-03"), ("2016-12", "2017-03")]
    assert month_held(spans["Palmyra"], "2015-08") == "2015-08"      # held then: stay
    assert month_held(spans["Palmyra"], "2014-01") == "2015-05"      # before: the first month held
    assert month_held(spans["Palmyra"], "2016-09") == "2016-12"      # between: the nearest
    assert month_held([], "2016-09") is None                         # never held: no jump
