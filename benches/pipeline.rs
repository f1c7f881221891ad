//! Criterion benchmarks for each stage of the `reprint` pipeline, over the checked-in corpus.
//!
//! The input is real text: the ≈400 Reuters-21578 stories in `corpus/reuters-sample.jsonl`
//! (their `text` field) plus the five articles in `corpus/seeds/*.txt`. Every group sets
//! `Throughput::Bytes` to the article text it stands for, so criterion reports MB/s of input
//! text and the stages can be compared directly:
//!
//! - `bytes` — xxh3 of every text: the floor, what touching and hashing the bytes once costs;
//! - `normalize` — `normalize::normalize_into` into a reused buffer, then counting
//!   `normalize::words`, over every text;
//! - `tokenize` — `normalize::tokenize` (words with their offsets and line starts, the reading
//!   stage's main cost) into a reused `Tokens` and scratch `String`, over every text;
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
//! - `passages` — `passage::align_indexed` with k = 5 over the pairs the pipeline would align:
//!   the pairs `verify` keeps (Jaccard at 0.5, or an anchor window of shared shingles, as
//!   `scan` does) among the `verify` group's pairs plus every pair of seed articles; each text
//!   is tokenised, shingled (`shingle::shingle_sequence`) and indexed (`passage::index`) once
//!   beforehand, as `scan` does per document; throughput is the text bytes of both documents
//!   of each pair, summed over the pairs;
//! - `stories` — `story::story_terms` (`terms`) and `story::story_edges` at the default story
//!   threshold with no timestamps and no window (`edges`, over the precomputed terms), from
//!   each text's sorted distinct word fingerprints; throughput is the corpus text bytes;
//! - `end_to_end` — `pipeline::scan` with the default `ScanConfig` and `NoProgress` (reading,
//!   decoding, signing, exact duplicates, LSH, verify, passages, clusters, stories; `scan`
//!   writes no files): `scan_corpus_dir` on the whole `corpus/` directory, throughput the
//!   bytes of the JSONL and `.txt` files under it that the scan reads;
//!   `scan_generated_syndication` on a dump written once beforehand by `synth::write_generated`
//!   (what `reprint gen --syndication --docs 2000 --seed 7` writes: copies edited, truncated,
//!   embedded and reordered, each outlet's page furniture around its articles), throughput the
//!   dump's bytes.
//!
//! Sample sizes and measurement times are kept small: the whole suite runs in a few minutes
//! on two cores once built, `--quick` in well under a minute.
//!
//! Run everything with `cargo bench` (or `cargo bench --bench pipeline`), one group with a
//! filter such as `cargo bench -- shingle`, and a faster, rougher pass with
//! `cargo bench --bench pipeline -- --quick`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode, Throughput,
};

use reprint::config::{InputSpec, ScanConfig};
use reprint::sketch::lsh::{candidates, optimal_banding, ANCHOR_WINDOW};
use reprint::sketch::minhash::{MinHasher, SigValue};
use reprint::text::normalize::{normalize_into, tokenize, words, Tokens};
use reprint::matching::passage::{align_indexed, index, Side};
use reprint::engine::pipeline::scan;
use reprint::engine::progress::NoProgress;
use reprint::text::shingle::{shingle_sequence, Shingle, Shingler};
use reprint::story::{story_edges, story_terms, Weights, DEFAULT_STORY_THRESHOLD};
use reprint::bench::synth::{write_generated, GenParams};
use reprint::matching::verify::verify;

/// The allocator the `reprint` binary uses (see `src/main.rs`), so the end-to-end groups
/// measure what the command does.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const SHINGLE: usize = 5;
const PERMS: usize = 128;
const THRESHOLD: f64 = 0.5;
const REPLICAS: usize = 20;
const ALL_PAIRS_DOCS: usize = 200;
/// Articles in the generated dump: about 10 MB of text, enough for every stage to see
/// thousands of copies, small enough that one scan takes 0.4-0.9 s on two cores (measured).
const GEN_DOCS: usize = 2000;
/// Seed of the generated dump, so every run times the same bytes.
const GEN_SEED: u64 = 7;
/// Samples of `scan_generated_syndication`, one scan each (flat sampling): at under a second a
/// scan, ten fit in [`GEN_MEASUREMENT`].
const GEN_SAMPLES: usize = 10;
/// Measurement time of `scan_generated_syndication`: room for its ten one-scan samples.
const GEN_MEASUREMENT: Duration = Duration::from_secs(8);

/// A document's shingle sequence and its `passage::index`, as `scan` prepares it for alignment.
type Indexed = (Vec<Shingle>, Vec<(u64, u32)>);

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The Reuters `text` fields followed by the seed articles, in a fixed order, and the number
/// of seed articles (the last ones).
fn load_texts() -> (Vec<String>, usize) {
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
    let n_seeds = seeds.len();
    for p in seeds {
        let bytes = std::fs::read(&p).expect("read seed article");
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    assert!(
        texts.len() > 100,
        "corpus unexpectedly small: {} texts",
        texts.len()
    );
    (texts, n_seeds)
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
    let (texts, n_seeds) = load_texts();
    let text_bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();

    // bytes: the floor every stage is measured against — touching and hashing the text
    // bytes once (xxh3 of each text), what reading alone would cost
    {
        let mut group = configure(c, "bytes", text_bytes);
        group.bench_function("xxh3_of_text", |b| {
            b.iter(|| texts.iter().map(|t| xxhash_rust::xxh3::xxh3_64(black_box(t.as_bytes()))).fold(0u64, |a, h| a ^ h))
        });
        group.finish();
    }

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

    // tokenize
    let mut scratch = String::new();
    let tokens: Vec<Tokens> = texts
        .iter()
        .map(|t| {
            let mut tk = Tokens::default();
            tokenize(t, &mut tk, &mut scratch);
            tk
        })
        .collect();
    {
        let mut group = configure(c, "tokenize", text_bytes);
        group.bench_function("tokenize", |b| {
            let mut out = Tokens::default();
            let mut scratch = String::new();
            b.iter(|| {
                let mut n = 0usize;
                for t in &texts {
                    tokenize(black_box(t), &mut out, &mut scratch);
                    n += out.tokens.len();
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
            b.iter(|| {
                black_box(verify(
                    black_box(&pairs),
                    &sets,
                    THRESHOLD,
                    usize::MAX,
                    &|_| {},
                ))
                .len()
            })
        });
        group.finish();
    }

    // passages
    let mut align_pairs = pairs.clone();
    let seeds_from = (texts.len() - n_seeds) as u32;
    for i in seeds_from..texts.len() as u32 {
        for j in i + 1..texts.len() as u32 {
            align_pairs.push((i, j));
        }
    }
    align_pairs.sort_unstable();
    align_pairs.dedup();
    let align_pairs: Vec<(u32, u32)> =
        verify(&align_pairs, &sets, THRESHOLD, ANCHOR_WINDOW, &|_| {})
            .iter()
            .map(|e| (e.a, e.b))
            .collect();
    let prepared: Vec<Indexed> = tokens
        .iter()
        .map(|tk| {
            let seq = shingle_sequence(&tk.tokens, &[], SHINGLE).0;
            let idx = index(&seq);
            (seq, idx)
        })
        .collect();
    let side = |d: u32| {
        let (seq, index) = &prepared[d as usize];
        Side {
            tokens: &tokens[d as usize].tokens,
            seq,
            index,
        }
    };
    let pair_bytes: u64 = align_pairs
        .iter()
        .map(|&(a, b)| (texts[a as usize].len() + texts[b as usize].len()) as u64)
        .sum();
    let found: usize = align_pairs
        .iter()
        .map(|&(a, b)| align_indexed(side(a), side(b), SHINGLE).len())
        .sum();
    eprintln!(
        "passages: {} pairs kept by verify (anchor window {ANCHOR_WINDOW}), {found} passages, {pair_bytes} pair text bytes",
        align_pairs.len()
    );
    {
        let mut group = configure(c, "passages", pair_bytes);
        group.bench_function("verified_pairs", |b| {
            b.iter(|| {
                let mut n = 0usize;
                for &(a, bd) in black_box(&align_pairs) {
                    n += align_indexed(side(a), side(bd), SHINGLE).len();
                }
                black_box(n)
            })
        });
        group.finish();
    }

    // stories
    let doc_words: Vec<Vec<u64>> = tokens
        .iter()
        .map(|tk| {
            let mut w: Vec<u64> = tk.tokens.iter().map(|t| t.hash).collect();
            w.sort_unstable();
            w.dedup();
            w
        })
        .collect();
    let timestamps: Vec<Option<i64>> = vec![None; doc_words.len()];
    let weights = Weights::default();
    let terms = story_terms(&doc_words, &weights);
    let story_edge_count = story_edges(&terms, &timestamps, &[], DEFAULT_STORY_THRESHOLD, None, &weights, &|_| {}).edges.len();
    eprintln!(
        "stories: {} docs, {} terms, {story_edge_count} story edges at {DEFAULT_STORY_THRESHOLD}",
        terms.len(),
        terms.iter().map(Vec::len).sum::<usize>()
    );
    {
        let mut group = configure(c, "stories", text_bytes);
        group.bench_function("terms", |b| {
            b.iter(|| black_box(story_terms(black_box(&doc_words), &weights)).len())
        });
        group.bench_function("edges", |b| {
            b.iter(|| {
                black_box(story_edges(
                    black_box(&terms),
                    &timestamps,
                    &[],
                    DEFAULT_STORY_THRESHOLD,
                    None,
                    &weights,
                    &|_| {},
                ))
                .edges
                .len()
            })
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

        let tmp = tempfile::tempdir().expect("create temp dir");
        let dump = tmp.path().join("syndication.jsonl");
        let params = GenParams {
            docs: GEN_DOCS,
            seed: GEN_SEED,
            syndication: true,
            ..GenParams::default()
        };
        let written = write_generated(&params, None, &dump, None).expect("generate dump");
        let dump_bytes = std::fs::metadata(&dump).expect("stat dump").len();
        let gen_config = ScanConfig {
            inputs: vec![InputSpec::Path(dump.clone())],
            // Never written by `scan`; kept inside the temp dir all the same.
            outdir: tmp.path().join("out"),
            ..ScanConfig::default()
        };
        let t = std::time::Instant::now();
        let probe = scan(&gen_config, &NoProgress).expect("scan of the generated dump succeeds");
        eprintln!(
            "end_to_end: generated {written} syndication articles (seed {GEN_SEED}), {dump_bytes} bytes; {} documents, {} candidate pairs, {} clusters; one scan {:.2?}",
            probe.run.counts.documents,
            probe.run.counts.candidate_pairs,
            probe.run.counts.clusters,
            t.elapsed()
        );
        group
            .sample_size(GEN_SAMPLES)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(GEN_MEASUREMENT);
        group.throughput(Throughput::Bytes(dump_bytes));
        group.bench_function("scan_generated_syndication", |b| {
            b.iter(|| {
                black_box(scan(black_box(&gen_config), &NoProgress).expect("scan succeeds"))
                    .clusters
                    .len()
            })
        });
        group.finish();

        // index: the generated dump's first three quarters indexed, the last quarter queried
        // against it (signing, lookup, the neighbourhood's scan; no outputs written).
        let text = std::fs::read_to_string(&dump).expect("read the generated dump");
        let lines: Vec<&str> = text.lines().collect();
        let cut = lines.len() * 3 / 4;
        let (old, new) = (tmp.path().join("old.jsonl"), tmp.path().join("new.jsonl"));
        std::fs::write(&old, lines[..cut].join("\n") + "\n").expect("write old part");
        std::fs::write(&new, lines[cut..].join("\n") + "\n").expect("write new part");
        let new_bytes = std::fs::metadata(&new).expect("stat new part").len();
        let idx = tmp.path().join("idx");
        let create = ScanConfig { inputs: vec![InputSpec::Path(old)], ..ScanConfig::default() };
        reprint::jobs::index::create(&idx, &create).expect("create the index");
        reprint::jobs::index::add(&idx, &create, reprint::jobs::index::Mode::Add, false, &NoProgress).expect("index the first part");
        let query = ScanConfig { inputs: vec![InputSpec::Path(new)], outdir: tmp.path().join("qout"), ..ScanConfig::default() };
        let mut group = configure(c, "index", new_bytes);
        group.sample_size(GEN_SAMPLES).sampling_mode(SamplingMode::Flat).measurement_time(GEN_MEASUREMENT);
        group.bench_function("query_last_quarter", |b| {
            b.iter(|| {
                let (r, _) = reprint::jobs::index::add(&idx, black_box(&query), reprint::jobs::index::Mode::Query, false, &NoProgress)
                    .expect("query succeeds");
                black_box(r.clusters.len())
            })
        });
        group.finish();
    }
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
