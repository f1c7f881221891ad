#!/usr/bin/env bash
# The defaults sweep (BENCHMARKS.md, "Quality and the defaults"): one setting moved at a time
# from the defaults, each scan scored by `reprint eval --json` against the generator's labels.
#   - copies and reuse: `reprint gen --syndication` (edited, truncated, embedded and reordered
#     copies at 40 outlets with page furniture); optionally on Reuters-based originals;
#   - stories: `reprint gen-stories` (stories retold in other words among same-topic stories).
#   - with BASE_JSONL (real text), also the story chaining on it: the largest story of a scan
#     of BASE_JSONL itself, which has no story labels (a real story has a handful of tellings).
# Settings with a flag are moved by it; the furniture rule's cut-offs and the story weights by
# the hidden `reprint scan --tune NAME=VALUE` (names in ARCHITECTURE.md).
# Prints one markdown table: setting, copy-level precision/recall/F1, partial-excerpt F1,
# reuse MAE, story-level precision/recall/F1 [, largest story on BASE_JSONL].
# Usage: tools/sweep_defaults.sh [DOCS] [STORIES] [BASE_JSONL]   (needs a release build)
set -euo pipefail
docs=${1:-20000}
stories=${2:-400}
base=${3:-}
bin=${REPRINT_BIN:-target/release/reprint}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gen_base=()
if [ -n "$base" ]; then
  "$bin" scan "$base" -o "$work/base-scan" -q || [ $? -eq 3 ]
  python3 tools/make_bases.py "$base" "$work/base-scan" > "$work/bases.jsonl"
  gen_base=(--base "$work/bases.jsonl")
fi
"$bin" gen --docs "$docs" --seed 11 --syndication "${gen_base[@]}" -o "$work/syn.jsonl" --labels "$work/syn.labels" -q
"$bin" gen-stories --stories "$stories" --seed 1 -o "$work/st.jsonl" --labels "$work/st.labels" -q

row() { # $1: label; the rest: scan flags
  local name=$1; shift
  "$bin" scan "$work/syn.jsonl" -o "$work/syn.out" -q --report-limit 0 "$@"
  "$bin" scan "$work/st.jsonl" -o "$work/st.out" -q --report-limit 0 "$@"
  "$bin" eval "$work/syn.out" --labels "$work/syn.labels" --json > "$work/syn.eval"
  "$bin" eval "$work/st.out" --labels "$work/st.labels" --json > "$work/st.eval"
  local largest=""
  if [ -n "$base" ]; then
    "$bin" scan "$base" -o "$work/base.out" -q --report-limit 0 "$@" || [ $? -eq 3 ]
    largest=$(python3 -c 'import json,sys; print(max((json.loads(l)["size"] for l in open(sys.argv[1])), default=0))' "$work/base.out/stories.jsonl")
  fi
  python3 - "$name" "$work/syn.eval" "$work/st.eval" "$largest" <<'PY'
import json, sys
name, syn, st = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
largest = f" {sys.argv[4]} |" if sys.argv[4] else ""
lv = {l["level"]: l for l in syn["levels"]}
c, p = lv["copies"], lv.get("partial excerpts", {"f1": float("nan")})
mae = next(r["mae"] for r in syn["reuse"] if r["level"] == "all")
s = st["stories"]["pairwise"]
print(f"| {name} | {c['precision']:.4f} | {c['recall']:.4f} | {c['f1']:.4f} | {p['f1']:.4f} | {mae:.4f} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} |{largest}")
PY
}

if [ -n "$base" ]; then
  echo "| setting | copies P | copies R | copies F1 | partial F1 | reuse MAE | stories P | stories R | stories F1 | largest story, base |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
else
  echo "| setting | copies P | copies R | copies F1 | partial F1 | reuse MAE | stories P | stories R | stories F1 |"
  echo "|---|---|---|---|---|---|---|---|---|"
fi
row "defaults"
for k in 3 4 6 7; do row "--shingle $k" --shingle "$k"; done
for t in 0.3 0.4 0.6 0.7; do row "--threshold $t" --threshold "$t"; done
for c in 0.5 0.7 0.8; do row "--containment $c" --containment "$c"; done
row "--no-furniture" --no-furniture
for s in 0.06 0.08 0.1 0.15 0.2; do row "--story-threshold $s" --story-threshold "$s"; done
for w in none 3d 7d 30d; do row "--story-window $w" --story-window "$w"; done
tune() { row "--tune $1" --tune "$1"; }
for v in 2 4 5; do tune "furniture.min-recurrence=$v"; done
for v in 3 14 30; do tune "furniture.span-days=$v"; done
for v in 6 15; do tune "furniture.short-line-words=$v"; done
for v in 5 20; do tune "furniture.burst-recurrence=$v"; done
for v in 5 20; do tune "furniture.min-body-words=$v"; done
for v in 0.02 0.1; do tune "story.max-term-share=$v"; done
for v in 0.005 0.02; do tune "story.max-anchor-share=$v"; done
for v in 1 3; do tune "story.min-shared-anchors=$v"; done
for v in 100 200; do tune "story.prior-weight=$v"; done
for v in 0.4 0.7; do tune "story.max-week-spread=$v"; done
for v in 2 6; do tune "story.min-beat-weeks=$v"; done
for v in 0 3 14; do tune "story.single-anchor-days=$v"; done
