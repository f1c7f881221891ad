//! Spilling: fixed-size per-article records (a band key and its document, a pair of
//! documents) sorted in runs on disk under a memory cap and merged back in order. The
//! building block of the memory budget (`docs/memory-budget.md`): the anchors' postings go
//! through it when they outgrow their share, and so do the band keys (the signatures' place) and the furniture rule's lines.
//!
//! A [`SpillDir`] is one directory under the temporary directory, registered with
//! [`crate::engine::interrupt`] before it exists and removed when dropped, so its files go on
//! success, on error and on interrupt; it counts the bytes its files hold now and at most. A
//! [`Sorter`] keeps records in a buffer of at most its memory cap; a full buffer is sorted
//! and written as a run. [`Sorter::finish`] hands back every record in order: straight from
//! the buffer when nothing was spilled, else by a k-way merge of the runs, each read through
//! a buffer of its own and removed as soon as it is consumed. At most [`MERGE_FAN_IN`] runs
//! are open at once: beyond that, groups of runs are first merged into longer runs. Records
//! are totally ordered and equal records are identical, so the sequence is the same whatever
//! the cap: a budget that forces spills changes nothing downstream.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use crate::engine::interrupt::Pending;
use crate::error::{Error, Result};

/// Bytes each run is read through while merging: large enough that a merge reads its runs in
/// long sequential stretches, small enough that hundreds of runs fit a small budget.
pub const MERGE_READ_BUFFER: usize = 64 * 1024;

/// Runs merged at once, so open files and read buffers stay bounded (64 x 64 KiB = 4 MiB of
/// buffers) however many runs a small cap makes; more runs are merged in rounds.
pub const MERGE_FAN_IN: usize = 64;

/// A record that spills: a fixed number of bytes on disk and a total order.
pub trait SpillRecord: Copy + Ord + Send + Sync {
    /// Bytes a record takes on disk.
    const BYTES: usize;
    /// Writes the record into `out` (exactly [`Self::BYTES`] long).
    fn put(&self, out: &mut [u8]);
    /// Reads a record from `bytes` (exactly [`Self::BYTES`] long).
    fn get(bytes: &[u8]) -> Self;
}

/// A key and a document: a band key, an anchor, a story word, with the document holding it.
impl SpillRecord for (u64, u32) {
    const BYTES: usize = 12;
    fn put(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.0.to_le_bytes());
        out[8..12].copy_from_slice(&self.1.to_le_bytes());
    }
    fn get(b: &[u8]) -> Self {
        (u64::from_le_bytes(b[..8].try_into().expect("8 bytes")), u32::from_le_bytes(b[8..12].try_into().expect("4 bytes")))
    }
}

/// A band, a band key and the document holding it (`sketch::lsh::BandPosting`).
impl SpillRecord for (u32, u64, u32) {
    const BYTES: usize = 16;
    fn put(&self, out: &mut [u8]) {
        out[..4].copy_from_slice(&self.0.to_le_bytes());
        out[4..12].copy_from_slice(&self.1.to_le_bytes());
        out[12..16].copy_from_slice(&self.2.to_le_bytes());
    }
    fn get(b: &[u8]) -> Self {
        (
            u32::from_le_bytes(b[..4].try_into().expect("4 bytes")),
            u64::from_le_bytes(b[4..12].try_into().expect("8 bytes")),
            u32::from_le_bytes(b[12..16].try_into().expect("4 bytes")),
        )
    }
}

/// A line of a document as the furniture rule counts it (`text::furniture::LineEntry`): the
/// line's fingerprint, the outlet's number, the document and the line's words.
impl SpillRecord for (u64, u32, u32, u32) {
    const BYTES: usize = 20;
    fn put(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.0.to_le_bytes());
        out[8..12].copy_from_slice(&self.1.to_le_bytes());
        out[12..16].copy_from_slice(&self.2.to_le_bytes());
        out[16..20].copy_from_slice(&self.3.to_le_bytes());
    }
    fn get(b: &[u8]) -> Self {
        let word = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
        (u64::from_le_bytes(b[..8].try_into().expect("8 bytes")), word(8), word(12), word(16))
    }
}

/// A pair of documents.
impl SpillRecord for (u32, u32) {
    const BYTES: usize = 8;
    fn put(&self, out: &mut [u8]) {
        out[..4].copy_from_slice(&self.0.to_le_bytes());
        out[4..8].copy_from_slice(&self.1.to_le_bytes());
    }
    fn get(b: &[u8]) -> Self {
        (u32::from_le_bytes(b[..4].try_into().expect("4 bytes")), u32::from_le_bytes(b[4..8].try_into().expect("4 bytes")))
    }
}

/// A directory of spill files, removed with everything in it when dropped (and by the
/// interrupt watcher if the run is interrupted while it exists).
#[derive(Debug)]
pub struct SpillDir {
    path: PathBuf,
    _pending: Pending,
    files: AtomicU64,
    now: AtomicU64,
    peak: AtomicU64,
}

impl SpillDir {
    /// Creates a fresh directory in `parent` (the temporary directory).
    pub fn create(parent: &Path) -> Result<SpillDir> {
        /// Directories created by this process so far, so each gets a name of its own.
        static CREATED: AtomicU64 = AtomicU64::new(0);
        loop {
            let n = CREATED.fetch_add(1, Ordering::Relaxed);
            let path = parent.join(format!(".reprint-spill-{}-{n}", std::process::id()));
            let pending = Pending::new(&path);
            // A directory of that name left by a killed run with the same process id is not
            // ours to fill or remove: take the next name.
            match std::fs::create_dir(&path) {
                Ok(()) => {
                    let (files, now, peak) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
                    return Ok(SpillDir { path, _pending: pending, files, now, peak });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(source) => return Err(Error::Spill { path, source }),
            }
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes its files hold now.
    pub fn bytes_now(&self) -> u64 {
        self.now.load(Ordering::Relaxed)
    }

    /// The most bytes its files have held at once.
    pub fn peak_bytes(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    pub(crate) fn new_file(&self) -> Result<(PathBuf, File)> {
        let path = self.path.join(format!("run-{:06}", self.files.fetch_add(1, Ordering::Relaxed)));
        let file = File::create(&path).map_err(|source| Error::Spill { path: path.clone(), source })?;
        Ok((path, file))
    }

    pub(crate) fn grew(&self, bytes: u64) {
        let now = self.now.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    pub(crate) fn shrank(&self, bytes: u64) {
        self.now.fetch_sub(bytes, Ordering::Relaxed);
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A sorted run on disk.
#[derive(Debug)]
struct Run {
    path: PathBuf,
    bytes: u64,
    records: u64,
}

/// Records a sorter reserves in one go, at most: a cap above it (an unlimited sorter) grows
/// its buffer as records come.
const MAX_RESERVED: usize = 1 << 27;

/// Sorts records under a memory cap, spilling sorted runs into a [`SpillDir`].
pub struct Sorter<R: SpillRecord> {
    dir: Arc<SpillDir>,
    buffer: Vec<R>,
    capacity: usize,
    runs: Vec<Run>,
}

impl<R: SpillRecord> Sorter<R> {
    /// A sorter holding at most `memory` bytes of records (at least one record) before it
    /// spills a run.
    pub fn new(dir: &Arc<SpillDir>, memory: usize) -> Self {
        let capacity = (memory / std::mem::size_of::<R>().max(1)).max(1);
        Sorter { dir: Arc::clone(dir), buffer: Vec::new(), capacity, runs: Vec::new() }
    }

    /// Adds a record.
    pub fn push(&mut self, record: R) -> Result<()> {
        if self.buffer.capacity() == 0 && self.capacity <= MAX_RESERVED {
            // The whole cap at once: grown by doubling, the buffer could take twice the cap.
            self.buffer.reserve_exact(self.capacity);
        }
        self.buffer.push(record);
        if self.buffer.len() >= self.capacity {
            self.spill()?;
        }
        Ok(())
    }

    /// Runs written so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> Result<()> {
        self.buffer.par_sort_unstable();
        let (path, file) = self.dir.new_file()?;
        let bytes = (self.buffer.len() * R::BYTES) as u64;
        // Registered before it is written, so a failed write still counts until removed.
        self.dir.grew(bytes);
        self.runs.push(Run { path: path.clone(), bytes, records: self.buffer.len() as u64 });
        write_run(file, &path, self.buffer.iter().copied())?;
        self.buffer.clear();
        Ok(())
    }

    /// Every record pushed, in order.
    pub fn finish(mut self) -> Result<Merged<R>> {
        if self.runs.is_empty() {
            self.buffer.par_sort_unstable();
            let memory = std::mem::take(&mut self.buffer).into_iter();
            return Ok(Merged { dir: Arc::clone(&self.dir), memory, runs: Vec::new(), heads: BinaryHeap::new(), failed: false });
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        self.buffer = Vec::new();
        // Rounds: the first MERGE_FAN_IN runs into one longer run at the end, until few
        // enough are left. Runs of records in order stay in order, so the result is the same.
        while self.runs.len() > MERGE_FAN_IN {
            let group: Vec<Run> = self.runs.drain(..MERGE_FAN_IN).collect();
            let records: u64 = group.iter().map(|r| r.records).sum();
            let merged = Merged::<R>::open(Arc::clone(&self.dir), group)?;
            let (path, file) = self.dir.new_file()?;
            let bytes = records * R::BYTES as u64;
            self.dir.grew(bytes);
            self.runs.push(Run { path: path.clone(), bytes, records });
            merged.consume(|records| write_run(file, &path, records))??;
        }
        Merged::open(Arc::clone(&self.dir), std::mem::take(&mut self.runs))
    }
}

/// Writes `records` into `file`, a new run at `path`.
fn write_run<R: SpillRecord>(file: File, path: &Path, records: impl Iterator<Item = R>) -> Result<()> {
    let mut out = BufWriter::with_capacity(MERGE_READ_BUFFER, file);
    let mut record = vec![0u8; R::BYTES];
    for r in records {
        r.put(&mut record);
        out.write_all(&record).map_err(|source| Error::Spill { path: path.to_path_buf(), source })?;
    }
    out.flush().map_err(|source| Error::Spill { path: path.to_path_buf(), source })
}

impl<R: SpillRecord> Drop for Sorter<R> {
    fn drop(&mut self) {
        for run in self.runs.drain(..) {
            let _ = std::fs::remove_file(&run.path);
            self.dir.shrank(run.bytes);
        }
    }
}

/// One run being merged.
struct RunReader {
    run: Run,
    /// `None` until opened, and again once the run is consumed and removed.
    reader: Option<BufReader<File>>,
    /// Records not read yet: a run that ends before them is damaged, not finished.
    left: u64,
    removed: bool,
    record: Vec<u8>,
}

impl RunReader {
    fn new<R: SpillRecord>(run: Run) -> Self {
        let left = run.records;
        RunReader { run, reader: None, left, removed: false, record: vec![0u8; R::BYTES] }
    }

    fn open(&mut self) -> Result<()> {
        let file = File::open(&self.run.path).map_err(|source| Error::Spill { path: self.run.path.clone(), source })?;
        self.reader = Some(BufReader::with_capacity(MERGE_READ_BUFFER, file));
        Ok(())
    }

    fn next<R: SpillRecord>(&mut self, dir: &SpillDir) -> Result<Option<R>> {
        if self.left == 0 {
            self.remove(dir);
            return Ok(None);
        }
        let Some(reader) = self.reader.as_mut() else { return Ok(None) };
        reader.read_exact(&mut self.record).map_err(|source| Error::Spill { path: self.run.path.clone(), source })?;
        self.left -= 1;
        Ok(Some(R::get(&self.record)))
    }

    fn remove(&mut self, dir: &SpillDir) {
        self.reader = None;
        if !self.removed {
            self.removed = true;
            let _ = std::fs::remove_file(&self.run.path);
            dir.shrank(self.run.bytes);
        }
    }
}

/// The records of a [`Sorter`], in order.
pub struct Merged<R: SpillRecord> {
    dir: Arc<SpillDir>,
    memory: std::vec::IntoIter<R>,
    runs: Vec<RunReader>,
    heads: BinaryHeap<Reverse<(R, usize)>>,
    /// A run could not be read: the sequence ends after the error.
    failed: bool,
}

impl<R: SpillRecord> Merged<R> {
    /// Hands every record, in order, to `consume` and returns what it makes of them, unless a
    /// run could not be read: the records then stop short and the error is returned instead.
    pub fn consume<T>(self, consume: impl FnOnce(&mut dyn Iterator<Item = R>) -> T) -> Result<T> {
        let mut failure = None;
        let made = consume(&mut self.map_while(|r| r.map_err(|e| failure = Some(e)).ok()));
        match failure {
            Some(e) => Err(e),
            None => Ok(made),
        }
    }

    /// Opens `runs` for merging. They belong to the merge from here on: an error on the way
    /// removes them all (its `Drop`).
    fn open(dir: Arc<SpillDir>, runs: Vec<Run>) -> Result<Self> {
        let runs: Vec<RunReader> = runs.into_iter().map(RunReader::new::<R>).collect();
        let heads = BinaryHeap::with_capacity(runs.len());
        let mut merged = Merged { dir, memory: Vec::new().into_iter(), runs, heads, failed: false };
        for i in 0..merged.runs.len() {
            merged.runs[i].open()?;
            if let Some(first) = merged.runs[i].next::<R>(&merged.dir)? {
                merged.heads.push(Reverse((first, i)));
            }
        }
        Ok(merged)
    }
}

impl<R: SpillRecord> Iterator for Merged<R> {
    type Item = Result<R>;

    fn next(&mut self) -> Option<Result<R>> {
        if self.runs.is_empty() {
            return self.memory.next().map(Ok);
        }
        if self.failed {
            return None;
        }
        let Reverse((record, i)) = self.heads.pop()?;
        match self.runs[i].next::<R>(&self.dir) {
            Ok(Some(following)) => self.heads.push(Reverse((following, i))),
            Ok(None) => {}
            Err(e) => {
                self.failed = true;
                return Some(Err(e));
            }
        }
        Some(Ok(record))
    }
}

impl<R: SpillRecord> Drop for Merged<R> {
    fn drop(&mut self) {
        for run in &mut self.runs {
            run.remove(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::minhash::SplitMix64;

    fn records(n: usize, seed: u64) -> Vec<(u64, u32)> {
        let mut rng = SplitMix64::new(seed);
        // Few distinct keys, so equal keys (and equal records) meet across runs.
        (0..n).map(|_| (rng.next_u64() % 97, (rng.next_u64() % 1000) as u32)).collect()
    }

    fn sorted(dir: &Arc<SpillDir>, input: &[(u64, u32)], memory: usize) -> (Vec<(u64, u32)>, usize) {
        let mut sorter = Sorter::new(dir, memory);
        for &r in input {
            sorter.push(r).unwrap();
        }
        let runs = sorter.runs();
        (sorter.finish().unwrap().map(Result::unwrap).collect(), runs)
    }

    #[test]
    fn the_order_does_not_depend_on_the_memory_cap() {
        let parent = tempfile::tempdir().unwrap();
        let dir = Arc::new(SpillDir::create(parent.path()).unwrap());
        let input = records(10_000, 3);
        let mut want = input.clone();
        want.sort_unstable();
        // Unlimited: nothing spilled.
        let (all, runs) = sorted(&dir, &input, usize::MAX);
        assert_eq!((all.as_slice(), runs), (want.as_slice(), 0));
        assert_eq!(dir.peak_bytes(), 0);
        // 1,000 records a run: ten runs merged at once, every record on disk once at the peak.
        let (merged, runs) = sorted(&dir, &input, 1_000 * 16);
        assert_eq!((merged.as_slice(), runs), (want.as_slice(), 10));
        assert_eq!(dir.peak_bytes(), 10_000 * 12);
        // Ten records a run: 1,000 runs, merged in rounds of MERGE_FAN_IN first.
        let (merged, runs) = sorted(&dir, &input, 10 * 16);
        assert_eq!((merged.as_slice(), runs), (want.as_slice(), 1_000));
        assert_eq!(dir.bytes_now(), 0, "merged runs are removed");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_damaged_run_is_an_error_not_an_early_end() {
        let parent = tempfile::tempdir().unwrap();
        let dir = Arc::new(SpillDir::create(parent.path()).unwrap());
        let mut sorter = Sorter::new(&dir, 10 * 16);
        for r in records(100, 4) {
            sorter.push(r).unwrap();
        }
        assert_eq!(sorter.runs(), 10);
        let damaged = dir.path().join("run-000003");
        std::fs::OpenOptions::new().write(true).open(&damaged).unwrap().set_len(5 * 12 + 7).unwrap();
        let results: Vec<Result<(u64, u32)>> = sorter.finish().unwrap().collect();
        let errors = results.iter().filter(|r| r.is_err()).count();
        assert_eq!(errors, 1, "one error, then the sequence ends");
        assert!(results.last().unwrap().is_err());
        assert!(results.len() < 100);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert_eq!(dir.bytes_now(), 0);
    }

    #[test]
    fn pairs_round_trip_through_runs() {
        let parent = tempfile::tempdir().unwrap();
        let dir = Arc::new(SpillDir::create(parent.path()).unwrap());
        let mut rng = SplitMix64::new(5);
        let input: Vec<(u32, u32)> = (0..5_000).map(|_| (rng.next_u64() as u32, rng.next_u64() as u32)).collect();
        let mut sorter = Sorter::new(&dir, 700 * 8);
        for &p in &input {
            sorter.push(p).unwrap();
        }
        let merged: Vec<(u32, u32)> = sorter.finish().unwrap().map(Result::unwrap).collect();
        let mut want = input;
        want.sort_unstable();
        assert_eq!(merged, want);
    }

    #[test]
    fn files_go_when_a_merge_stops_early_and_the_directory_when_dropped() {
        let parent = tempfile::tempdir().unwrap();
        let dir = Arc::new(SpillDir::create(parent.path()).unwrap());
        let path = dir.path().to_path_buf();
        let mut sorter = Sorter::new(&dir, 100 * 16);
        for r in records(1_000, 9) {
            sorter.push(r).unwrap();
        }
        let mut merged = sorter.finish().unwrap();
        assert!(merged.next().is_some());
        assert!(std::fs::read_dir(&path).unwrap().count() > 1, "runs on disk while merging");
        drop(merged);
        assert_eq!(std::fs::read_dir(&path).unwrap().count(), 0);
        assert_eq!(dir.bytes_now(), 0);
        // A sorter dropped before it finishes removes its runs too.
        let mut sorter = Sorter::new(&dir, 16);
        for r in records(50, 1) {
            sorter.push(r).unwrap();
        }
        drop(sorter);
        assert_eq!(std::fs::read_dir(&path).unwrap().count(), 0);
        drop(dir);
        assert!(!path.exists());
    }
}
