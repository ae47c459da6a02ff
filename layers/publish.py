"""Browser payloads as content-hashed files under static/gen, written once and served by the app."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from pathlib import Path

from geo.paths import replace_file
from layers.assets import STATIC, URL_PREFIX


def publish(name: str, data: bytes, static_dir: Path = STATIC, prefix: str = URL_PREFIX) -> str:
    """Write data as gen/{name}-{hash}.json unless it exists; return its URL. Safe under concurrent sessions."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    folder = static_dir / "gen"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}-{digest}.json"
    if not target.exists():
        replace_file(target, data)
    return f"{prefix}/gen/{target.name}"


def _delete_older(paths, max_age_s: float, wanted=lambda path: True) -> int:
    """Delete the files among paths that wanted() picks and that are older than max_age_s; how many went."""
    cutoff = time.time() - max_age_s
    removed = 0
    for path in paths:
        try:
            if wanted(path) and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        except OSError:
            continue
    return removed


def prune(static_dir: Path = STATIC, keep: set[str] | frozenset[str] = frozenset(), max_age_s: float = 86_400) -> int:
    """Delete generated payloads older than max_age_s that are not in keep (old builds, old uploads)."""
    folder = static_dir / "gen"
    if not folder.exists():
        return 0
    return _delete_older(folder.glob("*.json"), max_age_s, lambda path: path.name not in keep)


USER_LAYER_MAX_AGE_S = 6 * 3600
REPLICA_SETTING = "ISMAP_REPLICA"  # set by scripts/serve_cluster.py: this process is one replica of several
REPLICA_COOKIE = "ismap_replica"


def replica_name(environ: dict[str, str] | None = None) -> str:
    """This process's name among replicas ('r1', 'r2', ...), or '' when it serves alone (or the setting is odd)."""
    name = (os.environ if environ is None else environ).get(REPLICA_SETTING, "")
    return name if re.fullmatch(r"r[0-9]{1,3}", name) else ""


def user_token(environ: dict[str, str] | None = None) -> str:
    """A new upload token: 32 random hex digits, after this replica's name and '_' when there are replicas (they
    share static/gen, and each removes only its own sessions' layers)."""
    name = replica_name(environ)
    return f"{name}_{secrets.token_hex(16)}" if name else secrets.token_hex(16)


def _token_of(path: Path) -> str:
    return path.name[len("user-"):].split("-", 1)[0]


def _owned(token: str, name: str) -> bool:
    """Whether a layer's token belongs to this process: with its replica prefix, or (alone) without any prefix."""
    return token.startswith(f"{name}_") if name else "_" not in token


def remove_published(url: str, static_dir: Path = STATIC) -> bool:
    """Delete one generated payload by its URL (a user's replaced or removed layer); True if a file went."""
    name = url.rsplit("/", 1)[-1]
    if "/" in name or not name.endswith(".json") or name.startswith("."):
        return False
    path = static_dir / "gen" / name
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


def prune_user_layers(static_dir: Path = STATIC, max_age_s: float = USER_LAYER_MAX_AGE_S) -> int:
    """Delete users' layers older than max_age_s (their sessions have ended) and stale temp files."""
    folder = static_dir / "gen"
    if not folder.exists():
        return 0
    return _delete_older(list(folder.glob("user-*.json")) + list(folder.glob(".*")), max_age_s)


def remove_user_layers(keep_tokens: set[str], min_age_s: float = 60.0, static_dir: Path = STATIC) -> int:
    """Delete users' layers whose session token is not in keep_tokens (their sessions have ended).

    A file younger than min_age_s is kept whatever its token: its session may have written it between the caller's
    look at the live sessions and this look at the files."""
    folder = static_dir / "gen"
    if not folder.exists():
        return 0
    name = replica_name()
    return _delete_older(folder.glob("user-*.json"), min_age_s,
                         lambda path: _owned(_token_of(path), name) and _token_of(path) not in keep_tokens)
