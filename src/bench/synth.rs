//! Synthetic news dumps with planted near-duplicates and their ground truth.
//!
//! Receives generation parameters (and optionally real base texts) and hands on articles and
//! labels: each *story* is an original article, and some stories are republished by other
//! outlets as copies with word substitutions, deletions and insertions at a chosen rate, and
//! sometimes truncated. Every random choice comes from SplitMix64 seeded by the caller, so
//! the same parameters give the same dump on every machine. Used by the oracle tests, the
//! `reprint gen` command and the benchmarks; it is not part of the scan pipeline.
//!
//! Generation streams: [`Generator`] hands on one article at a time and keeps only what later
//! articles draw on (per original its headline, its date and where its text comes from; per
//! article its story), a few dozen bytes per article, and [`write_generated`] writes each
//! article as it comes, so a million-article dump takes about 100 MB, not 11 GB. A
//! generated original's text is not kept: the state of the random stream before it was
//! written is, and a copy writes it again from there. The output is byte for byte that of the
//! earlier generator, which kept every article in memory (the unit tests compare the two).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::output::report::write_atomic;

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
/// Plain mix: a copy appears on the day of its original or up to this many days later.
const PLAIN_MAX_COPY_DELAY_DAYS: usize = 2;
/// The year every article is dated in.
const YEAR: i32 = 2024;
/// Days in [`YEAR`] (a leap year).
const YEAR_DAYS: usize = 366;
/// Bytes per generated word with its space, to size text buffers once (pseudo-words have 2.5
/// syllables of about 2.8 letters on average).
const AVERAGE_WORD_BYTES: usize = 8;
/// Bytes of an outlet's header, teaser and footer lines around a body, to size an article's
/// buffer once (the longest footer line is about 110 bytes, a teaser about 70).
const FURNITURE_BYTES: usize = 256;
/// Mean length in words of a generated article that local text is taken from.
const LOCAL_ARTICLE_WORDS: usize = 200;

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
    /// A mass of one outlet's recurring notice instead of news: every article is the same
    /// frame with a different amount, rate and weekday (see [`notice_text`]), dated over
    /// [`NOTICE_SPAN_DAYS`] days. Overrides the other mixes.
    pub notices: bool,
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
            notices: false,
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

/// The random stream: SplitMix64, the sequence of [`crate::sketch::minhash::SplitMix64`], with its
/// state in reach. SplitMix64's state after `n` draws is the seed plus `n` times a constant,
/// so draws whose values do not matter (the unused rest of a generated local article) are
/// skipped in one addition, leaving the stream exactly where drawing them would.
#[derive(Clone)]
struct Rng {
    state: u64,
}

/// SplitMix64's increment per draw (the golden ratio in 64-bit fixed point).
const SPLITMIX_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

impl Rng {
    fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(SPLITMIX_GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Moves on as `n` draws would.
    fn skip(&mut self, n: usize) {
        self.state = self.state.wrapping_add(SPLITMIX_GAMMA.wrapping_mul(n as u64));
    }

    fn unit(&mut self) -> f64 {
        unit_of(self.next_u64())
    }

    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
}

/// A draw as a number in `[0, 1)`: its top 53 bits.
fn unit_of(draw: u64) -> f64 {
    (draw >> 11) as f64 / (1u64 << 53) as f64
}

/// The built-in vocabulary: pronounceable pseudo-words and a Zipf sampling table.
struct Vocabulary {
    words: Vec<String>,
    /// The words again, each in a fixed-size slot with its length, so that writing one is a
    /// fixed-size copy rather than a call to `memcpy` (most of the cost of writing text).
    slots: Vec<([u8; WORD_SLOT], u8)>,
    cumulative: Vec<f64>,
    /// `guide[b]`: the first word whose cumulative share reaches `b / 2^GUIDE_BITS`, so a draw
    /// in bucket `b` is one of the words `guide[b]..=guide[b + 1]` (a few at most) and the
    /// binary search over all words shrinks to those.
    guide: Vec<u32>,
}

/// Top bits of a draw that pick its bucket in [`Vocabulary::guide`]: 65,536 buckets hold at
/// most a few of the rarest words each (a rank-20,000 word has a share of 5e-6, a bucket
/// 1.5e-5), and the table (256 KiB) stays in cache.
const GUIDE_BITS: u32 = 16;
/// Bytes of the longest pseudo-word: four syllables of a two-letter onset and a two-letter
/// vowel.
const WORD_SLOT: usize = 16;

impl Vocabulary {
    fn new(rng: &mut Rng) -> Self {
        const ONSETS: &[&str] =
            &["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "st", "tr", "pl"];
        const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou", "ea"];
        let mut words = Vec::with_capacity(VOCABULARY_SIZE);
        let mut seen = std::collections::HashSet::new();
        while words.len() < VOCABULARY_SIZE {
            let syllables = 1 + rng.below(4);
            let w: String = (0..syllables)
                .map(|_| format!("{}{}", ONSETS[rng.below(ONSETS.len())], VOWELS[rng.below(VOWELS.len())]))
                .collect();
            if seen.insert(w.clone()) {
                assert!(w.len() <= WORD_SLOT, "a pseudo-word fits its slot");
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
        let cumulative: Vec<f64> = cumulative.into_iter().map(|c| c / total).collect();
        let buckets = 1usize << GUIDE_BITS;
        let guide =
            (0..=buckets).map(|b| cumulative.partition_point(|&c| c < b as f64 / buckets as f64) as u32).collect();
        let slots = words
            .iter()
            .map(|w| {
                let mut slot = [0; WORD_SLOT];
                slot[..w.len()].copy_from_slice(w.as_bytes());
                (slot, w.len() as u8)
            })
            .collect();
        Vocabulary { words, slots, cumulative, guide }
    }

    /// The word of the next draw: the first whose cumulative share reaches the draw's unit
    /// value.
    fn word(&self, rng: &mut Rng) -> &str {
        &self.words[self.index(rng)]
    }

    /// The index in `words` of the next draw's word.
    fn index(&self, rng: &mut Rng) -> usize {
        let draw = rng.next_u64();
        let u = unit_of(draw);
        // The bucket of `u` (its top GUIDE_BITS bits), exactly: every word before
        // guide[bucket] has a share below the bucket's start, so below `u`.
        let bucket = (draw >> (64 - GUIDE_BITS)) as usize;
        let (mut i, hi) = (self.guide[bucket] as usize, self.guide[bucket + 1] as usize);
        // A few words at most: a linear scan beats a binary search.
        while i < hi && self.cumulative[i] < u {
            i += 1;
        }
        i.min(self.words.len() - 1)
    }

    /// An article of about `mean_words` words: sentences of 8 to 25 words, a paragraph break
    /// after about one in five.
    fn article(&self, rng: &mut Rng, mean_words: usize) -> String {
        let mut out = Vec::with_capacity(mean_words * 3 / 2 * AVERAGE_WORD_BYTES);
        self.article_words(rng, mean_words, usize::MAX, &mut out, &mut true);
        into_text(out)
    }

    /// The first `limit` space-separated pieces of the article [`Vocabulary::article`] would
    /// write, appended to `out` with [`push_joined`]; returns how many. The rest of the
    /// article is not written, but the random stream moves on as if it were.
    ///
    /// The article is its pieces joined by spaces: a sentence's words with a full stop on the
    /// last, and a paragraph break (`\n\n`) before the first word of a sentence that starts
    /// one (the break after the last sentence is drawn and trimmed away).
    fn article_words(
        &self,
        rng: &mut Rng,
        mean_words: usize,
        limit: usize,
        out: &mut Vec<u8>,
        first: &mut bool,
    ) -> usize {
        let target = mean_words / 2 + rng.below(mean_words + 1);
        let mut n = 0;
        let mut written = 0;
        let mut paragraph = false;
        while n < target {
            let sentence_len = 8 + rng.below(18);
            let shown = sentence_len.min(limit - written);
            for k in 0..shown {
                let (slot, len) = &self.slots[self.index(rng)];
                if !std::mem::take(first) {
                    out.push(b' ');
                }
                if k == 0 && paragraph {
                    out.extend_from_slice(b"\n\n");
                }
                // The whole slot, then back to the word's length: a fixed-size copy.
                let start = out.len();
                out.extend_from_slice(slot);
                out.truncate(start + *len as usize);
                if k == 0 {
                    // Pseudo-words are ASCII lower case, where this is `char::to_uppercase`.
                    out[start] = out[start].to_ascii_uppercase();
                }
                if k + 1 == sentence_len {
                    out.push(b'.');
                }
            }
            rng.skip(sentence_len - shown);
            written += shown;
            n += sentence_len;
            paragraph = rng.below(5) == 0;
        }
        written
    }
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Appends `piece` to `out` after a space unless it is the first piece: `join(" ")` without
/// the vector of pieces (empty pieces still get their space, as with `join`).
fn push_joined(out: &mut Vec<u8>, first: &mut bool, piece: &str) {
    if !std::mem::take(first) {
        out.push(b' ');
    }
    out.extend_from_slice(piece.as_bytes());
}

/// Text assembled from whole pieces of UTF-8 text and ASCII.
fn into_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("whole pieces of UTF-8 text joined by ASCII are UTF-8")
}

/// Applies word edits at `rate` (a third each substitutions, deletions, insertions) and keeps
/// the first `keep` share of the words.
fn edit(text: &str, rate: f64, keep: f64, vocab: &Vocabulary, rng: &mut Rng) -> String {
    edit_counted(text, rate, keep, vocab, rng).0
}

/// [`edit`], also returning the words it wrote that are not from `text`.
///
/// The pieces are `text` split at single spaces, and the copy is the edited pieces joined by
/// single spaces again, so the unchanged pieces between two edits are copied as one slice of
/// `text`, and only an edited piece is looked for.
fn edit_counted(text: &str, rate: f64, keep: f64, vocab: &Vocabulary, rng: &mut Rng) -> (String, usize) {
    let bytes = text.as_bytes();
    let total = bytes.iter().filter(|&&b| b == b' ').count() + 1;
    let kept = ((total as f64 * keep).ceil() as usize).clamp(1, total);
    // The end of the kept pieces.
    let kept_end = if kept == total { text.len() } else { nth_space(bytes, 0, kept).unwrap_or(text.len()) };
    // One draw per piece, whatever the rate: the random stream must not depend on it.
    if rate.is_nan() || rate <= 0.0 {
        // No draw is below the rate: the copy is the kept pieces, and the draws are skipped.
        rng.skip(kept);
        return (text[..kept_end].to_string(), 0);
    }
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    let mut first = true;
    let mut new_words = 0;
    // The first piece not written yet, and where it starts.
    let (mut pending, mut pending_start) = (0, 0);
    for piece in 0..kept {
        if rng.unit() >= rate {
            continue;
        }
        let start = match piece - pending {
            0 => pending_start,
            n => nth_space(bytes, pending_start, n).map_or(text.len(), |i| i + 1),
        };
        if piece > pending {
            push_joined(&mut out, &mut first, &text[pending_start..start - 1]);
        }
        let end = nth_space(bytes, start, 1).unwrap_or(text.len());
        match rng.below(3) {
            0 => {
                push_joined(&mut out, &mut first, vocab.word(rng));
                new_words += 1;
            }
            1 => {}
            _ => {
                push_joined(&mut out, &mut first, &text[start..end]);
                push_joined(&mut out, &mut first, vocab.word(rng));
                new_words += 1;
            }
        }
        (pending, pending_start) = (piece + 1, end + 1);
    }
    if pending < kept {
        push_joined(&mut out, &mut first, &text[pending_start..kept_end]);
    }
    (into_text(out), new_words)
}

/// Where the `n`th space (`n` at least 1) at or after `from` is.
fn nth_space(bytes: &[u8], from: usize, n: usize) -> Option<usize> {
    let mut left = n;
    for (i, &b) in bytes[from..].iter().enumerate() {
        if b == b' ' {
            left -= 1;
            if left == 0 {
                return Some(from + i);
            }
        }
    }
    None
}

/// Words as reprint counts them ([`crate::text::normalize::normalized_words`]), without building
/// them: ASCII text, which is all generated text and most real base text, is counted by
/// [`ascii_word_count`]; other text takes the general path.
fn count_words(text: &str) -> usize {
    if text.is_ascii() {
        ascii_word_count(text.as_bytes())
    } else {
        crate::text::normalize::normalized_words(text).len()
    }
}

/// UAX #29 word-break classes of ASCII bytes (ASCII has no Extend, Format, ZWJ, Hebrew,
/// Katakana or regional-indicator characters; the rest of ASCII always breaks). ALetter.
fn is_letter(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26
}

/// Numeric.
fn is_digit(b: u8) -> bool {
    b.wrapping_sub(b'0') < 10
}

/// ALetter, Numeric or ExtendNumLet (`_`): neighbours among these never break (WB5, WB8-WB10,
/// WB13a-b).
fn is_word(b: u8) -> bool {
    is_letter(b) | is_digit(b) | (b == b'_')
}

/// MidLetter `:`, MidNumLet `.` or Single_Quote `'`: joins a letter to a letter (WB6-WB7).
fn joins_letters(b: u8) -> bool {
    (b == b':') | (b == b'.') | (b == b'\'')
}

/// MidNum `,` `;`, MidNumLet `.` or Single_Quote `'`: joins a digit to a digit (WB11-WB12).
fn joins_digits(b: u8) -> bool {
    (b == b',') | (b == b';') | (b == b'.') | (b == b'\'')
}

/// The number of UAX #29 word segments of ASCII `text` that contain a letter or digit: runs
/// of letters, digits and underscores, joined across one `:`, `.` or `'` between letters or
/// one `,`, `;`, `.` or `'` between digits, less the runs of underscores alone. Lower-casing,
/// the only normalisation of ASCII, changes no class, so this is the length of
/// [`crate::text::normalize::normalized_words`] (a unit test compares the two on every short string
/// and on random text). The runs are counted where they start, less the joins, in branch-free
/// passes the compiler vectorises, instead of segmenting and copying every word.
fn ascii_word_count(text: &[u8]) -> usize {
    let Some(&first) = text.first() else { return 0 };
    // Starts: a word byte after a byte that is not. Joins: a joining byte between two letters
    // or two digits. Both over `text[1..]` in blocks, against the byte before and after.
    let mut starts = usize::from(is_word(first));
    let mut joins = 0;
    let mut underscores = first == b'_';
    for block in (1..text.len()).step_by(COUNT_BLOCK) {
        let end = (block + COUNT_BLOCK).min(text.len());
        let (at, before) = (&text[block..end], &text[block - 1..end - 1]);
        let mut block_starts: u8 = 0;
        for (&b, &prev) in at.iter().zip(before) {
            block_starts += u8::from(is_word(b) & !is_word(prev));
            underscores |= b == b'_';
        }
        starts += usize::from(block_starts);
        // The last byte has nothing after it, so it joins nothing.
        let end = end.min(text.len() - 1);
        let (at, after) = (&text[block..end], &text[block + 1..end + 1]);
        let mut block_joins: u8 = 0;
        for ((&b, &prev), &next) in at.iter().zip(before).zip(after) {
            block_joins += u8::from(
                joins_letters(b) & is_letter(prev) & is_letter(next)
                    | joins_digits(b) & is_digit(prev) & is_digit(next),
            );
        }
        joins += usize::from(block_joins);
    }
    // A joining character has a letter or digit on both sides, so a run of underscores alone
    // is never joined to another run.
    let underscores_alone = if underscores {
        text.split(|&b| !is_word(b)).filter(|run| !run.is_empty() && run.iter().all(|&b| b == b'_')).count()
    } else {
        0
    };
    starts - joins - underscores_alone
}

/// Bytes per block of [`ascii_word_count`]: its per-block counters are single bytes (a block
/// counts at most one per byte, so fewer than 256), which lets the compiler count 16 bytes
/// at a time.
const COUNT_BLOCK: usize = 128;

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

/// Real texts that outlets' local text is taken from, each handed out at most once: two
/// unrelated copies that drew the same text would share a real passage, and a scan would
/// rightly join them, against the labels.
struct LocalTexts<'a> {
    texts: &'a [String],
    /// Indices of the texts not handed out yet (in no particular order: the draw is random).
    left: Vec<u32>,
}

impl<'a> LocalTexts<'a> {
    fn new(texts: &'a [String]) -> Self {
        let left = (0..u32::try_from(texts.len()).expect("fewer than 2^32 local texts")).collect();
        LocalTexts { texts, left }
    }

    /// A text not handed out before, drawn uniformly from those left (one draw), or `None`
    /// (no draw) once all are used.
    fn take(&mut self, rng: &mut Rng) -> Option<&'a str> {
        if self.left.is_empty() {
            return None;
        }
        let i = self.left.swap_remove(rng.below(self.left.len()));
        Some(self.texts[i as usize].as_str())
    }
}

/// The local text an outlet adds: `words` words from `locals` (real text, each text used once)
/// or, when there is none or none is left, from the vocabulary.
fn local_words(words: usize, locals: &mut LocalTexts, vocab: &Vocabulary, rng: &mut Rng) -> String {
    let mut out = Vec::new();
    let mut first = true;
    let mut n = 0;
    while n < words {
        if let Some(local) = locals.take(rng) {
            for w in local.split(' ') {
                if n >= words {
                    break;
                }
                n += count_words(w);
                push_joined(&mut out, &mut first, w);
            }
        } else {
            // Every piece of a generated article is one word; the unused rest of the article
            // is skipped, not written.
            n += vocab.article_words(rng, LOCAL_ARTICLE_WORDS, words - n, &mut out, &mut first);
        }
        push_joined(&mut out, &mut first, "\n\n");
    }
    let mut out = into_text(out);
    let end = out.trim_end().len();
    out.truncate(end);
    let start = out.len() - out.trim_start().len();
    out.drain(..start);
    out
}

/// Appends `lines` joined by line breaks.
fn push_lines<'l>(out: &mut String, lines: impl Iterator<Item = &'l str>) {
    for (k, line) in lines.enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(line);
    }
}

/// Paragraphs of a text (blank lines, or Reuters' indented lines).
fn paragraphs(text: &str) -> Vec<&str> {
    let by_blank: Vec<&str> = text.split("\n\n").filter(|p| !p.trim().is_empty()).collect();
    if by_blank.len() > 1 {
        return by_blank;
    }
    text.split("\n    ").filter(|p| !p.trim().is_empty()).collect()
}

/// Where the sentences of `text` are, in order: byte ranges that start at a non-whitespace
/// character and end just after a sentence's full stop, question or exclamation mark (with any
/// closing quotes or brackets), where whitespace follows; the last runs to the end of the text
/// less its trailing whitespace. Only whitespace lies between two ranges, so a copy that
/// writes the text between them as it is keeps the text's line breaks and indents.
///
/// Any whitespace ends a sentence, a line break included: Reuters text is hard-wrapped, so its
/// sentences end in `.\n` as often as in `. `. A full stop after a single letter (an initial),
/// after a dotted abbreviation (`U.S.`, `p.m.`) or after a title ([`TITLES`]) ends no sentence.
fn sentence_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    // The start of the sentence being read, once a non-whitespace byte is seen.
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        let Some(from) = start else {
            if !b.is_ascii_whitespace() {
                start = Some(i - 1);
            }
            continue;
        };
        if matches!(b, b'.' | b'?' | b'!') {
            while i < bytes.len() && matches!(bytes[i], b'"' | b'\'' | b')' | b']') {
                i += 1;
            }
            let at_space = i == bytes.len() || bytes[i].is_ascii_whitespace();
            if at_space && !(b == b'.' && is_abbreviation(&text[from..i])) {
                spans.push(from..i);
                start = None;
            }
        }
    }
    if let Some(from) = start {
        // Past `from`, which is not ASCII whitespace.
        spans.push(from..text.trim_end_matches(|c: char| c.is_ascii_whitespace()).len());
    }
    spans
}

/// Titles written with a full stop that never ends a sentence.
const TITLES: [&str; 7] = ["Mr", "Mrs", "Ms", "Dr", "Jr", "Sr", "St"];

/// Whether the last word of `sentence` (a sentence so far, up to and with a full stop and
/// closing quotes or brackets) makes the full stop an abbreviation's: a single letter, a
/// title, or short runs of letters joined by full stops (`U.S`, `e.g`, `p.m`).
fn is_abbreviation(sentence: &str) -> bool {
    let word = sentence.rsplit(|c: char| c.is_ascii_whitespace()).next().unwrap_or("");
    let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    let word = word.trim_end_matches(['"', '\'', ')', ']']);
    let Some(word) = word.strip_suffix('.') else { return false };
    let letters = |w: &str| !w.is_empty() && w.chars().all(char::is_alphabetic);
    if word.contains('.') {
        word.split('.').all(|run| letters(run) && run.chars().count() <= 3)
    } else {
        (letters(word) && word.chars().count() == 1) || TITLES.contains(&word)
    }
}

/// A syndicated copy's body and how it was made.
struct SyndicatedCopy {
    text: String,
    /// Words of `text`, when counting them was part of making it.
    words: Option<usize>,
    /// Words copied from the original.
    copied: usize,
    mode: &'static str,
    /// Share of sentences rewritten (edited copies).
    rate: f64,
    /// Share of the original kept.
    keep: f64,
}

/// One syndicated copy of `original`.
fn syndicated_copy(
    original: &str,
    max_edit_rate: f64,
    locals: &mut LocalTexts,
    vocab: &Vocabulary,
    rng: &mut Rng,
) -> SyndicatedCopy {
    match rng.below(5) {
        0 | 1 => {
            // Some sentences rewritten by the outlet, a few words touched elsewhere.
            let rewrite = rng.unit() * SENTENCE_REWRITE_MAX;
            let spans = sentence_spans(original);
            let sentence_words: Vec<usize> = spans.iter().map(|r| count_words(&original[r.clone()])).collect();
            let mut rewritten: Vec<bool> = spans.iter().map(|_| rng.unit() < rewrite).collect();
            // A copy keeps at least one sentence with words as the original wrote it: a copy
            // whose every sentence was rewritten would copy nothing, and would be a copy only
            // by its label.
            if !rewritten.iter().zip(&sentence_words).any(|(&r, &w)| !r && w > 0) {
                let candidates: Vec<usize> = (0..spans.len()).filter(|&k| sentence_words[k] > 0).collect();
                if !candidates.is_empty() {
                    rewritten[candidates[rng.below(candidates.len())]] = false;
                }
            }
            let mut new_words = 0;
            let mut sentences = String::with_capacity(original.len() + original.len() / 2);
            // The end of the last sentence written: the whitespace after it is written as it is.
            let mut at = 0;
            for (k, span) in spans.into_iter().enumerate() {
                sentences.push_str(&original[at..span.start]);
                if rewritten[k] {
                    let local = local_words(sentence_words[k].max(3), locals, vocab, rng).replace("\n\n", " ");
                    new_words += count_words(&local);
                    sentences.push_str(&local);
                } else {
                    sentences.push_str(&original[span.clone()]);
                }
                at = span.end;
            }
            sentences.push_str(&original[at..]);
            let rate = rng.unit() * WORD_EDIT_MAX.min(max_edit_rate.max(0.0));
            let (text, edited) = edit_counted(&sentences, rate, 1.0, vocab, rng);
            let words = count_words(&text);
            let copied = words.saturating_sub(new_words + edited);
            SyndicatedCopy { text, words: Some(words), copied, mode: "edited", rate: rewrite, keep: 1.0 }
        }
        2 => {
            let keep = 0.3 + 0.6 * rng.unit();
            let (text, new_words) = edit_counted(original, 0.0, keep, vocab, rng);
            let words = count_words(&text);
            SyndicatedCopy {
                text,
                words: Some(words),
                copied: words.saturating_sub(new_words),
                mode: "truncated",
                rate: 0.0,
                keep,
            }
        }
        3 => {
            let keep = 0.3 + 0.7 * rng.unit();
            let (excerpt, _) = edit_counted(original, 0.0, keep, vocab, rng);
            let share = 0.2 + 0.5 * rng.unit();
            let copied = count_words(&excerpt);
            let local = local_words((copied as f64 * (1.0 - share) / share) as usize, locals, vocab, rng);
            // The last space before the middle byte (moved back to a character boundary: real
            // local text need not be ASCII).
            let mut middle = local.len() / 2;
            while !local.is_char_boundary(middle) {
                middle -= 1;
            }
            let cut = local[..middle].rfind(' ').unwrap_or(0);
            let text = format!("{}\n\n{excerpt}\n\n{}", &local[..cut], &local[cut..]);
            SyndicatedCopy { text, words: None, copied, mode: "embedded", rate: 0.0, keep }
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
            SyndicatedCopy { text, words: None, copied, mode: "reordered", rate: 0.0, keep: 1.0 }
        }
    }
}

/// Generates a dump. With `bases`, originals are drawn from those texts in order (real news
/// text); otherwise they are written from the built-in vocabulary.
///
/// With [`GenParams::syndication`], the second half of `bases` is kept for local text (what
/// outlets write around an excerpt, new ledes, rewritten sentences), so that it never appears
/// as an original. Each local text is used at most once, so no two unrelated articles share
/// one; once all are used, local text is written from the vocabulary.
///
/// Holds the whole dump in memory; [`write_generated`] streams the same articles to files.
pub fn generate(params: &GenParams, bases: Option<&[String]>) -> Vec<GenDoc> {
    Generator::new(params, bases).collect()
}

/// Where an original's text comes from.
enum OriginalText {
    /// `bases[i]`.
    Base(usize),
    /// Written by [`Vocabulary::article`] from this state of the random stream.
    Generated(Rng),
}

/// What copies need of an original: its text, and its day (plain) or hour (syndication).
struct Original {
    text: OriginalText,
    time: usize,
}

/// Headlines of the stories, end to end in one string (a `String` each would double the
/// memory of a million-article dump's headlines).
#[derive(Default)]
struct Titles {
    text: String,
    ends: Vec<usize>,
}

impl Titles {
    fn push(&mut self, title: &str) {
        self.text.push_str(title);
        self.ends.push(self.text.len());
    }

    fn get(&self, story: usize) -> &str {
        let start = if story == 0 { 0 } else { self.ends[story - 1] };
        &self.text[start..self.ends[story]]
    }
}

/// The articles of a dump, one at a time and in order ([`generate`] collects them).
///
/// Keeps per original a few machine words (where its text comes from, its time, its headline)
/// and per article its story, so memory grows by tens of bytes per article, not by its text.
pub struct Generator<'a> {
    docs: usize,
    copy_fraction: f64,
    max_edit_rate: f64,
    truncate_fraction: f64,
    mean_words: usize,
    syndication: bool,
    notices: bool,
    /// Texts of originals: all of `bases` in plain mode, the first half in syndication mode.
    sources: &'a [String],
    /// Local texts (syndication mode: the second half of `bases`), each used at most once.
    locals: LocalTexts<'a>,
    rng: Rng,
    vocab: Vocabulary,
    furniture: Vec<OutletFurniture>,
    originals: Vec<Original>,
    titles: Titles,
    /// The story of every article so far (syndication teasers quote their headlines).
    stories: Vec<u32>,
    /// Articles handed on so far.
    emitted: usize,
}

impl<'a> Generator<'a> {
    /// A generator of the dump [`generate`] returns for the same arguments.
    pub fn new(params: &GenParams, bases: Option<&'a [String]>) -> Self {
        let mut rng = Rng::new(params.seed);
        let vocab = Vocabulary::new(&mut rng);
        let bases = bases.unwrap_or(&[]);
        let (sources, locals, furniture) = if params.syndication {
            let (sources, locals) = bases.split_at(bases.len() / 2);
            let furniture = (0..OUTLETS).map(|o| OutletFurniture::new(o, &vocab, &mut rng)).collect();
            (sources, locals, furniture)
        } else {
            (bases, &[][..], Vec::new())
        };
        Generator {
            docs: params.docs,
            copy_fraction: params.copy_fraction,
            max_edit_rate: params.max_edit_rate,
            truncate_fraction: params.truncate_fraction,
            mean_words: params.mean_words,
            syndication: params.syndication,
            notices: params.notices,
            sources,
            locals: LocalTexts::new(locals),
            rng,
            vocab,
            furniture,
            originals: Vec::new(),
            titles: Titles::default(),
            stories: Vec::new(),
            emitted: 0,
        }
    }

    /// The text of original `story`, written again if it was generated.
    fn original_text(&self, story: usize) -> Cow<'a, str> {
        match &self.originals[story].text {
            OriginalText::Base(i) => Cow::Borrowed(self.sources[*i].as_str()),
            OriginalText::Generated(state) => Cow::Owned(self.vocab.article(&mut state.clone(), self.mean_words)),
        }
    }

    /// A new original's text: `text` is where it comes from.
    fn new_original_text(&mut self, text: Option<usize>) -> (OriginalText, Cow<'a, str>) {
        match text {
            Some(i) => (OriginalText::Base(i), Cow::Borrowed(self.sources[i].as_str())),
            None => {
                let state = self.rng.clone();
                let body = self.vocab.article(&mut self.rng, self.mean_words);
                (OriginalText::Generated(state), Cow::Owned(body))
            }
        }
    }

    /// Records a new original and its headline (from `body`); returns its story.
    fn push_original(&mut self, text: OriginalText, body: &str, time: usize) -> u32 {
        let title = capitalise(&body.split_whitespace().take(8).collect::<Vec<_>>().join(" "));
        self.titles.push(&title);
        self.originals.push(Original { text, time });
        (self.originals.len() - 1) as u32
    }

    /// Article `i` of a notices dump: the first is the `original`, every later one a `template`
    /// copy of it (story 0) whose figures differ.
    fn notice(&mut self, i: usize) -> GenDoc {
        let rng = &mut self.rng;
        let amount = format!("{}.{}", 100 + rng.below(900), rng.below(10));
        let rate = format!("{}.{:02}", 3 + rng.below(4), rng.below(100));
        let weekday = WEEKDAYS[rng.below(WEEKDAYS.len())];
        let text = notice_text(&amount, &rate, weekday);
        // The share of words the frame repeats: all but the three figures.
        let words = text.split_whitespace().count();
        let copied_frac = if i == 0 { 0.0 } else { (words - 3) as f64 / words as f64 };
        GenDoc {
            id: format!("gen-{i:07}"),
            outlet: NOTICE_OUTLET.to_string(),
            date: date_for(i * NOTICE_SPAN_DAYS / self.docs.max(1)),
            title: "Reservoir levels and water tariff: daily notice".to_string(),
            text,
            story: 0,
            edit_rate: 0.0,
            kept_fraction: 1.0,
            copied_frac,
            mode: if i == 0 { "original" } else { "template" },
            furniture_words: 0,
        }
    }

    fn plain(&mut self, i: usize) -> GenDoc {
        let rng = &mut self.rng;
        let outlet = format!("outlet-{:02}", rng.below(OUTLETS));
        let copy = !self.originals.is_empty() && rng.unit() < self.copy_fraction;
        if copy {
            let src = rng.below(self.originals.len());
            let rate = rng.unit() * self.max_edit_rate;
            let keep = if rng.unit() < self.truncate_fraction { 0.5 + 0.5 * rng.unit() } else { 1.0 };
            let original = self.original_text(src);
            let text = edit(&original, rate, keep, &self.vocab, &mut self.rng);
            let day = self.originals[src].time + self.rng.below(PLAIN_MAX_COPY_DELAY_DAYS + 1);
            GenDoc {
                id: format!("gen-{i:07}"),
                outlet,
                date: date_for(day),
                title: self.titles.get(src).to_string(),
                text,
                story: src as u32,
                edit_rate: rate,
                kept_fraction: keep,
                copied_frac: 0.0,
                mode: "edited",
                furniture_words: 0,
            }
        } else {
            let base = (!self.sources.is_empty()).then(|| self.originals.len() % self.sources.len());
            let (source, text) = self.new_original_text(base);
            // Early enough that its copies are dated in the same year.
            let day = self.rng.below(YEAR_DAYS - PLAIN_MAX_COPY_DELAY_DAYS);
            let story = self.push_original(source, &text, day);
            GenDoc {
                id: format!("gen-{i:07}"),
                outlet,
                date: date_for(day),
                title: self.titles.get(story as usize).to_string(),
                text: text.into_owned(),
                story,
                edit_rate: 0.0,
                kept_fraction: 1.0,
                copied_frac: 0.0,
                mode: "original",
                furniture_words: 0,
            }
        }
    }

    fn syndicated(&mut self, i: usize) -> GenDoc {
        let outlet = self.rng.below(OUTLETS);
        let copy = !self.originals.is_empty() && self.rng.unit() < self.copy_fraction;
        let (body, body_words, copied, mode, rate, keep, story, hour) = if copy {
            let src = self.rng.below(self.originals.len());
            let original = self.original_text(src);
            let c = syndicated_copy(&original, self.max_edit_rate, &mut self.locals, &self.vocab, &mut self.rng);
            let hour = self.originals[src].time + 1 + self.rng.below(MAX_COPY_DELAY_HOURS);
            (Cow::Owned(c.text), c.words, c.copied, c.mode, c.rate, c.keep, src as u32, hour)
        } else {
            // Real text while it lasts (never recycled: a text reappearing months later would
            // be a different kind of reuse), then generated text.
            let base = (self.originals.len() < self.sources.len()).then_some(self.originals.len());
            let (source, body) = self.new_original_text(base);
            // Early enough that its copies are dated in the same year.
            let hour = self.rng.below(YEAR_DAYS * 24 - MAX_COPY_DELAY_HOURS);
            let story = self.push_original(source, &body, hour);
            (body, None, 0, "original", 0.0, 1.0, story, hour)
        };
        let f = &self.furniture[outlet];
        // A labelled teaser with another article's headline, as outlets do.
        let teaser = match self.stories.len() {
            0 => None,
            n => Some(self.titles.get(self.stories[self.rng.below(n)] as usize)),
        };
        self.stories.push(story);
        // Header lines, the body, then the teaser and footer lines: each part's lines joined by
        // line breaks, the parts by blank lines.
        let mut text = String::with_capacity(body.len() + FURNITURE_BYTES);
        push_lines(&mut text, f.header.iter().map(String::as_str));
        let header_end = text.len();
        text.push_str("\n\n");
        text.push_str(&body);
        text.push_str("\n\n");
        let tail_start = text.len();
        let teaser = teaser.map(|t| format!("READ MORE: {t}"));
        push_lines(&mut text, teaser.as_deref().into_iter().chain(f.footer.iter().map(String::as_str)));
        let body_words = body_words.unwrap_or_else(|| count_words(&body));
        // ASCII words never run across the blank lines around the body, so the furniture is
        // counted on its own.
        let furniture_words = if text.is_ascii() {
            ascii_word_count(&text.as_bytes()[..header_end]) + ascii_word_count(&text.as_bytes()[tail_start..])
        } else {
            count_words(&text) - body_words
        };
        let end = text.trim_end().len();
        text.truncate(end);
        let start = text.len() - text.trim_start().len();
        text.drain(..start);
        GenDoc {
            id: format!("gen-{i:07}"),
            outlet: format!("outlet-{outlet:02}"),
            date: timestamp_for(hour),
            title: self.titles.get(story as usize).to_string(),
            text,
            story,
            edit_rate: rate,
            kept_fraction: keep,
            copied_frac: if body_words == 0 { 0.0 } else { (copied as f64 / body_words as f64).min(1.0) },
            mode,
            furniture_words,
        }
    }
}

impl Iterator for Generator<'_> {
    type Item = GenDoc;

    fn next(&mut self) -> Option<GenDoc> {
        let i = self.emitted;
        if i >= self.docs {
            return None;
        }
        self.emitted += 1;
        Some(if self.notices {
            self.notice(i)
        } else if self.syndication {
            self.syndicated(i)
        } else {
            self.plain(i)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.docs - self.emitted;
        (left, Some(left))
    }
}

/// Modes of [`GenDoc::mode`], so a label keeps one byte for its mode.
const MODES: [&str; 6] = ["original", "edited", "truncated", "embedded", "reordered", "template"];

/// What a label line needs of an article, kept while the dump streams out (whether its story
/// has other articles is known only at the end).
struct Truth {
    story: u32,
    mode: u8,
    furniture_words: usize,
    edit_rate: f64,
    kept_fraction: f64,
    copied_frac: f64,
}

impl Truth {
    fn of(d: &GenDoc) -> Self {
        Truth {
            story: d.story,
            mode: MODES.iter().position(|&m| m == d.mode).expect("a known mode") as u8,
            furniture_words: d.furniture_words,
            edit_rate: d.edit_rate,
            kept_fraction: d.kept_fraction,
            copied_frac: d.copied_frac,
        }
    }
}

/// A label line: the ground truth for one generated article.
#[derive(Debug, Serialize)]
struct LabelLine<'a> {
    id: &'a str,
    /// The story id when the story has two or more articles, else null (a unique article).
    cluster: Option<u32>,
    /// The story id; null for a copy with nothing copied (a story of its own).
    story: Option<u32>,
    edit_rate: f64,
    kept_fraction: f64,
    copied_frac: f64,
    mode: &'a str,
    /// What `reprint eval` scores the article's pairs as: `unique`, `original`, `copy`, or
    /// `partial` (a copy with less than [`crate::jobs::eval::PARTIAL_BELOW`] of its body copied,
    /// such as an excerpt embedded in local text).
    level: &'a str,
    furniture_words: usize,
}

/// One dump line (also the story benchmark's).
#[derive(Serialize)]
pub(crate) struct DumpLine<'a> {
    pub(crate) id: &'a str,
    pub(crate) outlet: &'a str,
    pub(crate) date: &'a str,
    pub(crate) title: &'a str,
    pub(crate) text: &'a str,
}

fn write_dump_line(w: &mut impl Write, d: &GenDoc) -> std::io::Result<()> {
    let line = DumpLine { id: &d.id, outlet: &d.outlet, date: &d.date, title: &d.title, text: &d.text };
    serde_json::to_writer(&mut *w, &line)?;
    w.write_all(b"\n")
}

/// Writes the label lines of `truth` atomically; `id` gives article `i`'s id.
///
/// A copy's level follows its copied share as `reprint eval` derives it for labels without a
/// level ([`crate::jobs::eval::PARTIAL_BELOW`]), so that the two agree: a copy with less than that
/// share of its body copied is a partial excerpt, whatever made it (an excerpt inside local
/// text, a new lede over a short original, rewritten sentences). A copy with nothing copied
/// (which the generator avoids, but an original text without words would give) is not a copy:
/// it is labelled a unique article of no story.
fn write_labels<'d>(labels: &Path, truth: &[Truth], id: impl Fn(usize) -> Cow<'d, str>) -> Result<()> {
    let round = crate::output::report::round;
    // Whether an article is part of its story: an original, or a copy with something copied.
    let in_story = |t: &Truth| MODES[t.mode as usize] == "original" || round(t.copied_frac) > 0.0;
    let mut story_size: HashMap<u32, usize> = HashMap::new();
    for t in truth.iter().filter(|t| in_story(t)) {
        *story_size.entry(t.story).or_insert(0) += 1;
    }
    write_atomic(labels, |w| {
        for (i, t) in truth.iter().enumerate() {
            let story = in_story(t).then_some(t.story);
            let cluster = story.filter(|s| story_size[s] > 1);
            let mode = MODES[t.mode as usize];
            let copied_frac = round(t.copied_frac);
            let level = match (cluster, mode) {
                (None, _) => "unique",
                (Some(_), "original") => "original",
                (Some(_), _) if copied_frac < crate::jobs::eval::PARTIAL_BELOW => "partial",
                (Some(_), _) => "copy",
            };
            let line = LabelLine {
                id: &id(i),
                cluster,
                story,
                edit_rate: round(t.edit_rate),
                kept_fraction: round(t.kept_fraction),
                copied_frac,
                mode,
                level,
                furniture_words: t.furniture_words,
            };
            serde_json::to_writer(&mut *w, &line)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}

/// Writes the dump as JSONL (`id, outlet, date, title, text`) and, if asked, the labels as
/// JSONL (`id, cluster, story, edit_rate, kept_fraction, copied_frac, mode, level,
/// furniture_words`; `cluster` is null for an article whose story has no other article). Both
/// files are written atomically.
pub fn write_dump(docs: &[GenDoc], dump: &Path, labels: Option<&Path>) -> Result<()> {
    write_atomic(dump, |w| docs.iter().try_for_each(|d| write_dump_line(w, d)))?;
    if let Some(labels) = labels {
        write_labels(labels, &docs.iter().map(Truth::of).collect::<Vec<_>>(), |i| Cow::Borrowed(&docs[i].id))?;
    }
    Ok(())
}

/// [`generate`] and [`write_dump`] in one pass, streaming: articles are written as they are
/// generated and only a few words per article are kept (for the labels), so memory does not
/// grow with the text of the dump. Returns the number of articles written.
///
/// With more than one thread in the current rayon pool, a second thread serialises and
/// writes the articles while the first generates them (the random stream is one sequence, so
/// generation itself stays on one thread); the bytes are the same either way.
pub fn write_generated(
    params: &GenParams,
    bases: Option<&[String]>,
    dump: &Path,
    labels: Option<&Path>,
) -> Result<usize> {
    let mut truth = Vec::new();
    let mut written = 0;
    write_atomic(dump, |w| {
        let docs = Generator::new(params, bases).inspect(|d| {
            if labels.is_some() {
                truth.push(Truth::of(d));
            }
        });
        written = if rayon::current_num_threads() > 1 { write_docs_beside(w, docs)? } else { write_docs(w, docs)? };
        Ok(())
    })?;
    if let Some(labels) = labels {
        write_labels(labels, &truth, |i| Cow::Owned(format!("gen-{i:07}")))?;
    }
    Ok(written)
}

/// Articles handed from the generating thread to the writing thread at a time: enough to make
/// the hand-over cheap, few enough that the queue holds only a few megabytes of text.
const WRITE_BATCH: usize = 64;
/// Batches waiting for the writing thread before the generating thread waits for it.
const WRITE_QUEUE_BATCHES: usize = 4;
/// Bytes of dump written per system call: a gigabyte dump in a thousand calls, not in the
/// hundred thousand of the default buffer.
const WRITE_BUFFER_BYTES: usize = 1 << 20;

/// Writes `docs` as dump lines; returns how many.
fn write_docs(w: &mut impl Write, docs: impl Iterator<Item = GenDoc>) -> std::io::Result<usize> {
    // Large writes pass through the file's own small buffer: a system call per megabyte.
    let mut w = std::io::BufWriter::with_capacity(WRITE_BUFFER_BYTES, w);
    let mut written = 0;
    for d in docs {
        write_dump_line(&mut w, &d)?;
        written += 1;
    }
    w.flush()?;
    Ok(written)
}

/// [`write_docs`] on a second thread, fed batches of articles as they are generated on this
/// one. The batches come back to be emptied here: the articles are freed by the thread that
/// allocated them, which the allocator does without contention.
fn write_docs_beside(w: &mut (impl Write + Send), docs: impl Iterator<Item = GenDoc>) -> std::io::Result<usize> {
    std::thread::scope(|scope| {
        let (full, to_write) = std::sync::mpsc::sync_channel::<Vec<GenDoc>>(WRITE_QUEUE_BATCHES);
        let (written_back, empty) = std::sync::mpsc::channel::<Vec<GenDoc>>();
        let writer = scope.spawn(move || {
            let mut w = std::io::BufWriter::with_capacity(WRITE_BUFFER_BYTES, w);
            let mut written = 0;
            for batch in to_write {
                for d in &batch {
                    write_dump_line(&mut w, d)?;
                }
                written += batch.len();
                // Back to be freed on the generating thread; the receiver lives until this
                // thread is joined, so the send does not fail.
                let _ = written_back.send(batch);
            }
            w.flush()?;
            Ok(written)
        });
        let mut batch = Vec::with_capacity(WRITE_BATCH);
        for d in docs {
            batch.push(d);
            if batch.len() == WRITE_BATCH {
                let next = empty.try_recv().map_or_else(
                    |_| Vec::with_capacity(WRITE_BATCH),
                    |mut b| {
                        b.clear();
                        b
                    },
                );
                // A failed send means the writer stopped on an error, which its join gives.
                if full.send(std::mem::replace(&mut batch, next)).is_err() {
                    break;
                }
            }
        }
        // As above: an error is the writer's, from its join.
        let _ = full.send(batch);
        drop(full);
        writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// `YYYY-MM-DD` for day `day` of the generated year (day 0 is 2024-01-01): a real calendar
/// date, later for a later day. The generator keeps every article within the year's
/// [`YEAR_DAYS`] days; a later day would be a date of 2025.
/// The outlet publishing every notice of [`GenParams::notices`].
const NOTICE_OUTLET: &str = "citywater.example";
/// Days the notices of [`GenParams::notices`] are spread over: a month of a crawl.
pub const NOTICE_SPAN_DAYS: usize = 30;
const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// One recurring notice: a fixed frame of about 80 words around an amount, a rate and a
/// weekday, the kind of page a scraper collects every day (a utility's or a central bank's
/// daily figures). Two notices share most of their 5-word shingles (Jaccard about 0.6 to 0.8).
pub fn notice_text(amount: &str, rate: &str, weekday: &str) -> String {
    format!(
        "The city water authority said on {weekday} that its reservoirs held {amount} million cubic \
         metres of water, and that the household tariff stays at {rate} cents per cubic metre under \
         the schedule approved by the council last spring. Residents are reminded that garden \
         watering is allowed only before eight in the morning and after seven in the evening, and \
         that leaks on public land should be reported to the authority's customer line. The next \
         notice will be published tomorrow morning."
    )
}

fn date_for(day: usize) -> String {
    let first = chrono::NaiveDate::from_yo_opt(YEAR, 1).expect("1 January is a date");
    // `NaiveDate`'s display is `YYYY-MM-DD`.
    first.checked_add_days(chrono::Days::new(day as u64)).expect("a day within chrono's range of dates").to_string()
}

/// `YYYY-MM-DDTHH:00:00Z` for hour `h` of the generated year.
fn timestamp_for(h: usize) -> String {
    format!("{}T{:02}:00:00Z", date_for(h / 24), h % 24)
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
    fn notices_share_one_frame_and_differ_in_their_figures() {
        let p = GenParams { docs: 60, notices: true, seed: 9, ..GenParams::default() };
        let docs = generate(&p, None);
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, generate(&p, None).iter().map(|d| d.text.as_str()).collect::<Vec<_>>(), "same seed, same dump");
        let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let first = words(texts[0]);
        for t in &texts[1..] {
            let w = words(t);
            assert_eq!(w.len(), first.len());
            assert!(w.iter().zip(&first).filter(|(a, b)| a != b).count() <= 3, "{t}");
        }
        let distinct: std::collections::BTreeSet<&str> = texts.iter().copied().collect();
        assert!(distinct.len() > 55, "the figures differ: {}", distinct.len());
        assert_eq!(docs[0].date, "2024-01-01");
        assert_eq!(docs[59].date, date_for(59 * NOTICE_SPAN_DAYS / 60));
        assert!(docs.iter().all(|d| d.story == 0 && d.outlet == NOTICE_OUTLET));
    }

    #[test]
    fn syndication_mix_labels_copied_shares() {
        let p = GenParams { docs: 300, syndication: true, mean_words: 300, ..GenParams::default() };
        let docs = generate(&p, None);
        assert_eq!(
            generate(&p, None).iter().map(|d| &d.text).collect::<Vec<_>>(),
            docs.iter().map(|d| &d.text).collect::<Vec<_>>()
        );
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

    /// The generator before it streamed, word by word: the references the faster code must
    /// match draw for draw and byte for byte.
    mod reference {
        use super::*;

        pub fn word(v: &Vocabulary, rng: &mut Rng) -> String {
            let u = rng.unit();
            let i = v.cumulative.partition_point(|&c| c < u).min(v.words.len() - 1);
            v.words[i].clone()
        }

        pub fn article(v: &Vocabulary, rng: &mut Rng, mean_words: usize) -> String {
            let target = mean_words / 2 + rng.below(mean_words + 1);
            let mut out = String::new();
            let mut n = 0;
            while n < target {
                let sentence_len = 8 + rng.below(18);
                let mut sentence: Vec<String> = (0..sentence_len).map(|_| word(v, rng)).collect();
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

        pub fn edit_counted(text: &str, rate: f64, keep: f64, v: &Vocabulary, rng: &mut Rng) -> (String, usize) {
            let words: Vec<&str> = text.split(' ').collect();
            let kept = ((words.len() as f64 * keep).ceil() as usize).clamp(1, words.len());
            let mut out: Vec<String> = Vec::new();
            let mut new_words = 0;
            for w in &words[..kept] {
                if rng.unit() < rate {
                    match rng.below(3) {
                        0 => {
                            out.push(word(v, rng));
                            new_words += 1;
                        }
                        1 => {}
                        _ => {
                            out.push(w.to_string());
                            out.push(word(v, rng));
                            new_words += 1;
                        }
                    }
                } else {
                    out.push(w.to_string());
                }
            }
            (out.join(" "), new_words)
        }

        /// Local text from `left`, the local texts not used yet, each taken out as it is used.
        pub fn local_words(words: usize, left: &mut Vec<String>, v: &Vocabulary, rng: &mut Rng) -> String {
            let mut out: Vec<String> = Vec::new();
            let mut n = 0;
            while n < words {
                let piece =
                    if left.is_empty() { article(v, rng, 200) } else { left.swap_remove(rng.below(left.len())) };
                for w in piece.split(' ') {
                    if n >= words {
                        break;
                    }
                    n += crate::text::normalize::normalized_words(w).len();
                    out.push(w.to_string());
                }
                out.push("\n\n".to_string());
            }
            out.join(" ").trim().to_string()
        }
    }

    #[test]
    fn random_stream_is_splitmix64_and_skips_exactly() {
        for seed in [0, 1, 9, u64::MAX] {
            let (mut ours, mut theirs) = (Rng::new(seed), crate::sketch::minhash::SplitMix64::new(seed));
            for _ in 0..1000 {
                assert_eq!(ours.next_u64(), theirs.next_u64());
            }
            for n in [0, 1, 17, 1 << 40] {
                let (mut skipped, mut drawn) = (ours.clone(), ours.clone());
                skipped.skip(n);
                for _ in 0..n.min(1000) {
                    drawn.next_u64();
                }
                if n <= 1000 {
                    assert_eq!(skipped.next_u64(), drawn.next_u64(), "skip({n})");
                }
            }
        }
    }

    #[test]
    fn guided_word_is_the_binary_search_word() {
        let v = Vocabulary::new(&mut Rng::new(1));
        let (mut a, mut b) = (Rng::new(2), Rng::new(2));
        for _ in 0..200_000 {
            assert_eq!(v.word(&mut a), reference::word(&v, &mut b));
        }
        // The ends of the unit interval.
        for draw in [0, 1 << 11, u64::MAX, u64::MAX << 11, 1 << 48, (1 << 48) - 1] {
            let u = unit_of(draw);
            let expected = v.cumulative.partition_point(|&c| c < u).min(v.words.len() - 1);
            let bucket = (draw >> (64 - GUIDE_BITS)) as usize;
            let (lo, hi) = (v.guide[bucket] as usize, v.guide[bucket + 1] as usize);
            assert_eq!((lo + v.cumulative[lo..hi].partition_point(|&c| c < u)).min(v.words.len() - 1), expected);
        }
    }

    #[test]
    fn ascii_word_count_is_the_normalized_word_count() {
        let reference = |s: &str| crate::text::normalize::normalized_words(s).len();
        // Every string of up to five characters over one character of each word-break class
        // (and some that always break).
        let alphabet: Vec<char> = "aZ7_:.',; \n\r-\"".chars().collect();
        let mut strings = vec![String::new()];
        for _ in 0..5 {
            strings = strings.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            for s in &strings {
                assert_eq!(count_words(s), reference(s), "{s:?}");
            }
        }
        // Longer random ASCII, biased towards the joining characters.
        let mut rng = Rng::new(3);
        let common = b"aB3_:.',; \n";
        for _ in 0..20_000 {
            let len = rng.below(40);
            let s: String = (0..len)
                .map(|_| {
                    if rng.below(2) == 0 {
                        common[rng.below(common.len())] as char
                    } else {
                        rng.below(128) as u8 as char
                    }
                })
                .collect();
            assert_eq!(count_words(&s), reference(&s), "{s:?}");
        }
        for s in ["U.S. grain", "155,221 bags", "3.5 pct, 1987;", "don't", "e.g.", "a_b _ __ _x", "x:y 1:2", ""] {
            assert_eq!(count_words(s), reference(s), "{s:?}");
        }
    }

    #[test]
    fn text_and_random_stream_match_the_reference() {
        let v = Vocabulary::new(&mut Rng::new(5));
        let mut seed_rng = Rng::new(8);
        let odd = "  Two  spaces, a line\nbreak and  U.S. 1,000 ".to_string();
        for round in 0..300 {
            let seed = seed_rng.next_u64();
            // Articles, whole and cut short.
            let (mut a, mut b) = (Rng::new(seed), Rng::new(seed));
            let text = v.article(&mut a, 300);
            assert_eq!(text, reference::article(&v, &mut b, 300));
            assert_eq!(a.state, b.state);
            // Edits at every kind of rate and share kept.
            let rate = [0.0, 0.01, 0.2, 1.0][round % 4];
            let keep = [1.0, 0.5, 0.31, 0.0][round / 4 % 4];
            for t in [&text, &odd] {
                assert_eq!(edit_counted(t, rate, keep, &v, &mut a), reference::edit_counted(t, rate, keep, &v, &mut b));
                assert_eq!(a.state, b.state);
            }
            // Local text, generated or taken from other texts (each used once; the rest is
            // generated once they are used up).
            let words = [0, 1, 3, 17, 250, 900][round % 6];
            let locals = [text.clone(), odd.clone(), String::new()];
            for locals in [&[][..], &locals[..]] {
                let mut left = locals.to_vec();
                let mut ours = LocalTexts::new(locals);
                for _ in 0..2 {
                    assert_eq!(
                        local_words(words, &mut ours, &v, &mut a),
                        reference::local_words(words, &mut left, &v, &mut b)
                    );
                    assert_eq!(a.state, b.state);
                }
            }
        }
    }

    #[test]
    fn streaming_writes_what_generate_and_write_dump_write() {
        let dir = std::env::temp_dir().join(format!("reprint-synth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bases: Vec<String> =
            (0..40).map(|i| format!("Base text {i}, as of 1.5 pct.\n    Second line {i}.")).collect();
        for (syndication, bases) in [(false, None), (true, None), (true, Some(&bases[..])), (false, Some(&bases[..]))] {
            let p = GenParams { docs: 150, syndication, mean_words: 120, seed: 4, ..GenParams::default() };
            let files = |name: &str| (dir.join(format!("{name}.jsonl")), dir.join(format!("{name}.labels")));
            let (a, a_labels) = files("a");
            let (b, b_labels) = files("b");
            write_dump(&generate(&p, bases), &a, Some(&a_labels)).unwrap();
            assert_eq!(write_generated(&p, bases, &b, Some(&b_labels)).unwrap(), 150);
            assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
            assert_eq!(std::fs::read(&a_labels).unwrap(), std::fs::read(&b_labels).unwrap());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn local_text_need_not_be_ascii() {
        // Embedded copies cut local text in two near its middle byte, which must fall between
        // characters.
        let bases: Vec<String> = (0..40).map(|i| format!("Ça coûte {i} €, déjà ñandú “ok” — ÿ. ").repeat(20)).collect();
        let p = GenParams { docs: 400, syndication: true, mean_words: 120, seed: 7, ..GenParams::default() };
        let docs = generate(&p, Some(&bases));
        assert!(docs.iter().any(|d| d.mode == "embedded"));
    }

    #[test]
    fn dates_are_real_days_of_2024_in_order() {
        let mut last = None;
        for day in 0..YEAR_DAYS {
            let date = date_for(day);
            let parsed = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap_or_else(|e| panic!("{date}: {e}"));
            assert_eq!(parsed.to_string(), date);
            assert!(date.starts_with("2024-"), "day {day}: {date}");
            assert!(last.is_none_or(|l| l < parsed), "day {day}: {date} after {last:?}");
            last = Some(parsed);
        }
        assert_eq!(
            [date_for(0), date_for(59), date_for(365)],
            ["2024-01-01", "2024-02-29", "2024-12-31"].map(String::from)
        );
        // Every hour of the year is a timestamp the scan reads, in order.
        let hours: Vec<i64> =
            (0..YEAR_DAYS * 24).map(|h| crate::input::parse_date(&timestamp_for(h)).expect("a timestamp")).collect();
        assert!(hours.windows(2).all(|w| w[1] - w[0] == 3600));
    }

    #[test]
    fn generated_dates_are_of_2024_and_copies_follow_their_originals() {
        for syndication in [false, true] {
            let p = GenParams { docs: 3000, syndication, mean_words: 40, seed: 12, ..GenParams::default() };
            let docs = generate(&p, None);
            let mut original_time = HashMap::new();
            for d in &docs {
                let t = crate::input::parse_date(&d.date).unwrap_or_else(|| panic!("{} {}", d.id, d.date));
                assert!(d.date.starts_with("2024-"), "{} {}", d.id, d.date);
                if d.mode == "original" {
                    original_time.insert(d.story, t);
                } else {
                    assert!(t >= original_time[&d.story], "{} ({}) before its original", d.id, d.date);
                }
            }
        }
    }

    /// Hard-wrapped Reuters text: sentences end at line breaks as often as at spaces, and
    /// paragraphs start with indented lines.
    const WRAPPED: &str = concat!(
        "Showers continued throughout the week in\n",
        "the Bahia cocoa zone, alleviating the drought since early\n",
        "January, Comissaria Smith said in its weekly review.\n",
        "    The dry period means the temporao will be late this year.\n",
        "    Arrivals for the week ended February 22 were 155,221 bags\n",
        "of 60 kilos. Again it seems that cocoa delivered earlier was\n",
        "included in the arrivals figures.\n",
        "    Destinations were the U.S., Uruguay and open ports, said\n",
        "J. Smith of the U.S. Cocoa Board (\"open ports.\")\n",
        "    Sales stood at 6.13 mln bags\n",
    );

    #[test]
    fn sentences_end_at_any_whitespace_in_hard_wrapped_text() {
        let spans = sentence_spans(WRAPPED);
        let sentences: Vec<&str> = spans.iter().map(|r| &WRAPPED[r.clone()]).collect();
        assert_eq!(sentences.len(), 6, "{sentences:#?}");
        assert!(sentences[0].starts_with("Showers") && sentences[0].ends_with("weekly review."));
        assert_eq!(sentences[1], "The dry period means the temporao will be late this year.");
        assert!(sentences[2].ends_with("of 60 kilos."));
        // Not cut at the abbreviations `U.S.` or the initial `J.`; closing quotes and brackets
        // stay with their sentence.
        assert!(sentences[4].starts_with("Destinations") && sentences[4].ends_with("(\"open ports.\")"));
        assert_eq!(sentences[5], "Sales stood at 6.13 mln bags");
        // Only whitespace between and around them: the line structure is all outside.
        let mut at = 0;
        for r in &spans {
            assert!(WRAPPED[at..r.start].chars().all(|c| c.is_ascii_whitespace()));
            at = r.end;
        }
        assert!(WRAPPED[at..].chars().all(|c| c.is_ascii_whitespace()));
        // The old split on ". " cut it in four: at one of the five sentence ends, and after
        // `J.` and `U.S.`.
        assert_eq!(WRAPPED.split_inclusive(". ").count(), 4);
        // Edge cases: nothing, whitespace, no full stop, a final full stop, question marks.
        assert!(sentence_spans("").is_empty() && sentence_spans(" \n ").is_empty());
        assert_eq!(sentence_spans("  no stop  "), vec![2..9]);
        assert_eq!(sentence_spans("One. Two?\tThree!"), vec![0..4, 5..9, 10..16]);
        assert_eq!(sentence_spans("At 3 p.m. today Mr. Li left. Then"), vec![0..28, 29..33]);
        // Non-ASCII text; a no-break space is not a sentence's end.
        let text = "Ça coûte 5 €. Déjà.\u{a0}Fin.";
        let found: Vec<&str> = sentence_spans(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["Ça coûte 5 €.", "Déjà.\u{a0}Fin."]);
    }

    #[test]
    fn edited_copies_of_wrapped_text_rewrite_sentences_and_keep_the_lines() {
        let v = Vocabulary::new(&mut Rng::new(5));
        let mut rng = Rng::new(9);
        let (mut partly, mut lines_kept) = (0, 0);
        for _ in 0..400 {
            let c = syndicated_copy(WRAPPED, 0.0, &mut LocalTexts::new(&[]), &v, &mut rng);
            if c.mode != "edited" {
                continue;
            }
            assert!(c.copied > 0, "{}", c.text);
            // Some sentences rewritten and some kept, not the whole text either way.
            let words = c.words.unwrap_or_default();
            partly += usize::from(c.copied < words && c.copied * 4 >= words);
            lines_kept += usize::from(c.text.contains("\n    The dry period") || c.text.contains("\n    Arrivals"));
        }
        assert!(partly > 20 && lines_kept > 20, "{partly} partly rewritten, {lines_kept} with their lines");
        // A text of one sentence is never rewritten whole.
        for _ in 0..200 {
            let c = syndicated_copy("Sales stood at 6.13 mln bags.", 0.0, &mut LocalTexts::new(&[]), &v, &mut rng);
            assert!(c.copied > 0, "{}", c.text);
        }
    }

    /// Bases like short Reuters items: hard-wrapped, a few of one sentence, every word of a
    /// text marked with its number so that a copied word names its source.
    fn marked_bases(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                let sentences = 1 + i % 4;
                (0..sentences)
                    .map(|s| format!("Wa{i}x wb{i}x wc{i}x\nwd{i}x we{i}x wf{i}x s{s}x{i}x."))
                    .collect::<Vec<_>>()
                    .join("\n    ")
            })
            .collect()
    }

    #[test]
    fn local_texts_are_used_at_most_once() {
        let bases = marked_bases(400);
        let p = GenParams { docs: 600, syndication: true, mean_words: 60, seed: 3, ..GenParams::default() };
        let docs = generate(&p, Some(&bases));
        // The second half of the bases is local text: each in at most one article, and in
        // articles only as local text.
        let mut used = 0;
        for i in 200..400 {
            let marker = format!("wa{i}x");
            let holders: Vec<&str> =
                docs.iter().filter(|d| d.text.to_lowercase().contains(&marker)).map(|d| d.id.as_str()).collect();
            assert!(holders.len() <= 1, "local text {i} in {holders:?}");
            assert!(docs.iter().all(|d| d.mode != "original" || !d.text.to_lowercase().contains(&marker)));
            used += holders.len();
        }
        // Enough copies to use up the local texts, and then generated local text.
        assert_eq!(used, 200, "every local text used once");
        assert!(docs.iter().filter(|d| d.mode == "embedded").count() > 20);
    }

    #[test]
    fn labels_agree_with_eval_and_a_copy_copies_something() {
        let dir = std::env::temp_dir().join(format!("reprint-synth-labels-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bases = marked_bases(2000);
        for bases in [None, Some(&bases[..])] {
            let p = GenParams { docs: 1500, syndication: true, mean_words: 120, seed: 11, ..GenParams::default() };
            let docs = generate(&p, bases);
            for d in docs.iter().filter(|d| d.mode != "original") {
                assert!(d.copied_frac > 0.0, "{d:?}");
            }
            let (dump, labels) = (dir.join("d.jsonl"), dir.join("l.jsonl"));
            write_dump(&docs, &dump, Some(&labels)).unwrap();
            // The levels written are the levels eval derives from cluster and copied share.
            let written = std::fs::read_to_string(&labels).unwrap();
            let without: String = written
                .lines()
                .map(|l| {
                    let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                    v.as_object_mut().unwrap().remove("level");
                    format!("{v}\n")
                })
                .collect();
            let bare = dir.join("bare.jsonl");
            std::fs::write(&bare, without).unwrap();
            let ours = crate::jobs::eval::read_labels(&labels).unwrap();
            let derived = crate::jobs::eval::read_labels(&bare).unwrap();
            assert_eq!(ours.entries, derived.entries);
            use crate::jobs::eval::Level;
            let mut levels: HashMap<(&str, Level), usize> = HashMap::new();
            for (d, (_, l)) in docs.iter().zip(&ours.entries) {
                *levels.entry((d.mode, l.level)).or_default() += 1;
            }
            assert!(levels.contains_key(&("embedded", Level::Partial)), "{levels:?}");
            if bases.is_some() {
                // Short real originals under a new lede copy less than half.
                assert!(levels.contains_key(&("reordered", Level::Partial)), "{levels:?}");
            }
        }
        // A copy with nothing copied is no copy: unique, of no story, and its original alone is
        // unique too.
        let truth = |story, mode, copied_frac| Truth {
            story,
            mode: MODES.iter().position(|&m| m == mode).unwrap() as u8,
            furniture_words: 0,
            edit_rate: 0.0,
            kept_fraction: 1.0,
            copied_frac,
        };
        let labels = dir.join("zero.jsonl");
        let t = [
            truth(0, "original", 0.0),
            truth(0, "edited", 0.0),
            truth(1, "original", 0.0),
            truth(1, "edited", 0.3),
            truth(1, "reordered", 0.9),
        ];
        write_labels(&labels, &t, |i| Cow::Owned(format!("a{i}"))).unwrap();
        let lines: Vec<serde_json::Value> =
            std::fs::read_to_string(&labels).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let got: Vec<String> =
            lines.iter().map(|l| format!("{} {} {}", l["cluster"], l["story"], l["level"].as_str().unwrap())).collect();
        let want = ["null 0 unique", "null null unique", "1 1 original", "1 1 partial", "1 1 copy"];
        assert_eq!(got, want);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn copies_keep_most_words_at_low_rates() {
        let v = Vocabulary::new(&mut Rng::new(5));
        let mut rng = Rng::new(6);
        let text = v.article(&mut rng, 600);
        let copy = edit(&text, 0.0, 1.0, &v, &mut rng);
        assert_eq!(copy, text);
        let half = edit(&text, 0.0, 0.5, &v, &mut rng);
        let n = text.split(' ').count();
        assert_eq!(half.split(' ').count(), (n as f64 * 0.5).ceil() as usize);
    }
}
