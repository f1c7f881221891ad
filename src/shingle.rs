//! Word shingles.
//!
//! Receives normalised words and hands on each document's *shingle set*: the sorted, distinct
//! 64-bit fingerprints of its word k-grams. A word is first fingerprinted with xxh3 under
//! [`TOKEN_SEED`]; a shingle is the xxh3 (under [`SHINGLE_SEED`]) of its words' fingerprints
//! laid end to end as fixed-width little-endian bytes, so the encoding is unambiguous
//! (`["ab","c"]` and `["a","bc"]` differ) and stable across platforms and releases. A text
//! with fewer than k words still gets one shingle of all its words, whose fingerprint input
//! is shorter than any k-gram's, so short texts never collide with each other or with an
//! empty signature.

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::normalize::{normalize_into, words};

/// Seed for word fingerprints ("reprint" in ASCII, then 1). Persisted through shingle sets and
/// signatures: changing it changes every output, which the golden tests would catch.
pub const TOKEN_SEED: u64 = 0x7265_7072_696e_7401;

/// Seed for shingle fingerprints ("reprint" in ASCII, then 2).
pub const SHINGLE_SEED: u64 = 0x7265_7072_696e_7402;

/// A document's distinct shingle fingerprints, sorted ascending.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShingleSet {
    /// Sorted, distinct shingle fingerprints.
    pub hashes: Vec<u64>,
    /// Number of words in the document after normalisation.
    pub words: u32,
}

impl ShingleSet {
    /// Number of distinct shingles.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when the set is empty (never the case for a document with a word).
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// A fingerprint of the whole set, used to find exact duplicates before LSH.
    pub fn fingerprint(&self) -> u64 {
        let bytes: Vec<u8> = self.hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
        xxh3_64(&bytes)
    }
}

/// Reusable buffers for shingling many documents on one thread.
#[derive(Debug, Default)]
pub struct Shingler {
    normalized: String,
    tokens: Vec<u64>,
    window: Vec<u8>,
}

impl Shingler {
    /// Shingles raw `text` with width `k`; `None` when it has no words.
    pub fn shingle(&mut self, text: &str, k: usize) -> Option<ShingleSet> {
        assert!(k >= 1, "shingle width must be at least 1");
        normalize_into(text, &mut self.normalized);
        self.tokens.clear();
        self.tokens.extend(words(&self.normalized).map(|w| xxh3_64_with_seed(w.as_bytes(), TOKEN_SEED)));
        if self.tokens.is_empty() {
            return None;
        }
        let n = self.tokens.len();
        let width = k.min(n);
        let mut hashes = Vec::with_capacity(n + 1 - width);
        for win in self.tokens.windows(width) {
            self.window.clear();
            for t in win {
                self.window.extend_from_slice(&t.to_le_bytes());
            }
            hashes.push(xxh3_64_with_seed(&self.window, SHINGLE_SEED));
        }
        hashes.sort_unstable();
        hashes.dedup();
        Some(ShingleSet { hashes, words: n as u32 })
    }
}

/// Shingles one text with fresh buffers (see [`Shingler::shingle`]).
pub fn shingle_set(text: &str, k: usize) -> Option<ShingleSet> {
    Shingler::default().shingle(text, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_fingerprints() {
        // Pinned: a change here changes every persisted output. The values were computed
        // independently by tools/golden_reference.py (Python `xxhash`).
        let s = shingle_set("One two three", 2).unwrap();
        assert_eq!(s.words, 3);
        assert_eq!(s.hashes, vec![10628107547789231261, 13837927968909105543]);
    }

    #[test]
    fn joining_is_unambiguous() {
        assert_ne!(shingle_set("ab c", 2), shingle_set("a bc", 2));
    }

    #[test]
    fn short_texts_get_their_own_shingle() {
        let a = shingle_set("hello world", 5).unwrap();
        let b = shingle_set("hello there", 5).unwrap();
        assert_eq!(a.len(), 1);
        assert_ne!(a.hashes, b.hashes);
        assert!(shingle_set("... !!", 5).is_none());
    }

    #[test]
    fn repeated_shingles_counted_once() {
        let s = shingle_set("a b a b a b", 2).unwrap();
        assert_eq!(s.len(), 2); // "a b" and "b a"
        assert_eq!(s.words, 6);
    }

    #[test]
    fn normalisation_applies() {
        assert_eq!(shingle_set("Bùi Thanh Sơn said", 2), shingle_set("BUI thanh son SAID", 2));
    }
}
