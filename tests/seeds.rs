//! The embedded corpus: the five seed articles and the Reuters sample.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::*;

fn scan_corpus(out: &std::path::Path) {
    reprint().current_dir(repo_root()).args(["scan", "-q", "-o"]).arg(out).assert().success();
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo_root().join("corpus/expected.json")).unwrap()).unwrap()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

#[test]
fn seeds_carry_manifest_metadata_and_stay_apart_at_copy_level() {
    let dir = tempdir();
    scan_corpus(dir.path());
    let docs = documents(dir.path());
    let seeds: Vec<&Value> = docs.iter().filter(|d| d["id"].as_str().unwrap().starts_with("seeds/")).collect();
    assert_eq!(seeds.len(), 5);
    let outlets: Vec<&str> = seeds.iter().map(|d| d["outlet"].as_str().unwrap()).collect();
    assert_eq!(outlets, ["outlet-a", "outlet-b", "outlet-c", "outlet-d", "outlet-e"]);
    assert_eq!(seeds[1]["date"], "2024-06-25");
    assert_eq!(
        seeds[0]["title"],
        "Vietnam affirms strategic partnership with U.S., casting doubt on Putin's recent diplomatic gains"
    );
    // Five rewrites sharing at most 3% of their 5-grams: not copies of each other.
    for s in &seeds {
        assert!(s["cluster"].is_null(), "{} should not be a copy-level duplicate", s["id"]);
    }
}

#[test]
fn reuters_sample_groups_are_found() {
    let dir = tempdir();
    scan_corpus(dir.path());
    let of = cluster_of(dir.path());
    let exp = expected();
    for group in exp["identical_groups"].as_array().unwrap() {
        let members = ids(group);
        let c = of[&members[0]];
        assert!(c.is_some(), "{members:?} not clustered");
        for m in &members {
            assert_eq!(of[m], c, "identical group {members:?} split");
        }
    }
    // Near-duplicates comfortably above the threshold (the corpus's reference Jaccard uses a
    // simpler tokeniser, so pairs within 0.1 of 0.5 may fall either side).
    let mut checked = 0;
    for pair in exp["near_duplicate_pairs"].as_array().unwrap() {
        let (a, b) = (pair["a"].as_str().unwrap(), pair["b"].as_str().unwrap());
        if pair["jaccard"].as_f64().unwrap() >= 0.6 {
            assert!(of[a].is_some() && of[a] == of[b], "near-duplicates {a} and {b} not clustered");
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} near-duplicate pairs checked");
    // Pairs under the Jaccard threshold may still be reuse (a truncated re-send, a rewrite
    // keeping whole sentences), but only through a containment or partial edge that
    // covers a paragraph or more, never as near-duplicates.
    let edges: BTreeMap<(String, String), Value> = clusters(dir.path())
        .iter()
        .flat_map(|c| c["edges"].as_array().unwrap().clone())
        .map(|e| ((e["a"].as_str().unwrap().to_string(), e["b"].as_str().unwrap().to_string()), e))
        .collect();
    for pair in exp["below_threshold_pairs"].as_array().unwrap() {
        let (a, b) = (pair["a"].as_str().unwrap(), pair["b"].as_str().unwrap());
        if of[a].is_some() && of[a] == of[b] {
            let e = &edges[&(a.to_string(), b.to_string())];
            assert!(["contained", "partial"].contains(&e["kind"].as_str().unwrap()), "{e}");
            assert!(e["a_words"].as_u64().unwrap() >= 30 && e["b_words"].as_u64().unwrap() >= 30, "{e}");
        }
    }
    // The sample's truncated re-send: reuters-11236 is wholly inside reuters-11177.
    let e = &edges[&("reuters-11177".to_string(), "reuters-11236".to_string())];
    assert_eq!(e["kind"], "contained");
    assert_eq!(e["containment_ba"], 1.0);
    let per_cluster: BTreeMap<u64, usize> = of.values().flatten().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(*c).or_default() += 1;
        m
    });
    assert_eq!(per_cluster.len(), clusters(dir.path()).len());
}

#[test]
fn a_lightly_edited_seed_copy_joins_its_seed() {
    let dir = tempdir();
    let src = repo_root().join("corpus/seeds/000_424da9c3c4a3533c.txt");
    let text = std::fs::read_to_string(&src).unwrap();
    let copy = text.replace("Comments", "Share this article").replace("Bui Thanh Son", "Bùi Thanh Sơn");
    std::fs::create_dir_all(dir.path().join("in/wire")).unwrap();
    std::fs::create_dir_all(dir.path().join("in/reposter")).unwrap();
    std::fs::write(dir.path().join("in/wire/a.txt"), &text).unwrap();
    std::fs::write(dir.path().join("in/reposter/b.txt"), &copy).unwrap();
    let out = dir.path().join("out");
    reprint().args(["scan", "-q", "-o"]).arg(&out).arg(dir.path().join("in")).assert().success();
    let cl = clusters(&out);
    assert_eq!(cl.len(), 1);
    assert_eq!(ids(&cl[0]["members"]), ["reposter/b.txt", "wire/a.txt"]);
    // Diacritics are stripped, so only the footer line differs.
    assert!(cl[0]["min_jaccard"].as_f64().unwrap() > 0.95);
}
