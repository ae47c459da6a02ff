"""The default briefing's captions state what their maps show: counts in a caption are counted on the map's data."""

from __future__ import annotations

import re
from datetime import date

from geo.briefing import BRIEFINGS, load_briefing
from geo.export import load_layer, select
from geo.paths import GEOJSON
from geo.view import selection

TODAY = date(2026, 12, 1)


def scene_plots(title: str):
    briefing = load_briefing(BRIEFINGS / "default.yaml")
    scene = next(s for s in briefing.scenes if s.title == title)
    time, filters = selection(scene.view(), TODAY)["plots"]
    return scene, select(load_layer("plots", GEOJSON), time, filters)


def test_the_2024_scene_caption_counts_what_its_map_shows():
    scene, shown = scene_plots("2024: external plots across provinces")
    numbers = re.search(r"The map shows (\d+) external plots and attacks from January to June 2024: (\d+) foiled, "
                        r"(\d+) carried\s+out and (\d+) failed; the sources link (\d+) to the Khorasan", scene.caption)
    assert numbers, scene.caption
    total, foiled, attacks, failed, khorasan = map(int, numbers.groups())
    counts = shown["outcome"].value_counts()
    assert (total, foiled, attacks, failed) == (len(shown), counts.get("foiled", 0), counts.get("attack", 0),
                                                counts.get("failed", 0))
    assert khorasan == int((shown["province_id"] == "khorasan").sum())
    for province in ("iraq", "syria", "somalia", "pakistan"):  # the links the caption names are on the map
        assert (shown["province_id"] == province).any(), province


def test_the_khorasan_scene_names_the_cases_on_its_map():
    scene, shown = scene_plots("2024: Khorasan's reach")
    assert scene.caption.startswith("Five plots") and len(shown) == 5
    assert set(shown["country"]) == {"IRN", "TUR", "RUS", "SWE"}


def test_the_baghuz_scene_shows_baghuz():
    briefing = load_briefing(BRIEFINGS / "default.yaml")
    scene = next(s for s in briefing.scenes if "Baghuz" in s.title)
    time, filters = selection(scene.view(), TODAY)["territory"]
    held = select(load_layer("territory", GEOJSON), time, filters)
    assert held["place"].str.contains("Baghuz").any()
