//! `reprint index`: create, add, query, stats, expire, verify.

use super::*;

/// `reprint index ...`.
pub(super) fn index_command(cmd: IndexCommand, pool: &rayon::ThreadPool, quiet: bool) -> anyhow::Result<ExitCode> {
    use crate::jobs::index::{self, Mode};
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
            writeln!(out, "index {} (format version {})", crate::output::terminal_safe(&stats.index), stats.version)?;
            writeln!(out, "{t}")?;
            Ok(ExitCode::SUCCESS)
        }
        IndexCommand::Expire(a) => {
            let now = a.as_of.unwrap_or_else(crate::jobs::index::format::now_unix);
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
pub(super) fn index_input_config(a: IndexAddArgs) -> anyhow::Result<(PathBuf, ScanConfig)> {
    let i = a.input;
    let config = ScanConfig {
        inputs: input_specs(a.inputs),
        outdir: a.output,
        fields: i.fields.into(),
        story_threshold: i.story_threshold,
        story_window: i.story_window.0,
        strict: i.strict,
        report_limit: a.report_limit,
        memory: i.memory.budget(),
        ..ScanConfig::default()
    };
    Ok((a.dir, config))
}
