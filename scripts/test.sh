#!/usr/bin/env bash
# Install what the tests need (Debian's chromium and nginx, Python packages) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)  # scripts/serve-cluster.sh's load balancer (tests/browser/test_cluster.py)
python3 -c "import ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update && apt-get install -y "${missing[@]}"
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests (exit 5): treated as a failure, the suite must never be empty" >&2
  exit 1
fi
exit "$status"
