//! Integration tests: one binary, one file per topic, shared helpers in `util`.

mod util;

mod cli;
mod determinism;
mod formats;
mod malformed;
mod oracle;
mod reuters;
mod seeds;
mod stories;
mod syndication;
