#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of a scan against ground-truth labels.

Usage: python3 tools/pairwise_f1.py OUTDIR LABELS.jsonl
A pair of documents is predicted positive when both are in one cluster of
OUTDIR/documents.jsonl, and truly positive when both carry the same non-null
`cluster` in LABELS (as written by `reprint gen --labels`). Prints one JSON line.
"""
import collections
import json
import sys


def pairs_from(groups):
    return sum(len(g) * (len(g) - 1) // 2 for g in groups.values())


def main(outdir, labels_path):
    pred = {}
    for line in open(f"{outdir}/documents.jsonl"):
        d = json.loads(line)
        pred[d["id"]] = d["cluster"]
    truth = {}
    for line in open(labels_path):
        d = json.loads(line)
        truth[d["id"]] = d["cluster"]
    both = collections.defaultdict(int)
    pg, tg = collections.defaultdict(list), collections.defaultdict(list)
    for i, c in pred.items():
        if c is not None:
            pg[c].append(i)
        t = truth.get(i)
        if t is not None:
            tg[t].append(i)
        if c is not None and t is not None:
            both[(c, t)] += 1
    tp = sum(n * (n - 1) // 2 for n in both.values())
    p_pairs, t_pairs = pairs_from(pg), pairs_from(tg)
    precision = tp / p_pairs if p_pairs else 1.0
    recall = tp / t_pairs if t_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(json.dumps({"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                      "predicted_pairs": p_pairs, "true_pairs": t_pairs, "true_positive_pairs": tp}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
