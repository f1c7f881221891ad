//! The library's one error type.
//!
//! Every fallible library function returns [`crate::Result`]. Errors name what the user can
//! act on: the flag to change, the file and line that could not be read. Problems with single
//! documents are *not* errors: they become skip reasons ([`crate::input::SkipReason`]) and the
//! run goes on; an [`Error`] stops the run before any output is replaced.

use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a run could not complete.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter (or combination of parameters) is invalid; the message names the flag.
    #[error("invalid parameter: {0}")]
    Config(String),

    /// An input path could not be opened or walked at all.
    #[error("cannot read input {path}: {source}")]
    Input {
        /// The input as the user named it.
        path: PathBuf,
        /// The underlying I/O failure.
        source: std::io::Error,
    },

    /// An input read a second time (for signing under a small `--memory`) no longer holds
    /// what the first reading found.
    #[error("{at} changed while it was being read (under this memory budget the inputs are read twice: leave them unchanged until the run ends)")]
    InputChanged {
        /// File and line of the first document that differs.
        at: String,
    },

    /// `--strict` was given and some input was skipped or unreadable.
    #[error("--strict: {count} input problem(s), nothing written; first: {first}")]
    Strict {
        /// How many documents were skipped plus how many input errors occurred.
        count: usize,
        /// The first problem, with file and line.
        first: String,
    },

    /// Writing an output file failed.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The file that could not be written.
        path: PathBuf,
        /// The underlying I/O failure.
        source: std::io::Error,
    },

    /// A temporary file of a spilling stage could not be created, written or read back.
    #[error("temporary file {path}: {source} (a full disk? give another directory with --temp-dir)")]
    Spill {
        /// The temporary file or directory.
        path: PathBuf,
        /// The underlying I/O failure.
        source: std::io::Error,
    },

    /// A persistent index cannot be used as it is (another format version, a damaged file,
    /// another process writing it); the message names the file.
    #[error("index {path}: {message}")]
    Index {
        /// The index directory or the file concerned.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },

    /// A table of `reprint sign` or of the candidate-pair job cannot be used (missing, from
    /// another run, unreadable); the message names the file and what to run.
    #[error("{path}: {message}")]
    Table {
        /// The file or directory concerned.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },

    /// A file that `reprint eval` reads (a scan's documents, a label file) cannot be used;
    /// `at` names the file and, for a bad line, the line.
    #[error("{at}: {message}")]
    Eval {
        /// `file` or `file:line`.
        at: String,
        /// What is wrong.
        message: String,
    },

    /// `--memory` below the smallest budget that can run this input.
    #[error("--memory {given} is too small: {message}; docs/memory-budget.md says what is held")]
    MemoryTooSmall {
        /// The budget given.
        given: String,
        /// The smallest that works, and what takes it.
        message: String,
    },
    /// A check that every input record is accounted for failed; nothing was replaced.
    #[error("accounting check failed: {0}")]
    Invariant(String),
}
