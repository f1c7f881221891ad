//! The `reprint` command line: parse flags, run the library, present results, exit.
//!
//! Exit codes: 0 success; 1 error (nothing replaced); 2 usage error; 3 finished, but some
//! input was skipped or unreadable (listed in `documents.jsonl` and `run.json`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reprint::config::{
    Banding, DedupPolicy, FieldMap, InputSpec, KeepRule, OutletScope, ScanConfig, DEFAULT_CONTAINMENT,
    DEFAULT_MAX_DOC_BYTES, DEFAULT_MIN_CONTAINMENT, DEFAULT_REPORT_LIMIT, DEFAULT_PERMS, DEFAULT_SHINGLE, DEFAULT_THRESHOLD,
};
use reprint::engine::progress::{NoProgress, Progress, Unit};
use reprint::cli::show::{self, ColorChoice, Style};
use reprint::bench::synth::{self, GenParams};
use reprint::ScanResult;

/// jemalloc instead of the platform allocator. A scan makes millions of small per-article
/// allocations that live for a whole stage; glibc's per-thread arenas grow and trim their heaps
/// a few pages at a time (182,249 `mprotect` calls in a 100,000-article scan), so pages are
/// faulted in and zeroed again and again, and time per article grew with the dump: 400,000
/// articles took 128.5 s (43.7 s of it in the kernel) with glibc and 76.5 s (18.9 s) with
/// jemalloc, which maps large extents and reuses them (BENCHMARKS.md, "Second round").
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Exit code: an error; nothing replaced.
const EXIT_ERROR: u8 = 1;
/// Exit code: a usage error (bad flags, or a cluster or member the output does not have).
const EXIT_USAGE: u8 = 2;
/// Exit code: finished, but some input was skipped or unreadable.
const EXIT_SKIPPED_INPUT: u8 = 3;
/// Skipped documents listed on stderr before the rest are only counted.
const SKIPS_SHOWN: usize = 10;
/// Outlets in the summary table (the full list is in outlets.jsonl).
const OUTLETS_SHOWN: usize = 15;

#[derive(Parser)]
#[command(name = "reprint", version, about = "Find near-duplicate and syndicated news articles in scraped news dumps")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: GlobalArgs,
}

/// Flags every command accepts.
#[derive(Args)]
struct GlobalArgs {
    /// Worker threads (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// No progress bars and no summary table.
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Cluster near-duplicates, measure reuse and group stories; writes documents, clusters,
    /// passages, outlets and stories (JSONL) and run.json.
    Scan(ScanArgs),
    /// Keep one article per duplicate group and stream the kept records, unchanged, to OUT;
    /// checks that input records = kept + removed + skipped.
    Dedup(DedupArgs),
    /// Generate a synthetic news dump with planted near-duplicates and ground-truth labels.
    Gen(GenArgs),
    /// Generate a story benchmark: stories retold in other words by several outlets among
    /// same-topic stories, with ground-truth story labels.
    GenStories(GenStoriesArgs),
    /// Score a scan's output against ground-truth labels: pairwise, B-cubed and adjusted Rand
    /// scores of clusters and stories, a table per level, reuse error, the worst false merges
    /// and misses with their ids.
    Eval(EvalArgs),
    /// Show one cluster of a scan's output in the terminal: its members, and each member's
    /// text above its source's with the shared passages marked.
    Show(ShowArgs),
    /// A persistent index: check each day's crawl against every article seen before without
    /// scanning the old ones again.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Before a scan: the bands and rows it would use, the probability that a pair becomes a
    /// candidate at each similarity, expected misses and false candidates, and the memory and
    /// disk a scan of N articles needs.
    Plan(PlanArgs),
    /// Sign one shard of the inputs for a run on Spark or DuckDB (docs/scale-out.md): Parquet
    /// tables of documents, signatures, band keys, anchors and story terms in SIGDIR.
    #[cfg(feature = "parquet")]
    Sign(SignArgs),
    /// Verify and cluster the candidate pairs that Spark or DuckDB found among the signed
    /// shards; writes what `scan` writes (documents, clusters, passages, outlets, stories,
    /// run.json, report.html).
    #[cfg(feature = "parquet")]
    Cluster(ClusterArgs),
}

#[cfg(feature = "parquet")]
#[derive(Args)]
struct SignArgs {
    /// JSONL dumps (plain, gzip or zstd), .txt articles or directories: the same list, in the
    /// same order, for every shard.
    #[arg(value_name = "INPUT", required = true)]
    inputs: Vec<PathBuf>,
    /// The directory of the tables (shared by all shards).
    #[arg(short, long, value_name = "SIGDIR")]
    output: PathBuf,
    /// Sign shard I of N: the input files whose number in the list is I-1 modulo N.
    #[arg(long, default_value = "1/1", value_name = "I/N", value_parser = reprint::jobs::shard::parse_shard)]
    shard: (u32, u32),
    /// Inputs added to a signed run: batch 0 is the first inputs, each later batch adds new
    /// ones (its furniture is judged over every batch's lines, its candidate pairs joined
    /// against the earlier batches' band keys; see docs/scale-out.md).
    #[arg(long, default_value_t = 0, value_name = "B", value_parser = clap::value_parser!(u32).range(0..reprint::jobs::shard::MAX_BATCHES as i64))]
    batch: u32,
    /// The first pass: only each document's lines, from which the `furniture` step of
    /// spark/reprint_edges.py judges page furniture over all shards.
    #[arg(long)]
    lines: bool,
    #[command(flatten)]
    params: ParamArgs,
}

#[cfg(feature = "parquet")]
#[derive(Args)]
struct ClusterArgs {
    /// The signed shards' directory (`reprint sign -o`).
    #[arg(long, value_name = "SIGDIR")]
    sigs: PathBuf,
    /// The candidate pairs' directory (the `edges` step of spark/reprint_edges.py).
    #[arg(long, value_name = "EDGES")]
    edges: PathBuf,
    /// Output directory.
    #[arg(short, long, value_name = "OUTDIR")]
    output: PathBuf,
    /// Most clusters shown in report.html; 0 writes no report.
    #[arg(long, default_value_t = DEFAULT_REPORT_LIMIT, value_name = "N")]
    report_limit: usize,
    /// The signed inputs under other paths (the same files, in the same order); by default
    /// the paths the shards were signed with.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum IndexCommand {
    /// Create an index in DIR with these matching parameters (fixed for its life), and add
    /// the INPUTs if any.
    Create(IndexCreateArgs),
    /// Scan INPUTs against the index, write the scan's outputs for them into OUTDIR (matches
    /// into older articles included), and add them to the index.
    Add(IndexAddArgs),
    /// As `add`, but leave the index unchanged.
    Query(IndexAddArgs),
    /// Articles, clusters, segments and bytes per article of an index.
    Stats(IndexStatsArgs),
    /// Remove articles published longer ago than --older-than (undated ones: added), and
    /// reclaim their space.
    Expire(IndexExpireArgs),
}

#[derive(Args)]
struct IndexCreateArgs {
    /// The index directory (created; must not hold an index).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Dumps or directories to add at once.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Write the scan's outputs for the INPUTs here (default: none are written).
    #[arg(short, long, value_name = "OUTDIR")]
    output: Option<PathBuf>,
    /// Most clusters shown in report.html; 0 writes no report.
    #[arg(long, default_value_t = DEFAULT_REPORT_LIMIT, value_name = "N")]
    report_limit: usize,
    #[command(flatten)]
    params: ParamArgs,
}

#[derive(Args)]
struct IndexAddArgs {
    /// The index directory.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// JSONL dumps (plain, gzip or zstd), .txt articles or directories.
    #[arg(value_name = "INPUT", required = true)]
    inputs: Vec<PathBuf>,
    /// Output directory for the new articles' documents, clusters, passages, outlets, stories,
    /// run.json and report.html.
    #[arg(short, long, value_name = "OUTDIR")]
    output: PathBuf,
    /// Most clusters shown in report.html; 0 writes no report.
    #[arg(long, default_value_t = DEFAULT_REPORT_LIMIT, value_name = "N")]
    report_limit: usize,
    #[command(flatten)]
    input: InputArgs,
}

/// Flags about reading and presenting inputs (matching parameters belong to the index).
#[derive(Args)]
struct InputArgs {
    /// Weighted similarity of rare terms for two articles to tell the same story.
    #[arg(long, default_value_t = reprint::story::DEFAULT_STORY_THRESHOLD, value_name = "S")]
    story_threshold: f64,
    /// A story's dated articles all lie within this time (e.g. 5d, 36h; `none` for no limit):
    /// one event's news cycle. Later coverage is its own story, listed as a follow-up.
    #[arg(long, value_name = "WINDOW", default_value_t = StoryWindow(Some(reprint::story::DEFAULT_STORY_WINDOW)), value_parser = parse_story_window)]
    story_window: StoryWindow,
    /// Any skipped document or unreadable input is an error; nothing is written or added.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    fields: FieldArgs,
}

#[derive(Args)]
struct IndexStatsArgs {
    /// The index directory.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct IndexExpireArgs {
    /// The index directory.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Remove articles older than this (e.g. 90d, 12w, 36h).
    #[arg(long, value_name = "AGE", value_parser = parse_window)]
    older_than: i64,
    /// Measure ages from this date instead of now (RFC 3339 or YYYY-MM-DD), for reproducible
    /// runs.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    as_of: Option<i64>,
}

#[derive(Args)]
struct ShowArgs {
    /// Output directory of `reprint scan`.
    #[arg(value_name = "OUTDIR")]
    outdir: PathBuf,
    /// Cluster id (`id` in clusters.jsonl, `cluster` in documents.jsonl).
    #[arg(value_name = "CLUSTER_ID")]
    cluster: u32,
    /// Show only this member above its source (the origin: alone, with everything others
    /// share with it marked).
    #[arg(long, value_name = "ID")]
    member: Option<String>,
    /// Members shown above their sources; 0 shows all (the table always lists every member).
    #[arg(long, default_value_t = show::DEFAULT_LIMIT, value_name = "N")]
    limit: usize,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never. Without colour,
    /// shared passages are marked {+like this+}.
    #[arg(long, alias = "colour", value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    color: ColorArg,
    /// Wrap texts and the table at this many columns; 0 keeps the texts' lines as they are.
    #[arg(long, default_value_t = show::DEFAULT_WIDTH, value_name = "COLS")]
    width: usize,
}

/// `--color` values.
#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Args)]
struct PlanArgs {
    /// Jaccard threshold for a near-duplicate.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_name = "T")]
    threshold: f64,
    /// MinHash permutations.
    #[arg(long, default_value_t = DEFAULT_PERMS, value_name = "P")]
    perms: usize,
    /// Shingle width in words (sets the length in words of the run the anchor route guarantees).
    #[arg(long, default_value_t = DEFAULT_SHINGLE, value_name = "K")]
    shingle: usize,
    /// LSH bands (with --rows; default: derived from --threshold, as scan derives them).
    #[arg(long, requires = "rows", value_name = "B")]
    bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands", value_name = "R")]
    rows: Option<usize>,
    /// Articles to estimate memory and disk for.
    #[arg(long, default_value_t = reprint::jobs::plan::DEFAULT_DOCS, value_name = "N")]
    docs: u64,
    /// Average size of one input record (a JSONL line with its metadata): bytes, or with a K
    /// or M suffix. Memory grows with the articles' length.
    #[arg(long, default_value_t = reprint::jobs::plan::DEFAULT_AVG_BYTES, value_name = "BYTES", value_parser = parse_bytes)]
    avg_bytes: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct GenStoriesArgs {
    /// Stories to generate (each told by 2 to 6 outlets), besides their follow-ups and sequels.
    #[arg(long, default_value_t = 300, value_name = "N")]
    stories: usize,
    /// Topics the stories are spread over (same-topic stories share vocabulary).
    #[arg(long, default_value_t = 12, value_name = "N")]
    topics: usize,
    /// Random seed (same seed, same dump).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output dump (JSONL).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Also write ground-truth labels here (JSONL: id, story, topic, cluster, follows).
    #[arg(long, value_name = "FILE")]
    labels: Option<PathBuf>,
    /// Days the stories are spread over.
    #[arg(long, default_value_t = reprint::bench::storygen::DEFAULT_DAYS, value_name = "N")]
    days: usize,
    /// A JSONL dump whose texts give real word frequencies for background sentences (e.g.
    /// corpus/reuters-sample.jsonl); none without it.
    #[arg(long, value_name = "FILE")]
    words: Option<PathBuf>,
}

#[derive(Args)]
struct EvalArgs {
    /// A scan's output directory (its documents.jsonl is read).
    #[arg(value_name = "OUTDIR")]
    outdir: PathBuf,
    /// Ground truth (JSONL): `id` and `cluster` (null for an article that is nobody's copy) on
    /// every line; optional `story` (scored against stories), `copied_frac` (against reuse)
    /// and `level` (unique, original, copy or partial). `reprint gen --labels` writes these.
    #[arg(long, value_name = "LABELS")]
    labels: PathBuf,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
    /// Worst false merges and misses listed per level of grouping.
    #[arg(long, default_value_t = reprint::jobs::eval::DEFAULT_WORST, value_name = "N")]
    worst: usize,
}

#[derive(Args)]
struct GenArgs {
    /// Articles to generate.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    docs: usize,
    /// Random seed (same seed, same dump).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share of articles that are edited copies of another.
    #[arg(long, default_value_t = 0.5, value_name = "F")]
    copy_fraction: f64,
    /// Highest per-word edit rate of a copy.
    #[arg(long, default_value_t = 0.2, value_name = "R")]
    max_edit_rate: f64,
    /// Take original articles from this JSONL dump's `text` fields instead of generating them.
    #[arg(long, value_name = "JSONL")]
    base: Option<PathBuf>,
    /// Syndication mix: copies edited, truncated, embedded in local text or reordered under
    /// a new lede, every outlet with page furniture; labels carry copied_frac.
    #[arg(long)]
    syndication: bool,
    /// A mass of one outlet's daily notice: every article the same frame with a different
    /// amount, rate and weekday, dated over a month (labelled as one cluster).
    #[arg(long, conflicts_with_all = ["syndication", "base"])]
    notices: bool,
    /// Output dump (JSONL).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Also write ground-truth labels here (JSONL: id, cluster, story, edit_rate, kept_fraction,
    /// copied_frac, mode, level, furniture_words), the input of `reprint eval --labels`.
    #[arg(long, value_name = "FILE")]
    labels: Option<PathBuf>,
}

#[derive(Args)]
struct ScanArgs {
    /// JSONL dumps (plain, gzip or zstd), .txt articles, directories, or - for stdin.
    /// Default: the embedded sample corpus.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Output directory.
    #[arg(short, long, default_value = "reprint-out", value_name = "OUTDIR")]
    output: PathBuf,
    /// Most clusters shown in report.html (the largest and the most suspicious, half each);
    /// 0 writes no report. The JSONL outputs always list every cluster.
    #[arg(long, default_value_t = DEFAULT_REPORT_LIMIT, value_name = "N")]
    report_limit: usize,
    /// Override one internal cut-off for this run (NAME=VALUE, repeatable): the furniture
    /// rule's and the story weights, for the defaults sweep (tools/sweep_defaults.sh).
    /// Hidden: the names are listed in ARCHITECTURE.md, and run.json records every override.
    #[arg(long, hide = true, value_name = "NAME=VALUE")]
    tune: Vec<String>,
    /// Group no stories: clusters, passages and reuse only (no stories.jsonl; every
    /// document's `story` is null), for a faster scan that holds less.
    #[arg(long)]
    no_stories: bool,
    /// Clusters only: align only the pairs whose kind depends on their passages, score no
    /// reuse (every `reuse`, `role` and `source` null), and write no passages.jsonl,
    /// outlets.jsonl or report.html, for a faster scan that holds less.
    #[arg(long)]
    no_passages: bool,
    #[command(flatten)]
    params: ParamArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum KeepArg {
    /// The group's origin: earliest, then wire byline, then longest.
    Origin,
    /// The earliest dated member.
    Earliest,
    /// The member with the most words.
    Longest,
    /// The first member in input order.
    First,
}

#[derive(Args)]
struct DedupArgs {
    /// JSONL dumps (plain, gzip or zstd), .txt articles, directories, or - for stdin.
    #[arg(value_name = "INPUT", required = true)]
    inputs: Vec<PathBuf>,
    /// The deduplicated dump (JSONL; gzip or zstd when it ends in .gz or .zst).
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// Also list every removed and skipped record here (JSONL: id, cluster, kept_id, jaccard,
    /// containment, reason).
    #[arg(long, value_name = "REMOVED.jsonl")]
    removed: Option<PathBuf>,
    /// Write every record, with a `reprint` object added (cluster, story, role, reuse, kept),
    /// instead of leaving duplicates out.
    #[arg(long)]
    mark: bool,
    /// Which member of a duplicate group to keep.
    #[arg(long, value_enum, default_value_t = KeepArg::Origin)]
    keep: KeepArg,
    /// Prefer keeping this outlet's article (repeat for a priority list, highest first).
    #[arg(long, value_name = "OUTLET")]
    prefer_outlet: Vec<String>,
    /// Remove a near-duplicate only when at least this share of its shingles is in the kept
    /// article (exact-text and same-URL duplicates are always removable).
    #[arg(long, default_value_t = DEFAULT_MIN_CONTAINMENT, value_name = "C")]
    min_containment: f64,
    /// Remove only duplicates from the kept article's own outlet.
    #[arg(long, conflicts_with = "cross_outlet_only")]
    same_outlet_only: bool,
    /// Remove only duplicates from other outlets than the kept article's.
    #[arg(long)]
    cross_outlet_only: bool,
    /// Replace OUT (and REMOVED) if they exist.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    params: ParamArgs,
}

/// Matching parameters shared by `scan` and `dedup`.
#[derive(Args)]
struct ParamArgs {
    /// Shingle width in words.
    #[arg(long, default_value_t = DEFAULT_SHINGLE, value_name = "K")]
    shingle: usize,
    /// MinHash permutations.
    #[arg(long, default_value_t = DEFAULT_PERMS, value_name = "P")]
    perms: usize,
    /// Jaccard threshold for a near-duplicate.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_name = "T")]
    threshold: f64,
    /// Containment for a containment copy: share of the smaller text's shingles inside the
    /// larger (truncated copies, stories inside longer articles).
    #[arg(long, default_value_t = DEFAULT_CONTAINMENT, value_name = "C")]
    containment: f64,
    /// Do not detect and set aside page furniture (bylines, "Share:", "READ MORE: ...").
    #[arg(long)]
    no_furniture: bool,
    /// Weighted similarity of rare terms (names, numbers, event words) for two articles to
    /// tell the same story.
    #[arg(long, default_value_t = reprint::story::DEFAULT_STORY_THRESHOLD, value_name = "S")]
    story_threshold: f64,
    /// A story's dated articles all lie within this time (e.g. 5d, 36h; `none` for no limit):
    /// one event's news cycle. Later coverage is its own story, listed as a follow-up.
    #[arg(long, value_name = "WINDOW", default_value_t = StoryWindow(Some(reprint::story::DEFAULT_STORY_WINDOW)), value_parser = parse_story_window)]
    story_window: StoryWindow,
    /// LSH bands (with --rows; default: derived from --threshold).
    #[arg(long, requires = "rows", value_name = "B")]
    bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands", value_name = "R")]
    rows: Option<usize>,
    /// Any skipped document or unreadable input is an error; nothing is written.
    #[arg(long)]
    strict: bool,
    /// Skip records (JSONL lines, .txt files) larger than this, without reading them into
    /// memory: bytes, or with a K, M or G suffix (KiB, MiB, GiB).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_DOC_BYTES, value_parser = parse_bytes)]
    max_doc_bytes: u64,
    #[command(flatten)]
    fields: FieldArgs,
}

/// Which JSON fields hold what (`scan`, `dedup`, `index`).
#[derive(Args)]
struct FieldArgs {
    /// JSON field holding the document id (default: id, _id, doc_id; else FILE:LINE).
    #[arg(long, value_name = "FIELD")]
    id_field: Option<String>,
    /// JSON field holding the text (default: text, maintext, content, body).
    #[arg(long, value_name = "FIELD")]
    text_field: Option<String>,
    /// JSON field holding the title (default: title, headline).
    #[arg(long, value_name = "FIELD")]
    title_field: Option<String>,
    /// JSON field holding the outlet (default: outlet, source, source_domain, domain,
    /// hostname; else the URL's host).
    #[arg(long, value_name = "FIELD")]
    outlet_field: Option<String>,
    /// JSON field holding the date (default: date, date_publish, published, published_at,
    /// publish_date, pubDate).
    #[arg(long, value_name = "FIELD")]
    date_field: Option<String>,
    /// JSON field holding the URL (default: url, link, canonical_url).
    #[arg(long, value_name = "FIELD")]
    url_field: Option<String>,
}

impl From<FieldArgs> for FieldMap {
    fn from(a: FieldArgs) -> FieldMap {
        FieldMap { id: a.id_field, text: a.text_field, title: a.title_field, outlet: a.outlet_field, date: a.date_field, url: a.url_field }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Before anything is written: an interrupted run removes what it had not finished.
    if let Err(e) = reprint::engine::interrupt::install() {
        eprintln!("reprint: warning: cannot watch for interruptions ({e}); a killed run may leave hidden temporary files");
    }
    match run(cli) {
        Ok(code) => code,
        // A closed stdout (`reprint scan | head`) is not a failure: the outputs are written.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("reprint: error: {}", error_chain(&err));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = cli.global.threads {
        anyhow::ensure!(n >= 1, "--threads must be at least 1");
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("cannot start the worker threads")?;
    match cli.command {
        Command::Scan(args) => {
            let mut config = scan_config(args)?;
            // Standard input is read more than once (texts for passages and the report).
            let spool = spool_stdin(&config.inputs, &config.outdir)?;
            config.stdin_copy = spool.as_ref().map(|s| s.0.clone());
            let bars = Bars::new(!cli.global.quiet && std::io::stderr().is_terminal());
            let progress: &dyn Progress = match &bars {
                Some(b) => b,
                None => &NoProgress,
            };
            let result = pool
                .install(|| reprint::run_scan(&config, progress))
                .with_context(|| format!("scan into {} failed", config.outdir.display()))?;
            report_problems(&result);
            if !cli.global.quiet {
                print_summary(&result, &config)?;
            }
            Ok(finish(result))
        }
        Command::Gen(args) => {
            anyhow::ensure!((0.0..=1.0).contains(&args.copy_fraction), "--copy-fraction must be in [0, 1]");
            anyhow::ensure!((0.0..=1.0).contains(&args.max_edit_rate), "--max-edit-rate must be in [0, 1]");
            let bases = match &args.base {
                Some(path) => Some(base_texts(path)?),
                None => None,
            };
            let params = GenParams {
                docs: args.docs,
                copy_fraction: args.copy_fraction,
                max_edit_rate: args.max_edit_rate,
                seed: args.seed,
                syndication: args.syndication,
                notices: args.notices,
                ..GenParams::default()
            };
            let written = pool.install(|| {
                synth::write_generated(&params, bases.as_deref(), &args.output, args.labels.as_deref())
            })?;
            if !cli.global.quiet {
                writeln!(std::io::stdout(), "wrote {written} articles to {}", args.output.display())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Dedup(args) => dedup(args, &pool, cli.global.quiet),
        Command::GenStories(args) => gen_stories(args, cli.global.quiet),
        Command::Show(args) => show_cluster(args),
        Command::Eval(args) => eval(args),
        Command::Index(cmd) => index_command(cmd, &pool, cli.global.quiet),
        Command::Plan(args) => plan(args),
        #[cfg(feature = "parquet")]
        Command::Sign(args) => {
            let config = param_config(args.params, input_specs(args.inputs), args.output.clone())?;
            config.validate()?;
            let bars = Bars::new(!cli.global.quiet && std::io::stderr().is_terminal());
            let progress: &dyn Progress = match &bars {
                Some(b) => b,
                None => &NoProgress,
            };
            let (i, n) = args.shard;
            let done = pool
                .install(|| {
                    if args.lines {
                        reprint::jobs::shard::sign_lines(&config, args.batch, args.shard, &args.output, progress)
                    } else {
                        reprint::jobs::shard::sign(&config, args.batch, args.shard, &args.output, progress)
                    }
                })
                .with_context(|| format!("sign shard {i}/{n} into {} failed", args.output.display()))?;
            if !cli.global.quiet {
                let rows: Vec<String> = done.rows.iter().map(|(t, r)| format!("{t} {r}")).collect();
                writeln!(
                    std::io::stdout(),
                    "reprint sign{} {i}/{n}: {} documents ({} skipped); rows: {}; {:.2} s",
                    if args.lines { " --lines" } else { "" },
                    done.documents,
                    done.skipped,
                    rows.join(", "),
                    done.seconds
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "parquet")]
        Command::Cluster(args) => {
            let bars = Bars::new(!cli.global.quiet && std::io::stderr().is_terminal());
            let progress: &dyn Progress = match &bars {
                Some(b) => b,
                None => &NoProgress,
            };
            let inputs = (!args.inputs.is_empty()).then(|| input_specs(args.inputs));
            let (result, config) = pool
                .install(|| -> reprint::Result<_> {
                    let (result, config) =
                        reprint::jobs::shard::cluster(&args.sigs, &args.edges, inputs, &args.output, args.report_limit, progress)?;
                    let page = reprint::output::html::prepare(&result, &config)?;
                    reprint::output::report::write_outputs(&result, &config.outdir, page.as_ref())?;
                    Ok((result, config))
                })
                .with_context(|| format!("cluster into {} failed", args.output.display()))?;
            report_problems(&result);
            if !cli.global.quiet {
                print_summary(&result, &config)?;
            }
            Ok(finish(result))
        }
    }
}

/// `reprint plan`: the banding, S-curve and estimate for these parameters; reads no input.
fn plan(a: PlanArgs) -> anyhow::Result<ExitCode> {
    let banding = match (a.bands, a.rows) {
        (Some(bands), Some(rows)) => Some(Banding { bands, rows }),
        _ => None,
    };
    let config = ScanConfig { threshold: a.threshold, perms: a.perms, shingle: a.shingle, banding, ..ScanConfig::default() };
    let plan = reprint::jobs::plan::plan(&config, a.docs, a.avg_bytes, reprint::jobs::plan::machine_memory())?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &plan)?;
        writeln!(out)?;
    } else {
        out.write_all(reprint::jobs::plan::render(&plan).as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn parse_as_of(s: &str) -> Result<i64, String> {
    reprint::input::parse_date(s).ok_or_else(|| format!("`{s}` is not a date (use 2024-06-30 or 2024-06-30T00:00:00Z)"))
}

/// `reprint index ...`.
fn index_command(cmd: IndexCommand, pool: &rayon::ThreadPool, quiet: bool) -> anyhow::Result<ExitCode> {
    use reprint::jobs::index::{self, Mode};
    let bars = Bars::new(!quiet && std::io::stderr().is_terminal());
    let progress: &dyn Progress = match &bars {
        Some(b) => b,
        None => &NoProgress,
    };
    let add = |dir: &std::path::Path, config: ScanConfig, mode: Mode, write: bool| -> anyhow::Result<ExitCode> {
        let (result, run) = pool
            .install(|| index::add(dir, &config, mode, write, progress))
            .with_context(|| format!("index {} of {} failed", if mode == Mode::Add { "add" } else { "query" }, dir.display()))?;
        report_problems(&result);
        if !quiet {
            let c = &result.run.counts;
            let shown = |i: usize| result.is_shown(i as u32);
            let in_clusters = (0..result.docs.len()).filter(|&i| shown(i) && result.cluster_of[i].is_some()).count();
            let into_old = (0..result.docs.len())
                .filter(|&i| shown(i))
                .filter(|&i| result.cluster_of[i].is_some_and(|cl| result.clusters[cl as usize].members.iter().any(|&m| !result.is_shown(m))))
                .count();
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "reprint {}: {} documents ({} skipped), {} in clusters, {} of them with older articles; \
                 {} older articles scanned again; clusters: {} new, {} grown, {} merged",
                run.command, c.documents, c.skipped, in_clusters, into_old, run.neighbourhood, run.clusters_created, run.clusters_grown, run.clusters_merged
            )?;
            writeln!(
                out,
                "index {}: {} articles before, {} after{}; {:.2} s",
                run.index,
                run.indexed_before,
                run.indexed_after,
                run.segment.as_ref().map_or(String::new(), |s| format!(" (segment {s})")),
                run.seconds.total
            )?;
            if write {
                writeln!(out, "outputs in {}/", config.outdir.display())?;
            }
        }
        Ok(finish(result))
    };
    match cmd {
        IndexCommand::Create(a) => {
            let inputs = input_specs(a.inputs);
            let write = a.output.is_some();
            let mut config = param_config(a.params, inputs, a.output.unwrap_or_default())?;
            config.report_limit = a.report_limit;
            index::create(&a.dir, &config).with_context(|| format!("cannot create an index in {}", a.dir.display()))?;
            if config.inputs.is_empty() {
                if !quiet {
                    writeln!(std::io::stdout(), "created an empty index in {}", a.dir.display())?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            add(&a.dir, config, Mode::Add, write)
        }
        IndexCommand::Add(a) => {
            let config = index_input_config(a)?;
            add(&config.0, config.1, Mode::Add, true)
        }
        IndexCommand::Query(a) => {
            let config = index_input_config(a)?;
            add(&config.0, config.1, Mode::Query, true)
        }
        IndexCommand::Stats(a) => {
            let stats = index::stats(&a.dir).with_context(|| format!("cannot read the index {}", a.dir.display()))?;
            let mut out = std::io::stdout().lock();
            if a.json {
                serde_json::to_writer_pretty(&mut out, &stats)?;
                writeln!(out)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED);
            let p = &stats.params;
            let mut rows: Vec<(String, String)> = vec![
                ("articles".into(), stats.documents.to_string()),
                ("clusters / articles in them".into(), format!("{} / {}", stats.clusters, stats.documents_in_clusters)),
                ("outlets".into(), stats.outlets.to_string()),
                (
                    "published".into(),
                    format!("{} to {}", stats.date_span[0].as_deref().unwrap_or("?"), stats.date_span[1].as_deref().unwrap_or("?")),
                ),
                ("segments".into(), stats.segments.len().to_string()),
                ("on disk".into(), format!("{:.1} MB ({:.0} bytes an article)", stats.bytes_on_disk as f64 / 1e6, stats.bytes_per_document)),
                (
                    "in memory when open".into(),
                    stats.heap_bytes_per_document.map_or("not measured here".into(), |b| format!("{b:.0} bytes an article (the rest is mapped)")),
                ),
            ];
            for (name, b) in &stats.bytes_by_section {
                rows.push((format!("  {name}"), format!("{:.1} MB", *b as f64 / 1e6)));
            }
            rows.push((
                "parameters".into(),
                format!("{}-word shingles, {} permutations, threshold {}, {} bands x {} rows", p.shingle, p.perms, p.threshold, p.bands, p.rows),
            ));
            for (k, v) in rows {
                t.add_row(vec![Cell::new(k), Cell::new(v).set_alignment(CellAlignment::Right)]);
            }
            writeln!(out, "index {} (format version {})", reprint::output::terminal_safe(&stats.index), stats.version)?;
            writeln!(out, "{t}")?;
            Ok(ExitCode::SUCCESS)
        }
        IndexCommand::Expire(a) => {
            let now = a.as_of.unwrap_or_else(reprint::jobs::index::format::now_unix);
            let e = pool
                .install(|| index::expire(&a.dir, a.older_than, now))
                .with_context(|| format!("cannot expire articles of {}", a.dir.display()))?;
            if !quiet {
                writeln!(
                    std::io::stdout(),
                    "removed {} articles published before {} ({} kept); {} segments rewritten, {} deleted; {:.1} MB -> {:.1} MB",
                    e.removed,
                    e.cutoff,
                    e.kept,
                    e.rewritten,
                    e.deleted,
                    e.bytes_before as f64 / 1e6,
                    e.bytes_after as f64 / 1e6
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The index directory and scan configuration of `index add` / `index query`.
fn index_input_config(a: IndexAddArgs) -> anyhow::Result<(PathBuf, ScanConfig)> {
    let i = a.input;
    let config = ScanConfig {
        inputs: input_specs(a.inputs),
        outdir: a.output,
        fields: i.fields.into(),
        story_threshold: i.story_threshold,
        story_window: i.story_window.0,
        strict: i.strict,
        report_limit: a.report_limit,
        ..ScanConfig::default()
    };
    Ok((a.dir, config))
}

/// The error and its causes, each cause once: library messages often already end with their
/// cause ("cannot read input x: No such file or directory"), which anyhow would repeat.
fn error_chain(err: &anyhow::Error) -> String {
    let mut msg = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
    }
    msg
}

/// Removes its file when dropped (the spooled copy of standard input), and if the run is
/// interrupted.
struct TempFile(PathBuf, #[allow(dead_code)] reprint::engine::interrupt::Pending);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Copies standard input, when it is among `inputs`, into a file in `dir` (the pipeline reads
/// its inputs more than once); the file is removed when the guard drops.
fn spool_stdin(inputs: &[InputSpec], dir: &std::path::Path) -> anyhow::Result<Option<TempFile>> {
    if !inputs.contains(&InputSpec::Stdin) {
        return Ok(None);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!(".reprint-stdin-{}.jsonl", std::process::id()));
    let pending = reprint::engine::interrupt::Pending::new(&path);
    let mut file = std::fs::File::create(&path).with_context(|| format!("cannot spool standard input to {}", path.display()))?;
    let guard = TempFile(path, pending);
    std::io::copy(&mut std::io::stdin().lock(), &mut file).context("cannot read standard input")?;
    file.sync_all()?;
    Ok(Some(guard))
}

/// `reprint dedup`: scan with dedup decisions, then stream the records by them.
fn dedup(args: DedupArgs, pool: &rayon::ThreadPool, quiet: bool) -> anyhow::Result<ExitCode> {
    let usage = |msg: String| -> anyhow::Result<ExitCode> {
        eprintln!("reprint: error: {msg}");
        Ok(ExitCode::from(EXIT_USAGE))
    };
    let targets: Vec<&PathBuf> = std::iter::once(&args.output).chain(args.removed.as_ref()).collect();
    // The same file may be named two ways (`out.jsonl`, `./out.jsonl`, an absolute path).
    let resolved = |p: &PathBuf| -> Option<PathBuf> {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        Some(parent.canonicalize().ok()?.join(p.file_name()?))
    };
    if let Some(r) = &args.removed {
        if r == &args.output || (resolved(r).is_some() && resolved(r) == resolved(&args.output)) {
            return usage("--removed must name another file than -o".into());
        }
    }
    for t in &targets {
        if t.is_dir() {
            return usage(format!("{} is a directory; name a file", t.display()));
        }
        if t.exists() && !args.force {
            return usage(format!("{} exists; pass --force to replace it", t.display()));
        }
        let target = t.canonicalize().ok();
        let parent = t.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let parent = parent.canonicalize().with_context(|| format!("cannot write {}: its directory does not exist", t.display()))?;
        for input in args.inputs.iter().filter(|p| p.as_os_str() != "-") {
            let Ok(input) = input.canonicalize() else { continue };
            if target.as_ref() == Some(&input) {
                return usage(format!("{} is an input; reprint never overwrites its input", t.display()));
            }
            if input.is_dir() && parent.starts_with(&input) {
                return usage(format!(
                    "{} is inside the input directory {}; it would be read as input by the next run",
                    t.display(),
                    input.display()
                ));
            }
        }
    }
    // Standard input is read more than once: spool it beside OUT first.
    let inputs = input_specs(args.inputs);
    let dir = args.output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let spool = spool_stdin(&inputs, dir)?;
    let mut config = param_config(args.params, inputs, PathBuf::new())?;
    config.stdin_copy = spool.as_ref().map(|s| s.0.clone());
    config.report_limit = 0;
    // Dedup needs the clusters and the keep decision: no stories, no reuse, and passages only
    // where an edge's kind depends on them.
    config.stories = false;
    config.passages = false;
    config.dedup = Some(DedupPolicy {
        keep: match args.keep {
            KeepArg::Origin => KeepRule::Origin,
            KeepArg::Earliest => KeepRule::Earliest,
            KeepArg::Longest => KeepRule::Longest,
            KeepArg::First => KeepRule::First,
        },
        prefer_outlets: args.prefer_outlet,
        min_containment: args.min_containment,
        scope: if args.same_outlet_only {
            OutletScope::SameOutlet
        } else if args.cross_outlet_only {
            OutletScope::CrossOutlet
        } else {
            OutletScope::Any
        },
    });
    config.validate()?;
    let bars = Bars::new(!quiet && std::io::stderr().is_terminal());
    let progress: &dyn Progress = match &bars {
        Some(b) => b,
        None => &NoProgress,
    };
    let outputs = reprint::jobs::dedup::Outputs { out: args.output.clone(), removed: args.removed.clone(), mark: args.mark };
    let (result, summary) = pool.install(|| -> reprint::Result<_> {
        let result = reprint::scan(&config, progress)?;
        let summary = reprint::jobs::dedup::write(&config, &result, &outputs, progress)?;
        Ok((result, summary))
    })?;
    drop(spool);
    report_problems(&result);
    let s = &summary;
    let by_reason = |k: &str| s.removed_by_reason.get(k).copied().unwrap_or(0);
    // The account is printed even with --quiet: it is the proof that nothing was lost.
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "reprint dedup: input records {} = kept {} + {} {} + skipped {} (checked)",
        s.records,
        s.kept,
        if args.mark { "marked as duplicates" } else { "removed" },
        s.removed,
        s.skipped_total()
    )?;
    if !quiet {
        writeln!(
            out,
            "duplicates: {} exact text, {} same URL, {} near-duplicate, in {} groups; {} group members kept \
             (below --min-containment {} or outside the outlet scope)",
            by_reason("exact_text"),
            by_reason("same_url"),
            by_reason("near_duplicate"),
            s.groups,
            s.retained,
            args.min_containment
        )?;
        if !s.skipped.is_empty() {
            let list: Vec<String> = s.skipped.iter().map(|(k, v)| format!("{v} {k}")).collect();
            writeln!(out, "skipped (not articles): {}", list.join(", "))?;
        }
        write!(out, "wrote {}", args.output.display())?;
        if let Some(r) = &args.removed {
            write!(out, " and {}", r.display())?;
        }
        writeln!(out)?;
    }
    Ok(finish(result))
}

/// The exit code of a finished scan. The result is not freed: it is millions of small
/// allocations (ids, titles, passages) that the process is about to give back whole, and
/// freeing them one by one took about half a second at 100,000 articles.
fn finish(result: ScanResult) -> ExitCode {
    let code = if result.has_input_problems() { ExitCode::from(EXIT_SKIPPED_INPUT) } else { ExitCode::SUCCESS };
    std::mem::forget(result);
    code
}

/// `reprint show`: what can be shown is printed; an input that cannot be read again leaves its
/// texts out, is reported on stderr, and makes the exit code 1.
fn show_cluster(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let choice = match args.color {
        ColorArg::Auto => ColorChoice::Auto,
        ColorArg::Always => ColorChoice::Always,
        ColorArg::Never => ColorChoice::Never,
    };
    let no_color = std::env::var_os("NO_COLOR");
    let color = show::use_color(choice, std::io::stdout().is_terminal(), no_color.as_deref());
    let style = Style { color, width: args.width };
    let picked = show::load(&args.outdir, args.cluster)
        .and_then(|view| show::select(&view, args.member.as_deref(), args.limit).map(|s| (view, s)));
    let (view, selection) = match picked {
        Ok(v) => v,
        // Printed as is: the library's messages already carry their causes.
        Err(err @ reprint::Error::Config(_)) => {
            eprintln!("reprint: error: {err}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
        Err(err) => {
            eprintln!("reprint: error: {err}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let ids = selection.ids();
    let (texts, unreadable) = match show::fetch_texts(&view, &ids) {
        Ok(texts) => (texts, None),
        Err(err) => (show::unavailable(&ids, &format!("{err}")), Some(err)),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(show::render(&view, &selection, &texts, style).as_bytes())?;
    out.flush()?;
    if let Some(err) = unreadable {
        eprintln!("reprint: error: {err}");
        if matches!(&err, reprint::Error::Input { path, .. } if path.is_relative()) {
            eprintln!(
                "reprint: hint: run.json names the inputs as the scan was given them, relative to the \
                 directory `reprint scan` ran in: run `reprint show` there"
            );
        }
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    Ok(ExitCode::SUCCESS)
}

/// `reprint eval`: the scores on stdout; a file that cannot be used exits 1 with its name and
/// line.
fn eval(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let evaluation = match reprint::jobs::eval::evaluate_files(&args.outdir, &args.labels, args.worst) {
        Ok(e) => e,
        Err(err) => {
            eprintln!("reprint: error: {err}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &reprint::jobs::eval::rounded(evaluation))?;
        writeln!(out)?;
    } else {
        out.write_all(reprint::jobs::eval::render(&evaluation).as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn gen_stories(args: GenStoriesArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.topics >= 1, "--topics must be at least 1");
    anyhow::ensure!(args.days >= 1, "--days must be at least 1");
    let vocabulary = match &args.words {
        Some(path) => {
            let texts = base_texts(path)?;
            let v = reprint::bench::storygen::Vocabulary::from_texts(texts.iter().map(String::as_str))
                .with_context(|| format!("{}: no words in its `text` fields", path.display()))?;
            Some(std::sync::Arc::new(v))
        }
        None => None,
    };
    let params = reprint::bench::storygen::StoryGenParams {
        stories: args.stories,
        topics: args.topics,
        seed: args.seed,
        days: args.days,
        vocabulary,
        ..Default::default()
    };
    let docs = reprint::bench::storygen::generate_stories(&params);
    reprint::bench::storygen::write_story_dump(&docs, &args.output, args.labels.as_deref())?;
    if !quiet {
        let stories = docs.iter().map(|d| d.story).max().map_or(0, |s| s + 1);
        writeln!(std::io::stdout(), "wrote {} articles ({stories} stories) to {}", docs.len(), args.output.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The `text` fields of a JSONL dump, for `gen --base`.
fn base_texts(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let data = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut texts = Vec::new();
    for (i, line) in data.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{}:{}: malformed JSON", path.display(), i + 1))?;
        if let Some(t) = v.get("text").and_then(|t| t.as_str()).filter(|t| !t.trim().is_empty()) {
            texts.push(t.to_string());
        }
    }
    anyhow::ensure!(!texts.is_empty(), "{} has no `text` fields", path.display());
    Ok(texts)
}

fn parse_window(s: &str) -> Result<i64, String> {
    reprint::story::parse_window(s).ok_or_else(|| format!("`{s}` is not a time window such as 7d, 36h or 90m"))
}

/// `--story-window`: a time window, or no limit.
#[derive(Clone, Copy, Debug)]
struct StoryWindow(Option<i64>);

impl std::fmt::Display for StoryWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("none"),
            Some(s) => {
                let (count, unit) = reprint::story::window_parts(s);
                write!(f, "{count}{unit}")
            }
        }
    }
}

fn parse_story_window(s: &str) -> Result<StoryWindow, String> {
    if s.trim() == "none" {
        return Ok(StoryWindow(None));
    }
    parse_window(s).map(|w| StoryWindow(Some(w))).map_err(|e| format!("{e}, or `none`"))
}

/// A size in bytes: digits, optionally followed by K, M or G (binary multiples, any case, an
/// optional trailing `B` or `iB`).
fn parse_bytes(s: &str) -> Result<u64, String> {
    let bad = || format!("`{s}` is not a size such as 8M, 512K or 20000000");
    let t = s.trim();
    let t = t.strip_suffix("iB").or_else(|| t.strip_suffix("ib")).or_else(|| t.strip_suffix(['B', 'b'])).unwrap_or(t);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 10),
        Some((i, 'm' | 'M')) => (&t[..i], 20),
        Some((i, 'g' | 'G')) => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let bytes = n.checked_mul(1 << shift).ok_or_else(bad)?;
    if bytes == 0 {
        return Err("the size must be at least 1 byte".into());
    }
    Ok(bytes)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// The embedded sample corpus: `corpus/` in the working directory, else the one in the
/// source tree this binary was built from.
fn default_corpus() -> anyhow::Result<PathBuf> {
    let local = PathBuf::from("corpus");
    if local.is_dir() {
        return Ok(local);
    }
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    anyhow::ensure!(built.is_dir(), "no INPUT given and the sample corpus/ was not found; name a dump to scan");
    Ok(built)
}

fn scan_config(a: ScanArgs) -> anyhow::Result<ScanConfig> {
    let inputs = if a.inputs.is_empty() { vec![InputSpec::Path(default_corpus()?)] } else { input_specs(a.inputs) };
    let mut config = param_config(a.params, inputs, a.output)?;
    config.report_limit = a.report_limit;
    config.stories = !a.no_stories;
    config.passages = !a.no_passages;
    if a.no_passages {
        // The page shows who took what from whom: nothing to show without reuse.
        config.report_limit = 0;
    }
    for spec in &a.tune {
        config.tuning.set(spec).map_err(|e| anyhow::anyhow!("--tune: {e}"))?;
    }
    config.validate()?;
    Ok(config)
}

fn input_specs(paths: Vec<PathBuf>) -> Vec<InputSpec> {
    paths.into_iter().map(|p| if p.as_os_str() == "-" { InputSpec::Stdin } else { InputSpec::Path(p) }).collect()
}

/// The scan configuration of the shared matching flags.
fn param_config(a: ParamArgs, inputs: Vec<InputSpec>, outdir: PathBuf) -> anyhow::Result<ScanConfig> {
    let banding = match (a.bands, a.rows) {
        (Some(bands), Some(rows)) => Some(Banding { bands, rows }),
        _ => None,
    };
    let config = ScanConfig {
        inputs,
        outdir,
        fields: a.fields.into(),
        shingle: a.shingle,
        perms: a.perms,
        threshold: a.threshold,
        containment: a.containment,
        banding,
        furniture: !a.no_furniture,
        story_threshold: a.story_threshold,
        story_window: a.story_window.0,
        strict: a.strict,
        max_doc_bytes: a.max_doc_bytes,
        report_limit: DEFAULT_REPORT_LIMIT,
        stories: true,
        passages: true,
        dedup: None,
        stdin_copy: None,
        tuning: Default::default(),
    };
    Ok(config)
}

/// Lists skipped documents and input problems on stderr.
fn report_problems(r: &ScanResult) {
    for issue in &r.inputs.issues {
        eprintln!("reprint: warning: {}", reprint::output::terminal_safe(&issue.to_string()));
    }
    let skipped: Vec<usize> = (0..r.docs.len()).filter(|&i| r.skipped[i].is_some()).collect();
    for &i in skipped.iter().take(SKIPS_SHOWN) {
        let reason = r.skipped[i].as_ref().expect("filtered on is_some");
        eprintln!("reprint: skipped {}: {reason}", reprint::output::terminal_safe(&r.inputs.locate(r.docs[i].location)));
    }
    if skipped.len() > SKIPS_SHOWN {
        eprintln!(
            "reprint: ... and {} more skipped documents (see `skipped` in documents.jsonl)",
            skipped.len() - SKIPS_SHOWN
        );
    }
    let undated: Vec<usize> = reprint::engine::pipeline::unreadable_dates(&r.docs, &r.skipped).collect();
    if let Some(&i) = undated.first() {
        eprintln!(
            "reprint: warning: {} document(s) have a date that cannot be read and count as undated (first: {}: `{}`)",
            undated.len(),
            reprint::output::terminal_safe(&r.inputs.locate(r.docs[i].location)),
            reprint::output::terminal_safe(r.docs[i].date.as_deref().unwrap_or_default()),
        );
    }
}

fn print_summary(r: &ScanResult, config: &ScanConfig) -> std::io::Result<()> {
    let c = &r.run.counts;
    let p = &r.run.parameters;
    let secs = r.run.seconds.total;
    let mb = c.bytes as f64 / 1e6;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    let pct = |n: usize| if c.documents == 0 { 0.0 } else { 100.0 * n as f64 / c.documents as f64 };
    let rows: Vec<(&str, String)> = vec![
        ("documents", c.documents.to_string()),
        ("skipped", format!("{} ({} input issues)", c.skipped, c.input_issues)),
        ("clusters", c.clusters.to_string()),
        ("documents in clusters", format!("{} ({:.1}%)", c.documents_in_clusters, pct(c.documents_in_clusters))),
        ("largest cluster", c.largest_cluster.to_string()),
        ("candidate pairs / verified edges", format!("{} / {}", c.candidate_pairs, c.verified_edges)),
        (
            "copies / partial copies",
            if p.passages {
                format!("{} / {}", c.roles.get("copy").unwrap_or(&0), c.roles.get("partial").unwrap_or(&0))
            } else {
                "not scored (--no-passages)".into()
            },
        ),
        (
            "stories / documents in stories",
            if p.stories { format!("{} / {}", c.stories, c.documents_in_stories) } else { "not grouped (--no-stories)".into() },
        ),
        ("shared passages", if p.passages { c.passages.to_string() } else { "not written (--no-passages)".into() }),
        ("furniture set aside", format!("{} words ({} lines)", c.furniture_words, c.furniture_lines)),
        ("time", format!("{secs:.2} s")),
        ("throughput", format!("{:.1} MB/s", if secs > 0.0 { mb / secs } else { 0.0 })),
    ];
    for (k, v) in rows {
        t.add_row(vec![Cell::new(k), Cell::new(v).set_alignment(CellAlignment::Right)]);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "reprint {}: {}-word shingles, {} permutations, threshold {}, {} bands x {} rows ({})",
        r.run.command, p.shingle, p.perms, p.threshold, p.bands, p.rows, p.banding
    )?;
    writeln!(out, "{t}")?;
    if p.passages {
        writeln!(out, "{}", outlet_table(r))?;
    }
    writeln!(out, "outputs in {}/", config.outdir.display())?;
    if config.report_limit > 0 {
        writeln!(out, "review page: {}", config.outdir.join(reprint::output::html::REPORT_FILE).display())?;
    }
    Ok(())
}

/// Outlets by reused share, most first.
fn outlet_table(r: &ScanResult) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["outlet", "docs", "reused", "copy", "partial", "origin", "furniture", "top source"]);
    let mut outlets: Vec<&reprint::engine::pipeline::OutletStats> = r.outlets.iter().collect();
    outlets.sort_by(|a, b| b.reused_share.total_cmp(&a.reused_share).then_with(|| a.outlet.cmp(&b.outlet)));
    let name = |o: &Option<String>| o.as_deref().map_or_else(|| "(none)".into(), |n| reprint::output::terminal_safe(n).into_owned());
    for o in outlets.iter().take(OUTLETS_SHOWN) {
        let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
        t.add_row(vec![
            Cell::new(name(&o.outlet)),
            right(o.documents.to_string()),
            right(format!("{:.1}%", 100.0 * o.reused_share)),
            right(o.copy.to_string()),
            right(o.partial.to_string()),
            right(o.origin.to_string()),
            right(format!("{:.1}%", 100.0 * o.furniture_share)),
            Cell::new(o.sources.first().map(|s| format!("{} ({} words)", name(&s.outlet), s.words)).unwrap_or_default()),
        ]);
    }
    if outlets.len() > OUTLETS_SHOWN {
        t.add_row(vec![Cell::new(format!("... {} more in outlets.jsonl", outlets.len() - OUTLETS_SHOWN))]);
    }
    t
}

/// indicatif bars on stderr, one per stage.
struct Bars {
    bar: Mutex<Option<ProgressBar>>,
}

impl Bars {
    fn new(enabled: bool) -> Option<Bars> {
        enabled.then(|| Bars { bar: Mutex::new(None) })
    }
}

impl Progress for Bars {
    fn begin(&self, stage: &'static str, total: Option<u64>, unit: Unit) {
        let counter = match unit {
            Unit::Bytes => "{bytes} ({bytes_per_sec})",
            Unit::Documents => "{human_pos}/{human_len} documents",
            Unit::Bands => "{pos}/{len} bands",
            Unit::Pairs => "{human_pos}/{human_len} pairs ({per_sec})",
        };
        let (bar, template) = match total {
            Some(n) => (ProgressBar::new(n), format!("{{prefix:>12}} [{{bar:30}}] {counter} {{eta}}")),
            None => (ProgressBar::no_length(), format!("{{prefix:>12}} {{spinner}} {counter} {{elapsed}}")),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template(&template).expect("valid template").progress_chars("=> "));
        bar.set_prefix(stage);
        bar.enable_steady_tick(Duration::from_millis(120));
        *self.bar.lock().expect("progress lock") = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Some(b) = self.bar.lock().expect("progress lock").as_ref() {
            b.inc(n);
        }
    }

    fn end(&self) {
        if let Some(b) = self.bar.lock().expect("progress lock").take() {
            b.finish_and_clear();
        }
    }
}
