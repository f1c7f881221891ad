//! Text: what a document's words are. Normalisation (NFKC, case folding, Latin diacritics,
//! Unicode word segmentation), page furniture learned from the dump and set aside, and word
//! shingles (fingerprint sequences and sets, xxh3 under fixed seeds). Nothing here knows of
//! signatures or candidates: shingles feed them, not the other way round.

pub mod normalize;
pub mod furniture;
pub mod shingle;
pub mod lists;
