//! Jobs: what each command computes and writes, built on the engine. `scan` (the outputs of
//! a scan), `dedup` (the kept records and the removal log), `index` (a persistent index),
//! `shard` (`sign` and `cluster`, the scale-out path), `eval` (a scan scored against labels)
//! and `plan` (parameters for a target). A job runs the same from the binary, a test or
//! another program: none of them parses flags or prints to the terminal.

pub mod scan;
pub mod dedup;
pub mod index;
#[cfg(feature = "parquet")]
pub mod shard;
pub mod eval;
pub mod plan;
