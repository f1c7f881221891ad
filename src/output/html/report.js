// reprint report: cluster list, cluster view and story time lines, drawn from the JSON island.
// Article text is inserted only as text nodes (never as HTML).
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("reprint-data").textContent);
  var PAGE_SIZE = 50;
  var PAGE_WINDOW = 3;
  var PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"];
  var NO_OUTLET = "(none)";
  var SVG = "http://www.w3.org/2000/svg";
  var docs = D.docs, clusters = D.clusters;
  // Absent fields are omitted from the data: restore them as null.
  var FIELDS = ["outlet", "date", "ts", "title", "role", "reuse", "cluster", "story", "source", "text", "note"];
  docs.forEach(function (d) {
    FIELDS.forEach(function (f) { if (d[f] === undefined) d[f] = null; });
    if (!d.furniture) d.furniture = [];
  });
  var byId = new Map();
  clusters.forEach(function (c) {
    byId.set(c.id, c);
    c.search = c.members.map(function (m) { return (docs[m].title || "") + "\n" + docs[m].id; }).join("\n").toLowerCase();
  });

  function $(sel) { return document.querySelector(sel); }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var kid = arguments[i];
      if (kid === null || kid === undefined) continue;
      node.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
    }
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function pct(x) { return x === null || x === undefined ? "—" : (100 * x).toFixed(1) + "%"; }
  function num(n) { return n.toLocaleString("en-US"); }
  function outletOf(d) { return d.outlet === null ? NO_OUTLET : d.outlet; }
  function label(d) { return d.title ? d.title : d.id; }
  function edgeKey(a, b) { return a < b ? a + "-" + b : b + "-" + a; }

  // ---- outlets table: click a heading to sort
  var outletTable = $("#outlets");
  if (outletTable) {
    var heads = outletTable.querySelectorAll("thead th[data-key]");
    heads.forEach(function (th, col) {
      th.querySelector("button").addEventListener("click", function () {
        var was = th.getAttribute("aria-sort");
        var asc = was ? was === "descending" : !th.classList.contains("num");
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var numeric = th.classList.contains("num");
        var body = outletTable.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
          var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
          if (c === 0) c = a.getAttribute("data-outlet").localeCompare(b.getAttribute("data-outlet"));
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  // ---- cluster list
  var state = { order: "largest", outlet: "", query: "", page: 0, list: [] };
  var outletSelect = $("#cluster-outlet");
  D.outlets.forEach(function (o) { outletSelect.appendChild(el("option", { value: o, text: o })); });

  function suspicious(a, b) {
    return (b.bridges - a.bridges) || (a.weakest - b.weakest) || (a.id - b.id);
  }
  function largest(a, b) { return (b.size - a.size) || (a.id - b.id); }

  function refresh() {
    var q = state.query.trim().toLowerCase();
    state.list = clusters.filter(function (c) {
      if (state.outlet && c.outlets.indexOf(state.outlet) < 0) return false;
      return !q || c.search.indexOf(q) >= 0;
    });
    state.list.sort(state.order === "suspicious" ? suspicious : largest);
    var pages = Math.max(1, Math.ceil(state.list.length / PAGE_SIZE));
    if (state.page >= pages) state.page = pages - 1;
    renderList();
  }

  function clusterItem(c) {
    var origin = docs[c.origin];
    var flags = [];
    if (c.bridges) flags.push(c.bridges + (c.bridges === 1 ? " bridge" : " bridges"));
    var kinds = {};
    c.edges.forEach(function (e) { kinds[e[2]] = true; });
    var outlets = c.outlets.slice(0, 3).join(", ") + (c.outlets.length > 3 ? " +" + (c.outlets.length - 3) : "");
    var dates = c.members.map(function (m) { return docs[m].date; }).filter(Boolean).sort();
    var span = dates.length ? (dates[0] === dates[dates.length - 1] ? dates[0] : dates[0] + " – " + dates[dates.length - 1]) : "";
    return el("li", { "data-cluster": String(c.id) },
      el("span", { className: "badge", title: "documents", text: String(c.size) }),
      el("a", { className: "open-cluster", href: "#cluster-" + c.id, text: label(origin) }),
      flags.length ? el("span", { className: "flag", text: " ⚠ " + flags.join(", ") }) : null,
      el("div", { className: "meta", text: "#" + c.id + " · " + c.outlets.length + " outlet" + (c.outlets.length === 1 ? "" : "s") +
        " (" + outlets + ")" + (span ? " · " + span : "") + " · weakest edge " + c.weakest.toFixed(2) +
        " · min Jaccard " + c.min_jaccard.toFixed(2) + " · " + Object.keys(kinds).sort().join(", ") }));
  }

  function renderList() {
    var list = $("#cluster-list");
    list.textContent = "";
    var start = state.page * PAGE_SIZE;
    state.list.slice(start, start + PAGE_SIZE).forEach(function (c) { list.appendChild(clusterItem(c)); });
    var total = clusters.length;
    var count = state.list.length === total ? num(total) + " clusters" : num(state.list.length) + " of " + num(total) + " clusters";
    if (D.total_clusters > total) count += " (of " + num(D.total_clusters) + " in the run)";
    $("#cluster-count").textContent = count;
    list.setAttribute("start", String(start + 1));
    renderPages();
  }

  function renderPages() {
    var nav = $("#cluster-pages");
    nav.textContent = "";
    var pages = Math.ceil(state.list.length / PAGE_SIZE);
    if (pages <= 1) return;
    function go(p) { state.page = p; renderList(); $("#clusters").scrollIntoView(); }
    function step(text, p, name) {
      var b = el("button", { type: "button", "data-step": name, text: text, "aria-label": name + " page" });
      if (p < 0 || p >= pages || p === state.page) b.disabled = true;
      b.addEventListener("click", function () { go(p); });
      nav.appendChild(b);
    }
    step("‹", state.page - 1, "previous");
    var shown = [];
    for (var p = 0; p < pages; p++) {
      if (p === 0 || p === pages - 1 || Math.abs(p - state.page) <= PAGE_WINDOW) shown.push(p);
    }
    shown.forEach(function (p, k) {
      if (k > 0 && p > shown[k - 1] + 1) nav.appendChild(el("span", { text: "…" }));
      var b = el("button", { type: "button", "data-page": String(p), text: String(p + 1) });
      if (p === state.page) b.setAttribute("aria-current", "page");
      b.addEventListener("click", function () { go(p); });
      nav.appendChild(b);
    });
    step("›", state.page + 1, "next");
  }

  // A link to the cluster already open does not change the hash: open it anyway.
  $("#cluster-list").addEventListener("click", function (e) {
    var a = e.target.closest("a.open-cluster");
    if (a && a.getAttribute("href") === location.hash) route();
  });
  $("#cluster-sort").addEventListener("change", function (e) { state.order = e.target.value; state.page = 0; refresh(); });
  outletSelect.addEventListener("change", function (e) { state.outlet = e.target.value; state.page = 0; refresh(); });
  $("#cluster-search").addEventListener("input", function (e) { state.query = e.target.value; state.page = 0; refresh(); });

  // ---- cluster view
  var view = $("#cluster-view");
  var current = null;

  function edgesOf(c) {
    var map = new Map();
    c.edges.forEach(function (e) { map.set(edgeKey(e[0], e[1]), e); });
    return map;
  }

  function membersInOrder(c) {
    var rest = c.members.filter(function (m) { return m !== c.origin; });
    rest.sort(function (a, b) {
      var ta = docs[a].ts, tb = docs[b].ts;
      if (ta !== null && tb !== null && ta !== tb) return ta - tb;
      if ((ta === null) !== (tb === null)) return ta === null ? 1 : -1;
      return a - b;
    });
    return [c.origin].concat(rest);
  }

  function openCluster(id) {
    var c = byId.get(id);
    view.hidden = false;
    if (!c) {
      view.setAttribute("data-cluster", String(id));
      $("#cluster-h").textContent = "Cluster " + id;
      $("#cluster-summary").textContent = "Cluster " + id + " is not in this report (see clusters.jsonl, or raise --report-limit).";
      $("#members tbody").textContent = "";
      $("#text-left").textContent = "";
      $("#text-right").textContent = "";
      return;
    }
    current = { c: c, edges: edgesOf(c), order: membersInOrder(c) };
    view.setAttribute("data-cluster", String(c.id));
    var origin = docs[c.origin];
    $("#cluster-h").textContent = "Cluster " + c.id + ": " + label(origin);
    $("#cluster-summary").textContent = c.size + " documents from " + c.outlets.length + " outlet" +
      (c.outlets.length === 1 ? "" : "s") + ". Origin " + origin.id + " (" + c.reason + "). Weakest edge " +
      c.weakest.toFixed(3) + ", lowest Jaccard " + c.min_jaccard.toFixed(3) +
      (c.bridges ? ". ⚠ " + c.bridges + " bridge" + (c.bridges === 1 ? "" : "s") + ": a single pair joins two groups" : "") + ".";
    var body = $("#members tbody");
    body.textContent = "";
    current.order.forEach(function (m) {
      var d = docs[m];
      var e = m === c.origin ? null : current.edges.get(edgeKey(m, c.origin));
      var sim = m === c.origin ? "origin" : e ? e[3].toFixed(3) : "—";
      var tr = el("tr", { "data-doc": d.id, "data-role": d.role || "unique" },
        el("td", null, el("code", { text: d.id })), el("td", { text: outletOf(d) }), el("td", { text: d.date || "" }),
        el("td", { text: d.title || "" }), el("td", { text: d.role || "" }), el("td", { className: "num", "data-label": "reuse", text: pct(d.reuse) }),
        el("td", { className: "num", "data-label": "similarity", text: sim, title: e ? "Jaccard " + e[3] + ", containment " + e[4] + " / " + e[5] + " (" + e[2] + ")" : "" }));
      tr.addEventListener("click", function () { compare(m, sourceFor(m)); });
      body.appendChild(tr);
    });
    fillSelect($("#compare-left"));
    fillSelect($("#compare-right"));
    var first = current.order.filter(function (m) { return m !== c.origin && docs[m].text !== null; })[0];
    if (first === undefined) first = current.order[1];
    compare(first, sourceFor(first));
  }

  function sourceFor(m) {
    var c = current.c, s = docs[m].source;
    if (m === c.origin) return current.order[1];
    return s !== null && c.members.indexOf(s) >= 0 ? s : c.origin;
  }

  function fillSelect(sel) {
    sel.textContent = "";
    current.order.forEach(function (m) {
      var d = docs[m];
      var text = d.id + " · " + outletOf(d) + (d.text === null ? " (text not in report)" : "");
      sel.appendChild(el("option", { value: d.id, text: text }));
    });
  }

  function indexOfId(id) {
    var found = -1;
    current.c.members.forEach(function (m) { if (docs[m].id === id) found = m; });
    return found;
  }

  $("#compare-left").addEventListener("change", function (e) { compare(indexOfId(e.target.value), current.right); });
  $("#compare-right").addEventListener("change", function (e) { compare(current.left, indexOfId(e.target.value)); });

  function compare(left, right) {
    current.left = left;
    current.right = right;
    $("#compare-left").value = docs[left].id;
    $("#compare-right").value = docs[right].id;
    view.querySelectorAll("#members tbody tr").forEach(function (tr) {
      tr.classList.toggle("selected", tr.getAttribute("data-doc") === docs[left].id);
    });
    var e = left === right ? null : current.edges.get(edgeKey(left, right));
    var leftSpans = [], rightSpans = [];
    var written = e && e[6].length > 0;
    if (written) {
      var leftIsA = e[0] === left;
      e[6].forEach(function (p, n) {
        var a = [p[0], p[1], n, p[4]], b = [p[2], p[3], n, p[4]];
        leftSpans.push(leftIsA ? a : b);
        rightSpans.push(leftIsA ? b : a);
      });
    } else if (left !== right && docs[left].text !== null && docs[right].text !== null) {
      // reprint writes passages only for the pairs a member's reuse is counted from; any
      // other pair is aligned here, the same way on the texts as shown (approximately).
      alignInPage(docs[left].text, docs[right].text).forEach(function (p, n) {
        leftSpans.push([p[0], p[1], n, p[4]]);
        rightSpans.push([p[2], p[3], n, p[4]]);
      });
    }
    var count = leftSpans.length + " passage" + (leftSpans.length === 1 ? "" : "s");
    var fig = $("#compare-figures");
    if (left === right) fig.textContent = "the same document";
    else if (written) fig.textContent = e[2].replace("_", " ") + " · Jaccard " + e[3].toFixed(3) + " · " + count;
    else fig.textContent = (e ? e[2].replace("_", " ") + " · Jaccard " + e[3].toFixed(3) : "no verified pair between these two") +
      " · " + count + " found in the page (approximate: passages are kept for each member and its sources)";
    renderText("left", left, leftSpans);
    renderText("right", right, rightSpans);
  }

  // Shared passages of two texts, as reprint finds them: runs of at least MIN_RUN matching
  // word SHINGLEs on one diagonal, runs closer than MERGE_GAP words in both texts merged,
  // passages of at least MIN_WORDS words. Words are letters and digits, lowercased with
  // accents stripped. Returns [leftStart, leftEnd, rightStart, rightEnd, words] in UTF-16
  // offsets.
  var SHINGLE = D.shingle, MIN_RUN = 2, MERGE_GAP = 8, MIN_WORDS = 10, MAX_POSITIONS = 64;
  function wordsOf(t) {
    var out = [], re = /[\p{L}\p{N}]+/gu, m;
    while ((m = re.exec(t)) !== null) {
      out.push({ key: m[0].normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase(), start: m.index, end: m.index + m[0].length });
    }
    return out;
  }
  function alignInPage(leftText, rightText) {
    var a = wordsOf(leftText), b = wordsOf(rightText), k = SHINGLE;
    if (a.length < k || b.length < k) return [];
    var gram = function (w, i) { return w.slice(i, i + k).map(function (x) { return x.key; }).join(" "); };
    var at = new Map();
    for (var j = 0; j + k <= b.length; j++) {
      var g = gram(b, j), list = at.get(g);
      if (!list) at.set(g, list = []);
      if (list.length < MAX_POSITIONS) list.push(j);
    }
    var runs = [], open = new Map();
    for (var i = 0; i + k <= a.length; i++) {
      var next = new Map();
      (at.get(gram(a, i)) || []).forEach(function (j) {
        var run = open.get(j - 1);
        if (run) { run.ai = i; run.bj = j; run.len++; } else { run = { a0: i, b0: j, ai: i, bj: j, len: 1 }; runs.push(run); }
        next.set(j, run);
      });
      open = next;
    }
    runs = runs.filter(function (r) { return r.len >= MIN_RUN; })
      .map(function (r) { return [r.a0, r.ai + k, r.b0, r.bj + k]; })
      .sort(function (x, y) { return x[0] - y[0] || x[2] - y[2]; });
    var merged = [];
    runs.forEach(function (r) {
      var m = merged[merged.length - 1];
      if (m && r[0] >= m[0] && r[0] <= m[1] + MERGE_GAP && r[2] >= m[2] && r[2] <= m[3] + MERGE_GAP) {
        m[1] = Math.max(m[1], r[1]); m[3] = Math.max(m[3], r[3]);
      } else merged.push(r.slice());
    });
    return merged.filter(function (m) { return m[1] - m[0] >= MIN_WORDS && m[3] - m[2] >= MIN_WORDS; })
      .map(function (m) { return [a[m[0]].start, a[m[1] - 1].end, b[m[2]].start, b[m[3] - 1].end, m[1] - m[0]]; });
  }

  function renderText(side, m, passages) {
    var d = docs[m];
    var box = $("#text-" + side);
    box.setAttribute("data-doc", d.id);
    $("#text-" + side + "-h").textContent = d.id + " · " + outletOf(d) + (d.date ? " · " + d.date : "") +
      (d.role ? " · " + d.role : "");
    box.textContent = "";
    if (d.note) box.appendChild(el("p", { className: "missing", text: d.note }));
    if (d.text === null) {
      if (!d.note) box.appendChild(el("p", { className: "missing", text: "Text not in this report (only " +
        D.members_with_text + " members of a cluster carry text); reprint show prints it." }));
      return;
    }
    var t = d.text;
    var cuts = [0, t.length];
    passages.forEach(function (p) { cuts.push(Math.min(p[0], t.length), Math.min(p[1], t.length)); });
    d.furniture.forEach(function (f) { cuts.push(Math.min(f[0], t.length), Math.min(f[1], t.length)); });
    cuts = Array.from(new Set(cuts)).sort(function (a, b) { return a - b; });
    for (var k = 0; k + 1 < cuts.length; k++) {
      var s = cuts[k], e = cuts[k + 1];
      var piece = document.createTextNode(t.slice(s, e));
      var furn = d.furniture.some(function (f) { return f[0] <= s && e <= f[1]; });
      var pas = passages.filter(function (p) { return p[0] <= s && e <= p[1]; })[0];
      var node = piece;
      if (furn) node = el("del", { className: "furniture", title: "boilerplate, set aside" }, node);
      if (pas) {
        node = el("mark", { className: "passage", "data-n": String(pas[2]),
          title: "passage " + (pas[2] + 1) + " · " + pas[3] + " words" }, node);
        node.addEventListener("click", jump);
      }
      box.appendChild(node);
    }
    var first = box.querySelector("mark.passage");
    box.scrollTop = first ? Math.max(0, first.offsetTop - box.offsetTop - 24) : 0;
  }

  function jump(ev) {
    var mine = ev.currentTarget;
    var other = mine.closest("#text-left") ? $("#text-right") : $("#text-left");
    var peer = other.querySelector('mark.passage[data-n="' + mine.getAttribute("data-n") + '"]');
    if (!peer) return;
    peer.scrollIntoView({ block: "center" });
    peer.classList.add("flash");
    setTimeout(function () { peer.classList.remove("flash"); }, 1200);
  }

  // ---- stories
  function timeline(story) {
    var members = story.members.slice();
    var rows = story.outlets.slice();
    var W = 900, left = 170, right = 20, top = 10, rowH = 22;
    var H = top + rows.length * rowH + 34;
    var box = svg("svg", { "class": "timeline", viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "time line of story " + story.id });
    var ts = members.map(function (m) { return docs[m].ts; }).filter(function (x) { return x !== null; });
    var lo = ts.length ? Math.min.apply(null, ts) : 0, hi = ts.length ? Math.max.apply(null, ts) : 0;
    function x(m, k) {
      var t = docs[m].ts;
      if (t === null || hi === lo) return left + (W - left - right) * (members.length === 1 ? 0.5 : k / (members.length - 1));
      return left + (W - left - right) * (t - lo) / (hi - lo);
    }
    rows.forEach(function (o, i) {
      var y = top + i * rowH + rowH / 2;
      box.appendChild(svg("line", { x1: left, x2: W - right, y1: y, y2: y, "class": "grid" }));
      var t = svg("text", { x: left - 8, y: y, "text-anchor": "end", "dominant-baseline": "middle" });
      t.textContent = o.length > 26 ? o.slice(0, 25) + "…" : o;
      box.appendChild(t);
    });
    var dated = members.filter(function (m) { return docs[m].date; }).sort(function (a, b) { return (docs[a].ts || 0) - (docs[b].ts || 0); });
    if (dated.length) {
      [[dated[0], "start"], [dated[dated.length - 1], "end"]].forEach(function (pair) {
        var t = svg("text", { x: pair[1] === "start" ? left : W - right, y: H - 8, "text-anchor": pair[1] });
        t.textContent = docs[pair[0]].date;
        box.appendChild(t);
      });
    }
    members.forEach(function (m, k) {
      var d = docs[m];
      var row = rows.indexOf(outletOf(d));
      var ci = d.cluster === null ? -1 : story.clusters.indexOf(d.cluster);
      var dot = svg("circle", { cx: x(m, k), cy: top + Math.max(0, row) * rowH + rowH / 2, r: 6,
        fill: ci < 0 ? "#9a9a9a" : PALETTE[ci % PALETTE.length] });
      var tip = svg("title");
      tip.textContent = label(d) + " — " + outletOf(d) + (d.date ? ", " + d.date : "") +
        (d.cluster !== null ? " (copy cluster " + d.cluster + ")" : "");
      dot.appendChild(tip);
      if (d.cluster !== null && byId.has(d.cluster)) {
        dot.addEventListener("click", function () { location.hash = "#cluster-" + d.cluster; });
      }
      box.appendChild(dot);
    });
    return box;
  }

  var storyList = $("#story-list");
  D.stories.forEach(function (s) {
    var head = "Story " + s.id + " · " + s.size + " articles · " + s.outlets.length + " outlet" + (s.outlets.length === 1 ? "" : "s") +
      (s.date_span[0] ? " · " + s.date_span[0] + (s.date_span[1] && s.date_span[1] !== s.date_span[0] ? " – " + s.date_span[1] : "") : "");
    var links = el("span", null);
    s.clusters.forEach(function (cid, i) {
      if (i) links.appendChild(document.createTextNode(", "));
      links.appendChild(byId.has(cid) ? el("a", { href: "#cluster-" + cid, text: "#" + cid }) : el("span", { text: "#" + cid }));
    });
    storyList.appendChild(el("li", { "data-story": String(s.id) },
      el("strong", { text: s.origin !== null ? label(docs[s.origin]) : "Story " + s.id }),
      el("div", { className: "meta", text: head + " · terms: " + s.terms.join(", ") }),
      s.clusters.length ? el("div", { className: "meta" }, "copy clusters: ", links) : null,
      timeline(s)));
  });

  // ---- routing and printing
  function route() {
    var m = /^#cluster-(\d+)$/.exec(location.hash);
    if (m) {
      openCluster(parseInt(m[1], 10));
      view.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", route);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  refresh();
  route();
  document.body.dataset.ready = "1";
})();
