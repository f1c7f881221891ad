#!/usr/bin/env bash
# Story benchmark (BENCHMARKS.md, "Stories"): `reprint gen-stories` retells each of 400
# stories at 2-6 outlets in other words among same-topic stories; the scan's `story` field is
# scored pairwise against the labels by tools/eval_story.py, over a sweep of
# --story-threshold. Usage: tools/bench_story.sh [STORIES]   (needs a release build)
set -euo pipefail
stories=${1:-400}
bin=target/release/reprint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" gen-stories --stories "$stories" --seed 1 -o "$work/dump.jsonl" --labels "$work/labels.jsonl" -q
printf '| story threshold | precision | recall | F1 | largest story |\n|---|---|---|---|---|\n'
for t in 0.1 0.12 0.15 0.2 0.25 0.3; do
  "$bin" scan "$work/dump.jsonl" -o "$work/out" -q --story-threshold "$t"
  python3 tools/eval_story.py "$work/out" "$work/labels.jsonl" --json |
    python3 -c "import json,sys; r=json.load(sys.stdin); print(f'| $t | {r[\"precision\"]} | {r[\"recall\"]} | {r[\"f1\"]} | {r[\"largest_predicted_story\"]} |')"
done
