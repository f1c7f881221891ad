#!/usr/bin/env bash
# Peer comparison: reprint against datasketch, rensa and gaoya on one generated dump with one
# set of settings (word 5-grams, 128 permutations, threshold 0.5, exact Jaccard verification,
# union-find, 2 workers). Prints wall time, MB/s, peak RSS and pairwise precision/recall/F1,
# and writes the table to target/peers-data/results-N-seed42-editR.md. See benches/peers/README.md.
#
# Usage: benches/peers/run.sh [--docs N] [--max-edit-rate R] [--only name[,name]] [--reprint PATH] [--keep]
#   --docs N        articles in the generated dump (default 100000; seed 42)
#   --max-edit-rate R  highest per-word edit rate of a copy (the generator's default 0.2;
#                   at 0.1 most copies stay above Jaccard 0.5, as in FIELD.md's dump)
#   --only LIST     comma-separated subset of: reprint,datasketch,rensa,gaoya
#   --reprint PATH  reprint binary (default target/release/reprint, built if missing)
#   --keep          keep each run's output directory under target/peers-data/
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
all_peers=(reprint datasketch rensa gaoya)
seed=42
docs=100000
edit=0.2
only=""
reprint=""
keep=0

die() { echo "run.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --docs) [ $# -ge 2 ] || die "--docs needs a value"; docs=$2; shift 2 ;;
    --docs=*) docs=${1#*=}; shift ;;
    --max-edit-rate) [ $# -ge 2 ] || die "--max-edit-rate needs a value"; edit=$2; shift 2 ;;
    --max-edit-rate=*) edit=${1#*=}; shift ;;
    --only) [ $# -ge 2 ] || die "--only needs a value"; only=$2; shift 2 ;;
    --only=*) only=${1#*=}; shift ;;
    --reprint) [ $# -ge 2 ] || die "--reprint needs a value"; reprint=$2; shift 2 ;;
    --reprint=*) reprint=${1#*=}; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
[[ $docs =~ ^[1-9][0-9]*$ ]] || die "--docs must be a positive integer, got '$docs'"
[[ $edit =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || die "--max-edit-rate must be a number from 0 to 1, got '$edit'"
tag=$docs-seed$seed-edit$edit

peers=()
if [ -z "$only" ]; then
  peers=("${all_peers[@]}")
else
  IFS=, read -r -a wanted <<< "$only"
  for w in "${wanted[@]}"; do
    case " ${all_peers[*]} " in *" $w "*) peers+=("$w") ;; *) die "--only: unknown peer '$w' (known: ${all_peers[*]})" ;; esac
  done
fi
want() { case " ${peers[*]} " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

venv=$root/target/peers-venv
data=$root/target/peers-data
mkdir -p "$data"

# --- /usr/bin/time -------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  echo "== installing Debian package 'time' for /usr/bin/time"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq time >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq time >/dev/null; fi
fi

# --- reprint binary ----------------------------------------------------------------------
if [ -z "$reprint" ]; then
  reprint=$root/target/release/reprint
  if [ ! -x "$reprint" ]; then
    echo "== building reprint (cargo build --release)"
    (cd "$root" && cargo build --release)
  fi
fi
[ -x "$reprint" ] || die "reprint binary not found or not executable: $reprint"
reprint=$(cd "$(dirname "$reprint")" && pwd)/$(basename "$reprint")

# --- Python venv with the pinned peers ---------------------------------------------------
declare -A missing=()   # peer -> why it could not be installed
py_peers=()
for p in "${peers[@]}"; do [ "$p" != reprint ] && py_peers+=("$p"); done
if [ ${#py_peers[@]} -gt 0 ]; then
  req=$here/requirements.txt
  stamp=$venv/.peers-requirements
  if [ ! -x "$venv/bin/python" ]; then
    echo "== creating venv $venv"
    python3 -m venv "$venv"
  fi
  if ! cmp -s "$req" "$stamp" 2>/dev/null; then
    echo "== installing pinned peers from $req"
    if "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"; then
      cp "$req" "$stamp"
    else
      # Install line by line so that one peer without a wheel does not take the others down.
      echo "!! pip install -r failed; installing requirements one by one" >&2
      while read -r line; do
        line=${line%%#*}; line=$(echo "$line" | tr -d '[:space:]')
        [ -z "$line" ] && continue
        "$venv/bin/pip" install -q --disable-pip-version-check "$line" ||
          echo "!! could not install $line" >&2
      done < "$req"
    fi
  fi
  for p in "${py_peers[@]}"; do
    if ! "$venv/bin/python" -c "import $p" 2>/dev/null; then
      missing[$p]="pip could not install '$p' in $venv (see the pip output above)"
      echo "!! PEER $p IS NOT INSTALLED: ${missing[$p]} -- it is reported as such, not skipped silently" >&2
    fi
  done
  py=$venv/bin/python
else
  py=python3
fi

# --- the dump ------------------------------------------------------------------------------
dump=$data/gen-$tag.jsonl
labels=$data/gen-$tag.labels.jsonl
if [ -s "$dump" ] && [ -s "$labels" ]; then
  echo "== reusing $dump"
else
  echo "== generating $dump ($docs articles, seed $seed, max edit rate $edit)"
  "$reprint" gen --docs "$docs" --seed "$seed" --max-edit-rate "$edit" -o "$dump.tmp" --labels "$labels.tmp" -q
  mv "$labels.tmp" "$labels"
  mv "$dump.tmp" "$dump"
fi
bytes=$(stat -c %s "$dump")
echo "== dump: $docs articles, $bytes bytes"

# --- the runs ------------------------------------------------------------------------------
rows=()
log_dir=$data/logs-$tag
mkdir -p "$log_dir"
for p in "${peers[@]}"; do
  out=$data/out-$tag-$p
  log=$log_dir/$p.log
  tfile=$log_dir/$p.time
  rm -rf "$out"
  if [ "$p" = reprint ]; then
    ver=$("$reprint" --version | awk '{print $2}')
  elif [ -n "${missing[$p]:-}" ]; then
    rows+=("| $p | - | not installed | | | | | |")
    continue
  else
    ver=$("$py" -c "from importlib.metadata import version; print(version('$p'))")
  fi
  echo "== $p $ver"
  if [ "$p" = reprint ]; then
    cmd=("$reprint" scan "$dump" -o "$out" --threads 2 -q --shingle 5 --perms 128 --threshold 0.5)
  else
    cmd=("$py" "$here/peer_$p.py" "$dump" "$out")
  fi
  rc=0
  RAYON_NUM_THREADS=2 /usr/bin/time -f '%e %M' -o "$tfile" "${cmd[@]}" > "$log" 2>&1 || rc=$?
  # reprint exits 3 when some input records were skipped; its outputs are still complete.
  if [ "$rc" -ne 0 ] && ! { [ "$p" = reprint ] && [ "$rc" -eq 3 ]; }; then
    echo "!! $p failed (exit $rc); last lines of $log:" >&2
    tail -n 20 "$log" >&2
    rows+=("| $p | $ver | failed (exit $rc) | | | | | |")
    continue
  fi
  [ "$p" != reprint ] && tail -n 1 "$log"
  read -r wall rss_kb < <(tail -n 1 "$tfile")
  score=$("$py" "$root/tools/pairwise_f1.py" "$out" "$labels")
  echo "   $score"
  rows+=("$("$py" - "$p" "$ver" "$wall" "$rss_kb" "$bytes" "$score" <<'PY'
import json, sys
p, ver, wall, rss_kb, nbytes, score = sys.argv[1:]
wall, s = float(wall), json.loads(score)
mbs = int(nbytes) / max(wall, 0.01) / 1e6
gb = int(rss_kb) * 1024 / 1e9
print(f"| {p} | {ver} | {wall:.1f} | {mbs:.1f} | {gb:.2f} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} |")
PY
)")
  [ "$keep" = 1 ] || rm -rf "$out"
done

# --- the table -----------------------------------------------------------------------------
results=$data/results-$tag.md
{
  echo "Peer comparison, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, repo commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "Dump: reprint gen --docs $docs --seed $seed --max-edit-rate $edit ($bytes bytes, $(awk -v b="$bytes" 'BEGIN{printf "%.0f", b/1e6}') MB)"
  echo "Settings: word 5-gram shingles, 128 permutations, threshold 0.5, exact Jaccard verification, union-find, 2 workers"
  echo
  echo "| peer | version | wall s | MB/s | peak RSS GB | precision | recall | F1 |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  for p in "${!missing[@]}"; do echo; echo "$p: ${missing[$p]}"; done
} > "$results"
echo
cat "$results"
echo
echo "(written to $results; logs in $log_dir)"
