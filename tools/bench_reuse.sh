#!/usr/bin/env bash
# Reuse benchmark (BENCHMARKS.md, "Syndication"): how well `reuse` matches the copied share.
# Originals are real Reuters-21578 stories with their own near-duplicates removed; `reprint
# gen --syndication` republishes half of the articles as edited, truncated, embedded and
# reordered copies at 40 outlets that each wrap articles in page furniture, with labels
# giving each article's copied share. Prints the reuse MAE per copy mode, pairwise
# precision/recall/F1 of clusters against stories, and body text lost to the furniture rule,
# then the same figures for a sweep of --containment.
# Usage: tools/bench_reuse.sh [REUTERS_JSONL] [DOCS]   (needs a release build)
set -euo pipefail
reuters=${1:-../shared/data/reuters21578.jsonl}
docs=${2:-20000}
bin=target/release/reprint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" scan "$reuters" -o "$work/reuters" -q || [ $? -eq 3 ]
python3 tools/make_bases.py "$reuters" "$work/reuters" > "$work/bases.jsonl"
"$bin" gen --docs "$docs" --seed 11 --syndication --base "$work/bases.jsonl" \
  -o "$work/dump.jsonl" --labels "$work/labels.jsonl" -q
"$bin" scan "$work/dump.jsonl" -o "$work/out" -q
echo "== defaults"
python3 tools/eval_reuse.py "$work/out" "$work/labels.jsonl"
echo "== --containment sweep"
printf '| containment | precision | recall | F1 | reuse MAE |\n|---|---|---|---|---|\n'
for c in 0.5 0.6 0.7 0.8 0.9; do
  "$bin" scan "$work/dump.jsonl" -o "$work/c" -q --containment "$c"
  python3 tools/eval_reuse.py "$work/c" "$work/labels.jsonl" --json |
    python3 -c "import json,sys; r=json.load(sys.stdin); p=r['pairwise']; print(f'| $c | {p[\"precision\"]} | {p[\"recall\"]} | {p[\"f1\"]} | {r[\"reuse_mae\"][\"all\"]} |')"
done
