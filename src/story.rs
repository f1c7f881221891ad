//! Stories: articles that tell the same news, in their own words.
//!
//! Copy-level clusters keep apart rewrites that share little verbatim text. This module
//! receives each document's body words and the copy clusters and hands on *stories*: groups
//! of articles about the same event, found through what identifies a story — rare content
//! words, names, numbers — rather than through shared phrasing.
//!
//! - **Story terms**: a document's distinct body words weighted by inverse document
//!   frequency on the dump itself (`ln(N / df)`); English function words, and words in more
//!   than [`MAX_TERM_SHARE`] of documents (or [`MIN_MAX_DF`]), carry no story identity and
//!   words seen only once link nothing; each document keeps its [`STORY_TERMS`] rarest.
//!   (Candidates come from an inverted index over these few terms per document rather than
//!   from a MinHash sketch: exact, and cheap at this size; pairs sharing fewer than three
//!   terms are never compared, which is what limits recall on short tellings.)
//! - **Candidates**: pairs sharing at least [`MIN_SHARED_TERMS`] story terms, from an inverted
//!   index over the terms (terms in more than [`MAX_POSTING`] documents make no pairs).
//! - **Verification**: the exact weighted Jaccard of the two term sets must reach the story
//!   threshold; with a time window, both dated articles must lie within it. Candidates are
//!   counted per document with their shared weight, which bounds the weighted Jaccard, so
//!   only pairs that can reach the threshold are merged exactly (no candidate list is built).
//! - **Grouping**: every copy cluster starts as one group, so each copy cluster lies inside one
//!   story; edges are taken strongest first; two articles may pair on one edge, but anything
//!   joining a group of two or more needs at least two edges into it (or one of
//!   [`STRONG_EDGE`]) — a single weak edge is a *bridge*, reported and not taken, so a story
//!   never grows through one article that merely shares a famous name (the chaining failure
//!   the field's users report).

use ahash::AHashMap;
use rayon::prelude::*;
use serde::Serialize;

use crate::cluster::{Cluster, UnionFind};

/// Story terms kept per document at most (the rarest). Measured on the seed articles: with 40,
/// a small dump's chance pairs (words in exactly two documents) crowd out the names the five
/// tellings share; 200 keeps every rare word of an article-length text.
pub const STORY_TERMS: usize = 200;
/// A word in more than this share of documents is common vocabulary, not a story's identity.
/// At 2% and above, the story benchmark's topic words and recurring public figures link
/// same-topic stories into chains of hundreds; at 1% precision is 0.97.
pub const MAX_TERM_SHARE: f64 = 0.01;
/// The document-frequency ceiling is never below this, so small dumps still have terms.
pub const MIN_MAX_DF: usize = 10;
/// Story terms two documents must share to be compared: one shared name is a coincidence, and
/// with two the story benchmark chains same-topic stories at the default threshold
/// (precision 0.07 at 0.12, measured), while with three it is 0.97.
pub const MIN_SHARED_TERMS: usize = 3;
/// Terms in more documents than this make no candidate pairs (they still weigh in the
/// similarity of pairs found through other terms); bounds the candidate count.
pub const MAX_POSTING: usize = 300;
/// Slices of the dump whose word counts are kept apart before summing: enough for two threads
/// to balance, few enough that summing the per-slice tables stays cheap.
const DF_SLICES: usize = 8;
/// Default weighted-Jaccard threshold of a story edge (`--story-threshold`). The five seed
/// tellings of one real June 2024 story score 0.14-0.29 against each other, so 0.12 is the
/// highest setting that groups all five (in the embedded corpus and in the full Reuters dump,
/// with no Reuters story joining them); on the generated story benchmark
/// (`tools/bench_story.sh`) every setting from 0.1 to 0.25 gives the same precision 0.97 and
/// recall 0.69, because candidate generation, not the threshold, limits recall there.
pub const DEFAULT_STORY_THRESHOLD: f64 = 0.12;
/// Edges at least this strong may merge two groups on their own.
pub const STRONG_EDGE: f64 = 0.5;

/// A verified story edge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StoryEdge {
    /// Earlier document (input order).
    pub a: u32,
    /// Later document.
    pub b: u32,
    /// Weighted Jaccard of their story terms.
    pub weight: f64,
}

/// A story of two or more documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// Story id: rank by first member in input order.
    pub id: u32,
    /// Member documents in input order.
    pub members: Vec<u32>,
    /// The terms that define it (word fingerprints), strongest first.
    pub top_terms: Vec<u64>,
}

/// What grouping found.
#[derive(Debug, Clone, Default)]
pub struct Stories {
    /// Stories of two or more documents.
    pub stories: Vec<Story>,
    /// Per document its story id.
    pub story_of: Vec<Option<u32>>,
    /// Edges verified.
    pub edges: Vec<StoryEdge>,
    /// Edges not taken because they were a single weak link between two groups.
    pub bridges: Vec<StoryEdge>,
}

/// English function words (and reporting verbs) that never identify a story, whatever their
/// frequency in a dump: in a small or templated dump they can fall under
/// [`MAX_TERM_SHARE`] and would otherwise link unrelated articles.
const STOPWORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cannot", "could",
    "did", "do", "does", "doing", "down", "during", "each", "even", "few", "for", "from", "further", "had", "has",
    "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into",
    "is", "it", "it's", "its", "itself", "just", "like", "may", "me", "might", "more", "most", "must", "my", "myself",
    "new", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "out",
    "over", "own", "said", "same", "say", "says", "she", "should", "so", "some", "still", "such", "than", "that",
    "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "told", "two", "under", "until", "up", "us", "very", "was", "we", "well", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
];

fn stopword_hashes() -> &'static ahash::AHashSet<u64> {
    static SET: std::sync::OnceLock<ahash::AHashSet<u64>> = std::sync::OnceLock::new();
    SET.get_or_init(|| STOPWORDS.iter().map(|w| crate::normalize::word_hash(w)).collect())
}

/// Each document's story terms with their weights, from its distinct body words.
pub fn story_terms(words: &[Vec<u64>]) -> Vec<Vec<(u64, f64)>> {
    let stop = stopword_hashes();
    let n = words.len();
    // Document frequencies: counted per worker over large slices of the dump, then summed
    // (counts are integers, so the order of summing cannot change them).
    let slice = (n / DF_SLICES).max(1);
    let df: AHashMap<u64, u32> = words
        .par_iter()
        .with_min_len(slice)
        .fold(AHashMap::new, |mut df: AHashMap<u64, u32>, w| {
            for &t in w {
                *df.entry(t).or_insert(0) += 1;
            }
            df
        })
        .reduce(AHashMap::new, |mut a, mut b| {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            for (t, c) in b {
                *a.entry(t).or_insert(0) += c;
            }
            a
        });
    let max_df = ((n as f64 * MAX_TERM_SHARE) as usize).max(MIN_MAX_DF);
    words
        .par_iter()
        .map(|w| {
            let mut terms: Vec<(u64, u32)> = w
                .iter()
                .filter(|t| !stop.contains(t))
                .map(|&t| (t, df[&t]))
                .filter(|&(_, d)| d >= 2 && d as usize <= max_df)
                .collect();
            terms.sort_unstable_by_key(|&(t, d)| (d, t));
            terms.truncate(STORY_TERMS);
            let mut out: Vec<(u64, f64)> = terms.into_iter().map(|(t, d)| (t, (n as f64 / d as f64).ln())).collect();
            out.sort_unstable_by_key(|&(t, _)| t);
            out.shrink_to_fit(); // kept from before the passage stage to the story stage
            out
        })
        .collect()
}

/// Weighted Jaccard of two term lists sorted by term.
pub fn weighted_jaccard(a: &[(u64, f64)], b: &[(u64, f64)]) -> f64 {
    let (mut i, mut j) = (0, 0);
    let (mut inter, mut union) = (0.0, 0.0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                inter += x.1.min(y.1);
                union += x.1.max(y.1);
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.0 < y.0 => {
                union += x.1;
                i += 1;
            }
            (Some(x), None) => {
                union += x.1;
                i += 1;
            }
            (_, Some(y)) => {
                union += y.1;
                j += 1;
            }
            (None, None) => unreachable!(),
        }
    }
    if union == 0.0 {
        0.0
    } else {
        inter / union
    }
}

/// Verified story edges: candidates sharing [`MIN_SHARED_TERMS`] terms, weighted Jaccard at
/// least `threshold`, timestamps (when both known) at most `window` seconds apart.
pub fn story_edges(terms: &[Vec<(u64, f64)>], timestamps: &[Option<i64>], threshold: f64, window: Option<i64>) -> Vec<StoryEdge> {
    let n = terms.len();
    // Inverted index: per term, the documents carrying it (ascending), in one flat array.
    let mut postings: Vec<(u64, u32, f32)> = terms
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, t)| t.iter().map(move |&(h, w)| (h, i as u32, w as f32)))
        .collect();
    postings.par_sort_unstable_by_key(|&(h, d, _)| (h, d));
    // Per document, each indexed term's stretch of *later* documents in `flat`, found while
    // building the index (no lookup or search per document). A term's weight is the same in
    // every document, so the shared weight of two documents is the sum over their shared
    // terms; with each document's total weight that bounds the weighted Jaccard before any
    // merge. Terms without a posting list (too common) are not counted, so their weight only
    // loosens the bound: `loose` is a document's weight in them.
    let flat: Vec<u32> = postings.par_iter().map(|p| p.1).collect();
    let mut later: Vec<(u32, u32, u32, f32)> = Vec::new();
    let mut loose = vec![0f32; n];
    let mut start = 0;
    for run in postings.chunk_by(|x, y| x.0 == y.0) {
        let end = start + run.len();
        if run.len() > 1 && run.len() <= MAX_POSTING {
            for (k, &(_, d, w)) in run.iter().enumerate().take(run.len() - 1) {
                later.push((d, (start + k + 1) as u32, end as u32, w));
            }
        } else {
            for &(_, d, w) in run {
                loose[d as usize] += w;
            }
        }
        start = end;
    }
    drop(postings);
    later.par_sort_unstable_by_key(|&(d, from, _, _)| (d, from));
    let mut first = vec![0usize; n + 1];
    for &(d, ..) in &later {
        first[d as usize + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    let total: Vec<f32> = terms.par_iter().map(|t| t.iter().map(|&(_, w)| w as f32).sum()).collect();
    /// Per document: (terms shared, their weight); and the documents touched.
    type Counter = (Vec<(u16, f32)>, Vec<u32>);
    thread_local! {
        // One counter per worker thread, sized to the dump and left zeroed after each document.
        static COUNTER: std::cell::RefCell<Counter> = Default::default();
    }
    (0..n)
        .into_par_iter()
        .map(|a| {
            COUNTER.with_borrow_mut(|(count, touched)| {
                if count.len() < n {
                    count.resize(n, (0, 0.0));
                }
                for &(_, from, to, w) in &later[first[a]..first[a + 1]] {
                    for &b in &flat[from as usize..to as usize] {
                        let c = &mut count[b as usize];
                        if c.0 == 0 {
                            touched.push(b);
                        }
                        c.0 += 1;
                        c.1 += w;
                    }
                }
                let mut found: Vec<StoryEdge> = Vec::new();
                for &b in touched.iter() {
                    let (shared, weight) = std::mem::take(&mut count[b as usize]);
                    let b_ = b as usize;
                    if (shared as usize) < MIN_SHARED_TERMS {
                        continue;
                    }
                    if let (Some(w), Some(ta), Some(tb)) = (window, timestamps[a], timestamps[b_]) {
                        if (ta - tb).abs() > w {
                            continue;
                        }
                    }
                    // Upper bound: every loose term shared as well. The margin keeps rounding
                    // from rejecting a pair the exact merge would accept.
                    let extra = loose[a].min(loose[b_]) as f64;
                    let weight = weight as f64;
                    let union = total[a] as f64 + total[b_] as f64 - weight - extra;
                    let bound = (weight + extra) / union.max(f64::MIN_POSITIVE);
                    if bound < threshold - BOUND_MARGIN {
                        continue;
                    }
                    let weight = weighted_jaccard(&terms[a], &terms[b_]);
                    if weight >= threshold {
                        found.push(StoryEdge { a: a as u32, b, weight });
                    }
                }
                touched.clear();
                found.sort_unstable_by_key(|e| e.b);
                found
            })
        })
        .flatten()
        .collect()
}

/// Slack on the shared-weight bound of [`story_edges`]: the bound sums at most
/// [`STORY_TERMS`] `f32` weights, so its sums are off by less than 200 x 2^-24 (about 1.2e-5)
/// relative and the bound, at most 1, by a few 1e-5; a margin of 1e-3 can only let a few more
/// pairs through to the exact merge, never keep one out. Edge weights come from the merge.
const BOUND_MARGIN: f64 = 1e-3;

/// Groups documents into stories (see the module docs).
pub fn group(n: usize, clusters: &[Cluster], edges: Vec<StoryEdge>, terms: &[Vec<(u64, f64)>]) -> Stories {
    let mut uf = UnionFind::new(n);
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let join = |uf: &mut UnionFind, members: &mut Vec<Vec<u32>>, a: u32, b: u32| {
        let (ra, rb) = (uf.find(a), uf.find(b));
        if ra != rb {
            uf.union(ra, rb);
            let root = uf.find(ra);
            let other = if root == ra { rb } else { ra };
            let moved = std::mem::take(&mut members[other as usize]);
            members[root as usize].extend(moved);
        }
    };
    for c in clusters {
        for w in c.members.windows(2) {
            join(&mut uf, &mut members, w[0], w[1]);
        }
    }
    let mut adjacency: Vec<Vec<u32>> = vec![Vec::new(); n];
    for e in &edges {
        adjacency[e.a as usize].push(e.b);
        adjacency[e.b as usize].push(e.a);
    }
    let mut order = edges.clone();
    order.sort_by(|x, y| y.weight.total_cmp(&x.weight).then((x.a, x.b).cmp(&(y.a, y.b))));
    let mut bridges = Vec::new();
    for e in order {
        let (ra, rb) = (uf.find(e.a), uf.find(e.b));
        if ra == rb {
            continue;
        }
        let (sa, sb) = (members[ra as usize].len(), members[rb as usize].len());
        if sa.max(sb) >= 2 && e.weight < STRONG_EDGE {
            // Joining a group: count the edges between the two sides, from the smaller one.
            let (small, other) = if sa <= sb { (ra, rb) } else { (rb, ra) };
            let links: usize = members[small as usize]
                .iter()
                .map(|&m| adjacency[m as usize].iter().filter(|&&x| uf.find(x) == other).count())
                .sum();
            if links < 2 {
                bridges.push(e);
                continue;
            }
        }
        join(&mut uf, &mut members, e.a, e.b);
    }
    // Stories of two or more, ids by first member in input order.
    let mut story_of = vec![None; n];
    let mut stories: Vec<Story> = Vec::new();
    let mut id_of_root: AHashMap<u32, u32> = AHashMap::new();
    for i in 0..n as u32 {
        let r = uf.find(i);
        if members[r as usize].len() < 2 {
            continue;
        }
        let id = *id_of_root.entry(r).or_insert_with(|| {
            stories.push(Story { id: stories.len() as u32, members: Vec::new(), top_terms: Vec::new() });
            stories.len() as u32 - 1
        });
        stories[id as usize].members.push(i);
        story_of[i as usize] = Some(id);
    }
    stories.par_iter_mut().for_each(|s| {
        // Terms most members share come first (what the tellings have in common), then the
        // rarer among them; a rare word of a single telling does not define the story.
        let mut weight: AHashMap<u64, (u32, f64)> = AHashMap::new();
        for &m in &s.members {
            for &(t, w) in &terms[m as usize] {
                let e = weight.entry(t).or_default();
                e.0 += 1;
                e.1 += w;
            }
        }
        let mut ranked: Vec<(u64, (u32, f64))> = weight.into_iter().filter(|&(_, (_, w))| w > 0.0).collect();
        ranked.sort_by(|x, y| y.1 .0.cmp(&x.1 .0).then(y.1 .1.total_cmp(&x.1 .1)).then(x.0.cmp(&y.0)));
        s.top_terms = ranked.into_iter().take(TOP_TERMS_SHOWN).map(|(t, _)| t).collect();
    });
    let mut edges = edges;
    edges.sort_by_key(|e| (e.a, e.b));
    bridges.sort_by_key(|e| (e.a, e.b));
    Stories { stories, story_of, edges, bridges }
}

/// Terms listed per story in `stories.jsonl`.
pub const TOP_TERMS_SHOWN: usize = 10;

/// Parses a time window such as `7d`, `36h` or `90m` into seconds.
pub fn parse_window(s: &str) -> Option<i64> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    let secs = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        "w" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(secs).filter(|&w| w > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{Edge, EdgeKind};

    /// Every pair, the slow way: shared terms counted directly, the exact weighted Jaccard.
    fn brute_force(terms: &[Vec<(u64, f64)>], threshold: f64) -> Vec<StoryEdge> {
        let mut out = Vec::new();
        for a in 0..terms.len() {
            for b in a + 1..terms.len() {
                let shared = terms[a].iter().filter(|(h, _)| terms[b].iter().any(|(g, _)| g == h)).count();
                let weight = weighted_jaccard(&terms[a], &terms[b]);
                if shared >= MIN_SHARED_TERMS && weight >= threshold {
                    out.push(StoryEdge { a: a as u32, b: b as u32, weight });
                }
            }
        }
        out
    }

    proptest::proptest! {
        /// The shared-weight bound never loses an edge the exact comparison would keep (small
        /// dumps: every shared term is indexed, as no term reaches MAX_POSTING documents).
        #[test]
        fn story_edges_match_brute_force(
            docs in proptest::collection::vec(proptest::collection::btree_set(0u64..40, 0..12), 2..40),
            threshold in 0.05f64..0.6,
        ) {
            // A term's weight depends only on the term, as in `story_terms`.
            let weight = |t: u64| 1.0 + (t % 7) as f64 * 0.37;
            let terms: Vec<Vec<(u64, f64)>> =
                docs.iter().map(|d| d.iter().map(|&t| (t, weight(t))).collect()).collect();
            let none = vec![None; terms.len()];
            proptest::prop_assert_eq!(story_edges(&terms, &none, threshold, None), brute_force(&terms, threshold));
        }
    }

    #[test]
    fn weighted_jaccard_counts_rare_terms_more() {
        let a = [(1, 5.0), (2, 1.0)];
        let b = [(1, 5.0), (3, 1.0)];
        assert!((weighted_jaccard(&a, &b) - 5.0 / 7.0).abs() < 1e-12);
        assert_eq!(weighted_jaccard(&[], &b), 0.0);
    }

    #[test]
    fn windows_parse() {
        assert_eq!(parse_window("7d"), Some(604_800));
        assert_eq!(parse_window("36h"), Some(129_600));
        assert_eq!(parse_window("7"), None);
        assert_eq!(parse_window("0d"), None);
        assert_eq!(parse_window("x"), None);
        assert_eq!(parse_window("200000000000000d"), None, "overflow");
    }

    fn cluster(id: u32, members: Vec<u32>) -> Cluster {
        let e = Edge {
            a: members[0],
            b: members[1],
            jaccard: 1.0,
            containment_ab: 1.0,
            containment_ba: 1.0,
            kind: EdgeKind::NearDuplicate,
            a_words: 0,
            b_words: 0,
        };
        Cluster { id, members, edges: vec![e] }
    }

    #[test]
    fn a_single_weak_edge_does_not_merge_two_groups() {
        let e = |a, b, weight| StoryEdge { a, b, weight };
        let terms = vec![Vec::new(); 7];
        // Groups {0,1} and {2,3} (copy clusters); 4 links to both members of the first, 6
        // only to one of the second; 1-2 is one weak link between the groups; 5-6 a pair.
        let edges = vec![e(0, 4, 0.3), e(1, 4, 0.28), e(1, 2, 0.25), e(3, 6, 0.3), e(5, 6, 0.4)];
        let s = group(7, &[cluster(0, vec![0, 1]), cluster(1, vec![2, 3])], edges, &terms);
        assert_eq!(s.stories.len(), 3);
        assert_eq!(s.stories[0].members, vec![0, 1, 4]);
        assert_eq!(s.stories[1].members, vec![2, 3]);
        assert_eq!(s.stories[2].members, vec![5, 6]);
        assert_eq!(s.bridges, vec![e(1, 2, 0.25), e(3, 6, 0.3)]);
        // Two links between the groups, or one strong one, do merge them.
        let s = group(7, &[cluster(0, vec![0, 1]), cluster(1, vec![2, 3])], vec![e(1, 2, 0.25), e(0, 3, 0.3)], &terms);
        assert_eq!(s.stories[0].members, vec![0, 1, 2, 3]);
        let s = group(7, &[cluster(0, vec![0, 1]), cluster(1, vec![2, 3])], vec![e(1, 2, 0.6)], &terms);
        assert_eq!(s.stories[0].members, vec![0, 1, 2, 3]);
        assert!(s.bridges.is_empty());
    }

    #[test]
    fn rare_shared_terms_make_an_edge_common_ones_do_not() {
        // 30 documents: 0 and 1 share five rare terms; everyone shares term 99.
        let mut words: Vec<Vec<u64>> = (0..30).map(|i| vec![99, 1000 + i]).collect();
        for t in [1, 2, 3, 4, 5] {
            words[0].push(t);
            words[1].push(t);
        }
        for w in &mut words {
            w.sort_unstable();
        }
        let terms = story_terms(&words);
        assert!(terms[2].is_empty(), "a word in every document is no story term");
        let edges = story_edges(&terms, &vec![None; 30], 0.2, None);
        assert_eq!(edges.len(), 1);
        assert_eq!((edges[0].a, edges[0].b), (0, 1));
        // Outside the window, no edge.
        let mut ts = vec![None; 30];
        ts[0] = Some(0);
        ts[1] = Some(10 * 86_400);
        assert!(story_edges(&terms, &ts, 0.2, Some(7 * 86_400)).is_empty());
    }
}
