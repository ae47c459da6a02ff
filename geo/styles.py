"""Each layer's look as data for GIS files: the attribute it is classed by and one style per class."""

from __future__ import annotations

from dataclasses import dataclass

from geo.palette import CONFIDENCE_OPACITY, LINK_DASH, OUTCOME_COLOUR, PHASE_LOOK, PROVINCE, TERRITORY


@dataclass(frozen=True)
class StyleClass:
    value: str                 # the attribute's value this class draws
    label: str                 # legend text
    colour: str                # #RRGGBB, line and fill
    fill_opacity: float        # 0 = outline only
    line_opacity: float        # 0 = no outline
    width: float               # line width in screen pixels
    dash: str | None = None    # SVG dash pattern ("7 5"), None = solid


@dataclass(frozen=True)
class LayerStyle:
    attribute: str             # the property the classes follow
    geometry: str              # "polygon" or "line"
    classes: tuple[StyleClass, ...]

    def for_value(self, value: object) -> StyleClass:
        """The class of a value; an unknown value gets the first class."""
        return next((c for c in self.classes if c.value == value), self.classes[0])


_TERRITORY = LayerStyle("confidence", "polygon", tuple(
    StyleClass(level, f"IS-held ground, {level} confidence", TERRITORY, CONFIDENCE_OPACITY[level], 0.0, 0.0)
    for level in ("high", "medium", "low")
))
_PHASE_LABELS = {"active": "Province active", "affiliated": "Pledged group, before IS named a province",
                 "degraded": "Degraded", "dormant": "Dormant"}
_AFFILIATES = LayerStyle("phase", "polygon", tuple(
    StyleClass(phase, _PHASE_LABELS[phase], PROVINCE, fill, line, 1.1 if phase == "dormant" else 1.6, dash)
    for phase, (fill, line, dash) in PHASE_LOOK.items()
))
_OUTCOME_LABELS = {"attack": "Attack carried out", "failed": "Attack attempted, failed", "foiled": "Plot foiled"}
_PLOTS = LayerStyle("outcome", "line", tuple(
    StyleClass(outcome, _OUTCOME_LABELS[outcome], colour, 0.9, 0.9, 2.2, LINK_DASH["directed"] or None)
    for outcome, colour in OUTCOME_COLOUR.items()
))
LAYER_STYLES = {"territory": _TERRITORY, "affiliates": _AFFILIATES, "plots": _PLOTS}


def layer_style(layer: str) -> LayerStyle | None:
    return LAYER_STYLES.get(layer)
