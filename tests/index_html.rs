//! report.html of a persistent index's `add`: the page shows the clusters with a new article,
//! under the index's lasting cluster ids, with the older indexed articles they match.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::util::*;

/// The page's JSON island.
fn island(html: &str) -> Value {
    let open = r#"<script id="reprint-data" type="application/json">"#;
    let start = html.find(open).expect("data island") + open.len();
    let end = start + html[start..].find("</script>").expect("island closed");
    serde_json::from_str(&html[start..end]).expect("island is JSON")
}

fn ids(values: &[Value], key: &str) -> BTreeSet<String> {
    values.iter().map(|v| v[key].to_string()).collect()
}

/// Splits `all` after `first` lines into two files.
fn split(all: &Path, first: usize, a: &Path, b: &Path) {
    let text = std::fs::read_to_string(all).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > first, "the dump has {} lines", lines.len());
    std::fs::write(a, lines[..first].join("\n") + "\n").unwrap();
    std::fs::write(b, lines[first..].join("\n") + "\n").unwrap();
}

#[test]
fn an_index_add_report_shows_the_clusters_of_the_new_articles_under_lasting_ids() {
    let dir = tempdir();
    let (all, day1, day2) = (dir.path().join("all.jsonl"), dir.path().join("day1.jsonl"), dir.path().join("day2.jsonl"));
    let (idx, out) = (dir.path().join("IDX"), dir.path().join("OUT"));
    reprint().args(["gen", "--docs", "1500", "--syndication", "--seed", "3", "-q", "-o"]).arg(&all).assert().success();
    split(&all, 1000, &day1, &day2);
    reprint().args(["index", "create"]).arg(&idx).arg(&day1).arg("-q").assert().success();
    reprint().args(["index", "add"]).arg(&idx).arg(&day2).arg("-o").arg(&out).arg("-q").assert().success();

    let data = island(&std::fs::read_to_string(out.join("report.html")).expect("report.html written"));
    let new_docs = ids(&documents(&out), "id");
    let cluster_lines = clusters(&out);
    let cluster_ids = ids(&cluster_lines, "id");
    let stories = read_jsonl(&out.join("stories.jsonl"));
    assert_eq!(new_docs.len(), 500, "documents.jsonl lists the new articles only");
    let docs = data["docs"].as_array().unwrap();
    let shown = data["clusters"].as_array().unwrap();
    assert!(!shown.is_empty(), "the page shows clusters");
    assert_eq!(data["total_clusters"].as_u64().unwrap() as usize, cluster_lines.len(), "totals count the shown clusters");
    assert_eq!(data["total_stories"].as_u64().unwrap() as usize, stories.len(), "totals count the shown stories");

    let doc_id = |m: &Value| docs[m.as_u64().unwrap() as usize]["id"].to_string();
    let is_new = |m: &Value| new_docs.contains(&doc_id(m));
    let mut with_indexed = 0;
    for c in shown {
        assert!(cluster_ids.contains(&c["id"].to_string()), "cluster {} of the page is in clusters.jsonl", c["id"]);
        let members = c["members"].as_array().unwrap();
        assert!(members.iter().any(is_new), "cluster {} has a new article", c["id"]);
        if !members.iter().all(is_new) {
            with_indexed += 1;
        }
        // Its members carry its (lasting) id.
        for m in members {
            assert_eq!(docs[m.as_u64().unwrap() as usize]["cluster"], c["id"], "member of cluster {}", c["id"]);
        }
    }
    assert!(with_indexed > 0, "some cluster shows an older, indexed article");

    // Every document's cluster is a written cluster, or, for an indexed article placed only on
    // a story's time line, one of that story's clusters (as stories.jsonl lists them).
    let story_clusters = |story: &Value| -> BTreeSet<String> {
        let line = stories.iter().find(|s| s["id"] == *story).expect("the story is in stories.jsonl");
        line["clusters"].as_array().unwrap().iter().map(|c| c.to_string()).collect()
    };
    for d in docs {
        let indexed = !new_docs.contains(&d["id"].to_string());
        assert_eq!(d["indexed"].as_bool().unwrap_or(false), indexed, "{} is marked as indexed or not", d["id"]);
        let cluster = &d["cluster"];
        if cluster.is_null() || cluster_ids.contains(&cluster.to_string()) {
            continue;
        }
        assert!(indexed, "new article {} is in cluster {} missing from clusters.jsonl", d["id"], cluster);
        assert!(story_clusters(&d["story"]).contains(&cluster.to_string()), "{}: cluster {}", d["id"], cluster);
    }
    // Stories: those with a new article, their clusters as stories.jsonl lists them.
    for s in data["stories"].as_array().unwrap() {
        assert!(s["members"].as_array().unwrap().iter().any(is_new), "story {} has a new article", s["id"]);
        let line = stories.iter().find(|l| l["id"] == s["id"]).expect("story in stories.jsonl");
        assert_eq!(s["clusters"], line["clusters"], "story {}", s["id"]);
    }
}
