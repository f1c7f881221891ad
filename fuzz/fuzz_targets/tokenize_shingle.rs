//! The normaliser and shingler: `reprint::text::normalize::tokenize` and
//! `reprint::text::shingle::{shingle_set, shingle_sequence}` on arbitrary text (the input bytes,
//! decoded with `String::from_utf8_lossy`).
//!
//! Asserted, besides "never panics" (overflow checks are on in fuzz builds):
//! - tokens: `start < end <= ` the text's length in chars; starts non-decreasing; two tokens
//!   either share one span (one segment that normalised to several words) or do not overlap;
//!   every span holds a letter or digit;
//! - the tokens equal those of the general path over the whole text (UAX #29 segments of the
//!   whole text, each normalised on its own with `normalize_into` and `words`): the module
//!   doc's promise that the ASCII fast path and cutting the text into pieces change nothing;
//! - `line_starts` strictly ascending, each `< tokens.len()`, the first 0 (when there are
//!   tokens), and a token starts a line exactly when a `\n` stands between it and the token
//!   before; `lines()` covers all tokens with non-empty ranges;
//! - `tokenize_with` hands every word with `word_hash(word)`, in token order;
//! - reused buffers (a `Tokens`, a scratch string, a `Shingler` that saw other text) give the
//!   same result as fresh ones;
//! - `shingle_set(text, 5)` is `None` exactly when the text has no tokens (its doc: "`None`
//!   when it has no words"), else the set of the shingle sequence of those tokens; for widths
//!   k = 5, 1, 2 the set's hashes are sorted and distinct, `words` is the token count, there
//!   is at least one shingle and at most `max(1, n - k + 1)`; with k = 1 the shingles are the
//!   distinct words;
//! - `shingle_sequence` with some lines set aside: the body word count is the tokens not set
//!   aside; each shingle is a run of k body words inside one stretch between set-aside ranges,
//!   in order, every such window present, and its fingerprint is xxh3 (under `SHINGLE_SEED`)
//!   of its words' fingerprints as little-endian bytes; a text with no such window gets one
//!   shingle of all its body words; `ShingleSet::from_sequence` of it is sorted and distinct.
#![no_main]

use std::collections::HashSet;
use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use reprint::text::normalize::{normalize_into, tokenize, tokenize_with, word_hash, words, Token, Tokens};
use reprint::text::shingle::{shingle_sequence, shingle_set, ShingleSet, Shingler, SHINGLE_SEED};
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64_with_seed;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let chars: Vec<char> = text.chars().collect();

    let mut toks = Tokens::default();
    tokenize(text, &mut toks, &mut String::new());
    check_tokens(&chars, &toks);
    assert_eq!(toks, reference(text), "the tokens differ from the general path over the whole text");

    // tokenize_with hands every word with its fingerprint, in token order.
    let mut handed = Vec::new();
    let mut again = Tokens::default();
    tokenize_with(text, &mut again, &mut String::new(), |hash, word| {
        assert!(!word.is_empty(), "an empty word was handed over");
        assert_eq!(hash, word_hash(word), "the hash handed with {word:?} is not its word_hash");
        handed.push(hash);
    });
    assert_eq!(again, toks);
    assert_eq!(handed, toks.tokens.iter().map(|t| t.hash).collect::<Vec<_>>());

    // Reused, dirty buffers give the same result.
    let mut dirty = Tokens::default();
    let mut scratch = String::new();
    tokenize("Leftover words from\nanother article, d\u{e9}j\u{e0} vu.", &mut dirty, &mut scratch);
    tokenize(text, &mut dirty, &mut scratch);
    assert_eq!(dirty, toks, "reused buffers changed the tokens");

    // Shingle sets: `shingle_set` (k = 5, as scans use) against the tokens above, and the sets
    // of other widths from the same tokens.
    let n = toks.tokens.len();
    let set = shingle_set(text, 5);
    match &set {
        None => assert_eq!(n, 0, "shingle_set is None for a text with {n} words"),
        Some(s) => assert!(n > 0, "shingle_set is Some for a text with no words: {s:?}"),
    }
    let mut shingler = Shingler::default();
    let _ = shingler.shingle("Some other text to leave the buffers dirty, with more than five words.", 5);
    assert_eq!(shingler.shingle(text, 5), set, "a reused Shingler gave another set");
    for k in [5, 1, 2] {
        if n == 0 {
            break;
        }
        let (seq, words) = shingle_sequence(&toks.tokens, &[], k);
        let s = ShingleSet::from_sequence(&seq, words);
        if k == 5 {
            assert_eq!(Some(&s), set.as_ref(), "shingle_set differs from the sequence of its tokens");
        }
        assert_eq!(s.words as usize, n);
        assert!(s.hashes.windows(2).all(|w| w[0] < w[1]), "shingle hashes not sorted and distinct");
        assert!(!s.is_empty());
        assert!(s.len() <= n.saturating_sub(k - 1).max(1), "{} shingles of width {k} from {n} words", s.len());
        if k == 1 {
            let distinct: HashSet<u64> = toks.tokens.iter().map(|t| t.hash).collect();
            assert_eq!(s.len(), distinct.len(), "1-shingles are not the distinct words");
        }
    }

    // Shingle sequences with lines set aside (as furniture is): every line whose first word's
    // fingerprint is odd.
    let skip: Vec<Range<usize>> = toks.lines().filter(|r| toks.tokens[r.start].hash & 1 == 1).collect();
    for k in [1, 3, 5] {
        check_sequence(&toks.tokens, &skip, k);
    }
});

fn check_tokens(chars: &[char], toks: &Tokens) {
    let n_chars = chars.len();
    let tokens = &toks.tokens;
    for (i, t) in tokens.iter().enumerate() {
        assert!(t.start < t.end, "token {i} is empty: {t:?}");
        assert!(t.end as usize <= n_chars, "token {i} ends past the text ({n_chars} chars): {t:?}");
        let span = &chars[t.start as usize..t.end as usize];
        assert!(span.iter().any(|c| c.is_alphanumeric()), "token {i} {span:?} has no letter or digit");
        if i > 0 {
            let p = tokens[i - 1];
            assert!(p.start <= t.start, "token starts decrease at {i}: {p:?} then {t:?}");
            let same = (p.start, p.end) == (t.start, t.end);
            assert!(same || p.end <= t.start, "tokens {} and {i} overlap: {p:?} {t:?}", i - 1);
        }
    }
    let ls = &toks.line_starts;
    assert!(ls.windows(2).all(|w| w[0] < w[1]), "line_starts not strictly ascending: {ls:?}");
    assert!(ls.iter().all(|&s| (s as usize) < tokens.len()), "a line start past the tokens: {ls:?}");
    assert_eq!(ls.first().copied(), (!tokens.is_empty()).then_some(0), "the first word does not start a line");
    for i in 1..tokens.len() {
        let gap = &chars[tokens[i - 1].end as usize..tokens[i].start.max(tokens[i - 1].end) as usize];
        let starts = ls.binary_search(&(i as u32)).is_ok();
        assert_eq!(starts, gap.contains(&'\n'), "token {i} line start {starts}, but the gap before it is {gap:?}");
    }
    let lines: Vec<Range<usize>> = toks.lines().collect();
    assert!(lines.iter().all(|r| r.start < r.end), "an empty line range: {lines:?}");
    assert!(lines.windows(2).all(|w| w[0].end == w[1].start), "line ranges not contiguous");
    if let (Some(first), Some(last)) = (lines.first(), lines.last()) {
        assert_eq!((first.start, last.end), (0, tokens.len()));
    }
}

/// The general path over the whole text: UAX #29 word segments of the original text, each with
/// a letter or digit normalised and split into words, offsets in chars; a `\n` in a segment
/// without words starts a new line.
fn reference(text: &str) -> Tokens {
    let mut out = Tokens::default();
    let mut scratch = String::new();
    let mut chars = 0u32;
    let mut new_line = true;
    for segment in text.split_word_bounds() {
        let len = segment.chars().count() as u32;
        if segment.chars().any(char::is_alphanumeric) {
            normalize_into(segment, &mut scratch);
            for word in words(&scratch) {
                if new_line {
                    out.line_starts.push(out.tokens.len() as u32);
                    new_line = false;
                }
                out.tokens.push(Token { hash: word_hash(word), start: chars, end: chars + len });
            }
        } else if segment.contains('\n') {
            new_line = true;
        }
        chars += len;
    }
    out
}

fn fingerprint(words: &[Token]) -> u64 {
    let bytes: Vec<u8> = words.iter().flat_map(|t| t.hash.to_le_bytes()).collect();
    xxh3_64_with_seed(&bytes, SHINGLE_SEED)
}

fn check_sequence(tokens: &[Token], skip: &[Range<usize>], k: usize) {
    let (seq, body) = shingle_sequence(tokens, skip, k);
    let skipped: usize = skip.iter().map(|r| r.len()).sum();
    assert_eq!(body as usize, tokens.len() - skipped, "body words with {skip:?} set aside");
    // The stretches of body words between the set-aside ranges, and every k-window in them.
    let mut runs = Vec::new();
    let mut at = 0;
    for r in skip {
        if r.start > at {
            runs.push(at..r.start);
        }
        at = r.end;
    }
    if tokens.len() > at {
        runs.push(at..tokens.len());
    }
    let windows: Vec<usize> = runs.iter().flat_map(|r| r.start..(r.end + 1).saturating_sub(k).max(r.start)).collect();
    if body == 0 {
        assert!(seq.is_empty(), "shingles from no body words");
    } else if windows.is_empty() {
        assert_eq!(seq.len(), 1, "a text with no run of {k} body words has one shingle");
        let kept: Vec<Token> = runs.iter().flat_map(|r| tokens[r.clone()].iter().copied()).collect();
        assert_eq!(seq[0].start as usize, runs[0].start);
        assert_eq!(seq[0].hash, fingerprint(&kept), "the short text's shingle is not of all its body words");
    } else {
        let starts: Vec<usize> = seq.iter().map(|s| s.start as usize).collect();
        assert_eq!(starts, windows, "the shingles of width {k} with {skip:?} set aside");
        for s in &seq {
            let at = s.start as usize;
            assert_eq!(s.hash, fingerprint(&tokens[at..at + k]), "shingle at {at} has another fingerprint");
        }
    }
    let set = ShingleSet::from_sequence(&seq, body);
    assert!(set.hashes.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(set.words, body);
}
