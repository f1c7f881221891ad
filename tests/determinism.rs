//! Same input and parameters, same bytes out: whatever the thread count, and the same
//! clusters whatever the input order.

use std::path::Path;

use reprint::bench::synth::{generate, write_dump, GenParams};
use serde_json::Value;

use crate::util::*;

fn generated_dump(dir: &Path) -> std::path::PathBuf {
    let mut docs = generate(&GenParams { docs: 1500, mean_words: 250, seed: 3, ..GenParams::default() }, None);
    // And a mass of near-identical notices, whose large buckets are linked on one thread.
    let notices = generate(&GenParams { docs: 400, notices: true, seed: 3, ..GenParams::default() }, None);
    docs.extend(notices.into_iter().map(|d| reprint::bench::synth::GenDoc { id: format!("notice-{}", d.id), ..d }));
    let path = dir.join("dump.jsonl");
    write_dump(&docs, &path, None).unwrap();
    path
}

fn run_threads(input: &Path, corpus: &Path, out: &Path, threads: usize) {
    reprint()
        .args(["scan", "-q", "--threads", &threads.to_string(), "-o"])
        .arg(out)
        .arg(input)
        .arg(corpus)
        .assert()
        .success();
}

/// run.json without the two fields that legitimately vary (timings and the thread count).
fn stable_run_json(out: &Path) -> Value {
    let mut v = run_json(out);
    let obj = v.as_object_mut().unwrap();
    obj.remove("seconds").expect("run.json has seconds");
    obj.remove("threads").expect("run.json has threads");
    v
}

#[test]
fn outputs_are_byte_identical_for_1_2_and_4_threads() {
    let dir = tempdir();
    let dump = generated_dump(dir.path());
    let corpus = repo_root().join("corpus");
    let outs: Vec<_> = [1, 2, 4].iter().map(|t| dir.path().join(format!("out{t}"))).collect();
    for (out, t) in outs.iter().zip([1, 2, 4]) {
        run_threads(&dump, &corpus, out, t);
    }
    let first_clusters = std::fs::read(outs[0].join("clusters.jsonl")).unwrap();
    assert!(clusters(&outs[0]).len() > 100, "the dump should produce many clusters");
    for out in &outs[1..] {
        for file in ["documents.jsonl", "clusters.jsonl", "passages.jsonl"] {
            assert_eq!(
                std::fs::read(outs[0].join(file)).unwrap(),
                std::fs::read(out.join(file)).unwrap(),
                "{file} differs between 1 thread and {}",
                out.display()
            );
        }
        assert_eq!(stable_run_json(&outs[0]), stable_run_json(out));
    }
    assert_eq!(run_json(&outs[2])["threads"], 4);
    assert!(run_json(&outs[0])["counts"]["large_buckets"].as_u64().unwrap() > 0, "large buckets are linked");
    assert!(!first_clusters.is_empty());
}

#[test]
fn clusters_do_not_depend_on_input_order() {
    let dir = tempdir();
    let dump = generated_dump(dir.path());
    let text = std::fs::read_to_string(&dump).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    // A fixed pseudo-random shuffle (Fisher-Yates driven by SplitMix64).
    let mut rng = reprint::sketch::minhash::SplitMix64::new(99);
    for i in (1..lines.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        lines.swap(i, j);
    }
    let shuffled = dir.path().join("shuffled.jsonl");
    std::fs::write(&shuffled, lines.join("\n") + "\n").unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (input, out) in [(&dump, &a), (&shuffled, &b)] {
        reprint().args(["scan", "-q", "-o"]).arg(out).arg(input).assert().success();
    }
    assert_eq!(cluster_sets(&a), cluster_sets(&b));
    // documents.jsonl follows input order, so it is a permutation with the same clustering.
    assert_eq!(documents(&b).len(), lines.len());
    assert_eq!(documents(&b)[0]["id"].as_str().unwrap(), serde_json::from_str::<Value>(lines[0]).unwrap()["id"]);
}
