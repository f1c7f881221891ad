//! Clustering verified edges.
//!
//! Receives the verified edges and hands on [`Cluster`]s: the connected components of two or
//! more documents under union-find (path halving, the smaller index always the root, so the
//! result does not depend on the order edges arrive in). Cluster ids follow the input order
//! of each cluster's first member and members are listed in input order; nothing here
//! depends on hash-map order or on the thread count. Each cluster keeps its edges and names
//! its weakest one, the first place to look for a false merge.

use crate::verify::Edge;

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
/// Returns the clusters (ordered by first member) and, per document, its cluster id.
pub fn cluster(n: usize, edges: &[Edge]) -> (Vec<Cluster>, Vec<Option<u32>>) {
    let mut uf = UnionFind::new(n);
    for e in edges {
        uf.union(e.a, e.b);
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
    let mut sorted: Vec<Edge> = edges.to_vec();
    sorted.sort_by_key(|e| (e.a, e.b));
    for e in sorted {
        let id = assignment[e.a as usize].expect("an edge's ends are clustered");
        clusters[id as usize].edges.push(e);
    }
    (clusters, assignment)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: u32, b: u32, j: f64) -> Edge {
        Edge { a, b, jaccard: j, containment_ab: j, containment_ba: j }
    }

    #[test]
    fn components_in_input_order() {
        let edges = [edge(3, 5, 0.9), edge(1, 4, 0.6), edge(4, 6, 0.7)];
        let (clusters, of) = cluster(7, &edges);
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].members, vec![1, 4, 6]);
        assert_eq!(clusters[1].members, vec![3, 5]);
        assert_eq!(of, vec![None, Some(0), None, Some(1), Some(0), Some(1), Some(0)]);
        assert_eq!(clusters[0].weakest_edge().jaccard, 0.6);
    }

    #[test]
    fn edge_order_does_not_matter() {
        let mut edges = vec![edge(0, 9, 0.5), edge(2, 9, 0.8), edge(2, 3, 0.7), edge(5, 6, 1.0)];
        let first = cluster(10, &edges);
        edges.reverse();
        assert_eq!(cluster(10, &edges), first);
    }
}
