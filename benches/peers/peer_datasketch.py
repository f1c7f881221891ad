#!/usr/bin/env python3
"""datasketch peer: MinHash(num_perm=128) + update_batch, MinHashLSH(threshold=0.5, num_perm=128).

Usage: python3 peer_datasketch.py DUMP OUTDIR   (pipeline and output: common.py)
MinHashLSH picks its own (bands, rows) for the threshold: 25 x 5 at 0.5/128.
Signing runs in common.WORKERS forked processes; the sketches travel back as LeanMinHash
(seed and hash values only), datasketch's compact form.
"""
from datasketch import LeanMinHash, MinHash, MinHashLSH

import common

# One MinHash's permutation parameters, reused for every document: datasketch documents
# passing `permutations` (with its `scheme`) for faster initialisation of many sketches.
_TEMPLATE = MinHash(num_perm=common.NUM_PERM, seed=common.SEED)


def sign(words, shingles):
    m = MinHash(num_perm=common.NUM_PERM, seed=common.SEED,
                permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    m.update_batch([s.encode("utf-8") for s in shingles])
    return LeanMinHash(m)


class Index:
    def __init__(self):
        self.lsh = MinHashLSH(threshold=common.THRESHOLD, num_perm=common.NUM_PERM)

    def add(self, first, sketches):
        with self.lsh.insertion_session() as session:
            for k, m in enumerate(sketches):
                session.insert(first + k, m, check_duplication=False)
        return [self.lsh.query(m) for m in sketches]

    def describe(self):
        return f"{self.lsh.b} bands x {self.lsh.r} rows"


if __name__ == "__main__":
    common.run("datasketch", "datasketch", sign, Index)
