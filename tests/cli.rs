//! The command-line contract: help, exit codes, messages, the summary table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::util::*;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A small input: two near-copies, two exact copies, two unrelated stories.
/// Expected: 6 documents, 2 clusters, 4 documents in clusters.
fn small_input(dir: &Path) -> PathBuf {
    let t = reuters_sample_texts();
    let path = dir.join("in.jsonl");
    write_jsonl(
        &path,
        &[
            json!({"id": "a1", "text": t[0]}),
            json!({"id": "b1", "text": t[1]}),
            json!({"id": "c", "text": t[5]}),
            json!({"id": "a2", "text": format!("{} Officials declined to comment on Tuesday.", t[0])}),
            json!({"id": "b2", "text": t[1]}),
            json!({"id": "d", "text": t[6]}),
        ],
    );
    path
}

fn run(args: &[&str]) -> (i32, String, String) {
    let output = reprint().args(args).output().unwrap();
    (
        output.status.code().expect("exited"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn help_lists_scan_and_its_flags() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.lines().any(|l| l.trim_start().starts_with("scan ")), "{stdout}");
    let (code, stdout, _) = run(&["scan", "--help"]);
    assert_eq!(code, 0);
    for flag in [
        "--threshold",
        "--shingle",
        "--perms",
        "--bands",
        "--rows",
        "--strict",
        "--threads",
        "--quiet",
        "--output",
        "--id-field",
        "--text-field",
        "--title-field",
        "--outlet-field",
        "--date-field",
        "--url-field",
    ] {
        assert!(stdout.contains(flag), "scan --help lacks {flag}:\n{stdout}");
    }
    let (code, stdout, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), format!("reprint {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempdir();
    let input = small_input(dir.path());
    let out = dir.path().join("out");
    for (args, needle) in [
        (vec!["scan", p(&input), "--bogus"], "--bogus"),
        (vec!["scan", p(&input), "--bands", "16"], "--rows"),
        (vec!["scan", p(&input), "--rows", "8"], "--bands"),
        (vec!["scan", p(&input), "--threshold", "high"], "--threshold"),
        (vec!["scan", p(&input), "--shingle=-3"], "--shingle"),
        (vec!["frobnicate"], "frobnicate"),
        (vec![], "Usage"),
    ] {
        let mut full = args.clone();
        if !full.is_empty() && full[0] == "scan" {
            full.extend(["-o", p(&out)]);
        }
        let (code, stdout, stderr) = run(&full);
        assert_eq!(code, 2, "{full:?}\n{stderr}");
        assert!(stderr.contains(needle), "{full:?}: {stderr}");
        assert_eq!(stdout, "", "{full:?}");
        assert!(!out.exists(), "{full:?} created the output dir");
    }
}

#[test]
fn invalid_values_exit_1_naming_the_flag() {
    let dir = tempdir();
    let input = small_input(dir.path());
    let out = dir.path().join("out");
    for (extra, needle) in [
        (vec!["--threshold", "1.5"], "--threshold"),
        (vec!["--threshold", "0"], "--threshold"),
        (vec!["--threshold", "NaN"], "--threshold"),
        (vec!["--shingle", "0"], "--shingle"),
        (vec!["--shingle", "65"], "--shingle"),
        (vec!["--perms", "0"], "--perms"),
        (vec!["--bands", "50", "--rows", "5"], "--perms"),
        (vec!["--bands", "0", "--rows", "5"], "--bands"),
        (vec!["--threads", "0"], "--threads"),
    ] {
        let mut args = vec!["scan", p(&input), "-o", p(&out)];
        args.extend(extra.iter().copied());
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 1, "{extra:?}\n{stderr}");
        assert!(stderr.starts_with("reprint: error:"), "{extra:?}: {stderr}");
        assert!(stderr.contains(needle), "{extra:?} should mention {needle}: {stderr}");
        assert_eq!(stdout, "");
        assert!(!out.exists(), "{extra:?} created the output dir");
    }
    // stdin twice
    let (code, _, stderr) = run(&["scan", "-", "-", "-o", p(&out)]);
    assert_eq!(code, 1);
    assert!(stderr.contains("only once"), "{stderr}");
}

/// The rows of the summary table (the first table) as label -> value.
fn table(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with('┌'))
        .take_while(|l| !l.starts_with('└'))
        .filter(|l| l.starts_with('│'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('│').split('┆').map(str::trim).collect();
            assert_eq!(cells.len(), 2, "{l}");
            (cells[0].to_string(), cells[1].to_string())
        })
        .collect()
}

#[test]
fn summary_table_reports_the_run() {
    let dir = tempdir();
    let input = small_input(dir.path());
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(&["scan", p(&input), "-o", p(&out)]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "no progress bars or warnings when stderr is not a terminal");
    let first = stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "reprint scan: 5-word shingles, 128 permutations, threshold 0.5, 34 bands x 3 rows (derived)"
    );
    let t = table(&stdout);
    assert_eq!(t["documents"], "6");
    assert_eq!(t["skipped"], "0 (0 input issues)");
    assert_eq!(t["clusters"], "2");
    assert_eq!(t["documents in clusters"], "4 (66.7%)");
    assert_eq!(t["largest cluster"], "2");
    let run = run_json(&out);
    let c = &run["counts"];
    assert_eq!(
        t["candidate pairs / verified edges"],
        format!("{} / {}", c["candidate_pairs"], c["verified_edges"])
    );
    assert!(t["time"].ends_with(" s") && t["time"].trim_end_matches(" s").parse::<f64>().is_ok(), "{}", t["time"]);
    assert!(
        t["throughput"].ends_with(" MB/s") && t["throughput"].trim_end_matches(" MB/s").parse::<f64>().is_ok(),
        "{}",
        t["throughput"]
    );
    assert_eq!(
        t["copies / partial copies"],
        format!("{} / {}", c["roles"]["copy"], c["roles"].get("partial").cloned().unwrap_or(json!(0)))
    );
    assert_eq!(t["shared passages"], c["passages"].to_string());
    assert_eq!(t["furniture set aside"], format!("{} words ({} lines)", c["furniture_words"], c["furniture_lines"]));
    assert_eq!(t["stories / documents in stories"], format!("{} / {}", c["stories"], c["documents_in_stories"]));
    let half = run["memory"]["budget"].as_u64().unwrap() as f64 / (1u64 << 30) as f64;
    assert_eq!(run["memory"]["budget_from"], "default");
    let budget = t["memory budget"].strip_suffix(" GiB (default: half the memory)").expect("a default budget in GiB");
    assert!((budget.parse::<f64>().unwrap() - half).abs() <= 0.05, "{budget} vs {half}");
    assert_eq!(t["spilled to disk"], "nothing");
    assert_eq!(t.len(), 14, "{t:?}");
    // Then the outlets table, most reused first, and where the outputs are.
    assert!(stdout.contains("│ outlet ") && stdout.contains("top source"), "{stdout}");
    let last: Vec<&str> = stdout.lines().rev().take(2).collect();
    assert_eq!(last[1], format!("outputs in {}/", p(&out)));
    assert_eq!(last[0], format!("review page: {}", p(&out.join("report.html"))));
    assert!(out.join("report.html").is_file());
}

#[test]
fn summary_table_reports_the_budget_and_what_spilled() {
    let dir = tempdir();
    let input = small_input(dir.path());
    let out = dir.path().join("out");
    let temp = dir.path().join("temp");
    std::fs::create_dir(&temp).unwrap();
    // Too small a budget is refused with the smallest that works (nothing written); under
    // exactly that every kind of state goes to disk.
    let (code, _, stderr) = run(&["scan", p(&input), "-o", p(&out), "--memory", "1K"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--memory 1K is too small: no budget below 32M works"), "{stderr}");
    let (code, _, stderr) = run(&["scan", p(&input), "-o", p(&out), "--memory", "32M"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("reprint: error: scan into "), "{stderr}");
    assert!(stderr.contains("--memory 32M is too small: the smallest budget that works here is "), "{stderr}");
    assert!(stderr.contains("the metadata and fixed figures of these 6 articles"), "{stderr}");
    assert!(!out.exists(), "a refused scan writes nothing");
    let smallest = stderr.split("works here is ").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let kib: f64 = smallest.strip_suffix('K').expect("a budget in KiB").parse().unwrap();
    assert!((32.0 * 1024.0..33.0 * 1024.0).contains(&kib), "the engine's 32 MiB and a few KiB of metadata: {smallest}");
    let (code, stdout, stderr) = run(&["scan", p(&input), "-o", p(&out), "--memory", &smallest, "--temp-dir", p(&temp)]);
    assert_eq!(code, 0, "{stderr}");
    let t = table(&stdout);
    assert_eq!(t["memory budget"], format!("{:.1} MiB (--memory)", kib / 1024.0));
    let memory = &run_json(&out)["memory"];
    let spilled: Vec<&str> = memory["spilled"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    assert!(spilled.contains(&"sets") && spilled.contains(&"words"), "{spilled:?}");
    let peak = memory["temp_peak_bytes"].as_u64().unwrap();
    assert!(peak > 1024, "{peak}");
    let shown = t["spilled to disk"].clone();
    let (kinds, files) = shown.split_once(" (temporary files at most ").expect("kinds, then the files' peak");
    assert_eq!(kinds, spilled.join(", "));
    let files = files.strip_suffix(')').unwrap();
    let (value, unit) = files.split_once(' ').unwrap();
    let scale = match unit {
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        other => panic!("unit {other}"),
    };
    assert!((value.parse::<f64>().unwrap() * scale - peak as f64).abs() <= 0.05 * scale, "{files} vs {peak}");
    assert_eq!(std::fs::read_dir(&temp).unwrap().count(), 0, "temporary files removed");
    // `dedup` has no run.json: its terminal says the same.
    let deduped = dir.path().join("deduped.jsonl");
    let (code, _, stderr) = run(&["dedup", p(&input), "-o", p(&deduped), "--memory", "32M"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--memory 32M is too small"), "{stderr}");
    assert!(!deduped.exists(), "a refused dedup writes nothing");
    let (code, stdout, stderr) = run(&["dedup", p(&input), "-o", p(&deduped), "--memory", &smallest, "--temp-dir", p(&temp)]);
    assert_eq!(code, 0, "{stderr}");
    let line = stdout.lines().find(|l| l.starts_with("memory budget ")).expect("a memory line");
    assert!(line.starts_with(&format!("memory budget {:.1} MiB (--memory); spilled to disk: ", kib / 1024.0)), "{line}");
    assert!(line.contains("words") && line.contains("sets") && line.contains("(temporary files at most "), "{line}");
    assert_eq!(std::fs::read_dir(&temp).unwrap().count(), 0, "temporary files removed");
}

#[test]
fn summary_counts_skips_and_issues() {
    let dir = tempdir();
    let path = dir.path().join("in.jsonl");
    let t = reuters_sample_texts();
    std::fs::write(&path, format!("{}\n{{oops\n[]\n", json!({"id": "a", "text": t[0]}))).unwrap();
    let out = dir.path().join("out");
    let (code, stdout, _) = run(&["scan", p(&path), "-o", p(&out)]);
    assert_eq!(code, 3);
    let t = table(&stdout);
    assert_eq!(t["documents"], "3");
    assert_eq!(t["skipped"], "2 (0 input issues)");
}

#[test]
fn given_banding_is_shown_and_recorded() {
    let dir = tempdir();
    let input = small_input(dir.path());
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(&["scan", p(&input), "-o", p(&out), "--bands", "16", "--rows", "8"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with(
        "reprint scan: 5-word shingles, 128 permutations, threshold 0.5, 16 bands x 8 rows (given)\n"
    ));
    let params = &run_json(&out)["parameters"];
    assert_eq!(params["banding"], "given");
    assert_eq!(params["bands"], 16);
    assert_eq!(params["rows"], 8);

    // other parameters are echoed too
    let out2 = dir.path().join("out2");
    let (code, stdout, _) =
        run(&["scan", p(&input), "-o", p(&out2), "--shingle", "3", "--perms", "64", "--threshold", "0.8"]);
    assert_eq!(code, 0);
    let params = &run_json(&out2)["parameters"];
    assert_eq!((params["shingle"].as_u64(), params["perms"].as_u64()), (Some(3), Some(64)));
    assert_eq!(params["threshold"], 0.8);
    assert_eq!(params["banding"], "derived");
    assert!(
        params["bands"].as_u64().unwrap() * params["rows"].as_u64().unwrap() <= 64,
        "{params}"
    );
    assert!(stdout.starts_with(&format!(
        "reprint scan: 3-word shingles, 64 permutations, threshold 0.8, {} bands x {} rows (derived)\n",
        params["bands"], params["rows"]
    )));
}

#[test]
fn quiet_prints_nothing_on_stdout() {
    let dir = tempdir();
    let input = small_input(dir.path());
    for flag in ["--quiet", "-q"] {
        let out = dir.path().join(format!("out{flag}"));
        // --quiet is global: accepted before or after the subcommand
        for args in [vec![flag, "scan", p(&input), "-o", p(&out)], vec!["scan", p(&input), "-o", p(&out), flag]] {
            let (code, stdout, stderr) = run(&args);
            assert_eq!(code, 0, "{args:?}: {stderr}");
            assert_eq!(stdout, "", "{args:?}");
            assert_eq!(stderr, "", "{args:?}");
            assert_eq!(documents(&out).len(), 6);
        }
    }
}

#[test]
fn threads_flag_is_recorded_and_does_not_change_results() {
    let dir = tempdir();
    let input = small_input(dir.path());
    let one = dir.path().join("one");
    let three = dir.path().join("three");
    assert_eq!(run(&["--threads", "1", "scan", p(&input), "-o", p(&one), "-q"]).0, 0);
    assert_eq!(run(&["scan", p(&input), "-o", p(&three), "-q", "--threads", "3"]).0, 0);
    assert_eq!(run_json(&one)["threads"], 1);
    assert_eq!(run_json(&three)["threads"], 3);
    assert_eq!(std::fs::read(one.join("documents.jsonl")).unwrap(), std::fs::read(three.join("documents.jsonl")).unwrap());
    assert_eq!(std::fs::read(one.join("clusters.jsonl")).unwrap(), std::fs::read(three.join("clusters.jsonl")).unwrap());
}

#[test]
fn no_input_scans_the_embedded_corpus() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let output = reprint().current_dir(repo_root()).args(["scan", "-q", "-o"]).arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "");
    let run = run_json(&out);
    assert_eq!(run["counts"]["documents"], 405);
    assert_eq!(run["counts"]["skipped"], 0);
    assert_eq!(run["input_issues"], json!([]));
    let docs = documents(&out);
    assert_eq!(docs.len(), 405);
    assert!(docs.iter().all(|d| d["skipped"].is_null()));
    // the seeds directory is part of it, with manifest metadata
    assert!(docs.iter().any(|d| d["id"] == "seeds/000_424da9c3c4a3533c.txt" && d["outlet"] == "outlet-a"), "seed article missing");
}

#[test]
fn no_input_from_elsewhere_falls_back_to_the_built_corpus() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let output = reprint().current_dir(dir.path()).args(["scan", "-q", "-o", "out"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(run_json(&out)["counts"]["documents"], 405);
}

#[test]
fn progress_bars_stay_off_a_non_terminal_stderr() {
    let dir = tempdir();
    // big enough that a bar would tick at least once
    let texts = reuters_sample_texts();
    let path = dir.path().join("all.jsonl");
    let lines: Vec<_> = texts.iter().enumerate().map(|(i, t)| json!({"id": i, "text": t})).collect();
    write_jsonl(&path, &lines);
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(&["scan", p(&path), "-o", p(&out)]);
    assert_eq!(code, 0);
    assert_eq!(stderr, "", "stderr should be empty, got {stderr:?}");
    assert!(!stdout.contains('\r') && !stdout.contains('\u{1b}'), "terminal control codes on stdout: {stdout:?}");
}

#[test]
fn default_output_dir_is_reprint_out_in_the_working_directory() {
    let dir = tempdir();
    let input = small_input(dir.path());
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let output = reprint().current_dir(&work).args(["scan", "-q", p(&input)]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(documents(&work.join("reprint-out")).len(), 6);
}

#[test]
fn closed_stdout_does_not_panic() {
    use std::process::Stdio;
    let dir = tempdir();
    let input = small_input(dir.path());
    let out = dir.path().join("out");
    let bin = assert_cmd::cargo::cargo_bin("reprint");
    let mut child = std::process::Command::new(bin)
        .args(["scan", p(&input), "-o", p(&out)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before the summary is printed
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(output.status.code(), Some(101), "{stderr}");
    // the outputs were written regardless
    assert_eq!(documents(&out).len(), 6);
}

#[test]
fn regression_bands_times_rows_overflow_is_a_usage_error_not_a_panic() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let (code, _, stderr) =
        run(&["scan", p(&repo_root().join("corpus/seeds")), "-o", p(&out), "--bands", "9223372036854775808", "--rows", "2"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--perms"), "{stderr}");
    let (code, _, stderr) = run(&["scan", p(&repo_root().join("corpus/seeds")), "-o", p(&out), "--story-window", "200000000000000d"]);
    assert_eq!(code, 2, "an overflowing window is refused: {stderr}");
}

#[test]
fn regression_an_error_names_its_cause_once() {
    let dir = tempdir();
    let missing = dir.path().join("missing.jsonl");
    let out = reprint().args(["scan", "-q", "-o"]).arg(dir.path().join("out")).arg(&missing).assert().code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");
}

/// `--tune` (the defaults sweep's knob) moves the one cut-off it names, `run.json` records
/// the override, and a value equal to the default changes nothing.
#[test]
fn tune_moves_one_cutoff_and_is_recorded() {
    let dir = tempdir();
    let corpus = repo_root().join("corpus");
    let scan = |name: &str, tune: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec!["scan", p(&corpus), "-o", p(&out), "-q", "--report-limit", "0"];
        for t in tune {
            args.extend(["--tune", t]);
        }
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 0, "{stderr}");
        (std::fs::read(out.join("stories.jsonl")).unwrap(), run_json(&out))
    };
    let (stories, plain) = scan("plain", &[]);
    assert!(plain["parameters"].get("tuning").is_none(), "no override, no record");
    let (same_stories, same) = scan("same", &["story.prior-weight=150", "furniture.min-recurrence=3"]);
    assert!(same_stories == stories && same["parameters"].get("tuning").is_none());
    assert_eq!(same["counts"], plain["counts"]);

    let edges = |r: &serde_json::Value| r["counts"]["story_edges"].as_u64().unwrap();
    let (looser_stories, looser) = scan("looser", &["story.prior-weight=50"]);
    assert_eq!(looser["parameters"]["tuning"], json!({"story.prior-weight": 50.0}));
    assert!(edges(&looser) > edges(&plain) && looser_stories != stories);
    let (_, stricter) = scan("stricter", &["story.min-shared-anchors=40", "story.max-term-share=0.2"]);
    assert_eq!(stricter["parameters"]["tuning"], json!({"story.min-shared-anchors": 40.0, "story.max-term-share": 0.2}));
    assert!(edges(&stricter) < edges(&plain));

    let (_, rare) = scan("rare", &["furniture.min-recurrence=1000"]);
    assert_eq!(rare["parameters"]["tuning"], json!({"furniture.min-recurrence": 1000.0}));
    assert!(rare["counts"]["furniture_lines"].as_u64() < plain["counts"]["furniture_lines"].as_u64());

    let (code, _, stderr) = run(&["scan", p(&corpus), "-o", p(&dir.path().join("bad")), "-q", "--tune", "story.typo=1"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown tuning name `story.typo`"), "{stderr}");
    assert!(!dir.path().join("bad").exists(), "a refused run writes nothing");
}

/// A date that cannot be read (an impossible day, an unknown format) leaves its document
/// undated but kept, and the scan says so, naming the first one's file and line.
#[test]
fn unreadable_dates_are_counted_and_named() {
    let dir = tempdir();
    let t = reuters_sample_texts();
    let dump = dir.path().join("dates.jsonl");
    write_jsonl(
        &dump,
        &[
            json!({"id": "ok", "date": "2024-02-29", "text": t[0]}),
            json!({"id": "feb30", "date": "2024-02-30T05:00:00Z", "text": t[1]}),
            json!({"id": "none", "text": t[5]}),
            json!({"id": "words", "date": "last Tuesday", "text": t[6]}),
        ],
    );
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&["scan", p(&dump), "-o", p(&out), "-q"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("2 document(s) have a date that cannot be read")
            && stderr.contains(&format!("{}:2: `2024-02-30T05:00:00Z`", p(&dump))),
        "{stderr}"
    );
    assert_eq!(run_json(&out)["counts"]["unreadable_dates"], 2);
    assert_eq!(documents(&out).len(), 4, "every document is kept");
}

/// `scan --no-passages`: the clusters a full scan finds (members and kinds), no passages,
/// outlets or page (earlier ones removed), reuse, role and source null, the words of pairs
/// not aligned null, and `reprint show` still shows a cluster.
#[test]
fn no_passages_scans_clusters_only() {
    let dir = tempdir();
    let dump = generate(dir.path(), 800, 6);
    let (full, only) = (dir.path().join("full"), dir.path().join("only"));
    reprint().args(["scan", "-q", "-o"]).arg(&full).arg(&dump).assert().success();
    std::fs::create_dir_all(&only).unwrap();
    for stale in ["passages.jsonl", "outlets.jsonl", "report.html"] {
        std::fs::write(only.join(stale), "an earlier run's\n").unwrap();
    }
    reprint().args(["scan", "-q", "--no-passages", "-o"]).arg(&only).arg(&dump).assert().success();
    for gone in ["passages.jsonl", "outlets.jsonl", "report.html"] {
        assert!(!only.join(gone).exists(), "{gone} is not written, and an earlier one is removed");
    }
    assert_eq!(cluster_sets(&full), cluster_sets(&only));
    let (a, b) = (clusters(&full), clusters(&only));
    assert!(a.len() > 20);
    for (x, y) in a.iter().zip(&b) {
        // The same pairs of the candidate stage, of the same kinds (the full scan also links
        // members to their origin).
        let kinds = |c: &serde_json::Value| -> std::collections::BTreeMap<(String, String), String> {
            c["edges"].as_array().unwrap().iter().map(|e| ((str_of(e, "a"), str_of(e, "b")), str_of(e, "kind"))).collect()
        };
        let (kx, ky) = (kinds(x), kinds(y));
        assert!(ky.iter().all(|(pair, kind)| kx.get(pair) == Some(kind)), "{}", y["id"]);
        for e in y["edges"].as_array().unwrap() {
            let near = e["jaccard"].as_f64().unwrap() >= 0.5;
            assert_eq!(e["a_words"].is_null(), near, "{e}");
        }
    }
    for d in documents(&only) {
        assert!(d["reuse"].is_null() && d["role"].is_null() && d["source"].is_null(), "{d}");
        assert!(d["words"].is_u64());
    }
    let run = run_json(&only);
    assert_eq!((run["parameters"]["passages"].clone(), run["parameters"]["stories"].clone()), (json!(false), json!(true)));
    reprint().arg("show").arg(&only).arg("0").assert().success();
}
