//! `reprint sign` and `reprint cluster` (docs/scale-out.md): signed in shards, with the
//! furniture judgement and the candidate pairs found outside (the SQL job on Spark or DuckDB,
//! or here a plain reference of the same rules), `cluster` writes what `scan` writes. Shards
//! cover every document once, tables are byte-identical whatever the thread count, and
//! incomplete, mixed or stale tables are refused with a message.
//!
//! The Spark and DuckDB runs are `#[ignore]`d (they need Java and a Python with pyspark and
//! duckdb: `.ci/run` makes one and points `REPRINT_PYTHON` at it); they fail, not skip, when
//! either is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use serde_json::Value;

use crate::util::*;

const OUTPUTS: [&str; 5] = ["documents.jsonl", "clusters.jsonl", "passages.jsonl", "outlets.jsonl", "stories.jsonl"];

/// A dump in several files of both kinds: a generated syndication dump (outlets' furniture,
/// wire copies, rewrites) in five JSONL parts, one with bad lines, and the seed articles as
/// `.txt` files with their manifest.
fn inputs(dir: &Path, docs: usize) -> PathBuf {
    let input = dir.join("in");
    fs::create_dir_all(&input).unwrap();
    let dump = generate(dir, docs, 11);
    let parts = split(&dump, &[docs / 5; 5], &input);
    let mut bad = fs::read_to_string(&parts[2]).unwrap();
    bad.push_str("{not json\n\n{\"id\": \"x1\", \"text\": 5}\n{\"id\": \"x2\", \"text\": \"   \"}\n");
    fs::write(&parts[2], bad).unwrap();
    let seeds = input.join("seeds");
    fs::create_dir_all(&seeds).unwrap();
    for e in fs::read_dir(repo_root().join("corpus/seeds")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), seeds.join(e.file_name())).unwrap();
    }
    fs::remove_file(&dump).unwrap();
    input
}

fn sign_all(input: &Path, sig: &Path, shards: u32, lines: bool, extra: &[&str]) {
    sign_batch(input, sig, 0, shards, lines, extra);
}

fn sign_batch(input: &Path, sig: &Path, batch: u32, shards: u32, lines: bool, extra: &[&str]) {
    for i in 1..=shards {
        let mut cmd = reprint();
        cmd.args(["sign", "-q", "--batch", &batch.to_string(), "--shard", &format!("{i}/{shards}")]);
        if lines {
            cmd.arg("--lines");
        }
        cmd.args(extra).arg(input).arg("-o").arg(sig).assert().success();
    }
}

/// [`inputs`] as two batches: the first three parts and the seeds, then the last two parts.
fn batch_inputs(dir: &Path, docs: usize) -> (PathBuf, PathBuf) {
    let first = inputs(dir, docs);
    let second = dir.join("in1");
    fs::create_dir_all(&second).unwrap();
    for part in ["part4.jsonl", "part5.jsonl"] {
        fs::rename(first.join(part), second.join(part)).unwrap();
    }
    (first, second)
}

fn scan_two(first: &Path, second: &Path, out: &Path) {
    let code = reprint().args(["scan", "-q"]).arg(first).arg(second).arg("-o").arg(out).output().unwrap().status.code();
    assert!(matches!(code, Some(0 | 3)), "scan failed: {code:?}");
}

fn scan(input: &Path, out: &Path, extra: &[&str]) {
    let code = reprint().args(["scan", "-q"]).args(extra).arg(input).arg("-o").arg(out).output().unwrap().status.code();
    assert!(matches!(code, Some(0 | 3)), "scan failed: {code:?}");
}

fn cluster(sig: &Path, edges: &Path, out: &Path) {
    let o = reprint().args(["cluster", "-q", "--sigs"]).arg(sig).arg("--edges").arg(edges).arg("-o").arg(out).output().unwrap();
    assert!(matches!(o.status.code(), Some(0 | 3)), "cluster failed: {}", String::from_utf8_lossy(&o.stderr));
}

/// Every output file byte for byte, and run.json but for the timings, the command and how
/// memory was used (`cluster` reads its texts through the inputs, having no record of where
/// each line starts; a scan reads a plain file's records where they are).
fn assert_same_outputs(scan: &Path, cluster: &Path) {
    for f in OUTPUTS {
        let (a, b) = (fs::read(scan.join(f)).unwrap(), fs::read(cluster.join(f)).unwrap());
        assert!(a == b, "{f} differs between scan and sign + cluster");
    }
    let strip = |mut v: Value| {
        let o = v.as_object_mut().unwrap();
        o.remove("seconds");
        assert!(o.remove("memory").is_some());
        assert!(o.remove("command").is_some());
        v
    };
    assert_eq!(strip(run_json(scan)), strip(run_json(cluster)));
}

// ---- a plain reference of the SQL job's rules (spark/reprint_edges.py), from the module docs
// of src/text/furniture.rs and src/sketch/lsh.rs ----

fn batches(dir: &Path) -> Vec<RecordBatch> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "parquet")).collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| ParquetRecordBatchReaderBuilder::try_new(fs::File::open(f).unwrap()).unwrap().build().unwrap().map(Result::unwrap))
        .collect()
}

fn ints(b: &RecordBatch, name: &str) -> Vec<Option<i64>> {
    let c = b.column_by_name(name).unwrap_or_else(|| panic!("no column {name}"));
    match c.as_any().downcast_ref::<Int64Array>() {
        Some(a) => a.iter().collect(),
        None => c.as_any().downcast_ref::<Int32Array>().unwrap().iter().map(|v| v.map(i64::from)).collect(),
    }
}

fn texts(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    b.column_by_name(name).unwrap().as_any().downcast_ref::<StringArray>().unwrap().iter().map(|v| v.map(String::from)).collect()
}

fn write(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let schema = Schema::new(columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect::<Vec<_>>());
    let batch = RecordBatch::try_new(Arc::new(schema), columns.into_iter().map(|c| c.1).collect()).unwrap();
    let mut w = ArrowWriter::try_new(fs::File::create(path).unwrap(), batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

/// Dates' spread: documents, dated ones, first and last day.
fn spread(days: &[Option<i64>]) -> (usize, usize, i64, i64) {
    let dated: Vec<i64> = days.iter().flatten().copied().collect();
    (days.len(), dated.len(), dated.iter().copied().min().unwrap_or(0), dated.iter().copied().max().unwrap_or(0))
}

/// `ord`s of batches up to `batch` are below this (src/jobs/shard.rs packs the batch above bit 52).
fn limit(batch: i64) -> i64 {
    (batch + 1) << 52
}

/// The furniture rule over the `lines` of every shard of batches up to `batch`, into
/// `SIG/furniture/batch-B/`.
fn reference_furniture(sig: &Path, batch: i64) {
    let mut rows = Vec::new();
    for b in batches(&sig.join("lines")) {
        let (ord, outlet, day, key, line, words) =
            (ints(&b, "ord"), texts(&b, "outlet"), ints(&b, "day"), ints(&b, "doc_lines"), ints(&b, "line"), ints(&b, "words"));
        for r in (0..b.num_rows()).filter(|&r| ord[r].unwrap() < limit(batch)) {
            rows.push((ord[r].unwrap(), outlet[r].clone(), day[r], key[r].unwrap(), line[r].unwrap(), words[r].unwrap()));
        }
    }
    // A document whose lines are an earlier document's is counted once.
    let mut first: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &rows {
        let f = first.entry(r.3).or_insert(r.0);
        *f = (*f).min(r.0);
    }
    // Line -> (its words, outlet -> days of the documents with it).
    type Days = BTreeMap<Option<String>, Vec<Option<i64>>>;
    let mut by_line: BTreeMap<i64, (i64, Days)> = BTreeMap::new();
    for r in rows.iter().filter(|r| first[&r.3] == r.0) {
        let e = by_line.entry(r.4).or_insert((r.5, BTreeMap::new()));
        e.1.entry(r.1.clone()).or_default().push(r.2);
    }
    let (mut outlets, mut lines) = (Vec::new(), Vec::new());
    for (line, (words, per)) in by_line {
        let all: Vec<Option<i64>> = per.values().flatten().copied().collect();
        if all.len() < 3 {
            continue;
        }
        let short = words <= 10;
        let spread_out = |s: (usize, usize, i64, i64)| s.1 >= 2 && s.3 - s.2 > 7;
        let a = spread(&all);
        let cross = per.len() >= 3 && (spread_out(a) || (short && a.1 == 0 && a.0 >= 10));
        for (o, days) in &per {
            let s = spread(days);
            if cross || (s.0 >= 3 && (spread_out(s) || (short && (s.1 == 0 || s.0 >= 10)))) {
                outlets.push(o.clone());
                lines.push(line);
            }
        }
    }
    write(&sig.join(format!("furniture/batch-{batch:05}/part-0.parquet")), vec![("outlet", Arc::new(StringArray::from(outlets))), ("line", Arc::new(Int64Array::from(lines)))]);
}

/// Candidate pairs of representatives (of batches up to `batch`) sharing a band key or an
/// anchor that is neither crowded nor a template, and the counts, into `EDGES/pairs/` and
/// `EDGES/stats/`.
fn reference_edges(sig: &Path, edges: &Path, batch: i64) {
    let mut reps: BTreeMap<i64, i64> = BTreeMap::new(); // content -> first ord
    let mut day: BTreeMap<i64, Option<i64>> = BTreeMap::new();
    for b in batches(&sig.join("documents")) {
        let (ord, shingles, content, d) = (ints(&b, "ord"), ints(&b, "shingles"), ints(&b, "content"), ints(&b, "day"));
        for r in (0..b.num_rows()).filter(|&r| ord[r].unwrap() < limit(batch)) {
            day.insert(ord[r].unwrap(), d[r]);
            if shingles[r].unwrap() > 0 {
                let f = reps.entry(content[r].unwrap()).or_insert(ord[r].unwrap());
                *f = (*f).min(ord[r].unwrap());
            }
        }
    }
    let reps: BTreeSet<i64> = reps.into_values().collect();
    let groups = |table: &str, key: &[&str]| {
        let mut g: BTreeMap<Vec<i64>, Vec<i64>> = BTreeMap::new();
        for b in batches(&sig.join(table)) {
            let ord = ints(&b, "ord");
            let keys: Vec<Vec<Option<i64>>> = key.iter().map(|k| ints(&b, k)).collect();
            for r in 0..b.num_rows() {
                if reps.contains(&ord[r].unwrap()) {
                    g.entry(keys.iter().map(|k| k[r].unwrap()).collect()).or_default().push(ord[r].unwrap());
                }
            }
        }
        g
    };
    let all_pairs = |docs: &mut Vec<i64>| {
        docs.sort();
        let mut p = Vec::new();
        for i in 0..docs.len() {
            for j in i + 1..docs.len() {
                p.push((docs[i], docs[j]));
            }
        }
        p
    };
    let (mut collisions, mut largest) = (0i64, 0i64);
    let mut band_pairs = BTreeSet::new();
    // Large buckets make no pairs: their documents are listed (route, band, key, ord).
    let all = reprint::sketch::lsh::BUCKET_ALL_PAIRS;
    let mut large: Vec<(i64, i64, i64, i64)> = Vec::new();
    for (key, mut docs) in groups("bands", &["band", "key"]) {
        largest = largest.max(docs.len() as i64);
        if docs.len() > all {
            large.extend(docs.iter().map(|&o| (0, key[0], key[1], o)));
            continue;
        }
        let p = all_pairs(&mut docs);
        collisions += p.len() as i64;
        band_pairs.extend(p);
    }
    let (mut crowded, mut templates) = (0i64, 0i64);
    let mut anchor_pairs = BTreeSet::new();
    for (key, mut docs) in groups("anchors", &["anchor"]).into_iter().filter(|(_, d)| d.len() > 1) {
        let days: Vec<Option<i64>> = docs.iter().map(|o| day[o]).collect();
        let s = spread(&days);
        if docs.len() > 256 {
            crowded += 1;
        } else if docs.len() >= 10 && s.1 >= 10 && s.3 - s.2 > 7 {
            templates += 1;
        } else if docs.len() > all {
            large.extend(docs.iter().map(|&o| (1, 0, key[0], o)));
        } else {
            anchor_pairs.extend(all_pairs(&mut docs));
        }
    }
    let pairs: BTreeSet<(i64, i64)> = band_pairs.union(&anchor_pairs).copied().collect();
    write(
        &edges.join("pairs/part-0.parquet"),
        vec![
            ("a", Arc::new(Int64Array::from(pairs.iter().map(|p| p.0).collect::<Vec<_>>()))),
            ("b", Arc::new(Int64Array::from(pairs.iter().map(|p| p.1).collect::<Vec<_>>()))),
            ("band", Arc::new(BooleanArray::from(pairs.iter().map(|p| band_pairs.contains(p)).collect::<Vec<_>>()))),
            ("anchor", Arc::new(BooleanArray::from(pairs.iter().map(|p| anchor_pairs.contains(p)).collect::<Vec<_>>()))),
        ],
    );
    let column = |f: fn(&(i64, i64, i64, i64)) -> i64| Arc::new(Int64Array::from(large.iter().map(f).collect::<Vec<_>>())) as ArrayRef;
    write(
        &edges.join("large/part-0.parquet"),
        vec![("route", column(|r| r.0)), ("band", column(|r| r.1)), ("key", column(|r| r.2)), ("ord", column(|r| r.3))],
    );
    let one = |v: i64| Arc::new(Int64Array::from(vec![v])) as ArrayRef;
    write(
        &edges.join("stats/part-0.parquet"),
        vec![
            ("batch", one(batch)),
            ("band_collisions", one(collisions)),
            ("largest_bucket", one(largest)),
            ("lsh_pairs", one(band_pairs.len() as i64)),
            ("anchor_pairs", one(anchor_pairs.len() as i64)),
            ("crowded_anchors", one(crowded)),
            ("template_anchors", one(templates)),
        ],
    );
}

fn files_of(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn sign_in_shards_then_cluster_gives_the_scan_outputs() {
    let dir = tempdir();
    let input = inputs(dir.path(), 1000);
    let full = dir.path().join("scan");
    scan(&input, &full, &[]);
    for shards in [1, 3] {
        let sig = dir.path().join(format!("sig{shards}"));
        sign_all(&input, &sig, shards, true, &[]);
        reference_furniture(&sig, 0);
        sign_all(&input, &sig, shards, false, &[]);
        let edges = dir.path().join(format!("edges{shards}"));
        reference_edges(&sig, &edges, 0);
        let out = dir.path().join(format!("out{shards}"));
        cluster(&sig, &edges, &out);
        assert_same_outputs(&full, &out);
    }
    // The test is not vacuous: furniture, clusters, skipped lines and stories are all there.
    let run = run_json(&full);
    for k in ["furniture_lines", "clusters", "skipped", "stories", "anchor_pairs", "exact_duplicates"] {
        assert!(run["counts"][k].as_u64().unwrap() > 0, "{k} is 0");
    }
    // Three shards really split the work.
    let docs = |shard: u32| {
        let name = format!("documents/batch-00000-part-{shard:05}-of-00003.parquet");
        batches_of_file(&dir.path().join("sig3").join(name))
    };
    assert!((1..=3).all(|s| docs(s) > 100), "{:?}", (1..=3).map(docs).collect::<Vec<_>>());
}

fn batches_of_file(path: &Path) -> usize {
    let b = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap()).unwrap().build().unwrap();
    b.map(|b| b.unwrap().num_rows()).sum()
}

#[test]
fn shards_hold_every_document_once_and_tables_do_not_depend_on_threads() {
    let dir = tempdir();
    let input = inputs(dir.path(), 600);
    let full = dir.path().join("scan");
    scan(&input, &full, &["--no-furniture"]);
    let expected: Vec<String> = documents(&full).iter().map(|d| str_of(d, "id")).collect();
    for shards in [2, 4, 7] {
        let sig = dir.path().join(format!("sig{shards}"));
        sign_all(&input, &sig, shards, false, &["--no-furniture"]);
        let mut ids: Vec<(i64, String)> = Vec::new();
        for b in batches(&sig.join("documents")) {
            ids.extend(ints(&b, "ord").into_iter().map(Option::unwrap).zip(texts(&b, "id").into_iter().map(Option::unwrap)));
        }
        ids.sort();
        let got: Vec<String> = ids.into_iter().map(|x| x.1).collect();
        assert_eq!(got.len(), expected.len(), "{shards} shards");
        // Ids as read (a scan renames repeats; these dumps have none).
        assert_eq!(got, expected, "{shards} shards");
    }
    // Byte-identical tables with one thread and with three, and from a second run.
    let a = dir.path().join("t1");
    let b = dir.path().join("t3");
    for (sig, threads) in [(&a, "1"), (&b, "3")] {
        sign_all(&input, sig, 2, false, &["--no-furniture", "--threads", threads]);
    }
    let (fa, fb) = (files_of(&a), files_of(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(v == &fb[k], "{} differs between 1 and 3 threads", k.display());
    }
    // Hashes are Int64 with the bits of the u64 (Spark reads UInt64 as a decimal).
    let b = &batches(&a.join("bands"))[0];
    assert_eq!(b.schema().field_with_name("key").unwrap().data_type(), &DataType::Int64);
    assert!(ints(b, "key").iter().any(|k| k.unwrap() < 0), "no key has its top bit set");
}

#[test]
fn cluster_refuses_missing_mixed_and_stale_shards() {
    let dir = tempdir();
    let input = inputs(dir.path(), 300);
    let sig = dir.path().join("sig");
    sign_all(&input, &sig, 3, false, &["--no-furniture"]);
    let edges = dir.path().join("edges");
    reference_edges(&sig, &edges, 0);
    let out = dir.path().join("out");
    let fails = |sig: &Path, edges: &Path, expect: &str| {
        let o = reprint().args(["cluster", "-q", "--sigs"]).arg(sig).arg("--edges").arg(edges).arg("-o").arg(&out).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(expect), "expected `{expect}` in: {err}");
        assert!(!out.join("documents.jsonl").exists());
    };
    // No candidate pairs yet.
    fails(&sig, &dir.path().join("none"), "run the `edges` step");
    // A shard missing.
    let part2 = sig.join("documents/batch-00000-part-00002-of-00003.parquet");
    let kept = dir.path().join("kept.parquet");
    fs::rename(&part2, &kept).unwrap();
    fails(&sig, &edges, "shard 2/3 of batch 0 is missing");
    // A shard twice.
    fs::copy(sig.join("documents/batch-00000-part-00001-of-00003.parquet"), sig.join("documents/copy.parquet")).unwrap();
    fs::rename(&kept, &part2).unwrap();
    fails(&sig, &edges, "shard 1/3 of batch 0 appears twice");
    fs::remove_file(sig.join("documents/copy.parquet")).unwrap();
    // A shard signed with other parameters.
    reprint().args(["sign", "-q", "--no-furniture", "--shingle", "4", "--shard", "3/3"]).arg(&input).arg("-o").arg(&sig).assert().success();
    fails(&sig, &edges, "other inputs or parameters");
    reprint().args(["sign", "-q", "--no-furniture", "--shard", "3/3"]).arg(&input).arg("-o").arg(&sig).assert().success();
    // The inputs changed since signing: a file grew, then a text was edited in place.
    let part = input.join("part2.jsonl");
    let original = fs::read_to_string(&part).unwrap();
    fs::write(&part, format!("{original}{}\n", r#"{"id": "late", "text": "A late article."}"#)).unwrap();
    fails(&sig, &edges, "not the files the shards signed");
    // Every " the " becomes " tha ": the same lengths, other words, in articles that are paired.
    let edited = original.replace(" the ", " tha ");
    assert_eq!(edited.len(), original.len());
    assert_ne!(edited, original);
    fs::write(&part, &edited).unwrap();
    fails(&sig, &edges, "is not the one signed");
    fs::write(&part, &original).unwrap();
    // Signing without the furniture judgement says what to run first.
    let o = reprint().args(["sign", "-q", "--shard", "1/3"]).arg(&input).arg("-o").arg(dir.path().join("sig2")).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("reprint sign --lines"), "{}", String::from_utf8_lossy(&o.stderr));
    // Shards are files: standard input cannot be sharded; shard numbers are checked.
    let o = reprint().args(["sign", "-q", "--no-furniture", "-", "-o"]).arg(dir.path().join("sig3")).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not standard input"));
    for bad in ["0/3", "4/3", "3", "a/b"] {
        let o = reprint().args(["sign", "--shard", bad]).arg(&input).arg("-o").arg(dir.path().join("sig4")).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "--shard {bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("is not a shard"), "--shard {bad}");
    }
    // After all that, the good tables still cluster.
    cluster(&sig, &edges, &out);
    assert!(out.join("documents.jsonl").exists());
}

#[test]
fn a_later_batch_clusters_with_the_earlier_ones() {
    let dir = tempdir();
    let (first, second) = batch_inputs(dir.path(), 1000);
    let full = dir.path().join("scan");
    scan_two(&first, &second, &full);
    // Some clusters span both batches (the test would be weak otherwise).
    let later: BTreeSet<String> = ["part4.jsonl", "part5.jsonl"]
        .iter()
        .flat_map(|p| texts_of(&second.join(p)).into_keys())
        .collect();
    let spanning = cluster_sets(&full).iter().filter(|c| c.iter().any(|m| later.contains(m)) && c.iter().any(|m| !later.contains(m))).count();
    assert!(spanning > 10, "{spanning} clusters span both batches");
    let sig = dir.path().join("sig");
    sign_batch(&first, &sig, 0, 2, true, &[]);
    reference_furniture(&sig, 0);
    sign_batch(&first, &sig, 0, 2, false, &[]);
    // The new batch, in three shards: its furniture is judged over both batches' lines.
    sign_batch(&second, &sig, 1, 3, true, &[]);
    reference_furniture(&sig, 1);
    sign_batch(&second, &sig, 1, 3, false, &[]);
    let edges = dir.path().join("edges");
    reference_edges(&sig, &edges, 1);
    let out = dir.path().join("out");
    cluster(&sig, &edges, &out);
    assert_same_outputs(&full, &out);
    // Pairs of batch 0 alone cluster batch 0 alone (the later batch is left out).
    let edges0 = dir.path().join("edges0");
    reference_edges(&sig, &edges0, 0);
    let out0 = dir.path().join("out0");
    cluster(&sig, &edges0, &out0);
    let scan0 = dir.path().join("scan0");
    scan(&first, &scan0, &[]);
    assert_same_outputs(&scan0, &out0);
}

#[test]
fn the_sql_job_uses_the_rules_constants() {
    let py = fs::read_to_string(repo_root().join("spark/reprint_edges.py")).unwrap();
    let value = |name: &str| -> u64 {
        let line = py.lines().find(|l| l.starts_with(&format!("{name} = "))).unwrap_or_else(|| panic!("{name} not in the job"));
        line.split('=').nth(1).unwrap().trim().parse().unwrap()
    };
    use reprint::{text::furniture, sketch::lsh};
    assert_eq!(value("MIN_RECURRENCE"), furniture::MIN_RECURRENCE as u64);
    assert_eq!(value("SYNDICATION_SPAN_DAYS"), furniture::SYNDICATION_SPAN_DAYS as u64);
    assert_eq!(value("SHORT_LINE_WORDS"), furniture::SHORT_LINE_WORDS as u64);
    assert_eq!(value("BURST_RECURRENCE"), furniture::BURST_RECURRENCE as u64);
    assert_eq!(value("MAX_ANCHOR_DOCS"), lsh::MAX_ANCHOR_DOCS as u64);
    assert_eq!(value("TEMPLATE_MIN_DOCS"), lsh::TEMPLATE_MIN_DOCS as u64);
    assert_eq!(value("BUCKET_ALL_PAIRS"), lsh::BUCKET_ALL_PAIRS as u64);
}

// ---- the real engines (ignored: `.ci/run` runs them with its Python venv and Java 17) ----

fn python() -> String {
    std::env::var("REPRINT_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn require(module: &str) {
    let py = python();
    let ok = std::process::Command::new(&py).args(["-c", &format!("import {module}")]).status().is_ok_and(|s| s.success());
    assert!(ok, "{py} cannot import {module}: set REPRINT_PYTHON to a Python with pyspark and duckdb (.ci/run makes one)");
    if module == "pyspark" {
        let java = std::process::Command::new("java").arg("-version").output();
        assert!(java.is_ok_and(|o| o.status.success()), "no Java on the PATH: Spark needs Java 17 (set JAVA_HOME and PATH)");
    }
}

fn job(engine: &str, step: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) {
    let mut cmd = std::process::Command::new(python());
    cmd.arg(repo_root().join("spark/reprint_edges.py")).args(["--engine", engine]);
    if engine == "spark" {
        cmd.args(["--master", "local[2]"]);
    }
    cmd.arg(step);
    for a in args {
        cmd.arg(a);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{engine} {step} failed: {}", String::from_utf8_lossy(&o.stderr));
}

fn engine_run(engine: &str, input: &Path, dir: &Path, shards: u32) -> PathBuf {
    let sig = dir.join(format!("sig-{engine}"));
    sign_all(input, &sig, shards, true, &[]);
    job(engine, "furniture", &[&sig]);
    sign_all(input, &sig, shards, false, &[]);
    let edges = dir.join(format!("edges-{engine}"));
    job(engine, "edges", &[&sig, &edges]);
    let out = dir.join(format!("out-{engine}"));
    cluster(&sig, &edges, &out);
    out
}

/// A pair of `ord`s and whether a band key and an anchor found it.
type Pair = (i64, i64, bool, bool);

/// The pairs (with their routes) and the counts an edges step wrote.
fn edges_of(edges: &Path) -> (BTreeSet<Pair>, Vec<Option<i64>>) {
    let mut pairs = BTreeSet::new();
    for b in batches(&edges.join("pairs")) {
        let flag = |n: &str| -> Vec<bool> {
            b.column_by_name(n).unwrap().as_any().downcast_ref::<BooleanArray>().unwrap().iter().map(Option::unwrap).collect()
        };
        let (a, c, band, anchor) = (ints(&b, "a"), ints(&b, "b"), flag("band"), flag("anchor"));
        for r in 0..b.num_rows() {
            assert!(pairs.insert((a[r].unwrap(), c[r].unwrap(), band[r], anchor[r])), "a pair twice");
        }
    }
    let stats = &batches(&edges.join("stats"))[0];
    let counts = ["batch", "band_collisions", "largest_bucket", "lsh_pairs", "anchor_pairs", "crowded_anchors", "template_anchors"]
        .iter()
        .map(|c| ints(stats, c)[0])
        .collect();
    (pairs, counts)
}

/// Two batches on one engine: batch 0 (a whole computation) clusters as a scan of its inputs;
/// batch 1's pairs, searched only for the new documents and carried over from batch 0, are
/// exactly those of a whole computation over both, and cluster as a scan of everything.
fn engine_batches(engine: &str) {
    let dir = tempdir();
    let dir = dir.path();
    let (first, second) = batch_inputs(dir, 1000);
    let sig = dir.join("sig");
    sign_batch(&first, &sig, 0, 3, true, &[]);
    job(engine, "furniture", &[&sig]);
    sign_batch(&first, &sig, 0, 3, false, &[]);
    let e0 = dir.join("edges0");
    job(engine, "edges", &[&sig, &e0]);
    let (out0, scan0) = (dir.join("out0"), dir.join("scan0"));
    cluster(&sig, &e0, &out0);
    scan(&first, &scan0, &[]);
    assert_same_outputs(&scan0, &out0);

    sign_batch(&second, &sig, 1, 2, true, &[]);
    job(engine, "furniture", &[&sig, &"--batch", &"1"]);
    sign_batch(&second, &sig, 1, 2, false, &[]);
    let (e1, whole) = (dir.join("edges1"), dir.join("edges1-whole"));
    job(engine, "edges", &[&sig, &e1, &"--batch", &"1", &"--previous", &e0]);
    job(engine, "edges", &[&sig, &whole, &"--batch", &"1"]);
    assert_eq!(edges_of(&e1), edges_of(&whole));
    let (out1, scan1) = (dir.join("out1"), dir.join("scan1"));
    cluster(&sig, &e1, &out1);
    scan_two(&first, &second, &scan1);
    assert_same_outputs(&scan1, &out1);
    // A pair of the last batch with the wrong previous pairs is refused.
    let mut cmd = std::process::Command::new(python());
    cmd.arg(repo_root().join("spark/reprint_edges.py")).args(["--engine", "duckdb", "edges"]).arg(&sig).arg(dir.join("e2"));
    let o = cmd.args(["--batch", "2", "--previous"]).arg(&e0).output().unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("not of batch 1"));
}

#[test]
#[ignore = "needs Java 17 and pyspark (run by .ci/run)"]
fn scaleout_spark_local_gives_the_scan_outputs() {
    require("pyspark");
    engine_batches("spark");
}

#[test]
#[ignore = "needs duckdb for Python (run by .ci/run)"]
fn scaleout_duckdb_gives_the_scan_outputs() {
    require("duckdb");
    engine_batches("duckdb");
}

#[test]
#[ignore = "needs duckdb for Python and REPRINT_REUTERS (run by .ci/run)"]
fn scaleout_duckdb_on_the_full_newswire_dump_gives_the_scan_outputs() {
    require("duckdb");
    let reuters = PathBuf::from(std::env::var("REPRINT_REUTERS").expect("REPRINT_REUTERS names the Reuters-21578 dump"));
    let dir = tempdir();
    let input = dir.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let n = fs::read_to_string(&reuters).unwrap().lines().count();
    split(&reuters, &[n / 4; 4], &input);
    let full = dir.path().join("scan");
    scan(&input, &full, &[]);
    let out = engine_run("duckdb", &input, dir.path(), 4);
    assert_same_outputs(&full, &out);
    assert_eq!(run_json(&out)["counts"]["clusters"], 1204);
}
