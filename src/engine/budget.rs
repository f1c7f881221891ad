//! The memory budget (`--memory`, `--temp-dir`) and the temporary space it spills to.
//!
//! A [`Budget`] (part of the configuration, `crate::config`, so that reading does not depend
//! on the engine) is a number of bytes the run may hold, split into allowances for the kinds
//! of per-article state that can leave memory ([`Held`]): a kind held within its allowance
//! stays in memory; one that outgrows it moves to a file under the temporary space and is
//! read back from there ([`crate::engine::lists::DocLists`], the re-read of the inputs in
//! `pipeline::sign_stage`). Where state lives never changes what it holds, so outputs are
//! the same for any budget. The [`TempSpace`] creates its directory only when something
//! first spills, removes it on success, error and interrupt ([`crate::engine::spill::SpillDir`]),
//! and counts the bytes its files held at most, for `run.json`. `docs/memory-budget.md` has
//! the design and what is still held whatever the budget.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

pub use crate::config::{Budget, ENGINE_OVERHEAD};
use crate::engine::spill::SpillDir;
use crate::error::Result;

/// Kinds of per-article state that leave memory when they outgrow their allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Word fingerprints of every document between reading and signing (8 bytes a word, the
    /// largest: 5.0 KB an article on the speed benchmark's dump). Over the allowance, they
    /// are dropped and the inputs are read a second time for signing.
    Words,
    /// Every document's lines as the furniture rule counts them (a fingerprint, the outlet,
    /// the document and the line's words: 24 bytes a distinct line of a document), while the
    /// rule counts them. Over the allowance they are sorted in runs on disk.
    Lines,
    /// Shingle sets, from signing to verification (4.7 KB an article).
    Sets,
    /// Distinct body words, from signing to the story terms (2.8 KB an article).
    StoryWords,
    /// Winnowed anchors, from signing to the candidate stage (1.1 KB an article).
    Anchors,
    /// MinHash signatures of the documents that represent a distinct set, for banding (4 bytes
    /// a permutation: 512 bytes an article at 128). Over the allowance they are made chunk by
    /// chunk and each band's key goes to sorted runs on disk, 16 bytes a band.
    BandKeys,
    /// Texts of the documents the passage stage aligns, read again from the inputs (3.7 KB
    /// for each document in a verified pair). Over the allowance they are read in waves, one
    /// reading of the inputs each.
    Texts,
}

impl Held {
    /// Share of the budget this kind may hold. Words are gone before the next three exist
    /// in full (signing turns one into the others chunk by chunk), and the three are held
    /// together, so their shares sum to 0.6 with 0.4 left for what is held whatever the budget
    /// (metadata, furniture, story terms, the stage running now); the band keys' 0.2 comes
    /// out of that 0.4 for the candidate stage alone, and the lines' 0.2 for the furniture
    /// rule alone (beside the words). The texts come after the
    /// anchors and story words are gone, beside the sets only for `dedup`. The split follows
    /// the sizes measured on the speed benchmark's dump (ARCHITECTURE.md, "Per-article
    /// state").
    pub fn share(self) -> f64 {
        match self {
            Held::Words => 0.5,
            Held::Lines => 0.2,
            Held::Sets => 0.3,
            Held::StoryWords => 0.2,
            Held::Anchors => 0.1,
            Held::BandKeys => 0.2,
            Held::Texts => 0.3,
        }
    }

    /// The bytes this kind may hold in memory under `budget`: its share of what the engine's
    /// overhead and the state held whatever the budget leave ([`Budget::working`]), so under
    /// the smallest budget that works every kind goes to disk.
    pub fn allowance(self, budget: &Budget) -> u64 {
        (budget.working() as f64 * self.share()) as u64
    }

    /// Name in `run.json`.
    pub fn name(self) -> &'static str {
        match self {
            Held::Words => "words",
            Held::Lines => "lines",
            Held::Sets => "sets",
            Held::StoryWords => "story_words",
            Held::Anchors => "anchors",
            Held::BandKeys => "band_keys",
            Held::Texts => "texts",
        }
    }
}

/// The run's temporary space: one spill directory under the budget's `temp_dir`, made when
/// first asked for.
#[derive(Debug)]
pub struct TempSpace {
    parent: PathBuf,
    dir: Mutex<Option<Arc<SpillDir>>>,
    /// Kinds of state that left memory, in the order they did.
    spilled: Mutex<Vec<&'static str>>,
    /// Readings of the inputs for the passage stage's texts.
    text_readings: std::sync::atomic::AtomicUsize,
    /// Waves of texts the passage stage fetched.
    text_waves: std::sync::atomic::AtomicUsize,
}

impl TempSpace {
    /// A temporary space under `parent`; nothing is created yet.
    pub fn new(parent: &Path) -> TempSpace {
        TempSpace { parent: parent.to_path_buf(), dir: Mutex::new(None), spilled: Mutex::new(Vec::new()), text_readings: Default::default(), text_waves: Default::default() }
    }

    /// The spill directory, created on first use.
    pub fn dir(&self) -> Result<Arc<SpillDir>> {
        let mut dir = self.dir.lock().expect("temporary space");
        if let Some(d) = dir.as_ref() {
            return Ok(d.clone());
        }
        let created = Arc::new(SpillDir::create(&self.parent)?);
        *dir = Some(created.clone());
        Ok(created)
    }

    /// Records that `kind` left memory.
    pub fn note_spill(&self, kind: Held) {
        let mut s = self.spilled.lock().expect("temporary space");
        if !s.contains(&kind.name()) {
            s.push(kind.name());
        }
    }

    /// Counts `n` more readings of the inputs for texts.
    pub fn note_text_readings(&self, n: usize) {
        self.text_readings.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Counts one more wave of texts fetched.
    pub fn note_text_wave(&self) {
        self.text_waves.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// What this space was used for: the kinds that left memory (in the order they did) and
    /// the most bytes its files held at once.
    pub fn usage(&self) -> (Vec<&'static str>, u64) {
        let peak = self.dir.lock().expect("temporary space").as_ref().map_or(0, |d| d.peak_bytes());
        (self.spilled.lock().expect("temporary space").clone(), peak)
    }
}

/// The budget as `run.json` records it (`memory`).
#[derive(Debug, Clone, Serialize)]
pub struct MemoryInfo {
    /// The budget in bytes.
    pub budget: u64,
    /// `given` with `--memory`, else `default` (a share of the machine's memory).
    pub budget_from: &'static str,
    /// Kinds of per-article state that outgrew their allowance and went to disk (`words`:
    /// the inputs were read a second time for signing; `texts`: the passage stage read them
    /// in more than one wave).
    pub spilled: Vec<&'static str>,
    /// Most bytes the temporary files held at once (0 when nothing spilled).
    pub temp_peak_bytes: u64,
    /// Waves in which the passage stage fetched its texts: one when they fit the budget (the
    /// origin links reuse them), more under a small budget.
    pub text_waves: usize,
    /// Times those waves read inputs through for texts: records of plain JSONL files are read
    /// where they are, so only compressed files, standard input, `.txt` articles and an
    /// index's articles take a reading (one a wave that needs them).
    pub text_readings: usize,
}

impl MemoryInfo {
    /// What `budget` and `space` did.
    pub fn of(budget: &Budget, space: &TempSpace) -> MemoryInfo {
        let (spilled, temp_peak_bytes) = space.usage();
        MemoryInfo {
            budget: budget.bytes,
            budget_from: if budget.given { "given" } else { "default" },
            spilled,
            temp_peak_bytes,
            text_waves: space.text_waves.load(std::sync::atomic::Ordering::Relaxed),
            text_readings: space.text_readings.load(std::sync::atomic::Ordering::Relaxed),
        }
    }
}
