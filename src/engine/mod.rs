//! The engine: the stages wired together, in parallel and deterministic, into a plain
//! [`pipeline::ScanResult`]; the progress interface the stages report to; what an
//! interrupted run removes; the memory budget ([`budget`]) with what leaves memory under it:
//! per-document lists held or on disk ([`lists`]), sorted runs spilled to disk ([`spill`]:
//! the furniture rule's lines ([`line_counts`]), band keys and anchors' postings when they
//! outgrow their share). It knows nothing of the commands built on it (`jobs`), of flags
//! or the terminal (`cli`), or of how results are written (`output`).

pub mod progress;
pub mod interrupt;
pub mod pipeline;
pub mod spill;
pub mod budget;
pub mod lists;
pub mod line_counts;
