#!/usr/bin/env python3
"""Score a scan of a `reprint gen --syndication` dump against its labels.

Usage: python3 tools/eval_reuse.py OUTDIR LABELS.jsonl [--json]

Prints the mean absolute error of `reuse` against the generator's `copied_frac` (overall and
per copy mode), pairwise precision/recall/F1 of the clusters against the stories, and how
many body words reprint set aside as furniture beyond the generator's own furniture (words
of real copied text lost to the furniture rule).
"""
import collections
import json
import sys


def main(outdir, labels_path, as_json):
    docs = {}
    for line in open(f"{outdir}/documents.jsonl", encoding="utf-8"):
        d = json.loads(line)
        docs[d["id"]] = d
    labels = [json.loads(line) for line in open(labels_path, encoding="utf-8")]
    errors = collections.defaultdict(list)
    over_removed = 0
    body_words = 0
    for lab in labels:
        d = docs[lab["id"]]
        err = abs(d["reuse"] - lab["copied_frac"])
        errors["all"].append(err)
        errors[lab["mode"]].append(err)
        removed = round(d["furniture"] * d["words"])
        over_removed += max(0, removed - lab["furniture_words"])
        body_words += d["words"] - lab["furniture_words"]
    mae = {k: round(sum(v) / len(v), 4) for k, v in sorted(errors.items())}
    counts = {k: len(v) for k, v in sorted(errors.items())}

    # Pairwise F1: a pair is truly positive when both are in one story of two or more.
    both = collections.Counter()
    pred, truth = collections.Counter(), collections.Counter()
    for lab in labels:
        c = docs[lab["id"]]["cluster"]
        t = lab["cluster"]
        if c is not None:
            pred[c] += 1
        if t is not None:
            truth[t] += 1
        if c is not None and t is not None:
            both[(c, t)] += 1
    pairs = lambda counter: sum(n * (n - 1) // 2 for n in counter.values())
    tp, pp, tt = pairs(both), pairs(pred), pairs(truth)
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    result = {
        "documents": len(labels),
        "reuse_mae": mae,
        "documents_by_mode": counts,
        "pairwise": {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)},
        "body_words_set_aside_as_furniture": over_removed,
        "body_words_set_aside_share": round(over_removed / body_words, 5) if body_words else 0.0,
    }
    if as_json:
        print(json.dumps(result))
        return
    print(f"documents: {len(labels)}")
    print("reuse MAE: " + ", ".join(f"{k} {v} (n={counts[k]})" for k, v in mae.items()))
    print(f"pairwise clusters vs stories: precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")
    print(f"body words set aside as furniture: {over_removed} of {body_words} ({result['body_words_set_aside_share']:.3%})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--json" in sys.argv[3:])
