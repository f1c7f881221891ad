//! The dedup pass: which article of each duplicate group stays, and the stream of the kept
//! records, byte for byte as they came in.
//!
//! [`decide`] runs inside the scan, while the shingle sets still exist. Groups are the copy
//! clusters joined with two cheap relations reported apart from them: the *same text*
//! (identical [`crate::normalize::text_fingerprint`], so the same words in the same order)
//! and the *same page* under several addresses ([`canonical_url`]: scheme, `www.`, tracking
//! parameters, trailing slashes and AMP variants set aside). In each group one member is
//! kept by the [`DedupPolicy`]; every other member, in the policy's order of preference, is
//! measured exactly (Jaccard, and the share of its own shingles found in the other) against
//! the members kept so far and removed in favour of the first it duplicates when the policy
//! allows, so an article is never removed for a resemblance to something else than the
//! article kept in its place, and no two kept articles of a group are duplicates of each
//! other by the same rule ([`kept_pairs_that_duplicate`] checks it on every run). A second
//! pass over the output can still remove a few: furniture and copy clusters are learned from
//! the whole dump, which the first pass changed (README, "reprint dedup").
//!
//! [`write`] then reads the inputs a second time and streams: kept records to the output as
//! their original bytes (`.txt` articles as JSON records with their path), or with
//! `--mark` every record with a `reprint` object added; removed and skipped records to the
//! removed list. No text is held beyond the record being copied. The counts are checked at
//! the end: input records = kept + removed + skipped.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::cluster::UnionFind;
use crate::config::{DedupPolicy, KeepRule, OutletScope, ScanConfig};
use crate::error::{Error, Result};
use crate::interrupt::{self, Hold, Pending};
use crate::input::{reread_raw, DocMeta, SkipReason};
use crate::pipeline::{role_name, ScanResult};
use crate::progress::{Progress, Unit};
use crate::report::round;

/// Query parameters that only track where a reader came from; they never change the page.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src", "cmpid", "ito", "ncid",
    "ocid", "smid", "amp", "_ga", "guccounter", "outputtype",
];

/// Why a member of a group is a duplicate of the kept article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The same words in the same order.
    ExactText,
    /// The same page under another address.
    SameUrl,
    /// A verified near-duplicate (its copy cluster).
    NearDuplicate,
}

impl Reason {
    /// Stable name, as in the outputs.
    pub fn name(self) -> &'static str {
        match self {
            Reason::ExactText => "exact_text",
            Reason::SameUrl => "same_url",
            Reason::NearDuplicate => "near_duplicate",
        }
    }
}

/// What happens to one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Written to the output.
    Keep,
    /// Left out, in favour of `kept`.
    Remove,
    /// Not an article (see the scan's skip reason).
    Skip,
}

/// The decision for one document, with its evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// Keep, remove or skip.
    pub action: Action,
    /// Its duplicate group (numbered by first member in input order), when it has one.
    pub group: Option<u32>,
    /// The group's kept article (itself when it is the one kept).
    pub kept: Option<u32>,
    /// How it relates to the kept article (`None` for the kept one and for unique articles).
    pub reason: Option<Reason>,
    /// Jaccard of its shingle set and the kept article's.
    pub jaccard: f64,
    /// Share of its shingles found in the kept article.
    pub containment: f64,
}

impl Decision {
    fn alone(action: Action) -> Self {
        Decision { action, group: None, kept: None, reason: None, jaccard: 0.0, containment: 0.0 }
    }
}

/// What [`decide`] needs from the scan, per document in input order.
pub struct Facts<'a> {
    /// Metadata (outlet, date, URL).
    pub docs: &'a [DocMeta],
    /// Skip reasons.
    pub skipped: &'a [Option<SkipReason>],
    /// Copy clusters.
    pub cluster_of: &'a [Option<u32>],
    /// Whole-text fingerprints (`None` when skipped).
    pub texts: &'a [Option<u64>],
    /// Position in the origin order (0 = most likely original).
    pub rank: &'a [u32],
    /// Body words.
    pub body_words: &'a [u32],
    /// Sorted shingle sets.
    pub sets: &'a [Vec<u64>],
    /// Canonical URLs ([`canonical_url`]).
    pub urls: &'a [Option<String>],
    /// Every verified pair of the scan (`a < b`): a pair that is a duplicate by the policy
    /// joins its documents' groups even when the clusters keep them apart (a brief wholly
    /// inside a digest of unrelated briefs, whose containment the roundup rule demotes).
    pub pairs: &'a [(u32, u32)],
    /// The policy.
    pub policy: &'a DedupPolicy,
}

/// The address of a page with what does not change the page set aside: scheme, `www.` and
/// `amp.` hosts, default ports, fragments, tracking parameters (`utm_*` and
/// [`TRACKING_PARAMS`]), AMP paths (`/amp`, `.amp.html`, `amp=1`), trailing slashes, and the
/// order of the remaining query parameters. `None` when it is not an absolute web address.
pub fn canonical_url(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let mut host = host.as_str();
    for prefix in ["www.", "amp.", "m."] {
        if let Some(rest) = host.strip_prefix(prefix) {
            if rest.contains('.') {
                host = rest;
            }
        }
    }
    let mut path = url.path().to_string();
    loop {
        let before = path.len();
        for suffix in ["/", "/amp", "/amp.html"] {
            if let Some(p) = path.strip_suffix(suffix) {
                path = p.to_string();
            }
        }
        if path.len() == before {
            break;
        }
    }
    if let Some(stem) = path.strip_suffix(".amp.html") {
        path = format!("{stem}.html");
    } else if let Some(stem) = path.strip_suffix(".amp") {
        path = stem.to_string();
    }
    let mut query: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    query.sort();
    let mut key = format!("{host}{path}");
    if let Some(port) = url.port() {
        key = format!("{host}:{port}{path}");
    }
    if !query.is_empty() {
        let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        key.push('?');
        key.push_str(&q.join("&"));
    }
    Some(key)
}

/// Decides, for every document, whether it is kept, removed or skipped (see the module docs).
pub fn decide(f: &Facts) -> Vec<Decision> {
    let n = f.docs.len();
    let live = |i: usize| f.skipped[i].is_none();
    let mut uf = UnionFind::new(n);
    let mut first_of_cluster: BTreeMap<u32, usize> = BTreeMap::new();
    let mut first_of_text: BTreeMap<u64, usize> = BTreeMap::new();
    let mut first_of_url: BTreeMap<String, usize> = BTreeMap::new();
    let urls = f.urls;
    for i in (0..n).filter(|&i| live(i)) {
        if let Some(c) = f.cluster_of[i] {
            uf.union(i as u32, *first_of_cluster.entry(c).or_insert(i) as u32);
        }
        if let Some(t) = f.texts[i] {
            uf.union(i as u32, *first_of_text.entry(t).or_insert(i) as u32);
        }
        if let Some(u) = &urls[i] {
            uf.union(i as u32, *first_of_url.entry(u.clone()).or_insert(i) as u32);
        }
    }
    for &(a, b) in f.pairs {
        let (a, b) = (a as usize, b as usize);
        if live(a) && live(b) && (relate(f, a, b).duplicate || relate(f, b, a).duplicate) {
            uf.union(a as u32, b as u32);
        }
    }
    let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for i in (0..n).filter(|&i| live(i)) {
        groups.entry(uf.find(i as u32)).or_default().push(i);
    }
    let mut out: Vec<Decision> =
        (0..n).map(|i| Decision::alone(if live(i) { Action::Keep } else { Action::Skip })).collect();
    // Groups in order of their first member (BTreeMap by root is not input order).
    let mut ordered: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    ordered.sort_by_key(|g| g[0]);
    for (group_id, mut members) in ordered.into_iter().enumerate() {
        let group_id = group_id as u32;
        // In the policy's order of preference, each member is removed in favour of the first
        // kept member it duplicates (within the scope), and kept otherwise; the first member
        // has none before it, so it is the group's kept article. So no two kept members are
        // duplicates of each other by this rule.
        members.sort_by_key(|&i| priority(f, i));
        let primary = members[0];
        let mut kept: Vec<usize> = Vec::new();
        // Kept members by text and by page: a member with the same text or page as a kept
        // one is removed for that reason before any near-duplicate is looked for.
        let mut kept_text: BTreeMap<u64, usize> = BTreeMap::new();
        let mut kept_url: BTreeMap<&str, usize> = BTreeMap::new();
        for &m in &members {
            let mut d = Decision { group: Some(group_id), kept: Some(primary as u32), ..Decision::alone(Action::Keep) };
            let same_text = f.texts[m].and_then(|t| kept_text.get(&t).copied());
            let same_url = f.urls[m].as_deref().and_then(|u| kept_url.get(u).copied());
            let mut same: Vec<usize> = [same_text, same_url].into_iter().flatten().collect();
            same.sort_by_key(|&k| priority(f, k));
            for k in same.into_iter().chain(kept.iter().copied()) {
                let relation = relate(f, m, k);
                if k == primary {
                    // A member kept is described against the group's kept article.
                    (d.reason, d.jaccard, d.containment) = (Some(relation.reason), relation.jaccard, relation.containment);
                }
                if relation.duplicate {
                    d = Decision {
                        action: Action::Remove,
                        group: Some(group_id),
                        kept: Some(k as u32),
                        reason: Some(relation.reason),
                        jaccard: relation.jaccard,
                        containment: relation.containment,
                    };
                    break;
                }
            }
            if d.action == Action::Keep {
                kept.push(m);
                if let Some(t) = f.texts[m] {
                    kept_text.entry(t).or_insert(m);
                }
                if let Some(u) = f.urls[m].as_deref() {
                    kept_url.entry(u).or_insert(m);
                }
            }
            out[m] = d;
        }
    }
    out
}

/// The policy's order of preference within a group (smallest first).
fn priority(f: &Facts, i: usize) -> (usize, (i64, i64), u32, usize) {
    let outlet = f.docs[i].outlet.as_deref();
    let prefer = f.policy.prefer_outlets.iter().position(|p| Some(p.as_str()) == outlet).unwrap_or(usize::MAX);
    let rule = match f.policy.keep {
        KeepRule::Origin => (0, 0),
        KeepRule::Earliest => (f.docs[i].timestamp.unwrap_or(i64::MAX), 0),
        KeepRule::Longest => (0, -(f.body_words[i] as i64)),
        KeepRule::First => (i as i64, 0),
    };
    (prefer, rule, f.rank[i], i)
}

/// How document `m` relates to a kept document `k` of its group.
struct Relation {
    reason: Reason,
    jaccard: f64,
    /// Share of `m`'s shingles found in `k`.
    containment: f64,
    /// Whether the policy removes `m` in favour of `k`: within the scope, and the same text,
    /// the same page, or at least `min_containment` of `m` inside `k`.
    duplicate: bool,
}

fn relate(f: &Facts, m: usize, k: usize) -> Relation {
    let (jaccard, containment) = measure(&f.sets[m], &f.sets[k]);
    let reason = if f.texts[m].is_some() && f.texts[m] == f.texts[k] {
        Reason::ExactText
    } else if f.urls[m].is_some() && f.urls[m] == f.urls[k] {
        Reason::SameUrl
    } else {
        Reason::NearDuplicate
    };
    let same_outlet = f.docs[m].outlet == f.docs[k].outlet;
    let in_scope = match f.policy.scope {
        OutletScope::Any => true,
        OutletScope::SameOutlet => same_outlet,
        OutletScope::CrossOutlet => !same_outlet,
    };
    let close_enough = reason != Reason::NearDuplicate || containment >= f.policy.min_containment;
    Relation { reason, jaccard, containment, duplicate: in_scope && close_enough }
}

/// The dedup invariant, checked on the decisions: no two kept articles are duplicates by the
/// policy's own rule, the later in order of preference measured against the earlier, over
/// `pairs` (the pipeline gives every verified pair of the scan: the relations a second pass
/// would group by), whether or not the clusters put them in one group. Returns the pairs that
/// break it (none, unless [`decide`] is wrong).
pub fn kept_pairs_that_duplicate(f: &Facts, decisions: &[Decision], pairs: impl Iterator<Item = (u32, u32)>) -> Vec<(u32, u32)> {
    let kept = |i: usize| decisions[i].action == Action::Keep && decisions[i].group.is_some();
    let mut bad = Vec::new();
    for (a, b) in pairs {
        let (a, b) = (a as usize, b as usize);
        if !kept(a) || !kept(b) {
            continue;
        }
        let (earlier, later) = if priority(f, a) <= priority(f, b) { (a, b) } else { (b, a) };
        if relate(f, later, earlier).duplicate {
            bad.push((earlier as u32, later as u32));
        }
    }
    bad
}

/// Jaccard of two sorted sets, and the share of `a` found in `b`.
fn measure(a: &[u64], b: &[u64]) -> (f64, f64) {
    if a.is_empty() {
        return (if b.is_empty() { 1.0 } else { 0.0 }, 1.0);
    }
    let common = crate::verify::intersection_size(a, b);
    let union = a.len() + b.len() - common;
    (common as f64 / union as f64, common as f64 / a.len() as f64)
}

// ---------------------------------------------------------------------------------------
// Writing

/// Where `reprint dedup` writes.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// The deduplicated dump (`-o`); gzip or zstd by its extension.
    pub out: PathBuf,
    /// The removed and skipped records (`--removed`), when asked.
    pub removed: Option<PathBuf>,
    /// Write every record with a `reprint` object instead of leaving records out (`--mark`).
    pub mark: bool,
}

/// The end-of-run account, as printed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Input records (documents of the scan).
    pub records: usize,
    /// Written to the output as kept.
    pub kept: usize,
    /// Left out as duplicates (with `--mark`: marked as such).
    pub removed: usize,
    /// Not articles (skip reasons), by reason code.
    pub skipped: BTreeMap<&'static str, usize>,
    /// Removed, by reason.
    pub removed_by_reason: BTreeMap<&'static str, usize>,
    /// Group members kept because the policy did not allow removing them.
    pub retained: usize,
    /// Duplicate groups.
    pub groups: usize,
}

impl Summary {
    /// Skipped records in all.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }
}

#[derive(Serialize)]
struct RemovedLine<'a> {
    id: &'a str,
    input: String,
    cluster: Option<u32>,
    group: Option<u32>,
    kept_id: Option<&'a str>,
    jaccard: Option<f64>,
    containment: Option<f64>,
    reason: &'a str,
    skipped: Option<String>,
}

#[derive(Serialize)]
struct MarkFields<'a> {
    kept: bool,
    cluster: Option<u32>,
    story: Option<u32>,
    group: Option<u32>,
    role: Option<&'static str>,
    reuse: Option<f64>,
    kept_id: Option<&'a str>,
    reason: Option<&'static str>,
    jaccard: Option<f64>,
    containment: Option<f64>,
    skipped: Option<String>,
}

/// A compressed or plain file writer chosen by extension.
enum Sink {
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::Encoder<'static, BufWriter<File>>),
}

impl Sink {
    fn new(path: &Path, file: BufWriter<File>) -> std::io::Result<Sink> {
        let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        Ok(if name.ends_with(".gz") {
            Sink::Gzip(flate2::write::GzEncoder::new(file, flate2::Compression::default()))
        } else if name.ends_with(".zst") || name.ends_with(".zstd") {
            Sink::Zstd(zstd::Encoder::new(file, 3)?)
        } else {
            Sink::Plain(file)
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w,
            Sink::Zstd(w) => w,
        }
    }

    fn finish(self) -> std::io::Result<BufWriter<File>> {
        match self {
            Sink::Plain(w) => Ok(w),
            Sink::Gzip(w) => w.finish(),
            Sink::Zstd(w) => w.finish(),
        }
    }
}

/// A file written beside its target and renamed over it only when complete.
struct Staged {
    target: PathBuf,
    temp: PathBuf,
    sink: Option<Sink>,
    /// The temporary file, removed if the run is interrupted.
    pending: Option<Pending>,
    committed: bool,
}

impl Staged {
    fn create(target: &Path) -> Result<Staged> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let pending = Pending::new(&temp);
        let err = |source| Error::Output { path: target.to_path_buf(), source };
        let file = File::create(&temp).map_err(err)?;
        let mut staged =
            Staged { target: target.to_path_buf(), temp, sink: None, pending: Some(pending), committed: false };
        staged.sink = Some(Sink::new(target, BufWriter::new(file)).map_err(err)?);
        Ok(staged)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let w = self.sink.as_mut().expect("open until finished").writer();
        w.write_all(bytes).and_then(|_| w.write_all(b"\n")).map_err(|source| Error::Output { path: self.target.clone(), source })
    }

    /// Ends the compressed stream, flushes and syncs the temporary file.
    fn finish(&mut self) -> Result<()> {
        let err = |source| Error::Output { path: self.target.clone(), source };
        let sink = self.sink.take().expect("finished once");
        let file = sink.finish().map_err(err)?.into_inner().map_err(|e| err(e.into_error()))?;
        file.sync_all().map_err(err)
    }

    /// Moves the finished file into place, under a held interruption registry.
    fn commit(mut self, hold: &mut Hold) -> Result<()> {
        std::fs::rename(&self.temp, &self.target).map_err(|source| Error::Output { path: self.target.clone(), source })?;
        self.committed = true;
        if let Some(p) = self.pending.take() {
            p.done(hold);
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Streams the records of the scanned inputs to `outputs` by the decisions in `result`
/// (see the module docs). The output files appear only when complete; on any error neither
/// replaces an existing file.
pub fn write(config: &ScanConfig, result: &ScanResult, outputs: &Outputs, progress: &dyn Progress) -> Result<Summary> {
    let decisions = result.dedup.as_ref().expect("the scan was asked for dedup decisions");
    let n = result.docs.len();
    let mut summary = Summary { records: n, ..Summary::default() };
    summary.groups = decisions.iter().filter_map(|d| d.group).max().map_or(0, |g| g as usize + 1);
    let mut out = Staged::create(&outputs.out)?;
    let mut removed = outputs.removed.as_deref().map(Staged::create).transpose()?;
    let by_location: BTreeMap<(u32, u64), usize> =
        result.docs.iter().enumerate().map(|(i, d)| ((d.location.file, d.location.line), i)).collect();
    let mut seen = vec![false; n];
    let mut failure: Option<Error> = None;
    progress.begin("write", Some(result.run.counts.bytes), Unit::Bytes);
    let exclude: Vec<PathBuf> = Vec::new();
    reread_raw(&config.inputs, &config.fields, &exclude, config.stdin_copy.as_deref(), None, config.max_doc_bytes, &mut |rec, raw| {
        if failure.is_some() {
            return;
        }
        progress.advance(rec.meta.bytes);
        let key = (rec.meta.location.file, rec.meta.location.line);
        let Some(&i) = by_location.get(&key) else {
            failure = Some(changed(result, &rec.meta));
            return;
        };
        if rec.meta.bytes != result.docs[i].bytes {
            failure = Some(changed(result, &rec.meta));
            return;
        }
        seen[i] = true;
        if let Err(e) = route(result, decisions, i, &rec, raw, outputs.mark, &mut out, removed.as_mut(), &mut summary) {
            failure = Some(e);
        }
    })?;
    progress.end();
    if let Some(e) = failure {
        return Err(e);
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        let at = result.inputs.locate(result.docs[i].location);
        return Err(if at.starts_with("-:") {
            Error::Config("reprint dedup cannot read standard input twice; give it a file".into())
        } else {
            Error::Invariant(format!("{at} ({}) was not found when the inputs were read again", result.docs[i].id))
        });
    }
    let accounted = summary.kept + summary.removed + summary.skipped_total();
    if accounted != summary.records {
        return Err(Error::Invariant(format!(
            "input records {} != kept {} + removed {} + skipped {}",
            summary.records,
            summary.kept,
            summary.removed,
            summary.skipped_total()
        )));
    }
    out.finish()?;
    if let Some(r) = removed.as_mut() {
        r.finish()?;
    }
    // Both files are moved into place before an interruption can clean up.
    let mut hold = interrupt::hold();
    out.commit(&mut hold)?;
    if let Some(r) = removed {
        r.commit(&mut hold)?;
    }
    Ok(summary)
}

fn changed(result: &ScanResult, meta: &DocMeta) -> Error {
    let at = result.inputs.locate(meta.location);
    Error::Invariant(format!("{at}: the input changed while reprint dedup was reading it; nothing was written"))
}

/// Sends one record where its decision says.
#[allow(clippy::too_many_arguments)]
fn route(
    r: &ScanResult,
    decisions: &[Decision],
    i: usize,
    rec: &crate::input::Record,
    raw: Option<&[u8]>,
    mark: bool,
    out: &mut Staged,
    removed: Option<&mut Staged>,
    summary: &mut Summary,
) -> Result<()> {
    let d = decisions[i];
    let doc = &r.docs[i];
    let kept_id = d.kept.filter(|&k| k as usize != i).map(|k| r.docs[k as usize].id.as_str());
    let skip = r.skipped[i].as_ref();
    match d.action {
        Action::Keep => summary.kept += 1,
        Action::Remove => {
            summary.removed += 1;
            *summary.removed_by_reason.entry(d.reason.map_or("", Reason::name)).or_default() += 1;
        }
        Action::Skip => {
            *summary.skipped.entry(skip.map_or("", SkipReason::code)).or_default() += 1;
        }
    }
    if d.action == Action::Keep && d.reason.is_some() {
        summary.retained += 1;
    }
    if d.action != Action::Keep {
        if let Some(w) = removed {
            let line = RemovedLine {
                id: &doc.id,
                input: r.inputs.locate(doc.location),
                cluster: r.cluster_of[i],
                group: d.group,
                kept_id,
                jaccard: d.reason.map(|_| round(d.jaccard)),
                containment: d.reason.map(|_| round(d.containment)),
                reason: d.reason.map_or("skipped", Reason::name),
                skipped: skip.map(ToString::to_string),
            };
            w.write(&serde_json::to_vec(&line).expect("serialises"))?;
        }
    }
    if mark {
        let fields = MarkFields {
            kept: d.action == Action::Keep,
            cluster: r.cluster_of[i],
            story: r.story_of[i],
            group: d.group,
            role: r.reuse[i].as_ref().map(|x| role_name(x.role)),
            reuse: r.reuse[i].as_ref().map(|x| round(x.reuse)),
            kept_id,
            reason: d.reason.map(Reason::name),
            jaccard: d.reason.map(|_| round(d.jaccard)),
            containment: d.reason.map(|_| round(d.containment)),
            skipped: skip.map(ToString::to_string),
        };
        let mark_value = serde_json::to_value(&fields).expect("serialises");
        // A record over --max-doc-bytes was never held, so it cannot be copied; like a line
        // that is not a JSON object it is counted and listed in REMOVED, not written.
        if matches!(rec.body, Err(SkipReason::TooLarge { .. })) {
            return Ok(());
        }
        // Only records that are JSON objects (or .txt articles) can carry the fields.
        if let Some(mut obj) = record_object(rec, raw) {
            obj.insert("reprint".to_string(), mark_value);
            return out.write(&serde_json::to_vec(&obj).expect("serialises"));
        }
        return Ok(());
    }
    if d.action == Action::Keep {
        match raw {
            Some(line) => out.write(line)?,
            None => {
                let obj = record_object(rec, None).expect(".txt articles become objects");
                out.write(&serde_json::to_vec(&obj).expect("serialises"))?;
            }
        }
    }
    Ok(())
}

/// The record as a JSON object: the parsed line, or a `.txt` article as `id`, `path`,
/// `outlet`, `date`, `title`, `url`, `text`.
fn record_object(rec: &crate::input::Record, raw: Option<&[u8]>) -> Option<Map<String, Value>> {
    match raw {
        Some(line) => match serde_json::from_slice::<Value>(line) {
            Ok(Value::Object(o)) => Some(o),
            _ => None,
        },
        None => {
            let m = &rec.meta;
            let mut o = Map::new();
            o.insert("id".into(), Value::from(m.id.clone()));
            o.insert("path".into(), Value::from(m.id.clone()));
            for (k, v) in [("outlet", &m.outlet), ("date", &m.date), ("title", &m.title), ("url", &m.url)] {
                if let Some(v) = v {
                    o.insert(k.into(), Value::from(v.clone()));
                }
            }
            if let Ok(text) = &rec.body {
                o.insert("text".into(), Value::from(text.clone()));
            }
            Some(o)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_one_page_canonicalise_alike() {
        let base = canonical_url("https://example.com/news/story-1").unwrap();
        assert_eq!(base, "example.com/news/story-1");
        for same in [
            "http://www.example.com/news/story-1/",
            "https://EXAMPLE.com/news/story-1?utm_source=twitter&utm_medium=social",
            "https://example.com/news/story-1#comments",
            "https://amp.example.com/news/story-1",
            "https://example.com/news/story-1/amp",
            "https://example.com/news/story-1/amp/",
            "https://example.com/news/story-1?amp=1&fbclid=abc",
            "https://example.com:443/news/story-1",
        ] {
            assert_eq!(canonical_url(same).as_deref(), Some(base.as_str()), "{same}");
        }
        assert_eq!(canonical_url("https://x.org/a.amp.html"), canonical_url("https://x.org/a.html"));
        // Other pages stay apart: another path, a meaningful parameter, another host.
        assert_ne!(canonical_url("https://example.com/news/story-2"), Some(base.clone()));
        assert_ne!(canonical_url("https://example.com/news/story-1?page=2"), Some(base.clone()));
        assert_ne!(canonical_url("https://example.org/news/story-1"), Some(base));
        // Parameter order does not matter.
        assert_eq!(canonical_url("https://x.org/s?a=1&b=2"), canonical_url("https://x.org/s?b=2&a=1"));
        assert_eq!(canonical_url("not a url"), None);
        assert_eq!(canonical_url("ftp://x.org/file"), None);
    }

    /// An undated article with no metadata but its id.
    fn doc(id: &str) -> DocMeta {
        DocMeta {
            id: id.into(),
            outlet: None,
            date: None,
            timestamp: None,
            title: None,
            url: None,
            location: crate::input::Location { file: 0, line: 1 },
            bytes: 0,
        }
    }

    /// One copy cluster of three: the kept article (rank 0) and two rewrites that share
    /// little with it but nearly all with each other (the Reuters pair 4144/1708 was such a
    /// case). Measured against the kept article alone, both stayed and a second pass removed
    /// one; now the later is removed in favour of the earlier, and the invariant holds.
    #[test]
    fn two_members_that_duplicate_each_other_are_not_both_kept() {
        let docs = vec![doc("kept"), doc("rewrite-1"), doc("rewrite-2")];
        let base: Vec<u64> = (0..100).collect();
        let rewrite: Vec<u64> = (70..200).collect();
        let mut rewrite_2 = rewrite.clone();
        rewrite_2.push(500);
        let sets = vec![base, rewrite, rewrite_2];
        let policy = DedupPolicy::default();
        let facts = Facts {
            docs: &docs,
            skipped: &[None, None, None],
            cluster_of: &[Some(0), Some(0), Some(0)],
            texts: &[Some(1), Some(2), Some(3)],
            rank: &[0, 1, 2],
            body_words: &[100, 130, 131],
            sets: &sets,
            urls: &[None, None, None],
            pairs: &[(0, 1), (1, 2)],
            policy: &policy,
        };
        let d = decide(&facts);
        assert_eq!(d.iter().map(|d| d.action).collect::<Vec<_>>(), vec![Action::Keep, Action::Keep, Action::Remove]);
        assert_eq!(d[1].kept, Some(0), "a member kept points to the group's kept article");
        assert_eq!((d[2].kept, d[2].reason), (Some(1), Some(Reason::NearDuplicate)));
        assert!(d[2].containment > 0.99);
        assert!(kept_pairs_that_duplicate(&facts, &d, [(0, 1), (0, 2), (1, 2)].into_iter()).is_empty());
        // Both kept, as the old rule had it, breaks the invariant and the check says so.
        let mut both = d.clone();
        both[2] = Decision { action: Action::Keep, kept: Some(0), ..d[2] };
        assert_eq!(kept_pairs_that_duplicate(&facts, &both, [(0, 1), (1, 2)].into_iter()), vec![(1, 2)]);
    }

    #[test]
    fn a_verified_duplicate_pair_is_grouped_though_the_clusters_keep_it_apart() {
        // A brief (1) wholly inside a digest (0) whose containment edges the roundup rule
        // demoted: different clusters, yet a contained copy by the policy.
        let docs = vec![doc("digest"), doc("brief")];
        let sets = vec![(0..300).collect::<Vec<u64>>(), (100..160).collect()];
        let policy = DedupPolicy::default();
        let mut facts = Facts {
            docs: &docs,
            skipped: &[None, None],
            cluster_of: &[Some(0), Some(1)],
            texts: &[Some(1), Some(2)],
            rank: &[0, 1],
            body_words: &[300, 60],
            sets: &sets,
            urls: &[None, None],
            pairs: &[(0, 1)],
            policy: &policy,
        };
        let d = decide(&facts);
        assert_eq!((d[0].action, d[1].action), (Action::Keep, Action::Remove));
        assert_eq!((d[1].kept, d[1].containment), (Some(0), 1.0));
        // Without the verified pair, nothing relates them.
        facts.pairs = &[];
        assert!(decide(&facts).iter().all(|d| d.action == Action::Keep));
    }

    #[test]
    fn measure_gives_jaccard_and_containment_of_the_first() {
        assert_eq!(measure(&[1, 2, 3], &[1, 2, 3, 4, 5, 6]), (0.5, 1.0));
        assert_eq!(measure(&[1, 2, 3, 4], &[3, 4, 5, 6]), (2.0 / 6.0, 0.5));
        assert_eq!(measure(&[], &[]), (1.0, 1.0));
    }
}
