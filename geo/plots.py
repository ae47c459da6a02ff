"""External plots -> one directed path per plot: the province's anchor (or the documented route) to the target."""

from __future__ import annotations

from collections import defaultdict

import geopandas as gpd
import shapely

from geo.arcs import arc
from geo.load import Sources
from geo.models import Plot, PlotLeg, Province
from geo.regions import region_of


def legs_by_plot(sources: Sources) -> dict[str, list[PlotLeg]]:
    """Each plot's documented legs, in route order."""
    legs: dict[str, list[PlotLeg]] = defaultdict(list)
    for leg in sources.legs.records:
        legs[leg.plot_id].append(leg)
    return {plot_id: sorted(items, key=lambda leg: leg.seq) for plot_id, items in legs.items()}


def route(plot: Plot, province: Province, legs: list[PlotLeg]) -> list[dict]:
    """The stops of a plot's path, ending at the target. The path starts at the province's anchor unless a leg
    says where the plot was directed from (role 'directed'), which is then the true start."""
    stops = [{"place": leg.place, "role": leg.role, "lon": leg.lon, "lat": leg.lat,
              "date": leg.date.iso if leg.date else None, "date_precision": leg.date.precision if leg.date else None}
             for leg in legs]
    if not any(leg.role == "directed" for leg in legs):
        stops.insert(0, {"place": province.anchor_name, "role": "province", "lon": province.anchor_lon,
                         "lat": province.anchor_lat, "date": None, "date_precision": None})
    stops.append({"place": plot.target_place, "role": "target", "lon": plot.lon, "lat": plot.lat,
                  "date": plot.date.iso, "date_precision": plot.date.precision})
    return stops


def path_geometry(stops: list[dict]) -> shapely.LineString:
    """One directed line through every stop: a curved arc per leg, joined end to end."""
    coords: list[tuple[float, float]] = []
    for first, second in zip(stops, stops[1:]):
        piece = list(arc((first["lon"], first["lat"]), (second["lon"], second["lat"])).coords)
        coords.extend(piece if not coords else piece[1:])
    return shapely.LineString(coords)


def route_text(stops: list[dict]) -> str:
    """The route in words, e.g. 'Raqqa (directed) → Brussels (based) → Paris'."""
    words = {"province": "province", "directed": "directed", "trained": "trained", "travelled": "travelled",
             "based": "based"}
    return " → ".join(stop["place"] + (f" ({words[stop['role']]})" if stop["role"] in words else "")
                      for stop in stops)


def _directed_note(legs: list[PlotLeg]) -> str:
    """What the record says about the place a plot was directed from (the first 'directed' leg's note)."""
    return next(leg.note for leg in legs if leg.role == "directed")


def build_plots(sources: Sources) -> gpd.GeoDataFrame:
    """One feature per plot, sorted by date then id; geometry is the directed path; legs' sources join the plot's."""
    provinces = sources.provinces.by_id()
    legs = legs_by_plot(sources)
    rows = []
    for plot in sorted(sources.plots.records, key=lambda p: (p.date.value, p.id)):
        province = provinces[plot.province_id]
        plot_legs = legs.get(plot.id, [])
        stops = route(plot, province, plot_legs)
        refs = list(dict.fromkeys([*plot.refs, *(ref for leg in plot_legs for ref in leg.refs)]))
        rows.append({
            "id": plot.id,
            "date": plot.date.iso,
            "date_precision": plot.date.precision,
            "date_public": plot.date_public.iso if plot.date_public else None,
            "date_public_precision": plot.date_public.precision if plot.date_public else None,
            "province_id": province.id,
            "province": province.name,
            "link": plot.link,
            "outcome": plot.outcome,
            "target_type": plot.target_type,
            "evidence": list(plot.evidence),
            "plotters": plot.plotters,
            "route": stops,
            "route_text": route_text(stops),
            "target_place": plot.target_place,
            "country": plot.country,
            "region": region_of(plot.country),
            "target_lon": plot.lon,
            "target_lat": plot.lat,
            "anchor_name": stops[0]["place"],
            "anchor_lon": stops[0]["lon"],
            "anchor_lat": stops[0]["lat"],
            "anchor_note": province.anchor_note if stops[0]["role"] == "province" else _directed_note(plot_legs),
            "killed": plot.killed,
            "injured": plot.injured,
            "attribution_note": plot.attribution_note,
            "confidence": plot.confidence,
            "refs": refs,
            "summary": plot.summary,
            "geometry": path_geometry(stops),
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
