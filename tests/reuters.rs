//! Checks on the full Reuters-21578 dump. They need `../shared/data/reuters21578.jsonl` (or
//! `REPRINT_REUTERS=path`), which a user's clone does not have, so they are `#[ignore]`d and
//! run as their own CI step: `cargo test --release --test tests -- --ignored reuters`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use reprint::shingle::shingle_set;
use reprint::verify::measure;
use serde_json::Value;

use crate::util::*;

fn reuters_path() -> PathBuf {
    let path = std::env::var_os("REPRINT_REUTERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/data/reuters21578.jsonl"));
    assert!(path.is_file(), "Reuters dump not found at {} (set REPRINT_REUTERS)", path.display());
    path
}

struct Scanned {
    texts: BTreeMap<String, String>,
    out: tempfile::TempDir,
}

fn scan_reuters(extra: &[&str]) -> Scanned {
    let path = reuters_path();
    let out = tempdir();
    reprint().args(["scan", "-q", "-o"]).arg(out.path()).arg(&path).args(extra).assert().success();
    let texts = read_jsonl(&path)
        .into_iter()
        .map(|v: Value| (v["id"].as_str().unwrap().to_string(), v["text"].as_str().unwrap().to_string()))
        .collect();
    Scanned { texts, out }
}

#[test]
#[ignore = "needs ../shared/data/reuters21578.jsonl; run with --ignored"]
fn reuters_identical_bodies_share_a_cluster_and_edges_hold() {
    let s = scan_reuters(&[]);
    let docs = documents(s.out.path());
    assert_eq!(docs.len(), 19_043);
    assert!(docs.iter().all(|d| d["skipped"].is_null()));
    let of = cluster_of(s.out.path());

    // Every group of byte-identical bodies (after whitespace normalisation) is one cluster.
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (id, text) in &s.texts {
        groups.entry(text.split_whitespace().collect::<Vec<_>>().join(" ")).or_default().push(id);
    }
    let groups: Vec<_> = groups.into_values().filter(|g| g.len() > 1).collect();
    assert!(groups.len() >= 250, "expected hundreds of identical groups, found {}", groups.len());
    for g in &groups {
        let c = of[g[0]];
        assert!(c.is_some(), "identical group {g:?} not clustered");
        assert!(g.iter().all(|id| of[*id] == c), "identical group {g:?} split");
    }

    // No near-duplicate edge is below the threshold.
    let threshold = run_json(s.out.path())["parameters"]["threshold"].as_f64().unwrap();
    for c in clusters(s.out.path()) {
        for e in c["edges"].as_array().unwrap() {
            if e["kind"] == "near_duplicate" {
                assert!(e["jaccard"].as_f64().unwrap() >= threshold, "{e}");
            }
        }
    }
}

#[test]
#[ignore = "needs ../shared/data/reuters21578.jsonl; run with --ignored"]
fn reuters_reported_similarities_are_exact() {
    // Without furniture set aside, the shingle sets are those of the whole texts, which
    // the test can recompute on its own.
    let s = scan_reuters(&["--no-furniture"]);
    let threshold = run_json(s.out.path())["parameters"]["threshold"].as_f64().unwrap();
    let mut edges = 0;
    for c in clusters(s.out.path()) {
        for e in c["edges"].as_array().unwrap() {
            let (a, b) = (e["a"].as_str().unwrap(), e["b"].as_str().unwrap());
            let j = e["jaccard"].as_f64().unwrap();
            if e["kind"] == "near_duplicate" {
                assert!(j >= threshold, "edge {a}-{b} at {j}");
            }
            let (sa, sb) = (shingle_set(&s.texts[a], 5).unwrap(), shingle_set(&s.texts[b], 5).unwrap());
            let exact = measure(0, 1, &sa.hashes, &sb.hashes);
            assert!((exact.jaccard - j).abs() < 1e-6, "edge {a}-{b}: reported {j}, exact {exact:?}");
            let cab = e["containment_ab"].as_f64().unwrap();
            assert!((exact.containment_ab - cab).abs() < 1e-6, "edge {a}-{b}: {e} vs {exact:?}");
            edges += 1;
        }
    }
    assert!(edges >= 500, "only {edges} edges");
}

#[test]
#[ignore = "needs ../shared/data/reuters21578.jsonl; run with --ignored"]
fn reuters_seeds_form_one_story_and_no_reuters_story_joins() {
    let out = tempdir();
    reprint()
        .args(["scan", "-q", "-o"])
        .arg(out.path())
        .arg(reuters_path())
        .arg(repo_root().join("corpus/seeds"))
        .assert()
        .success();
    let docs = documents(out.path());
    let seeds: Vec<&Value> = docs.iter().filter(|d| d["outlet"].as_str().is_some_and(|o| o.starts_with("outlet-"))).collect();
    assert_eq!(seeds.len(), 5);
    let story = seeds[0]["story"].as_u64().expect("the seeds have a story");
    assert!(seeds.iter().all(|d| d["story"] == story), "{seeds:?}");
    let members = docs.iter().filter(|d| d["story"] == story).count();
    assert_eq!(members, 5, "a Reuters story joined the seeds");
}

#[test]
#[ignore = "needs ../shared/data/reuters21578.jsonl; run with --ignored"]
fn reuters_index_of_the_earlier_stories_then_the_later_equals_one_scan() {
    // By date: the first 80% indexed, the last 20% added; the added stories get the clusters,
    // reuse figures and passages that one scan of the whole dump gives them.
    let tmp = tempdir();
    let mut rows = read_jsonl(&reuters_path());
    rows.sort_by(|a, b| a["date"].as_str().cmp(&b["date"].as_str()));
    let cut = rows.len() * 4 / 5;
    let (old, new) = (tmp.path().join("old.jsonl"), tmp.path().join("new.jsonl"));
    write_jsonl(&old, &rows[..cut]);
    write_jsonl(&new, &rows[cut..]);
    let (idx, out, full) = (tmp.path().join("idx"), tmp.path().join("out"), tmp.path().join("full"));
    reprint().args(["index", "create", "-q"]).arg(&idx).arg(&old).assert().success();
    reprint().args(["index", "add", "-q"]).arg(&idx).arg(&new).arg("-o").arg(&out).assert().success();
    crate::index::scan(&[&old, &new], &full);
    crate::index::assert_same_as_full_scan(&out, &full);
    assert_eq!(documents(&out).len(), rows.len() - cut);
}
