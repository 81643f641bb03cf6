#!/usr/bin/env bash
# Builds the playground and serves it at http://127.0.0.1:8080 (static files only;
# PORT=… to change the port). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-web-tools.sh
scripts/build-web.sh
port="${PORT:-8080}"
echo "Serving the playground at http://127.0.0.1:${port}/ (Ctrl+C to stop)"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory dist
