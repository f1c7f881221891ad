//! `reprint plan`: the banding a scan would use (checked against scans' run.json), the
//! S-curve and estimate as text and JSON, clear errors for bad parameters; and the run's
//! S-curve in a scan's report.html.

use std::path::Path;

use reprint::config::{Banding, ScanConfig};
use serde_json::Value;

use crate::util::*;

fn run(args: &[&str]) -> (i32, String, String) {
    let output = reprint().args(args).output().unwrap();
    (
        output.status.code().expect("exited"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn plan_json(args: &[&str]) -> Value {
    let mut full = vec!["plan", "--json"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = run(&full);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    assert_eq!(stderr, "");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"))
}

/// Scans the embedded corpus into `out` with `flags`.
fn scan_corpus(out: &Path, flags: &[&str]) {
    let output = reprint().current_dir(repo_root()).args(["scan", "-q", "-o"]).arg(out).args(flags).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{flags:?}: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn text_names_the_banding_the_curve_and_the_estimate() {
    let (code, stdout, stderr) = run(&["plan"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    assert!(stdout.contains("34 bands x 3 rows (derived"), "{stdout}");
    assert!(stdout.lines().any(|l| l.trim_start().starts_with("0.50") && l.ends_with("<- threshold")), "{stdout}");
    assert!(stdout.contains('█'), "a bar chart: {stdout}");
    assert!(stdout.contains("false negatives at Jaccard 0.60") && stdout.contains("0.026%"), "{stdout}");
    assert!(stdout.contains("false positives at Jaccard 0.40") && stdout.contains("89.4%"), "{stdout}");
    assert!(stdout.contains("8 shingles (12 words)"), "{stdout}");
    assert!(stdout.contains("1,000,000 articles") && stdout.contains("peak memory of `reprint scan`: 13.2 GB"), "{stdout}");
    let (code, stdout, _) = run(&["plan", "--bands", "16", "--rows", "8", "--docs", "5000"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("16 bands x 8 rows (given with --bands and --rows)"), "{stdout}");
    assert!(stdout.contains("5,000 articles"), "{stdout}");
}

#[test]
fn json_parses_and_agrees_with_the_library() {
    let v = plan_json(&["--threshold", "0.7", "--perms", "256", "--docs", "50000", "--avg-bytes", "2K"]);
    let config = ScanConfig { threshold: 0.7, perms: 256, ..ScanConfig::default() };
    let lib = reprint::jobs::plan::plan(&config, 50_000, 2048, reprint::jobs::plan::machine_memory()).unwrap();
    assert_eq!(v, serde_json::to_value(&lib).unwrap());
    let back: reprint::jobs::plan::Plan = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(back, lib);
    let b = reprint::sketch::lsh::optimal_banding(0.7, 256);
    assert_eq!((v["bands"].as_u64(), v["rows"].as_u64()), (Some(b.bands as u64), Some(b.rows as u64)));
    assert_eq!(v["estimate"]["avg_bytes"], 2048);
    let at_t = v["curve"].as_array().unwrap().iter().find(|c| c["similarity"] == 0.7).expect("threshold on the curve");
    assert!((at_t["probability"].as_f64().unwrap() - reprint::sketch::lsh::candidate_probability(0.7, b)).abs() <= 1e-15);
}

#[test]
fn plan_gives_the_banding_scan_uses() {
    let dir = tempdir();
    for flags in [vec![], vec!["--threshold", "0.8"], vec!["--threshold", "0.3", "--perms", "64"], vec!["--bands", "20", "--rows", "6"]] {
        let out = dir.path().join(format!("out{}", flags.join("")));
        scan_corpus(&out, &flags);
        let p = &run_json(&out)["parameters"];
        let v = plan_json(&flags);
        assert_eq!((&v["bands"], &v["rows"], &v["banding"]), (&p["bands"], &p["rows"], &p["banding"]), "{flags:?}");
        // run.json's candidate probabilities (6 decimals) are the plan's curve at those points.
        let curve = v["curve"].as_array().unwrap();
        for (s, prob) in p["candidate_probability"].as_object().unwrap() {
            let s: f64 = s.parse().unwrap();
            let point = curve.iter().find(|c| c["similarity"].as_f64() == Some(s)).unwrap_or_else(|| panic!("{flags:?}: {s}"));
            assert!((point["probability"].as_f64().unwrap() - prob.as_f64().unwrap()).abs() < 1e-6, "{flags:?} at {s}");
        }
    }
}

#[test]
fn bad_parameters_are_clear_errors() {
    // Values a scan refuses: the scan's message and exit code 1.
    for (args, needle) in [
        (vec!["--threshold", "1.5"], "--threshold must be in (0, 1]"),
        (vec!["--threshold", "0"], "--threshold"),
        (vec!["--threshold", "NaN"], "--threshold"),
        (vec!["--perms", "0"], "--perms must be between 1 and 4096"),
        (vec!["--perms", "5000"], "--perms must be between 1 and 4096"),
        (vec!["--bands", "50", "--rows", "5"], "--bands 50 x --rows 5 exceeds --perms 128"),
        (vec!["--bands", "0", "--rows", "5"], "--bands"),
        (vec!["--shingle", "0"], "--shingle"),
        (vec!["--docs", "0"], "--docs must be at least 1"),
    ] {
        for json in [false, true] {
            let mut full = vec!["plan"];
            full.extend(args.iter().copied());
            if json {
                full.push("--json");
            }
            let (code, stdout, stderr) = run(&full);
            assert_eq!(code, 1, "{full:?}: {stderr}");
            assert!(stderr.starts_with("reprint: error:") && stderr.contains(needle), "{full:?}: {stderr}");
            assert_eq!(stdout, "", "{full:?}");
        }
    }
    // Flags that do not parse: usage errors, exit code 2, as for scan.
    for (args, needle) in [
        (vec!["--bands", "16"], "--rows"),
        (vec!["--threshold", "high"], "--threshold"),
        (vec!["--avg-bytes", "0"], "--avg-bytes"),
        (vec!["--docs", "many"], "--docs"),
    ] {
        let mut full = vec!["plan"];
        full.extend(args.iter().copied());
        let (code, stdout, stderr) = run(&full);
        assert_eq!(code, 2, "{full:?}: {stderr}");
        assert!(stderr.contains(needle), "{full:?}: {stderr}");
        assert_eq!(stdout, "");
    }
}

#[test]
fn report_shows_the_runs_s_curve() {
    let dir = tempdir();
    for (flags, banding) in [
        (vec![], reprint::sketch::lsh::optimal_banding(0.5, 128)),
        (vec!["--threshold", "0.8"], reprint::sketch::lsh::optimal_banding(0.8, 128)),
        (vec!["--bands", "20", "--rows", "6"], Banding { bands: 20, rows: 6 }),
    ] {
        let out = dir.path().join(format!("out{}", flags.join("")));
        scan_corpus(&out, &flags);
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        let p = &run_json(&out)["parameters"];
        assert_eq!((p["bands"].as_u64(), p["rows"].as_u64()), (Some(banding.bands as u64), Some(banding.rows as u64)));
        let start = html.find("<svg id=\"s-curve\"").unwrap_or_else(|| panic!("{flags:?}: no S-curve"));
        let end = start + html[start..].find("</figure>").expect("figure closed");
        let figure = &html[start..end];
        let threshold = p["threshold"].as_f64().unwrap();
        assert!(
            figure.contains(&format!("data-bands=\"{}\" data-rows=\"{}\" data-threshold=\"{threshold}\"", banding.bands, banding.rows)),
            "{figure}"
        );
        assert!(figure.contains(&format!("{} bands × {} rows", banding.bands, banding.rows)), "{figure}");
        assert!(figure.contains("<polyline points=") && figure.contains("class=\"threshold\""), "{figure}");
        assert!(figure.contains(&format!("threshold {threshold}</text>")), "{figure}");
        // The candidate probability at the threshold, as the plan gives it.
        let at_t = reprint::sketch::lsh::candidate_probability(threshold, banding);
        assert!(figure.contains(&format!("{} at {threshold:.2}", reprint::jobs::plan::percent(at_t))), "{figure}");
        // Self-contained: nothing fetched, and the policy that forbids it is still there.
        assert!(!figure.contains("href") && !figure.contains("http") && !figure.contains("url("), "{figure}");
        assert!(html.contains("content=\"default-src 'none'"));
    }
}
