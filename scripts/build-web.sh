#!/usr/bin/env bash
# Builds the playground into dist/ (release: wasm-release profile, wasm-opt -Oz),
# offline: Trunk uses the pinned tools from PATH and never downloads one.
# Run scripts/install-web-tools.sh first (scripts/serve.sh and scripts/test-e2e.sh do).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# trunk --offline passes --offline to cargo: fetch the crates first.
cargo fetch --locked --quiet 2>/dev/null || cargo fetch --quiet
trunk build --release "$@"
# The CSP forbids inline scripts: make sure Trunk injected none.
if grep -q '<script type=module>' dist/index.html || grep -q '<script>' dist/index.html; then
  echo "build-web: dist/index.html has an inline script, which the CSP would block" >&2
  exit 1
fi
