"""Curved trajectories from a province's anchor to a target, as LineStrings in lon/lat."""

from __future__ import annotations

import numpy as np
import shapely

ARC_POINTS = 21
BEND = 0.18  # the control point sits this share of the chord's length to the left of it


def arc(origin: tuple[float, float], target: tuple[float, float], *, bend: float = BEND) -> shapely.LineString:
    """A quadratic Bézier from origin to target (lon, lat); it starts and ends exactly on them."""
    (x0, y0), (x1, y1) = origin, target
    if (x0, y0) == (x1, y1):
        return shapely.LineString([origin, target])
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    cx, cy = mx - dy * bend, my + dx * bend
    t = np.linspace(0.0, 1.0, ARC_POINTS)[:, None]
    start, control, end = np.array([x0, y0]), np.array([cx, cy]), np.array([x1, y1])
    points = (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end
    points[0], points[-1] = start, end
    points[:, 1] = np.clip(points[:, 1], -89.9, 89.9)
    return shapely.LineString(points)
