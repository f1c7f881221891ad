//! One cluster in the terminal, for reviewers who live in the shell (`reprint show`).
//!
//! Receives the output directory a scan wrote and a cluster id. [`load`] reads back
//! `run.json`, the cluster's line of `clusters.jsonl` and its members' lines of
//! `documents.jsonl` and `passages.jsonl` (streamed: a dump of millions of articles is never
//! held in memory). [`select`] chooses which members to compare with their sources,
//! [`fetch_texts`] reads those texts from the scan's inputs again (through [`crate::input::texts`]),
//! and [`render`] hands on one string: a header, a table of the members, and each chosen
//! member's text above its source's with the passages they share marked in both — in colour,
//! or with wdiff's `{+…+}` markers when colour is off. Whether colour is on is the caller's
//! decision; [`use_color`] states the rule (<https://no-color.org>). Like the rest of the
//! library, this module never prints and never reads the environment.
//!
//! The outputs of `reprint index add` and `index query` are read too. Their `clusters.jsonl`
//! lists only the clusters that gained a new article, by the index's lasting ids (not line
//! numbers), and their `documents.jsonl` only the new articles: a cluster's older members are
//! read back from the index named in `run.json` (opened once, shared), texts included. When
//! the index cannot be opened, those members are listed by id with the reason instead.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};
use serde::Deserialize;

use crate::config::{FieldMap, InputSpec};
use crate::error::{Error, Result};
use crate::jobs::index::Index;
use crate::input::{InputFile, Location};
use crate::output::terminal_safe;
use crate::output::report::{CLUSTERS_FILE, DOCUMENTS_FILE, PASSAGES_FILE, RUN_FILE};

/// Members compared with their sources when no `--member` is named: a copy and its source
/// fill a screen or two each, and three comparisons are enough to judge whether a cluster
/// holds together; the members table lists every member.
pub const DEFAULT_LIMIT: usize = 3;

/// Columns texts and tables are laid out in: the classic terminal width, readable in any
/// terminal and in a pager.
pub const DEFAULT_WIDTH: usize = 80;

/// Fewest characters of a title kept in the members table, however little room the other
/// columns leave: enough to tell a member of another story at a glance.
pub const TITLE_MIN: usize = 12;

/// Characters of a title kept in the members table when nothing is wrapped (`--width 0`).
pub const TITLE_CHARS: usize = 60;

/// Characters of a date in the members table: `YYYY-MM-DD HH:MM`, precise enough to see which
/// of two same-day copies came first without the seconds and zone that rarely decide it.
pub const DATE_CHARS: usize = 16;

/// The members table's lines: a rule under the header and nothing else, so that the columns
/// are two spaces apart and the figures keep their room at 80 columns (comfy-table's preset
/// order; a space is no line).
const TABLE_PRESET: &str = "     ─             ";

/// Outlets named in the header; more are counted.
pub const OUTLETS_NAMED: usize = 4;

/// Member ids listed in the message for a `--member` that is not in the cluster.
pub const MEMBERS_LISTED: usize = 10;

/// Cluster ids listed (those nearest the one asked) when an index run's output does not have
/// the cluster asked for: its ids are the index's lasting ones, not line numbers.
pub const CLUSTERS_LISTED: usize = 10;

/// Role shown for an older member of an index run's output: an article read back from the
/// index, with no line in `documents.jsonl` (its role and reuse are not recorded there).
pub const ROLE_INDEXED: &str = "indexed";

/// Opens a reused passage without colour: wdiff's insertion marker, easy to grep for.
pub const MARK_OPEN: &str = "{+";
/// Closes a reused passage without colour.
pub const MARK_CLOSE: &str = "+}";

/// SGR bold yellow: reused passages in colour. A foreground colour (not reverse video) keeps a
/// wholly copied text readable; bold keeps it visible on light backgrounds too.
const SGR_PASSAGE: &str = "\x1b[1;33m";
/// SGR bold: headings in colour.
const SGR_BOLD: &str = "\x1b[1m";
/// SGR reset.
const SGR_RESET: &str = "\x1b[0m";

/// `--color`: when to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    /// Only when standard output is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always, even into a pipe and whatever `NO_COLOR` says (an explicit request wins).
    Always,
    /// Never: passages are marked `{+…+}`.
    Never,
}

/// Whether to colour, by the <https://no-color.org> rule: `auto` colours only a terminal, and
/// not when `NO_COLOR` is present with a non-empty value; an explicit `always` or `never` wins
/// over the environment. The caller passes what it knows (the library reads no environment).
pub fn use_color(choice: ColorChoice, stdout_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_terminal && no_color.is_none_or(OsStr::is_empty),
    }
}

/// How to lay out the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colour (else `{+…+}` markers and no escapes at all).
    pub color: bool,
    /// Columns to wrap texts and the table at; 0 keeps the texts' lines as they are.
    pub width: usize,
}

/// A line of `documents.jsonl`, as read back (the fields `show` uses).
#[derive(Debug, Clone, Deserialize)]
pub struct DocumentLine {
    /// Document id.
    pub id: String,
    /// Outlet, if known.
    pub outlet: Option<String>,
    /// Date as given in the input.
    pub date: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Cluster id.
    pub cluster: Option<u32>,
    /// `origin`, `copy`, `partial` or `unique`.
    pub role: Option<String>,
    /// Share of body words inside passages shared with earlier members.
    pub reuse: Option<f64>,
    /// The member it took most from.
    pub source: Option<String>,
    /// Body words.
    pub words: Option<u32>,
    /// `PATH:LINE` of the input it came from.
    pub input: String,
    /// Its length in the input, in bytes.
    pub bytes: u64,
    /// Set for an older member of an index run's output, read back from the index (it has no
    /// line in `documents.jsonl`; `role`, `reuse`, `source` and `words` are then `None`, and
    /// `input` is the index's pseudo-input `index:DIR`).
    #[serde(skip)]
    pub indexed: Option<Indexed>,
}

/// Where an older member of an index run's output was found in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed {
    /// Its number in the index; `None` when the index cannot be opened or no longer holds it.
    pub position: Option<usize>,
    /// Where it was read when it was added (`FILE:LINE`), if the index was read.
    pub added_from: Option<String>,
}

/// An edge of `clusters.jsonl`, as read back.
#[derive(Debug, Clone, Deserialize)]
pub struct EdgeLine {
    /// Earlier document.
    pub a: String,
    /// Later document.
    pub b: String,
    /// `near_duplicate`, `contained`, `partial` or `passage`.
    pub kind: String,
    /// Jaccard similarity of the shingle sets.
    pub jaccard: f64,
    /// Share of `a`'s shingles in `b`.
    pub containment_ab: f64,
    /// Share of `b`'s shingles in `a`.
    pub containment_ba: f64,
}

/// A line of `clusters.jsonl`, as read back.
#[derive(Debug, Clone, Deserialize)]
pub struct ClusterLine {
    /// Cluster id.
    pub id: u32,
    /// Member ids in input order.
    pub members: Vec<String>,
    /// The origin's id.
    pub origin: String,
    /// Why it is the origin (`earliest date`, ...).
    pub origin_reason: String,
    /// The edge of lowest Jaccard.
    pub weakest_edge: EdgeLine,
    /// Every verified edge between members.
    pub edges: Vec<EdgeLine>,
}

/// A line of `passages.jsonl`, as read back. Offsets are in characters (Unicode scalar
/// values) of the original texts.
#[derive(Debug, Clone, Deserialize)]
pub struct PassageLine {
    /// Earlier document.
    pub a: String,
    /// Later document.
    pub b: String,
    /// Start in `a`.
    pub a_start: usize,
    /// End in `a` (exclusive).
    pub a_end: usize,
    /// Start in `b`.
    pub b_start: usize,
    /// End in `b` (exclusive).
    pub b_end: usize,
    /// Length in words.
    pub words: u32,
}

/// What `run.json` says about where the texts are.
#[derive(Debug, Clone)]
pub struct RunInputs {
    /// The inputs as named on the scan's command line (`-` for standard input).
    pub arguments: Vec<String>,
    /// The input files in reading order (document locations index this list).
    pub files: Vec<InputFile>,
    /// The field mapping the scan used.
    pub fields: FieldMap,
    /// For the output of `reprint index add` or `index query`: the index directory as that
    /// run was given it (relative to the directory it ran in). `files` then starts with the
    /// index's pseudo-input `index:DIR`, which no argument names.
    pub index: Option<String>,
    /// Whether the scan wrote passages (false after `scan --no-passages`: no `passages.jsonl`).
    pub passages: bool,
}

impl RunInputs {
    /// The files the `arguments` expand to, in reading order: `files` without the index's
    /// pseudo-input of an index run. New documents' locations are looked up here.
    pub fn argument_files(&self) -> &[InputFile] {
        let pseudo = self.index.is_some() && self.files.first().is_some_and(|f| f.format == "index");
        &self.files[usize::from(pseudo)..]
    }
}

/// The index an index run's output was made with, for its older members.
#[derive(Clone)]
pub struct IndexSource {
    /// The index directory as `run.json` names it (relative to the current directory, like
    /// the inputs).
    pub dir: String,
    /// The index, opened (with a shared lock) when a member had to be read from it, or why it
    /// could not be: `index DIR cannot be opened: ...`.
    pub opened: Option<std::result::Result<Arc<Index>, String>>,
}

impl std::fmt::Debug for IndexSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let opened = self.opened.as_ref().map(|o| o.as_ref().map(|i| i.len()).map_err(String::as_str));
        f.debug_struct("IndexSource").field("dir", &self.dir).field("opened (articles)", &opened).finish()
    }
}

impl IndexSource {
    /// The index, opened on first use.
    fn opened(&mut self) -> &std::result::Result<Arc<Index>, String> {
        let dir = &self.dir;
        self.opened.get_or_insert_with(|| {
            let path = Path::new(dir);
            Index::open(path, false).map(Arc::new).map_err(|e| {
                let reason = match e {
                    Error::Index { path: p, message } if p == path => message,
                    e => e.to_string(),
                };
                format!("index {} cannot be opened: {reason}", terminal_safe(dir))
            })
        })
    }

    /// The pseudo-input older articles are listed under in `run.json`.
    fn input(&self) -> String {
        format!("index:{}", self.dir)
    }

    /// An older member of cluster `cluster`, read back from the index: metadata when the
    /// index holds it, else its id alone.
    fn member(&mut self, id: &str, cluster: u32) -> DocumentLine {
        let input = self.input();
        let mut d = DocumentLine {
            id: id.to_string(),
            outlet: None,
            date: None,
            title: None,
            cluster: Some(cluster),
            role: None,
            reuse: None,
            source: None,
            words: None,
            input,
            bytes: 0,
            indexed: Some(Indexed { position: None, added_from: None }),
        };
        if let Ok(index) = self.opened() {
            if let Some(g) = index.find(id) {
                let s = index.doc(g);
                let safe = |x: &Option<String>| x.as_deref().map(|v| terminal_safe(v).into_owned());
                d.outlet = safe(&s.outlet);
                d.date = safe(&s.date);
                d.title = safe(&s.title);
                d.indexed = Some(Indexed { position: Some(g), added_from: Some(s.input.clone()) });
            }
        }
        d
    }

    /// Why the index cannot be used, if it was opened and failed.
    pub fn failure(&self) -> Option<&str> {
        match &self.opened {
            Some(Err(why)) => Some(why),
            _ => None,
        }
    }
}

/// One cluster read back from an output directory.
#[derive(Debug, Clone)]
pub struct ClusterView {
    /// The output directory as named.
    pub outdir: PathBuf,
    /// Where the scan read its texts.
    pub run: RunInputs,
    /// How many clusters the directory lists (for a scan, ids are `0..clusters`; an index
    /// run's output lists the clusters with a new article, by the index's lasting ids).
    pub clusters: usize,
    /// The cluster.
    pub cluster: ClusterLine,
    /// Its members' documents, in the cluster's member order (input order).
    pub members: Vec<DocumentLine>,
    /// Every passage shared by two members (an index run's output records only passages with
    /// a new article at one end at least).
    pub passages: Vec<PassageLine>,
    /// For an index run's output: the index its older members are read from.
    pub index: Option<IndexSource>,
}

/// A passage oriented to a pair: character ranges in the first and in the second text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    /// Characters in the first text.
    pub first: Range<usize>,
    /// Characters in the second text.
    pub second: Range<usize>,
    /// Length in words.
    pub words: u32,
}

impl ClusterView {
    /// The document of a member.
    pub fn doc(&self, id: &str) -> Option<&DocumentLine> {
        self.members.iter().find(|d| d.id == id)
    }

    /// The verified edge between two members, either way round.
    pub fn edge(&self, x: &str, y: &str) -> Option<&EdgeLine> {
        self.cluster.edges.iter().find(|e| (e.a == x && e.b == y) || (e.a == y && e.b == x))
    }

    /// The passages `x` and `y` share, as ranges in `x` (`first`) and in `y` (`second`),
    /// whichever way round `passages.jsonl` lists the pair, in order of `x`'s text.
    pub fn shared(&self, x: &str, y: &str) -> Vec<Shared> {
        let mut out: Vec<Shared> = self
            .passages
            .iter()
            .filter_map(|p| {
                if p.a == x && p.b == y {
                    Some(Shared { first: p.a_start..p.a_end, second: p.b_start..p.b_end, words: p.words })
                } else if p.a == y && p.b == x {
                    Some(Shared { first: p.b_start..p.b_end, second: p.a_start..p.a_end, words: p.words })
                } else {
                    None
                }
            })
            .collect();
        out.sort_by_key(|s| (s.first.start, s.first.end));
        out
    }

    /// Whom a member is compared with: its recorded source if that is a member, else the
    /// origin; `None` for the origin itself.
    pub fn source_of(&self, id: &str) -> Option<&str> {
        if id == self.cluster.origin {
            return None;
        }
        let recorded = self.doc(id).and_then(|d| d.source.as_deref()).filter(|s| *s != id && self.doc(s).is_some());
        Some(recorded.unwrap_or(&self.cluster.origin))
    }
}

/// Opens a file of the output directory, with an error that says what the directory should be.
fn open(outdir: &Path, name: &str) -> Result<BufReader<File>> {
    let path = outdir.join(name);
    File::open(&path).map(BufReader::new).map_err(|source| {
        let source = if source.kind() == std::io::ErrorKind::NotFound {
            not_found(&format!(
                "not found: {} is not the output directory of a finished `reprint scan`",
                outdir.display()
            ))
        } else {
            source
        };
        Error::Input { path, source }
    })
}

fn not_found(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, msg.to_string())
}

fn invalid(path: &Path, msg: String) -> Error {
    Error::Input { path: path.to_path_buf(), source: std::io::Error::new(std::io::ErrorKind::InvalidData, msg) }
}

/// Calls `each` with every line of a JSONL file of the output directory and its 1-based
/// number; stops early when `each` returns `false`.
fn each_line(outdir: &Path, name: &str, mut each: impl FnMut(&str, usize) -> Result<bool>) -> Result<()> {
    let path = outdir.join(name);
    let reader = open(outdir, name)?;
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|source| Error::Input { path: path.clone(), source })?;
        if !each(&line, i + 1)? {
            break;
        }
    }
    Ok(())
}

fn parse<'a, T: Deserialize<'a>>(outdir: &Path, name: &str, line: &'a str, number: usize) -> Result<T> {
    serde_json::from_str(line).map_err(|e| invalid(&outdir.join(name), format!("line {number}: {e}")))
}

#[derive(Deserialize)]
struct RunJson {
    arguments: Option<Vec<String>>,
    inputs: Vec<InputFile>,
    parameters: RunParameters,
    /// Only in the outputs of `index add` and `index query`.
    #[serde(default)]
    index: Option<RunIndex>,
}

#[derive(Deserialize)]
struct RunIndex {
    /// The index directory as given on that run's command line.
    index: String,
}

#[derive(Deserialize)]
struct RunParameters {
    #[serde(default)]
    fields: FieldMap,
    /// Absent before `--no-passages` existed: passages were always written.
    #[serde(default = "written")]
    passages: bool,
}

fn written() -> bool {
    true
}

/// Reads `run.json`'s inputs and field mapping.
pub fn read_run(outdir: &Path) -> Result<RunInputs> {
    if !outdir.is_dir() {
        return Err(Error::Input {
            path: outdir.to_path_buf(),
            source: not_found("no such directory; name the OUTDIR a `reprint scan -o OUTDIR` wrote"),
        });
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut open(outdir, RUN_FILE)?, &mut text)
        .map_err(|source| Error::Input { path: outdir.join(RUN_FILE), source })?;
    let run: RunJson = serde_json::from_str(&text).map_err(|e| invalid(&outdir.join(RUN_FILE), e.to_string()))?;
    let arguments = run.arguments.ok_or_else(|| {
        invalid(&outdir.join(RUN_FILE), "no `arguments`: written by an older reprint; scan again to show texts".into())
    })?;
    Ok(RunInputs {
        arguments,
        files: run.inputs,
        fields: run.parameters.fields,
        index: run.index.map(|i| i.index),
        passages: run.parameters.passages,
    })
}

/// Cluster `id` of a scan's `clusters.jsonl`, where ids are line numbers from 0 (only the
/// wanted line is parsed), and how many clusters it lists.
fn cluster_by_line(outdir: &Path, id: u32) -> Result<(ClusterLine, usize)> {
    let mut clusters = 0usize;
    let mut cluster: Option<ClusterLine> = None;
    each_line(outdir, CLUSTERS_FILE, |line, n| {
        if n - 1 == id as usize {
            let c: ClusterLine = parse(outdir, CLUSTERS_FILE, line, n)?;
            if c.id != id {
                return Err(invalid(
                    &outdir.join(CLUSTERS_FILE),
                    format!("line {n}: cluster {} where {id} belongs", c.id),
                ));
            }
            cluster = Some(c);
        }
        clusters += 1;
        Ok(true)
    })?;
    let Some(cluster) = cluster else {
        let msg = match clusters {
            0 => format!("{} has no clusters: the scan found no near-duplicates", outdir.display()),
            n => format!("no cluster {id} in {}: its clusters are numbered 0 to {}", outdir.display(), n - 1),
        };
        return Err(Error::Config(msg));
    };
    Ok((cluster, clusters))
}

/// The id of a line of `clusters.jsonl`: read from the line's start as `report` writes it
/// (`{"id":N,`), else by parsing the line.
fn cluster_id(outdir: &Path, line: &str, n: usize) -> Result<u32> {
    if let Some(rest) = line.strip_prefix("{\"id\":") {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest.as_bytes().get(digits) == Some(&b',') {
            if let Ok(id) = rest[..digits].parse() {
                return Ok(id);
            }
        }
    }
    #[derive(Deserialize)]
    struct IdOnly {
        id: u32,
    }
    parse::<IdOnly>(outdir, CLUSTERS_FILE, line, n).map(|c| c.id)
}

/// Cluster `id` of an index run's `clusters.jsonl`, which lists only the clusters with a new
/// article, by the index's lasting ids: found by its `id`. Returns it and how many clusters
/// the file lists.
fn cluster_by_id(outdir: &Path, id: u32) -> Result<(ClusterLine, usize)> {
    let mut clusters = 0usize;
    let mut cluster: Option<ClusterLine> = None;
    // The ids seen, for the message when `id` is not among them.
    let mut ids: Vec<u32> = Vec::new();
    each_line(outdir, CLUSTERS_FILE, |line, n| {
        clusters += 1;
        if cluster.is_none() {
            let this = cluster_id(outdir, line, n)?;
            if this == id {
                let c: ClusterLine = parse(outdir, CLUSTERS_FILE, line, n)?;
                cluster = Some(c);
            } else {
                ids.push(this);
            }
        }
        Ok(true)
    })?;
    let Some(cluster) = cluster else {
        if clusters == 0 {
            return Err(Error::Config(format!(
                "{} has no clusters: no new article of that index run has a near-duplicate",
                outdir.display()
            )));
        }
        ids.sort_unstable();
        ids.dedup();
        // The ids nearest the one asked, in order.
        let at = ids.partition_point(|&x| x < id);
        let end = (at + CLUSTERS_LISTED / 2).max(CLUSTERS_LISTED).min(ids.len());
        let start = end.saturating_sub(CLUSTERS_LISTED);
        let listed = ids[start..end].iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        let which = if ids.len() <= CLUSTERS_LISTED {
            format!("its {} are {listed}", ids.len())
        } else {
            format!(
                "its {} have ids from {} to {}; those nearest {id} are {listed}",
                ids.len(),
                ids[0],
                ids[ids.len() - 1]
            )
        };
        return Err(Error::Config(format!(
            "no cluster {id} in {}: the output of an index run lists only the clusters that gained a \
             new article, by the index's lasting ids; {which}",
            outdir.display()
        )));
    };
    Ok((cluster, clusters))
}

/// Reads cluster `id` of the output directory `outdir` with its members and passages.
///
/// An id the directory does not have is [`Error::Config`], naming the ids it has; a missing or
/// malformed file is [`Error::Input`], naming the file. In the output of an index run, members
/// without a line in `documents.jsonl` are older articles, read back from the index (see
/// [`IndexSource`]); an index that cannot be opened is no error, the members are then listed
/// by id.
pub fn load(outdir: &Path, id: u32) -> Result<ClusterView> {
    let run = read_run(outdir)?;
    let (cluster, clusters) = if run.index.is_some() { cluster_by_id(outdir, id)? } else { cluster_by_line(outdir, id)? };

    let wanted: BTreeSet<&str> = cluster.members.iter().map(String::as_str).collect();
    let mut found: BTreeMap<String, DocumentLine> = BTreeMap::new();
    // documents.jsonl is written compactly by `report`, so a member's line contains this
    // exact text; other lines are not parsed at all (a false match is parsed and dropped).
    let tag = format!("\"cluster\":{id},");
    each_line(outdir, DOCUMENTS_FILE, |line, n| {
        if line.contains(&tag) {
            let mut d: DocumentLine = parse(outdir, DOCUMENTS_FILE, line, n)?;
            for field in [&mut d.outlet, &mut d.title, &mut d.date].into_iter().flatten() {
                *field = terminal_safe(field).into_owned();
            }
            if d.cluster == Some(id) && wanted.contains(d.id.as_str()) {
                found.insert(d.id.clone(), d);
            }
        }
        Ok(found.len() < wanted.len())
    })?;
    let mut index = run.index.as_ref().map(|dir| IndexSource { dir: dir.clone(), opened: None });
    let mut members = Vec::with_capacity(cluster.members.len());
    for m in &cluster.members {
        let d = match (found.remove(m), &mut index) {
            (Some(d), _) => d,
            // An older article: documents.jsonl of an index run lists only the new ones.
            (None, Some(index)) => index.member(m, id),
            (None, None) => {
                return Err(invalid(
                    &outdir.join(DOCUMENTS_FILE),
                    format!("no line for {m}, a member of cluster {id} in {CLUSTERS_FILE}"),
                ))
            }
        };
        members.push(d);
    }

    let mut passages = Vec::new();
    if run.passages {
        each_line(outdir, PASSAGES_FILE, |line, n| {
            let p: PassageLine = parse(outdir, PASSAGES_FILE, line, n)?;
            if wanted.contains(p.a.as_str()) && wanted.contains(p.b.as_str()) {
                passages.push(p);
            }
            Ok(true)
        })?;
    }
    Ok(ClusterView { outdir: outdir.to_path_buf(), run, clusters, cluster, members, passages, index })
}

/// One member to show with what it is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The member.
    pub member: String,
    /// Its source (or the origin); `None` when the member is the origin, shown alone with
    /// every passage it shares with another member marked.
    pub against: Option<String>,
}

/// The members [`render`] compares with their sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// In member order.
    pub comparisons: Vec<Comparison>,
    /// Members left out by the limit.
    pub hidden: usize,
}

impl Selection {
    /// Every document whose text is shown, each once, in order of appearance.
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for c in &self.comparisons {
            for id in std::iter::once(c.member.as_str()).chain(c.against.as_deref()) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    }
}

/// Chooses the comparisons: `member` alone if named (an id that is not a member is
/// [`Error::Config`], listing the members), else the first `limit` members other than the
/// origin in member order (`limit` 0: all) — in an index run's output, its new articles
/// before the older ones read back from the index (the run is about the new ones, and
/// passages between two older articles are not recorded).
pub fn select(view: &ClusterView, member: Option<&str>, limit: usize) -> Result<Selection> {
    let compare = |id: &str| Comparison { member: id.to_string(), against: view.source_of(id).map(str::to_string) };
    if let Some(id) = member {
        if view.doc(id).is_none() {
            let members = &view.cluster.members;
            let mut listed = members.iter().take(MEMBERS_LISTED).cloned().collect::<Vec<_>>().join(", ");
            if members.len() > MEMBERS_LISTED {
                let _ = write!(listed, " and {} more", members.len() - MEMBERS_LISTED);
            }
            return Err(Error::Config(format!(
                "--member {id} is not in cluster {}; its members are {listed}",
                view.cluster.id
            )));
        }
        return Ok(Selection { comparisons: vec![compare(id)], hidden: 0 });
    }
    let mut others: Vec<&DocumentLine> = view.members.iter().filter(|d| d.id != view.cluster.origin).collect();
    others.sort_by_key(|d| d.indexed.is_some());
    let shown = if limit == 0 { others.len() } else { limit.min(others.len()) };
    Ok(Selection {
        comparisons: others[..shown].iter().map(|d| compare(&d.id)).collect(),
        hidden: others.len() - shown,
    })
}

/// A shown document's text, or the sentence to print instead.
pub type Texts = BTreeMap<String, std::result::Result<String, String>>;

/// Reads the texts of `ids` (members of the view) from the scan's inputs again, and those of
/// an index run's older members from the index.
///
/// Inputs are named as on the scan's command line, so relative paths resolve against the
/// current directory: an input that cannot be opened is [`Error::Input`] naming it. A text
/// from standard input, or from a file changed since the scan, comes back as the sentence
/// that says so ([`crate::input::texts::Missing::explain`]); so does an older member's when the
/// index cannot be opened or no longer holds it.
pub fn fetch_texts(view: &ClusterView, ids: &[&str]) -> Result<Texts> {
    let inputs: Vec<InputSpec> = view
        .run
        .arguments
        .iter()
        .map(|a| if a == "-" { InputSpec::Stdin } else { InputSpec::Path(PathBuf::from(a)) })
        .collect();
    // Locations index the files the arguments expand to (an index run's output lists the
    // index's pseudo-input first, which the arguments do not read).
    let files = view.run.argument_files();
    let mut out = Texts::new();
    let mut asked: Vec<&str> = Vec::new();
    let mut wanted: Vec<(Location, u64)> = Vec::new();
    for &id in ids {
        let Some(doc) = view.doc(id) else {
            out.insert(id.to_string(), Err(format!("text not available: {id} is not a member of this cluster")));
            continue;
        };
        if let Some(indexed) = &doc.indexed {
            out.insert(id.to_string(), indexed_text(view, id, indexed));
            continue;
        }
        match locate(files, &doc.input) {
            Some(loc) => {
                asked.push(id);
                wanted.push((loc, doc.bytes));
            }
            None => {
                let msg = format!("text not available: {} is not among the input files in {RUN_FILE}", doc.input);
                out.insert(id.to_string(), Err(msg));
            }
        }
    }
    let fetched = crate::input::texts::fetch(&inputs, &view.run.fields, std::slice::from_ref(&view.outdir), None, files, &wanted)?;
    for (id, text) in asked.into_iter().zip(fetched) {
        out.insert(id.to_string(), text.map(|t| terminal_safe(&t).into_owned()).map_err(|m| m.explain().to_string()));
    }
    Ok(out)
}

/// An older member's text, from the index, or the sentence to print instead.
fn indexed_text(view: &ClusterView, id: &str, indexed: &Indexed) -> std::result::Result<String, String> {
    let Some(source) = &view.index else {
        return Err("text not available: the output names no index".to_string());
    };
    let dir = terminal_safe(&source.dir);
    match (&source.opened, indexed.position) {
        (Some(Ok(index)), Some(g)) => index
            .text(g)
            .map(|t| terminal_safe(&t).into_owned())
            .map_err(|e| format!("text not available: cannot read it from index {dir}: {e}")),
        (Some(Ok(_)), None) => Err(format!(
            "text not available: index {dir} no longer holds {} (expired, or replaced since the run?)",
            clean_str(id)
        )),
        (Some(Err(why)), _) => Err(format!("text not available: {why}")),
        (None, _) => Err(format!("text not available: index {dir} was not opened")),
    }
}

/// Every text of `ids` replaced by `reason` (when the inputs cannot be read at all).
pub fn unavailable(ids: &[&str], reason: &str) -> Texts {
    ids.iter().map(|id| (id.to_string(), Err(format!("text not available: {reason}")))).collect()
}

/// The [`Location`] of a document's `PATH:LINE`: the first input file with that path (the
/// path may itself contain `:`, the line number cannot).
pub fn locate(files: &[InputFile], input: &str) -> Option<Location> {
    let (path, line) = input.rsplit_once(':')?;
    let line: u64 = line.parse().ok()?;
    let file = files.iter().position(|f| f.path == path)?;
    Some(Location { file: u32::try_from(file).ok()?, line })
}

/// The whole view: header, members table, the comparisons, and how to see the rest.
pub fn render(view: &ClusterView, selection: &Selection, texts: &Texts, style: Style) -> String {
    let mut out = header(view, style);
    out.push('\n');
    out.push_str(&members_table(view, style));
    for c in &selection.comparisons {
        out.push('\n');
        out.push_str(&comparison(view, c, texts, style));
    }
    if selection.hidden > 0 {
        let more = format!(
            "{} more member{} not shown: `reprint show {} {} --limit 0` shows all, `--member ID` one.",
            selection.hidden,
            if selection.hidden == 1 { "" } else { "s" },
            view.outdir.display(),
            view.cluster.id,
        );
        out.push('\n');
        out.push_str(&para(&more, style));
    }
    out
}

fn bold(s: &str, style: Style) -> String {
    if style.color {
        format!("{SGR_BOLD}{s}{SGR_RESET}")
    } else {
        s.to_string()
    }
}

/// Control characters from scraped text must not reach the terminal as commands: each is
/// shown as U+FFFD (one character for one, so offsets still hold).
fn clean(c: char) -> char {
    if c.is_control() && !matches!(c, '\n' | '\t') {
        if c.is_whitespace() {
            ' '
        } else {
            '\u{FFFD}'
        }
    } else {
        c
    }
}

fn clean_str(s: &str) -> String {
    s.chars().map(clean).collect()
}

fn truncate(s: &str, max: usize) -> String {
    let s = clean_str(s.trim());
    if s.chars().count() <= max {
        s
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

/// Cluster id and size, outlets, origin and why, and the weakest edge.
pub fn header(view: &ClusterView, style: Style) -> String {
    let c = &view.cluster;
    let mut outlets: BTreeMap<String, usize> = BTreeMap::new();
    for d in &view.members {
        let unknown = if d.indexed.as_ref().is_some_and(|i| i.position.is_none()) { "(unknown)" } else { "(no outlet)" };
        *outlets.entry(d.outlet.as_deref().map(clean_str).unwrap_or_else(|| unknown.into())).or_default() += 1;
    }
    let mut by_count: Vec<(String, usize)> = outlets.into_iter().collect();
    by_count.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    let mut named: Vec<String> = by_count
        .iter()
        .take(OUTLETS_NAMED)
        .map(|(o, n)| if *n > 1 { format!("{o} ({n})") } else { o.clone() })
        .collect();
    if by_count.len() > OUTLETS_NAMED {
        named.push(format!("{} more", by_count.len() - OUTLETS_NAMED));
    }
    let w = &c.weakest_edge;
    let title = match &view.index {
        // Lasting ids, not line numbers: no range to state.
        Some(index) => format!(
            "cluster {} in {}, one of {} cluster{} with a new article (index {})",
            c.id,
            view.outdir.display(),
            view.clusters,
            if view.clusters == 1 { "" } else { "s" },
            clean_str(&index.dir)
        ),
        None => format!(
            "cluster {} of {} (ids 0-{}) in {}",
            c.id,
            view.clusters,
            view.clusters.saturating_sub(1),
            view.outdir.display()
        ),
    };
    let mut out = bold(&title, style);
    out.push('\n');
    let _ = writeln!(
        out,
        "{} documents from {} outlet{}: {}",
        c.members.len(),
        by_count.len(),
        if by_count.len() == 1 { "" } else { "s" },
        named.join(", ")
    );
    if let Some(index) = &view.index {
        let older = view.members.iter().filter(|d| d.indexed.is_some()).count();
        if older > 0 {
            let _ = writeln!(
                out,
                "{older} older article{} from index {} ({ROLE_INDEXED}: not in {DOCUMENTS_FILE}, role and reuse not recorded)",
                if older == 1 { "" } else { "s" },
                clean_str(&index.dir)
            );
        }
        if let Some(why) = index.failure() {
            let _ = writeln!(out, "note: {}; older articles are listed by id only", clean_str(why));
        } else {
            let lost = view.members.iter().filter(|d| d.indexed.as_ref().is_some_and(|i| i.position.is_none())).count();
            if lost > 0 {
                let _ = writeln!(
                    out,
                    "note: index {} no longer holds {lost} of them; they are listed by id only",
                    clean_str(&index.dir)
                );
            }
        }
    }
    let _ = writeln!(out, "origin: {} ({})", clean_str(&c.origin), c.origin_reason);
    let _ =
        writeln!(out, "weakest edge: {} ~ {}, {}, Jaccard {:.3}", clean_str(&w.a), clean_str(&w.b), w.kind, w.jaccard);
    if !view.run.passages {
        let _ = writeln!(out, "no shared passages: the scan ran with --no-passages");
    } else if style.color {
        let _ = writeln!(out, "shared passages are highlighted {SGR_PASSAGE}like this{SGR_RESET}");
    } else {
        let _ = writeln!(out, "shared passages are marked {MARK_OPEN}like this{MARK_CLOSE}");
    }
    out
}

/// One row per member, in member order: id, outlet, date, role with reuse, the Jaccard of its
/// verified edge with the origin ("—" when there is none), and the title cut to the room left
/// in `style.width` (at least [`TITLE_MIN`] characters). No vertical lines, so the figures
/// keep their room at 80 columns; no cell is ever wrapped (ids are copied from here).
pub fn members_table(view: &ClusterView, style: Style) -> String {
    let origin = view.cluster.origin.as_str();
    let mut days: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &view.members {
        *days.entry(day(d.date.as_deref().unwrap_or_default())).or_default() += 1;
    }
    // Times only when they tell members of one day apart.
    let with_time = days.values().any(|&n| n > 1);
    let rows: Vec<[String; 5]> = view
        .members
        .iter()
        .map(|d| {
            let role = role_of(d).unwrap_or_default().to_string();
            let role = match d.reuse {
                Some(r) if d.id != origin => format!("{role} {}", percent(r)),
                _ => role,
            };
            let similarity = match view.edge(&d.id, origin) {
                Some(e) if d.id != origin => format!("{:.3}", e.jaccard),
                _ => "—".to_string(),
            };
            let date = d.date.as_deref().map(|x| short_date(x, with_time)).unwrap_or_default();
            [clean_str(&d.id), d.outlet.as_deref().map(clean_str).unwrap_or_default(), date, role, similarity]
        })
        .collect();
    let header = ["id", "outlet", "date", "role, reuse", "Jaccard\nto origin", "title"];
    // Columns are two spaces apart (padding), the first and last flush with the margins.
    let used: usize = (0..5)
        .map(|c| {
            let cells = rows.iter().map(|r| r[c].chars().count());
            let head = header[c].split('\n').map(|h| h.chars().count());
            cells.chain(head).max().unwrap_or(0) + 2
        })
        .sum();
    let title_room = if style.width == 0 { TITLE_CHARS } else { style.width.saturating_sub(used).max(TITLE_MIN) };

    let mut t = Table::new();
    t.load_preset(TABLE_PRESET);
    t.force_no_tty();
    t.set_content_arrangement(ContentArrangement::Disabled);
    t.set_header(header.to_vec());
    for (d, row) in view.members.iter().zip(rows) {
        let [id, outlet, date, role, similarity] = row;
        let title = d.title.as_deref().map(|x| truncate(x, title_room)).unwrap_or_default();
        t.add_row(vec![
            Cell::new(id),
            Cell::new(outlet),
            Cell::new(date),
            Cell::new(role),
            Cell::new(similarity).set_alignment(CellAlignment::Right),
            Cell::new(title),
        ]);
    }
    if let Some(first) = t.column_mut(0) {
        first.set_padding((0, 1));
    }
    if let Some(last) = t.column_mut(5) {
        last.set_padding((1, 0));
    }
    let mut out = String::new();
    for line in t.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The `YYYY-MM-DD` of a date (or the whole date, cut, if it is not ISO 8601).
fn day(date: &str) -> &str {
    if is_iso_day(date) {
        &date[..10]
    } else {
        date
    }
}

fn is_iso_day(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit())
}

/// `YYYY-MM-DD`, with ` HH:MM` when `with_time` and the date has one; other formats cut to
/// [`DATE_CHARS`].
fn short_date(date: &str, with_time: bool) -> String {
    let b = date.as_bytes();
    if !is_iso_day(date) {
        return truncate(date, DATE_CHARS);
    }
    if with_time && b.len() >= 16 && matches!(b[10], b'T' | b' ') && b[13] == b':' {
        format!("{} {}", &date[..10], &date[11..16])
    } else {
        date[..10].to_string()
    }
}

/// A heading line: `── text ───…` filled to the width.
fn rule(text: &str, heavy: bool, style: Style) -> String {
    let (lead, fill) = if heavy { ("━━ ", '━') } else { ("── ", '─') };
    let mut line = format!("{lead}{text} ");
    let used = line.chars().count();
    let width = if style.width > 0 { style.width } else { DEFAULT_WIDTH };
    line.extend(std::iter::repeat_n(fill, width.saturating_sub(used).max(3)));
    bold(&line, style)
}

/// A member's role as shown: its recorded role, or [`ROLE_INDEXED`] for an older member of an
/// index run's output.
fn role_of(d: &DocumentLine) -> Option<&str> {
    match (&d.role, &d.indexed) {
        (Some(r), _) => Some(r),
        (None, Some(_)) => Some(ROLE_INDEXED),
        (None, None) => None,
    }
}

fn describe(d: &DocumentLine) -> String {
    let mut parts = vec![clean_str(&d.id)];
    if let Some(o) = &d.outlet {
        parts.push(clean_str(o));
    }
    if let Some(x) = &d.date {
        parts.push(clean_str(x));
    }
    parts.join(" · ")
}

/// Prose wrapped at the width.
fn para(text: &str, style: Style) -> String {
    highlight(text, &[], Style { color: false, width: style.width })
}

/// A member's text above its source's, the passages of their edge marked in both; the
/// origin alone (no `against`) with every passage another member shares with it marked.
pub fn comparison(view: &ClusterView, c: &Comparison, texts: &Texts, style: Style) -> String {
    let Some(doc) = view.doc(&c.member) else { return String::new() };
    let id = clean_str(&doc.id);
    let role = role_of(doc).unwrap_or("member");
    let mut out = String::new();
    let _ = writeln!(out, "{}", rule(&describe(doc), true, style));
    if let Some(t) = &doc.title {
        out.push_str(&para(&format!("title: {}", clean_str(t.trim())), style));
    }
    let text_of = |id: &str| texts.get(id).cloned().unwrap_or_else(|| Err("text not available".into()));
    let Some(against) = c.against.as_deref() else {
        let mut ranges: Vec<Range<usize>> = Vec::new();
        let mut sharing = 0;
        for m in view.members.iter().filter(|m| m.id != doc.id) {
            let shared = view.shared(&doc.id, &m.id);
            sharing += usize::from(!shared.is_empty());
            ranges.extend(shared.into_iter().map(|s| s.first));
        }
        let others = view.members.len() - 1;
        let mut what = format!(
            "the origin ({}); marked: what {sharing} of the {others} other member{} share with it",
            view.cluster.origin_reason,
            if others == 1 { "" } else { "s" }
        );
        if doc.indexed.is_some() && view.members.iter().any(|m| m.id != doc.id && m.indexed.is_some()) {
            what.push_str(" (passages between two older articles are not recorded in an index run's output)");
        }
        out.push_str(&para(&what, style));
        let _ = writeln!(out, "{}", rule(&format!("{id} ({role})"), false, style));
        out.push_str(&text_block(&text_of(&doc.id), &ranges, style));
        return out;
    };
    let source = clean_str(against);
    let reuse = match &doc.indexed {
        Some(i) => {
            let dir = view.index.as_ref().map(|x| clean_str(&x.dir)).unwrap_or_default();
            let added = i.added_from.as_deref().map(|a| format!(", added from {}", clean_str(a))).unwrap_or_default();
            format!(": an older article, read back from index {dir}{added}")
        }
        None => doc.reuse.map(|r| format!(": {} of its words reused", percent(r))).unwrap_or_default(),
    };
    let relation = match (doc.source.as_deref() == Some(against), against == view.cluster.origin) {
        (true, true) => format!(", from the origin {source}"),
        (true, false) => format!(", from {source}"),
        (false, _) => format!("; compared with the origin {source}"),
    };
    out.push_str(&para(&format!("{role}{reuse}{relation}"), style));
    let edge = match view.edge(&doc.id, against) {
        Some(e) => {
            let (inside, back) =
                if e.a == doc.id { (e.containment_ab, e.containment_ba) } else { (e.containment_ba, e.containment_ab) };
            format!(
                "edge: {}, Jaccard {:.3}; {} of its shingles are in {source}, {} of {source}'s in it",
                e.kind,
                e.jaccard,
                percent(inside),
                percent(back)
            )
        }
        None => format!("no verified edge between {id} and {source}"),
    };
    out.push_str(&para(&edge, style));
    let shared = view.shared(&doc.id, against);
    let words: u32 = shared.iter().map(|s| s.words).sum();
    let both_older = doc.indexed.is_some() && view.doc(against).is_some_and(|d| d.indexed.is_some());
    let passages = match shared.len() {
        0 if both_older => {
            "passages between two older articles are not recorded in an index run's output: nothing is marked"
                .to_string()
        }
        0 => "no shared passages recorded between them: nothing is marked".to_string(),
        n => format!("{n} shared passage{} ({words} words), marked in both texts", if n == 1 { "" } else { "s" }),
    };
    out.push_str(&para(&passages, style));
    let _ = writeln!(out, "{}", rule(&format!("{id} ({role})"), false, style));
    out.push_str(&text_block(&text_of(&doc.id), &shared.iter().map(|s| s.first.clone()).collect::<Vec<_>>(), style));
    let _ = writeln!(out, "{}", rule(&format!("{source} (source)"), false, style));
    out.push_str(&text_block(&text_of(against), &shared.iter().map(|s| s.second.clone()).collect::<Vec<_>>(), style));
    out
}

fn text_block(text: &std::result::Result<String, String>, ranges: &[Range<usize>], style: Style) -> String {
    match text {
        Ok(t) => highlight(t, ranges, style),
        Err(why) => para(&format!("[{why}]"), style),
    }
}

/// A piece of a laid-out line: a word with its markers, or the whitespace between words.
enum Piece {
    Space(String),
    /// Rendered text, visible width, and whether a marked passage is open where it starts.
    Word(String, usize, bool),
}

/// `text` with the characters in `ranges` (character offsets, Unicode scalar values, end
/// exclusive; overlapping or out-of-range ones allowed) marked — in bold yellow with colour,
/// else inside `{+…+}` — and its lines wrapped at `style.width` (0: as they are), ending
/// with a newline.
///
/// Marks open and close only on non-whitespace characters, so that a passage's marker sits
/// on its first and last word and whitespace between two marked words stays inside one
/// passage; with colour, a passage that goes on past a line end is closed and reopened so
/// that every line stands alone (in a pager, after `grep`). Widths count characters.
pub fn highlight(text: &str, ranges: &[Range<usize>], style: Style) -> String {
    let chars: Vec<char> = text.chars().map(clean).collect();
    let n = chars.len();
    let mut marked = vec![false; n];
    for r in ranges {
        for m in &mut marked[r.start.min(n)..r.end.min(n)] {
            *m = true;
        }
    }
    // Whether the next non-whitespace character after each position is marked.
    let mut next_marked = vec![false; n];
    let mut following = false;
    for i in (0..n).rev() {
        next_marked[i] = following;
        if !chars[i].is_whitespace() {
            following = marked[i];
        }
    }
    let (open_mark, close_mark, mark_width) =
        if style.color { (SGR_PASSAGE, SGR_RESET, 0) } else { (MARK_OPEN, MARK_CLOSE, MARK_OPEN.chars().count()) };

    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut open = false;
    let mut start = 0;
    loop {
        let end = (start..n).find(|&i| chars[i] == '\n').unwrap_or(n);
        // Pieces of this line.
        let mut pieces: Vec<Piece> = Vec::new();
        let mut i = start;
        while i < end {
            if chars[i].is_whitespace() {
                let j = (i..end).find(|&j| !chars[j].is_whitespace()).unwrap_or(end);
                pieces.push(Piece::Space(chars[i..j].iter().collect()));
                i = j;
            } else {
                let open_before = open;
                let mut word = String::new();
                let mut width = 0;
                while i < end && !chars[i].is_whitespace() {
                    if marked[i] && !open {
                        word.push_str(open_mark);
                        width += mark_width;
                        open = true;
                    }
                    word.push(chars[i]);
                    width += 1;
                    if open && !next_marked[i] {
                        word.push_str(close_mark);
                        width += mark_width;
                        open = false;
                    }
                    i += 1;
                }
                pieces.push(Piece::Word(word, width, open_before));
            }
        }
        lay_out(&pieces, style, &mut out);
        if style.color && open {
            // Close at the line end and reopen on the next line.
            out.push_str(SGR_RESET);
            out.push('\n');
            if end < n {
                out.push_str(SGR_PASSAGE);
            }
        } else {
            out.push('\n');
        }
        // A final newline ends the last line rather than starting an empty one.
        if end + 1 >= n {
            break;
        }
        start = end + 1;
    }
    out
}

/// Lays out one line's pieces, breaking at whitespace before a word that would pass the width.
fn lay_out(pieces: &[Piece], style: Style, out: &mut String) {
    let mut col = 0usize;
    let mut words = 0usize;
    let mut space: Option<&str> = None;
    for p in pieces {
        match p {
            Piece::Space(s) => {
                if words == 0 {
                    // Indentation is kept.
                    out.push_str(s);
                    col += s.chars().count();
                } else {
                    space = Some(s);
                }
            }
            Piece::Word(w, width, open_before) => {
                let gap = space.map_or(0, |s| s.chars().count());
                if style.width > 0 && words > 0 && col + gap + width > style.width {
                    if style.color && *open_before {
                        out.push_str(SGR_RESET);
                        out.push('\n');
                        out.push_str(SGR_PASSAGE);
                    } else {
                        out.push('\n');
                    }
                    col = 0;
                } else if let Some(s) = space {
                    out.push_str(s);
                    col += gap;
                }
                space = None;
                out.push_str(w);
                col += width;
                words += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::texts::Missing;

    const PLAIN: Style = Style { color: false, width: 0 };

    /// One range (a one-element array of ranges reads like a mistake to clippy).
    fn one(r: Range<usize>) -> Vec<Range<usize>> {
        vec![r]
    }

    fn chars_of(s: &str, sub: &str) -> Range<usize> {
        let byte = s.find(sub).expect("substring present");
        let start = s[..byte].chars().count();
        start..start + sub.chars().count()
    }

    #[test]
    fn marks_character_offsets_in_non_ascii_text() {
        let text = "Zürich — “quoted” words here";
        assert_eq!(highlight(text, &[chars_of(text, "Zürich")], PLAIN), "{+Zürich+} — “quoted” words here\n");
        assert_eq!(highlight(text, &[chars_of(text, "“quoted”")], PLAIN), "Zürich — {+“quoted”+} words here\n");
        // A passage over several words is one marked span, the whitespace inside it.
        assert_eq!(highlight(text, &[chars_of(text, "— “quoted” words")], PLAIN), "Zürich {+— “quoted” words+} here\n");
        // Inside a word (a passage boundary that is not a word boundary).
        assert_eq!(highlight(text, &[chars_of(text, "quoted")], PLAIN), "Zürich — “{+quoted+}” words here\n");
    }

    #[test]
    fn overlapping_adjacent_and_out_of_range_ranges() {
        let text = "ein Bär im Café";
        // Overlapping and adjacent ranges make one span; ranges past the end are clipped.
        let r = [chars_of(text, "ein Bär"), chars_of(text, "Bär im"), 11..40];
        assert_eq!(highlight(text, &r, PLAIN), "{+ein Bär im Café+}\n");
        // Ranges that only cover whitespace mark nothing.
        assert_eq!(highlight(text, &one(3..4), PLAIN), "ein Bär im Café\n");
        assert_eq!(highlight("", &one(0..3), PLAIN), "\n");
    }

    #[test]
    fn separate_passages_are_separate_spans() {
        let text = "one two three four five";
        let r = [chars_of(text, "one two"), chars_of(text, "four")];
        assert_eq!(highlight(text, &r, PLAIN), "{+one two+} three {+four+} five\n");
    }

    #[test]
    fn colour_uses_sgr_and_no_markers() {
        let text = "Zürich — “quoted”";
        let out = highlight(text, &[chars_of(text, "“quoted”")], Style { color: true, width: 0 });
        assert_eq!(out, format!("Zürich — {SGR_PASSAGE}“quoted”{SGR_RESET}\n"));
    }

    #[test]
    fn wraps_at_width_counting_markers_and_keeps_lines() {
        let text = "aaa bbb ccc ddd\n  eee fff";
        let out = highlight(text, &[chars_of(text, "bbb ccc")], Style { color: false, width: 9 });
        // "aaa {+bbb" is 9 columns; "ccc+}" goes on; the second line keeps its indent.
        assert_eq!(out, "aaa {+bbb\nccc+} ddd\n  eee fff\n");
        for line in out.lines() {
            assert!(line.chars().count() <= 9, "{line:?}");
        }
    }

    #[test]
    fn colour_closes_at_every_line_end_and_reopens() {
        let text = "aaa bbb\nccc ddd";
        let out = highlight(text, &[chars_of(text, "bbb\nccc")], Style { color: true, width: 0 });
        assert_eq!(out, format!("aaa {SGR_PASSAGE}bbb{SGR_RESET}\n{SGR_PASSAGE}ccc{SGR_RESET} ddd\n"));
        let wrapped = highlight("aaa bbb ccc", &one(0..11), Style { color: true, width: 7 });
        assert_eq!(wrapped, format!("{SGR_PASSAGE}aaa bbb{SGR_RESET}\n{SGR_PASSAGE}ccc{SGR_RESET}\n"));
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let text = "a\x1b[31mb\r\nc";
        let out = highlight(text, &one(0..1), PLAIN);
        assert!(!out.contains('\x1b') && !out.contains('\r'), "{out:?}");
        assert_eq!(out, "{+a+}\u{FFFD}[31mb\nc\n");
    }

    #[test]
    fn no_color_rule() {
        let empty = Some(OsStr::new(""));
        let set = Some(OsStr::new("1"));
        assert!(use_color(ColorChoice::Auto, true, None));
        assert!(use_color(ColorChoice::Auto, true, empty), "an empty NO_COLOR does not count");
        assert!(!use_color(ColorChoice::Auto, true, set));
        assert!(!use_color(ColorChoice::Auto, false, None), "not a terminal");
        assert!(use_color(ColorChoice::Always, false, set), "an explicit request wins");
        assert!(!use_color(ColorChoice::Never, true, None));
    }

    const WIRE: &str = "ZÜRICH (Wire) — The city council approved the “Tramway 2030” plan on \
        Tuesday, a €1.2 billion project that doubles the tram network by the end of the decade, \
        the mayor said.";
    const PASSAGE: &str = "council approved the “Tramway 2030” plan on Tuesday, a €1.2 billion project";

    fn local() -> String {
        format!("Zürich Daily\n\n{WIRE}\n\nREAD MORE: Lake swims")
    }

    fn blog() -> String {
        format!("Our take: the {PASSAGE}. We think it is too slow and too costly for a city of this size.")
    }

    fn doc(id: &str, outlet: &str, date: &str, role: &str, reuse: f64, source: Option<&str>) -> DocumentLine {
        DocumentLine {
            id: id.into(),
            outlet: Some(outlet.into()),
            date: Some(date.into()),
            title: Some("Zürich approves “Tramway 2030”, a €1.2 billion plan".into()),
            cluster: Some(7),
            role: Some(role.into()),
            reuse: Some(reuse),
            source: source.map(Into::into),
            words: None,
            input: format!("dump.jsonl:{}", id.len()),
            bytes: 0,
            indexed: None,
        }
    }

    fn edge(a: &str, b: &str, kind: &str, jaccard: f64, containment_ab: f64, containment_ba: f64) -> EdgeLine {
        EdgeLine { a: a.into(), b: b.into(), kind: kind.into(), jaccard, containment_ab, containment_ba }
    }

    fn passage(a: &str, a_text: &str, b: &str, b_text: &str, sub_a: &str, sub_b: &str) -> PassageLine {
        let (ra, rb) = (chars_of(a_text, sub_a), chars_of(b_text, sub_b));
        let words = sub_a.split_whitespace().count() as u32;
        PassageLine {
            a: a.into(),
            b: b.into(),
            a_start: ra.start,
            a_end: ra.end,
            b_start: rb.start,
            b_end: rb.end,
            words,
        }
    }

    /// Cluster 7 of 12: a wire story, a local paper's copy with page furniture, and a blog
    /// that quotes the local copy; members in input order wire, blog, local, so passages.jsonl
    /// lists the blog–local pair with the blog first.
    fn view() -> ClusterView {
        let edges = vec![
            edge("wire-1", "blog-3", "passage", 0.18, 0.3, 0.4),
            edge("wire-1", "local-2", "near_duplicate", 0.93, 1.0, 0.93),
            edge("blog-3", "local-2", "partial", 0.21, 0.45, 0.3),
        ];
        let (local, blog) = (local(), blog());
        ClusterView {
            outdir: PathBuf::from("out"),
            run: RunInputs {
                arguments: vec!["dump.jsonl".into()],
                files: Vec::new(),
                fields: FieldMap::default(),
                index: None,
                passages: true,
            },
            clusters: 12,
            cluster: ClusterLine {
                id: 7,
                members: vec!["wire-1".into(), "blog-3".into(), "local-2".into()],
                origin: "wire-1".into(),
                origin_reason: "earliest date".into(),
                weakest_edge: edges[0].clone(),
                edges,
            },
            members: vec![
                doc("wire-1", "Wire", "2024-06-04T09:00:00Z", "origin", 0.0, None),
                doc("blog-3", "Blog", "2024-06-05T18:30:00Z", "partial", 0.45, Some("local-2")),
                doc("local-2", "Zürich Daily", "2024-06-04T11:15:00Z", "copy", 0.93, Some("wire-1")),
            ],
            passages: vec![
                passage("wire-1", WIRE, "blog-3", &blog, PASSAGE, PASSAGE),
                passage("wire-1", WIRE, "local-2", &local, WIRE, WIRE),
                passage("blog-3", &blog, "local-2", &local, PASSAGE, PASSAGE),
            ],
            index: None,
        }
    }

    fn texts() -> Texts {
        [("wire-1", WIRE.to_string()), ("local-2", local()), ("blog-3", blog())]
            .into_iter()
            .map(|(id, t)| (id.to_string(), Ok(t)))
            .collect()
    }

    #[test]
    fn shared_orients_passages_to_the_pair_asked() {
        let v = view();
        let (local, blog) = (local(), blog());
        let from_local = v.shared("local-2", "blog-3");
        assert_eq!(from_local.len(), 1);
        assert_eq!(from_local[0].first, chars_of(&local, PASSAGE));
        assert_eq!(from_local[0].second, chars_of(&blog, PASSAGE));
        let from_blog = v.shared("blog-3", "local-2");
        assert_eq!(
            (from_blog[0].first.clone(), from_blog[0].second.clone()),
            (from_local[0].second.clone(), from_local[0].first.clone())
        );
        assert_eq!(v.source_of("blog-3"), Some("local-2"));
        assert_eq!(v.source_of("wire-1"), None);
        assert_eq!(v.edge("local-2", "blog-3").map(|e| e.kind.as_str()), Some("partial"));
    }

    #[test]
    fn select_limits_and_names_members() {
        let v = view();
        let all = select(&v, None, 0).unwrap();
        assert_eq!(all.hidden, 0);
        assert_eq!(
            all.comparisons,
            [
                Comparison { member: "blog-3".into(), against: Some("local-2".into()) },
                Comparison { member: "local-2".into(), against: Some("wire-1".into()) },
            ]
        );
        assert_eq!(all.ids(), ["blog-3", "local-2", "wire-1"]);
        let one = select(&v, None, 1).unwrap();
        assert_eq!((one.comparisons.len(), one.hidden), (1, 1));
        let origin = select(&v, Some("wire-1"), 1).unwrap();
        assert_eq!(origin.comparisons, [Comparison { member: "wire-1".into(), against: None }]);
        match select(&v, Some("nobody"), 3) {
            Err(Error::Config(msg)) => {
                assert!(msg.contains("--member nobody") && msg.contains("wire-1, blog-3, local-2"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn render_snapshot() {
        let v = view();
        let selection = select(&v, None, 1).unwrap();
        insta::assert_snapshot!(render(&v, &selection, &texts(), Style { color: false, width: DEFAULT_WIDTH }));
    }

    #[test]
    fn render_marks_the_pair_and_the_origin_alone() {
        let v = view();
        let style = Style { color: false, width: DEFAULT_WIDTH };
        let all = render(&v, &select(&v, None, 0).unwrap(), &texts(), style);
        // The blog's quotation is marked in the blog and in its source, the local copy.
        assert_eq!(all.matches("{+council approved").count(), 2, "{all}");
        // The local copy: the whole wire story, not its masthead or its teaser.
        assert!(all.contains("Zürich Daily\n\n{+ZÜRICH"), "{all}");
        assert!(all.contains("mayor said.+}\n\nREAD MORE: Lake swims"), "{all}");
        let lines_fit = all.lines().all(|l| l.chars().count() <= DEFAULT_WIDTH);
        assert!(lines_fit, "{all}");

        let alone = render(&v, &select(&v, Some("wire-1"), 0).unwrap(), &texts(), style);
        assert!(alone.contains("what 2 of the 2 other members share with it"), "{alone}");
        assert!(alone.contains("{+ZÜRICH"));

        let missing: Texts = [("blog-3".to_string(), Err(Missing::Stdin.explain().to_string()))].into_iter().collect();
        let c = Comparison { member: "blog-3".into(), against: Some("local-2".into()) };
        let shown = comparison(&v, &c, &missing, style);
        assert!(shown.contains(&format!("[{}]", Missing::Stdin.explain())), "{shown}");
    }

    #[test]
    fn locate_splits_at_the_last_colon() {
        let files = vec![
            InputFile { path: "a.jsonl".into(), bytes: 1, format: "jsonl".into() },
            InputFile { path: "C:/dumps/b:2.jsonl".into(), bytes: 1, format: "jsonl".into() },
        ];
        assert_eq!(locate(&files, "C:/dumps/b:2.jsonl:17"), Some(Location { file: 1, line: 17 }));
        assert_eq!(locate(&files, "a.jsonl:3"), Some(Location { file: 0, line: 3 }));
        assert_eq!(locate(&files, "other.jsonl:3"), None);
        assert_eq!(locate(&files, "a.jsonl"), None);
    }

    #[test]
    fn terminal_safe_shows_controls_one_for_one() {
        let hostile = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{7f}\u{85}\nnext\tcol";
        let safe = terminal_safe(hostile);
        assert_eq!(safe, "Evil\u{241b}]0;pwned\u{2407}\u{241b}[2J\u{240d}\u{2421}\u{fffd}\nnext\tcol");
        assert_eq!(safe.chars().count(), hostile.chars().count());
        assert!(matches!(terminal_safe("plain text\n"), std::borrow::Cow::Borrowed(_)));
    }
}
