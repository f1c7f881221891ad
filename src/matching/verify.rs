//! Exact verification of candidate pairs.
//!
//! Receives candidate pairs and the documents' shingle sets (furniture set aside), and hands
//! on the [`Edge`]s worth keeping: pairs whose exact Jaccard reaches the threshold, or that
//! share enough shingles to hold a passage, each with its Jaccard and its containment in both
//! directions (Broder 1997). A candidate that fails here never joins a cluster. Sets are
//! sorted, so each check is one linear merge. Large buckets are linked rather than paired
//! ([`link_large_buckets`]), and the documents inside one container that no pair relates yet
//! are paired ([`inner_pairs`]). Once passages are known, [`classify`] names each edge's
//! [`EdgeKind`], which decides how it may join clusters.

use std::borrow::Cow;

use rayon::prelude::*;
use serde::Serialize;

use crate::text::lists::Lists;

/// What a verified edge says about two documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// Jaccard at or above the threshold: the same article, lightly edited.
    NearDuplicate,
    /// One document's shingles lie (almost) wholly inside the other's: a truncated copy, or
    /// a whole story inside a longer article (containment at or above `--containment`).
    Contained,
    /// Shared passages cover at least [`crate::matching::reuse::PARTIAL_REUSE`] of one document's body:
    /// an excerpt, not a copy.
    Partial,
    /// A shared passage (a quotation, a paragraph) and nothing more.
    Passage,
}

impl EdgeKind {
    /// Whether the edge joins two clusters into one (partial edges attach a document to its
    /// source's cluster without merging clusters; passage edges never cluster).
    pub fn unites(self) -> bool {
        matches!(self, EdgeKind::NearDuplicate | EdgeKind::Contained)
    }
}

/// A verified relation between two documents (indices in input order).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Edge {
    /// Earlier document (input order).
    pub a: u32,
    /// Later document.
    pub b: u32,
    /// |A ∩ B| / |A ∪ B| over shingle sets.
    pub jaccard: f64,
    /// |A ∩ B| / |A|: how much of `a` is in `b`.
    pub containment_ab: f64,
    /// |A ∩ B| / |B|: how much of `b` is in `a`.
    pub containment_ba: f64,
    /// What the edge says (final once [`classify`] has run).
    pub kind: EdgeKind,
    /// Body words of `a` inside passages shared with `b`.
    pub a_words: u32,
    /// Body words of `b` inside passages shared with `a`.
    pub b_words: u32,
}

impl Edge {
    /// A pair not measured yet: its similarities and words are zero until measured.
    pub fn unmeasured(a: u32, b: u32) -> Edge {
        Edge { a, b, jaccard: 0.0, containment_ab: 0.0, containment_ba: 0.0, kind: EdgeKind::Passage, a_words: 0, b_words: 0 }
    }
}

/// Fewest shared words (about a paragraph) that can make an excerpt: below this, a shared
/// stock sentence or a templated price flash in two
/// short items ("said its common stock will be included in NASDAQ's National Market System")
/// would count as partial copying.
pub const MIN_PARTIAL_WORDS: u32 = 30;

/// Fewest shared words for a containment edge: a truncated copy can be a single sentence of
/// a short item, but not a headline-sized fragment that fits inside many articles.
pub const MIN_CONTAINED_WORDS: u32 = 15;

/// Size of the intersection of two sorted, distinct slices.
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The edge between documents `a` and `b` with sets `sa` and `sb` (both non-empty).
pub fn measure(a: u32, b: u32, sa: &[u64], sb: &[u64]) -> Edge {
    let inter = intersection_size(sa, sb) as f64;
    let union = (sa.len() + sb.len()) as f64 - inter;
    Edge {
        a,
        b,
        jaccard: inter / union,
        containment_ab: inter / sa.len() as f64,
        containment_ba: inter / sb.len() as f64,
        kind: EdgeKind::Passage,
        a_words: 0,
        b_words: 0,
    }
}

/// Whether a measured pair is worth keeping: Jaccard at the threshold, or enough shared
/// shingles (`min_shared`) to hold a passage.
pub fn worth_keeping(e: &Edge, sa: usize, threshold: f64, min_shared: usize) -> bool {
    e.jaccard >= threshold || (e.containment_ab * sa as f64).round() as usize >= min_shared
}

/// Names an edge's kind from its similarities and passage coverage (`a_body` and `b_body`
/// are the documents' body words); `None` when there is nothing left to relate them.
pub fn classify(e: &Edge, a_body: u32, b_body: u32, threshold: f64, containment: f64, partial: f64) -> Option<EdgeKind> {
    let share = |w: u32, body: u32| if body == 0 { 0.0 } else { w as f64 / body as f64 };
    if e.jaccard >= threshold {
        Some(EdgeKind::NearDuplicate)
    } else if e.containment_ab.max(e.containment_ba) >= containment && e.a_words.max(e.b_words) >= MIN_CONTAINED_WORDS {
        Some(EdgeKind::Contained)
    } else if e.a_words.max(e.b_words) >= MIN_PARTIAL_WORDS
        && share(e.a_words, a_body).max(share(e.b_words, b_body)) >= partial
    {
        Some(EdgeKind::Partial)
    } else if e.a_words > 0 {
        Some(EdgeKind::Passage)
    } else {
        None
    }
}

/// Verifies `pairs` (indices into `sets`) and keeps those [`worth_keeping`], in the order of
/// `pairs`. `on_done(n)` reports progress every so often.
pub fn verify<L: Lists + ?Sized>(
    pairs: &[(u32, u32)],
    sets: &L,
    threshold: f64,
    min_shared: usize,
    on_done: &(dyn Fn(u64) + Sync),
) -> Vec<Edge> {
    /// Pairs per progress report: large enough that reporting costs nothing.
    const PROGRESS_CHUNK: usize = 16_384;
    pairs
        .par_chunks(PROGRESS_CHUNK)
        .flat_map_iter(|chunk| {
            // Pairs come sorted by their first document: its set is read once for all of them.
            let mut first: Option<(u32, Cow<'_, [u64]>)> = None;
            let kept: Vec<Edge> = chunk
                .iter()
                .filter_map(|&(a, b)| {
                    if first.as_ref().is_none_or(|f| f.0 != a) {
                        first = Some((a, sets.list(a)));
                    }
                    let sa = &first.as_ref().expect("just read").1;
                    let e = measure(a, b, sa, &sets.list(b));
                    worth_keeping(&e, sa.len(), threshold, min_shared).then_some(e)
                })
                .collect();
            on_done(chunk.len() as u64);
            kept
        })
        .collect()
}

/// Documents of a large bucket a document not yet linked is measured against, at most: the
/// bucket's first, then its nearest predecessors.
pub const LINK_TRIES: usize = 8;

/// Whether a measured pair joins its documents for [`link_large_buckets`]: near-duplicates, or
/// one set (almost) inside the other, as the uniting kinds will be once passages are known.
fn joins(e: &Edge, threshold: f64, containment: f64) -> bool {
    e.jaccard >= threshold || e.containment_ab.max(e.containment_ba) >= containment
}

/// What [`link_large_buckets`] verified.
#[derive(Debug, Clone, Default)]
pub struct Linked {
    /// The pairs it measured that are [`worth_keeping`], sorted by `(a, b)`.
    pub edges: Vec<Edge>,
    /// Pairs it measured (candidates beyond the paired ones).
    pub measured: usize,
}

/// Links the documents of large buckets (see [`crate::sketch::lsh::BUCKET_ALL_PAIRS`]) with as few
/// verified pairs as it takes. Documents already joined by the verified `edges` (or by pairs
/// measured here before) count as linked. In each bucket, its documents ordered by content
/// (their shingle sets, so input order plays no part), a document not yet linked to the
/// bucket's first document is measured against it, and, while nothing joins them,
/// against its nearest predecessors in the bucket, [`LINK_TRIES`] documents in all. So a
/// bucket of `n` documents costs at most `LINK_TRIES (n - 1)` pairs (about `n` when they are
/// near-identical), and none once its documents are linked through other buckets.
/// `candidates` (sorted) are the pairs already verified, which are not measured again. One
/// thread, in bucket order: the result does not depend on the thread count.
pub fn link_large_buckets<'b, L: Lists + ?Sized>(
    buckets: impl Iterator<Item = &'b [u32]> + Clone,
    sets: &L,
    candidates: &[(u32, u32)],
    edges: &[Edge],
    threshold: f64,
    containment: f64,
    min_shared: usize,
) -> Linked {
    let mut uf = crate::matching::cluster::UnionFind::new(sets.count());
    for e in edges.iter().filter(|e| joins(e, threshold, containment)) {
        uf.union(e.a, e.b);
    }
    let mut measured: ahash::AHashSet<(u32, u32)> = ahash::AHashSet::new();
    let mut out = Linked::default();
    // Content order, not input order: which pairs are measured, and so the clusters, must not
    // depend on where the documents stand in the dump. Sets sort by their smallest shingles,
    // so near-identical documents tend to be neighbours; identical sets (the only ties) are
    // interchangeable. Ranked once over every bucket's documents: comparing near-identical
    // sets walks their long common prefix, too slow to repeat in every bucket.
    let mut by_content: Vec<u32> = buckets.clone().flatten().copied().collect();
    by_content.sort_unstable();
    by_content.dedup();
    // Sets compare by their first shingles, held for the sort, before (only when those are
    // equal) reading both whole: sets on disk are then read a few times, not at every
    // comparison.
    let prefixes: Vec<Vec<u64>> =
        by_content.par_iter().map(|&d| sets.list(d).iter().take(CONTENT_PREFIX).copied().collect()).collect();
    let mut order: Vec<u32> = (0..by_content.len() as u32).collect();
    order.par_sort_by(|&x, &y| {
        let (px, py) = (&prefixes[x as usize], &prefixes[y as usize]);
        let (dx, dy) = (by_content[x as usize], by_content[y as usize]);
        match px.cmp(py) {
            std::cmp::Ordering::Equal if px.len() == CONTENT_PREFIX => content_order(sets, dx, dy),
            std::cmp::Ordering::Equal => dx.cmp(&dy),
            unequal => unequal,
        }
    });
    drop(prefixes);
    let by_content: Vec<u32> = order.into_iter().map(|x| by_content[x as usize]).collect();
    let mut rank = vec![u32::MAX; sets.count()];
    for (r, &d) in by_content.iter().enumerate() {
        rank[d as usize] = r as u32;
    }
    drop(by_content);
    let mut bucket: Vec<u32> = Vec::new();
    for members in buckets {
        bucket.clear();
        bucket.extend_from_slice(members);
        bucket.sort_unstable_by_key(|&d| rank[d as usize]);
        let head = bucket[0];
        for (x, &d) in bucket.iter().enumerate().skip(1) {
            let before = bucket[1..x].iter().rev().take(LINK_TRIES - 1);
            for &other in std::iter::once(&head).chain(before) {
                if uf.find(d) == uf.find(other) {
                    break;
                }
                let pair = (other.min(d), other.max(d));
                if candidates.binary_search(&pair).is_ok() || !measured.insert(pair) {
                    continue;
                }
                let (sa, sb) = (sets.list(pair.0), sets.list(pair.1));
                if sa.is_empty() || sb.is_empty() {
                    continue;
                }
                let e = measure(pair.0, pair.1, &sa, &sb);
                if joins(&e, threshold, containment) {
                    uf.union(d, other);
                }
                if worth_keeping(&e, sa.len(), threshold, min_shared) {
                    out.edges.push(e);
                }
            }
        }
    }
    out.measured = measured.len();
    out.edges.sort_by_key(|e| (e.a, e.b));
    out
}

/// Most groups of contained documents [`inner_pairs`] relates inside one container.
pub const MAX_INNER_GROUPS: usize = 16;

/// The pairs to measure so that whether two documents inside one container are related is
/// known, not a matter of which candidates were paired: a document holding two or more others
/// that nothing relates is a roundup ([`crate::matching::cluster::demote_roundups`]), and with large
/// buckets linked rather than paired, two copies of one story inside a long article need not
/// have been paired. Per container (a document with at least `containment` of another's
/// shingles, on a verified `edge`), its contained documents are grouped by the verified pairs
/// between them, and the first documents of up to [`MAX_INNER_GROUPS`] groups are paired:
/// first in content order (by shingle set, as in [`link_large_buckets`]), so which pairs are
/// measured does not depend on input order. Sorted, distinct, and none already an edge.
pub fn inner_pairs<L: Lists + ?Sized>(edges: &[Edge], sets: &L, containment: f64) -> Vec<(u32, u32)> {
    let is_containment = |e: &Edge| e.containment_ab.max(e.containment_ba) >= containment;
    let mut out = Vec::new();
    for (_, groups) in crate::matching::cluster::contained_groups(edges, is_containment) {
        // Each group's first document in content order, then the groups in that order.
        let first = |g: &Vec<u32>| *g.iter().min_by(|&&x, &&y| content_order(sets, x, y)).expect("a group has a document");
        let mut firsts: Vec<u32> = groups.iter().map(first).collect();
        firsts.sort_by(|&x, &y| content_order(sets, x, y));
        firsts.truncate(MAX_INNER_GROUPS);
        for (x, &a) in firsts.iter().enumerate() {
            out.extend(firsts[x + 1..].iter().map(|&b| (a.min(b), a.max(b))));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Content order of documents `x` and `y`: by shingle set, then (identical sets only) by
/// number. What [`link_large_buckets`] and [`inner_pairs`] walk in, so that input order
/// decides nothing.
fn content_order<L: Lists + ?Sized>(sets: &L, x: u32, y: u32) -> std::cmp::Ordering {
    sets.list(x).cmp(&sets.list(y)).then(x.cmp(&y))
}

/// Shingles of each set held while [`link_large_buckets`] sorts its documents by content:
/// sets of different texts differ within their first few (smallest) shingles, so only
/// near-identical sets are read whole to be compared.
const CONTENT_PREFIX: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_bucket_is_linked_with_pairs_linear_in_its_size() {
        // Document 0 is unlike the rest (and first in content order); 1..=500 are
        // near-identical (each drops one of 40 shared shingles).
        let mut sets: Vec<Vec<u64>> = vec![(0..40).collect()];
        sets.extend((1..=500u64).map(|d| (100..140u64).filter(|&x| x != 100 + d % 40).collect()));
        let bucket: Vec<u32> = (0..=500).collect();
        let linked = link_large_buckets(std::iter::once(&bucket[..]), &sets, &[], &[], 0.5, 0.9, 8);
        // Each document is measured against the head (unlike it) and then joined to its
        // predecessor: about two pairs a document, not 125,000.
        assert!(linked.measured <= 2 * 500, "{}", linked.measured);
        let mut uf = crate::matching::cluster::UnionFind::new(sets.len());
        for e in &linked.edges {
            uf.union(e.a, e.b);
        }
        assert!((2..=500).all(|d| uf.find(d) == uf.find(1)), "the near-identical documents are linked");
        assert_ne!(uf.find(0), uf.find(1));
        // Already joined by verified edges: nothing is measured.
        let star: Vec<Edge> = (2..=500).map(|d| measure(1, d, &sets[1], &sets[d as usize])).collect();
        let bucket: Vec<u32> = (1..=500).collect();
        let again = link_large_buckets(std::iter::once(&bucket[..]), &sets, &[], &star, 0.5, 0.9, 8);
        assert_eq!(again.measured, 0);
    }

    /// The same documents standing at other places (other numbers) give the same links: the
    /// bucket is walked in content order.
    #[test]
    fn linking_does_not_depend_on_where_documents_stand() {
        // 30 documents, each a random two thirds of 60 shingles: some pairs join, some not.
        let mut rng = crate::sketch::minhash::SplitMix64::new(7);
        let sets: Vec<Vec<u64>> = (0..30).map(|_| (0..60u64).filter(|_| rng.next_u64() % 3 != 0).collect()).collect();
        let links = |order: &[usize]| {
            // `order[k]` is the document standing at place k.
            let placed: Vec<Vec<u64>> = order.iter().map(|&d| sets[d].clone()).collect();
            let bucket: Vec<u32> = (0..placed.len() as u32).collect();
            let linked = link_large_buckets(std::iter::once(&bucket[..]), &placed, &[], &[], 0.6, 0.9, 8);
            let mut pairs: Vec<(usize, usize)> = linked
                .edges
                .iter()
                .map(|e| (order[e.a as usize].min(order[e.b as usize]), order[e.a as usize].max(order[e.b as usize])))
                .collect();
            pairs.sort_unstable();
            (linked.measured, pairs)
        };
        let identity: Vec<usize> = (0..30).collect();
        let mut shuffled = identity.clone();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        assert_ne!(identity, shuffled);
        let (first, second) = (links(&identity), links(&shuffled));
        assert!(!first.1.is_empty(), "the case links something");
        assert_eq!(first, second);
    }

    #[test]
    fn contained_documents_not_yet_related_are_paired() {
        // 0 and 1 are both inside 2 with no verified pair between them; 3 and 4 inside 5,
        // already related.
        let e = |a, b, cab, cba| Edge { containment_ab: cab, containment_ba: cba, ..Edge::unmeasured(a, b) };
        let edges = [e(0, 2, 0.95, 0.2), e(1, 2, 0.9, 0.3), e(3, 5, 1.0, 0.4), e(4, 5, 1.0, 0.4), e(3, 4, 0.8, 0.8)];
        let sets: Vec<Vec<u64>> = (0..6).map(|d| vec![d]).collect();
        assert_eq!(inner_pairs(&edges, &sets, 0.9), vec![(0, 1)]);
        // Inside 9: 6 and 7 related, 8 not. The group {6, 7} is represented by the first of
        // its documents in content order, whichever its number: 7 here.
        let edges = [e(6, 9, 1.0, 0.3), e(7, 9, 1.0, 0.3), e(8, 9, 1.0, 0.3), e(6, 7, 0.9, 0.9)];
        let mut sets: Vec<Vec<u64>> = (0..10).map(|d| vec![d]).collect();
        sets[7] = vec![0];
        assert_eq!(inner_pairs(&edges, &sets, 0.9), vec![(7, 8)]);
        sets[7] = vec![7];
        assert_eq!(inner_pairs(&edges, &sets, 0.9), vec![(6, 8)]);
        // First in content order or not, a pair is named smaller number first.
        sets[8] = vec![0];
        assert_eq!(inner_pairs(&edges, &sets, 0.9), vec![(6, 8)]);
    }

    #[test]
    fn measures_jaccard_and_containment() {
        let a = [1, 2, 3, 4];
        let b = [3, 4, 5, 6, 7, 8];
        let e = measure(0, 1, &a, &b);
        assert_eq!(e.jaccard, 2.0 / 8.0);
        assert_eq!(e.containment_ab, 0.5);
        assert_eq!(e.containment_ba, 2.0 / 6.0);
    }

    #[test]
    fn drops_pairs_below_threshold() {
        let sets = vec![vec![1u64, 2, 3, 4], vec![1, 2, 3, 5], vec![9, 10, 11, 12]];
        let edges = verify(&[(0, 1), (0, 2), (1, 2)], &sets, 0.5, usize::MAX, &|_| {});
        assert_eq!(edges.len(), 1);
        assert_eq!((edges[0].a, edges[0].b), (0, 1));
        assert_eq!(edges[0].jaccard, 3.0 / 5.0);
        // With a passage-sized overlap allowed, a pair sharing 3 shingles is kept too.
        let sets = vec![vec![1u64, 2, 3, 4, 5, 6, 7, 8], vec![1, 2, 3, 20, 21, 22, 23, 24, 25, 26]];
        assert_eq!(verify(&[(0, 1)], &sets, 0.5, 3, &|_| {}).len(), 1);
        assert!(verify(&[(0, 1)], &sets, 0.5, 4, &|_| {}).is_empty());
    }

    #[test]
    fn kinds_from_similarity_and_coverage() {
        let mut e = measure(0, 1, &[1, 2, 3, 4], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        e.a_words = 12;
        assert_eq!(classify(&e, 12, 250, 0.5, 0.8, 0.2), Some(EdgeKind::Passage), "a contained headline is no copy");
        e.a_words = 100;
        assert_eq!(classify(&e, 100, 250, 0.5, 0.8, 0.2), Some(EdgeKind::Contained));
        e.containment_ab = 0.5;
        e.a_words = 29;
        assert_eq!(classify(&e, 50, 250, 0.5, 0.8, 0.2), Some(EdgeKind::Passage), "too few words");
        e.a_words = 30;
        assert_eq!(classify(&e, 100, 250, 0.5, 0.8, 0.2), Some(EdgeKind::Partial));
        e.a_words = 12;
        assert_eq!(classify(&e, 100, 250, 0.5, 0.8, 0.2), Some(EdgeKind::Passage));
        e.a_words = 0;
        assert_eq!(classify(&e, 100, 250, 0.5, 0.8, 0.2), None);
        assert!(EdgeKind::Contained.unites() && !EdgeKind::Partial.unites());
    }
}
