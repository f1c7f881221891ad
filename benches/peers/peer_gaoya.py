#!/usr/bin/env python3
"""gaoya peer: gaoya.minhash.MinHashStringIndex(hash_size=32, jaccard_threshold=0.5,
num_hashes=128, analyzer='word', ngram_range=(5, 5)), filled with par_bulk_insert_docs and
queried with par_bulk_query (both signed in Rust on rayon threads).

Usage: python3 peer_gaoya.py DUMP OUTDIR   (pipeline and output: common.py)
With num_bands/band_size left unset, gaoya derives the banding from the threshold and
num_hashes: 42 bands x 3 rows (126 hashes) at 0.5/128. gaoya's 'word' analyzer splits on
ASCII whitespace and punctuation only, so each article is handed over as its common.tokenize
words joined by single spaces: gaoya then shingles exactly the words the other peers see.
gaoya's query keeps only candidates whose signatures estimate a similarity above the
threshold; common.py still verifies every returned pair by exact Jaccard.
"""
import gaoya

import common


def sign(words, shingles):
    # Signing happens in gaoya (Rust); the workers only normalise the text.
    return " ".join(words)


class Index:
    def __init__(self):
        self.index = gaoya.minhash.MinHashStringIndex(
            hash_size=32, jaccard_threshold=common.THRESHOLD,
            num_bands=None, band_size=None, num_hashes=common.NUM_PERM,
            analyzer="word", lowercase=False, ngram_range=(common.SHINGLE, common.SHINGLE),
            id_container="vec",  # gaoya's advice when ids are never removed
        )

    def add(self, first, docs):
        self.index.par_bulk_insert_docs(list(range(first, first + len(docs))), docs)
        return self.index.par_bulk_query(docs)

    def describe(self):
        # e.g. "MinHashIndex<u32> { threshold = 0.5, num_hashes = 126, bands = 42, rows_per_band = 3, size = 0 } ..."
        s = str(self.index)
        fields = dict(p.strip().split(" = ") for p in s[s.index("{") + 1:s.index("}")].split(","))
        return f"{fields['bands']} bands x {fields['rows_per_band']} rows"


if __name__ == "__main__":
    common.run("gaoya", "gaoya", sign, Index)
