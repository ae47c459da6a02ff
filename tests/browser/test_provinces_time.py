"""Stepping through 2014-2024 makes provinces appear, change shape and fade as the data says (Chromium)."""

from __future__ import annotations

from datetime import date

from devtools.browser import map_frame, open_map
from geo.export import load_layer
from geo.filters import active_on
from geo.view import month_date

MONTHS = ["2014-06", "2014-12", "2015-06", "2016-06", "2017-10", "2018-12", "2019-12", "2021-06", "2022-06",
          "2024-07"]


def test_the_map_shows_each_branch_in_the_phase_and_area_of_the_date(page, app_url):
    frame = open_map(page, f"{app_url}/?date=2014-01&layers=affiliates&lat=20&lon=40&zoom=3")
    provinces = load_layer("affiliates")
    mf = map_frame(page)
    seen_phases = set()
    for month in MONTHS:
        mf.evaluate(f"() => ISMap.goTo('{month}', false)")
        frame.locator(f".leaflet-container[data-month='{month}']").wait_for()
        drawn = mf.evaluate("""() => ISMap.layers.affiliates.items.filter(i => i.visible).map(i => {
            const p = i.feature.properties; let dash = null;
            i.layer.getLayers()[0].eachLayer(l => {
                const path = l._path; if (path) dash = path.getAttribute('stroke-dasharray'); });
            return [i.feature.id, p.phase, dash]; })""")
        expected = active_on(provinces, month_date(month, date(2026, 12, 1)))
        assert sorted(d[0] for d in drawn) == sorted(expected["id"]), month
        for feature_id, phase, dash in drawn:
            seen_phases.add(phase)
            if phase == "dormant":
                assert dash == "1 4", feature_id
            if phase == "active" and not feature_id.startswith("central"):
                assert dash is None, feature_id
    assert {"affiliated", "active", "degraded", "dormant"} <= seen_phases
    # Somalia before its province was named, and gone from the map before its pledge
    mf.evaluate("() => ISMap.goTo('2015-06', false)")
    frame.locator(".leaflet-container[data-month='2015-06']").wait_for()
    ids = mf.evaluate("() => ISMap.layers.affiliates.items.filter(i => i.visible).map(i => i.feature.id)")
    assert not any(i.startswith("somalia") for i in ids) and not any(i.startswith("turkey") for i in ids)
