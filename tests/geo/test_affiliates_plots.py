"""Provinces and plots on the real data: every seed case present, sourced and drawn from its anchor."""

from __future__ import annotations

import json
from datetime import date

import pytest
from shapely.geometry import shape

from geo.countries import distance_km
from geo.export import load_layer
from geo.filters import active_on
from geo.paths import GEOJSON, SOURCES
from geo.validate import load_valid_sources

# Every case of seed-wi-2024: (target near, lat, lon, month, province).
SEED_CASES = [
    ("Kuwait", 29.37, 47.98, "2024-01", "iraq"),
    ("Kaufbeuren", 47.88, 10.62, "2024-05", "iraq"),
    ("Esslingen", 48.74, 9.30, "2024-06", "iraq"),
    ("West Bank", 31.55, 35.10, "2024-02", "syria"),
    ("Saint-Etienne", 45.43, 4.39, "2024-05", "syria"),
    ("Stockholm", 59.33, 18.07, "2024-03", "somalia"),
    ("Ahmedabad", 23.03, 72.59, "2024-05", "pakistan"),
    ("Kerman", 30.28, 57.08, "2024-01", "khorasan"),
    ("Istanbul", 41.01, 28.95, "2024-01", "khorasan"),
    ("Krasnogorsk", 55.82, 37.33, "2024-03", "khorasan"),
    ("Muscat", 23.59, 58.41, "2024-07", "yemen"),
]
MAJOR = [("Paris", "2015-11"), ("Brussels", "2016-03"), ("Berlin", "2016-12"), ("Manchester", "2017-05"),
         ("Colombo", "2019-04"), ("Vienna", "2020-11")]


@pytest.fixture(scope="module")
def plots():
    return load_layer("plots")


@pytest.fixture(scope="module")
def provinces():
    return load_layer("affiliates")


@pytest.mark.parametrize("near, lat, lon, month, province", SEED_CASES)
def test_every_seed_case_is_on_the_map(plots, near, lat, lon, month, province):
    candidates = plots[(plots["province_id"] == province) & plots["date"].str.startswith(month)]
    close = [row for _, row in candidates.iterrows()
             if distance_km(shape({"type": "Point", "coordinates": [row["target_lon"], row["target_lat"]]}), lon, lat) < 60]
    assert close, f"no {province} case near {near} in {month}"
    assert any("seed-wi-2024" in row["refs"] for row in close)


def test_oman_link_is_not_invented(plots):
    oman = plots[plots["country"] == "OMN"].iloc[0]
    assert oman["link"] == "unknown" and oman["confidence"] == "low"
    assert "likely" in oman["attribution_note"].lower()


@pytest.mark.parametrize("near, month", MAJOR)
def test_major_attacks_abroad(plots, near, month):
    hits = plots[plots["date"].str.startswith(month) & plots["target_place"].str.contains(near.split()[0], case=False)]
    if near == "Colombo":
        hits = plots[plots["date"].str.startswith(month) & (plots["country"] == "LKA")]
    assert not hits.empty, f"{near} {month}"


def test_no_record_without_a_reference():
    sources = load_valid_sources(SOURCES)
    known = {r.id for r in sources.references.records}
    for name, table in sources.tables.items():
        for record in table.records:
            refs = getattr(record, "refs", None)
            if refs is not None:
                assert refs and set(refs) <= known, f"{name} {record.id}"


def test_every_path_starts_where_it_was_directed_and_ends_at_the_target(plots, provinces):
    """From the province's anchor, or from the first leg that says where the plot was directed from."""
    anchors = {row["province_id"]: (row["anchor_lon"], row["anchor_lat"]) for _, row in provinces.iterrows()}
    data = json.loads((GEOJSON / "plots.geojson").read_text(encoding="utf-8"))
    with_legs = 0
    for feature in data["features"]:
        coords = feature["geometry"]["coordinates"]
        props = feature["properties"]
        directed = [stop for stop in props["route"] if stop["role"] == "directed"]
        start = (directed[0]["lon"], directed[0]["lat"]) if directed else anchors[props["province_id"]]
        assert tuple(coords[0]) == start, props["id"]
        assert coords[-1] == [props["target_lon"], props["target_lat"]], props["id"]
        for stop in props["route"][1:-1]:  # the path passes through every leg
            assert [stop["lon"], stop["lat"]] in coords, (props["id"], stop["place"])
        with_legs += len(props["route"]) > 2 or bool(directed)
    assert with_legs >= 40


def test_no_province_is_drawn_before_its_first_phase_and_plots_follow_announcements(provinces, plots):
    first = provinces.groupby("province_id")["start"].min()
    for province_id, start in first.items():
        before = date.fromordinal(date.fromisoformat(start).toordinal() - 1)
        on_map = set(active_on(provinces, before)["province_id"])
        assert province_id not in on_map
        assert province_id in set(active_on(provinces, date.fromisoformat(start))["province_id"])
    announced = dict(zip(provinces["province_id"], provinces["announced"]))
    for _, plot in plots.iterrows():
        if plot["province_id"] != "central":
            assert plot["date"] >= announced[plot["province_id"]], plot["id"]


def test_first_announcements_and_later_provinces(provinces):
    announced = dict(zip(provinces["province_id"], provinces["announced"]))
    for province in ("sinai", "libya-barqa", "libya-tarabulus", "libya-fezzan", "yemen", "algeria", "saudi-arabia"):
        assert announced[province].startswith("2014-11"), province
    for province in ("khorasan", "west-africa", "caucasus", "east-asia", "somalia", "central-africa", "sahel",
                     "pakistan", "hind", "turkey", "mozambique"):
        assert province in announced


def test_seed_rivals_and_strength(provinces):
    rows = {row["province_id"]: row for _, row in provinces.iterrows()}
    rivals = {p: {r["rival"] for r in rows[p]["rivals"]} for p in ("khorasan", "yemen", "somalia")}
    assert any("Taliban" in r for r in rivals["khorasan"]) and any("Haqqani" in r for r in rivals["khorasan"])
    assert any("Qaeda" in r for r in rivals["yemen"])
    assert any("Shabaab" in r for r in rivals["somalia"])
    somalia_2017 = [s for s in rows["somalia"]["strength"] if s["as_of"].startswith("2017")]
    assert any(s["qualifier"] == "fewer_than" and s["low"] == 100 and "seed-csm-2017" in s["refs"] for s in somalia_2017)


def test_the_first_seeds_date_shows_somalia_and_the_marawi_fighters(provinces):
    """On 2017-10-01 the map shows the IS presence in Somalia and the IS-aligned fighters of Marawi (seed 000)."""
    on = active_on(provinces, date(2017, 10, 1)).set_index("province_id")
    assert on.loc["somalia", "phase"] == "affiliated" and on.loc["somalia", "area_km2"] > 1000
    assert on.loc["east-asia", "phase"] == "affiliated"
    assert on.loc["east-asia"].geometry.intersects(shape({"type": "Point", "coordinates": [124.29, 8.0]}).buffer(0.2))


def test_seed_figures_are_recorded():
    figures = {f.id: f for f in load_valid_sources(SOURCES).figures.records}
    values = {(f.value_low, f.unit) for f in figures.values() if "seed-csm-2017" in f.refs or "seed-wi-2024" in f.refs}
    for needed in ((40000, "people"), (120, "countries"), (5600, "people"), (33, "countries"), (6000, "people"),
                   (8, "plots"), (17, "plots"), (100000, "km2")):
        assert needed in values, needed


def test_provinces_have_areas_or_say_why_they_are_dots(provinces):
    for _, row in provinces.iterrows():
        if row.geometry.geom_type == "Point":
            assert row["area_km2"] == 0 and "shown at its anchor only" in row["area_note"], row["id"]
        else:
            assert row.geometry.geom_type in ("Polygon", "MultiPolygon") and row["area_km2"] > 500, row["id"]


def test_plot_target_labels_are_dated_and_theatre_labels_are_not():
    """B9: a place known for a plot is labelled from the plot's date; places in held ground always."""
    from geo.basemap import dated_labels, key_places
    from geo.export import load_layer

    frames = {layer: load_layer(layer, GEOJSON) for layer in ("territory", "affiliates", "plots")}
    labels = {label["name"]: label["since"] for label in dated_labels(key_places(), frames)}
    assert labels["Kerman"] == "2024-01-03" and labels["Muscat"] == "2024-07-15"
    assert labels["Mosul"] is None and labels["Raqqa"] is None


def test_no_branch_is_drawn_as_a_whole_country_or_larger_than_its_theatre(provinces):
    """Areas are drawn at the scale the sources support: no whole-country region is used by any period, and no
    branch's area on a sampled date exceeds 300,000 km² (the Sahel branch, the widest, is about 280,000)."""
    sources = load_valid_sources(SOURCES)
    whole = {r.id for r in sources.regions.records if not r.clip_wkt}
    assert not [a.id for a in sources.areas.records if set(a.regions) & whole]
    assert all(any(a.province_id == p.id for a in sources.areas.records) for p in sources.provinces.records)
    for year in range(2013, 2027):
        shown = active_on(provinces, date(year, 7, 1))
        big = shown[(shown["area_km2"] > 300_000) & (shown["province_id"] != "central")]
        assert big.empty, (year, list(big["id"]))
    on = active_on(provinces, date(2024, 7, 1)).set_index("province_id")
    assert on.loc["saudi-arabia", "area_km2"] < 10_000 and on.loc["turkey", "area_km2"] < 10_000
    assert on.loc["libya", "phase"] == "dormant" and on.loc["sinai", "phase"] == "dormant"
    assert on.loc["west-africa", "phase"] == "active"
