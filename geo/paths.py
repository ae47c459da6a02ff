"""Where the project's files live; every function takes a root so tests can point elsewhere."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
GEOJSON = ROOT / "data" / "geojson"
BASE = ROOT / "data" / "base"
LAYERS = ("territory", "affiliates", "plots")


def stage_file(folder: Path, name: str, data: bytes) -> Path:
    """Write data to a new temporary file `.name.*` in folder (readable by all, like the file it will become);
    the caller renames it over its target, so readers never see half a file."""
    handle, temp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.chmod(temp, 0o644)
    return Path(temp)


def replace_file(target: Path, data: bytes) -> None:
    """Write a file whole: staged beside it, then renamed over it."""
    os.replace(stage_file(target.parent, target.name, data), target)
