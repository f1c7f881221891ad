//! `reprint dedup`: one article kept per duplicate group, the kept records streamed out as
//! they came in, every input record accounted for, and the files on disk never put at risk.
//!
//! Small hand-written fixtures pin the precise cases (a wire story and its copies, one page
//! under two addresses, broken lines); generated dumps and the embedded corpus give volume.
//! Expectations are derived from the inputs, never copied from a run.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::util::*;

// ---------------------------------------------------------------------------------------
// The fixture

/// A wire story: six sentences, 130 words.
const WIRE: &str = "The central bank held its benchmark interest rate at 4.25 percent on Thursday, \
    saying inflation had cooled faster than expected over the summer while hiring stayed firm. \
    Governor Ana Ruiz told reporters in the capital that the board would watch energy prices \
    closely before considering any cut later this year. Economists polled by the agency last \
    week had widely expected the decision, though two of them had forecast a quarter-point \
    reduction. Markets rallied after the announcement, with the main stock index closing up 1.2 \
    percent and the currency holding steady against the dollar. The bank also raised its growth \
    forecast for next year to 2.1 percent from 1.8 percent, citing stronger exports and a \
    recovery in household spending. Its next policy meeting is scheduled for the second week of \
    September.";

/// The wire story's second sentence, which one outlet rewrote.
const WIRE_SECOND: &str = "Governor Ana Ruiz told reporters in the capital that the board would watch energy prices \
    closely before considering any cut later this year.";

/// The rewritten sentence.
const DAILY_SECOND: &str = "Speaking at a news conference, the governor said policymakers were in no hurry to move \
    and would wait for more data on wages.";

/// Two sentences another outlet added at the end of the wire story.
const LONG_TAIL: &str = " Analysts at three of the largest lenders said the statement left the door open to a cut \
    in the autumn if wage growth slows. The finance ministry welcomed the decision in a short \
    statement issued on Thursday evening.";

/// A local story, three sentences.
const FERRY: &str = "The harbour ferry will run every twenty minutes from Monday, the operator said on \
    Wednesday, adding two late crossings on Fridays and Saturdays during the summer festival \
    weeks. Tickets bought online will be valid on both routes, and children under twelve travel \
    free when accompanied by an adult. The operator said the new timetable follows a rise in \
    passenger numbers of almost a third since the bridge closed for repairs in March.";

/// The same page later: only the first sentence is left of the earlier version, so the two
/// texts are not copies of each other (under a third of the earlier one's words remain).
const FERRY_UPDATED_TAIL: &str = " A spokeswoman said on Thursday that the timetable would be reviewed in October, \
    once engineers have finished inspecting the bridge, and that season tickets bought before \
    the closure would be refunded in full at any station office.";

/// An unrelated article.
const OTHER: &str = "Volunteers planted more than four hundred oak and beech saplings along the river path \
    on Saturday morning, restoring a stretch of woodland cleared for a pipeline two decades ago. \
    The parish council supplied the tools, and the local bakery handed out bread rolls to \
    everyone who came to help.";

/// The same words in the same order in other case, punctuation and spacing.
fn shouted(text: &str) -> String {
    text.to_uppercase().replace(", ", " ; ").replace(". ", "!\n\n   ")
}

fn daily_text() -> String {
    assert!(WIRE.contains(WIRE_SECOND));
    WIRE.replace(WIRE_SECOND, DAILY_SECOND)
}

fn ferry_updated() -> String {
    let first = FERRY.split_inclusive(". ").next().unwrap().trim_end();
    format!("{first}{FERRY_UPDATED_TAIL}")
}

/// The rates story in four versions, first in file order a rewrite published after the wire
/// (so `--keep first` and the origin disagree).
const RATES: [&str; 4] = ["daily-1", "wire-1", "echo-1", "long-1"];
/// One page under two addresses (the same after canonicalisation).
const FERRY_PAGE: [&str; 2] = ["x-1", "x-2"];

/// The fixture's articles in file order.
fn articles() -> Vec<Value> {
    vec![
        json!({"id": "daily-1", "outlet": "Daily", "date": "2024-06-06T12:30:00Z", "title": "Rates held", "text": daily_text()}),
        json!({"id": "wire-1", "outlet": "Wire", "date": "2024-06-06T10:00:00Z", "title": "Central bank holds rates",
               "url": "https://wire.example/rates", "text": WIRE}),
        json!({"id": "echo-1", "outlet": "Echo", "date": "2024-06-07T08:00:00Z", "text": shouted(WIRE)}),
        json!({"id": "long-1", "outlet": "Long", "date": "2024-06-08T08:00:00Z", "text": format!("{WIRE}{LONG_TAIL}")}),
        json!({"id": "x-1", "outlet": "X", "date": "2024-06-07T09:00:00Z", "url": "https://www.x.com/a/?utm_source=t", "text": FERRY}),
        json!({"id": "x-2", "outlet": "X", "date": "2024-06-07T08:00:00Z", "url": "http://x.com/a/amp", "text": ferry_updated()}),
        json!({"id": "other", "outlet": "Other", "date": "2024-06-07T08:00:00Z", "text": OTHER}),
    ]
}

fn article(id: &str) -> Value {
    articles().into_iter().find(|a| a["id"] == id).unwrap()
}

/// A malformed line (line 5 of the broken fixture).
const MALFORMED: &str = r#"{"id": "broken", "text": "the line ends before the string does"#;
/// A record without text (the last line of the broken fixture).
const NO_TEXT: &str = r#"{"id": "notext", "outlet": "Daily", "title": "A headline and nothing else"}"#;

/// Writes the fixture as `name`. With `broken`, a malformed line follows the fourth article,
/// then a blank line (not a record), and a record without text comes last: 9 records on 10
/// lines, two of them skipped.
fn write_fixture(dir: &Path, name: &str, broken: bool) -> PathBuf {
    let mut s = String::new();
    for (i, a) in articles().iter().enumerate() {
        if broken && i == 4 {
            s.push_str(MALFORMED);
            s.push_str("\n\n");
        }
        s.push_str(&serde_json::to_string(a).unwrap());
        s.push('\n');
    }
    if broken {
        s.push_str(NO_TEXT);
        s.push('\n');
    }
    let path = dir.join(name);
    std::fs::write(&path, s).unwrap();
    path
}

// ---------------------------------------------------------------------------------------
// Running and reading

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn expect(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

fn finish(output: std::process::Output) -> Run {
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `reprint dedup ARGS`.
fn dedup<S: AsRef<OsStr>>(args: &[S]) -> Run {
    finish(reprint().arg("dedup").args(args).output().unwrap())
}

/// `reprint dedup ARGS` run in `cwd` (for relative paths).
fn dedup_in<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> Run {
    finish(reprint().current_dir(cwd).arg("dedup").args(args).output().unwrap())
}

/// `reprint dedup ARGS` with `stdin` on standard input.
fn dedup_stdin<S: AsRef<OsStr>>(args: &[S], stdin: Vec<u8>) -> Run {
    finish(reprint().arg("dedup").args(args).write_stdin(stdin).output().unwrap())
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The lines of a file without their line breaks.
fn raw_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines().map(str::to_string).collect()
}

/// The records of a JSONL file: (1-based line number, raw line), blank lines left out.
fn input_records(path: &Path) -> Vec<(u64, String)> {
    raw_lines(path)
        .into_iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i as u64 + 1, l))
        .collect()
}

/// A record's id as reprint names it: its `id` field, else FILE:LINE.
fn record_id(file: &Path, line: u64, raw: &str) -> String {
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Object(o)) if o.get("id").is_some_and(Value::is_string) => o["id"].as_str().unwrap().to_string(),
        _ => format!("{}:{line}", p(file)),
    }
}

fn ids(values: &[Value]) -> Vec<String> {
    values.iter().map(|v| v["id"].as_str().unwrap().to_string()).collect()
}

fn by_id(values: Vec<Value>) -> BTreeMap<String, Value> {
    let n = values.len();
    let map: BTreeMap<String, Value> = values.into_iter().map(|v| (v["id"].as_str().unwrap().to_string(), v)).collect();
    assert_eq!(map.len(), n, "ids are unique");
    map
}

/// The account printed at the end of a run.
#[derive(Debug, PartialEq)]
struct Account {
    records: usize,
    kept: usize,
    removed: usize,
    skipped: usize,
}

/// Parses "reprint dedup: input records N = kept K + removed R + skipped S (checked)" (with
/// `mark`, "marked as duplicates" for "removed") and checks that it adds up.
fn account(run: &Run, mark: bool) -> Account {
    let prefix = "reprint dedup: input records ";
    let line =
        run.stdout.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no account in:\n{}", run.stdout));
    let removed = if mark { "marked as duplicates" } else { "removed" };
    let rest = line[prefix.len()..].strip_suffix(" (checked)").expect("the account says it was checked");
    let (n, rest) = rest.split_once(" = kept ").expect(line);
    let (k, rest) = rest.split_once(&format!(" + {removed} ")).expect(line);
    let (r, s) = rest.split_once(" + skipped ").expect(line);
    let num = |s: &str| s.parse::<usize>().unwrap_or_else(|e| panic!("{s:?} in {line:?}: {e}"));
    let a = Account { records: num(n), kept: num(k), removed: num(r), skipped: num(s) };
    assert_eq!(a.records, a.kept + a.removed + a.skipped, "{line}");
    a
}

const REMOVED_KEYS: [&str; 9] =
    ["id", "input", "cluster", "group", "kept_id", "jaccard", "containment", "reason", "skipped"];
const MARK_KEYS: [&str; 11] =
    ["kept", "cluster", "story", "group", "role", "reuse", "kept_id", "reason", "jaccard", "containment", "skipped"];

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// What a plain run of one JSONL input did.
struct Outcome {
    /// Ids written to OUT, in order.
    kept: Vec<String>,
    /// REMOVED lines by id (removed and skipped records).
    removed: BTreeMap<String, Value>,
}

impl Outcome {
    /// Ids removed as duplicates (not skipped).
    fn duplicates(&self) -> BTreeSet<String> {
        self.removed.iter().filter(|(_, r)| r["reason"] != "skipped").map(|(id, _)| id.clone()).collect()
    }

    fn with_reason(&self, reason: &str) -> BTreeSet<String> {
        self.removed.iter().filter(|(_, r)| r["reason"] == reason).map(|(id, _)| id.clone()).collect()
    }

    fn kept_set(&self) -> BTreeSet<String> {
        self.kept.iter().cloned().collect()
    }
}

/// Checks everything a plain run of `input` (one JSONL file) promises whatever the policy:
/// the account matches the files; OUT is input lines, byte for byte and in input order; every
/// input record is kept, removed or skipped exactly once, and REMOVED names it by id and line;
/// every removed record's kept article is in OUT.
fn check_plain(input: &Path, out: &Path, removed: &Path, run: &Run) -> Outcome {
    let records = input_records(input);
    let out_lines = raw_lines(out);
    let removed_lines = read_jsonl(removed);
    let a = account(run, false);
    let skipped = removed_lines.iter().filter(|r| r["reason"] == "skipped").count();
    assert_eq!(
        a,
        Account { records: records.len(), kept: out_lines.len(), removed: removed_lines.len() - skipped, skipped },
        "the account against the files"
    );

    // OUT: input lines in input order, byte for byte.
    let mut fate: BTreeMap<u64, &str> = BTreeMap::new();
    let mut rest = records.iter();
    let mut kept = Vec::new();
    for line in &out_lines {
        let (no, raw) = rest
            .by_ref()
            .find(|(_, raw)| raw == line)
            .unwrap_or_else(|| panic!("OUT line is not an input line (in input order): {line}"));
        fate.insert(*no, "kept");
        kept.push(record_id(input, *no, raw));
    }

    // REMOVED: each line names a record by id and location, once.
    for r in &removed_lines {
        let mut expected_keys: Vec<&str> = REMOVED_KEYS.to_vec();
        expected_keys.sort_unstable();
        assert_eq!(keys(r).into_iter().collect::<Vec<_>>(), expected_keys, "{r}");
        let at = r["input"].as_str().unwrap();
        let (file, no) = at.rsplit_once(':').unwrap();
        assert_eq!(file, p(input), "{r}");
        let no: u64 = no.parse().unwrap();
        let (_, raw) = records.iter().find(|(n, _)| *n == no).unwrap_or_else(|| panic!("no record on line {no}: {r}"));
        assert_eq!(r["id"], record_id(input, no, raw).as_str(), "{r}");
        let previous = fate.insert(no, "removed");
        assert!(previous.is_none(), "line {no} is {} and also in REMOVED: {r}", previous.unwrap());
        if r["reason"] == "skipped" {
            assert!(r["skipped"].is_string() && r["kept_id"].is_null() && r["group"].is_null(), "{r}");
        } else {
            assert!(["exact_text", "same_url", "near_duplicate"].contains(&r["reason"].as_str().unwrap()), "{r}");
            assert!(r["skipped"].is_null() && r["group"].is_u64(), "{r}");
            assert!(
                kept.iter().any(|k| r["kept_id"] == k.as_str()),
                "the kept article of a removed record is in OUT: {r}"
            );
            let (j, c) = (r["jaccard"].as_f64().unwrap(), r["containment"].as_f64().unwrap());
            assert!((0.0..=1.0).contains(&j) && (0.0..=1.0).contains(&c) && j <= c + 1e-9, "{r}");
        }
    }
    let all: Vec<u64> = records.iter().map(|(n, _)| *n).collect();
    assert_eq!(fate.keys().copied().collect::<Vec<_>>(), all, "every record kept, removed or skipped exactly once");
    let removed = by_id(removed_lines);
    assert!(kept.iter().all(|k| !removed.contains_key(k)), "an id both kept and removed");
    Outcome { kept, removed }
}

/// `reprint dedup INPUT -o DIR/NAME.jsonl --removed DIR/NAME.removed.jsonl EXTRA...`, checked.
fn plain_run(input: &Path, dir: &Path, name: &str, extra: &[&str], code: i32) -> (Outcome, Run) {
    let out = dir.join(format!("{name}.jsonl"));
    let removed = dir.join(format!("{name}.removed.jsonl"));
    let mut args = vec![p(input), "-o", p(&out), "--removed", p(&removed)];
    args.extend_from_slice(extra);
    let run = dedup(&args);
    run.expect(code);
    (check_plain(input, &out, &removed, &run), run)
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn words(text: &str) -> usize {
    reprint::text::normalize::normalized_words(text).len()
}

/// A record's date as reprint reads it; undated records (no date, or one that is not a real
/// day, such as the generator's `2024-02-31`) sort last, as `--keep earliest` orders them.
fn timestamp(v: &Value) -> i64 {
    v["date"].as_str().and_then(reprint::input::parse_date).unwrap_or(i64::MAX)
}

/// The files of a directory, by name.
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

// ---------------------------------------------------------------------------------------
// The fixture: what is removed, why, and in favour of what

#[test]
fn exact_same_url_and_near_duplicates_are_removed_in_favour_of_the_origin() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "fixture.jsonl", true);
    // Two records are not articles: exit 3, and both are accounted for.
    let (o, run) = plain_run(&input, dir.path(), "out", &[], 3);
    assert_eq!(account(&run, false), Account { records: 9, kept: 3, removed: 4, skipped: 2 });
    assert!(run.stderr.contains("malformed_json") && run.stderr.contains("missing_text"), "{}", run.stderr);

    // The wire story is the earliest of its group, x-2 the earliest of the page's addresses.
    assert_eq!(o.kept, ["wire-1", "x-2", "other"]);
    let expect = [
        ("daily-1", "near_duplicate", "wire-1"),
        ("echo-1", "exact_text", "wire-1"),
        ("long-1", "near_duplicate", "wire-1"),
        ("x-1", "same_url", "x-2"),
    ];
    for (id, reason, kept) in expect {
        let r = &o.removed[id];
        assert_eq!((r["reason"].as_str(), r["kept_id"].as_str()), (Some(reason), Some(kept)), "{r}");
    }
    // Groups are numbered by their first member in input order.
    for id in ["daily-1", "echo-1", "long-1"] {
        assert_eq!(o.removed[id]["group"], 0);
        assert!(o.removed[id]["cluster"].is_u64(), "the rates copies are a copy cluster: {}", o.removed[id]);
    }
    assert_eq!(o.removed["x-1"]["group"], 1);
    // Same words, same order: identical shingle sets.
    assert_eq!(
        (o.removed["echo-1"]["jaccard"].as_f64(), o.removed["echo-1"]["containment"].as_f64()),
        (Some(1.0), Some(1.0))
    );
    // A near-duplicate is removed only when at least half of it is in the kept article.
    for id in ["daily-1", "long-1"] {
        assert!(o.removed[id]["containment"].as_f64().unwrap() >= 0.5, "{}", o.removed[id]);
        assert!(o.removed[id]["jaccard"].as_f64().unwrap() < 1.0, "{}", o.removed[id]);
    }
    // The two versions of the page are not copies of each other; the address alone joins them,
    // and a same-URL duplicate is removed whatever its containment.
    assert!(o.removed["x-1"]["cluster"].is_null(), "{}", o.removed["x-1"]);
    assert!(o.removed["x-1"]["containment"].as_f64().unwrap() < 0.5, "{}", o.removed["x-1"]);

    // Skipped records: listed with their skip reason, named by id or FILE:LINE.
    let malformed = format!("{}:5", p(&input));
    assert_eq!(o.with_reason("skipped"), set(&[malformed.as_str(), "notext"]));
    assert!(o.removed[&malformed]["skipped"].as_str().unwrap().starts_with("malformed_json: "));
    assert!(o.removed["notext"]["skipped"].as_str().unwrap().starts_with("missing_text: "));
    assert_eq!(o.removed["notext"]["input"], format!("{}:10", p(&input)));
}

#[test]
fn a_clean_input_exits_zero() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "clean.jsonl", false);
    let (o, run) = plain_run(&input, dir.path(), "out", &[], 0);
    assert_eq!(account(&run, false), Account { records: 7, kept: 3, removed: 4, skipped: 0 });
    assert!(o.with_reason("skipped").is_empty());
    assert!(run.stdout.contains("1 exact text, 1 same URL, 2 near-duplicate, in 2 groups"), "{}", run.stdout);
}

#[test]
fn keep_rules_choose_the_member_kept() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "clean.jsonl", false);
    let all = articles();
    let id = |a: &Value| a["id"].as_str().unwrap().to_string();
    // Per rule, the member each group should keep, from the articles' dates, lengths and order.
    let expected = |rule: &str, group: &[&str]| -> String {
        let m: Vec<&Value> = all.iter().filter(|a| group.contains(&a["id"].as_str().unwrap())).collect();
        let earliest = || id(m.iter().min_by_key(|a| timestamp(a)).unwrap());
        match rule {
            // The dates are distinct, so the origin is the earliest.
            "origin" | "earliest" => earliest(),
            "longest" => id(m.iter().max_by_key(|a| words(a["text"].as_str().unwrap())).unwrap()),
            "first" => id(m[0]),
            _ => unreachable!(),
        }
    };
    // The fixture is built so that the rules disagree on the rates story.
    let choices: BTreeSet<String> = ["earliest", "longest", "first"].iter().map(|r| expected(r, &RATES)).collect();
    assert_eq!(choices.len(), 3, "{choices:?}");
    for rule in ["origin", "earliest", "longest", "first"] {
        let (o, _) = plain_run(&input, dir.path(), rule, &["--keep", rule], 0);
        for group in [&RATES[..], &FERRY_PAGE[..]] {
            let kept = expected(rule, group);
            assert!(o.kept.contains(&kept), "--keep {rule}: {kept} kept, got {:?}", o.kept);
            for other in group.iter().filter(|g| **g != kept.as_str()) {
                let r = o.removed.get(*other).unwrap_or_else(|| panic!("--keep {rule}: {other} removed"));
                assert_eq!(r["kept_id"], kept.as_str(), "--keep {rule}: {r}");
            }
        }
        assert!(o.kept.contains(&"other".to_string()));
    }
}

#[test]
fn preferred_outlets_are_kept_in_priority_order() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "clean.jsonl", false);
    let prefer = |list: &[&str], name: &str| {
        let mut args = Vec::new();
        for o in list {
            args.extend(["--prefer-outlet", *o]);
        }
        plain_run(&input, dir.path(), name, &args, 0).0
    };
    // Echo ranks above Long; Nobody is not in the group.
    let o = prefer(&["Nobody", "Echo", "Long"], "echo");
    assert!(o.kept.contains(&"echo-1".to_string()), "{:?}", o.kept);
    // The reasons are relative to the article kept: the wire story is Echo's text exactly.
    assert_eq!(o.removed["wire-1"]["reason"], "exact_text");
    for id in ["wire-1", "daily-1", "long-1"] {
        assert_eq!(o.removed[id]["kept_id"], "echo-1");
    }
    // No preferred outlet in the page's group: the rule decides there.
    assert_eq!(o.removed["x-1"]["kept_id"], "x-2");

    let o = prefer(&["Long", "Echo"], "long");
    assert!(o.kept.contains(&"long-1".to_string()), "{:?}", o.kept);
    for id in ["wire-1", "daily-1", "echo-1"] {
        assert_eq!(o.removed[id]["kept_id"], "long-1");
    }
    // The preference beats the rule.
    let o = plain_run(&input, dir.path(), "daily-first", &["--keep", "longest", "--prefer-outlet", "Daily"], 0).0;
    assert!(o.kept.contains(&"daily-1".to_string()), "{:?}", o.kept);
}

#[test]
fn outlet_scope_limits_which_duplicates_are_removed() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "clean.jsonl", false);
    let outlet = |id: &str| article(id)["outlet"].clone();
    let (all, _) = plain_run(&input, dir.path(), "any", &[], 0);
    let (same, _) = plain_run(&input, dir.path(), "same", &["--same-outlet-only"], 0);
    let (cross, _) = plain_run(&input, dir.path(), "cross", &["--cross-outlet-only"], 0);
    // The page's two addresses are one outlet's; the rates copies are all other outlets'.
    assert_eq!(same.duplicates(), set(&["x-1"]));
    assert_eq!(cross.duplicates(), set(&["daily-1", "echo-1", "long-1"]));
    for (id, r) in &same.removed {
        assert_eq!(outlet(id), outlet(r["kept_id"].as_str().unwrap()), "{r}");
    }
    for (id, r) in &cross.removed {
        assert_ne!(outlet(id), outlet(r["kept_id"].as_str().unwrap()), "{r}");
    }
    // The scope decides what is removed, not what is kept.
    assert_eq!(&same.duplicates() | &cross.duplicates(), all.duplicates());

    let out = dir.path().join("both.jsonl");
    let run = dedup(&[p(&input), "-o", p(&out), "--same-outlet-only", "--cross-outlet-only"]);
    run.expect(2);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    assert!(!out.exists());
}

#[test]
fn min_containment_spares_near_duplicates_but_not_exact_or_same_url_ones() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "clean.jsonl", false);
    let (default, _) = plain_run(&input, dir.path(), "default", &[], 0);
    let (strict, run) = plain_run(&input, dir.path(), "strict", &["--min-containment", "0.99"], 0);
    assert_eq!(strict.duplicates(), set(&["echo-1", "x-1"]));
    assert_eq!(strict.with_reason("exact_text"), default.with_reason("exact_text"));
    assert_eq!(strict.with_reason("same_url"), default.with_reason("same_url"));
    for id in ["daily-1", "long-1"] {
        assert!(default.removed[id]["containment"].as_f64().unwrap() < 0.99);
        assert!(strict.kept.contains(&id.to_string()), "{id} kept at 0.99");
    }
    assert!(run.stdout.contains("2 group members kept"), "{}", run.stdout);

    let out = dir.path().join("bad.jsonl");
    let run = dedup(&[p(&input), "-o", p(&out), "--min-containment", "1.5"]);
    assert!(run.code != Some(0) && run.code != Some(3), "exit {:?}", run.code);
    assert!(run.stderr.contains("--min-containment"), "{}", run.stderr);
    assert!(!out.exists());
}

#[test]
fn mark_writes_every_record_with_its_decision_and_removes_nothing() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "fixture.jsonl", true);
    let (plain, plain_account) = plain_run(&input, dir.path(), "plain", &[], 3);
    let out = dir.path().join("marked.jsonl");
    let removed = dir.path().join("marked.removed.jsonl");
    let run = dedup(&[p(&input), "-o", p(&out), "--removed", p(&removed), "--mark"]);
    run.expect(3);
    let a = account(&run, true);
    assert_eq!(a, account(&plain_account, false));
    // The same decisions are listed.
    assert_eq!(std::fs::read(&removed).unwrap(), std::fs::read(dir.path().join("plain.removed.jsonl")).unwrap());

    // One line per record that is a JSON object (the malformed line cannot carry the fields),
    // in input order, each the input record with a `reprint` object added.
    let inputs: Vec<(String, Value)> = input_records(&input)
        .into_iter()
        .filter_map(|(no, raw)| serde_json::from_str::<Value>(&raw).ok().map(|v| (record_id(&input, no, &raw), v)))
        .collect();
    let marked = read_jsonl(&out);
    assert_eq!(marked.len(), a.records - 1);
    assert_eq!(ids(&marked), inputs.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>());
    for (m, (id, original)) in marked.iter().zip(&inputs) {
        let mut m = m.clone();
        let mark = m.as_object_mut().unwrap().remove("reprint").expect("reprint object");
        assert_eq!(&m, original, "{id}: the original fields are kept");
        assert_eq!(keys(&mark), MARK_KEYS.into_iter().collect(), "{id}: {mark}");
        // Kept exactly where a plain run keeps it.
        assert_eq!(mark["kept"], json!(plain.kept.contains(id)), "{id}: {mark}");
        assert_eq!(mark["kept"], json!(!plain.removed.contains_key(id)), "{id}: {mark}");
        match plain.removed.get(id) {
            Some(r) if r["reason"] == "skipped" => {
                assert_eq!(mark["skipped"], r["skipped"], "{id}");
                assert!(mark["reason"].is_null() && mark["group"].is_null(), "{id}: {mark}");
            }
            Some(r) => {
                for k in ["kept_id", "reason", "jaccard", "containment", "group", "cluster"] {
                    assert_eq!(mark[k], r[k], "{id}: {k}");
                }
            }
            None => assert!(
                mark["kept_id"].is_null() && mark["reason"].is_null() && mark["skipped"].is_null(),
                "{id}: {mark}"
            ),
        }
    }
    // The kept articles of groups know their group; the unrelated one has none.
    let mark_of = |id: &str| marked.iter().find(|m| m["id"] == id).unwrap()["reprint"].clone();
    assert_eq!(mark_of("wire-1")["group"], plain.removed["daily-1"]["group"]);
    assert_eq!(mark_of("x-2")["group"], plain.removed["x-1"]["group"]);
    assert!(mark_of("other")["group"].is_null());
}

// ---------------------------------------------------------------------------------------
// Text articles, stdin, compression

#[test]
fn text_articles_are_written_as_records_with_their_manifest_fields() {
    let dir = tempdir();
    let texts = dir.path().join("texts");
    std::fs::create_dir(&texts).unwrap();
    std::fs::write(texts.join("a.txt"), WIRE).unwrap();
    std::fs::write(texts.join("b.txt"), shouted(WIRE)).unwrap();
    std::fs::write(texts.join("c.txt"), FERRY).unwrap();
    let manifest = [
        json!({"file": "a.txt", "outlet": "Wire", "date": "2024-06-06T10:00:00Z", "title": "Rates held", "url": "https://wire.example/rates"}),
        json!({"file": "b.txt", "outlet": "Echo", "date": "2024-06-07T10:00:00Z", "title": "RATES HELD"}),
        json!({"file": "c.txt", "outlet": "X", "title": "Ferry timetable"}),
    ];
    write_jsonl(&texts.join("manifest.jsonl"), &manifest);

    let out = dir.path().join("out.jsonl");
    let removed = dir.path().join("removed.jsonl");
    let run = dedup(&[p(&texts), "-o", p(&out), "--removed", p(&removed)]);
    run.expect(0);
    assert_eq!(account(&run, false), Account { records: 3, kept: 2, removed: 1, skipped: 0 });
    let kept = read_jsonl(&out);
    assert_eq!(ids(&kept), ["a.txt", "c.txt"]);
    for (record, entry) in kept.iter().zip([&manifest[0], &manifest[2]]) {
        let file = entry["file"].as_str().unwrap();
        let mut expected = entry.as_object().unwrap().clone();
        expected.remove("file");
        expected.insert("id".into(), json!(file));
        expected.insert("path".into(), json!(file));
        expected.insert("text".into(), json!(std::fs::read_to_string(texts.join(file)).unwrap()));
        assert_eq!(record, &Value::Object(expected), "{file}");
    }
    let r = read_jsonl(&removed);
    assert_eq!(r.len(), 1);
    assert_eq!(
        (&r[0]["id"], &r[0]["kept_id"], &r[0]["reason"]),
        (&json!("b.txt"), &json!("a.txt"), &json!("exact_text"))
    );

    // With --mark the text articles carry the decision too.
    let marked = dir.path().join("marked.jsonl");
    dedup(&[p(&texts), "-o", p(&marked), "--mark"]).expect(0);
    let marked = read_jsonl(&marked);
    assert_eq!(ids(&marked), ["a.txt", "b.txt", "c.txt"]);
    let flags: Vec<&Value> = marked.iter().map(|m| &m["reprint"]["kept"]).collect();
    assert_eq!(flags, [&json!(true), &json!(false), &json!(true)]);
    assert_eq!(marked[1]["text"], json!(shouted(WIRE)));
}

#[test]
fn stdin_gives_the_same_output_as_the_file_and_leaves_no_spool() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "fixture.jsonl", true);
    let (file_outcome, file_run) = plain_run(&input, dir.path(), "from-file", &[], 3);
    let piped = dir.path().join("piped");
    std::fs::create_dir(&piped).unwrap();
    let out = piped.join("out.jsonl");
    let removed = piped.join("removed.jsonl");
    let run = dedup_stdin(&["-", "-o", p(&out), "--removed", p(&removed)], std::fs::read(&input).unwrap());
    run.expect(3);
    assert_eq!(account(&run, false), account(&file_run, false));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(dir.path().join("from-file.jsonl")).unwrap());
    // The same decisions (records with an id are named alike whatever the input).
    let piped_removed = by_id(read_jsonl(&removed));
    for id in file_outcome.duplicates() {
        let (a, b) = (&piped_removed[&id], &file_outcome.removed[&id]);
        for k in ["reason", "kept_id", "jaccard", "containment", "group"] {
            assert_eq!(a[k], b[k], "{id} {k}");
        }
    }
    assert_eq!(piped_removed.len(), file_outcome.removed.len());
    // The spooled copy of stdin is gone.
    assert_eq!(listing(&piped), set(&["out.jsonl", "removed.jsonl"]));
}

#[test]
fn stdin_records_are_named_after_stdin_not_the_spool_file() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "fixture.jsonl", true);
    let removed = dir.path().join("removed.jsonl");
    let run = dedup_stdin(
        &["-", "-o", p(&dir.path().join("out.jsonl")), "--removed", p(&removed)],
        std::fs::read(&input).unwrap(),
    );
    run.expect(3);
    let lines = read_jsonl(&removed);
    let malformed =
        lines.iter().find(|r| r["skipped"].as_str().is_some_and(|s| s.starts_with("malformed_json"))).unwrap();
    assert_eq!((&malformed["id"], &malformed["input"]), (&json!("-:5"), &json!("-:5")), "{malformed}");
    assert!(lines.iter().all(|r| r["input"].as_str().unwrap().starts_with("-:")), "{lines:?}");
    assert!(!run.stderr.contains(".reprint-stdin-"), "{}", run.stderr);
}

#[test]
fn gzip_and_zstd_outputs_decompress_to_the_plain_output() {
    let dir = tempdir();
    let input = repo_root().join("corpus/reuters-sample.jsonl");
    let (o, _) = plain_run(&input, dir.path(), "plain", &[], 0);
    assert!(!o.duplicates().is_empty(), "the sample has known duplicates");
    let plain = std::fs::read(dir.path().join("plain.jsonl")).unwrap();
    for name in ["out.jsonl.gz", "out.jsonl.zst"] {
        let path = dir.path().join(name);
        dedup(&[p(&input), "-o", p(&path), "-q"]).expect(0);
        let bytes = std::fs::read(&path).unwrap();
        let mut decoded = Vec::new();
        if name.ends_with(".gz") {
            assert!(bytes.starts_with(&[0x1f, 0x8b]), "{name} is gzip");
            flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut decoded).unwrap();
        } else {
            assert!(bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]), "{name} is zstd");
            decoded = zstd::decode_all(&bytes[..]).unwrap();
        }
        assert!(bytes.len() < plain.len(), "{name} is compressed");
        assert!(decoded == plain, "{name} decompresses to the plain output");
    }
}

// ---------------------------------------------------------------------------------------
// Volume: the embedded corpus and generated dumps

#[test]
fn the_corpus_directory_dedups_losslessly_and_idempotently() {
    let dir = tempdir();
    let corpus = repo_root().join("corpus");
    let sample = corpus.join("reuters-sample.jsonl");
    let seeds = corpus.join("seeds");
    let seed_files: BTreeSet<String> = listing(&seeds).into_iter().filter(|f| f.ends_with(".txt")).collect();
    let jsonl = input_records(&sample);
    let out = dir.path().join("out.jsonl");
    let removed = dir.path().join("removed.jsonl");
    let run = dedup(&[p(&corpus), "-o", p(&out), "--removed", p(&removed)]);
    run.expect(0);
    let a = account(&run, false);
    let out_lines = raw_lines(&out);
    let removed_lines = read_jsonl(&removed);
    assert_eq!(
        a,
        Account {
            records: jsonl.len() + seed_files.len(),
            kept: out_lines.len(),
            removed: removed_lines.len(),
            skipped: 0
        }
    );
    assert!(a.removed > 0, "the sample has known duplicates");

    // Every input record once: JSONL lines byte for byte, text articles as records.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut kept: BTreeSet<String> = BTreeSet::new();
    let manifest = by_id(
        read_jsonl(&seeds.join("manifest.jsonl"))
            .into_iter()
            .map(|mut m| {
                let file = m["file"].clone();
                m.as_object_mut().unwrap().insert("id".into(), file);
                m
            })
            .collect(),
    );
    for line in &out_lines {
        let v: Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_str().unwrap().to_string();
        if let Some(file) = id.strip_prefix("seeds/") {
            assert!(seed_files.contains(file), "{id}");
            assert_eq!(v["path"], json!(id));
            assert_eq!(v["text"], json!(std::fs::read_to_string(seeds.join(file)).unwrap()), "{id}");
            let m = &manifest[file];
            for k in ["outlet", "title", "date", "url"] {
                // Null manifest fields are left out.
                assert_eq!(v.get(k).unwrap_or(&Value::Null), &m[k], "{id} {k}");
            }
        } else {
            assert!(jsonl.iter().any(|(_, raw)| raw == line), "OUT line is an input line byte for byte: {id}");
        }
        assert!(seen.insert(id.clone()), "{id} twice");
        kept.insert(id);
    }
    for r in &removed_lines {
        assert!(seen.insert(r["id"].as_str().unwrap().to_string()), "{r}");
        assert!(kept.contains(r["kept_id"].as_str().unwrap()), "{r}");
    }
    let mut all: BTreeSet<String> = jsonl.iter().map(|(no, raw)| record_id(&sample, *no, raw)).collect();
    all.extend(seed_files.iter().map(|f| format!("seeds/{f}")));
    assert_eq!(seen, all);

    // Deduping the output again removes nothing and writes the same bytes.
    let (again, run) = plain_run(&out, dir.path(), "again", &[], 0);
    assert_eq!(account(&run, false).removed, 0);
    assert!(again.removed.is_empty());
    assert!(std::fs::read(dir.path().join("again.jsonl")).unwrap() == std::fs::read(&out).unwrap());
}

#[test]
fn a_generated_syndication_dump_dedups_losslessly_and_idempotently() {
    let dir = tempdir();
    let dump = dir.path().join("dump.jsonl");
    reprint().args(["gen", "--syndication", "--docs", "1500", "--seed", "4", "-q", "-o"]).arg(&dump).assert().success();
    let (o, run) = plain_run(&dump, dir.path(), "out", &[], 0);
    assert_eq!(account(&run, false).records, 1500);
    assert!(o.duplicates().len() > 100, "the dump has planted copies: {}", o.duplicates().len());

    let out = dir.path().join("out.jsonl");
    let (again, run) = plain_run(&out, dir.path(), "again", &[], 0);
    assert_eq!(account(&run, false).removed, 0, "{}", run.stdout);
    assert!(again.removed.is_empty());
    assert!(std::fs::read(dir.path().join("again.jsonl")).unwrap() == std::fs::read(&out).unwrap());
}

/// A generated syndication dump of 400 articles with exact copies added: every 30th article
/// again in capitals (same words), alternately at its own outlet and at another.
fn policy_dump(dir: &Path) -> PathBuf {
    let generated = dir.join("generated.jsonl");
    reprint()
        .args(["gen", "--syndication", "--docs", "400", "--seed", "4", "-q", "-o"])
        .arg(&generated)
        .assert()
        .success();
    let mut lines = raw_lines(&generated);
    let copies: Vec<String> = read_jsonl(&generated)
        .iter()
        .step_by(30)
        .enumerate()
        .map(|(k, v)| {
            let mut c = v.clone();
            c["id"] = json!(format!("{}-caps", v["id"].as_str().unwrap()));
            c["text"] = json!(v["text"].as_str().unwrap().to_uppercase());
            if k % 2 == 1 {
                c["outlet"] = json!("outlet-caps");
            }
            serde_json::to_string(&c).unwrap()
        })
        .collect();
    lines.extend(copies);
    let path = dir.join("dump.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn keep_rules_hold_on_a_generated_dump() {
    let dir = tempdir();
    let dump = policy_dump(dir.path());
    let input = by_id(read_jsonl(&dump));

    let (earliest, _) = plain_run(&dump, dir.path(), "earliest", &["--keep", "earliest"], 0);
    assert!(!earliest.duplicates().is_empty());
    for id in earliest.duplicates() {
        let kept = earliest.removed[&id]["kept_id"].as_str().unwrap();
        assert!(timestamp(&input[kept]) <= timestamp(&input[&id]), "{kept} kept for the later {id}");
    }

    // Without furniture, a document's words are its text's words.
    let (longest, _) = plain_run(&dump, dir.path(), "longest", &["--keep", "longest", "--no-furniture"], 0);
    assert!(!longest.duplicates().is_empty());
    let text_words = |id: &str| words(input[id]["text"].as_str().unwrap());
    for id in longest.duplicates() {
        let kept = longest.removed[&id]["kept_id"].as_str().unwrap();
        assert!(
            text_words(kept) >= text_words(&id),
            "{kept} ({} words) kept for the longer {id} ({})",
            text_words(kept),
            text_words(&id)
        );
    }
}

#[test]
fn scope_containment_and_mark_hold_on_a_generated_dump() {
    let dir = tempdir();
    let dump = policy_dump(dir.path());
    let input = by_id(read_jsonl(&dump));
    let outlet = |id: &str| input[id]["outlet"].clone();

    let (all, _) = plain_run(&dump, dir.path(), "default", &[], 0);
    assert!(!all.with_reason("exact_text").is_empty(), "the capitalised copies are exact duplicates");

    // Outlet scope: only the pairs it names, and between them every default removal.
    let (same, _) = plain_run(&dump, dir.path(), "same", &["--same-outlet-only"], 0);
    let (cross, _) = plain_run(&dump, dir.path(), "cross", &["--cross-outlet-only"], 0);
    assert!(!same.duplicates().is_empty() && !cross.duplicates().is_empty());
    for id in same.duplicates() {
        assert_eq!(outlet(&id), outlet(same.removed[&id]["kept_id"].as_str().unwrap()), "{id}");
    }
    for id in cross.duplicates() {
        assert_ne!(outlet(&id), outlet(cross.removed[&id]["kept_id"].as_str().unwrap()), "{id}");
    }
    // Each removal is in favour of a record its run keeps. (A record may be removed under
    // both scopes, in favour of a kept article of its own outlet under one and of another
    // outlet's under the other: members are measured against every member kept before them,
    // not only the group's first.)
    for run in [&all, &same, &cross] {
        for id in run.duplicates() {
            let kept = run.removed[&id]["kept_id"].as_str().unwrap();
            assert!(run.kept_set().contains(kept), "{id} removed in favour of {kept}, which is not kept");
        }
    }

    // A higher --min-containment removes fewer near-duplicates, and all the exact ones.
    let (strict, _) = plain_run(&dump, dir.path(), "strict", &["--min-containment", "0.99"], 0);
    assert!(strict.with_reason("near_duplicate").len() < all.with_reason("near_duplicate").len());
    // (Which kept article an exact copy is removed for, and so its reason, depends on what
    // stayed before it: members are measured against every member kept so far.)
    assert!(!strict.with_reason("exact_text").is_empty());
    assert!(strict.duplicates().is_subset(&all.duplicates()));
    for r in strict.removed.values().filter(|r| r["reason"] == "near_duplicate") {
        assert!(r["containment"].as_f64().unwrap() >= 0.99, "{r}");
    }

    // --mark: every record, kept == false exactly where the plain run removed it.
    let marked = dir.path().join("marked.jsonl");
    let run = dedup(&[p(&dump), "-o", p(&marked), "--mark", "-q"]);
    run.expect(0);
    let marked = read_jsonl(&marked);
    assert_eq!(account(&run, true).records, marked.len());
    assert_eq!(marked.len(), input.len());
    for m in &marked {
        let id = m["id"].as_str().unwrap();
        assert_eq!(m["reprint"]["kept"], json!(!all.removed.contains_key(id)), "{id}");
        let mut original = m.clone();
        original.as_object_mut().unwrap().remove("reprint");
        assert_eq!(&original, &input[id], "{id}");
    }
}

// ---------------------------------------------------------------------------------------
// Safety: inputs, existing files, atomic writes

#[test]
fn never_writes_over_an_input_or_into_an_input_directory() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "clean.jsonl", false);
    let before = std::fs::read(&input).unwrap();
    let elsewhere = dir.path().join("elsewhere.jsonl");
    for args in [
        vec![p(&input), "-o", p(&input)],
        vec![p(&input), "-o", p(&input), "--force"],
        // The same file by another spelling.
        vec![p(&input), "-o", "./clean.jsonl", "--force"],
        vec!["clean.jsonl", "-o", p(&input), "--force"],
        vec![p(&input), "-o", p(&elsewhere), "--removed", "clean.jsonl", "--force"],
    ] {
        let run = dedup_in(dir.path(), &args);
        run.expect(2);
        assert!(run.stderr.contains("clean.jsonl"), "{args:?}: {}", run.stderr);
        assert_eq!(std::fs::read(&input).unwrap(), before, "{args:?}");
    }
    assert!(dedup(&[p(&input), "-o", p(&input), "--force"]).stderr.contains("input"));

    // A directory input: nothing may be written inside it, at any depth.
    let tree = dir.path().join("in");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    write_fixture(&tree, "dump.jsonl", false);
    let outside = dir.path().join("ok.jsonl");
    for target in [tree.join("out.jsonl"), tree.join("sub/out.jsonl")] {
        let run = dedup(&[p(&tree), "-o", p(&target)]);
        run.expect(2);
        assert!(run.stderr.contains("inside the input directory"), "{}", run.stderr);
        assert!(!target.exists());
        dedup(&[p(&tree), "-o", p(&outside), "--removed", p(&target)]).expect(2);
        assert!(!target.exists() && !outside.exists());
    }
    assert_eq!(listing(&tree), set(&["dump.jsonl", "sub"]));
    // A sibling whose name starts with the input directory's is not inside it.
    let sibling = dir.path().join("in-deduped");
    std::fs::create_dir(&sibling).unwrap();
    dedup(&[p(&tree), "-o", p(&sibling.join("out.jsonl"))]).expect(0);
}

#[test]
fn existing_files_are_replaced_only_with_force() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "clean.jsonl", false);
    let fresh = dir.path().join("fresh.jsonl");
    dedup(&[p(&input), "-o", p(&fresh)]).expect(0);

    let out = dir.path().join("out.jsonl");
    let removed = dir.path().join("removed.jsonl");
    std::fs::write(&out, "precious\n").unwrap();
    let run = dedup(&[p(&input), "-o", p(&out)]);
    run.expect(2);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious\n");

    // REMOVED is protected the same way, and then nothing is written at all.
    std::fs::write(&removed, "precious too\n").unwrap();
    let other = dir.path().join("other.jsonl");
    dedup(&[p(&input), "-o", p(&other), "--removed", p(&removed)]).expect(2);
    assert!(!other.exists());
    assert_eq!(std::fs::read_to_string(&removed).unwrap(), "precious too\n");

    let run = dedup(&[p(&input), "-o", p(&out), "--removed", p(&removed), "--force"]);
    run.expect(0);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&fresh).unwrap());
    check_plain(&input, &out, &removed, &run);

    // OUT and REMOVED must be two files.
    let run = dedup(&[p(&input), "-o", p(&out), "--removed", p(&out), "--force"]);
    run.expect(2);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&fresh).unwrap());
}

#[test]
fn writes_are_atomic_and_leave_no_temporary_files() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "fixture.jsonl", true);
    let target = dir.path().join("target");
    std::fs::create_dir(&target).unwrap();
    let out = target.join("out.jsonl");
    let removed = target.join("removed.jsonl");
    dedup(&[p(&input), "-o", p(&out), "--removed", p(&removed)]).expect(3);
    assert_eq!(listing(&target), set(&["out.jsonl", "removed.jsonl"]));

    // REMOVED cannot be created (its "directory" is a file): the run fails after OUT's
    // temporary file was opened; nothing appears and nothing is left behind.
    let blocker = target.join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let bad_removed = blocker.join("removed.jsonl");
    let new_out = target.join("new.jsonl");
    let run = dedup(&[p(&input), "-o", p(&new_out), "--removed", p(&bad_removed)]);
    run.expect(1);
    assert_eq!(listing(&target), set(&["out.jsonl", "removed.jsonl", "not-a-dir"]));

    // The same failure over an existing OUT with --force leaves it as it was.
    let before = std::fs::read(&out).unwrap();
    dedup(&[p(&input), "-o", p(&out), "--removed", p(&bad_removed), "--force"]).expect(1);
    assert_eq!(std::fs::read(&out).unwrap(), before);
    assert_eq!(listing(&target), set(&["out.jsonl", "removed.jsonl", "not-a-dir"]));

    // A failure after stdin was spooled removes the spool.
    let run = dedup_stdin(&["-", "-o", p(&new_out), "--removed", p(&bad_removed)], std::fs::read(&input).unwrap());
    run.expect(1);
    assert_eq!(listing(&target), set(&["out.jsonl", "removed.jsonl", "not-a-dir"]));
}

#[test]
fn removed_naming_the_output_by_another_path_is_refused() {
    let dir = tempdir();
    let input = write_fixture(dir.path(), "clean.jsonl", false);
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, "precious\n").unwrap();
    let run = dedup_in(dir.path(), &["clean.jsonl", "-o", "out.jsonl", "--removed", "./out.jsonl", "--force"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious\n", "OUT replaced; exit {:?}", run.code);
    run.expect(2);
    // Nor when OUT does not exist yet, or by absolute and relative paths.
    std::fs::remove_file(&out).unwrap();
    dedup_in(dir.path(), &["clean.jsonl", "-o", "out.jsonl", "--removed", "./out.jsonl"]).expect(2);
    dedup_in(dir.path(), &[p(&input), "-o", p(&out), "--removed", "out.jsonl"]).expect(2);
    assert!(!out.exists());
}

/// Dedup computes no passages, reuse or stories, yet its clusters are a full scan's: every
/// removed record names the cluster the scan gives it, and most removals are inside one.
#[test]
fn dedup_groups_are_the_scans_clusters() {
    let dir = tempdir();
    let dump = generate(dir.path(), 1200, 21);
    let (outcome, _) = plain_run(&dump, dir.path(), "out", &[], 0);
    assert!(outcome.duplicates().len() > 100, "a dump with duplicates: {}", outcome.duplicates().len());
    let scanned = dir.path().join("scan");
    reprint().args(["scan", "-q", "-o"]).arg(&scanned).arg(&dump).assert().success();
    let cluster = cluster_of(&scanned);
    let mut inside = 0;
    for id in outcome.duplicates() {
        let r = &outcome.removed[&id];
        assert_eq!(r["cluster"].as_u64(), cluster[&id], "{r}");
        let kept = r["kept_id"].as_str().unwrap();
        inside += usize::from(cluster[&id] == cluster[kept]);
    }
    // The rest are verified pairs the clusters keep apart (a brief inside a digest).
    assert!(inside * 10 >= outcome.duplicates().len() * 9, "{inside} of {} inside one cluster", outcome.duplicates().len());
}

/// Idempotence: a second dedup over the first one's output removes nothing. On a generated
/// syndication dump with the defaults (furniture learned from the dump included); the kept
/// records are no duplicates of each other by dedup's own criteria.
#[test]
fn a_second_dedup_of_a_syndication_dump_removes_nothing() {
    let dir = tempdir();
    let dump = dir.path().join("dump.jsonl");
    reprint().args(["gen", "--syndication", "-q", "--docs", "2000", "--seed", "7", "-o"]).arg(&dump).assert().success();
    let first = dir.path().join("first.jsonl");
    let run = dedup(&[p(&dump), "-o", p(&first)]);
    run.expect(0);
    let once = account(&run, false);
    assert!(once.removed > 500, "a dump with duplicates: {once:?}");
    let second = dir.path().join("second.jsonl");
    let run = dedup(&[p(&first), "-o", p(&second)]);
    run.expect(0);
    let twice = account(&run, false);
    assert_eq!((twice.records, twice.removed), (once.kept, 0), "the second pass removes nothing");
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());
}
