#!/usr/bin/env python3
"""Independent reference for reprint's persisted hashes (pip install xxhash).

Recomputes, outside Rust, the values that the golden tests in src/text/shingle.rs,
src/sketch/minhash.rs and src/text/normalize.rs pin: word fingerprints = xxh3_64(word UTF-8, TOKEN_SEED); shingle
fingerprint = xxh3_64(concatenated little-endian u64 word fingerprints, SHINGLE_SEED);
one-permutation MinHash: h = mix(x ^ MINHASH_SEED) (mix = SplitMix64's output function),
bin = ((h >> 32) * perms) >> 32, a bin's value = low 32 bits of its least h; an empty bin i
borrows from bin(mix(DENSIFY_SEED ^ (i << 32 | t))) for the first non-empty draw t < 1024, else
from the next non-empty bin after i.
Only for ASCII lowercase input (normalisation is not reimplemented here).
"""
import struct

import xxhash

TOKEN_SEED = 0x7265_7072_696E_7401
SHINGLE_SEED = 0x7265_7072_696E_7402
MINHASH_SEED = 0x7265_7072_696E_7403
DENSIFY_SEED = 0x7265_7072_696E_7407
DENSIFY_ATTEMPTS = 1024
TEXT_SEED = 0x7265_7072_696E_7406
MASK = (1 << 64) - 1


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def shingles(words, k):
    toks = [xxhash.xxh3_64_intdigest(w.encode(), seed=TOKEN_SEED) for w in words]
    width = min(k, len(toks))
    return sorted({
        xxhash.xxh3_64_intdigest(b"".join(struct.pack("<Q", t) for t in toks[i:i + width]), seed=SHINGLE_SEED)
        for i in range(len(toks) - width + 1)
    })


def signature(hashes, perms):
    def bin_of(h):
        return ((h >> 32) * perms) >> 32
    mins = [None] * perms
    for x in hashes:
        h = mix(x ^ MINHASH_SEED)
        b = bin_of(h)
        if mins[b] is None or h < mins[b]:
            mins[b] = h
    out = []
    for i in range(perms):
        donor = i if mins[i] is not None else None
        for t in range(DENSIFY_ATTEMPTS):
            if donor is not None:
                break
            j = bin_of(mix(DENSIFY_SEED ^ ((i << 32) | t)))
            if mins[j] is not None:
                donor = j
        if donor is None:
            donor = next(j for j in ((i + d) % perms for d in range(1, perms)) if mins[j] is not None)
        out.append(mins[donor] & 0xFFFFFFFF)
    return out


def text_fingerprint(words):
    toks = [xxhash.xxh3_64_intdigest(w.encode(), seed=TOKEN_SEED) for w in words]
    return xxhash.xxh3_64_intdigest(b"".join(struct.pack("<Q", t) for t in toks), seed=TEXT_SEED)


# The persistent index (src/jobs/index/format.rs, persisted_hashes_are_pinned): file checksums,
# LSH band keys (xxh3 of a band's u32 rows, little-endian, seed BAND_SEED + band) and shingle-set
# fingerprints (xxh3 of the sorted u64 shingles, seed 0).
CHECKSUM_SEED = 0x7265_7072_696E_7410
BAND_SEED = 0x7265_7072_696E_7404


def index_goldens():
    sig = list(range(1, 103))
    return (
        xxhash.xxh3_64_hexdigest(b"reprint index", seed=CHECKSUM_SEED),
        hex(xxhash.xxh3_64_intdigest(struct.pack("<3I", *sig[0:3]), seed=BAND_SEED)),
        hex(xxhash.xxh3_64_intdigest(struct.pack("<3I", *sig[99:102]), seed=BAND_SEED + 33)),
        hex(xxhash.xxh3_64_intdigest(struct.pack("<3Q", 5, 7, 11), seed=0)),
    )


if __name__ == "__main__":
    print("shingles('one two three', 2) =", shingles("one two three".split(), 2))
    print("text_fingerprint('one two three') =", text_fingerprint("one two three".split()))
    words = "vietnam affirms strategic partnership with the united states".split()
    print("signature(8 perms) =", signature(shingles(words, 5), 8))
    print("index: checksum, band keys 0 and 33, set fingerprint =", index_goldens())
