"""Offline assets: Leaflet and Leaflet.markercluster from their XStatic wheels, served by the app; a Map that loads only those."""

from __future__ import annotations

import functools
import hashlib
import shutil
from pathlib import Path

import branca.element
import folium
import jinja2
import xstatic.pkg.leaflet as xleaflet
import xstatic.pkg.leaflet_markercluster as xcluster

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
URL_PREFIX = "/app/static"
OWN_FILES = ("ismap.js", "ismap.css")


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> jinja2.Template:
    """branca compiles an element's template string every time an element is made: folium's map makes a dozen
    (its header's style and meta tags, each class's includes) on every rerun, about a fifth of a rerun's time.
    The strings are folium's constants, never data (SECURITY.md), so each is compiled once and reused."""
    return jinja2.Template(source)


branca.element.Template = _compiled  # only Element(template=...) and unpickling look the name up at run time


def ensure_vendor(static_dir: Path = STATIC) -> Path:
    """Copy Leaflet's JS, CSS and images out of the installed wheel into static/vendor (idempotent)."""
    source = Path(xleaflet.BASE_DIR)
    target = static_dir / "vendor" / "leaflet"
    if not (target / "leaflet.js").exists():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copyfile(source / name, target / name)
        shutil.copytree(source / "images", target / "images", dirs_exist_ok=True)
    cluster = static_dir / "vendor" / "markercluster"
    if not (cluster / "leaflet.markercluster.js").exists():
        cluster.mkdir(parents=True, exist_ok=True)
        for name in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"):
            shutil.copyfile(Path(xcluster.BASE_DIR) / name, cluster / name)
    return target


def versioned(name: str, static_dir: Path = STATIC, prefix: str = URL_PREFIX) -> str:
    """URL of one of the app's own static files, with a content hash so browsers never run a stale copy."""
    stat = (static_dir / name).stat()
    return f"{prefix}/{name}?v={_digest(static_dir / name, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)}"


@functools.lru_cache(maxsize=64)
def _digest(path: Path, mtime_ns: int, ctime_ns: int, size: int) -> str:
    """The file's content hash, read again whenever the file may have changed: its modification time, its
    status-change time (which a copy that keeps the modification time, `cp -p` or `rsync -a`, still moves) or
    its size. Every map of a session asks for it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def offline_map_class(prefix: str = URL_PREFIX) -> type[folium.Map]:
    """A folium.Map subclass that loads Leaflet from the app instead of a CDN, and nothing else."""
    return type(
        "OfflineMap",
        (folium.Map,),
        {
            "default_js": [("leaflet", f"{prefix}/vendor/leaflet/leaflet.js"),
                           ("markercluster", f"{prefix}/vendor/markercluster/leaflet.markercluster.js")],
            "default_css": [("leaflet_css", f"{prefix}/vendor/leaflet/leaflet.css"),
                            ("markercluster_css", f"{prefix}/vendor/markercluster/MarkerCluster.css")],
        },
    )


OfflineMap = offline_map_class()
