//! Text normalisation and word segmentation.
//!
//! Receives an article's raw text and hands on its words, normalised so that the same words
//! written differently compare equal: NFKC compatibility forms, full Unicode case folding,
//! Latin diacritics stripped ("Bùi Thanh Sơn" and "Bui Thanh Son" give the same words, as in
//! the seed articles), curly quotes and apostrophes unified with straight ones, and words found
//! by Unicode word segmentation (UAX #29), not by splitting on ASCII punctuation. Marks on
//! non-Latin letters (Devanagari vowel signs, Arabic harakat) are kept: they change the word.
//! Pure-ASCII text takes a fast path that gives the identical result.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Normalises `text` into `out` (cleared first), ready for [`words`].
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        // ASCII is already NFKC; its full case folding is plain lowercasing; it has no
        // diacritics and no curly quotes.
        out.extend(text.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    // NFKC, then full case folding (ß -> ss, ﬁ -> fi), then NFD so diacritics become separate
    // combining marks we can drop after Latin letters, then NFC to recompose what is left.
    let folded = caseless::default_case_fold_str(&text.nfkc().collect::<String>());
    let mut last_base_latin = false;
    let stripped = folded.nfd().filter_map(|c| {
        if is_combining_mark(c) {
            return (!last_base_latin).then_some(c);
        }
        last_base_latin = is_latin(c);
        Some(c)
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

/// Convenience: the normalised words of raw text.
pub fn normalized_words(text: &str) -> Vec<String> {
    let mut buf = String::new();
    normalize_into(text, &mut buf);
    words(&buf).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn punctuation_only_has_no_words() {
        assert!(normalized_words(" -- !!! ... ").is_empty());
    }
}
