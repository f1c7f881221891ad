"""Shared pipeline for the peer benchmark (see README.md in this folder).

Every peer runs the same pipeline; only the MinHash signing and the LSH index come from the
peer's library:

1. The dump is cut into ~2 MB line-aligned byte ranges. A `multiprocessing` pool of WORKERS
   forked processes reads each range, tokenises every article's `text` (lowercase,
   `\\w+` runs), builds its word k-gram shingles and calls the peer's `sign(words, shingles)`
   (run in the worker, so signing is parallel). Each worker also returns the article's
   shingle set as sorted, distinct 64-bit hashes for exact verification.
2. The main process feeds each chunk, in dump order, to the peer's `Index.add(first,
   payloads)`, which inserts the chunk into the library's LSH index and then queries it with
   the same chunk. A pair (j, i), j < i, is therefore found when i is queried, because j is
   already in the index.
3. Every candidate pair is verified by the exact Jaccard similarity of the two shingle sets;
   pairs at or above THRESHOLD are joined by union-find.
4. OUTDIR/documents.jsonl gets one line per article, in dump order:
   {"id": ..., "cluster": <index of the cluster's first article, or null for a singleton>}.

A one-line JSON summary goes to stderr.
"""
import json
import multiprocessing
import os
import re
import sys
import time
from importlib import metadata

import numpy as np

SHINGLE = 5          # words per shingle
NUM_PERM = 128       # MinHash permutations
THRESHOLD = 0.5      # Jaccard threshold (LSH and exact verification)
WORKERS = 2          # signing processes
SEED = 42            # MinHash seed where a library takes one
CHUNK_BYTES = 2 << 20

WORD = re.compile(r"\w+")


def tokenize(text):
    """Lowercased runs of word characters (`re.findall(r"\\w+", text.lower())`)."""
    return WORD.findall(text.lower())


def shingles(words, k=SHINGLE):
    """k consecutive words joined by a space; fewer than k words give one shingle of all."""
    if len(words) < k:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[i:] for i in range(k)))))


def shingle_hashes(sh):
    """Sorted, distinct 64-bit hashes of the shingle strings, for exact Jaccard.

    Python's str hash is salted per interpreter; the workers are forked from one parent, so
    they share the salt and agree. 64-bit collisions are negligible at this scale.
    """
    distinct = set(map(hash, sh))
    return np.sort(np.fromiter(distinct, dtype=np.int64, count=len(distinct)))


def jaccard(a, b):
    if len(a) == 0 or len(b) == 0:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (len(a) + len(b) - inter)


def chunk_ranges(path, size=CHUNK_BYTES):
    """Byte ranges [start, end) of about `size` bytes that begin and end on line boundaries."""
    total = os.path.getsize(path)
    ranges = []
    with open(path, "rb") as f:
        start = 0
        while start < total:
            f.seek(min(start + size, total))
            if f.tell() < total:
                f.readline()  # run on to the end of the line
            end = min(f.tell(), total)
            ranges.append((start, end))
            start = end
    return ranges


_SIGN = None  # the peer's sign function; set before the pool forks


def _work(job):
    path, start, end = job
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    out = []
    for line in data.splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        words = tokenize(doc.get("text") or "")
        sh = shingles(words)
        out.append((doc["id"], _SIGN(words, sh), shingle_hashes(sh)))
    return out


class UnionFind:
    def __init__(self):
        self.parent = []

    def add(self, n):
        self.parent.extend(range(len(self.parent), len(self.parent) + n))

    def find(self, x):
        p = self.parent
        root = x
        while p[root] != root:
            root = p[root]
        while p[x] != root:
            p[x], x = root, p[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                self.parent[rb] = ra
            else:
                self.parent[ra] = rb


def version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def run(name, dist, sign, make_index):
    """Command-line entry of a peer: `python3 peer_NAME.py DUMP OUTDIR`.

    sign(words, shingles) -> payload runs in the workers; make_index() returns an object
    with add(first, payloads) -> one candidate list (document indices) per payload, and
    describe() -> a short string naming the banding the library uses.
    """
    global _SIGN
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} DUMP OUTDIR")
    dump, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    t0 = time.perf_counter()
    _SIGN = sign
    index = make_index()
    ids, sets = [], []
    uf = UnionFind()
    candidates = verified = 0
    jobs = [(dump, s, e) for s, e in chunk_ranges(dump)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(WORKERS) as pool:
        for chunk in pool.imap(_work, jobs):
            if not chunk:
                continue
            first = len(ids)
            ids.extend(c[0] for c in chunk)
            sets.extend(c[2] for c in chunk)
            uf.add(len(chunk))
            found = index.add(first, [c[1] for c in chunk])
            for k, cands in enumerate(found):
                i = first + k
                for j in cands:
                    if j < i:
                        candidates += 1
                        if jaccard(sets[i], sets[j]) >= THRESHOLD:
                            verified += 1
                            uf.union(i, j)
    t_index = time.perf_counter() - t0
    roots = [uf.find(i) for i in range(len(ids))]
    sizes = {}
    for r in roots:
        sizes[r] = sizes.get(r, 0) + 1
    with open(os.path.join(outdir, "documents.jsonl"), "w") as out:
        for doc_id, r in zip(ids, roots):
            out.write(json.dumps({"id": doc_id, "cluster": r if sizes[r] > 1 else None}) + "\n")
    summary = {
        "peer": name, "version": version(dist), "docs": len(ids),
        "banding": index.describe(), "candidate_pairs": candidates, "verified_pairs": verified,
        "clusters": sum(1 for s in sizes.values() if s > 1),
        "clustered_docs": sum(s for s in sizes.values() if s > 1),
        "sign_index_verify_s": round(t_index, 2), "total_s": round(time.perf_counter() - t0, 2),
    }
    print(json.dumps(summary), file=sys.stderr)
