"""Territory layer: IS-held ground, filled by confidence."""

from __future__ import annotations

from layers.base import LayerDef, LegendEntry, PopupField
from layers.palette import CONFIDENCE_OPACITY, TERRITORY, THEMES


def style_key(props: dict) -> str:
    return str(props.get("confidence", "low"))


def styles(theme: str) -> dict[str, dict]:
    edge = THEMES[theme]["ink"] if theme == "print" else TERRITORY
    return {
        level: {"color": edge, "weight": 0.6, "opacity": 0.9, "fillColor": TERRITORY, "fillOpacity": opacity}
        for level, opacity in CONFIDENCE_OPACITY.items()
    }


def legend(theme: str) -> list[LegendEntry]:
    table = styles(theme)
    return [
        LegendEntry("IS-held ground, high confidence", "fill", table["high"]),
        LegendEntry("IS-held ground, medium confidence", "fill", table["medium"]),
        LegendEntry("IS-held ground, low confidence (approximate)", "fill", table["low"]),
    ]


LAYER = LayerDef(
    id="territory",
    name="Territory held",
    style_key=style_key,
    styles=styles,
    legend=legend,
    title_prop="place",
    kind_label="Ground held by IS",
    fields=(
        PopupField("Country", "country"),
        PopupField("Held from", "start", "date"),
        PopupField("Held until", "end", "date"),
        PopupField("Confidence", "confidence"),
        PopupField("Area of this cell", "area_km2", "km2"),
        PopupField("Summary", "summary"),
        PopupField("How the shape is drawn", "method"),
    ),
)
