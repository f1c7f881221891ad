//! The scan job: the scan pipeline's result written as a run's outputs (JSONL files,
//! `run.json` and the review page), atomically.

use crate::config::ScanConfig;
use crate::engine::pipeline::{scan, ScanResult};
use crate::engine::progress::Progress;
use crate::error::Result;

/// Runs the scan pipeline and writes its outputs (see [`crate::output::report::write_outputs`]).
pub fn run_scan(config: &ScanConfig, progress: &dyn Progress) -> Result<ScanResult> {
    let result = scan(config, progress)?;
    let page = crate::output::html::prepare(&result, config)?;
    crate::output::report::write_outputs(&result, &config.outdir, page.as_ref())?;
    Ok(result)
}
