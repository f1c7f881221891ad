//! Writing results: `documents.jsonl`, `clusters.jsonl`, `passages.jsonl`, `outlets.jsonl`,
//! `stories.jsonl`, `run.json`, and the review page `report.html` (drawn by [`crate::output::html`]).
//!
//! Receives the finished [`ScanResult`] (plain data) and presents it as files. All files of a
//! run are first written into a staging directory inside the output directory, every target
//! is checked to be replaceable, and only then are the files renamed into place, so an
//! interrupted or failed run leaves the previous outputs as they were. (The renames are one
//! per file: only a failure between two of them, such as a permission changed mid-run, could
//! leave a mix, and the error names the file.) Floating-point figures are rounded to
//! [`FLOAT_DECIMALS`] places so the files are readable and byte-stable.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::output::html::{self, Page, REPORT_FILE};
use crate::engine::interrupt::{self, Pending};
use crate::engine::pipeline::{kind_name, role_name, ScanResult};
use crate::matching::verify::Edge;

pub use crate::matching::{round, FLOAT_DECIMALS};

/// Output file names, as later tools rely on them.
pub const DOCUMENTS_FILE: &str = "documents.jsonl";
/// One line per cluster of two or more.
pub const CLUSTERS_FILE: &str = "clusters.jsonl";
/// Parameters, inputs, counts and timings of the run.
pub const RUN_FILE: &str = "run.json";
/// One line per shared passage of every verified pair.
pub const PASSAGES_FILE: &str = "passages.jsonl";
/// One line per outlet.
pub const OUTLETS_FILE: &str = "outlets.jsonl";
/// One line per story of two or more articles.
pub const STORIES_FILE: &str = "stories.jsonl";


#[derive(Serialize)]
struct DocumentLine<'a> {
    id: &'a str,
    outlet: Option<&'a str>,
    date: Option<&'a str>,
    title: Option<&'a str>,
    cluster: Option<u32>,
    story: Option<u32>,
    role: Option<&'static str>,
    reuse: Option<f64>,
    source: Option<&'a str>,
    words: Option<u32>,
    furniture: Option<f64>,
    skipped: Option<String>,
    input: String,
    bytes: u64,
}

#[derive(Serialize)]
struct EdgeLine<'a> {
    a: &'a str,
    b: &'a str,
    kind: &'static str,
    jaccard: f64,
    containment_ab: f64,
    containment_ba: f64,
    /// `null` for a pair not aligned (`--no-passages`: pairs at the Jaccard threshold).
    a_words: Option<u32>,
    b_words: Option<u32>,
}

#[derive(Serialize)]
struct ClusterLine<'a> {
    id: u32,
    size: usize,
    members: Vec<&'a str>,
    origin: &'a str,
    origin_reason: &'static str,
    min_jaccard: f64,
    weakest_edge: EdgeLine<'a>,
    edges: Vec<EdgeLine<'a>>,
}

#[derive(Serialize)]
struct PassageLine<'a> {
    a: &'a str,
    b: &'a str,
    kind: &'static str,
    a_start: u32,
    a_end: u32,
    b_start: u32,
    b_end: u32,
    words: u32,
}

/// Writes a run's files into `outdir` atomically (see the module docs), with the review page
/// when `page` is given (otherwise a previous run's page is removed, as it would no longer
/// match the other files).
pub fn write_outputs(result: &ScanResult, outdir: &Path, page: Option<&Page>) -> Result<()> {
    let out_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Output { path, source }
    };
    fs::create_dir_all(outdir).map_err(out_err(outdir))?;
    // Staging directories left by killed runs.
    if let Ok(entries) = fs::read_dir(outdir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(".reprint-staging-") {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    // Every target must be replaceable before any is replaced.
    for name in [DOCUMENTS_FILE, CLUSTERS_FILE, PASSAGES_FILE, OUTLETS_FILE, STORIES_FILE, RUN_FILE, REPORT_FILE] {
        let target = outdir.join(name);
        if target.is_dir() {
            let source = std::io::Error::new(std::io::ErrorKind::AlreadyExists, "a directory is in the way");
            return Err(Error::Output { path: target, source });
        }
    }
    let staging = outdir.join(format!(".reprint-staging-{}", std::process::id()));
    let pending = Pending::new(&staging);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(out_err(&staging))?;
    }
    fs::create_dir(&staging).map_err(out_err(&staging))?;
    // The files are independent: they are written in parallel (the first error in this order
    // is the one reported).
    type Body<'r> = Box<dyn Fn(&mut BufWriter<File>) -> std::io::Result<()> + Sync + 'r>;
    let mut jobs: Vec<(&str, Body)> = vec![
        (DOCUMENTS_FILE, Box::new(|w| write_documents(result, w))),
        (CLUSTERS_FILE, Box::new(|w| write_clusters(result, w))),
        (
            RUN_FILE,
            Box::new(|w| {
                serde_json::to_writer_pretty(&mut *w, &result.run)?;
                writeln!(w)
            }),
        ),
    ];
    // A file this run does not write is removed, so that the directory holds no earlier
    // run's stories or page beside this run's files.
    let mut unwritten = Vec::new();
    if result.run.parameters.passages {
        jobs.push((PASSAGES_FILE, Box::new(|w| write_passages(result, w))));
        jobs.push((OUTLETS_FILE, Box::new(|w| write_lines(&result.outlets, w))));
    } else {
        unwritten.extend([PASSAGES_FILE, OUTLETS_FILE]);
    }
    if result.run.parameters.stories {
        jobs.push((STORIES_FILE, Box::new(|w| write_stories(result, w))));
    } else {
        unwritten.push(STORIES_FILE);
    }
    match page {
        Some(page) => jobs.push((REPORT_FILE, Box::new(|w| html::write_report(result, &page.plan, &page.texts, w)))),
        None => unwritten.push(REPORT_FILE),
    }
    let written: Result<Vec<PathBuf>> =
        jobs.into_par_iter().map(|(name, body)| write_file(&staging, name, body)).collect::<Vec<_>>().into_iter().collect();
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    // An interruption now waits for the last rename (see `crate::engine::interrupt`).
    let mut hold = interrupt::hold();
    for path in written {
        let target = outdir.join(path.file_name().expect("staged files have names"));
        fs::rename(&path, &target).map_err(out_err(&target))?;
    }
    for name in unwritten {
        let stale = outdir.join(name);
        match fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Output { path: stale, source }),
        }
    }
    fs::remove_dir(&staging).map_err(out_err(&staging))?;
    pending.done(&mut hold);
    drop(hold);
    Ok(())
}

/// Writes one file atomically: into `PATH.tmp-PID` beside it, synced, then renamed over
/// `path`, so readers see the old file or the whole new one, never a part.
pub fn write_atomic(path: &Path, body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| Error::Output {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"),
    })?;
    let tmp_name = format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id());
    let pending = Pending::new(&dir.join(&tmp_name));
    let staged = write_file(&dir, &tmp_name, body).inspect_err(|_| {
        let _ = fs::remove_file(pending.path());
    })?;
    let mut hold = interrupt::hold();
    fs::rename(&staged, path).map_err(|source| {
        let _ = fs::remove_file(&staged);
        Error::Output { path: path.to_path_buf(), source }
    })?;
    pending.done(&mut hold);
    Ok(())
}

fn write_file(
    dir: &Path,
    name: &str,
    body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<PathBuf> {
    let path = dir.join(name);
    let err = |source| Error::Output { path: path.clone(), source };
    let file = File::create(&path).map_err(err)?;
    let mut w = BufWriter::new(file);
    body(&mut w).map_err(err)?;
    let file = w.into_inner().map_err(|e| err(e.into_error()))?;
    file.sync_all().map_err(err)?;
    Ok(path)
}

/// Items serialised together by one task of [`write_blocks`].
const BLOCK_ITEMS: usize = 2048;
/// Blocks serialised before they are written: bounds the bytes held (tens of megabytes).
const BLOCKS_AT_ONCE: usize = 64;

/// Writes the lines of items `0..count`, serialised by `item` in parallel blocks and written
/// in order, so the bytes are those of a plain loop.
fn write_blocks(
    count: usize,
    w: &mut impl Write,
    item: impl Fn(usize, &mut Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    let blocks: Vec<std::ops::Range<usize>> =
        (0..count).step_by(BLOCK_ITEMS).map(|s| s..(s + BLOCK_ITEMS).min(count)).collect();
    for wave in blocks.chunks(BLOCKS_AT_ONCE) {
        let serialised: Vec<std::io::Result<Vec<u8>>> = wave
            .par_iter()
            .map(|block| {
                let mut buf = Vec::new();
                for i in block.clone() {
                    item(i, &mut buf)?;
                }
                Ok(buf)
            })
            .collect();
        for buf in serialised {
            w.write_all(&buf?)?;
        }
    }
    Ok(())
}

/// One JSON line into `buf`.
fn json_line(buf: &mut Vec<u8>, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *buf, value)?;
    buf.push(b'\n');
    Ok(())
}

fn write_lines<T: Serialize + Sync>(items: &[T], w: &mut impl Write) -> std::io::Result<()> {
    write_blocks(items.len(), w, |i, buf| json_line(buf, &items[i]))
}

/// `stories.jsonl`: every story, or in an incremental scan those with a new document, their
/// clusters under their lasting ids.
fn write_stories(r: &ScanResult, w: &mut impl Write) -> std::io::Result<()> {
    let Some(view) = &r.view else { return write_lines(&r.stories, w) };
    let mut shown = vec![false; r.stories.len()];
    for s in r.story_of.iter().skip(view.history).flatten() {
        shown[*s as usize] = true;
    }
    let lines: Vec<crate::engine::pipeline::StoryLine> = r
        .stories
        .iter()
        .filter(|s| shown[s.id as usize])
        .map(|s| {
            let mut s = s.clone();
            for c in &mut s.clusters {
                *c = r.cluster_label(*c);
            }
            s.clusters.sort_unstable();
            s
        })
        .collect();
    write_lines(&lines, w)
}

fn write_passages(r: &ScanResult, w: &mut impl Write) -> std::io::Result<()> {
    write_blocks(r.edges.len(), w, |i, buf| {
        let e = &r.edges[i];
        if !r.is_shown(e.a) && !r.is_shown(e.b) {
            return Ok(());
        }
        for p in &r.passages[i] {
            let line = PassageLine {
                a: &r.docs[e.a as usize].id,
                b: &r.docs[e.b as usize].id,
                kind: kind_name(e.kind),
                a_start: p.a_start,
                a_end: p.a_end,
                b_start: p.b_start,
                b_end: p.b_end,
                words: p.words,
            };
            json_line(buf, &line)?;
        }
        Ok(())
    })
}

fn write_documents(r: &ScanResult, w: &mut impl Write) -> std::io::Result<()> {
    let from = r.view.as_ref().map_or(0, |v| v.history);
    write_blocks(r.docs.len() - from, w, |i, buf| {
        let i = i + from;
        let doc = &r.docs[i];
        let reuse = r.reuse[i].as_ref();
        let (furniture, words) = r.furniture[i];
        let line = DocumentLine {
            id: &doc.id,
            outlet: doc.outlet.as_deref(),
            date: doc.date.as_deref(),
            title: doc.title.as_deref(),
            cluster: r.cluster_of[i].map(|c| r.cluster_label(c)),
            story: r.story_of[i],
            role: reuse.map(|x| role_name(x.role)),
            reuse: reuse.map(|x| round(x.reuse)),
            source: reuse.and_then(|x| x.source).map(|s| r.docs[s as usize].id.as_str()),
            words: r.skipped[i].is_none().then_some(words),
            furniture: r.skipped[i].is_none().then(|| if words == 0 { 0.0 } else { round(furniture as f64 / words as f64) }),
            skipped: r.skipped[i].as_ref().map(ToString::to_string),
            input: r.inputs.locate(doc.location),
            bytes: doc.bytes,
        };
        json_line(buf, &line)
    })
}

fn edge_line<'a>(r: &'a ScanResult, e: &Edge) -> EdgeLine<'a> {
    let p = &r.run.parameters;
    let aligned = p.passages || e.jaccard < p.threshold;
    EdgeLine {
        a: &r.docs[e.a as usize].id,
        b: &r.docs[e.b as usize].id,
        kind: kind_name(e.kind),
        jaccard: round(e.jaccard),
        containment_ab: round(e.containment_ab),
        containment_ba: round(e.containment_ba),
        a_words: aligned.then_some(e.a_words),
        b_words: aligned.then_some(e.b_words),
    }
}

fn write_clusters(r: &ScanResult, w: &mut impl Write) -> std::io::Result<()> {
    write_blocks(r.clusters.len(), w, |i, buf| {
        let c = &r.clusters[i];
        if !r.cluster_shown(c) {
            return Ok(());
        }
        let weakest = c.weakest_edge();
        let line = ClusterLine {
            id: r.cluster_label(c.id),
            size: c.members.len(),
            members: c.members.iter().map(|&m| r.docs[m as usize].id.as_str()).collect(),
            origin: &r.docs[r.origins[c.id as usize].0 as usize].id,
            origin_reason: r.origins[c.id as usize].1,
            min_jaccard: round(weakest.jaccard),
            weakest_edge: edge_line(r, weakest),
            edges: c.edges.iter().map(|e| edge_line(r, e)).collect(),
        };
        json_line(buf, &line)
    })
}
