//! Hostile input (issue #8): huge records, NUL bytes, control characters, broken links,
//! odd field types. Nothing panics, nothing is silently lost, and every skip names its file,
//! line and reason.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::util::*;

/// The default `--max-doc-bytes` (8M).
const DEFAULT_LIMIT: u64 = 8 << 20;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// What one run of the binary did.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn finish(output: std::process::Output) -> Out {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Out { code: output.status.code().expect("exited, not killed"), stdout, stderr }
}

/// `reprint scan ARGS -o OUT -q`.
fn scan(args: &[&str], out: &Path) -> Out {
    finish(reprint().arg("scan").args(args).arg("-o").arg(out).arg("-q").output().unwrap())
}

/// (id, skip code or None, input) per line of documents.jsonl.
fn outcome(out: &Path) -> Vec<(String, Option<String>, String)> {
    documents(out)
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["skipped"].as_str().map(|s| s.split(':').next().unwrap().to_string()),
                d["input"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn row(id: &str, code: Option<&str>, input: &str) -> (String, Option<String>, String) {
    (id.to_string(), code.map(str::to_string), input.to_string())
}

fn too_large_detail(bytes: u64, limit: u64) -> String {
    format!("too_large: the record is {bytes} bytes, over the limit of {limit} (--max-doc-bytes)")
}

/// Every JSONL output holds exactly one JSON value per line, each line ends with `\n`, and
/// no line is empty.
fn assert_jsonl_outputs_sound(out: &Path) {
    for name in ["documents.jsonl", "clusters.jsonl", "passages.jsonl", "stories.jsonl", "outlets.jsonl"] {
        let path = out.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        if text.is_empty() {
            continue;
        }
        assert!(text.ends_with('\n'), "{name} does not end with a line break");
        for (i, line) in text[..text.len() - 1].split('\n').enumerate() {
            assert!(!line.is_empty(), "{name}:{} is empty", i + 1);
            serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{name}:{}: {e}: {line:?}", i + 1));
        }
    }
}

/// `count` words of 47 letters from a cycle of 16, one space apart: a text of about
/// `48 * count` bytes with many bytes per word (so a 50 MB text stays cheap to tokenise in a
/// debug build) and only 16 distinct shingles.
fn long_words(count: usize) -> String {
    let words: Vec<String> = (0..16)
        .map(|i| (0..47).map(|j| (b'a' + ((i * 7 + j * 3 + j / 5) % 26) as u8) as char).collect())
        .collect();
    let mut s = String::with_capacity(count * 48);
    for n in 0..count {
        if n > 0 {
            s.push(' ');
        }
        s.push_str(&words[n % 16]);
    }
    s
}

/// `len` bytes of junk with no line feed, starting with 0xff (never valid UTF-8): a block
/// of 64 KiB of pseudo-random bytes, repeated (cheap to make in a debug build).
fn binary_junk(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut block = Vec::with_capacity(1 << 16);
    while block.len() < 1 << 16 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        block.extend(x.to_le_bytes().map(|b| if b == b'\n' { 0xfe } else { b }));
    }
    block[0] = 0xff;
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        let n = (len - v.len()).min(block.len());
        v.extend_from_slice(&block[..n]);
    }
    v
}

fn line(v: &Value) -> String {
    serde_json::to_string(v).unwrap() + "\n"
}

/// A 50 MB JSONL record and 50 MB of junk at a file's end are too_large by default; 64M reads the record.
#[test]
fn fifty_megabyte_lines_are_skipped_by_default_and_read_under_a_higher_limit() {
    // A 50 MB JSONL record between good ones, and 50 MB of binary junk without a line break at
    // the end of a file: both skipped as too_large at their lines by default (nothing else lost);
    // with `--max-doc-bytes 64M` the record is processed.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let words = 50 * (1 << 20) / 48 + 1;
    let big_text = long_words(words);
    assert!(big_text.len() > 50 << 20);
    // Letters and spaces need no escaping: written by hand, as serde_json takes seconds over
    // 50 MB in a debug build.
    let big_line = format!(r#"{{"id":"big","outlet":"Big","text":"{big_text}"}}"#);
    drop(big_text);
    let big = dir.path().join("big.jsonl");
    let data = [line(&json!({"id": "a", "text": t[0]})), big_line.clone() + "\n", line(&json!({"id": "c", "text": t[1]}))].concat();
    std::fs::write(&big, &data).unwrap();
    let big_size = data.len() as u64;
    drop(data);
    let junk = dir.path().join("junk.jsonl");
    let junk_bytes = binary_junk(50 << 20);
    let head = [line(&json!({"id": "d", "text": t[5]})), line(&json!({"id": "e", "text": t[6]}))].concat();
    std::fs::write(&junk, [head.as_bytes(), &junk_bytes].concat()).unwrap();
    let junk_size = (head.len() + junk_bytes.len()) as u64;
    drop(junk_bytes);
    let (b, j) = (p(&big), p(&junk));
    let at = |f: &str, n: u32| format!("{f}:{n}");

    // Default limit: both giants skipped, every other record processed.
    let out = dir.path().join("out-default");
    let run = scan(&[b, j], &out);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        outcome(&out),
        vec![
            row("a", None, &at(b, 1)),
            row(&at(b, 2), Some("too_large"), &at(b, 2)),
            row("c", None, &at(b, 3)),
            row("d", None, &at(j, 1)),
            row("e", None, &at(j, 2)),
            row(&at(j, 3), Some("too_large"), &at(j, 3)),
        ]
    );
    let docs = documents(&out);
    let big_record = big_line.len() as u64;
    assert_eq!(docs[1]["skipped"], too_large_detail(big_record, DEFAULT_LIMIT));
    assert_eq!(docs[1]["bytes"], big_record + 1, "the record and its line break");
    assert_eq!(docs[5]["skipped"], too_large_detail(50 << 20, DEFAULT_LIMIT));
    assert_eq!(docs[5]["bytes"], 50u64 << 20);
    for d in [&docs[1], &docs[5]] {
        for k in ["outlet", "title", "date", "cluster", "words"] {
            assert_eq!(d[k], Value::Null, "{k} of {}", d["id"]);
        }
    }
    for (f, n, size) in [(b, 2, big_record), (j, 3, 50 << 20)] {
        let needle = format!("reprint: skipped {f}:{n}: {}", too_large_detail(size, DEFAULT_LIMIT));
        assert!(run.stderr.contains(&needle), "missing {needle:?} in\n{}", run.stderr);
    }
    let runj = run_json(&out);
    assert_eq!(runj["parameters"]["max_doc_bytes"], DEFAULT_LIMIT);
    let c = &runj["counts"];
    assert_eq!((c["documents"].clone(), c["processed"].clone(), c["skipped"].clone()), (json!(6), json!(4), json!(2)));
    assert_eq!(c["skipped_by_reason"], json!({"too_large": 2}));
    assert_eq!(c["input_issues"], 0);
    assert_eq!(c["bytes"], big_size + junk_size, "every input byte is accounted for");
    assert_jsonl_outputs_sound(&out);

    // 64M: the record is read and processed; the junk, read now, is not UTF-8.
    let out = dir.path().join("out-64m");
    let run = scan(&[b, j, "--max-doc-bytes", "64M"], &out);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        outcome(&out),
        vec![
            row("a", None, &at(b, 1)),
            row("big", None, &at(b, 2)),
            row("c", None, &at(b, 3)),
            row("d", None, &at(j, 1)),
            row("e", None, &at(j, 2)),
            row(&at(j, 3), Some("invalid_utf8"), &at(j, 3)),
        ]
    );
    let docs = documents(&out);
    assert_eq!(docs[1]["outlet"], "Big");
    assert_eq!(docs[1]["words"], words);
    assert_eq!(docs[5]["skipped"], "invalid_utf8: invalid UTF-8 at byte 0 of the line");
    let runj = run_json(&out);
    assert_eq!(runj["parameters"]["max_doc_bytes"], 64u64 << 20);
    assert_eq!(runj["counts"]["skipped_by_reason"], json!({"invalid_utf8": 1}));
    assert!(!run.stderr.contains("too_large"), "{}", run.stderr);
}

/// A 20 MB `.txt` article is too_large under its relative path by default and read with 32M.
#[test]
fn twenty_megabyte_txt_article_is_skipped_by_default_and_read_under_a_higher_limit() {
    // A 20 MB `.txt` article beside two normal ones: skipped as too_large under its relative
    // path by default (its manifest metadata kept), processed with `--max-doc-bytes 32M`.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let root = dir.path().join("articles");
    let wire = root.join("wire");
    std::fs::create_dir_all(&wire).unwrap();
    std::fs::write(wire.join("a.txt"), format!("First story\n\n{}", t[0])).unwrap();
    std::fs::write(wire.join("c.txt"), format!("Third story\n\n{}", t[1])).unwrap();
    let words = 20 * (1 << 20) / 48 + 1;
    let body = format!("Big headline\n\n{}", long_words(words));
    assert!(body.len() > 20 << 20);
    std::fs::write(wire.join("big.txt"), &body).unwrap();
    let size = body.len() as u64;
    drop(body);
    std::fs::write(
        wire.join("manifest.jsonl"),
        line(&json!({"file": "big.txt", "title": "From the manifest", "date": "2024-06-21", "outlet": "Wire"})),
    )
    .unwrap();
    let big_path = p(&wire.join("big.txt")).to_string();
    let input = |name: &str| format!("{}:1", p(&wire.join(name)));

    let out = dir.path().join("out-default");
    let run = scan(&[p(&root)], &out);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        outcome(&out),
        vec![
            row("wire/a.txt", None, &input("a.txt")),
            row("wire/big.txt", Some("too_large"), &input("big.txt")),
            row("wire/c.txt", None, &input("c.txt")),
        ]
    );
    let docs = documents(&out);
    assert_eq!(docs[1]["skipped"], too_large_detail(size, DEFAULT_LIMIT));
    assert_eq!(docs[1]["bytes"], size);
    assert_eq!(
        (&docs[1]["title"], &docs[1]["date"], &docs[1]["outlet"]),
        (&json!("From the manifest"), &json!("2024-06-21"), &json!("Wire"))
    );
    let needle = format!("reprint: skipped {big_path}:1: {}", too_large_detail(size, DEFAULT_LIMIT));
    assert!(run.stderr.contains(&needle), "missing {needle:?} in\n{}", run.stderr);
    let runj = run_json(&out);
    assert_eq!(runj["counts"]["skipped_by_reason"], json!({"too_large": 1}));
    assert_eq!(runj["counts"]["processed"], 2);
    let listed = runj["inputs"].as_array().unwrap().iter().find(|i| i["path"] == big_path.as_str()).expect("big.txt in inputs");
    assert_eq!((&listed["bytes"], &listed["format"]), (&json!(size), &json!("txt")));

    let out = dir.path().join("out-32m");
    let run = scan(&[p(&root), "--max-doc-bytes", "32M"], &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        outcome(&out),
        vec![
            row("wire/a.txt", None, &input("a.txt")),
            row("wire/big.txt", None, &input("big.txt")),
            row("wire/c.txt", None, &input("c.txt")),
        ]
    );
    let docs = documents(&out);
    assert_eq!(docs[1]["words"], words + 2, "the headline's two words and the body's");
    assert_eq!(docs[1]["title"], "From the manifest");
    assert_eq!(run_json(&out)["parameters"]["max_doc_bytes"], 32u64 << 20);
}

/// `--max-doc-bytes` rejects 0, words, negative and overflowing sizes (exit 2) and records 512K as 524288.
#[test]
fn max_doc_bytes_values_are_parsed_or_refused_as_usage_errors() {
    // `--max-doc-bytes` values: zero, words, negative and overflowing sizes are usage errors
    // naming the flag (scan and dedup); `512K`, `1G` and plain digits are recorded in bytes, and
    // a record exactly at the limit is read while one byte more is skipped.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let input = dir.path().join("in.jsonl");
    write_jsonl(&input, &[json!({"id": "a", "text": t[0]})]);
    for bad in ["0", "0K", "abc", "-5", "99999999999G", "", "1.5M", "8 M", "M"] {
        let out = dir.path().join("out-bad");
        let arg = format!("--max-doc-bytes={bad}");
        let run = scan(&[p(&input), arg.as_str()], &out);
        assert_eq!(run.code, 2, "{bad:?}: {}", run.stderr);
        assert!(run.stderr.contains("--max-doc-bytes"), "{bad:?}: {}", run.stderr);
        assert!(!out.exists(), "{bad:?} created the output");
        let run = finish(
            reprint().arg("dedup").arg(&input).arg("-o").arg(dir.path().join("d.jsonl")).arg(&arg).output().unwrap(),
        );
        assert_eq!(run.code, 2, "dedup {bad:?}: {}", run.stderr);
        assert!(run.stderr.contains("--max-doc-bytes"), "dedup {bad:?}: {}", run.stderr);
        assert!(!dir.path().join("d.jsonl").exists());
    }
    // As a separate argument, clap takes `-5` for a flag: a usage error, but its message
    // names only the argument ("unexpected argument '-5' found"), not the flag.
    let out = dir.path().join("out-neg");
    let run = scan(&[p(&input), "--max-doc-bytes", "-5"], &out);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("'-5'"), "{}", run.stderr);
    assert!(!out.exists());

    for (given, bytes) in [("512K", 524_288u64), ("1G", 1 << 30), ("12345", 12_345)] {
        let out = dir.path().join(format!("out-{given}"));
        let run = scan(&[p(&input), "--max-doc-bytes", given], &out);
        assert_eq!(run.code, 0, "{given}: {}", run.stderr);
        assert_eq!(run_json(&out)["parameters"]["max_doc_bytes"], bytes, "{given}");
    }

    // The boundary, on .txt files: 1024 bytes pass under 1K, 1025 do not.
    let root = dir.path().join("edge");
    std::fs::create_dir_all(&root).unwrap();
    let text = |n: usize| {
        let mut s = t[0].clone();
        s.truncate(n);
        s
    };
    std::fs::write(root.join("at.txt"), text(1024)).unwrap();
    std::fs::write(root.join("over.txt"), text(1025)).unwrap();
    let out = dir.path().join("out-edge");
    let run = scan(&[p(&root), "--max-doc-bytes", "1K"], &out);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        outcome(&out),
        vec![
            row("at.txt", None, &format!("{}:1", p(&root.join("at.txt")))),
            row("over.txt", Some("too_large"), &format!("{}:1", p(&root.join("over.txt")))),
        ]
    );
    assert_eq!(documents(&out)[1]["skipped"], too_large_detail(1025, 1024));
}

/// A whitespace-only line longer than the limit is a blank line, not a document.
#[test]
fn blank_line_over_the_limit_is_not_a_document() {
    // A whitespace-only line longer than the limit is still a blank line, not a document: the
    // contract is one documents.jsonl line per non-blank input line.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let input = dir.path().join("in.jsonl");
    let data = [line(&json!({"id": "a", "text": t[0]})), " ".repeat(3000) + "\n", line(&json!({"id": "b", "text": t[1]}))].concat();
    std::fs::write(&input, data).unwrap();
    let out = dir.path().join("out");
    let run = scan(&[p(&input), "--max-doc-bytes", "2K"], &out);
    assert_eq!(
        outcome(&out),
        vec![row("a", None, &format!("{}:1", p(&input))), row("b", None, &format!("{}:3", p(&input)))]
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// NUL as a JSON escape is a word break, as a raw byte malformed_json, in a `.txt` file kept.
#[test]
fn nul_bytes_in_json_escapes_raw_bytes_and_txt_files() {
    // NUL bytes: `\u0000` escapes inside a JSON text separate words like a space (the record is
    // processed and is an exact duplicate of the same text with spaces); a raw 0x00 inside or
    // outside a JSON string, and a zero-filled tail, are malformed_json at their lines; NULs in
    // a UTF-8 `.txt` article are kept and it is processed as UTF-8 (not listed as decoded).
    let dir = tempdir();
    let t = reuters_sample_texts();
    let base = t[0].clone();
    let spaced = base.replacen(' ', "\u{0}", 3);
    let with_nuls = format!("\u{0}{spaced}\u{0}");
    let input = dir.path().join("nul.jsonl");
    let mut data: Vec<u8> = Vec::new();
    data.extend(line(&json!({"id": "plain", "text": base})).into_bytes()); // 1
    data.extend(line(&json!({"id": "escaped-nul", "title": "a\u{0}b", "text": with_nuls})).into_bytes()); // 2
    data.extend(b"{\"id\":\"raw-in-string\",\"text\":\"abc\x00def\"}\n"); // 3
    data.extend(b"{\"id\":\"raw-outside\",\x00\"text\":\"abc def\"}\n"); // 4
    data.extend(line(&json!({"id": "other", "text": t[1]})).into_bytes()); // 5
    data.extend(vec![0u8; 4096]); // 6: a zero-filled tail, no line break
    std::fs::write(&input, &data).unwrap();
    assert!(String::from_utf8_lossy(&data).contains("\\u0000"), "serde_json writes NUL as an escape");
    let f = p(&input);
    let at = |n: u32| format!("{f}:{n}");
    let out = dir.path().join("out");
    let run = scan(&[f], &out);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        outcome(&out),
        vec![
            row("plain", None, &at(1)),
            row("escaped-nul", None, &at(2)),
            row(&at(3), Some("malformed_json"), &at(3)),
            row(&at(4), Some("malformed_json"), &at(4)),
            row("other", None, &at(5)),
            row(&at(6), Some("malformed_json"), &at(6)),
        ]
    );
    let docs = documents(&out);
    assert!(docs[2]["skipped"].as_str().unwrap().starts_with("malformed_json: control character"), "{}", docs[2]);
    assert_eq!(docs[1]["title"], "a\u{0}b", "the NUL comes back in the title");
    assert_eq!(docs[1]["words"], docs[0]["words"]);
    for n in [3, 4, 6] {
        assert!(run.stderr.contains(&format!("reprint: skipped {f}:{n}: malformed_json")), "{}", run.stderr);
    }
    let cl = clusters(&out);
    assert_eq!(cl.len(), 1, "{cl:?}");
    assert_eq!(cl[0]["members"], json!(["plain", "escaped-nul"]));
    assert_eq!(cl[0]["min_jaccard"], 1.0, "a NUL separates words as a space does");
    assert_eq!(run_json(&out)["counts"]["skipped_by_reason"], json!({"malformed_json": 3}));
    assert_jsonl_outputs_sound(&out);

    // .txt files with NUL bytes: valid UTF-8, taken as it is.
    let root = dir.path().join("txt");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("a-plain.txt"), format!("Headline\n{base}")).unwrap();
    std::fs::write(root.join("b-nul.txt"), format!("Headline\n{with_nuls}").into_bytes()).unwrap();
    let out = dir.path().join("out-txt");
    let run = scan(&[p(&root)], &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs = documents(&out);
    assert_eq!(docs.len(), 2);
    for d in &docs {
        assert_eq!(d["skipped"], Value::Null, "{d}");
        assert_eq!(d["title"], "Headline");
    }
    assert_eq!(run_json(&out)["decoded_files"], json!([]));
    assert_eq!(cluster_sets(&out), vec![vec!["a-plain.txt".to_string(), "b-nul.txt".to_string()]]);
}

/// A `.txt` saved as UTF-16LE without a byte-order mark is recognised by its NUL pattern.
#[test]
fn bomless_utf16_txt_is_decoded_and_listed() {
    // UTF-16LE without a byte-order mark is also valid UTF-8 when the text is ASCII (every
    // other byte NUL); read as UTF-8 it would make every letter a word. The NUL pattern gives
    // it away: it is decoded as UTF-16LE, listed in `decoded_files`, and matches its UTF-8 twin.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let root = dir.path().join("txt");
    std::fs::create_dir_all(&root).unwrap();
    let article = format!("Headline\n{}", t[0]);
    std::fs::write(root.join("a-utf8.txt"), &article).unwrap();
    let utf16: Vec<u8> = article.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    assert!(std::str::from_utf8(&utf16).is_ok());
    std::fs::write(root.join("b-utf16le.txt"), &utf16).unwrap();
    let out = dir.path().join("out");
    let run = scan(&[p(&root)], &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs = documents(&out);
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1]["skipped"], Value::Null);
    assert_eq!(docs[1]["title"], "Headline");
    assert_eq!(docs[1]["words"], docs[0]["words"]);
    assert_eq!(
        run_json(&out)["decoded_files"],
        json!([format!("{}: decoded from UTF-16LE (no byte-order mark)", p(&root.join("b-utf16le.txt")))])
    );
    assert_eq!(cluster_sets(&out), vec![vec!["a-utf8.txt".to_string(), "b-utf16le.txt".to_string()]]);
}

/// Invalid UTF-8 in `.txt` is never skipped: damaged UTF-8 keeps its accents, other bytes are decoded by guess; both are listed.
#[test]
fn invalid_utf8_in_txt_is_decoded_by_guess_and_listed() {
    // Invalid UTF-8 in `.txt` articles is never a skip, and the file is listed in run.json
    // `decoded_files`. Stray 0xff 0xfe bytes in ASCII English (no UTF-8 evidence) are decoded
    // with chardetng's guess, windows-1254 (Turkish: "ÿş"), and the article still matches its
    // clean twin; one bad byte in an accented UTF-8 article is replaced by U+FFFD and the
    // accents are kept, so it matches its clean twin too.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let root = dir.path().join("txt");
    std::fs::create_dir_all(&root).unwrap();
    let (head, tail) = t[0].split_at(t[0].len() / 2);
    let cut = head.rfind(' ').unwrap();
    let (head, mid) = head.split_at(cut);
    std::fs::write(root.join("a-clean.txt"), format!("Headline\n{}", t[0])).unwrap();
    let mut junky = format!("Headline\n{head}").into_bytes();
    junky.extend(b" \xff\xfe");
    junky.extend(format!("{mid}{tail}").as_bytes());
    std::fs::write(root.join("b-ff-fe.txt"), &junky).unwrap();
    let accented = "Le ministre a déclaré à la presse que la réforme économique était déjà en cours à São \
                    Paulo, señor Müller, et que le prêt serait approuvé après l'été par la Banque centrale \
                    de la nation selon des sources officielles proches du dossier économique.";
    std::fs::write(root.join("c-accented.txt"), format!("Réforme\n{accented}")).unwrap();
    let mut broken = format!("Réforme\n{accented}").into_bytes();
    broken.extend(b" \xff");
    std::fs::write(root.join("d-accented-bad-byte.txt"), &broken).unwrap();
    let out = dir.path().join("out");
    let run = scan(&[p(&root)], &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs = documents(&out);
    let got: Vec<(&str, &Value)> = docs.iter().map(|d| (d["id"].as_str().unwrap(), &d["skipped"])).collect();
    assert_eq!(
        got,
        vec![
            ("a-clean.txt", &Value::Null),
            ("b-ff-fe.txt", &Value::Null),
            ("c-accented.txt", &Value::Null),
            ("d-accented-bad-byte.txt", &Value::Null)
        ]
    );
    let runj = run_json(&out);
    assert_eq!(
        runj["decoded_files"],
        json!([
            format!("{}: decoded from windows-1254", p(&root.join("b-ff-fe.txt"))),
            format!("{}: decoded from UTF-8, 1 invalid byte replaced by U+FFFD", p(&root.join("d-accented-bad-byte.txt"))),
        ])
    );
    assert_eq!(runj["counts"]["skipped"], 0);
    // The stray bytes are one extra word; the rest matches the clean twin.
    assert_eq!(docs[1]["words"].as_u64().unwrap(), docs[0]["words"].as_u64().unwrap() + 1);
    assert_eq!(docs[3]["title"], "Réforme");
    assert_eq!(
        cluster_sets(&out),
        vec![
            vec!["a-clean.txt".to_string(), "b-ff-fe.txt".to_string()],
            vec!["c-accented.txt".to_string(), "d-accented-bad-byte.txt".to_string()]
        ]
    );
}

/// Id, outlet, date, title and URL of the wrong JSON type are mapped as `pick`/`scalar_string` say.
#[test]
fn metadata_fields_of_the_wrong_type_are_mapped_as_the_reader_documents() {
    // Fields other than the text with the wrong type: numbers and booleans are used as written,
    // arrays, objects and null are not (null falls through to the next default field name, a
    // present non-scalar does not), an outlet object gives its `name`, and an outlet that is not
    // usable falls back to the URL's host. Every record is still processed; only a number JSON
    // cannot hold (1e400) makes the line malformed.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let input = dir.path().join("fields.jsonl");
    let f = p(&input).to_string();
    let at = |n: usize| format!("{f}:{n}");
    // (record without text, expected id, outlet, date, title)
    let cases: Vec<(&str, String, Value, Value, Value)> = vec![
        (r#"{"id": 42"#, "42".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": 1.5"#, "1.5".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": true"#, "true".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": {"x": 1}, "_id": "not-consulted""#, at(4), Value::Null, Value::Null, Value::Null),
        (r#"{"id": [1, 2]"#, at(5), Value::Null, Value::Null, Value::Null),
        (r#"{"id": null, "_id": "from-underscore""#, "from-underscore".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": """#, at(7), Value::Null, Value::Null, Value::Null),
        (r#"{"id": "42""#, format!("42@{f}:8"), Value::Null, Value::Null, Value::Null),
        (r#"{"id": "dup-key", "id": "last-wins""#, "last-wins".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": "o-num", "outlet": 7"#, "o-num".into(), json!("7"), Value::Null, Value::Null),
        (r#"{"id": "o-obj", "outlet": {"id": null, "name": "AP"}"#, "o-obj".into(), json!("AP"), Value::Null, Value::Null),
        (
            r#"{"id": "o-noname", "outlet": {"id": "x"}, "url": "https://www.Example.org/a""#,
            "o-noname".into(),
            json!("example.org"),
            Value::Null,
            Value::Null,
        ),
        (r#"{"id": "o-arr", "outlet": ["AP"]"#, "o-arr".into(), Value::Null, Value::Null, Value::Null),
        (
            r#"{"id": "o-blank", "outlet": "   ", "url": "https://news.example.com/x""#,
            "o-blank".into(),
            json!("news.example.com"),
            Value::Null,
            Value::Null,
        ),
        (r#"{"id": "o-name-num", "source": {"name": 5}"#, "o-name-num".into(), json!("5"), Value::Null, Value::Null),
        (r#"{"id": "d-num", "date": 1718928000"#, "d-num".into(), Value::Null, json!("1718928000"), Value::Null),
        (r#"{"id": "d-bad", "date": "yesterday""#, "d-bad".into(), Value::Null, json!("yesterday"), Value::Null),
        (r#"{"id": "d-arr", "date": ["2024-06-21"]"#, "d-arr".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": "d-obj", "date": {"$date": "2024-06-21"}"#, "d-obj".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": "d-bool", "date": false"#, "d-bool".into(), Value::Null, json!("false"), Value::Null),
        (r#"{"id": "t-arr", "title": ["a", "b"]"#, "t-arr".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": "t-num", "title": 12"#, "t-num".into(), Value::Null, Value::Null, json!("12")),
        (r#"{"id": "t-obj", "title": {"a": 1}, "headline": "not-consulted""#, "t-obj".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": "t-null", "title": null, "headline": "From headline""#, "t-null".into(), Value::Null, Value::Null, json!("From headline")),
        (r#"{"id": "u-num", "url": 123"#, "u-num".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": "u-arr", "url": ["https://x.com/a"]"#, "u-arr".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": "u-bad", "url": "not a url at all""#, "u-bad".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": 18446744073709551615"#, "18446744073709551615".into(), Value::Null, Value::Null, Value::Null),
        (r#"{"id": -7"#, "-7".into(), Value::Null, Value::Null, Value::Null),
    ];
    let mut data = String::new();
    for (i, (head, ..)) in cases.iter().enumerate() {
        // Texts of distinct stories, so no record is a duplicate of another.
        data.push_str(&format!("{head}, \"text\": {}}}\n", serde_json::to_string(&t[10 + i]).unwrap()));
    }
    let overflow = cases.len() + 1;
    data.push_str(&format!("{{\"id\": 1e400, \"text\": {}}}\n", serde_json::to_string(&t[90]).unwrap()));
    std::fs::write(&input, data).unwrap();
    let out = dir.path().join("out");
    let run = scan(&[f.as_str()], &out);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let docs = documents(&out);
    assert_eq!(docs.len(), cases.len() + 1);
    for (i, (head, id, outlet, date, title)) in cases.iter().enumerate() {
        let d = &docs[i];
        let got = (&d["id"], &d["outlet"], &d["date"], &d["title"], &d["skipped"]);
        assert_eq!(got, (&json!(id), outlet, date, title, &Value::Null), "line {}: {head}", i + 1);
        assert_eq!(d["input"], at(i + 1));
    }
    let last = &docs[cases.len()];
    assert_eq!(last["id"], at(overflow));
    assert!(last["skipped"].as_str().unwrap().starts_with("malformed_json: number out of range"), "{last}");
    let runj = run_json(&out);
    assert_eq!(runj["counts"]["processed"], cases.len());
    assert_eq!(runj["counts"]["skipped_by_reason"], json!({"malformed_json": 1}));
    assert_eq!(runj["renamed_ids"], json!([["42", format!("42@{f}:8")]]));
}

/// Symlink loops, dangling links and unreadable files in a directory are input issues; the rest is read.
#[test]
fn symlink_loops_dangling_links_and_unreadable_files_are_input_issues() {
    // A directory with a symlink loop, a dangling symlink, an unreadable dump and article, and
    // good dumps: the good documents are read, each problem is an input issue naming its path,
    // stderr warns, and the exit code is 3. A dangling symlink named on the command line is an
    // error naming it.
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = tempdir();
    let t = reuters_sample_texts();
    let root = dir.path().join("dump");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    write_jsonl(&root.join("a.jsonl"), &[json!({"id": "a1", "text": t[0]}), json!({"id": "a2", "text": t[1]})]);
    std::fs::write(root.join("sub/story.txt"), format!("Sub story\n{}", t[5])).unwrap();
    symlink(&root, root.join("loop")).unwrap();
    symlink(root.join("nowhere.jsonl"), root.join("broken.jsonl")).unwrap();
    let locked_jsonl = root.join("locked.jsonl");
    write_jsonl(&locked_jsonl, &[json!({"id": "l1", "text": t[6]})]);
    let locked_txt = root.join("locked.txt");
    std::fs::write(&locked_txt, format!("Locked story\n{}", t[7])).unwrap();
    for f in [&locked_jsonl, &locked_txt] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    // As root (as in CI containers) mode 000 does not stop reading: ask the system.
    let unreadable = std::fs::File::open(&locked_jsonl).is_err();

    let out = dir.path().join("out");
    let run = scan(&[p(&root)], &out);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let runj = run_json(&out);
    let issues: BTreeMap<String, String> = runj["input_issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["line"], Value::Null, "{i}");
            (i["file"].as_str().unwrap().to_string(), i["message"].as_str().unwrap().to_string())
        })
        .collect();
    let broken = p(&root.join("broken.jsonl")).to_string();
    let looped = p(&root.join("loop")).to_string();
    assert!(issues[&broken].starts_with("cannot walk: ") && issues[&broken].contains("No such file"), "{issues:?}");
    assert!(issues[&looped].starts_with("cannot walk: ") && issues[&looped].contains("loop"), "{issues:?}");
    for (path, msg) in [(&broken, &issues[&broken]), (&looped, &issues[&looped])] {
        let needle = format!("reprint: warning: {path}: {msg}");
        assert!(run.stderr.contains(&needle), "missing {needle:?} in\n{}", run.stderr);
    }
    let ids: Vec<String> = outcome(&out).into_iter().map(|(id, skip, _)| {
        assert_eq!(skip, None, "{id}");
        id
    }).collect();
    if unreadable {
        assert_eq!(issues.len(), 4, "{issues:?}");
        assert!(issues[p(&locked_jsonl)].starts_with("cannot open: "), "{issues:?}");
        assert!(issues[p(&locked_txt)].starts_with("cannot read: "), "{issues:?}");
        assert_eq!(ids, vec!["a1", "a2", "sub/story.txt"]);
        // Named on the command line, neither is passed over in silence (a .jsonl is an error,
        // exit 1; a .txt an input issue, exit 3).
        for f in [&locked_jsonl, &locked_txt] {
            let out = dir.path().join("out-locked");
            let run = scan(&[p(&root.join("a.jsonl")), p(f)], &out);
            assert!(run.code == 1 || run.code == 3, "{}", run.stderr);
            assert!(run.stderr.contains(p(f)), "{}", run.stderr);
        }
    } else {
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert_eq!(ids, vec!["a1", "a2", "l1", "locked.txt", "sub/story.txt"]);
    }
    assert_eq!(runj["counts"]["input_issues"], issues.len());
    assert_eq!(runj["counts"]["skipped"], 0);

    // Named on the command line, a dangling link cannot be read at all.
    let out2 = dir.path().join("out2");
    let run = scan(&[&broken], &out2);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(&broken), "{}", run.stderr);
    assert!(!out2.exists());
    for f in [&locked_jsonl, &locked_txt] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

/// A named pipe called `*.jsonl` in an input directory is listed in run.json, not dropped unseen.
#[test]
fn fifo_in_an_input_directory_is_listed() {
    // A named pipe with a dump's name inside an input directory is not read (it could block
    // forever), but it must not vanish either: it belongs in `ignored_files` or `input_issues`.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let root = dir.path().join("dump");
    std::fs::create_dir_all(&root).unwrap();
    write_jsonl(&root.join("a.jsonl"), &[json!({"id": "a1", "text": t[0]})]);
    let fifo = root.join("pipe.jsonl");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let out = dir.path().join("out");
    let run = scan(&[p(&root)], &out);
    assert_eq!(outcome(&out).len(), 1);
    let runj = run_json(&out);
    let text = runj.to_string();
    assert!(
        runj["ignored_files"].as_array().unwrap().iter().any(|f| f.as_str().unwrap().contains("pipe.jsonl"))
            || runj["input_issues"].as_array().unwrap().iter().any(|i| i["file"].as_str().unwrap().contains("pipe.jsonl")),
        "pipe.jsonl is nowhere in run.json: {text}\nexit {}: {}",
        run.code,
        run.stderr
    );
}

/// Control characters, U+2028/9, quotes and `</script>` in every field survive every output intact.
#[test]
fn control_characters_in_every_field_survive_every_output() {
    // Every C0 control character, DEL, NEL, U+2028/U+2029, quotes, backslashes and `</script>`
    // in id, title, outlet, date, URL and text: every JSONL output line parses, the strings come
    // back identical in documents.jsonl and in the report's data island, the island contains
    // no raw U+2028/U+2029 or `<`, the page has exactly its two scripts, and the summary table
    // prints. Lone surrogate escapes (`\ud800`, `\udc00`) are malformed_json (serde_json refuses
    // them); an escaped surrogate pair is one character.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let mut nasty: String = (0u32..0x20).map(|c| char::from_u32(c).unwrap()).collect();
    nasty.push_str("\u{7f}\u{85}\u{2028}\u{2029}\"\\'</script><script>alert(1)</script><!-- & \u{1F600}");
    let rec = |tag: &str, text: String| {
        json!({
            "id": format!("{tag}{nasty}"),
            "title": format!("Title {tag}{nasty}"),
            "outlet": format!("Outlet {tag}{nasty}"),
            "date": format!("2024-06-21{nasty}"),
            "url": format!("https://example.com/{tag}{nasty}"),
            "text": text,
        })
    };
    let sentences: Vec<&str> = t[5].split(". ").collect();
    let text_a = sentences.join(&format!(".{nasty} "));
    let text_b = format!("{text_a} The ministry declined to comment further on {nasty} Tuesday evening.");
    let (a, b) = (rec("a", text_a.clone()), rec("b", text_b.clone()));
    let input = dir.path().join("ctl.jsonl");
    let mut data = line(&a) + &line(&b);
    // Written by hand: escapes of the characters serde_json writes raw.
    data.push_str(r#"{"id": "c\u2028\u2029\u007f\u0085\ud83d\ude00\"\\\/", "text": "Escaped line separators \u2028 and \u2029 in a short text"}"#);
    data.push('\n');
    data.push_str(r#"{"id": "lone-high", "text": "a lone \ud800 surrogate"}"#);
    data.push('\n');
    data.push_str(r#"{"id": "lone-low", "text": "a lone \udc00 surrogate"}"#);
    data.push('\n');
    assert!(data.contains('\u{2028}') && data.contains('\u{7f}'), "written raw by serde_json");
    std::fs::write(&input, &data).unwrap();
    let f = p(&input);
    let out = dir.path().join("out");
    // Without --quiet: the summary table prints the outlets.
    let run = finish(reprint().arg("scan").arg(f).arg("-o").arg(&out).output().unwrap());
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stdout.contains("reprint scan:"), "{}", run.stdout);
    assert_jsonl_outputs_sound(&out);
    let docs = documents(&out);
    let c_id = "c\u{2028}\u{2029}\u{7f}\u{85}\u{1F600}\"\\/";
    let want_ids = [a["id"].clone(), b["id"].clone(), json!(c_id), json!(format!("{f}:4")), json!(format!("{f}:5"))];
    assert_eq!(docs.iter().map(|d| d["id"].clone()).collect::<Vec<_>>(), want_ids);
    for (d, r) in docs.iter().zip([&a, &b]) {
        for k in ["title", "outlet", "date"] {
            assert_eq!(d[k], r[k], "{k} comes back as it was");
        }
        assert_eq!(d["skipped"], Value::Null);
    }
    assert_eq!(docs[2]["skipped"], Value::Null);
    // serde_json's words: a high surrogate not followed by `\u` ends the escape early; a
    // low surrogate alone is called a "lone leading surrogate".
    assert_eq!(docs[3]["skipped"], "malformed_json: unexpected end of hex escape at line 1 column 43");
    assert_eq!(docs[4]["skipped"], "malformed_json: lone leading surrogate in hex escape at line 1 column 41");
    let cl = clusters(&out);
    assert_eq!(cl.len(), 1, "{cl:?}");
    assert_eq!(cl[0]["members"], json!([a["id"], b["id"]]));
    let passages = read_jsonl(&out.join("passages.jsonl"));
    assert!(!passages.is_empty(), "the near-duplicates share passages");
    let outlets: Vec<Value> = read_jsonl(&out.join("outlets.jsonl")).iter().map(|o| o["outlet"].clone()).collect();
    assert!(outlets.contains(&a["outlet"]) && outlets.contains(&b["outlet"]), "{outlets:?}");

    // report.html: the island is JSON that cannot end the script element early.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let open = r#"<script id="reprint-data" type="application/json">"#;
    let start = html.find(open).expect("data island") + open.len();
    let end = start + html[start..].find("</script>").expect("island closed");
    let raw = &html[start..end];
    for bad in ['<', '>', '\u{2028}', '\u{2029}'] {
        assert!(!raw.contains(bad), "raw {bad:?} in the data island");
    }
    assert_eq!(html.matches("<script").count(), 2, "only the island and the code");
    assert_eq!(html.matches("</script").count(), 2);
    let island: Value = serde_json::from_str(raw).expect("island is JSON");
    let island_docs = island["docs"].as_array().unwrap();
    for (r, text) in [(&a, &text_a), (&b, &text_b)] {
        let d = island_docs.iter().find(|d| d["id"] == r["id"]).expect("cluster member in the island");
        assert_eq!((&d["title"], &d["outlet"]), (&r["title"], &r["outlet"]));
        assert_eq!(d["text"], json!(text));
    }
}

/// The summary table does not print escape sequences from outlet names raw to the terminal.
#[test]
fn summary_table_does_not_print_raw_escape_sequences_from_outlets() {
    // The summary table on stdout must not pass escape sequences from the data to the terminal:
    // an outlet named with ESC sequences could retitle or scramble the user's terminal.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let input = dir.path().join("esc.jsonl");
    write_jsonl(
        &input,
        &[
            json!({"id": "a", "outlet": "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J", "text": t[0]}),
            json!({"id": "b", "outlet": "Plain", "text": t[1]}),
        ],
    );
    let out = dir.path().join("out");
    let run = finish(reprint().arg("scan").arg(&input).arg("-o").arg(&out).output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Plain"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "raw ESC on stdout: {:?}", run.stdout);
}

/// `reprint dedup` accounts for too_large and malformed lines: in REMOVED with their reasons, not in OUT.
#[test]
fn dedup_accounts_for_too_large_and_malformed_lines() {
    // `reprint dedup` over a dump with a too_large line and a malformed line: the account adds
    // up, both are listed in REMOVED with their skip reasons and FILE:LINE ids, neither is in
    // OUT (nor in `--mark` output), and the kept records are copied byte for byte.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let wire = t[5].clone();
    let lines = [
        json!({"id": "wire", "outlet": "Wire", "date": "2024-06-06T10:00:00Z", "text": wire}).to_string(),
        json!({"id": "copy", "outlet": "Daily", "date": "2024-06-06T12:00:00Z",
               "text": format!("{wire} The ministry declined to comment.")})
        .to_string(),
        json!({"id": "huge", "outlet": "Huge", "text": long_words(1000)}).to_string(),
        r#"{"id": "broken", "text": "the line ends before the string does"#.to_string(),
        String::new(),
        json!({"id": "other", "outlet": "Other", "text": t[6]}).to_string(),
    ];
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let f = p(&input);
    let huge_len = lines[2].len() as u64;
    assert!(huge_len > 16 * 1024 && lines.iter().filter(|l| l.len() > 16 * 1024).count() == 1);
    let out = dir.path().join("out.jsonl");
    let removed = dir.path().join("removed.jsonl");
    let run = finish(
        reprint()
            .arg("dedup")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .arg("--removed")
            .arg(&removed)
            .args(["--max-doc-bytes", "16K"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("reprint dedup: input records 5 = kept 2 + removed 1 + skipped 2 (checked)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("skipped (not articles): 1 malformed_json, 1 too_large"), "{}", run.stdout);
    let detail = too_large_detail(huge_len, 16 * 1024);
    assert!(run.stderr.contains(&format!("reprint: skipped {f}:3: {detail}")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("reprint: skipped {f}:4: malformed_json")), "{}", run.stderr);
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written, format!("{}\n{}\n", lines[0], lines[5]), "kept records byte for byte");
    let rem: BTreeMap<String, Value> =
        read_jsonl(&removed).into_iter().map(|r| (r["id"].as_str().unwrap().to_string(), r)).collect();
    let mut want = vec!["copy".to_string(), format!("{f}:3"), format!("{f}:4")];
    want.sort();
    assert_eq!(rem.keys().cloned().collect::<Vec<_>>(), want);
    assert_eq!(rem["copy"]["kept_id"], "wire");
    let big = &rem[&format!("{f}:3")];
    assert_eq!((&big["reason"], &big["skipped"], &big["input"]), (&json!("skipped"), &json!(detail), &json!(format!("{f}:3"))));
    let bad = &rem[&format!("{f}:4")];
    assert_eq!(bad["reason"], "skipped");
    assert!(bad["skipped"].as_str().unwrap().starts_with("malformed_json: "), "{bad}");

    // --mark: every record that can carry the fields, the skipped ones only in REMOVED.
    let marked = dir.path().join("marked.jsonl");
    let removed2 = dir.path().join("removed2.jsonl");
    let run = finish(
        reprint()
            .arg("dedup")
            .arg(&input)
            .arg("-o")
            .arg(&marked)
            .arg("--removed")
            .arg(&removed2)
            .args(["--mark", "-q", "--max-doc-bytes", "16K"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("input records 5 = kept 2 + marked as duplicates 1 + skipped 2 (checked)"),
        "{}",
        run.stdout
    );
    let ids: Vec<String> = read_jsonl(&marked).iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, vec!["wire", "copy", "other"]);
    assert_eq!(read_jsonl(&removed2).len(), 3);
}

/// An empty file named explicitly and an empty stdin give exit 0 and zero documents.
#[test]
fn empty_file_and_empty_stdin_give_zero_documents() {
    // An empty file named explicitly and an empty standard input (`-`): exit 0, zero
    // documents, both listed as inputs, and no spooled copy of stdin left behind; `dedup -` on
    // empty stdin writes an empty OUT and an account of zeros.
    let dir = tempdir();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, b"").unwrap();
    let out = dir.path().join("out");
    let run = finish(reprint().arg("scan").arg(&empty).arg("-").arg("-q").arg("-o").arg(&out).write_stdin("").output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert_eq!(std::fs::read(out.join("documents.jsonl")).unwrap(), b"");
    let runj = run_json(&out);
    assert_eq!(runj["counts"]["documents"], 0);
    assert_eq!(
        runj["inputs"],
        json!([{"path": p(&empty), "bytes": 0, "format": "jsonl"}, {"path": "-", "bytes": 0, "format": "jsonl"}])
    );
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "no hidden files left in the output directory");

    let out = dir.path().join("out-stdin");
    let run = finish(reprint().args(["scan", "-", "-q", "-o"]).arg(&out).write_stdin("").output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(documents(&out).len(), 0);
    assert_eq!(clusters(&out).len(), 0);

    let dedup_out = dir.path().join("dedup.jsonl");
    let run = finish(reprint().args(["dedup", "-", "-o"]).arg(&dedup_out).write_stdin("").output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("reprint dedup: input records 0 = kept 0 + removed 0 + skipped 0 (checked)"), "{}", run.stdout);
    assert_eq!(std::fs::read(&dedup_out).unwrap(), b"");
}
