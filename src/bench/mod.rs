//! Generated benchmarks with their labels: syndication dumps (`synth`: planted copies,
//! excerpts, rewrites, furniture, template notices) and story dumps (`storygen`: one event
//! told in other words, and confusable events).

pub mod synth;
pub mod storygen;
