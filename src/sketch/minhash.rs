//! MinHash signatures.
//!
//! Receives shingle sets and hands on fixed-length signatures whose per-position agreement
//! rate estimates the Jaccard similarity of the sets (Broder, "On the resemblance and
//! containment of documents", 1997). The signature is a *one-permutation* MinHash (Li, Owen
//! and Zhang, "One Permutation Hashing", 2012): every shingle fingerprint is hashed once with a
//! fixed bijective mixer (SplitMix64's finaliser, Steele et al., 2014, keyed with
//! [`MINHASH_SEED`]), its top bits choose one of the `perms` bins and each bin keeps its
//! minimum; bins left empty (short texts) borrow the value of a non-empty bin chosen by a
//! per-bin hash sequence, *optimal densification* (Shrivastava, "Optimal Densification for Fast
//! and Accurate Minwise Hashing", 2017), so two signatures agree at a position with probability
//! equal to the Jaccard similarity. One hash and one comparison per shingle instead of `perms`
//! of each: signing costs about what hashing the shingles costs. Nothing depends on a platform
//! RNG, so the same text gives the same signature on every machine and release; golden tests pin
//! them, and tools/golden_reference.py recomputes them independently.

/// Key of the shingle hash ("reprint", then 3).
pub const MINHASH_SEED: u64 = 0x7265_7072_696e_7403;

/// Key of the densification sequences ("reprint", then 7).
pub const DENSIFY_SEED: u64 = 0x7265_7072_696e_7407;

/// Densification draws this many bins at random for an empty bin before it falls back to the
/// next non-empty bin in order. A set of one shingle among 128 bins needs 128 draws on average;
/// missing it 1,024 times running has probability (127/128)^1024, about 3e-4, and the fallback
/// keeps even that case deterministic and finite.
pub const DENSIFY_ATTEMPTS: u64 = 1024;

/// One signature value: the low 32 bits of the least 64-bit shingle hash in a bin.
pub type SigValue = u32;

/// SplitMix64's output function: a bijective mixer of 64-bit words.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// SplitMix64: a tiny, well-studied generator with a fixed, documented output sequence.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
}

/// The signature scheme of a run: `perms` bins of one-permutation MinHash.
#[derive(Debug, Clone)]
pub struct MinHasher {
    perms: usize,
}

impl MinHasher {
    /// The scheme for `perms` positions (bins).
    pub fn new(perms: usize) -> Self {
        assert!(perms > 0 && perms <= u32::MAX as usize, "perms out of range");
        MinHasher { perms }
    }

    /// Number of positions.
    pub fn perms(&self) -> usize {
        self.perms
    }

    /// The bin of a 64-bit hash: its top 32 bits scaled to `perms` (no modulo bias to speak of,
    /// no division).
    fn bin(&self, h: u64) -> usize {
        (((h >> 32) * self.perms as u64) >> 32) as usize
    }

    /// The signature of a set of shingle fingerprints (all `u32::MAX` for an empty set).
    pub fn signature(&self, shingles: &[u64]) -> Vec<SigValue> {
        let mut mins = vec![u64::MAX; self.perms];
        for &x in shingles {
            let h = mix(x ^ MINHASH_SEED);
            let m = &mut mins[self.bin(h)];
            if h < *m {
                *m = h;
            }
        }
        if shingles.is_empty() {
            return vec![SigValue::MAX; self.perms];
        }
        // A bin holding exactly u64::MAX counts as empty: it borrows, deterministically.
        let full = |j: usize| mins[j] != u64::MAX;
        (0..self.perms)
            .map(|i| {
                let donor = if full(i) {
                    Some(i)
                } else {
                    (0..DENSIFY_ATTEMPTS).map(|t| self.bin(mix(DENSIFY_SEED ^ ((i as u64) << 32 | t)))).find(|&j| full(j))
                };
                let j = donor.or_else(|| (1..self.perms).map(|d| (i + d) % self.perms).find(|&j| full(j)));
                j.map_or(SigValue::MAX, |j| mins[j] as SigValue)
            })
            .collect()
    }
}

/// Share of positions where two signatures agree: the MinHash estimate of Jaccard.
pub fn estimate_jaccard(a: &[SigValue], b: &[SigValue]) -> f64 {
    assert_eq!(a.len(), b.len(), "signatures of different lengths");
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::shingle::shingle_set;

    #[test]
    fn splitmix_golden() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn golden_signature() {
        let set = shingle_set("Vietnam affirms strategic partnership with the United States", 5).unwrap();
        let sig = MinHasher::new(8).signature(&set.hashes);
        // Computed independently by tools/golden_reference.py.
        // Four shingles in eight bins: four bins are filled by densification.
        assert_eq!(sig, vec![2875160499, 3599524924, 1445906092, 3206612725, 3599524924, 1445906092, 3599524924, 1445906092]);
    }

    #[test]
    fn one_shingle_fills_every_bin_and_empty_sets_stay_empty() {
        let h = MinHasher::new(128);
        let sig = h.signature(&[42]);
        assert!(sig.iter().all(|&v| v == sig[0]));
        assert_eq!(h.signature(&[]), vec![SigValue::MAX; 128]);
        // Disjoint one-shingle sets never agree.
        assert_eq!(estimate_jaccard(&sig, &h.signature(&[43])), 0.0);
    }

    #[test]
    fn identical_sets_identical_signatures() {
        let h = MinHasher::new(64);
        let s = shingle_set("a b c d e f g h i j k", 3).unwrap();
        assert_eq!(h.signature(&s.hashes), h.signature(&s.hashes.clone()));
        assert_eq!(estimate_jaccard(&h.signature(&s.hashes), &h.signature(&s.hashes)), 1.0);
    }
}
