//! Integration tests: one binary, one file per topic, shared helpers in `util`.

mod util;

mod browser;
mod cli;
mod dedup;
mod eval;
mod determinism;
mod formats;
mod hostile;
mod index;
mod interrupt;
mod malformed;
mod mass;
mod oracle;
mod plan;
mod properties;
mod report_html;
mod reuters;
mod seeds;
mod show;
mod stories;
mod syndication;
mod index_html;
mod index_show;
#[cfg(feature = "parquet")]
mod scaleout;
