"""The Streamlit server as deployed for a team: config hardening and static serving confined to static/."""

from __future__ import annotations

import http.client
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent


def get(url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict]:
    """A raw GET that sends the path exactly as written (no client-side normalisation of '..')."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    for key, value in (headers or {}).items():
        connection.putheader(key, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, {k.lower(): v for k, v in response.getheaders()}


def test_config_is_hardened():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True, "true restricts cross-origin requests; false would allow any origin"
    assert server["enableStaticServing"] is True
    assert 1 <= server["maxUploadSize"] <= 50
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False
    # No module watcher on the server's event loop: it held the health check for seconds under load (issue 12).
    assert server["fileWatcherType"] == "none" and server["runOnSave"] is False


def test_static_files_are_served_with_their_types(app_url):
    status, body, headers = get(app_url, "/app/static/ismap.js")
    assert status == 200 and b"ISMap" in body
    assert "javascript" in headers.get("content-type", "")
    status, _, headers = get(app_url, "/app/static/vendor/leaflet/leaflet.css")
    assert status == 200 and "text/css" in headers.get("content-type", "")


@pytest.mark.parametrize("path", [
    "/app/static/../app.py",
    "/app/static/%2e%2e/app.py",
    "/app/static/..%2fapp.py",
    "/app/static/%2e%2e%2fapp.py",
    "/app/static/%252e%252e%252fapp.py",
    "/app/static/vendor/../../app.py",
    "/app/static/..\\app.py",
    "/app/static/....//app.py",
    "/app/static/%2e%2e/.streamlit/config.toml",
    "/app/static/../data/sources/README.md",
    "/app/static//etc/passwd",
    "/app/static/%2fetc%2fpasswd",
])
def test_paths_outside_static_are_refused(app_url, path):
    """Streamlit's static handler answers 400 to a path that tries to leave static/ and 404 to a missing file."""
    status, body, _ = get(app_url, path)
    assert status in (400, 404), (path, status)
    assert b"import streamlit" not in body and b"enableXsrfProtection" not in body and b"root:" not in body


def test_cross_origin_requests_are_not_allowed(app_url):
    _, _, headers = get(app_url, "/_stcore/health", {"Origin": "http://evil.example"})
    assert headers.get("access-control-allow-origin") not in ("*", "http://evil.example")


def test_missing_static_file_is_404(app_url):
    assert get(app_url, "/app/static/no-such-file.js")[0] == 404


def frontend_bundle() -> tuple[str, bytes]:
    """The largest of Streamlit's own JavaScript files that the layer compresses (bigger ones pass through),
    as a request path and its bytes on disk."""
    from serve import FRONTEND, MAX_FILE

    biggest = max((p for p in (FRONTEND / "static" / "js").glob("*.js") if p.stat().st_size <= MAX_FILE),
                  key=lambda p: p.stat().st_size)
    return "/" + biggest.relative_to(FRONTEND).as_posix(), biggest.read_bytes()


def test_streamlit_frontend_files_arrive_compressed(app_url):
    import gzip

    path, original = frontend_bundle()
    status, body, headers = get(app_url, path, {"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == original
    assert len(body) < len(original) / 2
    assert headers["content-type"].startswith(("application/javascript", "text/javascript"))
    assert "immutable" in headers["cache-control"] and headers["vary"] == "Accept-Encoding"
    # A client that does not accept gzip gets the plain file, as from Streamlit itself.
    status, body, headers = get(app_url, path)
    assert status == 200 and body == original and "content-encoding" not in headers


@pytest.mark.parametrize("path", ["/static/../serve.py", "/static/%2e%2e/%2e%2e/app.py", "/static/js/../../../app.py",
                                  "/static//etc/passwd", "/static/js/..%2f..%2fapp.py", "/app/static/gen/../../app.py",
                                  "/app/static/gen/%2e%2e/%2e%2e/serve.py", "/app/static/gen//etc/passwd",
                                  "/app/static/gen/../ismap.js"])
def test_the_compressing_layer_serves_nothing_outside_its_folders(app_url, path):
    status, body, headers = get(app_url, path, {"Accept-Encoding": "gzip"})
    assert headers.get("content-encoding") != "gzip" or status != 200
    assert b"st.App" not in body and b"import streamlit" not in body and b"root:" not in body


def test_the_apps_content_hashed_payloads_arrive_compressed_and_cached(app_url):
    import gzip
    import json

    from layers.publish import publish

    data = json.dumps({"type": "FeatureCollection", "features": [], "note": "x" * 5000}).encode()
    url = publish("selftest", data)
    assert url.startswith("/app/static/gen/")
    first = get(app_url, url, {"Accept-Encoding": "gzip"})
    second = get(app_url, url, {"Accept-Encoding": "gzip"})
    for status, body, headers in (first, second):
        assert status == 200 and headers["content-encoding"] == "gzip" and gzip.decompress(body) == data
        assert headers["content-type"].startswith("application/json") and "immutable" in headers["cache-control"]
    assert first[1] == second[1]
    status, body, headers = get(app_url, url)
    assert status == 200 and body == data and "content-encoding" not in headers


def test_the_compressing_layer_answers_only_for_plain_files_inside_its_folders(tmp_path):
    """file_for itself, past the string checks: what resolves outside a folder (a symlink), a NUL byte, a file
    that is not there, a suffix it does not compress and users' layers all go to Streamlit (None)."""
    from serve import CompressedFrontend

    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "js").mkdir(parents=True)
    outside.mkdir()
    (root / "js" / "ok.js").write_text("ok")
    (root / "user-1.json").write_text("{}")
    (root / "font.woff2").write_bytes(b"x")
    (outside / "secret.js").write_text("secret")
    (root / "js" / "link.js").symlink_to(outside / "secret.js")
    layer = CompressedFrontend(app=None, roots={"/s/": root})
    assert layer.file_for("/s/js/ok.js") == (root / "js" / "ok.js").resolve()
    for path in ("/s/js/link.js", "/s/js/ok\x00.js", "/s/js/missing.js", "/s/font.woff2", "/s/user-1.json",
                 "/other/js/ok.js", "/s/js/../js/ok.js", "/s//js/ok.js"):
        assert layer.file_for(path) is None, path


def test_every_page_and_file_carries_the_security_headers(app_url):
    """Issue 12 (L2): CSP with only the app's origin, frame-ancestors, Referrer-Policy and nosniff; no
    `Access-Control-Allow-Origin: *` on the app's files (a user's layer included)."""
    for path in ("/", "/_stcore/health", "/app/static/ismap.js"):
        status, _, headers = get(app_url, path, {"Origin": "http://evil.example"})
        assert status == 200, path
        csp = headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "object-src 'none'" in csp, path
        assert "http" not in csp.replace("https://", "")  # no other origin is allowed
        assert "connect-src 'self';" in csp and "ws:" not in csp  # no WebSocket to another host either
        assert headers.get("referrer-policy") == "same-origin" and headers.get("x-content-type-options") == "nosniff"
        assert headers.get("x-frame-options") == "SAMEORIGIN"
        assert "access-control-allow-origin" not in headers, path


def test_online_tiles_add_only_their_host_to_the_policy():
    from serve import content_security_policy

    policy = content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: blob: https://*.tile.example.org" in policy
    assert "tile.example.org" not in content_security_policy("")


def test_the_server_starts_and_answers_when_its_data_cannot_be_read(tmp_path):
    """serve.py prepares the default map's payloads before the first visit; a broken layer file must not stop the
    server from starting (the app names the file on the first run)."""
    import shutil
    import urllib.request

    from devtools.browser import start_server, stop_server
    from geo.paths import GEOJSON

    out = tmp_path / "geojson"
    shutil.copytree(GEOJSON, out)
    (out / "territory.geojson").write_text("{not json", encoding="utf-8")
    process, url = start_server(env={"ISMAP_GEOJSON_DIR": str(out)})
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
            assert response.read() == b"ok"
        with urllib.request.urlopen(f"{url}/", timeout=5) as response:
            assert response.status == 200
    finally:
        stop_server(process)
