#!/usr/bin/env python3
"""Pairwise scores of predicted stories against a story benchmark's labels.

    python3 tools/eval_story.py OUTDIR LABELS.jsonl [--json]

OUTDIR/documents.jsonl has one line per document with `id` and `story` (a story id, or null
for an article alone); LABELS.jsonl (from the story generator) has `id` and `story` (the true
story). A pair of documents is predicted positive when both have the same non-null predicted
story, truly positive when both have the same true story. Prints pairwise precision, recall
and F1, the pair counts, the largest predicted story and how many predicted stories mix two
or more true stories. Standard library only.
"""

import argparse
import json
import os
import sys
from collections import Counter, defaultdict


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    sys.exit(f"{path}:{n}: bad JSON: {e}")


def pairs(n):
    return n * (n - 1) // 2


def score(predicted, truth):
    """predicted: id -> story or None; truth: id -> story. Scores the ids in truth."""
    true_groups = defaultdict(list)
    for i, s in truth.items():
        true_groups[s].append(i)
    pred_groups = defaultdict(list)
    for i in truth:
        s = predicted.get(i)
        if s is not None:
            pred_groups[s].append(i)
    true_pairs = sum(pairs(len(g)) for g in true_groups.values())
    pred_pairs = sum(pairs(len(g)) for g in pred_groups.values())
    # Correct pairs: within each predicted story, pairs sharing a true story.
    correct = 0
    mixed = 0
    for g in pred_groups.values():
        c = Counter(truth[i] for i in g)
        correct += sum(pairs(k) for k in c.values())
        if len(c) >= 2:
            mixed += 1
    precision = correct / pred_pairs if pred_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    multi = [g for g in pred_groups.values() if len(g) >= 2]
    return {
        "documents": len(truth),
        "missing_predictions": sum(1 for i in truth if i not in predicted),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
        "correct_pairs": correct,
        "true_stories": sum(1 for g in true_groups.values() if len(g) >= 2),
        "predicted_stories": len(multi),
        "largest_predicted_story": max((len(g) for g in pred_groups.values()), default=0),
        "mixed_predicted_stories": mixed,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", help="scan output directory holding documents.jsonl")
    ap.add_argument("labels", help="labels JSONL with id and story")
    ap.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    a = ap.parse_args()

    docs_path = os.path.join(a.outdir, "documents.jsonl")
    predicted = {}
    for d in read_jsonl(docs_path):
        if "id" not in d:
            sys.exit(f"{docs_path}: a line has no id")
        predicted[str(d["id"])] = d.get("story")
    truth = {}
    for d in read_jsonl(a.labels):
        if d.get("story") is None:
            sys.exit(f"{a.labels}: document {d.get('id')} has no story label")
        truth[str(d["id"])] = d["story"]
    r = score(predicted, truth)
    if a.json:
        print(json.dumps(r, sort_keys=True))
        return
    print(f"documents            {r['documents']}" + (f" ({r['missing_predictions']} missing from output)" if r["missing_predictions"] else ""))
    print(f"pairwise precision   {r['precision']:.4f}")
    print(f"pairwise recall      {r['recall']:.4f}")
    print(f"pairwise F1          {r['f1']:.4f}")
    print(f"true pairs           {r['true_pairs']}  ({r['true_stories']} stories with 2+ articles)")
    print(f"predicted pairs      {r['predicted_pairs']}  ({r['predicted_stories']} predicted stories with 2+ articles; {r['correct_pairs']} pairs correct)")
    print(f"largest predicted    {r['largest_predicted_story']}")
    print(f"mixed predicted      {r['mixed_predicted_stories']}  (predicted stories holding 2+ true stories)")


if __name__ == "__main__":
    main()
