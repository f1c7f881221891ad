//! Spilling: fixed-size per-article records (a band key and its document, a pair of
//! documents) sorted in runs on disk under a memory cap and merged back in order. The
//! building block of the memory budget (`docs/memory-budget.md`); no stage uses it yet.
//!
//! A [`SpillDir`] is one directory under the temporary directory, registered with
//! [`crate::engine::interrupt`] before it exists and removed when dropped, so its files go on
//! success, on error and on interrupt; it counts the bytes its files hold now and at most. A
//! [`Sorter`] keeps records in a buffer of at most its memory cap; a full buffer is sorted
//! and written as a run. [`Sorter::finish`] hands back every record in order: straight from
//! the buffer when nothing was spilled, else by a k-way merge of the runs, each read through
//! a buffer of its own and removed as soon as it is consumed. Records are totally ordered and
//! equal records are identical, so the sequence is the same whatever the cap: a budget that
//! forces spills changes nothing downstream.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::engine::interrupt::Pending;
use crate::error::{Error, Result};

/// Bytes each run is read through while merging: large enough that a merge reads its runs in
/// long sequential stretches, small enough that hundreds of runs fit a small budget.
pub const MERGE_READ_BUFFER: usize = 64 * 1024;

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
        let n = CREATED.fetch_add(1, Ordering::Relaxed);
        let path = parent.join(format!(".reprint-spill-{}-{n}", std::process::id()));
        let pending = Pending::new(&path);
        std::fs::create_dir_all(&path).map_err(|source| Error::Spill { path: path.clone(), source })?;
        Ok(SpillDir { path, _pending: pending, files: AtomicU64::new(0), now: AtomicU64::new(0), peak: AtomicU64::new(0) })
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

    fn new_file(&self) -> Result<(PathBuf, File)> {
        let path = self.path.join(format!("run-{:06}", self.files.fetch_add(1, Ordering::Relaxed)));
        let file = File::create(&path).map_err(|source| Error::Spill { path: path.clone(), source })?;
        Ok((path, file))
    }

    fn grew(&self, bytes: u64) {
        let now = self.now.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    fn shrank(&self, bytes: u64) {
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
}

/// Sorts records under a memory cap, spilling sorted runs into a [`SpillDir`].
pub struct Sorter<'d, R: SpillRecord> {
    dir: &'d SpillDir,
    buffer: Vec<R>,
    capacity: usize,
    runs: Vec<Run>,
}

impl<'d, R: SpillRecord> Sorter<'d, R> {
    /// A sorter holding at most `memory` bytes of records (at least one record) before it
    /// spills a run.
    pub fn new(dir: &'d SpillDir, memory: usize) -> Self {
        let capacity = (memory / std::mem::size_of::<R>().max(1)).max(1);
        Sorter { dir, buffer: Vec::new(), capacity, runs: Vec::new() }
    }

    /// Adds a record.
    pub fn push(&mut self, record: R) -> Result<()> {
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
        self.runs.push(Run { path: path.clone(), bytes });
        let mut out = BufWriter::with_capacity(MERGE_READ_BUFFER, file);
        let mut record = vec![0u8; R::BYTES];
        for r in &self.buffer {
            r.put(&mut record);
            out.write_all(&record).map_err(|source| Error::Spill { path: path.clone(), source })?;
        }
        out.flush().map_err(|source| Error::Spill { path, source })?;
        self.buffer.clear();
        Ok(())
    }

    /// Every record pushed, in order.
    pub fn finish(mut self) -> Result<Merged<'d, R>> {
        if self.runs.is_empty() {
            self.buffer.par_sort_unstable();
            let memory = std::mem::take(&mut self.buffer).into_iter();
            return Ok(Merged { dir: self.dir, memory, runs: Vec::new(), heads: BinaryHeap::new() });
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        self.buffer = Vec::new();
        let mut runs = Vec::with_capacity(self.runs.len());
        let mut heads = BinaryHeap::with_capacity(self.runs.len());
        for (i, run) in std::mem::take(&mut self.runs).into_iter().enumerate() {
            let file = File::open(&run.path).map_err(|source| Error::Spill { path: run.path.clone(), source })?;
            let mut reader = RunReader { run, reader: Some(BufReader::with_capacity(MERGE_READ_BUFFER, file)) };
            if let Some(first) = reader.next::<R>(self.dir)? {
                heads.push(Reverse((first, i)));
            }
            runs.push(reader);
        }
        Ok(Merged { dir: self.dir, memory: Vec::new().into_iter(), runs, heads })
    }
}

impl<R: SpillRecord> Drop for Sorter<'_, R> {
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
    /// `None` once the run is consumed and removed.
    reader: Option<BufReader<File>>,
}

impl RunReader {
    fn next<R: SpillRecord>(&mut self, dir: &SpillDir) -> Result<Option<R>> {
        let Some(reader) = self.reader.as_mut() else { return Ok(None) };
        let mut record = [0u8; 64];
        let record = &mut record[..R::BYTES];
        match reader.read_exact(record) {
            Ok(()) => Ok(Some(R::get(record))),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                self.remove(dir);
                Ok(None)
            }
            Err(source) => Err(Error::Spill { path: self.run.path.clone(), source }),
        }
    }

    fn remove(&mut self, dir: &SpillDir) {
        if self.reader.take().is_some() {
            let _ = std::fs::remove_file(&self.run.path);
            dir.shrank(self.run.bytes);
        }
    }
}

/// The records of a [`Sorter`], in order.
pub struct Merged<'d, R: SpillRecord> {
    dir: &'d SpillDir,
    memory: std::vec::IntoIter<R>,
    runs: Vec<RunReader>,
    heads: BinaryHeap<Reverse<(R, usize)>>,
}

impl<R: SpillRecord> Iterator for Merged<'_, R> {
    type Item = Result<R>;

    fn next(&mut self) -> Option<Result<R>> {
        if self.runs.is_empty() {
            return self.memory.next().map(Ok);
        }
        let Reverse((record, i)) = self.heads.pop()?;
        match self.runs[i].next::<R>(self.dir) {
            Ok(Some(following)) => self.heads.push(Reverse((following, i))),
            Ok(None) => {}
            Err(e) => return Some(Err(e)),
        }
        Some(Ok(record))
    }
}

impl<R: SpillRecord> Drop for Merged<'_, R> {
    fn drop(&mut self) {
        for run in &mut self.runs {
            run.remove(self.dir);
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

    fn sorted(dir: &SpillDir, input: &[(u64, u32)], memory: usize) -> (Vec<(u64, u32)>, usize) {
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
        let dir = SpillDir::create(parent.path()).unwrap();
        let input = records(10_000, 3);
        let mut want = input.clone();
        want.sort_unstable();
        // Unlimited: nothing spilled.
        let (all, runs) = sorted(&dir, &input, usize::MAX);
        assert_eq!((all.as_slice(), runs), (want.as_slice(), 0));
        assert_eq!(dir.peak_bytes(), 0);
        // 1,000 records a run: ten runs merged; one record a run: 10,000.
        for (memory, expected_runs) in [(1_000 * 16, 10), (1, 10_000)] {
            let (merged, runs) = sorted(&dir, &input, memory);
            assert_eq!(runs, expected_runs, "memory {memory}");
            assert_eq!(merged, want, "memory {memory}");
        }
        assert_eq!(dir.peak_bytes(), 10_000 * 12, "every record on disk once at the peak");
        assert_eq!(dir.bytes_now(), 0, "merged runs are removed");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn pairs_round_trip_through_runs() {
        let parent = tempfile::tempdir().unwrap();
        let dir = SpillDir::create(parent.path()).unwrap();
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
        let dir = SpillDir::create(parent.path()).unwrap();
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
