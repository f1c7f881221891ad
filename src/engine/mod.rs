//! The engine: the stages wired together, in parallel and deterministic, into a plain
//! [`pipeline::ScanResult`]; the progress interface the stages report to; and what an
//! interrupted run removes. It knows nothing of the commands built on it (`jobs`), of flags
//! or the terminal (`cli`), or of how results are written (`output`).

pub mod progress;
pub mod interrupt;
pub mod pipeline;
