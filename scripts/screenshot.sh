#!/usr/bin/env bash
# Builds the playground and takes docs/screenshot.png in headless Chromium
# (scripts/screenshot.mjs). SKIP_BUILD=1 reuses dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-web-tools.sh
[ "${SKIP_BUILD:-}" = 1 ] || scripts/build-web.sh
. scripts/static-server.sh
static_server dist ""
mkdir -p docs
node scripts/screenshot.mjs "$server_url" docs/screenshot.png
