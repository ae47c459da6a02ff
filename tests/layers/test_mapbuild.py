"""The map shell: only local assets, no data in templates, the step script small and escaped."""

from __future__ import annotations

import re

import pytest

from layers import affiliates, plots, territory
from layers.assets import STATIC, ensure_vendor
from layers.mapbuild import MapData, build_map, state_group

DATA = MapData(
    layers=((territory.LAYER, "/app/static/gen/territory-x.json"), (affiliates.LAYER, "/app/static/gen/a-x.json"),
            (plots.LAYER, "/app/static/gen/p-x.json")),
    basemap_url="/app/static/gen/basemap-x.json", refs_url="/app/static/gen/refs-x.json",
    labels_url="/app/static/gen/labels-x.json", caption="Caption <b>{{ 7*7 }}</b>",
)


@pytest.fixture(scope="module")
def html() -> str:
    return build_map(DATA).get_root().render()


def test_no_network_addresses(html):
    urls = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert urls, "the map loads its assets"
    assert all(u.startswith("/app/static/") for u in urls), urls
    assert "cdn" not in html.lower() and "https://" not in html


def test_loads_leaflet_and_ismap_only(html):
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert [s.split("?")[0] for s in scripts] == [
        "/app/static/vendor/leaflet/leaflet.js", "/app/static/vendor/markercluster/leaflet.markercluster.js",
        "/app/static/ismap.js"]


def test_config_is_escaped_json(html):
    assert "{{ 7*7 }}" not in html and "<b>" not in html
    assert "Caption \\u003cb\\u003e\\u007b\\u007b 7*7 \\u007d\\u007d" in html


def test_state_group_is_small_and_resets_the_group_list():
    from streamlit_folium import _get_feature_group_string

    group = state_group({"date": "2015-06-30", "label": "</script>${x}`"})
    fmap = build_map(DATA)
    script = _get_feature_group_string(group, fmap)
    assert "window.feature_group = [];" in script
    assert "</script>" not in script and "${" not in script and "`" not in script
    assert len(script) < 1500


def test_vendor_assets_come_from_the_wheel(tmp_path):
    target = ensure_vendor(tmp_path)
    assert (target / "leaflet.js").stat().st_size > 100_000
    assert (target / "images" / "marker-icon.png").exists()
    assert not (STATIC / "vendor").is_symlink()


def test_styles_are_data():
    assert territory.LAYER.style_for({"confidence": "high"})["fillOpacity"] > territory.LAYER.style_for(
        {"confidence": "low"})["fillOpacity"]
    assert plots.LAYER.style_for({"outcome": "foiled", "link": "inspired"})["dashArray"] == "2 6"
    assert plots.LAYER.style_for({"outcome": "attack", "link": "directed"})["dashArray"] is None


def test_a_users_layer_file_is_removed_and_old_ones_pruned(tmp_path):
    """Issue 12 (L1): a user's layer is deleted when replaced or removed; files of ended sessions are pruned."""
    import os
    import time

    from layers.publish import prune_user_layers, publish, remove_published

    url = publish("user-" + "a" * 32, b'{"type":"FeatureCollection","features":[]}', static_dir=tmp_path)
    path = tmp_path / "gen" / url.rsplit("/", 1)[-1]
    assert path.exists() and path.name.startswith("user-" + "a" * 32)
    assert remove_published(url, static_dir=tmp_path) and not path.exists()
    assert not remove_published("/app/static/gen/../../app.py", static_dir=tmp_path)
    old = tmp_path / "gen" / "user-old-1.json"
    old.write_text("{}")
    stale = tmp_path / "gen" / ".user.tmp123"
    stale.write_text("x")
    fresh = tmp_path / "gen" / "user-new-1.json"
    fresh.write_text("{}")
    past = time.time() - 7 * 3600
    os.utime(old, (past, past))
    os.utime(stale, (past, past))
    assert prune_user_layers(static_dir=tmp_path) == 2
    assert fresh.exists() and not old.exists() and not stale.exists()


def test_versioned_urls_follow_the_files_content(tmp_path):
    """The hash is read once per file version (cached), and a changed file gets a new URL, even when it keeps
    its size and modification time (a copy with `cp -p`)."""
    import os

    from layers.assets import _digest, versioned

    path = tmp_path / "ismap.js"
    path.write_text("one", encoding="utf-8")
    first = versioned("ismap.js", static_dir=tmp_path)
    hits = _digest.cache_info().hits
    assert first == versioned("ismap.js", static_dir=tmp_path) and first.startswith("/app/static/ismap.js?v=")
    assert _digest.cache_info().hits == hits + 1  # the second call did not read the file again
    stat = path.stat()
    path.write_text("two", encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same modification time
    while path.stat().st_ctime_ns == stat.st_ctime_ns:  # the kernel's clock for file times is coarse (ms)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    second = versioned("ismap.js", static_dir=tmp_path)
    assert second != first
    path.write_text("one", encoding="utf-8")
    assert versioned("ismap.js", static_dir=tmp_path) == first  # the URL is the content's, not the time's
