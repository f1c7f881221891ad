//! Syndication: containment-aware matching, furniture, passages and reuse scores, on
//! constructed cases built from real Reuters text with known copied shares.

use std::path::Path;

use reprint::text::normalize::normalized_words;
use serde_json::{json, Value};

use crate::util::*;

/// Allowed error of an asserted reuse share.
const REUSE_TOLERANCE: f64 = 0.05;

/// The embedded corpus's Reuters sample, whole records.
fn sample() -> Vec<Value> {
    read_jsonl(&repo_root().join("corpus/reuters-sample.jsonl"))
}

fn text(i: usize) -> String {
    sample()[i]["text"].as_str().unwrap().to_string()
}

/// The wire story of these tests: an 806-word Reuters feature.
fn wire() -> String {
    text(345)
}

/// Unrelated real text of at least `words` words, for local additions.
fn local_text(words: usize) -> String {
    let mut out = String::new();
    for i in [238, 234, 6, 83, 138, 5, 214] {
        if normalized_words(&out).len() >= words {
            break;
        }
        out.push_str(&text(i));
        out.push_str("\n\n");
    }
    let kept: Vec<&str> = out.split(' ').collect();
    let mut s = String::new();
    for w in kept {
        if normalized_words(&s).len() >= words {
            break;
        }
        s.push_str(w);
        s.push(' ');
    }
    s
}

/// The first `share` of a text's words (cut at a space, whitespace kept).
fn head(text: &str, share: f64) -> String {
    let total = normalized_words(text).len();
    let want = (total as f64 * share).round() as usize;
    let mut cut = 0;
    for (i, _) in text.match_indices(' ') {
        if normalized_words(&text[..i]).len() >= want {
            cut = i;
            break;
        }
    }
    text[..cut].to_string()
}

fn words(text: &str) -> usize {
    normalized_words(text).len()
}

fn scan_docs(dir: &Path, docs: &[Value], extra: &[&str]) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let input = dir.join("in.jsonl");
    write_jsonl(&input, docs);
    let out = dir.join("out");
    reprint().args(["scan", "-q", "-o"]).arg(&out).arg(&input).args(extra).assert().success();
    out
}

fn doc<'a>(docs: &'a [Value], id: &str) -> &'a Value {
    docs.iter().find(|d| d["id"] == id).unwrap_or_else(|| panic!("no document {id}"))
}

fn assert_reuse(d: &Value, expected: f64) {
    let got = d["reuse"].as_f64().unwrap();
    assert!((got - expected).abs() <= REUSE_TOLERANCE, "{}: reuse {got}, expected {expected:.3}", d["id"]);
}

#[test]
fn a_copy_truncated_to_30_percent_is_a_copy() {
    let dir = tempdir();
    let w = wire();
    let cut = head(&w, 0.3);
    let out = scan_docs(
        dir.path(),
        &[
            json!({"id": "wire", "outlet": "Wire", "date": "2024-06-20T08:00:00Z", "text": w}),
            json!({"id": "cut", "outlet": "Local", "date": "2024-06-20T11:00:00Z", "text": cut}),
        ],
        &[],
    );
    let docs = documents(&out);
    let cl = clusters(&out);
    assert_eq!(cl.len(), 1);
    assert_eq!(cl[0]["origin"], "wire");
    assert_eq!(cl[0]["origin_reason"], "earliest date");
    let e = &cl[0]["edges"][0];
    assert_eq!(e["kind"], "contained");
    assert!(e["jaccard"].as_f64().unwrap() < 0.35, "Jaccard alone would miss it: {e}");
    assert_eq!(doc(&docs, "wire")["role"], "origin");
    assert_reuse(doc(&docs, "wire"), 0.0);
    assert_eq!(doc(&docs, "cut")["role"], "copy");
    assert_eq!(doc(&docs, "cut")["source"], "wire");
    assert_reuse(doc(&docs, "cut"), 1.0);
}

#[test]
fn a_wire_story_inside_an_article_three_times_its_length_is_a_partial_copy() {
    let dir = tempdir();
    let w = wire();
    let local = local_text(2 * words(&w));
    let (first, second) = local.split_at(local.len() / 2);
    let first = &first[..first.rfind(' ').unwrap()];
    let article = format!("{first}\n\n{w}\n\n{second}");
    let out = scan_docs(
        dir.path(),
        &[
            json!({"id": "wire", "outlet": "Wire", "date": "2024-06-20", "text": w}),
            json!({"id": "long", "outlet": "Local", "date": "2024-06-21", "text": article}),
        ],
        &[],
    );
    let docs = documents(&out);
    let expected = words(&w) as f64 / words(&article) as f64;
    assert!((expected - 1.0 / 3.0).abs() < 0.02, "{expected}");
    let long = doc(&docs, "long");
    assert_eq!(long["cluster"], doc(&docs, "wire")["cluster"]);
    assert!(!long["cluster"].is_null());
    assert_eq!(long["role"], "partial");
    assert_eq!(long["source"], "wire");
    assert_reuse(long, expected);
}

#[test]
fn thirty_percent_of_a_wire_story_inside_a_longer_article_is_a_partial_copy() {
    let dir = tempdir();
    let w = wire();
    let excerpt = head(&w, 0.3);
    let local = local_text(2 * words(&excerpt));
    let article = format!("{local}\n\n{excerpt}");
    let out = scan_docs(
        dir.path(),
        &[
            json!({"id": "wire", "outlet": "Wire", "date": "2024-06-20", "text": w}),
            json!({"id": "excerpt", "outlet": "Local", "date": "2024-06-22", "text": article}),
        ],
        &[],
    );
    let docs = documents(&out);
    let e = doc(&docs, "excerpt");
    assert_eq!(e["cluster"], doc(&docs, "wire")["cluster"]);
    assert!(!e["cluster"].is_null());
    assert_eq!(e["role"], "partial");
    assert_reuse(e, words(&excerpt) as f64 / words(&article) as f64);
    // And the passage is where the excerpt is, in both texts.
    let p: Vec<Value> = read_jsonl(&out.join("passages.jsonl"));
    assert_eq!(p.len(), 1, "{p:?}");
    let chars: Vec<char> = article.chars().collect();
    let start = p[0]["b_start"].as_u64().unwrap() as usize;
    assert_eq!(start, article[..article.find(&excerpt[..40]).unwrap()].chars().count());
    let passage: String = chars[start..p[0]["b_end"].as_u64().unwrap() as usize].iter().collect();
    assert!(excerpt.trim_end().starts_with(&passage[..passage.len() - 10]), "{passage}");
}

#[test]
fn reordered_paragraphs_with_a_new_headline_and_lede_are_a_copy() {
    let dir = tempdir();
    let w = wire();
    let paragraphs: Vec<&str> = w.split("\n    ").collect();
    assert!(paragraphs.len() >= 8, "{}", paragraphs.len());
    let mut body: Vec<&str> = paragraphs[1..].to_vec();
    body.reverse();
    body.swap(1, 4);
    let lede = "Manila's central bank chief brushed aside worries on Monday, telling reporters the economy was on course.";
    let rewrite = format!("Philippine economy on track, says central bank\n\n{lede}\n\n{}", body.join("\n\n"));
    let out = scan_docs(
        dir.path(),
        &[
            json!({"id": "wire", "outlet": "Wire", "date": "2024-06-20", "text": w}),
            json!({"id": "rewrite", "outlet": "Daily", "date": "2024-06-20T18:00:00Z", "text": rewrite}),
        ],
        &[],
    );
    let docs = documents(&out);
    let r = doc(&docs, "rewrite");
    assert_eq!(r["cluster"], doc(&docs, "wire")["cluster"]);
    assert!(!r["cluster"].is_null());
    let reused: usize = body.iter().map(|p| words(p)).sum();
    let expected = reused as f64 / words(&rewrite) as f64;
    assert_reuse(r, expected);
    assert_eq!(r["role"], "copy", "{expected}");
    let passages = read_jsonl(&out.join("passages.jsonl"));
    assert!(passages.len() >= body.len() - 1, "one passage per moved paragraph: {}", passages.len());
}

/// Four unrelated stories of one outlet wrapped in the same page furniture over a month.
fn furnished(bodies: &[String]) -> Vec<Value> {
    let header = "Share:\nCopied\nNo time to read?\nGet a summary";
    let footer = "READ MORE: Markets rally as central bank holds rates steady\nSign up for our daily briefing newsletter and never miss the stories that matter to you and your family\nComments";
    bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            json!({"id": format!("page{i}"), "outlet": "Portal", "date": format!("2024-06-{:02}", 1 + 9 * i),
                   "text": format!("{header}\n\n{b}\n\n{footer}")})
        })
        .collect()
}

#[test]
fn boilerplate_only_overlap_does_not_match() {
    let dir = tempdir();
    // Short bodies under long furniture: the classic false-positive trap.
    let bodies: Vec<String> = [56, 120, 301, 47].iter().map(|&i| head(&text(i), 0.5)).collect();
    let out = scan_docs(dir.path(), &furnished(&bodies), &[]);
    assert!(clusters(&out).is_empty(), "{:?}", clusters(&out));
    assert!(read_jsonl(&out.join("passages.jsonl")).is_empty());
    for d in documents(&out) {
        assert!(d["furniture"].as_f64().unwrap() > 0.1, "{d}");
        assert_eq!(d["role"], "unique");
    }
    let outlets = read_jsonl(&out.join("outlets.jsonl"));
    assert!(outlets[0]["furniture_share"].as_f64().unwrap() > 0.1);
    assert_eq!(outlets[0]["reused_words"], 0);
    // Without furniture detection the same pages do match: the detection is what prevents it.
    let plain = scan_docs(&dir.path().join("plain"), &furnished(&bodies), &["--no-furniture"]);
    assert!(!read_jsonl(&plain.join("passages.jsonl")).is_empty());
}

#[test]
fn furniture_is_not_counted_as_reuse() {
    let dir = tempdir();
    // Two pages of the furnished outlet, one of which copies the other's body.
    let mut bodies: Vec<String> = [56, 120, 301].iter().map(|&i| text(i)).collect();
    bodies.push(bodies[0].clone());
    let out = scan_docs(dir.path(), &furnished(&bodies), &[]);
    let docs = documents(&out);
    assert_eq!(doc(&docs, "page3")["source"], "page0");
    assert_eq!(doc(&docs, "page3")["role"], "copy");
    assert_reuse(doc(&docs, "page3"), 1.0);
    let furniture = doc(&docs, "page3")["furniture"].as_f64().unwrap();
    assert!(furniture > 0.05, "{furniture}");
    let pages = furnished(&bodies);
    let passages = read_jsonl(&out.join("passages.jsonl"));
    assert_eq!(passages.len(), 1, "{passages:?}");
    for p in passages {
        let page = pages.iter().find(|d| d["id"] == p["a"]).unwrap()["text"].as_str().unwrap().to_string();
        let start = p["a_start"].as_u64().unwrap() as usize;
        let text: String = page.chars().skip(start).take(p["a_end"].as_u64().unwrap() as usize - start).collect();
        let body = bodies[0].trim().trim_end_matches('.');
        assert_eq!(text.trim(), body, "the passage is the body, without the furniture around it");
    }
}

#[test]
fn two_independent_articles_on_the_same_topic_do_not_match() {
    let dir = tempdir();
    let s = sample();
    let (a, b) = (&s[193], &s[175]);
    assert!(a["topics"].as_array().unwrap().contains(&json!("crude")));
    assert!(b["topics"].as_array().unwrap().contains(&json!("crude")));
    let out = scan_docs(dir.path(), &[a.clone(), b.clone()], &[]);
    assert!(clusters(&out).is_empty());
    let docs = documents(&out);
    assert!(docs.iter().all(|d| d["reuse"] == 0.0 && d["role"] == "unique"));
}

#[test]
fn seeds_share_a_quotation_and_no_boilerplate() {
    let dir = tempdir();
    let out = dir.path().join("out");
    reprint().current_dir(repo_root()).args(["scan", "-q", "-o"]).arg(&out).assert().success();
    let seed = |name: &str| std::fs::read_to_string(repo_root().join("corpus").join(name)).unwrap();
    let slice = |t: &str, a: &Value, b: &Value| -> String {
        t.chars().skip(a.as_u64().unwrap() as usize).take((b.as_u64().unwrap() - a.as_u64().unwrap()) as usize).collect()
    };
    let passages = read_jsonl(&out.join("passages.jsonl"));
    let seed_passages: Vec<&Value> =
        passages.iter().filter(|p| p["a"].as_str().unwrap().starts_with("seeds/")).collect();
    let quote = seed_passages.iter().find(|p| {
        p["a"] == "seeds/000_424da9c3c4a3533c.txt"
            && p["b"] == "seeds/002_782e994aa189a10c.txt"
            && slice(&seed("seeds/000_424da9c3c4a3533c.txt"), &p["a_start"], &p["a_end"])
                .contains("each other's independence, sovereignty, territorial integrity")
    });
    assert!(quote.is_some(), "{seed_passages:?}");
    let p = quote.unwrap();
    let b = slice(&seed("seeds/002_782e994aa189a10c.txt"), &p["b_start"], &p["b_end"]);
    assert!(b.contains("each other's independence, sovereignty, territorial integrity and political institutions"), "{b}");
    let boilerplate = ["Share:", "Copied", "Comments", "READ MORE", "No time to read", "Get a summary", "Disclaimer", "Read more", "ARTICLE AD BOX", "Read Entire Article", "Previous Article", "Next Article"];
    for p in &seed_passages {
        for (id, start, end) in [(&p["a"], &p["a_start"], &p["a_end"]), (&p["b"], &p["b_start"], &p["b_end"])] {
            let text = slice(&seed(id.as_str().unwrap()), start, end);
            for line in boilerplate {
                assert!(!text.contains(line), "passage {p} contains boilerplate {line:?}: {text}");
            }
        }
    }
}

#[test]
fn regression_a_roundup_reports_the_same_edge_kind_in_every_output() {
    let dir = tempdir();
    let (a, b) = (head(&text(345), 0.15), head(&text(238), 0.15));
    let digest = format!("{a}\n\n{b}\n\n{}", local_text(40));
    let out = scan_docs(
        dir.path(),
        &[
            json!({"id": "brief-a", "date": "2024-06-20", "text": a}),
            json!({"id": "brief-b", "date": "2024-06-20", "text": b}),
            json!({"id": "digest", "date": "2024-06-21", "text": digest}),
        ],
        &[],
    );
    let kinds: Vec<String> =
        read_jsonl(&out.join("passages.jsonl")).iter().map(|p| p["kind"].as_str().unwrap().to_string()).collect();
    assert!(!kinds.is_empty() && kinds.iter().all(|k| k == "partial"), "{kinds:?}");
    let counts = &run_json(&out)["counts"]["edges_by_kind"];
    assert!(counts.get("contained").is_none(), "{counts}");
    let docs = documents(&out);
    assert!(doc(&docs, "brief-a")["cluster"].is_null() || doc(&docs, "brief-a")["cluster"] != doc(&docs, "brief-b")["cluster"]);
}
