"""A static build for readers: the map as files any static web server or CDN can serve, with no Python behind it.

    .venv/bin/python -m layers.site OUT/ [--geojson data/geojson]

Writes into OUT/ (issue 18, part 3):
  index.html     the map to explore: the time bar (play, steps, key events), the layers and the filters of the
                 app's sidebar (link, outcome, toll, directing province, target country), popups with their
                 sources, the plots table, the legend; the month in the address (#date=YYYY-MM);
  chart.html     the area held, Iraq, Syria and abroad, month by month (hover a month for its figures);
  briefing.html  the default briefing's scenes (the briefing pack's standalone page);
  data/          the layers as GeoJSON and the references as JSON, for readers' own GIS.
Every page has its scripts, styles and data inside it: it opens from file:// and from any static server, and
fetches nothing (tests/browser/test_site.py checks both, offline, and with hostile data). The map steps in the
page, as it does in the app; what the app computes on the server for a view (the stats panel, exports of a
filtered view, the find box, uploads) is not in a static build.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from geo.briefing import BRIEFINGS, load_briefing
from geo.export import load_layer
from geo.paths import GEOJSON, replace_file
from geo.stats import monthly_area
from geo.view import default_view, month_options, view_state
from layers.areachart import AREA_SERIES, area_chart_svg, chart_rows, chart_with_hover
from layers.assets import STATIC
from layers.escape import escape_text
from layers.export import _map_data, briefing_html, browser_payloads
from layers.mapbuild import state_group
from layers.standalone import _asset, embedded_map, self_contained

LAYERS = ("territory", "affiliates", "plots")
TITLE = "Islamic State: territory, provinces and external plots, 2013 to today"


def _header(today: date, page: str) -> str:
    links = [("index.html", "Map"), ("chart.html", "Area held"), ("briefing.html", "Briefing"),
             ("data/territory.geojson", "Data (GeoJSON)")]
    current = ' aria-current="page"'
    anchors = "".join(f'<a href="{href}"{current if href == page else ""}>{escape_text(label)}</a>'
                      for href, label in links)
    return (f'<div class="ismap-site-header"><b>{escape_text(TITLE)}</b> built {escape_text(today.isoformat())}'
            f"{anchors}</div>")


def explore_html(payloads: dict[str, object], today: date, static_dir: Path = STATIC) -> str:
    """index.html: the map with its time bar, table and the filter panel, opening on the app's default view."""
    fmap = embedded_map(_map_data("default"), payloads, {"timebar": True, "table": True, "site": True})
    state_group(view_state(default_view(today), today)).add_to(fmap)
    html = self_contained(fmap, TITLE, static_dir, body=_header(today, "index.html"), scripts=("site.js",))
    return html.replace("<body>", '<body class="ismap-site">', 1)


def chart_html(territory, today: date, static_dir: Path = STATIC) -> str:
    """chart.html: the area series (the app's chart, marked at the latest month) with its hover figures."""
    months = month_options(today)
    rows = chart_rows(monthly_area(territory, today))
    title = "Area held by IS, km² (Iraq, Syria and abroad)"
    chart = chart_with_hover(area_chart_svg(rows, AREA_SERIES, months[-1], title=title), rows, AREA_SERIES, title,
                             months[-1])
    css = _asset(static_dir, "ismap.css")
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape_text(title)}</title>"
            f"<style>{css} body{{margin:0;font:14px/1.45 system-ui,sans-serif;color:#1a1a1a}}"
            f".ismap-site-page{{padding:50px 16px 16px 16px;max-width:980px}}"
            f".ismap-site-page h1{{margin-bottom:96px}}</style></head>"
            f"<body>{_header(today, 'chart.html')}<div class=\"ismap-site-page\"><h1>{escape_text(title)}</h1>"
            f"{chart}<p>Each month's area is the union of the territory polygons the map shows on that month's last "
            "day, measured on an equal-area projection; how they are drawn, and how the series compares with "
            "published estimates, is in the method note (docs/method-territory.md, docs/area-estimates.md in the "
            "project).</p></div></body></html>")


def site_files(geojson_dir: Path = GEOJSON, today: date | None = None) -> dict[str, bytes]:
    """Every file of the static build, by its path under OUT/."""
    today = today or date.today()
    frames = {layer: load_layer(layer, geojson_dir) for layer in LAYERS}
    references = json.loads((geojson_dir / "references.json").read_text(encoding="utf-8"))
    payloads = browser_payloads(frames, references)
    files = {
        "index.html": explore_html(payloads, today).encode("utf-8"),
        "chart.html": chart_html(frames["territory"], today).encode("utf-8"),
        "briefing.html": briefing_html(load_briefing(BRIEFINGS / "default.yaml"), payloads, today).encode("utf-8"),
        "data/references.json": (geojson_dir / "references.json").read_bytes(),
    }
    for layer in LAYERS:
        files[f"data/{layer}.geojson"] = (geojson_dir / f"{layer}.geojson").read_bytes()
    return files


def write_site(out: Path, geojson_dir: Path = GEOJSON, today: date | None = None) -> dict[str, int]:
    """Write the build into `out` (each file replaced whole, so a server never serves half a file)."""
    files = site_files(geojson_dir, today)
    for name, body in files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, body)
    return {name: len(body) for name, body in files.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--geojson", type=Path, default=GEOJSON, help="a build of `python -m geo build`")
    args = parser.parse_args(argv)
    sizes = write_site(args.out, args.geojson)
    for name, size in sizes.items():
        print(f"{args.out / name}  {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
