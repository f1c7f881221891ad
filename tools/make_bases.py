#!/usr/bin/env python3
"""Real-text bases for the generator: a JSONL dump minus its own near-duplicates and templates.

Usage: python3 tools/make_bases.py DUMP.jsonl SCAN_OUTDIR > bases.jsonl
Keeps, in input order, every article of DUMP that a `reprint scan` of it (SCAN_OUTDIR) left
unclustered, and the first article of each cluster, so that generated copies are the only
reuse among the originals drawn from it. Of those it then drops

- articles under MIN_WORDS words, and
- articles sharing MAX_SHARED_SHINGLES or more distinct word 5-shingles with an article kept
  before them: near-template items (eurobond launches, SEC filings, dividend notices) that the
  scan rightly leaves apart but that share boilerplate with each other, which a benchmark built
  on them would count as false merges of unrelated stories.

What it kept and dropped, and its run time, go to stderr.
"""
import json
import re
import sys
import time

# Shortest base kept, in words. A shorter Reuters item is mostly a one-line notice (a dividend,
# a "qtr net" table) worded from a template; and what the generator makes of it is mostly not
# its text: a truncated or embedded excerpt of it falls under the scan's 30-word partial minimum
# (src/matching/verify.rs MIN_PARTIAL_WORDS), and a new 25-45 word lede or a rewritten sentence outweighs
# it, so its copies are partial excerpts at best and its labels say little about the tool.
MIN_WORDS = 50
# Shared distinct 5-shingles that make a base a near-duplicate of an earlier one. A run of n
# identical words gives n - 4 shingles, so 10 is a 14-word run (or several shorter ones): the
# passages the scan reports (src/matching/passage.rs MIN_PASSAGE_WORDS, 10 words) and nearly a
# containment edge (src/matching/verify.rs MIN_CONTAINED_WORDS, 15 words), while the stock phrases every
# newswire repeats ("said in a statement") share only a few shingles and are allowed.
MAX_SHARED_SHINGLES = 10
# Words per shingle, as the scan's default (src/config.rs DEFAULT_SHINGLE).
SHINGLE = 5

# Words as reprint's tokeniser (src/text/normalize.rs) finds them in ASCII text: runs of letters,
# digits and underscores, joined by one of : . ' between letters or , ; . ' between digits.
WORD = re.compile(r"\w+(?:(?:(?<=[^\W\d_])[:.'](?=[^\W\d_])|(?<=\d)[,;.'](?=\d))\w+)*")


def words(text):
    return [w.lower() for w in WORD.findall(text) if w.strip("_")]


def shingles(ws, ids):
    """Distinct SHINGLE-word shingles of `ws` (at least SHINGLE words), each one exact integer:
    the words' ids in `ids` (assigned as words are first seen) packed 32 bits apiece."""
    codes = [ids.setdefault(w, len(ids)) for w in ws]
    out = set()
    for i in range(len(codes) - SHINGLE + 1):
        s = 0
        for c in codes[i:i + SHINGLE]:
            s = (s << 32) | c
        out.add(s)
    return out


def main(dump, outdir):
    start = time.perf_counter()
    lines = open(dump, encoding="utf-8").read().splitlines()
    seen = set()
    docs = map(json.loads, open(f"{outdir}/documents.jsonl", encoding="utf-8"))
    ids = {}
    # Shingle -> indices of the kept bases that have it.
    index = {}
    kept = clustered = short = overlapping = 0
    out = sys.stdout
    for line, doc in zip(lines, docs):
        cluster = doc["cluster"]
        if cluster is not None and cluster in seen:
            clustered += 1
            continue
        seen.add(cluster)
        ws = words(json.loads(line)["text"])
        if len(ws) < MIN_WORDS:
            short += 1
            continue
        sh = shingles(ws, ids)
        hits = {}
        for s in sh:
            for k in index.get(s, ()):
                hits[k] = hits.get(k, 0) + 1
        if hits and max(hits.values()) >= MAX_SHARED_SHINGLES:
            overlapping += 1
            continue
        for s in sh:
            index.setdefault(s, []).append(kept)
        kept += 1
        out.write(line)
        out.write("\n")
    print(
        f"make_bases: kept {kept} of {len(lines)}; dropped {clustered} later cluster members, "
        f"{short} under {MIN_WORDS} words, {overlapping} sharing >= {MAX_SHARED_SHINGLES} "
        f"shingles with an earlier base; {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
