//! Per-document lists of fingerprints (shingle sets, distinct body words), read by document
//! number wherever they are held: in memory, or in a file of the engine's temporary space
//! under a small memory budget. The stages that compare lists (verification, exact groups,
//! story terms, the dedup decision) read them through [`Lists`] and never learn which.

use std::borrow::Cow;

/// Lists of `u64` fingerprints by document number.
pub trait Lists: Sync {
    /// Number of documents.
    fn count(&self) -> usize;
    /// Document `d`'s list (borrowed when held in memory, read when on disk).
    fn list(&self, d: u32) -> Cow<'_, [u64]>;
}

impl<S: AsRef<[u64]> + Sync> Lists for [S] {
    fn count(&self) -> usize {
        self.len()
    }
    fn list(&self, d: u32) -> Cow<'_, [u64]> {
        Cow::Borrowed(self[d as usize].as_ref())
    }
}

impl<S: AsRef<[u64]> + Sync> Lists for Vec<S> {
    fn count(&self) -> usize {
        self.len()
    }
    fn list(&self, d: u32) -> Cow<'_, [u64]> {
        Cow::Borrowed(self[d as usize].as_ref())
    }
}
