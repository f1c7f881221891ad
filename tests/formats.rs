//! Every input format reprint reads, the field mapping, and the output contract.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::util::*;

/// Five unrelated Reuters stories (indices checked to be pairwise far apart).
fn stories() -> Vec<String> {
    let t = reuters_sample_texts();
    [0usize, 1, 5, 6, 7].iter().map(|&i| t[i].clone()).collect()
}

/// `stories()[0]` with a sentence appended: every shingle of the original is in the copy.
fn near_copy(s: &str) -> String {
    format!("{s} The central bank declined to comment further on the matter on Tuesday evening.")
}

/// Six JSONL records: a1/a2 near-copies, b1/b2 exact copies, c and d unrelated.
/// Expected clusters: {a1,a2} and {b1,b2}.
fn fixture_records() -> Vec<Value> {
    let s = stories();
    vec![
        json!({"id": "a1", "text": s[0], "outlet": "Reuters", "date": "1987-02-26", "title": "Cruzado plan"}),
        json!({"id": "b1", "text": s[1], "outlet": "Reuters", "title": "AM International"}),
        json!({"id": "c", "text": s[2]}),
        json!({"id": "a2", "text": near_copy(&s[0]), "outlet": "Folha", "date": "1987-02-27"}),
        json!({"id": "b2", "text": s[1], "outlet": "Wire"}),
        json!({"id": "d", "text": s[3]}),
    ]
}

fn jsonl_bytes(lines: &[Value]) -> Vec<u8> {
    let mut s = String::new();
    for l in lines {
        s.push_str(&serde_json::to_string(l).unwrap());
        s.push('\n');
    }
    s.into_bytes()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn zstd_bytes(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

/// Runs `reprint scan ARGS -o OUT --quiet`, asserting the exit code; returns stderr.
fn scan(args: &[&str], out: &Path, code: i32) -> String {
    let output = reprint()
        .arg("scan")
        .args(args)
        .arg("-o")
        .arg(out)
        .arg("--quiet")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "args {args:?}\nstderr:\n{stderr}");
    stderr
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ids(docs: &[Value]) -> Vec<String> {
    docs.iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
}

/// documents.jsonl without the `input` column (which names the file).
fn docs_without_input(out: &Path) -> Vec<Value> {
    documents(out)
        .into_iter()
        .map(|mut d| {
            d.as_object_mut().unwrap().remove("input");
            d
        })
        .collect()
}

/// documents.jsonl restricted to what field mapping decides (and the cluster and skip
/// columns), leaving out the reuse figures.
fn mapped_fields(out: &Path) -> Vec<Value> {
    documents(out)
        .into_iter()
        .map(|d| {
            let keep = ["id", "outlet", "date", "title", "cluster", "skipped", "input"];
            Value::Object(d.as_object().unwrap().iter().filter(|(k, _)| keep.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect())
        })
        .collect()
}

fn expected_sets() -> Vec<Vec<String>> {
    vec![vec!["a1".to_string(), "a2".to_string()], vec!["b1".to_string(), "b2".to_string()]]
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn plain_gzip_zstd_and_multimember_gzip_give_same_results() {
    let dir = tempdir();
    let recs = fixture_records();
    let plain = jsonl_bytes(&recs);
    let files: Vec<(PathBuf, Vec<u8>, &str)> = vec![
        (dir.path().join("plain.jsonl"), plain.clone(), "jsonl"),
        (dir.path().join("dump.jsonl.gz"), gzip(&plain), "jsonl+gzip"),
        (dir.path().join("dump.jsonl.zst"), zstd_bytes(&plain), "jsonl+zstd"),
        (
            dir.path().join("multi.jsonl.gz"),
            // three members: lines 1-2, 3-5, 6 (a reader that stops after the first member
            // would see only a1 and b1)
            [gzip(&jsonl_bytes(&recs[..2])), gzip(&jsonl_bytes(&recs[2..5])), gzip(&jsonl_bytes(&recs[5..]))].concat(),
            "jsonl+gzip",
        ),
    ];
    let mut reference: Option<Vec<Value>> = None;
    for (i, (path, bytes, format)) in files.iter().enumerate() {
        std::fs::write(path, bytes).unwrap();
        let out = dir.path().join(format!("out{i}"));
        scan(&[p(path)], &out, 0);
        let docs = documents(&out);
        assert_eq!(ids(&docs), strs(&["a1", "b1", "c", "a2", "b2", "d"]), "{format}");
        for (n, d) in docs.iter().enumerate() {
            assert_eq!(d["input"], json!(format!("{}:{}", p(path), n + 1)), "{format}");
        }
        assert_eq!(cluster_sets(&out), expected_sets(), "{format} {}", path.display());
        let run = run_json(&out);
        assert_eq!(run["inputs"], json!([{"path": p(path), "bytes": bytes.len(), "format": format}]));
        assert_eq!(run["counts"]["documents"], 6);
        assert_eq!(run["counts"]["bytes"], plain.len(), "decompressed record bytes");
        let docs = docs_without_input(&out);
        match &reference {
            None => reference = Some(docs),
            Some(r) => assert_eq!(&docs, r, "{format} differs from plain"),
        }
    }
}

#[test]
fn texts_read_by_position_survive_a_byte_order_mark_and_crlf_lines() {
    // The passage stage reads a plain file's records again where the scan found them: the
    // first line after a byte-order mark, CRLF line ends and blank lines between records must
    // give the same passages as a plain LF file, and as a gzip file read through.
    let dir = tempdir();
    let recs = fixture_records();
    let lf = jsonl_bytes(&recs);
    let mut crlf = b"\xEF\xBB\xBF".to_vec();
    for line in String::from_utf8(lf.clone()).unwrap().lines() {
        crlf.extend_from_slice(line.as_bytes());
        crlf.extend_from_slice(b"\r\n\r\n");
    }
    let mut reference: Option<Vec<u8>> = None;
    for (name, bytes) in [("lf.jsonl", lf.clone()), ("crlf.jsonl", crlf), ("lf.jsonl.gz", gzip(&lf))] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = dir.path().join(format!("out-{name}"));
        scan(&[p(&path)], &out, 0);
        let memory = &run_json(&out)["memory"];
        let gz = name.ends_with(".gz");
        assert_eq!(memory["text_readings"].as_u64().unwrap() > 0, gz, "{name}: {memory}");
        assert_eq!(cluster_sets(&out), expected_sets(), "{name}");
        let passages = std::fs::read(out.join("passages.jsonl")).unwrap();
        assert!(!passages.is_empty(), "{name}: the near-copies share passages");
        match &reference {
            None => reference = Some(passages),
            Some(r) => assert!(&passages == r, "{name}: passages differ from the plain file's"),
        }
    }
}

#[test]
fn compression_is_detected_by_magic_bytes_not_extension() {
    let dir = tempdir();
    let plain = jsonl_bytes(&fixture_records());
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("dump.jsonl", gzip(&plain), "jsonl+gzip"),
        ("x.gz", plain.clone(), "jsonl"),
        ("y.zst", gzip(&plain), "jsonl+gzip"),
        ("data.bin", zstd_bytes(&plain), "jsonl+zstd"),
        ("noext", plain.clone(), "jsonl"),
    ];
    for (name, bytes, format) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let out = dir.path().join(format!("out-{name}"));
        scan(&[p(&path)], &out, 0);
        assert_eq!(run_json(&out)["inputs"][0]["format"], format, "{name}");
        assert_eq!(ids(&documents(&out)), strs(&["a1", "b1", "c", "a2", "b2", "d"]), "{name}");
        assert_eq!(cluster_sets(&out), expected_sets(), "{name}");
    }
}

#[test]
fn directory_walk_reads_only_dump_names_but_named_files_are_always_jsonl() {
    let dir = tempdir();
    let root = dir.path().join("in");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    let recs = fixture_records();
    std::fs::write(root.join("a.ndjson.zst"), zstd_bytes(&jsonl_bytes(&recs[..2]))).unwrap();
    std::fs::write(root.join("b.JSONL.gz"), gzip(&jsonl_bytes(&recs[2..4]))).unwrap();
    std::fs::write(root.join("sub/c.jsonl.zstd"), zstd_bytes(&jsonl_bytes(&recs[4..]))).unwrap();
    // not dump names: ignored when walking
    std::fs::write(root.join("extra.json"), jsonl_bytes(&[json!({"id": "x1", "text": "extra words here"})])).unwrap();
    std::fs::write(root.join("notes.md"), b"# notes\n").unwrap();
    std::fs::write(root.join("z.jsonl.bak"), jsonl_bytes(&[json!({"id": "x2", "text": "backup"})])).unwrap();

    let out = dir.path().join("out");
    scan(&[p(&root)], &out, 0);
    let docs = documents(&out);
    assert_eq!(ids(&docs), strs(&["a1", "b1", "c", "a2", "b2", "d"]));
    assert_eq!(cluster_sets(&out), expected_sets());
    let run = run_json(&out);
    let ignored: Vec<String> = run["ignored_files"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().into()).collect();
    assert_eq!(
        ignored,
        vec![
            root.join("extra.json").display().to_string(),
            root.join("notes.md").display().to_string(),
            root.join("z.jsonl.bak").display().to_string(),
        ]
    );
    let formats: Vec<&str> = run["inputs"].as_array().unwrap().iter().map(|i| i["format"].as_str().unwrap()).collect();
    assert_eq!(formats, vec!["jsonl+zstd", "jsonl+gzip", "jsonl+zstd"]);

    // the same .json file named on the command line is read as JSONL
    let out2 = dir.path().join("out2");
    scan(&[p(&root.join("extra.json"))], &out2, 0);
    assert_eq!(ids(&documents(&out2)), strs(&["x1"]));
    assert_eq!(run_json(&out2)["ignored_files"], json!([]));
}

#[test]
fn stdin_dash_reads_jsonl_with_fallback_ids() {
    let dir = tempdir();
    let s = stories();
    let mut input = String::new();
    input.push_str(&serde_json::to_string(&json!({"text": s[0]})).unwrap());
    input.push_str("\n\n"); // line 2 blank: not a document
    input.push_str(&serde_json::to_string(&json!({"text": s[0], "id": "named"})).unwrap());
    input.push('\n');
    input.push_str(&serde_json::to_string(&json!({"text": s[2]})).unwrap());
    input.push('\n');
    let out = dir.path().join("out");
    let output = reprint().args(["scan", "-", "--quiet", "-o"]).arg(&out).write_stdin(input).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let docs = documents(&out);
    assert_eq!(ids(&docs), strs(&["-:1", "named", "-:4"]));
    let inputs: Vec<&str> = docs.iter().map(|d| d["input"].as_str().unwrap()).collect();
    assert_eq!(inputs, vec!["-:1", "-:3", "-:4"]);
    assert_eq!(cluster_sets(&out), vec![strs(&["-:1", "named"])]);
    assert_eq!(run_json(&out)["inputs"], json!([{"path": "-", "bytes": 0, "format": "jsonl"}]));
}

#[test]
fn stdin_gzip_is_decompressed() {
    let dir = tempdir();
    let plain = jsonl_bytes(&fixture_records());
    let out = dir.path().join("out");
    reprint().args(["scan", "-", "-q", "-o"]).arg(&out).write_stdin(gzip(&plain)).assert().code(0);
    assert_eq!(ids(&documents(&out)), strs(&["a1", "b1", "c", "a2", "b2", "d"]));
    assert_eq!(run_json(&out)["inputs"][0]["format"], "jsonl+gzip");
    assert_eq!(cluster_sets(&out), expected_sets());
}

#[test]
fn txt_directory_is_walked_sorted_with_manifest_and_first_line_titles() {
    let dir = tempdir();
    let root = dir.path().join("articles");
    let s = stories();
    let write = |rel: &str, body: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    };
    // written out of order; read in sorted order, depth-first
    write("reuters/sub/c.txt", &format!("Sub headline\n{}", s[2]));
    write("apnews/b.txt", &format!("\n   \n  Second AP story  \n\n{}", near_copy(&s[0])));
    write("apnews/a.txt", &format!("First AP story\n\n{}", s[0]));
    write("reuters/d.txt", &format!("Ignored first line\n{}", s[3]));
    write("reuters/e.txt", &format!("{}\n{}", "word ".repeat(100).trim(), s[4]));
    write(
        "reuters/manifest.jsonl",
        &[
            json!({"file": "d.txt", "outlet": "Reuters", "date": "1987-03-01", "title": "From the manifest", "url": "https://reuters.com/d"}),
            json!({"file": "not-there.txt", "outlet": "Nobody"}),
        ]
        .iter()
        .map(|v| v.to_string() + "\n")
        .collect::<String>(),
    );
    write("README.md", "readme");
    write("apnews/image.png", "\u{89}PNG");

    let out = dir.path().join("out");
    scan(&[p(&root)], &out, 0);
    let docs = documents(&out);
    let rows: Vec<(String, Value, Value, Value)> = docs
        .iter()
        .map(|d| (d["id"].as_str().unwrap().to_string(), d["outlet"].clone(), d["date"].clone(), d["title"].clone()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("apnews/a.txt".into(), json!("apnews"), Value::Null, json!("First AP story")),
            ("apnews/b.txt".into(), json!("apnews"), Value::Null, json!("Second AP story")),
            ("reuters/d.txt".into(), json!("Reuters"), json!("1987-03-01"), json!("From the manifest")),
            // a first line longer than a headline (500 chars) gives no title
            ("reuters/e.txt".into(), json!("reuters"), Value::Null, Value::Null),
            ("reuters/sub/c.txt".into(), json!("sub"), Value::Null, json!("Sub headline")),
        ]
    );
    for d in &docs {
        let rel = d["id"].as_str().unwrap();
        assert_eq!(d["input"], json!(format!("{}:1", root.join(rel).display())));
        assert_eq!(d["skipped"], Value::Null);
    }
    assert_eq!(cluster_sets(&out), vec![strs(&["apnews/a.txt", "apnews/b.txt"])]);
    let run = run_json(&out);
    assert_eq!(
        run["ignored_files"],
        json!([root.join("README.md").display().to_string(), root.join("apnews/image.png").display().to_string()])
    );
    let formats: Vec<(String, String)> = run["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["path"].as_str().unwrap().to_string(), i["format"].as_str().unwrap().to_string()))
        .collect();
    let disp = |rel: &str| root.join(rel).display().to_string();
    assert_eq!(
        formats,
        vec![
            (disp("apnews/a.txt"), "txt".to_string()),
            (disp("apnews/b.txt"), "txt".to_string()),
            (disp("reuters/manifest.jsonl"), "manifest".to_string()),
            (disp("reuters/d.txt"), "txt".to_string()),
            (disp("reuters/e.txt"), "txt".to_string()),
            (disp("reuters/sub/c.txt"), "txt".to_string()),
        ]
    );
    assert_eq!(run["inputs"][0]["bytes"], std::fs::metadata(root.join("apnews/a.txt")).unwrap().len());
}

#[test]
fn txt_named_directly_uses_path_as_id_and_parent_as_outlet() {
    let dir = tempdir();
    let s = stories();
    std::fs::create_dir_all(dir.path().join("guardian")).unwrap();
    let path = dir.path().join("guardian/story.TXT");
    std::fs::write(&path, format!("Headline\n{}", s[0])).unwrap();
    let out = dir.path().join("out");
    scan(&[p(&path)], &out, 0);
    let docs = documents(&out);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["id"], p(&path));
    assert_eq!(docs[0]["outlet"], "guardian");
    assert_eq!(docs[0]["title"], "Headline");
    assert_eq!(docs[0]["input"], format!("{}:1", p(&path)));
    assert_eq!(run_json(&out)["inputs"][0]["format"], "txt");
}

/// Latin-1 / windows-1252 bytes for a string made only of Latin-1 characters.
fn latin1(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| {
            let n = c as u32;
            assert!(n < 256, "{c:?} is not Latin-1");
            n as u8
        })
        .collect()
}

fn accented_article() -> String {
    let s = stories();
    format!(
        "Café crème et brûlée à São Paulo\n\nLe ministre a déclaré à la presse que la réforme économique \
         était déjà en cours, señor Müller. {} Años después, el préstamo fue aprobado por el Banco Central \
         de la nación según fuentes oficiales.",
        s[0]
    )
}

#[test]
fn non_utf8_txt_is_decoded_and_shingles_like_its_utf8_twin() {
    let dir = tempdir();
    let root = dir.path().join("enc");
    std::fs::create_dir_all(&root).unwrap();
    let article = accented_article();
    std::fs::write(root.join("a-utf8.txt"), article.as_bytes()).unwrap();
    std::fs::write(root.join("b-latin1.txt"), latin1(&article)).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(article.encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    std::fs::write(root.join("c-utf16.txt"), utf16).unwrap();
    let utf16be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(article.encode_utf16().flat_map(|u| u.to_be_bytes())).collect();
    std::fs::write(root.join("d-utf16be.txt"), utf16be).unwrap();
    std::fs::write(root.join("e-near.txt"), near_copy(&article)).unwrap();
    // an unrelated Latin-1 text must not be pulled in
    std::fs::write(root.join("f-other.txt"), latin1(&format!("Été {}", stories()[2]))).unwrap();

    let out = dir.path().join("out");
    scan(&[p(&root)], &out, 0);
    let docs = documents(&out);
    assert_eq!(ids(&docs), strs(&["a-utf8.txt", "b-latin1.txt", "c-utf16.txt", "d-utf16be.txt", "e-near.txt", "f-other.txt"]));
    for d in &docs {
        assert_eq!(d["skipped"], Value::Null, "{d}");
    }
    // the decoded title is the real first line, accents intact
    for d in &docs[..4] {
        assert_eq!(d["title"], "Café crème et brûlée à São Paulo", "{d}");
    }
    let cl = clusters(&out);
    assert_eq!(cl.len(), 1, "{cl:?}");
    assert_eq!(cl[0]["members"], json!(["a-utf8.txt", "b-latin1.txt", "c-utf16.txt", "d-utf16be.txt", "e-near.txt"]));
    let jaccard: BTreeMap<(String, String), f64> = cl[0]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| ((e["a"].as_str().unwrap().into(), e["b"].as_str().unwrap().into()), e["jaccard"].as_f64().unwrap()))
        .collect();
    for twin in ["b-latin1.txt", "c-utf16.txt", "d-utf16be.txt"] {
        assert_eq!(jaccard.get(&("a-utf8.txt".to_string(), twin.to_string())), Some(&1.0), "{jaccard:?}");
    }
    let near = *jaccard.get(&("a-utf8.txt".to_string(), "e-near.txt".to_string())).expect("edge to the near copy");
    assert!(near > 0.9 && near < 1.0, "{near}");

    let decoded: Vec<String> =
        run_json(&out)["decoded_files"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().into()).collect();
    let disp = |rel: &str| root.join(rel).display().to_string();
    assert_eq!(
        decoded,
        vec![
            format!("{}: decoded from windows-1252", disp("b-latin1.txt")),
            format!("{}: decoded from UTF-16LE", disp("c-utf16.txt")),
            format!("{}: decoded from UTF-16BE", disp("d-utf16be.txt")),
            format!("{}: decoded from windows-1252", disp("f-other.txt")),
        ]
    );
}

#[test]
fn utf8_bom_txt_is_not_listed_as_decoded() {
    let dir = tempdir();
    let root = dir.path().join("bom");
    std::fs::create_dir_all(&root).unwrap();
    let article = accented_article();
    std::fs::write(root.join("a.txt"), article.as_bytes()).unwrap();
    std::fs::write(root.join("b.txt"), [&[0xEF, 0xBB, 0xBF][..], article.as_bytes()].concat()).unwrap();
    let out = dir.path().join("out");
    scan(&[p(&root)], &out, 0);
    assert_eq!(run_json(&out)["decoded_files"], json!([]));
    assert_eq!(documents(&out)[1]["title"], "Café crème et brûlée à São Paulo");
    assert_eq!(cluster_sets(&out), vec![strs(&["a.txt", "b.txt"])]);
}

#[test]
fn default_field_names_are_recognised() {
    let dir = tempdir();
    let s = stories();
    let path = dir.path().join("mixed.jsonl");
    write_jsonl(
        &path,
        &[
            // news-please
            json!({"maintext": s[0], "source_domain": "example.org", "date_publish": "2024-06-21 10:00:00",
                   "title": "NP title", "url": "https://www.ignored.com/x"}),
            // NewsAPI: source is an object with a name
            json!({"content": s[1], "source": {"id": null, "name": "Associated Press"}, "publishedAt": "nope",
                   "published_at": "2024-06-22", "headline": "API headline", "_id": "api-1"}),
            // outlet from the URL host, without www. and lowercased
            json!({"body": s[2], "url": "https://WWW.BBC.co.uk/news/123", "doc_id": 77}),
            // link as url; hostname as outlet; numbers as ids
            json!({"text": s[3], "link": "https://news.example.net/a", "id": 12, "pubDate": "Tue, 1 Mar 1987"}),
            // null fields fall through to the next default
            json!({"text": null, "maintext": s[4], "outlet": null, "domain": "dom.example", "id": null}),
        ],
    );
    let out = dir.path().join("out");
    scan(&[p(&path)], &out, 0);
    let docs = mapped_fields(&out);
    let f = p(&path);
    let want = vec![
        json!({"id": format!("{f}:1"), "outlet": "example.org", "date": "2024-06-21 10:00:00", "title": "NP title",
               "cluster": null, "skipped": null, "input": format!("{f}:1")}),
        json!({"id": "api-1", "outlet": "Associated Press", "date": "2024-06-22", "title": "API headline",
               "cluster": null, "skipped": null, "input": format!("{f}:2")}),
        json!({"id": "77", "outlet": "bbc.co.uk", "date": null, "title": null,
               "cluster": null, "skipped": null, "input": format!("{f}:3")}),
        json!({"id": "12", "outlet": "news.example.net", "date": "Tue, 1 Mar 1987", "title": null,
               "cluster": null, "skipped": null, "input": format!("{f}:4")}),
        json!({"id": format!("{f}:5"), "outlet": "dom.example", "date": null, "title": null,
               "cluster": null, "skipped": null, "input": format!("{f}:5")}),
    ];
    assert_eq!(docs, want);
}

#[test]
fn field_flags_map_custom_schemas() {
    let dir = tempdir();
    let s = stories();
    let path = dir.path().join("custom.jsonl");
    write_jsonl(
        &path,
        &[
            json!({"uid": "u1", "body2": s[0], "pub": "Daily Planet", "when": "2001-01-01", "hed": "Hed one",
                   "link2": "https://www.planet.com/1", "id": "not-this", "text": "not this either", "title": "no"}),
            json!({"uid": "u2", "body2": near_copy(&s[0]), "when": 20010102, "hed": "Hed two",
                   "link2": "https://www.Bugle.org/2", "outlet": "not used"}),
            // with --text-field only the named field counts
            json!({"uid": "u3", "text": s[1]}),
            json!({"body2": s[2], "id": "ignored-id"}),
        ],
    );
    let out = dir.path().join("out");
    let args = [
        p(&path),
        "--text-field",
        "body2",
        "--id-field",
        "uid",
        "--outlet-field",
        "pub",
        "--date-field",
        "when",
        "--title-field",
        "hed",
        "--url-field",
        "link2",
    ];
    scan(&args, &out, 3);
    let docs = mapped_fields(&out);
    let f = p(&path);
    let want = vec![
        json!({"id": "u1", "outlet": "Daily Planet", "date": "2001-01-01", "title": "Hed one",
               "cluster": 0, "skipped": null, "input": format!("{f}:1")}),
        json!({"id": "u2", "outlet": "bugle.org", "date": "20010102", "title": "Hed two",
               "cluster": 0, "skipped": null, "input": format!("{f}:2")}),
        json!({"id": "u3", "outlet": null, "date": null, "title": null, "cluster": null,
               "skipped": "missing_text: no text field (tried `body2`)", "input": format!("{f}:3")}),
        json!({"id": format!("{f}:4"), "outlet": null, "date": null, "title": null,
               "cluster": null, "skipped": null, "input": format!("{f}:4")}),
    ];
    assert_eq!(docs, want);
    let run = run_json(&out);
    assert_eq!(
        run["parameters"]["fields"],
        json!({"id": "uid", "text": "body2", "title": "hed", "outlet": "pub", "date": "when", "url": "link2"})
    );
    assert_eq!(run["counts"]["skipped_by_reason"], json!({"missing_text": 1}));
}

#[test]
fn output_files_follow_the_contract() {
    let dir = tempdir();
    let path = dir.path().join("in.jsonl");
    let recs = fixture_records();
    write_jsonl(&path, &recs);
    let out = dir.path().join("out");
    scan(&[p(&path)], &out, 0);

    // documents.jsonl: one line per document, input order, exactly these keys
    let docs = documents(&out);
    assert_eq!(docs.len(), 6);
    let f = p(&path);
    assert_eq!(
        docs[0],
        json!({"id": "a1", "outlet": "Reuters", "date": "1987-02-26", "title": "Cruzado plan", "cluster": 0,
               "story": docs[0]["story"], "role": "origin", "reuse": 0.0, "source": null, "words": docs[0]["words"], "furniture": 0.0,
               "skipped": null, "input": format!("{f}:1"), "bytes": docs[0]["bytes"]})
    );
    // bytes: the record's length in the input, its line break included.
    let first_line = std::fs::read_to_string(&path).unwrap().lines().next().unwrap().len();
    assert_eq!(docs[0]["bytes"], first_line + 1);
    let clusters_by_id: Vec<(String, Value)> = docs.iter().map(|d| (d["id"].as_str().unwrap().into(), d["cluster"].clone())).collect();
    assert_eq!(
        clusters_by_id,
        vec![
            ("a1".into(), json!(0)),
            ("b1".into(), json!(1)),
            ("c".into(), Value::Null),
            ("a2".into(), json!(0)),
            ("b2".into(), json!(1)),
            ("d".into(), Value::Null),
        ]
    );
    for d in &docs {
        let keys: Vec<&String> = d.as_object().unwrap().keys().collect();
        let mut want =
            strs(&["id", "outlet", "date", "title", "cluster", "story", "role", "reuse", "source", "words", "furniture", "skipped", "input", "bytes"]);
        want.sort();
        assert_eq!(keys.into_iter().cloned().collect::<Vec<_>>(), want);
    }

    // clusters.jsonl
    let cl = clusters(&out);
    assert_eq!(cl.len(), 2);
    let c0 = &cl[0];
    let mut keys: Vec<String> = c0.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        strs(&["edges", "id", "members", "min_jaccard", "origin", "origin_reason", "size", "weakest_edge"])
    );
    assert_eq!(c0["origin"], "a1");
    assert_eq!(c0["origin_reason"], "earliest date");
    // a2 appends a sentence to a1: a copy, with a1 as its source.
    assert_eq!(docs[3]["role"], "copy");
    assert_eq!(docs[3]["source"], "a1");
    assert!(docs[0]["words"].as_u64().unwrap() > 50);
    let reuse = docs[3]["reuse"].as_f64().unwrap();
    assert!(reuse > 0.85 && reuse < 1.0, "{reuse}");
    assert_eq!(c0["id"], 0);
    assert_eq!(c0["size"], 2);
    assert_eq!(c0["members"], json!(["a1", "a2"]));
    let e = &c0["edges"][0];
    assert_eq!(c0["edges"].as_array().unwrap().len(), 1);
    let mut ekeys: Vec<String> = e.as_object().unwrap().keys().cloned().collect();
    ekeys.sort();
    assert_eq!(ekeys, strs(&["a", "a_words", "b", "b_words", "containment_ab", "containment_ba", "jaccard", "kind"]));
    assert_eq!(e["kind"], "near_duplicate");
    assert_eq!((e["a"].as_str().unwrap(), e["b"].as_str().unwrap()), ("a1", "a2"));
    // a1's shingles are all in a2 (a2 only appends a sentence), so J = |A|/|B| = containment_ba
    assert_eq!(e["containment_ab"], 1.0);
    let j = e["jaccard"].as_f64().unwrap();
    assert!(j > 0.9 && j < 1.0, "{j}");
    assert_eq!(e["containment_ba"].as_f64().unwrap(), j);
    assert_eq!(c0["weakest_edge"], *e);
    assert_eq!(c0["min_jaccard"].as_f64().unwrap(), j);
    let words = cl[1]["edges"][0]["a_words"].clone();
    assert!(words.as_u64().unwrap() > 50);
    let edge = json!({"a": "b1", "b": "b2", "kind": "near_duplicate", "jaccard": 1.0, "containment_ab": 1.0,
                      "containment_ba": 1.0, "a_words": words, "b_words": words});
    assert_eq!(
        cl[1],
        json!({"id": 1, "size": 2, "members": ["b1", "b2"], "origin": "b1", "origin_reason": "first in input",
               "min_jaccard": 1.0, "weakest_edge": edge, "edges": [edge]})
    );

    // run.json
    let run = run_json(&out);
    assert_eq!(run["tool"], "reprint");
    assert_eq!(run["command"], "scan");
    let params = &run["parameters"];
    assert_eq!(params["shingle"], 5);
    assert_eq!(params["perms"], 128);
    assert_eq!(params["threshold"], 0.5);
    assert_eq!(params["bands"], 34);
    assert_eq!(params["rows"], 3);
    assert_eq!(params["banding"], "derived");
    assert_eq!(params["strict"], false);
    let mut seed_keys: Vec<String> = params["seeds"].as_object().unwrap().keys().cloned().collect();
    seed_keys.sort();
    assert_eq!(seed_keys, strs(&["band", "minhash", "shingle", "token"]));
    for (_, v) in params["seeds"].as_object().unwrap() {
        assert!(v.is_u64(), "{v}");
    }
    let bytes = std::fs::metadata(&path).unwrap().len();
    assert_eq!(run["inputs"], json!([{"path": f, "bytes": bytes, "format": "jsonl"}]));
    let c = &run["counts"];
    assert_eq!(c["documents"], 6);
    assert_eq!(c["processed"], 6);
    assert_eq!(c["skipped"], 0);
    assert_eq!(c["skipped_by_reason"], json!({}));
    assert_eq!(c["input_issues"], 0);
    assert_eq!(c["renamed_ids"], 0);
    assert_eq!(c["bytes"], bytes);
    assert_eq!(c["exact_duplicates"], 1);
    assert_eq!(c["lsh_documents"], 5);
    assert_eq!(c["verified_edges"], 2);
    assert_eq!(c["edges_by_kind"], json!({"near_duplicate": 2}));
    assert_eq!(c["roles"], json!({"copy": 2, "origin": 2, "unique": 2}));
    assert_eq!(params["containment"], 0.6);
    assert_eq!(params["roles"], json!({"copy": 0.8, "partial": 0.2}));
    assert_eq!(c["clusters"], 2);
    assert_eq!(c["documents_in_clusters"], 4);
    assert_eq!(c["largest_cluster"], 2);
    let secs = &run["seconds"];
    for k in [
        "read_and_tokenize",
        "furniture",
        "sign",
        "exact",
        "candidates",
        "verify",
        "passages",
        "cluster",
        "reuse",
        "stories",
        "total",
    ] {
        assert!(secs[k].as_f64().is_some_and(|s| s >= 0.0), "seconds.{k}: {}", secs[k]);
    }
    assert_eq!(run["input_issues"], json!([]));
    assert_eq!(run["renamed_ids"], json!([]));
    assert_eq!(run["decoded_files"], json!([]));
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn successful_run_leaves_no_staging_directory() {
    let dir = tempdir();
    let path = dir.path().join("in.jsonl");
    write_jsonl(&path, &fixture_records());
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "unrelated").unwrap();
    scan(&[p(&path)], &out, 0);
    // and a second run over the first
    scan(&[p(&path)], &out, 0);
    assert_eq!(
        entries(&out),
        strs(&[
            "clusters.jsonl",
            "documents.jsonl",
            "keep.txt",
            "outlets.jsonl",
            "passages.jsonl",
            "report.html",
            "run.json",
            "stories.jsonl"
        ])
    );
}

#[test]
fn failed_strict_run_leaves_previous_outputs_byte_identical() {
    let dir = tempdir();
    let good = dir.path().join("good.jsonl");
    write_jsonl(&good, &fixture_records());
    let out = dir.path().join("out");
    scan(&[p(&good)], &out, 0);
    let snapshot: Vec<(String, Vec<u8>)> =
        entries(&out).into_iter().map(|n| (n.clone(), std::fs::read(out.join(&n)).unwrap())).collect();

    let bad = dir.path().join("bad.jsonl");
    let s = stories();
    std::fs::write(
        &bad,
        format!("{}\n{{broken\n{}\n", json!({"id": "z1", "text": s[0]}), json!({"id": "z2", "text": s[1]})),
    )
    .unwrap();
    let stderr = scan(&[p(&bad), "--strict"], &out, 1);
    assert!(stderr.contains(&format!("{}:2", p(&bad))), "{stderr}");
    let after: Vec<(String, Vec<u8>)> =
        entries(&out).into_iter().map(|n| (n.clone(), std::fs::read(out.join(&n)).unwrap())).collect();
    assert_eq!(after, snapshot);
}

#[test]
fn output_path_that_is_a_regular_file_fails_and_is_untouched() {
    let dir = tempdir();
    let input = dir.path().join("in.jsonl");
    write_jsonl(&input, &fixture_records());
    let out = dir.path().join("results");
    std::fs::write(&out, b"i am a file").unwrap();
    let stderr = scan(&[p(&input)], &out, 1);
    assert!(stderr.contains(p(&out)), "{stderr}");
    assert!(stderr.contains("reprint: error:"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), b"i am a file");
}

#[test]
fn several_inputs_are_read_in_order_given() {
    let dir = tempdir();
    let recs = fixture_records();
    let first = dir.path().join("z-first.jsonl");
    let second = dir.path().join("a-second.jsonl.gz");
    write_jsonl(&first, &recs[3..]);
    std::fs::write(&second, gzip(&jsonl_bytes(&recs[..3]))).unwrap();
    let out = dir.path().join("out");
    scan(&[p(&first), p(&second)], &out, 0);
    let docs = documents(&out);
    assert_eq!(ids(&docs), strs(&["a2", "b2", "d", "a1", "b1", "c"]));
    assert_eq!(docs[3]["input"], format!("{}:1", p(&second)));
    // cluster ids follow each cluster's first member in input order; members in input order
    let cl = clusters(&out);
    assert_eq!(cl[0]["members"], json!(["a2", "a1"]));
    assert_eq!(cl[1]["members"], json!(["b2", "b1"]));
    // containment is oriented by input order: a2 (longer) first
    assert_eq!(cl[0]["edges"][0]["containment_ba"], 1.0);
}

#[test]
fn bad_manifest_lines_are_input_issues_and_do_not_drop_articles() {
    let dir = tempdir();
    let root = dir.path().join("site");
    std::fs::create_dir_all(&root).unwrap();
    let s = stories();
    std::fs::write(root.join("a.txt"), format!("Alpha\n{}", s[0])).unwrap();
    std::fs::write(root.join("b.txt"), format!("Beta\n{}", s[1])).unwrap();
    std::fs::write(
        root.join("manifest.jsonl"),
        format!(
            "{}\n{{not json\n\n{}\n",
            json!({"file": "b.txt", "outlet": "B Outlet", "date": 19870301}),
            json!({"outlet": "no file key"})
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let stderr = scan(&[p(&root)], &out, 3);
    let docs = documents(&out);
    assert_eq!(ids(&docs), strs(&["a.txt", "b.txt"]));
    assert_eq!((docs[0]["outlet"].clone(), docs[0]["title"].clone()), (json!("site"), json!("Alpha")));
    assert_eq!(
        (docs[1]["outlet"].clone(), docs[1]["date"].clone(), docs[1]["title"].clone()),
        (json!("B Outlet"), json!("19870301"), json!("Beta"))
    );
    let manifest = root.join("manifest.jsonl").display().to_string();
    let run = run_json(&out);
    let issues: Vec<(String, Value)> = run["input_issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["file"].as_str().unwrap().to_string(), i["line"].clone()))
        .collect();
    assert_eq!(issues, vec![(manifest.clone(), json!(2)), (manifest.clone(), json!(4))]);
    assert!(run["input_issues"][1]["message"].as_str().unwrap().contains("`file`"));
    assert_eq!(run["counts"]["skipped"], 0);
    assert!(stderr.contains(&format!("reprint: warning: {manifest}:2: bad manifest line")), "{stderr}");
}

#[test]
fn txt_named_directly_reads_the_manifest_beside_it() {
    let dir = tempdir();
    let s = stories();
    std::fs::create_dir_all(dir.path().join("feed")).unwrap();
    let path = dir.path().join("feed/a.txt");
    std::fs::write(&path, &s[0]).unwrap();
    std::fs::write(
        dir.path().join("feed/manifest.jsonl"),
        r#"{"file":"a.txt","outlet":"The Wire","date":"2024-06-21","title":"Set by manifest"}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    scan(&[p(&path)], &out, 0);
    let docs = documents(&out);
    assert_eq!(docs[0]["outlet"], "The Wire");
    assert_eq!(docs[0]["date"], "2024-06-21");
    assert_eq!(docs[0]["title"], "Set by manifest");
}

#[test]
fn jsonl_starting_with_a_utf8_bom_is_read() {
    let dir = tempdir();
    let f = dir.path().join("bom.jsonl");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(jsonl_bytes(&fixture_records()));
    std::fs::write(&f, bytes).unwrap();
    let out = dir.path().join("out");
    scan(&[p(&f)], &out, 0);
    assert_eq!(ids(&documents(&out)), strs(&["a1", "b1", "c", "a2", "b2", "d"]));
    assert_eq!(cluster_sets(&out), expected_sets());
}

#[test]
fn output_directory_inside_the_input_tree_is_not_read_back() {
    let dir = tempdir();
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("dump.jsonl"), jsonl_bytes(&fixture_records())).unwrap();
    let out = tree.join("out");
    // Twice: the second run must not read the first run's documents.jsonl as a dump.
    scan(&[p(&tree)], &out, 0);
    let first = std::fs::read(out.join("documents.jsonl")).unwrap();
    scan(&[p(&tree)], &out, 0);
    assert_eq!(std::fs::read(out.join("documents.jsonl")).unwrap(), first);
    assert_eq!(documents(&out).len(), 6);
    let ignored = run_json(&out)["ignored_files"].to_string();
    assert!(ignored.contains("the output directory"), "{ignored}");
}

#[test]
fn regression_a_directory_in_the_way_leaves_every_previous_output_untouched() {
    let dir = tempdir();
    let path = dir.path().join("in.jsonl");
    write_jsonl(&path, &fixture_records());
    let out = dir.path().join("out");
    scan(&[p(&path)], &out, 0);
    let before: Vec<(String, Vec<u8>)> =
        entries(&out).into_iter().map(|e| (e.clone(), std::fs::read(out.join(&e)).unwrap_or_default())).collect();
    std::fs::remove_file(out.join("passages.jsonl")).unwrap();
    std::fs::create_dir_all(out.join("passages.jsonl/blocker")).unwrap();
    write_jsonl(&path, &fixture_records()[..3]);
    let stderr = scan(&[p(&path)], &out, 1);
    assert!(stderr.contains("passages.jsonl"), "{stderr}");
    for (name, bytes) in before {
        if name != "passages.jsonl" {
            assert_eq!(std::fs::read(out.join(&name)).unwrap(), bytes, "{name} was replaced");
        }
    }
    assert!(!entries(&out).iter().any(|e| e.starts_with(".reprint-staging")));
}

#[test]
fn regression_a_manifest_is_read_once_for_several_named_txt_files() {
    let dir = tempdir();
    let s = stories();
    std::fs::create_dir_all(dir.path().join("feed")).unwrap();
    for (i, name) in ["a.txt", "b.txt", "c.txt"].iter().enumerate() {
        std::fs::write(dir.path().join("feed").join(name), &s[i]).unwrap();
    }
    std::fs::write(dir.path().join("feed/manifest.jsonl"), "{\"file\":\"a.txt\",\"outlet\":\"X\"}\n{oops\n").unwrap();
    let out = dir.path().join("out");
    let files: Vec<String> = ["a.txt", "b.txt", "c.txt"].iter().map(|n| p(&dir.path().join("feed").join(n)).to_string()).collect();
    scan(&files.iter().map(String::as_str).collect::<Vec<_>>(), &out, 3);
    let run = run_json(&out);
    let manifests = run["inputs"].as_array().unwrap().iter().filter(|i| i["format"] == "manifest").count();
    assert_eq!(manifests, 1);
    assert_eq!(run["input_issues"].as_array().unwrap().len(), 1);
    assert_eq!(documents(&out)[0]["outlet"], "X");
}
