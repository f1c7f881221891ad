//! The JSONL reader: `reprint::input::read_jsonl_bytes` on arbitrary bytes as a dump (plain,
//! or gzip/zstd when it starts with their magic bytes), read twice: with `max_doc_bytes` 4096
//! and with a limit of 48 bytes, so that the `too_large` path is taken by plain inputs too.
//!
//! For a plain dump the records are checked line by line against an independent reading (a
//! line is the bytes up to `\n`; a UTF-8 BOM at the start of line 1 and the `\r`s that end a
//! line are not part of it; a line is blank when all its bytes are ASCII whitespace):
//! - a blank line gives no record, however long; a non-blank line gives exactly one: so
//!   records come in input order with strictly increasing `meta.location.line`, all in file 0;
//! - a non-blank line over the limit is skipped as `too_large`, with its size and the limit;
//! - `meta.bytes` is the line's length as read (line break and BOM included);
//! - a line that is not UTF-8 is `invalid_utf8` at the first bad byte; not JSON,
//!   `malformed_json`; JSON but not an object, `not_an_object`; else the text is the first
//!   non-null of `text`, `maintext`, `content`, `body` (`missing_text` when none,
//!   `text_not_string` when not a string, `empty_text` when blank) and a record read has
//!   non-blank text; the id is the first non-null scalar of `id`, `_id`, `doc_id`, else
//!   `NAME:LINE`;
//! - no issue is reported, one file is listed, named as given, format `jsonl`, size the
//!   input's length.
//!
//! For a compressed dump: no panic, record lines >= 1 and strictly increasing, format
//! `jsonl+gzip`/`jsonl+zstd`; when the stream decompresses cleanly (checked with the same
//! decoders) the records are exactly those the line rules above give for the decompressed
//! bytes and no issue is reported; when it does not, an issue is reported, and each record
//! on a line the decoder did produce whole still follows the line rules.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use reprint::config::FieldMap;
use reprint::input::{read_jsonl_bytes, Record, SkipReason};
use serde_json::Value;

const NAME: &str = "fuzz.jsonl";
const LIMITS: [u64; 2] = [4096, 48];
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
/// Decompressed bytes the oracle looks at; a stream that inflates further is only read by the
/// reader (which keeps at most a line's worth of it).
const MAX_INFLATED: u64 = 16 << 20;

fuzz_target!(|data: &[u8]| {
    let fields = FieldMap::default();
    let codec = if data.starts_with(GZIP_MAGIC) {
        Some("gzip")
    } else if data.starts_with(ZSTD_MAGIC) {
        Some("zstd")
    } else {
        None
    };
    // Decompress once, independently, for the oracle.
    let inflated = codec.map(|c| inflate(c, data));
    for limit in LIMITS {
        let (records, summary) = read_jsonl_bytes(data, NAME, &fields, limit);
        assert_eq!(summary.files.len(), 1, "one input, {} files listed", summary.files.len());
        let file = &summary.files[0];
        assert_eq!(file.path, NAME);
        assert_eq!(file.bytes, data.len() as u64);
        for w in records.windows(2) {
            assert!(w[0].meta.location.line < w[1].meta.location.line, "record lines not strictly increasing");
        }
        for r in &records {
            assert!(r.meta.location.line >= 1 && r.meta.location.file == 0, "bad location {:?}", r.meta.location);
            if let Ok(text) = &r.body {
                assert!(!text.trim().is_empty(), "a record read with blank text");
            }
        }
        match (codec, &inflated) {
            (None, _) => {
                assert_eq!(file.format, "jsonl");
                assert!(summary.issues.is_empty(), "issues reading plain bytes: {:?}", summary.issues);
                check_lines(data, &records, limit, &fields, true);
            }
            (Some(c), Some(inflated)) => {
                assert_eq!(file.format, format!("jsonl+{c}"));
                match inflated {
                    Inflated::Whole(bytes) => {
                        assert!(summary.issues.is_empty(), "issues reading a clean {c} stream: {:?}", summary.issues);
                        check_lines(bytes, &records, limit, &fields, true);
                    }
                    Inflated::Broken(prefix) => {
                        assert!(!summary.issues.is_empty(), "a broken {c} stream read without an issue");
                        check_lines(prefix, &records, limit, &fields, false);
                    }
                    Inflated::TooBig => {}
                }
            }
            (Some(_), None) => unreachable!(),
        }
    }
});

enum Inflated {
    /// The stream decompressed cleanly to these bytes.
    Whole(Vec<u8>),
    /// The decoder failed after producing these bytes.
    Broken(Vec<u8>),
    /// Over `MAX_INFLATED`: not checked line by line.
    TooBig,
}

fn inflate(codec: &str, data: &[u8]) -> Inflated {
    let mut out = Vec::new();
    let result = match codec {
        "gzip" => flate2::bufread::MultiGzDecoder::new(data).take(MAX_INFLATED + 1).read_to_end(&mut out),
        _ => match zstd::stream::read::Decoder::with_buffer(data) {
            Ok(dec) => dec.take(MAX_INFLATED + 1).read_to_end(&mut out),
            Err(e) => Err(e),
        },
    };
    match result {
        _ if out.len() as u64 > MAX_INFLATED => Inflated::TooBig,
        Ok(_) => Inflated::Whole(out),
        Err(_) => Inflated::Broken(out),
    }
}

/// What one line of a dump must give.
#[derive(Debug)]
enum Expect {
    /// Nothing (a blank line).
    None,
    /// A `too_large` record.
    TooLarge { size: u64 },
    /// A record parsed from the line.
    Parsed,
}

/// Checks `records` against the lines of `bytes` (decompressed, when the input was). With
/// `whole` false, `bytes` is what a failing decoder produced: only records on lines that end
/// inside it are checked, and missing records are not an error.
fn check_lines(bytes: &[u8], records: &[Record], limit: u64, fields: &FieldMap, whole: bool) {
    let mut recs = records.iter().peekable();
    let mut rest = bytes;
    let mut line_no = 0u64;
    while !rest.is_empty() {
        let (raw, read_len, ended) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], i + 1, true),
            None => (rest, rest.len(), false),
        };
        rest = &rest[read_len..];
        line_no += 1;
        if !whole && !ended {
            break; // the decoder stopped inside this line
        }
        let mut line = raw;
        // One mark at the start of the dump is not content (a second one is, regression
        // `two_boms_both_stripped`).
        if let Some(rest) = raw.strip_prefix(UTF8_BOM).filter(|_| line_no == 1) {
            line = rest;
        }
        while let [head @ .., b'\r'] = line {
            line = head;
        }
        let blank = line.iter().all(u8::is_ascii_whitespace);
        let expect = if blank {
            Expect::None
        } else if line.len() as u64 > limit {
            Expect::TooLarge { size: line.len() as u64 }
        } else {
            Expect::Parsed
        };
        let here = recs.next_if(|r| r.meta.location.line == line_no);
        if !whole {
            // Records may stop early; lines past the last record are not checked.
            if let Some(r) = here {
                check_record(r, line, line_no, read_len as u64, limit, fields, &expect);
            }
            continue;
        }
        match (&expect, here) {
            (Expect::None, None) => {}
            (Expect::None, Some(r)) => panic!("blank line {line_no} gave a record: {r:?}"),
            (_, None) => panic!("line {line_no} ({expect:?}, {:?}) gave no record", String::from_utf8_lossy(line)),
            (_, Some(r)) => check_record(r, line, line_no, read_len as u64, limit, fields, &expect),
        }
        if let Some(r) = recs.peek() {
            assert!(r.meta.location.line > line_no, "record for line {} out of order or duplicated", r.meta.location.line);
        }
    }
    if whole {
        assert!(recs.next().is_none(), "records past the last line ({line_no})");
    }
}

fn check_record(r: &Record, line: &[u8], line_no: u64, read_len: u64, limit: u64, fields: &FieldMap, expect: &Expect) {
    let shown = String::from_utf8_lossy(line);
    assert_eq!(r.meta.location.line, line_no);
    assert_eq!(r.meta.bytes, read_len, "line {line_no}: bytes as read");
    let fallback = format!("{NAME}:{line_no}");
    match expect {
        Expect::None => panic!("blank line {line_no} gave a record"),
        Expect::TooLarge { size } => {
            assert_eq!(r.body, Err(SkipReason::TooLarge { bytes: *size, limit }), "line {line_no} is over {limit}");
            assert_eq!(r.body.as_ref().unwrap_err().code(), "too_large");
            assert_eq!(r.meta.id, fallback);
        }
        Expect::Parsed => {
            if let Err(SkipReason::TooLarge { .. }) = r.body {
                panic!("line {line_no} of {} bytes skipped as too large (limit {limit})", line.len());
            }
            if let Err(e) = std::str::from_utf8(line) {
                assert_eq!(r.body, Err(SkipReason::InvalidUtf8(e.valid_up_to())), "line {line_no}: {shown:?}");
                assert_eq!(r.meta.id, fallback);
                return;
            }
            let obj = match serde_json::from_slice::<Value>(line) {
                Err(_) => {
                    let code = r.body.as_ref().err().map(SkipReason::code);
                    assert_eq!(code, Some("malformed_json"), "line {line_no}: {shown:?}");
                    assert_eq!(r.meta.id, fallback);
                    return;
                }
                Ok(Value::Object(obj)) => obj,
                Ok(_) => {
                    assert_eq!(r.body, Err(SkipReason::NotAnObject), "line {line_no}: {shown:?}");
                    assert_eq!(r.meta.id, fallback);
                    return;
                }
            };
            let pick = |named: &Option<String>, defaults: &[&'static str]| -> Option<(String, Value)> {
                let names: Vec<String> = match named {
                    Some(n) => vec![n.clone()],
                    None => defaults.iter().map(|s| s.to_string()).collect(),
                };
                names.into_iter().find_map(|n| obj.get(&n).filter(|v| !v.is_null()).map(|v| (n, v.clone())))
            };
            match pick(&fields.text, &["text", "maintext", "content", "body"]) {
                None => assert_eq!(r.body.as_ref().err().map(SkipReason::code), Some("missing_text"), "line {line_no}"),
                Some((_, Value::String(s))) if !s.trim().is_empty() => {
                    assert_eq!(r.body.as_deref(), Ok(s.as_str()), "line {line_no}: {shown:?}")
                }
                Some((_, Value::String(_))) => assert_eq!(r.body, Err(SkipReason::EmptyText), "line {line_no}"),
                Some((name, _)) => assert_eq!(r.body, Err(SkipReason::TextNotString(name)), "line {line_no}"),
            }
            let id = pick(&fields.id, &["id", "_id", "doc_id"]).and_then(|(_, v)| match v {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            });
            let want = id.filter(|s| !s.is_empty()).unwrap_or(fallback);
            assert_eq!(r.meta.id, want, "line {line_no}: id");
        }
    }
}
