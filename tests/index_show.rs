//! `reprint show` on the output of `reprint index add`: clusters are found by their lasting
//! ids (not line numbers), older members are read back from the index with their texts, and
//! an index that is gone leaves those texts out with a note instead of failing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::util::*;

/// Articles generated: the first [`FIRST_PART`] lines are indexed, the rest added.
const DOCS: &str = "900";
const FIRST_PART: usize = 600;

/// A directory holding `part1.jsonl` (indexed into `IDX` by `index create`) and
/// `part2.jsonl` (added by `index add`, outputs in `OUT`), all named relative to it, as a user
/// would.
fn indexed_run() -> tempfile::TempDir {
    let dir = tempdir();
    let d = dir.path();
    reprint()
        .current_dir(d)
        .args(["gen", "--docs", DOCS, "--syndication", "--seed", "5", "-q", "-o", "all.jsonl"])
        .assert()
        .success();
    let all = std::fs::read_to_string(d.join("all.jsonl")).unwrap();
    let lines: Vec<&str> = all.lines().collect();
    assert!(lines.len() > FIRST_PART, "{} lines generated", lines.len());
    std::fs::write(d.join("part1.jsonl"), lines[..FIRST_PART].join("\n") + "\n").unwrap();
    std::fs::write(d.join("part2.jsonl"), lines[FIRST_PART..].join("\n") + "\n").unwrap();
    reprint().current_dir(d).args(["index", "create", "IDX", "part1.jsonl", "-q"]).assert().success();
    reprint().current_dir(d).args(["index", "add", "IDX", "part2.jsonl", "-o", "OUT", "-q"]).assert().success();
    dir
}



fn members(cluster: &Value) -> Vec<String> {
    cluster["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect()
}


/// The output without passage markers, whitespace squeezed (texts are wrapped).
fn plain(out: &str) -> String {
    squeeze(&out.replace("{+", "").replace("+}", ""))
}



/// A cluster of `OUT` worth showing: not on the line its id would number (so ids are not line
/// numbers), with a new member whose comparison partner in `show` (its recorded source, else
/// the origin) is an older article, which has no line in documents.jsonl. Returns the
/// cluster, the new member and the older one.
fn cluster_with_older_source(out: &Path) -> (Value, String, String) {
    let docs: BTreeMap<String, Value> = documents(out).into_iter().map(|d| (str_of(&d, "id"), d)).collect();
    for (line, c) in clusters(out).into_iter().enumerate() {
        if c["id"].as_u64() == Some(line as u64) {
            continue;
        }
        let m = members(&c);
        let origin = str_of(&c, "origin");
        for new in m.iter().filter(|x| docs.contains_key(*x) && **x != origin) {
            let source = docs[new]["source"].as_str().filter(|s| m.iter().any(|x| x == s)).map_or(origin.clone(), str::to_string);
            if !docs.contains_key(&source) {
                return (c.clone(), new.clone(), source);
            }
        }
    }
    panic!("no cluster with a new member taken from an older article, away from its line");
}

/// Runs `reprint show` in `dir`, returning the exit code, stdout and stderr.
fn show(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = reprint().current_dir(dir).arg("show").args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("UTF-8 output"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn show_reads_older_members_and_their_texts_from_the_index() {
    let dir = indexed_run();
    let d = dir.path();
    let out = d.join("OUT");
    let (cluster, new, older) = cluster_with_older_source(&out);
    let id = cluster["id"].to_string();
    let (code, shown, stderr) = show(d, &["OUT", &id, "--color", "never", "--limit", "0"]);
    assert_eq!(code, 0, "{stderr}\n{shown}");
    assert!(shown.starts_with(&format!("cluster {id} in OUT")), "{shown}");
    assert!(!shown.contains("(ids 0-"), "index ids are not line numbers: {shown}");

    // Every member is listed; older ones as read back from the index.
    let (table, _) = shown.split_once("\n━━").expect("comparisons follow the table");
    for m in members(&cluster) {
        assert!(table.contains(&m), "{m} not listed:\n{table}");
    }
    let older_row = table.lines().find(|l| l.starts_with(&older)).unwrap();
    assert!(older_row.contains("indexed"), "{older_row}");

    // Both texts are printed: the older article's as indexed from part1, the new one's from part2.
    let old_texts = texts_of(&d.join("part1.jsonl"));
    let new_texts = texts_of(&d.join("part2.jsonl"));
    let (old_text, new_text) = (&old_texts[&older], &new_texts[&new]);
    let text = plain(&shown);
    assert!(text.contains(&squeeze(old_text)), "the text of {older} is not shown");
    assert!(text.contains(&squeeze(new_text)), "the text of {new} is not shown");
    assert!(!shown.contains("not available"), "{shown}");

    // The passages the new article shares with the older one are marked in both texts.
    assert!(shown.contains("{+"), "{shown}");
    let spans = marked_spans(&shown);
    let texts: BTreeMap<&str, &String> = [(older.as_str(), old_text), (new.as_str(), new_text)].into_iter().collect();
    let mut checked = 0;
    for p in read_jsonl(&out.join("passages.jsonl")) {
        let (a, b) = (str_of(&p, "a"), str_of(&p, "b"));
        let pair: BTreeSet<&str> = [a.as_str(), b.as_str()].into_iter().collect();
        if pair != texts.keys().copied().collect() {
            continue;
        }
        for (who, start, end) in [(&a, "a_start", "a_end"), (&b, "b_start", "b_end")] {
            let passage = squeeze(&chars(texts[who.as_str()], p[start].as_u64().unwrap(), p[end].as_u64().unwrap()));
            assert!(spans.iter().any(|s| s.contains(&passage)), "passage of {who} not marked: {passage:?}");
            checked += 1;
        }
    }
    assert!(checked >= 2, "no passage between {new} and {older} recorded");

    // An older member can be named; its text comes from the index too.
    let (code, alone, stderr) = show(d, &["OUT", &id, "--color", "never", "--member", &older]);
    assert_eq!(code, 0, "{stderr}");
    assert!(plain(&alone).contains(&squeeze(old_text)), "{alone}");
    assert!(alone.contains("read back from index IDX") || older == str_of(&cluster, "origin"), "{alone}");
}

#[test]
fn unknown_cluster_id_is_a_usage_error_naming_ids_present() {
    let dir = indexed_run();
    let d = dir.path();
    let ids: BTreeSet<u64> = clusters(&d.join("OUT")).iter().map(|c| c["id"].as_u64().unwrap()).collect();
    // Preferably an id below the number of lines: a line number, but no cluster's id.
    let missing = (0..ids.len() as u64).find(|i| !ids.contains(i)).unwrap_or(ids.last().unwrap() + 1000);
    let (code, shown, stderr) = show(d, &["OUT", &missing.to_string(), "--color", "never"]);
    assert_eq!(code, 2, "{stderr}\n{shown}");
    assert!(shown.is_empty(), "{shown}");
    assert!(stderr.contains(&format!("no cluster {missing} in OUT")), "{stderr}");
    assert!(!stderr.contains("numbered 0 to"), "{stderr}");
    // The message names ids the output has.
    let named = stderr
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse::<u64>().ok())
        .filter(|n| ids.contains(n) && *n != missing)
        .count();
    assert!(named > 0, "{stderr}");
}

#[test]
fn a_deleted_index_leaves_older_texts_out_with_a_note() {
    let dir = indexed_run();
    let d = dir.path();
    let out = d.join("OUT");
    let (cluster, new, older) = cluster_with_older_source(&out);
    std::fs::remove_dir_all(d.join("IDX")).unwrap();
    let id = cluster["id"].to_string();
    let (code, shown, stderr) = show(d, &["OUT", &id, "--color", "never", "--limit", "0"]);
    assert_eq!(code, 0, "{stderr}\n{shown}");
    for m in members(&cluster) {
        assert!(shown.contains(&m), "{m} not listed:\n{shown}");
    }
    // Every new member's text is shown, from part2.jsonl.
    let docs: BTreeSet<String> = documents(&out).iter().map(|d| str_of(d, "id")).collect();
    let new_texts = texts_of(&d.join("part2.jsonl"));
    let text = plain(&shown);
    let shown_new: Vec<&String> = members(&cluster).iter().filter(|m| docs.contains(*m)).map(|m| &new_texts[m]).collect::<Vec<_>>();
    assert!(!shown_new.is_empty());
    for t in shown_new {
        assert!(text.contains(&squeeze(t)), "a new member's text is not shown");
    }
    assert!(text.contains(&squeeze(&new_texts[&new])));
    // The older article's is not, and the output says why.
    let old_text = &texts_of(&d.join("part1.jsonl"))[&older];
    assert!(!text.contains(&squeeze(old_text)), "{older}'s text is shown without its index");
    assert!(text.contains("text not available: index IDX cannot be opened"), "{shown}");
    assert!(shown.contains(&format!("── {older} (")), "{shown}");
}
