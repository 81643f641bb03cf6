#!/usr/bin/env bash
# Builds the playground's wasm as scripts/build-web.sh does (wasm-release profile,
# wasm-bindgen, wasm-opt with the settings in www/index.html) but keeping function names,
# and prints what it is made of (scripts/wasm-size.py). Usage: scripts/wasm-size.sh [TOP]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out="${TMPDIR:-/tmp}/aclplay-wasm-size"
export CARGO_TARGET_DIR="$out/target"
cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown --bin aclplay-web \
  --no-default-features --features web
wasm-bindgen --target web --keep-debug --out-dir "$out/bindgen" \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/aclplay-web.wasm"
# The same optimisation level and parameters as Trunk's (data-wasm-opt*, www/index.html).
level="$(sed -n 's/.*data-wasm-opt="\([^"]*\)".*/\1/p' www/index.html)"
params="$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' www/index.html)"
# shellcheck disable=SC2086
wasm-opt "-O$level" $params -g --enable-reference-types "$out/bindgen/aclplay-web_bg.wasm" -o "$out/named.wasm"
python3 scripts/wasm-size.py "$out/named.wasm" "${1:-40}"
