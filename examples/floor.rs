//! How fast can any scan built on reprint's stages be? The floor of the signing path.
//!
//! Runs the first stages of `reprint scan` over a JSONL dump, and nothing else, cumulatively up
//! to a chosen stage, on all cores (or `RAYON_NUM_THREADS`), and prints the wall time and MB/s
//! of input. The dump is read into memory whole and cut into lines first, so no stage waits
//! on a reader thread; nothing is kept per document, so no stage pays for memory. What it
//! measures is the best case for the stages a scan cannot skip:
//!
//! - `read` — read the file and cut it into lines;
//! - `parse` — plus `serde_json` of each line, borrowing the `text` field where it can;
//! - `tokenize` — plus `normalize::tokenize` (words, offsets, line starts);
//! - `shingle` — plus `shingle::shingle_sequence` (k = 5) and `ShingleSet::from_sequence`;
//! - `sign` — plus `MinHasher::new(128).signature` of each set.
//!
//! Usage: `cargo run --release --example floor -- DUMP.jsonl [STAGE]` (default: every stage in
//! turn). BENCHMARKS.md has its figures; they bound from above what `reprint scan` can reach,
//! which also finds candidates, verifies them, aligns passages, groups stories and writes its
//! outputs.

#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::borrow::Cow;
use std::time::Instant;

use rayon::prelude::*;
use reprint::sketch::minhash::MinHasher;
use reprint::text::normalize::{tokenize, Tokens};
use reprint::text::shingle::{shingle_sequence, ShingleSet};

/// The stages, in order; each includes the ones before it.
const STAGES: [&str; 5] = ["read", "parse", "tokenize", "shingle", "sign"];

/// Lines per rayon task: enough to amortise the hand-off, few enough to balance two cores.
const LINES_PER_TASK: usize = 256;

#[derive(serde::Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

fn run(path: &str, stage: usize) -> Result<(), String> {
    let started = Instant::now();
    let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let hasher = MinHasher::new(128);
    // Something from every stage reaches the output, so no stage can be optimised away.
    let checksum: u64 = lines
        .par_chunks(LINES_PER_TASK)
        .enumerate()
        .map(|(c, chunk)| {
            let (mut tokens, mut scratch, mut sum) = (Tokens::default(), String::new(), 0u64);
            for (n, line) in chunk.iter().enumerate() {
                if stage == 0 {
                    sum += line.len() as u64;
                    continue;
                }
                let Ok(rec) = serde_json::from_slice::<Line>(line) else {
                    eprintln!("{path}: non-empty line {} is not a record with a text; skipped", c * LINES_PER_TASK + n + 1);
                    continue;
                };
                if stage == 1 {
                    sum += rec.text.len() as u64;
                    continue;
                }
                tokenize(&rec.text, &mut tokens, &mut scratch);
                if stage == 2 {
                    sum += tokens.tokens.len() as u64;
                    continue;
                }
                let (seq, words) = shingle_sequence(&tokens.tokens, &[], 5);
                let set = ShingleSet::from_sequence(&seq, words);
                if stage == 3 {
                    sum += set.len() as u64;
                    continue;
                }
                sum = sum.wrapping_add(hasher.signature(&set.hashes)[0] as u64);
            }
            sum
        })
        .reduce(|| 0, u64::wrapping_add);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{:<9} {:>7.2} s {:>7.0} MB/s  ({} lines, {} threads, checksum {checksum})",
        STAGES[stage],
        seconds,
        data.len() as f64 / seconds / 1e6,
        lines.len(),
        rayon::current_num_threads()
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: floor DUMP.jsonl [{}]", STAGES.join("|"));
        std::process::exit(2);
    };
    let stages: Vec<usize> = match args.get(1) {
        None => (0..STAGES.len()).collect(),
        Some(name) => match STAGES.iter().position(|s| s == name) {
            Some(i) => vec![i],
            None => {
                eprintln!("unknown stage {name:?}; one of {}", STAGES.join(", "));
                std::process::exit(2);
            }
        },
    };
    for stage in stages {
        if let Err(e) = run(path, stage) {
            eprintln!("floor: {e}");
            std::process::exit(1);
        }
    }
}
