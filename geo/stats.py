"""Numbers derived from the built layers: area held over time, changes between dates, plots per half-year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from geo.filters import active_on

CORE = ("IRQ", "SYR")


def area_on(territory: gpd.GeoDataFrame, day: date) -> dict[str, float]:
    """km² held on a day in Iraq, in Syria, elsewhere, and in total (cells never overlap, so areas add)."""
    active = active_on(territory, day)
    by_country = active.groupby("country")["area_km2"].sum() if not active.empty else pd.Series(dtype=float)
    iraq, syria = float(by_country.get("IRQ", 0.0)), float(by_country.get("SYR", 0.0))
    other = float(by_country.sum()) - iraq - syria
    return {"IRQ": round(iraq, 1), "SYR": round(syria, 1), "other": round(other, 1),
            "total": round(iraq + syria, 1)}


def area_series(territory: gpd.GeoDataFrame, days: list[date]) -> pd.DataFrame:
    """One row per day: km² held in Iraq, Syria, elsewhere and Iraq+Syria total, from the map's own cells."""
    rows = [{"date": day, **area_on(territory, day)} for day in days]
    return pd.DataFrame(rows, columns=["date", "IRQ", "SYR", "other", "total"])


def monthly_area(territory: gpd.GeoDataFrame, today: date) -> pd.DataFrame:
    """area_series on the last day of every month the time bar offers, with a `month` column (YYYY-MM)."""
    from geo.view import month_date, month_options

    months = month_options(today)
    return area_series(territory, [month_date(m, today) for m in months]).assign(month=months)


def changes_between(territory: gpd.GeoDataFrame, first: date, second: date) -> dict[str, pd.DataFrame]:
    """Places IS gained and lost between two days, with the km² of each place's cell (the ground between
    places is not a place: it is left out of the lists)."""
    def per_place(frame: gpd.GeoDataFrame) -> pd.DataFrame:
        frame = frame[frame["zone"] != "between"] if "zone" in frame.columns else frame
        return frame.groupby("place_id").agg(place=("place", "first"), country=("country", "first"),
                                             area_km2=("area_km2", "sum"))

    before = per_place(active_on(territory, first))
    after = per_place(active_on(territory, second))
    columns = ["place", "country", "area_km2"]
    lost = before.loc[before.index.difference(after.index), columns].sort_values("area_km2", ascending=False)
    gained = after.loc[after.index.difference(before.index), columns].sort_values("area_km2", ascending=False)
    return {"gained": pd.DataFrame(gained), "lost": pd.DataFrame(lost)}


def half_year(day: str) -> str:
    return f"{day[:4]} H{1 if int(day[5:7]) <= 6 else 2}"


def plots_per_half_year(plots: gpd.GeoDataFrame) -> pd.DataFrame:
    """Count of plots per directing province per half-year (rows: half-years, columns: provinces)."""
    if plots.empty:
        return pd.DataFrame()
    frame = pd.DataFrame({"half": plots["date"].map(half_year), "province": plots["province"]})
    return frame.groupby(["half", "province"]).size().unstack(fill_value=0).sort_index()


@dataclass(frozen=True)
class MonthFigures:
    """The area panel's figures for one month, in km²: held (Iraq, Syria, abroad, Iraq + Syria), the month
    before, the highest month up to and including this one and the peak of the whole series (so "since the
    peak" is said only once the peak has happened; before it, the panel compares with the highest so far)."""
    month: str
    iraq: float
    syria: float
    other: float
    total: float
    before: float
    best_month: str
    best_total: float
    is_peak: bool
    peak_month: str
    peak_total: float


def month_figures(series: pd.DataFrame) -> dict[str, MonthFigures]:
    """MonthFigures for every month of monthly_area's series, in one pass: a step then looks its month up
    instead of filtering the frame again (the area panel ran four pandas filters a step)."""
    rows = series[["month", "IRQ", "SYR", "other", "total"]].itertuples(index=False)
    peak = series.loc[series["total"].idxmax()]
    figures: dict[str, MonthFigures] = {}
    best_month, best_total, before = None, float("-inf"), None
    for month, iraq, syria, other, total in rows:
        if total > best_total:  # the first of equal months, as idxmax
            best_month, best_total = month, float(total)
        figures[month] = MonthFigures(month, float(iraq), float(syria), float(other), float(total),
                                      float(total) if before is None else before, best_month, best_total,
                                      best_total >= float(peak["total"]), str(peak["month"]), float(peak["total"]))
        before = float(total)
    return figures


def plots_summary(plots: gpd.GeoDataFrame) -> dict[str, dict[str, int]]:
    """Counts of plots per year, target region, outcome, link and directing province (the closing note's table)."""
    from geo.regions import region_of

    years = plots["date"].str[:4]
    columns = {"year": years, "region": plots["country"].map(region_of), "outcome": plots["outcome"],
               "link": plots["link"], "province": plots["province_id"]}
    return {name: {str(k): int(v) for k, v in sorted(series.value_counts().items())} for name, series in columns.items()}


def summary_markdown(summary: dict[str, dict[str, int]]) -> str:
    """The summary as Markdown tables, one per dimension."""
    lines = []
    for name, counts in summary.items():
        lines += [f"| {name} | plots |", "|---|---|"]
        lines += [f"| {key} | {value} |" for key, value in counts.items()]
        lines += [f"| total | {sum(counts.values())} |", ""]
    return "\n".join(lines)


def plots_per_year(plots: gpd.GeoDataFrame) -> dict[str, dict[str, int]]:
    """Plots per year per directing province (short name: the part before any bracket)."""
    out: dict[str, dict[str, int]] = {}
    for day, province in zip(plots["date"], plots["province"]):
        name = str(province).split(" (")[0]
        year = str(day)[:4]
        out.setdefault(year, {})
        out[year][name] = out[year].get(name, 0) + 1
    return out
