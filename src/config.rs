//! Validated run configuration.
//!
//! The binary turns raw command-line flags into a [`ScanConfig`] here, in one place; every
//! field is documented and [`ScanConfig::default`] lists them all. [`ScanConfig::validate`]
//! rejects bad values and bad combinations with a message that names the flag to change, so
//! the pipeline itself never has to second-guess its parameters.

use std::path::PathBuf;

use serde::Serialize;

use crate::error::{Error, Result};

/// Default shingle width in words.
///
/// Chosen by measurement (`tools/sweep_shingle.sh`, table in `BENCHMARKS.md`): on 20,000
/// generated copies of real Reuters stories with random word edits, at threshold 0.5,
/// pairwise precision rises with k (3-grams 0.93-0.94, 4-grams 0.97-0.98, 5-grams 0.985-0.987,
/// 7-grams 0.995) because formulaic newswire phrasing is shared between unrelated stories,
/// while recall falls (every edited word removes k shingles). 4-grams have the best F1 on
/// lightly edited copies, but a wrongly merged article is one a dedup pass deletes, so the
/// default is the narrowest width with precision of at least 0.985 on both edit levels.
pub const DEFAULT_SHINGLE: usize = 5;

/// Default number of MinHash permutations: 128 is the field's common setting (datasketch,
/// rensa, gaoya benchmarks), with a standard error of about 0.044 at Jaccard 0.5.
pub const DEFAULT_PERMS: usize = 128;

/// Default Jaccard threshold for a verified near-duplicate edge.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// Default containment threshold (`--containment`): a pair whose smaller side has at least
/// this share of its shingles inside the larger one is a containment copy (a truncated copy,
/// or a whole story inside a longer article) and joins its cluster even when Jaccard is low.
/// Measured with `tools/bench_reuse.sh` (table in `BENCHMARKS.md`): lowering it from 0.9 to
/// 0.5 trades pairwise precision (0.966 to 0.946) for recall (0.774 to 0.805). 0.6 is the
/// setting with the best F1 among those keeping precision at 0.95 or more (a wrongly merged
/// article is one a dedup pass would delete).
pub const DEFAULT_CONTAINMENT: f64 = 0.6;

/// Largest permutation count accepted; beyond this signatures cost more than exact sets.
pub const MAX_PERMS: usize = 4096;

/// Largest shingle width accepted; wider shingles make every edit fatal to matching.
pub const MAX_SHINGLE: usize = 64;

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum InputSpec {
    /// A file (JSONL, plain/gzip/zstd, or a `.txt` article) or a directory to walk.
    Path(PathBuf),
    /// JSONL from standard input (`-` on the command line).
    Stdin,
}

impl InputSpec {
    /// How the input is named in messages and outputs.
    pub fn display(&self) -> String {
        match self {
            InputSpec::Path(p) => p.display().to_string(),
            InputSpec::Stdin => "-".to_string(),
        }
    }
}

/// Which JSON fields hold what. `None` means "try the defaults in order".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldMap {
    /// `--id-field`; defaults: `id`, `_id`, `doc_id`; else `FILE:LINE`.
    pub id: Option<String>,
    /// `--text-field`; defaults: `text`, `maintext` (news-please), `content`, `body`.
    pub text: Option<String>,
    /// `--title-field`; defaults: `title`, `headline`.
    pub title: Option<String>,
    /// `--outlet-field`; defaults: `outlet`, `source`, `source_domain`, `domain`, `hostname`,
    /// else the host of the URL.
    pub outlet: Option<String>,
    /// `--date-field`; defaults: `date`, `date_publish` (news-please), `published`,
    /// `published_at`, `publish_date`, `pubDate`.
    pub date: Option<String>,
    /// `--url-field`; defaults: `url`, `link`, `canonical_url`.
    pub url: Option<String>,
}

/// LSH banding: `bands` bands of `rows` signature values each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Banding {
    /// Number of bands; a pair becomes a candidate when any band matches.
    pub bands: usize,
    /// Signature values per band; all must match for the band to match.
    pub rows: usize,
}

/// Default `--min-containment` of `reprint dedup`: a near-duplicate is removed only when at
/// least half of its shingles are in the article kept in its place. Every pair at the default
/// Jaccard threshold qualifies (Jaccard is never above either containment), while an article
/// that quotes a wire story inside mostly its own text (an excerpt) is kept.
pub const DEFAULT_MIN_CONTAINMENT: f64 = 0.5;

/// Which member of a duplicate group `reprint dedup` keeps (`--keep`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum KeepRule {
    /// The group's origin (earliest, then wire byline, then longest; see [`crate::matching::reuse`]).
    #[default]
    Origin,
    /// The earliest dated member (undated last), then the origin order.
    Earliest,
    /// The member with the most body words, then the origin order.
    Longest,
    /// The first member in input order.
    First,
}

/// Which pairs may cost an article its place (`--same-outlet-only`, `--cross-outlet-only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OutletScope {
    /// Any pair.
    #[default]
    Any,
    /// Only duplicates from the kept article's own outlet (re-sent or re-scraped pages).
    SameOutlet,
    /// Only duplicates from other outlets (syndication).
    CrossOutlet,
}

/// What `reprint dedup` removes and what it keeps in its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DedupPolicy {
    /// The rule choosing the kept member (`--keep`).
    pub keep: KeepRule,
    /// Outlets preferred as the kept member, highest priority first (`--prefer-outlet`);
    /// the rule breaks ties among them.
    pub prefer_outlets: Vec<String>,
    /// Smallest share of a near-duplicate's shingles found in the kept article for it to be
    /// removed (`--min-containment`).
    pub min_containment: f64,
    /// Which pairs count.
    pub scope: OutletScope,
}

impl Default for DedupPolicy {
    fn default() -> Self {
        DedupPolicy {
            keep: KeepRule::Origin,
            prefer_outlets: Vec::new(),
            min_containment: DEFAULT_MIN_CONTAINMENT,
            scope: OutletScope::Any,
        }
    }
}

/// Largest record read by default (`--max-doc-bytes`), in bytes: 8 MiB. A news article is
/// rarely over 100 KB and the longest real ones (live blogs, full reports) stay under a few
/// megabytes; what scraped dumps hold above that is concatenated pages or binary junk, and
/// one such record of gigabytes would hold its words (about 16 bytes each while tokenised)
/// in memory. Larger records are skipped as `too_large` without being read into memory.
pub const DEFAULT_MAX_DOC_BYTES: u64 = 8 << 20;

/// Clusters shown in the review report by default: the page opens at once with this many and
/// stays a few megabytes for news-length articles; the JSONL outputs always list them all.
pub const DEFAULT_REPORT_LIMIT: usize = 1000;

/// Share of the machine's memory a run may use when `--memory` is not given: half, so the
/// page cache (which keeps re-read inputs and spill files fast) and the rest of the machine
/// keep the other half.
pub const DEFAULT_SHARE_OF_MEMORY: f64 = 0.5;

/// Budget assumed when the machine's memory cannot be read (not Linux): 4 GiB, what most
/// laptops can spare.
pub const FALLBACK_BUDGET: u64 = 4 << 30;

/// What a run holds whatever its inputs: the program, its allocator and thread stacks (16 MB
/// peak for a scan of the sample corpus, `/usr/bin/time`), and the records read ahead while
/// the last batch is parsed (two batches of 2,048: 15 MB of the speed benchmark's 3.7 KB
/// articles; a scan of 800 of them under the smallest budget peaked at 33 MB). No budget
/// below it can be kept; the allowances for per-article state are shares of what is left.
pub const ENGINE_OVERHEAD: u64 = 32 << 20;

/// The bytes a run may hold and where it spills.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Bytes.
    pub bytes: u64,
    /// Whether `--memory` gave it (else the default share of the machine's memory).
    pub given: bool,
    /// Where spill files go (`--temp-dir`; the system's temporary directory by default).
    pub temp_dir: PathBuf,
    /// Bytes held whatever the budget (the articles' metadata and fixed figures), known once
    /// the inputs are read: what the allowances cannot have.
    pub reserved: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { bytes: default_bytes(), given: false, temp_dir: std::env::temp_dir(), reserved: 0 }
    }
}

impl Budget {
    /// A budget of `bytes` (from `--memory`), spilling under `temp_dir` (or the default).
    pub fn given(bytes: u64, temp_dir: Option<PathBuf>) -> Budget {
        Budget { bytes, given: true, temp_dir: temp_dir.unwrap_or_else(std::env::temp_dir), reserved: 0 }
    }

    /// Bytes left for per-article state that can leave memory: the budget less
    /// [`ENGINE_OVERHEAD`] and what is [`reserved`](Budget::reserved).
    pub fn working(&self) -> u64 {
        self.bytes.saturating_sub(ENGINE_OVERHEAD + self.reserved)
    }

    /// The error for a given budget below `ENGINE_OVERHEAD + held`, where `held` bytes are
    /// held whatever the budget by `articles` articles (0 before any is read).
    pub fn check(&self, held: u64, articles: usize) -> Result<()> {
        let smallest = ENGINE_OVERHEAD + held;
        if !self.given || self.bytes >= smallest {
            return Ok(());
        }
        let overhead = size_arg(ENGINE_OVERHEAD);
        let message = if articles == 0 {
            format!(
                "no budget below {overhead} works (the program and its read buffers take that; the articles' metadata \
                 and fixed figures come on top)"
            )
        } else {
            // Rounded up to a whole KiB: under exactly that, every kind of state that can go
            // to disk does.
            let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64);
            let smallest = smallest.div_ceil(1 << 10) << 10;
            format!(
                "the smallest budget that works here is {} ({}: the program and its read buffers take {overhead}, and the \
                 metadata and fixed figures of these {articles} articles {} whatever the budget)",
                size_arg(smallest),
                mib(smallest),
                mib(held)
            )
        };
        Err(Error::MemoryTooSmall { given: size_arg(self.bytes), message })
    }
}

/// Bytes as `--memory` takes them: `512M`, `4G`, `64K`, whole units where they divide.
pub fn size_arg(bytes: u64) -> String {
    for (unit, scale) in [("G", 1u64 << 30), ("M", 1 << 20), ("K", 1 << 10)] {
        if bytes >= scale && bytes % scale == 0 {
            return format!("{}{unit}", bytes / scale);
        }
    }
    if bytes >= 1 << 20 {
        return format!("{}M", bytes.div_ceil(1 << 20));
    }
    bytes.to_string()
}

/// The default budget: [`DEFAULT_SHARE_OF_MEMORY`] of the machine's memory (or of the
/// control group's limit, in a container that has one), else [`FALLBACK_BUDGET`].
pub fn default_bytes() -> u64 {
    match physical_memory() {
        Some(m) => (m as f64 * DEFAULT_SHARE_OF_MEMORY) as u64,
        None => FALLBACK_BUDGET,
    }
}

/// Memory of the machine, or of the control group when it is limited below that.
fn physical_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 = meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    let total = kb * 1024;
    let limit = std::fs::read_to_string("/sys/fs/cgroup/memory.max").ok().and_then(|s| s.trim().parse::<u64>().ok());
    Some(limit.map_or(total, |l| l.min(total)))
}

/// Everything `reprint scan` needs to run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanConfig {
    /// Inputs in the order given; documents are numbered in this order.
    pub inputs: Vec<InputSpec>,
    /// Output directory (`-o`); created if missing.
    pub outdir: PathBuf,
    /// JSON field mapping.
    pub fields: FieldMap,
    /// Shingle width in words (`--shingle`).
    pub shingle: usize,
    /// MinHash permutations (`--perms`).
    pub perms: usize,
    /// Jaccard threshold for a verified edge (`--threshold`).
    pub threshold: f64,
    /// Containment threshold for a containment edge (`--containment`).
    pub containment: f64,
    /// Explicit banding (`--bands` and `--rows`), or `None` to derive it from the threshold.
    pub banding: Option<Banding>,
    /// Detect and set aside page furniture (`--no-furniture` turns it off).
    pub furniture: bool,
    /// Similarity threshold of a story edge (`--story-threshold`): shared term weight over the
    /// union's weight plus `story::PRIOR_WEIGHT`.
    pub story_threshold: f64,
    /// A story's dated articles all lie within this many seconds (`--story-window 5d`);
    /// `None` for no limit.
    pub story_window: Option<i64>,
    /// Any skipped document or unreadable input is an error, and nothing is written
    /// (`--strict`).
    pub strict: bool,
    /// Records (JSONL lines, `.txt` files) larger than this many bytes are skipped as
    /// `too_large` (`--max-doc-bytes`).
    pub max_doc_bytes: u64,
    /// Most clusters shown in `report.html` (`--report-limit`); 0 writes no report.
    pub report_limit: usize,
    /// Whether stories are grouped (`--no-stories` turns it off: no story terms are kept, no
    /// `stories.jsonl` is written, every document's `story` is null). `reprint dedup` needs none.
    pub stories: bool,
    /// Whether passages, reuse and roles are computed for every verified pair. Off (`reprint
    /// dedup`), only the pairs whose kind depends on their passages (below the Jaccard
    /// threshold) are aligned, so the clusters are the same, and no reuse is scored.
    pub passages: bool,
    /// Decide what `reprint dedup` keeps (`None` for a plain scan).
    pub dedup: Option<DedupPolicy>,
    /// Standard input already copied to this file (by `reprint dedup`, which reads its inputs
    /// twice): read from there, still named `-`.
    pub stdin_copy: Option<PathBuf>,
    /// The furniture rule's cut-offs and the story weights (`reprint scan --tune`, for the
    /// defaults sweep; the defaults otherwise). `run.json` records the overrides.
    #[serde(skip)]
    pub tuning: Tuning,
    /// The memory budget and where state that outgrows it goes (`--memory`, `--temp-dir`):
    /// where state is held, never what the outputs say.
    #[serde(skip)]
    pub memory: Budget,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            inputs: Vec::new(),
            outdir: PathBuf::from("reprint-out"),
            fields: FieldMap::default(),
            shingle: DEFAULT_SHINGLE,
            perms: DEFAULT_PERMS,
            threshold: DEFAULT_THRESHOLD,
            containment: DEFAULT_CONTAINMENT,
            banding: None,
            furniture: true,
            story_threshold: crate::story::DEFAULT_STORY_THRESHOLD,
            story_window: Some(crate::story::DEFAULT_STORY_WINDOW),
            strict: false,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
            report_limit: DEFAULT_REPORT_LIMIT,
            stories: true,
            passages: true,
            dedup: None,
            stdin_copy: None,
            tuning: Tuning::default(),
            memory: Budget::default(),
        }
    }
}

impl ScanConfig {
    /// The banding a run uses: `--bands/--rows` when given, else
    /// [`crate::sketch::lsh::optimal_banding`] of the threshold and permutations. `scan`, `index`,
    /// `sign` and `plan` all take it from here, so `plan` shows what a scan will do.
    pub fn effective_banding(&self) -> Banding {
        self.banding.unwrap_or_else(|| crate::sketch::lsh::optimal_banding(self.threshold, self.perms))
    }

    /// Checks every parameter; the error names the flag to change.
    pub fn validate(&self) -> Result<()> {
        if self.inputs.is_empty() {
            return Err(Error::Config("no input given (name files, directories or -)".into()));
        }
        self.validate_parameters()
    }

    /// [`ScanConfig::validate`] without the inputs (an index is created with parameters
    /// only).
    pub fn validate_parameters(&self) -> Result<()> {
        self.memory.check(0, 0)?;
        if self.shingle == 0 || self.shingle > MAX_SHINGLE {
            return Err(Error::Config(format!(
                "--shingle must be between 1 and {MAX_SHINGLE} words, got {}",
                self.shingle
            )));
        }
        if self.perms == 0 || self.perms > MAX_PERMS {
            return Err(Error::Config(format!(
                "--perms must be between 1 and {MAX_PERMS}, got {}",
                self.perms
            )));
        }
        share("--threshold", self.threshold)?;
        share("--containment", self.containment)?;
        share("--story-threshold", self.story_threshold)?;
        if let Some(d) = &self.dedup {
            if !(0.0..=1.0).contains(&d.min_containment) {
                return Err(Error::Config(format!("--min-containment must be between 0 and 1, got {}", d.min_containment)));
            }
        }
        if let Some(b) = self.banding {
            if b.bands == 0 || b.rows == 0 {
                return Err(Error::Config("--bands and --rows must both be at least 1".into()));
            }
            if b.bands.checked_mul(b.rows).is_none_or(|p| p > self.perms) {
                return Err(Error::Config(format!(
                    "--bands {} x --rows {} exceeds --perms {}",
                    b.bands, b.rows, self.perms
                )));
            }
        }
        if self.inputs.iter().filter(|i| **i == InputSpec::Stdin).count() > 1 {
            return Err(Error::Config("standard input (-) can be named only once".into()));
        }
        Ok(())
    }
}

/// Checks that a similarity or share flag lies in (0, 1] (NaN is refused too).
fn share(flag: &str, value: f64) -> Result<()> {
    if value > 0.0 && value <= 1.0 {
        Ok(())
    } else {
        Err(Error::Config(format!("{flag} must be in (0, 1], got {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tuning_name_sets_its_value_and_is_recorded() {
        for (name, _) in Tuning::default().values() {
            let mut t = Tuning::default();
            let value = ["17", "0.37"].into_iter().find(|v| t.set(&format!("{name}={v}")).is_ok());
            let value: f64 = value.unwrap_or_else(|| panic!("{name} takes neither value")).parse().unwrap();
            assert_eq!(t.overrides().into_iter().collect::<Vec<_>>(), vec![(name, value)], "{name}");
        }
        let mut t = Tuning::default();
        t.set("story.prior-weight=200").unwrap();
        t.set("furniture.span-days=0").unwrap();
        assert_eq!((t.story.prior_weight, t.furniture.span_days), (200.0, 0));
        assert!(Tuning::default().overrides().is_empty());
    }

    #[test]
    fn bad_tuning_is_refused_with_the_name() {
        let mut t = Tuning::default();
        for (spec, says) in [
            ("story.prior-weight", "NAME=VALUE"),
            ("story.no-such=1", "unknown tuning name `story.no-such`"),
            ("story.max-term-share=0", "story.max-term-share must be a share"),
            ("story.max-anchor-share=1.5", "must be a share"),
            ("furniture.min-recurrence=1", "at least 2"),
            ("furniture.span-days=-1", "whole number"),
            ("story.prior-weight=NaN", "at least 0"),
        ] {
            let e = t.set(spec).unwrap_err();
            assert!(e.contains(says), "{spec}: {e}");
        }
        assert_eq!(t, Tuning::default(), "a refused override changes nothing");
    }

    fn cfg() -> ScanConfig {
        ScanConfig { inputs: vec![InputSpec::Stdin], ..ScanConfig::default() }
    }

    #[test]
    fn default_with_input_is_valid() {
        cfg().validate().unwrap();
    }

    #[test]
    fn errors_name_the_flag() {
        let mut c = cfg();
        c.threshold = 1.5;
        assert!(c.validate().unwrap_err().to_string().contains("--threshold"));
        let mut c = cfg();
        c.shingle = 0;
        assert!(c.validate().unwrap_err().to_string().contains("--shingle"));
        let mut c = cfg();
        c.banding = Some(Banding { bands: 20, rows: 10 });
        assert!(c.validate().unwrap_err().to_string().contains("--perms"));
        let c = ScanConfig::default();
        assert!(c.validate().unwrap_err().to_string().contains("no input"));
    }
}

/// The internal cut-offs the defaults sweep moves (`tools/sweep_defaults.sh`, table in
/// `BENCHMARKS.md`): the furniture rule's and the story stage's. They are constants with their
/// reasons in their modules; `reprint scan --tune NAME=VALUE` (a hidden flag: these are
/// measurement knobs, not settings users should need) overrides one for a run, and `run.json`
/// records every override.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Tuning {
    /// The furniture rule ([`crate::text::furniture::Rule`]).
    pub furniture: crate::text::furniture::Rule,
    /// The story weights ([`crate::story::Weights`]).
    pub story: crate::story::Weights,
}

impl Tuning {
    /// Applies one `NAME=VALUE` override; the message names what is wrong.
    pub fn set(&mut self, spec: &str) -> std::result::Result<(), String> {
        let (name, value) = spec.split_once('=').ok_or_else(|| format!("`{spec}` is not NAME=VALUE"))?;
        let count = |lo: usize| match value.parse::<usize>() {
            Ok(v) if v >= lo => Ok(v),
            _ => Err(format!("{name} must be a whole number of at least {lo}, got `{value}`")),
        };
        let share = || match value.parse::<f64>() {
            Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
            _ => Err(format!("{name} must be a share in (0, 1], got `{value}`")),
        };
        let (f, st) = (&mut self.furniture, &mut self.story);
        match name {
            "furniture.min-recurrence" => f.min_recurrence = count(2)?,
            "furniture.span-days" => f.span_days = count(0)? as i64,
            "furniture.short-line-words" => f.short_line_words = count(0)?,
            "furniture.burst-recurrence" => f.burst_recurrence = count(2)?,
            "furniture.min-body-words" => f.min_body_words = u32::try_from(count(0)?).map_err(|e| format!("{name}: {e}"))?,
            "story.max-term-share" => st.max_term_share = share()?,
            "story.max-anchor-share" => st.max_anchor_share = share()?,
            "story.min-shared-anchors" => st.min_shared_anchors = count(1)?,
            "story.min-beat-weeks" => st.min_beat_weeks = count(1)?,
            "story.single-anchor-days" => st.single_anchor_days = count(0)? as i64,
            "story.postings-read" => st.postings_read = count(1)?,
            "story.compared" => st.compared = count(1)?,
            "story.max-week-spread" => {
                st.max_week_spread = match value.parse::<f64>() {
                    Ok(v) if v.is_finite() && v > 0.0 => v,
                    _ => return Err(format!("{name} must be a number above 0, got `{value}`")),
                }
            }
            "story.prior-weight" => {
                st.prior_weight = match value.parse::<f64>() {
                    Ok(v) if v.is_finite() && v >= 0.0 => v,
                    _ => return Err(format!("{name} must be a number of at least 0, got `{value}`")),
                }
            }
            _ => {
                let names: Vec<&str> = self.values().iter().map(|n| n.0).collect();
                return Err(format!("unknown tuning name `{name}` (known: {})", names.join(", ")));
            }
        }
        Ok(())
    }

    /// Every value by the name `--tune` knows it by (the names [`Tuning::set`] accepts).
    pub fn values(&self) -> [(&'static str, f64); 14] {
        let (f, s) = (&self.furniture, &self.story);
        [
            ("furniture.min-recurrence", f.min_recurrence as f64),
            ("furniture.span-days", f.span_days as f64),
            ("furniture.short-line-words", f.short_line_words as f64),
            ("furniture.burst-recurrence", f.burst_recurrence as f64),
            ("furniture.min-body-words", f.min_body_words as f64),
            ("story.max-term-share", s.max_term_share),
            ("story.max-anchor-share", s.max_anchor_share),
            ("story.min-shared-anchors", s.min_shared_anchors as f64),
            ("story.prior-weight", s.prior_weight),
            ("story.max-week-spread", s.max_week_spread),
            ("story.min-beat-weeks", s.min_beat_weeks as f64),
            ("story.single-anchor-days", s.single_anchor_days as f64),
            ("story.postings-read", s.postings_read as f64),
            ("story.compared", s.compared as f64),
        ]
    }

    /// The values that differ from the defaults, by name (what `run.json` records).
    pub fn overrides(&self) -> std::collections::BTreeMap<&'static str, f64> {
        let defaults = Tuning::default().values();
        self.values().into_iter().zip(defaults).filter(|(v, d)| v.1 != d.1).map(|(v, _)| v).collect()
    }
}
