"""The app as Streamlit serves it, plus one thing Streamlit leaves out: compressed frontend files.

    .venv/bin/streamlit run serve.py        (what scripts/run.sh and the tests start)

Streamlit serves its own JavaScript bundles (`/static/...`, 3.4 MB on a first visit) uncompressed, on purpose:
it would otherwise gzip them again on every request. Here each file is compressed once, on its first request,
and kept in memory (about 1 MB for what a visit loads), so a first visit downloads roughly a third as much.
Everything else (the app's own `/app/static` files, the WebSocket, the health check) passes through
unchanged, as do requests that do not accept gzip and any path that is not a plain file in Streamlit's folder.
"""

from __future__ import annotations

import gzip
import importlib
import mimetypes
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit
import streamlit as st
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

FRONTEND = (Path(streamlit.__file__).parent / "static").resolve()
COMPRESSIBLE = {".js", ".css", ".json", ".svg", ".map", ".txt", ".html", ".ttf"}
IMMUTABLE = "public, immutable, max-age=31536000"  # Streamlit's bundles are content-hashed, like its own header


class CompressedFrontend:
    """ASGI middleware: GET /static/<file> of Streamlit's frontend, gzip-compressed once and then from memory."""

    def __init__(self, app: ASGIApp, root: Path = FRONTEND) -> None:
        self.app = app
        self.root = root
        self.cache: dict[str, tuple[bytes, str]] = {}

    def file_for(self, path: str) -> Path | None:
        """The frontend file a request path names, or None (not ours to answer: Streamlit decides)."""
        if not path.startswith("/static/") or ".." in path or "\\" in path or "//" in path:
            return None
        candidate = (self.root / path.lstrip("/")).resolve()
        if self.root not in candidate.parents or candidate.suffix not in COMPRESSIBLE or not candidate.is_file():
            return None
        return candidate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        target = self.file_for(scope["path"])
        if target is None or "gzip" not in headers.get("accept-encoding", "") or "range" in headers:
            await self.app(scope, receive, send)
            return
        key = str(target)
        if key not in self.cache:
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            self.cache[key] = (gzip.compress(target.read_bytes(), compresslevel=9, mtime=0), kind)
        body, kind = self.cache[key]
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", kind.encode()), (b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"),
            (b"content-length", str(len(body)).encode()), (b"cache-control", IMMUTABLE.encode()),
            (b"x-content-type-options", b"nosniff"),
        ]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


# What the app's first run would otherwise import while the first visitor waits (about a second here).
# Not streamlit_folium: it declares its component on import, which must happen inside the running app.
WARM_MODULES = ("geopandas", "folium", "shapely", "pydantic", "geo.export", "geo.stats",
                "geo.view", "geo.briefing", "geo.upload", "layers.mapbuild", "layers.export")


@asynccontextmanager
async def warm_imports(_app):
    for name in WARM_MODULES:
        importlib.import_module(name)
    yield


app = st.App("app.py", middleware=[Middleware(CompressedFrontend)], lifespan=warm_imports)
