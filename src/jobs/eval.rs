//! Evaluation: a scan's output scored against ground-truth labels (`reprint eval`).
//!
//! Receives the `documents.jsonl` of a scan and a label file (JSONL: `id`, `cluster` — null
//! for an article that is nobody's copy — and optionally `story`, `copied_frac` and `level`)
//! and hands on an [`Evaluation`]: how well the copy clusters match the true clusters
//! (pairwise precision, recall and F1, the Adjusted Rand Index of Hubert & Arabie 1985, and
//! B-cubed precision, recall and F1 of Bagga & Baldwin 1998), the same for stories when the
//! labels have them, the mean absolute error of `reuse` against `copied_frac`, a table per
//! *level* (full copies, partial excerpts, story rewrites) and the worst false merges and
//! misses with the ids to look at.
//!
//! Every partition is held as one group number per document, where an article without a
//! group (a null label, an unclustered article) gets a group of its own: then every score
//! below is a sum over the cells of one contingency table, and a single pass over millions of
//! documents is enough. Labels without a document and documents without a label are counted
//! and named, never silently dropped; a bad line stops the evaluation with its file and line.

use std::collections::HashMap;
use std::hash::Hash;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::output::report::round;

/// A copy whose labelled copied share is below this is a *partial excerpt* (a story quoted
/// inside other text) when the labels do not say the level themselves: less than half of the
/// article is someone else's text. Labels from `reprint gen` carry `level`, so this is for
/// labels made elsewhere.
pub const PARTIAL_BELOW: f64 = 0.5;
/// Worst false merges and misses listed by default (`--worst`).
pub const DEFAULT_WORST: usize = 10;
/// Ids shown per group of a false merge or a miss: enough to open the cases with `reprint
/// show`, few enough that one line holds them.
const EXAMPLE_IDS: usize = 3;
/// Parts listed per false merge or miss, largest first (a story chained from thousands of
/// articles would otherwise fill the screen); the rest are counted.
const PARTS_SHOWN: usize = 6;
/// Labels without a document named in the output (the count is always given).
const MISSING_SHOWN: usize = 5;

/// What an article is, by its label: the level of the pairs it takes part in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// No true cluster: nobody's copy, nobody copied it.
    Unique,
    /// The first article of a true cluster.
    Original,
    /// A full copy: edited, truncated or reordered, but mostly the source's text.
    Copy,
    /// An excerpt of a story inside other text.
    Partial,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "unique" => Level::Unique,
            "original" => Level::Original,
            "copy" => Level::Copy,
            "partial" => Level::Partial,
            _ => return None,
        })
    }

    /// The name used in labels and in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Level::Unique => "unique",
            Level::Original => "original",
            Level::Copy => "copy",
            Level::Partial => "partial",
        }
    }
}

/// One article's ground truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// The true cluster (any JSON scalar, compared as written), or `None` for a unique article.
    pub cluster: Option<String>,
    /// The true story, when the labels have stories (`None`: a story of its own).
    pub story: Option<String>,
    /// The share of the article's body copied from another article.
    pub copied_frac: Option<f64>,
    /// The article's level: from the label's `level`, else derived (see [`PARTIAL_BELOW`]).
    pub level: Level,
}

/// A label file read whole: labels in file order, and which optional fields it has.
#[derive(Debug, Default)]
pub struct Labels {
    /// `(id, label)` in file order.
    pub entries: Vec<(String, Label)>,
    /// Whether any label has a `story` field (then stories are scored).
    pub has_story: bool,
    /// Whether any label has a `copied_frac` (then reuse is scored).
    pub has_copied_frac: bool,
}

/// What the scan said of one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicted {
    /// The article's cluster, `None` when it is in none.
    pub cluster: Option<u64>,
    /// The article's story, `None` when it is alone.
    pub story: Option<u64>,
    /// The share of the article's text reused from earlier articles.
    pub reuse: f64,
    /// Whether the scan skipped the article (then it is in no cluster).
    pub skipped: bool,
}

/// A JSONL file's non-empty lines as JSON objects, each with its 1-based line number.
fn read_objects(path: &Path, mut each: impl FnMut(usize, serde_json::Map<String, Value>) -> Result<()>) -> Result<()> {
    let at = |line: usize| format!("{}:{line}", path.display());
    let file = std::fs::File::open(path).map_err(|e| Error::Eval { at: path.display().to_string(), message: e.to_string() })?;
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::Eval { at: at(n + 1), message: format!("cannot read: {e}") })?;
        if read == 0 {
            return Ok(());
        }
        n += 1;
        let text = std::str::from_utf8(&buf).map_err(|e| Error::Eval { at: at(n), message: format!("not UTF-8: {e}") })?;
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => each(n, map)?,
            Ok(_) => return Err(Error::Eval { at: at(n), message: "not a JSON object".into() }),
            Err(e) => return Err(Error::Eval { at: at(n), message: format!("malformed JSON: {e}") }),
        }
    }
}

/// An id as reprint writes it: a string as it is, a number as written.
fn id_of(map: &serde_json::Map<String, Value>) -> std::result::Result<String, String> {
    match map.get("id") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(_) => Err("`id` is neither a string nor a number".into()),
        None => Err("no `id` field".into()),
    }
}

/// A group label: `None` for null, a scalar as written (so `5` and `"5"` differ).
fn group_of(map: &serde_json::Map<String, Value>, field: &str) -> std::result::Result<Option<String>, String> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => Ok(Some(v.to_string())),
        Some(_) => Err(format!("`{field}` must be a string, a number or null")),
    }
}

/// A share in [0, 1], or `None` when the field is absent or null.
fn share_of(map: &serde_json::Map<String, Value>, field: &str) -> std::result::Result<Option<f64>, String> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_f64() {
            Some(x) if (0.0..=1.0).contains(&x) => Ok(Some(x)),
            _ => Err(format!("`{field}` must be a number from 0 to 1, found {v}")),
        },
    }
}

/// Reads a label file. Every line needs an `id` (unique in the file) and a `cluster` field
/// (null for a unique article); `story`, `copied_frac` and `level` are optional.
pub fn read_labels(path: &Path) -> Result<Labels> {
    let mut labels = Labels::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    read_objects(path, |n, map| {
        let bad = |message: String| Error::Eval { at: format!("{}:{n}", path.display()), message };
        let id = id_of(&map).map_err(bad)?;
        if let Some(first) = seen.insert(id.clone(), n) {
            return Err(bad(format!("id {id:?} is labelled twice (first on line {first})")));
        }
        if !map.contains_key("cluster") {
            return Err(bad("no `cluster` field (use null for an article that is nobody's copy)".into()));
        }
        let cluster = group_of(&map, "cluster").map_err(bad)?;
        let story = group_of(&map, "story").map_err(bad)?;
        let copied_frac = share_of(&map, "copied_frac").map_err(bad)?;
        let level = match map.get("level") {
            None | Some(Value::Null) => derived_level(cluster.is_some(), copied_frac),
            Some(Value::String(s)) => Level::parse(s)
                .ok_or_else(|| bad(format!("`level` {s:?} is not one of unique, original, copy, partial")))?,
            Some(v) => return Err(bad(format!("`level` must be a string, found {v}"))),
        };
        if cluster.is_none() && level != Level::Unique {
            return Err(bad(format!("`level` {:?} needs a `cluster`", level.name())));
        }
        labels.has_story |= map.contains_key("story");
        labels.has_copied_frac |= copied_frac.is_some();
        labels.entries.push((id, Label { cluster, story, copied_frac, level }));
        Ok(())
    })?;
    Ok(labels)
}

/// The level of a label that does not give one: unique without a cluster, an original when
/// nothing of it is copied, a partial excerpt below [`PARTIAL_BELOW`], else a copy.
fn derived_level(clustered: bool, copied_frac: Option<f64>) -> Level {
    match copied_frac {
        _ if !clustered => Level::Unique,
        Some(f) if f <= 0.0 => Level::Original,
        Some(f) if f < PARTIAL_BELOW => Level::Partial,
        _ => Level::Copy,
    }
}

/// Reads a scan's `documents.jsonl`: `(id, predicted)` in output order.
pub fn read_documents(outdir: &Path) -> Result<Vec<(String, Predicted)>> {
    let path = outdir.join("documents.jsonl");
    if !path.is_file() {
        return Err(Error::Eval {
            at: outdir.display().to_string(),
            message: "no documents.jsonl here: give the output directory of `reprint scan`".into(),
        });
    }
    let mut docs = Vec::new();
    read_objects(&path, |n, map| {
        let bad = |message: String| Error::Eval { at: format!("{}:{n}", path.display()), message };
        let id = id_of(&map).map_err(bad)?;
        let number = |field: &str| match map.get(field) {
            None => Err(format!("no `{field}` field (not a documents.jsonl of `reprint scan`?)")),
            Some(Value::Null) => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| format!("`{field}` is not a cluster number: {v}")),
        };
        let cluster = number("cluster").map_err(bad)?;
        let story = number("story").map_err(bad)?;
        let reuse = share_of(&map, "reuse").map_err(bad)?.unwrap_or(0.0);
        let skipped = map.get("skipped").is_some_and(|v| !v.is_null());
        docs.push((id, Predicted { cluster, story, reuse, skipped }));
        Ok(())
    })?;
    Ok(docs)
}

/// Pair counts and the scores made of them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairScores {
    /// Pairs in one true group.
    pub true_pairs: u64,
    /// Pairs in one predicted group.
    pub predicted_pairs: u64,
    /// Pairs in both.
    pub correct_pairs: u64,
    /// `correct / predicted` (1 when nothing is predicted).
    pub precision: f64,
    /// `correct / true` (1 when nothing is true).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

impl PairScores {
    fn new(true_pairs: u64, predicted_pairs: u64, correct_pairs: u64) -> PairScores {
        let precision = if predicted_pairs == 0 { 1.0 } else { correct_pairs as f64 / predicted_pairs as f64 };
        let recall = if true_pairs == 0 { 1.0 } else { correct_pairs as f64 / true_pairs as f64 };
        PairScores { true_pairs, predicted_pairs, correct_pairs, precision, recall, f1: f1(precision, recall) }
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// B-cubed scores: each article's share of its predicted group that truly belongs with it
/// (precision) and of its true group that was predicted with it (recall), averaged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BCubed {
    /// Mean per-article precision.
    pub precision: f64,
    /// Mean per-article recall.
    pub recall: f64,
    /// Harmonic mean of the two means.
    pub f1: f64,
}

/// How one predicted partition matches one true partition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionScores {
    /// Pairwise precision, recall and F1.
    pub pairwise: PairScores,
    /// Adjusted Rand Index: 1 for identical partitions, about 0 for chance agreement.
    pub adjusted_rand_index: f64,
    /// B-cubed precision, recall and F1.
    pub bcubed: BCubed,
    /// True groups of two or more articles.
    pub true_groups: usize,
    /// Predicted groups of two or more articles.
    pub predicted_groups: usize,
    /// The worst false merges: predicted groups mixing true groups, most false pairs first.
    pub worst_merges: Vec<Case>,
    /// The worst misses: true groups split apart, most missed pairs first.
    pub worst_misses: Vec<Case>,
}

/// One false merge (a predicted group and the true groups in it) or one miss (a true group
/// and the predicted groups it was split into).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// The group: a predicted cluster or story number for a merge, a true label for a miss.
    pub group: String,
    /// Articles in the group.
    pub size: usize,
    /// False pairs (a merge) or missed pairs (a miss).
    pub pairs: u64,
    /// The parts, largest first: the other side's label (`None`: unique or unclustered),
    /// how many articles, and the first few of their ids.
    pub parts: Vec<Part>,
    /// Parts not listed (beyond the largest few) and the articles in them.
    pub more_parts: usize,
    /// Articles in the parts not listed.
    pub more_articles: usize,
}

/// One part of a [`Case`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// The other side's label of these articles: a true label in a merge, a predicted
    /// group in a miss; `None` for articles without one (each alone).
    pub label: Option<String>,
    /// Articles in this part.
    pub size: usize,
    /// The first ids, in output order.
    pub ids: Vec<String>,
}

/// One row of the per-level table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelScores {
    /// `copies`, `partial excerpts` or `story rewrites`.
    pub level: &'static str,
    /// What the row counts.
    pub pairs_of: &'static str,
    /// The pair scores of this level.
    #[serde(flatten)]
    pub scores: PairScores,
}

/// Reuse error of one group of articles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReuseError {
    /// The articles' label level, or `all`.
    pub level: &'static str,
    /// Articles with a `copied_frac`.
    pub documents: usize,
    /// Mean absolute error of `reuse` against `copied_frac`.
    pub mae: f64,
    /// The largest error, and the article with it.
    pub max_error: f64,
    /// The article with the largest error.
    pub max_error_id: Option<String>,
}

/// The whole evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Articles scored: in both the scan's output and the labels.
    pub documents: usize,
    /// Of those, articles the scan skipped (scored as unclustered).
    pub skipped: usize,
    /// Documents of the scan without a label (not scored).
    pub unlabelled: usize,
    /// Labels without a document in the scan's output (not scored).
    pub labels_without_document: usize,
    /// The first few of those labels' ids.
    pub missing_ids: Vec<String>,
    /// Copy clusters against the labels' `cluster`.
    pub clusters: PartitionScores,
    /// Stories against the labels' `story`, when the labels have stories.
    pub stories: Option<PartitionScores>,
    /// Pair scores per level.
    pub levels: Vec<LevelScores>,
    /// Reuse error overall and per label level, when the labels have `copied_frac`.
    pub reuse: Vec<ReuseError>,
}

/// Group numbers of one partition: a label's number, or a fresh one for an article without.
struct Groups<K> {
    number: HashMap<K, u32>,
    next: u32,
}

impl<K: Hash + Eq> Groups<K> {
    fn new() -> Self {
        Groups { number: HashMap::new(), next: 0 }
    }

    fn of(&mut self, key: Option<K>) -> u32 {
        let fresh = self.next;
        let n = match key {
            Some(k) => *self.number.entry(k).or_insert(fresh),
            None => fresh,
        };
        if n == fresh {
            self.next += 1;
        }
        n
    }
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Pairs of articles that agree on `key`, over the articles `keep` admits.
fn pairs_by<K: Hash + Eq>(n: usize, keep: impl Fn(usize) -> bool, key: impl Fn(usize) -> K) -> u64 {
    let mut counts: HashMap<K, u64> = HashMap::new();
    for i in (0..n).filter(|&i| keep(i)) {
        *counts.entry(key(i)).or_insert(0) += 1;
    }
    counts.values().map(|&c| pairs(c)).sum()
}

/// Scores one predicted partition (`pred[i]`) against one true partition (`truth[i]`), group
/// numbers as made by [`Groups`]; `pred_label` and `true_label` name a group when it has a
/// label (`None`: an article alone).
fn score_partition(
    ids: &[&str],
    pred: &[u32],
    truth: &[u32],
    pred_label: &dyn Fn(usize) -> Option<String>,
    true_label: &dyn Fn(usize) -> Option<String>,
    worst: usize,
) -> PartitionScores {
    let n = ids.len();
    let mut cells: HashMap<(u32, u32), u64> = HashMap::new();
    let mut pred_size: HashMap<u32, u64> = HashMap::new();
    let mut true_size: HashMap<u32, u64> = HashMap::new();
    for i in 0..n {
        *cells.entry((pred[i], truth[i])).or_insert(0) += 1;
        *pred_size.entry(pred[i]).or_insert(0) += 1;
        *true_size.entry(truth[i]).or_insert(0) += 1;
    }
    let correct: u64 = cells.values().map(|&c| pairs(c)).sum();
    let predicted: u64 = pred_size.values().map(|&c| pairs(c)).sum();
    let true_pairs: u64 = true_size.values().map(|&c| pairs(c)).sum();
    let pairwise = PairScores::new(true_pairs, predicted, correct);

    // Adjusted Rand Index (Hubert & Arabie): the pair agreement above what random partitions
    // of the same group sizes would reach, scaled so identical partitions score 1.
    let all = pairs(n as u64) as f64;
    let expected = if all == 0.0 { 0.0 } else { predicted as f64 * true_pairs as f64 / all };
    let max_index = (predicted as f64 + true_pairs as f64) / 2.0;
    let adjusted_rand_index =
        if max_index == expected { 1.0 } else { (correct as f64 - expected) / (max_index - expected) };

    let (mut bp, mut br) = (0.0, 0.0);
    for (&(p, t), &c) in &cells {
        let c = c as f64;
        bp += c * c / pred_size[&p] as f64;
        br += c * c / true_size[&t] as f64;
    }
    let (bp, br) = if n == 0 { (1.0, 1.0) } else { (bp / n as f64, br / n as f64) };
    let bcubed = BCubed { precision: bp, recall: br, f1: f1(bp, br) };

    // The cases: members of each group on the one side, by their group on the other side.
    let cases = |side: &[u32], other: &[u32], size: &HashMap<u32, u64>, label: &dyn Fn(usize) -> Option<String>,
                 other_label: &dyn Fn(usize) -> Option<String>| {
        let mut members: HashMap<u32, Vec<usize>> = HashMap::new();
        for i in (0..n).filter(|&i| size[&side[i]] > 1) {
            members.entry(side[i]).or_default().push(i);
        }
        let mut found: Vec<Case> = members
            .into_values()
            .filter_map(|group| {
                let mut parts: Vec<(u32, Vec<usize>)> = Vec::new();
                let mut at: HashMap<u32, usize> = HashMap::new();
                for &i in &group {
                    let k = *at.entry(other[i]).or_insert_with(|| {
                        parts.push((other[i], Vec::new()));
                        parts.len() - 1
                    });
                    parts[k].1.push(i);
                }
                let kept: u64 = parts.iter().map(|(_, m)| pairs(m.len() as u64)).sum();
                let wrong = pairs(group.len() as u64) - kept;
                (wrong > 0).then(|| {
                    // Articles alone on the other side are one part, "none".
                    let (alone, mut grouped): (Vec<_>, Vec<_>) =
                        parts.into_iter().partition(|(_, m)| m.len() == 1 && other_label(m[0]).is_none());
                    grouped.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.1[0].cmp(&b.1[0])));
                    let mut out: Vec<Part> = grouped
                        .into_iter()
                        .map(|(_, m)| Part {
                            label: other_label(m[0]),
                            size: m.len(),
                            ids: m.iter().take(EXAMPLE_IDS).map(|&i| ids[i].to_string()).collect(),
                        })
                        .collect();
                    if !alone.is_empty() {
                        let m: Vec<usize> = alone.into_iter().map(|(_, m)| m[0]).collect();
                        out.push(Part {
                            label: None,
                            size: m.len(),
                            ids: m.iter().take(EXAMPLE_IDS).map(|&i| ids[i].to_string()).collect(),
                        });
                    }
                    let (mut more_parts, mut more_articles) = (0, 0);
                    if out.len() > PARTS_SHOWN {
                        for p in out.drain(PARTS_SHOWN..) {
                            more_parts += 1;
                            more_articles += p.size;
                        }
                    }
                    Case {
                        group: label(group[0]).unwrap_or_default(),
                        size: group.len(),
                        pairs: wrong,
                        parts: out,
                        more_parts,
                        more_articles,
                    }
                })
            })
            .collect();
        found.sort_by(|a, b| b.pairs.cmp(&a.pairs).then(b.size.cmp(&a.size)).then(a.group.cmp(&b.group)));
        found.truncate(worst);
        found
    };
    let worst_merges = cases(pred, truth, &pred_size, pred_label, true_label);
    let worst_misses = cases(truth, pred, &true_size, true_label, pred_label);
    PartitionScores {
        pairwise,
        adjusted_rand_index,
        bcubed,
        true_groups: true_size.values().filter(|&&c| c > 1).count(),
        predicted_groups: pred_size.values().filter(|&&c| c > 1).count(),
        worst_merges,
        worst_misses,
    }
}

/// Scores `docs` (a scan's output) against `labels`; `worst` bounds the listed cases.
pub fn evaluate(docs: &[(String, Predicted)], labels: &Labels, worst: usize) -> Result<Evaluation> {
    let by_id: HashMap<&str, usize> = labels.entries.iter().enumerate().map(|(k, (id, _))| (id.as_str(), k)).collect();
    let mut matched: Vec<(&str, &Predicted, &Label)> = Vec::new();
    let mut found = vec![false; labels.entries.len()];
    for (id, p) in docs {
        if let Some(&k) = by_id.get(id.as_str()) {
            found[k] = true;
            matched.push((id, p, &labels.entries[k].1));
        }
    }
    let unlabelled = docs.len() - matched.len();
    let missing: Vec<&str> =
        labels.entries.iter().zip(&found).filter(|(_, &f)| !f).map(|((id, _), _)| id.as_str()).collect();
    if matched.is_empty() {
        return Err(Error::Eval {
            at: "labels".into(),
            message: format!(
                "no labelled article is in the scan's output ({} documents, {} labels): the labels belong to another dump",
                docs.len(),
                labels.entries.len()
            ),
        });
    }

    let n = matched.len();
    let ids: Vec<&str> = matched.iter().map(|m| m.0).collect();
    let mut g = Groups::new();
    let pc: Vec<u32> = matched.iter().map(|m| g.of(m.1.cluster)).collect();
    let mut g = Groups::new();
    let tc: Vec<u32> = matched.iter().map(|m| g.of(m.2.cluster.as_deref())).collect();
    let cluster_label = |i: usize| matched[i].1.cluster.map(|c| c.to_string());
    let true_cluster = |i: usize| matched[i].2.cluster.clone();
    let clusters = score_partition(&ids, &pc, &tc, &cluster_label, &true_cluster, worst);

    let mut levels = Vec::new();
    // Full copies: the pairs among articles that are not partial excerpts.
    let whole = |i: usize| matched[i].2.level != Level::Partial;
    let copies = PairScores::new(
        pairs_by(n, whole, |i| tc[i]),
        pairs_by(n, whole, |i| pc[i]),
        pairs_by(n, whole, |i| (pc[i], tc[i])),
    );
    levels.push(LevelScores { level: "copies", pairs_of: "articles that are not partial excerpts", scores: copies });
    if matched.iter().any(|m| m.2.level == Level::Partial) {
        let c = &clusters.pairwise;
        levels.push(LevelScores {
            level: "partial excerpts",
            pairs_of: "pairs with a partial excerpt",
            scores: PairScores::new(
                c.true_pairs - copies.true_pairs,
                c.predicted_pairs - copies.predicted_pairs,
                c.correct_pairs - copies.correct_pairs,
            ),
        });
    }

    let stories = labels.has_story.then(|| {
        let mut g = Groups::new();
        let ps: Vec<u32> = matched.iter().map(|m| g.of(m.1.story)).collect();
        let mut g = Groups::new();
        let ts: Vec<u32> = matched.iter().map(|m| g.of(m.2.story.as_deref())).collect();
        // Story rewrites: pairs of one story that are not one true cluster.
        let all = |_| true;
        let rewrites = PairScores::new(
            pairs_by(n, all, |i| ts[i]) - pairs_by(n, all, |i| (ts[i], tc[i])),
            pairs_by(n, all, |i| ps[i]) - pairs_by(n, all, |i| (ps[i], tc[i])),
            pairs_by(n, all, |i| (ts[i], ps[i])) - pairs_by(n, all, |i| (ts[i], ps[i], tc[i])),
        );
        levels.push(LevelScores {
            level: "story rewrites",
            pairs_of: "pairs of one story, not one true cluster",
            scores: rewrites,
        });
        let story_label = |i: usize| matched[i].1.story.map(|s| s.to_string());
        let true_story = |i: usize| matched[i].2.story.clone();
        score_partition(&ids, &ps, &ts, &story_label, &true_story, worst)
    });

    let mut reuse = Vec::new();
    if labels.has_copied_frac {
        let mut by: Vec<(&'static str, Vec<usize>)> = vec![("all", Vec::new())];
        for level in [Level::Unique, Level::Original, Level::Copy, Level::Partial] {
            by.push((level.name(), Vec::new()));
        }
        for (i, m) in matched.iter().enumerate() {
            if m.2.copied_frac.is_some() {
                by[0].1.push(i);
                by[1 + m.2.level as usize].1.push(i);
            }
        }
        for (level, members) in by.into_iter().filter(|(_, m)| !m.is_empty()) {
            let err = |i: usize| (matched[i].1.reuse - matched[i].2.copied_frac.unwrap_or(0.0)).abs();
            let sum: f64 = members.iter().map(|&i| err(i)).sum();
            let max = members.iter().copied().max_by(|&a, &b| err(a).total_cmp(&err(b)).then(b.cmp(&a)));
            reuse.push(ReuseError {
                level,
                documents: members.len(),
                mae: sum / members.len() as f64,
                max_error: max.map_or(0.0, err),
                max_error_id: max.map(|i| ids[i].to_string()),
            });
        }
    }

    Ok(Evaluation {
        documents: n,
        skipped: matched.iter().filter(|m| m.1.skipped).count(),
        unlabelled,
        labels_without_document: missing.len(),
        missing_ids: missing.iter().take(MISSING_SHOWN).map(|s| s.to_string()).collect(),
        clusters,
        stories,
        levels,
        reuse,
    })
}

/// Reads `outdir/documents.jsonl` and `labels` and scores one against the other.
pub fn evaluate_files(outdir: &Path, labels: &Path, worst: usize) -> Result<Evaluation> {
    let labels_read = read_labels(labels)?;
    let docs = read_documents(outdir)?;
    evaluate(&docs, &labels_read, worst).map_err(|e| match e {
        Error::Eval { message, .. } => Error::Eval { at: labels.display().to_string(), message },
        e => e,
    })
}

/// Rounds every score of an evaluation to the precision of reprint's other outputs, for JSON.
pub fn rounded(mut e: Evaluation) -> Evaluation {
    let pair = |s: &mut PairScores| {
        s.precision = round(s.precision);
        s.recall = round(s.recall);
        s.f1 = round(s.f1);
    };
    let partition = |p: &mut PartitionScores| {
        pair(&mut p.pairwise);
        p.adjusted_rand_index = round(p.adjusted_rand_index);
        p.bcubed = BCubed { precision: round(p.bcubed.precision), recall: round(p.bcubed.recall), f1: round(p.bcubed.f1) };
    };
    partition(&mut e.clusters);
    if let Some(s) = e.stories.as_mut() {
        partition(s);
    }
    for l in &mut e.levels {
        pair(&mut l.scores);
    }
    for r in &mut e.reuse {
        r.mae = round(r.mae);
        r.max_error = round(r.max_error);
    }
    e
}

/// The evaluation as terminal text: the scores, the per-level and reuse tables, then the worst
/// cases with their ids.
pub fn render(e: &Evaluation) -> String {
    use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
    use std::fmt::Write as _;
    let safe = |s: &str| crate::output::terminal_safe(s).into_owned();
    let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    let f = |x: f64| format!("{x:.4}");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "reprint eval: {} articles scored ({} skipped by the scan, scored as unclustered); {} documents \
         without a label; {} labels without a document",
        e.documents, e.skipped, e.unlabelled, e.labels_without_document
    );
    if !e.missing_ids.is_empty() {
        let ids: Vec<String> = e.missing_ids.iter().map(|s| safe(s)).collect();
        let _ = writeln!(out, "labels without a document, first: {}", ids.join(", "));
    }

    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["", "measure", "precision", "recall", "F1", "true / predicted / correct pairs"]);
    let mut partition = |name: &str, p: &PartitionScores| {
        let s = &p.pairwise;
        t.add_row(vec![
            Cell::new(name),
            Cell::new("pairwise"),
            right(f(s.precision)),
            right(f(s.recall)),
            right(f(s.f1)),
            right(format!("{} / {} / {}", s.true_pairs, s.predicted_pairs, s.correct_pairs)),
        ]);
        t.add_row(vec![
            Cell::new(""),
            Cell::new("B-cubed"),
            right(f(p.bcubed.precision)),
            right(f(p.bcubed.recall)),
            right(f(p.bcubed.f1)),
            right(format!("{} true / {} predicted groups", p.true_groups, p.predicted_groups)),
        ]);
        t.add_row(vec![
            Cell::new(""),
            Cell::new("adjusted Rand"),
            right(String::new()),
            right(String::new()),
            right(f(p.adjusted_rand_index)),
            right(String::new()),
        ]);
    };
    partition("clusters", &e.clusters);
    if let Some(s) = &e.stories {
        partition("stories", s);
    }
    let _ = writeln!(out, "{t}");

    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["level", "pairs of", "true", "predicted", "correct", "precision", "recall", "F1"]);
    for l in &e.levels {
        let s = &l.scores;
        t.add_row(vec![
            Cell::new(l.level),
            Cell::new(l.pairs_of),
            right(s.true_pairs.to_string()),
            right(s.predicted_pairs.to_string()),
            right(s.correct_pairs.to_string()),
            right(f(s.precision)),
            right(f(s.recall)),
            right(f(s.f1)),
        ]);
    }
    let _ = writeln!(out, "{t}");

    if !e.reuse.is_empty() {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        t.set_header(vec!["reuse against copied_frac", "articles", "mean abs. error", "largest error", "at"]);
        for r in &e.reuse {
            t.add_row(vec![
                Cell::new(r.level),
                right(r.documents.to_string()),
                right(f(r.mae)),
                right(f(r.max_error)),
                Cell::new(r.max_error_id.as_deref().map(safe).unwrap_or_default()),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }

    let parts = |c: &Case, none: &str, label: &str| {
        let more = (c.more_parts > 0).then(|| format!("{} more groups with {} articles", c.more_parts, c.more_articles));
        c.parts
            .iter()
            .map(|p| {
                let name = p.label.as_deref().map_or_else(|| none.to_string(), |l| format!("{label} {}", safe(l)));
                let ids: Vec<String> = p.ids.iter().map(|s| safe(s)).collect();
                let more = if p.size > p.ids.len() { ", ..." } else { "" };
                format!("{name} x{} ({}{more})", p.size, ids.join(", "))
            })
            .chain(more)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut cases = |title: &str, what: &str, p: &PartitionScores| {
        if !p.worst_merges.is_empty() {
            let _ = writeln!(out, "worst false merges ({title}): predicted {what} mixing true groups");
            for c in &p.worst_merges {
                let _ = writeln!(
                    out,
                    "  {what} {}: {} articles, {} false pairs: {}",
                    safe(&c.group),
                    c.size,
                    c.pairs,
                    parts(c, "unique", "label")
                );
            }
        }
        if !p.worst_misses.is_empty() {
            let _ = writeln!(out, "worst misses ({title}): true groups split apart");
            for c in &p.worst_misses {
                let _ = writeln!(
                    out,
                    "  label {}: {} articles, {} missed pairs: {}",
                    safe(&c.group),
                    c.size,
                    c.pairs,
                    parts(c, "alone", what)
                );
            }
        }
    };
    cases("clusters", "cluster", &e.clusters);
    if let Some(s) = &e.stories {
        cases("stories", "story", s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(cluster: Option<&str>, story: Option<&str>, level: Level) -> Label {
        Label { cluster: cluster.map(String::from), story: story.map(String::from), copied_frac: None, level }
    }

    fn doc(id: &str, cluster: Option<u64>, story: Option<u64>) -> (String, Predicted) {
        (id.to_string(), Predicted { cluster, story, reuse: 0.0, skipped: false })
    }

    fn labels(entries: Vec<(&str, Label)>) -> Labels {
        let has_story = entries.iter().any(|(_, l)| l.story.is_some());
        Labels { entries: entries.into_iter().map(|(i, l)| (i.to_string(), l)).collect(), has_story, has_copied_frac: false }
    }

    #[test]
    fn scores_match_hand_computed_values() {
        // Truth {a,b,c} {d,e}; predicted {a,b} {c,d,e}.
        let l = labels(vec![
            ("a", label(Some("1"), None, Level::Original)),
            ("b", label(Some("1"), None, Level::Copy)),
            ("c", label(Some("1"), None, Level::Copy)),
            ("d", label(Some("2"), None, Level::Original)),
            ("e", label(Some("2"), None, Level::Copy)),
        ]);
        let d = vec![doc("a", Some(0), None), doc("b", Some(0), None), doc("c", Some(1), None), doc("d", Some(1), None), doc("e", Some(1), None)];
        let e = evaluate(&d, &l, 10).unwrap();
        let p = &e.clusters.pairwise;
        assert_eq!((p.true_pairs, p.predicted_pairs, p.correct_pairs), (4, 4, 2));
        assert_eq!((p.precision, p.recall, p.f1), (0.5, 0.5, 0.5));
        // sklearn.metrics.adjusted_rand_score([0,0,0,1,1], [0,0,1,1,1]) = 1/6.
        assert!((e.clusters.adjusted_rand_index - 1.0 / 6.0).abs() < 1e-12);
        // B-cubed precision (1 + 1 + 1/3 + 2/3 + 2/3) / 5, recall (2/3 + 2/3 + 1/3 + 1 + 1) / 5.
        assert!((e.clusters.bcubed.precision - 11.0 / 15.0).abs() < 1e-12);
        assert!((e.clusters.bcubed.recall - 11.0 / 15.0).abs() < 1e-12);
        // One false merge (cluster 1 holds c of label 1 and d, e of label 2: two false pairs)
        // and one miss (label 1 split 2 + 1: two missed pairs).
        assert_eq!(e.clusters.worst_merges.len(), 1);
        let m = &e.clusters.worst_merges[0];
        assert_eq!((m.group.as_str(), m.size, m.pairs), ("1", 3, 2));
        assert_eq!(m.parts[0].label.as_deref(), Some("2"));
        assert_eq!(m.parts[0].ids, vec!["d", "e"]);
        let miss = &e.clusters.worst_misses[0];
        assert_eq!((miss.group.as_str(), miss.size, miss.pairs), ("1", 3, 2));
        assert_eq!(miss.parts.iter().map(|p| p.size).collect::<Vec<_>>(), vec![2, 1]);
        assert!(e.stories.is_none());
    }

    #[test]
    fn identical_partitions_score_one_and_all_singletons_are_vacuous() {
        let l = labels(vec![("a", label(Some("x"), None, Level::Copy)), ("b", label(Some("x"), None, Level::Copy)), ("c", label(None, None, Level::Unique))]);
        let d = vec![doc("a", Some(7), None), doc("b", Some(7), None), doc("c", None, None)];
        let e = evaluate(&d, &l, 10).unwrap();
        assert_eq!(e.clusters.pairwise.f1, 1.0);
        assert_eq!(e.clusters.adjusted_rand_index, 1.0);
        assert_eq!(e.clusters.bcubed.f1, 1.0);
        assert!(e.clusters.worst_merges.is_empty() && e.clusters.worst_misses.is_empty());

        let l = labels(vec![("a", label(None, None, Level::Unique)), ("b", label(None, None, Level::Unique))]);
        let d = vec![doc("a", None, None), doc("b", None, None)];
        let e = evaluate(&d, &l, 10).unwrap();
        assert_eq!((e.clusters.pairwise.precision, e.clusters.pairwise.recall), (1.0, 1.0));
        assert_eq!(e.clusters.adjusted_rand_index, 1.0);
    }

    #[test]
    fn levels_split_copies_partials_and_rewrites() {
        // One true cluster {o, c, p} (p a partial excerpt) and a rewrite r of the same story;
        // predicted: o and c together, p alone, r in the story but no cluster.
        let l = labels(vec![
            ("o", label(Some("1"), Some("s"), Level::Original)),
            ("c", label(Some("1"), Some("s"), Level::Copy)),
            ("p", label(Some("1"), Some("s"), Level::Partial)),
            ("r", label(None, Some("s"), Level::Unique)),
            ("u", label(None, Some("t"), Level::Unique)),
        ]);
        let d = vec![doc("o", Some(0), Some(0)), doc("c", Some(0), Some(0)), doc("p", None, Some(0)), doc("r", None, Some(0)), doc("u", None, Some(0))];
        let e = evaluate(&d, &l, 10).unwrap();
        let row = |name: &str| e.levels.iter().find(|l| l.level == name).unwrap().scores;
        let copies = row("copies");
        assert_eq!((copies.true_pairs, copies.predicted_pairs, copies.correct_pairs), (1, 1, 1));
        let partial = row("partial excerpts");
        assert_eq!((partial.true_pairs, partial.predicted_pairs, partial.correct_pairs), (2, 0, 0));
        // Rewrite pairs: r with o, c, p (true); predicted story pairs not in one true cluster:
        // r-o, r-c, r-p, u-o, u-c, u-p, u-r.
        let rewrites = row("story rewrites");
        assert_eq!((rewrites.true_pairs, rewrites.predicted_pairs, rewrites.correct_pairs), (3, 7, 3));
        let stories = e.stories.unwrap();
        assert_eq!((stories.pairwise.true_pairs, stories.pairwise.predicted_pairs, stories.pairwise.correct_pairs), (6, 10, 6));
    }

    #[test]
    fn unmatched_labels_and_documents_are_counted_and_a_foreign_label_file_refused() {
        let l = labels(vec![("a", label(None, None, Level::Unique)), ("gone", label(None, None, Level::Unique))]);
        let d = vec![doc("a", None, None), doc("new", None, None)];
        let e = evaluate(&d, &l, 10).unwrap();
        assert_eq!((e.documents, e.unlabelled, e.labels_without_document), (1, 1, 1));
        assert_eq!(e.missing_ids, vec!["gone"]);
        let err = evaluate(&[doc("x", None, None)], &l, 10).unwrap_err().to_string();
        assert!(err.contains("another dump"), "{err}");
    }

    #[test]
    fn label_files_with_bad_lines_are_refused_with_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("{\"id\":\"a\",\"cluster\":1}\n{\"id\":\"b\"}\n", "labels.jsonl:2", "no `cluster` field"),
            ("{\"id\":\"a\",\"cluster\":1}\n{\"id\":\"a\",\"cluster\":2}\n", "labels.jsonl:2", "labelled twice (first on line 1)"),
            ("{\"id\":\"a\",\"cluster\":1}\n{\"id\":\n", "labels.jsonl:2", "malformed JSON"),
            ("{\"id\":\"a\",\"cluster\":[1]}\n", "labels.jsonl:1", "`cluster` must be"),
            ("{\"id\":\"a\",\"cluster\":1,\"level\":\"copie\"}\n", "labels.jsonl:1", "is not one of"),
            ("{\"id\":\"a\",\"cluster\":null,\"level\":\"copy\"}\n", "labels.jsonl:1", "needs a `cluster`"),
            ("{\"id\":\"a\",\"cluster\":1,\"copied_frac\":1.5}\n", "labels.jsonl:1", "from 0 to 1"),
            ("{\"cluster\":1}\n", "labels.jsonl:1", "no `id` field"),
            ("[1]\n", "labels.jsonl:1", "not a JSON object"),
        ];
        for (text, at, message) in cases {
            let path = dir.path().join("labels.jsonl");
            std::fs::write(&path, text).unwrap();
            let err = read_labels(&path).unwrap_err().to_string();
            assert!(err.contains(at) && err.contains(message), "{text:?}: {err}");
        }
        let path = dir.path().join("labels.jsonl");
        std::fs::write(&path, b"{\"id\":\"a\",\"cluster\":1}\n\xff\n").unwrap();
        assert!(read_labels(&path).unwrap_err().to_string().contains("labels.jsonl:2: not UTF-8"));
    }

    #[test]
    fn levels_come_from_the_label_or_from_the_copied_share() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.jsonl");
        std::fs::write(
            &path,
            "{\"id\":1,\"cluster\":\"x\",\"copied_frac\":0}\n{\"id\":\"2\",\"cluster\":\"x\",\"copied_frac\":0.3}\n\
             {\"id\":\"3\",\"cluster\":\"x\",\"copied_frac\":0.9}\n{\"id\":\"4\",\"cluster\":\"x\",\"copied_frac\":0.3,\"level\":\"copy\"}\n\
             {\"id\":\"5\",\"cluster\":null}\n\n",
        )
        .unwrap();
        let l = read_labels(&path).unwrap();
        let levels: Vec<(&str, Level)> = l.entries.iter().map(|(i, l)| (i.as_str(), l.level)).collect();
        assert_eq!(
            levels,
            vec![("1", Level::Original), ("2", Level::Partial), ("3", Level::Copy), ("4", Level::Copy), ("5", Level::Unique)]
        );
        assert!(l.has_copied_frac && !l.has_story);
    }
}
