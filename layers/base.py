"""What every map layer declares: its style table, legend, popup fields and browser payload."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

import geopandas as gpd

from geo.geojson import features_of


@dataclass(frozen=True)
class LegendEntry:
    label: str
    kind: str  # "fill", "line", "dot"
    style: dict


@dataclass(frozen=True)
class PopupField:
    label: str
    prop: str
    format: str = "text"  # text, date, number, list, km2, link, status, strength, rivals, events


@dataclass(frozen=True)
class LayerDef:
    """A layer as the browser needs it: styles are data, looked up by a key computed from properties."""

    id: str
    name: str
    style_key: Callable[[dict], str]
    styles: Callable[[str], dict[str, dict]]
    legend: Callable[[str], list[LegendEntry]]
    title_prop: str
    kind_label: str
    fields: tuple[PopupField, ...] = field(default_factory=tuple)
    # What the browser does not need: properties no popup, filter or style reads (exports keep them), and the
    # decimals kept in its copy of the geometry (4 = about 10 m, finer than any shape on this map).
    browser_drop: tuple[str, ...] = ()
    browser_decimals: int = 6
    # Properties that are the same on every feature with one value of `browser_share_key` (a branch's history on
    # each of its periods): the browser copy keeps them on the first such feature only, and the map script
    # gives them back to the others when it loads the layer.
    browser_shared: tuple[str, ...] = ()
    browser_share_key: str = ""

    def style_for(self, props: dict, theme: str = "default") -> dict:
        """The Leaflet path options for one feature."""
        return self.styles(theme)[self.style_key(props)]

    def config(self, url: str, theme: str) -> dict:
        """What the browser script is told about this layer (no feature data: that is fetched from url)."""
        return {
            "id": self.id,
            "name": self.name,
            "url": url,
            "styles": self.styles(theme),
            "titleProp": self.title_prop,
            "kindLabel": self.kind_label,
            "fields": [{"label": f.label, "prop": f.prop, "format": f.format} for f in self.fields],
            "legend": [{"label": e.label, "kind": e.kind, "style": e.style} for e in self.legend(theme)],
            "shared": list(self.browser_shared),
            "shareKey": self.browser_share_key,
        }


def _rounded(value, decimals: int):
    if isinstance(value, list):
        return [_rounded(v, decimals) for v in value]
    return round(value, decimals)


def payload(layer: LayerDef, geojson_layer: str, frame: gpd.GeoDataFrame) -> bytes:
    """The browser's copy of a layer: the built features plus each one's style key, without what it never reads."""
    features = features_of(geojson_layer, frame)
    for feature in features:
        feature["properties"]["_style"] = layer.style_key(feature["properties"])
        for name in layer.browser_drop:
            feature["properties"].pop(name, None)
        geometry = feature["geometry"]
        if layer.browser_decimals < 6 and "coordinates" in geometry:
            geometry["coordinates"] = _rounded(geometry["coordinates"], layer.browser_decimals)
    if layer.browser_shared:
        seen: set = set()
        for feature in features:
            key = feature["properties"].get(layer.browser_share_key)
            if key is None:  # nothing to share by: the feature keeps its own copy
                continue
            if key in seen:
                for name in layer.browser_shared:
                    feature["properties"].pop(name, None)
            seen.add(key)
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False).encode("utf-8")
