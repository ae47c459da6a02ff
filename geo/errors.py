"""One error hierarchy for loading, validating, building and exporting data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class GeoError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem in a source table: where it is, what is wrong, how to fix it."""

    file: str
    row: int | None
    column: str | None
    message: str
    hint: str = ""

    # What a row and a column are called in this kind of file (a briefing says scene and field).
    ROW_WORD = "row"
    COLUMN_WORD = "column"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", {self.ROW_WORD} {self.row}"
        if self.column:
            where += f", {self.COLUMN_WORD} '{self.column}'"
        text = f"{where}: {self.message}"
        return f"{text} (fix: {self.hint})" if self.hint else text


class SourceError(GeoError):
    """One or more problems found in the curated tables; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in data/sources:\n{lines}")


class ArgumentError(GeoError):
    """A bad filter or command-line argument (a date, a bbox, an unknown value)."""


class BuildError(GeoError):
    """The build could not complete for a reason other than the sources' content."""


def display_path(path: Path, base: Path | None = None) -> str:
    """A short path for messages: relative to base when possible."""
    try:
        return str(path.relative_to(base)) if base else str(path)
    except ValueError:
        return str(path)
