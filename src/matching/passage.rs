//! Reused passages: where two documents share text.
//!
//! Receives two documents' tokens and shingle sequences (furniture already set aside) and
//! hands on their shared [`Passage`]s: maximal runs of shingles the two have in the same
//! order, merged over small gaps (an edited word breaks a run into two), each mapped back to
//! character offsets in both original texts. Runs are found by matching shingle fingerprints
//! and following diagonals, as in the alignment step of passim (Smith, Cordell & Mullen 2015)
//! but without its edit-distance refinement.

use std::ops::Range;

use serde::Serialize;

use crate::text::normalize::Token;
use crate::text::shingle::Shingle;

/// Runs closer than this many words (in both texts) merge into one passage: room for a
/// couple of substituted or inserted words, too little for an unrelated sentence.
pub const MERGE_GAP_WORDS: u32 = 8;

/// Shortest run of shared shingles that can seed a passage: a single shared 5-gram is as
/// often a stock phrase as a trace of copying.
pub const MIN_RUN_SHINGLES: u32 = 2;

/// Shortest passage reported, in words: shorter shared runs are common phrases
/// ("said in a statement on Tuesday"), not reuse.
pub const MIN_PASSAGE_WORDS: u32 = 10;

/// A passage shared by documents `a` and `b`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Passage {
    /// Token range in `a`.
    #[serde(skip)]
    pub a_tokens: Range<u32>,
    /// Token range in `b`.
    #[serde(skip)]
    pub b_tokens: Range<u32>,
    /// Character offset of the passage's start in `a`'s original text.
    pub a_start: u32,
    /// Character offset just past its end in `a`.
    pub a_end: u32,
    /// Character offset of the passage's start in `b`'s original text.
    pub b_start: u32,
    /// Character offset just past its end in `b`.
    pub b_end: u32,
    /// Length in words (in `a`).
    pub words: u32,
}

/// The token range a shingle covers.
fn cover(s: &Shingle, k: usize, n_tokens: usize) -> Range<u32> {
    s.start..(s.start as usize + k).min(n_tokens) as u32
}

/// A document's shingle sequence indexed for alignment: `(fingerprint, position)`, sorted.
pub fn index(seq: &[Shingle]) -> Vec<(u64, u32)> {
    let mut index: Vec<(u64, u32)> = seq.iter().enumerate().map(|(j, s)| (s.hash, j as u32)).collect();
    index.sort_unstable();
    index
}

/// Shared passages of two documents, ordered by their start in `a`.
pub fn align(a_tokens: &[Token], a_seq: &[Shingle], b_tokens: &[Token], b_seq: &[Shingle], k: usize) -> Vec<Passage> {
    align_indexed(Side { tokens: a_tokens, seq: a_seq, index: &index(a_seq) }, Side { tokens: b_tokens, seq: b_seq, index: &index(b_seq) }, k)
}

/// One document as [`align_indexed`] takes it: tokens, shingle sequence and its [`index`].
#[derive(Clone, Copy)]
pub struct Side<'a> {
    /// The document's tokens.
    pub tokens: &'a [Token],
    /// Its shingle sequence.
    pub seq: &'a [Shingle],
    /// [`index`] of `seq`.
    pub index: &'a [(u64, u32)],
}

/// [`align`] with both indexes built beforehand (a document in many pairs is indexed once):
/// matching shingles are found by merging the two sorted indexes.
pub fn align_indexed(a: Side<'_>, b: Side<'_>, k: usize) -> Vec<Passage> {
    let (a_tokens, a_seq, b_tokens, b_seq) = (a.tokens, a.seq, b.tokens, b.seq);
    // Every matching (i, j), then runs along diagonals of consecutive shingles.
    let mut matches: Vec<(i64, u32, u32)> = Vec::new();
    let (ia, ib) = (a.index, b.index);
    let (mut x, mut y) = (0, 0);
    while x < ia.len() && y < ib.len() {
        let (h, g) = (ia[x].0, ib[y].0);
        if h < g {
            x += 1;
        } else if g < h {
            y += 1;
        } else {
            let x_end = x + ia[x..].iter().take_while(|e| e.0 == h).count();
            let y_end = y + ib[y..].iter().take_while(|e| e.0 == h).count();
            for &(_, i) in &ia[x..x_end] {
                for &(_, j) in &ib[y..y_end] {
                    matches.push((j as i64 - i as i64, i, j));
                }
            }
            (x, y) = (x_end, y_end);
        }
    }
    matches.sort_unstable();
    let mut runs: Vec<(Range<u32>, Range<u32>)> = Vec::new();
    let mut lengths: Vec<u32> = Vec::new(); // shingles per run
    let mut prev: Option<(i64, u32, u32)> = None;
    for &(d, i, j) in &matches {
        let ca = cover(&a_seq[i as usize], k, a_tokens.len());
        let cb = cover(&b_seq[j as usize], k, b_tokens.len());
        let continues = prev.is_some_and(|(pd, pi, pj)| {
            pd == d
                && pi + 1 == i
                && a_seq[pi as usize].start + 1 == a_seq[i as usize].start
                && b_seq[pj as usize].start + 1 == b_seq[j as usize].start
        });
        match runs.last_mut() {
            Some(run) if continues => {
                run.0.end = ca.end;
                run.1.end = cb.end;
                *lengths.last_mut().expect("one length per run") += 1;
            }
            _ => {
                runs.push((ca, cb));
                lengths.push(1);
            }
        }
        prev = Some((d, i, j));
    }
    // Merge runs that follow each other closely in both texts.
    let mut runs: Vec<(Range<u32>, Range<u32>)> =
        runs.into_iter().zip(lengths).filter(|&(_, len)| len >= MIN_RUN_SHINGLES).map(|(r, _)| r).collect();
    runs.sort_unstable_by_key(|(ra, rb)| (ra.start, rb.start));
    let mut merged: Vec<(Range<u32>, Range<u32>)> = Vec::new();
    for (ra, rb) in runs {
        if let Some((ma, mb)) = merged.last_mut() {
            let near_a = ra.start <= ma.end + MERGE_GAP_WORDS && ra.start >= ma.start;
            let near_b = rb.start <= mb.end + MERGE_GAP_WORDS && rb.start >= mb.start;
            if near_a && near_b {
                ma.end = ma.end.max(ra.end);
                mb.end = mb.end.max(rb.end);
                continue;
            }
        }
        merged.push((ra, rb));
    }
    merged
        .into_iter()
        .filter(|(ra, rb)| ra.len() as u32 >= MIN_PASSAGE_WORDS && rb.len() as u32 >= MIN_PASSAGE_WORDS)
        .map(|(ra, rb)| Passage {
            a_start: a_tokens[ra.start as usize].start,
            a_end: a_tokens[ra.end as usize - 1].end,
            b_start: b_tokens[rb.start as usize].start,
            b_end: b_tokens[rb.end as usize - 1].end,
            words: ra.len() as u32,
            a_tokens: ra,
            b_tokens: rb,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::{tokenize, Tokens};
    use crate::text::shingle::shingle_sequence;

    fn prep(text: &str) -> (Vec<Token>, Vec<Shingle>) {
        let mut t = Tokens::default();
        tokenize(text, &mut t, &mut String::new());
        let (seq, _) = shingle_sequence(&t.tokens, &[], 5);
        (t.tokens, seq)
    }

    fn slice(text: &str, from: u32, to: u32) -> String {
        text.chars().skip(from as usize).take((to - from) as usize).collect()
    }

    #[test]
    fn finds_a_shared_quotation_with_offsets_in_both_texts() {
        let quote = "based on respect for each other’s independence, sovereignty, territorial integrity and political institutions";
        let a = format!("The minister spoke at length. Cooperation is {quote}, he said on Friday in Hanoi.");
        let b = format!("Kritenbrink arrived on June 21. “Ready to work with the U.S.,” {quote}, the press quoted.");
        let (ta, sa) = prep(&a);
        let (tb, sb) = prep(&b);
        let p = align(&ta, &sa, &tb, &sb, 5);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(slice(&a, p[0].a_start, p[0].a_end), quote);
        assert_eq!(slice(&b, p[0].b_start, p[0].b_end), quote);
        assert_eq!(p[0].words, 13);
    }

    #[test]
    fn an_edited_word_does_not_split_a_passage_but_unrelated_text_does() {
        let base = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
        let edited = base.replace("eight", "EIGHTY");
        let (ta, sa) = prep(base);
        let (tb, sb) = prep(&edited);
        let p = align(&ta, &sa, &tb, &sb, 5);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].words, 16);
        let (tc, sc) = prep("alpha beta gamma delta epsilon zeta eta theta iota kappa");
        assert!(align(&ta, &sa, &tc, &sc, 5).is_empty());
    }

    #[test]
    fn reordered_paragraphs_give_one_passage_each() {
        let p1 = "the first paragraph tells of the visit by the envoy to the capital city on friday";
        let p2 = "the second paragraph reports trade figures for the last quarter and the year before";
        let (ta, sa) = prep(&format!("{p1}\n{p2}"));
        let (tb, sb) = prep(&format!("{p2}\n{p1}"));
        let p = align(&ta, &sa, &tb, &sb, 5);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p.iter().map(|x| x.words).collect::<Vec<_>>(), vec![16, 14], "{p:?}");
    }
}
