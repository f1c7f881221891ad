#!/usr/bin/env bash
# Shingle-width sweep behind DEFAULT_SHINGLE (BENCHMARKS.md, "Shingle width").
# Builds real-text bases from the Reuters dump with its own near-duplicates removed (one
# article per cluster of a default scan), generates 20,000-article dumps of edited copies at
# two edit-rate ceilings, scans each with k = 3..7 and prints pairwise precision/recall/F1.
# Usage: tools/sweep_shingle.sh [REUTERS_JSONL]   (needs a release build)
set -euo pipefail
reuters=${1:-../shared/data/reuters21578.jsonl}
bin=target/release/reprint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" scan "$reuters" -o "$work/reuters" -q
python3 tools/make_bases.py "$reuters" "$work/reuters" > "$work/bases.jsonl"
printf '| max edit rate | k | precision | recall | F1 |\n|---|---|---|---|---|\n'
for rate in 0.1 0.2; do
  "$bin" gen --docs 20000 --seed 7 --max-edit-rate "$rate" --base "$work/bases.jsonl" \
    -o "$work/dump.jsonl" --labels "$work/labels.jsonl" -q
  for k in 3 4 5 6 7; do
    "$bin" scan "$work/dump.jsonl" -o "$work/out" --shingle "$k" -q
    python3 tools/pairwise_f1.py "$work/out" "$work/labels.jsonl" |
      python3 -c "import json,sys; r=json.load(sys.stdin); print(f'| $rate | $k | {r[\"precision\"]} | {r[\"recall\"]} | {r[\"f1\"]} |')"
  done
done
