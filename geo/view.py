"""A map view (date, layers, filters, centre, zoom) and its defensive round trip through URL query parameters."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date

from geo.dates import month_end
from geo.filters import LINKS, OUTCOMES, DateRange, Filters, TimeFilter
from geo.regions import REGION_IDS, region_names

FIRST_MONTH = (2013, 1)
LAYER_IDS = ("territory", "affiliates", "plots")
WINDOW_MODES = ("moving", "cumulative", "range")
THEME_NAMES = ("default", "projector", "print")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
MAX_PARAM = 400


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_options(today: date) -> list[str]:
    """Every month from January 2013 to the current month, as YYYY-MM."""
    year, month = FIRST_MONTH
    out = []
    while (year, month) <= (today.year, today.month):
        out.append(month_key(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_date(key: str, today: date) -> date:
    """The day a month stands for on the map: its last day, or today in the current month."""
    year, month = int(key[:4]), int(key[5:7])
    return min(month_end(year, month), today)


def shift_month(key: str, months: int) -> str:
    index = int(key[:4]) * 12 + int(key[5:7]) - 1 + months
    return month_key(index // 12, index % 12 + 1)


# The casualty thresholds a view may filter plots by (at least N killed): few, so links and widgets agree.
KILLED_STEPS = (0, 1, 5, 10, 20, 50, 100)

@dataclass(frozen=True)
class View:
    month: str
    layers: tuple[str, ...] = LAYER_IDS
    provinces: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_killed: int = 0  # plots with at least this many killed (one of KILLED_STEPS; 0 = all)
    regions: tuple[str, ...] = ()  # target regions, by id (geo.regions.REGION_IDS)
    window: str = "moving"
    window_months: int = 12
    range_from: str | None = None
    range_to: str | None = None
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    theme: str = "default"
    compare: str | None = None  # a second month: the map shades ground gained and lost between the two
    swipe: bool = False  # with a compare month: the two dates side by side, split by a divider, not shaded

    def plot_window(self, today: date) -> tuple[date, date]:
        """The days of plots shown: a moving window ending at the map date, everything so far, or a range."""
        end = month_date(self.month, today)
        if self.window == "cumulative":
            return date(2013, 1, 1), end
        if self.window == "range" and self.range_from and self.range_to:
            first = self.range_from + "-01"
            return date.fromisoformat(first), month_date(self.range_to, today)
        start_key = shift_month(self.month, -(self.window_months - 1))
        return date.fromisoformat(start_key + "-01"), end


def default_view(today: date) -> View:
    """The opening view: December 2014, near the peak of the territory IS held."""
    return View(month="2014-12")


def _list(raw: str, valid, name: str, notices: list[str]) -> tuple[str, ...] | None:
    items = [part.strip() for part in raw.split(",") if part.strip()]
    bad = [item for item in items if not valid(item)]
    if bad:
        notices.append(f"Ignored '{name}': unknown value(s).")
        return None
    return tuple(dict.fromkeys(items))


def parse_query(params: dict[str, str], today: date, *, provinces: frozenset[str] = frozenset(),
                countries: frozenset[str] = frozenset()) -> tuple[View, list[str]]:
    """A view from query parameters; anything bad falls back to the default with a notice. Never raises."""
    view = default_view(today)
    notices: list[str] = []
    months = month_options(today)
    changes: dict = {}
    for key, raw in params.items():
        raw = str(raw)
        if len(raw) > MAX_PARAM:
            notices.append("Ignored a parameter that is too long.")
            continue
        if key == "date":
            match = _MONTH.match(raw)
            if match and raw in months:
                changes["month"] = raw
            else:
                notices.append("Ignored 'date': expected a month YYYY-MM between 2013-01 and now.")
        elif key == "layers":
            value = _list(raw, lambda x: x in LAYER_IDS, key, notices) if raw != "none" else ()
            if value is not None:
                changes["layers"] = value
        elif key == "province":
            value = _list(raw, lambda x: bool(_ID.match(x)) and (not provinces or x in provinces), key, notices)
            if value is not None:
                changes["provinces"] = value
        elif key == "link":
            value = _list(raw, lambda x: x in LINKS, key, notices)
            if value is not None:
                changes["links"] = value
        elif key == "outcome":
            value = _list(raw, lambda x: x in OUTCOMES, key, notices)
            if value is not None:
                changes["outcomes"] = value
        elif key == "country":
            value = _list(raw, lambda x: bool(_ISO3.match(x)) and (not countries or x in countries), key, notices)
            if value is not None:
                changes["countries"] = value
        elif key == "region":
            value = _list(raw, lambda x: x in REGION_IDS, key, notices)
            if value is not None:
                changes["regions"] = value
            else:
                notices[-1] = "Ignored 'region': expected one or more of " + ", ".join(REGION_IDS) + "."
        elif key == "killed":
            if len(raw) <= 6 and raw.isascii() and raw.isdigit() and int(raw) in KILLED_STEPS:
                changes["min_killed"] = int(raw)
            else:
                notices.append("Ignored 'killed': expected one of " + ", ".join(map(str, KILLED_STEPS)) + ".")
        elif key == "window":
            if raw in WINDOW_MODES:
                changes["window"] = raw
            else:
                notices.append("Ignored 'window': expected moving, cumulative or range.")
        elif key == "months":
            if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 120:
                changes["window_months"] = int(raw)
            else:
                notices.append("Ignored 'months': expected a whole number from 1 to 120.")
        elif key in ("from", "to"):
            if raw in months:
                changes["range_from" if key == "from" else "range_to"] = raw
            else:
                notices.append(f"Ignored '{key}': expected a month YYYY-MM between 2013-01 and now.")
        elif key in ("lat", "lon"):
            try:
                number = float(raw)
            except ValueError:
                number = float("nan")
            limit = 85 if key == "lat" else 180
            if number == number and -limit <= number <= limit:
                changes[key] = round(number, 4)
            else:
                notices.append(f"Ignored '{key}': expected a number within ±{limit}.")
        elif key == "zoom":
            if raw.isascii() and raw.isdigit() and 2 <= int(raw) <= 12:
                changes["zoom"] = int(raw)
            else:
                notices.append("Ignored 'zoom': expected a whole number from 2 to 12.")
        elif key == "compare":
            if _MONTH.match(raw) and raw in months:
                changes["compare"] = raw
            else:
                notices.append("Ignored 'compare': expected a month YYYY-MM between 2013-01 and now.")
        elif key == "swipe":
            if raw in ("0", "1"):
                changes["swipe"] = raw == "1"
            else:
                notices.append("Ignored 'swipe': expected 1 (side by side) or 0 (shading).")
        elif key == "theme":
            if raw in THEME_NAMES:
                changes["theme"] = raw
            else:
                notices.append("Ignored 'theme': expected default, projector or print.")
        else:
            name = key if re.fullmatch(r"[a-z_]{1,20}", key) else None
            notices.append(f"Ignored unknown parameter '{name}'." if name else "Ignored an unknown parameter.")
    if ("lat" in changes) != ("lon" in changes):
        changes.pop("lat", None)
        changes.pop("lon", None)
        notices.append("Ignored 'lat'/'lon': both are needed.")
    if changes.get("range_from") and changes.get("range_to") and changes["range_from"] > changes["range_to"]:
        changes.pop("range_from")
        changes.pop("range_to")
        notices.append("Ignored 'from'/'to': 'from' is after 'to'.")
    # A range is a pair of months for window=range; a lone month, or a range without that window, would not
    # survive the view's own link, so it is dropped here with a notice (hypothesis found `?from=2013-01`).
    has_range = "range_from" in changes and "range_to" in changes
    if ("range_from" in changes or "range_to" in changes) and not (has_range and changes.get("window") == "range"):
        changes.pop("range_from", None)
        changes.pop("range_to", None)
        notices.append("Ignored 'from'/'to': they go together, with window=range.")
    return replace(view, **changes), notices


def to_query(view: View, today: date) -> dict[str, str]:
    """The query parameters that restore a view (defaults left out, so links stay short)."""
    base = default_view(today)
    out: dict[str, str] = {"date": view.month}
    if view.layers != base.layers:
        out["layers"] = ",".join(view.layers) or "none"
    for key, value in (("province", view.provinces), ("link", view.links), ("outcome", view.outcomes),
                       ("country", view.countries), ("region", view.regions)):
        if value:
            out[key] = ",".join(value)
    if view.min_killed:
        out["killed"] = str(view.min_killed)
    if view.window != base.window:
        out["window"] = view.window
    if view.window == "moving" and view.window_months != base.window_months:
        out["months"] = str(view.window_months)
    if view.window == "range" and view.range_from and view.range_to:
        out["from"], out["to"] = view.range_from, view.range_to
    if view.lat is not None and view.lon is not None:
        out["lat"], out["lon"] = f"{view.lat:.4f}", f"{view.lon:.4f}"
    if view.zoom is not None:
        out["zoom"] = str(view.zoom)
    if view.theme != base.theme:
        out["theme"] = view.theme
    if view.compare:
        out["compare"] = view.compare
        if view.swipe:
            out["swipe"] = "1"
    return out


def selection(view: View, today: date) -> dict[str, tuple[TimeFilter, Filters]]:
    """What a view shows, per layer, as the filters `python -m geo export` takes."""
    day = month_date(view.month, today)
    first, last = view.plot_window(today)
    return {
        "territory": (TimeFilter(on=day), Filters()),
        "affiliates": (TimeFilter(on=day), Filters(provinces=view.provinces)),
        "plots": (TimeFilter(window=DateRange(first, last)),
                  Filters(provinces=view.provinces, outcomes=view.outcomes, links=view.links,
                          countries=view.countries, min_killed=view.min_killed,
                          regions=region_names(view.regions))),
    }


def month_from_map(value: object, today: date) -> str | None:
    """The month the browser map reports after a step, if it is one the slider offers (else None: ignored)."""
    if isinstance(value, str) and _MONTH.match(value) and value in month_options(today):
        return value
    return None


def centre_from_map(value: object) -> tuple[float, float, int] | None:
    """Centre and zoom the browser map reports, as (lat, lon, zoom) the URL accepts, or None: latitude
    clamped to ±85, longitude wrapped into ±180 (a map panned round the world), zoom a whole number 2 to 12."""
    if not isinstance(value, dict) or not isinstance(value.get("center"), dict):
        return None
    lat, lon, zoom = value["center"].get("lat"), value["center"].get("lng"), value.get("zoom")
    numbers = (lat, lon, zoom)
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n) for n in numbers):
        return None
    if zoom != int(zoom) or not 2 <= zoom <= 12:
        return None
    lon = (lon + 180) % 360 - 180
    return round(max(-85.0, min(85.0, lat)), 4), round(lon, 4), int(zoom)


def view_state(view: View, today: date) -> dict:
    """The state the browser map applies for a view (no feature data: just dates, layers and filters).

    `month`, `window` and `timeline` let the map step through time by itself: it derives the date and the plot
    window of any month the same way as `View.plot_window`, so a step needs no server round trip."""
    first, last = view.plot_window(today)
    day = month_date(view.month, today)
    return {
        "month": view.month,
        "timeline": {"first": month_key(*FIRST_MONTH), "last": month_options(today)[-1], "today": today.isoformat()},
        "window": {"kind": view.window, "months": view.window_months, "from": view.range_from,
                   "to": view.range_to},
        "date": day.isoformat(),
        "label": day.strftime("%d %b %Y"),
        "layers": {**{layer: layer in view.layers for layer in LAYER_IDS}, "user": True},
        "plots_from": first.isoformat(),
        "plots_to": last.isoformat(),
        "filters": {"provinces": list(view.provinces), "links": list(view.links),
                    "outcomes": list(view.outcomes), "countries": list(view.countries),
                    "min_killed": view.min_killed, "regions": list(region_names(view.regions))},
        "compare": ({"month": view.compare, "date": month_date(view.compare, today).isoformat(), "swipe": view.swipe}
                    if view.compare else None),
    }
