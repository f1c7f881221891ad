//! The command line: flags, exit codes, terminal output, progress bars, `show`. Everything
//! that reads argv or prints lives here; `src/main.rs` only picks the allocator and calls
//! [`main`].
//!
//! Exit codes: 0 success; 1 error (nothing replaced); 2 usage error; 3 finished, but some
//! input was skipped or unreadable (listed in `documents.jsonl` and `run.json`).

pub mod show;
mod args;
mod bars;
mod commands;
mod dedup;
mod index;
mod summary;

use args::*;
use bars::*;
use commands::*;
use dedup::*;
use index::*;
use summary::*;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use crate::config::{
    Banding, DedupPolicy, FieldMap, InputSpec, KeepRule, OutletScope, ScanConfig, DEFAULT_CONTAINMENT,
    DEFAULT_MAX_DOC_BYTES, DEFAULT_MIN_CONTAINMENT, DEFAULT_REPORT_LIMIT, DEFAULT_PERMS, DEFAULT_SHINGLE, DEFAULT_THRESHOLD,
};
use crate::engine::progress::{NoProgress, Progress, Unit};
use show::{ColorChoice, Style};
use crate::bench::synth::{self, GenParams};
use crate::ScanResult;

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

/// Runs the command line: parses `std::env::args`, runs the command, prints, and returns
/// the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Before anything is written: an interrupted run removes what it had not finished.
    if let Err(e) = crate::engine::interrupt::install() {
        eprintln!("reprint: warning: cannot watch for interruptions ({e}); a killed run may leave hidden temporary files");
    }
    match run(cli) {
        Ok(code) => code,
        // A closed stdout (`reprint scan | head`) is not a failure: the outputs are written.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        // A budget below the smallest that works is a flag to change, not a failure.
        Err(err) if err.chain().any(|e| matches!(e.downcast_ref::<crate::Error>(), Some(crate::Error::MemoryTooSmall { .. }))) => {
            eprintln!("reprint: error: {}", error_chain(&err));
            ExitCode::from(EXIT_USAGE)
        }
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
                .install(|| crate::run_scan(&config, progress))
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
                        crate::jobs::shard::sign_lines(&config, args.batch, args.shard, &args.output, progress)
                    } else {
                        crate::jobs::shard::sign(&config, args.batch, args.shard, &args.output, progress)
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
            let budget = args.memory.budget();
            let (result, config) = pool
                .install(|| -> crate::Result<_> {
                    let (result, config) =
                        crate::jobs::shard::cluster(&args.sigs, &args.edges, inputs, &args.output, args.report_limit, budget, progress)?;
                    let page = crate::output::html::prepare(&result, &config)?;
                    crate::output::report::write_outputs(&result, &config.outdir, page.as_ref())?;
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

/// The exit code of a finished scan. The result is not freed: it is millions of small
/// allocations (ids, titles, passages) that the process is about to give back whole, and
/// freeing them one by one took about half a second at 100,000 articles.
fn finish(result: ScanResult) -> ExitCode {
    let code = if result.has_input_problems() { ExitCode::from(EXIT_SKIPPED_INPUT) } else { ExitCode::SUCCESS };
    std::mem::forget(result);
    code
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
