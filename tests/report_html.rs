//! report.html: self-contained, deterministic, proportional to `--report-limit`, safe with
//! hostile articles, and honest about texts it could not fetch. (What the page does in a
//! browser is tested in `browser.rs`.)

use std::path::Path;

use reprint::bench::synth::{generate, write_dump, GenParams};
use serde_json::{json, Value};

use crate::util::*;

fn report(out: &Path) -> String {
    std::fs::read_to_string(out.join("report.html")).expect("report.html written")
}

/// The page's JSON island.
fn island(html: &str) -> Value {
    let open = r#"<script id="reprint-data" type="application/json">"#;
    let start = html.find(open).expect("data island") + open.len();
    let end = start + html[start..].find("</script>").expect("island closed");
    serde_json::from_str(&html[start..end]).expect("island is JSON")
}

/// The page without what legitimately varies between runs (the timing and thread count).
fn stable(html: &str) -> String {
    let start = html.find(r#"<span id="run-time">"#).expect("run-time element");
    let end = start + html[start..].find("</span>").unwrap();
    format!("{}<span id=\"run-time\">…{}", &html[..start], &html[end..])
}

fn syndication_dump(dir: &Path, docs: usize) -> std::path::PathBuf {
    let params = GenParams { docs, mean_words: 200, seed: 11, ..GenParams::default() };
    let dump = generate(&params, None);
    let path = dir.join("dump.jsonl");
    write_dump(&dump, &path, None).unwrap();
    path
}

const WIRE: &str = "The central bank held its benchmark rate at 4.25 percent on Thursday, \
    saying inflation had cooled faster than expected over the summer while hiring stayed firm. \
    Governor Ana Ruiz told reporters the board would watch energy prices closely before any cut. \
    Economists polled last week had expected the decision, though two forecast a quarter-point \
    reduction. Markets rallied after the announcement, with the main index closing up 1.2 percent \
    and the currency steady against the dollar.";

fn tiny_dump(dir: &Path, hostile: bool) -> std::path::PathBuf {
    let title = if hostile { "<script>alert(1)</script> Rates \"held\"" } else { "Central bank holds rates" };
    let body = if hostile {
        format!("<img src=x onerror=alert(2)> </script> {WIRE}")
    } else {
        WIRE.to_string()
    };
    let lines = [
        json!({"id": "wire-1", "outlet": "Wire", "date": "2024-06-06T10:00:00Z", "title": title, "text": body}),
        json!({"id": "daily-7", "outlet": "Daily", "date": "2024-06-06T12:30:00Z", "title": title,
               "text": format!("{body} Local shops said they hoped for cheaper loans next year.")}),
        json!({"id": "daily-8", "outlet": "Daily", "date": "2024-06-07T08:00:00Z", "title": "Harbour ferry timetable changes",
               "text": "The harbour ferry will run every twenty minutes from Monday, the operator said, \
                        adding two late crossings on Fridays and Saturdays during the festival weeks."}),
    ];
    let path = dir.join("tiny.jsonl");
    std::fs::write(&path, lines.iter().map(|l| l.to_string() + "\n").collect::<String>()).unwrap();
    path
}

#[test]
fn the_report_is_one_self_contained_file() {
    let dir = tempdir();
    let out = dir.path().join("out");
    reprint().args(["scan", "-q", "-o"]).arg(&out).assert().success();
    let html = report(&out);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    for outside in ["<link", " src=", "@import", "url(", "<iframe", "<object"] {
        assert!(!html.contains(outside), "report.html must not load anything ({outside} found)");
    }
    // Exactly two scripts: the data island and the inline code.
    assert_eq!(html.matches("<script").count(), 2);
    let data = island(&html);
    let clusters = clusters(&out);
    assert_eq!(data["clusters"].as_array().unwrap().len(), clusters.len(), "the corpus is under the limit: all shown");
    assert_eq!(data["total_clusters"], clusters.len());
    // Every outlet has a row in the table.
    for o in read_jsonl(&out.join("outlets.jsonl")) {
        let name = o["outlet"].as_str().unwrap_or("(none)");
        assert!(html.contains(&format!("<tr data-outlet=\"{name}\">")), "outlet {name} missing");
    }
    // The seeds' story is on the page, with all five outlets.
    let seeds_story = data["stories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["outlets"].as_array().unwrap().iter().any(|o| o == "outlet-a"))
        .expect("the seeds' story is shown");
    assert_eq!(seeds_story["outlets"], json!(["outlet-a", "outlet-b", "outlet-c", "outlet-d", "outlet-e"]));
}

#[test]
fn passages_in_the_report_are_the_recorded_ones_in_utf16_offsets() {
    let dir = tempdir();
    let out = dir.path().join("out");
    reprint().args(["scan", "-q", "-o"]).arg(&out).assert().success();
    let data = island(&report(&out));
    let docs = data["docs"].as_array().unwrap();
    let mut checked = 0;
    for c in data["clusters"].as_array().unwrap() {
        for e in c["edges"].as_array().unwrap() {
            let (a, b) = (&docs[e[0].as_u64().unwrap() as usize], &docs[e[1].as_u64().unwrap() as usize]);
            let (Some(ta), Some(tb)) = (a["text"].as_str(), b["text"].as_str()) else { continue };
            let (ua, ub): (Vec<u16>, Vec<u16>) = (ta.encode_utf16().collect(), tb.encode_utf16().collect());
            for p in e[6].as_array().unwrap() {
                let p: Vec<usize> = p.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();
                let pa = String::from_utf16(&ua[p[0]..p[1]]).unwrap();
                let pb = String::from_utf16(&ub[p[2]..p[3]]).unwrap();
                // Both ends of a passage are words of the same shingles: same first word.
                let first = |s: &str| s.split_whitespace().next().unwrap_or("").to_lowercase();
                assert_eq!(first(&pa), first(&pb), "passage of {} / {}", a["id"], b["id"]);
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "the corpus has passages to check ({checked})");
}

#[test]
fn the_report_is_byte_identical_for_1_and_2_threads() {
    let dir = tempdir();
    let dump = syndication_dump(dir.path(), 1200);
    let mut pages = Vec::new();
    for t in ["1", "2"] {
        let out = dir.path().join(format!("out{t}"));
        reprint().args(["scan", "-q", "--threads", t, "-o"]).arg(&out).arg(&dump).assert().success();
        pages.push(stable(&report(&out)));
    }
    assert!(pages[0] == pages[1], "report.html differs between 1 and 2 threads");
}

#[test]
fn report_limit_keeps_the_largest_and_the_most_suspicious_and_the_file_grows_with_it() {
    let dir = tempdir();
    let dump = syndication_dump(dir.path(), 1500);
    let (small, large) = (dir.path().join("small"), dir.path().join("large"));
    reprint().args(["scan", "-q", "--report-limit", "10", "-o"]).arg(&small).arg(&dump).assert().success();
    reprint().args(["scan", "-q", "--report-limit", "100", "-o"]).arg(&large).arg(&dump).assert().success();
    let all = clusters(&small);
    assert!(all.len() > 100, "the dump has more clusters than either limit ({})", all.len());
    let data = island(&report(&small));
    let shown: Vec<u64> = data["clusters"].as_array().unwrap().iter().map(|c| c["id"].as_u64().unwrap()).collect();
    assert_eq!(shown.len(), 10);
    assert_eq!(data["total_clusters"], all.len());
    // The five largest are shown (ties by id, as the page orders them).
    let mut by_size: Vec<(i64, u64)> =
        all.iter().map(|c| (-(c["size"].as_i64().unwrap()), c["id"].as_u64().unwrap())).collect();
    by_size.sort();
    for (_, id) in &by_size[..5] {
        assert!(shown.contains(id), "largest cluster {id} missing from {shown:?}");
    }
    // And the cluster with the weakest edge (by Jaccard or containment, whichever is stronger).
    let strength = |e: &Value| {
        ["jaccard", "containment_ab", "containment_ba"].iter().map(|k| e[k].as_f64().unwrap()).fold(0.0, f64::max)
    };
    let weakest = all
        .iter()
        .map(|c| (c["edges"].as_array().unwrap().iter().map(strength).fold(f64::INFINITY, f64::min), c["id"].as_u64().unwrap()))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .unwrap();
    let bridged = data["clusters"].as_array().unwrap().iter().any(|c| c["bridges"].as_u64().unwrap() > 0);
    assert!(bridged || shown.contains(&weakest.1), "weakest cluster {} not shown", weakest.1);
    assert!(report(&small).contains("This page shows 10 of"));
    let (s, l) = (report(&small).len(), report(&large).len());
    assert!(s * 3 < l, "10 clusters ({s} bytes) should be far smaller than 100 ({l} bytes)");
}

#[test]
fn report_limit_0_writes_no_report_and_removes_a_stale_one() {
    let dir = tempdir();
    let out = dir.path().join("out");
    reprint().args(["scan", "-q", "-o"]).arg(&out).assert().success();
    assert!(out.join("report.html").exists());
    reprint().args(["scan", "-q", "--report-limit", "0", "-o"]).arg(&out).assert().success();
    assert!(!out.join("report.html").exists(), "a report from another run would not match the outputs");
    assert!(out.join("clusters.jsonl").exists());
}

#[test]
fn hostile_articles_are_shown_as_text_never_as_markup() {
    let dir = tempdir();
    let dump = tiny_dump(dir.path(), true);
    let out = dir.path().join("out");
    reprint().args(["scan", "-q", "-o"]).arg(&out).arg(&dump).assert().success();
    let html = report(&out);
    assert_eq!(html.matches("<script").count(), 2, "no script element from the article");
    assert!(!html.contains("<img"), "no element from the article");
    assert!(!html.contains("alert(1)</script>"));
    let data = island(&html);
    assert_eq!(data["clusters"].as_array().unwrap().len(), 1, "the two tellings cluster");
    let texts: Vec<&str> = data["docs"].as_array().unwrap().iter().filter_map(|d| d["text"].as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("<img src=x onerror=alert(2)> </script>")), "text kept verbatim in the data");
}

#[test]
fn texts_read_from_stdin_are_shown_and_its_copy_removed() {
    let dir = tempdir();
    let dump = tiny_dump(dir.path(), false);
    let (piped, named) = (dir.path().join("piped"), dir.path().join("named"));
    reprint().args(["scan", "-q", "-o"]).arg(&piped).arg("-").pipe_stdin(&dump).unwrap().assert().success();
    reprint().args(["scan", "-q", "-o"]).arg(&named).arg(&dump).assert().success();
    let (a, b) = (island(&report(&piped)), island(&report(&named)));
    let texts = |d: &Value| -> Vec<Value> { d["docs"].as_array().unwrap().iter().map(|x| x["text"].clone()).collect() };
    assert!(texts(&a).iter().all(|t| t.is_string()), "every shown text is embedded");
    assert_eq!(texts(&a), texts(&b), "the same texts as when the file is named");
    assert_eq!(read_jsonl(&piped.join("passages.jsonl")), read_jsonl(&named.join("passages.jsonl")));
    // The copy of standard input is gone; only the outputs remain.
    let names: Vec<String> =
        std::fs::read_dir(&piped).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    assert_eq!(documents(&piped)[0]["input"], "-:1");
}

#[test]
fn a_file_changed_after_the_scan_is_not_shown_wrongly() {
    use reprint::config::{FieldMap, InputSpec};
    use reprint::input::texts::{fetch, Missing};
    let dir = tempdir();
    let dump = tiny_dump(dir.path(), false);
    let inputs = vec![InputSpec::Path(dump.clone())];
    let mut metas = Vec::new();
    let summary = reprint::input::read_inputs(&inputs, &FieldMap::default(), &[], reprint::config::DEFAULT_MAX_DOC_BYTES, &mut |rec| metas.push(rec.meta)).unwrap();
    let wanted: Vec<_> = metas.iter().map(|m| (m.location, m.bytes)).collect();
    let before = fetch(&inputs, &FieldMap::default(), &[], None, &summary.files, &wanted).unwrap();
    assert!(before[0].as_ref().unwrap().starts_with("The central bank"));
    // A document asked for twice comes back in both places.
    let twice = fetch(&inputs, &FieldMap::default(), &[], None, &summary.files, &[wanted[0], wanted[0]]).unwrap();
    assert_eq!(twice, vec![before[0].clone(), before[0].clone()]);
    // Rewrite the first line with other text of another length.
    let text = std::fs::read_to_string(&dump).unwrap();
    std::fs::write(&dump, text.replacen("The central bank held", "The central bank kept", 1).replacen("4.25", "4.5", 1)).unwrap();
    let after = fetch(&inputs, &FieldMap::default(), &[], None, &summary.files, &wanted).unwrap();
    assert_eq!(after[0], Err(Missing::Changed));
    assert_eq!(after[2], before[2], "untouched lines are still fetched");
}

#[test]
fn template_snapshot() {
    let dir = tempdir();
    let dump = tiny_dump(dir.path(), false);
    let out = dir.path().join("out");
    reprint().args(["scan", "-q", "-o"]).arg(&out).arg(&dump).assert().success();
    let html = stable(&report(&out));
    // The style sheet and the script are static files; the snapshot covers the template and
    // the data, with the input path (a temporary directory) replaced.
    let cut = |s: &str, open: &str, close: &str, with: &str| {
        let a = s.find(open).unwrap() + open.len();
        let b = a + s[a..].find(close).unwrap();
        format!("{}{with}{}", &s[..a], &s[b..])
    };
    let html = cut(&html, "<style>\n", "</style>", "/* report.css */\n");
    let html = cut(&html, "</script>\n<script>\n", "</script>", "/* report.js */\n");
    let html = html.replace(&dump.display().to_string(), "DUMP");
    insta::assert_snapshot!("report_tiny", html);
}
