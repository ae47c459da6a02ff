"""Replicas behind nginx (scripts/serve_cluster.py, issue 18): the configuration nginx gets, and what replicas share."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.briefing import BRIEFINGS, briefing_names, briefing_path, load_briefing, save_briefing
from layers.publish import REPLICA_COOKIE, publish, remove_user_layers, replica_name, user_token

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"  # Debian's, installed by scripts/test.sh and scripts/serve-cluster.sh


def supervisor():
    """scripts/serve_cluster.py as a module (scripts/ is not a package)."""
    if "serve_cluster" not in sys.modules:
        spec = importlib.util.spec_from_file_location("serve_cluster", ROOT / "scripts" / "serve_cluster.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["serve_cluster"] = module
        spec.loader.exec_module(module)
    return sys.modules["serve_cluster"]


def conf_for(tmp_path: Path, count: int = 3, headers=None) -> str:
    cluster = supervisor()
    replicas = [cluster.Replica(f"r{i + 1}", 9100 + i) for i in range(count)]
    return cluster.nginx_conf(replicas, address="127.0.0.1", port=9099, rundir=tmp_path, frontend=tmp_path / "fe",
                              payloads=tmp_path / "gen", headers=headers or [("X-Test", "1")], worker_user=None)


def test_every_replica_has_its_cookie_route_and_the_others_as_backups(tmp_path):
    conf = conf_for(tmp_path)
    for i, name in enumerate(("r1", "r2", "r3")):
        assert f"        {name} ismap_{name};\n" in conf
        block = conf.split(f"upstream ismap_{name} {{", 1)[1].split("}", 1)[0]
        assert f"server 127.0.0.1:{9100 + i} max_fails=1" in block
        assert sorted(line.split()[1] for line in block.splitlines() if line.strip().endswith("backup;")) == \
            sorted(f"127.0.0.1:{9100 + j}" for j in range(3) if j != i)
    # A page without the cookie, or with a value no replica has, goes to the least busy replica.
    assert "map $cookie_ismap_replica $ismap_upstream {\n        default ismap_pool;" in conf
    assert "least_conn;" in conf.split("upstream ismap_pool {", 1)[1].split("}", 1)[0]
    assert REPLICA_COOKIE == "ismap_replica"


def test_nginx_serves_only_immutable_files_and_hides_temp_files(tmp_path):
    conf = conf_for(tmp_path)
    gen = conf.split("location ^~ /app/static/gen/ {", 1)[1].split("\n        }\n", 1)[0]
    assert f"alias {tmp_path / 'gen'}/;" in gen and "return 404;" in gen and "immutable" in gen
    # users' layers are the replicas' to serve (like everything that is not a content-hashed file)
    user = conf.split("location ^~ /app/static/gen/user- {", 1)[1].split("}", 1)[0]
    assert "proxy_pass http://$ismap_upstream;" in user and "alias" not in user


def test_nginx_accepts_the_configuration(tmp_path):
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / sub).mkdir(parents=True)
    (tmp_path / "nginx.conf").write_text(conf_for(tmp_path, headers=supervisor()._security_headers()))
    check = subprocess.run([NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "e.log")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    broken = conf_for(tmp_path).replace("least_conn;", "least_conn")
    (tmp_path / "nginx.conf").write_text(broken)
    assert subprocess.run([NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "e.log")],
                          capture_output=True).returncode != 0


def test_a_header_value_that_could_break_the_configuration_is_refused():
    quote = supervisor()._quote
    assert quote("default-src 'self'") == "\"default-src 'self'\""
    for bad in ('a"; return 200 "x', "a$host", "a\nb"):
        with pytest.raises(ValueError):
            quote(bad)


def test_replica_names_and_upload_tokens():
    assert replica_name({"ISMAP_REPLICA": "r12"}) == "r12"
    for odd in ("", "r", "r1;x", "R1", "r1234", "../r1"):
        assert replica_name({"ISMAP_REPLICA": odd}) == ""
    assert user_token({"ISMAP_REPLICA": "r2"}).startswith("r2_") and len(user_token({"ISMAP_REPLICA": "r2"})) == 35
    alone = user_token({})
    assert len(alone) == 32 and "_" not in alone


def test_a_replica_removes_only_its_own_sessions_layers(tmp_path, monkeypatch):
    """Replicas share static/gen: r1's start and its sweep of ended sessions must leave r2's users' layers and
    those of a process serving alone."""
    def layer(token: str) -> str:
        return publish(f"user-{token}", f'{{"t": "{token}"}}'.encode(), static_dir=tmp_path).rsplit("/", 1)[1]

    mine, live, theirs, alone = layer("r1_" + "a" * 32), layer("r1_" + "b" * 32), layer("r2_" + "c" * 32), layer("d" * 32)
    also_not_mine = layer("r10_" + "e" * 32)
    old = time.time() - 3600
    for name in (mine, live, theirs, alone, also_not_mine):
        os.utime(tmp_path / "gen" / name, (old, old))
    monkeypatch.setenv("ISMAP_REPLICA", "r1")
    assert remove_user_layers({"r1_" + "b" * 32}, min_age_s=60, static_dir=tmp_path) == 1
    left = {p.name for p in (tmp_path / "gen").glob("user-*.json")}
    assert left == {live, theirs, alone, also_not_mine}
    monkeypatch.delenv("ISMAP_REPLICA")
    assert remove_user_layers(set(), min_age_s=0, static_dir=tmp_path) == 1  # alone: the unnamed one only
    assert {p.name for p in (tmp_path / "gen").glob("user-*.json")} == {live, theirs, also_not_mine}


def test_saved_briefings_go_to_the_operators_folder_and_are_offered_beside_the_bundled(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    monkeypatch.setenv("ISMAP_BRIEFINGS_DIR", str(shared))
    bundled = load_briefing(BRIEFINGS / "default.yaml")
    path = save_briefing(bundled, "team-notes")
    assert path.parent == shared and path.name.startswith("team-notes-")
    names = briefing_names()
    assert names[0] == "default" and path.stem in names
    assert briefing_path(path.stem) == path and briefing_path("default") == BRIEFINGS / "default.yaml"
    assert load_briefing(briefing_path(path.stem)).scenes == bundled.scenes
    assert not list(BRIEFINGS.glob("team-notes-*.yaml"))


def test_replicas_are_numbered_from_first_so_machines_can_share_a_balancer(tmp_path):
    cluster = supervisor()
    names = [r.name for r in cluster.Cluster(3, address="127.0.0.1", port=9099, base_port=9100, rundir=tmp_path,
                                             first=5).replicas]
    assert names == ["r5", "r6", "r7"] and all(replica_name({"ISMAP_REPLICA": n}) == n for n in names)
    for count, first in ((2, 999), (1, 0), (65, 1)):
        with pytest.raises(SystemExit):
            cluster.Cluster(count, address="127.0.0.1", port=9099, base_port=9100, rundir=tmp_path, first=first)


def test_a_failing_process_is_restarted_after_a_growing_pause_and_closed_folders_are_named(tmp_path):
    cluster = supervisor()
    c = cluster.Cluster(1, address="127.0.0.1", port=9099, base_port=9100, rundir=tmp_path)
    assert [c.backoff(n) for n in range(8)] == [0.0, 0.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    shut = tmp_path / "closed"
    inner = shut / "gen"
    inner.mkdir(parents=True)
    os.chmod(shut, 0o700)
    try:
        assert cluster._not_world_readable(inner) == shut
        os.chmod(shut, 0o755)
        assert cluster._not_world_readable(inner) is None or cluster._not_world_readable(inner) not in (shut, inner)
    finally:
        os.chmod(shut, 0o755)
