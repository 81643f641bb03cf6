#!/usr/bin/env bash
# The playground's end-to-end tests: builds dist/ (release), serves it under a sub-path
# (/tools/acl/) with python's static server on a free port, runs the headless-Chromium
# tests (node --test, playwright-core driving Debian's chromium), stops the server.
# SKIP_BUILD=1 reuses dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-web-tools.sh
[ "${SKIP_BUILD:-}" = 1 ] || scripts/build-web.sh

root="$(mktemp -d)"
mkdir -p "$root/tools"
ln -s "$PWD/dist" "$root/tools/acl"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$root" >"$root/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/tools/acl/')" 2>/dev/null && break
  sleep 0.1
done

export ACLPLAY_URL="http://127.0.0.1:$port/tools/acl/"
node --test --test-concurrency=1 tests/e2e/
