//! Who reused whose text, and how much.
//!
//! Receives the clusters, their edges with passages, and each document's date, byline and
//! length, and hands on per document its `reuse` (share of its body words inside passages
//! shared with an earlier member of its cluster), its `source` (the member it took most
//! from) and its `role`, and per cluster its origin and why. "Earlier" is the origin order of
//! [`origin_ranks`]: earliest date; then a wire byline ("(AP)", "Reuters", ...); then the
//! longest text; then a fingerprint of the content (so input order does not decide); then,
//! for identical texts, input order. Roles follow the METER study's wholly/partially/non-derived
//! classes (Gaizauskas et al., 2001): `copy` at [`COPY_REUSE`], `partial` at [`PARTIAL_REUSE`].

use rayon::prelude::*;
use std::cmp::Reverse;
use std::ops::Range;

use serde::Serialize;

use crate::matching::cluster::Cluster;
use crate::matching::passage::Passage;
use crate::matching::verify::Edge;

/// Reuse at or above this makes a document a `copy`: wholly derived, bar a new headline,
/// lede or sign-off.
pub const COPY_REUSE: f64 = 0.8;

/// Reuse at or above this makes a document a `partial` copy: a fifth of its body is someone
/// else's text. Below it, shared quotations and stock phrases are normal journalism.
pub const PARTIAL_REUSE: f64 = 0.2;

/// Characters at the start of a text searched for a wire byline.
const BYLINE_SEARCH_CHARS: usize = 400;

/// Wire-service credits, lowercased, that mark a text as agency copy.
const WIRE_MARKERS: &[&str] = &[
    "(ap)", "(reuters)", "(afp)", "(upi)", "(dpa)", "(efe)", "(ansa)", "(xinhua)", "(pa)",
    "associated press", "agence france-presse", "reuters", "press association",
];

/// Whether the start of `text` credits a wire service.
pub fn has_wire_byline(text: &str) -> bool {
    let head: String = text.chars().take(BYLINE_SEARCH_CHARS).collect::<String>().to_lowercase();
    WIRE_MARKERS.iter().any(|m| head.contains(m))
}

/// What decides a document's place in the origin order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OriginKey {
    /// Publication time, seconds since 1970 (undated documents come after dated ones).
    pub timestamp: Option<i64>,
    /// Whether the text credits a wire service.
    pub wire: bool,
    /// Body words.
    pub words: u32,
    /// A fingerprint of the content (the shingle set), the last tie-break, so the order does
    /// not depend on input order.
    pub content: u64,
}

/// Each document's position in the origin order (0 = most likely original). Ties that
/// remain after date, byline, length and content (identical texts) fall to input order.
pub fn origin_ranks(keys: &[OriginKey]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.sort_by_key(|&i| {
        let k = &keys[i as usize];
        (k.timestamp.unwrap_or(i64::MAX), !k.wire, Reverse(k.words), k.content, i)
    });
    let mut rank = vec![0u32; keys.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

/// Why a cluster's origin is its origin.
pub fn origin_reason(origin: &OriginKey, runner_up: &OriginKey) -> &'static str {
    match (origin.timestamp, runner_up.timestamp) {
        (Some(a), Some(b)) if a < b => return "earliest date",
        (Some(_), None) => return "earliest date",
        _ => {}
    }
    if origin.wire && !runner_up.wire {
        "wire byline"
    } else if origin.words > runner_up.words {
        "longest text"
    } else if origin.content != runner_up.content {
        "content tie-break"
    } else {
        "first in input"
    }
}

/// A document's part in its cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The cluster's origin.
    Origin,
    /// Wholly derived (reuse at or above [`COPY_REUSE`]).
    Copy,
    /// Partly derived (reuse at or above [`PARTIAL_REUSE`]).
    Partial,
    /// Not derived (or not in a cluster).
    Unique,
}

/// Reuse figures of one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocReuse {
    /// Share of body words inside passages shared with earlier cluster members.
    pub reuse: f64,
    /// The earlier member it took most words from.
    pub source: Option<u32>,
    /// Its role.
    pub role: Role,
    /// Reused body words.
    pub reused_words: u32,
    /// Reused words by source document (for the outlet graph), most first.
    pub from: Vec<(u32, u32)>,
    /// The passages its reused words were counted from, as (edge, passage) indices into the
    /// `edges` and `passages` given to [`score`], sorted: those holding at least one of its
    /// body words whose owner is that edge's other end.
    #[serde(skip)]
    pub passages: Vec<(u32, u32)>,
}

/// What [`score`] needs to know about each document.
#[derive(Debug, Clone, Copy)]
pub struct DocShape<'a> {
    /// Number of tokens.
    pub tokens: usize,
    /// Furniture token ranges (sorted, disjoint).
    pub furniture: &'a [Range<usize>],
    /// Body words (tokens not set aside).
    pub body: u32,
}

/// Each cluster's origin: its member first in the origin order `rank` ([`origin_ranks`]).
pub fn cluster_origins(clusters: &[Cluster], rank: &[u32]) -> Vec<u32> {
    clusters.iter().map(|c| *c.members.iter().min_by_key(|&&m| rank[m as usize]).expect("clusters are not empty")).collect()
}

/// Per-document reuse, and per cluster its origin and the reason.
///
/// `edges` and `passages` are parallel; `rank` is [`origin_ranks`]; `group_rank[i]` is the
/// smallest rank among the documents whose shingle set equals `i`'s (its own rank when
/// unique), so an edge to any copy of an earlier text counts.
pub fn score(
    shapes: &[DocShape<'_>],
    clusters: &[Cluster],
    cluster_of: &[Option<u32>],
    edges: &[Edge],
    passages: &[Vec<Passage>],
    rank: &[u32],
    group_rank: &[u32],
) -> (Vec<DocReuse>, Vec<u32>) {
    let n = shapes.len();
    let origins = cluster_origins(clusters, rank);
    // Per document, the in-cluster edges that may give it reuse: (edge, other end).
    let mut incoming: Vec<Vec<(usize, u32)>> = vec![Vec::new(); n];
    for (i, e) in edges.iter().enumerate() {
        let (Some(ca), Some(cb)) = (cluster_of[e.a as usize], cluster_of[e.b as usize]) else { continue };
        if ca != cb {
            continue;
        }
        if group_rank[e.b as usize] < rank[e.a as usize] {
            incoming[e.a as usize].push((i, e.b));
        }
        if group_rank[e.a as usize] < rank[e.b as usize] {
            incoming[e.b as usize].push((i, e.a));
        }
    }
    // Each document on its own: in parallel, in input order.
    let out = (0..n).into_par_iter().map(|d| {
        let shape = shapes[d];
        let is_origin = cluster_of[d].is_some_and(|c| origins[c as usize] == d as u32);
        if cluster_of[d].is_none() || is_origin || shape.body == 0 {
            let role = if is_origin { Role::Origin } else { Role::Unique };
            return DocReuse { reuse: 0.0, source: None, role, reused_words: 0, from: Vec::new(), passages: Vec::new() };
        }
        // Each covered body token goes to the earliest source covering it.
        let mut owner: Vec<Option<u32>> = vec![None; shape.tokens];
        for &(ei, other) in &incoming[d] {
            let e = &edges[ei];
            for p in &passages[ei] {
                let r = if e.a == d as u32 { &p.a_tokens } else { &p.b_tokens };
                for slot in &mut owner[r.start as usize..r.end as usize] {
                    if slot.is_none_or(|o| group_rank[other as usize] < group_rank[o as usize]) {
                        *slot = Some(other);
                    }
                }
            }
        }
        for r in shape.furniture {
            for slot in &mut owner[r.start.min(shape.tokens)..r.end.min(shape.tokens)] {
                *slot = None;
            }
        }
        let mut counted: Vec<(u32, u32)> = Vec::new();
        for &(ei, other) in &incoming[d] {
            let e = &edges[ei];
            for (pi, p) in passages[ei].iter().enumerate() {
                let r = if e.a == d as u32 { &p.a_tokens } else { &p.b_tokens };
                let range = r.start as usize..(r.end as usize).min(shape.tokens);
                if owner[range].contains(&Some(other)) {
                    counted.push((ei as u32, pi as u32));
                }
            }
        }
        counted.sort_unstable();
        let mut from: Vec<(u32, u32)> = Vec::new();
        let mut owners: Vec<u32> = owner.into_iter().flatten().collect();
        owners.sort_unstable();
        for o in owners {
            match from.last_mut() {
                Some((src, w)) if *src == o => *w += 1,
                _ => from.push((o, 1)),
            }
        }
        from.sort_by_key(|&(src, w)| (Reverse(w), group_rank[src as usize], src));
        let reused: u32 = from.iter().map(|&(_, w)| w).sum();
        let reuse = reused as f64 / shape.body as f64;
        let role = if reuse >= COPY_REUSE {
            Role::Copy
        } else if reuse >= PARTIAL_REUSE {
            Role::Partial
        } else {
            Role::Unique
        };
        DocReuse { reuse, source: from.first().map(|&(s, _)| s), role, reused_words: reused, from, passages: counted }
    }).collect();
    (out, origins)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_order_date_then_byline_then_length() {
        let k = |timestamp, wire, words| OriginKey { timestamp, wire, words, content: 0 };
        let keys = [k(Some(20), false, 100), k(Some(10), false, 50), k(None, true, 10), k(None, false, 900), k(None, false, 10)];
        assert_eq!(origin_ranks(&keys), vec![1, 0, 2, 3, 4]);
        assert_eq!(origin_reason(&keys[1], &keys[0]), "earliest date");
        assert_eq!(origin_reason(&keys[2], &keys[3]), "wire byline");
        assert_eq!(origin_reason(&keys[3], &keys[4]), "longest text");
    }

    #[test]
    fn wire_bylines() {
        assert!(has_wire_byline("HANOI (Reuters) - Vietnam said on Friday"));
        assert!(has_wire_byline("WASHINGTON (AP) — The envoy"));
        assert!(!has_wire_byline("Our correspondent in Hanoi writes"));
    }
}
