#!/usr/bin/env bash
# Builds the release playground, and the previous one (COMPARE, a git revision: main by
# default; COMPARE= to skip it) from a clean export of that revision, serves both dist/
# folders on free ports and measures their budgets side by side in headless Chromium
# (scripts/measure-web.mjs); writes the figures into the "Playground" section of
# BENCHMARKS.md. SKIP_BUILD=1 reuses dist/ (and the previous build's); RUNS, KEYS tune it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-web-tools.sh
[ "${SKIP_BUILD:-}" = 1 ] || scripts/build-web.sh

compare="${COMPARE-main}"
builds=()
cleanup=()
at_exit() { for p in "${cleanup[@]}"; do kill "$p" 2>/dev/null || true; done; }
. scripts/static-server.sh

if [ -n "$compare" ]; then
  # The previous build: its own sources and target directory (kept between runs).
  prev="target/compare/$(git rev-parse --short "$compare")"
  if [ "${SKIP_BUILD:-}" != 1 ] || [ ! -d "$prev/src/dist" ]; then
    rm -rf "$prev/src"
    mkdir -p "$prev/src"
    git archive "$compare" | tar -x -C "$prev/src"
    ln -s "$PWD/node_modules" "$prev/src/node_modules"
    (cd "$prev/src" && CARGO_TARGET_DIR="$PWD/../target" scripts/build-web.sh)
  fi
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$prev/src/dist" >/dev/null 2>&1 &
  cleanup+=($!)
  for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
    sleep 0.1
  done
  builds+=("$compare=http://127.0.0.1:$port/=$prev/src/dist")
fi

static_server dist ""
report="$(node scripts/measure-web.mjs "this=$server_url=dist" "${builds[@]}")"
echo "$report"

# Replace the section between the markers (or append it).
python3 - "$report" <<'PY'
import pathlib, sys
path = pathlib.Path("BENCHMARKS.md")
begin, end = "<!-- playground:begin -->", "<!-- playground:end -->"
section = f"""{begin}
## Playground

Budgets of the web playground (`aclplay-web`, built by `scripts/build-web.sh`): what a
cold load transfers, how soon the editor is interactive, how fast a keystroke
re-evaluates a 1,000-user ACL file, and how large inputs behave (a 1 MB paste, typing in
it, a reload with it saved, Apply fix and Harden on 10,000 lines), beside the previous
build measured in the same run. Reproduce with `scripts/measure-web.sh` (`COMPARE=rev`
for another previous build); what the wasm is made of with `scripts/wasm-size.sh`.

{sys.argv[1]}
{end}"""
text = path.read_text() if path.exists() else "# Benchmarks\n"
if begin in text and end in text:
    a, b = text.index(begin), text.index(end) + len(end)
    text = text[:a] + section + text[b:]
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
path.write_text(text)
PY
