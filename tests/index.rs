//! The persistent index: `create` then `add` gives, for the added articles, what a scan of
//! everything gives; cluster ids last; `query` changes nothing; a killed `add` leaves the index
//! as it was; damaged files and other format versions are refused with a message; `expire`
//! removes what it should; the checked-in fixture index of the current format opens.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::*;

/// What a scan says about one document, cluster ids aside (the index has its own, lasting
/// ones): role, reuse share, source, words, furniture share, skip reason, and the ids of its
/// cluster's members.
type Facts = (Value, Value, Value, Value, Value, Value, Option<BTreeSet<String>>);

fn facts(outdir: &Path) -> BTreeMap<String, Facts> {
    let members: BTreeMap<u64, BTreeSet<String>> = clusters(outdir)
        .iter()
        .map(|c| {
            let m = c["members"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
            (c["id"].as_u64().unwrap(), m)
        })
        .collect();
    documents(outdir)
        .iter()
        .map(|d| {
            let cluster = d["cluster"].as_u64().map(|c| members.get(&c).unwrap_or_else(|| panic!("cluster {c} is listed")).clone());
            let f = (
                d["role"].clone(),
                d["reuse"].clone(),
                d["source"].clone(),
                d["words"].clone(),
                d["furniture"].clone(),
                d["skipped"].clone(),
                cluster,
            );
            (d["id"].as_str().unwrap().to_string(), f)
        })
        .collect()
}

/// Passages with at least one end among `ids`, as comparable tuples.
fn passages_of(outdir: &Path, ids: &BTreeSet<String>) -> BTreeSet<String> {
    read_jsonl(&outdir.join("passages.jsonl"))
        .iter()
        .filter(|p| ids.contains(p["a"].as_str().unwrap()) || ids.contains(p["b"].as_str().unwrap()))
        .map(|p| p.to_string())
        .collect()
}

/// Asserts that the incremental run's documents (all of `incremental/documents.jsonl`) have
/// exactly the facts the full scan gives them, and the same passages.
pub fn assert_same_as_full_scan(incremental: &Path, full: &Path) {
    let inc = facts(incremental);
    let all = facts(full);
    assert!(!inc.is_empty());
    let mut differ = Vec::new();
    for (id, f) in &inc {
        let g = all.get(id).unwrap_or_else(|| panic!("{id} is in the full scan"));
        if f != g {
            differ.push(format!("{id}: incremental {f:?}\n  full scan {g:?}"));
        }
    }
    assert!(differ.is_empty(), "{} of {} documents differ:\n{}", differ.len(), inc.len(), differ[..differ.len().min(5)].join("\n"));
    let ids: BTreeSet<String> = inc.keys().cloned().collect();
    assert_eq!(passages_of(incremental, &ids), passages_of(full, &ids));
    // The new documents were really matched into older ones (the test would be weak otherwise).
    let into_old = inc.values().filter(|f| f.6.as_ref().is_some_and(|m| m.iter().any(|x| !ids.contains(x)))).count();
    assert!(into_old > 0, "no new document joined an older cluster");
}

/// `reprint scan` (skipped input, exit code 3, allowed).
pub fn scan(inputs: &[&Path], out: &Path) {
    let status = reprint().arg("scan").args(inputs).arg("-o").arg(out).args(["-q", "--report-limit", "0"]).output().unwrap().status;
    assert!(matches!(status.code(), Some(0 | 3)), "{status}");
}

fn index(args: &[&std::ffi::OsStr]) -> assert_cmd::assert::Assert {
    reprint().arg("index").args(args).arg("-q").assert()
}

fn stats(idx: &Path) -> Value {
    let out = reprint().args(["index", "stats", "--json"]).arg(idx).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every file of a directory with a digest of its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, u64> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), xxhash_rust::xxh3::xxh3_64(&std::fs::read(e.path()).unwrap()))
        })
        .collect()
}

#[test]
fn create_then_add_twice_equals_a_scan_of_everything() {
    let tmp = tempdir();
    let dump = generate(tmp.path(), 900, 5);
    let parts = split(&dump, &[450, 250, 200], tmp.path());
    let idx = tmp.path().join("idx");
    let (o1, o2, o3) = (tmp.path().join("o1"), tmp.path().join("o2"), tmp.path().join("o3"));
    index(&["create".as_ref(), idx.as_os_str(), parts[0].as_os_str(), "-o".as_ref(), o1.as_os_str()]).success();
    index(&["add".as_ref(), idx.as_os_str(), parts[1].as_os_str(), "-o".as_ref(), o2.as_os_str()]).success();
    index(&["add".as_ref(), idx.as_os_str(), parts[2].as_os_str(), "-o".as_ref(), o3.as_os_str()]).success();
    let (f1, f12, f123) = (tmp.path().join("f1"), tmp.path().join("f12"), tmp.path().join("f123"));
    scan(&[&parts[0]], &f1);
    scan(&[&parts[0], &parts[1]], &f12);
    scan(&[&parts[0], &parts[1], &parts[2]], &f123);
    // `create` with inputs is a scan of them.
    assert_eq!(facts(&o1), facts(&f1));
    assert_same_as_full_scan(&o2, &f12);
    assert_same_as_full_scan(&o3, &f123);
    // Every input document is in the add's documents.jsonl, once.
    assert_eq!(documents(&o3).len(), 200);
    let s = stats(&idx);
    assert_eq!(s["documents"], 900);
    assert_eq!(s["segments"].as_array().unwrap().len(), 3);
    // The index's clusters are the full scan's.
    let full_clusters = cluster_sets(&f123).into_iter().collect::<BTreeSet<_>>();
    assert_eq!(s["clusters"].as_u64().unwrap() as usize, full_clusters.len());
}

#[test]
fn corpus_split_by_date_with_txt_articles_equals_a_scan() {
    // The embedded Reuters sample by date, every fourth story added later (with the five .txt
    // seed articles) to an index of the others.
    let tmp = tempdir();
    let mut rows = read_jsonl(&repo_root().join("corpus/reuters-sample.jsonl"));
    rows.sort_by(|a, b| a["date"].as_str().cmp(&b["date"].as_str()));
    let (old, new) = (tmp.path().join("old.jsonl"), tmp.path().join("new.jsonl"));
    type Numbered = Vec<(usize, Value)>;
    let (later, earlier): (Numbered, Numbered) = rows.into_iter().enumerate().partition(|(i, _)| i % 4 == 3);
    write_jsonl(&old, &earlier.into_iter().map(|r| r.1).collect::<Vec<_>>());
    write_jsonl(&new, &later.into_iter().map(|r| r.1).collect::<Vec<_>>());
    let seeds = repo_root().join("corpus/seeds");
    let (idx, out, full) = (tmp.path().join("idx"), tmp.path().join("out"), tmp.path().join("full"));
    index(&["create".as_ref(), idx.as_os_str(), old.as_os_str()]).success();
    index(&["add".as_ref(), idx.as_os_str(), new.as_os_str(), seeds.as_os_str(), "-o".as_ref(), out.as_os_str()]).success();
    scan(&[&old, &new, &seeds], &full);
    assert_same_as_full_scan(&out, &full);
    assert_eq!(documents(&out).len(), 105);
}

#[test]
fn cluster_ids_last_across_adds_and_query_changes_nothing() {
    let tmp = tempdir();
    let dump = generate(tmp.path(), 700, 9);
    let parts = split(&dump, &[400, 300], tmp.path());
    let idx = tmp.path().join("idx");
    let (o1, q, o2) = (tmp.path().join("o1"), tmp.path().join("q"), tmp.path().join("o2"));
    index(&["create".as_ref(), idx.as_os_str(), parts[0].as_os_str(), "-o".as_ref(), o1.as_os_str()]).success();
    let before = snapshot(&idx);
    index(&["query".as_ref(), idx.as_os_str(), parts[1].as_os_str(), "-o".as_ref(), q.as_os_str()]).success();
    assert_eq!(snapshot(&idx), before, "query changed the index");
    index(&["add".as_ref(), idx.as_os_str(), parts[1].as_os_str(), "-o".as_ref(), o2.as_os_str()]).success();
    // The query saw what the add then kept.
    for name in ["documents.jsonl", "clusters.jsonl", "passages.jsonl", "stories.jsonl", "outlets.jsonl"] {
        assert_eq!(std::fs::read(q.join(name)).unwrap(), std::fs::read(o2.join(name)).unwrap(), "{name}");
    }
    // An older article's cluster keeps its id: a cluster of the add's output holding older
    // articles carries the smallest of their ids from the create's output.
    let first_ids: BTreeMap<String, Option<u64>> = cluster_of(&o1);
    let mut grown = 0;
    for c in clusters(&o2) {
        let old_ids: BTreeSet<u64> = c["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| first_ids.get(m.as_str().unwrap()).copied().flatten())
            .collect();
        if let Some(&min) = old_ids.iter().next() {
            assert_eq!(c["id"].as_u64().unwrap(), min, "{c}");
            grown += 1;
        } else {
            let highest_old = first_ids.values().flatten().max().copied().unwrap_or(0);
            assert!(c["id"].as_u64().unwrap() > highest_old, "a new cluster reuses an id: {c}");
        }
    }
    assert!(grown > 0, "no older cluster grew");
    let run = run_json(&o2);
    assert_eq!(run["command"], "index add");
    assert_eq!(run["counts"]["documents"], 300);
}

#[test]
fn a_new_article_repeating_an_indexed_id_is_renamed_as_a_scan_would() {
    let tmp = tempdir();
    let texts = reuters_sample_texts();
    let old = tmp.path().join("old.jsonl");
    let new = tmp.path().join("new.jsonl");
    write_jsonl(&old, &[serde_json::json!({"id": "a", "text": texts[0]}), serde_json::json!({"id": "b", "text": texts[1]})]);
    write_jsonl(&new, &[serde_json::json!({"id": "a", "text": texts[2]}), serde_json::json!({"text": texts[3]}), serde_json::json!({"id": "c", "text": ""})]);
    let idx = tmp.path().join("idx");
    let (out, full) = (tmp.path().join("out"), tmp.path().join("full"));
    index(&["create".as_ref(), idx.as_os_str(), old.as_os_str()]).success();
    // A skipped document is listed (exit 3) but not kept in the index.
    index(&["add".as_ref(), idx.as_os_str(), new.as_os_str(), "-o".as_ref(), out.as_os_str()]).code(3);
    scan(&[&old, &new], &full);
    let ids: Vec<String> = documents(&out).iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
    let full_ids: Vec<String> = documents(&full).iter().skip(2).map(|d| d["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, full_ids);
    assert!(ids[0].starts_with("a@") && ids[0].ends_with("new.jsonl:1"), "{ids:?}");
    assert_eq!(documents(&out)[2]["skipped"].as_str().unwrap().split(':').next(), Some("empty_text"));
    assert_eq!(stats(&idx)["documents"], 4);
}

#[test]
fn standard_input_and_a_busy_index_are_refused_with_a_message() {
    let tmp = tempdir();
    let idx = tmp.path().join("idx");
    index(&["create".as_ref(), idx.as_os_str()]).success();
    let out = tmp.path().join("out");
    let a = reprint().args(["index", "add"]).arg(&idx).args(["-", "-o"]).arg(&out).write_stdin("{}\n").assert().code(1);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("standard input"));
    // Another process writing the index: held here through the library.
    let held = reprint::jobs::index::Index::open(&idx, true).unwrap();
    let dump = repo_root().join("corpus/reuters-sample.jsonl");
    let a = reprint().args(["index", "add"]).arg(&idx).arg(&dump).arg("-o").arg(&out).assert().code(1);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("another reprint"), "{:?}", a.get_output());
    drop(held);
    index(&["add".as_ref(), idx.as_os_str(), dump.as_os_str(), "-o".as_ref(), out.as_os_str()]).success();
    // An existing index is not created over.
    let a = reprint().args(["index", "create"]).arg(&idx).assert().code(1);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("already holds an index"));
    let a = reprint().args(["index", "stats"]).arg(tmp.path().join("nothing")).assert().code(1);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("does not exist"));
}

#[test]
fn damaged_files_and_other_format_versions_are_refused_by_name() {
    let tmp = tempdir();
    let idx = tmp.path().join("idx");
    let dump = repo_root().join("corpus/reuters-sample.jsonl");
    index(&["create".as_ref(), idx.as_os_str(), dump.as_os_str()]).success();
    let seg = idx.join(stats(&idx)["segments"][0]["file"].as_str().unwrap());
    let good = std::fs::read(&seg).unwrap();
    let refused = |needles: &[&str]| {
        let a = reprint().args(["index", "stats"]).arg(&idx).assert().code(1);
        let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        for n in needles {
            assert!(err.contains(n), "{n:?} not in {err}");
        }
    };
    let mut bad = good.clone();
    bad[good.len() / 3] ^= 0x20;
    std::fs::write(&seg, &bad).unwrap();
    refused(&["seg-00000001.rpx", "checksum does not match"]);
    // An add against it writes nothing (the checksums are checked beside the work, before
    // anything is written).
    let out = tmp.path().join("out");
    let seeds = repo_root().join("corpus/seeds");
    let a = reprint().args(["index", "add"]).arg(&idx).arg(&seeds).arg("-o").arg(&out).assert().code(1);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("checksum does not match"), "{err}");
    assert!(!out.join("documents.jsonl").exists());
    assert_eq!(std::fs::read(&seg).unwrap(), bad);
    assert_eq!(reprint::jobs::index::format::Manifest::read(&idx).unwrap().segments.len(), 1);
    std::fs::write(&seg, &good[..good.len() - 100]).unwrap();
    refused(&["seg-00000001.rpx", "truncated"]);
    std::fs::remove_file(&seg).unwrap();
    refused(&["seg-00000001.rpx", "missing"]);
    std::fs::write(&seg, &good).unwrap();
    assert_eq!(stats(&idx)["documents"], 400);
    // A manifest of another format version, with a valid checksum.
    let manifest = reprint::jobs::index::format::Manifest::read(&idx).unwrap();
    let mut newer = manifest.clone();
    newer.version += 1;
    std::fs::write(idx.join("MANIFEST"), newer.to_bytes()).unwrap();
    refused(&[&format!("format version {}", newer.version), "reads format version 1"]);
    let edited = String::from_utf8(manifest.to_bytes()).unwrap().replace("\"generation\": 1", "\"generation\": 7");
    std::fs::write(idx.join("MANIFEST"), edited).unwrap();
    refused(&["MANIFEST", "checksum"]);
}

/// Starts `reprint ARGS`, sends `signal` after `delay`, and returns the exit code.
fn run_and_signal(args: &[&std::ffi::OsStr], delay: Duration, signal: &str) -> Option<i32> {
    let child = Command::new(assert_cmd::cargo::cargo_bin("reprint"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("reprint starts");
    std::thread::sleep(delay);
    let _ = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
    child.wait_with_output().unwrap().status.code()
}

#[test]
fn a_killed_add_leaves_the_index_as_it_was() {
    let tmp = tempdir();
    let dump = generate(tmp.path(), 1200, 11);
    let parts = split(&dump, &[700, 500], tmp.path());
    let idx = tmp.path().join("idx");
    index(&["create".as_ref(), idx.as_os_str(), parts[0].as_os_str()]).success();
    let before = snapshot(&idx);
    let out = tmp.path().join("out");
    let args: Vec<&std::ffi::OsStr> = vec!["index".as_ref(), "add".as_ref(), idx.as_os_str(), parts[1].as_os_str(), "-o".as_ref(), out.as_os_str()];
    // How long an add takes, on a copy.
    let copy = tmp.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    for f in before.keys() {
        std::fs::copy(idx.join(f), copy.join(f)).unwrap();
    }
    let t = Instant::now();
    index(&["add".as_ref(), copy.as_os_str(), parts[1].as_os_str(), "-o".as_ref(), tmp.path().join("ref").as_os_str()]).success();
    let took = t.elapsed();
    let after_copy = snapshot(&copy);
    let mut interrupted = 0;
    for (i, moment) in [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9].iter().enumerate() {
        let signal = ["KILL", "TERM", "KILL", "INT", "KILL", "TERM", "KILL"][i];
        let code = run_and_signal(&args, took.mul_f64(*moment), signal);
        let now = snapshot(&idx);
        if code == Some(0) {
            // Finished before the signal: the whole add is there, and the later moments
            // cannot be tried.
            let named: BTreeSet<&String> = now.keys().filter(|n| !n.starts_with('.')).collect();
            assert_eq!(named, after_copy.keys().collect::<BTreeSet<_>>());
            break;
        }
        interrupted += 1;
        // The manifest and segments are exactly as before (a killed run may leave an unnamed
        // segment or a temporary file, removed by the next writer; a caught signal leaves none).
        let leftovers: Vec<&String> = now.keys().filter(|n| !before.contains_key(*n)).collect();
        if signal != "KILL" {
            assert!(leftovers.is_empty(), "{signal} at {moment}: left {leftovers:?}");
        }
        for (name, digest) in &before {
            assert_eq!(now.get(name), Some(digest), "{signal} at {moment}: {name} changed");
        }
        assert_eq!(stats(&idx)["documents"], 700);
    }
    assert!(interrupted >= 3, "only {interrupted} runs were interrupted before finishing");
    if stats(&idx)["documents"] == 1200 {
        return;
    }
    // The next add goes through and cleans up after the killed ones.
    index(&["add".as_ref(), idx.as_os_str(), parts[1].as_os_str(), "-o".as_ref(), out.as_os_str()]).success();
    assert_eq!(stats(&idx)["documents"], 1200);
    let names: BTreeSet<String> = snapshot(&idx).into_keys().collect();
    assert_eq!(names, after_copy.into_keys().collect::<BTreeSet<_>>());
    assert_eq!(facts(&out), facts(&tmp.path().join("ref")));
}

#[test]
fn expire_removes_old_articles_and_the_rest_still_matches_a_scan() {
    let tmp = tempdir();
    let dump = generate(tmp.path(), 800, 13);
    let parts = split(&dump, &[600, 200], tmp.path());
    let idx = tmp.path().join("idx");
    index(&["create".as_ref(), idx.as_os_str(), parts[0].as_os_str()]).success();
    let bytes_before = stats(&idx)["bytes_on_disk"].as_u64().unwrap();
    // Articles dated before 2024-07-01 go.
    let cutoff = "2024-07-01T00:00:00Z";
    let cut = reprint::input::parse_date(cutoff).unwrap();
    let old_rows = read_jsonl(&parts[0]);
    let (gone, kept): (Vec<&Value>, Vec<&Value>) =
        old_rows.iter().partition(|r| r["date"].as_str().and_then(reprint::input::parse_date).is_some_and(|t| t < cut));
    assert!(!gone.is_empty() && !kept.is_empty());
    reprint()
        .args(["index", "expire", "-q", "--older-than", "30d", "--as-of", "2024-07-31T00:00:00Z"])
        .arg(&idx)
        .assert()
        .success();
    let s = stats(&idx);
    assert_eq!(s["documents"].as_u64().unwrap() as usize, kept.len());
    assert!(s["bytes_on_disk"].as_u64().unwrap() < bytes_before);
    // What is left behaves as a scan of the kept articles followed by the new ones.
    let kept_file = tmp.path().join("kept.jsonl");
    write_jsonl(&kept_file, &kept.into_iter().cloned().collect::<Vec<_>>());
    let (out, full) = (tmp.path().join("out"), tmp.path().join("full"));
    index(&["add".as_ref(), idx.as_os_str(), parts[1].as_os_str(), "-o".as_ref(), out.as_os_str()]).success();
    scan(&[&kept_file, &parts[1]], &full);
    assert_same_as_full_scan(&out, &full);
    let gone_ids: BTreeSet<&str> = gone.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for c in clusters(&out) {
        for m in c["members"].as_array().unwrap() {
            assert!(!gone_ids.contains(m.as_str().unwrap()), "expired {m} still matched");
        }
    }
}

/// The fixture index in `tests/fixtures/index-v1` was written by `reprint index create` of the
/// current format version (see tests/fixtures/README.md). It must keep opening, and give the
/// answers a freshly built index gives.
#[test]
fn the_checked_in_fixture_index_opens_and_answers_like_a_fresh_one() {
    let fixture = repo_root().join("tests/fixtures/index-v1");
    let manifest = reprint::jobs::index::format::Manifest::read(&fixture).unwrap();
    assert_eq!(manifest.version, reprint::jobs::index::format::FORMAT_VERSION, "the format changed: keep this fixture, add one of the new version, and keep reading both (or migrate)");
    let tmp = tempdir();
    // A copy: opening takes a lock file, and nothing may change the checked-in files.
    let idx = tmp.path().join("fixture");
    std::fs::create_dir(&idx).unwrap();
    for e in std::fs::read_dir(&fixture).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), idx.join(e.file_name())).unwrap();
    }
    let source = repo_root().join("tests/fixtures/index-v1.source.jsonl");
    let fresh = tmp.path().join("fresh");
    index(&["create".as_ref(), fresh.as_os_str(), source.as_os_str()]).success();
    let (a, b) = (stats(&idx), stats(&fresh));
    for key in ["documents", "clusters", "documents_in_clusters", "outlets", "date_span", "params"] {
        assert_eq!(a[key], b[key], "{key}");
    }
    let new = repo_root().join("tests/fixtures/index-v1.query.jsonl");
    let (qa, qb) = (tmp.path().join("qa"), tmp.path().join("qb"));
    index(&["query".as_ref(), idx.as_os_str(), new.as_os_str(), "-o".as_ref(), qa.as_os_str()]).success();
    index(&["query".as_ref(), fresh.as_os_str(), new.as_os_str(), "-o".as_ref(), qb.as_os_str()]).success();
    let found = facts(&qa);
    assert_eq!(found, facts(&qb));
    let new_ids: BTreeSet<&String> = found.keys().collect();
    assert!(found.values().any(|f| f.6.as_ref().is_some_and(|m| m.iter().any(|x| !new_ids.contains(x)))), "nothing matched the fixture");
    assert_eq!(std::fs::read(qa.join("clusters.jsonl")).unwrap(), std::fs::read(qb.join("clusters.jsonl")).unwrap());
}

#[test]
fn expire_keeps_cluster_ids_a_removed_segment_recorded_for_older_articles() {
    // Segment 1: A. Segment 2: D, an old copy of A (it records A's cluster id). Segment 3: E,
    // another copy of A, joins that cluster (A's id is unchanged, so not recorded again).
    // Expiring D removes segment 2; A must keep its cluster with E.
    let tmp = tempdir();
    let text = &reuters_sample_texts()[0];
    let edited = |w: &str| text.replacen(' ', &format!(" {w} "), 1);
    let parts = [
        serde_json::json!({"id": "a", "date": "2024-07-20", "text": text}),
        serde_json::json!({"id": "d", "date": "2024-01-05", "text": edited("old")}),
        serde_json::json!({"id": "e", "date": "2024-07-25", "text": edited("new")}),
    ];
    let idx = tmp.path().join("idx");
    index(&["create".as_ref(), idx.as_os_str()]).success();
    for (i, p) in parts.iter().enumerate() {
        let file = tmp.path().join(format!("p{i}.jsonl"));
        write_jsonl(&file, std::slice::from_ref(p));
        index(&["add".as_ref(), idx.as_os_str(), file.as_os_str(), "-o".as_ref(), tmp.path().join(format!("o{i}")).as_os_str()]).success();
    }
    let s = stats(&idx);
    assert_eq!((s["clusters"].as_u64(), s["documents_in_clusters"].as_u64()), (Some(1), Some(3)));
    reprint().args(["index", "expire", "-q", "--older-than", "30d", "--as-of", "2024-07-31"]).arg(&idx).assert().success();
    let s = stats(&idx);
    assert_eq!(s["documents"], 2);
    assert_eq!((s["clusters"].as_u64(), s["documents_in_clusters"].as_u64()), (Some(1), Some(2)), "{s}");
}
