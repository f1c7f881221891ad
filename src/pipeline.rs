//! The `scan` pipeline, wired stage by stage.
//!
//! [`scan`] runs the modules in data-flow order and returns a [`ScanResult`] of plain data;
//! [`run_scan`] also writes it. Stages:
//!
//! 1. **read + sign** — a reader thread streams [`Record`]s from the inputs in batches of
//!    [`BATCH_DOCS`]; the rayon pool normalises, shingles and signs each batch while the next
//!    one is read. Texts are dropped once shingled; ids, metadata, shingle sets and signatures
//!    stay. Document numbers are input order, assigned before any parallel work.
//! 2. **exact** — documents with identical shingle sets are grouped first (verified set
//!    equality, Jaccard 1); only one representative of each group goes on to LSH, so mass
//!    duplicates never flood LSH buckets.
//! 3. **lsh** — candidate pairs among the representatives ([`crate::lsh`]).
//! 4. **verify** — exact Jaccard and containment for every candidate ([`crate::verify`]).
//! 5. **cluster** — union-find over the verified edges ([`crate::cluster`]).
//!
//! Every step that runs in parallel writes into slots fixed by document number, and every
//! list is sorted before use, so results are identical for any thread count.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::Instant;

use ahash::AHashSet;
use rayon::prelude::*;
use serde::Serialize;

use crate::cluster::{cluster, Cluster};
use crate::config::{FieldMap, ScanConfig};
use crate::error::{Error, Result};
use crate::input::{read_inputs, DocMeta, InputFile, InputIssue, InputSummary, Record, SkipReason};
use crate::lsh::{self, candidates};
use crate::minhash::{MinHasher, SigValue, MINHASH_SEED};
use crate::progress::{Progress, Unit};
use crate::shingle::{ShingleSet, Shingler, SHINGLE_SEED, TOKEN_SEED};
use crate::verify::{verify, Edge};

/// Documents per batch handed from the reader thread to the signing pool: large enough to
/// keep both cores busy between hand-offs, small enough that only a few thousand texts are
/// in memory at once.
pub const BATCH_DOCS: usize = 2048;

/// Batches the reader may run ahead of the signers; bounds the texts held in memory.
const READ_AHEAD_BATCHES: usize = 2;

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
    /// Distinct candidate pairs verified.
    pub candidate_pairs: usize,
    /// Largest LSH bucket.
    pub largest_bucket: usize,
    /// Verified edges, including exact-duplicate edges.
    pub verified_edges: usize,
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
    /// Reading, normalising, shingling and signing (overlapped).
    pub read_and_sign: f64,
    /// Grouping identical shingle sets.
    pub exact: f64,
    /// LSH candidate generation.
    pub lsh: f64,
    /// Exact verification.
    pub verify: f64,
    /// Union-find.
    pub cluster: f64,
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
    /// What reading found (files, issues).
    pub inputs: InputSummary,
    /// Parameters, counts and timings.
    pub run: RunInfo,
}

impl ScanResult {
    /// True when some input was skipped or unreadable (exit code 3 in the binary).
    pub fn has_input_problems(&self) -> bool {
        self.run.counts.skipped > 0 || !self.inputs.issues.is_empty()
    }
}

/// A document's shingles and signature, or why it has none.
type Sketch = std::result::Result<(ShingleSet, Vec<SigValue>), SkipReason>;

/// Runs the scan pipeline and writes its outputs (see [`crate::report::write_outputs`]).
pub fn run_scan(config: &ScanConfig, progress: &dyn Progress) -> Result<ScanResult> {
    let result = scan(config, progress)?;
    crate::report::write_outputs(&result, &config.outdir)?;
    Ok(result)
}

/// Runs the scan pipeline in the current rayon pool and returns its result without writing.
pub fn scan(config: &ScanConfig, progress: &dyn Progress) -> Result<ScanResult> {
    config.validate()?;
    let started = Instant::now();
    let mut seconds = Seconds::default();
    let banding = config.banding.unwrap_or_else(|| lsh::optimal_banding(config.threshold, config.perms));
    let hasher = MinHasher::new(config.perms);

    // 1. read + sign
    let t = Instant::now();
    let mut docs: Vec<DocMeta> = Vec::new();
    let mut sketches: Vec<Sketch> = Vec::new();
    progress.begin("read + sign", None, Unit::Bytes);
    let summary = std::thread::scope(|scope| -> Result<InputSummary> {
        let (tx, rx) = mpsc::sync_channel::<Vec<Record>>(READ_AHEAD_BATCHES);
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH_DOCS);
            let summary = read_inputs(&config.inputs, &config.fields, std::slice::from_ref(&config.outdir), &mut |rec| {
                batch.push(rec);
                if batch.len() == BATCH_DOCS {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_DOCS));
                    let _ = tx.send(full);
                }
            });
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            summary
        });
        for batch in rx {
            let bytes: u64 = batch.iter().map(|r| r.meta.bytes).sum();
            let signed: Vec<(DocMeta, Sketch)> = batch
                .into_par_iter()
                .map_init(Shingler::default, |sh, rec| {
                    let sketch = rec.body.and_then(|text| {
                        let set = sh.shingle(&text, config.shingle).ok_or(SkipReason::NoWords)?;
                        let sig = hasher.signature(&set.hashes);
                        Ok((set, sig))
                    });
                    (rec.meta, sketch)
                })
                .collect();
            for (meta, sketch) in signed {
                docs.push(meta);
                sketches.push(sketch);
            }
            progress.advance(bytes);
        }
        reader.join().expect("the input reader thread panicked")
    })?;
    progress.end();
    seconds.read_and_sign = t.elapsed().as_secs_f64();

    let mut counts = Counts { documents: docs.len(), ..Counts::default() };
    let mut skipped: Vec<Option<SkipReason>> = Vec::with_capacity(docs.len());
    let mut sets: Vec<ShingleSet> = Vec::with_capacity(docs.len());
    let mut sigs: Vec<Vec<SigValue>> = Vec::with_capacity(docs.len());
    for sketch in sketches {
        match sketch {
            Ok((set, sig)) => {
                counts.shingles += set.len() as u64;
                sets.push(set);
                sigs.push(sig);
                skipped.push(None);
            }
            Err(reason) => {
                *counts.skipped_by_reason.entry(reason.code()).or_default() += 1;
                sets.push(ShingleSet::default());
                sigs.push(Vec::new());
                skipped.push(Some(reason));
            }
        }
    }
    counts.skipped = skipped.iter().filter(|s| s.is_some()).count();
    counts.processed = counts.documents - counts.skipped;
    counts.input_issues = summary.issues.len();
    counts.bytes = docs.iter().map(|d| d.bytes).sum();

    if config.strict && (counts.skipped > 0 || !summary.issues.is_empty()) {
        let first = match skipped.iter().position(Option::is_some) {
            Some(i) => format!("{}: {}", summary.locate(docs[i].location), skipped[i].as_ref().unwrap()),
            None => summary.issues[0].to_string(),
        };
        return Err(Error::Strict { count: counts.skipped + summary.issues.len(), first });
    }
    let renamed_ids = disambiguate_ids(&mut docs, &summary);
    counts.renamed_ids = renamed_ids.len();

    // 2. exact duplicates
    let t = Instant::now();
    let (mut edges, representatives) = exact_duplicates(&sets, &skipped);
    counts.exact_duplicates = edges.len();
    counts.lsh_documents = representatives.len();
    seconds.exact = t.elapsed().as_secs_f64();

    // 3. lsh
    let t = Instant::now();
    let rep_sigs: Vec<&[SigValue]> = representatives.iter().map(|&i| sigs[i as usize].as_slice()).collect();
    progress.begin("lsh", Some(banding.bands as u64), Unit::Bands);
    let cand = candidates(&rep_sigs, banding, &|| progress.advance(1));
    progress.end();
    drop(sigs);
    let pairs: Vec<(u32, u32)> =
        cand.pairs.iter().map(|&(i, j)| (representatives[i as usize], representatives[j as usize])).collect();
    counts.band_collisions = cand.band_collisions;
    counts.candidate_pairs = pairs.len();
    counts.largest_bucket = cand.largest_bucket;
    seconds.lsh = t.elapsed().as_secs_f64();

    // 4. verify
    let t = Instant::now();
    progress.begin("verify", Some(pairs.len() as u64), Unit::Pairs);
    let hashes: Vec<&[u64]> = sets.iter().map(|s| s.hashes.as_slice()).collect();
    edges.extend(verify(&pairs, &hashes, config.threshold, &|n| progress.advance(n)));
    progress.end();
    counts.verified_edges = edges.len();
    seconds.verify = t.elapsed().as_secs_f64();

    // 5. cluster
    let t = Instant::now();
    let (clusters, cluster_of) = cluster(docs.len(), &edges);
    counts.clusters = clusters.len();
    counts.documents_in_clusters = clusters.iter().map(|c| c.members.len()).sum();
    counts.largest_cluster = clusters.iter().map(|c| c.members.len()).max().unwrap_or(0);
    seconds.cluster = t.elapsed().as_secs_f64();
    seconds.total = started.elapsed().as_secs_f64();

    let mut curve = BTreeMap::new();
    for s in [config.threshold - 0.1, config.threshold, config.threshold + 0.1] {
        if (0.0..=1.0).contains(&s) {
            curve.insert(format!("{:.2}", s), crate::report::round(lsh::candidate_probability(s, banding)));
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
            bands: banding.bands,
            rows: banding.rows,
            banding: if config.banding.is_some() { "given" } else { "derived" },
            candidate_probability: curve,
            seeds: Seeds { token: TOKEN_SEED, shingle: SHINGLE_SEED, minhash: MINHASH_SEED, band: lsh::BAND_SEED },
            fields: config.fields.clone(),
            strict: config.strict,
        },
        threads: rayon::current_num_threads(),
        inputs: summary.files.clone(),
        counts,
        seconds,
        input_issues: summary.issues.clone(),
        ignored_files: summary.ignored_files.clone(),
        decoded_files: summary.decoded.clone(),
        renamed_ids,
    };
    Ok(ScanResult { docs, skipped, cluster_of, clusters, inputs: summary, run })
}

/// Renames every id that repeats an earlier one to `ID@FILE:LINE` (with `#2`, `#3`, ...
/// appended should that name be taken too), so ids in outputs are unique; returns the renames.
fn disambiguate_ids(docs: &mut [DocMeta], summary: &InputSummary) -> Vec<[String; 2]> {
    let mut taken: AHashSet<String> = docs.iter().map(|d| d.id.clone()).collect();
    if taken.len() == docs.len() {
        return Vec::new();
    }
    let mut first_seen: AHashSet<&str> = AHashSet::with_capacity(docs.len());
    let mut repeats = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        if !first_seen.insert(doc.id.as_str()) {
            repeats.push(i);
        }
    }
    let mut renamed = Vec::with_capacity(repeats.len());
    for i in repeats {
        let base = format!("{}@{}", docs[i].id, summary.locate(docs[i].location));
        let mut new = base.clone();
        let mut n = 1;
        while taken.contains(&new) {
            n += 1;
            new = format!("{base}#{n}");
        }
        taken.insert(new.clone());
        renamed.push([std::mem::replace(&mut docs[i].id, new.clone()), new]);
    }
    renamed
}

/// Groups documents with identical shingle sets. Returns an edge (Jaccard 1) from each
/// group's first member to every other member, and the documents that represent a distinct
/// set (each group's first member and every unique document), in input order.
fn exact_duplicates(sets: &[ShingleSet], skipped: &[Option<SkipReason>]) -> (Vec<Edge>, Vec<u32>) {
    let mut keyed: Vec<(u64, u32)> = (0..sets.len())
        .into_par_iter()
        .filter(|&i| skipped[i].is_none())
        .map(|i| (sets[i].fingerprint(), i as u32))
        .collect();
    keyed.par_sort_unstable();
    let mut is_rep = vec![false; sets.len()];
    let mut edges = Vec::new();
    let mut start = 0;
    while start < keyed.len() {
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 == keyed[start].0 {
            end += 1;
        }
        // Within a run of equal fingerprints, compare sets for real: each document joins the
        // first earlier head whose set equals its own, or becomes a head itself.
        let mut heads: Vec<u32> = Vec::new();
        for &(_, i) in &keyed[start..end] {
            match heads.iter().find(|&&h| sets[h as usize].hashes == sets[i as usize].hashes) {
                Some(&h) => edges.push(Edge { a: h, b: i, jaccard: 1.0, containment_ab: 1.0, containment_ba: 1.0 }),
                None => {
                    heads.push(i);
                    is_rep[i as usize] = true;
                }
            }
        }
        start = end;
    }
    let reps = (0..sets.len() as u32).filter(|&i| is_rep[i as usize]).collect();
    (edges, reps)
}
