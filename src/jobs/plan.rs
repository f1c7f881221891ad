//! `reprint plan`: what a scan with these parameters would do, worked out before running it.
//!
//! Owns the dry-run figures a user checks before a scan: the banding a scan would choose
//! ([`ScanConfig::effective_banding`], as `scan` takes it), its S-curve (the probability
//! `1 - (1 - s^r)^b` that a pair of Jaccard similarity `s` becomes a banding candidate, see
//! [`crate::sketch::lsh`]), the expected misses just above the threshold and false candidates just
//! below it, what the anchor route adds, and an estimate of the scan's peak memory and the size
//! of its outputs for `N` articles, from per-article constants calibrated by measurement (the
//! `RSS_*` and `OUTPUT_*` constants give the runs behind them). Receives a [`ScanConfig`] (only
//! its matching parameters are read), an article count and size, and the machine's memory
//! (from [`machine_memory`], or `None`); hands on a [`Plan`] that serialises to JSON and reads
//! back, and its terminal rendering ([`render`]). The review page draws the same curve
//! ([`s_curve`]) for the run's own banding. Nothing here reads the inputs or prints.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::config::{Banding, ScanConfig};
use crate::error::{Error, Result};
use crate::sketch::lsh::{self, ANCHOR_WINDOW, MAX_ANCHOR_DOCS, TEMPLATE_MIN_DOCS};

/// Similarities of the S-curve table: tenths, `0.1` to `1.0` (plus the threshold and its
/// neighbours, [`NEIGHBOUR_GAP`]). Ten rows show the whole curve on one screen; the steep part
/// is read from the threshold's rows.
pub const CURVE_STEPS: usize = 10;

/// How far above and below the threshold the misses and the false candidates are read: a
/// pair 0.1 above the threshold is a clear near-duplicate that should not be missed, one 0.1
/// below it clearly is not one. `run.json`'s `candidate_probability` uses the same points.
pub const NEIGHBOUR_GAP: f64 = 0.1;

/// Articles the estimate is for when `--docs` is not given: the size of the largest runs in
/// BENCHMARKS.md, so the default estimate can be checked against a measured run.
pub const DEFAULT_DOCS: u64 = 1_000_000;

/// Average input record (a JSONL line, metadata included) when `--avg-bytes` is not given:
/// 4,973 bytes, the records of `reprint gen --seed 42` (about 800 words of text) on which the
/// constants below and BENCHMARKS.md's 1,000,000-article runs were measured.
pub const DEFAULT_AVG_BYTES: u64 = 4_973;

/// Fixed part of a scan's peak resident memory, in bytes: the binary, the thread pool, the
/// vocabulary's first tables, jemalloc's arenas. The intercepts of the fits below are 42.8 MB
/// (generated dumps) and 35.4 MB (Reuters-based ones).
pub const RSS_BASE_BYTES: u64 = 40_000_000;

/// Peak resident memory per article independent of its length, in bytes: its metadata (id,
/// outlet, date, title, location), its slots in every per-document table (cluster, story,
/// reuse, signature), its candidate pairs and verified edges.
///
/// Calibration (2026-11-23, the release binary of commit 98b3ae2, 2 threads, one run each of
/// `/usr/bin/time -v reprint scan -q DUMP -o OUT`, which writes `report.html` too; "Maximum
/// resident set size" in KiB × 1,024):
///
/// | dump | articles | bytes an article | peak RSS | this model |
/// |---|---|---|---|---|
/// | `reprint gen --docs 20000 --seed 42` | 20,000 | 4,956 | 304.9 MB | 302.6 MB |
/// | `reprint gen --docs 100000 --seed 42` | 100,000 | 4,973 | 1,366.4 MB | 1,352.9 MB |
/// | `reprint gen --docs 400000 --seed 42` | 400,000 | 4,971 | 5,285.1 MB | 5,289.9 MB |
/// | `reprint gen --base reuters21578.jsonl --docs 20000 --seed 42` | 20,000 | 962 | 117.4 MB | 122.1 MB |
/// | `reprint gen --base reuters21578.jsonl --docs 100000 --seed 42` | 100,000 | 962 | 445.4 MB | 450.5 MB |
///
/// Memory grows by 13,106 bytes an article from 20,000 to 400,000 generated articles (about
/// 800 words each) and by 4,100 from 20,000 to 100,000 Reuters-based ones (real stories'
/// lengths, about 150 words): 2.25 bytes per input byte ([`RSS_PER_INPUT_BYTE`]) plus 1,940
/// bytes an article. At 1,000,000 generated articles the model gives 13.15 GB; BENCHMARKS.md
/// records 13.1 GB (one file) and 12.6 GB (the same dump in eight files, 186 s).
pub const RSS_PER_DOC_BYTES: u64 = 1_940;

/// Peak resident memory per byte of input, in bytes (see [`RSS_PER_DOC_BYTES`] for the
/// measurements): a text's words are held as 8-byte fingerprints until it is signed, then its
/// shingle set (8 bytes a shingle), anchors and story words; about six bytes of English text
/// make a word. Words, not bytes, are what costs: records heavy with markup or metadata, or
/// texts in scripts with more bytes per word, cost less per byte than this, so the estimate is
/// one for English-like news text.
pub const RSS_PER_INPUT_BYTE: f64 = 2.25;

/// Size of the JSONL outputs and `run.json` per article independent of its length, in bytes:
/// a `documents.jsonl` line (about 300 bytes) and the article's share of `clusters.jsonl`,
/// `stories.jsonl` and `passages.jsonl`.
///
/// Calibration: the runs of [`RSS_PER_DOC_BYTES`], `du -sb OUT` less `report.html`:
///
/// | dump | articles | JSONL outputs | per article | `report.html` |
/// |---|---|---|---|---|
/// | generated | 20,000 | 27.1 MB | 1,357 B | 26.2 MB |
/// | generated | 100,000 | 136.9 MB | 1,369 B | 30.0 MB |
/// | generated | 400,000 | 549.4 MB | 1,373 B | 31.5 MB |
/// | Reuters-based | 20,000 | 17.4 MB | 868 B | 7.7 MB |
/// | Reuters-based | 100,000 | 108.2 MB | 1,082 B | 19.6 MB |
///
/// 1,082 bytes at 962 bytes an article and 1,373 at 4,971 give 1,010 bytes plus
/// [`OUTPUT_PER_INPUT_BYTE`]. The outputs depend on how much is copied more than on length:
/// half of these articles are copies, and `passages.jsonl` (one line per shared passage) is
/// 30-50% of the bytes. A dump with few copies writes less, one made mostly of partial copies
/// more.
pub const OUTPUT_PER_DOC_BYTES: u64 = 1_010;

/// Size of the JSONL outputs per byte of input (see [`OUTPUT_PER_DOC_BYTES`]): longer
/// articles share more passages.
pub const OUTPUT_PER_INPUT_BYTE: f64 = 0.073;

/// Size of `report.html` at the default `--report-limit`, in bytes: it embeds texts up to
/// [`crate::output::html::TEXT_BUDGET_BYTES`] (24 MiB) plus the shown clusters' metadata, so it all
/// but stops growing with the dump (30.0 MB at 100,000 generated articles, 31.5 MB at
/// 400,000). Smaller dumps write less (26.2 MB at 20,000 generated articles, 7.7 MB at
/// 20,000 Reuters-based ones), so for them the estimate is an upper bound; it is never more
/// than the input's size.
pub const REPORT_BYTES: u64 = 32_000_000;

/// Width of the terminal bar chart's bars at probability 1, in characters.
const BAR_WIDTH: usize = 40;

/// Whether the banding was derived from the threshold or given with `--bands/--rows`
/// (`run.json` calls them the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BandingSource {
    /// [`lsh::optimal_banding`] of the threshold and permutations.
    Derived,
    /// `--bands` and `--rows`.
    Given,
}

/// One point of the S-curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Jaccard similarity of a pair.
    pub similarity: f64,
    /// Probability that a pair of that similarity shares at least one band.
    pub probability: f64,
}

/// A share of the pairs at one similarity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// Jaccard similarity of the pairs.
    pub similarity: f64,
    /// Share of them (0 to 1).
    pub share: f64,
}

/// The second candidate route, which the S-curve does not include.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnchorRoute {
    /// Shared runs of this many consecutive shingles always share an anchor
    /// ([`ANCHOR_WINDOW`]).
    pub window_shingles: usize,
    /// The same run in words at this shingle width.
    pub window_words: usize,
    /// Anchors in more documents than this make no pairs ([`MAX_ANCHOR_DOCS`]).
    pub max_docs: usize,
    /// Anchors in at least this many dated articles spread over more than a week are
    /// templates and make no pairs ([`TEMPLATE_MIN_DOCS`]).
    pub template_min_docs: usize,
    /// What the route adds, in a sentence.
    pub note: String,
}

/// Memory and disk a scan of `docs` articles is expected to need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Articles.
    pub docs: u64,
    /// Average input record, in bytes.
    pub avg_bytes: u64,
    /// The dump's size, `docs * avg_bytes`.
    pub input_bytes: u64,
    /// Peak resident memory of `reprint scan`, in bytes.
    pub peak_rss_bytes: u64,
    /// Size of the output directory, `report.html` included, in bytes.
    pub output_bytes: u64,
    /// Of which `report.html` at the default `--report-limit` (at most; see [`REPORT_BYTES`]).
    pub report_bytes: u64,
    /// This machine's memory (`MemTotal`), when known.
    pub machine_ram_bytes: Option<u64>,
    /// Whether the peak memory exceeds `machine_ram_bytes`.
    pub exceeds_ram: bool,
}

/// Everything `reprint plan` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Jaccard threshold (`--threshold`).
    pub threshold: f64,
    /// MinHash permutations (`--perms`).
    pub perms: usize,
    /// Shingle width in words (`--shingle`).
    pub shingle: usize,
    /// LSH bands a scan would use.
    pub bands: usize,
    /// Rows per band a scan would use.
    pub rows: usize,
    /// Derived from the threshold, or given.
    pub banding: BandingSource,
    /// Candidate probability at tenths and at the threshold and its neighbours, ascending.
    pub curve: Vec<CurvePoint>,
    /// Share of pairs at `threshold + 0.1` that banding misses (`null` above 1).
    pub false_negatives: Option<Rate>,
    /// Share of pairs at `threshold - 0.1` that become banding candidates (`null` below 0).
    pub false_positives: Option<Rate>,
    /// What the anchor route adds.
    pub anchors: AnchorRoute,
    /// Memory and disk.
    pub estimate: Estimate,
    /// Warnings for the user (the estimate exceeds this machine's memory).
    pub warnings: Vec<String>,
}


/// Decimals kept of a probability or share: 15 is far below any difference that matters
/// (probabilities under 5e-16 become 0), and a value of at most 15 decimals prints as at most
/// 15 significant digits, which JSON readers (serde_json included) parse back exactly, so a
/// plan read back from `--json` equals the plan.
pub const PROBABILITY_DECIMALS: i32 = 15;

/// `p` rounded to [`PROBABILITY_DECIMALS`].
pub fn round_probability(p: f64) -> f64 {
    let scale = 10f64.powi(PROBABILITY_DECIMALS);
    (p * scale).round() / scale
}

/// Similarities rounded to six decimals, so `0.7 + 0.1` is the `0.8` of the grid.
fn similarity(s: f64) -> f64 {
    crate::output::report::round(s)
}

/// The S-curve at tenths and at `threshold` and `threshold ± 0.1` (those within `[0, 1]`),
/// ascending and without repeats.
pub fn s_curve(threshold: f64, banding: Banding) -> Vec<CurvePoint> {
    let mut points: Vec<f64> = (1..=CURVE_STEPS).map(|i| i as f64 / CURVE_STEPS as f64).collect();
    points.extend(
        [threshold - NEIGHBOUR_GAP, threshold, threshold + NEIGHBOUR_GAP]
            .into_iter()
            .map(similarity)
            .filter(|s| (0.0..=1.0).contains(s)),
    );
    points.sort_by(f64::total_cmp);
    points.dedup();
    points
        .into_iter()
        .map(|s| CurvePoint { similarity: s, probability: round_probability(lsh::candidate_probability(s, banding)) })
        .collect()
}

/// Peak memory and output size of a scan of `docs` articles of `avg_bytes` each (see the
/// constants for the model and its measurements); `machine_ram` is this machine's memory.
pub fn estimate(docs: u64, avg_bytes: u64, machine_ram: Option<u64>) -> Estimate {
    let per_doc = |fixed: u64, per_byte: f64| (fixed as f64 + per_byte * avg_bytes as f64).round() as u64;
    let input_bytes = docs.saturating_mul(avg_bytes);
    let peak_rss_bytes = RSS_BASE_BYTES.saturating_add(docs.saturating_mul(per_doc(RSS_PER_DOC_BYTES, RSS_PER_INPUT_BYTE)));
    // The page never embeds more text than the dump has.
    let report_bytes = REPORT_BYTES.min(input_bytes);
    let output_bytes = report_bytes.saturating_add(docs.saturating_mul(per_doc(OUTPUT_PER_DOC_BYTES, OUTPUT_PER_INPUT_BYTE)));
    Estimate {
        docs,
        avg_bytes,
        input_bytes,
        peak_rss_bytes,
        output_bytes,
        report_bytes,
        machine_ram_bytes: machine_ram,
        exceeds_ram: machine_ram.is_some_and(|ram| peak_rss_bytes > ram),
    }
}

/// The plan for `config`'s matching parameters (`--threshold`, `--perms`, `--shingle`,
/// `--bands/--rows`, checked as a scan checks them) and `docs` articles of `avg_bytes` each.
pub fn plan(config: &ScanConfig, docs: u64, avg_bytes: u64, machine_ram: Option<u64>) -> Result<Plan> {
    config.validate_parameters()?;
    if docs == 0 {
        return Err(Error::Config("--docs must be at least 1".into()));
    }
    if avg_bytes == 0 {
        return Err(Error::Config("--avg-bytes must be at least 1".into()));
    }
    let banding = config.effective_banding();
    let t = config.threshold;
    let rate = |s: f64, share: fn(f64) -> f64| {
        let s = similarity(s);
        (0.0..=1.0).contains(&s).then(|| Rate { similarity: s, share: round_probability(share(lsh::candidate_probability(s, banding))) })
    };
    let window_words = ANCHOR_WINDOW + config.shingle - 1;
    let anchors = AnchorRoute {
        window_shingles: ANCHOR_WINDOW,
        window_words,
        max_docs: MAX_ANCHOR_DOCS,
        template_min_docs: TEMPLATE_MIN_DOCS,
        note: format!(
            "Banding is not the only route: two articles sharing an unbroken run of at least {ANCHOR_WINDOW} \
             shingles ({window_words} words) share a winnowed anchor and become candidates whatever their \
             similarity, unless that anchor is in more than {MAX_ANCHOR_DOCS} documents or is template text \
             ({TEMPLATE_MIN_DOCS} or more dated articles over more than a week). So the misses above are an \
             upper bound: pairs keeping such a run are found anyway, while pairs whose shared text is broken \
             up by edits every few words rely on banding alone."
        ),
    };
    let estimate = estimate(docs, avg_bytes, machine_ram);
    let mut warnings = Vec::new();
    if let (true, Some(ram)) = (estimate.exceeds_ram, estimate.machine_ram_bytes) {
        warnings.push(format!(
            "the estimated peak memory ({}) exceeds this machine's memory ({}): scan fewer articles at a \
             time, add each day's articles to a persistent index (`reprint index add`), or sign the dump in \
             shards with `reprint sign` on several machines and cluster the candidate pairs with `reprint \
             cluster` (docs/scale-out.md; `cluster` still runs on one machine and needed about 0.7 of a \
             scan's memory at 1,000,000 articles)",
            bytes(estimate.peak_rss_bytes),
            bytes(ram)
        ));
    }
    Ok(Plan {
        threshold: t,
        perms: config.perms,
        shingle: config.shingle,
        bands: banding.bands,
        rows: banding.rows,
        banding: if config.banding.is_some() { BandingSource::Given } else { BandingSource::Derived },
        curve: s_curve(t, banding),
        false_negatives: rate(t + NEIGHBOUR_GAP, |p| 1.0 - p),
        false_positives: rate(t - NEIGHBOUR_GAP, |p| p),
        anchors,
        estimate,
        warnings,
    })
}

/// This machine's memory in bytes (`MemTotal` of `/proc/meminfo`); `None` where there is no
/// such file or it cannot be read.
pub fn machine_memory() -> Option<u64> {
    parse_mem_total(&std::fs::read_to_string("/proc/meminfo").ok()?)
}

/// `MemTotal` of a `/proc/meminfo` text, in bytes (the file gives KiB).
fn parse_mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Bytes in decimal units, as BENCHMARKS.md gives them: "13.3 GB", "950 MB".
pub fn bytes(n: u64) -> String {
    let x = n as f64;
    if x >= 1e9 {
        format!("{:.1} GB", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.0} MB", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.0} KB", x / 1e3)
    } else {
        format!("{n} B")
    }
}

/// A share as a percentage with two significant digits below 1% ("0.026%"), one decimal
/// above, and never rounded to 0% or 100% unless it is exactly that.
pub fn percent(x: f64) -> String {
    let p = 100.0 * x;
    if p <= 0.0 {
        return "0%".into();
    }
    if p >= 100.0 {
        return "100%".into();
    }
    if p < 1e-4 {
        return format!("{p:.1e}%");
    }
    if p < 1.0 {
        let decimals = (1 - p.log10().floor() as i32).max(1) as usize;
        return format!("{p:.decimals$}%");
    }
    let shown = format!("{p:.1}%");
    if shown == "100.0%" {
        // Say how close, rather than round a miss away.
        let miss = 100.0 - p;
        let decimals = (1 - miss.log10().floor() as i32).clamp(2, 12) as usize;
        return format!("{p:.decimals$}%");
    }
    shown
}

/// A probability with four decimals, `<0.0001` and `>0.9999` rather than a rounded 0 or 1.
fn probability(p: f64) -> String {
    if p > 0.0 && p < 0.00005 {
        "<0.0001".into()
    } else if (0.99995..1.0).contains(&p) {
        ">0.9999".into()
    } else {
        format!("{p:.4}")
    }
}

/// A bar of `p * BAR_WIDTH` characters, in eighths.
fn bar(p: f64) -> String {
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (p.clamp(0.0, 1.0) * (BAR_WIDTH * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    s.push_str(EIGHTHS[eighths % 8]);
    s
}

/// The plan as the terminal shows it.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "reprint plan: threshold {}, {} permutations, {}-word shingles",
        plan.threshold, plan.perms, plan.shingle
    );
    let _ = writeln!(
        out,
        "banding: {} bands x {} rows ({}); `reprint scan` with these flags uses the same",
        plan.bands,
        plan.rows,
        match plan.banding {
            BandingSource::Derived => "derived from --threshold and --perms",
            BandingSource::Given => "given with --bands and --rows",
        }
    );
    let _ = writeln!(
        out,
        "\nProbability that a pair becomes a banding candidate, by Jaccard similarity (1 - (1 - s^{})^{}):",
        plan.rows, plan.bands
    );
    for p in &plan.curve {
        let mark = if p.similarity == similarity(plan.threshold) { "  <- threshold" } else { "" };
        let line = format!(
            "  {:>5.2} {:>8}  {:<width$}{mark}",
            p.similarity,
            probability(p.probability),
            bar(p.probability),
            width = BAR_WIDTH + 1
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push('\n');
    match plan.false_negatives {
        Some(r) => {
            let _ = writeln!(
                out,
                "Expected false negatives at Jaccard {:.2} (threshold + {NEIGHBOUR_GAP}): {} of such pairs are not \
                 banding candidates.",
                r.similarity,
                percent(r.share)
            );
        }
        None => {
            let _ = writeln!(out, "Expected false negatives: none above a threshold of {}.", plan.threshold);
        }
    }
    match plan.false_positives {
        Some(r) => {
            let _ = writeln!(
                out,
                "Expected false positives at Jaccard {:.2} (threshold - {NEIGHBOUR_GAP}): {} of such pairs become \
                 candidates; each costs one exact verification, which measures its real similarity, so a false \
                 candidate costs time, never a near-duplicate edge below the threshold.",
                r.similarity,
                percent(r.share)
            );
        }
        None => {
            let _ = writeln!(out, "Expected false positives: no pairs lie 0.1 below a threshold of {}.", plan.threshold);
        }
    }
    let _ = writeln!(out, "{}", plan.anchors.note);
    let e = &plan.estimate;
    let _ = writeln!(
        out,
        "\nEstimate for {} articles of {} bytes on average ({} of input):",
        thousands(e.docs),
        thousands(e.avg_bytes),
        bytes(e.input_bytes)
    );
    let ram = match e.machine_ram_bytes {
        Some(ram) => format!(" ({:.0}% of this machine's {})", 100.0 * e.peak_rss_bytes as f64 / ram as f64, bytes(ram)),
        None => " (this machine's memory is unknown)".into(),
    };
    let _ = writeln!(out, "  peak memory of `reprint scan`: {}{ram}", bytes(e.peak_rss_bytes));
    let _ = writeln!(out, "  outputs: {} (report.html up to {} of it)", bytes(e.output_bytes), bytes(e.report_bytes));
    let _ = writeln!(
        out,
        "  (calibrated on generated and Reuters-based dumps, 20,000 to 1,000,000 articles, with half of them \
         copies; the outputs grow with the share of copies)"
    );
    for w in &plan.warnings {
        let _ = writeln!(out, "\nwarning: {w}");
    }
    out
}

/// Thousands with commas: 1,000,000.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Plan {
        plan(&ScanConfig::default(), DEFAULT_DOCS, DEFAULT_AVG_BYTES, None).unwrap()
    }

    #[test]
    fn defaults_are_34_by_3_with_known_misses_and_false_candidates() {
        let p = defaults();
        assert_eq!((p.bands, p.rows, p.banding), (34, 3, BandingSource::Derived));
        // 1 - P(0.6) = (1 - 0.6^3)^34 = 0.784^34.
        let fnr = p.false_negatives.unwrap();
        assert_eq!(fnr.similarity, 0.6);
        assert!((fnr.share - 0.784f64.powi(34)).abs() < 1e-14);
        assert!((fnr.share - 2.55e-4).abs() < 1e-6, "{}", fnr.share);
        // P(0.4) = 1 - (1 - 0.4^3)^34 = 1 - 0.936^34.
        let fpr = p.false_positives.unwrap();
        assert_eq!(fpr.similarity, 0.4);
        assert!((fpr.share - (1.0 - 0.936f64.powi(34))).abs() < 1e-14);
        assert!((fpr.share - 0.8945).abs() < 1e-4, "{}", fpr.share);
        assert!((p.curve[4].probability - 0.9893).abs() < 1e-4, "{:?}", p.curve[4]);
        assert_eq!(percent(fnr.share), "0.026%");
        assert_eq!(percent(fpr.share), "89.4%");
    }

    #[test]
    fn the_curve_is_candidate_probability_and_rises() {
        for (t, perms) in [(0.5, 128), (0.8, 256), (0.3, 64), (0.05, 128), (1.0, 128)] {
            let config = ScanConfig { threshold: t, perms, ..ScanConfig::default() };
            let p = plan(&config, 1, 1, None).unwrap();
            let banding = Banding { bands: p.bands, rows: p.rows };
            assert_eq!(banding, lsh::optimal_banding(t, perms));
            let at_t = p.curve.iter().find(|c| c.similarity == t).expect("threshold on the curve");
            assert_eq!(at_t.probability, round_probability(lsh::candidate_probability(t, banding)));
            assert!((at_t.probability - lsh::candidate_probability(t, banding)).abs() <= 1e-15);
            assert!(p.curve.windows(2).all(|w| w[0].similarity < w[1].similarity), "{t}: {:?}", p.curve);
            assert!(p.curve.windows(2).all(|w| w[0].probability <= w[1].probability), "{t}: {:?}", p.curve);
            assert_eq!(p.curve.last().unwrap().probability, 1.0);
        }
        // 0.1 ..= 1.0 with the threshold's neighbours inside the grid: ten points.
        assert_eq!(defaults().curve.len(), CURVE_STEPS);
        let odd = s_curve(0.55, Banding { bands: 20, rows: 5 });
        assert_eq!(odd.len(), CURVE_STEPS + 3);
        assert!(odd.iter().any(|c| c.similarity == 0.45) && odd.iter().any(|c| c.similarity == 0.65));
    }

    #[test]
    fn no_neighbour_outside_zero_to_one() {
        let p = plan(&ScanConfig { threshold: 1.0, ..ScanConfig::default() }, 1, 1, None).unwrap();
        assert_eq!(p.false_negatives, None);
        assert!(p.curve.iter().all(|c| c.similarity <= 1.0));
        let p = plan(&ScanConfig { threshold: 0.05, ..ScanConfig::default() }, 1, 1, None).unwrap();
        assert_eq!(p.false_positives, None);
        assert!(render(&p).contains("no pairs lie 0.1 below"));
    }

    #[test]
    fn given_banding_is_used_and_checked_as_a_scan_checks_it() {
        let config = ScanConfig { banding: Some(Banding { bands: 16, rows: 8 }), ..ScanConfig::default() };
        let p = plan(&config, 10, 10, None).unwrap();
        assert_eq!((p.bands, p.rows, p.banding), (16, 8, BandingSource::Given));
        let err = |c: ScanConfig| plan(&c, 1, 1, None).unwrap_err().to_string();
        assert!(err(ScanConfig { banding: Some(Banding { bands: 50, rows: 5 }), ..ScanConfig::default() }).contains("--perms"));
        assert!(err(ScanConfig { threshold: 0.0, ..ScanConfig::default() }).contains("--threshold"));
        assert!(err(ScanConfig { threshold: f64::NAN, ..ScanConfig::default() }).contains("--threshold"));
        assert!(err(ScanConfig { perms: 0, ..ScanConfig::default() }).contains("--perms"));
        assert!(err(ScanConfig { perms: crate::config::MAX_PERMS + 1, ..ScanConfig::default() }).contains("--perms"));
        assert!(plan(&ScanConfig::default(), 0, 1, None).unwrap_err().to_string().contains("--docs"));
        assert!(plan(&ScanConfig::default(), 1, 0, None).unwrap_err().to_string().contains("--avg-bytes"));
    }

    #[test]
    fn the_estimate_is_linear_in_articles_and_matches_the_measured_runs() {
        let (a, b) = (estimate(100_000, 5_000, None), estimate(200_000, 5_000, None));
        assert_eq!(b.peak_rss_bytes - RSS_BASE_BYTES, 2 * (a.peak_rss_bytes - RSS_BASE_BYTES));
        assert_eq!(b.output_bytes - REPORT_BYTES, 2 * (a.output_bytes - REPORT_BYTES));
        assert!(estimate(100_000, 10_000, None).peak_rss_bytes > a.peak_rss_bytes, "longer articles cost more");
        // Within a few percent of the calibration runs (articles, bytes an article, peak RSS
        // and outputs in bytes, tolerance); the outputs of the small runs are less than the
        // model's because their report.html is (REPORT_BYTES is what large dumps write).
        for (docs, avg, rss, out, within) in [
            (20_000, 4_956, 304_865_280.0, f64::NAN, 0.05),
            (100_000, 4_973, 1_366_437_888.0, 166_847_435.0, 0.05),
            (400_000, 4_971, 5_285_142_528.0, 580_867_820.0, 0.05),
            (1_000_000, 4_966, 13.1e9, f64::NAN, 0.05),
            (20_000, 962, 117_420_032.0, f64::NAN, 0.1),
            (100_000, 962, 445_353_984.0, 127_736_932.0, 0.1),
        ] {
            let e = estimate(docs, avg, None);
            assert!((e.peak_rss_bytes as f64 / rss - 1.0).abs() < within, "{docs} x {avg}: {e:?}");
            if !out.is_nan() {
                assert!((e.output_bytes as f64 / out - 1.0).abs() < within, "{docs} x {avg}: {e:?}");
            }
        }
    }

    #[test]
    fn more_than_the_machine_has_is_a_warning_naming_the_way_out() {
        let p = plan(&ScanConfig::default(), DEFAULT_DOCS, DEFAULT_AVG_BYTES, Some(8 << 30)).unwrap();
        assert!(p.estimate.exceeds_ram);
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].contains("reprint sign") && p.warnings[0].contains("docs/scale-out.md"), "{}", p.warnings[0]);
        assert!(render(&p).contains("warning: the estimated peak memory"));
        let p = plan(&ScanConfig::default(), 1_000, DEFAULT_AVG_BYTES, Some(8 << 30)).unwrap();
        assert!(!p.estimate.exceeds_ram && p.warnings.is_empty());
        assert!(defaults().warnings.is_empty(), "unknown memory: no warning");
    }

    #[test]
    fn json_round_trips() {
        for t in [0.05, 0.3, 0.5, 0.73, 0.9, 0.95, 1.0] {
            for perms in [16, 128, 1000] {
                let p = plan(&ScanConfig { threshold: t, perms, ..ScanConfig::default() }, 7, 3, None).unwrap();
                let back: Plan = serde_json::from_str(&serde_json::to_string_pretty(&p).unwrap()).unwrap();
                assert_eq!(back, p, "{t} {perms}");
            }
        }
        let p = plan(&ScanConfig { threshold: 0.73, ..ScanConfig::default() }, 12_345, 2_000, Some(1 << 34)).unwrap();
        let text = serde_json::to_string(&p).unwrap();
        let back: Plan = serde_json::from_str(&text).unwrap();
        assert_eq!(back, p);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["banding"], "derived");
        assert_eq!(v["estimate"]["machine_ram_bytes"], 1u64 << 34);
    }

    #[test]
    fn render_names_the_banding_and_draws_bars() {
        let text = render(&defaults());
        assert!(text.contains("34 bands x 3 rows"), "{text}");
        assert!(text.contains("0.50   0.9893  ████"), "{text}");
        assert!(text.contains("<- threshold"));
        assert!(text.contains("0.026%") && text.contains("89.4%"));
        assert!(text.lines().all(|l| l == l.trim_end()), "no trailing spaces");
        assert!(text.contains("13.2 GB"), "{text}");
        assert_eq!(bar(1.0).chars().count(), BAR_WIDTH);
        assert_eq!(bar(0.0), "");
        assert_eq!(bar(0.5 + 1.0 / 80.0), format!("{}▌", "█".repeat(20)));
    }

    #[test]
    fn meminfo_is_read_or_left_unknown() {
        let text = "MemTotal:       24590352 kB\nMemFree:        20000000 kB\n";
        assert_eq!(parse_mem_total(text), Some(24_590_352 * 1024));
        assert_eq!(parse_mem_total("MemFree: 1 kB\n"), None);
        assert_eq!(parse_mem_total("MemTotal: lots\n"), None);
        assert_eq!(parse_mem_total(""), None);
    }

    #[test]
    fn shares_read_well() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.99974), "99.974%");
        assert_eq!(percent(0.9997), "99.970%");
        assert_eq!(percent(0.98877), "98.9%");
        assert_eq!(percent(0.0123), "1.2%");
        assert_eq!(percent(0.00123), "0.12%");
        assert_eq!(percent(1e-9), "1.0e-7%");
        assert_eq!(probability(0.99999), ">0.9999");
        assert_eq!(probability(1e-7), "<0.0001");
        assert_eq!(bytes(13_150_000_000), "13.2 GB");
    }
}
