//! `reprint eval`: scores checked against a brute-force count over every pair, the quality
//! targets on the generated benchmark, and bad label files refused with file and line.

use std::collections::HashMap;

use crate::util::{read_jsonl, repo_root, reprint, tempdir};
use serde_json::Value;

/// Pairwise (true, predicted, correct) counts over every pair of labelled documents.
fn brute_force(outdir: &std::path::Path, labels: &std::path::Path, field: &str, pred_field: &str) -> (u64, u64, u64) {
    let pred: HashMap<String, Value> =
        read_jsonl(&outdir.join("documents.jsonl")).into_iter().map(|d| (d["id"].as_str().unwrap().to_string(), d[pred_field].clone())).collect();
    let rows: Vec<(Value, Value)> = read_jsonl(labels).into_iter().map(|l| (l[field].clone(), pred[l["id"].as_str().unwrap()].clone())).collect();
    let (mut t, mut p, mut c) = (0, 0, 0);
    for i in 0..rows.len() {
        for j in i + 1..rows.len() {
            let same_t = !rows[i].0.is_null() && rows[i].0 == rows[j].0;
            let same_p = !rows[i].1.is_null() && rows[i].1 == rows[j].1;
            t += same_t as u64;
            p += same_p as u64;
            c += (same_t && same_p) as u64;
        }
    }
    (t, p, c)
}

fn eval_json(outdir: &std::path::Path, labels: &std::path::Path) -> Value {
    let out = reprint().args(["eval", "--json", "--labels"]).arg(labels).arg(outdir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn eval_pair_counts_match_brute_force_and_targets_hold_on_the_generated_benchmark() {
    let dir = tempdir();
    let (dump, labels, out) = (dir.path().join("d.jsonl"), dir.path().join("l.jsonl"), dir.path().join("out"));
    reprint().args(["gen", "--docs", "1500", "--seed", "11", "--syndication", "-q", "-o"]).arg(&dump).arg("--labels").arg(&labels).assert().success();
    reprint().args(["scan", "-q", "-o"]).arg(&out).arg(&dump).assert().success();
    let e = eval_json(&out, &labels);
    let p = &e["clusters"]["pairwise"];
    let (t, pr, c) = brute_force(&out, &labels, "cluster", "cluster");
    assert_eq!((p["true_pairs"].as_u64().unwrap(), p["predicted_pairs"].as_u64().unwrap(), p["correct_pairs"].as_u64().unwrap()), (t, pr, c));
    let s = &e["stories"]["pairwise"];
    let (t, pr, c) = brute_force(&out, &labels, "story", "story");
    assert_eq!((s["true_pairs"].as_u64().unwrap(), s["predicted_pairs"].as_u64().unwrap(), s["correct_pairs"].as_u64().unwrap()), (t, pr, c));
    // The README's quality targets: copy-level precision >= 0.99 and F1 >= 0.98, reuse MAE <= 0.03.
    let copies = e["levels"].as_array().unwrap().iter().find(|l| l["level"] == "copies").unwrap();
    assert!(copies["precision"].as_f64().unwrap() >= 0.99 && copies["f1"].as_f64().unwrap() >= 0.98, "{copies}");
    let mae = e["reuse"].as_array().unwrap().iter().find(|r| r["level"] == "all").unwrap()["mae"].as_f64().unwrap();
    assert!(mae <= 0.03, "reuse MAE {mae}");
    assert_eq!(e["documents"], 1500);
}

#[test]
fn story_level_target_holds_on_the_story_benchmark() {
    let dir = tempdir();
    let (dump, labels, out) = (dir.path().join("d.jsonl"), dir.path().join("l.jsonl"), dir.path().join("out"));
    reprint().args(["gen-stories", "--stories", "400", "--seed", "1", "-q", "-o"]).arg(&dump).arg("--labels").arg(&labels).assert().success();
    reprint().args(["scan", "-q", "-o"]).arg(&out).arg(&dump).assert().success();
    let e = eval_json(&out, &labels);
    let s = &e["stories"]["pairwise"];
    let (t, pr, c) = brute_force(&out, &labels, "story", "story");
    assert_eq!((s["true_pairs"].as_u64().unwrap(), s["predicted_pairs"].as_u64().unwrap(), s["correct_pairs"].as_u64().unwrap()), (t, pr, c));
    // The story level's targets (README, "Quality targets"): measured precision 0.985,
    // recall 0.987 (BENCHMARKS.md, "Stories").
    assert!(s["precision"].as_f64().unwrap() >= 0.95 && s["recall"].as_f64().unwrap() >= 0.85, "stories {s}");
    // The text form names the tables and the worst cases with ids that are in the labels.
    let text = reprint().args(["eval", "--labels"]).arg(&labels).arg(&out).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("adjusted Rand") && text.contains("story rewrites") && text.contains("B-cubed"), "{text}");
    assert!(text.contains("worst misses (stories)") && text.contains("story-"), "{text}");
    // With background sentences of real Reuters word frequencies (measured precision 0.983,
    // recall 0.917).
    reprint()
        .args(["gen-stories", "--stories", "400", "--seed", "1", "-q", "--words"])
        .arg(repo_root().join("corpus/reuters-sample.jsonl"))
        .arg("-o")
        .arg(&dump)
        .arg("--labels")
        .arg(&labels)
        .assert()
        .success();
    reprint().args(["scan", "-q", "-o"]).arg(&out).arg(&dump).assert().success();
    let e = eval_json(&out, &labels);
    let s = &e["stories"]["pairwise"];
    assert!(s["precision"].as_f64().unwrap() >= 0.95 && s["recall"].as_f64().unwrap() >= 0.85, "stories with real words {s}");
}

#[test]
fn eval_refuses_bad_labels_and_missing_outputs_naming_file_and_line() {
    let dir = tempdir();
    let out = dir.path().join("out");
    reprint().args(["scan", "-q", "-o"]).arg(&out).assert().success();
    let labels = dir.path().join("labels.jsonl");
    std::fs::write(&labels, "{\"id\":\"x\",\"cluster\":null}\n{\"id\":\"y\"}\n").unwrap();
    let r = reprint().args(["eval", "--labels"]).arg(&labels).arg(&out).output().unwrap();
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("labels.jsonl:2") && err.contains("no `cluster` field"), "{err}");
    std::fs::write(&labels, "{\"id\":\"nowhere\",\"cluster\":null}\n").unwrap();
    let r = reprint().args(["eval", "--labels"]).arg(&labels).arg(&out).output().unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("another dump"));
    let r = reprint().args(["eval", "--labels"]).arg(&labels).arg(dir.path()).output().unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("no documents.jsonl"));
}
