//! Clustering verified edges.
//!
//! Receives the classified edges and hands on [`Cluster`]s. Near-duplicate and containment
//! edges unite their documents under union-find (path halving, the smaller index always the
//! root, so the result does not depend on the order edges arrive in). Partial edges only
//! *attach*: a document that is otherwise alone joins the cluster of the earlier document it
//! took most from, and a document attached this way never becomes a parent itself, so a
//! roundup quoting five stories cannot chain their clusters together (the chaining failure
//! the field's users report). For the same reason a document that wholly contains two or
//! more documents unrelated to each other (a digest of briefs) is a *roundup*: its
//! containment edges are demoted to partial ones. Passage edges never cluster. Cluster ids follow the input order
//! of each cluster's first member and members are listed in input order; nothing here
//! depends on hash-map order or on the thread count. Each cluster keeps its edges and names
//! its weakest one, the first place to look for a false merge.

use std::collections::{BTreeMap, BTreeSet};

use crate::matching::verify::{Edge, EdgeKind};

/// Union-find over document indices.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind { parent: (0..n as u32).collect() }
    }

    /// The root of `x` (the smallest index in its component).
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Joins the components of `a` and `b`; the smaller root wins.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

/// A cluster of two or more near-duplicate documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Cluster id: its rank by first member in input order, from 0.
    pub id: u32,
    /// Member document indices in input order.
    pub members: Vec<u32>,
    /// The verified edges inside the cluster, sorted by `(a, b)`.
    pub edges: Vec<Edge>,
}

impl Cluster {
    /// The edge with the lowest Jaccard (the first such in `(a, b)` order).
    pub fn weakest_edge(&self) -> &Edge {
        self.edges
            .iter()
            .reduce(|w, e| if e.jaccard < w.jaccard { e } else { w })
            .expect("a cluster has at least one edge")
    }
}

/// Groups `n` documents by `edges` into clusters of two or more.
///
/// `rank[i]` orders documents by priority as a source (earliest first, see
/// [`crate::matching::reuse::origin_ranks`]; the scan gives identical texts their group's best rank,
/// so the result does not depend on which copy came first); a partial edge attaches its
/// later document to its earlier one. Equal ranks order by document index. Returns the
/// clusters (ordered by first member) and, per document, its
/// cluster id. Each cluster keeps the edges between its members.
pub fn cluster(n: usize, edges: &[Edge], rank: &[u32]) -> (Vec<Cluster>, Vec<Option<u32>>) {
    let mut edges = edges.to_vec();
    demote_roundups(&mut edges);
    let edges = &edges[..];
    let mut uf = UnionFind::new(n);
    let mut size = vec![1u32; n];
    for e in edges.iter().filter(|e| e.kind.unites()) {
        let (ra, rb) = (uf.find(e.a), uf.find(e.b));
        if ra != rb {
            uf.union(ra, rb);
            let root = uf.find(ra);
            size[root as usize] = size[ra as usize] + size[rb as usize];
        }
    }
    // Partial attachments, in rank order so a parent's own status is settled first.
    let mut parents: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n]; // later -> (earlier, words)
    for e in edges.iter().filter(|e| e.kind == EdgeKind::Partial) {
        let (later, earlier, words) =
            if rank[e.a as usize] > rank[e.b as usize] { (e.a, e.b, e.a_words) } else { (e.b, e.a, e.b_words) };
        parents[later as usize].push((earlier, words));
    }
    let mut by_rank: Vec<u32> = (0..n as u32).collect();
    by_rank.sort_unstable_by_key(|&i| (rank[i as usize], i));
    let mut attached = vec![false; n];
    for d in by_rank {
        let root = uf.find(d);
        if size[root as usize] > 1 || parents[d as usize].is_empty() {
            continue;
        }
        let best = parents[d as usize]
            .iter()
            .filter(|(p, _)| !attached[*p as usize])
            .max_by_key(|&&(p, words)| (words, std::cmp::Reverse(rank[p as usize])));
        if let Some(&(p, _)) = best {
            let rp = uf.find(p);
            uf.union(d, p);
            let root = uf.find(d);
            size[root as usize] = size[rp as usize] + 1;
            attached[d as usize] = true;
        }
    }
    let roots: Vec<u32> = (0..n as u32).map(|i| uf.find(i)).collect();
    let mut size = vec![0u32; n];
    for &r in &roots {
        size[r as usize] += 1;
    }
    let mut id_of_root = vec![u32::MAX; n];
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut assignment = vec![None; n];
    for (i, &r) in roots.iter().enumerate() {
        if size[r as usize] < 2 {
            continue;
        }
        if id_of_root[r as usize] == u32::MAX {
            id_of_root[r as usize] = clusters.len() as u32;
            clusters.push(Cluster { id: clusters.len() as u32, members: Vec::new(), edges: Vec::new() });
        }
        let id = id_of_root[r as usize];
        clusters[id as usize].members.push(i as u32);
        assignment[i] = Some(id);
    }
    collect_edges(&mut clusters, &assignment, edges);
    (clusters, assignment)
}

/// Gives each cluster the edges between its members, sorted by `(a, b)`, in place of those it
/// had (`cluster_of` is the assignment [`cluster`] returned).
pub fn collect_edges(clusters: &mut [Cluster], cluster_of: &[Option<u32>], edges: &[Edge]) {
    let mut sorted: Vec<Edge> = edges.to_vec();
    sorted.sort_by_key(|e| (e.a, e.b));
    for c in clusters.iter_mut() {
        c.edges.clear();
    }
    for e in sorted {
        if let (Some(ca), Some(cb)) = (cluster_of[e.a as usize], cluster_of[e.b as usize]) {
            if ca == cb {
                clusters[ca as usize].edges.push(e);
            }
        }
    }
}

/// The `(container, contained)` sides of a containment edge: the container is the side whose
/// shingles are the larger share's home. When the shares are equal (so are the sets' sizes),
/// each side contains the other: which is which must not depend on the documents' numbers.
pub fn containers(e: &Edge) -> impl Iterator<Item = (u32, u32)> {
    let ab = (e.containment_ab >= e.containment_ba).then_some((e.b, e.a));
    let ba = (e.containment_ba >= e.containment_ab).then_some((e.a, e.b));
    ab.into_iter().chain(ba)
}

/// The documents each container holds, by the containment edges `is_containment` picks (both
/// ways on equal shares, see [`containers`]), split into groups joined by direct edges among
/// `edges` (of any kind). Containers, groups and their documents in number order.
pub fn contained_groups(edges: &[Edge], is_containment: impl Fn(&Edge) -> bool) -> BTreeMap<u32, Vec<Vec<u32>>> {
    let linked: ahash::AHashSet<(u32, u32)> = edges.iter().map(|e| (e.a.min(e.b), e.a.max(e.b))).collect();
    let mut contained_in: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for e in edges.iter().filter(|e| is_containment(e)) {
        for (c, inner) in containers(e) {
            contained_in.entry(c).or_default().push(inner);
        }
    }
    contained_in
        .into_iter()
        .map(|(c, mut inner)| {
            inner.sort_unstable();
            let mut uf = UnionFind::new(inner.len());
            for i in 0..inner.len() {
                for j in i + 1..inner.len() {
                    if linked.contains(&(inner[i], inner[j])) {
                        uf.union(i as u32, j as u32);
                    }
                }
            }
            let mut groups: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
            for (i, &d) in inner.iter().enumerate() {
                groups.entry(uf.find(i as u32)).or_default().push(d);
            }
            (c, groups.into_values().collect())
        })
        .collect()
}

/// Demotes to [`EdgeKind::Partial`] the containment edges of every document that contains
/// two or more documents with no verified edge between them. [`cluster`] applies it itself;
/// the pipeline applies it first so every output reports the demoted kind.
pub fn demote_roundups(edges: &mut [Edge]) {
    let roundups: BTreeSet<u32> = contained_groups(edges, |e| e.kind == EdgeKind::Contained)
        .into_iter()
        .filter(|(_, groups)| groups.len() > 1)
        .map(|(c, _)| c)
        .collect();
    for e in edges.iter_mut() {
        if e.kind == EdgeKind::Contained && containers(e).any(|(c, _)| roundups.contains(&c)) {
            e.kind = EdgeKind::Partial;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: u32, b: u32, j: f64) -> Edge {
        Edge {
            a,
            b,
            jaccard: j,
            containment_ab: j,
            containment_ba: j,
            kind: EdgeKind::NearDuplicate,
            a_words: 0,
            b_words: 0,
        }
    }

    fn partial(a: u32, b: u32, a_words: u32, b_words: u32) -> Edge {
        Edge { kind: EdgeKind::Partial, a_words, b_words, ..edge(a, b, 0.2) }
    }

    fn ranks(n: usize) -> Vec<u32> {
        (0..n as u32).collect()
    }

    #[test]
    fn components_in_input_order() {
        let edges = [edge(3, 5, 0.9), edge(1, 4, 0.6), edge(4, 6, 0.7)];
        let (clusters, of) = cluster(7, &edges, &ranks(7));
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].members, vec![1, 4, 6]);
        assert_eq!(clusters[1].members, vec![3, 5]);
        assert_eq!(of, vec![None, Some(0), None, Some(1), Some(0), Some(1), Some(0)]);
        assert_eq!(clusters[0].weakest_edge().jaccard, 0.6);
    }

    #[test]
    fn edge_order_does_not_matter() {
        let mut edges = vec![edge(0, 9, 0.5), edge(2, 9, 0.8), edge(2, 3, 0.7), edge(5, 6, 1.0)];
        let first = cluster(10, &edges, &ranks(10));
        edges.reverse();
        assert_eq!(cluster(10, &edges, &ranks(10)), first);
    }

    fn contained(small: u32, big: u32, words: u32) -> Edge {
        let (a, b) = (small.min(big), small.max(big));
        let (cab, cba) = if a == small { (1.0, 0.3) } else { (0.3, 1.0) };
        let (aw, bw) = (words, words);
        Edge { kind: EdgeKind::Contained, containment_ab: cab, containment_ba: cba, a_words: aw, b_words: bw, ..edge(a, b, 0.3) }
    }

    #[test]
    fn a_roundup_of_unrelated_briefs_does_not_merge_them() {
        // 0 and 1 are unrelated briefs, both wholly inside digest 2; 3 is a truncated copy of
        // 4, and 5 a shorter truncation inside both.
        let edges = [contained(0, 2, 60), contained(1, 2, 80), contained(3, 4, 100), contained(5, 4, 50), contained(5, 3, 50)];
        let (clusters, of) = cluster(6, &edges, &ranks(6));
        assert_eq!(of[0], None, "{clusters:?}");
        assert_eq!(of[1], of[2], "the digest attaches to the brief it took most from");
        assert!(of[3].is_some() && of[3] == of[4] && of[4] == of[5]);
        assert_eq!(clusters.len(), 2);
    }

    /// Two documents with equal shares of each other contain each other, whichever is
    /// numbered first: document X holds briefs A and B wholly and shares 70% both ways with
    /// T, which holds A and B too. T relates A to B, so X is no roundup in either numbering.
    #[test]
    fn equal_containment_counts_both_ways() {
        let tie = |x: u32, t: u32| Edge {
            kind: EdgeKind::Contained,
            containment_ab: 0.7,
            containment_ba: 0.7,
            a_words: 90,
            b_words: 90,
            ..edge(x.min(t), x.max(t), 0.55)
        };
        // (A, B, X, T) numbered two ways: T before X, and T after X.
        for (a, b, x, t) in [(0, 1, 3, 2), (0, 1, 2, 3)] {
            let mut edges = vec![contained(a, x, 60), contained(b, x, 60), contained(a, t, 60), contained(b, t, 60), tie(x, t)];
            edges.sort_by_key(|e| (e.a, e.b));
            demote_roundups(&mut edges);
            assert!(edges.iter().all(|e| e.kind == EdgeKind::Contained), "X = {x}, T = {t}: {edges:?}");
        }
    }

    #[test]
    fn partial_edges_attach_without_chaining() {
        // 0-1 and 2-3 are two stories with their copies; 4 quotes both (more of story 2);
        // 5 quotes document 4 only.
        let edges = [edge(0, 1, 0.9), edge(2, 3, 0.9), partial(0, 4, 30, 30), partial(2, 4, 50, 50), partial(4, 5, 40, 40)];
        let (clusters, of) = cluster(6, &edges, &ranks(6));
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].members, vec![0, 1]);
        assert_eq!(clusters[1].members, vec![2, 3, 4]);
        assert_eq!(of[5], None, "an attached document is nobody's parent");
        // Rank decides direction: if 4 is the earliest, 5 attaches to it.
        let (clusters, _) = cluster(6, &[partial(4, 5, 40, 40)], &[1, 2, 3, 4, 0, 5]);
        assert_eq!(clusters[0].members, vec![4, 5]);
    }
}
