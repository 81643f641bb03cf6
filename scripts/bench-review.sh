#!/usr/bin/env bash
# The review commands' budgets (BENCHMARKS.md, "Review"): `aclplay draft` over a
# 1,000,000-line MONITOR capture and `aclplay diff` of two 10,000-user ACL files, each
# timed with its peak memory by /usr/bin/time -v. Inputs: examples/review_inputs.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/bench-review}
cargo build --release --quiet --bin aclplay
cargo run --release --quiet --example review_inputs -- "$dir"
bin=target/release/aclplay
measure() {
    local name=$1; shift
    /usr/bin/time -v "$@" > "$dir/$name.out" 2> "$dir/$name.time" || true
    local secs rss
    secs=$(grep 'Elapsed (wall clock)' "$dir/$name.time" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$dir/$name.time" | awk '{print $NF}')
    printf '%-8s wall %s  peak RSS %d MiB  (%s)\n' "$name" "$secs" $((rss / 1024)) "$*"
}
wc -l "$dir/monitor.txt"
measure draft "$bin" draft "$dir/monitor.txt"
grep -c '^user ' "$dir/draft.out" | sed 's/^/draft: users drafted: /'
measure diff "$bin" diff "$dir/old.acl" "$dir/new.acl"
head -2 "$dir/diff.out" | tail -1 | sed 's/^/diff: /'
measure diff-same "$bin" diff "$dir/old.acl" "$dir/old.acl"
