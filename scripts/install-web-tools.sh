#!/usr/bin/env bash
# Installs what the playground's build, server and browser tests need, each only if it
# is missing (idempotent; safe on a fresh Debian machine as root, e.g. CI=true):
#   trunk 0.22.1, wasm-bindgen-cli 0.2.130 (= the wasm-bindgen crate pinned in
#   Cargo.toml), the wasm32 target, npm packages (binaryen's wasm-opt 132 for Trunk,
#   playwright-core and axe-core for the tests), Debian's chromium + chromium-driver,
#   python3.
# Nothing here downloads a prebuilt tool or browser from outside the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

apt_missing=()
command -v chromium >/dev/null || apt_missing+=(chromium)
command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
command -v node >/dev/null || apt_missing+=(nodejs)
command -v npm >/dev/null || apt_missing+=(npm)
command -v python3 >/dev/null || apt_missing+=(python3)
command -v gzip >/dev/null || apt_missing+=(gzip)
if ((${#apt_missing[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "install-web-tools: apt-get install ${apt_missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# trunk 0.22.1 declares rust-version 1.96.1 but builds and runs on 1.95.
if [ "$(trunk --version 2>/dev/null)" != "trunk 0.22.1" ]; then
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version 0.22.1 --locked --ignore-rust-version \
    --no-default-features --features rustls
fi

# Must equal the wasm-bindgen crate exactly. Not --locked: its lockfile pins a
# webpki-roots version the registry lacks.
if ! wasm-bindgen --version 2>/dev/null | grep -q '^wasm-bindgen 0\.2\.130\b'; then
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version =0.2.130
fi

# Each npm package at its locked version (axe-core: the accessibility check of the e2e
# tests, loaded into the page by the test itself).
have_npm_deps() {
  [ -x node_modules/.bin/wasm-opt ] &&
    node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q 'version 132' &&
    node -e 'const lock = require("./package-lock.json").packages;
      for (const p of ["playwright-core", "axe-core"])
        if (require(`./node_modules/${p}/package.json`).version !== lock[`node_modules/${p}`].version) process.exit(1);' 2>/dev/null
}
if ! have_npm_deps; then
  npm ci --no-audit --no-fund
fi
