"""Edit one cell, row or file of a copied source table, to test how the loader reports it."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or []), list(reader)


def write_table(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def set_cell(path: Path, row_id: str, column: str, value: str) -> int:
    """Set one cell; return the spreadsheet row number (header = 1) of the edited row."""
    header, rows = read_table(path)
    for index, row in enumerate(rows):
        if row["id"] == row_id:
            row[column] = value
            write_table(path, header, rows)
            return index + 2
    raise KeyError(row_id)


def append_row(path: Path, values: dict[str, str]) -> int:
    header, rows = read_table(path)
    rows.append({column: values.get(column, "") for column in header})
    write_table(path, header, rows)
    return len(rows) + 1
