//! The `scan` pipeline, wired stage by stage.
//!
//! [`scan`] runs the modules in data-flow order and returns a [`ScanResult`] of plain data
//! (the scan job, `jobs::scan::run_scan`, writes it). Stages:
//!
//! 1. **read + tokenize** — a reader thread splits the inputs into documents (JSONL lines
//!    unparsed, [`Unparsed`]) in batches of [`BATCH_DOCS`]; the rayon pool parses and tokenises
//!    each batch (words with their offsets, lines) while the next one is read. Texts are
//!    dropped once tokenised. Document numbers are input order, assigned before any parallel
//!    work.
//! 2. **furniture** — lines recurring as page furniture are found across the dump and set
//!    aside ([`crate::text::furniture`]).
//! 3. **sign** — shingle sets, winnowed anchors and MinHash signatures of the bodies.
//! 4. **exact** — documents with identical shingle sets are grouped (verified set equality,
//!    Jaccard 1); one representative of each group goes on, so mass duplicates never flood
//!    the candidate stage.
//! 5. **candidates** — LSH banding (similar documents) plus shared anchors (asymmetric
//!    copies and shared passages) ([`crate::sketch::lsh`]).
//! 6. **verify** — exact Jaccard and containment of every candidate, large buckets linked
//!    ([`crate::matching::verify`]).
//! 7. **passages** — shared passages of the verified pairs ([`crate::matching::passage`]), which
//!    classify the edges (without passages, for `reprint dedup` and `--no-passages`, only
//!    the pairs below the Jaccard threshold, whose kind depends on them).
//! 8. **cluster** — union-find over near-duplicate and containment edges, partial copies
//!    attached to their sources ([`crate::matching::cluster`]); then each member is linked to its
//!    cluster's origin when no pair joined them (origin links).
//! 9. **reuse** — origins, reuse shares, roles and per-outlet figures ([`crate::matching::reuse`]).
//! 10. **stories** — articles telling the same story, grouped from the copy clusters
//!     ([`crate::story`]).
//!
//! Every step that runs in parallel writes into slots fixed by document number, and every
//! list is sorted before use, so results are identical for any thread count.

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Instant;

use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use serde::Serialize;

use crate::matching::cluster::{cluster, Cluster};
use crate::config::{FieldMap, InputSpec, ScanConfig};
use crate::error::{Error, Result};
use crate::text::furniture::{self, DocLines, LineFeature};
use crate::engine::line_counts::{self, LineCounts};
use crate::input::{read_in_batches, Batching, DocMeta, InputFile, InputIssue, InputSummary, SkipReason, Unparsed};
use crate::sketch::lsh::{self, candidates, winnow, Provenance, ANCHOR_WINDOW};
use crate::sketch::minhash::{MinHasher, SigValue, MINHASH_SEED};
use crate::text::normalize::{text_fingerprint, tokenize_with, Tokens};
use crate::matching::passage::{align_indexed, Passage, Side};
use crate::engine::budget::{Held, MemoryInfo, TempSpace};
use crate::engine::lists::DocLists;
use crate::engine::spill::Sorter;
use crate::engine::progress::{Progress, Unit};
use crate::text::lists::Lists;
use crate::matching::reuse::{self, DocReuse, DocShape, OriginKey, Role};
use crate::text::shingle::{shingle_sequence, Shingle, ShingleSet, SHINGLE_SEED, TOKEN_SEED};
use crate::story;
use crate::matching::verify::{classify, verify, Edge, EdgeKind};

/// Documents per batch handed from the reader thread to the tokenising pool: large enough to
/// keep both cores busy between hand-offs, small enough that only a few thousand texts are
/// in memory at once.
pub const BATCH_DOCS: usize = 2048;

/// Batches the reader may run ahead of the tokenisers; bounds the texts held in memory.
const READ_AHEAD_BATCHES: usize = 2;

/// Documents tokenised per parallel task; each task also collects the words it saw.
const VOCABULARY_CHUNK_DOCS: usize = 64;
/// Slots of the direct-mapped cache of recently recorded words in front of the vocabulary
/// table (a power of two): 4,096 fingerprints (32 KB) hold a text's frequent words, so most
/// words cost one load instead of a hash-table lookup.
const VOCABULARY_CACHE: usize = 4096;
/// Most pairs aligned by one task of the passage stage: enough to tokenise most documents of
/// a component once, few enough that a component of thousands of pairs (a daily market report
/// repeated for months) is shared among the threads.
const PASSAGE_PIECE_EDGES: usize = 256;

/// Bytes an anchor's posting (anchor, representative) takes in memory, padding included.
const ANCHOR_POSTING_BYTES: u64 = std::mem::size_of::<(u64, u32)>() as u64;

/// Seconds in a day: publication days (furniture spreads, template anchors) are timestamps divided by it.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// Seeds of every persisted hash, recorded in `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Seeds {
    /// Word fingerprints.
    pub token: u64,
    /// Shingle fingerprints.
    pub shingle: u64,
    /// MinHash coefficient stream (SplitMix64).
    pub minhash: u64,
    /// LSH band keys (band `i` uses `band + i`).
    pub band: u64,
}

/// The parameters a run used, as recorded in `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Parameters {
    /// Shingle width in words.
    pub shingle: usize,
    /// MinHash permutations.
    pub perms: usize,
    /// Jaccard threshold for verified edges.
    pub threshold: f64,
    /// Containment threshold for containment edges.
    pub containment: f64,
    /// Reuse share for a `copy` and for a `partial` copy.
    pub roles: BTreeMap<&'static str, f64>,
    /// Winnowing window of anchors, in shingles.
    pub anchor_window: usize,
    /// Whether furniture was detected and set aside.
    pub furniture: bool,
    /// Weighted-Jaccard threshold of story edges.
    pub story_threshold: f64,
    /// Story time window in seconds (`null`: none).
    pub story_window: Option<i64>,
    /// Whether stories were grouped (false with `--no-stories`: no `stories.jsonl`).
    pub stories: bool,
    /// Whether passages and reuse were computed (false with `--no-passages`: no
    /// `passages.jsonl`, `outlets.jsonl` or page, and no reuse, role or source).
    pub passages: bool,
    /// LSH bands.
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
    /// `derived` from the threshold, or `given` with `--bands/--rows`.
    pub banding: &'static str,
    /// Candidate probability at the threshold and at threshold +/- 0.1, for reading the curve.
    pub candidate_probability: BTreeMap<String, f64>,
    /// Hash seeds.
    pub seeds: Seeds,
    /// Field mapping flags given (`null` = defaults).
    pub fields: FieldMap,
    /// Whether `--strict` was given.
    pub strict: bool,
    /// Records larger than this many bytes were skipped as `too_large`.
    pub max_doc_bytes: u64,
    /// Internal cut-offs moved with `--tune` (the defaults sweep), by name; absent when none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tuning: BTreeMap<&'static str, f64>,
}

/// Counts per stage, as recorded in `run.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Input documents (one per line of `documents.jsonl`).
    pub documents: usize,
    /// Documents shingled and signed.
    pub processed: usize,
    /// Documents skipped, in total.
    pub skipped: usize,
    /// Skipped documents by reason code.
    pub skipped_by_reason: BTreeMap<&'static str, usize>,
    /// File-level input problems (see `input_issues`).
    pub input_issues: usize,
    /// Ids seen before and renamed to `ID@FILE:LINE`.
    pub renamed_ids: usize,
    /// Documents kept whose date cannot be read (`2024-02-30`, an unknown format): they count
    /// as undated, and the scan warns with the first of them.
    pub unreadable_dates: usize,
    /// Input bytes (decompressed records).
    pub bytes: u64,
    /// Distinct shingles summed over documents.
    pub shingles: u64,
    /// Documents whose shingle set equals an earlier document's.
    pub exact_duplicates: usize,
    /// Documents that went through LSH (one per distinct shingle set).
    pub lsh_documents: usize,
    /// Band collisions before removing repeated pairs.
    pub band_collisions: u64,
    /// Distinct candidate pairs from LSH banding.
    pub lsh_pairs: usize,
    /// Distinct candidate pairs from shared anchors.
    pub anchor_pairs: usize,
    /// Anchors left out for being shared by too many documents.
    pub crowded_anchors: usize,
    /// Anchors left out as an outlet's template text.
    pub template_anchors: usize,
    /// Distinct candidate pairs verified: both routes' pairs, and the pairs measured to link
    /// large buckets.
    pub candidate_pairs: usize,
    /// Largest LSH bucket.
    pub largest_bucket: usize,
    /// Band buckets and anchors shared by more than `lsh::BUCKET_ALL_PAIRS` documents, whose
    /// documents were linked instead of paired (their pairs are in `candidate_pairs`).
    pub large_buckets: usize,
    /// Verified edges of every kind, including exact-duplicate edges.
    pub verified_edges: usize,
    /// Verified edges added after clustering between a member and its cluster's origin, where
    /// no candidate pair linked them (included in `verified_edges`).
    pub origin_links: usize,
    /// Verified edges by kind.
    pub edges_by_kind: BTreeMap<&'static str, usize>,
    /// Shared passages written to `passages.jsonl`: those of the pairs a member's reuse is
    /// attributed to, and of pairs across clusters (see [`attributed_passages`]).
    pub passages: usize,
    /// Words set aside as furniture.
    pub furniture_words: u64,
    /// Distinct furniture lines.
    pub furniture_lines: usize,
    /// Documents by role.
    pub roles: BTreeMap<&'static str, usize>,
    /// Verified story edges.
    pub story_edges: usize,
    /// Story edges not taken: single weak links between two groups.
    pub story_bridges: usize,
    /// What the story stage's edge search read and compared.
    pub story_search: story::SearchWork,
    /// Stories of two or more documents.
    pub stories: usize,
    /// Documents inside stories.
    pub documents_in_stories: usize,
    /// Clusters of two or more.
    pub clusters: usize,
    /// Documents inside clusters.
    pub documents_in_clusters: usize,
    /// Size of the largest cluster.
    pub largest_cluster: usize,
}

/// Seconds per stage, as recorded in `run.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Seconds {
    /// Reading, normalising and tokenising (overlapped).
    pub read_and_tokenize: f64,
    /// Furniture detection.
    pub furniture: f64,
    /// Shingling, anchors and signatures.
    pub sign: f64,
    /// Grouping identical shingle sets.
    pub exact: f64,
    /// Candidate generation (LSH and anchors).
    pub candidates: f64,
    /// Exact verification.
    pub verify: f64,
    /// Passage alignment.
    pub passages: f64,
    /// Clustering.
    pub cluster: f64,
    /// Reuse scores.
    pub reuse: f64,
    /// Story grouping.
    pub stories: f64,
    /// All of the above.
    pub total: f64,
}

/// Everything `run.json` says about a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// Always `reprint`.
    pub tool: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// The command that ran.
    pub command: &'static str,
    /// Parameters.
    pub parameters: Parameters,
    /// Worker threads (the only field besides `seconds` that may differ between runs whose
    /// other outputs are identical).
    pub threads: usize,
    /// The inputs as named on the command line (`-` for standard input); `reprint show`
    /// reads them again for texts.
    pub arguments: Vec<String>,
    /// Input files, in reading order.
    pub inputs: Vec<InputFile>,
    /// Counts per stage.
    pub counts: Counts,
    /// Seconds per stage.
    pub seconds: Seconds,
    /// File-level problems with inputs.
    pub input_issues: Vec<InputIssue>,
    /// Files in input directories that were neither articles nor dumps.
    pub ignored_files: Vec<String>,
    /// `.txt` files decoded from another encoding than UTF-8.
    pub decoded_files: Vec<String>,
    /// Ids renamed because they repeated an earlier id: `[original, new]`.
    pub renamed_ids: Vec<[String; 2]>,
    /// Story edges not taken because they were the only link between two groups.
    pub story_bridges: Vec<BridgeLine>,
    /// The memory budget, what outgrew it and went to disk, and the temporary files' peak.
    pub memory: MemoryInfo,
    /// For `index add` and `index query`: the index, the older articles scanned with the new
    /// ones, and what changed (the index job's `IndexRun`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<serde_json::Value>,
}

/// A story bridge, as listed in `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct BridgeLine {
    /// One end (document id).
    pub a: String,
    /// The other end.
    pub b: String,
    /// Weighted Jaccard of their story terms.
    pub weight: f64,
}

/// A story, as written to `stories.jsonl`.
#[derive(Debug, Clone, Serialize)]
pub struct StoryLine {
    /// Story id.
    pub id: u32,
    /// Number of articles.
    pub size: usize,
    /// Member ids in input order.
    pub members: Vec<String>,
    /// Distinct outlets, sorted.
    pub outlets: Vec<Option<String>>,
    /// Earliest and latest publication date among dated members, as written in the input.
    pub date_span: [Option<String>; 2],
    /// The terms that define the story, strongest first.
    pub top_terms: Vec<String>,
    /// Copy clusters inside the story.
    pub clusters: Vec<u32>,
    /// The earliest telling.
    pub origin: String,
    /// Per outlet: its articles in the story and how much of their text came from earlier
    /// coverage of the story.
    pub outlet_reuse: Vec<StoryOutletReuse>,
    /// Earlier stories this one follows up: a story edge links them, but together they would
    /// span more than `--story-window` (README, "Stories").
    pub follows: Vec<u32>,
}

/// One outlet's part in a story.
#[derive(Debug, Clone, Serialize)]
pub struct StoryOutletReuse {
    /// Outlet.
    pub outlet: Option<String>,
    /// Its articles in the story.
    pub documents: usize,
    /// Their body words.
    pub words: u64,
    /// Body words inside passages shared with earlier articles of the story.
    pub reused_words: u64,
    /// `reused_words / words`.
    pub reuse_share: f64,
}

/// Per-outlet figures (`outlets.jsonl`).
#[derive(Debug, Clone, Serialize)]
pub struct OutletStats {
    /// Outlet name (`null` for documents without one).
    pub outlet: Option<String>,
    /// Documents processed.
    pub documents: usize,
    /// Documents skipped.
    pub skipped: usize,
    /// Words, furniture included.
    pub words: u64,
    /// Body words (furniture set aside).
    pub body_words: u64,
    /// Body words reused from earlier articles of their clusters.
    pub reused_words: u64,
    /// `reused_words / body_words`.
    pub reused_share: f64,
    /// Documents that are their cluster's origin.
    pub origin: usize,
    /// Wholly derived documents.
    pub copy: usize,
    /// Partly derived documents.
    pub partial: usize,
    /// Documents not derived.
    pub unique: usize,
    /// Words set aside as furniture.
    pub furniture_words: u64,
    /// `furniture_words / words`.
    pub furniture_share: f64,
    /// Outlets it reused from, with words, most first (the syndication graph).
    pub sources: Vec<SourceWords>,
}

/// Words one outlet reused from another.
#[derive(Debug, Clone, Serialize)]
pub struct SourceWords {
    /// The source outlet.
    pub outlet: Option<String>,
    /// Words reused from it.
    pub words: u64,
}

/// The result of a scan: plain data for reporters.
#[derive(Debug, Clone)]
pub struct ScanResult {
    /// Metadata of every input document, in input order.
    pub docs: Vec<DocMeta>,
    /// Per document: why it was skipped, or `None`.
    pub skipped: Vec<Option<SkipReason>>,
    /// Per document: its cluster id, or `None`.
    pub cluster_of: Vec<Option<u32>>,
    /// Clusters of two or more, by first member.
    pub clusters: Vec<Cluster>,
    /// Per cluster: its origin document and why.
    pub origins: Vec<(u32, &'static str)>,
    /// Every verified edge (in and between clusters), sorted by `(a, b)`.
    pub edges: Vec<Edge>,
    /// Passages of each edge in `edges`.
    pub passages: Vec<Vec<Passage>>,
    /// Per document: reuse figures (`None` when skipped, or without passages); empty for
    /// `reprint dedup`, which writes none.
    pub reuse: Vec<Option<DocReuse>>,
    /// Per document: words set aside as furniture, and all words.
    pub furniture: Vec<(u32, u32)>,
    /// Per document: the furniture set aside, as word ranges (sorted, disjoint), for reports
    /// that strike it through in the text.
    pub furniture_ranges: Vec<Vec<Range<usize>>>,
    /// Per-outlet figures, by outlet name.
    pub outlets: Vec<OutletStats>,
    /// Per document: its story id, or `None`.
    pub story_of: Vec<Option<u32>>,
    /// Stories of two or more documents.
    pub stories: Vec<StoryLine>,
    /// Per document, what `reprint dedup` does with it (when the config asked).
    pub dedup: Option<Vec<crate::matching::keep::Decision>>,
    /// What reading found (files, issues).
    pub inputs: InputSummary,
    /// Parameters, counts and timings.
    pub run: RunInfo,
    /// Set for a persistent index's `add` and `query`: which documents are the index's and
    /// the clusters' lasting ids (see [`IndexView`]).
    pub view: Option<IndexView>,
}

/// How the outputs of an incremental scan present it: the leading `history` documents are the
/// index's articles the new ones were matched against. `documents.jsonl` and `outlets.jsonl`
/// list only the new documents; clusters, passages and stories are written when they
/// involve a new document; cluster ids are the index's lasting ids.
#[derive(Debug, Clone, Default)]
pub struct IndexView {
    /// Leading documents that come from the index.
    pub history: usize,
    /// Per cluster (by position): its id in the index.
    pub cluster_ids: Vec<u32>,
}

impl ScanResult {
    /// Whether document `d` is written to `documents.jsonl` (every input document is; an
    /// incremental scan's index articles are not).
    pub fn is_shown(&self, d: u32) -> bool {
        self.view.as_ref().is_none_or(|v| d as usize >= v.history)
    }

    /// Whether a cluster is written: every cluster, or in an incremental scan those with a
    /// new document.
    pub fn cluster_shown(&self, c: &Cluster) -> bool {
        self.view.is_none() || c.members.iter().any(|&m| self.is_shown(m))
    }

    /// The id a cluster is written under (its lasting id in an incremental scan).
    pub fn cluster_label(&self, c: u32) -> u32 {
        self.view.as_ref().map_or(c, |v| v.cluster_ids[c as usize])
    }

    /// True when some input was skipped or unreadable (exit code 3 in the binary).
    pub fn has_input_problems(&self) -> bool {
        self.run.counts.skipped > 0 || !self.inputs.issues.is_empty()
    }
}

/// A document's words and lines, or why it has none.
struct Body {
    /// Word fingerprints in order (8 bytes a word; offsets are recovered from the text when
    /// passages need them). Emptied once the document is signed.
    hashes: Vec<u64>,
    /// Number of words.
    words: u32,
    /// Line features, for learning furniture; emptied once furniture is known.
    lines: Vec<LineFeature>,
    wire: bool,
    /// [`text_fingerprint`] of the whole text.
    text: u64,
}

fn timed<T>(slot: &mut f64, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    *slot = t.elapsed().as_secs_f64();
    out
}

/// Runs the scan pipeline in the current rayon pool and returns its result without writing.
pub fn scan(config: &ScanConfig, progress: &dyn Progress) -> Result<ScanResult> {
    scan_with(config, progress, None)
}

/// Decides the fate of an anchor shared by these documents of a scan (numbers, publication
/// days), counting what else shares it.
pub type SharedAnchorFate<'a> = dyn Fn(u64, &[(u32, Option<i64>)]) -> lsh::AnchorFate + Sync + 'a;

/// What an incremental scan (a persistent index's `add` and `query`, the index job)
/// knows beyond its inputs: its first input holds the index's articles that the new ones may
/// touch, and the statistics learned over a whole dump are those of the whole index plus the
/// new articles, so the result for the new articles is the one a scan of everything gives.
pub struct Incremental<'a> {
    /// Leading documents that come from the index (the first input), not from the user.
    pub history: usize,
    /// Furniture judged over the whole index and the inputs (instead of over this scan's
    /// documents alone).
    pub furniture: &'a furniture::Judgement,
    /// The fate of an anchor shared by these documents of the scan (numbers and publication
    /// days), counting the index's articles that share it too.
    pub anchor_fate: &'a SharedAnchorFate<'a>,
    /// Whether an id is taken by an article of the index outside this scan (a new document
    /// repeating it is renamed, as a scan of everything would).
    pub id_taken: &'a (dyn Fn(&str) -> bool + Sync),
}

/// What stage 1 (read + tokenize) found: every document's metadata and words, in input order.
pub struct ReadDocs {
    /// Metadata, by document number.
    pub docs: Vec<DocMeta>,
    bodies: Vec<std::result::Result<Body, SkipReason>>,
    /// Every distinct word, for naming the terms that define a story.
    pub vocabulary: AHashMap<u64, Box<str>>,
    /// What was read.
    pub summary: InputSummary,
    /// Seconds it took.
    pub seconds: f64,
    /// Whether every document kept its word fingerprints (and its lines); if not, signing
    /// reads the inputs again.
    pub words_held: bool,
    /// The furniture rule's counts of every document's lines, with [`ReadLines::Count`].
    pub line_counts: Option<LineCounts>,
    /// The shard read, for reading it again.
    shard: Option<(u32, u32)>,
}

impl ReadDocs {
    /// Why each document was not processed, if it was not.
    pub fn skipped(&self) -> Vec<Option<SkipReason>> {
        self.bodies.iter().map(|b| b.as_ref().err().cloned()).collect()
    }

    /// Each document's lines as the furniture rule counts them ([`furniture::line_words`]).
    pub fn line_words(&self) -> Vec<Vec<(u64, u32)>> {
        self.bodies.par_iter().map(|b| b.as_ref().map_or_else(|_| Vec::new(), |b| furniture::line_words(&b.lines))).collect()
    }
}

/// What [`read_stage`] does with each document's lines (the furniture rule's input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadLines {
    /// Counted for the rule as they are read ([`ReadDocs::line_counts`]), and kept with the
    /// words (for setting furniture aside) while those are kept.
    Count,
    /// Kept with the words while those are kept, not counted (the judgement is given).
    WithWords,
    /// Always kept (`reprint sign --lines` writes them), not counted.
    Keep,
}

/// Stage 1, read + tokenize. With `shard`, only that shard's files are read
/// ([`Batching::shard`]). While the word fingerprints (8 bytes a word) total at most `words`
/// bytes (the budget's allowance, [`Held::Words`], less its share of the metadata read so
/// far), each document keeps them and its lines;
/// past that every document's are dropped ([`ReadDocs::words_held`] is false) and
/// [`sign_stage`] reads the inputs again. `lines` says whether the lines are also counted
/// for the furniture rule as they are read, or kept whatever the words.
pub fn read_stage(
    config: &ScanConfig,
    progress: &dyn Progress,
    shard: Option<(u32, u32)>,
    words: u64,
    lines: ReadLines,
    space: &TempSpace,
) -> Result<ReadDocs> {
    let t = Instant::now();
    let mut docs: Vec<DocMeta> = Vec::new();
    let mut bodies: Vec<std::result::Result<Body, SkipReason>> = Vec::new();
    // Every distinct word, for naming the terms that define a story.
    let mut vocabulary: AHashMap<u64, Box<str>> = AHashMap::new();
    progress.begin("read", None, Unit::Bytes);
    let exclude = std::slice::from_ref(&config.outdir);
    let batching = Batching { docs: BATCH_DOCS, ahead: READ_AHEAD_BATCHES, shard };
    let mut keep_words = words > 0;
    let mut words_bytes = 0u64;
    // What the documents read so far hold whatever the budget (`held_whatever_the_budget`).
    let mut held = 0u64;
    let count_lines = lines == ReadLines::Count && config.furniture;
    let mut line_counts = count_lines.then(|| LineCounts::under(&config.memory));
    let mut failure: Option<Error> = None;
    let summary =
        read_in_batches(&config.inputs, exclude, config.stdin_copy.as_deref(), false, None, config.max_doc_bytes, batching, &mut |batch| {
            let bytes: u64 = batch.iter().map(Unparsed::bytes).sum();
            let keep = keep_words;
            let keep_lines = keep || lines == ReadLines::Keep;
            type Counted = Option<(u64, Vec<furniture::LineEntry>)>;
            type Parsed = Vec<(DocMeta, std::result::Result<Body, SkipReason>, Counted)>;
            let chunks: Vec<(Parsed, AHashMap<u64, Box<str>>)> = batch
                .into_par_iter()
                .chunks(VOCABULARY_CHUNK_DOCS)
                .map(|records| {
                    let mut scratch = String::new();
                    let mut tokens = Tokens::default();
                    let mut words: AHashMap<u64, Box<str>> = AHashMap::new();
                    // Words recorded lately, by the low bits of their fingerprint: frequent words
                    // are found here and skip the table.
                    let mut recent = vec![0u64; VOCABULARY_CACHE];
                    let parsed = records
                        .into_iter()
                        .map(|rec| {
                            let rec = rec.parse(&config.fields);
                            let mut counted = None;
                            let body = rec.body.and_then(|text| {
                                tokenize_with(&text, &mut tokens, &mut scratch, |h, w| {
                                    let slot = &mut recent[h as usize & (VOCABULARY_CACHE - 1)];
                                    if *slot != h {
                                        *slot = h;
                                        // The vocabulary of earlier batches is only read here;
                                        // new words are merged in after the batch.
                                        if !vocabulary.contains_key(&h) {
                                            words.entry(h).or_insert_with(|| w.into());
                                        }
                                    }
                                });
                                if tokens.tokens.is_empty() {
                                    return Err(SkipReason::NoWords);
                                }
                                let mut lines = furniture::line_features(&text, &tokens);
                                if count_lines {
                                    counted = line_counts::prepare(&lines);
                                }
                                if !keep_lines {
                                    lines = Vec::new();
                                }
                                let fingerprint = text_fingerprint(&tokens.tokens);
                                let hashes: Vec<u64> =
                                    if keep { tokens.tokens.iter().map(|t| t.hash).collect() } else { Vec::new() };
                                let words = tokens.tokens.len() as u32;
                                Ok(Body { hashes, words, lines, wire: reuse::has_wire_byline(&text), text: fingerprint })
                            });
                            (rec.meta, body, counted)
                        })
                        .collect();
                    (parsed, words)
                })
                .collect();
            for (parsed, new_words) in chunks {
                for (meta, body, counted) in parsed {
                    words_bytes += body.as_ref().map_or(0, |b| b.hashes.len() as u64 * 8);
                    held += held_by(&meta);
                    if let Some(c) = line_counts.as_mut().filter(|_| failure.is_none()) {
                        if let Err(e) = c.add(meta.outlet.as_deref(), counted, space) {
                            failure = Some(e);
                        }
                    }
                    docs.push(meta);
                    bodies.push(body);
                }
                for (h, w) in new_words {
                    vocabulary.entry(h).or_insert(w);
                }
            }
            // The words' share is of what the metadata read so far leaves (as the budget's
            // allowances are once everything is read).
            if keep_words && words_bytes > words.saturating_sub((held as f64 * Held::Words.share()) as u64) {
                // Over the allowance: signing reads the inputs again instead.
                keep_words = false;
                for b in bodies.iter_mut().flatten() {
                    b.hashes = Vec::new();
                    if lines != ReadLines::Keep {
                        b.lines = Vec::new();
                    }
                }
            }
            progress.advance(bytes);
        })?;
    progress.end();
    if let Some(e) = failure {
        return Err(e);
    }
    let seconds = t.elapsed().as_secs_f64();
    Ok(ReadDocs { docs, bodies, vocabulary, summary, seconds, words_held: keep_words, line_counts, shard })
}

/// Bytes of fixed figures every article keeps for the whole run besides its metadata: word
/// count, distinct shingles, set fingerprint, text fingerprint, wire byline and skip reason.
pub const FIGURES_PER_ARTICLE: u64 = (2 * std::mem::size_of::<u32>()
    + std::mem::size_of::<u64>()
    + std::mem::size_of::<Option<u64>>()
    + std::mem::size_of::<bool>()
    + std::mem::size_of::<Option<SkipReason>>()) as u64;

/// What one document holds whatever the budget: its metadata and fixed figures
/// ([`FIGURES_PER_ARTICLE`]).
fn held_by(doc: &DocMeta) -> u64 {
    doc.held_bytes() + FIGURES_PER_ARTICLE
}

/// What `docs` hold whatever the budget ([`held_by`] each).
pub fn held_whatever_the_budget(docs: &[DocMeta]) -> u64 {
    docs.iter().map(held_by).sum()
}

/// The configuration to go on with once `docs` are read: the budget checked against what
/// they hold whatever it is (an error names the smallest budget that works), and that much
/// reserved, so the allowances are shares of the rest.
pub fn reserve(config: &ScanConfig, docs: &[DocMeta]) -> Result<ScanConfig> {
    let held = held_whatever_the_budget(docs);
    config.memory.check(held, docs.len())?;
    let mut config = config.clone();
    config.memory.reserved = held;
    Ok(config)
}

/// The counts of what was read: documents, skipped (by reason), processed, input problems and
/// bytes.
pub fn input_counts(docs: &[DocMeta], skipped: &[Option<SkipReason>], summary: &InputSummary) -> Counts {
    let mut counts = Counts { documents: docs.len(), ..Counts::default() };
    for reason in skipped.iter().flatten() {
        *counts.skipped_by_reason.entry(reason.code()).or_default() += 1;
    }
    counts.skipped = skipped.iter().filter(|s| s.is_some()).count();
    counts.processed = docs.len() - counts.skipped;
    counts.input_issues = summary.issues.len();
    counts.unreadable_dates = unreadable_dates(docs, skipped).count();
    counts.bytes = docs.iter().map(|d| d.bytes).sum();
    counts
}

/// The documents kept whose date is given but cannot be read ([`crate::input::parse_date`]).
pub fn unreadable_dates<'a>(docs: &'a [DocMeta], skipped: &'a [Option<SkipReason>]) -> impl Iterator<Item = usize> + 'a {
    (0..docs.len()).filter(|&i| skipped[i].is_none() && docs[i].date.is_some() && docs[i].timestamp.is_none())
}

/// `--strict`: any skipped document or input problem is an error naming the first.
pub fn check_strict(config: &ScanConfig, docs: &[DocMeta], skipped: &[Option<SkipReason>], summary: &InputSummary) -> Result<()> {
    let count = skipped.iter().filter(|s| s.is_some()).count() + summary.issues.len();
    if !config.strict || count == 0 {
        return Ok(());
    }
    let first = match skipped.iter().position(Option::is_some) {
        Some(i) => format!("{}: {}", summary.locate(docs[i].location), skipped[i].as_ref().expect("skipped")),
        None => summary.issues[0].to_string(),
    };
    Err(Error::Strict { count, first })
}

/// What stages 1 to 3 know of every document (by number): where the later stages start. A
/// scan builds it from its inputs ([`sign_stage`]); `reprint cluster` from the Parquet files
/// of `reprint sign` (the shard job).
pub struct Signed {
    /// Metadata.
    pub docs: Vec<DocMeta>,
    /// Why each document was not processed, if it was not.
    pub skipped: Vec<Option<SkipReason>>,
    /// What was read.
    pub summary: InputSummary,
    /// Counts so far.
    pub counts: Counts,
    /// Seconds so far.
    pub seconds: Seconds,
    /// Ids repeated in the input, with the names given instead.
    pub renamed_ids: Vec<[String; 2]>,
    /// Words of each document.
    pub word_count: Vec<u32>,
    /// Whether each text has a wire byline (an origin key).
    pub wire: Vec<bool>,
    /// [`text_fingerprint`] of each text (for `reprint dedup`).
    pub text: Vec<Option<u64>>,
    /// Lines set aside.
    pub furniture: furniture::Furniture,
    /// Shingle sets (sorted fingerprints), held or on disk. Built by `cluster`, only the sets
    /// later stages compare (documents in a candidate pair or sharing a set fingerprint) are
    /// filled.
    pub sets: DocLists,
    /// Body words (words not set aside as furniture) of each document.
    pub body_words: Vec<u32>,
    /// Distinct shingles of each document (0 for one not processed).
    pub shingles: Vec<u32>,
    /// [`ShingleSet::fingerprint`] of each set.
    pub content: Vec<u64>,
    /// Winnowed anchors (empty when the candidates come from elsewhere).
    pub anchors: DocLists,
    /// Distinct body words of each document (for story terms; empty without stories).
    pub story_words: DocLists,
    /// Every distinct word, for naming the terms that define a story.
    pub vocabulary: AHashMap<u64, Box<str>>,
}

/// Documents signed per parallel step before their lists are appended (in document order)
/// to the stores: enough to keep both cores busy, few enough that the step's own lists are
/// a few megabytes.
const SIGN_CHUNK_DOCS: usize = 4096;

/// What signing finds of one document.
#[derive(Default)]
struct Sketch {
    set: Vec<u64>,
    body_words: u32,
    content: u64,
    anchors: Vec<u64>,
    story_words: Vec<u64>,
}

/// Signs one document from its word fingerprints and the ranges of them set aside as
/// furniture: its shingle set, anchors and (for stories) distinct body words.
fn sketch(words: &[u64], furniture: &[Range<usize>], k: usize, stories: bool) -> Sketch {
    let (seq, body_words) = shingle_sequence(words, furniture, k);
    let set = ShingleSet::from_sequence(&seq, body_words);
    let hashes: Vec<u64> = seq.iter().map(|s| s.hash).collect();
    let anchors = winnow(&hashes, ANCHOR_WINDOW);
    let story_words = if stories { body_word_set(words, furniture) } else { Vec::new() };
    Sketch { content: set.fingerprint(), body_words, set: set.hashes, anchors, story_words }
}

/// The stores signing appends to, in document order.
struct SignStores<'s> {
    space: &'s TempSpace,
    sets: DocLists,
    anchors: DocLists,
    story_words: DocLists,
    body_words: Vec<u32>,
    shingles: Vec<u32>,
    content: Vec<u64>,
}

impl SignStores<'_> {
    fn push(&mut self, s: Sketch) -> Result<()> {
        self.body_words.push(s.body_words);
        self.shingles.push(s.set.len() as u32);
        self.content.push(s.content);
        self.sets.push(s.set, self.space)?;
        self.anchors.push(s.anchors, self.space)?;
        self.story_words.push(s.story_words, self.space)
    }
}

/// Stages 2 and 3: furniture (judged over these documents, or as given), then shingle sets,
/// anchors and distinct body words, each kept in memory or moved to `space` by the budget
/// ([`DocLists`]). Consumes each document's words; when reading dropped them
/// ([`ReadDocs::words_held`]), the inputs are read and tokenised again, document by document
/// checked against the first reading.
pub fn sign_stage(
    config: &ScanConfig,
    progress: &dyn Progress,
    read: ReadDocs,
    counts: Counts,
    judgement: Option<&furniture::Judgement>,
    space: &TempSpace,
) -> Result<Signed> {
    let ReadDocs { docs, mut bodies, vocabulary, summary, seconds: read_seconds, words_held, line_counts, shard } = read;
    let mut seconds = Seconds { read_and_tokenize: read_seconds, ..Seconds::default() };
    let mut counts = counts;
    let n = docs.len();
    let k = config.shingle;
    let skipped: Vec<Option<SkipReason>> = bodies.iter().map(|b| b.as_ref().err().cloned()).collect();
    let word_count: Vec<u32> = bodies.iter().map(|b| b.as_ref().map_or(0, |b| b.words)).collect();

    // 2. furniture: judged from the lines counted as they were read (or given), then set
    // aside here from the lines held with the words, or as the inputs are read again.
    let t = Instant::now();
    let day = |i: usize| docs[i].timestamp.map(|t| t.div_euclid(SECONDS_PER_DAY));
    let judged;
    let judgement = match (judgement, line_counts) {
        (Some(j), _) => j,
        (None, Some(c)) => {
            judged = c.judge(&|d| day(d as usize), &config.tuning.furniture)?;
            &judged
        }
        (None, None) => {
            judged = furniture::Judgement::default();
            &judged
        }
    };
    let mut furn = if words_held {
        let lines: Vec<DocLines> = (0..n)
            .map(|i| DocLines {
                outlet: docs[i].outlet.as_deref(),
                day: day(i),
                lines: if config.furniture { bodies[i].as_ref().map_or(&[][..], |b| &b.lines) } else { &[] },
                words: word_count[i],
            })
            .collect();
        furniture::apply(&lines, judgement)
    } else {
        // Set aside document by document as the inputs are read again, below.
        furniture::Furniture { distinct_lines: judgement.distinct_lines, ..Default::default() }
    };
    for b in bodies.iter_mut().flatten() {
        b.lines = Vec::new();
    }
    seconds.furniture = t.elapsed().as_secs_f64();

    // 3. sign
    progress.begin("sign", Some(n as u64), Unit::Documents);
    let t = Instant::now();
    let budget = &config.memory;
    let mut stores = SignStores {
        space,
        sets: DocLists::new(Held::Sets, Held::Sets.allowance(budget)),
        anchors: DocLists::new(Held::Anchors, Held::Anchors.allowance(budget)),
        story_words: DocLists::new(Held::StoryWords, Held::StoryWords.allowance(budget)),
        body_words: Vec::with_capacity(n),
        shingles: Vec::with_capacity(n),
        content: Vec::with_capacity(n),
    };
    let stories = config.stories;
    if words_held {
        // Each document's word fingerprints are consumed here: what later stages need of them
        // is kept, the rest freed as signing goes.
        for (c, chunk) in bodies.chunks_mut(SIGN_CHUNK_DOCS).enumerate() {
            let base = c * SIGN_CHUNK_DOCS;
            let signed: Vec<Sketch> = chunk
                .par_iter_mut()
                .enumerate()
                .map(|(j, body)| {
                    let Ok(body) = body else { return Sketch::default() };
                    let words = std::mem::take(&mut body.hashes);
                    progress.advance(1);
                    sketch(&words, &furn.ranges[base + j], k, stories)
                })
                .collect();
            for s in signed {
                stores.push(s)?;
            }
        }
    } else {
        space.note_spill(Held::Words);
        let exclude = std::slice::from_ref(&config.outdir);
        let batching = Batching { docs: BATCH_DOCS, ahead: READ_AHEAD_BATCHES, shard };
        let mut next = 0usize;
        let mut failure: Option<Error> = None;
        let changed = |d: usize| Error::InputChanged { at: summary.locate(docs[d].location) };
        read_in_batches(&config.inputs, exclude, config.stdin_copy.as_deref(), true, None, config.max_doc_bytes, batching, &mut |batch| {
            let base = next;
            next += batch.len();
            if failure.is_some() {
                return;
            }
            if next > n {
                failure = Some(Error::InputChanged { at: "an input".into() });
                return;
            }
            type Resigned = std::result::Result<(Sketch, u32, Vec<Range<usize>>), usize>;
            let signed: Vec<Resigned> = batch
                .into_par_iter()
                .enumerate()
                .map_init(
                    || (Tokens::default(), String::new()),
                    |(tokens, scratch), (j, rec)| {
                        let d = base + j;
                        // A document skipped by the first reading stays skipped.
                        let Ok(first) = &bodies[d] else { return Ok((Sketch::default(), 0, Vec::new())) };
                        let Ok(text) = rec.parse(&config.fields).body else { return Err(d) };
                        tokenize_with(&text, tokens, scratch, |_, _| {});
                        if text_fingerprint(&tokens.tokens) != first.text {
                            return Err(d);
                        }
                        let lines = if config.furniture { furniture::line_features(&text, tokens) } else { Vec::new() };
                        let doc = DocLines { outlet: docs[d].outlet.as_deref(), day: day(d), lines: &lines, words: word_count[d] };
                        let (set_aside, ranges) = furniture::apply_one(&doc, judgement);
                        let words: Vec<u64> = tokens.tokens.iter().map(|t| t.hash).collect();
                        progress.advance(1);
                        Ok((sketch(&words, &ranges, k, stories), set_aside, ranges))
                    },
                )
                .collect();
            for s in signed {
                let pushed = s.map_err(changed).and_then(|(s, set_aside, ranges)| {
                    furn.words.push(set_aside);
                    furn.ranges.push(ranges);
                    stores.push(s)
                });
                if let Err(e) = pushed {
                    failure = Some(e);
                    return;
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        if next < n {
            return Err(changed(next));
        }
    }
    let SignStores { mut sets, mut anchors, mut story_words, body_words, shingles, content, .. } = stores;
    sets.finish()?;
    anchors.finish()?;
    story_words.finish()?;
    seconds.sign = t.elapsed().as_secs_f64();
    progress.end();
    counts.shingles = shingles.iter().map(|&s| s as u64).sum();
    counts.furniture_words = furn.words.iter().map(|&w| w as u64).sum();
    counts.furniture_lines = furn.distinct_lines;
    let wire: Vec<bool> = bodies.iter().map(|b| b.as_ref().is_ok_and(|b| b.wire)).collect();
    let text: Vec<Option<u64>> = bodies.iter().map(|b| b.as_ref().ok().map(|b| b.text)).collect();
    Ok(Signed {
        docs,
        skipped,
        summary,
        counts,
        seconds,
        renamed_ids: Vec::new(),
        word_count,
        wire,
        text,
        furniture: furn,
        sets,
        body_words,
        shingles,
        content,
        anchors,
        story_words,
        vocabulary,
    })
}

/// Where stage 5's candidate pairs come from.
pub enum Route<'a> {
    /// Banding and anchors here; an incremental scan counts anchors' fates over its index.
    Compute(Option<&'a Incremental<'a>>),
    /// Found elsewhere (`reprint cluster`: Spark or DuckDB over `reprint sign`'s band keys and
    /// anchors): sorted, distinct pairs of representatives by document number, with the
    /// counts the candidate stage reports.
    Given {
        /// The pairs.
        pairs: Vec<(u32, u32)>,
        /// Large buckets of representatives by document number (band buckets, then anchors'),
        /// as [`lsh::candidates`] and [`lsh::anchor_candidates`] hand them on.
        large: lsh::Buckets,
        /// `band_collisions`, `largest_bucket`, `lsh_pairs`, `anchor_pairs`,
        /// `crowded_anchors` and `template_anchors`.
        counts: CandidateCounts,
    },
}

/// What the candidate stage counts ([`Counts`] has the meaning of each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CandidateCounts {
    /// See [`Counts::band_collisions`].
    pub band_collisions: u64,
    /// See [`Counts::largest_bucket`].
    pub largest_bucket: usize,
    /// See [`Counts::lsh_pairs`].
    pub lsh_pairs: usize,
    /// See [`Counts::anchor_pairs`].
    pub anchor_pairs: usize,
    /// See [`Counts::crowded_anchors`].
    pub crowded_anchors: usize,
    /// See [`Counts::template_anchors`].
    pub template_anchors: usize,
}

/// [`scan`], incremental when `incremental` is given.
pub fn scan_with(config: &ScanConfig, progress: &dyn Progress, incremental: Option<&Incremental<'_>>) -> Result<ScanResult> {
    config.validate()?;
    let started = Instant::now();
    let space = TempSpace::new(&config.memory.temp_dir);
    let lines = if incremental.is_some() { ReadLines::WithWords } else { ReadLines::Count };
    let read = read_stage(config, progress, None, Held::Words.allowance(&config.memory), lines, &space)?;
    let config = &reserve(config, &read.docs)?;
    let skipped = read.skipped();
    let counts = input_counts(&read.docs, &skipped, &read.summary);
    check_strict(config, &read.docs, &skipped, &read.summary)?;
    let history = incremental.map_or(0, |c| c.history);
    if let Some(i) = (0..history.min(read.docs.len())).find(|&i| skipped[i].is_some()) {
        return Err(Error::Invariant(format!(
            "article {} of the index could not be read back: {}",
            read.docs[i].id,
            skipped[i].as_ref().expect("skipped")
        )));
    }
    drop(skipped);
    let mut signed = sign_stage(config, progress, read, counts, incremental.map(|c| c.furniture), &space)?;
    signed.renamed_ids = disambiguate_ids(&mut signed.docs, &signed.summary, incremental.map(|c| c.id_taken));
    signed.counts.renamed_ids = signed.renamed_ids.len();
    finish(config, progress, signed, Route::Compute(incremental), started, &space)
}

/// Stages 4 to 10 over what stages 1 to 3 found ([`Signed`]); `space` is where they spilled.
pub fn finish(
    config: &ScanConfig,
    progress: &dyn Progress,
    signed: Signed,
    route: Route<'_>,
    started: Instant,
    space: &TempSpace,
) -> Result<ScanResult> {
    let banding = config.effective_banding();
    let hasher = MinHasher::new(config.perms);
    let k = config.shingle;
    let Signed {
        docs,
        skipped,
        summary,
        mut counts,
        mut seconds,
        renamed_ids,
        word_count,
        wire,
        text: text_fps,
        furniture: furn,
        sets,
        body_words,
        shingles,
        content,
        anchors,
        story_words,
        vocabulary,
    } = signed;
    let n = docs.len();
    let incremental = match &route {
        Route::Compute(c) => *c,
        Route::Given { .. } => None,
    };
    let history = incremental.map_or(0, |c| c.history);

    // 4. exact duplicates (the set fingerprints also break ties in the origin order)
    let (exact_edges, representatives, group_head) =
        timed(&mut seconds.exact, || exact_duplicates(&sets, &shingles, &content));
    sets.check()?;
    counts.exact_duplicates = exact_edges.len();
    counts.lsh_documents = representatives.len();

    // 5. candidates
    let (pairs, large): (Vec<(u32, u32)>, lsh::Buckets) = match route {
        Route::Given { pairs, large, counts: given } => {
            counts.band_collisions = given.band_collisions;
            counts.largest_bucket = given.largest_bucket;
            counts.lsh_pairs = given.lsh_pairs;
            counts.anchor_pairs = given.anchor_pairs;
            counts.crowded_anchors = given.crowded_anchors;
            counts.template_anchors = given.template_anchors;
            drop(anchors);
            (pairs, large)
        }
        Route::Compute(_) => {
            // MinHash only for documents that represent a distinct set: exact duplicates never
            // pay for a signature. The signatures (4 bytes a permutation) are held while they
            // fit the band keys' share; past it they are made chunk by chunk and each band's key
            // goes to sorted runs on disk (16 bytes a band), merged back in the order the held
            // route visits them: the same candidates either way.
            let t = Instant::now();
            let signature_bytes = representatives.len() as u64 * (config.perms * std::mem::size_of::<SigValue>()) as u64;
            let allowance = Held::BandKeys.allowance(&config.memory);
            let cand = if signature_bytes <= allowance {
                let signatures: Vec<Vec<SigValue>> =
                    representatives.par_iter().map(|&i| hasher.signature(&sets.list(i))).collect();
                sets.check()?;
                seconds.sign += t.elapsed().as_secs_f64();
                let t = Instant::now();
                let rep_sigs: Vec<&[SigValue]> = signatures.iter().map(Vec::as_slice).collect();
                progress.begin("lsh", Some(banding.bands as u64), Unit::Bands);
                let cand = candidates(&rep_sigs, banding, &|| progress.advance(1));
                progress.end();
                seconds.candidates += t.elapsed().as_secs_f64();
                cand
            } else {
                space.note_spill(Held::BandKeys);
                let dir = space.dir()?;
                let mut sorter = Sorter::<lsh::BandPosting>::new(&dir, allowance as usize);
                for (c, chunk) in representatives.chunks(SIGN_CHUNK_DOCS).enumerate() {
                    let base = (c * SIGN_CHUNK_DOCS) as u32;
                    let postings: Vec<lsh::BandPosting> = chunk
                        .par_iter()
                        .enumerate()
                        .flat_map_iter(|(r, &i)| {
                            let signature = hasher.signature(&sets.list(i));
                            lsh::band_postings(&signature, base + r as u32, banding).collect::<Vec<_>>()
                        })
                        .collect();
                    for p in postings {
                        sorter.push(p)?;
                    }
                }
                sets.check()?;
                seconds.sign += t.elapsed().as_secs_f64();
                let t = Instant::now();
                progress.begin("lsh", Some(banding.bands as u64), Unit::Bands);
                let cand = sorter.finish()?.consume(|postings| lsh::candidates_sorted(postings, &|| progress.advance(1)))?;
                progress.end();
                seconds.candidates += t.elapsed().as_secs_f64();
                cand
            };
            let t = Instant::now();
            // Anchors are freed as soon as their route is done: only the sets are verified. The
            // representatives' anchors go to the anchor route, which frees them.
            let provenance: Vec<Provenance> = representatives
                .iter()
                .map(|&i| Provenance { day: docs[i as usize].timestamp.map(|t| t.div_euclid(SECONDS_PER_DAY)) })
                .collect();
            let fate = |shared: &[(u64, u32)]| match incremental {
                None => lsh::anchor_fate(shared, &provenance),
                Some(c) => {
                    let local: Vec<(u32, Option<i64>)> =
                        shared.iter().map(|&(_, r)| (representatives[r as usize], provenance[r as usize].day)).collect();
                    (c.anchor_fate)(shared[0].0, &local)
                }
            };
            // The anchors' postings (anchor, representative) take 16 bytes each in memory:
            // sorted in memory when they fit the anchors' share, else in sorted runs on disk
            // merged back in order (the same pairs either way).
            let postings: u64 = representatives.iter().map(|&i| anchors.len_of(i) as u64).sum();
            let allowance = Held::Anchors.allowance(&config.memory);
            let anchored = if postings * ANCHOR_POSTING_BYTES <= allowance {
                let mut anchors = anchors;
                let rep_anchors = anchors.take_lists(&representatives)?;
                drop(anchors);
                lsh::anchor_candidates_judged(rep_anchors, &fate)
            } else {
                space.note_spill(Held::Anchors);
                let dir = space.dir()?;
                let mut sorter = Sorter::<(u64, u32)>::new(&dir, allowance as usize);
                for (r, &i) in representatives.iter().enumerate() {
                    for &a in anchors.list(i).iter() {
                        sorter.push((a, r as u32))?;
                    }
                }
                anchors.check()?;
                drop(anchors);
                sorter.finish()?.consume(|postings| lsh::anchor_candidates_sorted(postings, &fate))?
            };
            let (anchor_pairs, crowded) = (anchored.pairs, anchored.crowded);
            counts.template_anchors = anchored.templates;
            counts.band_collisions = cand.band_collisions;
            counts.largest_bucket = cand.largest_bucket;
            counts.lsh_pairs = cand.pairs.len();
            counts.anchor_pairs = anchor_pairs.len();
            counts.crowded_anchors = crowded;
            let mut pairs: Vec<(u32, u32)> = cand.pairs.into_iter().chain(anchor_pairs).collect();
            pairs.par_sort_unstable();
            pairs.dedup();
            seconds.candidates += t.elapsed().as_secs_f64();
            let mut large = cand.large;
            large.append(&anchored.large);
            let pairs = pairs.into_iter().map(|(i, j)| (representatives[i as usize], representatives[j as usize])).collect();
            (pairs, large.renamed(|r| representatives[r as usize]))
        }
    };
    counts.large_buckets = large.len();

    // 6. verify
    let t = Instant::now();
    progress.begin("verify", Some(pairs.len() as u64), Unit::Pairs);
    let set_hashes = &sets;
    let mut edges = exact_edges;
    edges.extend(verify(&pairs, set_hashes, config.threshold, ANCHOR_WINDOW, &|n| progress.advance(n)));
    progress.end();
    let linked = crate::matching::verify::link_large_buckets(
        large.iter(),
        set_hashes,
        &pairs,
        &edges,
        config.threshold,
        config.containment,
        ANCHOR_WINDOW,
    );
    drop(large);
    edges.extend(linked.edges);
    let inner = crate::matching::verify::inner_pairs(&edges, set_hashes, config.containment);
    edges.extend(verify(&inner, set_hashes, config.threshold, ANCHOR_WINDOW, &|_| {}));
    sets.check()?;
    counts.candidate_pairs = pairs.len() + linked.measured + inner.len();
    edges.sort_by_key(|e| (e.a, e.b));
    seconds.verify = t.elapsed().as_secs_f64();
    // `reprint dedup` measures each removed article against the one kept in its place: the
    // sets stay (held or on disk) until it has decided.
    let urls: Vec<Option<String>> = if config.dedup.is_some() {
        (0..n).map(|i| if skipped[i].is_none() { docs[i].url.as_deref().and_then(crate::input::address::canonical_url) } else { None }).collect()
    } else {
        Vec::new()
    };
    // Only documents that can be in a group need their set: those in a verified pair, and
    // those whose address another document shares; the others' held sets are freed now.
    let dedup_sets = if config.dedup.is_some() {
        let mut needed = vec![false; n];
        for e in &edges {
            needed[e.a as usize] = true;
            needed[e.b as usize] = true;
        }
        let mut by_url: AHashMap<&str, usize> = AHashMap::new();
        for (i, u) in urls.iter().enumerate() {
            if let Some(u) = u {
                if let Some(&first) = by_url.get(u.as_str()) {
                    needed[first] = true;
                    needed[i] = true;
                } else {
                    by_url.insert(u, i);
                }
            }
        }
        let mut sets = sets;
        sets.keep_only(&needed);
        Some(sets)
    } else {
        drop(sets);
        None
    };

    // Story terms need only the document frequencies of the whole dump: each document's terms
    // (its rarest words, at most `story::STORY_TERMS`) replace its distinct words before the
    // passage stage, which holds the texts of every paired document, rather than at the story
    // stage (on 100,000 generated articles, 7.1 million terms of 16 bytes instead of 35.4
    // million words of 8). Not earlier: counting the frequencies takes room of its own, which
    // the shingle sets would add to. The time counts as the story stage's.
    let t = Instant::now();
    let terms = if config.stories { story::story_terms(&story_words, &config.tuning.story) } else { Vec::new() };
    story_words.check()?;
    drop(story_words);
    let story_terms_seconds = t.elapsed().as_secs_f64();

    // 7. passages, then edge kinds
    let t = Instant::now();
    progress.begin("passages", Some(edges.len() as u64), Unit::Pairs);
    // Passages need each word's place in the text, which no stage keeps (16 bytes a word of
    // every document): the texts of the documents in a verified pair are read again, in waves
    // that fit the budget.
    let texts = TextSource {
        config,
        docs: &docs,
        summary: &summary,
        allowance: Held::Texts.allowance(&config.memory),
        space,
        kept: std::sync::Mutex::new(None),
    };
    // Without passages (`reprint dedup`), only the pairs whose kind depends on their passages
    // are aligned: a pair at the Jaccard threshold is a near-duplicate whatever they say.
    let aligned: Vec<(Edge, Vec<Passage>)> = if config.passages {
        align_pairs(&edges, &texts, &furn.ranges, k, None, &|n| progress.advance(n))?.into_iter().flatten().collect()
    } else {
        let needed: Vec<Edge> = edges.iter().filter(|e| e.jaccard < config.threshold).copied().collect();
        progress.advance((edges.len() - needed.len()) as u64);
        let mut found = align_pairs(&needed, &texts, &furn.ranges, k, None, &|n| progress.advance(n))?.into_iter().flatten();
        edges.iter().map(|&e| if e.jaccard < config.threshold { found.next().expect("one result per aligned pair") } else { (e, Vec::new()) }).collect()
    };
    progress.end();
    let (mut edges, mut passages): (Vec<Edge>, Vec<Vec<Passage>>) = (Vec::new(), Vec::new());
    // `reprint dedup` needs a pair's passages only for its kind: they are not kept.
    let keep_passages = config.dedup.is_none();
    for (mut e, p) in aligned {
        let kind =
            classify(&e, body_words[e.a as usize], body_words[e.b as usize], config.threshold, config.containment, reuse::PARTIAL_REUSE);
        if let Some(kind) = kind {
            e.kind = kind;
            edges.push(e);
            passages.push(if keep_passages { p } else { Vec::new() });
        }
    }
    crate::matching::cluster::demote_roundups(&mut edges);
    seconds.passages = t.elapsed().as_secs_f64();

    // 8. cluster
    let keys: Vec<OriginKey> = (0..n)
        .map(|i| OriginKey {
            timestamp: docs[i].timestamp,
            wire: wire[i],
            words: body_words[i],
            content: content[i],
        })
        .collect();
    let rank = reuse::origin_ranks(&keys);
    // Identical texts are one document to LSH: only the first of each group (in input order)
    // has candidate edges. Where those edges point (which end copied) goes by the group's
    // earliest member, so the clusters do not depend on which copy came first in the input.
    let mut group_rank = rank.clone();
    for i in 0..n {
        let h = group_head[i] as usize;
        group_rank[h] = group_rank[h].min(rank[i]);
    }
    let group_rank: Vec<u32> = (0..n).map(|i| group_rank[group_head[i] as usize]).collect();
    let (mut clusters, cluster_of) = timed(&mut seconds.cluster, || cluster(n, &edges, &group_rank));

    // 8b. origin links. Candidates are bounded per bucket (`lsh::BUCKET_ALL_PAIRS`), so a
    // member of a large cluster need not have been paired with the cluster's origin, and its
    // reuse would be measured only against the earlier members it happened to be paired with
    // (none, when those were all later). Each member without a verified pair with its origin
    // is measured and aligned against it here: one pair per member at most, so the work stays
    // linear in the cluster's size. An identical copy is linked through its group's first
    // document, which carries its edges. Membership does not change: both ends are in the
    // cluster already.
    let t = Instant::now();
    let mut linked: AHashSet<(u32, u32)> = edges.iter().map(|e| (e.a, e.b)).collect();
    let mut wanted_links: Vec<Edge> = Vec::new();
    for (c, origin) in clusters.iter().zip(reuse::cluster_origins(&clusters, &rank)) {
        let head = group_head[origin as usize];
        for &m in c.members.iter().filter(|_| config.passages) {
            if group_head[m as usize] == m && m != head && linked.insert((m.min(head), m.max(head))) {
                wanted_links.push(Edge::unmeasured(m.min(head), m.max(head)));
            }
        }
    }
    drop(linked);
    progress.begin("origin links", Some(wanted_links.len() as u64), Unit::Pairs);
    let found = align_pairs(&wanted_links, &texts, &furn.ranges, k, Some(config.threshold), &|n| progress.advance(n))?;
    progress.end();
    drop(texts);
    let mut links = 0;
    for (mut e, p) in found.into_iter().flatten() {
        let (a_body, b_body) = (body_words[e.a as usize], body_words[e.b as usize]);
        if let Some(kind) = classify(&e, a_body, b_body, config.threshold, config.containment, reuse::PARTIAL_REUSE) {
            e.kind = kind;
            edges.push(e);
            passages.push(p);
            links += 1;
        }
    }
    counts.origin_links = links;
    if links > 0 {
        let mut both: Vec<(Edge, Vec<Passage>)> = edges.into_iter().zip(passages).collect();
        both.sort_by_key(|(e, _)| (e.a, e.b));
        (edges, passages) = both.into_iter().unzip();
        crate::matching::cluster::collect_edges(&mut clusters, &cluster_of, &edges);
    }
    counts.verified_edges = edges.len();
    for e in &edges {
        *counts.edges_by_kind.entry(kind_name(e.kind)).or_default() += 1;
    }
    seconds.passages += t.elapsed().as_secs_f64();
    counts.clusters = clusters.len();
    counts.documents_in_clusters = clusters.iter().map(|c| c.members.len()).sum();
    counts.largest_cluster = clusters.iter().map(|c| c.members.len()).max().unwrap_or(0);

    // 9. reuse
    let t = Instant::now();
    // Each document's shape, for reuse and the stories' outlet figures only.
    let shapes: Vec<DocShape> = if config.passages || config.stories {
        (0..n).map(|i| DocShape { tokens: word_count[i] as usize, furniture: &furn.ranges[i], body: body_words[i] }).collect()
    } else {
        Vec::new()
    };
    // Without passages there is no reuse to score: only the clusters' origins.
    let (scores, origin_docs) = if config.passages {
        let (scores, origins) = reuse::score(&shapes, &clusters, &cluster_of, &edges, &passages, &rank, &group_rank);
        (Some(scores), origins)
    } else {
        (None, reuse::cluster_origins(&clusters, &rank))
    };
    let origins: Vec<(u32, &'static str)> = clusters
        .iter()
        .zip(&origin_docs)
        .map(|(c, &o)| {
            let runner_up = c
                .members
                .iter()
                .filter(|&&m| m != o)
                .min_by_key(|&&m| rank[m as usize])
                .expect("clusters have two members");
            (o, reuse::origin_reason(&keys[o as usize], &keys[*runner_up as usize]))
        })
        .collect();
    // Without passages every document's reuse is none: `reprint dedup`, which writes no
    // document's figures, gets no slots at all (72 bytes an article).
    let reuse: Vec<Option<DocReuse>> = match scores {
        Some(scores) => scores.into_iter().zip(&skipped).map(|(r, s)| s.is_none().then_some(r)).collect(),
        None if config.dedup.is_some() => Vec::new(),
        None => vec![None; n],
    };
    for r in reuse.iter().flatten() {
        *counts.roles.entry(role_name(r.role)).or_default() += 1;
    }
    let furniture: Vec<(u32, u32)> = (0..n).map(|i| (furn.words[i], word_count[i])).collect();
    // Outlet figures are reuse figures: none without passages.
    let outlets =
        if config.passages { outlet_stats(&docs, history, &skipped, &reuse, &furniture, &body_words) } else { Vec::new() };
    seconds.reuse = t.elapsed().as_secs_f64();

    // 9b. dedup decisions (for `reprint dedup`)
    let dedup = match config.dedup.as_ref() {
        None => None,
        Some(policy) => {
            let verified: Vec<(u32, u32)> = edges.iter().map(|e| (e.a, e.b)).collect();
            let facts = crate::matching::keep::Facts {
                docs: &docs,
                skipped: &skipped,
                cluster_of: &cluster_of,
                texts: &text_fps,
                rank: &rank,
                body_words: &body_words,
                sets: dedup_sets.as_ref().expect("dedup keeps the sets"),
                urls: &urls,
                pairs: &verified,
                policy,
            };
            let decisions = crate::matching::keep::decide(&facts);
            let bad = crate::matching::keep::kept_pairs_that_duplicate(&facts, &decisions, verified.iter().copied());
            if let Some(sets) = &dedup_sets {
                sets.check()?;
            }
            if let Some(&(a, b)) = bad.first() {
                return Err(Error::Invariant(format!(
                    "reprint dedup would keep {} and {}, though one duplicates the other by the policy ({} such pairs); nothing was written",
                    docs[a as usize].id,
                    docs[b as usize].id,
                    bad.len()
                )));
            }
            drop(dedup_sets);
            Some(decisions)
        }
    };

    // 10. stories (not for `--no-stories` or `reprint dedup`)
    let t = Instant::now();
    let (story_of, stories, story_bridges) = if config.stories {
        let timestamps: Vec<Option<i64>> = docs.iter().map(|d| d.timestamp).collect();
        // A copy cluster searches through one member, the one with the most story terms (the
        // earliest of those): its copies share its terms, so they would find the same stories at
        // many times the cost, and the cluster lies inside one story whatever its members find.
        let mut searching = vec![true; n];
        for c in &clusters {
            let best = c.members.iter().copied().max_by_key(|&m| (terms[m as usize].len(), std::cmp::Reverse(m)));
            for &m in &c.members {
                searching[m as usize] = Some(m) == best;
            }
        }
        progress.begin("stories", Some(searching.iter().filter(|&&s| s).count() as u64), Unit::Documents);
        let search = story::story_edges(
            &terms,
            &timestamps,
            &searching,
            config.story_threshold,
            config.story_window,
            &config.tuning.story,
            &|k| progress.advance(k),
        );
        progress.end();
        counts.story_search = search.work;
        let found = story::group(&clusters, search.edges, &terms, &timestamps, &searching, config.story_window);
        counts.story_edges = found.edges.len();
        counts.story_bridges = found.bridges.len();
        counts.stories = found.stories.len();
        counts.documents_in_stories = found.stories.iter().map(|s| s.members.len()).sum();
        let stories =
            story_lines(&found, &docs, &clusters, &cluster_of, (&reuse, &origin_docs), &edges, &passages, &rank, &group_rank, &shapes, &vocabulary);
        let story_bridges = found
            .bridges
            .iter()
            .map(|e| BridgeLine {
                a: docs[e.a as usize].id.clone(),
                b: docs[e.b as usize].id.clone(),
                weight: crate::matching::round(e.weight),
            })
            .collect();
        let mut stories = stories;
        if !config.passages {
            // Shares of text taken need passages: none without them.
            for s in &mut stories {
                s.outlet_reuse.clear();
            }
        }
        (found.story_of, stories, story_bridges)
    } else {
        (vec![None; n], Vec::new(), Vec::new())
    };
    seconds.stories = t.elapsed().as_secs_f64() + story_terms_seconds;
    let passages = attributed_passages(&edges, passages, &cluster_of, &reuse);
    counts.passages = passages.iter().map(Vec::len).sum();
    seconds.total = started.elapsed().as_secs_f64();

    let mut curve = BTreeMap::new();
    for s in [config.threshold - 0.1, config.threshold, config.threshold + 0.1] {
        if (0.0..=1.0).contains(&s) {
            curve.insert(format!("{:.2}", s), crate::matching::round(lsh::candidate_probability(s, banding)));
        }
    }
    let run = RunInfo {
        tool: "reprint",
        version: env!("CARGO_PKG_VERSION"),
        command: "scan",
        parameters: Parameters {
            shingle: config.shingle,
            perms: config.perms,
            threshold: config.threshold,
            containment: config.containment,
            roles: BTreeMap::from([("copy", reuse::COPY_REUSE), ("partial", reuse::PARTIAL_REUSE)]),
            anchor_window: ANCHOR_WINDOW,
            furniture: config.furniture,
            story_threshold: config.story_threshold,
            story_window: config.story_window,
            stories: config.stories,
            passages: config.passages,
            bands: banding.bands,
            rows: banding.rows,
            banding: if config.banding.is_some() { "given" } else { "derived" },
            candidate_probability: curve,
            seeds: Seeds { token: TOKEN_SEED, shingle: SHINGLE_SEED, minhash: MINHASH_SEED, band: lsh::BAND_SEED },
            fields: config.fields.clone(),
            strict: config.strict,
            max_doc_bytes: config.max_doc_bytes,
            tuning: config.tuning.overrides(),
        },
        threads: rayon::current_num_threads(),
        arguments: config.inputs.iter().map(InputSpec::display).collect(),
        inputs: summary.files.clone(),
        counts,
        seconds,
        input_issues: summary.issues.clone(),
        ignored_files: summary.ignored_files.clone(),
        decoded_files: summary.decoded.clone(),
        renamed_ids,
        story_bridges,
        memory: MemoryInfo::of(&config.memory, space),
        index: None,
    };
    Ok(ScanResult {
        docs,
        skipped,
        cluster_of,
        clusters,
        origins,
        edges,
        passages,
        reuse,
        furniture,
        furniture_ranges: furn.ranges,
        outlets,
        story_of,
        stories,
        dedup,
        inputs: summary,
        run,
        view: None,
    })
}

/// The `stories.jsonl` lines: members, outlets, dates, defining terms, the copy clusters
/// inside, and per outlet the share of its text taken from earlier coverage of the story.
#[allow(clippy::too_many_arguments)]
fn story_lines(
    found: &story::Stories,
    docs: &[DocMeta],
    clusters: &[Cluster],
    cluster_of: &[Option<u32>],
    (cluster_reuse, cluster_origins): (&[Option<DocReuse>], &[u32]),
    edges: &[Edge],
    passages: &[Vec<Passage>],
    rank: &[u32],
    group_rank: &[u32],
    shapes: &[DocShape<'_>],
    vocabulary: &AHashMap<u64, Box<str>>,
) -> Vec<StoryLine> {
    // Story-level reuse: the reuse scorer over stories instead of copy clusters, so passages
    // shared with any earlier telling count. A story that is one copy cluster and nothing
    // else has the cluster's scores already (the same members, edges and ranks).
    enum Scores {
        /// The story is exactly this copy cluster.
        Cluster(u32),
        /// The story's own group in the scorer's run.
        Own(u32),
    }
    let mut as_groups: Vec<Cluster> = Vec::new();
    let scores: Vec<Scores> = found
        .stories
        .iter()
        .map(|s| {
            let c = cluster_of[s.members[0] as usize];
            match c.filter(|&c| {
                clusters[c as usize].members.len() == s.members.len()
                    && s.members.iter().all(|&m| cluster_of[m as usize] == Some(c))
            }) {
                Some(c) => Scores::Cluster(c),
                None => {
                    as_groups.push(Cluster { id: as_groups.len() as u32, members: s.members.clone(), edges: Vec::new() });
                    Scores::Own(as_groups.len() as u32 - 1)
                }
            }
        })
        .collect();
    let group_of: Vec<Option<u32>> = found
        .story_of
        .iter()
        .map(|s| match scores[(*s)? as usize] {
            Scores::Own(g) => Some(g),
            Scores::Cluster(_) => None,
        })
        .collect();
    let (story_reuse, origins) = reuse::score(shapes, &as_groups, &group_of, edges, passages, rank, group_rank);
    let reused_words = |s: &story::Story, m: u32| match scores[s.id as usize] {
        Scores::Cluster(_) => cluster_reuse[m as usize].as_ref().map_or(0, |r| r.reused_words),
        Scores::Own(_) => story_reuse[m as usize].reused_words,
    };
    let origin = |s: &story::Story| match scores[s.id as usize] {
        Scores::Cluster(c) => cluster_origins[c as usize],
        Scores::Own(g) => origins[g as usize],
    };
    found
        .stories
        .par_iter()
        .map(|s| {
            let mut outlets: Vec<Option<String>> = s.members.iter().map(|&m| docs[m as usize].outlet.clone()).collect();
            outlets.sort();
            outlets.dedup();
            let dated: Vec<&DocMeta> =
                s.members.iter().map(|&m| &docs[m as usize]).filter(|d| d.timestamp.is_some()).collect();
            let first = dated.iter().min_by_key(|d| d.timestamp).and_then(|d| d.date.clone());
            let last = dated.iter().max_by_key(|d| d.timestamp).and_then(|d| d.date.clone());
            let mut inner: Vec<u32> = s.members.iter().filter_map(|&m| cluster_of[m as usize]).collect();
            inner.sort_unstable();
            inner.dedup();
            let mut per: BTreeMap<Option<&str>, (usize, u64, u64)> = BTreeMap::new();
            for &m in &s.members {
                let e = per.entry(docs[m as usize].outlet.as_deref()).or_default();
                e.0 += 1;
                e.1 += shapes[m as usize].body as u64;
                e.2 += reused_words(s, m) as u64;
            }
            StoryLine {
                id: s.id,
                size: s.members.len(),
                members: s.members.iter().map(|&m| docs[m as usize].id.clone()).collect(),
                outlets,
                date_span: [first, last],
                top_terms: s.top_terms.iter().filter_map(|t| vocabulary.get(t).map(|w| w.to_string())).collect(),
                clusters: inner,
                follows: s.follows.clone(),
                origin: docs[origin(s) as usize].id.clone(),
                outlet_reuse: per
                    .into_iter()
                    .map(|(o, (documents, words, reused))| StoryOutletReuse {
                        outlet: o.map(str::to_string),
                        documents,
                        words,
                        reused_words: reused,
                        reuse_share: if words == 0 { 0.0 } else { crate::matching::round(reused as f64 / words as f64) },
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Stable name of an edge kind, as in the outputs.
pub fn kind_name(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::NearDuplicate => "near_duplicate",
        EdgeKind::Contained => "contained",
        EdgeKind::Partial => "partial",
        EdgeKind::Passage => "passage",
    }
}

/// Stable name of a role, as in the outputs.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Origin => "origin",
        Role::Copy => "copy",
        Role::Partial => "partial",
        Role::Unique => "unique",
    }
}

/// Where the passage stage gets texts: the inputs read again for the documents of one wave
/// of pieces at a time, a wave's records totalling at most `allowance` bytes (the budget's
/// [`Held::Texts`]; one wave when everything fits).
struct TextSource<'a> {
    config: &'a ScanConfig,
    docs: &'a [DocMeta],
    summary: &'a InputSummary,
    allowance: u64,
    space: &'a TempSpace,
    /// The texts of an alignment that took one wave, kept for the next (the origin links,
    /// whose documents are among them) rather than read again.
    kept: std::sync::Mutex<Option<AHashMap<u32, String>>>,
}

impl TextSource<'_> {
    /// The texts of documents `ds` (sorted), by number.
    fn fetch(&self, ds: &[u32]) -> Result<AHashMap<u32, String>> {
        if let Some(kept) = self.kept.lock().expect("texts").take() {
            if ds.iter().all(|d| kept.contains_key(d)) {
                return Ok(kept);
            }
        }
        self.space.note_text_wave();
        // Records of plain JSONL files are read where they are; the others (compressed
        // files, standard input, `.txt` articles, an index's articles) by reading their
        // inputs through once more.
        use crate::input::texts::{self, At};
        let files = &self.summary.files;
        let (at, through): (Vec<u32>, Vec<u32>) = ds.iter().partition(|&&d| {
            let doc = &self.docs[d as usize];
            doc.offset.is_some() && files.get(doc.location.file as usize).is_some_and(texts::readable_at)
        });
        let c = self.config;
        let mut fetched = Vec::with_capacity(ds.len());
        if !at.is_empty() {
            let wanted: Vec<At> = at
                .iter()
                .map(|&d| {
                    let doc = &self.docs[d as usize];
                    At { location: doc.location, offset: doc.offset.expect("partitioned on it"), bytes: doc.bytes }
                })
                .collect();
            fetched.extend(at.iter().copied().zip(texts::fetch_at(&c.fields, files, &wanted)?));
        }
        if !through.is_empty() {
            self.space.note_text_readings(1);
            let locations: Vec<_> = through.iter().map(|&d| (self.docs[d as usize].location, self.docs[d as usize].bytes)).collect();
            let exclude = std::slice::from_ref(&c.outdir);
            let read = texts::fetch(&c.inputs, &c.fields, exclude, c.stdin_copy.as_deref(), files, &locations)?;
            fetched.extend(through.iter().copied().zip(read));
        }
        let mut texts = AHashMap::with_capacity(ds.len());
        for (d, text) in fetched {
            match text {
                Ok(t) => texts.insert(d, t),
                Err(missing) => {
                    let at = self.summary.locate(self.docs[d as usize].location);
                    return Err(Error::Invariant(format!("{at}: {}", missing.explain())));
                }
            };
        }
        Ok(texts)
    }
}

/// Passages of the verified pairs `edges` (`a < b`), aligned component by component of the
/// pair graph (split into pieces of at most [`PASSAGE_PIECE_EDGES`] pairs, so one huge
/// component does not hold up a thread), each document tokenised once per piece instead of
/// once per pair, from the texts read again. The pieces are taken in waves whose documents'
/// records fit the budget's share for texts ([`TextSource`]): each wave's texts are read,
/// aligned and dropped before the next, so the budget decides how often the inputs are read,
/// not what comes out. Results come back in edge order, each edge with its passages' body
/// words (`a_words`, `b_words`).
///
/// With `measure` (the Jaccard threshold), the pairs are not verified yet: their similarity
/// is measured on the shingle sets rebuilt from the texts (the sets of the sign stage, which
/// are no longer held), and a pair not worth keeping ([`crate::matching::verify::worth_keeping`]) comes
/// back as `None`.
fn align_pairs(
    edges: &[Edge],
    source: &TextSource<'_>,
    furniture: &[Vec<Range<usize>>],
    k: usize,
    measure: Option<f64>,
    advance: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Option<(Edge, Vec<Passage>)>>> {
    let n = furniture.len();
    let mut uf = crate::matching::cluster::UnionFind::new(n);
    for e in edges {
        uf.union(e.a, e.b);
    }
    let mut by_component: Vec<(u32, u32)> = edges.iter().enumerate().map(|(i, e)| (uf.find(e.a), i as u32)).collect();
    by_component.sort_unstable();
    let pieces: Vec<&[(u32, u32)]> = by_component
        .chunk_by(|x, y| x.0 == y.0)
        .flat_map(|component| component.chunks(PASSAGE_PIECE_EDGES))
        .collect();
    let mut aligned: Vec<(u32, Option<(Edge, Vec<Passage>)>)> = Vec::with_capacity(edges.len());
    let mut start = 0;
    let mut waves = 0;
    while start < pieces.len() {
        // The next wave: pieces while their documents' records fit the allowance (at least one).
        let mut wave: AHashSet<u32> = AHashSet::new();
        let mut bytes = 0u64;
        let mut end = start;
        while end < pieces.len() {
            let new: AHashSet<u32> = pieces[end]
                .iter()
                .flat_map(|&(_, i)| [edges[i as usize].a, edges[i as usize].b])
                .filter(|d| !wave.contains(d))
                .collect();
            let more: u64 = new.iter().map(|&d| source.docs[d as usize].bytes).sum();
            if end > start && bytes + more > source.allowance {
                break;
            }
            bytes += more;
            wave.extend(new);
            end += 1;
        }
        let mut ds: Vec<u32> = wave.into_iter().collect();
        ds.sort_unstable();
        let texts = source.fetch(&ds)?;
        drop(ds);
        waves += 1;
        aligned.extend(align_wave(&pieces[start..end], edges, &texts, furniture, k, measure, advance));
        if start == 0 && end == pieces.len() {
            *source.kept.lock().expect("texts") = Some(texts);
        }
        start = end;
    }
    if waves > 1 {
        source.space.note_spill(Held::Texts);
    }
    aligned.sort_unstable_by_key(|&(i, _)| i);
    Ok(aligned.into_iter().map(|(_, x)| x).collect())
}

/// [`align_pairs`] over one wave of pieces, with its documents' texts.
fn align_wave(
    pieces: &[&[(u32, u32)]],
    edges: &[Edge],
    texts: &AHashMap<u32, String>,
    furniture: &[Vec<Range<usize>>],
    k: usize,
    measure: Option<f64>,
    advance: &(dyn Fn(u64) + Sync),
) -> Vec<(u32, Option<(Edge, Vec<Passage>)>)> {
    // A document's tokens, shingle sequence, passage index and (when measuring) shingle set.
    type Prepared = (Tokens, Vec<Shingle>, Vec<(u64, u32)>, Vec<u64>);
    pieces
        .par_iter()
        .map_init(
            || (AHashMap::<u32, Prepared>::new(), Vec::<Prepared>::new(), String::new()),
            |(prepared, spare, scratch), piece| {
                let mut prepare = |d: usize, prepared: &mut AHashMap<u32, Prepared>| {
                    prepared.entry(d as u32).or_insert_with(|| {
                        let (mut tokens, ..) = spare.pop().unwrap_or_default();
                        tokenize_with(texts.get(&(d as u32)).map_or("", String::as_str), &mut tokens, scratch, |_, _| {});
                        let (seq, words) = shingle_sequence(&tokens.tokens, &furniture[d], k);
                        let index = crate::matching::passage::index(&seq);
                        let set = if measure.is_some() { ShingleSet::from_sequence(&seq, words).hashes } else { Vec::new() };
                        (tokens, seq, index, set)
                    });
                };
                let out = piece
                    .iter()
                    .map(|&(_, i)| {
                        let mut e = edges[i as usize];
                        let (a, b) = (e.a as usize, e.b as usize);
                        prepare(a, prepared);
                        prepare(b, prepared);
                        advance(1);
                        if let Some(threshold) = measure {
                            let (sa, sb) = (&prepared[&e.a].3, &prepared[&e.b].3);
                            if sa.is_empty() || sb.is_empty() {
                                return (i, None);
                            }
                            e = crate::matching::verify::measure(e.a, e.b, sa, sb);
                            if !crate::matching::verify::worth_keeping(&e, sa.len(), threshold, ANCHOR_WINDOW) {
                                return (i, None);
                            }
                        }
                        let side = |d: u32| {
                            let (tokens, seq, index, _) = &prepared[&d];
                            Side { tokens: &tokens.tokens, seq, index }
                        };
                        let mut passages = align_indexed(side(e.a), side(e.b), k);
                        for p in &mut passages {
                            p.words = covered_words(std::iter::once(&p.a_tokens), &furniture[a]);
                        }
                        e.a_words = covered_words(passages.iter().map(|p| &p.a_tokens), &furniture[a]);
                        e.b_words = covered_words(passages.iter().map(|p| &p.b_tokens), &furniture[b]);
                        (i, Some((e, passages)))
                    })
                    .collect::<Vec<_>>();
                spare.extend(prepared.drain().map(|(_, p)| p));
                out
            },
        )
        .flatten()
        .collect()
}

/// The passages kept for the outputs, parallel to `edges` (the others dropped): inside a
/// cluster only those a member's reuse was counted from ([`DocReuse::passages`]: passages with
/// its source, or with any other earlier member it took words from that no earlier member
/// also holds), so a cluster of `n` members writes the passages of about `n` pairs, not of
/// every verified pair; and those of every pair outside the clusters (a quotation two
/// otherwise unrelated articles share), the only record of that text.
pub fn attributed_passages(
    edges: &[Edge],
    passages: Vec<Vec<Passage>>,
    cluster_of: &[Option<u32>],
    reuse: &[Option<DocReuse>],
) -> Vec<Vec<Passage>> {
    let counted = |d: u32, edge: usize, passage: usize| {
        reuse[d as usize].as_ref().is_some_and(|r| r.passages.binary_search(&(edge as u32, passage as u32)).is_ok())
    };
    edges
        .iter()
        .zip(passages)
        .enumerate()
        .map(|(i, (e, p))| {
            let same_cluster = cluster_of[e.a as usize].is_some() && cluster_of[e.a as usize] == cluster_of[e.b as usize];
            if !same_cluster {
                return p;
            }
            p.into_iter().enumerate().filter(|&(j, _)| counted(e.a, i, j) || counted(e.b, i, j)).map(|(_, p)| p).collect()
        })
        .collect()
}

/// The distinct fingerprints of the words outside `furniture`, sorted.
fn body_word_set(words: &[u64], furniture: &[Range<usize>]) -> Vec<u64> {
    let mut skip = furniture.iter().peekable();
    let mut w: Vec<u64> = Vec::with_capacity(words.len());
    for (j, &h) in words.iter().enumerate() {
        while skip.peek().is_some_and(|r| r.end <= j) {
            skip.next();
        }
        if !skip.peek().is_some_and(|r| r.contains(&j)) {
            w.push(h);
        }
    }
    w.sort_unstable();
    w.dedup();
    // Kept until the story terms are taken, after verification: hand back the room of the
    // repeated words.
    w.shrink_to_fit();
    w
}

/// Words covered by `ranges` that are not furniture.
fn covered_words<'r>(ranges: impl Iterator<Item = &'r Range<u32>>, furniture: &[Range<usize>]) -> u32 {
    let mut covered: Vec<Range<u32>> = ranges.cloned().collect();
    covered.sort_unstable_by_key(|r| r.start);
    let mut total = 0u32;
    let mut upto = 0u32;
    for r in covered {
        let start = r.start.max(upto);
        if r.end > start {
            let inside: u32 = furniture
                .iter()
                .map(|f| (r.end.min(f.end as u32)).saturating_sub(start.max(f.start as u32)))
                .sum();
            total += r.end - start - inside;
            upto = r.end;
        }
    }
    total
}

/// Per-outlet figures from per-document ones.
fn outlet_stats(
    docs: &[DocMeta],
    from: usize,
    skipped: &[Option<SkipReason>],
    reuse: &[Option<DocReuse>],
    furniture: &[(u32, u32)],
    body_words: &[u32],
) -> Vec<OutletStats> {
    let mut by: BTreeMap<Option<&str>, OutletStats> = BTreeMap::new();
    let mut sources: BTreeMap<Option<&str>, BTreeMap<Option<&str>, u64>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate().skip(from) {
        let key = d.outlet.as_deref();
        let s = by.entry(key).or_insert_with(|| OutletStats {
            outlet: d.outlet.clone(),
            documents: 0,
            skipped: 0,
            words: 0,
            body_words: 0,
            reused_words: 0,
            reused_share: 0.0,
            origin: 0,
            copy: 0,
            partial: 0,
            unique: 0,
            furniture_words: 0,
            furniture_share: 0.0,
            sources: Vec::new(),
        });
        if skipped[i].is_some() {
            s.skipped += 1;
            continue;
        }
        let r = reuse[i].as_ref().expect("processed documents have reuse figures");
        s.documents += 1;
        s.words += furniture[i].1 as u64;
        s.furniture_words += furniture[i].0 as u64;
        s.body_words += body_words[i] as u64;
        s.reused_words += r.reused_words as u64;
        match r.role {
            Role::Origin => s.origin += 1,
            Role::Copy => s.copy += 1,
            Role::Partial => s.partial += 1,
            Role::Unique => s.unique += 1,
        }
        for &(src, w) in &r.from {
            *sources.entry(key).or_default().entry(docs[src as usize].outlet.as_deref()).or_default() += w as u64;
        }
    }
    by.into_iter()
        .map(|(key, mut s)| {
            let share = |a: u64, b: u64| if b == 0 { 0.0 } else { crate::matching::round(a as f64 / b as f64) };
            s.reused_share = share(s.reused_words, s.body_words);
            s.furniture_share = share(s.furniture_words, s.words);
            let mut src: Vec<SourceWords> = sources
                .remove(&key)
                .unwrap_or_default()
                .into_iter()
                .map(|(o, words)| SourceWords { outlet: o.map(str::to_string), words })
                .collect();
            src.sort_by(|a, b| b.words.cmp(&a.words).then_with(|| a.outlet.cmp(&b.outlet)));
            s.sources = src;
            s
        })
        .collect()
}

/// Renames every id that repeats an earlier one to `ID@FILE:LINE` (with `#2`, `#3`, ...
/// appended should that name be taken too), so ids in outputs are unique; returns the renames.
pub(crate) fn disambiguate_ids(
    docs: &mut [DocMeta],
    summary: &InputSummary,
    elsewhere: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> Vec<[String; 2]> {
    let taken_elsewhere = |id: &str| elsewhere.is_some_and(|f| f(id));
    let mut taken: AHashSet<String> = docs.iter().map(|d| d.id.clone()).collect();
    if taken.len() == docs.len() && !docs.iter().any(|d| taken_elsewhere(&d.id)) {
        return Vec::new();
    }
    let mut first_seen: AHashSet<&str> = AHashSet::with_capacity(docs.len());
    let mut repeats = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        if !first_seen.insert(doc.id.as_str()) || taken_elsewhere(&doc.id) {
            repeats.push(i);
        }
    }
    let mut renamed = Vec::with_capacity(repeats.len());
    for i in repeats {
        let base = format!("{}@{}", docs[i].id, summary.locate(docs[i].location));
        let mut new = base.clone();
        let mut n = 1;
        while taken.contains(&new) || taken_elsewhere(&new) {
            n += 1;
            new = format!("{base}#{n}");
        }
        taken.insert(new.clone());
        renamed.push([std::mem::replace(&mut docs[i].id, new.clone()), new]);
    }
    renamed
}

/// Groups documents with identical, non-empty shingle sets. Returns an edge (Jaccard 1) from
/// each group's first member to every other member, the documents that represent a distinct
/// set (each group's first member and every unique document) in input order, and per
/// document the first member of its group (itself when unique).
fn exact_duplicates<L: Lists + ?Sized>(sets: &L, shingles: &[u32], fingerprints: &[u64]) -> (Vec<Edge>, Vec<u32>, Vec<u32>) {
    let n = shingles.len();
    let mut keyed: Vec<(u64, u32)> =
        (0..n).into_par_iter().filter(|&i| shingles[i] > 0).map(|i| (fingerprints[i], i as u32)).collect();
    keyed.par_sort_unstable();
    let mut head: Vec<u32> = (0..n as u32).collect();
    let mut is_rep = vec![false; n];
    let mut edges = Vec::new();
    for run in keyed.chunk_by(|x, y| x.0 == y.0) {
        // Within a run of equal fingerprints, compare sets for real: each document joins the
        // first earlier head whose set equals its own, or becomes a head itself.
        let mut heads: Vec<u32> = Vec::new();
        for &(_, i) in run {
            let set = sets.list(i);
            match heads.iter().find(|&&h| sets.list(h) == set) {
                Some(&h) => {
                    let mut e = crate::matching::verify::measure(h, i, &set, &set);
                    e.kind = EdgeKind::NearDuplicate;
                    edges.push(e);
                    head[i as usize] = h;
                }
                None => {
                    heads.push(i);
                    is_rep[i as usize] = true;
                }
            }
        }
    }
    let reps = (0..n as u32).filter(|&i| is_rep[i as usize]).collect();
    (edges, reps, head)
}
