//! Sketches: MinHash signatures of shingle sets, band keys, winnowed anchors, and the
//! candidate pairs and large buckets they give. Candidates come before verification: nothing
//! here measures or clusters.

pub mod minhash;
pub mod lsh;
