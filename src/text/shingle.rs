//! Word shingles.
//!
//! Receives a document's [`Tokens`] (and the token ranges set aside as furniture) and hands on
//! its shingle *sequence* — each word k-gram's fingerprint with the index of its first word,
//! in text order, for finding passages — and its *shingle set*: the sorted, distinct
//! fingerprints, for similarity. A shingle's fingerprint is the xxh3 (under [`SHINGLE_SEED`])
//! of its words' fingerprints laid end to end as fixed-width little-endian bytes, so the
//! encoding is unambiguous (`["ab","c"]` and `["a","bc"]` differ) and stable across platforms
//! and releases. Shingles never span a set-aside range. A document with fewer than k body
//! words (or no run of k) still gets one shingle of all its body words, whose fingerprint
//! input is shorter than any k-gram's, so short texts never collide with each other or with
//! an empty signature.

use std::ops::Range;

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

pub use crate::text::normalize::TOKEN_SEED;
use crate::text::normalize::{tokenize, Token, Tokens};

/// Seed for shingle fingerprints ("reprint" in ASCII, then 2).
pub const SHINGLE_SEED: u64 = 0x7265_7072_696e_7402;

/// A document's distinct shingle fingerprints, sorted ascending.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShingleSet {
    /// Sorted, distinct shingle fingerprints.
    pub hashes: Vec<u64>,
    /// Number of body words (words not set aside) in the document.
    pub words: u32,
}

impl ShingleSet {
    /// The set of a shingle sequence.
    pub fn from_sequence(seq: &[Shingle], words: u32) -> Self {
        let mut hashes: Vec<u64> = seq.iter().map(|s| s.hash).collect();
        hashes.sort_unstable();
        hashes.dedup();
        hashes.shrink_to_fit(); // kept until verification, for every document
        ShingleSet { hashes, words }
    }

    /// Number of distinct shingles.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when the set is empty (a document with no body words).
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// A fingerprint of the whole set, used to find exact duplicates before LSH.
    pub fn fingerprint(&self) -> u64 {
        let bytes: Vec<u8> = self.hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
        xxh3_64(&bytes)
    }
}

/// One shingle in a document: its fingerprint and the index of its first word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shingle {
    /// Index into the document's tokens of the shingle's first word.
    pub start: u32,
    /// Fingerprint.
    pub hash: u64,
}

/// A word as shingling sees it: its fingerprint. Implemented by [`Token`] (word with its
/// offsets) and by a bare `u64` fingerprint, so documents can be shingled from compact
/// fingerprint lists as well as from full tokens.
pub trait WordHash: Copy {
    /// The word's fingerprint.
    fn word_hash(&self) -> u64;
}

impl WordHash for Token {
    fn word_hash(&self) -> u64 {
        self.hash
    }
}

impl WordHash for u64 {
    fn word_hash(&self) -> u64 {
        *self
    }
}

fn hash_words<W: WordHash>(words: &[W], buf: &mut Vec<u8>) -> u64 {
    buf.clear();
    for t in words {
        buf.extend_from_slice(&t.word_hash().to_le_bytes());
    }
    xxh3_64_with_seed(buf, SHINGLE_SEED)
}

/// The shingle sequence of `tokens` with width `k`, skipping the token ranges in `skip`
/// (sorted, disjoint). Returns the sequence and the number of body words.
pub fn shingle_sequence<W: WordHash>(tokens: &[W], skip: &[Range<usize>], k: usize) -> (Vec<Shingle>, u32) {
    assert!(k >= 1, "shingle width must be at least 1");
    let mut seq = Vec::with_capacity(tokens.len());
    let mut buf = Vec::with_capacity(8 * k);
    let mut body = 0u32;
    let mut first_body: Option<usize> = None;
    let mut run_start = 0;
    let mut skips = skip.iter().peekable();
    let mut pos = 0;
    while pos <= tokens.len() {
        let next_skip = skips.peek().map(|r| r.start.min(tokens.len())).unwrap_or(tokens.len());
        let run_end = next_skip.max(run_start);
        if run_end > run_start {
            let run = &tokens[run_start..run_end];
            body += run.len() as u32;
            first_body.get_or_insert(run_start);
            for (i, win) in run.windows(k).enumerate() {
                seq.push(Shingle { start: (run_start + i) as u32, hash: hash_words(win, &mut buf) });
            }
        }
        match skips.next() {
            Some(r) => {
                run_start = r.end.max(run_end);
                pos = run_start;
            }
            None => break,
        }
    }
    if seq.is_empty() && body > 0 {
        // Fewer than k words in every run: one shingle of all body words.
        let mut kept: Vec<W> = Vec::with_capacity(body as usize);
        let mut i = 0;
        for r in skip {
            kept.extend_from_slice(&tokens[i.min(tokens.len())..r.start.min(tokens.len())]);
            i = i.max(r.end);
        }
        kept.extend_from_slice(&tokens[i.min(tokens.len())..]);
        let start = first_body.unwrap_or(0) as u32;
        seq.push(Shingle { start, hash: hash_words(&kept, &mut buf) });
    }
    (seq, body)
}

/// Reusable buffers for shingling many raw texts on one thread.
#[derive(Debug, Default)]
pub struct Shingler {
    scratch: String,
    tokens: Tokens,
}

impl Shingler {
    /// Shingles raw `text` with width `k` (nothing set aside); `None` when it has no words.
    pub fn shingle(&mut self, text: &str, k: usize) -> Option<ShingleSet> {
        tokenize(text, &mut self.tokens, &mut self.scratch);
        if self.tokens.tokens.is_empty() {
            return None;
        }
        let (seq, words) = shingle_sequence(&self.tokens.tokens, &[], k);
        Some(ShingleSet::from_sequence(&seq, words))
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

    fn toks(text: &str) -> Vec<Token> {
        let mut t = Tokens::default();
        tokenize(text, &mut t, &mut String::new());
        t.tokens
    }

    #[test]
    fn shingles_do_not_span_skipped_ranges() {
        let t = toks("a b c X Y d e f");
        let (seq, words) = shingle_sequence(&t, std::slice::from_ref(&(3..5)), 2);
        assert_eq!(words, 6);
        let starts: Vec<u32> = seq.iter().map(|s| s.start).collect();
        assert_eq!(starts, vec![0, 1, 5, 6]); // "a b", "b c", "d e", "e f"
        let mut expected = shingle_set("a b c", 2).unwrap().hashes;
        expected.extend(shingle_set("d e f", 2).unwrap().hashes);
        expected.sort_unstable();
        assert_eq!(ShingleSet::from_sequence(&seq, words).hashes, expected);
    }

    #[test]
    fn short_runs_fall_back_to_one_shingle_of_the_body() {
        let t = toks("a X b Y c");
        let (seq, words) = shingle_sequence(&t, &[1..2, 3..4], 2);
        assert_eq!(words, 3);
        assert_eq!(seq.len(), 1);
        assert_eq!(seq[0].hash, shingle_set("a b c", 5).unwrap().hashes[0]);
        let (none, w) = shingle_sequence(&t, std::slice::from_ref(&(0..5)), 2);
        assert!(none.is_empty() && w == 0);
    }

    #[test]
    fn normalisation_applies() {
        assert_eq!(shingle_set("Bùi Thanh Sơn said", 2), shingle_set("BUI thanh son SAID", 2));
    }
}
