#!/usr/bin/env bash
# Install the app's dependencies into .venv and start it on the bundled data (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" >/dev/null 2>&1; then
  apt-get update && apt-get install -y python3-venv
fi
# Debian's chromium renders the PNG exports of briefings on the server (the map itself needs no browser here).
if [ ! -x /usr/bin/chromium ]; then
  apt-get update && apt-get install -y chromium
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
exec .venv/bin/streamlit run serve.py "$@"
