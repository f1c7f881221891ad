//! `reprint show`: one cluster in the terminal, read back from a scan's outputs, its shared
//! passages marked in the texts read again from the scan's inputs.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;

use reprint::input::texts::Missing;
use serde_json::Value;

use crate::util::*;

/// Articles in the generated dumps: enough for clusters of four and more members.
const DOCS: &str = "200";

/// Bytes a pipe holds on Linux: more output than this blocks the writer until read.
const PIPE_BUFFER: usize = 64 * 1024;

/// A scan of a generated syndication dump, run in `dir` with relative paths (`dump.jsonl`
/// into `out`), as a user would.
fn scanned_dump() -> tempfile::TempDir {
    let dir = tempdir();
    reprint()
        .current_dir(dir.path())
        .args(["gen", "-q", "--syndication", "--docs", DOCS, "-o", "dump.jsonl"])
        .assert()
        .success();
    reprint().current_dir(dir.path()).args(["scan", "-q", "dump.jsonl", "-o", "out"]).assert().success();
    dir
}



/// The largest cluster (the first of the largest), as a line of clusters.jsonl.
fn largest_cluster(out: &Path) -> Value {
    let clusters = clusters(out);
    let max = clusters.iter().map(|c| c["size"].as_u64().unwrap()).max().expect("some cluster");
    clusters.into_iter().find(|c| c["size"].as_u64().unwrap() == max).unwrap()
}

fn members(cluster: &Value) -> Vec<String> {
    cluster["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect()
}

/// Runs `reprint show` in `dir` and returns stdout, asserting success.
fn show(dir: &Path, args: &[&str]) -> String {
    let output = reprint().current_dir(dir).arg("show").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "show {args:?} failed: {stderr}");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}




/// Asserts that `out` shows each non-origin member of `cluster` beside whom the scan says it
/// took from (its `source`, else the origin), with every passage of that pair marked at its
/// recorded character offsets in both texts; returns how many passages were checked.
fn assert_passages_marked(out: &str, outdir: &Path, cluster: &Value, texts: &BTreeMap<String, String>) -> usize {
    let spans = marked_spans(out);
    let docs: BTreeMap<String, Value> = documents(outdir).into_iter().map(|d| (str_of(&d, "id"), d)).collect();
    let passages = read_jsonl(&outdir.join("passages.jsonl"));
    let origin = str_of(cluster, "origin");
    let mut checked = 0;
    for member in members(cluster).into_iter().filter(|m| *m != origin) {
        let source = docs[&member]["source"].as_str().map_or(origin.clone(), str::to_string);
        assert!(out.contains(&format!("{member} (")) && out.contains(&format!("{source} (source)")), "{member}");
        for p in &passages {
            let (a, b) = (str_of(p, "a"), str_of(p, "b"));
            if !((a == member && b == source) || (a == source && b == member)) {
                continue;
            }
            for (id, start, end) in [(a, "a_start", "a_end"), (b, "b_start", "b_end")] {
                let passage = squeeze(&chars(&texts[&id], p[start].as_u64().unwrap(), p[end].as_u64().unwrap()));
                assert!(passage.split(' ').count() >= 5, "a passage of words: {passage:?}");
                assert!(
                    spans.iter().any(|s| s.contains(&passage)),
                    "passage of {id} ({member} ~ {source}) not marked: {passage:?}"
                );
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn show_marks_every_shared_passage_in_both_texts() {
    let dir = scanned_dump();
    let out = dir.path().join("out");
    let cluster = largest_cluster(&out);
    let id = cluster["id"].to_string();
    let shown = show(dir.path(), &["out", &id, "--limit", "0"]);
    let total = clusters(&out).len();
    assert!(shown.starts_with(&format!("cluster {id} of {total}")), "{shown}");
    let origin = str_of(&cluster, "origin");
    assert!(shown.contains(&format!("origin: {origin} ({})", str_of(&cluster, "origin_reason"))), "{shown}");
    for m in members(&cluster) {
        assert!(shown.contains(&m), "member {m} missing");
    }
    let checked = assert_passages_marked(&shown, &out, &cluster, &texts_of(&dir.path().join("dump.jsonl")));
    assert!(checked >= 2 * (members(&cluster).len() - 1), "only {checked} passages checked");
    assert!(!shown.contains('\x1b'), "no colour into a pipe with NO_COLOR");
    assert!(!shown.contains("more member"), "--limit 0 shows all");
}

#[test]
fn colour_follows_the_flag_the_terminal_and_no_color() {
    let dir = scanned_dump();
    let id = largest_cluster(&dir.path().join("out"))["id"].to_string();
    let always = show(dir.path(), &["out", &id, "--color", "always"]);
    assert!(always.contains("\x1b[1;33m"), "passages in colour");
    assert!(!always.contains("{+"), "no markers with colour");
    let never = show(dir.path(), &["out", &id, "--colour", "never"]);
    assert!(never.contains("{+") && !never.contains('\x1b'));
    // auto: NO_COLOR=1 (set by `reprint()`) and not a terminal.
    assert_eq!(show(dir.path(), &["out", &id]), never);
    // auto without NO_COLOR: still a pipe, so no colour.
    let output = reprint().env_remove("NO_COLOR").current_dir(dir.path()).args(["show", "out", &id]).output().unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), never);
    // An explicit request wins over NO_COLOR.
    let forced = reprint()
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .args(["show", "out", &id, "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8(forced.stdout).unwrap().contains('\x1b'));
}

#[test]
fn default_limit_shows_three_members_and_says_how_to_see_the_rest() {
    let dir = scanned_dump();
    let cluster = largest_cluster(&dir.path().join("out"));
    let size = members(&cluster).len();
    assert!(size >= 5, "the largest generated cluster has {size} members");
    let id = cluster["id"].to_string();
    let shown = show(dir.path(), &["out", &id]);
    assert_eq!(shown.matches("━━ ").count(), reprint::cli::show::DEFAULT_LIMIT);
    let hidden = size - 1 - reprint::cli::show::DEFAULT_LIMIT;
    assert!(squeeze(&shown).contains(&format!("{hidden} more members not shown: `reprint show out {id} --limit 0`")));

    // --member: that one member beside its source, whichever it is.
    let last = members(&cluster).pop().unwrap();
    let one = show(dir.path(), &["out", &id, "--member", &last]);
    assert_eq!(one.matches("━━ ").count(), 1);
    assert!(one.contains(&format!("━━ {last} ")));
    // The origin alone, marked where others share its text.
    let origin = str_of(&cluster, "origin");
    let alone = show(dir.path(), &["out", &id, "--member", &origin]);
    assert!(alone.contains(&format!("── {origin} (origin)")) && marked_spans(&alone).len() > 1);
    assert!(!alone.contains("(source)"));
}

#[test]
fn unknown_cluster_or_member_is_a_usage_error_naming_the_valid_ones() {
    let dir = scanned_dump();
    let total = clusters(&dir.path().join("out")).len();
    let output = reprint().current_dir(dir.path()).args(["show", "out", "99999"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no cluster 99999") && stderr.contains(&format!("0 to {}", total - 1)), "{stderr}");
    assert!(output.stdout.is_empty());

    let output = reprint().current_dir(dir.path()).args(["show", "out", "0", "--member", "nobody"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = &members(&clusters(&dir.path().join("out"))[0])[0];
    assert!(stderr.contains("--member nobody") && stderr.contains(first.as_str()), "{stderr}");

    // Not an output directory: the error names the file it looked for.
    let output = reprint().current_dir(dir.path()).args(["show", ".", "0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("run.json") && stderr.contains("not the output directory"), "{stderr}");
    let output = reprint().current_dir(dir.path()).args(["show", "no-such-dir", "0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-dir"));
}

#[test]
fn stdin_scan_shows_why_texts_are_missing() {
    let dir = scanned_dump();
    let dump = std::fs::read(dir.path().join("dump.jsonl")).unwrap();
    reprint().current_dir(dir.path()).args(["scan", "-q", "-", "-o", "piped"]).write_stdin(dump).assert().success();
    let cluster = largest_cluster(&dir.path().join("piped"));
    let shown = show(dir.path(), &["piped", &cluster["id"].to_string()]);
    assert!(squeeze(&shown).contains(Missing::Stdin.explain()), "{shown}");
    assert_eq!(marked_spans(&shown), ["like this"], "no text, nothing marked but the legend");
    for m in members(&cluster) {
        assert!(shown.contains(&m));
    }
}

#[test]
fn changed_dump_shows_why_texts_are_missing() {
    let dir = scanned_dump();
    let path = dir.path().join("dump.jsonl");
    let edited: Vec<Value> = read_jsonl(&path)
        .into_iter()
        .map(|mut v| {
            let text = format!("{} Updated.", v["text"].as_str().unwrap());
            v["text"] = Value::String(text);
            v
        })
        .collect();
    write_jsonl(&path, &edited);
    let id = largest_cluster(&dir.path().join("out"))["id"].to_string();
    let shown = show(dir.path(), &["out", &id]);
    assert!(squeeze(&shown).contains(Missing::Changed.explain()), "{shown}");
    assert_eq!(marked_spans(&shown), ["like this"], "no text, nothing marked but the legend");
}

#[test]
fn inputs_are_read_again_from_where_the_scan_ran() {
    let dir = scanned_dump();
    let elsewhere = tempdir();
    let cluster = largest_cluster(&dir.path().join("out"));
    let output = reprint()
        .current_dir(elsewhere.path())
        .arg("show")
        .arg(dir.path().join("out"))
        .arg(cluster["id"].to_string())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "an input that cannot be read again is an error");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("dump.jsonl") && stderr.contains("relative"), "{stderr}");
    // What could be shown still is.
    let stdout = String::from_utf8_lossy(&output.stdout);
    for m in members(&cluster) {
        assert!(stdout.contains(&m));
    }
    assert!(squeeze(&stdout).contains("text not available: cannot read input dump.jsonl"), "{stdout}");
}

#[test]
fn corpus_directory_scan_is_read_again() {
    let dir = tempdir();
    let out = dir.path().join("out");
    reprint().arg("scan").arg("-q").arg(repo_root().join("corpus")).arg("-o").arg(&out).assert().success();
    let texts = texts_of(&repo_root().join("corpus/reuters-sample.jsonl"));
    let cluster = largest_cluster(&out);
    let shown = show(dir.path(), &[out.to_str().unwrap(), &cluster["id"].to_string(), "--limit", "0"]);
    assert!(assert_passages_marked(&shown, &out, &cluster, &texts) > 0);
}

#[test]
fn closed_pipe_is_not_an_error() {
    let dir = scanned_dump();
    let id = largest_cluster(&dir.path().join("out"))["id"].to_string();
    let whole = show(dir.path(), &["out", &id, "--limit", "0"]);
    assert!(whole.len() > PIPE_BUFFER, "output of {} bytes would fit in the pipe", whole.len());
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("reprint"))
        .current_dir(dir.path())
        .args(["show", "out", &id, "--limit", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then closed, like `| head`
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
