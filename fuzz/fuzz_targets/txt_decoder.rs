//! `reprint::input::decode_text`, which turns the bytes of a `.txt` article into text. Its doc:
//! "a BOM decides; else UTF-16 when every other byte is mostly NUL (a file saved as UTF-16
//! without a BOM); else UTF-8 if valid; else UTF-8 with its invalid bytes replaced when it is
//! marked or mostly UTF-8; else the encoding chardetng detects. Returns the text and, unless
//! it was clean UTF-8, how it was decoded."
//!
//! Asserted, besides "never panics":
//! - decoding is deterministic (the same bytes twice give the same text and description);
//! - no description ("clean UTF-8") only when the bytes, after a UTF-8 BOM, are valid UTF-8,
//!   and then the text is exactly those bytes;
//! - valid UTF-8 without a BOM and without NUL bytes (so it cannot look like UTF-16) comes
//!   back unchanged with no description;
//! - UTF-8 with a BOM: the rest decoded as `String::from_utf8_lossy` would, described as
//!   clean UTF-8 when it is and as `UTF-8, N invalid byte(s) replaced by U+FFFD` when not;
//! - UTF-16 with a BOM (LE or BE) is described as `UTF-16LE`/`UTF-16BE`; UTF-16 guessed without
//!   one as `UTF-16LE (no byte-order mark)`/`UTF-16BE (...)`, only for input with NUL bytes;
//!   either way, well-formed UTF-16 encodes back to exactly the input bytes;
//! - damaged UTF-8 described as `UTF-8, N invalid byte(s) replaced by U+FFFD` is
//!   `String::from_utf8_lossy` of the input, N its count of invalid bytes;
//! - anything else (chardetng's guess) has a non-empty description that is not plain UTF-8,
//!   and non-empty input never decodes to empty text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprint::input::decode_text;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fuzz_target!(|data: &[u8]| {
    let (text, how) = decode_text(data);
    let again = decode_text(data);
    assert_eq!((&text, &how), (&again.0, &again.1), "decoding is not deterministic");
    let how = how.as_deref();

    let after_bom = data.strip_prefix(UTF8_BOM).unwrap_or(data);
    if how.is_none() {
        let clean = std::str::from_utf8(after_bom);
        assert!(clean.is_ok(), "not clean UTF-8, yet decoded without saying how: {text:?}");
        assert_eq!(Ok(text.as_str()), clean, "clean UTF-8 was changed");
    }

    if let Some(rest) = data.strip_prefix(UTF8_BOM) {
        assert_eq!(text, String::from_utf8_lossy(rest), "UTF-8 after a BOM decoded differently ({how:?})");
        check_damaged_utf8(rest, how);
        return;
    }
    for (bom, name, big_endian) in [(b"\xFF\xFE", "UTF-16LE", false), (b"\xFE\xFF", "UTF-16BE", true)] {
        let Some(rest) = data.strip_prefix(bom) else { continue };
        assert_eq!(how, Some(name), "a {name} BOM was decoded as {how:?}");
        check_utf16_round_trip(rest, &text, big_endian);
        return;
    }
    if let Some(name) = how.and_then(|h| h.strip_suffix(" (no byte-order mark)")) {
        let big_endian = match name {
            "UTF-16LE" => false,
            "UTF-16BE" => true,
            _ => panic!("guessed without a byte-order mark: {name:?}"),
        };
        assert!(data.contains(&0), "UTF-16 guessed for input without a NUL byte");
        check_utf16_round_trip(data, &text, big_endian);
        return;
    }
    match std::str::from_utf8(data) {
        Ok(s) => {
            assert_eq!(how, None, "valid UTF-8 (not taken as UTF-16) was decoded as {how:?}");
            assert_eq!(text, s, "valid UTF-8 was changed");
        }
        Err(_) => {
            let how = how.expect("invalid UTF-8 decoded without saying how");
            if how.starts_with("UTF-8, ") {
                check_damaged_utf8(data, Some(how));
                assert_eq!(text, String::from_utf8_lossy(data), "damaged UTF-8 decoded differently");
            } else {
                assert!(!how.is_empty() && !how.eq_ignore_ascii_case("UTF-8"), "invalid UTF-8 'decoded' as {how:?}");
                assert!(!text.is_empty(), "{} bytes decoded from {how} to empty text", data.len());
            }
        }
    }
});

/// `how` for `bytes` decoded as UTF-8: nothing when they are valid, else
/// `UTF-8, N invalid byte(s) replaced by U+FFFD` with N their count of invalid bytes.
fn check_damaged_utf8(bytes: &[u8], how: Option<&str>) {
    let invalid: usize = bytes.utf8_chunks().map(|c| c.invalid().len()).sum();
    let plural = if invalid == 1 { "byte" } else { "bytes" };
    let want = (invalid > 0).then(|| format!("UTF-8, {invalid} invalid {plural} replaced by U+FFFD"));
    assert_eq!(how, want.as_deref(), "how {} bytes with {invalid} invalid were described", bytes.len());
}

/// When `bytes` are well-formed UTF-16, `text` must encode back to exactly them.
fn check_utf16_round_trip(bytes: &[u8], text: &str, big_endian: bool) {
    if bytes.len() % 2 != 0 {
        return;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| if big_endian { u16::from_be_bytes([p[0], p[1]]) } else { u16::from_le_bytes([p[0], p[1]]) })
        .collect();
    if char::decode_utf16(units.iter().copied()).all(|c| c.is_ok()) {
        let back: Vec<u8> = text
            .encode_utf16()
            .flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() })
            .collect();
        assert_eq!(back, bytes, "well-formed UTF-16 did not round-trip");
    }
}
