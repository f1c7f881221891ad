//! The review report in a real browser: `reprint scan` writes `report.html`, and headless
//! Chromium, driven by playwright-core through `tests/browser/check_report.mjs`, loads it and
//! checks it against the scan's own JSONL outputs: no console error, no request but the page
//! itself, no dialog; every outlet and the expected clusters in the DOM; opening a cluster
//! shows its members and the passages they share, marked. Each test leaves its dump, outputs,
//! `check.log` and screenshots under `target/browser-tests/<test>/` for a person to look at.
//!
//! They need Node.js, Chromium (`apt-get install chromium`) and playwright-core
//! (`npm ci --prefix tests/browser`), so they are `#[ignore]`d and run as their own CI step:
//! `cargo test --release --test tests -- --ignored browser_`. A missing prerequisite fails the
//! test with how to install it; nothing is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use crate::util::*;

/// The browser driven by the checks: `REPRINT_CHROMIUM`, else Debian's.
fn chromium() -> PathBuf {
    std::env::var_os("REPRINT_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn browser_dir() -> PathBuf {
    repo_root().join("tests/browser")
}

/// Fails, saying how to install them, unless Node.js, Chromium and playwright-core are here.
fn require_browser() {
    let mut missing = Vec::new();
    if !Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success()) {
        missing.push("Node.js (`node` on PATH): apt-get install nodejs npm".to_string());
    }
    let chromium = chromium();
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium at {} (or set REPRINT_CHROMIUM): apt-get install --no-install-recommends chromium",
            chromium.display()
        ));
    }
    if !browser_dir().join("node_modules/playwright-core/package.json").is_file() {
        missing.push("playwright-core in tests/browser/node_modules: npm ci --prefix tests/browser".to_string());
    }
    assert!(
        missing.is_empty(),
        "the browser tests need what is missing below (.ci/run installs it all):\n  {}",
        missing.join("\n  ")
    );
}

/// A fresh directory for one test, kept after it: `target/browser-tests/<name>/`.
fn workspace(name: &str) -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target dir").to_path_buf();
    let dir = target.join("browser-tests").join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("clear {}: {e}", dir.display()));
    }
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// Runs the browser checks of `scenario` on `dir/out/report.html` (outputs in `dir/out`,
/// screenshots to `dir/screenshots`) and fails with their log unless they all pass.
fn check_report(dir: &Path, scenario: &str, extra: &[&str]) {
    let out = dir.join("out");
    let report = out.join("report.html");
    assert!(report.is_file(), "report.html missing: `reprint scan` did not write {}", report.display());
    let output = Command::new("node")
        .arg(browser_dir().join("check_report.mjs"))
        .arg("--out")
        .arg(&out)
        .arg("--screenshots")
        .arg(dir.join("screenshots"))
        .args(["--scenario", scenario])
        .args(extra)
        // Relative `input` paths in documents.jsonl (the embedded corpus's) resolve from here.
        .current_dir(repo_root())
        .env("REPRINT_CHROMIUM", chromium())
        .output()
        .expect("run node");
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    std::fs::write(dir.join("check.log"), &log).expect("write check.log");
    print!("{log}");
    assert!(
        output.status.success(),
        "browser checks of {} failed ({}); outputs, log and screenshots in {}:\n{log}",
        report.display(),
        output.status,
        dir.display()
    );
}

#[test]
#[ignore = "needs Chromium and tests/browser/node_modules; run by .ci/run"]
fn browser_embedded_corpus_report() {
    require_browser();
    let dir = workspace("browser_embedded_corpus_report");
    // No input: the embedded corpus/, read from the repository root.
    reprint().current_dir(repo_root()).args(["scan", "-q", "-o"]).arg(dir.join("out")).assert().success();
    check_report(&dir, "corpus", &[]);
}

#[test]
#[ignore = "needs Chromium and tests/browser/node_modules; run by .ci/run"]
fn browser_generated_dump_report_sorts_filters_searches_and_pages() {
    require_browser();
    let dir = workspace("browser_generated_dump_report_sorts_filters_searches_and_pages");
    let dump = dir.join("dump.jsonl");
    reprint().args(["gen", "--syndication", "--docs", "3000", "--seed", "5", "-o"]).arg(&dump).assert().success();
    let out = dir.join("out");
    reprint().args(["scan", "-q", "--report-limit", "100", "-o"]).arg(&out).arg(&dump).assert().success();
    let found = clusters(&out).len();
    assert!(found > 100, "the generated dump should have more clusters than the report shows, has {found}");
    check_report(&dir, "generated", &["--report-limit", "100"]);
}

#[test]
#[ignore = "needs Chromium and tests/browser/node_modules; run by .ci/run"]
fn browser_hostile_article_is_shown_literally_and_never_runs() {
    require_browser();
    let dir = workspace("browser_hostile_article_is_shown_literally_and_never_runs");
    // Markup that would run or load something if the report pasted it into HTML, a `</script>`
    // that would end an inline script early, and characters outside the Basic Multilingual
    // Plane before the passages (offsets are in code points, JavaScript strings in UTF-16).
    let markup = r#"<script>alert(1)</script> <img src=x onerror=alert(2)> </script> "quotes" &amp; 'apostrophes'"#;
    let texts = reuters_sample_texts();
    let long: Vec<&String> = texts.iter().filter(|t| t.split_whitespace().count() >= 150).take(6).collect();
    assert!(long.len() == 6, "the corpus sample has long texts");
    let body = long[0];
    let edited: String = body
        .split(' ')
        .enumerate()
        .map(|(i, w)| if i % 37 == 36 { "changed" } else { w })
        .collect::<Vec<_>>()
        .join(" ");
    let title = format!("Café 📰 {markup} headline");
    let mut lines = vec![
        json!({"id": "hostile-<1>", "outlet": r#"Evil "Outlet" <b>&amp;</b>"#, "date": "2024-06-01", "title": title,
               "text": format!("Café 📰 naïve 🗞️ {markup}\n\n{body}\n\nIt ends with {markup} once more.")}),
        json!({"id": "hostile-\"2\"&", "outlet": "Copycat", "date": "2024-06-02", "title": title,
               "text": format!("Café 📰 naïve 🗞️ {markup}\n\n{edited}\n\nIt ends with {markup} once more.")}),
    ];
    for (i, text) in long[1..].iter().enumerate() {
        // The last one has no outlet at all: its row is "(none)".
        let outlet = if i == 3 { serde_json::Value::Null } else { json!(format!("Wire {i}")) };
        lines.push(json!({"id": format!("plain-{i}"), "outlet": outlet, "date": "2024-06-03", "title": format!("Plain {i}"), "text": text}));
    }
    let dump = dir.join("hostile.jsonl");
    write_jsonl(&dump, &lines);
    let out = dir.join("out");
    reprint().args(["scan", "-q", "-o"]).arg(&out).arg(&dump).assert().success();
    let docs = documents(&out);
    assert!(
        docs[0]["cluster"].is_u64() && docs[0]["cluster"] == docs[1]["cluster"],
        "the hostile article and its copy should form a cluster: {docs:?}"
    );
    check_report(&dir, "hostile", &[]);
}
