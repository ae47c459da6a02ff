"""A user's own layer: uploaded features drawn in their own colour, following the slider when they carry dates."""

from __future__ import annotations

from layers.base import LayerDef, LegendEntry, PopupField
from layers.palette import OKABE_ITO

COLOUR = OKABE_ITO["sky_blue"]


def style_key(props: dict) -> str:
    return "user"


def styles(theme: str) -> dict[str, dict]:
    return {"user": {"color": COLOUR, "weight": 2.5, "opacity": 0.95, "fillColor": COLOUR, "fillOpacity": 0.35,
                     "radius": 6}}


def legend(theme: str) -> list[LegendEntry]:
    return [LegendEntry("Your uploaded layer", "fill", styles(theme)["user"])]


LAYER = LayerDef(
    id="user",
    name="Your layer",
    style_key=style_key,
    styles=styles,
    legend=legend,
    title_prop="name",
    kind_label="Uploaded by you (not checked by this project)",
    fields=(
        PopupField("From", "start", "date"),
        PopupField("Until", "end", "date"),
        PopupField("Properties", "details", "details"),
    ),
)
