"""External plots -> arcs from the directing province's anchor to the target."""

from __future__ import annotations

import geopandas as gpd

from geo.arcs import arc
from geo.load import Sources


def build_plots(sources: Sources) -> gpd.GeoDataFrame:
    """One feature per plot, sorted by date then id; geometry is the curved trajectory."""
    provinces = sources.provinces.by_id()
    rows = []
    for plot in sorted(sources.plots.records, key=lambda p: (p.date.value, p.id)):
        province = provinces[plot.province_id]
        rows.append({
            "id": plot.id,
            "date": plot.date.iso,
            "date_precision": plot.date.precision,
            "province_id": province.id,
            "province": province.name,
            "link": plot.link,
            "outcome": plot.outcome,
            "target_place": plot.target_place,
            "country": plot.country,
            "target_lon": plot.lon,
            "target_lat": plot.lat,
            "anchor_name": province.anchor_name,
            "anchor_lon": province.anchor_lon,
            "anchor_lat": province.anchor_lat,
            "anchor_note": province.anchor_note,
            "killed": plot.killed,
            "injured": plot.injured,
            "attribution_note": plot.attribution_note,
            "confidence": plot.confidence,
            "refs": list(plot.refs),
            "summary": plot.summary,
            "geometry": arc((province.anchor_lon, province.anchor_lat), (plot.lon, plot.lat)),
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
