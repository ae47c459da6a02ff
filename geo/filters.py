"""Time and attribute filters shared by the command line, the app and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import shapely

from geo.dates import parse_day
from geo.errors import ArgumentError
from geo.models import Link, Outcome

LINKS: tuple[str, ...] = ("directed", "enabled", "inspired", "unknown")
OUTCOMES: tuple[str, ...] = ("attack", "failed", "foiled")


class BBox(NamedTuple):
    """West, south, east, north in degrees."""

    west: float
    south: float
    east: float
    north: float


class DateRange(NamedTuple):
    """An inclusive window of days."""

    first: date
    last: date


@dataclass(frozen=True)
class Filters:
    """Attribute filters; an empty tuple means no filter on that attribute."""

    provinces: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    links: tuple[Link, ...] = ()
    countries: tuple[str, ...] = ()
    bbox: BBox | None = None
    # Plots with at least this many people killed (0 = no filter); a plot whose toll is not known is left out.
    min_killed: int = 0
    # Target regions by name (geo.regions); only plots carry a region.
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimeFilter:
    """Either the state on one day, or what starts inside a window; neither = no time filter."""

    on: date | None = None
    window: DateRange | None = None

    def __post_init__(self) -> None:
        if self.on is not None and self.window is not None:
            raise ArgumentError("give either a date or a from/to window, not both")


def parse_bbox(text: str) -> BBox:
    """'west,south,east,north' in degrees."""
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ArgumentError(f"bbox '{text}' must be four numbers: west,south,east,north") from None
    if len(values) != 4:
        raise ArgumentError(f"bbox '{text}' must be four numbers: west,south,east,north")
    west, south, east, north = values
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south < north <= 90 and west < east):
        raise ArgumentError(f"bbox '{text}' is not west<east, south<north within lon/lat ranges")
    return BBox(west, south, east, north)


def parse_window(first: str, last: str) -> DateRange:
    try:
        window = DateRange(parse_day(first), parse_day(last))
    except ValueError as exc:
        raise ArgumentError(str(exc)) from None
    if window.last < window.first:
        raise ArgumentError(f"--to {last} is before --from {first}")
    return window


def _start_column(frame: gpd.GeoDataFrame) -> str:
    return "date" if "date" in frame.columns else "start"


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def active_on(frame: gpd.GeoDataFrame, day: date) -> gpd.GeoDataFrame:
    """What holds on a day: start <= day < end (open end = still true); an event holds on its own day."""
    if frame.empty:
        return frame
    iso = day.isoformat()
    start = _text(frame[_start_column(frame)])
    if "end" not in frame.columns:
        return frame[start == iso]
    end = _text(frame["end"])
    # An open start (a user's feature without dates) holds on every day.
    mask = (start.isna() | (start <= iso)) & (end.isna() | (end > iso))
    return frame[mask.astype(bool)]


def starts_within(frame: gpd.GeoDataFrame, window: DateRange) -> gpd.GeoDataFrame:
    """What starts inside an inclusive window of days."""
    if frame.empty:
        return frame
    start = _text(frame[_start_column(frame)])
    mask = start.notna() & (start >= window.first.isoformat()) & (start <= window.last.isoformat())
    return frame[mask.astype(bool)]


def _matches_any(values: pd.Series, wanted: tuple[str, ...]) -> pd.Series:
    def hit(value: object) -> bool:
        if isinstance(value, (list, tuple)):
            return any(v in wanted for v in value)
        return value in wanted
    return values.map(hit).astype(bool)


def apply_filters(frame: gpd.GeoDataFrame, filters: Filters) -> gpd.GeoDataFrame:
    """Keep features matching every given attribute filter (columns a layer lacks are ignored)."""
    out = frame
    if filters.provinces:
        column = "province_id" if "province_id" in out.columns else "id"
        if "place_id" not in out.columns:
            out = out[_matches_any(out[column], filters.provinces)]
    if filters.outcomes and "outcome" in out.columns:
        out = out[_matches_any(out["outcome"], filters.outcomes)]
    if filters.links and "link" in out.columns:
        out = out[_matches_any(out["link"], filters.links)]
    if filters.countries:
        column = "countries" if "countries" in out.columns else "country"
        if column in out.columns:
            out = out[_matches_any(out[column], filters.countries)]
    if filters.regions and "region" in out.columns:
        out = out[_matches_any(out["region"], filters.regions)]
    if filters.min_killed > 0 and "killed" in out.columns:
        killed = pd.to_numeric(out["killed"], errors="coerce")
        out = out[killed.notna() & (killed >= filters.min_killed)]
    if filters.bbox is not None and not out.empty:
        box = shapely.box(*filters.bbox)
        if "target_lon" in out.columns:
            points = gpd.points_from_xy(out["target_lon"], out["target_lat"])
            out = out[shapely.intersects(points, box)]
        else:
            out = out[out.geometry.intersects(box)]
    return out


def apply_time(frame: gpd.GeoDataFrame, time: TimeFilter) -> gpd.GeoDataFrame:
    if time.on is not None:
        return active_on(frame, time.on)
    if time.window is not None:
        return starts_within(frame, time.window)
    return frame
