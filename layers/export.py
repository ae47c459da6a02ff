"""Briefing exports: standalone HTML of a view or a briefing, PNGs, and the briefing pack (ZIP)."""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import quote
from datetime import date

import geopandas as gpd

from geo.basemap import dated_labels, key_places, load_basemap_json
from geo.briefing import Briefing, to_yaml
from geo.export import export_geojson
from geo.paths import GEOJSON, ROOT
from geo.regions import region_names
from geo.view import View, month_options, selection, view_state
from layers import affiliates, plots, territory, userlayer
from layers.base import payload
from layers.escape import markdown_text
from layers.mapbuild import MapData
from layers.snapshot import png_pages
from layers.standalone import standalone_html

LAYER_DEFS = {"territory": territory.LAYER, "affiliates": affiliates.LAYER, "plots": plots.LAYER}
METHOD_NOTE = ROOT / "docs" / "method-territory.md"


def browser_payloads(frames: dict[str, gpd.GeoDataFrame], references: list[dict],
                     user: gpd.GeoDataFrame | None = None) -> dict[str, object]:
    """Everything the map draws, as JSON-ready objects (the same payloads the app serves); with `user`, the
    session's uploaded layer too, so an exported view shows what the map showed (U11)."""
    out: dict[str, object] = {layer: json.loads(payload(LAYER_DEFS[layer], layer, frame)) for layer, frame in frames.items()}
    if user is not None and not user.empty:
        out["user"] = json.loads(payload(userlayer.LAYER, "user", user))
    out["basemap"] = json.loads(load_basemap_json(GEOJSON))  # built once by `python -m geo build`
    out["references"] = references
    out["labels"] = dated_labels(key_places(), frames)
    return out


def _map_data(theme: str, *, user: bool = False) -> MapData:
    layers = tuple((LAYER_DEFS[layer], "") for layer in LAYER_DEFS) + (((userlayer.LAYER, ""),) if user else ())
    return MapData(layers=layers, basemap_url="", refs_url="",
                   labels_url="", theme=theme,
                   caption="Sources: the project's dataset; Natural Earth; GeoNames. Shapes are approximate.")


def scene_states(briefing: Briefing, today: date) -> list[dict]:
    """Each scene as the state the browser applies, with its title, caption, sources, centre and zoom."""
    states = []
    for scene in briefing.scenes:
        state = view_state(scene.view(), today)
        state.update({"title": scene.title, "caption": scene.caption, "refs": list(scene.refs),
                      "center": list(scene.center), "zoom": scene.zoom})
        states.append(state)
    return states


def view_caption(view: View, today: date) -> str:
    """What an exported view shows, in words: the date, the plot window and the filters (its sources are the
    features' own, listed in each popup and in the pack's bibliography)."""
    first, last = view.plot_window(today)
    parts = [f"Map of {view.month}.", f"Plots and attacks from {first:%d %b %Y} to {last:%d %b %Y}."]
    for label, values in (("provinces", view.provinces), ("links", view.links), ("outcomes", view.outcomes),
                          ("target countries", view.countries), ("target regions", region_names(view.regions))):
        if values:
            parts.append(f"Only {label}: {', '.join(values)}.")
    if view.min_killed:
        parts.append(f"Only plots and attacks with at least {view.min_killed} killed (unknown tolls left out).")
    return " ".join(parts)


def view_scene(view: View, today: date, *, title: str, caption: str = "") -> Briefing:
    """The current view as a one-scene briefing (what 'HTML of this view' and 'PNG of this view' export)."""
    from geo.briefing import scene_from_view

    scene = scene_from_view(view, title=title, caption=caption or view_caption(view, today), refs=[])
    return Briefing(title=title, description=caption or title, theme=view.theme, scenes=[scene])


def briefing_html(briefing: Briefing, payloads: dict[str, object], today: date) -> str:
    return standalone_html(_map_data(briefing.theme, user="user" in payloads), payloads, title=briefing.title,
                           scenes=scene_states(briefing, today), months=month_options(today))


def briefing_pngs(html: str, count: int, *, width: int = 1600, height: int = 900) -> list[bytes]:
    return png_pages([(html, number) for number in range(1, count + 1)], width=width, height=height)


def bibliography(ref_ids: set[str], references: list[dict]) -> str:
    """Every reference used, in Markdown, sorted by publisher and title."""
    used = sorted((r for r in references if r["id"] in ref_ids), key=lambda r: (r["publisher"], r["title"]))
    lines = ["# Bibliography", "", f"{len(used)} references used by this briefing's scenes and the features they show.", ""]
    for ref in used:
        # Every copied value is inert Markdown: its Markdown and HTML characters escaped, the address percent-coded
        # where it could close the link (an `<img onerror>` in a title is shown as text, not run by a viewer).
        raw = str(ref["address"])
        address = (f"<{quote(raw, safe=':/?#[]@!$&()*+,;=%~')}>" if raw.lower().startswith(("http://", "https://"))
                   else markdown_text(raw))  # a print citation is text, never a link
        lines.append(f"- {markdown_text(ref['publisher'])}, *{markdown_text(ref['title'])}*, "
                     f"{markdown_text(ref['date'])}. {address} [`{ref['id']}`]")  # ids are slugs (validated)
    return "\n".join(lines) + "\n"


def briefing_pack(briefing: Briefing, frames: dict[str, gpd.GeoDataFrame], references: list[dict],
                  today: date) -> bytes:
    """ZIP: a PNG per scene, the standalone HTML, each scene's GeoJSON, the bibliography and the method note."""
    payloads = browser_payloads(frames, references)
    html = briefing_html(briefing, payloads, today)
    images = briefing_pngs(html, len(briefing.scenes))
    used: set[str] = set()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        pack.writestr("briefing.html", html)
        pack.writestr("briefing.yaml", to_yaml(briefing))
        for number, (scene, image) in enumerate(zip(briefing.scenes, images), start=1):
            pack.writestr(f"scenes/{number:02d}.png", image)
            used.update(scene.refs)
            for layer, (time, filters) in selection(scene.view(), today).items():
                if layer not in scene.layers:
                    continue
                data = export_geojson(layer, frames[layer], time, filters)
                pack.writestr(f"scenes/{number:02d}-{layer}.geojson", data)
                for feature in json.loads(data)["features"]:
                    used.update(feature["properties"].get("refs") or [])
        pack.writestr("bibliography.md", bibliography(used, references))
        pack.writestr("method-territory.md", METHOD_NOTE.read_text(encoding="utf-8"))
    return buffer.getvalue()
