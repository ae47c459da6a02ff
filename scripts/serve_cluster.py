"""N app processes behind nginx, each watched and restarted: the app for more people than one process serves.

    bash scripts/serve-cluster.sh 2                 # installs what it needs, then runs this
    .venv/bin/python scripts/serve_cluster.py 2 [--port 8080] [--address 127.0.0.1] [--dir .cluster]

What runs:
  - N replicas, each `streamlit run serve.py` on its own loopback port (8601, 8602, ...), named r1, r2, ...
    (ISMAP_REPLICA) and sharing one cookie secret, so that a page that moves to another replica keeps a valid
    XSRF cookie for its uploads. They share the data, static/gen (content-hashed payloads, written atomically
    by whichever replica publishes first) and the saved briefings, which are files (docs/deploy.md).
  - nginx (Debian's package) on --address:--port, started with a configuration written into --dir:
      * sticky sessions: a replica names itself in a cookie (`ismap_replica`, on its pages and on the WebSocket
        handshake); nginx sends every request with that cookie to that replica, and a request without it to the
        replica with the fewest open connections. Streamlit keeps a session in the memory of the process whose
        WebSocket it holds, and an upload must reach that process;
      * failover: every replica's upstream lists the others as backups, so when a replica dies its pages'
        WebSockets reconnect (Streamlit's frontend does that by itself) to another one, which names itself in
        the cookie of the new handshake; the view comes back from the page's URL, saved briefings are on disk;
      * files: Streamlit's frontend bundles and the app's content-hashed payloads are served by nginx from disk,
        gzip-compressed, with `Cache-Control: public, immutable, max-age=31536000` and the app's security
        headers; users' uploaded layers and everything else go to the replicas (which send those headers
        themselves, see serve.py).
  - This supervisor: every second it checks each replica's process, and every 2 s its health answer
    (`/_stcore/health`, 2 s timeout); a replica that exited is started again, one that fails its health check
    3 times in a row (hung) is killed (SIGKILL) and started again. nginx is restarted the same way. It writes
    --dir/status.json (replicas, ports, pids, restarts) after every change, and stops everything on SIGTERM or
    SIGINT.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEALTH_EVERY_S = 2.0
HEALTH_TIMEOUT_S = 2.0
HEALTH_FAILS_TO_KILL = 3
IMMUTABLE = "public, immutable, max-age=31536000"
GZIP_TYPES = "application/json application/javascript text/css text/plain image/svg+xml application/wasm"
MAX_UPLOAD_MB = 21  # Streamlit's server.maxUploadSize (20 MB, .streamlit/config.toml) plus the form's overhead


@dataclass
class Replica:
    name: str
    port: int
    pid: int | None = None
    state: str = "starting"  # starting | up | restarting
    restarts: int = 0
    health_fails: int = 0
    started_at: float = 0.0
    restart_at: float = 0.0
    process: subprocess.Popen | None = field(default=None, repr=False)

    def status(self) -> dict:
        return {"name": self.name, "port": self.port, "pid": self.pid, "state": self.state,
                "restarts": self.restarts, "started_at": self.started_at}


def _serve():
    """serve.py, the replicas' app: its folders and headers are the ones nginx must use."""
    sys.path.insert(0, str(ROOT))
    import serve
    return serve


def _security_headers() -> list[tuple[str, str]]:
    """The headers serve.py puts on every response of a replica, for the files nginx answers itself."""
    serve = _serve()
    csp = serve.content_security_policy(os.environ.get("ISMAP_TILE_URL", "").strip())
    return [("Content-Security-Policy", csp)] + [
        (k.decode("latin-1").title(), v.decode("latin-1")) for k, v in serve.SECURITY_HEADERS]


def _quote(value: str) -> str:
    if any(c in value for c in '"\\\n\r$'):
        raise ValueError(f"cannot quote {value!r} for nginx")
    return f'"{value}"'


def nginx_conf(replicas: list[Replica], *, address: str, port: int, rundir: Path, frontend: Path,
               payloads: Path, headers: list[tuple[str, str]], worker_user: str | None) -> str:
    """nginx's whole configuration for these replicas (see the module's docstring for what each part does)."""
    servers = [f"127.0.0.1:{r.port}" for r in replicas]
    static_headers = "".join(f"        add_header {k} {_quote(v)} always;\n" for k, v in headers)
    pools = []
    for i, replica in enumerate(replicas):
        backups = "".join(f"        server {s} backup;\n" for j, s in enumerate(servers) if j != i)
        pools.append(f"    upstream ismap_{replica.name} {{\n"
                     f"        server {servers[i]} max_fails=1 fail_timeout=2s;\n{backups}"
                     f"        keepalive 8;\n    }}\n")
    routes = "".join(f"        {r.name} ismap_{r.name};\n" for r in replicas)
    everyone = "".join(f"        server {s} max_fails=1 fail_timeout=2s;\n" for s in servers)
    proxy = (
        "        proxy_pass http://$ismap_upstream;\n"
        "        proxy_http_version 1.1;\n"
        "        proxy_set_header Host $http_host;\n"  # with its port: Streamlit compares it with the Origin
        "        proxy_set_header Upgrade $http_upgrade;\n"
        "        proxy_set_header Connection $ismap_connection;\n"
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        "        proxy_set_header X-Forwarded-Proto $scheme;\n"
        "        proxy_read_timeout 1d;\n"
        "        proxy_send_timeout 1d;\n"
        "        proxy_request_buffering off;\n"
        "        proxy_next_upstream error timeout;\n"
        "        proxy_next_upstream_tries 0;\n"
    )
    files = (  # Cache-Control on answers only (no `always`): a 404 must not be cached for a year
        f"        add_header Cache-Control {_quote(IMMUTABLE)};\n{static_headers}"
        "        expires off;\n"
        "        open_file_cache max=2000 inactive=60s;\n"
    )
    user = f"user {worker_user};\n" if worker_user else ""
    return f"""# Written by scripts/serve_cluster.py: edits are lost when it starts again.
{user}worker_processes 1;
worker_shutdown_timeout 5s;
daemon off;
pid {rundir / 'nginx.pid'};
error_log {rundir / 'nginx-error.log'} warn;
events {{
    worker_connections 4096;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    types {{ application/javascript mjs; }}
    access_log off;
    server_tokens off;
    sendfile on;
    client_body_temp_path {rundir / 'tmp' / 'body'};
    proxy_temp_path {rundir / 'tmp' / 'proxy'};
    fastcgi_temp_path {rundir / 'tmp' / 'fastcgi'};
    uwsgi_temp_path {rundir / 'tmp' / 'uwsgi'};
    scgi_temp_path {rundir / 'tmp' / 'scgi'};
    client_max_body_size {MAX_UPLOAD_MB}m;
    gzip on;
    gzip_comp_level 5;
    gzip_min_length 1024;
    gzip_proxied any;
    gzip_vary on;
    gzip_types {GZIP_TYPES};

    map $http_upgrade $ismap_connection {{
        default upgrade;
        "" "";
    }}
    # The replica a page belongs to (the cookie each replica sets); without one, the least busy replica.
    map $cookie_ismap_replica $ismap_upstream {{
        default ismap_pool;
{routes}    }}
    upstream ismap_pool {{
        least_conn;
{everyone}        keepalive 16;
    }}
{''.join(pools)}
    server {{
        listen {address}:{port};
        server_name _;

        location ^~ /static/ {{
            alias {frontend}/static/;
{files}        }}
        location ^~ /app/static/gen/user- {{
{proxy}        }}
        location ^~ /app/static/gen/ {{
            alias {payloads}/;
            location ~ /[.] {{
                return 404;
            }}
{files}        }}
        location / {{
{proxy}        }}
    }}
}}
"""


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=HEALTH_TIMEOUT_S) as response:
            return response.read() == b"ok"
    except OSError:
        return False


class Cluster:
    def __init__(self, count: int, *, address: str, port: int, base_port: int, rundir: Path,
                 extra_env: dict[str, str] | None = None, first: int = 1) -> None:
        if not 1 <= count <= 64:
            raise SystemExit("the number of replicas must be between 1 and 64")
        if not 1 <= first or first + count - 1 > 999:
            raise SystemExit("replica names run from r1 to r999: --first must be between 1 and 1000 - N")
        self.address, self.port, self.rundir = address, port, rundir.resolve()
        self.replicas = [Replica(f"r{first + i}", base_port + i) for i in range(count)]
        self.extra_env = extra_env or {}
        self.nginx: subprocess.Popen | None = None
        self.nginx_restarts = 0
        self.nginx_restart_at: float | None = None
        self.stopping = False

    # ------------------------------------------------------------------ files

    def prepare(self) -> None:
        self.rundir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.rundir, 0o711)  # nginx's workers (another user when started as root) enter it
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.rundir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        secret_file = self.rundir / "cookie_secret"
        if not secret_file.exists():  # one secret for every replica and every restart
            handle = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(handle, "w") as stream:
                stream.write(secrets.token_hex(32))
        self.secret = secret_file.read_text().strip()
        frontend, payloads = _serve().FRONTEND, _serve().APP_PAYLOADS
        payloads.mkdir(parents=True, exist_ok=True)
        user = None
        if os.geteuid() == 0:
            user = "www-data" if _user_exists("www-data") else "nobody"
            # nginx's workers run as that user and read these folders: say so now rather than answer 403 later
            for folder in (frontend, payloads):
                closed = _not_world_readable(folder)
                if closed:
                    raise SystemExit(f"nginx's workers ({user}) cannot read {folder}: {closed} is not readable and "
                                     "searchable by other users (chmod o+rx, or put the app under another folder)")
        conf = nginx_conf(self.replicas, address=self.address, port=self.port, rundir=self.rundir,
                          frontend=frontend, payloads=payloads, headers=_security_headers(), worker_user=user)
        (self.rundir / "nginx.conf").write_text(conf)
        check = subprocess.run([NGINX, "-t", "-q", "-c", str(self.rundir / "nginx.conf"), "-e",
                                str(self.rundir / "nginx-error.log")], capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"nginx rejected {self.rundir / 'nginx.conf'}:\n{check.stderr}")

    def write_status(self) -> None:
        status = {"url": f"http://{self.address}:{self.port}", "supervisor_pid": os.getpid(),
                  "nginx_pid": self.nginx.pid if self.nginx else None, "nginx_restarts": self.nginx_restarts,
                  "replicas": [r.status() for r in self.replicas], "written_at": time.time()}
        handle, temp = tempfile.mkstemp(dir=self.rundir, prefix=".status.")
        with os.fdopen(handle, "w") as stream:
            json.dump(status, stream, indent=1)
        os.chmod(temp, 0o644)
        os.replace(temp, self.rundir / "status.json")

    # ------------------------------------------------------------------ processes

    def start_replica(self, replica: Replica) -> None:
        env = {**os.environ, **self.extra_env, "ISMAP_REPLICA": replica.name,
               "STREAMLIT_SERVER_COOKIE_SECRET": self.secret}
        log = open(self.rundir / f"{replica.name}.log", "ab")  # noqa: SIM115 - the child keeps it open
        replica.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.port", str(replica.port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
        log.close()
        replica.pid, replica.state, replica.health_fails = replica.process.pid, "starting", 0
        replica.started_at = time.time()

    def kill_replica(self, replica: Replica) -> None:
        """SIGKILL to the replica's whole process group (its upload workers too), then reap it."""
        if replica.process is None:
            return
        try:
            os.killpg(replica.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        replica.process.wait()

    def kill_nginx(self) -> None:
        if self.nginx is None:
            return
        try:  # the master and its worker: a worker left behind would hold the port
            os.killpg(self.nginx.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.nginx.wait()

    def backoff(self, restarts: int) -> float:
        """Seconds to wait before a restart: none at first, then growing to 30 s for a process that keeps failing
        (a port taken, a broken install), so the supervisor never spins."""
        return 0.0 if restarts < 2 else min(30.0, 2.0 ** (restarts - 1))

    def start_nginx(self) -> None:
        log = open(self.rundir / "nginx-error.log", "ab")  # noqa: SIM115
        self.nginx = subprocess.Popen([NGINX, "-c", str(self.rundir / "nginx.conf"), "-e",
                                       str(self.rundir / "nginx-error.log")],
                                      stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def check(self, health_due: bool) -> bool:
        """One round of checks; True if anything changed."""
        changed = False
        for replica in self.replicas:
            process = replica.process
            if process is not None and process.poll() is not None:
                if replica.state != "restarting":
                    print(f"serve_cluster: {replica.name} exited ({process.returncode}); starting it again",
                          flush=True)
                    self.kill_replica(replica)  # what it left in its group
                    replica.state, replica.restart_at, changed = "restarting", time.monotonic() + self.backoff(
                        replica.restarts), True
                if time.monotonic() >= replica.restart_at:
                    replica.restarts += 1
                    self.start_replica(replica)
                    changed = True
                continue
            if not health_due:
                continue
            if healthy(replica.port):
                if replica.state != "up":
                    replica.state, changed = "up", True
                replica.health_fails = 0
            elif replica.state == "up" or time.time() - replica.started_at > 120:
                replica.health_fails += 1
                if replica.health_fails >= HEALTH_FAILS_TO_KILL:
                    print(f"serve_cluster: {replica.name} failed {replica.health_fails} health checks; restarting",
                          flush=True)
                    self.kill_replica(replica)
                    replica.restarts += 1
                    self.start_replica(replica)
                    changed = True
        if self.nginx is not None and self.nginx.poll() is not None:
            if self.nginx_restart_at is None:
                print(f"serve_cluster: nginx exited ({self.nginx.returncode}); starting it again", flush=True)
                self.kill_nginx()
                self.nginx_restart_at = time.monotonic() + self.backoff(self.nginx_restarts)
            if time.monotonic() >= self.nginx_restart_at:
                self.nginx_restarts += 1
                self.nginx_restart_at = None
                self.start_nginx()
                changed = True
        return changed

    def nginx_listening(self, timeout_s: float = 10.0) -> bool:
        """Whether nginx accepts connections on its port within timeout_s (False as soon as it exits)."""
        import socket
        deadline = time.monotonic() + timeout_s
        host = "127.0.0.1" if self.address in ("0.0.0.0", "") else self.address
        while time.monotonic() < deadline and self.nginx is not None and self.nginx.poll() is None:
            try:
                with socket.create_connection((host, self.port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.1)  # polling a starting server: the condition is a connection accepted
        return False

    def stop(self, *_args) -> None:
        self.stopping = True

    def shutdown(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: open connections get worker_shutdown_timeout (5 s)
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.kill_nginx()  # whatever is left of its group
        for replica in self.replicas:
            if replica.process is not None and replica.process.poll() is None:
                try:
                    os.killpg(replica.process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for replica in self.replicas:
            if replica.process is not None:
                try:
                    replica.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill_replica(replica)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.prepare()
        last_health = 0.0
        try:
            for replica in self.replicas:
                self.start_replica(replica)
            self.start_nginx()
            self.write_status()
            if self.nginx_listening():
                print(f"serve_cluster: {len(self.replicas)} replicas behind nginx at http://{self.address}:"
                      f"{self.port} (status: {self.rundir / 'status.json'})", flush=True)
            else:
                print(f"serve_cluster: nginx is not listening on {self.address}:{self.port} (see "
                      f"{self.rundir / 'nginx-error.log'}); it is restarted until it does", flush=True)
            while not self.stopping:
                now = time.monotonic()
                due = now - last_health >= HEALTH_EVERY_S
                if due:
                    last_health = now
                if self.check(due):
                    self.write_status()
                time.sleep(0.5)  # the supervisor's polling period
        finally:
            self.shutdown()
            self.write_status()


def _not_world_readable(folder: Path) -> Path | None:
    """The first of the folder and its parents that other users cannot enter (and, for the folder, list)."""
    for path in [folder, *folder.parents]:
        mode = path.stat().st_mode
        if not mode & 0o001 or (path == folder and not mode & 0o004):
            return path
    return None


def _user_exists(name: str) -> bool:
    import pwd
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("replicas", type=int, help="how many app processes (2 on a 2-core machine)")
    parser.add_argument("--address", default="127.0.0.1", help="where nginx listens (0.0.0.0: every interface)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--base-port", type=int, default=8601, help="the first replica's loopback port")
    parser.add_argument("--dir", type=Path, default=ROOT / ".cluster", help="nginx.conf, logs, status.json")
    parser.add_argument("--first", type=int, default=1,
                        help="the first replica's number (r1, ...): unique ranges when several machines share a "
                             "load balancer")
    args = parser.parse_args(argv)
    Cluster(args.replicas, address=args.address, port=args.port, base_port=args.base_port, rundir=args.dir,
            first=args.first).run()


if __name__ == "__main__":
    main()
