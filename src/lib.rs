//! reprint finds near-duplicate and syndicated articles in scraped news dumps.
//!
//! The library is the pipeline; the `reprint` binary only parses flags, runs it and maps the
//! result to an exit code. Modules are declared in the order data flows through them:
//!
//! 1. [`input`] — dumps and article folders to [`input::Record`]s, every document accounted for;
//! 2. [`normalize`] — NFKC, case folding, Latin diacritics, Unicode word segmentation;
//!    [`furniture`] — page furniture learned from the dump and set aside;
//! 3. [`shingle`] — word k-gram fingerprint sequences and sets (xxh3, fixed seeds);
//! 4. [`minhash`] — MinHash signatures (one-permutation MinHash, optimal densification);
//! 5. [`lsh`] — candidate pairs: banding (bands and rows derived from the threshold) and
//!    winnowed anchors (asymmetric copies, shared passages);
//! 6. [`verify`] — exact Jaccard and containment of every candidate, edge kinds;
//! 7. [`passage`] — shared passages with offsets in the original texts (they classify edges);
//! 8. [`cluster`] — union-find over verified edges, partial copies attached, ids in input order;
//! 9. [`reuse`] — origins, reuse shares, roles, per-outlet figures;
//! 10. [`story`] — articles telling the same story in other words; [`dedup`] — which article
//!     of each duplicate group stays, and the stream of kept records;
//! 11. [`texts`] — the original texts of the documents a report shows, read again;
//!     [`report`] — JSONL and JSON outputs, written atomically; [`html`] — the review page;
//!     [`show`] — one cluster in the terminal, read back from the outputs;
//! 12. [`pipeline`] — the stages wired together, in parallel and deterministic;
//! 13. [`index`] — a persistent index: new articles scanned with their neighbourhood among
//!     the old ones, as a scan of everything would, and appended as immutable segments.
//!
//! Beside the flow: [`config`] (every parameter), [`error`], [`progress`] (the bars'
//! interface) and [`interrupt`] (what an interrupted run removes); [`synth`] and [`storygen`]
//! (generated benchmarks with their labels) and [`eval`] (a scan's output scored against
//! labels).
//!
//! ```
//! use reprint::{shingle::shingle_set, verify::measure};
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
pub mod progress;
pub mod interrupt;

pub mod input;
pub mod normalize;
pub mod furniture;
pub mod shingle;
pub mod minhash;
pub mod lsh;
pub mod verify;
pub mod passage;
pub mod cluster;
pub mod reuse;
pub mod story;
pub mod dedup;
pub mod texts;
pub mod report;
pub mod show;
pub mod html;
pub mod pipeline;
pub mod index;
#[cfg(feature = "parquet")]
pub mod shard;

pub mod plan;
pub mod synth;
pub mod storygen;
pub mod eval;

pub use config::ScanConfig;
pub use error::{Error, Result};
pub use pipeline::{run_scan, scan, ScanResult};
