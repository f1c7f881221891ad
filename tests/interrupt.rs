//! Interrupted runs: SIGINT or SIGTERM at any moment of a run leaves no partial output and
//! the previous run's outputs byte for byte as they were (or, when the signal came after the
//! last rename, the whole new set).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

/// Moments of a run, as fractions of an uninterrupted run's duration, at which a signal is
/// sent: spread from reading to writing the outputs.
const MOMENTS: [f64; 6] = [0.05, 0.25, 0.5, 0.75, 0.9, 0.97];

/// Every entry of `dir` (hidden ones included) with a digest of its bytes (xxh3, enough to
/// tell runs apart and short to print).
fn snapshot(dir: &Path) -> BTreeMap<String, u64> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            // A directory (a staging directory left behind) is listed, with no digest.
            if e.file_type().unwrap().is_dir() {
                return (name + "/", 0);
            }
            (name, xxhash_rust::xxh3::xxh3_64(&std::fs::read(e.path()).unwrap()))
        })
        .collect()
}

/// The snapshot of `dir` without the timings that differ between runs of the same input:
/// `run.json` is left out, and the report is digested without its run-time line.
fn without_timings(dir: &Path) -> BTreeMap<String, u64> {
    let mut files = snapshot(dir);
    files.remove("run.json").expect("a run writes run.json");
    if files.contains_key("report.html") {
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        let start = html.find(r#"<span id="run-time">"#).expect("the report shows the run time");
        let end = start + html[start..].find("</span>").unwrap();
        let stable = format!("{}{}", &html[..start], &html[end..]);
        files.insert("report.html".into(), xxhash_rust::xxh3::xxh3_64(stable.as_bytes()));
    }
    files
}

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("reprint")
}

/// Starts `reprint ARGS` (standard input from `stdin`, if given), sends `signal` (a `kill`
/// name) after `delay`, and returns the exit code and stderr.
fn run_and_signal(args: &[&str], stdin: Option<&Path>, delay: Duration, signal: &str) -> (Option<i32>, String) {
    let input = match stdin {
        Some(path) => Stdio::from(std::fs::File::open(path).unwrap()),
        None => Stdio::null(),
    };
    let child = Command::new(binary())
        .args(args)
        .stdin(input)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("reprint starts");
    std::thread::sleep(delay);
    // The process may have finished already; `kill` then fails, which is fine.
    let _ = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn generate(dir: &Path, docs: usize) -> std::path::PathBuf {
    let dump = dir.join("dump.jsonl");
    reprint()
        .args(["gen", "-q", "--syndication", "--docs", &docs.to_string(), "--seed", "5", "-o"])
        .arg(&dump)
        .assert()
        .success();
    dump
}

#[test]
fn a_signal_at_any_moment_leaves_the_previous_outputs_or_the_whole_new_set() {
    let dir = tempdir();
    let dump = generate(dir.path(), 500);
    let dump = dump.to_str().unwrap();
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap();
    // The previous run: other parameters, so its files differ from the interrupted run's.
    let previous_args = ["scan", "-q", "--threshold", "0.9", "--report-limit", "5", "-o", out_s, dump];
    // The whole new set, and how long a run takes.
    let started = Instant::now();
    reprint().args(["scan", "-q", "-o", out_s, dump]).assert().success();
    let duration = started.elapsed();
    let new_set = without_timings(&out);
    reprint().args(previous_args).assert().success();
    assert_ne!(without_timings(&out), new_set, "the two runs must differ for the test to mean anything");
    let mut previous = snapshot(&out);

    let mut interrupted = 0;
    for (n, fraction) in MOMENTS.iter().enumerate() {
        let (signal, code) = if n % 2 == 0 { ("INT", 130) } else { ("TERM", 143) };
        let (status, stderr) =
            run_and_signal(&["scan", "-q", "-o", out_s, dump], None, duration.mul_f64(*fraction), signal);
        if status == Some(code) {
            interrupted += 1;
            assert!(stderr.contains(&format!("reprint: interrupted by SIG{signal}")), "{stderr}");
            if snapshot(&out) == previous {
                continue; // untouched, and nothing left behind
            }
            // Only possible when the signal came after the last rename: the whole new set.
            assert_eq!(without_timings(&out), new_set, "signal {signal} at {fraction} of the run left a mix");
        } else {
            assert_eq!(status, Some(0), "signal {signal} at {fraction}: {stderr}");
            assert_eq!(without_timings(&out), new_set);
        }
        // The previous outputs again, for the next moment.
        reprint().args(previous_args).assert().success();
        previous = snapshot(&out);
    }
    // Most moments fall inside the run; a test where none did would test nothing.
    assert!(interrupted >= MOMENTS.len() / 2, "only {interrupted} of {} signals interrupted a run", MOMENTS.len());
}

/// `dedup` reading standard input (spooled to a hidden file beside OUT) and writing OUT and
/// REMOVED through hidden temporary files: interrupted, it leaves none of them.
#[test]
fn an_interrupted_dedup_leaves_no_output_and_no_temporary_file() {
    let dir = tempdir();
    let dump = generate(dir.path(), 500);
    let before = snapshot_names(dir.path());
    let kept = dir.path().join("kept.jsonl");
    let removed = dir.path().join("removed.jsonl");
    let args = ["dedup", "-q", "-", "-o", kept.to_str().unwrap(), "--removed", removed.to_str().unwrap()];
    let started = Instant::now();
    reprint().args(args).pipe_stdin(&dump).unwrap().assert().success();
    let duration = started.elapsed();
    let mut interrupted = 0;
    for fraction in [0.1, 0.4, 0.7, 0.9, 0.97] {
        for p in [&kept, &removed] {
            let _ = std::fs::remove_file(p);
        }
        let (status, stderr) = run_and_signal(&args, Some(&dump), duration.mul_f64(fraction), "INT");
        let now = snapshot_names(dir.path());
        if status == Some(130) {
            interrupted += 1;
            // Nothing but the dump, or both finished files when the signal came after the
            // last rename.
            let finished: Vec<String> =
                before.iter().cloned().chain(["kept.jsonl".to_string(), "removed.jsonl".to_string()]).collect();
            let mut finished = finished;
            finished.sort();
            assert!(now == before || now == finished, "interrupted at {fraction} of the run, left {now:?}\n{stderr}");
        } else {
            assert_eq!(status, Some(0), "{stderr}");
        }
    }
    assert!(interrupted >= 3, "only {interrupted} of 5 signals interrupted a run");
}

/// Names of the entries of `dir`, hidden ones included.
fn snapshot_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}
