//! Matching: what the candidates turn out to be. Exact Jaccard and containment of each pair
//! (edge kinds), shared passages with offsets in the original texts, clusters by union-find,
//! origins and reuse shares, and which record of a duplicate group a dedup keeps. Results are
//! plain data: the writers in `output` read them.

pub mod verify;
pub mod passage;
pub mod cluster;
pub mod reuse;
pub mod keep;

/// Decimal places kept for similarities and shares in every output: enough to tell any two
/// pairs of article-length sets apart, few enough to read.
pub const FLOAT_DECIMALS: i32 = 6;

/// Rounds a reported figure to [`FLOAT_DECIMALS`] places: the one rounding the files, the
/// terminal and the page use, so they agree to the digit.
pub fn round(x: f64) -> f64 {
    let scale = 10f64.powi(FLOAT_DECIMALS);
    (x * scale).round() / scale
}
