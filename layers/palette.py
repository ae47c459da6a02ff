"""The palette the layers draw with: defined once in geo/palette.py, so GIS exports use the same colours."""

from __future__ import annotations

from geo.palette import (ATTACK, CONFIDENCE_OPACITY, FAILED, FOILED, LINK_DASH, OKABE_ITO, OUTCOME_COLOUR,
                         PHASE_LOOK, PROJECTOR_OPACITY, PROVINCE, TERRITORY, THEMES)

__all__ = ["ATTACK", "CONFIDENCE_OPACITY", "FAILED", "FOILED", "LINK_DASH", "OKABE_ITO", "OUTCOME_COLOUR",
           "PHASE_LOOK", "PROJECTOR_OPACITY", "PROVINCE", "TERRITORY", "THEMES"]
