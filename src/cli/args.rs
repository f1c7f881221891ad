//! Flags: every subcommand's arguments (clap derive), their parsers, and the scan
//! configuration they make.

use super::*;
use crate::config::Budget;

#[derive(Parser)]
#[command(name = "reprint", version, about = "Find near-duplicate and syndicated news articles in scraped news dumps")]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
    #[command(flatten)]
    pub(super) global: GlobalArgs,
}

/// Flags every command accepts.
#[derive(Args)]
pub(super) struct GlobalArgs {
    /// Worker threads (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    pub(super) threads: Option<usize>,
    /// No progress bars and no summary table.
    #[arg(long, short, global = true)]
    pub(super) quiet: bool,
}

#[derive(Subcommand)]
pub(super) enum Command {
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
pub(super) struct SignArgs {
    /// JSONL dumps (plain, gzip or zstd), .txt articles or directories: the same list, in the
    /// same order, for every shard.
    #[arg(value_name = "INPUT", required = true)]
    pub(super) inputs: Vec<PathBuf>,
    /// The directory of the tables (shared by all shards).
    #[arg(short, long, value_name = "SIGDIR")]
    pub(super) output: PathBuf,
    /// Sign shard I of N: the input files whose number in the list is I-1 modulo N.
    #[arg(long, default_value = "1/1", value_name = "I/N", value_parser = crate::jobs::shard::parse_shard)]
    pub(super) shard: (u32, u32),
    /// Inputs added to a signed run: batch 0 is the first inputs, each later batch adds new
    /// ones (its furniture is judged over every batch's lines, its candidate pairs joined
    /// against the earlier batches' band keys; see docs/scale-out.md).
    #[arg(long, default_value_t = 0, value_name = "B", value_parser = clap::value_parser!(u32).range(0..crate::jobs::shard::MAX_BATCHES as i64))]
    pub(super) batch: u32,
    /// The first pass: only each document's lines, from which the `furniture` step of
    /// spark/reprint_edges.py judges page furniture over all shards.
    #[arg(long)]
    pub(super) lines: bool,
    #[command(flatten)]
    pub(super) params: ParamArgs,
}

#[cfg(feature = "parquet")]
#[derive(Args)]
pub(super) struct ClusterArgs {
    /// The signed shards' directory (`reprint sign -o`).
    #[arg(long, value_name = "SIGDIR")]
    pub(super) sigs: PathBuf,
    /// The candidate pairs' directory (the `edges` step of spark/reprint_edges.py).
    #[arg(long, value_name = "EDGES")]
    pub(super) edges: PathBuf,
    /// Output directory.
    #[arg(short, long, value_name = "OUTDIR")]
    pub(super) output: PathBuf,
    /// Most clusters shown in report.html; 0 writes no report.
    #[arg(long, default_value_t = DEFAULT_REPORT_LIMIT, value_name = "N")]
    pub(super) report_limit: usize,
    /// The signed inputs under other paths (the same files, in the same order); by default
    /// the paths the shards were signed with.
    #[arg(value_name = "INPUT")]
    pub(super) inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub(super) memory: MemoryArgs,
}

#[derive(Subcommand)]
pub(super) enum IndexCommand {
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
pub(super) struct IndexCreateArgs {
    /// The index directory (created; must not hold an index).
    #[arg(value_name = "DIR")]
    pub(super) dir: PathBuf,
    /// Dumps or directories to add at once.
    #[arg(value_name = "INPUT")]
    pub(super) inputs: Vec<PathBuf>,
    /// Write the scan's outputs for the INPUTs here (default: none are written).
    #[arg(short, long, value_name = "OUTDIR")]
    pub(super) output: Option<PathBuf>,
    /// Most clusters shown in report.html; 0 writes no report.
    #[arg(long, default_value_t = DEFAULT_REPORT_LIMIT, value_name = "N")]
    pub(super) report_limit: usize,
    #[command(flatten)]
    pub(super) params: ParamArgs,
}

#[derive(Args)]
pub(super) struct IndexAddArgs {
    /// The index directory.
    #[arg(value_name = "DIR")]
    pub(super) dir: PathBuf,
    /// JSONL dumps (plain, gzip or zstd), .txt articles or directories.
    #[arg(value_name = "INPUT", required = true)]
    pub(super) inputs: Vec<PathBuf>,
    /// Output directory for the new articles' documents, clusters, passages, outlets, stories,
    /// run.json and report.html.
    #[arg(short, long, value_name = "OUTDIR")]
    pub(super) output: PathBuf,
    /// Most clusters shown in report.html; 0 writes no report.
    #[arg(long, default_value_t = DEFAULT_REPORT_LIMIT, value_name = "N")]
    pub(super) report_limit: usize,
    #[command(flatten)]
    pub(super) input: InputArgs,
}

/// Flags about reading and presenting inputs (matching parameters belong to the index).
#[derive(Args)]
pub(super) struct InputArgs {
    /// Weighted similarity of rare terms for two articles to tell the same story.
    #[arg(long, default_value_t = crate::story::DEFAULT_STORY_THRESHOLD, value_name = "S")]
    pub(super) story_threshold: f64,
    /// A story's dated articles all lie within this time (e.g. 5d, 36h; `none` for no limit):
    /// one event's news cycle. Later coverage is its own story, listed as a follow-up.
    #[arg(long, value_name = "WINDOW", default_value_t = StoryWindow(Some(crate::story::DEFAULT_STORY_WINDOW)), value_parser = parse_story_window)]
    pub(super) story_window: StoryWindow,
    /// Any skipped document or unreadable input is an error; nothing is written or added.
    #[arg(long)]
    pub(super) strict: bool,
    #[command(flatten)]
    pub(super) memory: MemoryArgs,
    #[command(flatten)]
    pub(super) fields: FieldArgs,
}

#[derive(Args)]
pub(super) struct IndexStatsArgs {
    /// The index directory.
    #[arg(value_name = "DIR")]
    pub(super) dir: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub(super) json: bool,
}

#[derive(Args)]
pub(super) struct IndexExpireArgs {
    /// The index directory.
    #[arg(value_name = "DIR")]
    pub(super) dir: PathBuf,
    /// Remove articles older than this (e.g. 90d, 12w, 36h).
    #[arg(long, value_name = "AGE", value_parser = parse_window)]
    pub(super) older_than: i64,
    /// Measure ages from this date instead of now (RFC 3339 or YYYY-MM-DD), for reproducible
    /// runs.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub(super) as_of: Option<i64>,
}

#[derive(Args)]
pub(super) struct ShowArgs {
    /// Output directory of `reprint scan`.
    #[arg(value_name = "OUTDIR")]
    pub(super) outdir: PathBuf,
    /// Cluster id (`id` in clusters.jsonl, `cluster` in documents.jsonl).
    #[arg(value_name = "CLUSTER_ID")]
    pub(super) cluster: u32,
    /// Show only this member above its source (the origin: alone, with everything others
    /// share with it marked).
    #[arg(long, value_name = "ID")]
    pub(super) member: Option<String>,
    /// Members shown above their sources; 0 shows all (the table always lists every member).
    #[arg(long, default_value_t = show::DEFAULT_LIMIT, value_name = "N")]
    pub(super) limit: usize,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never. Without colour,
    /// shared passages are marked {+like this+}.
    #[arg(long, alias = "colour", value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub(super) color: ColorArg,
    /// Wrap texts and the table at this many columns; 0 keeps the texts' lines as they are.
    #[arg(long, default_value_t = show::DEFAULT_WIDTH, value_name = "COLS")]
    pub(super) width: usize,
}

/// `--color` values.
#[derive(Clone, Copy, ValueEnum)]
pub(super) enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Args)]
pub(super) struct PlanArgs {
    /// Jaccard threshold for a near-duplicate.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_name = "T")]
    pub(super) threshold: f64,
    /// MinHash permutations.
    #[arg(long, default_value_t = DEFAULT_PERMS, value_name = "P")]
    pub(super) perms: usize,
    /// Shingle width in words (sets the length in words of the run the anchor route guarantees).
    #[arg(long, default_value_t = DEFAULT_SHINGLE, value_name = "K")]
    pub(super) shingle: usize,
    /// LSH bands (with --rows; default: derived from --threshold, as scan derives them).
    #[arg(long, requires = "rows", value_name = "B")]
    pub(super) bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands", value_name = "R")]
    pub(super) rows: Option<usize>,
    /// Articles to estimate memory and disk for.
    #[arg(long, default_value_t = crate::jobs::plan::DEFAULT_DOCS, value_name = "N")]
    pub(super) docs: u64,
    /// Average size of one input record (a JSONL line with its metadata): bytes, or with a K
    /// or M suffix. Memory grows with the articles' length.
    #[arg(long, default_value_t = crate::jobs::plan::DEFAULT_AVG_BYTES, value_name = "BYTES", value_parser = parse_bytes)]
    pub(super) avg_bytes: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(super) json: bool,
}

#[derive(Args)]
pub(super) struct GenStoriesArgs {
    /// Stories to generate (each told by 2 to 6 outlets), besides their follow-ups and sequels.
    #[arg(long, default_value_t = 300, value_name = "N")]
    pub(super) stories: usize,
    /// Topics the stories are spread over (same-topic stories share vocabulary).
    #[arg(long, default_value_t = 12, value_name = "N")]
    pub(super) topics: usize,
    /// Random seed (same seed, same dump).
    #[arg(long, default_value_t = 1)]
    pub(super) seed: u64,
    /// Output dump (JSONL).
    #[arg(short, long, value_name = "FILE")]
    pub(super) output: PathBuf,
    /// Also write ground-truth labels here (JSONL: id, story, topic, cluster, follows).
    #[arg(long, value_name = "FILE")]
    pub(super) labels: Option<PathBuf>,
    /// Days the stories are spread over.
    #[arg(long, default_value_t = crate::bench::storygen::DEFAULT_DAYS, value_name = "N")]
    pub(super) days: usize,
    /// A JSONL dump whose texts give real word frequencies for background sentences (e.g.
    /// corpus/reuters-sample.jsonl); none without it.
    #[arg(long, value_name = "FILE")]
    pub(super) words: Option<PathBuf>,
}

#[derive(Args)]
pub(super) struct EvalArgs {
    /// A scan's output directory (its documents.jsonl is read).
    #[arg(value_name = "OUTDIR")]
    pub(super) outdir: PathBuf,
    /// Ground truth (JSONL): `id` and `cluster` (null for an article that is nobody's copy) on
    /// every line; optional `story` (scored against stories), `copied_frac` (against reuse)
    /// and `level` (unique, original, copy or partial). `reprint gen --labels` writes these.
    #[arg(long, value_name = "LABELS")]
    pub(super) labels: PathBuf,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub(super) json: bool,
    /// Worst false merges and misses listed per level of grouping.
    #[arg(long, default_value_t = crate::jobs::eval::DEFAULT_WORST, value_name = "N")]
    pub(super) worst: usize,
}

#[derive(Args)]
pub(super) struct GenArgs {
    /// Articles to generate.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub(super) docs: usize,
    /// Random seed (same seed, same dump).
    #[arg(long, default_value_t = 1)]
    pub(super) seed: u64,
    /// Share of articles that are edited copies of another.
    #[arg(long, default_value_t = 0.5, value_name = "F")]
    pub(super) copy_fraction: f64,
    /// Highest per-word edit rate of a copy.
    #[arg(long, default_value_t = 0.2, value_name = "R")]
    pub(super) max_edit_rate: f64,
    /// Take original articles from this JSONL dump's `text` fields instead of generating them.
    #[arg(long, value_name = "JSONL")]
    pub(super) base: Option<PathBuf>,
    /// Syndication mix: copies edited, truncated, embedded in local text or reordered under
    /// a new lede, every outlet with page furniture; labels carry copied_frac.
    #[arg(long)]
    pub(super) syndication: bool,
    /// A mass of one outlet's daily notice: every article the same frame with a different
    /// amount, rate and weekday, dated over a month (labelled as one cluster).
    #[arg(long, conflicts_with_all = ["syndication", "base"])]
    pub(super) notices: bool,
    /// Output dump (JSONL).
    #[arg(short, long, value_name = "FILE")]
    pub(super) output: PathBuf,
    /// Also write ground-truth labels here (JSONL: id, cluster, story, edit_rate, kept_fraction,
    /// copied_frac, mode, level, furniture_words), the input of `reprint eval --labels`.
    #[arg(long, value_name = "FILE")]
    pub(super) labels: Option<PathBuf>,
}

#[derive(Args)]
pub(super) struct ScanArgs {
    /// JSONL dumps (plain, gzip or zstd), .txt articles, directories, or - for stdin.
    /// Default: the embedded sample corpus.
    #[arg(value_name = "INPUT")]
    pub(super) inputs: Vec<PathBuf>,
    /// Output directory.
    #[arg(short, long, default_value = "reprint-out", value_name = "OUTDIR")]
    pub(super) output: PathBuf,
    /// Most clusters shown in report.html (the largest and the most suspicious, half each);
    /// 0 writes no report. The JSONL outputs always list every cluster.
    #[arg(long, default_value_t = DEFAULT_REPORT_LIMIT, value_name = "N")]
    pub(super) report_limit: usize,
    /// Override one internal cut-off for this run (NAME=VALUE, repeatable): the furniture
    /// rule's and the story weights, for the defaults sweep (tools/sweep_defaults.sh).
    /// Hidden: the names are listed in ARCHITECTURE.md, and run.json records every override.
    #[arg(long, hide = true, value_name = "NAME=VALUE")]
    pub(super) tune: Vec<String>,
    /// Group no stories: clusters, passages and reuse only (no stories.jsonl; every
    /// document's `story` is null), for a faster scan that holds less.
    #[arg(long)]
    pub(super) no_stories: bool,
    /// Clusters only: align only the pairs whose kind depends on their passages, score no
    /// reuse (every `reuse`, `role` and `source` null), and write no passages.jsonl,
    /// outlets.jsonl or report.html, for a faster scan that holds less.
    #[arg(long)]
    pub(super) no_passages: bool,
    #[command(flatten)]
    pub(super) params: ParamArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum KeepArg {
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
pub(super) struct DedupArgs {
    /// JSONL dumps (plain, gzip or zstd), .txt articles, directories, or - for stdin.
    #[arg(value_name = "INPUT", required = true)]
    pub(super) inputs: Vec<PathBuf>,
    /// The deduplicated dump (JSONL; gzip or zstd when it ends in .gz or .zst).
    #[arg(short, long, value_name = "OUT")]
    pub(super) output: PathBuf,
    /// Also list every removed and skipped record here (JSONL: id, cluster, kept_id, jaccard,
    /// containment, reason).
    #[arg(long, value_name = "REMOVED.jsonl")]
    pub(super) removed: Option<PathBuf>,
    /// Write every record, with a `reprint` object added (cluster, story, role, reuse, kept),
    /// instead of leaving duplicates out.
    #[arg(long)]
    pub(super) mark: bool,
    /// Which member of a duplicate group to keep.
    #[arg(long, value_enum, default_value_t = KeepArg::Origin)]
    pub(super) keep: KeepArg,
    /// Prefer keeping this outlet's article (repeat for a priority list, highest first).
    #[arg(long, value_name = "OUTLET")]
    pub(super) prefer_outlet: Vec<String>,
    /// Remove a near-duplicate only when at least this share of its shingles is in the kept
    /// article (exact-text and same-URL duplicates are always removable).
    #[arg(long, default_value_t = DEFAULT_MIN_CONTAINMENT, value_name = "C")]
    pub(super) min_containment: f64,
    /// Remove only duplicates from the kept article's own outlet.
    #[arg(long, conflicts_with = "cross_outlet_only")]
    pub(super) same_outlet_only: bool,
    /// Remove only duplicates from other outlets than the kept article's.
    #[arg(long)]
    pub(super) cross_outlet_only: bool,
    /// Replace OUT (and REMOVED) if they exist.
    #[arg(long)]
    pub(super) force: bool,
    #[command(flatten)]
    pub(super) params: ParamArgs,
}

/// Matching parameters shared by `scan` and `dedup`.
#[derive(Args)]
pub(super) struct ParamArgs {
    /// Shingle width in words.
    #[arg(long, default_value_t = DEFAULT_SHINGLE, value_name = "K")]
    pub(super) shingle: usize,
    /// MinHash permutations.
    #[arg(long, default_value_t = DEFAULT_PERMS, value_name = "P")]
    pub(super) perms: usize,
    /// Jaccard threshold for a near-duplicate.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_name = "T")]
    pub(super) threshold: f64,
    /// Containment for a containment copy: share of the smaller text's shingles inside the
    /// larger (truncated copies, stories inside longer articles).
    #[arg(long, default_value_t = DEFAULT_CONTAINMENT, value_name = "C")]
    pub(super) containment: f64,
    /// Do not detect and set aside page furniture (bylines, "Share:", "READ MORE: ...").
    #[arg(long)]
    pub(super) no_furniture: bool,
    /// Weighted similarity of rare terms (names, numbers, event words) for two articles to
    /// tell the same story.
    #[arg(long, default_value_t = crate::story::DEFAULT_STORY_THRESHOLD, value_name = "S")]
    pub(super) story_threshold: f64,
    /// A story's dated articles all lie within this time (e.g. 5d, 36h; `none` for no limit):
    /// one event's news cycle. Later coverage is its own story, listed as a follow-up.
    #[arg(long, value_name = "WINDOW", default_value_t = StoryWindow(Some(crate::story::DEFAULT_STORY_WINDOW)), value_parser = parse_story_window)]
    pub(super) story_window: StoryWindow,
    /// LSH bands (with --rows; default: derived from --threshold).
    #[arg(long, requires = "rows", value_name = "B")]
    pub(super) bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands", value_name = "R")]
    pub(super) rows: Option<usize>,
    /// Any skipped document or unreadable input is an error; nothing is written.
    #[arg(long)]
    pub(super) strict: bool,
    /// Skip records (JSONL lines, .txt files) larger than this, without reading them into
    /// memory: bytes, or with a K, M or G suffix (KiB, MiB, GiB).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_DOC_BYTES, value_parser = parse_bytes)]
    pub(super) max_doc_bytes: u64,
    #[command(flatten)]
    pub(super) memory: MemoryArgs,
    #[command(flatten)]
    pub(super) fields: FieldArgs,
}

/// The memory budget (`scan`, `dedup`, `sign`, `index create/add/query`, `cluster`).
#[derive(Args)]
pub(super) struct MemoryArgs {
    /// Memory budget (e.g. 512M, 4G; default: half the machine's memory). Per-article state
    /// that outgrows its share goes to files under --temp-dir, and the inputs may be read
    /// twice; the outputs are the same whatever the budget. docs/memory-budget.md says what
    /// is still held whatever the budget.
    #[arg(long, value_name = "SIZE", value_parser = parse_bytes)]
    pub(super) memory: Option<u64>,
    /// Directory for temporary files (default: the system's temporary directory); they are
    /// removed when the run ends, fails or is interrupted.
    #[arg(long, value_name = "DIR")]
    pub(super) temp_dir: Option<PathBuf>,
}

impl MemoryArgs {
    /// The budget these flags ask for.
    pub(super) fn budget(self) -> Budget {
        match self.memory {
            Some(bytes) => Budget::given(bytes, self.temp_dir),
            None => Budget { temp_dir: self.temp_dir.unwrap_or_else(std::env::temp_dir), ..Budget::default() },
        }
    }
}

/// Which JSON fields hold what (`scan`, `dedup`, `index`).
#[derive(Args)]
pub(super) struct FieldArgs {
    /// JSON field holding the document id (default: id, _id, doc_id; else FILE:LINE).
    #[arg(long, value_name = "FIELD")]
    pub(super) id_field: Option<String>,
    /// JSON field holding the text (default: text, maintext, content, body).
    #[arg(long, value_name = "FIELD")]
    pub(super) text_field: Option<String>,
    /// JSON field holding the title (default: title, headline).
    #[arg(long, value_name = "FIELD")]
    pub(super) title_field: Option<String>,
    /// JSON field holding the outlet (default: outlet, source, source_domain, domain,
    /// hostname; else the URL's host).
    #[arg(long, value_name = "FIELD")]
    pub(super) outlet_field: Option<String>,
    /// JSON field holding the date (default: date, date_publish, published, published_at,
    /// publish_date, pubDate).
    #[arg(long, value_name = "FIELD")]
    pub(super) date_field: Option<String>,
    /// JSON field holding the URL (default: url, link, canonical_url).
    #[arg(long, value_name = "FIELD")]
    pub(super) url_field: Option<String>,
}

impl From<FieldArgs> for FieldMap {
    fn from(a: FieldArgs) -> FieldMap {
        FieldMap { id: a.id_field, text: a.text_field, title: a.title_field, outlet: a.outlet_field, date: a.date_field, url: a.url_field }
    }
}

pub(super) fn parse_as_of(s: &str) -> Result<i64, String> {
    crate::input::parse_date(s).ok_or_else(|| format!("`{s}` is not a date (use 2024-06-30 or 2024-06-30T00:00:00Z)"))
}

pub(super) fn parse_window(s: &str) -> Result<i64, String> {
    crate::story::parse_window(s).ok_or_else(|| format!("`{s}` is not a time window such as 7d, 36h or 90m"))
}

/// `--story-window`: a time window, or no limit.
#[derive(Clone, Copy, Debug)]
pub(super) struct StoryWindow(pub(super) Option<i64>);

impl std::fmt::Display for StoryWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("none"),
            Some(s) => {
                let (count, unit) = crate::story::window_parts(s);
                write!(f, "{count}{unit}")
            }
        }
    }
}

pub(super) fn parse_story_window(s: &str) -> Result<StoryWindow, String> {
    if s.trim() == "none" {
        return Ok(StoryWindow(None));
    }
    parse_window(s).map(|w| StoryWindow(Some(w))).map_err(|e| format!("{e}, or `none`"))
}

/// A size in bytes: digits, optionally followed by K, M or G (binary multiples, any case, an
/// optional trailing `B` or `iB`).
pub(super) fn parse_bytes(s: &str) -> Result<u64, String> {
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

/// The embedded sample corpus: `corpus/` in the working directory, else the one in the
/// source tree this binary was built from.
pub(super) fn default_corpus() -> anyhow::Result<PathBuf> {
    let local = PathBuf::from("corpus");
    if local.is_dir() {
        return Ok(local);
    }
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    anyhow::ensure!(built.is_dir(), "no INPUT given and the sample corpus/ was not found; name a dump to scan");
    Ok(built)
}

pub(super) fn scan_config(a: ScanArgs) -> anyhow::Result<ScanConfig> {
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

pub(super) fn input_specs(paths: Vec<PathBuf>) -> Vec<InputSpec> {
    paths.into_iter().map(|p| if p.as_os_str() == "-" { InputSpec::Stdin } else { InputSpec::Path(p) }).collect()
}

/// The scan configuration of the shared matching flags.
pub(super) fn param_config(a: ParamArgs, inputs: Vec<InputSpec>, outdir: PathBuf) -> anyhow::Result<ScanConfig> {
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
        memory: a.memory.budget(),
    };
    Ok(config)
}
