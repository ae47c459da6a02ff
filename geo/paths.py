"""Where the project's files live; every function takes a root so tests can point elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
# ISMAP_GEOJSON_DIR lets tests and benchmarks point the app at another build.
GEOJSON = Path(os.environ.get("ISMAP_GEOJSON_DIR") or ROOT / "data" / "geojson")
BASE = ROOT / "data" / "base"
LAYERS = ("territory", "affiliates", "plots")
