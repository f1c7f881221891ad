#!/usr/bin/env python3
"""Real-text bases for the generator: a JSONL dump minus its own near-duplicates.

Usage: python3 tools/make_bases.py DUMP.jsonl SCAN_OUTDIR > bases.jsonl
Keeps, in input order, every article of DUMP that a `reprint scan` of it (SCAN_OUTDIR) left
unclustered, and the first article of each cluster, so that generated copies are the only
reuse among the originals drawn from it.
"""
import json
import sys


def main(dump, outdir):
    lines = open(dump, encoding="utf-8").read().splitlines()
    seen = set()
    docs = map(json.loads, open(f"{outdir}/documents.jsonl", encoding="utf-8"))
    for line, doc in zip(lines, docs):
        cluster = doc["cluster"]
        if cluster is None or cluster not in seen:
            seen.add(cluster)
            print(line)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
