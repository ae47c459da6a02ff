"""One ZIP of every shown layer, whose files carry the sources themselves (titles and addresses, not ids)."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd

from geo.export import geopackage_of
from geo.formats import to_csv, write_csv
from geo.geojson import encode, features_of
from geo.gis import REFERENCE_COLUMNS


def bundle_zip(selected: dict[str, gpd.GeoDataFrame], references: list[dict], about: str) -> bytes:
    """layer.geojson (each feature with a `sources` list of full references) and layer.csv (a `sources`
    column) per layer, one GeoPackage of them all, references.csv of the sources they cite, README.txt."""
    by_id = {r["id"]: r for r in references}
    files: dict[str, bytes] = {}
    cited: set[str] = set()
    for layer, frame in selected.items():
        features = features_of(layer, frame)
        for feature in features:
            ids = feature["properties"].get("refs") or []
            cited.update(ids)
            feature["properties"]["sources"] = [{k: by_id[i].get(k, "") for k in REFERENCE_COLUMNS}
                                                for i in ids if i in by_id]
        files[f"{layer}.geojson"] = encode(features)
        files[f"{layer}.csv"] = to_csv(layer, frame, references=by_id)
    files["all-layers.gpkg"] = geopackage_of(selected, references)
    rows = [{k: by_id[i].get(k, "") for k in REFERENCE_COLUMNS} for i in sorted(cited) if i in by_id]
    files["references.csv"] = write_csv(rows, list(REFERENCE_COLUMNS))
    counts = "\n".join(f"- {layer}: {len(frame)} features ({layer}.geojson, {layer}.csv)"
                       for layer, frame in selected.items())
    files["README.txt"] = (f"{about}\n\n{counts}\n- all-layers.gpkg: the same layers in one GeoPackage (QGIS opens "
                           "it styled), with a references table\n- references.csv: every source the features cite"
                           f" ({len(rows)})\n\nEach feature's sources are written out in full: in GeoJSON as a "
                           "`sources` list (id, title, publisher, date, address), in CSV as a `sources` column "
                           "(title (publisher, date) address, separated by ' | ').\n").encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return buffer.getvalue()
