//! Bad input never panics and never vanishes: every document line is accounted for.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use crate::util::*;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ids(docs: &[Value]) -> Vec<String> {
    docs.iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
}

fn run(args: &[&str], out: &Path) -> (i32, String, String) {
    let output = reprint().arg("scan").args(args).arg("-o").arg(out).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code().expect("exited, not killed"), stdout, stderr)
}

/// Two unrelated article texts.
fn two_texts() -> (String, String) {
    let t = reuters_sample_texts();
    (t[0].clone(), t[1].clone())
}

/// A JSONL file with every kind of bad line, returned with the byte offset of the invalid
/// UTF-8 byte on line 5.
fn write_bad_file(path: &Path) -> usize {
    let (t0, t1) = two_texts();
    let mut data: Vec<u8> = Vec::new();
    let line = |v: Value| serde_json::to_vec(&v).unwrap();
    data.extend(line(json!({"id": "g1", "text": t0}))); // 1
    data.extend(b"\n");
    data.extend(br#"{"id": "bad", "text": "unterminated"#); // 2 malformed_json
    data.extend(b"\n\n"); // 3 blank
    data.extend(b"[1,2]\n"); // 4 not_an_object
    let bad_utf8_line = b"{\"id\":\"u\",\"text\":\"caf\xe9 au lait\"}";
    let bad_at = bad_utf8_line.iter().position(|&b| b == 0xe9).unwrap();
    data.extend(bad_utf8_line); // 5 invalid_utf8
    data.extend(b"\n");
    data.extend(line(json!({"id": "m", "title": "no text here"}))); // 6 missing_text
    data.extend(b"\n");
    data.extend(line(json!({"id": "n", "text": 42}))); // 7 text_not_string
    data.extend(b"\r\n");
    data.extend(line(json!({"id": "e", "text": " \t\n  "}))); // 8 empty_text
    data.extend(b"\n");
    data.extend(line(json!({"id": "p", "text": "!!! ... ??? -- ***"}))); // 9 no_words
    data.extend(b"\n   \t \n"); // 10 whitespace-only: blank
    data.extend(line(json!({"id": "g2", "text": t1}))); // 11, no trailing newline
    std::fs::write(path, data).unwrap();
    bad_at
}

#[test]
fn every_bad_line_is_listed_with_its_reason_and_line() {
    let dir = tempdir();
    let path = dir.path().join("bad.jsonl");
    let bad_at = write_bad_file(&path);
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&path), "--quiet"], &out);
    assert_eq!(code, 3, "{stderr}");
    let f = p(&path);
    let docs = documents(&out);
    let got: Vec<(String, Option<String>, String)> = docs
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["skipped"].as_str().map(|s| s.split(':').next().unwrap().to_string()),
                d["input"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let at = |n: u32| format!("{f}:{n}");
    let want: Vec<(String, Option<String>, String)> = vec![
        ("g1".into(), None, at(1)),
        (at(2), Some("malformed_json".into()), at(2)),
        (at(4), Some("not_an_object".into()), at(4)),
        (at(5), Some("invalid_utf8".into()), at(5)),
        ("m".into(), Some("missing_text".into()), at(6)),
        ("n".into(), Some("text_not_string".into()), at(7)),
        ("e".into(), Some("empty_text".into()), at(8)),
        ("p".into(), Some("no_words".into()), at(9)),
        ("g2".into(), None, at(11)),
    ];
    assert_eq!(got, want);
    assert_eq!(docs[3]["skipped"], format!("invalid_utf8: invalid UTF-8 at byte {bad_at} of the line"));
    assert_eq!(docs[5]["skipped"], "text_not_string: field `text` is not a string");
    assert_eq!(docs[4]["skipped"], "missing_text: no text field (tried `text`, `maintext`, `content`, `body`)");
    for d in &docs {
        assert_eq!(d["cluster"], Value::Null);
    }
    // every skip is named on stderr with file:line and code
    for (n, code) in [
        (2, "malformed_json"),
        (4, "not_an_object"),
        (5, "invalid_utf8"),
        (6, "missing_text"),
        (7, "text_not_string"),
        (8, "empty_text"),
        (9, "no_words"),
    ] {
        let needle = format!("reprint: skipped {f}:{n}: {code}");
        assert!(stderr.contains(&needle), "missing {needle:?} in\n{stderr}");
    }
    let runj = run_json(&out);
    let c = &runj["counts"];
    assert_eq!(c["documents"], 9);
    assert_eq!(c["processed"], 2);
    assert_eq!(c["skipped"], 7);
    assert_eq!(
        c["skipped_by_reason"],
        json!({"malformed_json": 1, "not_an_object": 1, "invalid_utf8": 1, "missing_text": 1,
               "text_not_string": 1, "empty_text": 1, "no_words": 1})
    );
    assert_eq!(c["input_issues"], 0);
    assert_eq!(clusters(&out), Vec::<Value>::new());
}

#[test]
fn more_than_ten_skips_are_summarised_on_stderr() {
    let dir = tempdir();
    let path = dir.path().join("many.jsonl");
    let mut s = String::new();
    for i in 0..13 {
        s.push_str(&format!("{{\"id\":\"x{i}\"}}\n"));
    }
    std::fs::write(&path, s).unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&path), "-q"], &out);
    assert_eq!(code, 3);
    assert_eq!(stderr.matches("reprint: skipped ").count(), 10, "{stderr}");
    assert!(stderr.contains("... and 3 more skipped documents"), "{stderr}");
    assert_eq!(documents(&out).len(), 13);
    assert_eq!(run_json(&out)["counts"]["skipped_by_reason"], json!({"missing_text": 13}));
}

#[test]
fn strict_refuses_and_writes_nothing() {
    let dir = tempdir();
    let path = dir.path().join("bad.jsonl");
    write_bad_file(&path);
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(&[p(&path), "--strict"], &out);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--strict"), "{stderr}");
    assert!(stderr.contains(&format!("{}:2: malformed_json", p(&path))), "{stderr}");
    assert!(stderr.contains("7 input problem"), "{stderr}");
    assert_eq!(stdout, "");
    assert!(!out.exists(), "strict failure created {}", out.display());
}

#[test]
fn strict_with_clean_input_succeeds() {
    let dir = tempdir();
    let path = dir.path().join("good.jsonl");
    let (t0, t1) = two_texts();
    write_jsonl(&path, &[json!({"id": "a", "text": t0}), json!({"id": "b", "text": t1})]);
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&path), "--strict", "-q"], &out);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&documents(&out)), vec!["a", "b"]);
    assert_eq!(run_json(&out)["parameters"]["strict"], true);
}

/// Forty distinct JSONL records with ids `d0`..`d39`.
fn many_records() -> Vec<u8> {
    let t = reuters_sample_texts();
    let mut s = String::new();
    for (i, text) in t.iter().take(40).enumerate() {
        s.push_str(&json!({"id": format!("d{i}"), "text": text}).to_string());
        s.push('\n');
    }
    s.into_bytes()
}

/// Checks a run over a damaged archive: a strict prefix of the documents, none skipped, and
/// one input issue naming the file.
fn assert_prefix_kept_with_issue(out: &Path, file: &str, stderr: &str) {
    let docs = documents(out);
    let n = docs.len();
    assert!(n > 0 && n < 40, "kept {n} documents");
    let want: Vec<String> = (0..n).map(|i| format!("d{i}")).collect();
    assert_eq!(ids(&docs), want);
    for (i, d) in docs.iter().enumerate() {
        assert_eq!(d["skipped"], Value::Null, "{d}");
        assert_eq!(d["input"], format!("{file}:{}", i + 1));
    }
    let runj = run_json(out);
    let issues = runj["input_issues"].as_array().unwrap();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0]["file"], file);
    assert_eq!(issues[0]["line"], n as u64 + 1);
    let msg = issues[0]["message"].as_str().unwrap();
    assert!(msg.contains("truncated or corrupt"), "{msg}");
    assert_eq!(runj["counts"]["input_issues"], 1);
    assert_eq!(runj["counts"]["skipped"], 0);
    assert!(stderr.contains(&format!("reprint: warning: {file}:{}:", n + 1)), "{stderr}");
}

#[test]
fn truncated_gzip_keeps_documents_before_the_break() {
    let dir = tempdir();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&many_records()).unwrap();
    let gz = enc.finish().unwrap();
    let path = dir.path().join("cut.jsonl.gz");
    std::fs::write(&path, &gz[..gz.len() / 2]).unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&path), "-q"], &out);
    assert_eq!(code, 3, "{stderr}");
    assert_prefix_kept_with_issue(&out, p(&path), &stderr);
    assert!(run_json(&out)["input_issues"][0]["message"].as_str().unwrap().starts_with("gzip"));
}

#[test]
fn corrupt_zstd_keeps_documents_before_the_break() {
    let dir = tempdir();
    let data = many_records();
    // two frames; the second is damaged after its header
    let half = data.len() / 2;
    let cut = half + data[half..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let first = zstd::encode_all(&data[..cut], 3).unwrap();
    let mut second = zstd::encode_all(&data[cut..], 3).unwrap();
    let len = second.len();
    for b in &mut second[len / 3..len - 8] {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    let path = dir.path().join("bad.jsonl.zst");
    std::fs::write(&path, [first, second].concat()).unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&path), "-q"], &out);
    assert_eq!(code, 3, "{stderr}");
    assert_prefix_kept_with_issue(&out, p(&path), &stderr);
    assert!(run_json(&out)["input_issues"][0]["message"].as_str().unwrap().starts_with("zstd"));
}

#[test]
fn truncated_zstd_keeps_documents_before_the_break() {
    let dir = tempdir();
    let data = many_records();
    let cut = data.len() / 2;
    let cut = cut + data[cut..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let first = zstd::encode_all(&data[..cut], 3).unwrap();
    let second = zstd::encode_all(&data[cut..], 3).unwrap();
    let path = dir.path().join("cut.jsonl.zst");
    std::fs::write(&path, [first, second[..second.len() / 2].to_vec()].concat()).unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&path), "-q"], &out);
    assert_eq!(code, 3, "{stderr}");
    assert_prefix_kept_with_issue(&out, p(&path), &stderr);
}

#[test]
fn strict_fails_on_truncated_archive() {
    let dir = tempdir();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&many_records()).unwrap();
    let gz = enc.finish().unwrap();
    let path = dir.path().join("cut.jsonl.gz");
    std::fs::write(&path, &gz[..gz.len() / 2]).unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&path), "--strict"], &out);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--strict") && stderr.contains(p(&path)) && stderr.contains("truncated"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn duplicate_ids_are_renamed_with_their_location() {
    let dir = tempdir();
    let t = reuters_sample_texts();
    let f1 = dir.path().join("one.jsonl");
    let f2 = dir.path().join("two.jsonl");
    write_jsonl(
        &f1,
        &[
            json!({"id": "a", "text": t[0]}),
            json!({"id": "b", "text": t[1]}),
            json!({"id": "a", "text": t[0]}),
            json!({"id": "a", "text": t[5]}),
        ],
    );
    write_jsonl(&f2, &[json!({"id": "b", "text": t[6]}), json!({"text": t[7]}), json!({"id": "c", "text": t[1]})]);
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&f1), p(&f2), "-q"], &out);
    assert_eq!(code, 0, "{stderr}");
    let (a, b) = (p(&f1), p(&f2));
    let docs = documents(&out);
    let want = vec![
        "a".to_string(),
        "b".to_string(),
        format!("a@{a}:3"),
        format!("a@{a}:4"),
        format!("b@{b}:1"),
        format!("{b}:2"),
        "c".to_string(),
    ];
    assert_eq!(ids(&docs), want);
    let unique: std::collections::BTreeSet<&String> = want.iter().collect();
    assert_eq!(unique.len(), want.len());
    let runj = run_json(&out);
    assert_eq!(
        runj["renamed_ids"],
        json!([["a", format!("a@{a}:3")], ["a", format!("a@{a}:4")], ["b", format!("b@{b}:1")]])
    );
    assert_eq!(runj["counts"]["renamed_ids"], 3);
    // clusters name the renamed ids
    let cl: BTreeMap<String, Value> =
        clusters(&out).into_iter().map(|c| (c["members"][0].as_str().unwrap().to_string(), c["members"].clone())).collect();
    assert_eq!(cl.get("a"), Some(&json!(["a", format!("a@{a}:3")])));
    assert_eq!(cl.get("b"), Some(&json!(["b", "c"])));
}

#[test]
fn renamed_id_does_not_collide_with_an_existing_literal_id() {
    // The second "x" (line 3) would become "x@F:3", but line 1 already has that literal id;
    // ids in the outputs must still be unique.
    let dir = tempdir();
    let t = reuters_sample_texts();
    let f = dir.path().join("d.jsonl");
    let taken = format!("x@{}:3", p(&f));
    write_jsonl(
        &f,
        &[json!({"id": taken, "text": t[0]}), json!({"id": "x", "text": t[1]}), json!({"id": "x", "text": t[5]})],
    );
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&f), "-q"], &out);
    assert_eq!(code, 0, "{stderr}");
    let got = ids(&documents(&out));
    let unique: std::collections::BTreeSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), 3, "ids not unique: {got:?}");
}

#[test]
fn nonexistent_input_fails_naming_the_path() {
    let dir = tempdir();
    let missing = dir.path().join("no-such-dump.jsonl");
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&missing), "-q"], &out);
    assert_eq!(code, 1);
    assert!(stderr.contains(p(&missing)), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn nonexistent_input_after_a_good_one_still_fails() {
    let dir = tempdir();
    let good = dir.path().join("good.jsonl");
    write_jsonl(&good, &[json!({"id": "a", "text": "some words in a row here"})]);
    let missing = dir.path().join("missing.jsonl");
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&good), p(&missing), "-q"], &out);
    assert_eq!(code, 1);
    assert!(stderr.contains(p(&missing)), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn empty_and_blank_files_give_zero_documents() {
    let dir = tempdir();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, b"").unwrap();
    let blank = dir.path().join("blank.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"\n\n  \r\n\t\n").unwrap();
    std::fs::write(&blank, enc.finish().unwrap()).unwrap();
    for path in [&empty, &blank] {
        let out = dir.path().join(format!("out-{}", path.file_name().unwrap().to_string_lossy()));
        let (code, _, stderr) = run(&[p(path), "-q"], &out);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(std::fs::read(out.join("documents.jsonl")).unwrap(), b"");
        assert_eq!(std::fs::read(out.join("clusters.jsonl")).unwrap(), b"");
        let runj = run_json(&out);
        assert_eq!(runj["counts"]["documents"], 0);
        assert_eq!(runj["counts"]["clusters"], 0);
        assert_eq!(runj["inputs"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn empty_directory_and_empty_txt() {
    let dir = tempdir();
    let root = dir.path().join("d");
    std::fs::create_dir_all(root.join("outlet")).unwrap();
    std::fs::write(root.join("outlet/blank.txt"), b"  \n\n ").unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&root), "-q"], &out);
    assert_eq!(code, 3, "{stderr}");
    let docs = documents(&out);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["id"], "outlet/blank.txt");
    assert!(docs[0]["skipped"].as_str().unwrap().starts_with("empty_text"), "{}", docs[0]);

    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out2 = dir.path().join("out2");
    let (code, _, stderr) = run(&[p(&empty), "-q"], &out2);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(documents(&out2).len(), 0);
}

#[test]
fn texts_shorter_than_the_shingle_width_are_processed() {
    let dir = tempdir();
    let path = dir.path().join("short.jsonl");
    write_jsonl(
        &path,
        &[
            json!({"id": "s1", "text": "Breaking news"}),
            json!({"id": "s2", "text": "stock markets"}),
            json!({"id": "s3", "text": "breaking  NEWS!"}),
            json!({"id": "s4", "text": "markets stock"}),
            json!({"id": "s5", "text": "news"}),
            json!({"id": "s6", "text": "Breaking news today"}),
        ],
    );
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[p(&path), "-q"], &out);
    assert_eq!(code, 0, "{stderr}");
    let docs = documents(&out);
    for d in &docs {
        assert_eq!(d["skipped"], Value::Null, "{d}");
    }
    let runj = run_json(&out);
    assert_eq!(runj["counts"]["processed"], 6);
    let cl = clusters(&out);
    assert_eq!(cl.len(), 1, "{cl:?}");
    assert_eq!(cl[0]["members"], json!(["s1", "s3"]));
    assert_eq!(cl[0]["min_jaccard"], 1.0);
}
