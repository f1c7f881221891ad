//! MinHash signatures.
//!
//! Receives shingle sets and hands on fixed-length signatures whose per-position agreement
//! rate estimates the Jaccard similarity of the sets (Broder, "On the resemblance and
//! containment of documents", 1997). Position `i` applies the multiply-shift hash
//! `h_i(x) = (a_i * x + b_i) mod 2^64 >> 32` (Dietzfelbinger et al., 1997), with odd `a_i`,
//! to every shingle fingerprint and keeps the minimum. Coefficients come from SplitMix64
//! (Steele et al., 2014) seeded with [`MINHASH_SEED`], never from a platform RNG, so the same
//! text gives the same signature on every machine and release; golden tests pin them.

/// Seed of the SplitMix64 stream that draws the permutation coefficients ("reprint", then 3).
pub const MINHASH_SEED: u64 = 0x7265_7072_696e_7403;

/// One signature value: the top 32 bits of the minimum of a 64-bit multiply-shift hash.
pub type SigValue = u32;

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
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The hash family of a run: `perms` multiply-shift hashes.
#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

impl MinHasher {
    /// The family for `perms` permutations under [`MINHASH_SEED`].
    pub fn new(perms: usize) -> Self {
        let mut rng = SplitMix64::new(MINHASH_SEED);
        let mut a = Vec::with_capacity(perms);
        let mut b = Vec::with_capacity(perms);
        for _ in 0..perms {
            a.push(rng.next_u64() | 1);
            b.push(rng.next_u64());
        }
        MinHasher { a, b }
    }

    /// Number of permutations.
    pub fn perms(&self) -> usize {
        self.a.len()
    }

    /// The signature of a set of shingle fingerprints (all `u32::MAX` for an empty set).
    pub fn signature(&self, shingles: &[u64]) -> Vec<SigValue> {
        let mut mins = vec![u64::MAX; self.a.len()];
        for &x in shingles {
            for ((m, &a), &b) in mins.iter_mut().zip(&self.a).zip(&self.b) {
                let h = a.wrapping_mul(x).wrapping_add(b);
                if h < *m {
                    *m = h;
                }
            }
        }
        mins.into_iter().map(|m| (m >> 32) as SigValue).collect()
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
    use crate::shingle::shingle_set;

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
        assert_eq!(sig, vec![1255802744, 156084729, 2156535063, 1050951669, 682830194, 690645948, 1413613349, 495695378]);
    }

    #[test]
    fn identical_sets_identical_signatures() {
        let h = MinHasher::new(64);
        let s = shingle_set("a b c d e f g h i j k", 3).unwrap();
        assert_eq!(h.signature(&s.hashes), h.signature(&s.hashes.clone()));
        assert_eq!(estimate_jaccard(&h.signature(&s.hashes), &h.signature(&s.hashes)), 1.0);
    }
}
