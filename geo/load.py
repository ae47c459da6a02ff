"""Read the curated CSV tables into typed records, collecting every problem with its file, row and column."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from geo import models
from geo.errors import Problem, SourceError

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class Where:
    """A record's place in the sources, for messages."""

    file: str
    row: int


@dataclass
class Table(Generic[T]):
    """The rows of one table (possibly several files), in file and row order."""

    name: str
    records: list[T] = field(default_factory=list)
    where: dict[int, Where] = field(default_factory=dict)
    failed_ids: set[str] = field(default_factory=set)  # ids of rows already reported as invalid

    def locate(self, record: T) -> Where:
        return self.where[id(record)]

    def by_id(self) -> dict[str, T]:
        return {getattr(r, "id"): r for r in self.records}


@dataclass(frozen=True)
class TableSpec:
    name: str
    pattern: str
    model: type[BaseModel]
    required: bool = True


TABLES: tuple[TableSpec, ...] = (
    TableSpec("references", "references/*.csv", models.Reference),
    TableSpec("places", "territory/places*.csv", models.Place),
    TableSpec("control", "territory/control*.csv", models.ControlInterval),
    TableSpec("others", "territory/others*.csv", models.OtherHeld, required=False),
    TableSpec("area_estimates", "territory/area_estimates*.csv", models.AreaEstimate, required=False),
    TableSpec("provinces", "affiliates/provinces*.csv", models.Province),
    TableSpec("regions", "affiliates/regions*.csv", models.Region),
    TableSpec("events", "affiliates/events*.csv", models.ProvinceEvent, required=False),
    TableSpec("strength", "affiliates/strength*.csv", models.StrengthEstimate, required=False),
    TableSpec("rivals", "affiliates/rivals*.csv", models.Rival, required=False),
    TableSpec("phases", "affiliates/phases*.csv", models.Phase, required=False),
    TableSpec("areas", "affiliates/areas*.csv", models.Area, required=False),
    TableSpec("plots", "plots/plots*.csv", models.Plot),
    TableSpec("legs", "plots/legs*.csv", models.PlotLeg, required=False),
    TableSpec("figures", "figures*.csv", models.Figure, required=False),
)

MAX_FILE_BYTES = 5_000_000


@dataclass
class Sources:
    """Every curated table, loaded."""

    root: Path
    tables: dict[str, Table] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Table:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def _columns(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _message(error: dict) -> tuple[str, str]:
    """Turn one pydantic error into (message, hint)."""
    msg = str(error.get("msg", "is not valid"))
    msg = msg.removeprefix("Value error, ")
    kind = error.get("type", "")
    value = error.get("input")
    shown = repr(value) if value is not None and len(str(value)) < 60 else "this value"
    hints = {
        "literal_error": "use one of the allowed values listed in data/sources/README.md",
        "string_pattern_mismatch": "see the column's format in data/sources/README.md",
        "float_parsing": "write a plain number such as 36.335",
        "int_parsing": "write a whole number, or leave empty if not known",
        "greater_than_equal": "the number is too small",
        "less_than_equal": "the number is too large",
        "too_short": "add at least one reference id",
    }
    return f"{shown} {msg[0].lower() + msg[1:]}" if msg else "is not valid", hints.get(kind, "")


def read_rows(path: Path, rel: str, columns: list[str], problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV file's rows as dicts; report encoding, size and header problems."""
    if path.stat().st_size > MAX_FILE_BYTES:
        problems.append(Problem(rel, None, None, f"is larger than {MAX_FILE_BYTES // 1_000_000} MB", "split it"))
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, None, None, f"is not UTF-8 text (byte {exc.start})", "save the file as UTF-8"))
        return []
    lines = text.splitlines()
    if not lines:
        problems.append(Problem(rel, None, None, "is empty", "add the header row: " + ",".join(columns)))
        return []
    reader = csv.reader(lines)
    header = [h.strip() for h in next(reader)]
    missing = [c for c in columns if c not in header]
    unknown = [h for h in header if h not in columns]
    for name in missing:
        problems.append(Problem(rel, 1, name, "column is missing from the header", "add it; see data/sources/README.md"))
    for name in unknown:
        problems.append(Problem(rel, 1, name, "is not a column of this table", "remove it or fix its spelling"))
    if missing or unknown:
        return []
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            problems.append(Problem(rel, number, None, "is blank", "delete the blank row"))
            continue
        if len(values) != len(header):
            problems.append(Problem(
                rel, number, None, f"has {len(values)} fields, the header has {len(header)}",
                "quote any field that contains a comma",
            ))
            continue
        rows.append((number, dict(zip(header, values))))
    return rows


def load_table(root: Path, spec: TableSpec, problems: list[Problem]) -> Table:
    """Load every file of one table; bad rows are reported and skipped."""
    table: Table = Table(spec.name)
    files = sorted(root.glob(spec.pattern))
    if spec.required and not files:
        problems.append(Problem(f"data/sources/{spec.pattern}", None, None, "no file found", "add the table"))
    columns = _columns(spec.model)
    for path in files:
        rel = "data/sources/" + path.relative_to(root).as_posix()
        for number, raw in read_rows(path, rel, columns, problems):
            try:
                record = spec.model.model_validate(raw)
            except ValidationError as exc:
                for error in exc.errors():
                    column = str(error["loc"][0]) if error.get("loc") else None
                    message, hint = _message(error)
                    problems.append(Problem(rel, number, column, message, hint))
                table.failed_ids.add(raw.get("id", "").strip())
                continue
            table.records.append(record)
            table.where[id(record)] = Where(rel, number)
    return table


def load_sources(root: Path, *, strict: bool = True) -> tuple[Sources, list[Problem]]:
    """Load all tables under root. With strict, raise SourceError on any problem."""
    problems: list[Problem] = []
    sources = Sources(root)
    for spec in TABLES:
        sources.tables[spec.name] = load_table(root, spec, problems)
    if strict and problems:
        raise SourceError(problems)
    return sources, problems
