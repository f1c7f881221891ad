//! The furniture rule's counts under the memory budget: every document's lines as entries
//! ([`furniture::LineEntry`], one per distinct line of a document), taken in input order while
//! the inputs are read, so no document's lines need to stay in memory for the rule. The
//! entries are held while they fit the lines' share of the budget ([`Held::Lines`]) and go
//! to sorted runs on disk ([`crate::engine::spill::Sorter`]) once they outgrow it; the rule
//! then judges them in sorted order ([`furniture::judge_sorted`]), so where they were kept
//! changes nothing in the judgement.

use rayon::prelude::*;

use crate::engine::budget::{Held, TempSpace};
use crate::engine::spill::Sorter;
use crate::error::Result;
use crate::text::furniture::{self, LineCounter, LineEntry};

/// Entries of the documents read so far, held or in sorted runs.
pub struct LineCounts {
    counter: LineCounter,
    held: Vec<LineEntry>,
    sorter: Option<Sorter<LineEntry>>,
    allowance: u64,
    documents: u32,
}

impl LineCounts {
    /// Counts that may hold `allowance` bytes of entries before spilling.
    pub fn new(allowance: u64) -> LineCounts {
        LineCounts { counter: LineCounter::default(), held: Vec::new(), sorter: None, allowance, documents: 0 }
    }

    /// Counts under `budget`'s share for lines.
    pub fn under(budget: &crate::config::Budget) -> LineCounts {
        LineCounts::new(Held::Lines.allowance(budget))
    }

    /// Takes the next document (in input order) from `outlet` with `lines` (`(fingerprint,
    /// words)` as [`furniture::line_words`] gives them), keyed and made into entries by
    /// [`prepare`]. A document with the lines of an earlier one counts once.
    pub fn add(&mut self, outlet: Option<&str>, prepared: Option<(u64, Vec<LineEntry>)>, space: &TempSpace) -> Result<()> {
        let doc = self.documents;
        self.documents += 1;
        let outlet = self.counter.outlet(outlet);
        let Some((key, entries)) = prepared else { return Ok(()) };
        if entries.is_empty() || !self.counter.admit(key) {
            return Ok(());
        }
        let entries = entries.into_iter().map(|(fp, _, _, words)| (fp, outlet, doc, words));
        if self.sorter.is_none() && ((self.held.len() + 1) * std::mem::size_of::<LineEntry>()) as u64 > self.allowance {
            space.note_spill(Held::Lines);
            let mut sorter = Sorter::new(&space.dir()?, self.allowance as usize);
            for e in std::mem::take(&mut self.held) {
                sorter.push(e)?;
            }
            self.sorter = Some(sorter);
        }
        match self.sorter.as_mut() {
            Some(sorter) => entries.into_iter().try_for_each(|e| sorter.push(e)),
            None => {
                self.held.extend(entries);
                Ok(())
            }
        }
    }

    /// The documents taken so far.
    pub fn documents(&self) -> u32 {
        self.documents
    }

    /// The judgement over every document taken, `day` giving each one's publication day.
    pub fn judge(self, day: &(dyn Fn(u32) -> Option<i64> + Sync), rule: &furniture::Rule) -> Result<furniture::Judgement> {
        let LineCounts { counter, mut held, sorter, .. } = self;
        match sorter {
            None => {
                held.par_sort_unstable();
                Ok(furniture::judge_sorted(held.into_iter(), day, counter.names(), rule))
            }
            Some(sorter) => sorter.finish()?.consume(|entries| furniture::judge_sorted(entries, day, counter.names(), rule)),
        }
    }
}

/// A document's lines made ready for [`LineCounts::add`] (in parallel, before the documents
/// are taken in order): its lines' key and its entries, or `None` without lines.
pub fn prepare(lines: &[furniture::LineFeature]) -> Option<(u64, Vec<LineEntry>)> {
    if lines.is_empty() {
        return None;
    }
    Some(furniture::doc_entries(0, 0, &furniture::line_words(lines)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::furniture::{JudgedDoc, LineFeature, Rule};

    /// 60 documents of 6 outlets over 40 days, each with a few recurring lines (a byline per
    /// outlet, a line shared by all, a line every fourth document repeats) and lines of its
    /// own; some documents repeat an earlier one's lines exactly.
    fn docs() -> Vec<(Option<String>, Option<i64>, Vec<LineFeature>)> {
        let line = |fp: u64, at: u32| LineFeature { fp, tokens: at * 4..at * 4 + 4, labelled: false, paragraph: at };
        (0..60u64)
            .map(|d| {
                let outlet = (d % 7 != 6).then(|| format!("outlet{}", d % 6));
                let day = (d % 5 != 0).then_some((d * 2 / 3) as i64);
                let mut lines = vec![line(1000 + d % 6, 0), line(7, 1), line(50_000 + d, 2), line(60_000 + d, 3)];
                if d % 4 == 0 {
                    lines.push(line(9, 4));
                }
                if d % 10 == 9 {
                    lines = vec![line(1000 + d % 6, 0), line(7, 1), line(50_000, 2)];
                }
                (outlet, day, lines)
            })
            .collect()
    }

    fn judged_by_counts(allowance: u64, space: &TempSpace) -> furniture::Judgement {
        let docs = docs();
        let mut counts = LineCounts::new(allowance);
        for (outlet, _, lines) in &docs {
            counts.add(outlet.as_deref(), prepare(lines), space).unwrap();
        }
        assert_eq!(counts.documents(), 60);
        let rule = Rule { min_recurrence: 3, ..Rule::default() };
        counts.judge(&|d| docs[d as usize].1, &rule).unwrap()
    }

    #[test]
    fn the_judgement_is_the_same_held_or_spilled() {
        let docs = docs();
        let words: Vec<Vec<(u64, u32)>> = docs.iter().map(|d| furniture::line_words(&d.2)).collect();
        let judged: Vec<JudgedDoc<'_>> =
            docs.iter().zip(&words).map(|(d, l)| JudgedDoc { outlet: d.0.as_deref(), day: d.1, lines: l }).collect();
        let want = furniture::judge(&judged, &Rule { min_recurrence: 3, ..Rule::default() });
        assert!(want.distinct_lines >= 2, "the case has furniture: {want:?}");
        let parent = tempfile::tempdir().unwrap();
        let space = TempSpace::new(parent.path());
        let held = judged_by_counts(u64::MAX, &space);
        assert_eq!(space.usage().0, Vec::<&str>::new(), "nothing spilled");
        // 10 entries a run: many runs, merged.
        let spilled = judged_by_counts(10 * std::mem::size_of::<LineEntry>() as u64, &space);
        assert_eq!(space.usage().0, vec!["lines"]);
        assert!(space.usage().1 > 0, "runs were written");
        for got in [held, spilled] {
            assert_eq!(got.by_outlet, want.by_outlet);
            assert_eq!(got.distinct_lines, want.distinct_lines);
        }
    }
}
