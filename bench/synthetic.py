"""Synthetic built data at 10x and 100x the real feature counts, for load benchmarks only (never under data/).

    .venv/bin/python bench/synthetic.py [--scale 10 --scale 100] [--root /tmp/ismap-synthetic] [--check-app]

Writes {root}/x{N}/ with territory.geojson, affiliates.geojson and plots.geojson in the exact format
`python -m geo build` writes (each feature goes through geo.geojson.feature_json, so it is
checked against the layer's typed properties in geo/props.py, rounded and oriented like a real build), plus a
README.md saying the directory is synthetic. Point the app at it with ISMAP_GEOJSON_DIR.

Every real feature is copied N times (copy 0 .. N-1). Copy k:
  - id, interval_id, place_id, successor_id, related_id, province_id become `synthetic-kkk-<real id>`;
  - names (place, province name, plot target) get a ` [synthetic k]` suffix; the summary starts with
    "SYNTHETIC copy k of <real id>";
  - the geometry, and the anchor and target coordinates with it, is translated by a small per-copy offset
    (copy 0 not at all; at most 1.25 degrees of longitude and 1.0 of latitude), the same offset in every
    layer, so a copied plot still starts at its copied province's anchor;
  - every date of the record (start, end, plot date, event and strength dates) is shifted by the same whole
    number of months (copy 0 not at all; at most 18), clamped so that start and end stay between January
    2013 and the current month.
Refs are kept, and every other file of the real build (references.json, figures.json: *.json, not per
feature) is copied byte for byte, so popups still list sources.
Areas are not recomputed and copies overlap their originals: the km² figures the app shows for synthetic data
are meaningless; only the counts, sizes and timings are.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402,F401  (puts the project root on sys.path)
import shapely  # noqa: E402
from shapely import affinity  # noqa: E402

from geo.build import write_atomically  # noqa: E402
from geo.export import load_layer  # noqa: E402
from geo.geojson import encode, feature_json, read_features  # noqa: E402
from geo.paths import GEOJSON, ROOT  # noqa: E402
from geo.props import LAYER_PROPS  # noqa: E402

LAYERS = ("territory", "affiliates", "plots")
DEFAULT_ROOT = Path("/tmp/ismap-synthetic")
PREFIX = "synthetic-"
FIRST = (2013, 1)
README = ("SYNTHETIC DATA for load benchmarks (bench/synthetic.py): copies of the real built features with "
          "shifted dates, translated geometry and `synthetic-` ids. Not a source, not for analysis.\n")


def synthetic_id(real: str | None, copy: int) -> str | None:
    return None if real is None else f"{PREFIX}{copy:03d}-{real}"


def label(text: str, copy: int) -> str:
    return f"{text} [synthetic {copy}]"


def _centred(i: int) -> int:
    """0, 1, -1, 2, -2, ...: copy 0 stays in place."""
    return (i + 1) // 2 * (1 if i % 2 else -1)


def offset(copy: int) -> tuple[float, float]:
    """Degrees (dx, dy) for a copy: a small grid around the real position, (0, 0) for copy 0."""
    return 0.25 * _centred(copy % 11), 0.2 * _centred((copy // 11) % 11)


def month_index(iso: str) -> int:
    return int(iso[:4]) * 12 + int(iso[5:7]) - 1


def shift_date(iso: str | None, months: int) -> str | None:
    """The same day `months` later (day clamped to 28 so every month has it)."""
    if iso is None or months == 0:
        return iso
    index = month_index(iso) + months
    day = min(int(iso[8:10]), 28)
    return f"{index // 12:04d}-{index % 12 + 1:02d}-{day:02d}"


def month_shift(copy: int, first: str, last: str | None, today: date) -> int:
    """Whole months for a copy's dates: -18..18, clamped so [first, last] stays in January 2013 .. this month."""
    if copy == 0:
        return 0
    wanted = (copy * 7) % 37 - 18
    low = FIRST[0] * 12 + FIRST[1] - 1 - month_index(first)
    high = today.year * 12 + today.month - 1 - month_index(last or first)
    return max(low, min(high, wanted)) if low <= high else 0


def move(geometry: shapely.Geometry, copy: int) -> shapely.Geometry:
    dx, dy = offset(copy)
    return affinity.translate(geometry, dx, dy) if (dx or dy) else geometry


def territory_copy(props: dict, copy: int, today: date) -> dict:
    months = month_shift(copy, props["start"], props["end"], today)
    return {**props, "id": synthetic_id(props["id"], copy), "interval_id": synthetic_id(props["interval_id"], copy),
            "place_id": synthetic_id(props["place_id"], copy), "place": label(props["place"], copy),
            "start": shift_date(props["start"], months), "end": shift_date(props["end"], months),
            "summary": f"SYNTHETIC copy {copy} of {props['id']}. {props['summary']}"}


def affiliate_copy(props: dict, copy: int, today: date) -> dict:
    months = month_shift(copy, props["start"], props["end"], today)
    dx, dy = offset(copy)
    events = [{**e, "date": shift_date(e["date"], months), "related_id": synthetic_id(e.get("related_id"), copy)}
              for e in props["events"]]
    strength = [{**s, "as_of": shift_date(s["as_of"], months)} for s in props["strength"]]
    return {**props, "id": synthetic_id(props["id"], copy), "province_id": synthetic_id(props["province_id"], copy),
            "name": label(props["name"], copy), "successor_id": synthetic_id(props["successor_id"], copy),
            "start": shift_date(props["start"], months), "end": shift_date(props["end"], months),
            "anchor_lon": round(props["anchor_lon"] + dx, 6), "anchor_lat": round(props["anchor_lat"] + dy, 6),
            "events": events, "strength": strength,
            "summary": f"SYNTHETIC copy {copy} of {props['id']}. {props['summary']}"}


def plot_copy(props: dict, copy: int, today: date) -> dict:
    months = month_shift(copy, props["date"], None, today)
    dx, dy = offset(copy)
    return {**props, "id": synthetic_id(props["id"], copy), "date": shift_date(props["date"], months),
            "province_id": synthetic_id(props["province_id"], copy), "province": label(props["province"], copy),
            "target_place": label(props["target_place"], copy),
            "target_lon": round(props["target_lon"] + dx, 6), "target_lat": round(props["target_lat"] + dy, 6),
            "anchor_lon": round(props["anchor_lon"] + dx, 6), "anchor_lat": round(props["anchor_lat"] + dy, 6),
            "summary": f"SYNTHETIC copy {copy} of {props['id']}. {props['summary']}"}


COPIERS = {"territory": territory_copy, "affiliates": affiliate_copy, "plots": plot_copy}


def copies(layer: str, real: list[dict], scale: int, today: date) -> list[dict]:
    """`scale` copies of each real feature, as built features (validated against the layer's properties)."""
    out = []
    shapes = [shapely.geometry.shape(f["geometry"]) for f in real]
    for copy in range(scale):
        for feature, shape in zip(real, shapes):
            out.append(feature_json(layer, COPIERS[layer](feature["properties"], copy, today), move(shape, copy)))
    return out


def refuse_real_data_dir(out_dir: Path) -> None:
    target = out_dir.resolve()
    data = (ROOT / "data").resolve()
    if target == data or data in target.parents:
        raise SystemExit(f"refusing to write synthetic data under {data}: choose a directory outside data/")


def generate(scale: int, out_dir: Path, source: Path = GEOJSON, today: date | None = None) -> dict[str, int]:
    """Write the synthetic build for `scale` into out_dir; return the feature count per file."""
    refuse_real_data_dir(out_dir)
    today = today or date.today()
    outputs: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    for layer in LAYERS:
        features = copies(layer, read_features(source / f"{layer}.geojson"), scale, today)
        outputs[f"{layer}.geojson"] = encode(features)
        counts[layer] = len(features)
    for extra in sorted(source.glob("*.json")):  # references.json, figures.json, ...: not per feature, copied
        outputs[extra.name] = extra.read_bytes()
    write_atomically(outputs, out_dir)
    (out_dir / "README.md").write_text(README + f"\nScale: {scale}x the real feature counts {counts}; source "
                                       f"{source}; generated {today.isoformat()}.\n", encoding="utf-8")
    return counts


def validate(out_dir: Path, scale: int, source: Path = GEOJSON) -> list[str]:
    """Problems with a synthetic build (empty list: fine): counts, ids, schema, references, bounds, dates."""
    problems: list[str] = []
    refs = {r["id"] for r in json.loads((out_dir / "references.json").read_text(encoding="utf-8"))}
    ids: dict[str, set[str]] = {}
    provinces: set[str] = set()
    for layer in LAYERS:
        real = len(read_features(source / f"{layer}.geojson"))
        features = read_features(out_dir / f"{layer}.geojson")
        frame = load_layer(layer, out_dir)  # what the app calls
        if len(features) != real * scale or len(frame) != len(features):
            problems.append(f"{layer}: {len(features)} features, expected {real} x {scale}")
        ids[layer] = {f["id"] for f in features}
        earliest = min((f["properties"].get("start") or f["properties"].get("date")) for f in read_features(
            source / f"{layer}.geojson"))
        if layer == "affiliates":
            provinces = {f["properties"]["province_id"] for f in features}
        if len(ids[layer]) != len(features):
            problems.append(f"{layer}: duplicate ids")
        for f in features:
            props = f["properties"]
            LAYER_PROPS[layer].model_validate(props)
            if not f["id"].startswith(PREFIX) or props["id"] != f["id"]:
                problems.append(f"{layer} {f['id']}: id without the {PREFIX} prefix")
            if not set(props["refs"]) <= refs:
                problems.append(f"{layer} {f['id']}: unknown refs {set(props['refs']) - refs}")
            start, end = props.get("start") or props.get("date"), props.get("end")
            if start < min(earliest, "2013-01-01") or (end is not None and end < start):
                problems.append(f"{layer} {f['id']}: dates out of order or before the real data's: {start} .. {end}")
        minx, miny, maxx, maxy = frame.total_bounds
        if minx < -180 or maxx > 180 or miny < -85 or maxy > 85:
            problems.append(f"{layer}: bounds {frame.total_bounds} outside plausible lon/lat")
        if not frame.geometry.is_valid.all():
            problems.append(f"{layer}: {int((~frame.geometry.is_valid).sum())} invalid geometries")
    plots = read_features(out_dir / "plots.geojson")
    orphans = {f["properties"]["province_id"] for f in plots} - provinces  # a province has one feature a phase
    if orphans:
        problems.append(f"plots: province ids with no province: {sorted(orphans)[:5]}")
    if not (out_dir / "README.md").read_text(encoding="utf-8").startswith("SYNTHETIC"):
        problems.append("README.md does not say the data is synthetic")
    return problems


def check_app(out_dir: Path, timeout: int = 300) -> list[str]:
    """Run the app once on the synthetic data through Streamlit's AppTest: its exceptions, if any."""
    from streamlit.testing.v1 import AppTest

    before = os.environ.get("ISMAP_GEOJSON_DIR")
    os.environ["ISMAP_GEOJSON_DIR"] = str(out_dir)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.query_params["date"] = "2015-06"
        at.run()
        found = [n for n in at._tree.main.children.values() if getattr(n, "type", "") == "component_instance"]
        problems = [f"exception: {e.message}" for e in at.exception]
        if len(found) != 1:
            problems.append(f"expected one st_folium map, found {len(found)}")
        elif '"date":"2015-06-30"' not in json.loads(found[0].proto.json_args)["feature_group"]:
            problems.append("the map's state does not carry the requested date")
        return problems
    finally:
        if before is None:
            os.environ.pop("ISMAP_GEOJSON_DIR", None)
        else:
            os.environ["ISMAP_GEOJSON_DIR"] = before


def ensure(scale: int, root: Path = DEFAULT_ROOT) -> Path:
    """The synthetic directory for `scale`, generated (and validated) if it is missing or stale."""
    out_dir = root / f"x{scale}"
    stamp = out_dir / "README.md"
    real = [GEOJSON / f"{layer}.geojson" for layer in LAYERS] + sorted(GEOJSON.glob("*.json"))
    fresh = stamp.exists() and all((out_dir / f.name).exists() for f in real) and \
        stamp.stat().st_mtime >= max(f.stat().st_mtime for f in real)
    if not fresh:
        started = time.perf_counter()
        counts = generate(scale, out_dir)
        problems = validate(out_dir, scale)
        if problems:
            raise SystemExit(f"synthetic x{scale} is not valid: {problems[:10]}")
        print(f"  synthetic x{scale}: {counts} in {out_dir} ({time.perf_counter() - started:.1f} s)", flush=True)
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, action="append", help="copies per real feature (default 10 and 100)")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="writes {root}/x{scale}")
    parser.add_argument("--check-app", action="store_true", help="also run app.py once on it (Streamlit AppTest)")
    args = parser.parse_args()
    for scale in args.scale or [10, 100]:
        out_dir = args.root / f"x{scale}"
        started = time.perf_counter()
        counts = generate(scale, out_dir)
        sizes = {p.name: p.stat().st_size for p in sorted(out_dir.iterdir())}
        print(f"x{scale}: {counts} -> {out_dir} in {time.perf_counter() - started:.1f} s; bytes {sizes}")
        problems = validate(out_dir, scale)
        print(f"  validate: {'ok' if not problems else problems[:20]}")
        if args.check_app:
            started = time.perf_counter()
            problems = check_app(out_dir)
            print(f"  app (AppTest, one run): {'ok' if not problems else problems} "
                  f"in {time.perf_counter() - started:.1f} s")
        if problems:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
