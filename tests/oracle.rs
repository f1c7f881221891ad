//! The approximate pipeline against a brute-force oracle.
//!
//! Generated dumps with planted near-duplicates are scanned, and every pair's exact Jaccard
//! is computed by brute force over the same shingle sets: scan must never report a pair the
//! oracle puts below the threshold, and must find (almost) every pair well above it.

use std::collections::BTreeMap;

use proptest::prelude::*;
use reprint::config::{InputSpec, ScanConfig};
use reprint::sketch::minhash::{estimate_jaccard, MinHasher};
use reprint::engine::progress::NoProgress;
use reprint::text::shingle::shingle_set;
use reprint::bench::synth::{generate, write_dump, GenParams};
use reprint::matching::verify::{measure, EdgeKind};

use crate::util::tempdir;

/// Scans a generated dump at `threshold` and checks it against brute force.
fn check_against_oracle(seed: u64, threshold: f64, max_edit_rate: f64) {
    let params =
        GenParams { docs: 300, copy_fraction: 0.6, max_edit_rate, mean_words: 200, seed, ..GenParams::default() };
    let docs = generate(&params, None);
    let dir = tempdir();
    let dump = dir.path().join("dump.jsonl");
    write_dump(&docs, &dump, None).unwrap();
    let config = ScanConfig { inputs: vec![InputSpec::Path(dump)], threshold, ..ScanConfig::default() };
    let result = reprint::scan(&config, &NoProgress).unwrap();
    assert_eq!(result.docs.len(), docs.len());

    let sets: Vec<Vec<u64>> = docs.iter().map(|d| shingle_set(&d.text, config.shingle).unwrap().hashes).collect();
    let mut reported: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    for e in &result.edges {
        // Soundness: every reported similarity is the exact one, and each kind holds.
        let exact = measure(e.a, e.b, &sets[e.a as usize], &sets[e.b as usize]);
        assert!((exact.jaccard - e.jaccard).abs() < 1e-12, "edge {}-{}: {e:?} vs {exact:?}", e.a, e.b);
        assert!((exact.containment_ab - e.containment_ab).abs() < 1e-12);
        assert!((exact.containment_ba - e.containment_ba).abs() < 1e-12);
        match e.kind {
            EdgeKind::NearDuplicate => {
                assert!(exact.jaccard >= threshold, "near-duplicate {}-{} below threshold: {}", e.a, e.b, exact.jaccard)
            }
            EdgeKind::Contained => assert!(exact.containment_ab.max(exact.containment_ba) >= config.containment),
            EdgeKind::Partial | EdgeKind::Passage => assert!(e.a_words >= 10 && e.b_words >= 10, "{e:?}"),
        }
        if e.kind == EdgeKind::NearDuplicate {
            reported.insert((e.a, e.b), e.jaccard);
        }
    }
    // Clusters only hold edges between their own members.
    for c in &result.clusters {
        for e in &c.edges {
            assert!(c.members.contains(&e.a) && c.members.contains(&e.b));
        }
    }
    // Completeness: pairs 0.1 above the threshold are found. Documents with identical sets
    // go through LSH once, as their first copy, so a pair is found when it is in one exact
    // group, or when the first copies of its two sets have a verified edge.
    let rep: Vec<usize> = (0..sets.len()).map(|i| (0..=i).find(|&j| sets[j] == sets[i]).unwrap()).collect();
    let (mut high, mut found, mut planted_high) = (0usize, 0usize, 0usize);
    for a in 0..docs.len() {
        for b in a + 1..docs.len() {
            let exact = measure(a as u32, b as u32, &sets[a], &sets[b]).jaccard;
            if exact < threshold + 0.1 {
                continue;
            }
            high += 1;
            planted_high += usize::from(docs[a].story == docs[b].story);
            let hit = if exact == 1.0 {
                result.cluster_of[a].is_some() && result.cluster_of[a] == result.cluster_of[b]
            } else {
                let (ra, rb) = (rep[a].min(rep[b]) as u32, rep[a].max(rep[b]) as u32);
                reported.contains_key(&(ra, rb))
            };
            found += usize::from(hit);
        }
    }
    assert!(planted_high >= 50, "the generator planted too few high pairs ({planted_high}) to test recall");
    let recall = found as f64 / high as f64;
    assert!(recall >= 0.99, "threshold {threshold}: found {found} of {high} pairs above {}", threshold + 0.1);
}

#[test]
fn oracle_threshold_0_5() {
    check_against_oracle(11, 0.5, 0.12);
}

#[test]
fn oracle_threshold_0_3() {
    check_against_oracle(12, 0.3, 0.2);
}

#[test]
fn oracle_threshold_0_8() {
    check_against_oracle(13, 0.8, 0.03);
}

/// Random sets with a chosen overlap: `shared` common elements, `only_a` and `only_b` own.
fn overlapping_sets(shared: usize, only_a: usize, only_b: usize, salt: u64) -> (Vec<u64>, Vec<u64>) {
    let mut rng = reprint::sketch::minhash::SplitMix64::new(salt);
    let common: Vec<u64> = (0..shared).map(|_| rng.next_u64()).collect();
    let mut a: Vec<u64> = common.iter().copied().chain((0..only_a).map(|_| rng.next_u64())).collect();
    let mut b: Vec<u64> = common.into_iter().chain((0..only_b).map(|_| rng.next_u64())).collect();
    a.sort_unstable();
    b.sort_unstable();
    (a, b)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The MinHash estimate is within five standard errors of the exact Jaccard
    /// (sd = sqrt(J(1-J)/P)); a failure here has probability below one in a million per case.
    #[test]
    fn minhash_estimates_jaccard(shared in 0usize..400, only_a in 0usize..400, only_b in 0usize..400, salt in any::<u64>()) {
        prop_assume!(shared + only_a > 0 && shared + only_b > 0);
        let (a, b) = overlapping_sets(shared, only_a, only_b, salt);
        let exact = measure(0, 1, &a, &b).jaccard;
        let perms = 256;
        let h = MinHasher::new(perms);
        let est = estimate_jaccard(&h.signature(&a), &h.signature(&b));
        let sd = (exact * (1.0 - exact) / perms as f64).sqrt();
        prop_assert!((est - exact).abs() <= 5.0 * sd + 1.0 / perms as f64, "exact {exact}, estimate {est}");
    }
}
