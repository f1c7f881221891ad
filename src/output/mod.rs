//! Output: the JSONL and JSON files of a run, written atomically, and the review page, all
//! from the plain results of the engine; and scraped text made safe to print.

pub mod report;
pub mod html;

/// Scraped text for a terminal: control characters that a terminal would act on (ESC starts
/// sequences that can retitle or clear it, BEL rings, CR overwrites) become the visible
/// Unicode control pictures (`␛`, `␇`, `␍`; C1 controls and DEL become `�` and `␡`), one
/// character for one, so character offsets into the text still hold. Line breaks and tabs stay.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    s.chars()
        .map(|c| match c as u32 {
            0x0A | 0x09 => c,
            n @ 0x00..=0x1F => char::from_u32(0x2400 + n).expect("control pictures are chars"),
            0x7F => '\u{2421}',
            0x80..=0x9F => '\u{FFFD}',
            _ => c,
        })
        .collect::<String>()
        .into()
}
