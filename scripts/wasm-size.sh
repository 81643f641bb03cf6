#!/usr/bin/env bash
# Builds the playground's wasm as scripts/build-web.sh does (wasm-release profile,
# wasm-bindgen, wasm-opt with the settings in www/index.html), prints its transfer size
# (gzip -9, without names, as Trunk ships it) and what it is made of, keeping function
# names for that (scripts/wasm-size.py).
#
#   scripts/wasm-size.sh [TOP]          # the playground (aclplay-web)
#   scripts/wasm-size.sh --floor [TOP]  # examples/wasm_floor.rs: the engine behind a
#                                       # one-textarea Yew page, none of the panels
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
what=(--bin aclplay-web)
name=aclplay-web
if [ "${1:-}" = --floor ]; then
  what=(--example wasm_floor)
  name=examples/wasm_floor
  shift
fi
out="${TMPDIR:-/tmp}/aclplay-wasm-size"
export CARGO_TARGET_DIR="$out/target"
cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown "${what[@]}" \
  --no-default-features --features web
rm -rf "$out/bindgen"
wasm-bindgen --target web --keep-debug --out-dir "$out/bindgen" \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/$name.wasm"
# The same optimisation level and parameters as Trunk's (data-wasm-opt*, www/index.html).
level="$(sed -n 's/.*data-wasm-opt="\([^"]*\)".*/\1/p' www/index.html)"
params="$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' www/index.html)"
wasm="$(ls "$out"/bindgen/*_bg.wasm)"
# shellcheck disable=SC2086
wasm-opt "-O$level" $params --enable-reference-types "$wasm" -o "$out/shipped.wasm"
echo "shipped wasm: $(stat -c%s "$out/shipped.wasm") bytes, $(gzip -9c "$out/shipped.wasm" | wc -c) gzip -9"
# shellcheck disable=SC2086
wasm-opt "-O$level" $params -g --enable-reference-types "$wasm" -o "$out/named.wasm"
python3 scripts/wasm-size.py "$out/named.wasm" "${1:-40}"
