//! Work linear in a cluster's size: masses of near-identical pages, and the pairs a cluster
//! writes passages for.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util::*;

/// Writes `docs` generated notices (one frame, a different amount, rate and weekday each).
fn notices(dir: &Path, docs: usize) -> std::path::PathBuf {
    let dump = dir.join("notices.jsonl");
    reprint().args(["gen", "--notices", "--seed", "3", "-q", "--docs", &docs.to_string(), "-o"]).arg(&dump).assert().success();
    dump
}

#[test]
fn a_mass_of_near_identical_notices_costs_pairs_linear_in_its_size() {
    let dir = tempdir();
    let docs = 4000;
    let dump = notices(dir.path(), docs);
    let out = dir.path().join("out");
    reprint().args(["scan", "-q", "--output"]).arg(&out).arg(&dump).assert().success();
    let run = run_json(&out);
    let count = |k: &str| run["counts"][k].as_u64().unwrap() as usize;
    // All pairs would be 7,998,000; linked, fewer than 10 candidates and edges a notice.
    assert!(count("candidate_pairs") < 10 * docs, "{}", run["counts"]);
    assert!(count("verified_edges") < 10 * docs, "{}", run["counts"]);
    assert!(count("large_buckets") > 0);
    assert_eq!((count("clusters"), count("documents_in_clusters")), (1, docs), "{}", run["counts"]);
    // One cluster whose edges span it, and a passage or so per member against its source.
    let clusters = clusters(&out);
    let edges = clusters[0]["edges"].as_array().unwrap().len();
    assert!((docs - 1..10 * docs).contains(&edges), "{edges} edges");
    let passages = read_jsonl(&out.join("passages.jsonl"));
    assert!(passages.len() <= 2 * docs, "{} passages", passages.len());
    // Every notice but the origin is a copy of an earlier one it has passages with.
    let docs_out = documents(&out);
    let linked: BTreeSet<(String, String)> =
        passages.iter().map(|p| (str_of(p, "a"), str_of(p, "b"))).flat_map(|(a, b)| [(a.clone(), b.clone()), (b, a)]).collect();
    for d in &docs_out {
        if str_of(d, "role") == "origin" {
            continue;
        }
        assert_eq!(str_of(d, "role"), "copy", "{d}");
        let source = str_of(d, "source");
        assert!(linked.contains(&(str_of(d, "id"), source)), "{d} has no passages with its source");
    }
}

#[test]
fn passages_are_written_for_the_pairs_reuse_is_counted_from() {
    let dir = tempdir();
    let dump = generate(dir.path(), 1500, 5);
    let out = dir.path().join("out");
    reprint().args(["scan", "-q", "--output"]).arg(&out).arg(&dump).assert().success();
    let docs = documents(&out);
    let of: BTreeMap<String, &serde_json::Value> = docs.iter().map(|d| (str_of(d, "id"), d)).collect();
    let cluster = |id: &str| of[id]["cluster"].as_u64();
    let members = docs.iter().filter(|d| d["cluster"].as_u64().is_some()).count();
    let clusters = clusters(&out).len();
    assert!(clusters > 20, "a dump with clusters: {clusters}");
    let mut pairs_inside: BTreeSet<(String, String)> = BTreeSet::new();
    for p in read_jsonl(&out.join("passages.jsonl")) {
        let (a, b) = (str_of(&p, "a"), str_of(&p, "b"));
        if cluster(&a).is_some() && cluster(&a) == cluster(&b) {
            pairs_inside.insert((a, b));
        }
    }
    // Verified pairs inside clusters outnumber the members; the pairs passages are written
    // for stay near one a member (its source, and now and then a second earlier member).
    let verified: usize = clusters_edges(&out);
    assert!(verified > members, "{verified} verified pairs for {members} members");
    assert!(pairs_inside.len() <= members - clusters + members / 4, "{} pairs for {members} members", pairs_inside.len());
    // A copy's passages with its source are among them, for the page's side-by-side view.
    for d in docs.iter().filter(|d| str_of(d, "role") == "copy") {
        let (id, source) = (str_of(d, "id"), str_of(d, "source"));
        let pair = if id < source { (id.clone(), source.clone()) } else { (source.clone(), id.clone()) };
        let pair_rev = (pair.1.clone(), pair.0.clone());
        assert!(pairs_inside.contains(&pair) || pairs_inside.contains(&pair_rev), "{id} has no passages with {source}");
    }
}

/// Verified pairs inside the clusters of a scan.
fn clusters_edges(out: &Path) -> usize {
    clusters(out).iter().map(|c| c["edges"].as_array().unwrap().len()).sum()
}
