//! The review page: `report.html`, one self-contained file a reviewer opens to see who copied
//! whom.
//!
//! Owns choosing what the page shows ([`plan`]: the largest and the most suspicious clusters,
//! up to `--report-limit`, and the stories), and writing it ([`write_report`]). What can be
//! drawn once is drawn here, as HTML and inline SVG that print and read without script: the
//! run header, the sortable outlets table, the cluster-size and reuse-share histograms and the
//! outlet-to-outlet syndication matrix. The cluster list, cluster view and story timelines
//! are drawn by a small inline script (`html/report.js`) from a JSON island
//! (`<script id="reprint-data" type="application/json">`), page by page, so a report of
//! 50,000 clusters opens as fast as one of 100 and the file grows with what it shows.
//!
//! Article text is untrusted: here it is HTML-escaped, in the JSON island `<`, `>` and `&`
//! are written as `\u003c`-style escapes, and the script inserts it only as text nodes. A
//! Content-Security-Policy forbids every network request, so a page that slipped through
//! could still not fetch anything.
//!
//! Offsets: passages and furniture are recorded in characters (Unicode scalar values); the
//! page's script works in UTF-16 code units, so they are converted here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use crate::matching::cluster::Cluster;
use crate::engine::pipeline::{kind_name, role_name, ScanResult};
use crate::output::report::round;
use crate::input::texts::Missing;
use crate::matching::verify::Edge;

/// File name of the review page.
pub const REPORT_FILE: &str = "report.html";
/// Members of a cluster whose texts are embedded (the origin, then members in input order,
/// and their sources): enough to review any syndication chain side by side, while a
/// thousand-member template cluster stays a few hundred kilobytes.
pub const MEMBERS_WITH_TEXT: usize = 40;
/// Bytes of article text embedded in one page, shared by the shown clusters in order (largest
/// and most suspicious first): a page of this size still opens in about a second, so a report
/// of 50,000 clusters stays usable; clusters past the budget are listed with their members
/// and figures, and `reprint show` prints their texts.
pub const TEXT_BUDGET_BYTES: u64 = 24 << 20;
/// Characters of one text embedded; longer texts (concatenated pages) are cut here with a note.
pub const MAX_TEXT_CHARS: usize = 100_000;
/// Outlets in the outlets table (largest first); `outlets.jsonl` lists them all.
pub const OUTLETS_IN_TABLE: usize = 300;
/// Outlets in the syndication matrix: the ones with the most reused words given or taken.
/// Past this a matrix is too dense to read; the table's "top sources" column has the rest.
pub const MATRIX_OUTLETS: usize = 16;
/// Stories shown (largest first), and never more than `--report-limit`.
pub const STORIES_SHOWN: usize = 100;
/// Members of one story placed on its time line.
pub const STORY_MEMBERS_SHOWN: usize = 300;
/// Sources named per outlet in the outlets table.
const TOP_SOURCES: usize = 3;
/// Upper bounds of the cluster-size histogram's bins (the last bin is open).
const SIZE_BINS: [usize; 8] = [2, 3, 4, 9, 19, 49, 99, 999];

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// What the page will show: clusters (by id, largest first) and the documents it needs.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Cluster ids shown.
    pub clusters: Vec<u32>,
    /// Story ids shown.
    pub stories: Vec<u32>,
    /// Documents whose texts are embedded, ascending.
    pub texts: Vec<u32>,
    /// Per cluster id: bridge edges whose removal splits it into two parts of two or more.
    pub bridges: BTreeMap<u32, usize>,
    /// Shown clusters whose texts did not fit in [`TEXT_BUDGET_BYTES`].
    pub clusters_without_text: usize,
}

/// A page ready to write: what it shows and the texts it embeds.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// What the page shows.
    pub plan: Plan,
    /// The texts of `plan.texts`, in that order.
    pub texts: Vec<std::result::Result<String, Missing>>,
}

/// Plans the page for `config.report_limit` and fetches its texts by reading the inputs again
/// ([`crate::input::texts::fetch`]); `None` when the limit is 0 (no report).
pub fn prepare(r: &ScanResult, config: &crate::config::ScanConfig) -> crate::Result<Option<Page>> {
    if config.report_limit == 0 {
        return Ok(None);
    }
    let plan = plan(r, config.report_limit);
    let wanted: Vec<_> = plan.texts.iter().map(|&d| (r.docs[d as usize].location, r.docs[d as usize].bytes)).collect();
    let exclude = std::slice::from_ref(&config.outdir);
    let texts =
        crate::input::texts::fetch(&config.inputs, &config.fields, exclude, config.stdin_copy.as_deref(), &r.inputs.files, &wanted)?;
    Ok(Some(Page { plan, texts }))
}

/// The weakest evidence of an edge: its Jaccard, or its containment when that is stronger
/// (a truncated copy is weak in Jaccard but certain in containment).
fn strength(e: &Edge) -> f64 {
    e.jaccard.max(e.containment_ab).max(e.containment_ba)
}

/// The cluster's weakest edge by [`strength`].
fn weakest(c: &Cluster) -> f64 {
    c.edges.iter().map(strength).fold(f64::INFINITY, f64::min)
}

/// Chooses what the page shows: with more clusters than `limit`, the largest and the most
/// suspicious (bridges first, then the weakest edge), half each.
pub fn plan(r: &ScanResult, limit: usize) -> Plan {
    // In an incremental scan, only clusters with a new document are candidates.
    let shown: Vec<&Cluster> = r.clusters.iter().filter(|c| r.cluster_shown(c)).collect();
    let bridges: BTreeMap<u32, usize> =
        shown.iter().map(|c| (c.id, splitting_bridges(c))).filter(|&(_, b)| b > 0).collect();
    let mut largest: Vec<&Cluster> = shown.clone();
    largest.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.id.cmp(&b.id)));
    let mut suspicious: Vec<&Cluster> = shown;
    let susp_key = |c: &Cluster| (std::cmp::Reverse(bridges.get(&c.id).copied().unwrap_or(0)), weakest(c));
    suspicious.sort_by(|a, b| {
        let (ka, kb) = (susp_key(a), susp_key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1)).then(a.id.cmp(&b.id))
    });
    // Interleaved, so the text budget below is shared by both kinds alike.
    let mut chosen_order: Vec<u32> = Vec::new();
    let mut chosen = BTreeSet::new();
    let (mut l, mut s) = (largest.iter(), suspicious.iter());
    while chosen.len() < limit.min(largest.len()) {
        for it in [&mut l, &mut s] {
            if chosen.len() < limit {
                if let Some(c) = it.find(|c| !chosen.contains(&c.id)) {
                    chosen.insert(c.id);
                    chosen_order.push(c.id);
                }
            }
        }
    }
    let clusters: Vec<u32> = largest.iter().map(|c| c.id).filter(|id| chosen.contains(id)).collect();

    let mut texts = BTreeSet::new();
    let mut budget = TEXT_BUDGET_BYTES;
    let mut clusters_without_text = 0;
    for &id in &chosen_order {
        let c = &r.clusters[id as usize];
        let origin = r.origins[id as usize].0;
        let mut picked: Vec<u32> = vec![origin];
        picked.extend(c.members.iter().copied().filter(|&m| m != origin).take(MEMBERS_WITH_TEXT - 1));
        let sources: Vec<u32> = picked.iter().filter_map(|&m| r.reuse[m as usize].as_ref().and_then(|x| x.source)).collect();
        picked.extend(sources);
        picked.retain(|m| !texts.contains(m));
        picked.sort_unstable();
        picked.dedup();
        let cost: u64 = picked.iter().map(|&m| r.docs[m as usize].bytes.min(MAX_TEXT_CHARS as u64 * 4)).sum();
        if cost > budget {
            clusters_without_text += 1;
            continue;
        }
        budget -= cost;
        texts.extend(picked);
    }
    let story_shown = shown_stories(r);
    let mut stories: Vec<&crate::engine::pipeline::StoryLine> = r.stories.iter().filter(|s| story_shown[s.id as usize]).collect();
    stories.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    let stories = stories.iter().take(STORIES_SHOWN.min(limit)).map(|s| s.id).collect();
    Plan { clusters, stories, texts: texts.into_iter().collect(), bridges, clusters_without_text }
}

/// Per story id: whether the page may show it (every story, or in an incremental scan those
/// with a new document, as `stories.jsonl` lists them).
fn shown_stories(r: &ScanResult) -> Vec<bool> {
    let Some(view) = &r.view else { return vec![true; r.stories.len()] };
    let mut shown = vec![false; r.stories.len()];
    for s in r.story_of.iter().skip(view.history).flatten() {
        shown[*s as usize] = true;
    }
    shown
}

/// Clusters the page counts: every cluster, or in an incremental scan those with a new
/// document.
fn shown_cluster_count(r: &ScanResult) -> usize {
    match r.view {
        None => r.clusters.len(),
        Some(_) => r.clusters.iter().filter(|c| r.cluster_shown(c)).count(),
    }
}

/// Bridges of the cluster's graph whose removal leaves two parts of at least two documents
/// each: one pair holding two groups together, the shape of a false merge.
fn splitting_bridges(c: &Cluster) -> usize {
    let n = c.members.len();
    if n < 4 {
        return 0;
    }
    let local: BTreeMap<u32, usize> = c.members.iter().enumerate().map(|(i, &m)| (m, i)).collect();
    let mut adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (k, e) in c.edges.iter().enumerate() {
        let (a, b) = (local[&e.a], local[&e.b]);
        adj[a].push((b, k));
        adj[b].push((a, k));
    }
    // Iterative Tarjan: discovery order, low-link and subtree sizes.
    let mut disc = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut size = vec![1usize; n];
    let mut count = 0;
    let mut time = 0;
    for root in 0..n {
        if disc[root] != usize::MAX {
            continue;
        }
        let mut stack: Vec<(usize, usize, usize)> = vec![(root, usize::MAX, 0)];
        disc[root] = time;
        low[root] = time;
        time += 1;
        while let Some(&mut (v, parent_edge, ref mut next)) = stack.last_mut() {
            if *next < adj[v].len() {
                let (w, k) = adj[v][*next];
                *next += 1;
                if k == parent_edge {
                    continue;
                }
                if disc[w] == usize::MAX {
                    disc[w] = time;
                    low[w] = time;
                    time += 1;
                    stack.push((w, k, 0));
                } else {
                    low[v] = low[v].min(disc[w]);
                }
            } else {
                stack.pop();
                if let Some(&(p, _, _)) = stack.last() {
                    low[p] = low[p].min(low[v]);
                    size[p] += size[v];
                    if low[v] > disc[p] && size[v] >= 2 && n - size[v] >= 2 {
                        count += 1;
                    }
                }
            }
        }
    }
    count
}

// ---------------------------------------------------------------------------------------
// The JSON island

#[derive(Serialize)]
struct PageData<'a> {
    shown_clusters: usize,
    total_clusters: usize,
    shown_stories: usize,
    total_stories: usize,
    members_with_text: usize,
    /// Words per shingle, for the passages the page aligns itself (pairs with none written).
    shingle: usize,
    outlets: Vec<&'a str>,
    docs: Vec<DocData<'a>>,
    clusters: Vec<ClusterData<'a>>,
    stories: Vec<StoryData<'a>>,
}

/// One document; absent fields are omitted (the script restores them as `null`), which keeps
/// a page of 150,000 documents a third smaller.
#[derive(Serialize)]
struct DocData<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    outlet: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    /// Seconds since the epoch, for time lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reuse: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    story: Option<u32>,
    /// Index into `docs` of its source.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<usize>,
    words: u32,
    /// The text, when embedded.
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    /// Why the text is absent or cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    /// Furniture as UTF-16 ranges of `text`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    furniture: Vec<[u32; 2]>,
    /// An older article from the persistent index (not one of this run's new documents).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    indexed: bool,
}

#[derive(Serialize)]
struct ClusterData<'a> {
    id: u32,
    size: usize,
    origin: usize,
    reason: &'static str,
    min_jaccard: f64,
    weakest: f64,
    bridges: usize,
    members: Vec<usize>,
    outlets: Vec<&'a str>,
    /// `[a, b, kind, jaccard, containment_ab, containment_ba, passages]`, passages as UTF-16
    /// `[a_start, a_end, b_start, b_end, words]`.
    edges: Vec<EdgeData>,
}

/// An edge as the script reads it: `[a, b, kind, jaccard, containment_ab, containment_ba,
/// passages]`, ends as indices into `docs`.
type EdgeData = (usize, usize, &'static str, f64, f64, f64, Vec<[u32; 5]>);

#[derive(Serialize)]
struct StoryData<'a> {
    id: u32,
    size: usize,
    members: Vec<usize>,
    clusters: Vec<u32>,
    outlets: Vec<&'a str>,
    date_span: [Option<&'a str>; 2],
    terms: &'a [String],
    origin: Option<usize>,
}

/// Name shown for documents without an outlet.
const NO_OUTLET: &str = "(none)";

/// Maps character offsets of one text to UTF-16 offsets (identity for ASCII texts).
struct Utf16Map(Option<Vec<u32>>);

impl Utf16Map {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Utf16Map(None);
        }
        let mut at = Vec::with_capacity(text.len() + 1);
        let mut u = 0u32;
        for ch in text.chars() {
            at.push(u);
            u += ch.len_utf16() as u32;
        }
        at.push(u);
        Utf16Map(Some(at))
    }

    fn get(&self, chars: u32) -> u32 {
        match &self.0 {
            None => chars,
            Some(at) => at[(chars as usize).min(at.len() - 1)],
        }
    }
}

/// Furniture word ranges as character spans of the text (first word to last word of each).
fn furniture_spans(text: &str, ranges: &[std::ops::Range<usize>]) -> Vec<[u32; 2]> {
    if ranges.is_empty() {
        return Vec::new();
    }
    let mut tokens = crate::text::normalize::Tokens::default();
    crate::text::normalize::tokenize(text, &mut tokens, &mut String::new());
    let t = &tokens.tokens;
    ranges
        .iter()
        .filter(|r| !r.is_empty() && r.end <= t.len())
        .map(|r| [t[r.start].start, t[r.end - 1].end])
        .collect()
}

/// Furniture spans (first word to last word of a line) widened to their whole lines, so the
/// punctuation around a "Share:" or a byline is struck through with it. Character offsets.
fn whole_lines(text: &str, spans: &[[u32; 2]]) -> Vec<[u32; 2]> {
    if spans.is_empty() {
        return Vec::new();
    }
    // Character offsets of line breaks.
    let breaks: Vec<u32> =
        text.chars().enumerate().filter(|&(_, c)| c == '\n').map(|(i, _)| i as u32).collect();
    let chars = text.chars().count() as u32;
    spans
        .iter()
        .map(|&[s, e]| {
            let k = breaks.partition_point(|&b| b < s);
            let start = if k == 0 { 0 } else { breaks[k - 1] + 1 };
            let end = breaks.get(breaks.partition_point(|&b| b < e)).copied().unwrap_or(chars);
            [start.min(s), end.max(e).min(chars.max(e))]
        })
        .collect()
}

/// The embedded text: cut at [`MAX_TEXT_CHARS`], with its offset map and a note when cut.
fn embed_text(text: &str) -> (String, Utf16Map, Option<String>) {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        None => (text.to_string(), Utf16Map::new(text), None),
        Some((byte, _)) => {
            let cut = &text[..byte];
            let total = text.chars().count();
            let note = format!("text cut at {MAX_TEXT_CHARS} of {total} characters in this report");
            (cut.to_string(), Utf16Map::new(cut), Some(note))
        }
    }
}

fn page_data<'a>(r: &'a ScanResult, plan: &Plan, texts: &[std::result::Result<String, Missing>]) -> PageData<'a> {
    // Documents the page needs, ascending, and their place in `docs`.
    let mut needed: BTreeSet<u32> = plan.texts.iter().copied().collect();
    for &id in &plan.clusters {
        needed.extend(r.clusters[id as usize].members.iter().copied());
    }
    let story_docs = story_members(r, &plan.stories);
    for (members, _) in story_docs.values() {
        needed.extend(members.iter().copied());
    }
    let index: BTreeMap<u32, usize> = needed.iter().enumerate().map(|(k, &d)| (d, k)).collect();
    let text_of: BTreeMap<u32, &std::result::Result<String, Missing>> = plan.texts.iter().copied().zip(texts).collect();
    let mut maps: BTreeMap<u32, Utf16Map> = BTreeMap::new();
    let mut docs = Vec::with_capacity(needed.len());
    for &d in &needed {
        let meta = &r.docs[d as usize];
        let reuse = r.reuse[d as usize].as_ref();
        let (mut text, mut note, mut furniture) = (None, None, Vec::new());
        match text_of.get(&d) {
            Some(Ok(t)) => {
                let (cut, map, cut_note) = embed_text(t);
                let spans = furniture_spans(t, &r.furniture_ranges[d as usize]);
                furniture = whole_lines(&cut, &spans)
                    .into_iter()
                    .map(|[s, e]| [map.get(s), map.get(e)])
                    .collect();
                text = Some(cut);
                note = cut_note;
                maps.insert(d, map);
            }
            Some(Err(missing)) => note = Some(missing.explain().to_string()),
            None => {}
        }
        docs.push(DocData {
            id: &meta.id,
            outlet: meta.outlet.as_deref(),
            date: meta.date.as_deref(),
            ts: meta.timestamp,
            title: meta.title.as_deref(),
            role: reuse.map(|x| role_name(x.role)),
            reuse: reuse.map(|x| round(x.reuse)),
            cluster: r.cluster_of[d as usize].map(|c| r.cluster_label(c)),
            story: r.story_of[d as usize],
            source: reuse.and_then(|x| x.source).and_then(|s| index.get(&s).copied()),
            words: r.furniture[d as usize].1,
            text,
            note,
            furniture,
            indexed: !r.is_shown(d),
        });
    }
    // Passages by edge, for edges in shown clusters.
    let mut edge_at: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    for (k, e) in r.edges.iter().enumerate() {
        edge_at.insert((e.a, e.b), k);
    }
    let clusters = plan
        .clusters
        .iter()
        .map(|&id| {
            let c = &r.clusters[id as usize];
            let (origin, reason) = r.origins[id as usize];
            let outlets: BTreeSet<&str> =
                c.members.iter().map(|&m| r.docs[m as usize].outlet.as_deref().unwrap_or(NO_OUTLET)).collect();
            let edges = c
                .edges
                .iter()
                .map(|e| {
                    let passages = match (maps.get(&e.a), maps.get(&e.b), edge_at.get(&(e.a, e.b))) {
                        (Some(ma), Some(mb), Some(&k)) => r.passages[k]
                            .iter()
                            .map(|p| [ma.get(p.a_start), ma.get(p.a_end), mb.get(p.b_start), mb.get(p.b_end), p.words])
                            .collect(),
                        _ => Vec::new(),
                    };
                    (
                        index[&e.a],
                        index[&e.b],
                        kind_name(e.kind),
                        round(e.jaccard),
                        round(e.containment_ab),
                        round(e.containment_ba),
                        passages,
                    )
                })
                .collect();
            ClusterData {
                id: r.cluster_label(id),
                size: c.members.len(),
                origin: index[&origin],
                reason,
                min_jaccard: round(c.weakest_edge().jaccard),
                weakest: round(weakest(c)),
                bridges: plan.bridges.get(&id).copied().unwrap_or(0),
                members: c.members.iter().map(|m| index[m]).collect(),
                outlets: outlets.into_iter().collect(),
                edges,
            }
        })
        .collect();
    let stories = plan
        .stories
        .iter()
        .map(|&sid| {
            let s = &r.stories[sid as usize];
            let (members, origin) = &story_docs[&sid];
            let mut clusters = s.clusters.clone();
            if r.view.is_some() {
                for c in &mut clusters {
                    *c = r.cluster_label(*c);
                }
                clusters.sort_unstable();
            }
            StoryData {
                id: s.id,
                size: s.size,
                members: members.iter().map(|m| index[m]).collect(),
                clusters,
                outlets: s.outlets.iter().map(|o| o.as_deref().unwrap_or(NO_OUTLET)).collect(),
                date_span: [s.date_span[0].as_deref(), s.date_span[1].as_deref()],
                terms: &s.top_terms,
                origin: origin.and_then(|o| index.get(&o).copied()),
            }
        })
        .collect();
    let outlets: BTreeSet<&str> = plan
        .clusters
        .iter()
        .flat_map(|&id| r.clusters[id as usize].members.iter())
        .map(|&m| r.docs[m as usize].outlet.as_deref().unwrap_or(NO_OUTLET))
        .collect();
    PageData {
        shown_clusters: plan.clusters.len(),
        total_clusters: shown_cluster_count(r),
        shown_stories: plan.stories.len(),
        total_stories: shown_stories(r).iter().filter(|&&s| s).count(),
        members_with_text: MEMBERS_WITH_TEXT,
        shingle: r.run.parameters.shingle,
        outlets: outlets.into_iter().collect(),
        docs,
        clusters,
        stories,
    }
}

/// Per shown story, in one pass over the documents: the members placed on its time line
/// (the first [`STORY_MEMBERS_SHOWN`] in input order) and its origin document.
fn story_members(r: &ScanResult, shown: &[u32]) -> BTreeMap<u32, (Vec<u32>, Option<u32>)> {
    let mut out: BTreeMap<u32, (Vec<u32>, Option<u32>)> = shown.iter().map(|&s| (s, (Vec::new(), None))).collect();
    for (i, story) in r.story_of.iter().enumerate() {
        let Some((members, origin)) = story.and_then(|s| out.get_mut(&s)) else { continue };
        if members.len() < STORY_MEMBERS_SHOWN {
            members.push(i as u32);
        }
        if r.docs[i].id == r.stories[story.expect("in a story") as usize].origin {
            *origin = Some(i as u32);
        }
    }
    out
}

/// JSON safe inside `<script>`: `<`, `>` and `&` escaped (they only occur in strings).
fn island_json(data: &PageData) -> String {
    let json = serde_json::to_string(data).expect("page data serialises");
    let mut out = String::with_capacity(json.len() + 64);
    for ch in json.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// HTML

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// "1 cluster", "12 345 clusters".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", num(n as u64), if n == 1 { one } else { many })
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// Thousands with a thin separator: 12 345.
fn num(n: impl Into<u64>) -> String {
    let s = n.into().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}

/// Writes the page. `texts` are those of `plan.texts`, in that order.
pub fn write_report(
    r: &ScanResult,
    plan: &Plan,
    texts: &[std::result::Result<String, Missing>],
    w: &mut impl Write,
) -> io::Result<()> {
    let data = page_data(r, plan, texts);
    let mut h = String::with_capacity(64 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n",
    );
    h.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    let documents = match &r.view {
        None => count(r.docs.len(), "document", "documents"),
        Some(v) => count(r.docs.len() - v.history, "new document", "new documents"),
    };
    let _ = writeln!(
        h,
        "<title>reprint report: {} in {}</title>",
        count(shown_cluster_count(r), "cluster", "clusters"),
        documents
    );
    let _ = writeln!(h, "<style>\n{STYLE}</style>\n</head>\n<body>");
    h.push_str("<a class=\"skip\" href=\"#clusters\">Skip to clusters</a>\n");
    header(&mut h, r, plan);
    h.push_str("<main>\n");
    outlets_section(&mut h, r);
    charts_section(&mut h, r);
    h.push_str(CLUSTERS_SECTION);
    h.push_str(CLUSTER_VIEW);
    stories_section(&mut h, r, plan);
    h.push_str("</main>\n");
    h.push_str(
        "<noscript><p class=\"note\">The cluster list, cluster view and story time lines need \
         JavaScript; the same data is in clusters.jsonl, passages.jsonl and stories.jsonl, and \
         <code>reprint show OUTDIR CLUSTER_ID</code> prints a cluster in the terminal.</p></noscript>\n",
    );
    w.write_all(h.as_bytes())?;
    w.write_all(b"<script id=\"reprint-data\" type=\"application/json\">")?;
    w.write_all(island_json(&data).as_bytes())?;
    w.write_all(b"</script>\n<script>\n")?;
    w.write_all(SCRIPT.as_bytes())?;
    w.write_all(b"</script>\n</body>\n</html>\n")
}

/// The header's cluster and story figures: the run's counts, or in an incremental scan
/// (whose counts of clusters describe the index's articles too) those of the new documents
/// and of the clusters and stories they are in.
struct Figures {
    clusters: usize,
    documents_in_clusters: usize,
    /// Documents in clusters that repeat another: all but one of each cluster, or in an
    /// incremental scan the new documents in clusters, but one of each cluster of new
    /// documents only.
    duplicates: usize,
    largest_cluster: usize,
    stories: usize,
    exact_duplicates: usize,
}

fn figures(r: &ScanResult) -> Figures {
    let c = &r.run.counts;
    let Some(view) = &r.view else {
        return Figures {
            clusters: c.clusters,
            documents_in_clusters: c.documents_in_clusters,
            duplicates: c.documents_in_clusters.saturating_sub(c.clusters),
            largest_cluster: c.largest_cluster,
            stories: c.stories,
            exact_duplicates: c.exact_duplicates,
        };
    };
    let shown: Vec<&Cluster> = r.clusters.iter().filter(|c| r.cluster_shown(c)).collect();
    let documents_in_clusters = r.cluster_of.iter().skip(view.history).filter(|c| c.is_some()).count();
    let only_new = shown.iter().filter(|c| c.members.iter().all(|&m| r.is_shown(m))).count();
    Figures {
        clusters: shown.len(),
        documents_in_clusters,
        duplicates: documents_in_clusters.saturating_sub(only_new),
        largest_cluster: shown.iter().map(|c| c.members.len()).max().unwrap_or(0),
        stories: shown_stories(r).iter().filter(|&&s| s).count(),
        // An exact duplicate's edge runs from the first document with its set (a Jaccard of
        // exactly 1, which no two distinct sets reach) to it.
        exact_duplicates: r.edges.iter().filter(|e| e.jaccard == 1.0 && r.is_shown(e.b)).count(),
    }
}

fn header(h: &mut String, r: &ScanResult, plan: &Plan) {
    let c = &r.run.counts;
    let p = &r.run.parameters;
    let f = figures(r);
    let duplicates = f.duplicates;
    let dup_share = if c.processed == 0 { 0.0 } else { duplicates as f64 / c.processed as f64 };
    h.push_str("<header id=\"run\">\n<h1>reprint report</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"lede\"><strong>{}</strong> of near-duplicates among <strong>{}</strong>: \
         <strong>{}</strong> ({}) {} another.</p>",
        count(f.clusters, "cluster", "clusters"),
        if r.view.is_some() {
            count(c.processed, "new document", "new documents")
        } else {
            count(c.processed, "document", "documents")
        },
        count(duplicates, "document", "documents"),
        pct(dup_share),
        if duplicates == 1 { "repeats" } else { "repeat" }
    );
    if let Some(view) = &r.view {
        let _ = writeln!(
            h,
            "<p class=\"note\">New articles checked against the index ({} near them): the \
             figures, outlets and charts describe the new articles; clusters and stories are those with a new \
             article, listed with the indexed articles they match. Cluster ids are the index's.</p>",
            if view.history == 0 {
                "no indexed article was".to_string()
            } else {
                format!("{} {}", count(view.history, "indexed article", "indexed articles"), if view.history == 1 { "was" } else { "were" })
            }
        );
    }
    h.push_str("<dl class=\"figures\">\n");
    let mut fig = |k: &str, v: String| {
        let _ = writeln!(h, "<div><dt>{}</dt><dd>{}</dd></div>", esc(k), v);
    };
    fig("documents", num(c.documents as u64));
    fig("processed", num(c.processed as u64));
    let skipped = if c.skipped_by_reason.is_empty() {
        "0".to_string()
    } else {
        let reasons: Vec<String> =
            c.skipped_by_reason.iter().map(|(k, v)| format!("{} {}", num(*v as u64), esc(k))).collect();
        format!("{} <small>({})</small>", num(c.skipped as u64), reasons.join(", "))
    };
    fig("skipped", skipped);
    if c.input_issues > 0 {
        fig("input problems", format!("{} <small>(see run.json)</small>", num(c.input_issues as u64)));
    }
    fig("clusters", num(f.clusters as u64));
    fig("in clusters", num(f.documents_in_clusters as u64));
    fig("duplicates", format!("{} ({})", num(duplicates as u64), pct(dup_share)));
    fig("largest cluster", num(f.largest_cluster as u64));
    fig("stories", num(f.stories as u64));
    fig("exact duplicates", num(f.exact_duplicates as u64));
    fig(
        "time",
        format!(
            "<span id=\"run-time\">{:.2} s on {} thread{}</span>",
            r.run.seconds.total,
            r.run.threads,
            if r.run.threads == 1 { "" } else { "s" }
        ),
    );
    h.push_str("</dl>\n");
    if plan.clusters_without_text > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note\">Texts are embedded for the first clusters only (up to {} MB of text); the other {} \
             clusters are listed without texts: <code>reprint show OUTDIR CLUSTER_ID</code> prints them.</p>",
            TEXT_BUDGET_BYTES >> 20,
            num(plan.clusters_without_text as u64)
        );
    }
    if plan.clusters.len() < f.clusters {
        let _ = writeln!(
            h,
            "<p class=\"note\">This page shows {} of {} clusters: the largest and the most suspicious, \
             half each (<code>--report-limit</code>). clusters.jsonl lists them all.</p>",
            num(plan.clusters.len() as u64),
            num(f.clusters as u64)
        );
    }
    h.push_str("<details class=\"params\"><summary>Inputs and parameters</summary>\n<ul class=\"inputs\">\n");
    for f in r.run.inputs.iter().take(20) {
        let _ = writeln!(h, "<li><code>{}</code> <small>{}, {} bytes</small></li>", esc(&f.path), esc(&f.format), num(f.bytes));
    }
    if r.run.inputs.len() > 20 {
        let _ = writeln!(h, "<li>and {} more files (run.json lists them)</li>", r.run.inputs.len() - 20);
    }
    h.push_str("</ul>\n<dl class=\"figures small\">\n");
    let window = match p.story_window {
        None => "none".to_string(),
        Some(s) => {
            let (count, unit) = crate::story::window_parts(s);
            format!("{count} {unit}")
        }
    };
    for (k, v) in [
        ("shingle", format!("{} words", p.shingle)),
        ("permutations", p.perms.to_string()),
        ("threshold", format!("Jaccard {}", p.threshold)),
        ("containment", p.containment.to_string()),
        ("banding", format!("{} bands × {} rows ({})", p.bands, p.rows, p.banding)),
        ("furniture", if p.furniture { "set aside".into() } else { "kept".into() }),
        ("story threshold", p.story_threshold.to_string()),
        ("story window", window),
        ("version", format!("{} {}", r.run.tool, r.run.version)),
    ] {
        let _ = writeln!(h, "<div><dt>{}</dt><dd>{}</dd></div>", esc(k), esc(&v));
    }
    h.push_str("</dl>\n");
    s_curve_figure(h, p);
    h.push_str("</details>\n</header>\n");
}

/// The run's S-curve: the probability that a pair becomes a banding candidate at each Jaccard
/// similarity, for the bands and rows the run used, with the threshold marked (the figures
/// `reprint plan` prints before a scan).
fn s_curve_figure(h: &mut String, p: &crate::engine::pipeline::Parameters) {
    use crate::sketch::lsh::candidate_probability;
    let banding = crate::config::Banding { bands: p.bands, rows: p.rows };
    let (left, top, plot_w, plot_h) = (40.0, 12.0, 260.0, 140.0);
    let (width, height) = (left + plot_w + 14.0, top + plot_h + 40.0);
    let x = |s: f64| left + s * plot_w;
    let y = |prob: f64| top + (1.0 - prob) * plot_h;
    let _ = writeln!(
        h,
        "<figure class=\"s-curve\"><svg id=\"s-curve\" role=\"img\" aria-labelledby=\"s-curve-caption\" \
         viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" class=\"chart\" \
         data-bands=\"{}\" data-rows=\"{}\" data-threshold=\"{}\">",
        p.bands, p.rows, p.threshold
    );
    let _ = writeln!(
        h,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" class=\"axis\"/>",
        y(0.0),
        x(1.0),
        y(0.0),
        y(0.0)
    );
    for t in [0.0, 0.5, 1.0] {
        let _ = writeln!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{t}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\">{t}</text>",
            x(t),
            y(0.0) + 14.0,
            left - 5.0,
            y(t)
        );
    }
    let points: Vec<String> = (0..=100)
        .map(|i| {
            let s = i as f64 / 100.0;
            format!("{:.1},{:.1}", x(s), y(candidate_probability(s, banding)))
        })
        .collect();
    let _ = writeln!(h, "<polyline points=\"{}\" class=\"curve\"/>", points.join(" "));
    let tx = x(p.threshold);
    let _ = writeln!(
        h,
        "<line x1=\"{tx:.1}\" y1=\"{top}\" x2=\"{tx:.1}\" y2=\"{:.1}\" class=\"threshold\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">threshold {}</text>",
        y(0.0),
        if p.threshold > 0.7 { tx - 4.0 } else { tx + 4.0 },
        y(0.0) - 6.0,
        if p.threshold > 0.7 { "end" } else { "start" },
        p.threshold
    );
    let gap = crate::jobs::plan::NEIGHBOUR_GAP;
    let marks: Vec<crate::jobs::plan::CurvePoint> = [p.threshold - gap, p.threshold, p.threshold + gap]
        .into_iter()
        .map(round)
        .filter(|s| (0.0..=1.0).contains(s))
        .map(|s| crate::jobs::plan::CurvePoint { similarity: s, probability: candidate_probability(s, banding) })
        .collect();
    for c in &marks {
        let _ = writeln!(
            h,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" class=\"mark\"><title>Jaccard {:.2}: {} of pairs become candidates</title></circle>",
            x(c.similarity),
            y(c.probability),
            c.similarity,
            crate::jobs::plan::percent(c.probability)
        );
    }
    let _ = writeln!(
        h,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"axis-label\">Jaccard similarity of a pair</text>",
        x(0.5),
        height - 4.0
    );
    let read: Vec<String> =
        marks.iter().map(|c| format!("{} at {:.2}", crate::jobs::plan::percent(c.probability), c.similarity)).collect();
    let _ = writeln!(
        h,
        "</svg><figcaption id=\"s-curve-caption\">Probability that a pair becomes a banding candidate, by Jaccard \
         similarity: 1 − (1 − s<sup>{r}</sup>)<sup>{b}</sup> for {b} bands × {r} rows ({}). Candidates are verified \
         exactly; pairs sharing a run of {} shingles are also found through anchors.</figcaption></figure>",
        esc(&read.join(", ")),
        p.anchor_window,
        b = p.bands,
        r = p.rows
    );
}

fn outlets_section(h: &mut String, r: &ScanResult) {
    let mut outlets: Vec<&crate::engine::pipeline::OutletStats> = r.outlets.iter().collect();
    outlets.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.outlet.cmp(&b.outlet)));
    h.push_str("<section id=\"outlets-section\" aria-labelledby=\"outlets-h\">\n<h2 id=\"outlets-h\">Outlets</h2>\n");
    if outlets.len() > OUTLETS_IN_TABLE {
        let _ = writeln!(
            h,
            "<p class=\"note\">The {OUTLETS_IN_TABLE} outlets with the most documents of {}; outlets.jsonl lists all.</p>",
            num(outlets.len() as u64)
        );
    }
    h.push_str("<div class=\"scroll\"><table id=\"outlets\">\n<caption>Per outlet: documents, the share of body words reused from earlier articles, roles and where the reused words came from. Click a heading to sort.</caption>\n<thead><tr>");
    for (key, label, numeric) in [
        ("outlet", "Outlet", false),
        ("documents", "Documents", true),
        ("reused", "Reused", true),
        ("origin", "Origins", true),
        ("copy", "Copies", true),
        ("partial", "Partial", true),
        ("unique", "Unique", true),
        ("furniture", "Boilerplate", true),
    ] {
        let _ = write!(
            h,
            "<th scope=\"col\" data-key=\"{key}\"{}><button type=\"button\">{label}</button></th>",
            if numeric { " class=\"num\"" } else { "" }
        );
    }
    h.push_str("<th scope=\"col\">Top sources</th></tr></thead>\n<tbody>\n");
    for o in outlets.iter().take(OUTLETS_IN_TABLE) {
        let name = o.outlet.as_deref().unwrap_or(NO_OUTLET);
        let sources: Vec<String> = o
            .sources
            .iter()
            .take(TOP_SOURCES)
            .map(|s| format!("{} <small>({} words)</small>", esc(s.outlet.as_deref().unwrap_or(NO_OUTLET)), num(s.words)))
            .collect();
        let _ = writeln!(
            h,
            "<tr data-outlet=\"{n}\"><th scope=\"row\" data-v=\"{n}\">{n}</th><td class=\"num\" data-v=\"{}\">{}</td>\
             <td class=\"num\" data-v=\"{}\"><span class=\"meter\" aria-hidden=\"true\"><span style=\"width:{:.1}%\"></span></span> {}</td>\
             <td class=\"num\" data-v=\"{}\">{}</td><td class=\"num\" data-v=\"{}\">{}</td><td class=\"num\" data-v=\"{}\">{}</td>\
             <td class=\"num\" data-v=\"{}\">{}</td><td class=\"num\" data-v=\"{}\">{}</td><td>{}</td></tr>",
            o.documents,
            num(o.documents as u64),
            round(o.reused_share),
            100.0 * o.reused_share,
            pct(o.reused_share),
            o.origin,
            num(o.origin as u64),
            o.copy,
            num(o.copy as u64),
            o.partial,
            num(o.partial as u64),
            o.unique,
            num(o.unique as u64),
            round(o.furniture_share),
            pct(o.furniture_share),
            if sources.is_empty() { "—".to_string() } else { sources.join(", ") },
            n = esc(name),
        );
    }
    h.push_str("</tbody>\n</table></div>\n");
    syndication_matrix(h, r);
    h.push_str("</section>\n");
}

/// Sequential single-hue scale (light to dark blue), readable by colour-blind readers; every
/// cell also carries its figure in a tooltip and, when it fits, as text.
fn shade(share: f64) -> String {
    let t = share.clamp(0.0, 1.0);
    let (r0, g0, b0) = (239.0, 243.0, 255.0);
    let (r1, g1, b1) = (8.0, 48.0, 107.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(r0, r1), mix(g0, g1), mix(b0, b1))
}

fn short(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1000..=999_999 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

fn syndication_matrix(h: &mut String, r: &ScanResult) {
    // Words taken, by (copier, source).
    let mut flow: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    let mut weight: BTreeMap<&str, u64> = BTreeMap::new();
    for o in &r.outlets {
        let to = o.outlet.as_deref().unwrap_or(NO_OUTLET);
        for s in &o.sources {
            let from = s.outlet.as_deref().unwrap_or(NO_OUTLET);
            *flow.entry((to, from)).or_default() += s.words;
            *weight.entry(to).or_default() += s.words;
            *weight.entry(from).or_default() += s.words;
        }
    }
    h.push_str("<h3 id=\"syndication-h\">Who reused whom</h3>\n");
    if flow.is_empty() {
        h.push_str("<p class=\"note\">No outlet reused words from another.</p>\n<svg id=\"syndication\" role=\"img\" aria-label=\"no reuse between outlets\" viewBox=\"0 0 10 10\" width=\"10\" height=\"10\"></svg>\n");
        return;
    }
    let mut ranked: Vec<(&str, u64)> = weight.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let names: Vec<&str> = ranked.iter().take(MATRIX_OUTLETS).map(|x| x.0).collect();
    let max = names
        .iter()
        .flat_map(|&a| names.iter().map(move |&b| (a, b)))
        .filter_map(|k| flow.get(&k))
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    let (label_w, label_h, cell) = (150.0, 110.0, 34.0);
    let n = names.len() as f64;
    let (width, height) = (label_w + n * cell + 40.0, label_h + n * cell + 10.0);
    let clip = |s: &str| if s.chars().count() > 22 { format!("{}…", s.chars().take(21).collect::<String>()) } else { s.to_string() };
    let _ = writeln!(
        h,
        "<p class=\"note\">Rows reused words from columns (body words inside passages taken from an earlier article); \
         darker is more, relative to the largest flow ({} words). The {} most involved.</p>",
        num(max),
        count(names.len(), "outlet", "outlets")
    );
    let _ = writeln!(
        h,
        "<div class=\"scroll\"><svg id=\"syndication\" role=\"img\" aria-labelledby=\"syndication-h\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" class=\"matrix\">"
    );
    for (i, name) in names.iter().enumerate() {
        let y = label_h + i as f64 * cell + cell / 2.0;
        let x = label_w + i as f64 * cell + cell / 2.0;
        let _ = writeln!(h, "<text x=\"{}\" y=\"{y}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}<title>{}</title></text>", label_w - 6.0, esc(&clip(name)), esc(name));
        let _ = writeln!(h, "<text transform=\"translate({x},{}) rotate(-55)\" text-anchor=\"start\" dominant-baseline=\"middle\">{}<title>{}</title></text>", label_h - 6.0, esc(&clip(name)), esc(name));
    }
    for (i, to) in names.iter().enumerate() {
        for (j, from) in names.iter().enumerate() {
            let words = flow.get(&(*to, *from)).copied().unwrap_or(0);
            let (x, y) = (label_w + j as f64 * cell, label_h + i as f64 * cell);
            let t = words as f64 / max as f64;
            let _ = write!(
                h,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"{}\" stroke=\"#fff\"><title>{} reused {} words from {}</title></rect>",
                if words == 0 { "#f7f7f7".to_string() } else { shade(0.15 + 0.85 * t) },
                esc(to),
                num(words),
                esc(from)
            );
            if words > 0 {
                let _ = write!(
                    h,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"middle\" class=\"cell{}\">{}</text>",
                    x + cell / 2.0,
                    y + cell / 2.0,
                    if t > 0.45 { " on-dark" } else { "" },
                    short(words)
                );
            }
            h.push('\n');
        }
    }
    h.push_str("</svg></div>\n");
}

/// A bar chart as inline SVG: one bar per bin with its count above it.
fn bar_chart(h: &mut String, id: &str, title: &str, x_label: &str, bins: &[(String, u64)]) {
    let (left, bottom, top, bar_w, gap, plot_h) = (44.0, 40.0, 18.0, 44.0, 8.0, 160.0);
    let max = bins.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let width = left + bins.len() as f64 * (bar_w + gap) + 10.0;
    let height = top + plot_h + bottom;
    let _ = writeln!(
        h,
        "<figure><svg id=\"{id}\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {width} {height}\" class=\"chart\">",
        esc(title)
    );
    let _ = writeln!(h, "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>", top + plot_h, width - 6.0, top + plot_h);
    for (k, (label, count)) in bins.iter().enumerate() {
        let x = left + k as f64 * (bar_w + gap);
        let bh = if *count == 0 { 0.0 } else { (plot_h * *count as f64 / max).max(1.5) };
        let y = top + plot_h - bh;
        let _ = writeln!(
            h,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{bar_w}\" height=\"{bh}\" class=\"bar\"><title>{}: {}</title></rect>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"count\">{}</text>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            esc(label),
            num(*count),
            x + bar_w / 2.0,
            y - 4.0,
            short(*count),
            x + bar_w / 2.0,
            top + plot_h + 16.0,
            esc(label)
        );
    }
    let _ = writeln!(h, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis-label\">{}</text>", width / 2.0, height - 4.0, esc(x_label));
    let _ = writeln!(h, "</svg><figcaption>{}</figcaption></figure>", esc(title));
}

fn charts_section(h: &mut String, r: &ScanResult) {
    h.push_str("<section id=\"charts\" aria-labelledby=\"charts-h\">\n<h2 id=\"charts-h\">Distributions</h2>\n<div class=\"charts\">\n");
    let mut sizes = vec![0u64; SIZE_BINS.len() + 1];
    for c in r.clusters.iter().filter(|c| r.cluster_shown(c)) {
        let k = SIZE_BINS.iter().position(|&hi| c.members.len() <= hi).unwrap_or(SIZE_BINS.len());
        sizes[k] += 1;
    }
    let mut lo = 2;
    let mut bins: Vec<(String, u64)> = Vec::new();
    for (k, &count) in sizes.iter().enumerate() {
        let label = match SIZE_BINS.get(k) {
            Some(&hi) if hi == lo => hi.to_string(),
            Some(&hi) => format!("{lo}–{hi}"),
            None => format!("{lo}+"),
        };
        if let Some(&hi) = SIZE_BINS.get(k) {
            lo = hi + 1;
        }
        bins.push((label, count));
    }
    bar_chart(h, "chart-sizes", "Clusters by size (documents per cluster)", "documents in the cluster", &bins);
    // Reuse share of processed documents: none, then tenths.
    let mut reuse = [0u64; 11];
    let from = r.view.as_ref().map_or(0, |v| v.history);
    for x in r.reuse.iter().skip(from).flatten() {
        let k = if x.reuse <= 0.0 { 0 } else { ((x.reuse * 10.0).ceil() as usize).clamp(1, 10) };
        reuse[k] += 1;
    }
    let bins: Vec<(String, u64)> = reuse
        .iter()
        .enumerate()
        .map(|(k, &c)| (if k == 0 { "none".to_string() } else { format!("≤{}%", k * 10) }, c))
        .collect();
    bar_chart(h, "chart-reuse", "Documents by share of their text reused from earlier articles", "share of body words reused", &bins);
    h.push_str("</div>\n</section>\n");
}

const CLUSTERS_SECTION: &str = r#"<section id="clusters" aria-labelledby="clusters-h">
<h2 id="clusters-h">Clusters</h2>
<div class="controls">
<label>Order <select id="cluster-sort"><option value="largest">largest first</option><option value="suspicious">suspicious first</option></select></label>
<label>Outlet <select id="cluster-outlet"><option value="">all outlets</option></select></label>
<label>Search titles <input id="cluster-search" type="search" placeholder="words in a title"></label>
<span id="cluster-count" role="status" aria-live="polite"></span>
</div>
<ol id="cluster-list"></ol>
<nav id="cluster-pages" aria-label="cluster pages"></nav>
</section>
"#;

const CLUSTER_VIEW: &str = r#"<section id="cluster-view" hidden aria-labelledby="cluster-h">
<h2 id="cluster-h">Cluster</h2>
<p id="cluster-summary"></p>
<div class="scroll"><table id="members"><caption>Members, origin first then by date. Click a row to compare it with its source.</caption>
<thead><tr><th scope="col">Document</th><th scope="col">Outlet</th><th scope="col">Date</th><th scope="col">Title</th><th scope="col">Role</th><th scope="col" class="num">Reuse</th><th scope="col" class="num">Similarity to origin</th></tr></thead>
<tbody></tbody></table></div>
<h3>Side by side</h3>
<p class="legend"><mark class="passage">reused passage</mark> <del class="furniture">boilerplate (set aside)</del></p>
<div class="controls"><label>Left <select id="compare-left"></select></label> <label>Right <select id="compare-right"></select></label> <span id="compare-figures"></span></div>
<div class="compare"><div><h4 id="text-left-h"></h4><div id="text-left" class="text"></div></div><div><h4 id="text-right-h"></h4><div id="text-right" class="text"></div></div></div>
</section>
"#;

fn stories_section(h: &mut String, r: &ScanResult, plan: &Plan) {
    h.push_str("<section id=\"stories\" aria-labelledby=\"stories-h\">\n<h2 id=\"stories-h\">Stories</h2>\n");
    let total = shown_stories(r).iter().filter(|&&s| s).count();
    if total == 0 {
        h.push_str("<p class=\"note\">No story was told by two or more articles in other words.</p>\n");
    } else {
        let _ = writeln!(
            h,
            "<p class=\"note\">Articles telling the same story, copied or in other words: each time line has a row per \
             outlet; dots of one colour are one copy cluster (grey: no copy). Showing {} of {} stories, largest first.</p>",
            num(plan.stories.len() as u64),
            num(total as u64)
        );
    }
    h.push_str("<ol id=\"story-list\"></ol>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("<script>\"a\" & 'b'</script>"), "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;");
    }

    #[test]
    fn utf16_offsets_count_astral_characters_twice() {
        let text = "Zürich — “quoted” 🙂 end";
        let map = Utf16Map::new(text);
        let chars: Vec<char> = text.chars().collect();
        for k in 0..=chars.len() {
            let expect: usize = chars[..k].iter().map(|c| c.len_utf16()).sum();
            assert_eq!(map.get(k as u32) as usize, expect, "at char {k}");
        }
        assert_eq!(Utf16Map::new("plain").get(3), 3);
    }

    #[test]
    fn island_json_cannot_close_the_script_element() {
        let data = PageData {
            shown_clusters: 0,
            total_clusters: 0,
            shown_stories: 0,
            total_stories: 0,
            members_with_text: 0,
            shingle: 5,
            outlets: vec!["</script><script>alert(1)</script>", "a&b"],
            docs: Vec::new(),
            clusters: Vec::new(),
            stories: Vec::new(),
        };
        let json = island_json(&data);
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["outlets"][0], "</script><script>alert(1)</script>");
    }

    #[test]
    fn furniture_is_struck_through_to_the_ends_of_its_lines() {
        let text = "Share:\nBody text here.\n  By Jane Doe |  desk  \nEnd";
        // "Share" and "By Jane Doe |  desk", first word to last word.
        let wide = whole_lines(text, &[[0, 5], [25, 44]]);
        let chars: Vec<char> = text.chars().collect();
        let piece = |[s, e]: [u32; 2]| chars[s as usize..e as usize].iter().collect::<String>();
        assert_eq!(piece(wide[0]), "Share:");
        assert_eq!(piece(wide[1]), "  By Jane Doe |  desk  ");
        assert!(whole_lines(text, &[]).is_empty());
    }

    #[test]
    fn long_texts_are_cut_with_a_note() {
        let text = "é".repeat(MAX_TEXT_CHARS + 5);
        let (cut, _, note) = embed_text(&text);
        assert_eq!(cut.chars().count(), MAX_TEXT_CHARS);
        assert!(note.unwrap().contains(&(MAX_TEXT_CHARS + 5).to_string()));
        assert!(embed_text("short").2.is_none());
    }

    fn edge(a: u32, b: u32, j: f64) -> Edge {
        Edge {
            a,
            b,
            jaccard: j,
            containment_ab: j,
            containment_ba: j,
            kind: crate::matching::verify::EdgeKind::NearDuplicate,
            a_words: 0,
            b_words: 0,
        }
    }

    #[test]
    fn a_single_edge_between_two_groups_is_a_splitting_bridge() {
        // Two triangles joined by one edge: one bridge, both sides of three.
        let edges = vec![edge(0, 1, 0.9), edge(1, 2, 0.9), edge(0, 2, 0.9), edge(2, 3, 0.5), edge(3, 4, 0.9), edge(4, 5, 0.9), edge(3, 5, 0.9)];
        let c = Cluster { id: 0, members: (0..6).collect(), edges };
        assert_eq!(splitting_bridges(&c), 1);
        // A star (origin and copies) has bridges, but each cuts off one document: none count.
        let star = Cluster { id: 1, members: (0..5).collect(), edges: (1..5).map(|k| edge(0, k, 0.9)).collect() };
        assert_eq!(splitting_bridges(&star), 0);
        // A chain of four: the middle edge splits 2 + 2.
        let chain = Cluster { id: 2, members: (0..4).collect(), edges: vec![edge(0, 1, 0.9), edge(1, 2, 0.9), edge(2, 3, 0.9)] };
        assert_eq!(splitting_bridges(&chain), 1);
    }
}
