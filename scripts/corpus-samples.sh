#!/usr/bin/env bash
# Writes the readable sample beside every compressed corpus: tests/corpus/<name>.sample.jsonl
# holds the first records of <name>.jsonl.gz, uncompressed (tests/corpus.rs checks that
# each sample is the start of its file). Run it after re-recording a corpus.
set -euo pipefail
cd "$(dirname "$0")/../tests/corpus"
for f in *.jsonl.gz; do
  sample="${f%.jsonl.gz}.sample.jsonl"
  # `|| true`: head closes the pipe early on purpose.
  { gzip -dc "$f" || true; } | head -n 25 > "$sample"
  echo "corpus-samples: $sample ($(wc -l < "$sample") records)"
done
