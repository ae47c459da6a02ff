"""Build data/geojson from data/sources: validate everything first, then replace the files atomically."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from geo.affiliates import build_affiliates
from geo.basemap import BASEMAP_FILE, basemap_json
from geo.geojson import encode_frame
from geo.load import Sources
from geo.paths import GEOJSON, SOURCES, stage_file
from geo.plots import build_plots
from geo.territory import build_territory
from geo.validate import load_valid_sources


@dataclass(frozen=True)
class BuildResult:
    files: dict[str, int]  # file name -> feature or row count


def references_json(sources: Sources) -> bytes:
    """Every reference as JSON, sorted by id (popups and bibliographies read it)."""
    refs = [
        {"id": r.id, "title": r.title, "publisher": r.publisher, "date": r.date.text, "address": r.address}
        for r in sorted(sources.references.records, key=lambda r: r.id)
    ]
    return (json.dumps(refs, ensure_ascii=False, indent=0) + "\n").encode("utf-8")


def figures_json(sources: Sources) -> bytes:
    """Headline figures from the sources (stats panel, province popups), sorted by id."""
    figures = [
        {"id": f.id, "label": f.label, "value_low": f.value_low, "value_high": f.value_high, "qualifier": f.qualifier,
         "unit": f.unit, "as_of": f.as_of.text, "scope": f.scope, "refs": list(f.refs), "note": f.note}
        for f in sorted(sources.figures.records, key=lambda f: f.id)
    ]
    return (json.dumps(figures, ensure_ascii=False, indent=0) + "\n").encode("utf-8")


def render_outputs(sources: Sources) -> dict[str, bytes]:
    """Every output file's bytes, computed before anything is written."""
    return {
        "territory.geojson": encode_frame("territory", build_territory(sources)),
        "affiliates.geojson": encode_frame("affiliates", build_affiliates(sources)),
        "plots.geojson": encode_frame("plots", build_plots(sources)),
        "references.json": references_json(sources),
        "figures.json": figures_json(sources),
        BASEMAP_FILE: basemap_json(),
    }


MANIFEST = "build.json"
STALE_TEMP_S = 600  # a temp file this old is a killed build's leftover, not a build running now


def manifest(outputs: dict[str, bytes]) -> bytes:
    """The set a build wrote: each file's SHA-256. Written last, so a set cut short by a kill is detected."""
    files = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outputs.items())}
    return (json.dumps({"files": files}, indent=1, sort_keys=True) + "\n").encode("utf-8")


def remove_stale_temps(out_dir: Path, names: list[str], now: float | None = None) -> int:
    """Delete `.name.XXXX` temp files that killed builds left behind (older than STALE_TEMP_S)."""
    now = time.time() if now is None else now
    removed = 0
    for name in names:
        for path in out_dir.glob(f".{name}.*"):
            if now - path.stat().st_mtime > STALE_TEMP_S:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def write_atomically(outputs: dict[str, bytes], out_dir: Path) -> None:
    """Write each file beside its target, then rename all, the manifest last: readers never see half a file,
    and a set that a kill cut short between two renames is refused by the loader (geo.export.load_layer)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = {**outputs, MANIFEST: manifest(outputs)}
    remove_stale_temps(out_dir, list(outputs))
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in sorted(outputs.items(), key=lambda item: item[0] == MANIFEST):
            staged.append((name, stage_file(out_dir, name, data)))
        for name, temp in staged:
            os.replace(temp, out_dir / name)
    finally:
        for _, temp in staged:
            temp.unlink(missing_ok=True)


def build(sources_dir: Path = SOURCES, out_dir: Path = GEOJSON) -> BuildResult:
    """Validate the sources and build every layer; on any problem nothing is written."""
    sources = load_valid_sources(sources_dir)
    outputs = render_outputs(sources)
    write_atomically(outputs, out_dir)
    counts = {name: data.count(b'"type":"Feature"') if name.endswith(".geojson") else len(json.loads(data))
              for name, data in outputs.items()}
    return BuildResult(counts)
