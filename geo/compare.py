"""The project's area series beside the published estimates of the area IS held."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd

from geo.dates import month_end
from geo.models import AreaEstimate
from geo.stats import area_on, area_series

# Tolerances the comparison test holds the project's series to (see docs/area-estimates.md).
KM2_TOLERANCE = 0.30  # within ±30 % of a published km² figure
PCT_TOLERANCE = 25.0  # within ±25 percentage points of a published share lost since the peak
SERIES_IN_TOLERANCE_TEST = frozenset({"ihs-conflict-monitor", "us-dod", "coalition"})
# Figures of those series that measure something other than area, written down with the reason: the test
# does not hold the map to them; they stay in the table with their difference.
KNOWN_DISAGREEMENTS = {
    "dod-2016-01-irq": "a share of the populated areas IS had dominated in Iraq (40 %); by area the loss was far "
                       "smaller: IHS put the whole 2015 loss at 14 %, and the Pentagon's own km² peak for Iraq "
                       "(55,000) matches this map's",
}
COLUMNS = ["series", "as_of", "scope", "metric", "published", "project", "difference", "within", "refs"]


def days_of(estimate: AreaEstimate, days: list[date]) -> list[date]:
    """The days an estimate may describe: its day; the days of its month; or every month-end of its year."""
    value = estimate.as_of.value
    if estimate.as_of.precision == "day":
        return [value]
    if estimate.as_of.precision == "month":
        return [value, month_end(value.year, value.month)]
    return [d for d in days if d.year == value.year] or [value]


def peak_km2(territory: gpd.GeoDataFrame, scope: str, days: list[date]) -> float:
    series = area_series(territory, days)
    return float(series[scope].max())


def compare(territory: gpd.GeoDataFrame, estimates: list[AreaEstimate], days: list[date]) -> pd.DataFrame:
    """One row per published figure with the project's figure for the same day and scope."""
    rows = []
    peaks = {scope: peak_km2(territory, scope, days) for scope in ("IRQ", "SYR", "total")}
    for estimate in sorted(estimates, key=lambda e: (e.series, e.as_of.value, e.scope, e.metric)):
        held = [area_on(territory, day)[estimate.scope] for day in days_of(estimate, days)]
        if estimate.metric == "km2":
            values = [round(h) for h in held]
            gaps = [(v - estimate.value) / estimate.value for v in values]
            limit, unit = KM2_TOLERANCE, "%"
        else:
            peak = peaks[estimate.scope] or 1.0
            values = [round(100 * (1 - h / peak), 1) for h in held]
            gaps = [v - estimate.value for v in values]
            limit, unit = PCT_TOLERANCE, " pts"
        low, high = min(values), max(values)
        # Within tolerance if any day the figure may describe is close enough.
        best = min(gaps, key=abs)
        within = abs(best) <= limit
        shown = f"{best:+.0%}" if unit == "%" else f"{best:+.0f}{unit}"
        rows.append({
            "series": estimate.series, "as_of": estimate.as_of.text, "scope": estimate.scope,
            "metric": estimate.metric, "published": estimate.value, "project": (low, high),
            "difference": shown, "within": within, "refs": ";".join(estimate.refs),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def markdown_table(frame: pd.DataFrame) -> str:
    """The comparison as a Markdown table (docs/area-estimates.md embeds it)."""
    header = "| series | as of | scope | metric | published | this project | difference | within tolerance | sources |"
    lines = [header, "|" + "---|" * 9]
    for row in frame.itertuples():
        published = f"{row.published:,.0f}" if row.metric == "km2" else f"{row.published:g} %"
        low, high = row.project
        fmt = (lambda v: f"{v:,.0f}") if row.metric == "km2" else (lambda v: f"{v:g} %")
        project = fmt(low) if low == high else f"{fmt(low)} to {fmt(high)}"
        metric = "km² held" if row.metric == "km2" else "% lost since peak"
        lines.append(f"| {row.series} | {row.as_of} | {row.scope} | {metric} | {published} | {project} | "
                     f"{row.difference} | {'yes' if row.within else 'no'} | {row.refs.replace(';', ', ')} |")
    return "\n".join(lines) + "\n"
