"""The map shell, built in one place: an offline Leaflet map whose layers are drawn by static/ismap.js."""

from __future__ import annotations

from dataclasses import dataclass, field

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.countries import country_names
from layers.assets import URL_PREFIX, OfflineMap, versioned
from layers.base import LayerDef
from layers.escape import safe_json
from layers.palette import THEMES

DEFAULT_CENTER = (34.8, 40.2)  # the Iraq-Syria border region
DEFAULT_ZOOM = 6


@dataclass(frozen=True)
class MapData:
    """URLs of everything the browser fetches; constant while the data is, so the map never remounts."""

    layers: tuple[tuple[LayerDef, str], ...]
    basemap_url: str
    refs_url: str
    labels_url: str
    theme: str = "default"
    caption: str = ""
    tiles: dict | None = field(default=None)
    presenter: bool = False
    # Key events for the time bar: {"month", "date", "precision", "label"} (geo.bookmarks), in date order.
    bookmarks: tuple[dict, ...] = ()
    # A layer with more features than this is drawn on a canvas, not one SVG element a feature (issue 18);
    # None = the browser's default (static/ismap.js DEFAULT_CANVAS_MIN).
    canvas_min: int | None = None


class ISMapInit(JSCSSMixin, MacroElement):
    """Loads ismap.js/css and starts it on the parent map with a JSON config (strings escaped)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.ISMap.init({{ this._parent.get_name() }}, {{ this.config_json }});"
        "{% endmacro %}"
    )

    def __init__(self, config: dict, *, js_url: str, css_url: str) -> None:
        super().__init__()
        self._name = "ISMapInit"
        self.config_json = safe_json(config)
        self.default_js = [("ismap", js_url)]
        self.default_css = [("ismap_css", css_url)]


class StateScript(MacroElement):
    """One step of the slider: forget the previous step's group, then show the new state."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.feature_group = []; if (window.ISMap) { window.ISMap.setState({{ this.state_json }}); }"
        "{% endmacro %}"
    )

    def __init__(self, state: dict) -> None:
        super().__init__()
        self._name = "StateScript"
        self.state_json = safe_json(state)


def map_config(data: MapData) -> dict:
    return {
        "layers": [layer.config(url, data.theme) for layer, url in data.layers],
        "basemapUrl": data.basemap_url,
        "refsUrl": data.refs_url,
        "labelsUrl": data.labels_url,
        "theme": dict(THEMES[data.theme]),
        "themeName": data.theme,
        "caption": data.caption,
        "tiles": data.tiles,
        "presenter": data.presenter,
        "timebar": not data.presenter,
        "table": not data.presenter,
        "labelMinZoom": 5,
        "countries": country_names(),
        "bookmarks": [{key: b[key] for key in ("month", "date", "precision", "label")} for b in data.bookmarks],
        **({"canvasMin": int(data.canvas_min)} if data.canvas_min is not None else {}),
    }


def build_map(data: MapData, *, center: tuple[float, float] = DEFAULT_CENTER, zoom: int = DEFAULT_ZOOM,
              prefix: str = URL_PREFIX, extra: dict | None = None) -> folium.Map:
    """The whole map: Leaflet only, no tiles (the basemap is drawn from Natural Earth), ISMap on top.
    `extra` adds to the browser config (embedded data and controls of a standalone export)."""
    fmap = OfflineMap(location=list(center), zoom_start=zoom, tiles=None, min_zoom=2, max_zoom=12,
                      control_scale=False, zoom_control=True, world_copy_jump=False)
    # A fixed id (folium draws a random one): the map's markup is then the same on every rerun, so its templates
    # are compiled once (layers.assets._compiled); st_folium renames the id to its own `map_div` in any case.
    fmap._id = "ismap"
    config = map_config(data)
    for key, value in (extra or {}).items():
        config[key] = value
    ISMapInit(config, js_url=versioned("ismap.js", prefix=prefix),
              css_url=versioned("ismap.css", prefix=prefix)).add_to(fmap)
    return fmap


def state_group(state: dict) -> folium.FeatureGroup:
    """What one rerun sends: a group holding only the state script (a few hundred bytes)."""
    group = folium.FeatureGroup(name="state", control=False)
    StateScript(state).add_to(group)
    return group
