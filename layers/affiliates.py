"""Provinces layer: each branch's operating area on the map date, styled by its phase, labelled at its anchor."""

from __future__ import annotations

from layers.base import LayerDef, LegendEntry, PopupField
from layers.palette import PHASE_LOOK, PROVINCE

CALIPHATE = "2014-06-29"  # from then on the central leadership shares its ground with the Iraq and Syria provinces
PHASES = ("affiliated", "active", "degraded", "dormant")


def style_key(props: dict) -> str:
    """The phase of the period; the central leadership after June 2014 is drawn by its label only."""
    if props.get("province_id", props.get("id")) == "central" and str(props.get("start", "")) >= CALIPHATE:
        return "central"
    phase = props.get("phase", "active")
    return phase if phase in PHASES else "active"


def styles(theme: str) -> dict[str, dict]:
    """Solid while active, dotted before recognition, lighter and dashed when degraded, outline only when dormant;
    a branch with no documented ground is a dot at its anchor (radius)."""
    weight = 2.2 if theme == "projector" else 1.6
    base = {"color": PROVINCE, "fillColor": PROVINCE, "opacity": 0.9, "weight": weight, "radius": 6}
    table = {phase: {**base, "fillOpacity": fill, "opacity": line, "dashArray": dash}
             for phase, (fill, line, dash) in PHASE_LOOK.items()}
    table["dormant"]["weight"] = weight * 0.7
    return {
        **table,
        "central": {"color": PROVINCE, "weight": 0, "opacity": 0, "stroke": False, "fillColor": PROVINCE,
                    "fillOpacity": 0.0, "radius": 0},
    }


def legend(theme: str) -> list[LegendEntry]:
    table = styles(theme)
    return [
        LegendEntry("Province active: operating area (approximate)", "fill", table["active"]),
        LegendEntry("Pledged group, before IS named a province", "fill", table["affiliated"]),
        LegendEntry("Degraded: lost its ground or most fighters", "fill", table["degraded"]),
        LegendEntry("Dormant: little or no claimed activity", "fill", table["dormant"]),
    ]


LAYER = LayerDef(
    id="affiliates",
    name="Provinces",
    style_key=style_key,
    styles=styles,
    legend=legend,
    title_prop="name",
    kind_label="IS province or branch",
    browser_decimals=3,  # hand-drawn areas: 3 decimals (about 100 m) are finer than their own precision
    browser_shared=("events", "strength", "rivals", "aliases", "summary", "anchor_note"),
    browser_share_key="province_id",
    fields=(
        PopupField("On the map date", "phase", "label"),
        PopupField("Since", "start", "date"),
        PopupField("What changed", "phase_detail"),
        PopupField("Operating area", "area_note"),
        PopupField("Areas", "regions", "list"),
        PopupField("Latest strength estimate", "strength", "strength_latest"),
        PopupField("Strength over time", "strength", "strength_series"),
        PopupField("Fighting then", "rivals", "rivals_then"),
        PopupField("Also known as", "aliases", "list"),
        PopupField("Announced as a province", "announced", "date"),
        PopupField("Countries of operation", "countries", "countries"),
        PopupField("Arc anchor", "anchor_name"),
        PopupField("About the anchor", "anchor_note"),
        PopupField("Confidence", "confidence"),
        PopupField("Summary", "summary"),
        PopupField("History", "events", "events"),
    ),
)
