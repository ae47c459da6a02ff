"""Plots layer: external plots and attacks as arcs from the directing province to the target."""

from __future__ import annotations

from layers.base import LayerDef, LegendEntry, PopupField
from layers.palette import LINK_DASH, OUTCOME_COLOUR

LINKS = tuple(LINK_DASH)
OUTCOMES = tuple(OUTCOME_COLOUR)


def style_key(props: dict) -> str:
    return f"{props.get('outcome', 'attack')}-{props.get('link', 'unknown')}"


# On paper, in black and white, the three outcome colours print as much the same grey: the print theme also
# tells them apart by line width (the link stays in the dash pattern).
PRINT_WEIGHT = {"attack": 3.6, "failed": 2.4, "foiled": 1.3}


def styles(theme: str) -> dict[str, dict]:
    def weight(outcome: str) -> float:
        return PRINT_WEIGHT[outcome] if theme == "print" else 3.0 if theme == "projector" else 2.2

    return {
        f"{outcome}-{link}": {"color": colour, "weight": weight(outcome), "opacity": 0.9, "dashArray": dash or None,
                              "fillColor": colour, "fillOpacity": 0.9}
        for outcome, colour in OUTCOME_COLOUR.items()
        for link, dash in LINK_DASH.items()
    }


def legend(theme: str) -> list[LegendEntry]:
    table = styles(theme)
    widths = theme == "print"
    return [
        LegendEntry("Attack carried out" + (" (thickest line)" if widths else ""), "line", table["attack-directed"]),
        LegendEntry("Attack attempted, failed" + (" (middle line)" if widths else ""), "line", table["failed-directed"]),
        LegendEntry("Plot foiled" + (" (thinnest line)" if widths else ""), "line", table["foiled-directed"]),
        LegendEntry("Directed (solid)", "line", {**table["attack-directed"], "color": "#555555"}),
        LegendEntry("Enabled (dashed)", "line", {**table["attack-enabled"], "color": "#555555"}),
        LegendEntry("Inspired (dotted)", "line", {**table["attack-inspired"], "color": "#555555"}),
        LegendEntry("Link unknown (sparse dots)", "line", {**table["attack-unknown"], "color": "#555555"}),
    ]


LAYER = LayerDef(
    id="plots",
    name="External plots",
    style_key=style_key,
    styles=styles,
    legend=legend,
    title_prop="target_place",
    kind_label="External plot or attack",
    browser_drop=("route", "anchor_lon", "anchor_lat"),  # the path is the geometry; the popup reads route_text
    browser_decimals=4,
    fields=(
        PopupField("Date", "date", "date"),
        PopupField("Became public", "date_public", "date"),
        PopupField("Outcome", "outcome", "label"),
        PopupField("Target", "target_type", "label"),
        PopupField("Directing province", "province"),
        PopupField("Link to the province", "link"),
        PopupField("Evidence for the link", "evidence", "labels"),
        PopupField("Country", "country", "country"),
        PopupField("Killed", "killed", "victims"),
        PopupField("Injured", "injured", "victims"),
        PopupField("Plotters", "plotters", "number"),
        PopupField("Route", "route_text"),
        PopupField("Attribution", "attribution_note"),
        PopupField("Confidence", "confidence"),
        PopupField("Path starts at", "anchor_name"),
        PopupField("About the start", "anchor_note"),
        PopupField("Summary", "summary"),
    ),
)
