"""Standalone HTML: the map with every asset inlined and its data embedded, opening from disk with no network."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import folium

from layers.assets import STATIC, ensure_vendor
from layers.escape import escape_text
from layers.mapbuild import MapData, build_map, map_config

_SCRIPT = re.compile(r'<script src="/app/static/([^"?]+)(?:\?[^"]*)?"></script>')
_STYLE = re.compile(r'<link rel="stylesheet" href="/app/static/([^"?]+)(?:\?[^"]*)?"/>')


def _asset(static_dir: Path, relative: str) -> str:
    path = (static_dir / relative).resolve()
    if static_dir.resolve() not in path.parents:
        raise ValueError(f"asset outside static/: {relative}")
    return path.read_text(encoding="utf-8")


def _inline_assets(html: str, static_dir: Path) -> str:
    """Replace every /app/static link with the file's content, so the page needs no server."""
    def script(match: re.Match[str]) -> str:
        body = _asset(static_dir, match.group(1)).replace("</script", "<\\/script")
        return f"<script>{body}</script>"

    def style(match: re.Match[str]) -> str:
        return f"<style>{_asset(static_dir, match.group(1))}</style>"

    return _STYLE.sub(style, _SCRIPT.sub(script, html))


def embedded_map(data: MapData, payloads: dict[str, object], extra: dict, **view) -> folium.Map:
    """The map with every payload in its config instead of a URL (no tiles): what a page with no server draws.

    payloads: {"basemap": ..., "references": ..., "labels": ..., "<layer id>": FeatureCollection}.
    extra: more of the browser config (controls); view: build_map's center and zoom."""
    inline = replace(data, tiles=None)
    layers = [{**layer, "url": None, "data": payloads[layer["id"]]} for layer in map_config(inline)["layers"]]
    embedded = {
        "layers": layers, "basemapUrl": None, "refsUrl": None, "labelsUrl": None,
        "basemapData": payloads["basemap"], "refsData": payloads["references"], "labelsData": payloads["labels"],
    }
    return build_map(inline, extra={**embedded, **extra}, **view)


def self_contained(fmap: folium.Map, title: str, static_dir: Path = STATIC, *, body: str = "",
                   scripts: tuple[str, ...] = ()) -> str:
    """The map's page with a title, its assets inlined and nothing left to fetch. body: markup at the start of the
    body (the caller's, escaped); scripts: files of static/ run after the map's own scripts."""
    ensure_vendor(static_dir)
    html = fmap.get_root().render()
    html = html.replace("<head>", f"<head><title>{escape_text(title)}</title>", 1)
    if body:
        html = html.replace("<body>", f"<body>{body}", 1)
    if scripts:  # folium puts its scripts after </body>: these go after them
        closing = html.rindex("</html>")
        code = "".join("<script>" + _asset(static_dir, name).replace("</script", "<\\/script") + "</script>"
                       for name in scripts)
        html = html[:closing] + code + html[closing:]
    html = _inline_assets(html, static_dir)
    if "/app/static/" in html:
        raise ValueError("a static link was left in the standalone page")
    return html


def standalone_html(data: MapData, payloads: dict[str, object], *, title: str, scenes: list[dict],
                    months: list[str], static_dir: Path = STATIC) -> str:
    """One HTML file: the map, its embedded data, and controls for the scenes and the month.

    scenes: map states (date, layers, filters, plot window) with title, caption, refs, center, zoom.
    """
    first = scenes[0]
    extra = {"standalone": {"title": title, "scenes": scenes, "months": months}, "timebar": False, "table": False}
    fmap = embedded_map(data, payloads, extra, center=tuple(first["center"]), zoom=first["zoom"])
    return self_contained(fmap, title, static_dir)

