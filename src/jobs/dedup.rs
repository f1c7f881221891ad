//! The dedup job: the stream of the kept records, byte for byte as they came in, and the
//! removal log. The keep decision itself is made inside the scan
//! ([`crate::matching::keep`]); a second pass over the output can still remove a few:
//! furniture and copy clusters are learned from the whole dump, which the first pass changed
//! (README, "reprint dedup").
//!
//! [`write`] reads the inputs a second time and streams: kept records to the output as
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

use crate::config::ScanConfig;
use crate::engine::interrupt::{self, Hold, Pending};
use crate::engine::pipeline::{role_name, ScanResult};
use crate::engine::progress::{Progress, Unit};
use crate::error::{Error, Result};
use crate::input::{reread_raw, DocMeta, SkipReason};
use crate::matching::keep::{Action, Decision, Reason};
use crate::matching::round;

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
            role: r.reuse.get(i).and_then(Option::as_ref).map(|x| role_name(x.role)),
            reuse: r.reuse.get(i).and_then(Option::as_ref).map(|x| round(x.reuse)),
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
