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

/// The outputs that must not depend on the budget, and run.json without timings, threads and
/// the budget itself.
fn budget_free_outputs(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = ["documents.jsonl", "clusters.jsonl", "passages.jsonl", "stories.jsonl", "outlets.jsonl"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))))
        .collect();
    let mut run = stable_run_json(out);
    run.as_object_mut().unwrap().remove("memory").expect("run.json has memory");
    files.push(("run.json".into(), serde_json::to_vec(&run).unwrap()));
    files
}

#[test]
fn outputs_are_byte_identical_whatever_the_memory_budget() {
    let dir = tempdir();
    let dump = generated_dump(dir.path());
    let temp = dir.path().join("temp");
    std::fs::create_dir(&temp).unwrap();
    let scan = |out: &Path, budget: Option<&str>| {
        let mut cmd = reprint();
        cmd.args(["scan", "-q", "-o"]).arg(out).arg(&dump).arg("--temp-dir").arg(&temp);
        if let Some(b) = budget {
            cmd.args(["--memory", b]);
        }
        cmd.assert().success();
    };
    let unlimited = dir.path().join("unlimited");
    scan(&unlimited, None);
    let memory = run_json(&unlimited)["memory"].clone();
    assert_eq!(memory["budget_from"], "default", "{memory}");
    assert_eq!(memory["spilled"], serde_json::json!([]), "{memory}");
    assert_eq!(memory["temp_peak_bytes"], 0, "{memory}");
    // The texts are fetched in one wave (the origin links reuse the verified pairs' texts),
    // by position: the dump is a plain JSONL file, read through for texts not once.
    assert_eq!(memory["text_waves"], 1, "{memory}");
    assert_eq!(memory["text_readings"], 0, "{memory}");
    let expected = budget_free_outputs(&unlimited);
    // The smallest budget that works here, as the refusal of a smaller one names it.
    let smallest = smallest_budget(reprint().args(["scan", "-q", "-o"]).arg(dir.path().join("refused")).arg(&dump));
    assert!(!dir.path().join("refused").exists(), "a refused run writes nothing");
    let (six, ten) = (budget_plus(&smallest, 6), budget_plus(&smallest, 10));
    // The smallest: every kind of state goes to disk at its first document (the furniture rule's
    // lines and the band keys in many sorted runs), the inputs are read twice, and the
    // passage stage reads texts in many waves; 6M more: the lines and band keys fit their 1.2 MB,
    // the other kinds outgrow their shares part-way through (words while reading, the
    // others while signing); 10M: the words are held (signing goes from them) and so are the
    // anchors' lists, while the sets and story words outgrow their 3 and 2 MB and the anchors'
    // postings (twice the lists' bytes) their 1 MB, so they are sorted in runs on disk.
    let all = &["lines", "words", "sets", "story_words", "anchors", "band_keys", "texts"][..];
    let part = &["words", "sets", "story_words", "anchors", "texts"][..];
    for (budget, spilled) in [(smallest.as_str(), all), (six.as_str(), part), (ten.as_str(), &["sets", "story_words", "anchors"][..])] {
        let out = dir.path().join(budget);
        scan(&out, Some(budget));
        for ((name, want), (_, got)) in expected.iter().zip(budget_free_outputs(&out)) {
            assert!(want == &got, "{name} differs under --memory {budget}");
        }
        let memory = run_json(&out)["memory"].clone();
        assert_eq!(memory["budget_from"], "given", "{memory}");
        let mut kinds: Vec<&str> = memory["spilled"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        kinds.sort_unstable();
        let mut want: Vec<&str> = spilled.to_vec();
        want.sort_unstable();
        assert_eq!(kinds, want, "--memory {budget}: {memory}");
        assert!(memory["temp_peak_bytes"].as_u64().unwrap() > 100_000, "--memory {budget}: {memory}");
        let waves = memory["text_waves"].as_u64().unwrap();
        assert_eq!(waves > 2, spilled.contains(&"texts"), "--memory {budget}: {memory}");
        assert_eq!(memory["text_readings"], 0, "--memory {budget}: {memory}");
        assert_eq!(std::fs::read_dir(&temp).unwrap().count(), 0, "temporary files left after --memory {budget}");
    }
}

#[test]
fn a_small_budget_reads_standard_input_twice_from_its_copy() {
    let dir = tempdir();
    let dump = generated_dump(dir.path());
    let (file, piped) = (dir.path().join("file"), dir.path().join("piped"));
    reprint().args(["scan", "-q", "--no-stories", "-o"]).arg(&file).arg(&dump).assert().success();
    let smallest = smallest_budget(reprint().args(["scan", "-q", "--no-stories", "-o"]).arg(dir.path().join("refused")).arg(&dump));
    reprint()
        .args(["scan", "-q", "--no-stories", "--memory", &budget_plus(&smallest, 1), "-o"])
        .arg(&piped)
        .arg("-")
        .write_stdin(std::fs::read(&dump).unwrap())
        .assert()
        .success();
    assert!(run_json(&piped)["memory"]["spilled"].as_array().unwrap().iter().any(|k| k == "words"));
    assert_eq!(cluster_sets(&file), cluster_sets(&piped));
    assert_eq!(documents(&file).len(), documents(&piped).len());
}

#[test]
fn dedup_keeps_the_same_records_whatever_the_memory_budget() {
    let dir = tempdir();
    let dump = generated_dump(dir.path());
    let run = |name: &str, budget: Option<&str>| {
        let out = dir.path().join(format!("{name}.jsonl"));
        let removed = dir.path().join(format!("{name}.removed.jsonl"));
        let mut cmd = reprint();
        cmd.args(["dedup", "-q", "-o"]).arg(&out).arg("--removed").arg(&removed).arg(&dump);
        if let Some(b) = budget {
            cmd.args(["--memory", b]);
        }
        cmd.assert().success();
        (std::fs::read(out).unwrap(), std::fs::read(removed).unwrap())
    };
    let unlimited = run("unlimited", None);
    assert!(!unlimited.1.is_empty(), "the dump has duplicates to remove");
    let refused = dir.path().join("refused.jsonl");
    let smallest = smallest_budget(reprint().args(["dedup", "-q", "-o"]).arg(&refused).arg(&dump));
    assert!(!refused.exists(), "a refused dedup writes nothing");
    assert!(unlimited == run("small", Some(&smallest)), "dedup's outputs differ under --memory {smallest}");
}

#[test]
fn index_add_gives_the_same_outputs_whatever_the_memory_budget() {
    let dir = tempdir();
    let dump = generated_dump(dir.path());
    let text = std::fs::read_to_string(&dump).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (old, new) = (dir.path().join("old.jsonl"), dir.path().join("new.jsonl"));
    std::fs::write(&old, lines[..lines.len() / 2].join("\n") + "\n").unwrap();
    std::fs::write(&new, lines[lines.len() / 2..].join("\n") + "\n").unwrap();
    let run = |name: &str, budget: &[&str]| {
        let (index, out) = (dir.path().join(format!("{name}.idx")), dir.path().join(name));
        reprint().args(["index", "create", "-q"]).arg(&index).arg(&old).args(budget).assert().success();
        reprint().args(["index", "add", "-q"]).arg(&index).arg(&new).arg("-o").arg(&out).args(budget).assert().success();
        out
    };
    let unlimited = run("unlimited", &[]);
    // `index add` holds the index's articles' metadata too: the smallest budget it names.
    let probe = dir.path().join("probe.idx");
    reprint().args(["index", "create", "-q"]).arg(&probe).arg(&old).assert().success();
    let smallest = smallest_budget(reprint().args(["index", "add", "-q"]).arg(&probe).arg(&new).arg("-o").arg(dir.path().join("refused")));
    let small = run("small", &["--memory", &smallest]);
    assert!(run_json(&small)["memory"]["spilled"].as_array().unwrap().len() >= 4, "{}", run_json(&small)["memory"]);
    for file in ["documents.jsonl", "clusters.jsonl", "passages.jsonl", "stories.jsonl"] {
        assert!(std::fs::read(unlimited.join(file)).unwrap() == std::fs::read(small.join(file)).unwrap(), "{file} differs under --memory {smallest}");
    }
    assert!(!clusters(&small).is_empty(), "the new half matches the old");
}
