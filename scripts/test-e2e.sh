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
at_exit() { rm -rf "$root"; }
. scripts/static-server.sh
static_server "$root" tools/acl/

export ACLPLAY_URL="$server_url"
node --test --test-concurrency=1 tests/e2e/
