//! The smaller commands: `plan`, `show`, `eval` and `gen-stories`.

use super::*;

/// `reprint plan`: the banding, S-curve and estimate for these parameters; reads no input.
pub(super) fn plan(a: PlanArgs) -> anyhow::Result<ExitCode> {
    let banding = match (a.bands, a.rows) {
        (Some(bands), Some(rows)) => Some(Banding { bands, rows }),
        _ => None,
    };
    let config = ScanConfig { threshold: a.threshold, perms: a.perms, shingle: a.shingle, banding, ..ScanConfig::default() };
    let plan = crate::jobs::plan::plan(&config, a.docs, a.avg_bytes, crate::jobs::plan::machine_memory())?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &plan)?;
        writeln!(out)?;
    } else {
        out.write_all(crate::jobs::plan::render(&plan).as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `reprint show`: what can be shown is printed; an input that cannot be read again leaves its
/// texts out, is reported on stderr, and makes the exit code 1.
pub(super) fn show_cluster(args: ShowArgs) -> anyhow::Result<ExitCode> {
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
        Err(err @ crate::Error::Config(_)) => {
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
        if matches!(&err, crate::Error::Input { path, .. } if path.is_relative()) {
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
pub(super) fn eval(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let evaluation = match crate::jobs::eval::evaluate_files(&args.outdir, &args.labels, args.worst) {
        Ok(e) => e,
        Err(err) => {
            eprintln!("reprint: error: {err}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &crate::jobs::eval::rounded(evaluation))?;
        writeln!(out)?;
    } else {
        out.write_all(crate::jobs::eval::render(&evaluation).as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn gen_stories(args: GenStoriesArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.topics >= 1, "--topics must be at least 1");
    anyhow::ensure!(args.days >= 1, "--days must be at least 1");
    let vocabulary = match &args.words {
        Some(path) => {
            let texts = base_texts(path)?;
            let v = crate::bench::storygen::Vocabulary::from_texts(texts.iter().map(String::as_str))
                .with_context(|| format!("{}: no words in its `text` fields", path.display()))?;
            Some(std::sync::Arc::new(v))
        }
        None => None,
    };
    let params = crate::bench::storygen::StoryGenParams {
        stories: args.stories,
        topics: args.topics,
        seed: args.seed,
        days: args.days,
        vocabulary,
        ..Default::default()
    };
    let docs = crate::bench::storygen::generate_stories(&params);
    crate::bench::storygen::write_story_dump(&docs, &args.output, args.labels.as_deref())?;
    if !quiet {
        let stories = docs.iter().map(|d| d.story).max().map_or(0, |s| s + 1);
        writeln!(std::io::stdout(), "wrote {} articles ({stories} stories) to {}", docs.len(), args.output.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The `text` fields of a JSONL dump, for `gen --base`.
pub(super) fn base_texts(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
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
