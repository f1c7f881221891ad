//! What a finished scan prints: problems on stderr, the summary and outlet tables on stdout.

use super::*;

/// Lists skipped documents and input problems on stderr.
pub(super) fn report_problems(r: &ScanResult) {
    for issue in &r.inputs.issues {
        eprintln!("reprint: warning: {}", crate::output::terminal_safe(&issue.to_string()));
    }
    let skipped: Vec<usize> = (0..r.docs.len()).filter(|&i| r.skipped[i].is_some()).collect();
    for &i in skipped.iter().take(SKIPS_SHOWN) {
        let reason = r.skipped[i].as_ref().expect("filtered on is_some");
        eprintln!("reprint: skipped {}: {reason}", crate::output::terminal_safe(&r.inputs.locate(r.docs[i].location)));
    }
    if skipped.len() > SKIPS_SHOWN {
        eprintln!(
            "reprint: ... and {} more skipped documents (see `skipped` in documents.jsonl)",
            skipped.len() - SKIPS_SHOWN
        );
    }
    let undated: Vec<usize> = crate::engine::pipeline::unreadable_dates(&r.docs, &r.skipped).collect();
    if let Some(&i) = undated.first() {
        eprintln!(
            "reprint: warning: {} document(s) have a date that cannot be read and count as undated (first: {}: `{}`)",
            undated.len(),
            crate::output::terminal_safe(&r.inputs.locate(r.docs[i].location)),
            crate::output::terminal_safe(r.docs[i].date.as_deref().unwrap_or_default()),
        );
    }
}

pub(super) fn print_summary(r: &ScanResult, config: &ScanConfig) -> std::io::Result<()> {
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
        ("memory budget", memory_budget(&r.run.memory)),
        ("spilled to disk", spilled(&r.run.memory)),
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
        writeln!(out, "review page: {}", config.outdir.join(crate::output::html::REPORT_FILE).display())?;
    }
    Ok(())
}

/// Bytes in binary units, as `--memory` takes them (`256.0 MiB`).
fn binary_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    if value < 1024.0 {
        return format!("{bytes} B");
    }
    let mut unit = 0;
    value /= 1024.0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The budget and where it came from (`run.json`'s `memory.budget` and `budget_from`).
pub(super) fn memory_budget(m: &crate::engine::budget::MemoryInfo) -> String {
    let from = if m.budget_from == "given" { "--memory" } else { "default: half the memory" };
    format!("{} ({from})", binary_bytes(m.budget))
}

/// What left memory and the temporary files' peak (`memory.spilled`, `temp_peak_bytes`).
pub(super) fn spilled(m: &crate::engine::budget::MemoryInfo) -> String {
    if m.spilled.is_empty() {
        "nothing".into()
    } else {
        format!("{} (temporary files at most {})", m.spilled.join(", "), binary_bytes(m.temp_peak_bytes))
    }
}

/// Outlets by reused share, most first.
pub(super) fn outlet_table(r: &ScanResult) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["outlet", "docs", "reused", "copy", "partial", "origin", "furniture", "top source"]);
    let mut outlets: Vec<&crate::engine::pipeline::OutletStats> = r.outlets.iter().collect();
    outlets.sort_by(|a, b| b.reused_share.total_cmp(&a.reused_share).then_with(|| a.outlet.cmp(&b.outlet)));
    let name = |o: &Option<String>| o.as_deref().map_or_else(|| "(none)".into(), |n| crate::output::terminal_safe(n).into_owned());
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
