#!/usr/bin/env python3
"""rensa peer: RMinHash(num_perm=128, seed=42) + update, RMinHashLSH(threshold=0.5, num_perm=128, num_bands=32).

Usage: python3 peer_rensa.py DUMP OUTDIR   (pipeline and output: common.py)
RMinHashLSH takes the number of bands from the caller; 32 (x 4 rows) is what rensa's own
RMinHashDeduplicator picks for a threshold in [0.5, 0.7) when num_bands is not given.
Signing runs in common.WORKERS forked processes (one RMinHash per article; RMinHash pickles);
insert_pairs and query_all do each chunk's index work in one call each.
"""
from rensa import RMinHash, RMinHashLSH

import common

NUM_BANDS = 32


def sign(words, shingles):
    m = RMinHash(num_perm=common.NUM_PERM, seed=common.SEED)
    m.update(shingles)
    return m


class Index:
    def __init__(self):
        self.lsh = RMinHashLSH(threshold=common.THRESHOLD, num_perm=common.NUM_PERM,
                               num_bands=NUM_BANDS)

    def add(self, first, sketches):
        self.lsh.insert_pairs([(first + k, m) for k, m in enumerate(sketches)])
        return self.lsh.query_all(sketches)

    def describe(self):
        bands = self.lsh.get_num_bands()
        return f"{bands} bands x {self.lsh.get_num_perm() // bands} rows"


if __name__ == "__main__":
    common.run("rensa", "rensa", sign, Index)
