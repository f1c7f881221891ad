//! Property tests of the whole pipeline over randomly generated dumps.
//!
//! Each property draws the generator's seed and shape (size, article length, copy share,
//! edit rate, syndication mix) and the scan's parameters from proptest, runs the real
//! pipeline, and checks a rule the pipeline promises for every input: verified edges obey
//! the exact rules of their kind, clusters do not depend on input order or thread count,
//! every input line is accounted for once, and MinHash is exact where mathematics says it
//! must be. Case counts are small (the scans run in debug builds in CI); the generator seed
//! is part of every failing case proptest reports, so a failure replays exactly.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use proptest::prelude::*;
use proptest::sample::Index;
use reprint::config::{InputSpec, ScanConfig};
use reprint::sketch::lsh::ANCHOR_WINDOW;
use reprint::sketch::minhash::{estimate_jaccard, mix, MinHasher, SplitMix64, MINHASH_SEED};
use reprint::engine::progress::NoProgress;
use reprint::matching::reuse::PARTIAL_REUSE;
use reprint::text::shingle::shingle_set;
use reprint::bench::synth::{generate, write_dump, GenDoc, GenParams};
use reprint::matching::verify::{intersection_size, measure, EdgeKind, MIN_CONTAINED_WORDS, MIN_PARTIAL_WORDS};
use reprint::ScanResult;
use serde_json::{json, Value};

use crate::util::*;

/// Generator parameters for a small dump: 40-200 articles of 60-250 words on average, with
/// every kind of copy the generator makes (edited and truncated copies; with the syndication
/// mix also excerpts embedded in local text, reordered copies and page furniture).
fn small_dump() -> impl Strategy<Value = GenParams> {
    (any::<u64>(), 40usize..=200, 60usize..=250, 0.2f64..0.8, 0.0f64..0.3, 0.0f64..0.5, any::<bool>()).prop_map(
        |(seed, docs, mean_words, copy_fraction, max_edit_rate, truncate_fraction, syndication)| GenParams {
            docs,
            copy_fraction,
            max_edit_rate,
            truncate_fraction,
            mean_words,
            seed,
            syndication,
            notices: false,
        },
    )
}

/// Writes `docs` as a dump in `dir` and returns its path.
fn dump_of(dir: &Path, name: &str, docs: &[GenDoc]) -> std::path::PathBuf {
    let path = dir.join(name);
    write_dump(docs, &path, None).unwrap();
    path
}

/// Scans one dump with `config`'s parameters.
fn scan_one(dump: &Path, config: &ScanConfig) -> ScanResult {
    let config = ScanConfig { inputs: vec![InputSpec::Path(dump.to_path_buf())], ..config.clone() };
    reprint::scan(&config, &NoProgress).unwrap()
}

/// The clusters of a result as sets of document ids, after checking that `clusters` and
/// `cluster_of` describe the same partition.
fn cluster_id_sets(r: &ScanResult) -> BTreeSet<BTreeSet<String>> {
    let mut listed = vec![None; r.docs.len()];
    for c in &r.clusters {
        assert!(c.members.len() >= 2, "cluster {} has {} member(s)", c.id, c.members.len());
        for &m in &c.members {
            assert!(listed[m as usize].replace(c.id).is_none(), "document {m} is in two clusters");
        }
    }
    assert_eq!(listed, r.cluster_of, "clusters and cluster_of disagree");
    r.clusters.iter().map(|c| c.members.iter().map(|&m| r.docs[m as usize].id.clone()).collect()).collect()
}

/// Per document id, the ids of its cluster (empty when unclustered).
fn cluster_of_ids(r: &ScanResult) -> BTreeMap<String, BTreeSet<String>> {
    r.docs
        .iter()
        .zip(&r.cluster_of)
        .map(|(d, c)| {
            let members = c.map_or_else(BTreeSet::new, |c| {
                r.clusters[c as usize].members.iter().map(|&m| r.docs[m as usize].id.clone()).collect()
            });
            (d.id.clone(), members)
        })
        .collect()
}

/// An edge named by document ids, with every measured field (floats as bits, so equality
/// is exact).
type IdEdge = (String, String, EdgeKind, u64, u64, u64, u32, u32);

fn edges_by_id(r: &ScanResult) -> Vec<IdEdge> {
    r.edges
        .iter()
        .map(|e| {
            (
                r.docs[e.a as usize].id.clone(),
                r.docs[e.b as usize].id.clone(),
                e.kind,
                e.jaccard.to_bits(),
                e.containment_ab.to_bits(),
                e.containment_ba.to_bits(),
                e.a_words,
                e.b_words,
            )
        })
        .collect()
}

/// Each cluster's origin document id and the reason it was chosen, in cluster order.
fn origins_by_id(r: &ScanResult) -> Vec<(String, &'static str)> {
    r.origins.iter().map(|&(o, why)| (r.docs[o as usize].id.clone(), why)).collect()
}

/// A Fisher-Yates permutation of `0..n` driven by SplitMix64 from `seed`.
fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(seed);
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        p.swap(i, j);
    }
    p
}

proptest! {
    // Few shrink steps: each is a scan or more, and a smaller seed is no simpler a dump.
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 16, ..ProptestConfig::default() })]

    /// Verification is exact, so LSH's approximations can cost recall but never soundness:
    /// every reported edge carries the exact Jaccard and containments of its two shingle
    /// sets (recomputed here by brute force from `shingle_set` over the same texts; furniture
    /// detection is off so the scan shingles the whole text, as `shingle_set` does), and its
    /// kind obeys exactly the rules of `verify::classify` and `cluster::demote_roundups`:
    ///
    /// - `near_duplicate` if and only if the exact Jaccard is at least the threshold;
    /// - any other edge shares at least `ANCHOR_WINDOW` shingles (what `verify` keeps below
    ///   the threshold);
    /// - `contained`: the larger containment reaches `--containment` and the shared passages
    ///   cover at least `MIN_CONTAINED_WORDS` words on one side;
    /// - `partial`: passages cover at least `MIN_PARTIAL_WORDS` words and `PARTIAL_REUSE` of
    ///   one side's body, or it is a containment edge demoted for a roundup (so the
    ///   containment rule holds);
    /// - `passage`: passages cover some words of `a`, and neither rule above holds.
    ///
    /// Passage words never exceed a side's body words. Threshold (0.3-0.9), containment
    /// (0.5-1.0) and shingle width (3-6) are drawn too.
    #[test]
    fn every_edge_obeys_its_kinds_exact_rule(
        params in small_dump(),
        threshold in 0.3f64..=0.9,
        containment in 0.5f64..=1.0,
        shingle in 3usize..=6,
    ) {
        let docs = generate(&params, None);
        let dir = tempdir();
        let dump = dump_of(dir.path(), "dump.jsonl", &docs);
        let config = ScanConfig { threshold, containment, shingle, furniture: false, ..ScanConfig::default() };
        let r = scan_one(&dump, &config);
        prop_assert_eq!(r.docs.len(), docs.len());
        let sets: Vec<_> = docs.iter().map(|d| shingle_set(&d.text, shingle).expect("generated text has words")).collect();
        let mut seen = BTreeSet::new();
        for e in &r.edges {
            let (a, b) = (e.a as usize, e.b as usize);
            prop_assert!(a < b && b < docs.len(), "edge {}-{} out of order or range", a, b);
            prop_assert!(seen.insert((a, b)), "edge {}-{} reported twice", a, b);
            let (sa, sb) = (&sets[a].hashes, &sets[b].hashes);
            let exact = measure(e.a, e.b, sa, sb);
            prop_assert!((exact.jaccard - e.jaccard).abs() < 1e-12, "{:?} vs exact {:?}", e, exact);
            prop_assert!((exact.containment_ab - e.containment_ab).abs() < 1e-12, "{:?} vs exact {:?}", e, exact);
            prop_assert!((exact.containment_ba - e.containment_ba).abs() < 1e-12, "{:?} vs exact {:?}", e, exact);
            prop_assert!(e.a_words <= sets[a].words && e.b_words <= sets[b].words, "{:?}: more words than the bodies", e);

            let near = exact.jaccard >= threshold;
            prop_assert_eq!(e.kind == EdgeKind::NearDuplicate, near,
                "{:?}: exact Jaccard {} against threshold {}", e, exact.jaccard, threshold);
            if !near {
                prop_assert!(intersection_size(sa, sb) >= ANCHOR_WINDOW, "{:?}: too few shared shingles to be kept", e);
            }
            let contained_rule = exact.containment_ab.max(exact.containment_ba) >= containment
                && e.a_words.max(e.b_words) >= MIN_CONTAINED_WORDS;
            let share = |w: u32, body: u32| if body == 0 { 0.0 } else { w as f64 / body as f64 };
            let partial_rule = e.a_words.max(e.b_words) >= MIN_PARTIAL_WORDS
                && share(e.a_words, sets[a].words).max(share(e.b_words, sets[b].words)) >= PARTIAL_REUSE;
            match e.kind {
                EdgeKind::NearDuplicate => {}
                EdgeKind::Contained => prop_assert!(contained_rule, "{:?}: containment edge below --containment {}", e, containment),
                EdgeKind::Partial => prop_assert!(partial_rule || contained_rule, "{:?}: partial edge without the coverage", e),
                EdgeKind::Passage => {
                    prop_assert!(e.a_words > 0, "{:?}: passage edge without passage words", e);
                    prop_assert!(!contained_rule && !partial_rule, "{:?}: passage edge that qualifies for more", e);
                }
            }
        }
    }
}

proptest! {
    // Two scans a case, about 0.07 s: more cases than the blocks around, as an input-order
    // dependence shows in few dumps (the failure kept in properties.proptest-regressions
    // came after 180 passing cases); same cap on shrinking.
    #![proptest_config(ProptestConfig { cases: 48, max_shrink_iters: 16, ..ProptestConfig::default() })]

    /// Clusters are a function of the documents, not of where they stand in the dump: the
    /// same generated articles written in a random order (proptest draws the permutation's
    /// seed) give the same clusters, compared as sets of sets of ids. Default scan settings
    /// (furniture detection on), so the furniture pass is covered too.
    #[test]
    fn clusters_do_not_depend_on_input_order(params in small_dump(), perm_seed in any::<u64>()) {
        let docs = generate(&params, None);
        let perm = permutation(docs.len(), perm_seed);
        let shuffled: Vec<GenDoc> = perm.iter().map(|&i| docs[i].clone()).collect();
        let dir = tempdir();
        let config = ScanConfig::default();
        let first = scan_one(&dump_of(dir.path(), "dump.jsonl", &docs), &config);
        let second = scan_one(&dump_of(dir.path(), "shuffled.jsonl", &shuffled), &config);
        let ids: Vec<&str> = second.docs.iter().map(|d| d.id.as_str()).collect();
        let want: Vec<&str> = shuffled.iter().map(|d| d.id.as_str()).collect();
        prop_assert_eq!(ids, want, "documents are numbered in input order");
        prop_assert_eq!(cluster_id_sets(&first), cluster_id_sets(&second));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, max_shrink_iters: 16, ..ProptestConfig::default() })]

    /// Every parallel stage writes into slots fixed by document number, so the thread count
    /// changes nothing: scans in rayon pools of 1, 2 and 3 threads give identical clusters,
    /// cluster assignments, edges (every field), cluster origins and stories, all compared
    /// by document id.
    #[test]
    fn results_do_not_depend_on_thread_count(params in small_dump(), threshold in 0.3f64..=0.9) {
        let docs = generate(&params, None);
        let dir = tempdir();
        let dump = dump_of(dir.path(), "dump.jsonl", &docs);
        let config = ScanConfig { threshold, ..ScanConfig::default() };
        let runs: Vec<ScanResult> = [1, 2, 3]
            .iter()
            .map(|&n| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
                let r = pool.install(|| scan_one(&dump, &config));
                assert_eq!(r.run.threads, n, "the scan ran in the pool it was given");
                r
            })
            .collect();
        for r in &runs[1..] {
            prop_assert_eq!(cluster_id_sets(&runs[0]), cluster_id_sets(r), "{} threads", r.run.threads);
            prop_assert_eq!(cluster_of_ids(&runs[0]), cluster_of_ids(r), "{} threads", r.run.threads);
            prop_assert_eq!(&runs[0].cluster_of, &r.cluster_of, "{} threads", r.run.threads);
            prop_assert_eq!(edges_by_id(&runs[0]), edges_by_id(r), "{} threads", r.run.threads);
            prop_assert_eq!(origins_by_id(&runs[0]), origins_by_id(r), "{} threads", r.run.threads);
            prop_assert_eq!(&runs[0].story_of, &r.story_of, "{} threads", r.run.threads);
        }
    }
}

/// The smallest case found of `clusters_do_not_depend_on_input_order` failing: an original,
/// an exact copy of it dated later, and an excerpt (60 of the original's words under 150 of
/// its own) dated between them. Input order decides which of the two identical texts stands
/// for their group in candidate search, so the excerpt's partial edge goes to the first one
/// in the input; and a partial edge attaches its later document (by date) to its earlier one.
/// With the original first, the excerpt is later than it and joins the cluster; with the
/// copy first, the excerpt is *earlier* than the copy, and the copy, already clustered, takes
/// no attachment: the excerpt stays out. The clusters must be the same either way.
#[test]
fn clusters_do_not_depend_on_which_identical_copy_comes_first() {
    let texts = reuters_sample_texts();
    let long: Vec<&String> = texts.iter().filter(|t| t.split_whitespace().count() > 250).collect();
    let original = long[0].clone();
    let own: Vec<&str> = long[1].split_whitespace().take(150).collect();
    let quoted: Vec<&str> = original.split_whitespace().skip(20).take(60).collect();
    let excerpt = format!("{}\n\n{}", own.join(" "), quoted.join(" "));
    let o = json!({"id": "original", "date": "2024-01-01", "text": original});
    let e = json!({"id": "excerpt", "date": "2024-01-02", "text": excerpt});
    let c = json!({"id": "copy", "date": "2024-01-03", "text": original});
    let dir = tempdir();
    let scan_lines = |name: &str, lines: &[Value]| {
        let path = dir.path().join(name);
        write_jsonl(&path, lines);
        let r = scan_one(&path, &ScanConfig::default());
        let kinds: Vec<EdgeKind> = r.edges.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [EdgeKind::NearDuplicate, EdgeKind::Partial], "the case needs one copy and one excerpt edge");
        cluster_id_sets(&r)
    };
    let original_first = scan_lines("a.jsonl", &[o.clone(), c.clone(), e.clone()]);
    let copy_first = scan_lines("b.jsonl", &[c, o, e]);
    assert_eq!(original_first, copy_first);
}

/// A line mixed into a dump of good articles, and what the scan must make of it.
#[derive(Debug, Clone)]
enum Extra {
    /// Good article number `n` of the generated ones, under its own id.
    Good(usize),
    /// An empty or whitespace-only line: no document at all.
    Blank(&'static str),
    /// A line the scan lists as skipped with this reason code; `id` is the id it gives, if
    /// the line is an object with one.
    Bad { line: Vec<u8>, code: &'static str, id: Option<String> },
    /// A good article reusing the id of good article `of` (renamed, not skipped).
    DuplicateId { of: usize },
}

/// The bad lines (and blank ones) a scraped dump really contains. `variant` picks a
/// variation, `cut` where a truncated line stops, `id` the id the line names, if any (the
/// caller sometimes reuses a good article's id, so renaming covers skipped lines too).
fn extra_line(kind: usize, variant: usize, cut: Index, id: Option<String>) -> Extra {
    let with_id = |mut v: Value| {
        if let Some(id) = &id {
            v["id"] = json!(id);
        }
        serde_json::to_vec(&v).unwrap()
    };
    let bad = |line: Vec<u8>, code, id: Option<String>| Extra::Bad { line, code, id };
    match kind {
        0 => Extra::Blank(["", " ", "\t  \t", "\r"][variant % 4]),
        1 => {
            // A record cut short: any strict prefix of an object is not JSON.
            let full =
                serde_json::to_string(&json!({"id": "cut", "title": "Cut off", "text": "words that stop somewhere"}))
                    .unwrap();
            let end = 1 + cut.index(full.len() - 1);
            bad(full.as_bytes()[..end].to_vec(), "malformed_json", None)
        }
        2 => bad(with_id(json!({"title": "A headline and nothing else"})), "missing_text", id),
        3 => bad(with_id(json!({"text": null, "title": "A null text"})), "missing_text", id),
        4 => {
            let text = ["", " ", "\n\t  \n"][variant % 3];
            bad(with_id(json!({ "text": text })), "empty_text", id)
        }
        5 => {
            let v = [json!(42), json!(["a", "list"]), json!({"an": "object"}), json!(true)][variant % 4].clone();
            bad(with_id(json!({"text": v})), "text_not_string", id)
        }
        6 => bad(["[1, 2]", "\"a string\"", "42", "null"][variant % 4].as_bytes().to_vec(), "not_an_object", None),
        7 => bad(with_id(json!({"text": "!!! ... ??? -- ***"})), "no_words", id),
        8 => {
            let mut line = with_id(json!({"text": "caf\u{e9} au lait"}));
            let at = line.iter().position(|&b| b == 0xc3).unwrap();
            line.splice(at..at + 2, [0xe9]); // Latin-1, not UTF-8
                                             // A line that is not UTF-8 is not parsed: its id is the `FILE:LINE` fallback.
            bad(line, "invalid_utf8", None)
        }
        _ => Extra::DuplicateId { of: variant },
    }
}

/// Kinds of extra line (see [`extra_line`]).
const EXTRA_KINDS: usize = 10;

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 64, ..ProptestConfig::default() })]

    /// Nothing in the input vanishes and nothing is counted twice: good articles with bad
    /// lines (cut-off JSON, missing, null, empty, non-string and wordless texts, non-objects,
    /// invalid UTF-8), blank lines and repeated ids mixed in at random places, with random
    /// `\n` or `\r\n` endings and with or without a final newline, give `documents.jsonl`
    /// exactly one line per non-blank input line, in input order (its `input` is that line's
    /// `FILE:LINE`), with unique ids: the given id where it is the first of its kind, the
    /// `FILE:LINE` fallback where there is none, `ID@FILE:LINE` for a repeat. Bad lines carry
    /// the `skipped` reason of their kind and good ones none; the exit code is 3 exactly when
    /// something was skipped (repeated ids are renamed, not skipped), and `run.json` counts
    /// agree.
    #[test]
    fn every_input_line_is_accounted_for_once(
        seed in any::<u64>(),
        good in 0usize..30,
        extras in prop::collection::vec((0..EXTRA_KINDS, 0usize..1000, any::<Index>(), any::<Index>(), 0u8..3), 0..14),
        crlf in any::<Index>(),
        final_newline in any::<bool>(),
    ) {
        let articles = generate(&GenParams { docs: good.max(1), mean_words: 40, seed, ..GenParams::default() }, None);
        let articles = &articles[..good];
        // Lines as (bytes, expectation), good articles first, then extras inserted.
        let mut lines: Vec<(Vec<u8>, Extra)> = articles
            .iter()
            .enumerate()
            .map(|(i, a)| (serde_json::to_vec(&json!({"id": a.id, "title": a.title, "text": a.text})).unwrap(), Extra::Good(i)))
            .collect();
        for (kind, variant, cut, at, id_mode) in extras {
            let id = match id_mode {
                0 => None,
                1 => Some(format!("extra-{variant}")),
                _ if good > 0 => Some(articles[variant % good].id.clone()),
                _ => None,
            };
            let extra = match extra_line(kind, variant, cut, id) {
                Extra::DuplicateId { .. } if good == 0 => Extra::Blank(""),
                Extra::DuplicateId { of } => Extra::DuplicateId { of: of % good },
                e => e,
            };
            let bytes = match &extra {
                Extra::Good(_) => unreachable!("extra lines are not generated articles"),
                Extra::Blank(s) => s.as_bytes().to_vec(),
                Extra::Bad { line, .. } => line.clone(),
                Extra::DuplicateId { of } => {
                    let a = &articles[*of];
                    serde_json::to_vec(&json!({"id": a.id, "text": format!("Another article under a used id. {}", a.title)})).unwrap()
                }
            };
            lines.insert(at.index(lines.len() + 1), (bytes, extra));
        }
        let non_blank = lines.iter().filter(|(_, e)| !matches!(e, Extra::Blank(_))).count();
        prop_assume!(non_blank > 0);
        // Line endings: `\r\n` from a random line on, `\n` before it.
        let crlf_from = crlf.index(lines.len() + 1);
        let mut data = Vec::new();
        for (i, (bytes, _)) in lines.iter().enumerate() {
            data.extend_from_slice(bytes);
            if i + 1 < lines.len() || final_newline {
                data.extend_from_slice(if i >= crlf_from { b"\r\n" } else { b"\n" });
            }
        }
        let dir = tempdir();
        let path = dir.path().join("mixed.jsonl");
        std::fs::write(&path, &data).unwrap();
        let file = path.to_str().unwrap().to_string();
        let out = dir.path().join("out");
        let output = reprint().args(["scan", "-q", "-o"]).arg(&out).arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        prop_assert!(!stderr.contains("panicked"), "{}", stderr);

        let docs = documents(&out);
        prop_assert_eq!(docs.len(), non_blank, "one documents.jsonl line per non-blank input line");
        let mut expected_skips = 0;
        let mut first_seen: BTreeSet<String> = BTreeSet::new();
        let mut ids: BTreeSet<String> = BTreeSet::new();
        let mut d = docs.iter();
        for (n, (_, extra)) in lines.iter().enumerate() {
            if matches!(extra, Extra::Blank(_)) {
                continue;
            }
            let doc = d.next().unwrap();
            let at = format!("{file}:{}", n + 1);
            prop_assert_eq!(doc["input"].as_str(), Some(at.as_str()), "{}", doc);
            let (given, code) = match extra {
                Extra::Blank(_) => unreachable!(),
                Extra::Bad { code, id, .. } => (id.clone(), Some(*code)),
                Extra::Good(i) => (Some(articles[*i].id.clone()), None),
                Extra::DuplicateId { of } => (Some(articles[*of].id.clone()), None),
            };
            match code {
                Some(code) => {
                    expected_skips += 1;
                    let reason = doc["skipped"].as_str().unwrap_or_else(|| panic!("{at} not skipped: {doc}"));
                    prop_assert_eq!(reason.split(':').next(), Some(code), "{}", doc);
                }
                None => prop_assert_eq!(&doc["skipped"], &Value::Null, "{}", doc),
            }
            let id = doc["id"].as_str().unwrap().to_string();
            match given {
                None => prop_assert_eq!(&id, &at),
                Some(g) if first_seen.insert(g.clone()) => prop_assert_eq!(&id, &g),
                Some(g) => prop_assert!(id.starts_with(&format!("{g}@{at}")), "repeat of {} at {} named {}", g, at, id),
            }
            prop_assert!(ids.insert(id.clone()), "id {} is not unique", id);
        }
        let code = output.status.code().expect("exited, not killed");
        prop_assert_eq!(code, if expected_skips > 0 { 3 } else { 0 }, "{} skipped; stderr: {}", expected_skips, stderr);
        let counts = &run_json(&out)["counts"];
        prop_assert_eq!(counts["documents"].as_u64(), Some(non_blank as u64));
        prop_assert_eq!(counts["skipped"].as_u64(), Some(expected_skips as u64));
    }
}

/// The distinct low 32 bits of the MinHash hashes of `set`: the only values its signature
/// can hold (each position keeps the low bits of some member's hash).
fn sig_values(set: &[u64]) -> BTreeSet<u32> {
    set.iter().map(|&x| mix(x ^ MINHASH_SEED) as u32).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The same set gives the same signature whatever the order its fingerprints come in and
    /// however often they repeat (each bin keeps a minimum, and densification depends only on
    /// which bins are filled), so the estimate for identical sets is exactly 1.0: the one
    /// Jaccard value MinHash must get right with no error at all.
    #[test]
    fn minhash_of_identical_sets_is_exactly_one(
        set in prop::collection::btree_set(any::<u64>(), 1..600),
        perms in 1usize..=512,
        shuffle_seed in any::<u64>(),
        repeat in 0usize..50,
    ) {
        let sorted: Vec<u64> = set.into_iter().collect();
        let mut other: Vec<u64> = permutation(sorted.len(), shuffle_seed).into_iter().map(|i| sorted[i]).collect();
        let extra: Vec<u64> = other.iter().take(repeat).copied().collect();
        other.extend(extra);
        let h = MinHasher::new(perms);
        let (a, b) = (h.signature(&sorted), h.signature(&other));
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(estimate_jaccard(&a, &b), 1.0);
    }

    /// Disjoint sets can still agree at a position: a signature value is only the low 32 bits
    /// of a 64-bit hash, and two different shingles' hashes can share them (probability about
    /// 2^-32 per pair of values). What is guaranteed is exactly this: every signature value is
    /// the low 32 bits of one of the set's own hashes (so any agreement between two disjoint
    /// sets is such a collision), and when no hash of one set shares its low 32 bits with a
    /// hash of the other, the estimate is exactly 0.0. Both are asserted, the second for every
    /// case where the low bits do not collide (all of them, in practice); the size ranges make
    /// one set often far smaller than the bins, so densification is exercised hard.
    #[test]
    fn minhash_of_disjoint_sets_is_zero_unless_low_bits_collide(
        a in prop::collection::btree_set(any::<u64>(), 1..600),
        b in prop::collection::btree_set(any::<u64>(), 1..600),
        perms in 1usize..=512,
    ) {
        let a: Vec<u64> = a.into_iter().collect();
        let b: Vec<u64> = b.into_iter().filter(|x| a.binary_search(x).is_err()).collect();
        prop_assume!(!b.is_empty());
        let h = MinHasher::new(perms);
        let (sa, sb) = (h.signature(&a), h.signature(&b));
        let (va, vb) = (sig_values(&a), sig_values(&b));
        prop_assert!(sa.iter().all(|v| va.contains(v)), "a signature value that is no member's hash");
        prop_assert!(sb.iter().all(|v| vb.contains(v)), "a signature value that is no member's hash");
        if va.is_disjoint(&vb) {
            prop_assert_eq!(estimate_jaccard(&sa, &sb), 0.0);
        }
    }
}
