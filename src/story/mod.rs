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
//!   words seen only once link nothing; each document keeps its [`STORY_TERMS`] rarest. Terms
//!   in at most [`MAX_ANCHOR_SHARE`] of documents (names, numbers, rare words) are *anchors*.
//!   (Candidates come from an inverted index over the anchors rather than from a MinHash
//!   sketch: exact, and cheap at this size.)
//! - **Candidates**: pairs sharing at least [`MIN_SHARED_TERMS`] anchors (one, for two
//!   articles dated within [`SINGLE_ANCHOR_DAYS`] of each other), from an inverted
//!   index over the anchors (terms in more than [`MAX_POSTING`] documents make no pairs), at
//!   least one of them *bursty*: an anchor whose dated documents are spread over the dump's
//!   weeks about as widely as random ones ([`MAX_WEEK_SPREAD`]) is a *beat* term — a
//!   recurring notice's vocabulary, a name that is news every week — and counts only beside a
//!   bursty one; the commoner terms (places, event words, which identify a story only
//!   together) weigh in the similarity but make no pairs.
//! - **Verification**: the exact smoothed weighted Jaccard of the two term sets (the union
//!   gets a prior weight, [`PRIOR_WEIGHT`], so a similarity measured on a few terms of a short
//!   article counts for less than the same value over a long one) must reach the story
//!   threshold; both dated articles must lie within the window. Candidates are
//!   counted per document with their shared anchor weight, which with the weight of the other
//!   terms (first their total, then what the two actually share of them) bounds the
//!   similarity, so only pairs that can reach the threshold are merged exactly (no candidate
//!   list is built).
//! - **A fixed cap per article**: one member of each copy cluster searches; each reads its
//!   anchors' postings rarest first, only those within the window, up to
//!   [`POSTINGS_READ_PER_ARTICLE`], and compares exactly at most [`COMPARED_PER_ARTICLE`]
//!   candidates ([`SearchWork`] counts what was done), whatever the vocabulary or the dump.
//! - **Grouping**: every copy cluster starts as one group, so each copy cluster lies inside one
//!   story; edges are taken strongest first; two tellings may pair on one edge, but anything
//!   joining a group of two or more tellings needs at least two edges into it (or one of
//!   [`STRONG_EDGE`]) — a single weak edge is a *bridge*, reported and not taken, so a story
//!   never grows through one article that merely shares a famous name (the chaining failure
//!   the field's users report). A story's dated members lie within the window
//!   ([`DEFAULT_STORY_WINDOW`]): one event's news cycle; a later story linked by an edge the
//!   window refused *follows* the earlier one.

use ahash::AHashMap;
use rayon::prelude::*;
use serde::Serialize;

use crate::matching::cluster::{Cluster, UnionFind};
use crate::text::lists::Lists;

/// Story terms kept per document at most (the rarest). Measured on the seed articles: with 40,
/// a small dump's chance pairs (words in exactly two documents) crowd out the names the five
/// tellings share; 200 keeps every rare word of an article-length text.
pub const STORY_TERMS: usize = 200;
/// A word in more than this share of documents is common vocabulary, not a story's identity,
/// and is no story term. Places and event words, which identify a story together, are each in
/// 2.5-3% of the generated story benchmark's documents (about 40 of 1,600): with the earlier
/// 1% ceiling they were cut and tellings sharing a name and a number but not three words
/// rarer than 1% were never compared (recall 0.69; 883 of the 909 missed true pairs of seed 1
/// shared fewer than three terms). At 5% recall is 0.92-0.94 on seeds 1-3 and 1,500 stories
/// (10% gives the same, Python model); at 2% 0.57-0.64. Words this common weigh little (`ln 20` = 3.0 at
/// most) and only count in the similarity: pairs come from [`MAX_ANCHOR_SHARE`] words.
pub const MAX_TERM_SHARE: f64 = 0.05;
/// Story terms in at most this share of documents are *anchors*: only anchors make candidate
/// pairs. At 1% the benchmark's story-specific names and numbers (2-6 documents) are anchors,
/// and so are the rarer topic words and recurring public figures, which is why two anchors
/// are needed ([`MIN_SHARED_TERMS`]).
pub const MAX_ANCHOR_SHARE: f64 = 0.01;
/// An anchor whose dated documents fall in more than [`MIN_BEAT_WEEKS`] distinct weeks and in
/// more than this share of the weeks that as many documents drawn at random from the dump's
/// dated documents would fall in (on average) is a *beat* term — the vocabulary of a
/// recurring notice or column, or a name that is news every week — and a pair is compared
/// only if at least one of its shared anchors is no beat term. A story is bursty (its tellings
/// fall within a few days, the generated benchmark's within three) while a template's words
/// recur all season. On the Reuters dump with the seeds (mostly March-April 1987, 14 distinct
/// weeks) the words that chained the largest "stories" — 471 eurobond and debt-offering
/// notices over eight months (`rated`, `pays`, `sole`, `1997`, underwriters' names), 99 daily
/// U.K. money-market reports (`shortage`, `assistance`, `band`), 77 rating notices, 62
/// export-bonus notices — are each in 27-190 documents over 7-14 weeks, 0.6-1.0 of what as
/// many random documents would cover; with this rule the largest story there has 34 articles
/// (21 with `--story-window 7d`, was 228), bridges fall from 806 to 356. Measured against the
/// random spread rather than as a ceiling on weeks, so that one rule serves a dense
/// two-month dump and a year: the benchmark's recurring names and topic words reach 16 weeks
/// and more (60 documents over 52 weeks at 1,500 stories), and a plain ceiling of 10 weeks,
/// which undoes the Reuters chains, costs 0.02 F1 there. Beat terms stay anchors beside a
/// bursty one because the benchmark's tellings often share only a story's name and a
/// recurring topic word: excluding them outright costs 0.01-0.02 F1 on seeds 1-3 at 0.5 (and
/// 0.005 at 0.7 with 6 weeks); as it is, seeds 1-3 are unchanged (F1 0.956, 0.953, 0.967)
/// and 1,500 stories gain (precision 0.959 to 0.982, F1 0.951 to 0.962). At 0.4 Reuters is
/// the same and the benchmark's recall a little lower (F1 -0.001); at 0.7 a 45-article chain
/// of debt offerings remains. Only dated documents count: a dump without timestamps is
/// unchanged, and so is a term seen only in undated documents.
pub const MAX_WEEK_SPREAD: f64 = 0.5;
/// A term in at most this many distinct weeks is never a beat term ([`MAX_WEEK_SPREAD`]): a
/// story of a few days may straddle two weeks, and a name may return in a follow-up; few
/// documents in different weeks are always as spread as random ones.
pub const MIN_BEAT_WEEKS: usize = 3;
/// Length of the weeks of [`MAX_WEEK_SPREAD`], in seconds (weeks counted from the epoch).
const WEEK: i64 = 7 * 86_400;
/// Neither ceiling is ever below this, so small dumps still have terms.
pub const MIN_MAX_DF: usize = 10;
/// Anchors two documents must share to be compared (unless dated within
/// [`SINGLE_ANCHOR_DAYS`]): one shared name is a coincidence. Measured before the
/// bursty-anchor rule and that exception: with one, recall on the story benchmark is 0.99 but 1,500 stories chain same-topic stories
/// (precision 0.83, a recurring figure's name and a rare topic word suffice); with two,
/// precision is 0.96-0.995 and recall 0.93-0.94; with three, recall falls to 0.66-0.73 (most
/// tellings share only the person's surname and a number or two). The one- and three-anchor
/// figures come from a Python model of this stage that reproduces its edges to within 1%.
pub const MIN_SHARED_TERMS: usize = 2;
/// Two articles published within this many days of each other need share only one anchor, a
/// bursty one ([`MAX_WEEK_SPREAD`]), to be compared: a name that is no beat term, in two
/// articles of the same week, is the story's rather than a coincidence. Undated articles
/// still need [`MIN_SHARED_TERMS`]. 0 turns the exception off. The tellings the second
/// anchor lost were same-week articles sharing one surname: with this exception story F1 on
/// the generated benchmark (dated) goes from 0.956 / 0.953 / 0.967 (seeds 1-3, 400 stories)
/// to 0.989 / 0.988 / 0.994 and at 1,500 stories from 0.962 to 0.987 (precision 0.982 to
/// 0.983); the same 1,500 stories undated keep 0.922. One anchor for *every* pair instead
/// reaches the same recall but precision 0.962 at 1,500 stories, and 0.757 undated. 3 days
/// loses a little recall (F1 0.9865), 14 a little precision (0.9849). On the Reuters dump
/// with the seeds the largest story stays 34 and the seeds one story of five.
pub const SINGLE_ANCHOR_DAYS: i64 = 7;
/// Terms in more documents than this make no candidate pairs (they still weigh in the
/// similarity of pairs found through other terms); bounds the candidate count.
pub const MAX_POSTING: usize = 300;
/// Posting entries one article reads at most: its anchors are read rarest first, only the
/// documents within the window, and an anchor whose documents would take the count past this
/// is not read, nor any commoner one. This caps the work per article whatever the vocabulary:
/// with real word frequencies, thousands of mid-frequency words each sit in tens to hundreds
/// of documents, and reading every one of them made the stage quadratic (measured in
/// BENCHMARKS.md, "Stories: the cost"). A story's own names and numbers are its rarest
/// anchors, so they are read first.
pub const POSTINGS_READ_PER_ARTICLE: usize = 512;
/// Candidates one article compares exactly at most, the highest similarity bound first: a
/// story has tens of tellings (the largest in the benchmark of real news described in
/// BENCHMARKS.md has 44), and a telling needs an edge to two of them, not to all.
pub const COMPARED_PER_ARTICLE: usize = 8;
/// Prior weight (in the IDF weights' unit, nats) added to the union of every pair's
/// weighted Jaccard: `shared / (union + PRIOR_WEIGHT)`. A similarity measured on little text
/// is uncertain, and with thousands of same-topic pairs among short articles the chance high
/// ones are many: on the story benchmark (articles of ~20 story terms, unions of 100-200
/// nats) same-topic pairs reach a plain weighted Jaccard of 0.25, true pairs start near 0.2,
/// and no fixed threshold that still groups the real seed tellings (0.12-0.25, unions of
/// 1,600-2,300 nats) separates them. The prior barely moves long articles (the seeds' lowest
/// pair 0.121 becomes 0.112) and halves short ones. Measured (two anchors, 5% terms, 0.12;
/// seeds 1-3 and 1,500 stories): 100 gives precision 0.54 at 1,500 stories, 150 gives
/// 0.96-0.995 with recall 0.93-0.94, 200 (Python model) 1.0 with recall 0.90-0.93. On the
/// Reuters dump with the seeds the largest story falls from 1,606 to 471 articles.
pub const PRIOR_WEIGHT: f64 = 150.0;
/// Slices of the dump whose word counts are kept apart before summing: enough for two threads
/// to balance, few enough that summing the per-slice tables stays cheap.
const DF_SLICES: usize = 8;
/// Default threshold of a story edge (`--story-threshold`), on the smoothed weighted Jaccard
/// ([`story_similarity`]). The five seed tellings of one real June 2024 story score 0.11-0.22
/// against each other in the full Reuters dump, and 0.1 groups all five there with no
/// Reuters story joining them. On the generated story benchmark with its confusers
/// (`tools/bench_story.sh 400 1`, BENCHMARKS.md "One event per story"), at the default window
/// 0.1 gives precision 0.985 / 0.983 and recall 0.987 / 0.917 (plain / real-frequency words);
/// 0.08 recalls more there but joins 70 same-day hog-market notices of the Reuters dump into
/// one story (38 at 0.1).
pub const DEFAULT_STORY_THRESHOLD: f64 = 0.1;
/// Default story window (`--story-window`), in seconds: every two dated articles of a story
/// lie within it, so a story is one event's news cycle, and coverage of the same people days
/// later (a follow-up) or weeks later (another event) is a story of its own, listed as
/// following the earlier one when a story edge links them. Without it the benchmark of real
/// news text chained different events weeks apart (a singer's on-stage fight and his missed
/// bail deadline five weeks later). Five days holds the generated benchmark's tellings (up to
/// four days apart, copies a day later): on `gen-stories --stories 400` 3 days gives recall
/// 0.78, 4 days 0.97, 5 days 0.99 and 7 days 0.99 with precision 1.000 / 0.997 / 0.989 /
/// 0.970 (no window: 0.844), measured in BENCHMARKS.md, "Stories".
pub const DEFAULT_STORY_WINDOW: i64 = 5 * 86_400;
/// Edges at least this strong may merge two groups on their own.
pub const STRONG_EDGE: f64 = 0.5;

/// The story stage's weights: the constants above, which the defaults sweep
/// (`tools/sweep_defaults.sh`) moves one at a time through `reprint scan --tune`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// [`MAX_TERM_SHARE`].
    pub max_term_share: f64,
    /// [`MAX_ANCHOR_SHARE`].
    pub max_anchor_share: f64,
    /// [`MIN_SHARED_TERMS`].
    pub min_shared_anchors: usize,
    /// [`PRIOR_WEIGHT`].
    pub prior_weight: f64,
    /// [`MAX_WEEK_SPREAD`].
    pub max_week_spread: f64,
    /// [`MIN_BEAT_WEEKS`].
    pub min_beat_weeks: usize,
    /// [`SINGLE_ANCHOR_DAYS`].
    pub single_anchor_days: i64,
    /// [`POSTINGS_READ_PER_ARTICLE`].
    pub postings_read: usize,
    /// [`COMPARED_PER_ARTICLE`].
    pub compared: usize,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            max_term_share: MAX_TERM_SHARE,
            max_anchor_share: MAX_ANCHOR_SHARE,
            min_shared_anchors: MIN_SHARED_TERMS,
            prior_weight: PRIOR_WEIGHT,
            max_week_spread: MAX_WEEK_SPREAD,
            min_beat_weeks: MIN_BEAT_WEEKS,
            single_anchor_days: SINGLE_ANCHOR_DAYS,
            postings_read: POSTINGS_READ_PER_ARTICLE,
            compared: COMPARED_PER_ARTICLE,
        }
    }
}

/// A verified story edge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StoryEdge {
    /// Earlier document (input order).
    pub a: u32,
    /// Later document.
    pub b: u32,
    /// Similarity of their story terms ([`story_similarity`]).
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
    /// Earlier stories this one follows up: a story edge links them, but together they would
    /// span more than the story window.
    pub follows: Vec<u32>,
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
    SET.get_or_init(|| STOPWORDS.iter().map(|w| crate::text::normalize::word_hash(w)).collect())
}

/// A map keyed by word fingerprints ([`crate::text::normalize::word_hash`]): they are xxh3 hashes,
/// uniform in every bit, so they index the table as they are.
type WordMap<V> = std::collections::HashMap<u64, V, nohash_hasher::BuildNoHashHasher<u64>>;

/// Each document's story terms with their weights, from its distinct body words.
pub fn story_terms<L: Lists + ?Sized>(words: &L, weights: &Weights) -> Vec<Vec<(u64, f64)>> {
    let stop = stopword_hashes();
    let n = words.count();
    // Document frequencies: counted per worker over large slices of the dump, then summed
    // (counts are integers, so the order of summing cannot change them).
    let slice = (n / DF_SLICES).max(1);
    let mut df: WordMap<u32> = (0..n as u32)
        .into_par_iter()
        .with_min_len(slice)
        .fold(WordMap::default, |mut df: WordMap<u32>, d| {
            for &t in words.list(d).iter() {
                *df.entry(t).or_insert(0) += 1;
            }
            df
        })
        .reduce(WordMap::default, |mut a, mut b| {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            for (t, c) in b {
                *a.entry(t).or_insert(0) += c;
            }
            a
        });
    let max_df = ((n as f64 * weights.max_term_share) as usize).max(MIN_MAX_DF);
    // Only terms that may be chosen stay in the map, so one lookup per word decides.
    df.retain(|t, d| *d >= 2 && *d as usize <= max_df && !stop.contains(t));
    (0..n as u32)
        .into_par_iter()
        .map(|d| {
            let mut terms: Vec<(u64, u32)> = words.list(d).iter().filter_map(|&t| df.get(&t).map(|&d| (t, d))).collect();
            // The rarest STORY_TERMS (ties by term, so the choice is one whatever the order of
            // the words), without sorting the rest.
            if terms.len() > STORY_TERMS {
                terms.select_nth_unstable_by_key(STORY_TERMS, |&(t, d)| (d, t));
                terms.truncate(STORY_TERMS);
            }
            let mut out: Vec<(u64, f64)> = terms.into_iter().map(|(t, d)| (t, (n as f64 / d as f64).ln())).collect();
            out.sort_unstable_by_key(|&(t, _)| t);
            out.shrink_to_fit(); // kept from before the passage stage to the story stage
            out
        })
        .collect()
}

/// The similarity a story edge is measured by: the weighted Jaccard of two term lists sorted
/// by term with a prior weight ([`PRIOR_WEIGHT`] by default) added to the union, so a
/// similarity measured on little text counts for less (with a prior of 0 it is the plain
/// weighted Jaccard). A story term's weight depends on the term alone ([`story_terms`]), so
/// the union is the two totals less the shared weight.
pub fn story_similarity(a: &[(u64, f64)], b: &[(u64, f64)], prior_weight: f64) -> f64 {
    similarity_of(shared_weight(a, b), total_weight(a), total_weight(b), prior_weight)
}

/// [`story_similarity`] from the shared weight and the two totals.
fn similarity_of(shared: f64, total_a: f64, total_b: f64, prior_weight: f64) -> f64 {
    shared / (total_a + total_b - shared + prior_weight)
}

/// Summed weight of a term list, in its order.
fn total_weight(a: &[(u64, f64)]) -> f64 {
    a.iter().map(|&(_, w)| w).sum()
}

/// Summed weight of the terms two lists sorted by term share (weights per term as in
/// [`story_terms`]), by a merge without data-dependent branches: both cursors advance by
/// comparisons and a shared term adds its weight, any other adds zero. The edge search sums
/// the same through a [`TermFilter`].
fn shared_weight(a: &[(u64, f64)], b: &[(u64, f64)]) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        let ((x, w), y) = (a[i], b[j].0);
        sum += if x == y { w } else { 0.0 };
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    sum
}

/// Document-frequency ceiling of the anchors (`share` of the documents, [`MAX_ANCHOR_SHARE`]
/// by default) in a dump of `n` documents.
fn anchor_ceiling(n: usize, share: f64) -> usize {
    ((n as f64 * share) as usize).max(MIN_MAX_DF)
}

/// Least weight of an anchor in a dump of `n` documents: weights are `ln(n / df)` with an
/// integer `df`, so half a document above the ceiling separates anchors from the rest
/// whatever the rounding.
pub fn min_anchor_weight(n: usize, share: f64) -> f64 {
    (n as f64 / (anchor_ceiling(n, share) as f64 + 0.5)).ln()
}

/// What the edge search read and compared ([`story_edges`]): per article at most
/// [`POSTINGS_READ_PER_ARTICLE`] postings and [`COMPARED_PER_ARTICLE`] exact comparisons.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SearchWork {
    /// Articles that searched (a copy cluster searches through one member).
    pub searched: u64,
    /// Posting entries read, in all.
    pub postings_read: u64,
    /// Most posting entries one article read.
    pub most_postings_read: u64,
    /// Pairs whose similarity was merged exactly, in all (a pair may be compared from both
    /// sides when neither read all its anchors).
    pub compared: u64,
    /// Most pairs one article compared.
    pub most_compared: u64,
    /// Articles whose anchors' postings within the window exceeded
    /// [`POSTINGS_READ_PER_ARTICLE`]: their commonest anchors were not read.
    pub capped: u64,
    /// Articles with more candidates than [`COMPARED_PER_ARTICLE`]: the least promising were
    /// not compared.
    pub truncated: u64,
}

impl SearchWork {
    fn add(mut self, o: SearchWork) -> SearchWork {
        self.searched += o.searched;
        self.postings_read += o.postings_read;
        self.most_postings_read = self.most_postings_read.max(o.most_postings_read);
        self.compared += o.compared;
        self.most_compared = self.most_compared.max(o.most_compared);
        self.capped += o.capped;
        self.truncated += o.truncated;
        self
    }
}

/// Verified story edges and the work it took.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Edges, sorted by `(a, b)`.
    pub edges: Vec<StoryEdge>,
    /// The search's work.
    pub work: SearchWork,
}

/// One indexed term's documents in the flat posting array.
struct Run {
    /// First entry (undated documents come first).
    start: u32,
    /// First dated entry (dated documents follow in time order).
    dated: u32,
    /// One past the last entry.
    end: u32,
    /// The term's weight (the same in every document).
    weight: f32,
    /// Whether the term is bursty (no beat term, [`MAX_WEEK_SPREAD`]).
    bursty: bool,
}

/// Verified story edges among the documents with `searching[i]` true (every document when
/// `searching` is empty): candidates sharing `weights.min_shared_anchors` anchors (terms of
/// weight at least [`min_anchor_weight`] of the dump, `terms.len()` documents), one of them
/// no beat term ([`MAX_WEEK_SPREAD`]), [`story_similarity`] at least `threshold`, timestamps
/// (when both known) at most `window` seconds apart.
///
/// Each article reads the postings of its anchors rarest first, only those within the
/// window, and stops before [`POSTINGS_READ_PER_ARTICLE`] would be passed; it compares
/// exactly at most [`COMPARED_PER_ARTICLE`] candidates, the most promising first. So an
/// article's work has a fixed cap whatever the vocabulary, the dump's size or its dates. A
/// pair is decided by its earlier article, and also by the later one when the earlier did
/// not read all its anchors. Below the caps (every dump of the brute-force test) the result is
/// exactly the rule's.
pub fn story_edges(
    terms: &[Vec<(u64, f64)>],
    timestamps: &[Option<i64>],
    searching: &[bool],
    threshold: f64,
    window: Option<i64>,
    weights: &Weights,
    tick: &(dyn Fn(u64) + Sync),
) -> Found {
    let n = terms.len();
    let searches = |i: usize| searching.is_empty() || searching[i];
    debug_assert!(terms.iter().all(|t| t.len() <= 1 << 16), "positions are kept as u16");
    let anchor = min_anchor_weight(n, weights.max_anchor_share);
    // Inverted index over the anchors of the searching documents: per anchor its documents,
    // undated first, then in time order, in one flat array.
    // (term, timestamp or UNDATED, document, position in the document's list): 24 bytes, the
    // weight is read back from the list, so the sort moves less.
    // Laid out in place, document by document in parallel (a collected flat map cost twice
    // as much for the four million postings of 100,000 generated articles).
    let anchors_per_doc: Vec<usize> = terms
        .par_iter()
        .enumerate()
        .map(|(i, t)| if searches(i) { t.iter().filter(|&&(_, w)| w >= anchor).count() } else { 0 })
        .collect();
    let mut postings: Vec<(u64, i64, u32, u16)> = vec![(0, 0, 0, 0); anchors_per_doc.iter().sum()];
    let slices = split_by_counts(&mut postings, anchors_per_doc.iter().copied());
    slices.into_par_iter().enumerate().for_each(|(i, slots)| {
        let anchors = terms[i].iter().enumerate().filter(|&(_, &(_, w))| w >= anchor);
        for (slot, (k, &(h, _))) in slots.iter_mut().zip(anchors) {
            *slot = (h, timestamps[i].unwrap_or(UNDATED), i as u32, k as u16);
        }
    });
    postings.par_sort_unstable_by_key(|&(h, ts, d, _)| (h, ts, d));
    // Only anchors in two to MAX_POSTING searching documents are indexed. The other terms are
    // *loose*: they weigh in the similarity but make no pairs. A term's weight is the same in
    // every document, so the shared weight of two documents is the sum over their shared
    // terms; with each document's total weight that bounds the similarity before any merge.
    let mut runs: Vec<Run> = Vec::new();
    let mut flat: Vec<u32> = Vec::new();
    let mut times: Vec<i64> = Vec::new();
    // (document, the term's document count, run)
    let mut anchors_of: Vec<(u32, u32, u32)> = Vec::new();
    // (document, position) of the anchors left loose
    let mut dropped: Vec<(u32, u16)> = Vec::new();
    let spread = WeekSpread::new(timestamps, weights);
    // Whether each indexed anchor is bursty, judged in parallel (the weeks of every run are
    // counted), then the runs laid out in term order.
    let pieces: Vec<&[(u64, i64, u32, u16)]> = postings.chunk_by(|x, y| x.0 == y.0).collect();
    let judged: Vec<Option<bool>> = pieces
        .par_iter()
        .map_init(Vec::new, |weeks, run| {
            (run.len() > 1 && run.len() <= MAX_POSTING)
                .then(|| !spread.is_beat(run.iter().map(|p| Some(p.1).filter(|&t| t != UNDATED)), weeks))
        })
        .collect();
    for (run, judged) in pieces.into_iter().zip(judged) {
        if let Some(bursty) = judged {
            let start = flat.len() as u32;
            let r = runs.len() as u32;
            runs.push(Run {
                start,
                dated: start + run.partition_point(|p| p.1 == UNDATED) as u32,
                end: start + run.len() as u32,
                weight: terms[run[0].2 as usize][run[0].3 as usize].1 as f32,
                bursty,
            });
            for p in run {
                flat.push(p.2);
                times.push(p.1);
                anchors_of.push((p.2, run.len() as u32, r));
            }
        } else {
            dropped.extend(run.iter().map(|p| (p.2, p.3)));
        }
    }
    drop(postings);
    // Each document's anchors, rarest first, and its loose anchors' positions.
    let (first, anchors_of) = by_document(n, anchors_of.into_iter().map(|(d, count, r)| (d, (count, r))));
    let anchors_of: Vec<u32> = anchors_of.into_iter().map(|(_, r)| r).collect();
    let (first_dropped, dropped) = by_document(n, dropped.into_iter());
    // Per searching document, the positions of its loose terms in its term list (lighter
    // terms and the anchors left loose), so that their shared weight can be merged over these
    // shorter lists alone, and its weight in them.
    let loose_of: Vec<(Vec<u16>, f32)> = (0..n)
        .into_par_iter()
        .map(|d| {
            if !searches(d) {
                return (Vec::new(), 0.0);
            }
            let mut left = dropped[first_dropped[d]..first_dropped[d + 1]].iter().copied().peekable();
            let mut positions = Vec::new();
            let mut weight = 0f32;
            for (k, &(_, w)) in terms[d].iter().enumerate() {
                let k = k as u16;
                if w < anchor || left.next_if_eq(&k).is_some() {
                    positions.push(k);
                    weight += w as f32;
                }
            }
            (positions, weight)
        })
        .collect();
    drop(dropped);
    let loose: Vec<f32> = loose_of.iter().map(|l| l.1).collect();
    let mut first_loose = vec![0usize; n + 1];
    for (d, l) in loose_of.iter().enumerate() {
        first_loose[d + 1] = first_loose[d] + l.0.len();
    }
    let unindexed: Vec<u16> = loose_of.into_iter().flat_map(|l| l.0).collect();
    // The documents of a run that a document dated `ts` may pair with: the undated ones, and
    // the dated ones within the window.
    let stretch = |r: &Run, ts: Option<i64>| -> [std::ops::Range<usize>; 2] {
        let (undated, dated) = (r.start as usize..r.dated as usize, r.dated as usize..r.end as usize);
        match (window, ts) {
            // The whole run when it lies within the window (no search).
            (Some(w), Some(t))
                if dated.is_empty()
                    || (times[dated.start] >= t.saturating_sub(w) && times[dated.end - 1] <= t.saturating_add(w)) =>
            {
                [undated, dated]
            }
            (Some(w), Some(t)) => {
                let slice = &times[dated.clone()];
                let lo = slice.partition_point(|&x| x < t.saturating_sub(w));
                let hi = slice.partition_point(|&x| x <= t.saturating_add(w));
                [undated, dated.start + lo..dated.start + hi]
            }
            _ => [undated, dated],
        }
    };
    // The anchors each document reads (rarest first, within the budget), as the stretch of
    // dated postings it reads of each: found once here, where the budget is decided, and read
    // again by the search.
    let read_of: Vec<Vec<(u32, u32)>> = (0..n)
        .into_par_iter()
        .map(|a| {
            let mut read = 0;
            let mut out = Vec::new();
            for &r in &anchors_of[first[a]..first[a + 1]] {
                let [undated, dated] = stretch(&runs[r as usize], timestamps[a]);
                read += undated.len() + dated.len();
                if read > weights.postings_read {
                    break;
                }
                out.push((dated.start as u32, dated.end as u32));
            }
            out
        })
        .collect();
    let complete_docs: Vec<bool> = (0..n).map(|d| read_of[d].len() == first[d + 1] - first[d]).collect();
    let complete = |d: usize| complete_docs[d];
    // Exact weight of the loose terms two documents share: a merge of their positions.
    let shared_loose = |a: usize, b: usize| -> f64 {
        let (pa, pb) = (&unindexed[first_loose[a]..first_loose[a + 1]], &unindexed[first_loose[b]..first_loose[b + 1]]);
        let (ta, tb) = (&terms[a], &terms[b]);
        let (mut i, mut j, mut sum) = (0, 0, 0.0);
        while i < pa.len() && j < pb.len() {
            let (x, y) = (ta[pa[i] as usize], tb[pb[j] as usize]);
            match x.0.cmp(&y.0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += x.1.min(y.1);
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    };
    let exact_total: Vec<f64> = terms.par_iter().map(|t| total_weight(t)).collect();
    let total: Vec<f32> = exact_total.iter().map(|&t| t as f32).collect();
    /// Per document: (anchors shared, bursty ones among them, their weight); and the
    /// documents touched.
    type Counter = (Vec<(u16, u16, f32)>, Vec<u32>);
    thread_local! {
        // One counter per worker thread, sized to the dump and left zeroed after each document.
        static COUNTER: std::cell::RefCell<Counter> = Default::default();
    }
    let per_doc: Vec<(Vec<StoryEdge>, SearchWork)> = (0..n)
        .into_par_iter()
        .map(|a| {
            if !searches(a) {
                return (Vec::new(), SearchWork::default());
            }
            COUNTER.with_borrow_mut(|(count, touched)| {
                if count.len() < n {
                    count.resize(n, (0, 0, 0.0));
                }
                let mut work = SearchWork { searched: 1, capped: u64::from(!complete(a)), ..SearchWork::default() };
                let reads = read_of[a].len();
                let read = &anchors_of[first[a]..first[a] + reads];
                let unread: f32 = anchors_of[first[a] + reads..first[a + 1]].iter().map(|&r| runs[r as usize].weight).sum();
                for (&r, &(lo, hi)) in read.iter().zip(&read_of[a]) {
                    let run = &runs[r as usize];
                    for s in [run.start as usize..run.dated as usize, lo as usize..hi as usize] {
                        work.postings_read += s.len() as u64;
                        for &b in &flat[s] {
                            // The earlier document decides a pair, unless it read only some of
                            // its anchors.
                            if b as usize == a || ((b as usize) < a && complete(b as usize)) {
                                continue;
                            }
                            let c = &mut count[b as usize];
                            if c.0 == 0 {
                                touched.push(b);
                            }
                            c.0 += 1;
                            c.1 += u16::from(run.bursty);
                            c.2 += run.weight;
                        }
                    }
                }
                work.most_postings_read = work.postings_read;
                // Candidates that may reach the threshold, the most promising first. The
                // shared weight of two articles is what the search counted, plus at most the
                // loose terms both have, plus (when this article stopped reading) at most its
                // unread anchors, as far as the other has anchors left to share.
                let mut candidates: Vec<(f64, u32, f32)> = Vec::new();
                for &b in touched.iter() {
                    let (shared, bursty, weight) = std::mem::take(&mut count[b as usize]);
                    let b_ = b as usize;
                    if bursty == 0 || !enough_anchors(shared as usize, timestamps[a], timestamps[b_], weights) {
                        continue;
                    }
                    let unshared = unread.min(total[b_] - loose[b_] - weight).max(0.0);
                    let most = bound(weight as f64, (loose[a].min(loose[b_]) + unshared) as f64, total[a], total[b_], weights.prior_weight);
                    if most >= threshold - BOUND_MARGIN {
                        candidates.push((most, b, weight + unshared));
                    }
                }
                touched.clear();
                // The best `weights.compared` first; the loose terms actually shared (a merge
                // of the shorter loose lists) screen each before the exact similarity.
                let order = |x: &(f64, u32, f32), y: &(f64, u32, f32)| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1));
                if candidates.len() > weights.compared {
                    work.truncated = 1;
                    candidates.select_nth_unstable_by(weights.compared, order);
                    candidates.truncate(weights.compared);
                }
                candidates.sort_unstable_by(order);
                let mut found: Vec<StoryEdge> = Vec::new();
                let mut filter: Option<TermFilter> = None;
                for &(_, b, counted) in &candidates {
                    let b_ = b as usize;
                    // (An article that stopped reading could rarely rule a pair out this way: its
                    // unread anchors count as possibly shared.)
                    if unread == 0.0
                        && bound(counted as f64, shared_loose(a, b_), total[a], total[b_], weights.prior_weight) < threshold - BOUND_MARGIN
                    {
                        continue;
                    }
                    work.compared += 1;
                    let shared = filter.get_or_insert_with(|| TermFilter::of(&terms[a])).shared_weight(&terms[b_]);
                    let weight = similarity_of(shared, exact_total[a], exact_total[b_], weights.prior_weight);
                    if weight >= threshold {
                        let (x, y) = if a < b_ { (a as u32, b) } else { (b, a as u32) };
                        found.push(StoryEdge { a: x, b: y, weight });
                    }
                }
                work.most_compared = work.compared;
                tick(1);
                (found, work)
            })
        })
        .collect();
    let work = per_doc.iter().fold(SearchWork::default(), |w, (_, o)| w.add(*o));
    let mut edges: Vec<StoryEdge> = per_doc.into_iter().flat_map(|(e, _)| e).collect();
    edges.par_sort_unstable_by(|x, y| (x.a, x.b).cmp(&(y.a, y.b)));
    edges.dedup_by(|x, y| (x.a, x.b) == (y.a, y.b));
    Found { edges, work }
}

/// A bitmap of one term list's terms (by their top bits) that finds what another list shares
/// with it faster than a merge: the search compares one article with up to
/// [`COMPARED_PER_ARTICLE`] others, nearly all of which share few terms, so most of the other
/// list's terms are ruled out by one bit and only the rest are looked up in the sorted list.
struct TermFilter<'a> {
    /// The list the bitmap was made of.
    terms: &'a [(u64, f64)],
    bits: [u64; TermFilter::WORDS],
}

impl<'a> TermFilter<'a> {
    /// 4,096 bits: a list of [`STORY_TERMS`] sets at most 5% of them, so about one term in
    /// twenty of the other list is looked up needlessly.
    const WORDS: usize = 64;
    const SHIFT: u32 = 64 - 12;

    fn of(terms: &'a [(u64, f64)]) -> Self {
        let mut bits = [0u64; Self::WORDS];
        for &(t, _) in terms {
            let k = (t >> Self::SHIFT) as usize;
            bits[k / 64] |= 1 << (k % 64);
        }
        TermFilter { terms, bits }
    }

    /// [`shared_weight`] of this filter's list and `b`, summed in the same term order, so the
    /// two agree to the last bit.
    fn shared_weight(&self, b: &[(u64, f64)]) -> f64 {
        let mut sum = 0.0;
        for &(t, _) in b {
            let k = (t >> Self::SHIFT) as usize;
            if self.bits[k / 64] & (1 << (k % 64)) != 0 {
                if let Ok(i) = self.terms.binary_search_by_key(&t, |&(x, _)| x) {
                    sum += self.terms[i].1;
                }
            }
        }
        sum
    }
}

/// Upper bound of the similarity of two documents that share anchors of weight `anchors` and
/// at most `extra` of their other terms' weight, with total term weights `a` and `b`.
fn bound(anchors: f64, extra: f64, a: f32, b: f32, prior_weight: f64) -> f64 {
    let union = a as f64 + b as f64 - anchors - extra + prior_weight;
    (anchors + extra) / union.max(f64::MIN_POSITIVE)
}

/// Whether two documents sharing `shared` anchors, one of them bursty, are compared:
/// [`MIN_SHARED_TERMS`], or one within [`SINGLE_ANCHOR_DAYS`] when both are dated.
fn enough_anchors(shared: usize, a: Option<i64>, b: Option<i64>, weights: &Weights) -> bool {
    let close = match (a, b) {
        (Some(a), Some(b)) => weights.single_anchor_days > 0 && (a - b).abs() <= weights.single_anchor_days * 86_400,
        _ => false,
    };
    shared >= weights.min_shared_anchors || (close && shared >= 1)
}

/// What makes a term a beat term ([`MAX_WEEK_SPREAD`]) in one dump.
pub struct WeekSpread {
    /// Per number of dated documents (up to [`MAX_POSTING`]), the distinct weeks as many
    /// documents drawn at random (with replacement) from the dump's dated ones fall in, on
    /// average, times the share allowed.
    most: Vec<f64>,
    /// [`MIN_BEAT_WEEKS`].
    min_weeks: usize,
}

impl WeekSpread {
    /// The expected spreads of a dump with these timestamps.
    pub fn new(timestamps: &[Option<i64>], weights: &Weights) -> Self {
        let mut per_week: Vec<i64> = timestamps.iter().flatten().map(|t| t.div_euclid(WEEK)).collect();
        per_week.sort_unstable();
        let dated = per_week.len() as f64;
        let shares: Vec<f64> = per_week.chunk_by(|x, y| x == y).map(|w| w.len() as f64 / dated).collect();
        let most = (0..=MAX_POSTING as i32)
            .map(|d| weights.max_week_spread * shares.iter().map(|p| 1.0 - (1.0 - p).powi(d)).sum::<f64>())
            .collect();
        WeekSpread { most, min_weeks: weights.min_beat_weeks }
    }

    /// Whether a term whose documents have these timestamps is a beat term: its dated
    /// documents fall in more than [`MIN_BEAT_WEEKS`] distinct weeks and in more than
    /// [`MAX_WEEK_SPREAD`] of what as many random documents would. `weeks` is scratch space.
    pub fn is_beat(&self, timestamps: impl Iterator<Item = Option<i64>>, weeks: &mut Vec<i64>) -> bool {
        weeks.clear();
        weeks.extend(timestamps.flatten().map(|t| t.div_euclid(WEEK)));
        let dated = weeks.len();
        if dated <= self.min_weeks {
            return false;
        }
        weeks.sort_unstable();
        weeks.dedup();
        weeks.len() > self.min_weeks && weeks.len() as f64 > self.most[dated.min(MAX_POSTING)]
    }
}

/// Items grouped by document (counting sort) and sorted within each document, in parallel:
/// the start of each document's items (`n + 1` offsets) and the items. Cheaper than sorting
/// every `(document, item)` pair at once, which the story search did for millions of anchors.
fn by_document<T: Copy + Ord + Send + Default>(n: usize, items: impl ExactSizeIterator<Item = (u32, T)>) -> (Vec<usize>, Vec<T>) {
    let items: Vec<(u32, T)> = items.collect();
    let mut first = vec![0usize; n + 1];
    for &(d, _) in &items {
        first[d as usize + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    let mut next = first.clone();
    let mut out = vec![T::default(); items.len()];
    for (d, x) in items {
        out[next[d as usize]] = x;
        next[d as usize] += 1;
    }
    split_by_counts(&mut out, first.windows(2).map(|w| w[1] - w[0])).into_par_iter().for_each(|s| s.sort_unstable());
    (first, out)
}

/// `all` cut into consecutive slices of the given lengths (one per document), so that each
/// document's part can be filled or sorted in parallel.
fn split_by_counts<T>(all: &mut [T], counts: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    let mut slices = Vec::new();
    let mut rest = all;
    for count in counts {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(count);
        slices.push(head);
        rest = tail;
    }
    slices
}

/// An undated document's place in the posting order: before every dated one (no parsed
/// timestamp comes near it: it is 292 billion years before 1970).
const UNDATED: i64 = i64::MIN;

/// Slack on the shared-weight bound of [`story_edges`]: the bound sums at most
/// [`STORY_TERMS`] `f32` weights, so its sums are off by less than 200 x 2^-24 (about 1.2e-5)
/// relative and the bound, at most 1, by a few 1e-5; a margin of 1e-3 can only let a few more
/// pairs through to the exact merge, never keep one out. Edge weights come from the merge.
const BOUND_MARGIN: f64 = 1e-3;

/// Groups being formed: a union-find over documents with, per root, its members, its
/// searching members (a copy cluster counts as one telling) and the first and last times of
/// its dated members.
struct Groups {
    uf: UnionFind,
    members: Vec<Vec<u32>>,
    units: Vec<u32>,
    span: Vec<Option<(i64, i64)>>,
}

impl Groups {
    fn join(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.uf.find(a), self.uf.find(b));
        if ra != rb {
            self.uf.union(ra, rb);
            let (root, other) = if self.uf.find(ra) == ra { (ra, rb) } else { (rb, ra) };
            let moved = std::mem::take(&mut self.members[other as usize]);
            self.members[root as usize].extend(moved);
            self.units[root as usize] += self.units[other as usize];
            self.span[root as usize] = joined_span(self.span[root as usize], self.span[other as usize]);
        }
    }
}

/// The first and last times of two groups together.
fn joined_span(x: Option<(i64, i64)>, y: Option<(i64, i64)>) -> Option<(i64, i64)> {
    match (x, y) {
        (Some(x), Some(y)) => Some((x.0.min(y.0), x.1.max(y.1))),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Groups documents into stories (see the module docs).
pub fn group(
    clusters: &[Cluster],
    edges: Vec<StoryEdge>,
    terms: &[Vec<(u64, f64)>],
    timestamps: &[Option<i64>],
    searching: &[bool],
    window: Option<i64>,
) -> Stories {
    let n = terms.len();
    let mut g = Groups {
        uf: UnionFind::new(n),
        members: (0..n as u32).map(|i| vec![i]).collect(),
        units: (0..n).map(|i| u32::from(searching.is_empty() || searching[i])).collect(),
        span: timestamps.iter().map(|t| t.map(|t| (t, t))).collect(),
    };
    for c in clusters {
        for w in c.members.windows(2) {
            g.join(w[0], w[1]);
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
    // Edges not taken because the two groups together would span more than the window: they
    // tell which story follows which.
    let mut apart = Vec::new();
    for e in order {
        let (ra, rb) = (g.uf.find(e.a), g.uf.find(e.b));
        if ra == rb {
            continue;
        }
        // A story is one news cycle: its dated members lie within the window.
        if let (Some(w), Some((first, last))) = (window, joined_span(g.span[ra as usize], g.span[rb as usize])) {
            if last - first > w {
                apart.push(e);
                continue;
            }
        }
        let (sa, sb) = (g.units[ra as usize], g.units[rb as usize]);
        if sa.max(sb) >= 2 && e.weight < STRONG_EDGE {
            // Joining a group: count the edges between the two sides, from the smaller one.
            let (small, other) = if g.members[ra as usize].len() <= g.members[rb as usize].len() { (ra, rb) } else { (rb, ra) };
            let links: usize = g.members[small as usize]
                .iter()
                .map(|&m| adjacency[m as usize].iter().filter(|&&x| g.uf.find(x) == other).count())
                .sum();
            if links < 2 {
                bridges.push(e);
                continue;
            }
        }
        g.join(e.a, e.b);
    }
    let Groups { mut uf, members, .. } = g;
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
            stories.push(Story { id: stories.len() as u32, members: Vec::new(), top_terms: Vec::new(), follows: Vec::new() });
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
    // Follow-ups: a story that an edge links to an earlier story, kept apart by the window.
    let first_time = |s: &Story| s.members.iter().filter_map(|&m| timestamps[m as usize]).min();
    for e in &apart {
        if let (Some(x), Some(y)) = (story_of[e.a as usize], story_of[e.b as usize]) {
            let (tx, ty) = (first_time(&stories[x as usize]), first_time(&stories[y as usize]));
            let (earlier, later) = if (tx, x) <= (ty, y) { (x, y) } else { (y, x) };
            if earlier != later && !stories[later as usize].follows.contains(&earlier) {
                stories[later as usize].follows.push(earlier);
            }
        }
    }
    for s in &mut stories {
        s.follows.sort_unstable();
    }
    let mut edges = edges;
    edges.sort_by_key(|e| (e.a, e.b));
    bridges.sort_by_key(|e| (e.a, e.b));
    Stories { stories, story_of, edges, bridges }
}

/// Terms listed per story in `stories.jsonl`.
pub const TOP_TERMS_SHOWN: usize = 10;

/// A window of `seconds` in its largest whole unit (`d`, `h`, `m` or `s`), as the count and
/// the unit: `(5, "d")` for five days. Written together it is what [`parse_window`] reads.
pub fn window_parts(seconds: i64) -> (i64, &'static str) {
    match seconds {
        s if s % 86_400 == 0 => (s / 86_400, "d"),
        s if s % 3_600 == 0 => (s / 3_600, "h"),
        s if s % 60 == 0 => (s / 60, "m"),
        s => (s, "s"),
    }
}

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
    use crate::matching::verify::{Edge, EdgeKind};

    /// Every document searching, no progress.
    fn story_edges(terms: &[Vec<(u64, f64)>], ts: &[Option<i64>], threshold: f64, window: Option<i64>, weights: &Weights) -> Vec<StoryEdge> {
        super::story_edges(terms, ts, &[], threshold, window, weights, &|_| {}).edges
    }

    /// Grouping of undated documents without a window.
    fn group(n: usize, clusters: &[Cluster], edges: Vec<StoryEdge>, terms: &[Vec<(u64, f64)>]) -> Stories {
        assert_eq!(terms.len(), n);
        super::group(clusters, edges, terms, &vec![None; n], &[], None)
    }

    /// Every pair, the slow way: shared anchors counted directly (beat terms found per term
    /// from its documents' weeks), the exact similarity.
    fn brute_force(terms: &[Vec<(u64, f64)>], timestamps: &[Option<i64>], threshold: f64, weights: &Weights) -> Vec<StoryEdge> {
        let mut out = Vec::new();
        let anchor = min_anchor_weight(terms.len(), weights.max_anchor_share);
        let week = |i: usize| timestamps[i].map(|t| t.div_euclid(7 * 86_400));
        let mut per_week: std::collections::BTreeMap<i64, f64> = Default::default();
        for w in (0..terms.len()).filter_map(week) {
            *per_week.entry(w).or_default() += 1.0;
        }
        let all_dated: f64 = per_week.values().sum();
        let beat = |h: u64| {
            let docs: Vec<usize> = (0..terms.len()).filter(|&i| terms[i].iter().any(|(g, _)| *g == h)).collect();
            let weeks: std::collections::BTreeSet<i64> = docs.iter().filter_map(|&i| week(i)).collect();
            let dated = docs.iter().filter(|&&i| week(i).is_some()).count() as i32;
            let random: f64 = per_week.values().map(|c| 1.0 - (1.0 - c / all_dated).powi(dated)).sum();
            weeks.len() > weights.min_beat_weeks && weeks.len() as f64 > weights.max_week_spread * random
        };
        for a in 0..terms.len() {
            for b in a + 1..terms.len() {
                let anchors: Vec<u64> = terms[a]
                    .iter()
                    .filter(|&&(h, w)| w >= anchor && terms[b].iter().any(|(g, _)| *g == h))
                    .map(|&(h, _)| h)
                    .collect();
                let (shared, bursty) = (anchors.len(), anchors.iter().filter(|&&h| !beat(h)).count());
                let weight = story_similarity(&terms[a], &terms[b], weights.prior_weight);
                let close = matches!((timestamps[a], timestamps[b]), (Some(x), Some(y))
                    if weights.single_anchor_days > 0 && (x - y).abs() <= weights.single_anchor_days * 86_400);
                if (shared >= weights.min_shared_anchors || close) && bursty >= 1 && weight >= threshold {
                    out.push(StoryEdge { a: a as u32, b: b as u32, weight });
                }
            }
        }
        out
    }

    proptest::proptest! {
        /// The shared-weight bounds never lose an edge the exact comparison would keep (small
        /// dumps: every shared anchor is indexed, as no term reaches MAX_POSTING documents;
        /// light terms are no anchors in dumps of 18 or more and only weigh in the similarity),
        /// at the default weights and at the ones the defaults sweep tries; documents are dated
        /// in up to eight weeks or not at all, so that some terms are beat terms.
        #[test]
        fn story_edges_match_brute_force(
            docs in proptest::collection::vec(proptest::collection::btree_set(0u64..40, 0..12), 2..40),
            dates in proptest::collection::vec(proptest::option::of(-86_400i64..8 * 7 * 86_400), 40),
            threshold in 0.05f64..0.6,
            tuned in proptest::option::of((1usize..4, 0.0f64..300.0, 1usize..5, 0.1f64..1.5, 0i64..20)),
        ) {
            let weights = match tuned {
                None => Weights { compared: usize::MAX, ..Weights::default() },
                Some((min_shared_anchors, prior_weight, min_beat_weeks, max_week_spread, single_anchor_days)) => Weights {
                    min_shared_anchors,
                    prior_weight,
                    min_beat_weeks,
                    max_week_spread,
                    single_anchor_days,
                    compared: usize::MAX,
                    ..Weights::default()
                },
            };
            // A term's weight depends only on the term, as in `story_terms`; weights on the
            // scale of [`PRIOR_WEIGHT`] so that thresholds across the range are reached.
            let weight = |t: u64| if t.is_multiple_of(3) { 0.5 } else { 10.0 + (t % 7) as f64 * 3.7 };
            let terms: Vec<Vec<(u64, f64)>> =
                docs.iter().map(|d| d.iter().map(|&t| (t, weight(t))).collect()).collect();
            let none = vec![None; terms.len()];
            proptest::prop_assert_eq!(story_edges(&terms, &none, threshold, None, &weights), brute_force(&terms, &none, threshold, &weights));
            let dates = &dates[..terms.len()];
            proptest::prop_assert_eq!(story_edges(&terms, dates, threshold, None, &weights), brute_force(&terms, dates, threshold, &weights));
        }
    }

    /// Dumps of Zipf-distributed words (exponents 0.8 to 1.3 over 30,000 words, as real
    /// news vocabularies, where thousands of mid-frequency words sit in tens to hundreds of
    /// documents), all dated within a few days: each article's search reads and compares at
    /// most its caps, although reading every posting would take many times more.
    #[test]
    fn work_per_article_stays_under_the_caps_on_zipf_vocabularies() {
        let mut rng = crate::sketch::minhash::SplitMix64::new(7);
        for exponent in [0.8, 1.0, 1.3] {
            let cumulative: Vec<f64> = (1..=30_000)
                .scan(0.0, |sum, r| {
                    *sum += 1.0 / (r as f64).powf(exponent);
                    Some(*sum)
                })
                .collect();
            let total = *cumulative.last().unwrap();
            let words: Vec<Vec<u64>> = (0..4000)
                .map(|_| {
                    let mut w: Vec<u64> = (0..300)
                        .map(|_| {
                            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
                            cumulative.partition_point(|&c| c <= u) as u64 * 0x9E37_79B9_7F4A_7C15
                        })
                        .collect();
                    w.sort_unstable();
                    w.dedup();
                    w
                })
                .collect();
            let weights = Weights::default();
            let terms = story_terms(&words, &weights);
            let ts: Vec<Option<i64>> = (0..words.len() as i64).map(|i| Some(i * 60)).collect();
            let work = super::story_edges(&terms, &ts, &[], DEFAULT_STORY_THRESHOLD, Some(DEFAULT_STORY_WINDOW), &weights, &|_| {}).work;
            assert_eq!(work.searched, 4000);
            assert!(work.most_postings_read as usize <= POSTINGS_READ_PER_ARTICLE, "{exponent}: {work:?}");
            assert!(work.most_compared as usize <= COMPARED_PER_ARTICLE, "{exponent}: {work:?}");
            assert!(work.postings_read <= work.searched * POSTINGS_READ_PER_ARTICLE as u64);
            // Uncapped, the same search reads more; up to an exponent of 1 (flatter curves have
            // more mid-frequency words) the caps bind for most articles.
            let all = Weights { postings_read: usize::MAX, compared: usize::MAX, ..weights };
            let free = super::story_edges(&terms, &ts, &[], DEFAULT_STORY_THRESHOLD, Some(DEFAULT_STORY_WINDOW), &all, &|_| {}).work;
            assert!(free.postings_read > work.postings_read && free.capped == 0, "{exponent}: {free:?} vs {work:?}");
            if exponent <= 1.0 {
                assert!(work.capped * 2 > work.searched, "{exponent}: {work:?}");
                assert!(free.most_postings_read as usize > 2 * POSTINGS_READ_PER_ARTICLE, "{exponent}: {free:?}");
            }
        }
    }

    #[test]
    fn one_bursty_anchor_suffices_only_within_the_days() {
        // Two articles sharing one anchor (a name in nobody else's text) among 40.
        let mut terms: Vec<Vec<(u64, f64)>> = vec![Vec::new(); 40];
        terms[0] = vec![(100, 20.0)];
        terms[1] = vec![(100, 20.0)];
        let day = 86_400;
        let edges_of = |terms: &[Vec<(u64, f64)>], ts: [Option<i64>; 2], weights: &Weights| {
            let mut all = vec![None; 40];
            all[..2].copy_from_slice(&ts);
            story_edges(terms, &all, 0.05, None, weights).len()
        };
        let edges = |ts, weights: &Weights| edges_of(&terms, ts, weights);
        let w = Weights::default();
        assert_eq!(edges([Some(0), Some(2 * day)], &w), 1, "the same week: one name is the story's");
        assert_eq!(edges([Some(0), Some(SINGLE_ANCHOR_DAYS * day)], &w), 1);
        assert_eq!(edges([Some(0), Some(30 * day)], &w), 0, "a month apart: a coincidence");
        assert_eq!(edges([Some(0), None], &w), 0, "undated: two anchors needed");
        assert_eq!(edges([None, None], &w), 0);
        assert_eq!(edges([Some(0), Some(2 * day)], &Weights { single_anchor_days: 0, ..w }), 0, "0 turns it off");
        // A second shared anchor needs no dates.
        let mut two = terms.clone();
        two[0].push((101, 20.0));
        two[1].push((101, 20.0));
        assert_eq!(edges_of(&two, [None, None], &w), 1);
    }

    proptest::proptest! {
        /// The bitmap lookup and the merge sum the same shared weight, bit for bit.
        #[test]
        fn term_filter_agrees_with_the_merge(
            a in proptest::collection::btree_set(proptest::num::u64::ANY, 0..300),
            b in proptest::collection::btree_set(proptest::num::u64::ANY, 0..300),
            shared in proptest::collection::btree_set(proptest::num::u64::ANY, 0..100),
        ) {
            let weight = |t: u64| (t % 1000) as f64 / 97.0 + 1.0;
            let list = |s: &std::collections::BTreeSet<u64>| -> Vec<(u64, f64)> {
                s.iter().chain(&shared).copied().collect::<std::collections::BTreeSet<u64>>().into_iter().map(|t| (t, weight(t))).collect()
            };
            let (a, b) = (list(&a), list(&b));
            let merged = shared_weight(&a, &b);
            proptest::prop_assert_eq!(TermFilter::of(&a).shared_weight(&b).to_bits(), merged.to_bits());
            proptest::prop_assert!(merged >= shared.iter().map(|&t| weight(t)).sum::<f64>() - 1e-9);
        }
    }

    #[test]
    fn weighted_jaccard_counts_rare_terms_more() {
        let a = [(1, 5.0), (2, 1.0)];
        let b = [(1, 5.0), (3, 1.0)];
        let weighted_jaccard = |a: &[(u64, f64)], b: &[(u64, f64)]| story_similarity(a, b, 0.0);
        assert!((weighted_jaccard(&a, &b) - 5.0 / 7.0).abs() < 1e-12);
        assert_eq!(weighted_jaccard(&[], &b), 0.0);
        // The prior discounts a similarity measured on little text, hardly a long one.
        assert!((story_similarity(&a, &b, PRIOR_WEIGHT) - 5.0 / (7.0 + PRIOR_WEIGHT)).abs() < 1e-12);
        let long_a: Vec<(u64, f64)> = (0..400).map(|t| (t, 6.0)).collect();
        let long_b: Vec<(u64, f64)> = (200..600).map(|t| (t, 6.0)).collect();
        let (plain, smoothed) = (weighted_jaccard(&long_a, &long_b), story_similarity(&long_a, &long_b, PRIOR_WEIGHT));
        assert!(smoothed < plain && smoothed > 0.9 * plain, "{plain} {smoothed}");
    }

    #[test]
    fn one_shared_anchor_makes_no_pair() {
        // 40 documents: 0 and 1 share one anchor and nothing else, 2 and 3 two anchors.
        let mut terms: Vec<Vec<(u64, f64)>> = vec![Vec::new(); 40];
        terms[0] = vec![(1, 200.0)];
        terms[1] = vec![(1, 200.0)];
        terms[2] = vec![(2, 100.0), (3, 100.0)];
        terms[3] = vec![(2, 100.0), (3, 100.0)];
        let edges = story_edges(&terms, &vec![None; 40], 0.2, None, &Weights::default());
        assert_eq!(edges.iter().map(|e| (e.a, e.b)).collect::<Vec<_>>(), vec![(2, 3)]);
    }

    #[test]
    fn a_term_spread_over_the_season_is_no_anchor() {
        // 40 documents, four in each of ten weeks. Terms 1 and 2 (a notice's vocabulary) are in
        // documents 0-9, one a week; terms 3 and 4 (a story's names) in documents 20 and 30,
        // both in week 0; 21 and 31 (week 1) share term 5 and the notices' term 1.
        let day = 86_400;
        let ts: Vec<Option<i64>> = (0..40).map(|i| Some((i % 10) * 7 * day + i / 10 * day)).collect();
        let mut terms: Vec<Vec<(u64, f64)>> = vec![Vec::new(); 40];
        for t in &mut terms[..10] {
            *t = vec![(1, 100.0), (2, 100.0)];
        }
        terms[20] = vec![(3, 100.0), (4, 100.0)];
        terms[30] = vec![(3, 100.0), (4, 100.0)];
        terms[21] = vec![(1, 100.0), (5, 100.0)];
        terms[31] = vec![(1, 100.0), (5, 100.0)];
        // The beat rule alone (one shared anchor within a week would pair more of these), every
        // candidate compared.
        let w = Weights { single_anchor_days: 0, compared: usize::MAX, ..Weights::default() };
        let pairs = |ts: &[Option<i64>], weights: &Weights| {
            story_edges(&terms, ts, 0.2, None, weights).iter().map(|e| (e.a, e.b)).collect::<Vec<_>>()
        };
        // Beat terms alone make no pair; with a bursty anchor they count.
        assert_eq!(pairs(&ts, &w), vec![(20, 30), (21, 31)]);
        // Undated, or spread over no more weeks than a story may take, the notices pair.
        assert_eq!(pairs(&vec![None; 40], &w).len(), 45 + 2);
        let mut few = ts.clone();
        for (i, t) in few.iter_mut().enumerate().take(10) {
            *t = Some((i as i64 % 3) * 7 * day);
        }
        assert_eq!(pairs(&few, &w).len(), 45 + 2);
        // Spread over ten weeks, but no more than random documents would be: still anchors.
        assert_eq!(pairs(&ts, &Weights { max_week_spread: 2.0, ..w }).len(), 45 + 2);
        // Undated documents do not count towards a term's weeks.
        let mut half = ts.clone();
        for t in half.iter_mut().take(10).skip(3) {
            *t = None;
        }
        assert_eq!(pairs(&half, &w).len(), 45 + 2);
    }

    #[test]
    fn windows_are_written_as_they_parse() {
        for (s, parts) in [("5d", (5, "d")), ("36h", (36, "h")), ("90m", (90, "m")), ("61s", (61, "s")), ("2w", (14, "d"))] {
            let w = parse_window(s).unwrap();
            assert_eq!(window_parts(w), parts, "{s}");
            assert_eq!(parse_window(&format!("{}{}", parts.0, parts.1)), Some(w), "{s}");
        }
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
        // 30 documents: 0 and 1 share sixty rare terms; everyone shares term 99.
        let mut words: Vec<Vec<u64>> = (0..30).map(|i| vec![99, 1000 + i]).collect();
        for t in 1..=60 {
            words[0].push(t);
            words[1].push(t);
        }
        for w in &mut words {
            w.sort_unstable();
        }
        let terms = story_terms(&words, &Weights::default());
        assert!(terms[2].is_empty(), "a word in every document is no story term");
        let edges = story_edges(&terms, &vec![None; 30], 0.2, None, &Weights::default());
        assert_eq!(edges.len(), 1);
        assert_eq!((edges[0].a, edges[0].b), (0, 1));
        // Outside the window, no edge.
        let mut ts = vec![None; 30];
        ts[0] = Some(0);
        ts[1] = Some(10 * 86_400);
        assert!(story_edges(&terms, &ts, 0.2, Some(7 * 86_400), &Weights::default()).is_empty());
    }
}
