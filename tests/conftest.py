"""Shared fixtures: the tiny hand-written sources, a fresh build of them, and browser launch flags."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devtools.browser import CHROMIUM, CHROMIUM_FLAGS, start_server, stop_server
from geo.build import build

TESTS = Path(__file__).resolve().parent
FIXTURE_SOURCES = TESTS / "data" / "sources"
ROOT = TESTS.parent



@pytest.fixture
def sources_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture sources, for tests that break them on purpose."""
    target = tmp_path / "sources"
    shutil.copytree(FIXTURE_SOURCES, target)
    return target


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture sources built once per session."""
    out = tmp_path_factory.mktemp("geojson")
    build(FIXTURE_SOURCES, out)
    return out


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """pytest-playwright: Debian's Chromium with the flags that keep it off the network."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_FLAGS, "headless": True}


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The fixture sources with a payload in every free-text field, built; and the Jinja marker path."""
    from tests.hostile import make_hostile_sources

    base = tmp_path_factory.mktemp("hostile")
    marker = base / "jinja-ran"
    payloads = make_hostile_sources(FIXTURE_SOURCES, base / "sources", marker)
    build(base / "sources", base / "geojson")
    return {"geojson": base / "geojson", "marker": marker, "payloads": payloads}


@pytest.fixture(scope="session")
def app_url():
    """The app on its bundled data, served on a free loopback port for the whole session."""
    process, url = start_server()
    yield url
    stop_server(process)
