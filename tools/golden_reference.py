#!/usr/bin/env python3
"""Independent reference for reprint's persisted hashes (pip install xxhash).

Recomputes, outside Rust, the values that the golden tests in src/shingle.rs,
src/minhash.rs and src/normalize.rs pin: word fingerprints = xxh3_64(word UTF-8, TOKEN_SEED); shingle
fingerprint = xxh3_64(concatenated little-endian u64 word fingerprints, SHINGLE_SEED);
MinHash coefficients from SplitMix64(MINHASH_SEED), a_i = next | 1, b_i = next;
signature value = top 32 bits of min over shingles of (a_i * x + b_i) mod 2^64.
Only for ASCII lowercase input (normalisation is not reimplemented here).
"""
import struct

import xxhash

TOKEN_SEED = 0x7265_7072_696E_7401
SHINGLE_SEED = 0x7265_7072_696E_7402
MINHASH_SEED = 0x7265_7072_696E_7403
TEXT_SEED = 0x7265_7072_696E_7406
MASK = (1 << 64) - 1


def splitmix64(seed):
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def shingles(words, k):
    toks = [xxhash.xxh3_64_intdigest(w.encode(), seed=TOKEN_SEED) for w in words]
    width = min(k, len(toks))
    return sorted({
        xxhash.xxh3_64_intdigest(b"".join(struct.pack("<Q", t) for t in toks[i:i + width]), seed=SHINGLE_SEED)
        for i in range(len(toks) - width + 1)
    })


def signature(hashes, perms):
    rng = splitmix64(MINHASH_SEED)
    coeffs = [(next(rng) | 1, next(rng)) for _ in range(perms)]
    return [min((a * x + b) & MASK for x in hashes) >> 32 for a, b in coeffs]


def text_fingerprint(words):
    toks = [xxhash.xxh3_64_intdigest(w.encode(), seed=TOKEN_SEED) for w in words]
    return xxhash.xxh3_64_intdigest(b"".join(struct.pack("<Q", t) for t in toks), seed=TEXT_SEED)


if __name__ == "__main__":
    print("shingles('one two three', 2) =", shingles("one two three".split(), 2))
    print("text_fingerprint('one two three') =", text_fingerprint("one two three".split()))
    words = "vietnam affirms strategic partnership with the united states".split()
    print("signature(8 perms) =", signature(shingles(words, 5), 8))
