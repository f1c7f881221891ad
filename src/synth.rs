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
/// Syndication mix: highest share of an edited copy's sentences rewritten by the outlet.
const SENTENCE_REWRITE_MAX: f64 = 0.4;
/// Syndication mix: highest per-word edit rate on top of rewritten sentences (typo fixes,
/// house style).
const WORD_EDIT_MAX: f64 = 0.03;
/// Syndication mix: a copy appears between 1 and this many hours after its original.
const MAX_COPY_DELAY_HOURS: usize = 72;

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
    /// Syndication mix: copies are edited, truncated, embedded in local articles or
    /// reordered under a new lede, and every outlet wraps its articles in page furniture
    /// (see [`generate`]). Off: copies are only edited and truncated, with no furniture.
    pub syndication: bool,
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
            syndication: false,
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
    /// Share of the body's words copied from the original (0 for originals).
    pub copied_frac: f64,
    /// How the copy was made: `original`, `edited`, `truncated`, `embedded`, `reordered`.
    pub mode: &'static str,
    /// Words of page furniture around the body.
    pub furniture_words: usize,
}

struct Rng(SplitMix64);

impl Rng {
    fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (((self.0.next_u64() >> 32) * n as u64) >> 32) as usize
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
    edit_counted(text, rate, keep, vocab, rng).0
}

/// [`edit`], also returning the words it wrote that are not from `text`.
fn edit_counted(text: &str, rate: f64, keep: f64, vocab: &Vocabulary, rng: &mut Rng) -> (String, usize) {
    let words: Vec<&str> = text.split(' ').collect();
    let kept = ((words.len() as f64 * keep).ceil() as usize).clamp(1, words.len());
    let mut out: Vec<String> = Vec::with_capacity(kept + 8);
    let mut new_words = 0;
    for w in &words[..kept] {
        if rng.unit() < rate {
            match rng.below(3) {
                0 => {
                    out.push(vocab.word(rng).to_string());
                    new_words += 1;
                }
                1 => {}
                _ => {
                    out.push(w.to_string());
                    out.push(vocab.word(rng).to_string());
                    new_words += 1;
                }
            }
        } else {
            out.push(w.to_string());
        }
    }
    (out.join(" "), new_words)
}

/// Words as reprint counts them.
fn count_words(text: &str) -> usize {
    crate::normalize::normalized_words(text).len()
}

/// Page furniture of one outlet: lines before and after every article's body.
struct OutletFurniture {
    header: Vec<String>,
    footer: Vec<String>,
}

impl OutletFurniture {
    fn new(outlet: usize, vocab: &Vocabulary, rng: &mut Rng) -> Self {
        let name = format!("Outlet {outlet:02}");
        let mut header = Vec::new();
        let mut footer = Vec::new();
        if rng.below(2) == 0 {
            header.push("Share:".to_string());
        }
        if rng.below(2) == 0 {
            header.push(format!("{name} | {} desk", capitalise(vocab.word(rng))));
        }
        footer.push(format!(
            "Sign up for the {name} newsletter and get the {} stories that matter delivered every morning",
            vocab.word(rng)
        ));
        if rng.below(2) == 0 {
            footer.push("Comments".to_string());
        }
        OutletFurniture { header, footer }
    }
}

/// The local text an outlet adds: `words` words from `locals` (real text) or the vocabulary.
fn local_words(words: usize, locals: &[String], vocab: &Vocabulary, rng: &mut Rng) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut n = 0;
    while n < words {
        let piece = if locals.is_empty() { vocab.article(rng, 200) } else { locals[rng.below(locals.len())].clone() };
        for w in piece.split(' ') {
            if n >= words {
                break;
            }
            n += count_words(w);
            out.push(w.to_string());
        }
        out.push("\n\n".to_string());
    }
    out.join(" ").trim().to_string()
}

/// Paragraphs of a text (blank lines, or Reuters' indented lines).
fn paragraphs(text: &str) -> Vec<&str> {
    let by_blank: Vec<&str> = text.split("\n\n").filter(|p| !p.trim().is_empty()).collect();
    if by_blank.len() > 1 {
        return by_blank;
    }
    text.split("\n    ").filter(|p| !p.trim().is_empty()).collect()
}

/// One syndicated copy of `original`: its body, the words copied into it, its mode.
fn syndicated_copy(
    original: &str,
    max_edit_rate: f64,
    locals: &[String],
    vocab: &Vocabulary,
    rng: &mut Rng,
) -> (String, usize, &'static str, f64, f64) {
    match rng.below(5) {
        0 | 1 => {
            // Some sentences rewritten by the outlet, a few words touched elsewhere.
            let rewrite = rng.unit() * SENTENCE_REWRITE_MAX;
            let mut new_words = 0;
            let sentences: Vec<String> = original
                .split_inclusive(". ")
                .map(|s| {
                    if rng.unit() < rewrite {
                        let local = local_words(count_words(s).max(3), locals, vocab, rng).replace("\n\n", " ");
                        new_words += count_words(&local);
                        format!("{local} ")
                    } else {
                        s.to_string()
                    }
                })
                .collect();
            let rate = rng.unit() * WORD_EDIT_MAX.min(max_edit_rate.max(0.0));
            let (text, edited) = edit_counted(&sentences.concat(), rate, 1.0, vocab, rng);
            let words = count_words(&text);
            (text, words.saturating_sub(new_words + edited), "edited", rewrite, 1.0)
        }
        2 => {
            let keep = 0.3 + 0.6 * rng.unit();
            let (text, new_words) = edit_counted(original, 0.0, keep, vocab, rng);
            let words = count_words(&text);
            (text, words.saturating_sub(new_words), "truncated", 0.0, keep)
        }
        3 => {
            let keep = 0.3 + 0.7 * rng.unit();
            let (excerpt, _) = edit_counted(original, 0.0, keep, vocab, rng);
            let share = 0.2 + 0.5 * rng.unit();
            let copied = count_words(&excerpt);
            let local = local_words((copied as f64 * (1.0 - share) / share) as usize, locals, vocab, rng);
            let cut = local.len() / 2;
            let cut = local[..cut].rfind(' ').unwrap_or(0);
            let text = format!("{}\n\n{excerpt}\n\n{}", &local[..cut], &local[cut..]);
            (text, copied, "embedded", 0.0, keep)
        }
        _ => {
            let mut paras: Vec<&str> = paragraphs(original);
            let lede = local_words(25 + rng.below(20), locals, vocab, rng);
            if paras.len() > 1 {
                paras.remove(0);
            }
            for i in (1..paras.len()).rev() {
                paras.swap(i, rng.below(i + 1));
            }
            let copied: usize = paras.iter().map(|p| count_words(p)).sum();
            let text = format!("{lede}\n\n{}", paras.join("\n\n"));
            (text, copied, "reordered", 0.0, 1.0)
        }
    }
}

/// Generates a dump. With `bases`, originals are drawn from those texts in order (real news
/// text); otherwise they are written from the built-in vocabulary.
///
/// With [`GenParams::syndication`], the second half of `bases` is kept for local text (what
/// outlets write around an excerpt, new ledes), so that it never appears as an original.
pub fn generate(params: &GenParams, bases: Option<&[String]>) -> Vec<GenDoc> {
    if params.syndication {
        return generate_syndication(params, bases.unwrap_or(&[]));
    }
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
                copied_frac: 0.0,
                mode: "edited",
                furniture_words: 0,
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
                copied_frac: 0.0,
                mode: "original",
                furniture_words: 0,
            });
            originals.push(i);
        }
    }
    docs
}

fn generate_syndication(params: &GenParams, bases: &[String]) -> Vec<GenDoc> {
    let mut rng = Rng(SplitMix64::new(params.seed));
    let vocab = Vocabulary::new(&mut rng);
    let (sources, locals) = bases.split_at(bases.len() / 2);
    let furniture: Vec<OutletFurniture> = (0..OUTLETS).map(|o| OutletFurniture::new(o, &vocab, &mut rng)).collect();
    let mut docs: Vec<GenDoc> = Vec::with_capacity(params.docs);
    let mut bodies: Vec<String> = Vec::with_capacity(params.docs);
    let mut originals: Vec<usize> = Vec::new();
    let mut hours: Vec<usize> = Vec::with_capacity(params.docs);
    for i in 0..params.docs {
        let outlet = rng.below(OUTLETS);
        let copy = !originals.is_empty() && rng.unit() < params.copy_fraction;
        let (body, copied, mode, rate, keep, story, hour, title) = if copy {
            let src = originals[rng.below(originals.len())];
            let (body, copied, mode, rate, keep) =
                syndicated_copy(&bodies[src], params.max_edit_rate, locals, &vocab, &mut rng);
            let hour = hours[src] + 1 + rng.below(MAX_COPY_DELAY_HOURS);
            (body, copied, mode, rate, keep, docs[src].story, hour, docs[src].title.clone())
        } else {
            // Real text while it lasts (never recycled: a text reappearing months later would
            // be a different kind of reuse), then generated text.
            let body = match sources.get(originals.len()) {
                Some(text) => text.clone(),
                None => vocab.article(&mut rng, params.mean_words),
            };
            let title = capitalise(&body.split_whitespace().take(8).collect::<Vec<_>>().join(" "));
            (body, 0, "original", 0.0, 1.0, originals.len() as u32, rng.below(365 * 24), title)
        };
        hours.push(hour);
        let f = &furniture[outlet];
        // A labelled teaser with another article's headline, as outlets do.
        let teaser = match docs.len() {
            0 => None,
            n => Some(format!("READ MORE: {}", docs[rng.below(n)].title)),
        };
        let mut text = f.header.join("\n");
        text.push_str("\n\n");
        text.push_str(&body);
        text.push_str("\n\n");
        let mut tail = f.footer.clone();
        if let Some(t) = teaser {
            tail.insert(0, t);
        }
        text.push_str(&tail.join("\n"));
        let body_words = count_words(&body);
        let furniture_words = count_words(&text) - body_words;
        if !copy {
            originals.push(i);
        }
        docs.push(GenDoc {
            id: format!("gen-{i:07}"),
            outlet: format!("outlet-{outlet:02}"),
            date: timestamp_for(hour),
            title,
            text: text.trim().to_string(),
            story,
            edit_rate: rate,
            kept_fraction: keep,
            copied_frac: if body_words == 0 { 0.0 } else { (copied as f64 / body_words as f64).min(1.0) },
            mode,
            furniture_words,
        });
        bodies.push(body);
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
    copied_frac: f64,
    mode: &'a str,
    furniture_words: usize,
}

/// Writes the dump as JSONL (`id, outlet, date, title, text`) and, if asked, the labels as
/// JSONL (`id, cluster, story, edit_rate, kept_fraction, copied_frac, mode,
/// furniture_words`; `cluster` is null for an article whose story has no other article). Both files are written atomically.
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
                    copied_frac: crate::report::round(d.copied_frac),
                    mode: d.mode,
                    furniture_words: d.furniture_words,
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

/// `2024-MM-DDTHH:00:00Z` for hour `h` of the generated year.
fn timestamp_for(h: usize) -> String {
    format!("{}T{:02}:00:00Z", date_for(h / 24), h % 24)
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
    fn syndication_mix_labels_copied_shares() {
        let p = GenParams { docs: 300, syndication: true, mean_words: 300, ..GenParams::default() };
        let docs = generate(&p, None);
        assert_eq!(generate(&p, None).iter().map(|d| &d.text).collect::<Vec<_>>(), docs.iter().map(|d| &d.text).collect::<Vec<_>>());
        for mode in ["original", "edited", "truncated", "embedded", "reordered"] {
            assert!(docs.iter().any(|d| d.mode == mode), "no {mode} document");
        }
        for d in &docs {
            assert!((0.0..=1.0).contains(&d.copied_frac), "{d:?}");
            assert!(d.furniture_words > 0, "every outlet has furniture");
            match d.mode {
                "original" => assert_eq!(d.copied_frac, 0.0),
                "truncated" => assert!(d.copied_frac > 0.99, "{d:?}"),
                "embedded" => assert!((0.15..=0.75).contains(&d.copied_frac), "{d:?}"),
                _ => assert!(d.copied_frac > 0.3, "{d:?}"),
            }
        }
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
