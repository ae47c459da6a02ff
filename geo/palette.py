"""Colours and line styles: one colour-blind-safe palette (Okabe-Ito) used by map, legend, charts and GIS exports."""

from __future__ import annotations

from types import MappingProxyType

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = MappingProxyType({
    "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7", "black": "#000000",
    "grey": "#999999",
})

TERRITORY = OKABE_ITO["vermillion"]
PROVINCE = OKABE_ITO["blue"]
ATTACK = OKABE_ITO["reddish_purple"]
FOILED = OKABE_ITO["bluish_green"]
FAILED = OKABE_ITO["orange"]

# Fill opacity says how sure the record is; the legend explains it.
CONFIDENCE_OPACITY = MappingProxyType({"high": 0.62, "medium": 0.42, "low": 0.22})
PROJECTOR_OPACITY = MappingProxyType({"high": 0.92, "medium": 0.72, "low": 0.5})
# Dash patterns say how a plot is linked to its province.
LINK_DASH = MappingProxyType({"directed": "", "enabled": "10 6", "inspired": "2 6", "unknown": "1 10"})
OUTCOME_COLOUR = MappingProxyType({"attack": ATTACK, "failed": FAILED, "foiled": FOILED})
# A province's phase: fill opacity, line opacity, line dash (solid while active, outline only when dormant).
PHASE_LOOK = MappingProxyType({
    "active": (0.16, 0.9, None), "affiliated": (0.07, 0.9, "2 5"),
    "degraded": (0.06, 0.75, "7 5"), "dormant": (0.0, 0.6, "1 4"),
})

THEMES = MappingProxyType({
    "default": {"background": "#dfe6ec", "land": "#f7f5f0", "border": "#8a8a8a", "label": "#333333", "ink": "#1a1a1a"},
    "projector": {"background": "#0b1a2a", "land": "#24313f", "border": "#9fb0c0", "label": "#ffffff", "ink": "#ffffff"},
    "print": {"background": "#ffffff", "land": "#f2f2f2", "border": "#555555", "label": "#000000", "ink": "#000000"},
})
