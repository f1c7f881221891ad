//! Text normalisation, word segmentation and word fingerprints.
//!
//! Receives an article's raw text and hands on its [`Tokens`]: every word's fingerprint with
//! its character offsets in the *original* text (so passages can be shown where they stand)
//! and where each line starts (so furniture lines can be set aside). Words are normalised so
//! that the same words written differently compare equal: NFKC compatibility forms, full Unicode case folding,
//! Latin diacritics stripped ("Bùi Thanh Sơn" and "Bui Thanh Son" give the same words, as in
//! the seed articles), curly quotes and apostrophes unified with straight ones, and words found
//! by Unicode word segmentation (UAX #29), not by splitting on ASCII punctuation. Marks on
//! non-Latin letters (Devanagari vowel signs, Arabic harakat) are kept: they change the word.
//! The original text is segmented first and each word segment normalised on its own, so a
//! token always maps back to one span of the original. Pure-ASCII words take a fast path that
//! gives the identical result.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Seed for word fingerprints ("reprint" in ASCII, then 1). Persisted through shingle sets and
/// signatures: changing it changes every output, which the golden tests would catch.
pub const TOKEN_SEED: u64 = 0x7265_7072_696e_7401;

/// Seed for whole-text fingerprints ("reprint" in ASCII, then 6).
pub const TEXT_SEED: u64 = 0x7265_7072_696e_7406;

/// Fingerprint of a whole normalised text: xxh3 of its word fingerprints in order
/// (little-endian u64s) under [`TEXT_SEED`]. Two texts have the same fingerprint when they
/// are the same words in the same order, whatever their case, accents, spacing and
/// punctuation: the cheap exact-duplicate pass of `reprint dedup`.
pub fn text_fingerprint(tokens: &[Token]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::with_seed(TEXT_SEED);
    for t in tokens {
        hasher.update(&t.hash.to_le_bytes());
    }
    hasher.digest()
}

/// One word of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// xxh3 fingerprint of the normalised word under [`TOKEN_SEED`].
    pub hash: u64,
    /// Offset of the word's first character in the original text, in Unicode scalar values.
    pub start: u32,
    /// Offset just past the word's last character, in Unicode scalar values.
    pub end: u32,
}

/// A document's words, in order, and where its lines start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tokens {
    /// Every word, in text order.
    pub tokens: Vec<Token>,
    /// Index into `tokens` of the first word of each line that has words, ascending.
    pub line_starts: Vec<u32>,
}

impl Tokens {
    /// The token ranges of the lines, in order.
    pub fn lines(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let n = self.tokens.len();
        self.line_starts.iter().enumerate().map(move |(i, &s)| {
            let end = self.line_starts.get(i + 1).map_or(n, |&e| e as usize);
            s as usize..end
        })
    }
}

/// The fingerprint of one normalised word.
pub fn word_hash(word: &str) -> u64 {
    xxh3_64_with_seed(word.as_bytes(), TOKEN_SEED)
}

/// Splits raw `text` into [`Tokens`] (cleared first); `scratch` is a reusable buffer.
pub fn tokenize(text: &str, out: &mut Tokens, scratch: &mut String) {
    tokenize_with(text, out, scratch, |_, _| {});
}

/// [`tokenize`], also handing every normalised word and its fingerprint to `on_word`.
///
/// The text is cut into pieces at the positions where an ASCII whitespace character is
/// followed by an ASCII character other than a space: UAX #29 always breaks there, and no rule looks across it,
/// so segmenting piece by piece gives the segmentation of the whole. Pure-ASCII pieces (most
/// of an English article even when it has curly quotes) take [`ascii_piece`], a byte scanner
/// implementing the UAX #29 rules that can apply to ASCII; the rest go through the general
/// Unicode path. A property test checks the two agree.
pub fn tokenize_with(text: &str, out: &mut Tokens, scratch: &mut String, mut on_word: impl FnMut(u64, &str)) {
    out.tokens.clear();
    out.line_starts.clear();
    let mut state = Cursor { chars: 0, new_line: true };
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut start = 0;
    while start < n {
        // All ASCII from here (the usual case for English text): one fast piece.
        let Some(off) = bytes[start..].iter().position(|b| !b.is_ascii()) else {
            ascii_piece(&text[start..], out, scratch, &mut state, &mut on_word);
            break;
        };
        // A non-ASCII byte: the ASCII text before the last boundary goes the fast way, and
        // the general path takes from there to the next boundary.
        let bad = start + off;
        let mut cut = bad;
        while cut > start && !is_cut(bytes[cut - 1], bytes[cut]) {
            cut -= 1;
        }
        if cut > start {
            ascii_piece(&text[start..cut], out, scratch, &mut state, &mut on_word);
        }
        let mut end = bad + 1;
        while end < n && !is_cut(bytes[end - 1], bytes[end]) {
            end += 1;
        }
        unicode_piece(&text[cut..end], out, scratch, &mut state, &mut on_word);
        start = end;
    }
}

/// Where tokenisation stands between pieces.
struct Cursor {
    /// Characters (Unicode scalar values) before the piece.
    chars: u32,
    /// No word seen since the last line break.
    new_line: bool,
}

/// A piece boundary between bytes `a` and `b`: ASCII whitespace, then an ASCII character that
/// is not a space (spaces join spaces, WB3d, and a combining mark after them would join the
/// run, WB4).
fn is_cut(a: u8, b: u8) -> bool {
    matches!(a, b' ' | b'\n' | b'\t') && b.is_ascii() && b != b' '
}

/// The general path: UAX #29 segments, each normalised on its own.
fn unicode_piece(piece: &str, out: &mut Tokens, scratch: &mut String, state: &mut Cursor, on_word: &mut impl FnMut(u64, &str)) {
    for segment in piece.split_word_bounds() {
        let len = if segment.is_ascii() { segment.len() } else { segment.chars().count() } as u32;
        if segment.chars().any(char::is_alphanumeric) {
            normalize_into(segment, scratch);
            for word in words(scratch) {
                if state.new_line {
                    out.line_starts.push(out.tokens.len() as u32);
                    state.new_line = false;
                }
                let hash = word_hash(word);
                on_word(hash, word);
                out.tokens.push(Token { hash, start: state.chars, end: state.chars + len });
            }
        } else if segment.contains('\n') {
            state.new_line = true;
        }
        state.chars += len;
    }
}

/// Word-break classes of ASCII bytes under UAX #29 (only the classes ASCII has), as bit flags.
mod class {
    /// Joins any other word byte: ALetter `A-Z a-z`, Numeric `0-9`, ExtendNumLet `_` (WB5,
    /// WB8-10, WB13a/b).
    pub const WORD: u8 = 1;
    /// ALetter.
    pub const LETTER: u8 = 2;
    /// Numeric.
    pub const DIGIT: u8 = 4;
    /// Joins two letters around it: MidLetter `:`, MidNumLet `.`, Single_Quote `'` (WB6/7).
    pub const MID_LETTER: u8 = 8;
    /// Joins two digits around it: MidNum `,` `;`, MidNumLet `.`, Single_Quote `'` (WB11/12).
    pub const MID_NUM: u8 = 16;
}

/// The classes of every byte value, built at compile time (one lookup per byte, no branch per
/// class).
static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'a'..=b'z' | b'A'..=b'Z' => class::WORD | class::LETTER,
            b'0'..=b'9' => class::WORD | class::DIGIT,
            b'_' => class::WORD,
            b':' => class::MID_LETTER,
            b'.' | b'\'' => class::MID_LETTER | class::MID_NUM,
            b',' | b';' => class::MID_NUM,
            _ => 0,
        };
        b += 1;
    }
    table
};

#[inline]
fn class(b: u8) -> u8 {
    CLASSES[b as usize]
}

/// The ASCII fast path: the same words, offsets and line starts as [`unicode_piece`] on an
/// ASCII piece. Letters, digits and `_` always join each other (WB5, WB8-10, WB13a/b); a
/// middle character joins two letters (`:` `.` `'`) or two digits (`,` `;` `.` `'`) around it
/// (WB6/7, WB11/12); everything else breaks. A segment is a word when it has a letter or digit.
fn ascii_piece(piece: &str, out: &mut Tokens, scratch: &mut String, state: &mut Cursor, on_word: &mut impl FnMut(u64, &str)) {
    let b = piece.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        // Between words: only line breaks matter.
        while i < n && class(b[i]) & class::WORD == 0 {
            if b[i] == b'\n' {
                state.new_line = true;
            }
            i += 1;
        }
        if i == n {
            break;
        }
        let start = i;
        loop {
            while i < n && class(b[i]) & class::WORD != 0 {
                i += 1;
            }
            // A middle character joins the bytes either side of it when both are letters
            // (`:` `.` `'`) or both digits (`,` `;` `.` `'`).
            if i + 1 < n {
                let (before, mid, after) = (class(b[i - 1]), class(b[i]), class(b[i + 1]));
                let letters = before & after & class::LETTER != 0 && mid & class::MID_LETTER != 0;
                let digits = before & after & class::DIGIT != 0 && mid & class::MID_NUM != 0;
                if letters || digits {
                    i += 2;
                    continue;
                }
            }
            break;
        }
        let word = &piece[start..i];
        // A run of `_` alone is not a word.
        if word.bytes().all(|c| c == b'_') {
            continue;
        }
        normalize_into(word, scratch);
        if state.new_line {
            out.line_starts.push(out.tokens.len() as u32);
            state.new_line = false;
        }
        let hash = word_hash(scratch);
        on_word(hash, scratch);
        let s = state.chars + start as u32;
        out.tokens.push(Token { hash, start: s, end: s + (i - start) as u32 });
    }
    state.chars += n as u32;
}

/// Normalises `text` into `out` (cleared first), ready for [`words`].
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        // ASCII is already NFKC; its full case folding is plain lowercasing; it has no
        // diacritics and no curly quotes.
        out.push_str(text);
        out.make_ascii_lowercase();
        return;
    }
    // NFKC, then full case folding (ß -> ss, ﬁ -> fi), then NFD so diacritics become separate
    // combining marks we can drop after Latin letters, then NFC to recompose what is left.
    let folded = caseless::default_case_fold_str(&text.nfkc().collect::<String>());
    let mut last_base_latin = false;
    let stripped = folded.nfd().filter(|&c| {
        if is_combining_mark(c) {
            return !last_base_latin;
        }
        last_base_latin = is_latin(c);
        true
    });
    for c in stripped.nfc() {
        match c {
            // Apostrophes and single quotes: ‘ ’ ‚ ‛ ′ ʼ
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' => out.push('\''),
            // Double quotes: “ ” „ ‟ ″ « »
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => {
                out.push('"')
            }
            // Dashes and minus signs: ‐ ‑ ‒ – — ― −
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            // Latin letters that carry their stroke in the base letter and do not decompose.
            'đ' => out.push('d'),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'ħ' => out.push('h'),
            'ı' => out.push('i'),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'þ' => out.push_str("th"),
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// Latin script letters (Basic Latin through Latin Extended Additional and Extended-C/D/E).
fn is_latin(c: char) -> bool {
    matches!(c as u32,
        0x0041..=0x005A | 0x0061..=0x007A | 0x00C0..=0x024F | 0x1E00..=0x1EFF
        | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0xAB30..=0xAB6F)
}

/// The words of normalised text, by Unicode word segmentation (only segments containing a
/// letter or digit).
pub fn words(normalized: &str) -> impl Iterator<Item = &str> {
    normalized.unicode_words()
}

/// Convenience: the normalised words of raw text, segmented as [`tokenize`] segments it.
pub fn normalized_words(text: &str) -> Vec<String> {
    let mut buf = String::new();
    let mut out = Vec::new();
    for segment in text.split_word_bounds() {
        if segment.chars().any(char::is_alphanumeric) {
            normalize_into(segment, &mut buf);
            out.extend(words(&buf).map(str::to_string));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_text_fingerprint() {
        // Pinned, and computed independently by tools/golden_reference.py (Python `xxhash`).
        let fp = |text: &str| {
            let mut t = Tokens::default();
            tokenize(text, &mut t, &mut String::new());
            text_fingerprint(&t.tokens)
        };
        assert_eq!(fp("One two three"), 2765700150907246871);
        // Same words, other case, spacing and punctuation: same fingerprint.
        assert_eq!(fp("  ONE, two...\nthree!"), 2765700150907246871);
        assert_ne!(fp("two one three"), 2765700150907246871);
    }

    #[test]
    fn vietnamese_names_match_their_ascii_spelling() {
        assert_eq!(normalized_words("Bùi Thanh Sơn"), normalized_words("Bui Thanh Son"));
        assert_eq!(normalized_words("Nguyễn Phú Trọng"), vec!["nguyen", "phu", "trong"]);
        assert_eq!(normalized_words("Đà Nẵng"), vec!["da", "nang"]);
    }

    #[test]
    fn quotes_dashes_and_spaces_unify() {
        assert_eq!(normalized_words("Putin’s visit—today"), normalized_words("Putin's visit - today"));
        assert_eq!(normalized_words("each\u{00A0}other’s"), vec!["each", "other's"]);
    }

    #[test]
    fn full_case_folding_and_compatibility_forms() {
        assert_eq!(normalized_words("STRASSE Straße"), vec!["strasse", "strasse"]);
        assert_eq!(normalized_words("ﬁnance Ⅻ"), normalized_words("finance xii"));
    }

    #[test]
    fn non_latin_marks_are_kept() {
        // Devanagari vowel signs are combining marks but change the word.
        let w = normalized_words("किताब कतब");
        assert_eq!(w.len(), 2);
        assert_ne!(w[0], w[1]);
    }

    #[test]
    fn ascii_fast_path_matches_general_path() {
        let ascii = "The U.S. said 5.93 mln bags, it's \"fine\" -- e-mail.";
        let mut fast = String::new();
        normalize_into(ascii, &mut fast);
        // Force the general path by appending a non-ASCII char that normalises away.
        let mut slow = String::new();
        normalize_into(&format!("{ascii}\u{00A0}"), &mut slow);
        assert_eq!(words(&fast).collect::<Vec<_>>(), words(&slow).collect::<Vec<_>>());
    }

    #[test]
    fn tokens_map_back_to_the_original_text() {
        let text = "Bùi Thanh Sơn said:\n\n“Vietnam—always” ready.\nComments";
        let mut t = Tokens::default();
        tokenize(text, &mut t, &mut String::new());
        let chars: Vec<char> = text.chars().collect();
        let spans: Vec<String> =
            t.tokens.iter().map(|k| chars[k.start as usize..k.end as usize].iter().collect()).collect();
        assert_eq!(spans, ["Bùi", "Thanh", "Sơn", "said", "Vietnam", "always", "ready", "Comments"]);
        assert_eq!(t.tokens[0].hash, word_hash("bui"));
        assert_eq!(t.line_starts, vec![0, 4, 7]);
        assert_eq!(t.lines().collect::<Vec<_>>(), vec![0..4, 4..7, 7..8]);
    }

    /// The general path over the whole text, as tokenising worked before the fast path.
    fn reference(text: &str) -> Tokens {
        let mut out = Tokens::default();
        let mut state = Cursor { chars: 0, new_line: true };
        unicode_piece(text, &mut out, &mut String::new(), &mut state, &mut |_, _| {});
        out
    }

    fn fast(text: &str) -> Tokens {
        let mut out = Tokens::default();
        tokenize(text, &mut out, &mut String::new());
        out
    }

    #[test]
    fn ascii_rules_match_uax29() {
        for text in [
            "a:b a.b a'b a,b a;b 1:2 1.2 1'2 1,2 1;2 a.1 1.a a1.5 1a.b a..b a.b.c _ __ _a a_ 1_2",
            "U.S. e-mail it's 155,221 bags 5.93 mln\n\nnew line\r\nCRLF\ttab 'quoted' end.",
            "trailing mid: a. b' c, 9; 9.",
            "",
            "   \n\n  ",
        ] {
            assert_eq!(fast(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn mixed_texts_match_the_general_path() {
        for text in [
            "Bùi Thanh Sơn said:\n\n“Vietnam—always” ready.\nComments",
            "don’t café ﬁnance STRASSE Straße a\u{301}b x \u{93F}y \u{301}z",
            "ASCII before “quoted” and after, 5.93 mln—then 1,000 more.",
        ] {
            assert_eq!(fast(text), reference(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_path_equals_general_path(parts in proptest::collection::vec(proptest::sample::select(vec![
            "a", "Z", "q", "0", "7", "_", ":", ".", "'", ",", ";", "-", " ", "  ", "\n", "\r", "\t", "\"",
            "!", "é", "’", "“", "—", "\u{301}", "\u{93F}", "ß", "ﬁ", "\u{A0}", "日本", "🇫🇷", "\u{200D}",
        ]), 0..40)) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(fast(&text), reference(&text));
        }
    }

    #[test]
    fn punctuation_only_has_no_words() {
        assert!(normalized_words(" -- !!! ... ").is_empty());
    }
}
