#!/usr/bin/env python3
"""Regenerate the embedded sample corpus for `reprint`.

Usage:  python3 tools/make_corpus.py [--shared ../shared] [--out corpus]

Inputs (read-only):
  <shared>/seeds/*.txt                 five rewrites of one June 2024 news story
  <shared>/data/reuters21578.jsonl     Reuters-21578, Distribution 1.0 as JSONL

Outputs (under --out):
  seeds/<name>.txt          byte-identical copies of the seed files
  seeds/manifest.jsonl      one JSON object per seed: file, outlet, date, title, url
  reuters-sample.jsonl      ~400 raw source lines, in source order
  expected.json             machine-readable facts about the sample (for tests)
  seed-similarity.json      pairwise Jaccard / containment between the seeds

Python 3 standard library only.  Deterministic: fixed random seed, every
iteration that affects output is over sorted data, and no use of hash().
"""

import argparse
import itertools
import json
import os
import random
import re
import shutil
import unicodedata
from collections import defaultdict

SHINGLE = 5
RANDOM_SEED = 20240625
N_IDENTICAL_GROUPS = 30
N_NEAR_PAIRS = 15
N_BELOW_PAIRS = 5
TARGET_DOCS = 400
NEAR_LO, NEAR_HI = 0.5, 0.95
BELOW_LO, BELOW_HI = 0.3, 0.5
# Shingles occurring in more documents than this are ignored when *finding*
# candidate pairs (boilerplate such as "reuter"); exact Jaccard of every
# candidate is still computed on the full shingle sets.
MAX_POSTING = 50

TOKEN_RE = re.compile(r"[a-z0-9]+")

SEED_DATES = {
    # Only seed 001 states a date ("Post At: Jun 25/2024"); others unknown.
    "001_24fefe3e515b7d8c.txt": "2024-06-25",
}

NOTE = (
    "Jaccard = |A & B| / |A | B| over sets of word 5-grams (shingles). Tokens: "
    "the text is lowercased and split into maximal runs of ASCII [a-z0-9] "
    "(regex [a-z0-9]+ on str.lower()); every other character, including "
    "apostrophes, hyphens and punctuation, is a separator (so \"didn't\" -> "
    "didn, t). Shingles are computed on the 'text' field only (not title or "
    "dateline). Identical groups: stories whose text is equal after whitespace "
    "normalisation (' '.join(text.split())). near_duplicate_pairs: selected "
    "non-identical pairs with 0.5 <= Jaccard <= 0.95. below_threshold_pairs: "
    "pairs with 0.3 <= Jaccard < 0.5 that should NOT cluster at threshold 0.5. "
    "pairs_at_or_above_0.3 lists every pair of sample documents with Jaccard "
    ">= 0.3 (identical groups included), and clusters_at_0.5 the connected "
    "components of the Jaccard >= 0.5 graph over the sample (size >= 2); "
    "every other sample document is a singleton at that threshold. Seeds are "
    "not part of these Reuters facts; see seed-similarity.json (seed tokens "
    "are additionally NFKD-normalised with combining marks removed)."
)


def tokens(text, strip_diacritics=False):
    text = text.lower()
    if strip_diacritics:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return TOKEN_RE.findall(text)


def shingles(toks, k=SHINGLE):
    return frozenset(" ".join(toks[i:i + k]) for i in range(len(toks) - k + 1))


def jaccard(a, b):
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def r4(x):
    return round(x, 4)


# ---------------------------------------------------------------- seeds ----

def make_seeds(shared, out):
    src = os.path.join(shared, "seeds")
    dst = os.path.join(out, "seeds")
    os.makedirs(dst, exist_ok=True)
    names = sorted(n for n in os.listdir(src) if n.endswith(".txt"))
    manifest = []
    texts = {}
    for i, name in enumerate(names):
        shutil.copyfile(os.path.join(src, name), os.path.join(dst, name))
        with open(os.path.join(src, name), "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8")
        texts[name] = text
        title = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
        manifest.append({
            "file": name,
            "outlet": "outlet-" + "abcdefghijklmnopqrstuvwxyz"[i],
            "date": SEED_DATES.get(name),
            "title": title,
            "url": None,
        })
    with open(os.path.join(dst, "manifest.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for m in manifest:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")

    sh = {n: shingles(tokens(texts[n], strip_diacritics=True)) for n in names}
    pairs = []
    for a, b in itertools.combinations(names, 2):
        inter = len(sh[a] & sh[b])
        pairs.append({
            "a": a, "b": b,
            "shared_shingles": inter,
            "jaccard": r4(jaccard(sh[a], sh[b])),
            "containment_a_in_b": r4(inter / len(sh[a]) if sh[a] else 0.0),
            "containment_b_in_a": r4(inter / len(sh[b]) if sh[b] else 0.0),
        })
    sim = {
        "shingle": SHINGLE,
        "tokenisation": "NFKD, drop combining marks, lowercase, regex [a-z0-9]+",
        "shingle_counts": {n: len(sh[n]) for n in names},
        "pairs": pairs,
    }
    with open(os.path.join(out, "seed-similarity.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(sim, f, indent=2, ensure_ascii=False)
        f.write("\n")
    return names, manifest, sim


# -------------------------------------------------------------- reuters ----

def load_reuters(shared):
    path = os.path.join(shared, "data", "reuters21578.jsonl")
    docs = []  # (pos, id, raw_line, text)
    with open(path, "r", encoding="utf-8", newline="") as f:
        for pos, line in enumerate(f):
            if not line.strip():
                continue
            obj = json.loads(line)
            text = obj.get("text") or ""
            if not text.strip():
                continue
            raw = line if line.endswith("\n") else line + "\n"
            docs.append((pos, obj["id"], raw, text))
    return docs


def candidate_pairs(sh, ids):
    """Pairs of ids sharing at least one not-too-common shingle."""
    post = defaultdict(list)
    for i in ids:
        for s in sh[i]:
            post[s].append(i)
    cands = set()
    for s in sorted(post):
        lst = post[s]
        if 2 <= len(lst) <= MAX_POSTING:
            for a, b in itertools.combinations(sorted(lst), 2):
                cands.add((a, b))
    return sorted(cands)


def components(nodes, edges):
    parent = {n: n for n in nodes}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    comp = defaultdict(list)
    for n in nodes:
        comp[find(n)].append(n)
    return comp


def make_reuters(shared, out):
    rng = random.Random(RANDOM_SEED)
    docs = load_reuters(shared)
    pos_of = {d[1]: d[0] for d in docs}
    raw_of = {d[1]: d[2] for d in docs}
    norm = {d[1]: " ".join(d[3].split()) for d in docs}
    sh = {d[1]: shingles(tokens(d[3])) for d in docs}
    by_pos = lambda i: pos_of[i]  # noqa: E731
    # Documents too short to have a single 5-gram are left out entirely.
    ids = sorted((i for i in pos_of if sh[i]), key=by_pos)

    # Exact Jaccard for every candidate pair, over the whole dump.
    jac = {}
    for a, b in candidate_pairs(sh, ids):
        j = jaccard(sh[a], sh[b])
        if j >= BELOW_LO or norm[a] == norm[b]:
            key = (a, b) if pos_of[a] < pos_of[b] else (b, a)
            jac[key] = j
    neigh = defaultdict(set)  # Jaccard >= 0.3 or identical
    for a, b in jac:
        neigh[a].add(b)
        neigh[b].add(a)

    # (i) identical groups (whitespace-normalised text).
    groups = defaultdict(list)
    for i in ids:
        groups[norm[i]].append(i)
    ident = sorted((sorted(g, key=by_pos) for g in groups.values() if len(g) > 1),
                   key=lambda g: pos_of[g[0]])

    def isolated(members):
        """No member has a >= 0.3 neighbour outside the member set."""
        m = set(members)
        return all(neigh[x] <= m for x in members)

    big = [g for g in ident if len(g) >= 3]            # take all of these
    small = [g for g in ident if len(g) == 2 and isolated(g)]
    rng.shuffle(small)
    chosen_ident = big + small[:max(0, N_IDENTICAL_GROUPS - len(big))]
    chosen_ident.sort(key=lambda g: pos_of[g[0]])
    used = set(x for g in chosen_ident for x in g)

    # (ii) near-duplicate pairs, not identical, isolated (the pair is its own
    # whole neighbourhood), so each forms exactly one cluster at 0.5.
    def pick_pairs(lo, hi, inclusive_hi, n):
        pool = []
        for (a, b), j in sorted(jac.items()):
            if norm[a] == norm[b]:
                continue
            if not (lo <= j and (j <= hi if inclusive_hi else j < hi)):
                continue
            if isolated([a, b]):
                pool.append((a, b))
        pool.sort(key=lambda p: (pos_of[p[0]], pos_of[p[1]]))
        rng.shuffle(pool)
        got = []
        for a, b in pool:
            if len(got) >= n:
                break
            if a in used or b in used:
                continue
            got.append((a, b))
            used.update((a, b))
        got.sort(key=lambda p: pos_of[p[0]])
        return got, len(pool)

    near, near_pool = pick_pairs(NEAR_LO, NEAR_HI, True, N_NEAR_PAIRS)
    below, below_pool = pick_pairs(BELOW_LO, BELOW_HI, False, N_BELOW_PAIRS)

    # (iii) filler: random stories with no >= 0.3 neighbour anywhere.
    filler_pool = [i for i in ids if i not in used and not neigh[i]]
    rng.shuffle(filler_pool)
    filler = filler_pool[:max(0, TARGET_DOCS - len(used))]
    used.update(filler)

    sample = sorted(used, key=by_pos)
    with open(os.path.join(out, "reuters-sample.jsonl"), "w", encoding="utf-8", newline="") as f:
        for i in sample:
            f.write(raw_of[i])

    # Facts over the final sample (recomputed from scratch, all pairs).
    in_sample = set(sample)
    all_pairs = []
    edges05 = []
    for a, b in itertools.combinations(sample, 2):
        if not (sh[a] & sh[b]):
            continue
        j = jaccard(sh[a], sh[b])
        if j >= BELOW_LO:
            all_pairs.append({"a": a, "b": b, "jaccard": r4(j),
                              "identical": norm[a] == norm[b]})
        if j >= NEAR_LO:
            edges05.append((a, b))
    comps = components(sample, edges05)
    clusters = sorted((sorted(c, key=by_pos) for c in comps.values() if len(c) > 1),
                      key=lambda c: pos_of[c[0]])
    assert all(x in in_sample for g in chosen_ident for x in g)

    facts = {
        "documents": len(sample),
        "identical_groups": chosen_ident,
        "near_duplicate_pairs": [{"a": a, "b": b, "jaccard": r4(jaccard(sh[a], sh[b]))}
                                 for a, b in near],
        "below_threshold_pairs": [{"a": a, "b": b, "jaccard": r4(jaccard(sh[a], sh[b]))}
                                  for a, b in below],
        "pairs_at_or_above_0.3": all_pairs,
        "clusters_at_0.5": clusters,
        "clusters_at_0.5_count": len(clusters),
        "singletons_at_0.5": len(sample) - sum(len(c) for c in clusters),
    }
    stats = {
        "dump_nonempty_docs": len(docs),
        "dump_docs_with_shingles": len(ids),
        "dump_identical_groups": len(ident),
        "dump_identical_group_sizes": {str(k): sum(1 for g in ident if len(g) == k)
                                       for k in sorted(set(len(g) for g in ident))},
        "dump_isolated_near_pairs": near_pool,
        "dump_isolated_below_pairs": below_pool,
    }
    return facts, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--out", default="corpus")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    seed_names, _manifest, sim = make_seeds(args.shared, args.out)
    facts, stats = make_reuters(args.shared, args.out)

    expected = {
        "documents": facts["documents"],
        "identical_groups": facts["identical_groups"],
        "near_duplicate_pairs": facts["near_duplicate_pairs"],
        "below_threshold_pairs": facts["below_threshold_pairs"],
        "pairs_at_or_above_0.3": facts["pairs_at_or_above_0.3"],
        "clusters_at_0.5": facts["clusters_at_0.5"],
        "clusters_at_0.5_count": facts["clusters_at_0.5_count"],
        "singletons_at_0.5": facts["singletons_at_0.5"],
        "seed_files": seed_names,
        "shingle": SHINGLE,
        "threshold": NEAR_LO,
        "random_seed": RANDOM_SEED,
        "source_stats": stats,
        "note": NOTE,
    }
    with open(os.path.join(args.out, "expected.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(expected, f, indent=2, ensure_ascii=False)
        f.write("\n")

    print("documents:", facts["documents"])
    print("identical groups:", len(facts["identical_groups"]),
          "sizes:", sorted(len(g) for g in facts["identical_groups"]))
    print("near-duplicate pairs:", len(facts["near_duplicate_pairs"]))
    print("below-threshold pairs:", len(facts["below_threshold_pairs"]))
    print("clusters at 0.5:", facts["clusters_at_0.5_count"],
          "singletons:", facts["singletons_at_0.5"])
    print("source:", json.dumps(stats))
    for p in sim["pairs"]:
        print("seed", p["a"][:3], p["b"][:3], "J=%.4f" % p["jaccard"],
              "C=%.4f/%.4f" % (p["containment_a_in_b"], p["containment_b_in_a"]),
              "shared=%d" % p["shared_shingles"])


if __name__ == "__main__":
    main()
