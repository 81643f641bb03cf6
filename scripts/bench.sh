#!/usr/bin/env bash
# Engine benchmarks against the real servers, side by side in one run, reported as ratios
# (BENCHMARKS.md, "Engine"). Needs the oracle servers of data/servers/
# (scripts/install-oracles.sh) and, for whole-command timing, hyperfine (apt).
#
#   scripts/bench.sh                 # both servers; prints the tables
#   scripts/bench.sh --quick         # fewer rounds (a smoke run)
#   scripts/bench.sh --server valkey-8.1
#   scripts/bench.sh --update        # also rewrites the measured block of BENCHMARKS.md
#
# The criterion benches of the engine alone (no servers): cargo bench --bench engine
set -euo pipefail
cd "$(dirname "$0")/.."

pass=()
update=()
for a in "$@"; do
  case "$a" in
    --update) update=(--update BENCHMARKS.md) ;;
    *) pass+=("$a") ;;
  esac
done

cargo build --release --bin aclplay --example side_by_side
mkdir -p target/bench
ACLPLAY_BENCH_CMD="scripts/bench.sh${*:+ $*}" \
  target/release/examples/side_by_side --aclplay target/release/aclplay \
  --markdown target/bench/engine.md "${update[@]}" "${pass[@]}"
echo "markdown: target/bench/engine.md"
