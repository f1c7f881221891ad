//! Reading news dumps into documents.
//!
//! This module owns everything between a path on the command line and a [`Record`]: walking
//! directories in sorted order, detecting gzip and zstd by their magic bytes, splitting JSONL
//! into lines, mapping JSON fields to id/text/title/outlet/date/url, decoding `.txt` articles
//! whatever their encoding, and reading `manifest.jsonl` metadata beside them. It hands on one
//! [`Record`] per document, in input order, each either with its text or with the
//! [`SkipReason`] it could not be used, so that every document is accounted for downstream.
//! Problems that are not about one document (an unreadable file, a truncated archive) are
//! collected as [`InputIssue`]s with file and line.

pub mod texts;
pub mod address;

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::{FieldMap, InputSpec};
use crate::error::{Error, Result};

/// Text fields tried in order when `--text-field` is not given.
pub const DEFAULT_TEXT_FIELDS: &[&str] = &["text", "maintext", "content", "body"];
/// Id fields tried in order when `--id-field` is not given.
pub const DEFAULT_ID_FIELDS: &[&str] = &["id", "_id", "doc_id"];
/// Title fields tried in order when `--title-field` is not given.
pub const DEFAULT_TITLE_FIELDS: &[&str] = &["title", "headline"];
/// Outlet fields tried in order when `--outlet-field` is not given (then the URL's host).
pub const DEFAULT_OUTLET_FIELDS: &[&str] =
    &["outlet", "source", "source_domain", "domain", "hostname"];
/// Date fields tried in order when `--date-field` is not given.
pub const DEFAULT_DATE_FIELDS: &[&str] =
    &["date", "date_publish", "published", "published_at", "publish_date", "pubDate"];
/// URL fields tried in order when `--url-field` is not given.
pub const DEFAULT_URL_FIELDS: &[&str] = &["url", "link", "canonical_url"];

/// Name of the per-directory metadata file for `.txt` articles.
pub const MANIFEST_NAME: &str = "manifest.jsonl";

/// Longest title kept from the first line of a `.txt` article, in characters; a first line
/// longer than this is a paragraph, not a headline.
const MAX_TXT_TITLE_CHARS: usize = 300;

/// The UTF-8 byte order mark, tolerated at the start of a JSONL file.
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// gzip member magic bytes (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// zstd frame magic number, little-endian (RFC 8878).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// One input source, as listed in `run.json`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct InputFile {
    /// Path as the user will recognise it (`-` for standard input).
    pub path: String,
    /// Size on disk in bytes (compressed size for archives; 0 for stdin).
    pub bytes: u64,
    /// `jsonl`, `jsonl+gzip`, `jsonl+zstd`, `txt` or `manifest`.
    pub format: String,
}

/// Where a document came from: an index into [`InputSummary::files`] and a 1-based line
/// (always 1 for `.txt` articles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Index into the list of input files.
    pub file: u32,
    /// 1-based line number inside the (decompressed) file.
    pub line: u64,
}

/// Metadata of one input document, kept for the outputs after its text is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct DocMeta {
    /// Document id: from the data, else the `.txt` path, else `FILE:LINE`.
    pub id: String,
    /// Publishing outlet, if known.
    pub outlet: Option<String>,
    /// Publication date as written in the input.
    pub date: Option<String>,
    /// The date as seconds since 1970-01-01 UTC, when it could be parsed ([`parse_date`]).
    pub timestamp: Option<i64>,
    /// Headline, if known.
    pub title: Option<String>,
    /// Article URL, if known.
    pub url: Option<String>,
    /// Source file and line.
    pub location: Location,
    /// Bytes of the input record (the JSON line, or the `.txt` file).
    pub bytes: u64,
    /// Where the record's JSON starts in its file, for a plain (uncompressed) JSONL file: its
    /// text can be read again from there alone ([`texts::fetch`]). `None` for compressed
    /// files, standard input and `.txt` articles, which are read through again instead.
    pub offset: Option<u64>,
}

impl DocMeta {
    /// Bytes this record holds: its own and its strings' (allocator rounding left out).
    pub fn held_bytes(&self) -> u64 {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
        (std::mem::size_of::<DocMeta>()
            + self.id.capacity()
            + text(&self.outlet)
            + text(&self.date)
            + text(&self.title)
            + text(&self.url)) as u64
    }
}

/// Why a document was not processed. Rendered as `code: detail` in `documents.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The line is not valid JSON.
    MalformedJson(String),
    /// The line is JSON but not an object.
    NotAnObject,
    /// The line is not valid UTF-8 (byte offset of the first bad byte).
    InvalidUtf8(usize),
    /// None of the text fields is present (the names tried).
    MissingText(String),
    /// The text field holds something other than a string.
    TextNotString(String),
    /// The text is empty or only whitespace.
    EmptyText,
    /// The text has no words after normalisation (only punctuation or symbols).
    NoWords,
    /// The record (JSONL line without its line break, or `.txt` file) is larger than
    /// `--max-doc-bytes`; it was passed over without being held in memory.
    TooLarge {
        /// Its size in bytes.
        bytes: u64,
        /// The limit it is over.
        limit: u64,
    },
}

impl SkipReason {
    /// Stable machine-readable code, the part before `:` in outputs.
    pub fn code(&self) -> &'static str {
        match self {
            SkipReason::MalformedJson(_) => "malformed_json",
            SkipReason::NotAnObject => "not_an_object",
            SkipReason::InvalidUtf8(_) => "invalid_utf8",
            SkipReason::MissingText(_) => "missing_text",
            SkipReason::TextNotString(_) => "text_not_string",
            SkipReason::EmptyText => "empty_text",
            SkipReason::NoWords => "no_words",
            SkipReason::TooLarge { .. } => "too_large",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code();
        match self {
            SkipReason::MalformedJson(e) => write!(f, "{code}: {e}"),
            SkipReason::NotAnObject => write!(f, "{code}: the line is JSON but not an object"),
            SkipReason::InvalidUtf8(at) => write!(f, "{code}: invalid UTF-8 at byte {at} of the line"),
            SkipReason::MissingText(tried) => write!(f, "{code}: no text field (tried {tried})"),
            SkipReason::TextNotString(field) => write!(f, "{code}: field `{field}` is not a string"),
            SkipReason::EmptyText => write!(f, "{code}: the text is empty or whitespace"),
            SkipReason::NoWords => write!(f, "{code}: the text has no words"),
            SkipReason::TooLarge { bytes, limit } => {
                write!(f, "{code}: the record is {bytes} bytes, over the limit of {limit} (--max-doc-bytes)")
            }
        }
    }
}

/// One input document: its metadata and either its text or why it was skipped.
#[derive(Debug, Clone)]
pub struct Record {
    /// Metadata kept for the outputs.
    pub meta: DocMeta,
    /// The article text, or the reason it cannot be used.
    pub body: std::result::Result<String, SkipReason>,
}

/// A document as the reader found it, before its JSON is parsed (see [`read_in_batches`]):
/// parsing is most of the cost of reading, so a pipeline parses on its worker threads and
/// leaves the reading thread only the bytes to split.
#[derive(Debug)]
pub enum Unparsed {
    /// A document that needed no parsing (a `.txt` article).
    Ready(Record),
    /// One JSONL line, without its line break (and a leading byte-order mark).
    Line {
        /// The line's bytes.
        raw: Vec<u8>,
        /// Where it was read.
        location: Location,
        /// Its length as read, line break included.
        bytes: u64,
        /// The file's name as displayed, for the fallback id `FILE:LINE`.
        file: Arc<str>,
        /// Where the line's JSON starts in a plain file ([`DocMeta::offset`]).
        offset: Option<u64>,
    },
}

impl Unparsed {
    /// Bytes of input this document took.
    pub fn bytes(&self) -> u64 {
        match self {
            Unparsed::Ready(rec) => rec.meta.bytes,
            Unparsed::Line { bytes, .. } => *bytes,
        }
    }

    /// The record, as [`read_inputs`] would have handed it.
    pub fn parse(self, fields: &FieldMap) -> Record {
        match self {
            Unparsed::Ready(rec) => rec,
            Unparsed::Line { raw, location, bytes, file, offset } => {
                let mut rec = parse_json_line(&raw, fields, location, bytes, &file);
                rec.meta.offset = offset;
                rec
            }
        }
    }
}

/// What the reader hands its sink: a finished `.txt` record, or a JSONL line borrowed from the
/// reader's buffer, parsed by the sink (or sent on unparsed).
enum Item<'l> {
    Txt(Record),
    Line { raw: &'l [u8], location: Location, bytes: u64, file: &'l Arc<str>, offset: Option<u64> },
    /// A JSONL line over the size limit: only its size was kept.
    TooLarge { location: Location, bytes: u64, size: u64, limit: u64, file: &'l Arc<str> },
}

impl<'l> Item<'l> {
    /// The record, with the raw line it came from (`None` for `.txt` articles).
    fn parse(self, fields: &FieldMap) -> (Record, Option<&'l [u8]>) {
        match self {
            Item::Txt(rec) => (rec, None),
            Item::Line { raw, location, bytes, file, offset } => {
                let mut rec = parse_json_line(raw, fields, location, bytes, file);
                rec.meta.offset = offset;
                (rec, Some(raw))
            }
            Item::TooLarge { location, bytes, size, limit, file } => (too_large(location, bytes, size, limit, file), None),
        }
    }
}

/// A problem with an input that is not about one document.
#[derive(Debug, Clone, Serialize)]
pub struct InputIssue {
    /// The file concerned.
    pub file: String,
    /// The line where reading stopped or the bad manifest line, when there is one.
    pub line: Option<u64>,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for InputIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// What reading found besides the documents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct InputSummary {
    /// Every file read, in order; [`Location::file`] indexes this list.
    pub files: Vec<InputFile>,
    /// File-level problems (unreadable files, truncated archives, bad manifest lines).
    pub issues: Vec<InputIssue>,
    /// Files found in directories that are neither articles nor dumps, left alone.
    pub ignored_files: Vec<String>,
    /// `.txt` files that were not UTF-8, with the encoding they were decoded from.
    pub decoded: Vec<String>,
}

impl InputSummary {
    /// `FILE:LINE` for a location, as used in ids and messages.
    pub fn locate(&self, loc: Location) -> String {
        format!("{}:{}", self.files[loc.file as usize].path, loc.line)
    }
}

/// Reads every input in order and calls `sink` once per document.
///
/// Returns an error only when an input named on the command line cannot be opened at all;
/// everything else (bad lines, bad files inside a directory, truncated archives) is reported
/// through skip reasons and [`InputSummary::issues`].
///
/// Directories in `exclude` (the run's own output directory) are not walked, so a scan of a
/// tree that contains its previous outputs does not read them as input.
///
/// Records larger than `max_doc_bytes` are handed over as skipped ([`SkipReason::TooLarge`])
/// without being held in memory.
pub fn read_inputs(
    inputs: &[InputSpec],
    fields: &FieldMap,
    exclude: &[PathBuf],
    max_doc_bytes: u64,
    sink: &mut dyn FnMut(Record),
) -> Result<InputSummary> {
    read_with(inputs, exclude, Stdin::Live, None, None, max_doc_bytes, &mut |item| sink(item.parse(fields).0))
}

/// Reads one JSONL dump (plain, gzip or zstd) from memory, named `name` in locations and
/// fallback ids, as [`read_inputs`] reads a file: the records and what reading found. For
/// tests and fuzzing of the reader without a file system.
pub fn read_jsonl_bytes(data: &[u8], name: &str, fields: &FieldMap, max_doc_bytes: u64) -> (Vec<Record>, InputSummary) {
    let mut records = Vec::new();
    let mut sink = |item: Item<'_>| records.push(item.parse(fields).0);
    let mut reader = Reader {
        summary: InputSummary::default(),
        sink: &mut sink,
        want: None,
        exclude: Vec::new(),
        shard: None,
        manifests: BTreeMap::new(),
        max_doc_bytes,
    };
    reader.read_jsonl_stream(data, name.to_string(), data.len() as u64);
    let summary = reader.summary;
    (records, summary)
}

/// How [`read_in_batches`] hands documents over.
#[derive(Debug, Clone, Copy)]
pub struct Batching {
    /// Documents per batch.
    pub docs: usize,
    /// Batches the reading thread may run ahead of their receiver (bounds the texts in flight).
    pub ahead: usize,
    /// `Some((i, n))`: read only the files whose number in the input list is `i` modulo `n`
    /// (shard `i + 1` of `n`, see `reprint sign --shard`). The others are listed as a whole
    /// read lists them, so file numbers are the same in every shard, but not read.
    pub shard: Option<(u32, u32)>,
}

/// Reads the inputs on a thread of its own and hands `on_batch`, on the calling thread, the
/// documents in input order and in batches, unparsed (JSONL lines are left to the receiver,
/// which can parse them in parallel; [`Unparsed::parse`] gives the records [`read_inputs`]
/// would), while the next batch is read.
///
/// `again`: the inputs were read before, so standard input is passed over (it keeps its place
/// in the file list) unless `stdin_copy` holds a copy of it, which is read in its place either
/// way. With `want`, only the JSONL lines at those locations are handed over.
pub fn read_in_batches(
    inputs: &[InputSpec],
    exclude: &[PathBuf],
    stdin_copy: Option<&Path>,
    again: bool,
    want: Option<&(dyn Fn(Location) -> bool + Sync)>,
    max_doc_bytes: u64,
    batching: Batching,
    on_batch: &mut dyn FnMut(Vec<Unparsed>),
) -> Result<InputSummary> {
    let stdin = match (stdin_copy, again) {
        (Some(copy), _) => Stdin::Copy(copy),
        (None, false) => Stdin::Live,
        (None, true) => Stdin::Gone,
    };
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Unparsed>>(batching.ahead);
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(batching.docs);
            let want = want.map(|w| w as &dyn Fn(Location) -> bool);
            let summary = unparsed_with(inputs, exclude, stdin, want, batching.shard, max_doc_bytes, &mut |doc| {
                batch.push(doc);
                if batch.len() == batching.docs {
                    let _ = tx.send(std::mem::replace(&mut batch, Vec::with_capacity(batching.docs)));
                }
            });
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            summary
        });
        for batch in rx {
            on_batch(batch);
        }
        reader.join().expect("the input reader thread panicked")
    })
}

fn unparsed_with(
    inputs: &[InputSpec],
    exclude: &[PathBuf],
    stdin: Stdin,
    want: Option<&dyn Fn(Location) -> bool>,
    shard: Option<(u32, u32)>,
    max_doc_bytes: u64,
    sink: &mut dyn FnMut(Unparsed),
) -> Result<InputSummary> {
    read_with(inputs, exclude, stdin, want, shard, max_doc_bytes, &mut |item| {
        sink(match item {
            Item::Txt(rec) => Unparsed::Ready(rec),
            Item::Line { raw, location, bytes, file, offset } => {
                Unparsed::Line { raw: raw.to_vec(), location, bytes, file: Arc::clone(file), offset }
            }
            Item::TooLarge { location, bytes, size, limit, file } => {
                Unparsed::Ready(too_large(location, bytes, size, limit, file))
            }
        })
    })
}

/// Where standard input comes from.
#[derive(Clone, Copy)]
enum Stdin<'p> {
    /// The process's standard input.
    Live,
    /// Already consumed: nothing.
    Gone,
    /// A copy in this file, named `-` all the same.
    Copy(&'p Path),
}

/// Reads the inputs again, handing each record with its raw JSONL line (without the line
/// break and a leading byte-order mark; `None` for `.txt` articles and records over
/// `max_doc_bytes`), for writers that must reproduce the input records exactly. Standard input
/// was consumed by the first reading: it is read from `stdin_copy` when the caller spooled it,
/// else passed over (it keeps its place in the file list, so every other document keeps its
/// [`Location`]).
///
/// With `want`, JSONL lines at other locations are passed over without being parsed (their
/// sink is not called): fetching a few texts from a large dump costs little more than reading
/// its bytes.
pub fn reread_raw(
    inputs: &[InputSpec],
    fields: &FieldMap,
    exclude: &[PathBuf],
    stdin_copy: Option<&Path>,
    want: Option<&dyn Fn(Location) -> bool>,
    max_doc_bytes: u64,
    sink: &mut dyn FnMut(Record, Option<&[u8]>),
) -> Result<InputSummary> {
    read_with(inputs, exclude, stdin_copy.map_or(Stdin::Gone, Stdin::Copy), want, None, max_doc_bytes, &mut |item| {
        let (rec, raw) = item.parse(fields);
        sink(rec, raw)
    })
}

fn read_with(
    inputs: &[InputSpec],
    exclude: &[PathBuf],
    stdin: Stdin,
    want: Option<&dyn Fn(Location) -> bool>,
    shard: Option<(u32, u32)>,
    max_doc_bytes: u64,
    sink: &mut dyn FnMut(Item<'_>),
) -> Result<InputSummary> {
    // Every named path must exist before anything is read.
    let mut metas = Vec::with_capacity(inputs.len());
    for input in inputs {
        metas.push(match input {
            InputSpec::Stdin => None,
            InputSpec::Path(path) => {
                Some(std::fs::metadata(path).map_err(|source| Error::Input { path: path.clone(), source })?)
            }
        });
    }
    let exclude: Vec<PathBuf> = exclude.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let mut reader =
        Reader { summary: InputSummary::default(), sink, want, shard, exclude, manifests: BTreeMap::new(), max_doc_bytes };
    for (input, meta) in inputs.iter().zip(metas) {
        match (input, meta) {
            (InputSpec::Stdin, _) | (_, None) => match stdin {
                Stdin::Live => reader.read_jsonl_stream(io::stdin().lock(), "-".to_string(), 0),
                Stdin::Gone => reader.read_jsonl_stream(io::empty(), "-".to_string(), 0),
                Stdin::Copy(path) => {
                    let file = File::open(path).map_err(|source| Error::Input { path: path.to_path_buf(), source })?;
                    reader.read_jsonl_stream(BufReader::new(file), "-".to_string(), 0)
                }
            },
            (InputSpec::Path(path), Some(meta)) => {
                if meta.is_dir() {
                    reader.read_dir(path);
                } else {
                    let display = path.display().to_string();
                    if is_txt(path) {
                        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                        let entry = reader.manifest_entry(&dir, &name);
                        reader.read_txt(path, display, outlet_from_parent(path), entry);
                    } else {
                        let file = File::open(path)
                            .map_err(|source| Error::Input { path: path.clone(), source })?;
                        reader.read_jsonl_stream(BufReader::new(file), display, meta.len());
                    }
                }
            }
        }
    }
    Ok(reader.summary)
}

/// Metadata for one `.txt` article from a `manifest.jsonl` line.
#[derive(Debug, Clone, Default)]
struct ManifestEntry {
    outlet: Option<String>,
    date: Option<String>,
    title: Option<String>,
    url: Option<String>,
}

struct Reader<'a> {
    summary: InputSummary,
    sink: &'a mut dyn FnMut(Item<'_>),
    /// Locations whose JSONL lines are parsed (all when `None`).
    want: Option<&'a dyn Fn(Location) -> bool>,
    /// Only the files of this shard are read ([`Batching::shard`]).
    shard: Option<(u32, u32)>,
    /// Canonical paths of directories not to walk into.
    exclude: Vec<PathBuf>,
    /// Manifests read so far, by directory (each is read once).
    manifests: BTreeMap<PathBuf, BTreeMap<String, ManifestEntry>>,
    /// Records larger than this are skipped unread ([`SkipReason::TooLarge`]).
    max_doc_bytes: u64,
}

impl Reader<'_> {
    /// Whether file number `file` is read ([`Batching::shard`]).
    fn owns(&self, file: u32) -> bool {
        self.shard.is_none_or(|(i, n)| file % n == i)
    }

    fn add_file(&mut self, path: String, bytes: u64, format: &str) -> u32 {
        self.summary.files.push(InputFile { path, bytes, format: format.to_string() });
        (self.summary.files.len() - 1) as u32
    }

    fn issue(&mut self, file: &str, line: Option<u64>, message: String) {
        self.summary.issues.push(InputIssue { file: file.to_string(), line, message });
    }

    /// Walks a directory in sorted order: `.txt` articles (with their manifests) and JSONL
    /// dumps; anything else is listed as ignored.
    fn read_dir(&mut self, root: &Path) {
        let exclude = std::mem::take(&mut self.exclude);
        let mut excluded = Vec::new();
        let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
            let skip = e.file_type().is_dir()
                && !exclude.is_empty()
                && e.path().canonicalize().is_ok_and(|c| exclude.contains(&c));
            if skip {
                excluded.push(e.path().display().to_string());
            }
            !skip
        });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let at = e.path().unwrap_or(root).display().to_string();
                    self.issue(&at, None, format!("cannot walk: {e}"));
                    continue;
                }
            };
            let kind = entry.file_type();
            if kind.is_dir() {
                continue;
            }
            if !kind.is_file() {
                // Named pipes, sockets, devices: reading one could block or never end.
                self.summary.ignored_files.push(format!("{} (not a regular file)", entry.path().display()));
                continue;
            }
            let path = entry.path();
            let name = entry.file_name().to_string_lossy();
            let display = path.display().to_string();
            if name == MANIFEST_NAME {
                continue; // read when the first article beside it is read
            }
            if is_txt(path) {
                let dir = path.parent().unwrap_or(root).to_path_buf();
                let rel = path.strip_prefix(root).unwrap_or(path);
                let id = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let entry = self.manifest_entry(&dir, name.as_ref());
                self.read_txt(path, id, outlet_from_parent(path), entry);
            } else if is_jsonl(&name) {
                match File::open(path) {
                    Ok(f) => {
                        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                        self.read_jsonl_stream(BufReader::new(f), display, len);
                    }
                    Err(e) => self.issue(&display, None, format!("cannot open: {e}")),
                }
            } else {
                self.summary.ignored_files.push(display);
            }
        }
        for dir in excluded {
            self.summary.ignored_files.push(format!("{dir}/ (the output directory)"));
        }
        self.exclude = exclude;
    }

    /// The manifest entry of `file` in `dir`, reading the directory's manifest once.
    fn manifest_entry(&mut self, dir: &Path, file: &str) -> Option<ManifestEntry> {
        if !self.manifests.contains_key(dir) {
            let m = self.load_manifest(dir);
            self.manifests.insert(dir.to_path_buf(), m);
        }
        self.manifests[dir].get(file).cloned()
    }

    fn load_manifest(&mut self, dir: &Path) -> BTreeMap<String, ManifestEntry> {
        let path = dir.join(MANIFEST_NAME);
        let mut out = BTreeMap::new();
        let display = path.display().to_string();
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return out,
            Err(e) => {
                self.issue(&display, None, format!("cannot read manifest: {e}"));
                return out;
            }
        };
        self.add_file(display.clone(), data.len() as u64, "manifest");
        for (i, line) in data.split(|&b| b == b'\n').enumerate() {
            let line_no = i as u64 + 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let obj = match serde_json::from_slice::<Map<String, Value>>(line) {
                Ok(o) => o,
                Err(e) => {
                    self.issue(&display, Some(line_no), format!("bad manifest line: {e}"));
                    continue;
                }
            };
            let Some(file) = obj.get("file").and_then(Value::as_str) else {
                self.issue(&display, Some(line_no), "manifest line has no `file`".into());
                continue;
            };
            let get = |k: &str| obj.get(k).and_then(scalar_string);
            out.insert(
                file.to_string(),
                ManifestEntry {
                    outlet: get("outlet"),
                    date: get("date"),
                    title: get("title"),
                    url: get("url"),
                },
            );
        }
        out
    }

    /// Reads one `.txt` article: the whole file is the text, decoded from whatever encoding
    /// it is in.
    fn read_txt(&mut self, path: &Path, id: String, outlet: Option<String>, m: Option<ManifestEntry>) {
        let display = path.display().to_string();
        let m = m.unwrap_or_default();
        let limit = self.max_doc_bytes;
        if !self.owns(self.summary.files.len() as u32) {
            // Another shard's article: listed (when it can be read) as a whole read lists it.
            match File::open(path).and_then(|f| f.metadata()) {
                Ok(md) => {
                    self.add_file(display, md.len(), "txt");
                }
                Err(e) => self.issue(&display, None, format!("cannot read: {e}")),
            }
            return;
        }
        // A file over the limit is not read at all.
        let too_large = std::fs::metadata(path).ok().map(|md| md.len()).filter(|&size| size > limit);
        let (size, body) = match too_large {
            Some(size) => (size, Err(SkipReason::TooLarge { bytes: size, limit })),
            None => {
                let bytes = match std::fs::read(path) {
                    Ok(b) => b,
                    Err(e) => {
                        self.issue(&display, None, format!("cannot read: {e}"));
                        return;
                    }
                };
                let (text, encoding) = decode_text(&bytes);
                if let Some(enc) = encoding {
                    self.summary.decoded.push(format!("{display}: decoded from {enc}"));
                }
                let body = if text.trim().is_empty() { Err(SkipReason::EmptyText) } else { Ok(text) };
                (bytes.len() as u64, body)
            }
        };
        let file = self.add_file(display, size, "txt");
        let title = m.title.or_else(|| body.as_deref().ok().and_then(first_line_title));
        let timestamp = m.date.as_deref().and_then(parse_date);
        let meta = DocMeta {
            id,
            outlet: m.outlet.or(outlet),
            date: m.date,
            timestamp,
            title,
            url: m.url,
            location: Location { file, line: 1 },
            bytes: size,
            offset: None,
        };
        (self.sink)(Item::Txt(Record { meta, body }));
    }

    /// Reads JSONL from a stream, transparently decompressing gzip (all members) or zstd.
    fn read_jsonl_stream<R: BufRead>(&mut self, mut stream: R, display: String, bytes: u64) {
        let magic = match stream.fill_buf() {
            Ok(b) => b.get(..4).unwrap_or(b).to_vec(),
            Err(e) => {
                self.issue(&display, None, format!("cannot read: {e}"));
                return;
            }
        };
        let format = if magic.starts_with(&GZIP_MAGIC) {
            "jsonl+gzip"
        } else if magic.starts_with(&ZSTD_MAGIC) {
            "jsonl+zstd"
        } else {
            "jsonl"
        };
        if !self.owns(self.summary.files.len() as u32) {
            // Another shard's file: listed as a whole read lists it, not read.
            self.add_file(display, bytes, format);
            return;
        }
        let file = self.add_file(display.clone(), bytes, format);
        match format {
            "jsonl+gzip" => {
                let dec = flate2::bufread::MultiGzDecoder::new(stream);
                self.read_lines(BufReader::new(dec), file, &display, "gzip");
            }
            "jsonl+zstd" => match zstd::stream::read::Decoder::with_buffer(stream) {
                Ok(dec) => self.read_lines(BufReader::new(dec), file, &display, "zstd"),
                Err(e) => self.issue(&display, None, format!("cannot start zstd decoder: {e}")),
            },
            _ => self.read_lines(stream, file, &display, "plain"),
        }
    }

    fn read_lines<R: BufRead>(&mut self, mut stream: R, file: u32, display: &str, codec: &str) {
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        let file_name: Arc<str> = Arc::from(display);
        // Room for a record at the limit, a CRLF and a byte-order mark the stream's first
        // refill was too short to show; the rest of a longer line is read and dropped.
        let keep = usize::try_from(self.max_doc_bytes).unwrap_or(usize::MAX).saturating_add(2 + UTF8_BOM.len());
        let what = |e: io::Error| {
            if codec == "plain" {
                format!("read error: {e}")
            } else {
                format!("{codec} stream is truncated or corrupt: {e}; lines before it were read")
            }
        };
        // A UTF-8 byte-order mark (exported by some Windows tools) is not part of the first
        // line's JSON; its bytes still count in the line's length.
        let mut bom = match stream.fill_buf() {
            Ok(head) if head.starts_with(UTF8_BOM) => UTF8_BOM.len() as u64,
            Ok(_) => 0,
            Err(e) => {
                self.issue(display, Some(1), what(e));
                return;
            }
        };
        stream.consume(bom as usize);
        // Where the next line starts in the (decompressed) stream: in a plain file, where it
        // can be read again.
        let mut at = 0u64;
        loop {
            buf.clear();
            let start = at;
            let location = Location { file, line: line_no + 1 };
            // Lines nobody asked for are not kept at all.
            let wanted = self.want.is_none_or(|want| want(location));
            // `marked`: the mark's bytes, counted in the length of the line (the first).
            let (line, marked) = match read_line_capped(&mut stream, &mut buf, if wanted { keep } else { 0 }) {
                Ok(line) if line.bytes == 0 => break,
                Ok(line) => {
                    let marked = std::mem::take(&mut bom);
                    (LineRead { bytes: line.bytes + marked, ..line }, marked)
                }
                Err(e) => {
                    self.issue(display, Some(line_no + 1), what(e));
                    break;
                }
            };
            line_no += 1;
            at += line.bytes;
            if !wanted || line.blank {
                continue; // a blank line is not a document, however long
            }
            let mut size = line.bytes - line.breaks - marked;
            let mut json_at = start + marked;
            if line_no == 1 && marked == 0 && buf.starts_with(UTF8_BOM) {
                buf.drain(..UTF8_BOM.len()); // a mark the first refill was too short to show
                size -= UTF8_BOM.len() as u64;
                json_at += UTF8_BOM.len() as u64;
            }
            if size > self.max_doc_bytes {
                let limit = self.max_doc_bytes;
                (self.sink)(Item::TooLarge { location, bytes: line.bytes, size, limit, file: &file_name });
                continue;
            }
            while matches!(buf.last(), Some(b'\n' | b'\r')) {
                buf.pop();
            }
            let offset = (codec == "plain").then_some(json_at);
            (self.sink)(Item::Line { raw: &buf, location, bytes: line.bytes, file: &file_name, offset });
        }
    }
}

/// One line as [`read_line_capped`] read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LineRead {
    /// Bytes the line took in the stream, line break included (0 at the end of the stream).
    bytes: u64,
    /// How many of them are the `\r` and `\n` bytes that end it.
    breaks: u64,
    /// Every byte of it is ASCII whitespace (kept or not).
    blank: bool,
}

/// Reads one line (up to and including `\n`, or to the end of the stream), appending at most
/// `keep` of its bytes to `buf` and dropping the rest, so a line of any length costs at most
/// `keep` bytes of memory.
fn read_line_capped<R: BufRead>(stream: &mut R, buf: &mut Vec<u8>, keep: usize) -> io::Result<LineRead> {
    let mut line = LineRead { bytes: 0, breaks: 0, blank: true };
    loop {
        let available = match stream.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(line);
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        // Stops at the first byte that is not whitespace: the first of most lines.
        line.blank = line.blank && chunk.iter().all(u8::is_ascii_whitespace);
        let room = keep.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let trailing = chunk.iter().rev().take_while(|&&b| b == b'\n' || b == b'\r').count() as u64;
        line.breaks = if trailing == chunk.len() as u64 { line.breaks + trailing } else { trailing };
        line.bytes += chunk.len() as u64;
        let used = chunk.len();
        stream.consume(used);
        if done {
            return Ok(line);
        }
    }
}

/// The metadata of a JSONL line before its fields are read: its place and its fallback id
/// `FILE:LINE`.
fn line_meta(location: Location, bytes: u64, file: &str) -> DocMeta {
    DocMeta {
        id: format!("{file}:{}", location.line),
        outlet: None,
        date: None,
        timestamp: None,
        title: None,
        url: None,
        location,
        bytes,
        offset: None,
    }
}

/// The record of a JSONL line over the size limit: its place, its fallback id, why.
fn too_large(location: Location, bytes: u64, size: u64, limit: u64, file: &str) -> Record {
    Record { meta: line_meta(location, bytes, file), body: Err(SkipReason::TooLarge { bytes: size, limit }) }
}

/// Turns one JSONL line into a record.
pub(crate) fn parse_json_line(line: &[u8], fields: &FieldMap, location: Location, bytes: u64, file: &str) -> Record {
    let mut meta = line_meta(location, bytes, file);
    if let Err(e) = std::str::from_utf8(line) {
        return Record { meta, body: Err(SkipReason::InvalidUtf8(e.valid_up_to())) };
    }
    let value: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => return Record { meta, body: Err(SkipReason::MalformedJson(e.to_string())) },
    };
    let Value::Object(mut obj) = value else {
        return Record { meta, body: Err(SkipReason::NotAnObject) };
    };
    if let Some(id) = pick(&obj, fields.id.as_deref(), DEFAULT_ID_FIELDS).and_then(scalar_string) {
        if !id.is_empty() {
            meta.id = id;
        }
    }
    meta.title = pick(&obj, fields.title.as_deref(), DEFAULT_TITLE_FIELDS).and_then(scalar_string);
    meta.date = pick(&obj, fields.date.as_deref(), DEFAULT_DATE_FIELDS).and_then(scalar_string);
    meta.timestamp = meta.date.as_deref().and_then(parse_date);
    meta.url = pick(&obj, fields.url.as_deref(), DEFAULT_URL_FIELDS).and_then(scalar_string);
    meta.outlet = pick(&obj, fields.outlet.as_deref(), DEFAULT_OUTLET_FIELDS)
        .and_then(outlet_value)
        .or_else(|| meta.url.as_deref().and_then(url_host));
    let text = pick_named(&obj, fields.text.as_deref(), DEFAULT_TEXT_FIELDS).map(|(name, v)| (name, v.is_string()));
    let body = match text {
        None => Err(SkipReason::MissingText(match &fields.text {
            Some(f) => format!("`{f}`"),
            None => DEFAULT_TEXT_FIELDS.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", "),
        })),
        // The text is moved out of the parsed object, not copied.
        Some((name, true)) => match obj.remove(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
            _ => Err(SkipReason::EmptyText),
        },
        Some((name, false)) => Err(SkipReason::TextNotString(name.to_string())),
    };
    Record { meta, body }
}

/// The first present, non-null field: the named one only, or the defaults in order.
fn pick<'v>(obj: &'v Map<String, Value>, named: Option<&str>, defaults: &[&str]) -> Option<&'v Value> {
    pick_named(obj, named, defaults).map(|(_, v)| v)
}

fn pick_named<'v, 'n>(
    obj: &'v Map<String, Value>,
    named: Option<&'n str>,
    defaults: &[&'n str],
) -> Option<(&'n str, &'v Value)> {
    match named {
        Some(n) => obj.get(n).filter(|v| !v.is_null()).map(|v| (n, v)),
        None => defaults
            .iter()
            .find_map(|&n| obj.get(n).filter(|v| !v.is_null()).map(|v| (n, v))),
    }
}

/// Strings as they are, numbers and booleans as written; anything else is not a scalar.
fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An outlet given as a string, or as an object with a `name` (NewsAPI's `source`).
fn outlet_value(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o.get("name").and_then(scalar_string),
        other => scalar_string(other),
    }
    .filter(|s| !s.trim().is_empty())
}

/// Parses the date formats found in news dumps into seconds since 1970-01-01 UTC: RFC 3339
/// (`2024-06-21T08:30:00Z`, with any offset), ISO date-times without a zone (taken as UTC),
/// ISO dates, RFC 2822 (`Fri, 21 Jun 2024 08:30:00 +0000`) and Unix timestamps in seconds.
pub fn parse_date(s: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.timestamp());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp());
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp());
        }
    }
    if s.len() >= 9 && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    None
}

/// The host of a URL without a leading `www.`, lowercased.
pub fn url_host(u: &str) -> Option<String> {
    let parsed = url::Url::parse(u.trim()).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

fn is_txt(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"))
}

/// Dump files found while walking a directory.
fn is_jsonl(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower
        .strip_suffix(".gz")
        .or_else(|| lower.strip_suffix(".zst"))
        .or_else(|| lower.strip_suffix(".zstd"))
        .unwrap_or(&lower);
    base.ends_with(".jsonl") || base.ends_with(".ndjson")
}

fn outlet_from_parent(path: &Path) -> Option<String> {
    path.parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
}

/// The first non-empty line, trimmed, if it is short enough to be a headline.
fn first_line_title(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    (line.chars().count() <= MAX_TXT_TITLE_CHARS).then(|| line.to_string())
}

/// Valid multi-byte UTF-8 characters per invalid byte above which a `.txt` file is taken as
/// damaged UTF-8 (invalid bytes replaced by U+FFFD) rather than another encoding. In Latin-1,
/// Windows-125x and the like, bytes above 0x7F almost never happen to form valid UTF-8 (a lead
/// byte must be followed by the right number of 0x80-0xBF bytes, rare symbols there), so a
/// file where valid multi-byte characters outnumber invalid bytes 4 to 1 is UTF-8 with a few
/// stray bytes: decoding all of it as another encoding would garble every accented letter.
const MOSTLY_UTF8_RATIO: usize = 4;

/// Share of NUL bytes in one byte position (odd or even) of a file, and at most in the other,
/// for a file without byte-order mark to be read as UTF-16: text in a Latin script has a NUL
/// high byte in nearly every code unit, and no text encoding puts NULs in every other byte.
const UTF16_NUL_SHARE: (f64, f64) = (0.3, 0.02);

/// Decodes a `.txt` article: a BOM decides; else UTF-16 when every other byte is mostly NUL
/// (a file saved as UTF-16 without a BOM); else UTF-8 if valid; else UTF-8 with its invalid
/// bytes replaced when it is marked or mostly UTF-8 ([`MOSTLY_UTF8_RATIO`]); else the encoding
/// chardetng detects. Returns the text and, unless it was clean UTF-8, how it was decoded.
pub fn decode_text(bytes: &[u8]) -> (String, Option<String>) {
    let mut bytes = bytes;
    let mut marked_utf8 = false;
    match encoding_rs::Encoding::for_bom(bytes) {
        // A UTF-8 mark says what a file should be, not that it is: invalid bytes are reported.
        Some((enc, bom_len)) if enc == encoding_rs::UTF_8 => {
            bytes = &bytes[bom_len..];
            marked_utf8 = true;
        }
        Some((enc, bom_len)) => {
            let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
            return (text.into_owned(), Some(enc.name().to_string()));
        }
        None => {}
    }
    if let Some(enc) = bomless_utf16(bytes).filter(|_| !marked_utf8) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return (text.into_owned(), Some(format!("{} (no byte-order mark)", enc.name())));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), None);
    }
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += chunk.invalid().len();
    }
    if marked_utf8 || multibyte >= MOSTLY_UTF8_RATIO * invalid {
        let plural = if invalid == 1 { "byte" } else { "bytes" };
        return (String::from_utf8_lossy(bytes).into_owned(), Some(format!("UTF-8, {invalid} invalid {plural} replaced by U+FFFD")));
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let enc = detector.guess(None, true);
    let (text, _, _) = enc.decode(bytes);
    (text.into_owned(), Some(enc.name().to_string()))
}

/// UTF-16LE or BE, when one byte position of the code units is mostly NUL and the other
/// almost never ([`UTF16_NUL_SHARE`]).
fn bomless_utf16(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let units = bytes.len() / 2;
    if units < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in bytes.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let share = |n: usize| n as f64 / units as f64;
    let (many, few) = UTF16_NUL_SHARE;
    if share(odd) >= many && share(even) <= few {
        Some(encoding_rs::UTF_16LE)
    } else if share(even) >= many && share(odd) <= few {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Record {
        parse_json_line(line.as_bytes(), &FieldMap::default(), Location { file: 0, line: 7 }, 0, "d.jsonl")
    }

    #[test]
    fn default_fields_and_fallback_id() {
        let r = parse(r#"{"maintext":"Hello world","url":"https://www.Example.com/a?b=1","date_publish":"2024-06-21"}"#);
        assert_eq!(r.meta.id, "d.jsonl:7");
        assert_eq!(r.meta.outlet.as_deref(), Some("example.com"));
        assert_eq!(r.meta.date.as_deref(), Some("2024-06-21"));
        assert_eq!(r.body.unwrap(), "Hello world");
    }

    #[test]
    fn numeric_id_and_source_object() {
        let r = parse(r#"{"id":42,"content":"x y","source":{"id":null,"name":"AP"}}"#);
        assert_eq!(r.meta.id, "42");
        assert_eq!(r.meta.outlet.as_deref(), Some("AP"));
    }

    #[test]
    fn skip_reasons() {
        assert_eq!(parse("{not json").body.unwrap_err().code(), "malformed_json");
        assert_eq!(parse("[1,2]").body.unwrap_err(), SkipReason::NotAnObject);
        assert_eq!(parse(r#"{"text":"   "}"#).body.unwrap_err(), SkipReason::EmptyText);
        assert_eq!(parse(r#"{"text":5}"#).body.unwrap_err(), SkipReason::TextNotString("text".into()));
        assert_eq!(parse(r#"{"title":"t"}"#).body.unwrap_err().code(), "missing_text");
        let bad = parse_json_line(b"{\"text\":\"a\xffb\"}", &FieldMap::default(), Location { file: 0, line: 1 }, 0, "f");
        assert_eq!(bad.body.unwrap_err(), SkipReason::InvalidUtf8(10));
    }

    #[test]
    fn unparsed_documents_parse_to_the_records_read_inputs_gives() {
        let dir = tempfile::tempdir().unwrap();
        let dump = dir.path().join("d.jsonl");
        let lines = "\u{feff}{\"id\":\"a\",\"text\":\"one two\"}\r\n{broken\n\n{\"text\":\"  \"}\n{\"id\":3,\"body\":\"x\"}";
        std::fs::write(&dump, lines).unwrap();
        let txt = dir.path().join("outlet");
        std::fs::create_dir(&txt).unwrap();
        std::fs::write(txt.join("story.txt"), b"Headline\n\nCaf\xe9 text").unwrap();
        let inputs = [InputSpec::Path(dump), InputSpec::Path(txt)];
        let fields = FieldMap::default();
        let mut direct = Vec::new();
        let summary = read_inputs(&inputs, &fields, &[], u64::MAX, &mut |rec| direct.push(format!("{rec:?}"))).unwrap();
        let mut deferred = Vec::new();
        let batching = Batching { docs: 2, ahead: 1, shard: None };
        let again = read_in_batches(&inputs, &[], None, false, None, u64::MAX, batching, &mut |batch| deferred.extend(batch)).unwrap();
        let deferred: Vec<String> = deferred.into_iter().map(|doc| format!("{:?}", doc.parse(&fields))).collect();
        assert_eq!(direct.len(), 5);
        assert_eq!(deferred, direct);
        assert_eq!(format!("{again:?}"), format!("{summary:?}"));
    }

    #[test]
    fn decodes_latin1_and_utf16() {
        let (t, enc) = decode_text(b"Caf\xe9 cr\xe8me br\xfbl\xe9e, la cr\xe8me de la cr\xe8me");
        assert!(t.starts_with("Café crème"), "{t}");
        assert!(enc.is_some());
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("hé".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        assert_eq!(decode_text(&utf16), ("hé".to_string(), Some("UTF-16LE".to_string())));
        assert_eq!(decode_text("plain ünïcode".as_bytes()), ("plain ünïcode".to_string(), None));
    }

    #[test]
    fn decodes_utf16_without_a_mark_and_damaged_utf8() {
        let text = "Ministers met in Hanoi on Friday.\nThey said little.";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert!(std::str::from_utf8(&le).is_ok(), "valid UTF-8 too: the NUL pattern decides");
        assert_eq!(decode_text(&le), (text.to_string(), Some("UTF-16LE (no byte-order mark)".to_string())));
        assert_eq!(decode_text(&be), (text.to_string(), Some("UTF-16BE (no byte-order mark)".to_string())));
        // One stray byte in accented UTF-8: UTF-8 with a replacement, not Windows-1252 mojibake.
        let mut damaged = "Réforme économique à São Paulo: déjà approuvée.".as_bytes().to_vec();
        damaged.extend(b" \xff");
        let (t, how) = decode_text(&damaged);
        assert_eq!(t, "Réforme économique à São Paulo: déjà approuvée. \u{fffd}");
        assert_eq!(how.as_deref(), Some("UTF-8, 1 invalid byte replaced by U+FFFD"));
        // A UTF-8 mark before bytes that are not UTF-8 (found by fuzzing): not clean UTF-8.
        assert_eq!(decode_text(b"\xef\xbb\xbf\xff"), ("\u{fffd}".to_string(), Some("UTF-8, 1 invalid byte replaced by U+FFFD".to_string())));
        assert_eq!(decode_text("\u{feff}plain".as_bytes()), ("plain".to_string(), None));
        // A UTF-8 mark decides over a NUL pattern (found by fuzzing).
        assert_eq!(decode_text(b"\xef\xbb\xbfB\0.\n"), ("B\0.\n".to_string(), None));
        // A few NULs in a text are not UTF-16.
        assert_eq!(decode_text(b"a\0b c d e f g"), ("a\0b c d e f g".to_string(), None));
    }

    #[test]
    fn dates_in_common_formats() {
        let day = 1_718_928_000; // 2024-06-21T00:00:00Z
        assert_eq!(parse_date("2024-06-21"), Some(day));
        assert_eq!(parse_date("2024-06-21T08:30:00Z"), Some(day + 30_600));
        assert_eq!(parse_date("2024-06-21T10:30:00+02:00"), Some(day + 30_600));
        assert_eq!(parse_date("2024-06-21 08:30:00"), Some(day + 30_600));
        assert_eq!(parse_date("Fri, 21 Jun 2024 08:30:00 +0000"), Some(day + 30_600));
        assert_eq!(parse_date("1987-02-26T15:01:01"), Some(541_350_061));
        assert_eq!(parse_date("1718928000"), Some(day));
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("5 months ago"), None);
    }

    #[test]
    fn jsonl_names() {
        assert!(is_jsonl("a.jsonl") && is_jsonl("a.JSONL.gz") && is_jsonl("b.ndjson.zst"));
        assert!(!is_jsonl("manifest.json") && !is_jsonl("notes.md"));
    }

    /// Reads lines one byte at a time from the reader's point of view: every buffer refill
    /// hands over at most `step` bytes, so lines span many refills.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl io::Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = out.len().min(self.step).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn capped_lines_keep_at_most_their_cap_and_count_every_byte() {
        let data = b"short\nthis line is long\r\n\r\nlast without break";
        for step in [1, 2, 3, 7, 64] {
            let mut stream = io::BufReader::with_capacity(step, Trickle { data, step });
            let mut lines = Vec::new();
            loop {
                let mut buf = Vec::new();
                let line = read_line_capped(&mut stream, &mut buf, 8).unwrap();
                if line.bytes == 0 {
                    break;
                }
                lines.push((buf, line.bytes, line.breaks, line.blank));
            }
            let want: Vec<(Vec<u8>, u64, u64, bool)> = vec![
                (b"short\n".to_vec(), 6, 1, false),
                (b"this lin".to_vec(), 19, 2, false),
                (b"\r\n".to_vec(), 2, 2, true),
                (b"last wit".to_vec(), 18, 0, false),
            ];
            assert_eq!(lines, want, "refills of {step} bytes");
        }
    }

    #[test]
    fn records_over_the_limit_are_skipped_with_their_size_and_the_rest_read() {
        let small = r#"{"id":"a","text":"a few words"}"#;
        let big = format!(r#"{{"id":"b","text":"{}"}}"#, "word ".repeat(100));
        // A blank line longer than the limit is still a blank line, not a document.
        let blank = " ".repeat(small.len() * 3);
        let data = format!("{small}\r\n{big}\r\n{blank}\n{small}");
        let limit = small.len() as u64;
        let (recs, summary) = read_jsonl_bytes(data.as_bytes(), "d.jsonl", &FieldMap::default(), limit);
        assert!(summary.issues.is_empty());
        let got: Vec<(String, u64, Result<String, SkipReason>)> =
            recs.into_iter().map(|r| (r.meta.id, r.meta.location.line, r.body)).collect();
        let too_large = SkipReason::TooLarge { bytes: big.len() as u64, limit };
        assert_eq!(
            got,
            vec![
                ("a".to_string(), 1, Ok("a few words".to_string())),
                ("d.jsonl:2".to_string(), 2, Err(too_large.clone())),
                ("a".to_string(), 4, Ok("a few words".to_string())),
            ]
        );
        assert_eq!(
            too_large.to_string(),
            format!("too_large: the record is {} bytes, over the limit of {limit} (--max-doc-bytes)", big.len())
        );
        // A record exactly at the limit is read, a byte-order mark and CRLF not counted.
        let at_limit = format!("\u{feff}{small}\r\n");
        let (recs, _) = read_jsonl_bytes(at_limit.as_bytes(), "d.jsonl", &FieldMap::default(), limit);
        assert_eq!(recs[0].body, Ok("a few words".to_string()));
        let (recs, _) = read_jsonl_bytes(at_limit.as_bytes(), "d.jsonl", &FieldMap::default(), limit - 1);
        assert_eq!(recs[0].body, Err(SkipReason::TooLarge { bytes: limit, limit: limit - 1 }));
        assert_eq!(recs[0].meta.bytes, limit + 5, "the mark and the line break count in the record's length");
        // A byte-order mark then a blank line longer than the limit (found by fuzzing): blank.
        let marked_blank = format!("\u{feff}{}\n{small}", " ".repeat(small.len() * 2));
        let (recs, _) = read_jsonl_bytes(marked_blank.as_bytes(), "d.jsonl", &FieldMap::default(), limit);
        assert_eq!(recs.len(), 1);
        assert_eq!((recs[0].meta.location.line, recs[0].meta.bytes), (2, limit));
        // Only one mark is taken: a second is content (found by fuzzing).
        let (recs, _) = read_jsonl_bytes("\u{feff}\u{feff}{}".as_bytes(), "d.jsonl", &FieldMap::default(), limit);
        assert_eq!(recs[0].body.as_ref().unwrap_err().code(), "malformed_json");
        // A gzip stream broken on its first read (found by fuzzing) is an issue, not an empty dump.
        let (recs, summary) = read_jsonl_bytes(b"\x1f\x8b", "d.jsonl.gz", &FieldMap::default(), limit);
        assert!(recs.is_empty());
        assert_eq!(summary.issues.len(), 1, "{:?}", summary.issues);
        assert_eq!(summary.issues[0].line, Some(1));
        assert!(summary.issues[0].message.starts_with("gzip stream is truncated or corrupt"), "{}", summary.issues[0]);
    }
}
