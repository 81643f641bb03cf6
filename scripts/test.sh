#!/usr/bin/env bash
# Runs every test of aclplay, installing what they need first (idempotent; works on a
# fresh Debian machine as root, which is what CI does):
#   - the oracle servers: one per server version of data/servers/ (Debian packages or
#     PyPI wheels, unpacked into .oracle/ by scripts/install-oracles.sh)
#   - the web tools: pinned trunk and wasm-bindgen-cli, the wasm32 target, npm packages
#     (wasm-opt, playwright-core), Debian's chromium + chromium-driver
#   - Debian's libxml2-utils (xmllint, for validating JUnit XML against its schema)
# Then: formatting, clippy (native and wasm; all targets, so the benchmarks compile too),
# the workspace tests optimised (`--profile ci`: release without LTO; the
# recorded corpora, the live differential tests, CLI and lint tests), the wasm build of
# the core, and the browser end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n==> %s\n' "$*"; }

step "installing the oracle servers"
bash scripts/install-oracles.sh
step "installing the web tools"
bash scripts/install-web-tools.sh
rustup component add rustfmt clippy >/dev/null 2>&1 || true
step "installing the test tools (xmllint validates aclplay test's JUnit XML)"
if ! command -v xmllint >/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends libxml2-utils >/dev/null
fi

# The live differential tests must not be skipped here.
export ACLPLAY_REQUIRE_ORACLES=1

step "cargo fmt --check"
cargo fmt --all -- --check

step "no module cycle in src/"
python3 scripts/check-modules.py

step "clippy (native, all targets, -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (the playground, wasm32, -D warnings)"
cargo clippy --bin aclplay-web --features web --no-default-features --target wasm32-unknown-unknown --locked -- -D warnings

step "the core library builds for wasm32 without default features"
cargo build --target wasm32-unknown-unknown --lib --no-default-features --locked

step "workspace tests (corpora, differential against live servers, CLI, lint, oracle)"
cargo test --workspace --profile ci --locked

step "browser end-to-end tests"
bash scripts/test-e2e.sh

step "all tests passed"
