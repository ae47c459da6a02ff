"""Hostile copies of the fixture sources: every free-text field carries a payload that must stay inert."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

FREE_TEXT = {
    "name", "aliases", "summary", "note", "title", "publisher", "target_place", "attribution_note",
    "anchor_name", "anchor_note", "rival", "detail", "label", "scope", "place",
}
SENTINEL = "__pwned"


def payloads(marker: Path) -> list[str]:
    """Breakouts for HTML, JS template literals, script blocks and Jinja (the last would create marker)."""
    return [
        f'<img src=x onerror="window.{SENTINEL}=1">',
        f"`${{window.{SENTINEL}=1}}`",
        f"</script><script>window.{SENTINEL}=1</script>",
        "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}",
        "{% for x in range(3) %}{{ x }}{% endfor %}",
        f"\\`; window.{SENTINEL}=1; //",
        "\u202eevil\u200f mark",
        "<svg onload=window." + SENTINEL + "=1>" + "A" * 300,
    ]


def rewrite_free_text(root: Path, new_text, address_suffix: str = "") -> int:
    """Replace every non-empty free-text cell under root with new_text(column, old, n); return the count."""
    count = 0
    for path in sorted(root.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            header, rows = list(reader.fieldnames or []), list(reader)
        for row in rows:
            for column in header:
                if column in FREE_TEXT and row[column]:
                    row[column] = new_text(column, row[column], count)
                    count += 1
            if "address" in row and address_suffix:
                row["address"] += address_suffix
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return count


def make_hostile_sources(source: Path, target: Path, marker: Path) -> list[str]:
    """Copy source to target with payloads in every free-text field; return the payloads used."""
    shutil.copytree(source, target)
    values = payloads(marker)
    rewrite_free_text(target, lambda column, old, n: f"{old} {values[n % len(values)]}",
                      address_suffix='?q="><img src=x onerror=window.' + SENTINEL + "=1>")
    return values
