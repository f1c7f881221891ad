//! Exact verification of candidate pairs.
//!
//! Receives candidate pairs and the documents' shingle sets, and hands on the verified
//! [`Edge`]s: pairs whose exact Jaccard similarity on the shingle sets reaches the threshold,
//! each with its Jaccard and its containment in both directions (Broder 1997). A band
//! collision that fails here never joins a cluster. Sets are sorted, so each check is one
//! linear merge.

use rayon::prelude::*;
use serde::Serialize;

/// A verified near-duplicate relation between two documents (indices in input order).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Edge {
    /// Earlier document (input order).
    pub a: u32,
    /// Later document.
    pub b: u32,
    /// |A ∩ B| / |A ∪ B| over shingle sets.
    pub jaccard: f64,
    /// |A ∩ B| / |A|: how much of `a` is in `b`.
    pub containment_ab: f64,
    /// |A ∩ B| / |B|: how much of `b` is in `a`.
    pub containment_ba: f64,
}

/// Size of the intersection of two sorted, distinct slices.
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The edge between documents `a` and `b` with sets `sa` and `sb` (both non-empty).
pub fn measure(a: u32, b: u32, sa: &[u64], sb: &[u64]) -> Edge {
    let inter = intersection_size(sa, sb) as f64;
    let union = (sa.len() + sb.len()) as f64 - inter;
    Edge {
        a,
        b,
        jaccard: inter / union,
        containment_ab: inter / sa.len() as f64,
        containment_ba: inter / sb.len() as f64,
    }
}

/// Verifies `pairs` (indices into `sets`) and keeps those with Jaccard at least `threshold`,
/// in the order of `pairs`. `on_done(n)` reports progress every so often.
pub fn verify<S: AsRef<[u64]> + Sync>(
    pairs: &[(u32, u32)],
    sets: &[S],
    threshold: f64,
    on_done: &(dyn Fn(u64) + Sync),
) -> Vec<Edge> {
    /// Pairs per progress report: large enough that reporting costs nothing.
    const PROGRESS_CHUNK: usize = 16_384;
    pairs
        .par_chunks(PROGRESS_CHUNK)
        .flat_map_iter(|chunk| {
            let kept: Vec<Edge> = chunk
                .iter()
                .map(|&(a, b)| measure(a, b, sets[a as usize].as_ref(), sets[b as usize].as_ref()))
                .filter(|e| e.jaccard >= threshold)
                .collect();
            on_done(chunk.len() as u64);
            kept
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_jaccard_and_containment() {
        let a = [1, 2, 3, 4];
        let b = [3, 4, 5, 6, 7, 8];
        let e = measure(0, 1, &a, &b);
        assert_eq!(e.jaccard, 2.0 / 8.0);
        assert_eq!(e.containment_ab, 0.5);
        assert_eq!(e.containment_ba, 2.0 / 6.0);
    }

    #[test]
    fn drops_pairs_below_threshold() {
        let sets = vec![vec![1u64, 2, 3, 4], vec![1, 2, 3, 5], vec![9, 10, 11, 12]];
        let edges = verify(&[(0, 1), (0, 2), (1, 2)], &sets, 0.5, &|_| {});
        assert_eq!(edges.len(), 1);
        assert_eq!((edges[0].a, edges[0].b), (0, 1));
        assert_eq!(edges[0].jaccard, 3.0 / 5.0);
    }
}
