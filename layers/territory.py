"""Territory layer: IS-held ground, filled by confidence."""

from __future__ import annotations

from layers.base import LayerDef, LegendEntry, PopupField
from layers.palette import CONFIDENCE_OPACITY, PROJECTOR_OPACITY, TERRITORY


def style_key(props: dict) -> str:
    return str(props.get("confidence", "low"))


def styles(theme: str) -> dict[str, dict]:
    # No outline: neighbouring cells of one confidence read as one area, as held ground did.
    # On the projector's dark ground, light fills vanish: the same order of opacity, stronger.
    opacities = PROJECTOR_OPACITY if theme == "projector" else CONFIDENCE_OPACITY
    # Confidence is told by two channels, not opacity alone (review U10): low confidence is also hatched, so
    # it reads apart from medium in black and white and on a washed-out projector (the browser draws the
    # hatch as an SVG pattern; GIS exports keep the plain colour and opacity).
    return {
        level: {"stroke": False, "color": TERRITORY, "weight": 0, "fillColor": TERRITORY, "fillOpacity": opacity,
                **({"pattern": "hatch"} if level == "low" else {})}
        for level, opacity in opacities.items()
    }


def legend(theme: str) -> list[LegendEntry]:
    table = styles(theme)
    return [
        LegendEntry("IS-held ground, high confidence", "fill", table["high"]),
        LegendEntry("IS-held ground, medium confidence", "fill", table["medium"]),
        LegendEntry("IS-held ground, low confidence: hinterland beyond towns, ground between held places (approximate)", "fill", table["low"]),
    ]


LAYER = LayerDef(
    id="territory",
    name="Territory held",
    style_key=style_key,
    styles=styles,
    legend=legend,
    title_prop="place",
    kind_label="Ground held by IS",
    # Cells are simplified to 0.01 degrees: 4 decimals (about 10 m) lose nothing a reader can see.
    browser_decimals=4,
    # A place's core and hinterland are two features of one interval: the browser gets its text once.
    browser_shared=("summary", "refs", "method"),
    browser_share_key="interval_id",
    fields=(
        PopupField("Zone", "zone"),
        PopupField("Country", "country", "country"),
        PopupField("Held from", "start", "date"),
        PopupField("Held until", "end", "date"),
        PopupField("Confidence", "confidence"),
        PopupField("Area of this cell", "area_km2", "km2"),
        PopupField("Summary", "summary"),
        PopupField("How the shape is drawn", "method"),
    ),
)
