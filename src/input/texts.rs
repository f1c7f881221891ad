//! Texts after the fact: the original texts of chosen documents, fetched by reading the
//! inputs a second time.
//!
//! The pipeline keeps only metadata, sets and signatures once a text is tokenised, so a dump
//! of millions of articles never sits in memory. The review report and `reprint show` need the
//! texts of the few documents they display; [`fetch`] reads the inputs again in the same order
//! and keeps just those, matching each by its [`Location`] (file and line) and byte length so
//! that a file changed since the scan is noticed rather than shown wrongly. Standard input
//! cannot be read twice: its documents come back as [`Missing::Stdin`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{FieldMap, InputSpec};
use crate::error::Result;
use crate::input::{read_in_batches, Batching, InputFile, InputSummary, Location, Record};

/// Wanted lines parsed together, in parallel: a few megabytes of news text.
const PARSE_BATCH: usize = 1024;
/// Batches the reading thread may run ahead of the parsing: bounds the texts in flight.
const READ_AHEAD_BATCHES: usize = 2;

/// Why a wanted text could not be fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The document came from standard input, which was consumed by the scan.
    Stdin,
    /// The input no longer has this document at the same place with the same length.
    Changed,
}

impl Missing {
    /// A sentence for reports.
    pub fn explain(self) -> &'static str {
        match self {
            Missing::Stdin => "text not available: it was read from standard input",
            Missing::Changed => "text not available: the input file changed after the scan",
        }
    }
}

/// Reads `inputs` again (standard input from `stdin_copy` when the caller spooled it) and
/// returns, for each wanted document (its [`Location`] and its byte
/// length as the scan recorded them), its text or why not, in the order asked. `files` is the
/// scan's list of input files (to recognise standard input); `exclude` must be the directories
/// the scan excluded (its output directory), so directory walks visit the same files in the
/// same order.
pub fn fetch(
    inputs: &[InputSpec],
    fields: &FieldMap,
    exclude: &[PathBuf],
    stdin_copy: Option<&Path>,
    files: &[InputFile],
    wanted: &[(Location, u64)],
) -> Result<Vec<std::result::Result<String, Missing>>> {
    // Only documents the scan read are wanted, all within its size limit: no other limit.
    Ok(read_wanted(inputs, fields, exclude, stdin_copy, true, files, wanted, u64::MAX)?.0)
}

/// [`fetch`] for `reprint cluster`, which reads the inputs for the first time (no standard
/// input): also returns what the reading found, as a scan's reading with `max_doc_bytes`
/// reports it (files, problems, ignored and decoded files), for its outputs.
pub fn fetch_reading(
    inputs: &[InputSpec],
    fields: &FieldMap,
    exclude: &[PathBuf],
    files: &[InputFile],
    wanted: &[(Location, u64)],
    max_doc_bytes: u64,
) -> Result<(Vec<std::result::Result<String, Missing>>, InputSummary)> {
    read_wanted(inputs, fields, exclude, None, false, files, wanted, max_doc_bytes)
}

#[allow(clippy::too_many_arguments)]
fn read_wanted(
    inputs: &[InputSpec],
    fields: &FieldMap,
    exclude: &[PathBuf],
    stdin_copy: Option<&Path>,
    again: bool,
    files: &[InputFile],
    wanted: &[(Location, u64)],
    max_doc_bytes: u64,
) -> Result<(Vec<std::result::Result<String, Missing>>, InputSummary)> {
    let is_stdin = |loc: Location| stdin_copy.is_none() && files.get(loc.file as usize).is_some_and(|f| f.path == "-");
    let mut out: Vec<std::result::Result<String, Missing>> =
        wanted.iter().map(|&(loc, _)| Err(if is_stdin(loc) { Missing::Stdin } else { Missing::Changed })).collect();
    let mut by_location: BTreeMap<(u32, u64), Vec<usize>> = BTreeMap::new();
    for (slot, &(loc, _)) in wanted.iter().enumerate() {
        if !is_stdin(loc) {
            by_location.entry(key(loc)).or_default().push(slot);
        }
    }
    let mut summary = InputSummary::default();
    if !by_location.is_empty() || !again {
        // Batches of the wanted lines are parsed in parallel while the next is read.
        let want = |loc: Location| by_location.contains_key(&key(loc));
        let batching = Batching { docs: PARSE_BATCH, ahead: READ_AHEAD_BATCHES, shard: None };
        summary = read_in_batches(inputs, exclude, stdin_copy, again, Some(&want), max_doc_bytes, batching, &mut |batch| {
            let parsed: Vec<Record> = batch.into_par_iter().map(|doc| doc.parse(fields)).collect();
            for rec in parsed {
                let Some(slots) = by_location.get(&key(rec.meta.location)) else { continue };
                let Ok(mut text) = rec.body else { continue };
                let mut matching = slots.iter().filter(|&&slot| wanted[slot].1 == rec.meta.bytes).peekable();
                // A document asked for more than once gets copies; the last (usually the only)
                // slot takes the text itself.
                while let Some(&slot) = matching.next() {
                    out[slot] = Ok(if matching.peek().is_some() { text.clone() } else { std::mem::take(&mut text) });
                }
            }
        })?;
    }
    Ok((out, summary))
}

/// One record to read again by position: its file (an index into the scan's files), where
/// its JSON starts ([`crate::input::DocMeta::offset`]), its place and its length as the scan
/// recorded them.
#[derive(Debug, Clone, Copy)]
pub struct At {
    /// Where the scan found it.
    pub location: Location,
    /// Where its JSON starts in the file.
    pub offset: u64,
    /// Its length as read, line break included.
    pub bytes: u64,
}

/// Whether the records of `file` can be read again by position: a plain JSONL file named by
/// its path (not standard input, not compressed).
pub fn readable_at(file: &InputFile) -> bool {
    file.format == "jsonl" && file.path != "-"
}

/// [`fetch`] by position, for records of plain JSONL files ([`readable_at`]): each is read
/// where the scan found it, in parallel, so fetching a few texts costs their bytes, not a
/// reading of every input. A record whose line is no longer there with the same length
/// comes back as [`Missing::Changed`].
pub fn fetch_at(fields: &FieldMap, files: &[InputFile], wanted: &[At]) -> Result<Vec<std::result::Result<String, Missing>>> {
    use std::os::unix::fs::FileExt;
    let mut open: BTreeMap<u32, std::fs::File> = BTreeMap::new();
    for at in wanted {
        if let std::collections::btree_map::Entry::Vacant(slot) = open.entry(at.location.file) {
            let path = PathBuf::from(&files[at.location.file as usize].path);
            let file = std::fs::File::open(&path).map_err(|source| crate::error::Error::Input { path, source })?;
            slot.insert(file);
        }
    }
    Ok(wanted
        .par_iter()
        .map(|at| {
            // The line as the scan read it: its JSON, then its line break (none at the end of
            // the file); the first line's length also counts a byte-order mark before it.
            let mut raw = vec![0u8; at.bytes as usize];
            let file = &open[&at.location.file];
            let mut read = 0;
            while read < raw.len() {
                match file.read_at(&mut raw[read..], at.offset + read as u64) {
                    Ok(0) => break,
                    Ok(n) => read += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => return Err(Missing::Changed),
                }
            }
            raw.truncate(read);
            let newline = memchr::memchr(b'\n', &raw);
            let mut json = newline.unwrap_or(raw.len());
            while json > 0 && raw[json - 1] == b'\r' {
                json -= 1;
            }
            let line = newline.map_or(raw.len(), |nl| nl + 1) as u64;
            let mark = if at.location.line == 1 { crate::input::UTF8_BOM.len() as u64 } else { 0 };
            if line != at.bytes && line + mark != at.bytes {
                return Err(Missing::Changed);
            }
            raw.truncate(json);
            let rec = crate::input::parse_json_line(&raw, fields, at.location, at.bytes, "");
            rec.body.map_err(|_| Missing::Changed)
        })
        .collect())
}

fn key(loc: Location) -> (u32, u64) {
    (loc.file, loc.line)
}
