"""The app as Streamlit serves it, plus one thing Streamlit leaves out: files compressed once, not per request.

    .venv/bin/streamlit run serve.py        (what scripts/run.sh and the tests start)

Streamlit serves its own JavaScript bundles (`/static/...`, 3.4 MB on a first visit) uncompressed, on purpose:
it would otherwise gzip them again on every request. It does gzip the app's files (`/app/static/...`) on every
request. Here the files that never change are compressed once, on their first request, and kept in memory:
Streamlit's bundles and the app's content-hashed payloads (`/app/static/gen/`, 1.2 MB of JSON a visit loads).
A first visit downloads about a third as much, and the server does not compress the same bytes for every
visitor. Everything else (the WebSocket, the health check, other files, users' uploaded layers) passes through
unchanged, as do requests that do not accept gzip, range requests, big files and any path that is not a plain
file there.
"""

from __future__ import annotations

import asyncio
import gzip
import importlib
import logging
import mimetypes
import os
from collections import OrderedDict
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import streamlit
import streamlit as st
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from layers.publish import REPLICA_COOKIE, replica_name

FRONTEND = (Path(streamlit.__file__).parent / "static").resolve()
APP_PAYLOADS = (Path(__file__).resolve().parent / "static" / "gen").resolve()
# URL prefix -> folder. Both hold only files whose names change when their content does.
ROOTS = {"/static/": FRONTEND / "static", "/app/static/gen/": APP_PAYLOADS}
COMPRESSIBLE = {".js", ".css", ".json", ".svg", ".map", ".txt", ".html", ".ttf"}
IMMUTABLE = "public, immutable, max-age=31536000"  # content-hashed names, like Streamlit's own header
MAX_FILE = 4_000_000  # bigger files are left to Streamlit
MAX_CACHED = 64_000_000  # compressed bytes kept in memory at most (the oldest used go first)
SKIPPED = ("user-",)  # users' uploaded layers: one per upload, not shared by visitors; Streamlit serves them


class CompressedFrontend:
    """ASGI middleware: GET of an immutable file (see ROOTS), gzip-compressed once and then from memory."""

    def __init__(self, app: ASGIApp, roots: dict[str, Path] | None = None) -> None:
        self.app = app
        self.roots = {prefix: folder.resolve() for prefix, folder in (roots or ROOTS).items()}
        self.cache: OrderedDict[tuple[str, int, int], tuple[bytes, str]] = OrderedDict()
        self.cached_bytes = 0

    def file_for(self, path: str) -> Path | None:
        """The file a request path names, or None (not ours to answer: Streamlit decides)."""
        if ".." in path or "\\" in path or "//" in path or "\x00" in path:
            return None
        for prefix, root in self.roots.items():
            if path.startswith(prefix) and not path[len(prefix):].startswith(SKIPPED):
                try:
                    candidate = (root / path[len(prefix):]).resolve()
                    ok = root in candidate.parents and candidate.suffix in COMPRESSIBLE and candidate.is_file()
                except (OSError, ValueError):
                    return None
                return candidate if ok else None
        return None

    async def compressed(self, target: Path) -> tuple[bytes, str] | None:
        """The file gzip-compressed, from memory or compressed now (in a worker thread, not on the event loop)."""
        try:
            stat = target.stat()
        except OSError:  # removed since (static/gen is pruned): Streamlit answers
            return None
        if stat.st_size > MAX_FILE:
            return None
        key = (str(target), stat.st_mtime_ns, stat.st_size)
        if key not in self.cache:
            try:
                body = await asyncio.to_thread(lambda: gzip.compress(target.read_bytes(), 6, mtime=0))
            except OSError:
                return None
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            if key not in self.cache:
                self.cache[key] = (body, kind)
                self.cached_bytes += len(body)
            while self.cached_bytes > MAX_CACHED and len(self.cache) > 1:
                self.cached_bytes -= len(self.cache.popitem(last=False)[1][0])
        self.cache.move_to_end(key)
        return self.cache[key]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        target = self.file_for(scope["path"])
        if target is None or "gzip" not in headers.get("accept-encoding", "") or "range" in headers:
            await self.app(scope, receive, send)
            return
        found = await self.compressed(target)
        if found is None:
            await self.app(scope, receive, send)
            return
        body, kind = found
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", kind.encode()), (b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"),
            (b"content-length", str(len(body)).encode()), (b"cache-control", IMMUTABLE.encode()),
        ]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def content_security_policy(tile_url: str = "") -> str:
    """Only the app's own origin: scripts, styles, images, fetches and frames. Streamlit's frontend and
    streamlit-folium need inline scripts and styles and eval (the map's state arrives as script), so those are
    allowed from the page itself; nothing may load from, post to or frame the page from another origin. Online
    tiles, when an operator turns them on (ISMAP_TILE_URL), add their host to img-src."""
    images = "'self' data: blob:"
    if tile_url:
        host = urlsplit(tile_url.replace("{s}", "a")).netloc
        if host:
            images += f" https://{host.replace('a.', '*.', 1) if host.startswith('a.') else host}"
    return "; ".join((
        "default-src 'self'", "script-src 'self' 'unsafe-inline' 'unsafe-eval'", "style-src 'self' 'unsafe-inline'",
        f"img-src {images}", "font-src 'self' data:", "connect-src 'self'", "frame-src 'self' blob:",
        "worker-src 'self' blob:", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
        "frame-ancestors 'self'",
    ))


SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
)


class SecurityHeaders:
    """ASGI middleware: every HTTP response gets the CSP above, frame-ancestors, Referrer-Policy and nosniff, and
    loses Streamlit's `Access-Control-Allow-Origin: *` (no other origin may read the app's files or a user's
    layer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.csp = content_security_policy(os.environ.get("ISMAP_TILE_URL", "").strip()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {b"content-security-policy", b"access-control-allow-origin"} | {k for k, _ in SECURITY_HEADERS}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                headers += [(b"content-security-policy", self.csp), *SECURITY_HEADERS]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class ReplicaCookie:
    """ASGI middleware, only when this process is one replica of several (ISMAP_REPLICA, set by
    scripts/serve_cluster.py): every WebSocket handshake it accepts names it in a cookie, which the load balancer
    reads to send the page's later requests (its uploads, a reconnection) to the process that holds its session.
    Only the handshake sets it: the process a page's HTML came from does not matter, the one its WebSocket joined
    does (so a tab opened later, wherever its page is served, cannot move the cookie away from a live session of
    the same browser). After a failover the new replica's handshake names the new one. The cookie holds nothing
    secret and nothing a user chose: an unknown value only sends a request to the least busy replica."""

    def __init__(self, app: ASGIApp, name: str) -> None:
        self.app = app
        self.cookie = f"{REPLICA_COOKIE}={name}; Path=/; HttpOnly; SameSite=Lax".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: dict) -> None:
            if message["type"] == "websocket.accept":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", self.cookie)]}
            await send(message)

        await self.app(scope, receive, with_cookie)


class FirstRunIsWhole:
    """ASGI middleware: on each WebSocket connection, the first rerun request runs the whole script, even when
    the browser asked for one fragment only (the map's, after a step).

    A browser whose WebSocket drops reconnects to the session it had; when that session has gone (its replica
    was killed and the load balancer sent the page to another one, or a single server restarted), the server
    starts a new session that has run nothing yet, so it knows no fragment and would drop a fragment's rerun:
    the map would step and the app would never catch up. A whole run builds the fragments, and restores the view
    from the page's query string and the widgets' values that every rerun request carries. On a connection that
    found its session alive, the cost is one whole run instead of a fragment's. Later messages pass untouched
    (only the first rerun request is parsed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        from streamlit.proto.BackMsg_pb2 import BackMsg

        pending = True

        async def first_run_whole() -> dict:
            nonlocal pending
            message = await receive()
            if pending and message["type"] == "websocket.receive" and message.get("bytes"):
                back = BackMsg()
                try:
                    back.ParseFromString(message["bytes"])
                except Exception:  # noqa: BLE001 - not ours to judge: Streamlit answers it
                    return message
                if back.WhichOneof("type") == "rerun_script":
                    pending = False
                    if back.rerun_script.fragment_id:
                        back.rerun_script.fragment_id = ""
                        message = {**message, "bytes": back.SerializeToString()}
            return message

        await self.app(scope, first_run_whole, send)


# What the app's first run would otherwise import while the first visitor waits (about a second here).
# Not streamlit_folium: it declares its component on import, which must happen inside the running app.
WARM_MODULES = ("geopandas", "folium", "shapely", "pydantic", "geo.export", "geo.stats",
                "geo.view", "geo.briefing", "geo.upload", "layers.mapbuild", "layers.export")


@asynccontextmanager
async def warm_imports(_app):
    for name in WARM_MODULES:
        importlib.import_module(name)
    # The country names every map's config carries (read from the 1:50m outlines: about 0.8 s, once).
    importlib.import_module("geo.countries").country_names()
    # The default map's payloads, published once per process before the first visitor arrives (the layers are
    # read, their browser payloads built and written under static/gen): about a second the first visitor no longer
    # waits. The arguments are the ones the map view passes, so its call finds this one cached.
    # Data that cannot be read is the app's to report, with file, row and field, on the first run: the server
    # starts either way.
    ui_data = importlib.import_module("ui.data")
    try:
        ui_data.published(ui_data.data_dir(), "default", False)
        # The other caches every first run fills (the area series and chart, the find box's index, the sources).
        today = date.today()
        ui_data.area_chart_rows(ui_data.data_dir(), today)
        ui_data.place_index(ui_data.data_dir())
        ui_data.reference_list(ui_data.data_dir())
    except Exception:  # noqa: BLE001 - any failure here is met again, and explained, by the app itself
        logging.getLogger(__name__).info("payloads not prepared before the first visit", exc_info=True)
    # No session outlives a restart: every user's layer left on disk goes now.
    # (This process's own: replicas share static/gen, and each one's layers carry its name.)
    importlib.import_module("layers.publish").remove_user_layers(set(), min_age_s=0)
    sweeper = asyncio.create_task(sweep_user_layers())
    try:
        yield
    finally:
        sweeper.cancel()


# Users' uploaded layers go when their session ends: every USER_SWEEP_S the files whose session token no live
# session holds are deleted (Streamlit keeps a disconnected session for server.disconnectedSessionTTL, 120 s by
# default, so a reconnecting tab finds its layer).
USER_SWEEP_S = float(os.environ.get("ISMAP_USER_SWEEP_S", "30"))
USER_SWEEP_MIN_AGE_S = float(os.environ.get("ISMAP_USER_SWEEP_MIN_AGE_S", "60"))


def live_user_tokens() -> set[str] | None:
    """The upload tokens of the sessions Streamlit still holds (connected or within their TTL); None if unknown."""
    from streamlit.runtime import Runtime

    from ui.keys import Keys
    try:
        sessions = Runtime.instance()._session_mgr.list_sessions()  # noqa: SLF001 - no public listing (1.67)
        return {str(info.session.session_state[Keys.USER_TOKEN]) for info in sessions
                if Keys.USER_TOKEN in info.session.session_state}
    except Exception:  # noqa: BLE001 - without a reliable list, delete nothing
        logging.getLogger(__name__).warning("could not list sessions; users' layers kept", exc_info=True)
        return None


async def sweep_user_layers() -> None:
    from layers.publish import remove_user_layers

    while True:
        await asyncio.sleep(USER_SWEEP_S)
        tokens = live_user_tokens()
        if tokens is not None:
            await asyncio.to_thread(remove_user_layers, tokens, USER_SWEEP_MIN_AGE_S)


def middleware() -> list[Middleware]:
    stack = [Middleware(SecurityHeaders), Middleware(CompressedFrontend), Middleware(FirstRunIsWhole)]
    name = replica_name()
    return stack + [Middleware(ReplicaCookie, name=name)] if name else stack


app = st.App("app.py", middleware=middleware(), lifespan=warm_imports)
