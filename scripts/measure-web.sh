#!/usr/bin/env bash
# Builds the release playground, serves dist/ on a free port and measures its budgets
# in headless Chromium (scripts/measure-web.mjs); writes the figures into the
# "Playground" section of BENCHMARKS.md. SKIP_BUILD=1 reuses dist/; RUNS, KEYS tune it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-web-tools.sh
[ "${SKIP_BUILD:-}" = 1 ] || scripts/build-web.sh

. scripts/static-server.sh
static_server dist ""

report="$(node scripts/measure-web.mjs "$server_url" dist)"
echo "$report"

# Replace the section between the markers (or append it).
python3 - "$report" <<'PY'
import pathlib, sys
path = pathlib.Path("BENCHMARKS.md")
begin, end = "<!-- playground:begin -->", "<!-- playground:end -->"
section = f"""{begin}
## Playground

Budgets of the web playground (`aclplay-web`, built by `scripts/build-web.sh`): what a
cold load transfers, how soon the editor is interactive, and how fast a keystroke
re-evaluates a 1,000-user ACL file. Reproduce with `scripts/measure-web.sh`; what the
wasm is made of (sections, crates, largest functions) with `scripts/wasm-size.sh`.

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
