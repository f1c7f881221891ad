//! reprint finds near-duplicate and syndicated articles in scraped news dumps.
//!
//! The library is the pipeline and the command line around it; the `reprint` binary only
//! calls [`cli::main`]. Its folders stand in the order data flows through them:
//!
//! 1. [`input`] — dumps and article folders to [`input::Record`]s, every document accounted
//!    for; the original texts read again; page addresses;
//! 2. [`text`] — normalisation, page furniture learned from the dump and set aside, word
//!    shingles (xxh3, fixed seeds);
//! 3. [`sketch`] — MinHash signatures, band keys and winnowed anchors, candidate pairs and
//!    large buckets;
//! 4. [`matching`] — exact Jaccard and containment (edge kinds), shared passages, clusters,
//!    origins and reuse, the dedup keep decision;
//! 5. [`story`] — articles telling the same story in other words;
//! 6. [`engine`] — the stages wired together, in parallel and deterministic, with the
//!    progress interface, what an interrupted run removes, and sorted runs spilled to disk
//!    (for the memory budget; no stage uses them yet);
//! 7. [`output`] — JSONL and JSON outputs written atomically, and the review page;
//! 8. [`jobs`] — what each command computes and writes: scan, dedup, the persistent index,
//!    sign/cluster (the scale-out path), eval and plan;
//! 9. [`cli`] — the command line: flags, exit codes, terminal output, progress bars,
//!    `reprint show` (`src/main.rs` only picks the allocator and calls [`cli::main`]).
//!
//! Beside the flow: [`config`] (every parameter), [`error`], and [`bench`] (generated
//! benchmarks with their labels).
//!
//! ```
//! use reprint::{text::shingle::shingle_set, matching::verify::measure};
//! let wire = "Vietnam always considers the United States to be a strategic partner and is \
//!             prepared to cooperate with the United States, the minister said on Friday.";
//! let copy = "Vietnam always considers the United States to be a strategic partner and is \
//!             prepared to cooperate with the United States, the minister said on Saturday.";
//! let other = "Cocoa arrivals in Bahia rose to 155,221 bags in the week, exporters said.";
//! let (a, b, c) = (shingle_set(wire, 5).unwrap(), shingle_set(copy, 5).unwrap(), shingle_set(other, 5).unwrap());
//! assert!(measure(0, 1, &a.hashes, &b.hashes).jaccard > 0.8);
//! assert_eq!(measure(0, 2, &a.hashes, &c.hashes).jaccard, 0.0);
//! ```

#![warn(missing_docs)]

pub mod error;
pub mod config;

pub mod input;
pub mod text;
pub mod sketch;
pub mod matching;
pub mod story;
pub mod engine;
pub mod output;
pub mod jobs;
pub mod cli;

pub mod bench;

pub use config::ScanConfig;
pub use error::{Error, Result};
pub use engine::pipeline::{scan, ScanResult};
pub use jobs::scan::run_scan;
