//! [`DocLists`]: per-document lists of fingerprints (shingle sets, anchors, distinct body
//! words) appended in document order and held in memory until they outgrow their allowance
//! of the budget ([`crate::engine::budget`]); then everything held so far, and every later
//! list, goes to one file of the temporary space, and lists are read back by positioned
//! reads (the page cache, not the process, keeps what is hot). Readers see the same lists
//! either way ([`Lists`]). A read that fails is remembered and reported by [`DocLists::check`]
//! after the stage, which then fails: [`Lists::list`] cannot return an error without every
//! comparison in the matching code handling one.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::engine::budget::{Held, TempSpace};
use crate::engine::spill::SpillDir;
use crate::error::{Error, Result};
use crate::text::lists::Lists;

/// Bytes of bookkeeping a held list costs besides its values (a boxed slice's pointer and
/// length), counted against the allowance.
const HELD_LIST_OVERHEAD: u64 = 16;

/// Bytes the file is written through.
const WRITE_BUFFER: usize = 1 << 20;

/// Lists by document number, in memory or on disk.
pub struct DocLists {
    kind: Held,
    allowance: u64,
    held: Vec<Box<[u64]>>,
    held_bytes: u64,
    /// End of each document's list in the file, in values (only once on disk).
    ends: Vec<u64>,
    disk: Option<Disk>,
    failed: Mutex<Option<Error>>,
}

struct Disk {
    dir: Arc<SpillDir>,
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    reader: Option<File>,
    bytes: u64,
}

impl DocLists {
    /// Empty lists of `kind`, held while within `allowance` bytes.
    pub fn new(kind: Held, allowance: u64) -> DocLists {
        DocLists { kind, allowance, held: Vec::new(), held_bytes: 0, ends: Vec::new(), disk: None, failed: Mutex::new(None) }
    }

    /// Lists held in memory whatever their size (built from a whole table, by `reprint cluster`).
    pub fn held(kind: Held, lists: Vec<Vec<u64>>) -> DocLists {
        let mut out = DocLists::new(kind, u64::MAX);
        out.held_bytes = lists.iter().map(|l| l.len() as u64 * 8 + HELD_LIST_OVERHEAD).sum();
        out.held = lists.into_iter().map(Vec::into_boxed_slice).collect();
        out
    }

    /// Appends the next document's list (held as it is, without a copy, when it fits);
    /// spills to `space` when the held lists outgrow the allowance.
    pub fn push(&mut self, list: Vec<u64>, space: &TempSpace) -> Result<()> {
        if self.disk.is_none() {
            self.held_bytes += list.len() as u64 * 8 + HELD_LIST_OVERHEAD;
            self.held.push(list.into_boxed_slice());
            if self.held_bytes > self.allowance {
                self.spill(space)?;
            }
            return Ok(());
        }
        self.write(&list)
    }

    /// Moves every held list to a file; later lists are appended to it.
    fn spill(&mut self, space: &TempSpace) -> Result<()> {
        let dir = space.dir()?;
        space.note_spill(self.kind);
        let (path, file) = dir.new_file()?;
        self.disk = Some(Disk { dir, path, writer: Some(BufWriter::with_capacity(WRITE_BUFFER, file)), reader: None, bytes: 0 });
        let held = std::mem::take(&mut self.held);
        self.held_bytes = 0;
        self.ends.reserve(held.len());
        for list in held {
            self.write(&list)?;
        }
        Ok(())
    }

    fn write(&mut self, list: &[u64]) -> Result<()> {
        let disk = self.disk.as_mut().expect("on disk");
        let writer = disk.writer.as_mut().expect("lists are appended before they are read");
        let mut bytes = Vec::with_capacity(list.len() * 8);
        for v in list {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        writer.write_all(&bytes).map_err(|source| Error::Spill { path: disk.path.clone(), source })?;
        disk.bytes += bytes.len() as u64;
        disk.dir.grew(bytes.len() as u64);
        let end = self.ends.last().copied().unwrap_or(0) + list.len() as u64;
        self.ends.push(end);
        Ok(())
    }

    /// Ends appending: a file is flushed and opened for reading.
    pub fn finish(&mut self) -> Result<()> {
        if let Some(disk) = self.disk.as_mut() {
            if let Some(writer) = disk.writer.take() {
                let err = |source| Error::Spill { path: disk.path.clone(), source };
                writer.into_inner().map_err(|e| err(e.into_error()))?;
                disk.reader = Some(File::open(&disk.path).map_err(err)?);
            }
        }
        Ok(())
    }

    /// Hands over the lists of documents `ds`, leaving held ones empty (so a stage that needs
    /// its own copy does not hold two).
    pub fn take_lists(&mut self, ds: &[u32]) -> Result<Vec<Vec<u64>>> {
        if self.disk.is_none() {
            return Ok(ds.iter().map(|&d| std::mem::take(&mut self.held[d as usize]).into_vec()).collect());
        }
        let out: Vec<Vec<u64>> = ds.par_iter().map(|&d| self.list(d).into_owned()).collect();
        self.check()?;
        Ok(out)
    }

    /// Frees the held lists of the documents not `needed` (they read as empty from then on);
    /// lists on disk stay where they are.
    pub fn keep_only(&mut self, needed: &[bool]) {
        if self.disk.is_none() {
            for (list, _) in self.held.iter_mut().zip(needed).filter(|(_, &keep)| !keep) {
                *list = Box::default();
            }
        }
    }

    /// Length of document `d`'s list, without reading it.
    pub fn len_of(&self, d: u32) -> usize {
        match &self.disk {
            None => self.held[d as usize].len(),
            Some(_) => (self.ends[d as usize] - if d == 0 { 0 } else { self.ends[d as usize - 1] }) as usize,
        }
    }

    /// Whether the lists went to disk.
    pub fn on_disk(&self) -> bool {
        self.disk.is_some()
    }

    /// The first failed read since the lists were finished, as an error.
    pub fn check(&self) -> Result<()> {
        match self.failed.lock().expect("lists").take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn read(&self, d: u32) -> std::io::Result<Vec<u64>> {
        let disk = self.disk.as_ref().expect("on disk");
        let reader = disk.reader.as_ref().ok_or_else(|| std::io::Error::other("lists read before they were finished"))?;
        let start = if d == 0 { 0 } else { self.ends[d as usize - 1] };
        let end = self.ends[d as usize];
        let mut bytes = vec![0u8; ((end - start) * 8) as usize];
        read_at(reader, &mut bytes, start * 8)?;
        Ok(bytes.chunks_exact(8).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes"))).collect())
    }
}

impl Lists for DocLists {
    fn count(&self) -> usize {
        if self.disk.is_some() {
            self.ends.len()
        } else {
            self.held.len()
        }
    }

    fn list(&self, d: u32) -> Cow<'_, [u64]> {
        if self.disk.is_none() {
            return Cow::Borrowed(&self.held[d as usize]);
        }
        match self.read(d) {
            Ok(v) => Cow::Owned(v),
            Err(source) => {
                let path = self.disk.as_ref().map(|x| x.path.clone()).unwrap_or_default();
                self.failed.lock().expect("lists").get_or_insert(Error::Spill { path, source });
                Cow::Owned(Vec::new())
            }
        }
    }
}

impl Drop for DocLists {
    fn drop(&mut self) {
        if let Some(disk) = self.disk.take() {
            drop(disk.writer);
            drop(disk.reader);
            let _ = std::fs::remove_file(&disk.path);
            disk.dir.shrank(disk.bytes);
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> Vec<Vec<u64>> {
        (0..200u64).map(|d| (0..(d * 7) % 23).map(|x| x * 1_000_003 + d).collect()).collect()
    }

    #[test]
    fn the_same_lists_held_or_on_disk() {
        let tmp = tempfile::tempdir().unwrap();
        let space = TempSpace::new(tmp.path());
        for allowance in [u64::MAX, 4096, 0] {
            let mut store = DocLists::new(Held::Sets, allowance);
            for l in lists() {
                store.push(l, &space).unwrap();
            }
            store.finish().unwrap();
            assert_eq!(store.on_disk(), allowance != u64::MAX, "allowance {allowance}");
            assert_eq!(store.count(), 200);
            assert!(lists().iter().enumerate().all(|(d, l)| store.len_of(d as u32) == l.len()));
            for (d, l) in lists().iter().enumerate() {
                assert_eq!(&*store.list(d as u32), &l[..], "document {d}, allowance {allowance}");
            }
            store.check().unwrap();
            store.keep_only(&(0..200).map(|d| d != 7).collect::<Vec<_>>());
            let seven = if store.on_disk() { lists()[7].clone() } else { Vec::new() };
            assert_eq!(&*store.list(7), &seven[..], "allowance {allowance}");
            assert_eq!(&*store.list(8), &lists()[8][..]);
            let taken = store.take_lists(&[3, 5]).unwrap();
            assert_eq!(taken, vec![lists()[3].clone(), lists()[5].clone()]);
        }
        let (spilled, peak) = space.usage();
        assert_eq!(spilled, vec!["sets"]);
        assert_eq!(peak, lists().iter().map(|l| l.len() as u64 * 8).sum::<u64>());
    }

    #[test]
    fn the_file_goes_with_the_lists() {
        let tmp = tempfile::tempdir().unwrap();
        let space = TempSpace::new(tmp.path());
        let mut store = DocLists::new(Held::Anchors, 0);
        store.push(vec![1, 2, 3], &space).unwrap();
        store.finish().unwrap();
        let dir = space.dir().unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        drop(store);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert_eq!(dir.bytes_now(), 0);
    }
}
