"""Versioned, citable releases of the dataset, and what changed between two builds or releases."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from geo.errors import ArgumentError
from geo.paths import GEOJSON, LAYERS, ROOT, SOURCES

VERSION = re.compile(r"^[0-9][0-9A-Za-z.+-]{0,31}$")
TITLE = "Islamic State territorial control, provinces and external plots, 2013 to today"


@dataclass
class LayerDiff:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _features_from_zip(archive: zipfile.ZipFile, layer: str) -> list[dict]:
    names = [n for n in archive.namelist() if n.endswith(f"geojson/{layer}.geojson")]
    return json.loads(archive.read(names[0]))["features"] if names else []


def read_build(path: Path) -> dict[str, dict[str, dict]]:
    """Every layer's features by id, from a build directory (data/geojson) or a release archive."""
    if not path.exists():
        raise ArgumentError(f"{path} does not exist: give a build directory or a release .zip")
    layers: dict[str, dict[str, dict]] = {}
    if path.is_file():
        try:
            with zipfile.ZipFile(path) as archive:
                for layer in LAYERS:
                    layers[layer] = {f["id"]: f for f in _features_from_zip(archive, layer)}
        except zipfile.BadZipFile:
            raise ArgumentError(f"{path} is not a release archive (.zip)") from None
        return layers
    for layer in LAYERS:
        file = path / f"{layer}.geojson"
        features = json.loads(file.read_text(encoding="utf-8"))["features"] if file.exists() else []
        layers[layer] = {f["id"]: f for f in features}
    return layers


def diff(old: Path, new: Path) -> dict[str, LayerDiff]:
    """Features added, changed (properties or geometry) and removed, per layer, by feature id."""
    before, after = read_build(old), read_build(new)
    out = {}
    for layer in LAYERS:
        a, b = before.get(layer, {}), after.get(layer, {})
        out[layer] = LayerDiff(
            added=sorted(set(b) - set(a)),
            changed=sorted(i for i in set(a) & set(b) if a[i] != b[i]),
            removed=sorted(set(a) - set(b)),
        )
    return out


def diff_markdown(result: dict[str, LayerDiff], old: str, new: str, *, limit: int = 50) -> str:
    """A readable summary: counts per layer, then the ids (up to `limit` per list)."""
    lines = [f"Changes from {old} to {new}", "", "| layer | added | changed | removed |", "|---|---|---|---|"]
    lines += [f"| {layer} | {len(d.added)} | {len(d.changed)} | {len(d.removed)} |" for layer, d in result.items()]
    for layer, d in result.items():
        for kind in ("added", "changed", "removed"):
            ids = getattr(d, kind)
            if ids:
                shown = ", ".join(ids[:limit]) + (f", and {len(ids) - limit} more" if len(ids) > limit else "")
                lines += ["", f"{layer}, {kind}: {shown}"]
    return "\n".join(lines) + "\n"


def citation_cff(version: str, day: date) -> str:
    return (
        "cff-version: 1.2.0\n"
        'message: "If you use this dataset, please cite it as below."\n'
        f'title: "{TITLE}"\n'
        "type: dataset\n"
        f'version: "{version}"\n'
        f"date-released: {day.isoformat()}\n"
        "authors:\n"
        '  - name: "IS map project contributors"\n'
        'license: "CC-BY-4.0"\n'
        "keywords: [Islamic State, territorial control, terrorism, geospatial, dataset]\n"
        'abstract: "Hand-curated, sourced place histories, province phases and areas, and external plots, with the '
        'GeoJSON, GeoPackage and data package built from them. Every record cites its sources."\n'
    )


def _changelog_entry(version: str, day: date, changes: str | None) -> str:
    body = changes if changes else "First release: no earlier release to compare with.\n"
    return f"## {version} ({day.isoformat()})\n\n{body}\n"


def _zip_bytes(files: dict[str, bytes], day: date) -> bytes:
    """A zip whose bytes depend only on its files and the release day (fixed times, sorted names)."""
    buffer = io.BytesIO()
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def release(version: str, out_dir: Path, *, sources: Path = SOURCES, geojson_dir: Path = GEOJSON,
            changelog: Path = ROOT / "CHANGELOG.md", day: date | None = None) -> Path:
    """Write out_dir/ismap-data-VERSION.zip (the CSV tables and data package, the built GeoJSON, one
    GeoPackage of every layer, CITATION.cff, the CHANGELOG entry) and add the entry to `changelog`.
    The entry lists what changed since the newest earlier release in out_dir."""
    from geo.export import load_layer
    from geo.gis import to_geopackage

    if not VERSION.match(version):
        raise ArgumentError(f"version '{version[:40]}' is not like 1.2.0 (digits first, then letters, digits, . + -)")
    day = day or date.today()
    target = out_dir / f"ismap-data-{version}.zip"
    if target.exists():
        raise ArgumentError(f"{target} exists: a release is never overwritten; choose a new version")
    earlier = sorted(out_dir.glob("ismap-data-*.zip"), key=lambda p: p.stat().st_mtime)
    changes = diff_markdown(diff(earlier[-1], geojson_dir), earlier[-1].stem, version) if earlier else None
    files: dict[str, bytes] = {}
    for path in sorted(sources.rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".json", ".md"):
            files[f"sources/{path.relative_to(sources).as_posix()}"] = path.read_bytes()
    for path in sorted(geojson_dir.glob("*.geojson")) + sorted(geojson_dir.glob("*.json")):
        files[f"geojson/{path.name}"] = path.read_bytes()
    references = json.loads((geojson_dir / "references.json").read_text(encoding="utf-8"))
    files[f"ismap-{version}.gpkg"] = to_geopackage({layer: load_layer(layer, geojson_dir) for layer in LAYERS},
                                                   references)
    entry = _changelog_entry(version, day, changes)
    files["CITATION.cff"] = citation_cff(version, day).encode("utf-8")
    files["CHANGELOG.md"] = ("# Changelog\n\n" + entry).encode("utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_zip_bytes(files, day))
    previous = changelog.read_text(encoding="utf-8") if changelog.exists() else "# Changelog\n\n"
    head, _, rest = previous.partition("\n\n")
    changelog.write_text(f"{head}\n\n{entry}{rest}", encoding="utf-8")
    return target
