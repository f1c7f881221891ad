//! What a scan holds per article, by kind: the figures behind ARCHITECTURE.md's "Per-article
//! state" table, which the memory budget has to spill or bound.
//!
//! Runs `reprint scan`'s stages 1 to 3 (read, furniture, sign) over a dump with the default
//! parameters and counts, from the structures themselves, the bytes of each kind of
//! per-article state that lives past them: metadata, shingle sets, anchors, story words,
//! the vocabulary, and (computed, not built) the word fingerprints held until signing and the
//! MinHash signatures of the candidate stage. Heap bytes only: payloads plus the vectors'
//! and strings' own headers; allocator rounding is not counted.
//!
//! Usage: `cargo run --release --example state -- DUMP.jsonl`

use std::mem::size_of;

use reprint::config::{InputSpec, ScanConfig};
use reprint::engine::pipeline::{read_stage, sign_stage, Counts, ReadLines, FIGURES_PER_ARTICLE};
use reprint::engine::budget::TempSpace;
use reprint::engine::progress::NoProgress;
use reprint::text::lists::Lists;
use reprint::input::DocMeta;
use reprint::text::furniture::LineFeature;
use reprint::sketch::minhash::SigValue;

fn main() {
    let path = std::env::args().nth(1).expect("usage: state DUMP.jsonl");
    let config = ScanConfig { inputs: vec![InputSpec::Path(path.into())], ..ScanConfig::default() };
    let space = TempSpace::new(&std::env::temp_dir());
    let read = read_stage(&config, &NoProgress, None, u64::MAX, ReadLines::Count, &space).expect("read the dump");
    // Each document's lines, held with its words (24 B a line and a list header), and the
    // furniture rule's entries (24 B a distinct line of a document whose lines are new).
    let line_words = read.line_words();
    let lines: usize = line_words.iter().map(|l| size_of::<Vec<LineFeature>>() + l.len() * size_of::<LineFeature>()).sum();
    let mut seen = std::collections::HashSet::new();
    let entries: usize = line_words
        .iter()
        .filter(|l| !l.is_empty() && seen.insert(reprint::text::furniture::doc_lines_key(l)))
        .map(|l| {
            let mut fps: Vec<u64> = l.iter().map(|x| x.0).collect();
            fps.sort_unstable();
            fps.dedup();
            fps.len() * size_of::<reprint::text::furniture::LineEntry>()
        })
        .sum();
    drop(line_words);
    let signed = sign_stage(&config, &NoProgress, read, Counts::default(), None, &space).expect("sign the dump");
    let n = signed.docs.len().max(1) as f64;
    let words: u64 = signed.word_count.iter().map(|&w| w as u64).sum();
    let meta: u64 = signed.docs.iter().map(DocMeta::held_bytes).sum();
    // Held lists cost a boxed slice (16 B) besides their values.
    let held = |lists: &dyn Lists| (0..lists.count() as u32).map(|d| 16 + 8 * lists.list(d).len()).sum::<usize>();
    let sets = held(&signed.sets) + 4 * signed.body_words.len();
    let anchors = held(&signed.anchors);
    let story = held(&signed.story_words);
    let vocabulary: usize = signed.vocabulary.values().map(|w| 8 + size_of::<Box<str>>() + w.len()).sum();
    // Only one document of each set of identical shingle sets (a representative) is signed.
    let mut representatives: Vec<u64> =
        signed.shingles.iter().zip(&signed.content).filter(|(&s, _)| s > 0).map(|(_, &c)| c).collect();
    representatives.sort_unstable();
    representatives.dedup();
    let signatures = representatives.len() * (size_of::<Vec<SigValue>>() + config.perms * size_of::<SigValue>());
    // `dedup` holds each document's canonical URL from verification to the keep decision.
    let urls: usize = signed
        .docs
        .iter()
        .map(|d| size_of::<Option<String>>() + d.url.as_deref().and_then(reprint::input::address::canonical_url).map_or(0, |u| u.capacity()))
        .sum();
    println!("{} articles, {:.0} words an article", signed.docs.len(), words as f64 / n);
    println!("| state | held | bytes an article |");
    println!("|---|---|---|");
    let row = |what: &str, held: &str, bytes: f64| println!("| {what} | {held} | {:.0} |", bytes / n);
    row("word fingerprints (8 B a word)", "read to sign", 8.0 * words as f64);
    row("lines (24 B a line), kept with the words", "read to furniture", lines as f64);
    row("the furniture rule's entries (24 B a distinct line of a document)", "read to furniture", entries as f64);
    row("metadata (id, outlet, date, title, URL, location)", "whole run", meta as f64);
    row("dedup: canonical URLs", "verify to the keep decision", urls as f64);
    row("fixed per-article figures (words, shingles, fingerprints, byline, skip reason)", "whole run", (FIGURES_PER_ARTICLE * signed.docs.len() as u64) as f64);
    row("shingle sets (8 B a distinct shingle)", "sign to verify (dedup: to the keep decision)", sets as f64);
    row("anchors (8 B each)", "sign to candidates", anchors as f64);
    row("story words (8 B a distinct body word)", "sign to stories", story as f64);
    row("vocabulary (per distinct word of the dump, spread over articles)", "read to stories", vocabulary as f64);
    row("MinHash signatures (computed: 4 B a permutation)", "candidates", signatures as f64);
}
