"""Provinces layer: operating areas of IS provinces and branches, labelled at their anchor."""

from __future__ import annotations

from layers.base import LayerDef, LegendEntry, PopupField
from layers.palette import PROVINCE


def style_key(props: dict) -> str:
    """The central leadership shares its ground with the Iraq and Syria provinces: only its label is drawn."""
    return "central" if props.get("id") == "central" else "province"


def styles(theme: str) -> dict[str, dict]:
    return {
        "province": {"color": PROVINCE, "weight": 1.6, "opacity": 0.9, "dashArray": "6 4",
                     "fillColor": PROVINCE, "fillOpacity": 0.10},
        "central": {"color": PROVINCE, "weight": 0, "opacity": 0, "stroke": False, "fillColor": PROVINCE,
                    "fillOpacity": 0.0},
    }


def legend(theme: str) -> list[LegendEntry]:
    return [LegendEntry("Province or branch: operating area (approximate)", "fill", styles(theme)["province"])]


LAYER = LayerDef(
    id="affiliates",
    name="Provinces",
    style_key=style_key,
    styles=styles,
    legend=legend,
    title_prop="name",
    kind_label="IS province or branch",
    fields=(
        PopupField("Also known as", "aliases", "list"),
        PopupField("Announced", "start", "date"),
        PopupField("Ended", "end", "date"),
        PopupField("How it ended", "end_reason"),
        PopupField("Status on the map date", "events", "status"),
        PopupField("Countries of operation", "countries", "list"),
        PopupField("Strength estimates", "strength", "strength"),
        PopupField("Rivals named in the sources", "rivals", "rivals"),
        PopupField("Arc anchor", "anchor_name"),
        PopupField("About the anchor", "anchor_note"),
        PopupField("Confidence", "confidence"),
        PopupField("Summary", "summary"),
        PopupField("History", "events", "events"),
    ),
)
