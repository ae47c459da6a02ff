"""Where the project's files live; every function takes a root so tests can point elsewhere."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
GEOJSON = ROOT / "data" / "geojson"
BASE = ROOT / "data" / "base"
LAYERS = ("territory", "affiliates", "plots")
