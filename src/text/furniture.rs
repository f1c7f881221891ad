//! Page furniture: lines set aside before matching.
//!
//! Receives every document's lines (fingerprints of their words, found by [`line_features`])
//! with its outlet and day, and hands on, per document, the token ranges to set aside as
//! furniture — bylines, "Share:", "READ MORE: <another story's headline>", newsletter prompts,
//! cookie notices — so they never create a match, chain one outlet's unrelated articles into
//! a cluster, or count as reuse. Everything is learned from the dump itself.
//!
//! The difficulty is that text recurring across articles is exactly what syndication is. The
//! rule tells the two apart by *time span*, *length* and *labels*, counting recurrence per
//! outlet and across outlets:
//!
//! - a **labelled teaser** (`READ MORE: …`, `Related: …`, `See also: …`) is furniture wherever
//!   it stands: it carries another story's headline;
//! - a line in at least [`MIN_RECURRENCE`] articles of **one outlet** is furniture when those
//!   articles span more than [`SYNDICATION_SPAN_DAYS`] (a wire paragraph recurs within days,
//!   furniture over weeks and months), or when it is short ([`SHORT_LINE_WORDS`]) and either
//!   the articles are undated or it recurs in at least [`BURST_RECURRENCE`] of them;
//! - a line at [`MIN_RECURRENCE`] or more **outlets** (a publishing group's or CMS's
//!   furniture) is furniture when its articles span more than [`SYNDICATION_SPAN_DAYS`], or
//!   when it is short, undated and in at least [`BURST_RECURRENCE`] articles. A line that
//!   many outlets carry within a week is syndication, however short.
//!
//! A long line recurring within a week is never furniture: that is a syndicated paragraph.
//! Documents with exactly the same lines count once: a story published twice is a
//! duplicate, not evidence that its lines are furniture.

use std::collections::BTreeMap;
use std::ops::Range;

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::text::normalize::Tokens;

/// Seed of line fingerprints ("reprint", then 5).
pub const LINE_SEED: u64 = 0x7265_7072_696e_7405;

/// Articles (of one outlet, or outlets) a line must recur in before it can be furniture;
/// two could be one story and its update.
pub const MIN_RECURRENCE: usize = 3;

/// Recurrence over more days than this is furniture, not syndication: wire copy is
/// republished within days of its first appearance.
pub const SYNDICATION_SPAN_DAYS: i64 = 7;

/// Lines of at most this many words count as short: bylines, prompts, labels.
pub const SHORT_LINE_WORDS: usize = 10;

/// A short line recurring in this many articles is furniture even within one week: a story
/// and its updates do not run ten times.
pub const BURST_RECURRENCE: usize = 10;

/// Furniture is set aside only when at least this many words of body remain: an item made
/// of stock lines (a dividend notice: "Qtly div 10 cts vs 10 cts prior / Pay April 15 /
/// Record March 30") is all content, and a body of a few words left over would make
/// unrelated items identical.
pub const MIN_BODY_WORDS: u32 = 10;

/// The rule's cut-offs: the constants above, which the defaults sweep
/// (`tools/sweep_defaults.sh`) moves one at a time through `reprint scan --tune`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// [`MIN_RECURRENCE`].
    pub min_recurrence: usize,
    /// [`SYNDICATION_SPAN_DAYS`].
    pub span_days: i64,
    /// [`SHORT_LINE_WORDS`].
    pub short_line_words: usize,
    /// [`BURST_RECURRENCE`].
    pub burst_recurrence: usize,
    /// [`MIN_BODY_WORDS`].
    pub min_body_words: u32,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            min_recurrence: MIN_RECURRENCE,
            span_days: SYNDICATION_SPAN_DAYS,
            short_line_words: SHORT_LINE_WORDS,
            burst_recurrence: BURST_RECURRENCE,
            min_body_words: MIN_BODY_WORDS,
        }
    }
}

/// Teaser labels, lowercased, that mark a line as furniture when followed by `:` or `|`.
const TEASER_LABELS: &[&str] = &[
    "read more", "read also", "also read", "related", "see also", "read next", "more from",
    "recommended", "watch", "listen", "subscribe", "sign up", "advertisement", "sponsored",
];

/// Characters of a line compared with the labels before the whole line is looked at.
const LABEL_PREFIX_CHARS: usize = 4;

/// Whole lines, lowercased, that are labels on their own.
const LABEL_LINES: &[&str] = &["read more", "advertisement", "sponsored content", "read entire article"];

/// What the furniture rule needs to know about one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFeature {
    /// Fingerprint of the line's word sequence.
    pub fp: u64,
    /// The line's words, as a range of token indices.
    pub tokens: Range<u32>,
    /// Whether the line is a labelled teaser.
    pub labelled: bool,
    /// The paragraph the line belongs to (see [`line_features`]).
    pub paragraph: u32,
}

/// Share of a text's lines that must look hard-wrapped (a fixed width of
/// [`WRAPPED_LINE_CHARS`]) for its lines to be joined into paragraphs.
const WRAPPED_SHARE: f64 = 0.5;
/// Lengths, in characters, of the lines of hard-wrapped text (wire copy is wrapped at 60 to
/// 80 columns).
const WRAPPED_LINE_CHARS: std::ops::RangeInclusive<usize> = 40..=100;
/// Fewest lines for a text to count as hard-wrapped.
const WRAPPED_MIN_LINES: usize = 4;

/// The lines of a text, each with the paragraph it belongs to. Lines are what the rule
/// counts; paragraphs guard hard-wrapped text (wire copy wraps at about 65 columns, so a
/// wrapped line such as "said." recurs everywhere): in a hard-wrapped text a paragraph
/// begins after a blank line, at an indented line, or at a labelled teaser, and a line is
/// set aside only when its whole paragraph is. Elsewhere every line is its own paragraph.
/// Teaser labels are read from the original text.
pub fn line_features(text: &str, tokens: &Tokens) -> Vec<LineFeature> {
    // Physical lines as (char start, char end, text).
    let mut physical: Vec<(u32, u32, &str)> = Vec::new();
    let mut at = 0u32;
    for line in text.split('\n') {
        let len = line.chars().count() as u32;
        physical.push((at, at + len, line));
        at += len + 1;
    }
    let nonblank: Vec<&(u32, u32, &str)> = physical.iter().filter(|l| !l.2.trim().is_empty()).collect();
    let wrapped_lines =
        nonblank.iter().filter(|l| WRAPPED_LINE_CHARS.contains(&l.2.trim_end().chars().count())).count();
    let wrapped =
        nonblank.len() >= WRAPPED_MIN_LINES && wrapped_lines as f64 >= WRAPPED_SHARE * nonblank.len() as f64;
    let mut out = Vec::with_capacity(nonblank.len());
    let toks = &tokens.tokens;
    let mut t = 0;
    let mut paragraph = 0u32;
    let mut previous: Option<bool> = None; // whether the previous line was labelled; None after a blank
    for &(start, end, line) in &physical {
        if line.trim().is_empty() {
            previous = None;
            continue;
        }
        let labelled = is_labelled(line);
        let continues = wrapped
            && previous == Some(false)
            && !labelled
            && !line.starts_with(char::is_whitespace);
        if !continues && previous.is_some() {
            paragraph += 1;
        }
        if previous.is_none() && !out.is_empty() {
            paragraph += 1;
        }
        previous = Some(labelled);
        while t < toks.len() && toks[t].start < start {
            t += 1;
        }
        let first = t;
        while t < toks.len() && toks[t].start < end {
            t += 1;
        }
        if t > first {
            let bytes: Vec<u8> = toks[first..t].iter().flat_map(|k| k.hash.to_le_bytes()).collect();
            out.push(LineFeature {
                fp: xxh3_64_with_seed(&bytes, LINE_SEED),
                tokens: first as u32..t as u32,
                labelled,
                paragraph,
            });
        }
    }
    out
}

fn is_labelled(line: &str) -> bool {
    let line = line.trim();
    // Labels are short and start with a letter; most lines are rejected without allocating.
    let head: String = line.chars().take(LABEL_PREFIX_CHARS).collect();
    let head_lower = head.to_lowercase();
    if !TEASER_LABELS.iter().chain(LABEL_LINES).any(|l| head_lower.starts_with(&l[..l.len().min(head_lower.len())])) {
        return false;
    }
    let lower = line.to_lowercase();
    let lower = lower.trim_end_matches(['.', '…', ' ']);
    if LABEL_LINES.contains(&lower) {
        return true;
    }
    TEASER_LABELS.iter().any(|label| {
        lower
            .strip_prefix(label)
            .is_some_and(|rest| rest.trim_start().starts_with([':', '|', '»', '>']))
    })
}

/// One document as the furniture rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct DocLines<'a> {
    /// Outlet, if known (documents without one are counted together).
    pub outlet: Option<&'a str>,
    /// Publication day (days since 1970-01-01), if known.
    pub day: Option<i64>,
    /// The document's lines.
    pub lines: &'a [LineFeature],
    /// The document's words.
    pub words: u32,
}

/// Which lines were set aside, per document.
#[derive(Debug, Clone, Default)]
pub struct Furniture {
    /// Per document: sorted, disjoint token ranges set aside.
    pub ranges: Vec<Vec<Range<usize>>>,
    /// Per document: words set aside.
    pub words: Vec<u32>,
    /// Distinct line fingerprints judged furniture (for `run.json`).
    pub distinct_lines: usize,
}

#[derive(Default)]
struct Spread {
    docs: usize,
    undated: usize,
    first: i64,
    last: i64,
}

impl Spread {
    fn add(&mut self, day: Option<i64>) {
        match day {
            Some(d) if self.docs > self.undated => {
                self.first = self.first.min(d);
                self.last = self.last.max(d);
            }
            Some(d) => {
                self.first = d;
                self.last = d;
            }
            None => self.undated += 1,
        }
        self.docs += 1;
    }

    /// Span in days over dated articles, when at least two are dated.
    fn span(&self) -> Option<i64> {
        (self.docs - self.undated >= 2).then_some(self.last - self.first)
    }

    /// The rule for recurrence within one outlet.
    fn is_outlet_furniture(&self, short: bool, rule: &Rule) -> bool {
        if self.docs < rule.min_recurrence {
            return false;
        }
        let undated = self.undated == self.docs;
        self.spread_out(rule) || (short && (undated || self.docs >= rule.burst_recurrence))
    }

    /// The rule for recurrence across outlets.
    fn is_shared_furniture(&self, short: bool, rule: &Rule) -> bool {
        if self.docs < rule.min_recurrence {
            return false;
        }
        let undated = self.undated == self.docs;
        self.spread_out(rule) || (short && undated && self.docs >= rule.burst_recurrence)
    }

    fn spread_out(&self, rule: &Rule) -> bool {
        self.span().is_some_and(|s| s > rule.span_days)
    }
}

/// Applies the furniture rule (see the module docs) to a whole dump.
pub fn detect(docs: &[DocLines<'_>], rule: &Rule) -> Furniture {
    let lines: Vec<Vec<(u64, u32)>> = docs.par_iter().map(|d| line_words(d.lines)).collect();
    let judged: Vec<JudgedDoc<'_>> =
        docs.iter().zip(&lines).map(|(d, l)| JudgedDoc { outlet: d.outlet, day: d.day, lines: l }).collect();
    let judgement = judge(&judged, rule);
    apply(docs, &judgement)
}

/// A document's lines as the rule counts them: `(fingerprint, words)`.
pub fn line_words(lines: &[LineFeature]) -> Vec<(u64, u32)> {
    lines.iter().map(|l| (l.fp, l.tokens.end - l.tokens.start)).collect()
}

/// The fingerprint of a document's lines as a whole (sorted, repeats kept): [`judge`] counts
/// a document whose lines are those of an earlier one only once.
pub fn doc_lines_key(lines: &[(u64, u32)]) -> u64 {
    let mut fps: Vec<u64> = lines.iter().map(|l| l.0).collect();
    fps.sort_unstable();
    let bytes: Vec<u8> = fps.iter().flat_map(|f| f.to_le_bytes()).collect();
    xxh3_64_with_seed(&bytes, LINE_SEED)
}

/// One document as [`judge`] counts it: only its outlet, day and lines' fingerprints and
/// lengths matter (a persistent index keeps just these for every article it holds).
#[derive(Debug, Clone, Copy)]
pub struct JudgedDoc<'a> {
    /// Outlet, if known.
    pub outlet: Option<&'a str>,
    /// Publication day, if known.
    pub day: Option<i64>,
    /// `(line fingerprint, words of the line)`, in text order.
    pub lines: &'a [(u64, u32)],
}

/// The lines judged furniture, per outlet: what [`apply`] sets aside.
#[derive(Debug, Clone)]
pub struct Judgement {
    /// Outlet (`None` for documents without one) → fingerprints of its furniture lines.
    pub by_outlet: ahash::AHashMap<Option<String>, ahash::AHashSet<u64>>,
    /// Distinct line fingerprints judged furniture (for `run.json`).
    pub distinct_lines: usize,
    /// The rule's [`Rule::min_body_words`], which [`apply`] enforces.
    pub min_body_words: u32,
}

impl Default for Judgement {
    /// No line is furniture (labelled teasers still are), under the default rule.
    fn default() -> Self {
        Judgement { by_outlet: Default::default(), distinct_lines: 0, min_body_words: MIN_BODY_WORDS }
    }
}

/// One line of one document as [`judge_sorted`] counts it: `(line fingerprint, outlet number,
/// document, words of the line)`. Sorted, the documents sharing a line come together.
pub type LineEntry = (u64, u32, u32, u32);

/// Numbers the outlets in order of first appearance (so nothing depends on hash order) and
/// remembers which documents' lines were seen: [`judge`] counts a document whose lines are
/// those of an earlier one only once. Documents are admitted in input order.
#[derive(Debug, Default)]
pub struct LineCounter {
    outlets: BTreeMap<Option<String>, u32>,
    names: Vec<Option<String>>,
    seen_docs: ahash::AHashSet<u64>,
}

impl LineCounter {
    /// The number of `outlet`, numbering it if it is new.
    pub fn outlet(&mut self, outlet: Option<&str>) -> u32 {
        if let Some(&id) = self.outlets.get(&outlet.map(str::to_string)) {
            return id;
        }
        let id = self.names.len() as u32;
        self.outlets.insert(outlet.map(str::to_string), id);
        self.names.push(outlet.map(str::to_string));
        id
    }

    /// Whether the document whose lines are keyed `lines_key` ([`doc_lines_key`]) is the
    /// first with those lines.
    pub fn admit(&mut self, lines_key: u64) -> bool {
        self.seen_docs.insert(lines_key)
    }

    /// Outlet names by number.
    pub fn names(&self) -> &[Option<String>] {
        &self.names
    }
}

/// Document `doc`'s entries (each distinct line once, sorted) and its lines' key
/// ([`doc_lines_key`]): the part of [`judge`] that runs in parallel.
pub fn doc_entries(doc: u32, outlet: u32, lines: &[(u64, u32)]) -> (u64, Vec<LineEntry>) {
    let mut entries: Vec<LineEntry> = lines.iter().map(|&(fp, words)| (fp, outlet, doc, words)).collect();
    entries.sort_unstable();
    entries.dedup_by_key(|l| l.0);
    (doc_lines_key(lines), entries)
}

/// Lines of entries judged at once by [`judge_sorted`], in parallel: whole lines only, so a
/// batch holds at least this many entries and at most one line's more.
const JUDGE_BATCH_ENTRIES: usize = 1 << 16;

/// Counts every line's recurrence per outlet and across outlets, with the dates' span, and
/// judges which lines are furniture where (see the module docs).
pub fn judge(docs: &[JudgedDoc<'_>], rule: &Rule) -> Judgement {
    let mut counter = LineCounter::default();
    let outlet_of: Vec<u32> = docs.iter().map(|d| counter.outlet(d.outlet)).collect();
    // The entries are made in parallel, the earlier-document check in input order.
    let per_doc: Vec<(u64, Vec<LineEntry>)> =
        docs.par_iter().enumerate().map(|(i, d)| doc_entries(i as u32, outlet_of[i], d.lines)).collect();
    let mut entries: Vec<LineEntry> = Vec::new();
    for (key, lines) in per_doc {
        if counter.admit(key) {
            entries.extend(lines);
        }
    }
    entries.par_sort_unstable();
    judge_sorted(entries.into_iter(), &|d| docs[d as usize].day, counter.names(), rule)
}

/// [`judge`] over the admitted documents' entries in sorted order (from memory, or merged
/// from sorted runs on disk under a small memory budget): the same judgement either way.
/// `day` gives a document's publication day, `names` the outlets by number.
pub fn judge_sorted(
    entries: impl Iterator<Item = LineEntry>,
    day: &(dyn Fn(u32) -> Option<i64> + Sync),
    names: &[Option<String>],
    rule: &Rule,
) -> Judgement {
    // (line, outlet) pairs set aside, and whether each distinct line had any.
    let judge_lines = |batch: &[LineEntry]| -> Vec<(Vec<(u64, u32)>, bool)> {
        batch
            .par_chunk_by(|x, y| x.0 == y.0)
            .filter(|group| group.len() >= rule.min_recurrence)
            .map(|group| {
                let fp = group[0].0;
                // A line's words are the same wherever its fingerprint is.
                let short = group[0].3 as usize <= rule.short_line_words;
                let mut all = Spread::default();
                let mut per_outlet: BTreeMap<u32, Spread> = BTreeMap::new();
                for &(_, o, d, _) in group {
                    all.add(day(d));
                    per_outlet.entry(o).or_default().add(day(d));
                }
                let cross = per_outlet.len() >= rule.min_recurrence && all.is_shared_furniture(short, rule);
                let set_aside: Vec<(u64, u32)> = per_outlet
                    .iter()
                    .filter(|(_, spread)| cross || spread.is_outlet_furniture(short, rule))
                    .map(|(&o, _)| (fp, o))
                    .collect();
                let any = !set_aside.is_empty();
                (set_aside, any)
            })
            .collect()
    };
    let mut distinct_lines = 0;
    let mut by_outlet: ahash::AHashMap<Option<String>, ahash::AHashSet<u64>> = ahash::AHashMap::new();
    let mut take = |judged: Vec<(Vec<(u64, u32)>, bool)>| {
        distinct_lines += judged.iter().filter(|(_, any)| *any).count();
        for (fp, o) in judged.into_iter().flat_map(|(set_aside, _)| set_aside) {
            by_outlet.entry(names[o as usize].clone()).or_default().insert(fp);
        }
    };
    let mut batch: Vec<LineEntry> = Vec::with_capacity(JUDGE_BATCH_ENTRIES);
    for e in entries {
        if batch.len() >= JUDGE_BATCH_ENTRIES && batch.last().is_some_and(|l| l.0 != e.0) {
            take(judge_lines(&batch));
            batch.clear();
        }
        batch.push(e);
    }
    take(judge_lines(&batch));
    Judgement { by_outlet, distinct_lines, min_body_words: rule.min_body_words }
}

/// Sets aside, in each document, the lines judged furniture at its outlet and every
/// labelled teaser, whole paragraphs only (see the module docs).
pub fn apply(docs: &[DocLines<'_>], judgement: &Judgement) -> Furniture {
    let (words, ranges): (Vec<u32>, Vec<Vec<Range<usize>>>) = docs.par_iter().map(|d| apply_one(d, judgement)).unzip();
    Furniture { distinct_lines: judgement.distinct_lines, words, ranges }
}

/// [`apply`] to one document: the words it sets aside and their token ranges.
pub fn apply_one(d: &DocLines<'_>, judgement: &Judgement) -> (u32, Vec<Range<usize>>) {
    let none = ahash::AHashSet::new();
    let furniture = judgement.by_outlet.get(&d.outlet.map(str::to_string)).unwrap_or(&none);
    let flagged: Vec<bool> = d.lines.iter().map(|l| l.labelled || furniture.contains(&l.fp)).collect();
    // A line goes only with its whole paragraph (labelled teasers always go).
    let mut whole = BTreeMap::new();
    for (l, &f) in d.lines.iter().zip(&flagged) {
        let all = whole.entry(l.paragraph).or_insert(true);
        *all &= f;
    }
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for (l, &f) in d.lines.iter().zip(&flagged) {
        if l.labelled || (f && whole[&l.paragraph]) {
            let r = l.tokens.start as usize..l.tokens.end as usize;
            match ranges.last_mut() {
                Some(last) if last.end == r.start => last.end = r.end,
                _ => ranges.push(r),
            }
        }
    }
    let set_aside: u32 = ranges.iter().map(|r| r.len() as u32).sum();
    if d.words.saturating_sub(set_aside) < judgement.min_body_words {
        ranges.clear(); // see MIN_BODY_WORDS
    }
    (ranges.iter().map(|r| r.len() as u32).sum::<u32>(), ranges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::tokenize;

    fn lines_of(text: &str) -> (Tokens, Vec<LineFeature>) {
        let mut t = Tokens::default();
        tokenize(text, &mut t, &mut String::new());
        let l = line_features(text, &t);
        (t, l)
    }

    #[test]
    fn hard_wrapped_text_is_judged_by_paragraph() {
        let text = "The Federal Reserve entered the U.S. Government securities\nmarket to arrange two billion dlrs of customer repurchase\nagreements, a Fed spokesman said.\n    Dealers said Federal funds were trading at 6-1/4 pct when the\nFed began its temporary supply of reserves, dealers\nsaid.\n REUTER";
        let (t, l) = lines_of(text);
        let paragraphs: Vec<u32> = l.iter().map(|x| x.paragraph).collect();
        assert_eq!(paragraphs, vec![0, 0, 0, 1, 1, 1, 2]);
        assert_eq!(l.last().unwrap().tokens.end as usize, t.tokens.len());
        // Unwrapped web text: one paragraph per line.
        let (_, l) = lines_of("Share:\nCopied\nThe minister said on Friday that talks would go on.\nComments");
        assert_eq!(l.iter().map(|x| x.paragraph).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn wrapped_fragments_stay_but_standalone_furniture_goes() {
        let texts: Vec<String> = (0..4)
            .map(|i| {
                format!(
                    "Story {i} opens with a line that is wrapped near the sixty column\nmark as wire copy is, and its paragraph ends with the dealers\nsaid.\n    A second paragraph number {i} goes on at wire width for a while\nlonger than the first one and then it also ends with the word\nsaid.\n\nSign up for our briefing\n REUTER"
                )
            })
            .collect();
        let parsed: Vec<(Tokens, Vec<LineFeature>)> = texts.iter().map(|t| lines_of(t)).collect();
        let docs: Vec<DocLines> = parsed
            .iter()
            .enumerate()
            .map(|(i, (t, l))| DocLines { outlet: Some("R"), day: Some(10 * i as i64), lines: l, words: t.tokens.len() as u32 })
            .collect();
        let f = detect(&docs, &Rule::default());
        let n = parsed[0].0.tokens.len();
        // Only the sign-up line and the sign-off go: 5 + 1 words at the end.
        assert_eq!(f.ranges[0], vec![n - 6..n]);
    }

    #[test]
    fn teasers_are_labelled() {
        let (_, l) = lines_of("Body text here.\nREAD MORE: The West's fears realized?\nRelated | Other story\nRelated companies rose.\nRead more");
        let labelled: Vec<bool> = l.iter().map(|x| x.labelled).collect();
        assert_eq!(labelled, [false, true, true, false, true]);
    }

    #[test]
    fn outlet_furniture_over_weeks_but_not_syndication_within_days() {
        let footer = "Sign up for our morning briefing and never miss the stories that matter most to you";
        let wire = "The central bank raised its key rate by a quarter point on Tuesday, citing inflation";
        let texts: Vec<String> =
            (0..4).map(|i| format!("Story number {i} has its own words, a dozen of them at the least.\n{footer}\n{wire}")).collect();
        let parsed: Vec<(Tokens, Vec<LineFeature>)> = texts.iter().map(|t| lines_of(t)).collect();
        // Same outlet; footer spread over 30 days, the wire line too (so both go) ...
        let days = [0, 10, 20, 30];
        let docs: Vec<DocLines> = parsed
            .iter()
            .zip(days)
            .map(|((t, l), d)| DocLines { outlet: Some("A"), day: Some(d), lines: l, words: t.tokens.len() as u32 })
            .collect();
        let f = detect(&docs, &Rule::default());
        assert_eq!(f.ranges[0].len(), 1, "footer and wire line are adjacent: one range");
        assert_eq!(f.words[0] as usize, 16 + 15);
        // ... but four outlets running the wire line within two days keep it.
        let docs: Vec<DocLines> = parsed
            .iter()
            .enumerate()
            .map(|(i, (t, l))| DocLines {
                outlet: Some(["A", "B", "C", "D"][i]),
                day: Some(i as i64 % 2),
                lines: l,
                words: t.tokens.len() as u32,
            })
            .collect();
        let f = detect(&docs, &Rule::default());
        assert!(f.words.iter().all(|&w| w == 0), "{:?}", f.words);
    }

    #[test]
    fn short_undated_lines_recurring_at_an_outlet_are_furniture() {
        let parsed: Vec<(Tokens, Vec<LineFeature>)> = (0..3)
            .map(|i| lines_of(&format!("Share:\nArticle {i} body goes on for a while here, and on.\nComments")))
            .collect();
        let docs: Vec<DocLines> = parsed
            .iter()
            .map(|(t, l)| DocLines { outlet: Some("X"), day: None, lines: l, words: t.tokens.len() as u32 })
            .collect();
        let f = detect(&docs, &Rule::default());
        assert_eq!(f.ranges[0], vec![0..1, 12..13]);
        // Two articles are not enough.
        let f = detect(&docs[..2], &Rule::default());
        assert!(f.ranges[0].is_empty());
        // Nor is one article published three times.
        let same = [docs[0], docs[0], docs[0]];
        assert!(detect(&same, &Rule::default()).ranges.iter().all(Vec::is_empty));
    }

    #[test]
    fn a_short_item_syndicated_by_many_outlets_within_days_is_not_furniture() {
        let parsed: Vec<(Tokens, Vec<LineFeature>)> = (0..12)
            .map(|i| lines_of(&format!("Shr 34 cts vs 1.19 dlrs\nNet 807,000 vs 2,858,000\nOutlet {i} adds a line of its own here today")))
            .collect();
        let docs: Vec<DocLines> = parsed
            .iter()
            .enumerate()
            .map(|(i, (t, l))| DocLines {
                outlet: Some(["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"][i]),
                day: Some(i as i64 / 5),
                lines: l,
                words: t.tokens.len() as u32,
            })
            .collect();
        assert!(detect(&docs, &Rule::default()).words.iter().all(|&w| w == 0));
    }

    #[test]
    fn an_item_made_of_stock_lines_keeps_them() {
        let texts = ["Qtly div 10 cts vs 10 cts prior\nPay April 15\nRecord March 30"; 1];
        let parsed: Vec<(Tokens, Vec<LineFeature>)> = (0..4)
            .map(|i| lines_of(&format!("{}\nExtra line {i}", texts[0])))
            .collect();
        let docs: Vec<DocLines> = parsed
            .iter()
            .map(|(t, l)| DocLines { outlet: Some("R"), day: None, lines: l, words: t.tokens.len() as u32 })
            .collect();
        let f = detect(&docs, &Rule::default());
        assert!(f.words.iter().all(|&w| w == 0), "{:?}", f.words);
    }
}
