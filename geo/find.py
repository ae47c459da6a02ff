"""Finding a place by name, forgiving of spelling, and the months a territory place was held."""

from __future__ import annotations

import difflib
import re

import geopandas as gpd

MAX_MATCHES = 8
_SUFFIX = re.compile(r"\s*\([^)]*\)")


def _core(name: str) -> str:
    """'Mosul (west bank) (territory)' -> 'mosul': what a person types."""
    return _SUFFIX.sub("", name).casefold().strip()


def place_matches(query: str, names: list[str]) -> list[str]:
    """Names containing every word of the query, those starting with it first (case-insensitive); if none,
    the names closest in spelling ('Mosoul' finds Mosul, 'Rakka' Raqqa)."""
    words = query.casefold().split()
    if not words:
        return []
    hits = [name for name in names if all(w in name.casefold() for w in words)]
    if hits:
        return sorted(hits, key=lambda n: (not n.casefold().startswith(words[0]), n))[:MAX_MATCHES]
    by_core: dict[str, list[str]] = {}
    for name in names:
        by_core.setdefault(_core(name), []).append(name)
    close = difflib.get_close_matches(" ".join(words), list(by_core), n=MAX_MATCHES, cutoff=0.6)
    return [name for core in close for name in sorted(by_core[core])][:MAX_MATCHES]


def held_months(territory: gpd.GeoDataFrame) -> dict[str, list[tuple[str, str | None]]]:
    """Each territory place's IS intervals as (first month held, first month no longer held or None), in order:
    what 'find a place' uses to open a date when the place was held."""
    out: dict[str, list[tuple[str, str | None]]] = {}
    cores = territory[territory["zone"] == "core"]
    for place, start, end in sorted(zip(cores["place"], cores["start"], cores["end"]), key=lambda r: (r[0], r[1])):
        span = (str(start)[:7], str(end)[:7] if isinstance(end, str) and end else None)
        if span not in out.setdefault(place, []):
            out[place].append(span)
    return out


def month_held(spans: list[tuple[str, str | None]], month: str) -> str | None:
    """`month` if the place was held then; else the nearest month it was held (the first month of the closest
    interval), or None if it never was."""
    if any(start <= month and (end is None or month < end) for start, end in spans):
        return month
    if not spans:
        return None
    def distance(span: tuple[str, str | None]) -> int:
        start = int(span[0][:4]) * 12 + int(span[0][5:7])
        return abs(start - (int(month[:4]) * 12 + int(month[5:7])))
    return min(spans, key=distance)[0]
