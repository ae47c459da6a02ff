"""The map's layers for any folium.Map (notebooks): territory, provinces and plots on a date, styled as in the app.

    from layers.folium_layers import legend, offline_map, plots, provinces, territory
    m = offline_map(location=[34.8, 40.2], zoom_start=6)   # or any folium.Map
    for layer in (territory("2015-06-30"), provinces("2015-06-30"), plots("2015-06-30", months=12)):
        layer.add_to(m)
    legend("territory", "provinces", "plots").add_to(m)

No data value enters a folium or Jinja template: each layer is one fixed template that hands its features to a
small script (static/islayers.js) as escaped JSON (layers.escape.safe_json), and the script writes every text
with textContent. Popups show the same fields as the app's, formatted on the Python side.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from pathlib import Path

import folium
import geopandas as gpd
import xstatic.pkg.leaflet as xleaflet
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.countries import country_names
from geo.dates import months_between, parse_day
from geo.export import load_layer, select
from geo.filters import DateRange, Filters, TimeFilter
from geo.geojson import features_of
from geo.paths import GEOJSON
from layers import affiliates as affiliates_def
from layers import plots as plots_def
from layers import territory as territory_def
from layers.base import LayerDef, PopupField
from layers.escape import safe_json

SCRIPT = Path(__file__).resolve().parent.parent / "static" / "islayers.js"
DEFS = {"territory": territory_def.LAYER, "provinces": affiliates_def.LAYER, "plots": plots_def.LAYER}
BUILT = {"territory": "territory", "provinces": "affiliates", "plots": "plots"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
LABELS = {"attack": "attack carried out", "failed": "attack attempted, failed", "foiled": "plot foiled",
          "unknown": "not made public", "is_claim": "IS claim", "official": "official attribution",
          "court": "court finding", "pledge": "documented pledge", "affiliated": "pledged group (before IS named a "
          "province)", "active": "active province", "degraded": "degraded (lost its ground or most fighters)",
          "dormant": "dormant (little or no claimed activity)"}
QUALIFIERS = {"fewer_than": "fewer than ", "about": "about ", "at_least": "at least ", "up_to": "up to ",
              "more_than": "more than "}


class _WithScript(MacroElement):
    """An element that needs islayers.js: it puts the script (a fixed project file, no data) in the page's head
    once, however many layers use it."""

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        if isinstance(figure, Figure) and "islayers_js" not in figure.header._children:
            figure.header.add_child(Element(f"<script>{_script_text()}</script>"), name="islayers_js")
        super().render(**kwargs)


class _Draw(_WithScript):
    """Hands one layer's features and look to islayers.js, which draws them into the parent group."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.ISLayers.draw({{ this._parent.get_name() }}, {{ this.spec_json }});"
        "{% endmacro %}"
    )

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._name = "ISLayersDraw"
        self.spec_json = safe_json(spec)



def _script_text() -> str:
    return SCRIPT.read_text(encoding="utf-8")


class _InlineLeaflet(folium.Map):
    """A folium.Map that carries Leaflet inside its HTML (no CDN, no server): opens from a file, offline."""

    default_js: list = []
    default_css: list = []


def offline_map(**kwargs) -> folium.Map:
    """A folium.Map whose saved HTML needs no network: Leaflet's script and styles are inlined (about 160 kB),
    and no tiles unless `tiles` is given."""
    kwargs.setdefault("tiles", None)
    m = _InlineLeaflet(**kwargs)
    leaflet = Path(xleaflet.BASE_DIR)
    css = (leaflet / "leaflet.css").read_text(encoding="utf-8")
    js = (leaflet / "leaflet.js").read_text(encoding="utf-8")
    m.get_root().header.add_child(Element(f"<style>{css}</style><script>{js}</script>"), name="leaflet_inline",
                                  index=0)
    return m


def _date_text(iso: str | None, precision: str | None) -> str:
    if not iso:
        return ""
    year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    if precision == "year":
        return str(year)
    if precision == "month":
        return f"{MONTHS[month - 1]} {year}"
    return f"{day} {MONTHS[month - 1]} {year}"


def _label(value: object) -> str:
    return LABELS.get(str(value), str(value).replace("_", " "))


def _strength(s: dict) -> str:
    low, high = s.get("low"), s.get("high")
    span = f"{low:,}–{high:,}" if high not in (None, low) and low is not None else f"{low:,}" if low is not None else "?"
    return f"{QUALIFIERS.get(s.get('qualifier') or '', '')}{span} ({_date_text(s.get('as_of'), s.get('as_of_precision'))})"


def field_text(field: PopupField, props: dict, day: str) -> str:
    """One popup value as the app's popup shows it on the map date (day, ISO)."""
    value = props.get(field.prop)
    names = country_names()
    fmt = field.format
    if fmt == "date":
        if not value:
            return "still true on the record" if field.prop == "end" else ""
        precision = props.get(f"{field.prop}_precision")
        note = f" (precision: {precision})" if precision and precision != "day" else ""
        return _date_text(value, precision) + note
    if fmt == "victims":
        return "" if props.get("outcome") == "foiled" else ("not reported" if value in (None, "") else f"{value:,}")
    if fmt == "km2":
        return "" if value is None else f"{round(value):,} km²"
    if fmt == "country":
        return names.get(str(value), str(value or ""))
    if fmt == "countries":
        return ", ".join(names.get(str(v), str(v)) for v in value or [])
    if fmt == "label":
        return "" if value is None else _label(value)
    if fmt == "labels":
        return ", ".join(_label(v) for v in value or [])
    if fmt == "strength_latest":
        known = [s for s in value or [] if str(s.get("as_of", "")) <= day]
        return _strength(known[-1]) + (f" · {len(known)} estimates so far" if len(known) > 1 else "") if known else ""
    if fmt == "rivals_then":
        return ", ".join(r["rival"] for r in value or []
                         if (not r.get("start") or r["start"] <= day) and (not r.get("end") or r["end"] > day))
    if fmt == "strength_series":
        return ""
    if isinstance(value, dict):
        return " · ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v.get("detail", v)) if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _spec(name: str, frame: gpd.GeoDataFrame, day: str, theme: str, references: dict[str, dict]) -> dict:
    """What islayers.js needs for one layer: features (with style key, title and popup rows), styles, sources."""
    definition: LayerDef = DEFS[name]
    features = []
    cited: set[str] = set()
    for feature in features_of(BUILT[name], frame):
        props = feature["properties"]
        rows = [[f.label, text] for f in definition.fields if (text := field_text(f, props, day))]
        cited.update(props.get("refs") or [])
        features.append({"type": "Feature", "geometry": feature["geometry"], "properties": {
            "style": definition.style_key(props), "title": str(props.get(definition.title_prop) or props["id"]),
            "rows": rows, "refs": list(props.get("refs") or []), "id": props["id"]}})
    return {"name": definition.name, "kind": definition.kind_label, "features": features,
            "styles": definition.styles(theme),
            "refs": {ref: references[ref] for ref in sorted(cited) if ref in references}}


def _references(geojson_dir: Path) -> dict[str, dict]:
    path = geojson_dir / "references.json"
    return _read_references(str(path), path.stat().st_mtime_ns) if path.exists() else {}


@functools.lru_cache(maxsize=4)
def _read_references(path: str, _mtime_ns: int) -> dict[str, dict]:
    """The bibliography, read once per build (three layers of one map share it)."""
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    return {r["id"]: {k: r.get(k, "") for k in ("title", "publisher", "date", "address")} for r in items}


def _layer(name: str, frame: gpd.GeoDataFrame, day: date, theme: str, geojson_dir: Path) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=DEFS[name].name)
    group.add_child(_Draw(_spec(name, frame, day.isoformat(), theme, _references(geojson_dir))))
    return group


def _day(value: str | date) -> date:
    return value if isinstance(value, date) else parse_day(str(value))


def territory(on: str | date, *, theme: str = "default", geojson_dir: Path | None = None) -> folium.FeatureGroup:
    """Ground IS held on a day, shaded by confidence, as in the app."""
    day, geojson_dir = _day(on), geojson_dir or GEOJSON
    frame = select(load_layer("territory", geojson_dir), TimeFilter(on=day), Filters())
    return _layer("territory", frame, day, theme, geojson_dir)


def provinces(on: str | date, *, countries: tuple[str, ...] = (), theme: str = "default",
              geojson_dir: Path | None = None) -> folium.FeatureGroup:
    """Each branch's area and phase on a day, as in the app."""
    day, geojson_dir = _day(on), geojson_dir or GEOJSON
    frame = select(load_layer("affiliates", geojson_dir), TimeFilter(on=day), Filters(countries=countries))
    return _layer("provinces", frame, day, theme, geojson_dir)


def plots(on: str | date, *, months: int = 12, outcomes: tuple[str, ...] = (), links: tuple[str, ...] = (),
          provinces_: tuple[str, ...] = (), theme: str = "default", geojson_dir: Path | None = None) -> folium.FeatureGroup:
    """External plots in the `months` months up to and including the day's month (the app's moving window)."""
    day, geojson_dir = _day(on), geojson_dir or GEOJSON
    first_month = months_between(date(day.year - months // 12 - 1, 1, 1), day)[-months]
    window = DateRange(date(first_month[0], first_month[1], 1), day)
    frame = select(load_layer("plots", geojson_dir), TimeFilter(window=window),
                   Filters(provinces=provinces_, outcomes=outcomes, links=links))
    return _layer("plots", frame, day, theme, geojson_dir)


def legend(*names: str, theme: str = "default") -> MacroElement:
    """The app's legend entries for the named layers, as a collapsed-by-default control (top right)."""
    entries = [{"label": e.label, "kind": e.kind, "style": e.style} for n in names for e in DEFS[n].legend(theme)]
    return _Legend(entries)


class _Legend(_WithScript):
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.ISLayers.legend({{ this._parent.get_name() }}, {{ this.entries_json }});"
        "{% endmacro %}"
    )

    def __init__(self, entries: list[dict]) -> None:
        super().__init__()
        self._name = "ISLayersLegend"
        self.entries_json = safe_json(entries)

