"""Offline assets: Leaflet and Leaflet.markercluster from their XStatic wheels, served by the app; a Map that loads only those."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import folium
import xstatic.pkg.leaflet as xleaflet
import xstatic.pkg.leaflet_markercluster as xcluster

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
URL_PREFIX = "/app/static"
OWN_FILES = ("ismap.js", "ismap.css")


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
    digest = hashlib.sha256((static_dir / name).read_bytes()).hexdigest()[:10]
    return f"{prefix}/{name}?v={digest}"


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
