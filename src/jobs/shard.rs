//! `reprint sign` and `reprint cluster`: the scan split at its shuffle, for a dump that
//! outgrows one machine (see docs/scale-out.md).
//!
//! Signing is parallel by nature and the shuffle of band keys is what needs a cluster, so the
//! scan is cut there. `sign --shard I/N` reads only the files of shard `I` (a file's number in
//! the input list modulo `N`; every shard lists the same files, so numbers agree) and writes
//! Parquet tables keyed by `ord`, the document's place among every batch's inputs (batch above
//! [`ORD_BATCH_SHIFT`], then its file's number in the batch, then its line in the low
//! [`ORD_LINE_BITS`]); a scan's document numbers are `ord` in sorted order. A SQL job
//! (`spark/reprint_edges.py`, on Spark or DuckDB) judges furniture over every shard's line
//! fingerprints (the scan's rule is global: which lines recur, where, over how many days), and
//! after the second signing pass turns band keys and anchors into candidate pairs. `cluster`
//! then runs the scan's own later stages ([`pipeline::finish`]) over what the shards wrote and
//! the given pairs, reading again only the texts it compares, so its outputs are the scan's.
//! A later batch (`--batch B`) adds inputs: judged over every batch's lines, paired only
//! where a new document is (the job carries the earlier pairs over), and clustered with
//! every earlier batch.
//!
//! Tables (one Parquet file per shard, `TABLE/batch-BBBBB-part-IIIII-of-NNNNN.parquet`; every hash an
//! `Int64` with the bits of the `u64`, since Spark reads unsigned 64-bit integers as decimals):
//! - `lines` (pass `--lines`): `ord`, `outlet`, `day`, `doc_lines`, `line`, `words`; one row
//!   per distinct line of a document.
//! - `documents`: metadata, skip reason, words, furniture, body words, shingles, `content`
//!   (the shingle set's fingerprint) and what the origin order needs.
//! - `signatures`, `bands` (`ord`, `band`, `key`), `anchors` (`ord`, `anchor`), `terms` (each
//!   document's distinct body words, for stories) and `vocabulary` (`word`, `text`).
//!
//! Each file carries the run's parameters as JSON under the key [`META_KEY`]; `cluster` checks
//! that every shard is there, signed with the same parameters from the same files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use ahash::AHashMap;
use arrow_array::builder::{Int64Builder, ListBuilder};
use arrow_array::{Array, ArrayRef, BooleanArray, Int32Array, Int64Array, ListArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::file::metadata::KeyValue;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::{FieldMap, InputSpec, ScanConfig};
use crate::jobs::index::format::IndexParams;
use crate::error::{Error, Result};
use crate::text::furniture::{self, Judgement};
use crate::input::{DocMeta, InputFile, Location, SkipReason};
use crate::sketch::lsh;
use crate::sketch::minhash::MinHasher;
use crate::text::normalize::{tokenize_with, Tokens};
use crate::engine::pipeline::{self, CandidateCounts, Route, ScanResult, Signed, SECONDS_PER_DAY};
use crate::engine::progress::Progress;
use crate::text::shingle::{shingle_sequence, ShingleSet};
use crate::engine::budget::{Held, TempSpace};
use crate::engine::lists::DocLists;
use crate::text::lists::Lists;

/// Version of the tables' layout; `cluster` refuses any other.
pub const FORMAT_VERSION: u32 = 1;

/// Bits of `ord` that hold the line number (68 billion lines a file).
pub const ORD_LINE_BITS: u32 = 36;

/// Bits of `ord` above the line that hold the file's number among its batch's inputs (65,536
/// files a batch).
pub const ORD_FILE_BITS: u32 = 16;

/// Where the batch number starts in `ord` (2,048 batches, the sign bit left clear): every
/// document of a later batch comes after every document of an earlier one.
pub const ORD_BATCH_SHIFT: u32 = ORD_LINE_BITS + ORD_FILE_BITS;

/// Batches `ord` can number.
pub const MAX_BATCHES: u32 = 1 << (63 - ORD_BATCH_SHIFT);

/// The key of the parameters in each Parquet file's key-value metadata.
pub const META_KEY: &str = "reprint";

/// Rows per Parquet row group: large enough for the engines' vectorised readers, small
/// enough that a writer holds little beyond its batch.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// zstd level for the tables: band keys and hashes hardly compress; the text columns do.
const ZSTD_LEVEL: i32 = 3;

/// A document's place among every batch's inputs: batch, file number in the batch, line.
pub fn ord_of(batch: u32, loc: Location) -> Result<i64> {
    if loc.file >= 1 << ORD_FILE_BITS || loc.line >= 1 << ORD_LINE_BITS {
        return Err(Error::Config(format!(
            "a batch holds at most {} input files of at most {} lines each: sign the inputs as several batches (--batch)",
            1u64 << ORD_FILE_BITS,
            1u64 << ORD_LINE_BITS
        )));
    }
    Ok(((batch as i64) << ORD_BATCH_SHIFT) | ((loc.file as i64) << ORD_LINE_BITS) | loc.line as i64)
}

/// The batch and the location in its inputs that an `ord` stands for.
pub fn split_ord(ord: i64) -> (u32, Location) {
    let batch = (ord >> ORD_BATCH_SHIFT) as u32;
    let file = ((ord >> ORD_LINE_BITS) & ((1 << ORD_FILE_BITS) - 1)) as u32;
    (batch, Location { file, line: (ord & ((1 << ORD_LINE_BITS) - 1)) as u64 })
}

/// What a shard was signed from and with: written into every file, compared by `cluster`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignParams {
    /// [`FORMAT_VERSION`].
    pub format: u32,
    /// `lines` (first pass) or `sign`.
    pub pass: String,
    /// The batch (0 for the first inputs; each later batch adds inputs, see `--batch`).
    pub batch: u32,
    /// This shard, 1-based.
    pub shard: u32,
    /// Shards in all.
    pub shards: u32,
    /// The inputs as named on the command line.
    pub inputs: Vec<String>,
    /// Every input file (the same list in every shard).
    pub files: Vec<InputFile>,
    /// The matching parameters and hash seeds, as a persistent index records them.
    #[serde(flatten)]
    pub matching: IndexParams,
    /// Story similarity threshold.
    pub story_threshold: f64,
    /// Story window in seconds.
    pub story_window: Option<i64>,
    /// Field names.
    pub fields: FieldMap,
    /// `--strict`.
    pub strict: bool,
    /// Distinct furniture lines of the judgement the shard was signed with (`sign` pass).
    pub furniture_lines: Option<usize>,
}

impl SignParams {
    fn of(config: &ScanConfig, pass: &str, batch: u32, shard: (u32, u32), files: &[InputFile]) -> SignParams {
        let (shard, shards) = shard;
        SignParams {
            format: FORMAT_VERSION,
            pass: pass.to_string(),
            batch,
            shard,
            shards,
            inputs: config.inputs.iter().map(InputSpec::display).collect(),
            files: files.to_vec(),
            matching: crate::jobs::index::params_of(config),
            story_threshold: config.story_threshold,
            story_window: config.story_window,
            fields: config.fields.clone(),
            strict: config.strict,
            furniture_lines: None,
        }
    }

    /// The same batch of one run apart from the shard (and what it found of the furniture).
    fn same_run(&self, other: &SignParams) -> bool {
        let mut a = self.clone();
        a.shard = other.shard;
        a.furniture_lines = other.furniture_lines;
        a.pass = other.pass.clone();
        &a == other
    }

    /// The same parameters, in any batch of the run.
    fn same_parameters(&self, other: &SignParams) -> bool {
        let mut a = self.clone();
        a.batch = other.batch;
        a.shards = other.shards;
        a.inputs = other.inputs.clone();
        a.files = other.files.clone();
        a.same_run(other)
    }

    /// The scan configuration these parameters stand for.
    pub fn config(&self, outdir: PathBuf) -> ScanConfig {
        let mut config = ScanConfig {
            inputs: self.inputs.iter().map(|p| InputSpec::Path(PathBuf::from(p))).collect(),
            outdir,
            fields: self.fields.clone(),
            story_threshold: self.story_threshold,
            story_window: self.story_window,
            strict: self.strict,
            ..ScanConfig::default()
        };
        crate::jobs::index::apply_params(&self.matching, &mut config);
        // Derived bands and rows are derived again (and said to be, in run.json).
        if !self.matching.banding_given {
            config.banding = None;
        }
        config
    }
}

/// `I/N` (1 ≤ I ≤ N) as a shard.
pub fn parse_shard(s: &str) -> std::result::Result<(u32, u32), String> {
    let bad = || format!("`{s}` is not a shard: use I/N with 1 <= I <= N, e.g. 2/8");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u32, u32) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

fn part_name(batch: u32, shard: u32, shards: u32) -> String {
    format!("batch-{batch:05}-part-{shard:05}-of-{shards:05}.parquet")
}

/// Where the SQL job writes the furniture judgement a batch is signed with.
pub fn judgement_dir(sigdir: &Path, batch: u32) -> PathBuf {
    sigdir.join("furniture").join(format!("batch-{batch:05}"))
}

fn parquet_err(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> Error + '_ {
    move |e| Error::Table { path: path.to_path_buf(), message: e.to_string() }
}

/// Writes one table of a shard atomically: `DIR/TABLE/part-I-of-N.parquet`.
fn write_table(dir: &Path, table: &str, params: &SignParams, batch: RecordBatch) -> Result<()> {
    let tdir = dir.join(table);
    fs::create_dir_all(&tdir).map_err(|source| Error::Output { path: tdir.clone(), source })?;
    let path = tdir.join(part_name(params.batch, params.shard, params.shards));
    let meta = serde_json::to_string(params).expect("parameters serialise");
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL).expect("a valid zstd level")))
        .set_max_row_group_size(ROW_GROUP_ROWS)
        .set_key_value_metadata(Some(vec![KeyValue::new(META_KEY.to_string(), meta)]))
        .build();
    crate::output::report::write_atomic(&path, |w| {
        let mut writer = ArrowWriter::try_new(w, batch.schema(), Some(props)).map_err(std::io::Error::other)?;
        writer.write(&batch).map_err(std::io::Error::other)?;
        writer.close().map_err(std::io::Error::other)?;
        Ok(())
    })
}

fn record_batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), a.null_count() > 0 || matches!(a.data_type(), DataType::Utf8))).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns.into_iter().map(|(_, a)| a).collect()).expect("columns of equal length")
}

fn i64s(v: Vec<i64>) -> ArrayRef {
    Arc::new(Int64Array::from(v))
}

fn opt_i64s(v: Vec<Option<i64>>) -> ArrayRef {
    Arc::new(Int64Array::from(v))
}

fn strs(v: Vec<Option<String>>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}

fn lists(v: impl Iterator<Item = Vec<i64>>) -> ArrayRef {
    let mut b = ListBuilder::new(Int64Builder::new()).with_field(Arc::new(Field::new("element", DataType::Int64, false)));
    for l in v {
        b.values().append_slice(&l);
        b.append(true);
    }
    Arc::new(b.finish())
}

/// What `reprint sign` wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SignedShard {
    /// Documents of this shard.
    pub documents: usize,
    /// Of them skipped.
    pub skipped: usize,
    /// Rows written per table.
    pub rows: BTreeMap<&'static str, usize>,
    /// Seconds in all.
    pub seconds: f64,
}

/// `reprint sign --lines`: the first pass, each document's distinct lines as the furniture
/// rule counts them (only when furniture is set aside).
pub fn sign_lines(config: &ScanConfig, batch: u32, shard: (u32, u32), sigdir: &Path, progress: &dyn Progress) -> Result<SignedShard> {
    config.validate()?;
    check_inputs(config)?;
    let started = Instant::now();
    let space = TempSpace::new(&config.memory.temp_dir);
    let read = pipeline::read_stage(config, progress, Some((shard.0 - 1, shard.1)), 0, pipeline::ReadLines::Keep, &space)?;
    let params = SignParams::of(config, "lines", batch, shard, &read.summary.files);
    let line_words = if config.furniture { read.line_words() } else { vec![Vec::new(); read.docs.len()] };
    let (mut ord, mut outlet, mut day, mut doc_lines, mut line, mut words) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (d, lines) in read.docs.iter().zip(&line_words) {
        if lines.is_empty() {
            continue;
        }
        let key = furniture::doc_lines_key(lines);
        let at = ord_of(batch, d.location)?;
        let mut distinct = lines.clone();
        distinct.sort_unstable();
        distinct.dedup_by_key(|l| l.0);
        for (fp, w) in distinct {
            ord.push(at);
            outlet.push(d.outlet.clone());
            day.push(d.timestamp.map(|t| t.div_euclid(SECONDS_PER_DAY)));
            doc_lines.push(key as i64);
            line.push(fp as i64);
            words.push(w as i32);
        }
    }
    let rows = ord.len();
    write_table(
        sigdir,
        "lines",
        &params,
        record_batch(vec![
            ("ord", i64s(ord)),
            ("outlet", strs(outlet)),
            ("day", opt_i64s(day)),
            ("doc_lines", i64s(doc_lines)),
            ("line", i64s(line)),
            ("words", Arc::new(Int32Array::from(words))),
        ]),
    )?;
    let skipped = read.skipped().iter().filter(|s| s.is_some()).count();
    Ok(SignedShard {
        documents: read.docs.len(),
        skipped,
        rows: BTreeMap::from([("lines", rows)]),
        seconds: started.elapsed().as_secs_f64(),
    })
}


fn check_inputs(config: &ScanConfig) -> Result<()> {
    if config.inputs.iter().any(|i| matches!(i, InputSpec::Stdin)) {
        return Err(Error::Config("`reprint sign` reads files (every shard must list the same ones), not standard input".into()));
    }
    Ok(())
}

/// The furniture judgement the SQL job wrote into `SIGDIR/furniture/` (`outlet`, `line`).
pub fn read_judgement(sigdir: &Path, batch: u32) -> Result<Judgement> {
    let dir = judgement_dir(sigdir, batch);
    let files = parquet_files(&dir)?;
    if files.is_empty() {
        return Err(Error::Table {
            path: dir,
            message: "holds no furniture judgement: run `reprint sign --lines` on every shard, then the \
                      `furniture` step of spark/reprint_edges.py (or sign with --no-furniture)"
                .into(),
        });
    }
    let mut judgement = Judgement::default();
    let mut distinct = ahash::AHashSet::new();
    for path in files {
        for b in read_batches(&path)? {
            let outlet = str_col(&b, "outlet", &path)?;
            let line = i64_col(&b, "line", &path)?;
            for (o, l) in outlet.into_iter().zip(line) {
                let l = l.ok_or_else(|| bad(&path, "a null `line`"))? as u64;
                distinct.insert(l);
                judgement.by_outlet.entry(o).or_default().insert(l);
            }
        }
    }
    judgement.distinct_lines = distinct.len();
    Ok(judgement)
}

/// `reprint sign`: the second pass, everything the later stages and the SQL job need.
pub fn sign(config: &ScanConfig, batch: u32, shard: (u32, u32), sigdir: &Path, progress: &dyn Progress) -> Result<SignedShard> {
    config.validate()?;
    check_inputs(config)?;
    let started = Instant::now();
    let judgement = if config.furniture { read_judgement(sigdir, batch)? } else { Judgement::default() };
    let space = TempSpace::new(&config.memory.temp_dir);
    let read = pipeline::read_stage(config, progress, Some((shard.0 - 1, shard.1)), Held::Words.allowance(&config.memory), pipeline::ReadLines::WithWords, &space)?;
    let config = &pipeline::reserve(config, &read.docs)?;
    let mut params = SignParams::of(config, "sign", batch, shard, &read.summary.files);
    params.furniture_lines = Some(judgement.distinct_lines);
    let skipped = read.skipped();
    let counts = pipeline::input_counts(&read.docs, &skipped, &read.summary);
    let signed = pipeline::sign_stage(config, progress, read, counts, Some(&judgement), &space)?;
    let banding = config.effective_banding();
    let hasher = MinHasher::new(config.perms);
    let ords: Vec<i64> = signed.docs.iter().map(|d| ord_of(batch, d.location)).collect::<Result<_>>()?;
    let present: Vec<usize> = (0..ords.len()).filter(|&i| signed.shingles[i] > 0).collect();
    let signatures: Vec<Vec<i64>> = present
        .par_iter()
        .map(|&i| hasher.signature(&signed.sets.list(i as u32)).into_iter().map(|v| v as i64).collect())
        .collect();
    signed.sets.check()?;
    let mut rows = BTreeMap::new();

    // documents
    let d = &signed.docs;
    let ranges: Vec<Vec<i64>> = signed
        .furniture
        .ranges
        .iter()
        .map(|rs| rs.iter().flat_map(|r| [r.start as i64, r.end as i64]).collect())
        .collect();
    rows.insert("documents", d.len());
    write_table(
        sigdir,
        "documents",
        &params,
        record_batch(vec![
            ("ord", i64s(ords.clone())),
            ("id", strs(d.iter().map(|m| Some(m.id.clone())).collect())),
            ("outlet", strs(d.iter().map(|m| m.outlet.clone()).collect())),
            ("date", strs(d.iter().map(|m| m.date.clone()).collect())),
            ("timestamp", opt_i64s(d.iter().map(|m| m.timestamp).collect())),
            ("day", opt_i64s(d.iter().map(|m| m.timestamp.map(|t| t.div_euclid(SECONDS_PER_DAY))).collect())),
            ("title", strs(d.iter().map(|m| m.title.clone()).collect())),
            ("url", strs(d.iter().map(|m| m.url.clone()).collect())),
            ("bytes", i64s(d.iter().map(|m| m.bytes as i64).collect())),
            ("skip", strs(signed.skipped.iter().map(|s| s.as_ref().map(skip_to_json)).collect())),
            ("words", i64s(signed.word_count.iter().map(|&w| w as i64).collect())),
            ("furniture_words", i64s(signed.furniture.words.iter().map(|&w| w as i64).collect())),
            ("furniture", lists(ranges.into_iter())),
            ("body_words", i64s(signed.body_words.iter().map(|&w| w as i64).collect())),
            ("shingles", i64s(signed.shingles.iter().map(|&s| s as i64).collect())),
            ("content", i64s(signed.content.iter().map(|&c| c as i64).collect())),
            ("wire", Arc::new(BooleanArray::from(signed.wire.clone())) as ArrayRef),
            ("text", opt_i64s(signed.text.iter().map(|t| t.map(|t| t as i64)).collect())),
        ]),
    )?;

    // signatures and band keys (documents with a shingle set)
    let p_ords: Vec<i64> = present.iter().map(|&i| ords[i]).collect();
    rows.insert("signatures", present.len());
    let (mut b_ord, mut b_band, mut b_key) = (Vec::new(), Vec::new(), Vec::new());
    for (&ord, sig) in p_ords.iter().zip(&signatures) {
        let sig: Vec<u32> = sig.iter().map(|&v| v as u32).collect();
        for (band, key) in lsh::band_keys(&sig, banding).into_iter().enumerate() {
            b_ord.push(ord);
            b_band.push(band as i32);
            b_key.push(key as i64);
        }
    }
    write_table(sigdir, "signatures", &params, record_batch(vec![("ord", i64s(p_ords)), ("signature", lists(signatures.into_iter()))]))?;
    rows.insert("bands", b_ord.len());
    write_table(
        sigdir,
        "bands",
        &params,
        record_batch(vec![("ord", i64s(b_ord)), ("band", Arc::new(Int32Array::from(b_band))), ("key", i64s(b_key))]),
    )?;

    // anchors
    let (mut a_ord, mut a_anchor) = (Vec::new(), Vec::new());
    for &i in &present {
        for &a in signed.anchors.list(i as u32).iter() {
            a_ord.push(ords[i]);
            a_anchor.push(a as i64);
        }
    }
    signed.anchors.check()?;
    rows.insert("anchors", a_ord.len());
    write_table(sigdir, "anchors", &params, record_batch(vec![("ord", i64s(a_ord)), ("anchor", i64s(a_anchor))]))?;

    // story words and the words' spellings
    rows.insert("terms", ords.len());
    write_table(
        sigdir,
        "terms",
        &params,
        record_batch(vec![
            ("ord", i64s(ords.clone())),
            ("words", lists((0..ords.len() as u32).map(|d| signed.story_words.list(d).iter().map(|&h| h as i64).collect()))),
        ]),
    )?;
    signed.story_words.check()?;
    let mut vocab: Vec<(u64, &str)> = signed.vocabulary.iter().map(|(&h, w)| (h, &**w)).collect();
    vocab.sort_unstable();
    rows.insert("vocabulary", vocab.len());
    write_table(
        sigdir,
        "vocabulary",
        &params,
        record_batch(vec![
            ("word", i64s(vocab.iter().map(|v| v.0 as i64).collect())),
            ("text", strs(vocab.iter().map(|v| Some(v.1.to_string())).collect())),
        ]),
    )?;
    Ok(SignedShard {
        documents: ords.len(),
        skipped: signed.skipped.iter().filter(|s| s.is_some()).count(),
        rows,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn skip_to_json(s: &SkipReason) -> String {
    let v = match s {
        SkipReason::MalformedJson(m) => serde_json::json!({"code": s.code(), "detail": m}),
        SkipReason::InvalidUtf8(at) => serde_json::json!({"code": s.code(), "at": at}),
        SkipReason::MissingText(m) | SkipReason::TextNotString(m) => serde_json::json!({"code": s.code(), "detail": m}),
        SkipReason::TooLarge { bytes, limit } => serde_json::json!({"code": s.code(), "bytes": bytes, "limit": limit}),
        SkipReason::NotAnObject | SkipReason::EmptyText | SkipReason::NoWords => serde_json::json!({"code": s.code()}),
    };
    v.to_string()
}

fn skip_from_json(s: &str) -> Option<SkipReason> {
    let v: serde_json::Value = serde_json::from_str(s).ok()?;
    let detail = || v["detail"].as_str().map(str::to_string);
    Some(match v["code"].as_str()? {
        "malformed_json" => SkipReason::MalformedJson(detail()?),
        "not_an_object" => SkipReason::NotAnObject,
        "invalid_utf8" => SkipReason::InvalidUtf8(v["at"].as_u64()? as usize),
        "missing_text" => SkipReason::MissingText(detail()?),
        "text_not_string" => SkipReason::TextNotString(detail()?),
        "empty_text" => SkipReason::EmptyText,
        "no_words" => SkipReason::NoWords,
        "too_large" => SkipReason::TooLarge { bytes: v["bytes"].as_u64()?, limit: v["limit"].as_u64()? },
        _ => return None,
    })
}

// ---- reading ----

fn bad(path: &Path, what: &str) -> Error {
    Error::Table { path: path.to_path_buf(), message: format!("not a table of `reprint sign`: {what}") }
}

/// The Parquet files under `dir` (as Spark and DuckDB write them: any depth, any names ending
/// in `.parquet`, hidden and `_` files left out), sorted.
fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    if dir.is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.map_err(|e| Error::Table { path: dir.to_path_buf(), message: e.to_string() })?;
        let name = e.file_name().to_string_lossy();
        if e.file_type().is_file() && name.ends_with(".parquet") && !name.starts_with(['.', '_']) {
            out.push(e.into_path());
        }
    }
    Ok(out)
}

fn read_batches(path: &Path) -> Result<Vec<RecordBatch>> {
    let file = fs::File::open(path).map_err(|source| Error::Input { path: path.to_path_buf(), source })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_err(path))?.build().map_err(parquet_err(path))?;
    reader.collect::<std::result::Result<Vec<_>, _>>().map_err(|e| Error::Table { path: path.to_path_buf(), message: e.to_string() })
}

fn file_params(path: &Path) -> Result<SignParams> {
    let file = fs::File::open(path).map_err(|source| Error::Input { path: path.to_path_buf(), source })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_err(path))?;
    let kv = builder.metadata().file_metadata().key_value_metadata();
    let meta = kv
        .and_then(|kv| kv.iter().find(|k| k.key == META_KEY))
        .and_then(|k| k.value.clone())
        .ok_or_else(|| bad(path, "no `reprint` parameters in its metadata"))?;
    let params: SignParams = serde_json::from_str(&meta).map_err(|e| bad(path, &format!("parameters: {e}")))?;
    if params.format != FORMAT_VERSION {
        return Err(bad(path, &format!("format version {} (this build reads {FORMAT_VERSION})", params.format)));
    }
    Ok(params)
}

fn column<'a>(b: &'a RecordBatch, name: &str, path: &Path) -> Result<&'a ArrayRef> {
    b.column_by_name(name).ok_or_else(|| bad(path, &format!("no column `{name}`")))
}

/// An integer column (Int64 or Int32, as engines write counts) as `i64`s.
fn i64_col(b: &RecordBatch, name: &str, path: &Path) -> Result<Vec<Option<i64>>> {
    let c = column(b, name, path)?;
    if let Some(a) = c.as_any().downcast_ref::<Int64Array>() {
        Ok(a.iter().collect())
    } else if let Some(a) = c.as_any().downcast_ref::<Int32Array>() {
        Ok(a.iter().map(|v| v.map(i64::from)).collect())
    } else {
        Err(bad(path, &format!("column `{name}` is {} (an integer was expected)", c.data_type())))
    }
}

fn i64_req(b: &RecordBatch, name: &str, path: &Path) -> Result<Vec<i64>> {
    i64_col(b, name, path)?.into_iter().map(|v| v.ok_or_else(|| bad(path, &format!("a null `{name}`")))).collect()
}

fn str_col(b: &RecordBatch, name: &str, path: &Path) -> Result<Vec<Option<String>>> {
    let c = column(b, name, path)?;
    if let Some(a) = c.as_any().downcast_ref::<StringArray>() {
        Ok(a.iter().map(|v| v.map(str::to_string)).collect())
    } else if let Some(a) = c.as_any().downcast_ref::<arrow_array::LargeStringArray>() {
        Ok(a.iter().map(|v| v.map(str::to_string)).collect())
    } else if let Some(a) = c.as_any().downcast_ref::<arrow_array::StringViewArray>() {
        Ok(a.iter().map(|v| v.map(str::to_string)).collect())
    } else {
        Err(bad(path, &format!("column `{name}` is {} (a string was expected)", c.data_type())))
    }
}

fn bool_col(b: &RecordBatch, name: &str, path: &Path) -> Result<Vec<bool>> {
    let c = column(b, name, path)?;
    let a = c.as_any().downcast_ref::<BooleanArray>().ok_or_else(|| bad(path, &format!("column `{name}` is not boolean")))?;
    Ok(a.iter().map(|v| v.unwrap_or(false)).collect())
}

fn list_col(b: &RecordBatch, name: &str, path: &Path) -> Result<Vec<Vec<i64>>> {
    let c = column(b, name, path)?;
    let a = c.as_any().downcast_ref::<ListArray>().ok_or_else(|| bad(path, &format!("column `{name}` is not a list")))?;
    (0..a.len())
        .map(|i| {
            let v = a.value(i);
            let v = v.as_any().downcast_ref::<Int64Array>().ok_or_else(|| bad(path, &format!("`{name}` is not a list of Int64")))?;
            Ok(v.values().to_vec())
        })
        .collect()
}

/// Every shard's files of `table` in batches `0..=last`, checked: each batch complete (one
/// file per shard, of one run), every batch with the same parameters. Returns each batch's
/// parameters (by batch number) and the files.
fn shard_files(sigdir: &Path, table: &str, last: u32) -> Result<(Vec<SignParams>, Vec<PathBuf>)> {
    let dir = sigdir.join(table);
    let mut batches: BTreeMap<u32, (SignParams, PathBuf, Vec<bool>)> = BTreeMap::new();
    let mut files = Vec::new();
    for f in parquet_files(&dir)? {
        let p = file_params(&f)?;
        if p.batch > last {
            continue;
        }
        let (first, first_path, seen) =
            batches.entry(p.batch).or_insert_with(|| (p.clone(), f.clone(), vec![false; p.shards as usize]));
        if !first.same_run(&p) {
            return Err(bad(&f, &format!("signed with other inputs or parameters than {}", first_path.display())));
        }
        if std::mem::replace(&mut seen[p.shard as usize - 1], true) {
            return Err(bad(&f, &format!("shard {}/{} of batch {} appears twice in {}", p.shard, p.shards, p.batch, dir.display())));
        }
        files.push(f);
    }
    let mut params = Vec::new();
    for batch in 0..=last {
        let Some((p, path, seen)) = batches.remove(&batch) else {
            return Err(Error::Table {
                path: dir.clone(),
                message: format!(
                    "holds no shard of batch {batch}: sign every shard with `reprint sign --batch {batch} --shard I/N ... -o {}`",
                    sigdir.display()
                ),
            });
        };
        if let Some(missing) = seen.iter().position(|s| !s) {
            return Err(Error::Table {
                path: dir.clone(),
                message: format!("shard {}/{} of batch {batch} is missing; sign it first", missing + 1, p.shards),
            });
        }
        if let Some(first) = params.first() {
            if !p.same_parameters(first) {
                return Err(bad(&path, "batch signed with other parameters than batch 0"));
            }
        }
        params.push(p);
    }
    Ok((params, files))
}

/// What the SQL job's `edges` step found.
#[derive(Debug, Clone, Default)]
pub struct FoundPairs {
    /// Candidate pairs of `ord`s.
    pub pairs: Vec<(i64, i64)>,
    /// Documents of large buckets: `(route, band, key, ord)` (route 0 for band keys, 1 for
    /// anchors, whose band is 0).
    pub large: Vec<(i64, i64, i64, i64)>,
    /// The candidate stage's counts.
    pub counts: CandidateCounts,
    /// The last batch the pairs are for.
    pub batch: u32,
}

/// Candidate pairs and the candidate stage's counts from the SQL job's output
/// (`EDGES/pairs/`: `a`, `b` as `ord`s; `EDGES/stats/`: one row of counts).
pub fn read_edges(edges: &Path) -> Result<FoundPairs> {
    let pair_files = parquet_files(&edges.join("pairs"))?;
    let stat_files = parquet_files(&edges.join("stats"))?;
    if stat_files.is_empty() {
        return Err(Error::Table {
            path: edges.to_path_buf(),
            message: "holds no candidate pairs and counts (pairs/ and stats/): run the `edges` step of spark/reprint_edges.py".into(),
        });
    }
    let mut pairs = Vec::new();
    for path in &pair_files {
        for b in read_batches(path)? {
            let (a, c) = (i64_req(&b, "a", path)?, i64_req(&b, "b", path)?);
            pairs.extend(a.into_iter().zip(c));
        }
    }
    let mut large = Vec::new();
    for path in &parquet_files(&edges.join("large"))? {
        for b in read_batches(path)? {
            let cols = (i64_req(&b, "route", path)?, i64_req(&b, "band", path)?, i64_req(&b, "key", path)?, i64_req(&b, "ord", path)?);
            large.extend(cols.0.into_iter().zip(cols.1).zip(cols.2).zip(cols.3).map(|(((r, b), k), o)| (r, b, k, o)));
        }
    }
    let mut counts = None;
    for path in &stat_files {
        for b in read_batches(path)? {
            if b.num_rows() == 0 {
                continue;
            }
            if counts.is_some() || b.num_rows() != 1 {
                return Err(bad(path, "more than one row of counts"));
            }
            let get = |n: &str| -> Result<i64> { Ok(i64_col(&b, n, path)?[0].unwrap_or(0)) };
            let batch = get("batch")?;
            if !(0..MAX_BATCHES as i64).contains(&batch) {
                return Err(bad(path, &format!("batch {batch}")));
            }
            counts = Some((batch as u32, CandidateCounts {
                band_collisions: get("band_collisions")? as u64,
                largest_bucket: get("largest_bucket")? as usize,
                lsh_pairs: get("lsh_pairs")? as usize,
                anchor_pairs: get("anchor_pairs")? as usize,
                crowded_anchors: get("crowded_anchors")? as usize,
                template_anchors: get("template_anchors")? as usize,
            }));
        }
    }
    let (batch, counts) = counts.ok_or_else(|| bad(&edges.join("stats"), "no row of counts"))?;
    Ok(FoundPairs { pairs, large, counts, batch })
}

/// `reprint cluster`: the scan's later stages over the shards' tables and the given candidate
/// pairs. `inputs` replaces the signed input paths (the same files seen from elsewhere).
pub fn cluster(
    sigdir: &Path,
    edges: &Path,
    inputs: Option<Vec<InputSpec>>,
    outdir: &Path,
    report_limit: usize,
    budget: crate::engine::budget::Budget,
    progress: &dyn Progress,
) -> Result<(ScanResult, ScanConfig)> {
    let started = Instant::now();
    let FoundPairs { pairs: given, large: given_large, counts: candidate_counts, batch: last } = read_edges(edges)?;
    let (batches, doc_files) = shard_files(sigdir, "documents", last)?;
    if let Some(p) = batches.iter().find(|p| p.pass != "sign") {
        return Err(bad(sigdir, &format!("batch {} holds `--lines` tables where the `sign` pass was expected", p.batch)));
    }
    let params = &batches[0];
    let mut config = params.config(outdir.to_path_buf());
    // Every batch's inputs, in batch order: the dump a scan of everything reads.
    config.inputs = batches.iter().flat_map(|p| p.inputs.iter().map(|i| InputSpec::Path(PathBuf::from(i)))).collect();
    let signed_files: Vec<InputFile> = batches.iter().flat_map(|p| p.files.iter().cloned()).collect();
    let mut file_offset = Vec::with_capacity(batches.len());
    let mut offset = 0u32;
    for p in &batches {
        file_offset.push(offset);
        offset += p.files.len() as u32;
    }
    let location_of = |ord: i64| {
        let (batch, loc) = split_ord(ord);
        Location { file: file_offset[batch as usize] + loc.file, line: loc.line }
    };
    if let Some(inputs) = inputs {
        config.inputs = inputs;
    }
    config.report_limit = report_limit;
    config.memory = budget;
    config.validate()?;
    let space = TempSpace::new(&config.memory.temp_dir);

    // Every shard's documents, in input order.
    struct Row {
        ord: i64,
        meta: DocMeta,
        skip: Option<SkipReason>,
        words: u32,
        furniture_words: u32,
        furniture: Vec<std::ops::Range<usize>>,
        body_words: u32,
        shingles: u32,
        content: u64,
        wire: bool,
    }
    let mut rows: Vec<Row> = Vec::new();
    for path in &doc_files {
        for b in read_batches(path)? {
            let ord = i64_req(&b, "ord", path)?;
            let id = str_col(&b, "id", path)?;
            let outlet = str_col(&b, "outlet", path)?;
            let date = str_col(&b, "date", path)?;
            let timestamp = i64_col(&b, "timestamp", path)?;
            let title = str_col(&b, "title", path)?;
            let url = str_col(&b, "url", path)?;
            let bytes = i64_req(&b, "bytes", path)?;
            let skip = str_col(&b, "skip", path)?;
            let words = i64_req(&b, "words", path)?;
            let fwords = i64_req(&b, "furniture_words", path)?;
            let furn = list_col(&b, "furniture", path)?;
            let body = i64_req(&b, "body_words", path)?;
            let shingles = i64_req(&b, "shingles", path)?;
            let content = i64_req(&b, "content", path)?;
            let wire = bool_col(&b, "wire", path)?;
            for r in 0..b.num_rows() {
                let skip = match &skip[r] {
                    Some(s) => Some(skip_from_json(s).ok_or_else(|| bad(path, &format!("skip reason `{s}`")))?),
                    None => None,
                };
                rows.push(Row {
                    ord: ord[r],
                    meta: DocMeta {
                        id: id[r].clone().ok_or_else(|| bad(path, "a null `id`"))?,
                        outlet: outlet[r].clone(),
                        date: date[r].clone(),
                        timestamp: timestamp[r],
                        title: title[r].clone(),
                        url: url[r].clone(),
                        location: location_of(ord[r]),
                        bytes: bytes[r] as u64,
                        offset: None,
                    },
                    skip,
                    words: words[r] as u32,
                    furniture_words: fwords[r] as u32,
                    furniture: furn[r].chunks(2).map(|c| c[0] as usize..c.get(1).copied().unwrap_or(c[0]) as usize).collect(),
                    body_words: body[r] as u32,
                    shingles: shingles[r] as u32,
                    content: content[r] as u64,
                    wire: wire[r],
                });
            }
        }
    }
    rows.par_sort_unstable_by_key(|r| r.ord);
    if let Some(w) = rows.windows(2).find(|w| w[0].ord == w[1].ord) {
        return Err(bad(sigdir, &format!("two shards hold the document at ord {}", w[0].ord)));
    }
    let n = rows.len();
    let ords: Vec<i64> = rows.iter().map(|r| r.ord).collect();
    let number = |ord: i64| ords.binary_search(&ord).ok().map(|i| i as u32);

    // Candidate pairs, by document number.
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(given.len());
    for (a, b) in given {
        let (Some(x), Some(y)) = (number(a), number(b)) else {
            return Err(bad(edges, &format!("a pair ({a}, {b}) names a document no shard holds")));
        };
        pairs.push((x.min(y), x.max(y)));
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    // Large buckets by document number, in the scan's order: band buckets band by band in key
    // order, then anchors in anchor order (keys compared as the unsigned hashes they are).
    let mut large_rows: Vec<(i64, i64, u64, u32)> = Vec::with_capacity(given_large.len());
    for (route, band, key, ord) in given_large {
        let Some(d) = number(ord) else {
            return Err(bad(edges, &format!("a large bucket names a document no shard holds (ord {ord})")));
        };
        large_rows.push((route, band, key as u64, d));
    }
    large_rows.par_sort_unstable();
    let mut large = crate::sketch::lsh::Buckets::default();
    for bucket in large_rows.chunk_by(|x, y| (x.0, x.1, x.2) == (y.0, y.1, y.2)) {
        large.push(bucket.iter().map(|r| r.3));
    }

    // The sets later stages compare: documents in a pair, and documents sharing a set
    // fingerprint (the exact-duplicate stage compares those for real).
    let mut needed = vec![false; n];
    for &(a, b) in &pairs {
        needed[a as usize] = true;
        needed[b as usize] = true;
    }
    for &d in &large.members {
        needed[d as usize] = true;
    }
    let mut by_content: Vec<(u64, u32)> = (0..n).filter(|&i| rows[i].shingles > 0).map(|i| (rows[i].content, i as u32)).collect();
    by_content.par_sort_unstable();
    for run in by_content.chunk_by(|x, y| x.0 == y.0).filter(|r| r.len() > 1) {
        for &(_, i) in run {
            needed[i as usize] = true;
        }
    }
    drop(by_content);
    let wanted: Vec<u32> = (0..n as u32).filter(|&i| needed[i as usize]).collect();
    let locations: Vec<(Location, u64)> = wanted.iter().map(|&i| (rows[i as usize].meta.location, rows[i as usize].meta.bytes)).collect();
    let exclude = std::slice::from_ref(&config.outdir);
    let t = Instant::now();
    let (texts, summary) =
        crate::input::texts::fetch_reading(&config.inputs, &config.fields, exclude, &signed_files, &locations, config.max_doc_bytes)?;
    let read_seconds = t.elapsed().as_secs_f64();
    let same_files = summary.files.len() == signed_files.len()
        && summary.files.iter().zip(&signed_files).all(|(a, b)| a.format == b.format && a.bytes == b.bytes);
    if !same_files {
        return Err(Error::Invariant(format!(
            "the inputs are not the files the shards signed ({} files now, {} then, or of other sizes); sign them again",
            summary.files.len(),
            signed_files.len()
        )));
    }
    let k = config.shingle;
    let body_words: Vec<u32> = rows.iter().map(|r| r.body_words).collect();
    let computed: Vec<Result<ShingleSet>> = wanted
        .par_iter()
        .zip(texts)
        .map_init(
            || (Tokens::default(), String::new()),
            |(tokens, scratch), (&i, text)| {
                let r = &rows[i as usize];
                let text = text.map_err(|m| Error::Invariant(format!("{}: {}", summary.locate(r.meta.location), m.explain())))?;
                tokenize_with(&text, tokens, scratch, |_, _| {});
                let words: Vec<u64> = tokens.tokens.iter().map(|t| t.hash).collect();
                let (seq, body_words) = shingle_sequence(&words, &r.furniture, k);
                let set = ShingleSet::from_sequence(&seq, body_words);
                if set.len() as u32 != r.shingles || set.fingerprint() != r.content {
                    return Err(Error::Invariant(format!(
                        "{}: the text is not the one signed (its shingles differ); sign the inputs again",
                        summary.locate(r.meta.location)
                    )));
                }
                Ok(set)
            },
        )
        .collect();
    // Appended in document order (empty for the sets no stage compares), held or on disk by
    // the budget.
    let mut sets = DocLists::new(Held::Sets, Held::Sets.allowance(&config.memory));
    let mut computed = wanted.iter().zip(computed).peekable();
    for d in 0..n as u32 {
        match computed.next_if(|(&i, _)| i == d) {
            Some((_, set)) => sets.push(set?.hashes, &space)?,
            None => sets.push(Vec::new(), &space)?,
        }
    }
    sets.finish()?;

    // Story words and the words' spellings.
    let (_, term_files) = shard_files(sigdir, "terms", last)?;
    let mut story_words: Vec<Vec<u64>> = vec![Vec::new(); n];
    for path in &term_files {
        for b in read_batches(path)? {
            let ord = i64_req(&b, "ord", path)?;
            let words = list_col(&b, "words", path)?;
            for (o, w) in ord.into_iter().zip(words) {
                let i = number(o).ok_or_else(|| bad(path, &format!("terms of a document ({o}) no shard lists")))?;
                story_words[i as usize] = w.into_iter().map(|h| h as u64).collect();
            }
        }
    }
    let (_, vocab_files) = shard_files(sigdir, "vocabulary", last)?;
    let mut vocabulary: AHashMap<u64, Box<str>> = AHashMap::new();
    for path in &vocab_files {
        for b in read_batches(path)? {
            let word = i64_req(&b, "word", path)?;
            let text = str_col(&b, "text", path)?;
            for (h, t) in word.into_iter().zip(text) {
                vocabulary.entry(h as u64).or_insert_with(|| t.unwrap_or_default().into());
            }
        }
    }

    // The last batch was signed with the judgement of every batch's lines.
    let furniture_lines = batches[last as usize].furniture_lines.unwrap_or(0);
    let mut docs: Vec<DocMeta> = Vec::with_capacity(n);
    let mut skipped = Vec::with_capacity(n);
    let mut word_count = Vec::with_capacity(n);
    let mut wire = Vec::with_capacity(n);
    let mut shingles = Vec::with_capacity(n);
    let mut content = Vec::with_capacity(n);
    let mut furn = furniture::Furniture { distinct_lines: furniture_lines, ..Default::default() };
    for r in rows {
        docs.push(r.meta);
        skipped.push(r.skip);
        word_count.push(r.words);
        wire.push(r.wire);
        shingles.push(r.shingles);
        content.push(r.content);
        furn.words.push(r.furniture_words);
        furn.ranges.push(r.furniture);
    }
    pipeline::check_strict(&config, &docs, &skipped, &summary)?;
    let mut counts = pipeline::input_counts(&docs, &skipped, &summary);
    counts.furniture_words = furn.words.iter().map(|&w| w as u64).sum();
    counts.furniture_lines = furn.distinct_lines;
    counts.shingles = shingles.iter().map(|&s| s as u64).sum();
    let seconds = pipeline::Seconds { read_and_tokenize: read_seconds, ..Default::default() };
    let mut signed = Signed {
        docs,
        skipped,
        summary,
        counts,
        seconds,
        renamed_ids: Vec::new(),
        word_count,
        wire,
        text: vec![None; n],
        furniture: furn,
        sets,
        body_words,
        shingles,
        content,
        anchors: DocLists::held(Held::Anchors, vec![Vec::new(); n]),
        story_words: {
            let mut lists = DocLists::new(Held::StoryWords, Held::StoryWords.allowance(&config.memory));
            for w in story_words {
                lists.push(w, &space)?;
            }
            lists.finish()?;
            lists
        },
        vocabulary,
    };
    signed.renamed_ids = pipeline::disambiguate_ids(&mut signed.docs, &signed.summary, None);
    signed.counts.renamed_ids = signed.renamed_ids.len();
    let mut result = pipeline::finish(&config, progress, signed, Route::Given { pairs, large, counts: candidate_counts }, started, &space)?;
    result.run.command = "cluster";
    Ok((result, config))
}
