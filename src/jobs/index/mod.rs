//! A persistent index: today's crawl checked against every article seen before, without
//! scanning the old ones again.
//!
//! The index owns, per article, what a scan would have to recompute to match new articles
//! against it: metadata, the text (zstd), the lines' fingerprints (for the furniture rule),
//! the LSH band keys and winnowed anchors (for finding candidates), and its cluster id
//! ([`format`] has the layout). `add` and `query`:
//!
//! 1. **sign** the new articles: read, tokenise, judge furniture over the whole index plus the
//!    new articles (the stored lines of every old article are counted), shingle, and take
//!    band keys and anchors;
//! 2. **look up** their candidates among the old articles: shared band keys, anchors that
//!    are neither crowded nor template text counting old and new articles together
//!    ([`lsh::AnchorFate`]), and identical shingle sets; then the whole cluster of every old
//!    article found (its **neighbourhood**);
//! 3. **scan** the neighbourhood and the new articles together with
//!    [`pipeline::scan_with`]: the old articles are handed in as a first input rebuilt from
//!    the index, with the furniture judgement and anchor fates of the whole index, so edges,
//!    passages, clusters and reuse figures are those a scan of everything gives (but for
//!    one case: a band bucket or anchor whose articles are all old can be large, and linked,
//!    in a scan of everything, yet small, and paired in full, in the neighbourhood, which
//!    then verifies more pairs among those old articles; the tests see no difference);
//! 4. **label** the clusters with lasting ids: a cluster keeps the smallest id of the old
//!    articles in it (merged clusters keep the older id), a new cluster takes the next unused
//!    id;
//! 5. **write** the scan's outputs for the new articles, then (`add` only) an immutable segment
//!    with the new articles and every changed cluster id, and swap the manifest.
//!
//! `query` does 1–4 and writes outputs, never the index. `expire` rewrites the segments that
//! hold expired articles. Old articles are not signed again: their band keys and anchors are
//! those of the day they were added; only the neighbourhood's texts are tokenised again.

pub mod format;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

use crate::config::{Banding, FieldMap, InputSpec, ScanConfig};
use crate::error::{Error, Result};
use crate::text::furniture::{self, DocLines, JudgedDoc, LineFeature};
use crate::input::{read_in_batches, Batching, DocMeta, DEFAULT_DATE_FIELDS, DEFAULT_ID_FIELDS, DEFAULT_OUTLET_FIELDS};
use crate::input::{DEFAULT_TEXT_FIELDS, DEFAULT_TITLE_FIELDS, DEFAULT_URL_FIELDS};
use crate::engine::interrupt::Pending;
use crate::sketch::lsh::{self, AnchorFate, ANCHOR_WINDOW, MAX_ANCHOR_DOCS, TEMPLATE_MIN_DOCS};
use crate::sketch::minhash::{MinHasher, MINHASH_SEED};
use crate::text::normalize::{tokenize_with, Tokens};
use crate::engine::pipeline::{self, IndexView, Incremental, ScanResult, SECONDS_PER_DAY};
use crate::engine::progress::{Progress, Unit};
use crate::text::shingle::{shingle_sequence, ShingleSet, SHINGLE_SEED, TOKEN_SEED};
use format::{IndexParams, Manifest, NewSegment, Segment, StoredDoc, FORMAT_NAME, FORMAT_VERSION, LOCK_FILE, MANIFEST_FILE};

/// Documents per batch read while signing new articles (as the scan's reader).
const SIGN_BATCH_DOCS: usize = 2048;
/// Name of the file the neighbourhood is handed to the scan in, inside the index directory.
const HISTORY_FILE: &str = ".neighbourhood";

/// The parameters an index is created with, from a scan configuration.
pub fn params_of(config: &ScanConfig) -> IndexParams {
    let banding = config.effective_banding();
    IndexParams {
        shingle: config.shingle,
        perms: config.perms,
        threshold: config.threshold,
        containment: config.containment,
        bands: banding.bands,
        rows: banding.rows,
        banding_given: config.banding.is_some(),
        furniture: config.furniture,
        max_doc_bytes: config.max_doc_bytes,
        seeds: [TOKEN_SEED, SHINGLE_SEED, MINHASH_SEED, lsh::BAND_SEED, furniture::LINE_SEED],
    }
}

/// Applies an index's parameters to a scan configuration (everything else is the caller's).
pub fn apply_params(params: &IndexParams, config: &mut ScanConfig) {
    config.shingle = params.shingle;
    config.perms = params.perms;
    config.threshold = params.threshold;
    config.containment = params.containment;
    config.banding = Some(Banding { bands: params.bands, rows: params.rows });
    config.furniture = params.furniture;
    config.max_doc_bytes = params.max_doc_bytes;
}

/// An index directory opened for reading (shared lock) or writing (exclusive lock).
pub struct Index {
    /// The directory.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Its segments, in manifest order.
    pub segments: Vec<Segment>,
    /// Per segment: the index number of its first article.
    base: Vec<usize>,
    /// Per article (index order): its serial number (ascending).
    serials: Vec<u64>,
    /// Per article (index order): its cluster id.
    pub cluster_of: Vec<Option<u32>>,
    /// Per article: whether it represents its shingle set (the first article with it, and
    /// not empty); only these make candidates, as in a scan.
    representative: Vec<bool>,
    /// Representative article of each shingle-set fingerprint.
    by_content: AHashMap<u64, u32>,
    /// Articles by the hash of their id.
    by_id: AHashMap<u64, Vec<u32>>,
    /// The segments' checksums, being checked on a thread of their own (see [`Index::verified`]).
    verifier: std::sync::Mutex<Option<std::thread::JoinHandle<Result<()>>>>,
    _lock: std::fs::File,
}

fn index_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Index { path: path.to_path_buf(), message: message.into() }
}

/// Takes the index's lock: exclusive for a writer, shared for a reader; another process
/// holding it is an error, not a wait.
fn lock(dir: &Path, exclusive: bool) -> Result<std::fs::File> {
    let path = dir.join(LOCK_FILE);
    // A reader needs no write access once the lock file exists (a read-only copy of an index
    // can be queried).
    let existing = if exclusive { None } else { std::fs::File::open(&path).ok() };
    let file = match existing {
        Some(f) => f,
        None => std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| Error::Output { path: path.clone(), source })?,
    };
    let taken = if exclusive { file.try_lock() } else { file.try_lock_shared() };
    match taken {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(index_err(
            dir,
            if exclusive { "another reprint is using this index; try again when it has finished" } else { "another reprint is changing this index; try again when it has finished" },
        )),
        Err(std::fs::TryLockError::Error(source)) => Err(Error::Output { path, source }),
    }
}

/// Removes what runs killed without a chance to clean up (SIGKILL, power loss) left in the
/// index directory: segment files the manifest does not name, and temporary files. Called
/// only under the exclusive lock, when no other reprint can be writing them.
fn remove_leftovers(dir: &Path, manifest: &Manifest) {
    let named: AHashSet<&str> = manifest.segments.iter().map(|s| s.file.as_str()).collect();
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let segment = name.starts_with("seg-") && name.ends_with(".rpx") && !named.contains(name.as_str());
        let temporary = name.starts_with(HISTORY_FILE) || name.starts_with(&format!(".{MANIFEST_FILE}.tmp-"));
        if segment || temporary {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Creates an empty index in `dir` (created if missing; it must not hold an index already).
pub fn create(dir: &Path, config: &ScanConfig) -> Result<Manifest> {
    config.validate_parameters()?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Output { path: dir.to_path_buf(), source })?;
    let _lock = lock(dir, true)?;
    if dir.join(MANIFEST_FILE).exists() {
        return Err(index_err(dir, "already holds an index (add to it with `reprint index add`)"));
    }
    let manifest = Manifest {
        format: FORMAT_NAME.to_string(),
        version: FORMAT_VERSION,
        writer: env!("CARGO_PKG_VERSION").to_string(),
        params: params_of(config),
        generation: 0,
        next_serial: 0,
        next_cluster: 0,
        next_segment: 1,
        segments: Vec::new(),
    };
    manifest.write(dir)?;
    Ok(manifest)
}

impl Index {
    /// Opens the index in `dir`, checking every file's checksum.
    pub fn open(dir: &Path, exclusive: bool) -> Result<Index> {
        let manifest_path = dir.join(MANIFEST_FILE);
        if !manifest_path.exists() {
            // The manifest's own message (not an index; does not exist).
            Manifest::read(dir)?;
        }
        let lock = lock(dir, exclusive)?;
        let manifest = Manifest::read(dir)?;
        if exclusive {
            remove_leftovers(dir, &manifest);
        }
        let here = params_of(&ScanConfig::default()).seeds;
        if manifest.params.seeds != here {
            return Err(index_err(dir, "was built with other hash seeds than this reprint uses; rebuild it"));
        }
        let segments: Vec<Segment> =
            manifest.segments.par_iter().map(|s| Segment::open(&dir.join(&s.file), s)).collect::<Result<_>>()?;
        let mut base = Vec::with_capacity(segments.len());
        let mut n = 0;
        for s in &segments {
            base.push(n);
            n += s.docs.len();
        }
        let mut serials: Vec<u64> = Vec::with_capacity(n);
        for s in &segments {
            serials.extend(s.docs.iter().map(|d| d.serial));
        }
        if serials.windows(2).any(|w| w[0] >= w[1]) {
            return Err(index_err(dir, "damaged: article serial numbers are out of order across segments"));
        }
        // Later segments' assignments override earlier ones.
        let mut cluster_of = vec![None; n];
        for s in &segments {
            for (serial, c) in s.assignments() {
                if let Ok(g) = serials.binary_search(&serial) {
                    cluster_of[g] = c;
                }
            }
        }
        let mut representative = vec![false; n];
        let mut by_content = AHashMap::with_capacity(n);
        let mut by_id: AHashMap<u64, Vec<u32>> = AHashMap::with_capacity(n);
        let mut g = 0u32;
        for s in &segments {
            for d in &s.docs {
                if !d.empty && !by_content.contains_key(&d.content) {
                    by_content.insert(d.content, g);
                    representative[g as usize] = true;
                }
                by_id.entry(xxh3_64(d.id.as_bytes())).or_default().push(g);
                g += 1;
            }
        }
        // Checking a checksum reads every byte of the index (4.2 GB for a million generated
        // articles: seconds from a cold disk), so it runs beside the work instead of before
        // it; nothing read from the index is written anywhere before it has passed.
        let jobs: Vec<_> = segments.iter().map(Segment::checksum_job).collect();
        let verifier = std::thread::Builder::new()
            .name("reprint-index-checksums".into())
            .spawn(move || jobs.into_iter().try_for_each(|job| job()))
            .map_err(|source| Error::Input { path: dir.to_path_buf(), source })?;
        Ok(Index {
            dir: dir.to_path_buf(),
            manifest,
            segments,
            base,
            cluster_of,
            representative,
            by_content,
            by_id,
            serials,
            verifier: std::sync::Mutex::new(Some(verifier)),
            _lock: lock,
        })
    }

    /// Waits for the segments' checksums: an error names the damaged file. Every command
    /// calls this before it writes anything derived from the index.
    pub fn verified(&self) -> Result<()> {
        let handle = self.verifier.lock().expect("verifier lock").take();
        match handle {
            Some(h) => h.join().expect("the checksum thread panicked"),
            None => Ok(()),
        }
    }

    /// Articles in the index.
    pub fn len(&self) -> usize {
        self.cluster_of.len()
    }

    /// Whether the index holds no article.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Segment and position of article `g`.
    fn locate(&self, g: usize) -> (usize, usize) {
        let s = self.base.partition_point(|&b| b <= g) - 1;
        (s, g - self.base[s])
    }

    /// Article `g`'s stored record.
    pub fn doc(&self, g: usize) -> &StoredDoc {
        let (s, i) = self.locate(g);
        &self.segments[s].docs[i]
    }

    /// Article `g`'s text.
    pub fn text(&self, g: usize) -> Result<String> {
        let (s, i) = self.locate(g);
        self.segments[s].text(i)
    }

    /// Representative articles in `postings` of each segment (positions in the segment).
    fn matches<'s, I: Iterator<Item = u32>>(&'s self, postings: impl Fn(&'s Segment) -> I, out: &mut Vec<u32>) {
        for (s, seg) in self.segments.iter().enumerate() {
            // Positions are checked: this may run before the checksums have been.
            let n = seg.docs.len();
            out.extend(
                postings(seg)
                    .filter(|&i| (i as usize) < n)
                    .map(|i| (self.base[s] + i as usize) as u32)
                    .filter(|&g| self.representative[g as usize]),
            );
        }
    }

    /// Representative articles with this band key.
    fn band_matches(&self, key: u64, out: &mut Vec<u32>) {
        self.matches(|seg| seg.band_postings(key), out);
    }

    /// Representative articles with this anchor.
    fn anchor_matches(&self, key: u64, out: &mut Vec<u32>) {
        self.matches(|seg| seg.anchor_postings(key), out);
    }

    /// Publication day of article `g`.
    fn day(&self, g: u32) -> Option<i64> {
        self.doc(g as usize).timestamp.map(|t| t.div_euclid(SECONDS_PER_DAY))
    }

    /// The article with this id.
    pub fn find(&self, id: &str) -> Option<usize> {
        let gs = self.by_id.get(&xxh3_64(id.as_bytes()))?;
        gs.iter().map(|&g| g as usize).find(|&g| self.doc(g).id == id)
    }

    /// Whether an article other than those in `except` has this id.
    fn id_taken(&self, id: &str, except: &AHashSet<u32>) -> bool {
        self.by_id
            .get(&xxh3_64(id.as_bytes()))
            .is_some_and(|gs| gs.iter().any(|&g| !except.contains(&g) && self.doc(g as usize).id == id))
    }
}

/// What signing found about one new article.
struct Signed {
    meta: DocMeta,
    /// Compressed text.
    text: Vec<u8>,
    lines: Vec<(u64, u32)>,
    content: u64,
    empty: bool,
    bands: Vec<u64>,
    anchors: Vec<u64>,
}

/// The new articles, signed: per input document (in input order), `None` when it is skipped.
struct NewArticles {
    docs: Vec<Option<Signed>>,
    judgement: furniture::Judgement,
}

/// One new document between the two passes of [`sign`].
struct Read {
    meta: DocMeta,
    text: Vec<u8>,
    lines: Vec<LineFeature>,
    words: u32,
}

/// Step 1: reads and signs the new articles with the index's parameters, judging furniture
/// over the index and the new articles together.
fn sign(index: &Index, config: &ScanConfig, progress: &dyn Progress) -> Result<NewArticles> {
    let k = config.shingle;
    progress.begin("read", None, Unit::Bytes);
    let mut read: Vec<Option<Read>> = Vec::new();
    let exclude = vec![config.outdir.clone(), index.dir.clone()];
    let batching = Batching { docs: SIGN_BATCH_DOCS, ahead: 2, shard: None };
    read_in_batches(&config.inputs, &exclude, config.stdin_copy.as_deref(), false, None, config.max_doc_bytes, batching, &mut |batch| {
        let bytes: u64 = batch.iter().map(|u| u.bytes()).sum();
        let parsed: Vec<Option<Read>> = batch
            .into_par_iter()
            .map_init(
                || (Tokens::default(), String::new()),
                |(tokens, scratch), u| {
                    let rec = u.parse(&config.fields);
                    let text = rec.body.ok()?;
                    tokenize_with(&text, tokens, scratch, |_, _| {});
                    if tokens.tokens.is_empty() {
                        return None;
                    }
                    let lines = furniture::line_features(&text, tokens);
                    Some(Read { meta: rec.meta, text: format::compress(text.as_bytes()), lines, words: tokens.tokens.len() as u32 })
                },
            )
            .collect();
        read.extend(parsed);
        progress.advance(bytes);
    })?;
    progress.end();

    // Furniture over everything: the index's stored lines, then the new articles'.
    let old_lines: Vec<Vec<(u64, u32)>> = (0..index.len())
        .into_par_iter()
        .map(|g| {
            let (s, i) = index.locate(g);
            let mut l = Vec::new();
            index.segments[s].lines(i, &mut l);
            l
        })
        .collect();
    let new_lines: Vec<Vec<(u64, u32)>> = read
        .iter()
        .map(|r| r.as_ref().filter(|_| config.furniture).map_or_else(Vec::new, |r| furniture::line_words(&r.lines)))
        .collect();
    let mut judged: Vec<JudgedDoc<'_>> = Vec::with_capacity(index.len() + read.len());
    for (g, l) in old_lines.iter().enumerate() {
        let d = index.doc(g);
        judged.push(JudgedDoc { outlet: d.outlet.as_deref(), day: d.timestamp.map(|t| t.div_euclid(SECONDS_PER_DAY)), lines: l });
    }
    for (r, l) in read.iter().zip(&new_lines) {
        let (outlet, day) = r.as_ref().map_or((None, None), |r| (r.meta.outlet.as_deref(), r.meta.timestamp.map(|t| t.div_euclid(SECONDS_PER_DAY))));
        judged.push(JudgedDoc { outlet, day, lines: l });
    }
    let judgement = furniture::judge(&judged, &config.tuning.furniture);
    drop(judged);
    drop(old_lines);
    let no_lines: Vec<LineFeature> = Vec::new();
    let doc_lines: Vec<DocLines<'_>> = read
        .iter()
        .map(|r| match r {
            Some(r) => DocLines {
                outlet: r.meta.outlet.as_deref(),
                day: None,
                lines: if config.furniture { &r.lines } else { &no_lines },
                words: r.words,
            },
            None => DocLines { outlet: None, day: None, lines: &no_lines, words: 0 },
        })
        .collect();
    let furn = furniture::apply(&doc_lines, &judgement);
    drop(doc_lines);

    // Sign: the text again (from its compressed copy), shingles, anchors, band keys.
    let banding = Banding { bands: index.manifest.params.bands, rows: index.manifest.params.rows };
    let hasher = MinHasher::new(config.perms);
    progress.begin("sign", Some(read.len() as u64), Unit::Documents);
    let docs: Vec<Option<Signed>> = read
        .into_par_iter()
        .zip(new_lines)
        .zip(furn.ranges)
        .map_init(
            || (Tokens::default(), String::new()),
            |(tokens, scratch), ((r, lines), ranges)| {
                progress.advance(1);
                let r = r?;
                let text = String::from_utf8(zstd::decode_all(&r.text[..]).expect("compressed just now")).expect("UTF-8 text");
                tokenize_with(&text, tokens, scratch, |_, _| {});
                let hashes: Vec<u64> = tokens.tokens.iter().map(|t| t.hash).collect();
                let (seq, body_words) = shingle_sequence(&hashes, &ranges, k);
                let set = ShingleSet::from_sequence(&seq, body_words);
                let seq_hashes: Vec<u64> = seq.iter().map(|s| s.hash).collect();
                let anchors = lsh::winnow(&seq_hashes, ANCHOR_WINDOW);
                let empty = set.is_empty();
                let bands = if empty { Vec::new() } else { lsh::band_keys(&hasher.signature(&set.hashes), banding) };
                Some(Signed { meta: r.meta, text: r.text, lines, content: set.fingerprint(), empty, bands, anchors })
            },
        )
        .collect();
    progress.end();
    Ok(NewArticles { docs, judgement })
}

/// Step 2: the old articles the new ones may touch (candidates and identical sets, then their
/// clusters), in index order.
fn neighbourhood(index: &Index, new: &NewArticles) -> Vec<u32> {
    // New representatives: not empty, and a set neither the index nor an earlier new article has.
    let mut seen: AHashSet<u64> = AHashSet::new();
    let new_rep: Vec<bool> = new
        .docs
        .iter()
        .map(|d| d.as_ref().is_some_and(|d| !d.empty && !index.by_content.contains_key(&d.content) && seen.insert(d.content)))
        .collect();
    // Anchors of new representatives, with how many new representatives share each.
    let mut new_anchor_docs: AHashMap<u64, Vec<u32>> = AHashMap::new();
    for (j, d) in new.docs.iter().enumerate() {
        if let (Some(d), true) = (d, new_rep[j]) {
            for &a in &d.anchors {
                new_anchor_docs.entry(a).or_default().push(j as u32);
            }
        }
    }
    let mut anchors: Vec<(&u64, &Vec<u32>)> = new_anchor_docs.iter().collect();
    anchors.sort_unstable_by_key(|(a, _)| **a);
    let found: Vec<Vec<u32>> = anchors
        .par_iter()
        .map_init(Vec::new, |buf, (&a, news)| {
            buf.clear();
            index.anchor_matches(a, buf);
            if buf.is_empty() || anchor_fate(index, buf, news.iter().map(|&j| new.docs[j as usize].as_ref().and_then(|d| d.meta.timestamp))) != AnchorFate::Pairs {
                return Vec::new();
            }
            buf.clone()
        })
        .collect();
    let mut touched: Vec<u32> = found.into_iter().flatten().collect();
    let by_band: Vec<Vec<u32>> = new
        .docs
        .par_iter()
        .map_init(Vec::new, |buf, d| {
            buf.clear();
            if let Some(d) = d {
                if !d.empty {
                    if let Some(&g) = index.by_content.get(&d.content) {
                        buf.push(g);
                    }
                    for &key in &d.bands {
                        index.band_matches(key, buf);
                    }
                }
            }
            buf.clone()
        })
        .collect();
    touched.extend(by_band.into_iter().flatten());
    touched.par_sort_unstable();
    touched.dedup();
    // Whole clusters: a cluster's members decide its origin and whom a new article joins.
    let wanted: AHashSet<u32> = touched.iter().filter_map(|&g| index.cluster_of[g as usize]).collect();
    if !wanted.is_empty() {
        touched.extend((0..index.len() as u32).filter(|&g| index.cluster_of[g as usize].is_some_and(|c| wanted.contains(&c))));
        touched.par_sort_unstable();
        touched.dedup();
    }
    touched
}

/// The fate of an anchor shared by `old` (the index's representatives) and new articles
/// published at `new_times`: crowded or template exactly as in a scan of everything.
fn anchor_fate(index: &Index, old: &[u32], new_times: impl Iterator<Item = Option<i64>>) -> AnchorFate {
    let new_days: Vec<Option<i64>> = new_times.map(|t| t.map(|t| t.div_euclid(SECONDS_PER_DAY))).collect();
    if old.len() + new_days.len() > MAX_ANCHOR_DOCS {
        return AnchorFate::Crowded;
    }
    if old.len() + new_days.len() < TEMPLATE_MIN_DOCS {
        return AnchorFate::Pairs;
    }
    let mut days: Vec<i64> = old.iter().filter_map(|&g| index.day(g)).chain(new_days.into_iter().flatten()).collect();
    if lsh::is_template_days(&mut days) {
        AnchorFate::Template
    } else {
        AnchorFate::Pairs
    }
}

/// The JSON line that hands an old article to the scan, under the field names it reads.
fn history_line(doc: &StoredDoc, text: &str, fields: &FieldMap) -> Vec<u8> {
    let name = |given: &Option<String>, defaults: &[&str]| given.clone().unwrap_or_else(|| defaults[0].to_string());
    let mut obj = serde_json::Map::new();
    obj.insert(name(&fields.id, DEFAULT_ID_FIELDS), doc.id.clone().into());
    if let Some(o) = &doc.outlet {
        obj.insert(name(&fields.outlet, DEFAULT_OUTLET_FIELDS), o.clone().into());
    }
    for (value, given, defaults) in [
        (&doc.date, &fields.date, DEFAULT_DATE_FIELDS),
        (&doc.title, &fields.title, DEFAULT_TITLE_FIELDS),
        (&doc.url, &fields.url, DEFAULT_URL_FIELDS),
    ] {
        if let Some(v) = value {
            obj.insert(name(given, defaults), v.clone().into());
        }
    }
    obj.insert(name(&fields.text, DEFAULT_TEXT_FIELDS), text.into());
    let mut line = serde_json::to_vec(&obj).expect("JSON serialises");
    line.push(b'\n');
    line
}

/// What `add` or `query` did, besides the scan result.
#[derive(Debug, Clone, Serialize)]
pub struct IndexRun {
    /// `index add` or `index query`.
    pub command: &'static str,
    /// The index directory.
    pub index: String,
    /// Articles in the index before.
    pub indexed_before: usize,
    /// Articles in the index after (`add`), or as before (`query`).
    pub indexed_after: usize,
    /// Old articles scanned again with the new ones (their neighbourhood).
    pub neighbourhood: usize,
    /// New articles added (processed ones; skipped ones are listed but not kept).
    pub added: usize,
    /// The segment written (`add` with articles to keep).
    pub segment: Option<String>,
    /// Clusters that gained a new article, by lasting id, and clusters created.
    pub clusters_grown: usize,
    /// New clusters.
    pub clusters_created: usize,
    /// Older clusters merged into another (their articles now carry the older id).
    pub clusters_merged: usize,
    /// Seconds: signing, looking up, scanning, writing.
    pub seconds: IndexSeconds,
}

/// Seconds per step of `add` and `query`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexSeconds {
    /// Opening the index (checksums included).
    pub open: f64,
    /// Reading, judging furniture and signing the new articles.
    pub sign: f64,
    /// Finding the neighbourhood.
    pub lookup: f64,
    /// Scanning the neighbourhood with the new articles.
    pub scan: f64,
    /// Writing outputs and the segment.
    pub write: f64,
    /// All of it.
    pub total: f64,
}

/// Whether `add` keeps what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `index add`: write a segment.
    Add,
    /// `index query`: leave the index as it is.
    Query,
}

/// `index add` / `index query`: scans `config.inputs` against the index in `dir` and writes
/// the scan's outputs into `config.outdir` (when `write_outputs`); `add` then appends a
/// segment. The index's parameters replace the configuration's.
pub fn add(dir: &Path, config: &ScanConfig, mode: Mode, write_outputs: bool, progress: &dyn Progress) -> Result<(ScanResult, IndexRun)> {
    let started = Instant::now();
    let mut seconds = IndexSeconds::default();
    let index = Index::open(dir, mode == Mode::Add)?;
    seconds.open = started.elapsed().as_secs_f64();
    let mut config = config.clone();
    apply_params(&index.manifest.params, &mut config);
    if config.inputs.is_empty() {
        return Err(Error::Config("no input given: name the dumps or directories to add".into()));
    }
    if config.inputs.iter().any(|i| matches!(i, InputSpec::Stdin)) && config.stdin_copy.is_none() {
        return Err(Error::Config("`-` (standard input) cannot be indexed: it is read twice; save it to a file first".into()));
    }
    config.validate()?;

    let t = Instant::now();
    let new = sign(&index, &config, progress)?;
    seconds.sign = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let hood = neighbourhood(&index, &new);
    seconds.lookup = t.elapsed().as_secs_f64();

    // The neighbourhood as the scan's first input.
    let t = Instant::now();
    // Beside the outputs (a read-only index can be queried), or in the index for `create`
    // without outputs.
    let spool_dir = if write_outputs { config.outdir.clone() } else { dir.to_path_buf() };
    std::fs::create_dir_all(&spool_dir).map_err(|source| Error::Output { path: spool_dir.clone(), source })?;
    let history_path = spool_dir.join(format!("{HISTORY_FILE}-{}.jsonl", std::process::id()));
    let pending = Pending::new(&history_path);
    {
        let lines: Vec<Result<Vec<u8>>> = hood
            .par_iter()
            .map(|&g| Ok(history_line(index.doc(g as usize), &index.text(g as usize)?, &config.fields)))
            .collect();
        let file = std::fs::File::create(&history_path).map_err(|source| Error::Output { path: history_path.clone(), source })?;
        let mut w = std::io::BufWriter::new(file);
        for l in lines {
            let l = match l {
                Ok(l) => l,
                Err(e) => {
                    drop(w);
                    let _ = std::fs::remove_file(&history_path);
                    return Err(index.verified().err().unwrap_or(e));
                }
            };
            w.write_all(&l).map_err(|source| Error::Output { path: history_path.clone(), source })?;
        }
        w.flush().map_err(|source| Error::Output { path: history_path.clone(), source })?;
    }
    let mut scan_config = config.clone();
    scan_config.inputs.insert(0, InputSpec::Path(history_path.clone()));
    if !write_outputs {
        // Nothing is written; the directory the scan leaves out of input directories is then
        // the index (where the neighbourhood's file is).
        scan_config.outdir = dir.to_path_buf();
    }
    scan_config.strict = false;
    let hood_set: AHashSet<u32> = hood.iter().copied().collect();
    let id_taken = |id: &str| index.id_taken(id, &hood_set);
    let history = hood.len();
    let fate = |_anchor: u64, local: &[(u32, Option<i64>)]| {
        // The old articles sharing the anchor, all of them (not only the neighbourhood's).
        let mut old = Vec::new();
        index.anchor_matches(_anchor, &mut old);
        let new_days = local.iter().filter(|&&(d, _)| d as usize >= history).map(|&(_, day)| day.map(|d| d * SECONDS_PER_DAY));
        anchor_fate(&index, &old, new_days)
    };
    let incremental = Incremental { history, furniture: &new.judgement, anchor_fate: &fate, id_taken: &id_taken };
    let scanned = pipeline::scan_with(&scan_config, progress, Some(&incremental));
    let mut result = match scanned {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&history_path);
            // A damaged index explains a failure better than what it caused.
            return Err(index.verified().err().unwrap_or(e));
        }
    };
    if config.strict && (result.run.counts.skipped > 0 || !result.inputs.issues.is_empty()) {
        let _ = std::fs::remove_file(&history_path);
        let i = (history..result.docs.len()).find(|&i| result.skipped[i].is_some());
        let first = match i {
            Some(i) => format!("{}: {}", result.inputs.locate(result.docs[i].location), result.skipped[i].as_ref().expect("skipped")),
            None => result.inputs.issues[0].to_string(),
        };
        return Err(Error::Strict { count: result.run.counts.skipped + result.inputs.issues.len(), first });
    }
    if let Err(e) = index.verified() {
        let _ = std::fs::remove_file(&history_path);
        return Err(e);
    }
    if result.docs.len() - history != new.docs.len() {
        let _ = std::fs::remove_file(&history_path);
        return Err(Error::Invariant(format!(
            "the inputs changed while they were read: {} documents, then {}",
            new.docs.len(),
            result.docs.len() - history
        )));
    }
    seconds.scan = t.elapsed().as_secs_f64();

    // Lasting cluster ids.
    let t = Instant::now();
    let mut next_cluster = index.manifest.next_cluster;
    let mut cluster_ids = vec![u32::MAX; result.clusters.len()];
    let (mut grown, mut created, mut merged) = (0, 0, 0);
    // Each old id goes to the cluster holding its earliest old member; a cluster with none
    // takes a new id.
    let mut claimed: AHashMap<u32, u32> = AHashMap::new();
    for (g_local, &g) in hood.iter().enumerate() {
        if let (Some(old), Some(c)) = (index.cluster_of[g as usize], result.cluster_of[g_local]) {
            claimed.entry(old).or_insert(c);
        }
    }
    let mut olds: Vec<(u32, u32)> = claimed.into_iter().collect();
    olds.sort_unstable();
    for (old, c) in olds {
        let slot = &mut cluster_ids[c as usize];
        if *slot == u32::MAX {
            *slot = old;
        } else {
            merged += 1;
        }
    }
    for (c, slot) in cluster_ids.iter_mut().enumerate() {
        let has_new = result.clusters[c].members.iter().any(|&m| m as usize >= history);
        if *slot == u32::MAX {
            *slot = next_cluster;
            next_cluster += 1;
            if has_new {
                created += 1;
            }
        } else if has_new {
            grown += 1;
        }
    }
    result.view = Some(IndexView { history, cluster_ids: cluster_ids.clone() });
    // The review page's texts are read while the neighbourhood's file still exists.
    let page = if write_outputs { crate::output::html::prepare(&result, &scan_config) } else { Ok(None) };
    let page = match page {
        Ok(p) => p,
        Err(e) => {
            let _ = std::fs::remove_file(&history_path);
            return Err(e);
        }
    };
    // Counts of run.json describe the new documents.
    let counts = &mut result.run.counts;
    counts.documents -= history;
    counts.processed -= history;
    counts.bytes -= result.docs[..history].iter().map(|d| d.bytes).sum::<u64>();
    let command = if mode == Mode::Add { "index add" } else { "index query" };
    result.run.command = command;
    result.run.arguments.remove(0);
    // The neighbourhood's file is gone after the run: named for what it was.
    if let Some(f) = result.inputs.files.first_mut() {
        f.path = format!("index:{}", dir.display());
        f.format = "index".to_string();
        f.bytes = 0;
    }
    result.run.inputs = result.inputs.files.clone();

    let label = |c: Option<u32>| c.map(|c| cluster_ids[c as usize]);
    let added = new.docs.iter().filter(|d| d.is_some()).count();
    let run = |segment: Option<String>, seconds: IndexSeconds| IndexRun {
        command,
        index: dir.display().to_string(),
        indexed_before: index.len(),
        indexed_after: index.len() + if mode == Mode::Add { added } else { 0 },
        neighbourhood: history,
        added: if mode == Mode::Add { added } else { 0 },
        segment,
        clusters_grown: grown,
        clusters_created: created,
        clusters_merged: merged,
        seconds,
    };
    let mut so_far = seconds.clone();
    so_far.total = started.elapsed().as_secs_f64();
    result.run.index = Some(serde_json::to_value(run(None, so_far)).expect("serialises"));
    let outputs = || -> Result<()> {
        if write_outputs {
            crate::output::report::write_outputs(&result, &config.outdir, page.as_ref())?;
        }
        Ok(())
    };
    if mode == Mode::Query {
        let written = outputs();
        let _ = std::fs::remove_file(&history_path);
        written?;
        seconds.write = t.elapsed().as_secs_f64();
        seconds.total = started.elapsed().as_secs_f64();
        drop(pending);
        let run = run(None, seconds);
        return Ok((result, run));
    }

    // The new segment: new articles with their final ids, and every cluster id that changed.
    let mut manifest = index.manifest.clone();
    let mut stored = NewSegment { docs: Vec::new(), texts: Vec::new(), lines: Vec::new(), bands: Vec::new(), anchors: Vec::new(), clusters: Vec::new() };
    for (g_local, &g) in hood.iter().enumerate() {
        let now = label(result.cluster_of[g_local]);
        if now != index.cluster_of[g as usize] {
            stored.clusters.push((index.doc(g as usize).serial, now));
        }
    }
    for (j, d) in new.docs.into_iter().enumerate() {
        let Some(d) = d else { continue };
        let i = history + j;
        let meta = &result.docs[i];
        let serial = manifest.next_serial;
        manifest.next_serial += 1;
        let pos = stored.docs.len() as u32;
        stored.docs.push(StoredDoc {
            serial,
            id: meta.id.clone(),
            outlet: meta.outlet.clone(),
            date: meta.date.clone(),
            timestamp: meta.timestamp,
            title: meta.title.clone(),
            url: meta.url.clone(),
            content: d.content,
            empty: d.empty,
            input: result.inputs.locate(meta.location),
        });
        stored.texts.push(d.text);
        stored.lines.push(d.lines);
        stored.bands.extend(d.bands.iter().map(|&k| (k, pos)));
        stored.anchors.extend(d.anchors.iter().map(|&k| (k, pos)));
        stored.clusters.push((serial, label(result.cluster_of[i])));
    }
    let written = (|| -> Result<Option<format::SegmentInfo>> {
        if stored.docs.is_empty() && stored.clusters.is_empty() {
            outputs()?;
            return Ok(None);
        }
        let file = format!("seg-{:08}.rpx", manifest.next_segment);
        let seg_path = dir.join(&file);
        let seg_pending = Pending::new(&seg_path);
        let info = stored.write(dir, &file, "add")?;
        outputs()?;
        manifest.next_segment += 1;
        manifest.next_cluster = next_cluster;
        manifest.generation += 1;
        manifest.writer = env!("CARGO_PKG_VERSION").to_string();
        manifest.segments.push(info.clone());
        // Once the manifest names the segment, it is the index's (see `write_committing`).
        if let Err(e) = manifest.write_committing(dir, vec![seg_pending]) {
            // The rename may have happened (a failed directory sync): then the segment is the
            // index's and must stay.
            let named = Manifest::read(dir).is_ok_and(|m| m.segments.iter().any(|s| s.file == file));
            if !named {
                let _ = std::fs::remove_file(&seg_path);
            }
            return Err(e);
        }
        Ok(Some(info))
    })();
    let _ = std::fs::remove_file(&history_path);
    drop(pending);
    let info = written?;
    let segment = info.map(|i| i.file);
    seconds.write = t.elapsed().as_secs_f64();
    seconds.total = started.elapsed().as_secs_f64();
    let run = run(segment, seconds);
    Ok((result, run))
}

/// What `index stats` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// The index directory.
    pub index: String,
    /// Format version.
    pub version: u32,
    /// Parameters.
    pub params: IndexParams,
    /// Articles.
    pub documents: usize,
    /// Clusters with at least two articles.
    pub clusters: usize,
    /// Articles in those clusters.
    pub documents_in_clusters: usize,
    /// Distinct outlets.
    pub outlets: usize,
    /// Earliest and latest publication dates (as written).
    pub date_span: [Option<String>; 2],
    /// Segments.
    pub segments: Vec<format::SegmentInfo>,
    /// Bytes on disk (segments and manifest).
    pub bytes_on_disk: u64,
    /// `bytes_on_disk / documents`.
    pub bytes_per_document: f64,
    /// Bytes by kind, summed over segments.
    pub bytes_by_section: std::collections::BTreeMap<&'static str, u64>,
    /// Anonymous (heap) memory of this process per article, measured once the index is open
    /// (Linux `RssAnon`; `null` elsewhere): metadata, cluster ids and lookup maps. Texts, band
    /// keys, anchors and lines are memory-mapped, not copied, so the kernel can drop and
    /// re-read their pages.
    pub heap_bytes_per_document: Option<f64>,
}

/// `index stats`.
pub fn stats(dir: &Path) -> Result<Stats> {
    let index = Index::open(dir, false)?;
    index.verified()?;
    let n = index.len();
    let mut sizes: AHashMap<u32, usize> = AHashMap::new();
    for c in index.cluster_of.iter().flatten() {
        *sizes.entry(*c).or_default() += 1;
    }
    let mut outlets: AHashSet<Option<&str>> = AHashSet::new();
    let mut first: Option<(i64, &str)> = None;
    let mut last: Option<(i64, &str)> = None;
    for s in &index.segments {
        for d in &s.docs {
            outlets.insert(d.outlet.as_deref());
            if let (Some(t), Some(date)) = (d.timestamp, d.date.as_deref()) {
                if first.is_none_or(|f| t < f.0) {
                    first = Some((t, date));
                }
                if last.is_none_or(|l| t > l.0) {
                    last = Some((t, date));
                }
            }
        }
    }
    let heap = anonymous_memory();
    let mut by_section = std::collections::BTreeMap::new();
    for s in &index.segments {
        for (name, b) in s.section_bytes() {
            *by_section.entry(name).or_default() += b;
        }
    }
    let manifest_bytes = std::fs::metadata(dir.join(MANIFEST_FILE)).map(|m| m.len()).unwrap_or(0);
    let on_disk: u64 = index.segments.iter().map(Segment::file_bytes).sum::<u64>() + manifest_bytes;
    Ok(Stats {
        index: dir.display().to_string(),
        version: index.manifest.version,
        params: index.manifest.params.clone(),
        documents: n,
        clusters: sizes.values().filter(|&&s| s >= 2).count(),
        documents_in_clusters: sizes.values().filter(|&&s| s >= 2).sum(),
        outlets: outlets.len(),
        date_span: [first.map(|f| f.1.to_string()), last.map(|l| l.1.to_string())],
        segments: index.manifest.segments.clone(),
        bytes_on_disk: on_disk,
        bytes_per_document: if n == 0 { 0.0 } else { crate::output::report::round(on_disk as f64 / n as f64) },
        bytes_by_section: by_section,
        heap_bytes_per_document: heap.filter(|_| n > 0).map(|h| crate::output::report::round(h as f64 / n as f64)),
    })
}

/// This process's anonymous resident memory in bytes (`RssAnon` of `/proc/self/status`),
/// where the system reports it.
fn anonymous_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// What `index expire` did.
#[derive(Debug, Clone, Serialize)]
pub struct Expired {
    /// Articles removed.
    pub removed: usize,
    /// Articles kept.
    pub kept: usize,
    /// Segments rewritten without their expired articles.
    pub rewritten: usize,
    /// Segments deleted whole.
    pub deleted: usize,
    /// Bytes on disk before and after.
    pub bytes_before: u64,
    /// Bytes on disk after.
    pub bytes_after: u64,
    /// The cut-off: articles published (or, undated, added) before this were removed.
    pub cutoff: String,
}

/// `index expire`: removes articles published more than `older_than` seconds before `now`
/// (undated ones by the time their segment was written), rewriting the segments that held
/// them; nothing is changed until the new manifest is in place, and the old files are
/// deleted after.
pub fn expire(dir: &Path, older_than: i64, now: i64) -> Result<Expired> {
    let index = Index::open(dir, true)?;
    index.verified()?;
    let cutoff = now - older_than;
    let mut manifest = index.manifest.clone();
    manifest.segments.clear();
    let (mut removed, mut rewritten, mut deleted) = (0, 0, 0);
    let mut obsolete = Vec::new();
    let mut created: Vec<Pending> = Vec::new();
    let bytes_before: u64 = index.segments.iter().map(Segment::file_bytes).sum();
    let keeps: Vec<Vec<bool>> = index
        .segments
        .iter()
        .zip(&index.manifest.segments)
        .map(|(seg, info)| seg.docs.iter().map(|d| d.timestamp.unwrap_or(info.created) >= cutoff).collect())
        .collect();
    let serials = &index.serials;
    let kept_flat: Vec<bool> = keeps.iter().flatten().copied().collect();
    // An article that stays, by serial: its index number.
    let surviving = |serial: u64| serials.binary_search(&serial).ok().filter(|&g| kept_flat[g]);
    let result = (|| -> Result<()> {
        for (s, (seg, info)) in index.segments.iter().zip(&index.manifest.segments).enumerate() {
            let keep = &keeps[s];
            let kept = keep.iter().filter(|&&k| k).count();
            if kept == seg.docs.len() {
                manifest.segments.push(info.clone());
                continue;
            }
            removed += seg.docs.len() - kept;
            obsolete.push(dir.join(&info.file));
            // Cluster ids this segment recorded for older articles that stay are carried over
            // (as they stand now), or those articles would fall back to an earlier record.
            let own: AHashSet<u64> = seg.docs.iter().map(|d| d.serial).collect();
            let carried: Vec<(u64, Option<u32>)> = seg
                .assignments()
                .into_iter()
                .filter(|(serial, _)| !own.contains(serial))
                .filter_map(|(serial, _)| surviving(serial).map(|g| (serial, index.cluster_of[g])))
                .collect();
            if kept == 0 && carried.is_empty() {
                deleted += 1;
                continue;
            }
            rewritten += 1;
            let mut new_pos = vec![u32::MAX; seg.docs.len()];
            let mut out = NewSegment { docs: Vec::new(), texts: Vec::new(), lines: Vec::new(), bands: Vec::new(), anchors: Vec::new(), clusters: Vec::new() };
            for (i, d) in seg.docs.iter().enumerate() {
                if !keep[i] {
                    continue;
                }
                new_pos[i] = out.docs.len() as u32;
                out.docs.push(d.clone());
                let from = index.base[s] + i;
                out.texts.push(seg.text_frame(i).to_vec());
                let mut l = Vec::new();
                seg.lines(i, &mut l);
                out.lines.push(l);
                // The assignment in force now, so later segments' records need not be read.
                out.clusters.push((d.serial, index.cluster_of[from]));
            }
            out.bands = seg.band_records().into_iter().filter(|&(_, i)| keep[i as usize]).map(|(k, i)| (k, new_pos[i as usize])).collect();
            out.anchors = seg.anchor_records().into_iter().filter(|&(_, i)| keep[i as usize]).map(|(k, i)| (k, new_pos[i as usize])).collect();
            out.clusters.extend(carried);
            let file = format!("seg-{:08}.rpx", manifest.next_segment);
            manifest.next_segment += 1;
            created.push(Pending::new(&dir.join(&file)));
            let mut rewritten_info = out.write(dir, &file, "expire")?;
            // Undated articles keep ageing from when they were added.
            rewritten_info.created = info.created;
            manifest.segments.push(rewritten_info);
        }
        Ok(())
    })();
    if let Err(e) = result {
        for p in &created {
            let _ = std::fs::remove_file(p.path());
        }
        return Err(e);
    }
    let kept = index.len() - removed;
    let cutoff_text = chrono::DateTime::from_timestamp(cutoff, 0).map_or(cutoff.to_string(), |t| t.to_rfc3339());
    if removed == 0 {
        return Ok(Expired { removed, kept, rewritten, deleted, bytes_before, bytes_after: bytes_before, cutoff: cutoff_text });
    }
    manifest.generation += 1;
    manifest.writer = env!("CARGO_PKG_VERSION").to_string();
    manifest.write_committing(dir, created)?;
    drop(index);
    for p in obsolete {
        let _ = std::fs::remove_file(p);
    }
    let bytes_after = manifest.segments.iter().map(|s| s.bytes).sum();
    Ok(Expired { removed, kept, rewritten, deleted, bytes_before, bytes_after, cutoff: cutoff_text })
}
