#!/usr/bin/env bash
# N app processes behind nginx on one machine (docs/deploy.md): bash scripts/serve-cluster.sh 2 [--port 8080]
# Installs what it needs (the app's Python packages, Debian's chromium and nginx), then runs the supervisor.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -lt 1 ]; then
  echo "usage: bash scripts/serve-cluster.sh N [--port 8080] [--address 127.0.0.1]" >&2
  exit 2
fi
missing=()
python3 -c "import ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update && apt-get install -y "${missing[@]}"
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
exec .venv/bin/python scripts/serve_cluster.py "$@"
