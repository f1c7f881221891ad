//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The `reprint` binary under test, with progress bars off.
pub fn reprint() -> Command {
    let mut cmd = Command::cargo_bin("reprint").expect("binary built");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// The repository root (where `corpus/` lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary directory, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Reads a JSONL file into values.
pub fn read_jsonl(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display()))).collect()
}

/// `documents.jsonl` of an output directory.
pub fn documents(outdir: &Path) -> Vec<Value> {
    read_jsonl(&outdir.join("documents.jsonl"))
}

/// `clusters.jsonl` of an output directory.
pub fn clusters(outdir: &Path) -> Vec<Value> {
    read_jsonl(&outdir.join("clusters.jsonl"))
}

/// `run.json` of an output directory.
pub fn run_json(outdir: &Path) -> Value {
    let text = std::fs::read_to_string(outdir.join("run.json")).expect("run.json");
    serde_json::from_str(&text).expect("run.json parses")
}

/// Cluster membership as sets of document ids, sorted, for comparing runs.
pub fn cluster_sets(outdir: &Path) -> Vec<Vec<String>> {
    let mut sets: Vec<Vec<String>> = clusters(outdir)
        .iter()
        .map(|c| {
            let mut m: Vec<String> =
                c["members"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
            m.sort();
            m
        })
        .collect();
    sets.sort();
    sets
}

/// Map from document id to cluster id (None for unclustered).
pub fn cluster_of(outdir: &Path) -> std::collections::BTreeMap<String, Option<u64>> {
    documents(outdir)
        .iter()
        .map(|d| (d["id"].as_str().unwrap().to_string(), d["cluster"].as_u64()))
        .collect()
}

/// Writes `lines` as a JSONL file.
pub fn write_jsonl(path: &Path, lines: &[Value]) {
    let mut s = String::new();
    for l in lines {
        s.push_str(&serde_json::to_string(l).unwrap());
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
}

/// Real article-length text for tests: the embedded corpus's Reuters sample, by line.
pub fn reuters_sample_texts() -> Vec<String> {
    read_jsonl(&repo_root().join("corpus/reuters-sample.jsonl"))
        .iter()
        .map(|v| v["text"].as_str().unwrap().to_string())
        .collect()
}

/// Whitespace squeezed to single spaces (`reprint show` wraps texts).
pub fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The texts inside `{+ +}` passage markers of `reprint show`, whitespace squeezed.
pub fn marked_spans(out: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut rest = out;
    while let Some(open) = rest.find("{+") {
        let after = &rest[open + 2..];
        let close = after.find("+}").expect("every {+ is closed");
        spans.push(squeeze(&after[..close]));
        rest = &after[close + 2..];
    }
    spans
}

/// Characters `start..end` of `text` (passage offsets are in characters).
pub fn chars(text: &str, start: u64, end: u64) -> String {
    text.chars().skip(start as usize).take((end - start) as usize).collect()
}

/// Each document's text in a JSONL dump, by id.
pub fn texts_of(dump: &Path) -> std::collections::BTreeMap<String, String> {
    read_jsonl(dump)
        .iter()
        .map(|v| (v["id"].as_str().unwrap().to_string(), v["text"].as_str().unwrap().to_string()))
        .collect()
}

/// A string field of a JSON value.
pub fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}")).to_string()
}

/// A generated syndication dump of `docs` articles (`reprint gen --syndication`).
pub fn generate(dir: &Path, docs: usize, seed: u64) -> PathBuf {
    let dump = dir.join("dump.jsonl");
    reprint()
        .args(["gen", "-q", "--syndication", "--docs", &docs.to_string(), "--seed", &seed.to_string(), "-o"])
        .arg(&dump)
        .assert()
        .success();
    dump
}

/// Splits a JSONL file's lines into consecutive parts of these sizes (the last takes the rest).
pub fn split(dump: &Path, sizes: &[usize], dir: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(dump).unwrap();
    let mut lines = text.lines();
    let mut out = Vec::new();
    for (i, &n) in sizes.iter().enumerate() {
        let part: Vec<&str> = if i + 1 == sizes.len() { lines.by_ref().collect() } else { lines.by_ref().take(n).collect() };
        let path = dir.join(format!("part{}.jsonl", i + 1));
        std::fs::write(&path, part.join("\n") + "\n").unwrap();
        out.push(path);
    }
    out
}

/// The smallest memory budget `cmd` names when given `--memory 32M` (the engine's own, with
/// nothing for the articles), which it refuses once it has read them (exit code 2, nothing
/// written): under exactly that budget every kind of state that can go to disk does.
pub fn smallest_budget(cmd: &mut Command) -> String {
    let out = cmd.args(["--memory", "32M"]).output().expect("run reprint");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let (_, rest) = stderr.split_once("the smallest budget that works here is ").unwrap_or_else(|| panic!("{stderr}"));
    let smallest = rest.split_whitespace().next().unwrap().to_string();
    assert!(smallest.ends_with('K') || smallest.ends_with('M'), "{stderr}");
    smallest
}

/// `budget` (as `--memory` takes it, in K or M) plus `mib` MiB, in K.
pub fn budget_plus(budget: &str, mib: u64) -> String {
    let kib: u64 = match budget.strip_suffix('M') {
        Some(m) => m.parse::<u64>().unwrap() * 1024,
        None => budget.strip_suffix('K').unwrap().parse().unwrap(),
    };
    format!("{}K", kib + mib * 1024)
}
