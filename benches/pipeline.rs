//! Criterion benchmarks for each stage of the `reprint` pipeline, over the checked-in corpus.
//!
//! The input is real text: the ≈400 Reuters-21578 stories in `corpus/reuters-sample.jsonl`
//! (their `text` field) plus the five articles in `corpus/seeds/*.txt`. Every group sets
//! `Throughput::Bytes` to the article text it stands for, so criterion reports MB/s of input
//! text and the stages can be compared directly:
//!
//! - `normalize` — `normalize::normalize_into` into a reused buffer, then counting
//!   `normalize::words`, over every text;
//! - `shingle` — `shingle::Shingler::shingle` with k = 5 (normalising, tokenising, hashing,
//!   sorting and deduplicating), over every text, with one reused `Shingler`;
//! - `minhash` — `minhash::MinHasher::new(128).signature` over the precomputed shingle sets;
//! - `lsh` — `lsh::candidates` with `optimal_banding(0.5, 128)` over the precomputed
//!   signatures: `sample` is the corpus as is, `replicated_x20` is the corpus signatures
//!   repeated 20 times, each copy with ~10 % of its values perturbed (so every story has 19
//!   near-duplicates, as in a syndicated dump); its throughput is 20 × the text bytes;
//! - `verify` — `verify::verify` at threshold 0.5 over the LSH candidate pairs of the sample
//!   plus every pair among the first 200 documents (mostly non-duplicates, so the exact
//!   Jaccard merge runs to the end); throughput is the corpus text bytes;
//! - `end_to_end` — `pipeline::scan` on the whole `corpus/` directory with the default
//!   `ScanConfig` and `NoProgress` (reading, decoding, signing, exact duplicates, LSH, verify,
//!   cluster; `scan` writes no files); throughput is the bytes of the JSONL and `.txt` files
//!   under `corpus/` that the scan reads.
//!
//! Sample sizes and measurement times are kept small: the whole suite runs in about a minute
//! and a half on two cores once built, `--quick` in about ten seconds.
//!
//! Run everything with `cargo bench` (or `cargo bench --bench pipeline`), one group with a
//! filter such as `cargo bench -- shingle`, and a faster, rougher pass with
//! `cargo bench --bench pipeline -- --quick`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};

use reprint::config::{InputSpec, ScanConfig};
use reprint::lsh::{candidates, optimal_banding};
use reprint::minhash::{MinHasher, SigValue};
use reprint::normalize::{normalize_into, words};
use reprint::pipeline::scan;
use reprint::progress::NoProgress;
use reprint::shingle::Shingler;
use reprint::verify::verify;

const SHINGLE: usize = 5;
const PERMS: usize = 128;
const THRESHOLD: f64 = 0.5;
const REPLICAS: usize = 20;
const ALL_PAIRS_DOCS: usize = 200;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The Reuters `text` fields followed by the seed articles, in a fixed order.
fn load_texts() -> Vec<String> {
    let dir = corpus_dir();
    let jsonl = std::fs::read_to_string(dir.join("reuters-sample.jsonl"))
        .expect("read corpus/reuters-sample.jsonl");
    let mut texts: Vec<String> = jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("corpus line is JSON");
            v["text"]
                .as_str()
                .expect("corpus line has a `text` string")
                .to_string()
        })
        .collect();
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(dir.join("seeds"))
        .expect("read corpus/seeds")
        .map(|e| e.expect("seed dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    seeds.sort();
    for p in seeds {
        let bytes = std::fs::read(&p).expect("read seed article");
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    assert!(
        texts.len() > 100,
        "corpus unexpectedly small: {} texts",
        texts.len()
    );
    texts
}

/// Bytes of the JSONL and `.txt` files under `dir` (what `scan` reads from `corpus/`).
fn input_file_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).expect("read corpus dir") {
        let path = entry.expect("corpus dir entry").path();
        if path.is_dir() {
            total += input_file_bytes(&path);
        } else if path.extension().is_some_and(|e| e == "jsonl" || e == "txt") {
            total += std::fs::metadata(&path).expect("stat corpus file").len();
        }
    }
    total
}

fn configure<'a>(c: &'a mut Criterion, name: &str, bytes: u64) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(bytes));
    group
}

/// Copies the signatures `REPLICAS` times; copy `r > 0` has about one value in ten changed.
fn replicate(sigs: &[Vec<SigValue>]) -> Vec<Vec<SigValue>> {
    let mut out = Vec::with_capacity(sigs.len() * REPLICAS);
    for r in 0..REPLICAS {
        for (d, sig) in sigs.iter().enumerate() {
            let mut s = sig.clone();
            if r > 0 {
                for (i, v) in s.iter_mut().enumerate() {
                    let mix =
                        (i as u64 * 0x9e37_79b9 + r as u64 * 0x85eb_ca6b + d as u64 * 0xc2b2_ae35)
                            % 10;
                    if mix == 0 {
                        *v ^= (r as u32).wrapping_mul(0x2545_f491) | 1;
                    }
                }
            }
            out.push(s);
        }
    }
    out
}

fn benches(c: &mut Criterion) {
    let texts = load_texts();
    let text_bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();

    // normalize
    {
        let mut group = configure(c, "normalize", text_bytes);
        group.bench_function("normalize_into+words", |b| {
            let mut buf = String::new();
            b.iter(|| {
                let mut n = 0usize;
                for t in &texts {
                    normalize_into(black_box(t), &mut buf);
                    n += words(&buf).count();
                }
                black_box(n)
            })
        });
        group.finish();
    }

    // shingle
    let mut shingler = Shingler::default();
    let sets: Vec<Vec<u64>> = texts
        .iter()
        .map(|t| {
            shingler
                .shingle(t, SHINGLE)
                .map(|s| s.hashes)
                .unwrap_or_default()
        })
        .collect();
    {
        let mut group = configure(c, "shingle", text_bytes);
        group.bench_function("k5", |b| {
            let mut sh = Shingler::default();
            b.iter(|| {
                let mut n = 0usize;
                for t in &texts {
                    n += sh.shingle(black_box(t), SHINGLE).map_or(0, |s| s.len());
                }
                black_box(n)
            })
        });
        group.finish();
    }

    // minhash
    let hasher = MinHasher::new(PERMS);
    let sigs: Vec<Vec<SigValue>> = sets.iter().map(|s| hasher.signature(s)).collect();
    {
        let mut group = configure(c, "minhash", text_bytes);
        group.bench_function("perms128", |b| {
            b.iter(|| {
                let mut acc = 0u64;
                for s in &sets {
                    let sig = hasher.signature(black_box(s));
                    acc = acc.wrapping_add(sig[0] as u64);
                }
                black_box(acc)
            })
        });
        group.finish();
    }

    // lsh
    let t = std::time::Instant::now();
    let banding = optimal_banding(THRESHOLD, PERMS);
    // Not benchmarked as a group, but `scan` derives the banding on every run, so its cost is
    // part of `end_to_end`; print it so that group can be read.
    let banding_time = t.elapsed();
    let sig_refs: Vec<&[SigValue]> = sigs.iter().map(Vec::as_slice).collect();
    let sample_cand = candidates(&sig_refs, banding, &|| {});
    let replicated = replicate(&sigs);
    let replicated_refs: Vec<&[SigValue]> = replicated.iter().map(Vec::as_slice).collect();
    let replicated_pairs = candidates(&replicated_refs, banding, &|| {}).pairs.len();
    eprintln!(
        "lsh: {banding:?} (optimal_banding took {banding_time:.1?}); sample: {} docs -> {} candidate pairs; replicated x{REPLICAS}: {} docs -> {} pairs",
        sig_refs.len(),
        sample_cand.pairs.len(),
        replicated_refs.len(),
        replicated_pairs
    );
    {
        let mut group = configure(c, "lsh", text_bytes);
        group.bench_function("sample", |b| {
            b.iter(|| {
                black_box(candidates(black_box(&sig_refs), banding, &|| {}))
                    .pairs
                    .len()
            })
        });
        // ≈50–100 ms an iteration: give 10 samples room to finish.
        group.measurement_time(Duration::from_secs(6));
        group.throughput(Throughput::Bytes(text_bytes * REPLICAS as u64));
        group.bench_function(format!("replicated_x{REPLICAS}"), |b| {
            b.iter(|| {
                black_box(candidates(black_box(&replicated_refs), banding, &|| {}))
                    .pairs
                    .len()
            })
        });
        group.finish();
    }

    // verify
    let mut pairs = sample_cand.pairs.clone();
    let first = ALL_PAIRS_DOCS.min(sets.len()) as u32;
    for i in 0..first {
        for j in i + 1..first {
            pairs.push((i, j));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let kept = verify(&pairs, &sets, THRESHOLD, usize::MAX, &|_| {}).len();
    eprintln!(
        "verify: {} pairs ({} LSH candidates + all pairs of the first {first} docs), {kept} kept",
        pairs.len(),
        sample_cand.pairs.len()
    );
    {
        let mut group = configure(c, "verify", text_bytes);
        group.bench_function("candidates+first200_all_pairs", |b| {
            b.iter(|| black_box(verify(black_box(&pairs), &sets, THRESHOLD, usize::MAX, &|_| {})).len())
        });
        group.finish();
    }

    // end_to_end
    let dir = corpus_dir();
    let corpus_bytes = input_file_bytes(&dir);
    let config = ScanConfig {
        inputs: vec![InputSpec::Path(dir)],
        ..ScanConfig::default()
    };
    let probe = scan(&config, &NoProgress).expect("scan of corpus/ succeeds");
    eprintln!(
        "end_to_end: {} documents, {} candidate pairs, {} clusters, {corpus_bytes} input bytes",
        probe.run.counts.documents, probe.run.counts.candidate_pairs, probe.run.counts.clusters
    );
    {
        let mut group = configure(c, "end_to_end", corpus_bytes);
        group.bench_function("scan_corpus_dir", |b| {
            b.iter(|| {
                black_box(scan(black_box(&config), &NoProgress).expect("scan succeeds"))
                    .clusters
                    .len()
            })
        });
        group.finish();
    }
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
