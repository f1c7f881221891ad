#!/usr/bin/env bash
# Story benchmark (BENCHMARKS.md, "Stories"): `reprint gen-stories` retells each of 400
# stories at 2-6 outlets in other words among same-topic stories of the same weeks, with copy
# clusters, follow-ups (the same people days later, stories of their own) and sequels (the
# same person weeks later); a second dump adds background sentences with the word
# frequencies of corpus/reuters-sample.jsonl. The scan's `story` field is scored pairwise
# against the labels by tools/eval_story.py over --story-threshold and --story-window.
# Usage: tools/bench_story.sh [STORIES] [SEED]   (needs a release build)
set -euo pipefail
stories=${1:-400}
seed=${2:-1}
bin=target/release/reprint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" gen-stories --stories "$stories" --seed "$seed" -o "$work/plain.jsonl" --labels "$work/plain.labels.jsonl" -q
"$bin" gen-stories --stories "$stories" --seed "$seed" -o "$work/words.jsonl" --labels "$work/words.labels.jsonl" \
  --words corpus/reuters-sample.jsonl -q
printf '| dump | story window | story threshold | precision | recall | F1 | largest story |\n|---|---|---|---|---|---|---|\n'
for dump in plain words; do
  for w in none 3d 5d 7d; do
    for t in 0.08 0.1 0.12; do
      "$bin" scan "$work/$dump.jsonl" -o "$work/out" -q --story-threshold "$t" --story-window "$w"
      python3 tools/eval_story.py "$work/out" "$work/$dump.labels.jsonl" --json |
        python3 -c "import json,sys; r=json.load(sys.stdin); print(f'| $dump | $w | $t | {r[\"precision\"]} | {r[\"recall\"]} | {r[\"f1\"]} | {r[\"largest_predicted_story\"]} |')"
    done
  done
done
