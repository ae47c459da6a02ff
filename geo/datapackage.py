"""The curated tables described as a Frictionless Data Package (Table Schema), made from the record models."""

from __future__ import annotations

import csv
import io
import json
import typing
from pathlib import Path

from pydantic.fields import FieldInfo

from geo.load import TABLES, Sources, TableSpec
from geo.paths import SOURCES

PACKAGE = "datapackage.json"
CITATIONS = "citations.csv"  # derived: one row per (table, record, reference), for the references' foreign key
SLUG = r"[a-z0-9][a-z0-9-]*"
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
# Fields that name a record of another table (the table, its key).
LINKS = {"place_id": "places", "province_id": "provinces", "plot_id": "plots", "successor_id": "provinces",
         "related_id": "provinces"}
LIST_FIELDS = {"refs", "aliases", "regions", "evidence"}
NUMBERS = {"lat": (-90, 90), "anchor_lat": (-90, 90), "lon": (-180, 180), "anchor_lon": (-180, 180)}
INTEGERS = {"low", "high", "killed", "injured", "plotters", "seq"}
FLOATS = {"radius_km", "value", "value_low", "value_high"}
DATES = {"start", "end", "date", "as_of", "announced", "date_public"}


def _literal_values(annotation: object) -> list[str] | None:
    """The allowed values of a Literal (inside Optional or Annotated too), else None."""
    if typing.get_origin(annotation) is typing.Literal:
        return [str(v) for v in typing.get_args(annotation)]
    for arg in typing.get_args(annotation):
        found = _literal_values(arg)
        if found:
            return found
    return None


def field_schema(name: str, info: FieldInfo) -> dict:
    """One Table Schema field for a model field: type, format and constraints as the loader checks them."""
    field: dict = {"name": name, "type": "string"}
    constraints: dict = {"required": True} if info.is_required() else {}
    values = _literal_values(info.annotation)
    if values and typing.get_origin(info.annotation) is list:
        choice = "(" + "|".join(values) + ")"
        constraints["pattern"] = f"^{choice}(;{choice})*$"
        field["description"] = "';'-separated list of: " + ", ".join(values)
    elif values:
        constraints["enum"] = values
    elif name in NUMBERS:
        field["type"] = "number"
        constraints.update(minimum=NUMBERS[name][0], maximum=NUMBERS[name][1])
    elif name in INTEGERS:
        field["type"] = "integer"
        constraints["minimum"] = 1 if name == "seq" else 0
    elif name in FLOATS:
        field["type"] = "number"
    elif name in DATES:
        constraints["pattern"] = DATE
        field["description"] = "YYYY-MM-DD, YYYY-MM or YYYY: the precision the source supports"
    elif name == "refs":
        constraints["pattern"] = f"^{SLUG}(;{SLUG})*$"
        field["description"] = "reference ids, ';'-separated (each is checked through citations.csv)"
    elif name in LIST_FIELDS:
        field["description"] = "';'-separated list"
    elif name == "id" or name in LINKS:
        constraints["pattern"] = f"^{SLUG}$" if info.is_required() else f"^({SLUG})?$"
    if constraints:
        field["constraints"] = constraints
    return field


def _files(root: Path, spec: TableSpec) -> list[str]:
    return [p.relative_to(root).as_posix() for p in sorted(root.glob(spec.pattern))]


def resource(root: Path, spec: TableSpec) -> dict | None:
    """A table as one resource: its files (several batches are parts of one resource), schema and keys."""
    files = _files(root, spec)
    if not files:
        return None
    fields = [field_schema(name, info) for name, info in spec.model.model_fields.items()]
    names = [f["name"] for f in fields]
    schema: dict = {"fields": fields, "missingValues": [""]}
    schema["primaryKey"] = ["id"] if "id" in names else ["plot_id", "seq"]
    keys = [{"fields": [name], "reference": {"resource": LINKS[name], "fields": ["id"]}}
            for name in names if name in LINKS]
    if keys:
        schema["foreignKeys"] = keys
    return {"name": spec.name.replace("_", "-"), "path": files if len(files) > 1 else files[0],
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": schema}


def citations(sources: Sources) -> bytes:
    """Every citation of every record: table, record id, reference id; sorted, so a diff reads well."""
    rows = set()
    for name, table in sources.tables.items():
        for record in table.records:
            for ref in getattr(record, "refs", None) or ():
                key = getattr(record, "id", None) or f"{record.plot_id}-{record.seq}"
                rows.add((name, key, ref))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", "record_id", "ref_id"])
    writer.writerows(sorted(rows))
    return buffer.getvalue().encode("utf-8")


def package(root: Path = SOURCES) -> dict:
    """The data package descriptor of the tables under root."""
    resources = [r for spec in TABLES if (r := resource(root, spec)) is not None]
    resources.append({
        "name": "citations", "path": CITATIONS, "profile": "tabular-data-resource", "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8",
        "description": "Derived by `python -m geo datapackage`: one row per reference a record cites, so the "
                       "references' foreign key can be checked (Table Schema keys are single values, refs are lists).",
        "schema": {"fields": [{"name": "table", "type": "string", "constraints": {"required": True}},
                              {"name": "record_id", "type": "string", "constraints": {"required": True}},
                              {"name": "ref_id", "type": "string", "constraints": {"required": True}}],
                   "primaryKey": ["table", "record_id", "ref_id"],
                   "foreignKeys": [{"fields": ["ref_id"], "reference": {"resource": "references", "fields": ["id"]}}]},
    })
    return {
        "name": "islamic-state-territory-provinces-plots",
        "title": "Islamic State territorial control, provinces and external plots, 2013 to today: curated tables",
        "description": "Hand-curated, sourced tables behind the map; every record cites the references table. "
                       "See data/sources/README.md for what each column means and docs/ for the methods.",
        "profile": "tabular-data-package",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
    }


def write_package(sources: Sources, root: Path = SOURCES) -> list[Path]:
    """Write datapackage.json and citations.csv beside the tables; return the paths written."""
    descriptor = json.dumps(package(root), indent=2, ensure_ascii=False) + "\n"
    (root / PACKAGE).write_text(descriptor, encoding="utf-8")
    (root / CITATIONS).write_bytes(citations(sources))
    return [root / PACKAGE, root / CITATIONS]
