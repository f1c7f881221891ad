//! Locality-sensitive hashing: from signatures to candidate pairs.
//!
//! Receives one signature per document and hands on the sorted, distinct candidate pairs
//! `(i, j)`, `i < j`, of documents that agree on every row of at least one band (the banding
//! technique of Indyk & Motwani, as set out in Leskovec, Rajaraman & Ullman, *Mining of
//! Massive Datasets*, ch. 3). A pair of similarity `s` becomes a candidate with probability
//! `1 - (1 - s^r)^b`; [`optimal_banding`] picks `b` and `r` for a threshold by minimising the
//! weighted areas of false positives below it and false negatives above it (the method of
//! datasketch's `_optimal_param`). Candidates are only candidates: `verify` decides.
//!
//! Band keys are xxh3 fingerprints of the band's values under a per-band seed. Each band is
//! sorted in place (no hash map whose iteration order could leak into outputs), and runs of
//! equal keys give the pairs. A run (or an anchor's documents) longer than
//! [`BUCKET_ALL_PAIRS`] is a *large bucket*: handed on as a group ([`Buckets`]) for
//! verification to link, so a mass of near-identical pages costs pairs linear in its size.
//!
//! Banding finds pairs of similar *size* and content. Syndication is often asymmetric (a
//! copy of the first 30% of a wire story, a wire story inside a long local article), where
//! Jaccard falls far below any threshold. A second route finds those: every document keeps
//! its *anchors*, the shingles chosen by winnowing (Schleimer, Wilkerson & Aiken, SIGMOD
//! 2003: the minimum fingerprint of every window of [`ANCHOR_WINDOW`] consecutive shingles),
//! which guarantees that any shared run of at least `ANCHOR_WINDOW` shingles yields a shared
//! anchor whatever the documents' lengths. [`anchor_candidates`] pairs documents that share
//! an anchor; anchors in more than [`MAX_ANCHOR_DOCS`] documents are left out, and so are
//! *template* anchors: text that runs again and again over weeks (a daily market report's
//! stock paragraph, evergreen background), which is a template, not reuse of a story.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::config::Banding;
use crate::sketch::minhash::SigValue;

/// Seed of band-key fingerprints ("reprint", then 4); band `i` uses `BAND_SEED + i`.
pub const BAND_SEED: u64 = 0x7265_7072_696e_7404;

/// Weight of the false-positive area in [`optimal_banding`]. A false positive costs one exact
/// verification (about a microsecond for article-length sets), while a false negative is a
/// missed duplicate, so misses weigh 49 times as much. Measured at threshold 0.5 and 128
/// permutations: datasketch's equal weights give 25 x 5 (a pair at Jaccard 0.6 is found with
/// probability 0.87); these weights give 34 x 3 (0.9997 at 0.6, 0.989 at 0.5) for about
/// 0.4% of unrelated pairs at Jaccard 0.05 becoming candidates.
pub const FALSE_POSITIVE_WEIGHT: f64 = 0.02;
/// Weight of the false-negative area in [`optimal_banding`] (see [`FALSE_POSITIVE_WEIGHT`]).
pub const FALSE_NEGATIVE_WEIGHT: f64 = 0.98;

/// Winnowing window, in shingles: shared runs of this many shingles (12 words with 5-word
/// shingles, a long sentence) are guaranteed to be found; about 2/(w+1) = 22% of shingles
/// become anchors.
pub const ANCHOR_WINDOW: usize = 8;

/// Anchors shared by more documents than this are not paired: they are mass-syndicated
/// paragraphs (whose full copies banding finds) or furniture that slipped through, and
/// pairing them all would cost n^2/2 candidates.
pub const MAX_ANCHOR_DOCS: usize = 256;

/// An anchor in at least this many dated articles spread over more than
/// [`crate::text::furniture::SYNDICATION_SPAN_DAYS`] is a template: a wire story is republished
/// within days, a template paragraph every day for months.
pub const TEMPLATE_MIN_DOCS: usize = 10;

/// Documents of one bucket (documents sharing a band key, or an anchor) that are all paired
/// with each other. A larger bucket is a *large bucket*: its documents are handed on as a group
/// and linked once pairs are verified ([`crate::matching::verify::link_large_buckets`]), each only until
/// it is joined to the bucket's first document, so a mass of near-identical pages (a daily
/// notice, a wire story run by hundreds of sites) costs about one verified pair per page, not
/// `n^2 / 2`. Measured on 5,000 generated notices (`reprint gen --notices`): a pure per-bucket
/// rule (each document with the bucket's first and its four predecessors) still gave 31
/// candidate pairs a notice, since each band's buckets hold different documents.
pub const BUCKET_ALL_PAIRS: usize = 8;

/// Integration steps for the false-positive and false-negative areas; 1,000 trapezoids make
/// the areas exact to well below the differences between neighbouring (b, r) choices.
const INTEGRATION_STEPS: usize = 1000;

/// Probability that a pair of Jaccard similarity `s` shares at least one band.
pub fn candidate_probability(s: f64, banding: Banding) -> f64 {
    1.0 - (1.0 - s.powi(banding.rows as i32)).powi(banding.bands as i32)
}

fn area(from: f64, to: f64, f: impl Fn(f64) -> f64) -> f64 {
    if to <= from {
        return 0.0;
    }
    let h = (to - from) / INTEGRATION_STEPS as f64;
    let inner: f64 = (1..INTEGRATION_STEPS).map(|i| f(from + i as f64 * h)).sum();
    h * (inner + (f(from) + f(to)) / 2.0)
}

/// The banding with `bands * rows <= perms` that minimises
/// `FALSE_POSITIVE_WEIGHT * FP + FALSE_NEGATIVE_WEIGHT * FN`, where FP is the area under the
/// candidate curve below `threshold` and FN the area above it that the curve misses.
///
/// ```
/// use reprint::sketch::lsh::optimal_banding;
/// let b = optimal_banding(0.5, 128);
/// assert_eq!((b.bands, b.rows), (34, 3));
/// ```
pub fn optimal_banding(threshold: f64, perms: usize) -> Banding {
    let mut best = Banding { bands: 1, rows: perms };
    let mut best_cost = f64::INFINITY;
    for bands in 1..=perms {
        for rows in 1..=perms / bands {
            let banding = Banding { bands, rows };
            let fp = area(0.0, threshold, |s| candidate_probability(s, banding));
            let fneg = area(threshold, 1.0, |s| 1.0 - candidate_probability(s, banding));
            let cost = FALSE_POSITIVE_WEIGHT * fp + FALSE_NEGATIVE_WEIGHT * fneg;
            if cost < best_cost {
                best_cost = cost;
                best = banding;
            }
        }
    }
    best
}

/// Candidate pairs and what it took to find them.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// Sorted, distinct pairs `(i, j)` with `i < j`, as indices into the signature list.
    pub pairs: Vec<(u32, u32)>,
    /// Pairs produced by all bands before removing repeats.
    pub band_collisions: u64,
    /// Size of the largest bucket of documents sharing one band key.
    pub largest_bucket: usize,
    /// Buckets of more than [`BUCKET_ALL_PAIRS`] documents, band by band in key order: not
    /// paired here, linked after verification.
    pub large: Buckets,
}

/// Finds candidate pairs among `signatures` (all of length `bands * rows` or more).
///
/// `on_band` is called after each band, for progress reporting.
pub fn candidates(signatures: &[&[SigValue]], banding: Banding, on_band: &(dyn Fn() + Sync)) -> Candidates {
    let n = signatures.len();
    let mut out = Candidates::default();
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(n);
    for band in 0..banding.bands {
        let seed = BAND_SEED.wrapping_add(band as u64);
        let range = band * banding.rows..(band + 1) * banding.rows;
        keys.clear();
        keys.par_extend(signatures.par_iter().enumerate().map_init(
            || Vec::with_capacity(banding.rows * 4),
            |bytes, (i, sig)| (band_key_with(bytes, &sig[range.clone()], seed), i as u32),
        ));
        keys.par_sort_unstable();
        let buckets = keys.par_chunk_by(|x, y| x.0 == y.0);
        out.largest_bucket = out.largest_bucket.max(buckets.clone().map(<[_]>::len).max().unwrap_or(0));
        // Keys sort by index within a run, so each pair comes out as (i, j) with i < j.
        out.pairs.par_extend(buckets.clone().filter(|b| (2..=BUCKET_ALL_PAIRS).contains(&b.len())).flat_map_iter(all_pairs));
        let large: Vec<&[(u64, u32)]> = buckets.filter(|b| b.len() > BUCKET_ALL_PAIRS).collect();
        for b in large {
            out.large.push(b.iter().map(|&(_, d)| d));
        }
        out.band_collisions = out.pairs.len() as u64;
        on_band();
    }
    out.pairs.par_sort_unstable();
    out.pairs.dedup();
    out
}

/// A band key as the sorted route takes it: `(band, key, document)`, ordered by band, then
/// key, then document, as [`candidates`] visits them.
pub type BandPosting = (u32, u64, u32);

/// Every band's posting of the document numbered `doc` with `signature`, in band order: what
/// [`candidates_sorted`] takes once sorted.
pub fn band_postings(signature: &[SigValue], doc: u32, banding: Banding) -> impl Iterator<Item = BandPosting> + '_ {
    let mut bytes = Vec::with_capacity(banding.rows * 4);
    (0..banding.bands).map(move |band| {
        let rows = &signature[band * banding.rows..(band + 1) * banding.rows];
        (band as u32, band_key_with(&mut bytes, rows, BAND_SEED.wrapping_add(band as u64)), doc)
    })
}

/// [`candidates`] from every document's [`band_postings`] in sorted order (from
/// `engine::spill` under a small memory budget, where the signatures cannot all be held): the
/// same pairs, counts and large buckets. `on_band` is called as each band ends.
pub fn candidates_sorted(postings: impl Iterator<Item = BandPosting>, on_band: &dyn Fn()) -> Candidates {
    let mut out = Candidates::default();
    let mut bucket: Vec<(u64, u32)> = Vec::new();
    let mut band = None;
    // Pairs repeat from band to band (near-duplicates share most bands).
    let mut distinct = 0usize;
    let mut flush = |bucket: &mut Vec<(u64, u32)>, out: &mut Candidates| {
        out.largest_bucket = out.largest_bucket.max(bucket.len());
        if (2..=BUCKET_ALL_PAIRS).contains(&bucket.len()) {
            out.pairs.extend(all_pairs(bucket));
            out.band_collisions += (bucket.len() * (bucket.len() - 1) / 2) as u64;
        } else if bucket.len() > BUCKET_ALL_PAIRS {
            out.large.push(bucket.iter().map(|&(_, d)| d));
        }
        bucket.clear();
        compact_when_doubled(&mut out.pairs, &mut distinct);
    };
    for (b, key, doc) in postings {
        if band != Some(b) || bucket.last().is_some_and(|&(k, _)| k != key) {
            flush(&mut bucket, &mut out);
            if band.is_some_and(|was| was != b) {
                on_band();
            }
            band = Some(b);
        }
        bucket.push((key, doc));
    }
    flush(&mut bucket, &mut out);
    if band.is_some() {
        on_band();
    }
    out.pairs.par_sort_unstable();
    out.pairs.dedup();
    out
}

/// Pairs gathered before they are compacted at all: below this, repeats cost little.
const COMPACT_FROM_PAIRS: usize = 1 << 16;

/// Sorts `pairs` and removes repeats whenever they have doubled since the last time
/// (`distinct` is how many were left then), so pairs that come back many times (from band
/// to band, from anchor to anchor) stay within twice the distinct ones.
fn compact_when_doubled(pairs: &mut Vec<(u32, u32)>, distinct: &mut usize) {
    if pairs.len() > 2 * (*distinct).max(COMPACT_FROM_PAIRS) {
        pairs.par_sort_unstable();
        pairs.dedup();
        *distinct = pairs.len();
    }
}

fn band_key_with(bytes: &mut Vec<u8>, rows: &[SigValue], seed: u64) -> u64 {
    bytes.clear();
    for v in rows {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    xxh3_64_with_seed(bytes, seed)
}

/// A signature's key in every band, as [`candidates`] buckets it: documents sharing the key of
/// band `i` are a candidate pair. A persistent index stores these to find the new articles'
/// candidates among the old ones.
pub fn band_keys(signature: &[SigValue], banding: Banding) -> Vec<u64> {
    let mut bytes = Vec::with_capacity(banding.rows * 4);
    (0..banding.bands)
        .map(|band| {
            let rows = &signature[band * banding.rows..(band + 1) * banding.rows];
            band_key_with(&mut bytes, rows, BAND_SEED.wrapping_add(band as u64))
        })
        .collect()
}

/// The winnowed anchors of a shingle fingerprint sequence: the minimum of every window of
/// `window` consecutive values (the whole sequence when shorter), sorted and distinct.
pub fn winnow(seq: &[u64], window: usize) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    if seq.len() <= window {
        out.extend(seq.iter().min());
    } else {
        for w in seq.windows(window) {
            let min = *w.iter().min().expect("non-empty window");
            // Neighbouring windows mostly share their minimum: keep each run of it once.
            if out.last() != Some(&min) {
                out.push(min);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    // Anchors are about a fifth of the windows and are kept for every document until the
    // candidate stage: hand back the rest of the room.
    out.shrink_to_fit();
    out
}

/// Every pair `(i, j)` of the documents in a run of `(key, document)` sorted by document.
fn all_pairs(run: &[(u64, u32)]) -> impl Iterator<Item = (u32, u32)> + '_ {
    run.iter().enumerate().flat_map(move |(x, &(_, i))| run[x + 1..].iter().map(move |&(_, j)| (i, j)))
}

/// Large buckets (more than [`BUCKET_ALL_PAIRS`] documents), each sorted by document, laid end
/// to end in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Buckets {
    /// The documents of every bucket.
    pub members: Vec<u32>,
    /// Where each bucket ends in `members`.
    pub ends: Vec<usize>,
}

impl Buckets {
    /// Adds a bucket.
    pub fn push(&mut self, docs: impl IntoIterator<Item = u32>) {
        self.members.extend(docs);
        self.ends.push(self.members.len());
    }

    /// Adds every bucket of `other` after these.
    pub fn append(&mut self, other: &Buckets) {
        let base = self.members.len();
        self.members.extend_from_slice(&other.members);
        self.ends.extend(other.ends.iter().map(|&e| base + e));
    }

    /// The buckets in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + Clone + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, &e)| &self.members[s..e])
    }

    /// Number of buckets.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The same buckets with every document renamed by `f` (an increasing map, so buckets stay
    /// sorted).
    pub fn renamed(mut self, f: impl Fn(u32) -> u32) -> Buckets {
        for m in &mut self.members {
            *m = f(*m);
        }
        self
    }
}

/// When a document appeared, for recognising template anchors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provenance {
    /// Publication day, when known.
    pub day: Option<i64>,
}

/// What [`anchor_candidates`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnchorPairs {
    /// Sorted, distinct pairs `(i, j)`, `i < j`.
    pub pairs: Vec<(u32, u32)>,
    /// Anchors left out for being in more than [`MAX_ANCHOR_DOCS`] documents.
    pub crowded: usize,
    /// Anchors left out as an outlet's template.
    pub templates: usize,
    /// Anchors shared by more than [`BUCKET_ALL_PAIRS`] documents (and not left out): their
    /// documents, not paired here, linked after verification.
    pub large: Buckets,
}

/// Whether documents published on `days` (the dated ones among those sharing an anchor) show
/// it to be template text: at least [`TEMPLATE_MIN_DOCS`] dated articles spread over more than a
/// week, at one outlet (its daily report) or across outlets (stock background paragraphs,
/// evergreen boilerplate).
pub fn is_template_days(days: &mut [i64]) -> bool {
    if days.len() < TEMPLATE_MIN_DOCS {
        return false;
    }
    days.sort_unstable();
    days[days.len() - 1] - days[0] > crate::text::furniture::SYNDICATION_SPAN_DAYS
}

/// What becomes of the documents sharing one anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorFate {
    /// Every pair of them is a candidate.
    Pairs,
    /// More than [`MAX_ANCHOR_DOCS`] share it: no pairs.
    Crowded,
    /// Template text ([`is_template_days`]): no pairs.
    Template,
}

/// The fate of an anchor shared by `docs` (`(anchor, document)` pairs) and by nobody else.
pub fn anchor_fate(docs: &[(u64, u32)], provenance: &[Provenance]) -> AnchorFate {
    if docs.len() > MAX_ANCHOR_DOCS {
        return AnchorFate::Crowded;
    }
    if docs.len() < TEMPLATE_MIN_DOCS {
        return AnchorFate::Pairs;
    }
    let mut days: Vec<i64> = docs.iter().filter_map(|&(_, d)| provenance[d as usize].day).collect();
    if is_template_days(&mut days) {
        AnchorFate::Template
    } else {
        AnchorFate::Pairs
    }
}

/// Decides an anchor's fate from the `(anchor, document)` pairs sharing it.
pub type FateOf<'a> = dyn Fn(&[(u64, u32)]) -> AnchorFate + Sync + 'a;

/// Candidate pairs of documents sharing an anchor (see the module docs for what is left out).
///
/// The anchors are consumed: they are freed once the postings are built, before the pairs.
pub fn anchor_candidates(anchors: Vec<Vec<u64>>, provenance: &[Provenance]) -> AnchorPairs {
    anchor_candidates_judged(anchors, &|docs| anchor_fate(docs, provenance))
}

/// [`anchor_candidates`] with the fate of each shared anchor decided by `fate`, which sees the
/// `(anchor, document)` pairs sharing it: an incremental scan counts the documents of a
/// persistent index too, so an anchor is crowded or a template exactly when it would be in a
/// scan of everything.
pub fn anchor_candidates_judged(anchors: Vec<Vec<u64>>, fate: &FateOf<'_>) -> AnchorPairs {
    let mut postings: Vec<(u64, u32)> =
        anchors.par_iter().enumerate().flat_map_iter(|(i, a)| a.iter().map(move |&h| (h, i as u32))).collect();
    drop(anchors);
    postings.par_sort_unstable();
    let mut out = postings
        .par_chunk_by(|x, y| x.0 == y.0)
        .filter(|docs| docs.len() > 1)
        .fold(AnchorPairs::default, |mut out, docs| {
            judge_anchor(&mut out, docs, fate);
            out
        })
        .reduce(AnchorPairs::default, |mut a, mut b| {
            // Left before right: the buckets stay in anchor order whatever the thread count.
            a.pairs.append(&mut b.pairs);
            a.large.append(&b.large);
            AnchorPairs { pairs: a.pairs, crowded: a.crowded + b.crowded, templates: a.templates + b.templates, large: a.large }
        });
    out.pairs.par_sort_unstable();
    out.pairs.dedup();
    out
}

/// [`anchor_candidates_judged`] over `(anchor, document)` postings that come sorted (merged
/// back from sorted runs on disk, under a memory budget), one anchor's documents at a time:
/// the same result, the postings never all in memory.
pub fn anchor_candidates_sorted(postings: impl Iterator<Item = (u64, u32)>, fate: &FateOf<'_>) -> AnchorPairs {
    let mut out = AnchorPairs::default();
    let mut docs: Vec<(u64, u32)> = Vec::new();
    // Two near-copies share most of their anchors, so a pair comes back once per shared
    // anchor: without compacting, the repeats outgrow the distinct pairs a hundredfold.
    let mut distinct = 0;
    for p in postings {
        if docs.last().is_some_and(|last| last.0 != p.0) {
            if docs.len() > 1 {
                judge_anchor(&mut out, &docs, fate);
                compact_when_doubled(&mut out.pairs, &mut distinct);
            }
            docs.clear();
        }
        docs.push(p);
    }
    if docs.len() > 1 {
        judge_anchor(&mut out, &docs, fate);
    }
    out.pairs.par_sort_unstable();
    out.pairs.dedup();
    out
}

/// Adds what one anchor shared by `docs` (two or more) gives: its pairs, its large bucket, or
/// a count of why it gives nothing.
fn judge_anchor(out: &mut AnchorPairs, docs: &[(u64, u32)], fate: &FateOf<'_>) {
    match fate(docs) {
        AnchorFate::Crowded => out.crowded += 1,
        AnchorFate::Template => out.templates += 1,
        AnchorFate::Pairs if docs.len() <= BUCKET_ALL_PAIRS => out.pairs.extend(all_pairs(docs)),
        AnchorFate::Pairs => out.large.push(docs.iter().map(|&(_, d)| d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winnowing_guarantees_an_anchor_in_every_shared_run() {
        // Two sequences sharing a run of ANCHOR_WINDOW values at different offsets.
        let mut rng = crate::sketch::minhash::SplitMix64::new(3);
        let shared: Vec<u64> = (0..ANCHOR_WINDOW).map(|_| rng.next_u64()).collect();
        let a: Vec<u64> = (0..40).map(|_| rng.next_u64()).chain(shared.iter().copied()).collect();
        let b: Vec<u64> = shared.iter().copied().chain((0..300).map(|_| rng.next_u64())).collect();
        let (wa, wb) = (winnow(&a, ANCHOR_WINDOW), winnow(&b, ANCHOR_WINDOW));
        assert!(wa.iter().any(|h| wb.binary_search(h).is_ok()));
        assert!(wb.len() < b.len() / 3);
        let undated = Provenance { day: None };
        let found = anchor_candidates(vec![wa, vec![1, 2], wb], &[undated; 3]);
        assert_eq!((found.pairs, found.crowded), (vec![(0, 2)], 0));
    }

    #[test]
    fn an_outlets_daily_template_is_not_an_anchor() {
        let docs: Vec<Vec<u64>> = (0..12).map(|i| vec![7, 100 + i]).collect();
        // Twelve articles sharing anchor 7 over twelve days: a template.
        let daily: Vec<Provenance> = (0..12).map(|d| Provenance { day: Some(d) }).collect();
        let found = anchor_candidates(docs.clone(), &daily);
        assert!(found.pairs.is_empty());
        assert_eq!(found.templates, 1);
        // The same anchor in twelve articles within two days: syndication, a large bucket
        // to link; in eight, all 28 pairs.
        let wire: Vec<Provenance> = (0..12).map(|o| Provenance { day: Some(o as i64 % 2) }).collect();
        let found = anchor_candidates(docs.clone(), &wire);
        assert!(found.pairs.is_empty());
        assert_eq!(found.large.iter().collect::<Vec<_>>(), vec![&(0..12).collect::<Vec<u32>>()[..]]);
        let found = anchor_candidates(docs[..BUCKET_ALL_PAIRS].to_vec(), &wire[..BUCKET_ALL_PAIRS]);
        assert_eq!((found.pairs.len(), found.large.len()), (28, 0));
    }

    #[test]
    fn sorted_postings_give_what_lists_give() {
        let mut rng = crate::sketch::minhash::SplitMix64::new(11);
        // 300 documents: anchors shared by a few (pairs) and by many (large buckets), on days
        // that may make some of them templates.
        let docs: Vec<Vec<u64>> = (0..300)
            .map(|_| {
                // Two common anchors (large buckets), four rare ones (pairs).
                let mut a: Vec<u64> = (0..6).map(|j| rng.next_u64() % if j < 2 { 40 } else { 1500 }).collect();
                a.sort_unstable();
                a.dedup();
                a
            })
            .collect();
        let provenance: Vec<Provenance> = (0..300).map(|d| Provenance { day: Some(d as i64 % 9) }).collect();
        let fate = |shared: &[(u64, u32)]| anchor_fate(shared, &provenance);
        let lists = anchor_candidates_judged(docs.clone(), &fate);
        let mut postings: Vec<(u64, u32)> =
            docs.iter().enumerate().flat_map(|(d, a)| a.iter().map(move |&h| (h, d as u32))).collect();
        postings.sort_unstable();
        let sorted = anchor_candidates_sorted(postings.into_iter(), &fate);
        assert!(!lists.pairs.is_empty() && !lists.large.is_empty(), "the case has pairs and large buckets");
        assert_eq!(lists.pairs, sorted.pairs);
        assert_eq!((lists.crowded, lists.templates), (sorted.crowded, sorted.templates));
        assert_eq!(lists.large.iter().collect::<Vec<_>>(), sorted.large.iter().collect::<Vec<_>>());
    }

    #[test]
    fn sorted_band_postings_give_the_same_candidates() {
        // 400 signatures in families of near-copies (some families larger than a bucket's
        // all-pairs limit) and strays, through both routes.
        let mut state = 7u64;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        let bases: Vec<Vec<u32>> = (0..12).map(|_| (0..24).map(|_| next() % 50).collect()).collect();
        let sigs: Vec<Vec<u32>> = (0..400)
            .map(|i| {
                let mut s = bases[i % bases.len()].clone();
                for v in s.iter_mut() {
                    if next() % 4 == 0 {
                        *v = next();
                    }
                }
                s
            })
            .collect();
        let banding = Banding { bands: 6, rows: 4 };
        let refs: Vec<&[u32]> = sigs.iter().map(Vec::as_slice).collect();
        let held = candidates(&refs, banding, &|| {});
        let mut postings: Vec<BandPosting> =
            sigs.iter().enumerate().flat_map(|(d, s)| band_postings(s, d as u32, banding).collect::<Vec<_>>()).collect();
        postings.sort_unstable();
        let bands = std::cell::Cell::new(0);
        let sorted = candidates_sorted(postings.into_iter(), &|| bands.set(bands.get() + 1));
        assert!(!held.pairs.is_empty() && !held.large.is_empty(), "the case has pairs and large buckets");
        assert_eq!(held.pairs, sorted.pairs);
        assert_eq!((held.band_collisions, held.largest_bucket), (sorted.band_collisions, sorted.largest_bucket));
        assert_eq!(held.large, sorted.large);
        assert_eq!(bands.get(), 6);
    }

    #[test]
    fn repeated_pairs_stay_within_twice_the_distinct_ones() {
        let mut pairs = Vec::new();
        let mut distinct = 0;
        // 100,000 distinct pairs, each coming back 20 times.
        for _ in 0..20 {
            for i in 0..100_000u32 {
                pairs.push((i, i + 1));
                compact_when_doubled(&mut pairs, &mut distinct);
                assert!(pairs.len() <= 2 * 100_000 + 1, "{}", pairs.len());
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        assert_eq!(pairs.len(), 100_000);
    }

    #[test]
    fn a_large_band_bucket_is_listed_not_paired() {
        // 1,000 identical signatures and two others that agree with each other.
        let same = vec![5u32; 6];
        let other = vec![9u32; 6];
        let mut sigs: Vec<&[u32]> = vec![&same[..]; 1000];
        sigs.insert(3, &other);
        sigs.push(&other);
        let cand = candidates(&sigs, Banding { bands: 2, rows: 3 }, &|| {});
        assert_eq!(cand.pairs, vec![(3, 1001)]);
        assert_eq!(cand.large.len(), 2, "one bucket per band");
        let expected: Vec<u32> = (0..1001).filter(|&d| d != 3).collect();
        assert!(cand.large.iter().all(|b| b == &expected[..]));
        assert_eq!(cand.largest_bucket, 1000);
    }

    #[test]
    fn candidate_curve_is_steep_around_threshold() {
        let b = optimal_banding(0.5, 128);
        assert!(b.bands * b.rows <= 128);
        assert!(candidate_probability(0.6, b) > 0.999, "{b:?}");
        assert!(candidate_probability(0.5, b) > 0.98, "{b:?}");
        assert!(candidate_probability(0.05, b) < 0.01, "{b:?}");
    }

    #[test]
    fn identical_signatures_collide_distinct_do_not() {
        let a = vec![1u32; 20];
        let b = vec![1u32; 20];
        let c: Vec<u32> = (0..20).collect();
        let sigs: Vec<&[u32]> = vec![&a, &c, &b];
        let cand = candidates(&sigs, Banding { bands: 4, rows: 5 }, &|| {});
        assert_eq!(cand.pairs, vec![(0, 2)]);
        assert_eq!(cand.largest_bucket, 2);
    }
}
