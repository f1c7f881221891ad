//! `reprint dedup`: the scan with a keep policy, then the kept records and the removal log;
//! standard input spooled to a temporary file first, removed on exit.

use super::*;

/// Removes its file when dropped (the spooled copy of standard input), and if the run is
/// interrupted.
pub(super) struct TempFile(pub(super) PathBuf, #[allow(dead_code)] crate::engine::interrupt::Pending);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Copies standard input, when it is among `inputs`, into a file in `dir` (the pipeline reads
/// its inputs more than once); the file is removed when the guard drops.
pub(super) fn spool_stdin(inputs: &[InputSpec], dir: &std::path::Path) -> anyhow::Result<Option<TempFile>> {
    if !inputs.contains(&InputSpec::Stdin) {
        return Ok(None);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!(".reprint-stdin-{}.jsonl", std::process::id()));
    let pending = crate::engine::interrupt::Pending::new(&path);
    let mut file = std::fs::File::create(&path).with_context(|| format!("cannot spool standard input to {}", path.display()))?;
    let guard = TempFile(path, pending);
    std::io::copy(&mut std::io::stdin().lock(), &mut file).context("cannot read standard input")?;
    file.sync_all()?;
    Ok(Some(guard))
}

/// `reprint dedup`: scan with dedup decisions, then stream the records by them.
pub(super) fn dedup(args: DedupArgs, pool: &rayon::ThreadPool, quiet: bool) -> anyhow::Result<ExitCode> {
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
    let outputs = crate::jobs::dedup::Outputs { out: args.output.clone(), removed: args.removed.clone(), mark: args.mark };
    let (result, summary) = pool.install(|| -> crate::Result<_> {
        let result = crate::scan(&config, progress)?;
        let summary = crate::jobs::dedup::write(&config, &result, &outputs, progress)?;
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
        writeln!(
            out,
            "memory budget {}; spilled to disk: {}",
            super::summary::memory_budget(&result.run.memory),
            super::summary::spilled(&result.run.memory)
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
