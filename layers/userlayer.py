"""A user's own layer: uploaded features drawn in their own colour, following the slider when they carry dates."""

from __future__ import annotations

from layers.base import LayerDef, LegendEntry, PopupField
from layers.palette import OKABE_ITO

# Yellow with a black edge: the one palette colour no built-in layer, chart or comparison uses, so an upload
# stands out inside a province's blue and on the territory's orange (U11). On the projector's dark ground the
# edge is yellow too.
COLOUR = OKABE_ITO["yellow"]
EDGE = OKABE_ITO["black"]


def style_key(props: dict) -> str:
    return "user"


def styles(theme: str) -> dict[str, dict]:
    edge = COLOUR if theme == "projector" else EDGE
    return {"user": {"color": edge, "weight": 2.5, "opacity": 0.95, "fillColor": COLOUR, "fillOpacity": 0.45,
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
