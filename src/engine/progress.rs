//! Progress reporting hooks.
//!
//! The library never prints. Long stages announce themselves through a [`Progress`] that the
//! caller supplies: the binary draws indicatif bars on a terminal, tests and library users
//! pass [`NoProgress`].

/// What a stage counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Input bytes.
    Bytes,
    /// Documents.
    Documents,
    /// LSH bands.
    Bands,
    /// Candidate pairs.
    Pairs,
}

/// Receives stage progress from the pipeline (from several threads at once).
pub trait Progress: Sync {
    /// A stage starts; `total` is known for all but streaming input.
    fn begin(&self, stage: &'static str, total: Option<u64>, unit: Unit);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The current stage is finished.
    fn end(&self);
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _: &'static str, _: Option<u64>, _: Unit) {}
    fn advance(&self, _: u64) {}
    fn end(&self) {}
}
