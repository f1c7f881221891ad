//! Synthetic news dumps with planted near-duplicates and their ground truth.
//!
//! Receives generation parameters (and optionally real base texts) and hands on articles and
//! labels: each *story* is an original article, and some stories are republished by other
//! outlets as copies with word substitutions, deletions and insertions at a chosen rate, and
//! sometimes truncated. Every random choice comes from [`SplitMix64`] seeded by the caller, so
//! the same parameters give the same dump on every machine. Used by the oracle tests, the
//! `reprint gen` command and the benchmarks; it is not part of the scan pipeline.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::minhash::SplitMix64;
use crate::report::write_atomic;

/// Pseudo-words in the built-in vocabulary; large enough that unrelated generated articles
/// share almost no 5-grams, as unrelated news articles do.
const VOCABULARY_SIZE: usize = 20_000;
/// Zipf exponent of word frequencies (about 1 for English text).
const ZIPF_EXPONENT: f64 = 1.0;
/// Outlets in a generated dump.
const OUTLETS: usize = 40;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenParams {
    /// Articles in the dump.
    pub docs: usize,
    /// Share of articles that are copies of another article.
    pub copy_fraction: f64,
    /// Highest per-word edit rate of a copy; each copy draws its rate uniformly from
    /// `0..=max_edit_rate`.
    pub max_edit_rate: f64,
    /// Share of copies that are also truncated to between half and all of the original.
    pub truncate_fraction: f64,
    /// Mean article length in words (built-in vocabulary only).
    pub mean_words: usize,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for GenParams {
    fn default() -> Self {
        GenParams {
            docs: 1000,
            copy_fraction: 0.5,
            max_edit_rate: 0.2,
            truncate_fraction: 0.2,
            mean_words: 600,
            seed: 1,
        }
    }
}

/// One generated article with its ground truth.
#[derive(Debug, Clone, Serialize)]
pub struct GenDoc {
    /// Unique id.
    pub id: String,
    /// Outlet name.
    pub outlet: String,
    /// Publication date (copies are published on or after their original).
    pub date: String,
    /// Headline.
    pub title: String,
    /// Article text.
    pub text: String,
    /// Ground-truth story: the index of the original this article is (a copy of).
    pub story: u32,
    /// Per-word edit rate applied (0 for originals).
    pub edit_rate: f64,
    /// Share of the original kept when truncated (1 when not).
    pub kept_fraction: f64,
}

struct Rng(SplitMix64);

impl Rng {
    fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.0.next_u64() >> 32) * n as u64 >> 32) as usize
    }
}

/// The built-in vocabulary: pronounceable pseudo-words and a Zipf sampling table.
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new(rng: &mut Rng) -> Self {
        const ONSETS: &[&str] = &["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "st", "tr", "pl"];
        const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou", "ea"];
        let mut words = Vec::with_capacity(VOCABULARY_SIZE);
        let mut seen = std::collections::HashSet::new();
        while words.len() < VOCABULARY_SIZE {
            let syllables = 1 + rng.below(4);
            let w: String = (0..syllables)
                .map(|_| format!("{}{}", ONSETS[rng.below(ONSETS.len())], VOWELS[rng.below(VOWELS.len())]))
                .collect();
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY_SIZE)
            .map(|r| {
                total += 1.0 / (r as f64).powf(ZIPF_EXPONENT);
                total
            })
            .collect::<Vec<_>>();
        let cumulative = cumulative.into_iter().map(|c| c / total).collect();
        Vocabulary { words, cumulative }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        let i = self.cumulative.partition_point(|&c| c < u).min(self.words.len() - 1);
        &self.words[i]
    }

    fn article(&self, rng: &mut Rng, mean_words: usize) -> String {
        let target = mean_words / 2 + rng.below(mean_words + 1);
        let mut out = String::new();
        let mut n = 0;
        while n < target {
            let sentence_len = 8 + rng.below(18);
            let mut sentence: Vec<String> = (0..sentence_len).map(|_| self.word(rng).to_string()).collect();
            if let Some(first) = sentence.first_mut() {
                *first = capitalise(first);
            }
            out.push_str(&sentence.join(" "));
            out.push_str(". ");
            n += sentence_len;
            if rng.below(5) == 0 {
                out.push_str("\n\n");
            }
        }
        out.trim_end().to_string()
    }
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Applies word edits at `rate` (a third each substitutions, deletions, insertions) and keeps
/// the first `keep` share of the words.
fn edit(text: &str, rate: f64, keep: f64, vocab: &Vocabulary, rng: &mut Rng) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let kept = ((words.len() as f64 * keep).ceil() as usize).clamp(1, words.len());
    let mut out: Vec<String> = Vec::with_capacity(kept + 8);
    for w in &words[..kept] {
        if rng.unit() < rate {
            match rng.below(3) {
                0 => out.push(vocab.word(rng).to_string()),
                1 => {}
                _ => {
                    out.push(w.to_string());
                    out.push(vocab.word(rng).to_string());
                }
            }
        } else {
            out.push(w.to_string());
        }
    }
    out.join(" ")
}

/// Generates a dump. With `bases`, originals are drawn from those texts in order (real news
/// text); otherwise they are written from the built-in vocabulary.
pub fn generate(params: &GenParams, bases: Option<&[String]>) -> Vec<GenDoc> {
    let mut rng = Rng(SplitMix64::new(params.seed));
    let vocab = Vocabulary::new(&mut rng);
    let mut docs: Vec<GenDoc> = Vec::with_capacity(params.docs);
    let mut originals: Vec<usize> = Vec::new();
    for i in 0..params.docs {
        let outlet = format!("outlet-{:02}", rng.below(OUTLETS));
        let copy = !originals.is_empty() && rng.unit() < params.copy_fraction;
        if copy {
            let src = originals[rng.below(originals.len())];
            let rate = rng.unit() * params.max_edit_rate;
            let keep = if rng.unit() < params.truncate_fraction { 0.5 + 0.5 * rng.unit() } else { 1.0 };
            let text = edit(&docs[src].text, rate, keep, &vocab, &mut rng);
            let day = day_of(&docs[src].date) + rng.below(3);
            let (story, title) = (docs[src].story, docs[src].title.clone());
            docs.push(GenDoc {
                id: format!("gen-{i:07}"),
                outlet,
                date: date_for(day),
                title,
                text,
                story,
                edit_rate: rate,
                kept_fraction: keep,
            });
        } else {
            let text = match bases {
                Some(b) if !b.is_empty() => b[originals.len() % b.len()].clone(),
                _ => vocab.article(&mut rng, params.mean_words),
            };
            let title = capitalise(&text.split_whitespace().take(8).collect::<Vec<_>>().join(" "));
            docs.push(GenDoc {
                id: format!("gen-{i:07}"),
                outlet,
                date: date_for(rng.below(365)),
                title,
                text,
                story: originals.len() as u32,
                edit_rate: 0.0,
                kept_fraction: 1.0,
            });
            originals.push(i);
        }
    }
    docs
}

/// A label line: the ground truth for one generated article.
#[derive(Debug, Serialize)]
struct LabelLine<'a> {
    id: &'a str,
    /// The story id when the story has two or more articles, else null (a unique article).
    cluster: Option<u32>,
    story: u32,
    edit_rate: f64,
    kept_fraction: f64,
}

/// Writes the dump as JSONL (`id, outlet, date, title, text`) and, if asked, the labels as
/// JSONL (`id, cluster, story, edit_rate, kept_fraction`; `cluster` is null for an article
/// whose story has no other article). Both files are written atomically.
pub fn write_dump(docs: &[GenDoc], dump: &Path, labels: Option<&Path>) -> Result<()> {
    #[derive(Serialize)]
    struct DumpLine<'a> {
        id: &'a str,
        outlet: &'a str,
        date: &'a str,
        title: &'a str,
        text: &'a str,
    }
    write_atomic(dump, |w| {
        for d in docs {
            let line = DumpLine { id: &d.id, outlet: &d.outlet, date: &d.date, title: &d.title, text: &d.text };
            serde_json::to_writer(&mut *w, &line)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    if let Some(labels) = labels {
        let mut story_size = std::collections::HashMap::new();
        for d in docs {
            *story_size.entry(d.story).or_insert(0usize) += 1;
        }
        write_atomic(labels, |w| {
            for d in docs {
                let line = LabelLine {
                    id: &d.id,
                    cluster: (story_size[&d.story] > 1).then_some(d.story),
                    story: d.story,
                    edit_rate: crate::report::round(d.edit_rate),
                    kept_fraction: crate::report::round(d.kept_fraction),
                };
                serde_json::to_writer(&mut *w, &line)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// `2024-MM-DD` for day `d` of a 365-day year (months of 30/31 days, approximately).
fn date_for(day: usize) -> String {
    let day = day.min(364);
    format!("2024-{:02}-{:02}", day / 31 + 1, day % 31 + 1)
}

fn day_of(date: &str) -> usize {
    let m: usize = date[5..7].parse().unwrap_or(1);
    let d: usize = date[8..10].parse().unwrap_or(1);
    (m - 1) * 31 + (d - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_labelled() {
        let p = GenParams { docs: 200, ..GenParams::default() };
        let a = generate(&p, None);
        let b = generate(&p, None);
        assert_eq!(a.len(), 200);
        assert_eq!(
            a.iter().map(|d| (&d.text, d.story)).collect::<Vec<_>>(),
            b.iter().map(|d| (&d.text, d.story)).collect::<Vec<_>>()
        );
        let copies = a.iter().filter(|d| d.edit_rate > 0.0 || d.kept_fraction < 1.0).count();
        assert!((60..=140).contains(&copies), "{copies} copies");
        let other = generate(&GenParams { seed: 2, ..p }, None);
        assert_ne!(a[0].text, other[0].text);
    }

    #[test]
    fn copies_keep_most_words_at_low_rates() {
        let v = Vocabulary::new(&mut Rng(SplitMix64::new(5)));
        let mut rng = Rng(SplitMix64::new(6));
        let text = v.article(&mut rng, 600);
        let copy = edit(&text, 0.0, 1.0, &v, &mut rng);
        assert_eq!(copy, text);
        let half = edit(&text, 0.0, 0.5, &v, &mut rng);
        let n = text.split(' ').count();
        assert_eq!(half.split(' ').count(), (n as f64 * 0.5).ceil() as usize);
    }
}
