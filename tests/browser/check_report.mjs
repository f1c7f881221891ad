#!/usr/bin/env node
// Checks one `report.html` written by `reprint scan` in headless Chromium, driven by
// playwright-core, against the scan's own JSONL outputs. Run by tests/browser.rs:
//
//   node tests/browser/check_report.mjs --out OUTDIR --screenshots DIR --scenario NAME
//        [--report OUTDIR/report.html] [--base DIR] [--report-limit N]
//
// Every expectation is derived from OUTDIR's clusters.jsonl, documents.jsonl, outlets.jsonl,
// passages.jsonl and stories.jsonl, and from the input texts named by documents.jsonl's
// `input` (FILE:LINE, relative paths resolved against --base, default the working directory).
// Scenarios: `corpus` (the common checks), `generated` (adds sorting, filtering, searching,
// pagination and opening by URL hash; give --report-limit), `hostile` (an article whose title
// and text hold markup must be shown literally and never run).
//
// Any request other than the report file itself (data: URLs excepted), any console error,
// uncaught page error or dialog is a failure. Screenshots are written to DIR for a person to
// look at. Prints one line per check and exits 1 if any failed (2 on a usage error).

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error(`cannot load playwright-core (${e.message}); install it with: npm ci --prefix tests/browser`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Arguments and expectations

const { values: opt } = parseArgs({
  options: {
    report: { type: 'string' },
    out: { type: 'string' },
    screenshots: { type: 'string' },
    scenario: { type: 'string', default: 'corpus' },
    base: { type: 'string', default: process.cwd() },
    'report-limit': { type: 'string' },
  },
});
if (!opt.out || !opt.screenshots || !['corpus', 'generated', 'hostile'].includes(opt.scenario)) {
  console.error('usage: check_report.mjs --out OUTDIR --screenshots DIR --scenario corpus|generated|hostile '
    + '[--report FILE] [--base DIR] [--report-limit N]');
  process.exit(2);
}
const OUT = path.resolve(opt.out);
const REPORT = path.resolve(opt.report ?? path.join(OUT, 'report.html'));
const SHOTS = path.resolve(opt.screenshots);
const CHROMIUM = process.env.REPRINT_CHROMIUM || '/usr/bin/chromium';
const PAGE_SIZE = 50; // the report's cluster list page size (DOM contract)
const WAIT = 15_000; // ms for any one thing to appear
const TOTAL = 240_000; // ms for the whole script
const FULL_PAGE_MAX = 20_000; // px: taller pages get no full-page screenshot

const results = { passed: 0, failed: 0 };
function pass(msg) {
  results.passed++;
  console.log(`ok   ${msg}`);
}
function fail(msg) {
  results.failed++;
  console.log(`FAIL ${msg}`);
}
function check(cond, msg, detail) {
  if (cond) pass(msg);
  else fail(detail === undefined ? msg : `${msg}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
  return !!cond;
}
/** Runs one group of checks; an exception fails the group and the run goes on. */
async function step(name, fn) {
  console.log(`-- ${name}`);
  try {
    return await fn();
  } catch (e) {
    fail(`${name}: ${e.stack || e}`);
    return undefined;
  }
}

const bail = setTimeout(() => {
  console.log(`FAIL the checks did not finish within ${TOTAL / 1000} s`);
  process.exit(1);
}, TOTAL);

for (const f of [REPORT, path.join(OUT, 'clusters.jsonl'), path.join(OUT, 'documents.jsonl')]) {
  if (!fs.existsSync(f)) {
    console.log(`FAIL ${path.basename(f)} missing: ${f}`);
    process.exit(1);
  }
}
fs.mkdirSync(SHOTS, { recursive: true });

function readJsonl(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
const clusters = readJsonl(path.join(OUT, 'clusters.jsonl'));
const documents = readJsonl(path.join(OUT, 'documents.jsonl'));
const outlets = readJsonl(path.join(OUT, 'outlets.jsonl'));
const passages = readJsonl(path.join(OUT, 'passages.jsonl'));
const stories = readJsonl(path.join(OUT, 'stories.jsonl'));
const clusterById = new Map(clusters.map((c) => [String(c.id), c]));
const docById = new Map(documents.map((d) => [d.id, d]));
const passagesOf = new Map();
for (const p of passages) {
  for (const id of [p.a, p.b]) {
    if (!passagesOf.has(id)) passagesOf.set(id, []);
    passagesOf.get(id).push(p);
  }
}
const reportLimit = opt['report-limit'] === undefined ? Infinity : Number(opt['report-limit']);
const expectedListed = Math.min(clusters.length, reportLimit);
const outletName = (o) => (o === null || o === undefined ? '(none)' : String(o));

// The original texts, read back from the inputs named in documents.jsonl (`FILE:LINE`).
const fileLines = new Map();
function textOf(id) {
  const d = docById.get(id);
  if (!d || typeof d.input !== 'string') return null;
  const at = d.input.lastIndexOf(':');
  const file = path.resolve(opt.base, d.input.slice(0, at));
  const line = Number(d.input.slice(at + 1));
  if (/\.txt$/i.test(file)) return fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  if (/\.(gz|zst)$/i.test(file)) return null;
  if (!fileLines.has(file)) fileLines.set(file, fs.readFileSync(file, 'utf8').split('\n'));
  const v = JSON.parse(fileLines.get(file)[line - 1]);
  for (const k of ['text', 'maintext', 'content', 'body']) if (typeof v[k] === 'string') return v[k];
  return null;
}

/** A regex matching the number n as printed, with or without thousands separators. */
function numberRe(n) {
  const s = String(n);
  const groups = [];
  for (let end = s.length; end > 0; end -= 3) groups.unshift(s.slice(Math.max(0, end - 3), end));
  return new RegExp(`(^|[^\\d.,])${groups.join("[,.'\\s\\u00a0\\u202f]?")}(?![\\d]|[.,]\\d)`);
}

// ---------------------------------------------------------------------------------------------
// The browser

const REPORT_URL = pathToFileURL(REPORT).href;
const problems = { requests: [], console: [], pageErrors: [], dialogs: [] };

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  timeout: 60_000,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
// Nothing but the report itself leaves the page: anything else is recorded and refused.
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.split('#')[0] === REPORT_URL) return route.continue();
  return route.abort('blockedbyclient');
});

async function openPage(hash = '') {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('request', (r) => {
    const url = r.url();
    if (url.split('#')[0] === REPORT_URL || url.startsWith('data:')) return;
    problems.requests.push(`${r.method()} ${url}`);
  });
  page.on('websocket', (ws) => problems.requests.push(`websocket ${ws.url()}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(`${m.text()} (${m.location().url}:${m.location().lineNumber})`);
  });
  page.on('pageerror', (e) => problems.pageErrors.push(String(e.stack || e)));
  page.on('dialog', (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.goto(REPORT_URL + hash, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
  return page;
}

/** Waits until the cluster list, its count and pages have stopped changing (for debounced input). */
async function settle(page) {
  const snap = () => page.evaluate(() => [
    [...document.querySelectorAll('#cluster-list > li')].map((l) => l.dataset.cluster).join(','),
    document.querySelector('#cluster-count')?.textContent,
    [...document.querySelectorAll('#cluster-pages button')].map((b) => b.dataset.page + (b.getAttribute('aria-current') || '')).join(','),
  ].join('|'));
  let last = await snap();
  let since = Date.now();
  const start = Date.now();
  while (Date.now() - since < 500 && Date.now() - start < 5000) {
    await page.waitForTimeout(50);
    const now = await snap();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

const listIds = (page) => page.$$eval('#cluster-list > li[data-cluster]', (ls) => ls.map((l) => l.dataset.cluster));

/** Walks every page of the cluster list; returns the ids page by page. */
async function walkPages(page) {
  const numbers = await page.$$eval('#cluster-pages button[data-page]',
    (bs) => [...new Set(bs.map((b) => Number(b.dataset.page)))].sort((a, b) => a - b));
  if (numbers.length <= 1) return [await listIds(page)];
  const pages = [];
  for (const n of numbers) {
    const button = page.locator(`#cluster-pages button[data-page="${n}"]`).first();
    if (!(await button.count())) throw new Error(`the list changed while walking its pages: no button for page ${n} any more`);
    await button.click();
    await page.waitForSelector(`#cluster-pages button[data-page="${n}"][aria-current="page"]`, { state: 'attached' });
    await settle(page);
    pages.push(await listIds(page));
  }
  await page.locator('#cluster-pages button[data-page="0"]').first().click();
  return pages;
}

async function checkPages(pages, expected, what) {
  const ids = pages.flat();
  check(ids.length === expected, `${what}: ${expected} clusters listed across pages`, `found ${ids.length}`);
  check(new Set(ids).size === ids.length, `${what}: no cluster listed twice`);
  const wantPages = Math.max(1, Math.ceil(expected / PAGE_SIZE));
  check(pages.length === wantPages, `${what}: ${wantPages} page(s) of at most ${PAGE_SIZE}`,
    `found pages of ${pages.map((p) => p.length).join(', ')}`);
  check(pages.every((p, i) => (i < pages.length - 1 ? p.length === PAGE_SIZE : p.length <= PAGE_SIZE)),
    `${what}: every page but the last holds ${PAGE_SIZE}`, pages.map((p) => p.length));
  return ids;
}

async function countText(page) {
  return (await page.textContent('#cluster-count')) ?? '';
}

/** A screenshot of an element, or of the viewport (scrolled to `scrollTo` first, if given). */
async function screenshot(target, name, scrollTo) {
  const file = path.join(SHOTS, name);
  if (scrollTo) await target.locator(scrollTo).first().evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await target.screenshot({ path: file });
  console.log(`     screenshot ${file}`);
}

/** The whole page as a reader would scroll through it, unless it is too tall to look at. */
async function screenshotFull(page, name) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (height > FULL_PAGE_MAX) {
    console.log(`     (no full-page screenshot: the page is ${height} px tall)`);
    return;
  }
  const file = path.join(SHOTS, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`     screenshot ${file}`);
}

// ---------------------------------------------------------------------------------------------
// Checks

async function checkHeader(page) {
  check(await page.isVisible('#run'), '#run is shown');
  const run = (await page.textContent('#run')) ?? '';
  check(numberRe(documents.length).test(run), `#run gives the ${documents.length} documents`, run.slice(0, 300));
  const time = ((await page.textContent('#run-time')) ?? '').trim();
  check(time.length > 0, '#run-time holds the timing', JSON.stringify(time));
}

async function checkOutlets(page) {
  const rows = await page.$$eval('#outlets tbody tr[data-outlet]', (rs) => rs.map((r) => r.dataset.outlet));
  const want = outlets.map((o) => outletName(o.outlet));
  check(rows.length === want.length, `#outlets has one row per outlet (${want.length})`, `found ${rows.length}`);
  const missing = want.filter((n) => !rows.includes(n));
  check(missing.length === 0, 'every outlet of outlets.jsonl has its row', { missing: missing.slice(0, 10) });
  const extra = rows.filter((n) => !want.includes(n));
  check(extra.length === 0, 'no row for an unknown outlet', { extra: extra.slice(0, 10) });

  // Sorting by a column header.
  const keys = await page.$$eval('#outlets thead th[data-key]', (ths) => ths.map((t) => t.dataset.key));
  if (!check(keys.length > 0, '#outlets has sortable headers (th[data-key])')) return;
  const numeric = keys.filter((k) => outlets.length > 0 && outlets.every((o) => typeof o[k] === 'number'));
  const key = numeric.includes('documents') ? 'documents' : (numeric[0] ?? keys[0]);
  const th = page.locator(`#outlets thead th[data-key="${key}"]`).first();
  const order = () => page.$$eval('#outlets tbody tr[data-outlet]', (rs) => rs.map((r) => r.dataset.outlet));
  const value = new Map(outlets.map((o) => [outletName(o.outlet), o[key]]));
  const sorted = (names, dir) => names.every((n, i) => i === 0
    || (dir === 'ascending' ? value.get(names[i - 1]) <= value.get(n) : value.get(names[i - 1]) >= value.get(n)));
  let previous = null;
  for (const click of [1, 2]) {
    await th.click();
    await page.waitForFunction((k) => ['ascending', 'descending'].includes(
      document.querySelector(`#outlets thead th[data-key="${k}"]`)?.getAttribute('aria-sort')), key);
    const dir = await th.getAttribute('aria-sort');
    pass(`click ${click} on the "${key}" header sets aria-sort="${dir}"`);
    if (previous) check(dir !== previous, `a second click on "${key}" reverses the order`, `still ${dir}`);
    previous = dir;
    if (numeric.includes(key)) {
      const names = await order();
      check(sorted(names, dir), `outlet rows follow "${key}" ${dir}`,
        names.slice(0, 8).map((n) => `${n}=${value.get(n)}`).join(', '));
    }
  }
}

async function checkCharts(page) {
  for (const [sel, needsMarks] of [['svg#chart-sizes', true], ['svg#chart-reuse', true], ['svg#syndication', false]]) {
    const info = await page.evaluate((s) => {
      const el = document.querySelector(s);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { w: r.width, h: r.height, children: el.querySelectorAll('*').length };
    }, sel);
    if (!check(info !== null, `${sel} is present`)) continue;
    check(info.w > 0 && info.h > 0, `${sel} has a size`, info);
    if (needsMarks) check(info.children > 0, `${sel} draws something`, info);
  }
}

async function checkStories(page) {
  const ids = await page.$$eval('section#stories li[data-story]', (ls) => ls.map((l) => l.dataset.story));
  const known = new Set(stories.map((s) => String(s.id)));
  check(await page.$('section#stories') !== null, 'section#stories is present');
  if (stories.length > 0) {
    check(ids.length > 0, 'stories are listed', `stories.jsonl has ${stories.length}, page lists none`);
    const timelines = await page.$$eval('section#stories svg.timeline', (s) => s.length);
    check(timelines > 0, 'stories have timelines (svg.timeline)');
  }
  const unknown = ids.filter((id) => !known.has(id));
  check(unknown.length === 0, 'every listed story is in stories.jsonl', unknown.slice(0, 10));
}

/** The listed clusters in `largest` order, checked; returns the ids. */
async function checkClusterList(page) {
  check(await page.getAttribute('#cluster-view', 'hidden') !== null, '#cluster-view is hidden until a cluster is opened');
  const options = await page.$$eval('#cluster-sort option', (os) => os.map((o) => o.value));
  check(options.includes('largest') && options.includes('suspicious'), '#cluster-sort offers largest and suspicious', options);
  await page.selectOption('#cluster-sort', 'largest');
  await settle(page);
  const text = await countText(page);
  check(numberRe(expectedListed).test(text), `#cluster-count says ${expectedListed}`, text);
  const ids = await checkPages(await walkPages(page), expectedListed, 'largest first');
  const unknown = ids.filter((id) => !clusterById.has(id));
  check(unknown.length === 0, 'every listed cluster is in clusters.jsonl', unknown.slice(0, 10));
  const sizes = ids.map((id) => clusterById.get(id)?.size ?? 0);
  check(sizes.every((s, i) => i === 0 || sizes[i - 1] >= s), '"largest" lists clusters by size, largest first',
    sizes.slice(0, 20));
  const max = Math.max(...clusters.map((c) => c.size));
  check(sizes[0] === max, `the first cluster is a largest one (size ${max})`, `size ${sizes[0]}`);
  const anchors = await page.$$eval('#cluster-list > li[data-cluster]',
    (ls) => ls.map((l) => [l.dataset.cluster, l.querySelector('a.open-cluster')?.getAttribute('href')]));
  const bad = anchors.filter(([id, href]) => href !== `#cluster-${id}`);
  check(bad.length === 0, 'every listed cluster has a.open-cluster to #cluster-ID', bad.slice(0, 5));
  return ids;
}

/** Compares the marked passages of `sel` (showing `doc`, compared with `other`) with passages.jsonl. */
async function checkMarks(page, sel, doc, other) {
  const original = textOf(doc);
  if (!check(original !== null, `text of ${doc} readable from its input for the checks`)) return;
  const shown = await page.$eval(sel, (el) => {
    const chars = [];
    const marked = [];
    const furniture = [];
    const inside = (node, selector) => {
      const m = node.parentElement?.closest(selector);
      return !!m && el.contains(m);
    };
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const m = inside(n, 'mark.passage');
      const f = inside(n, 'del.furniture');
      for (const ch of n.data) {
        if (/\s/u.test(ch)) continue;
        chars.push(ch);
        marked.push(m);
        furniture.push(f);
      }
    }
    return { chars, marked, furniture };
  });
  // Align the shown text with the original, ignoring whitespace (paragraphs may become blocks).
  const orig = Array.from(original);
  const at = []; // original index of each non-whitespace character
  orig.forEach((ch, i) => { if (!/\s/u.test(ch)) at.push(i); });
  const want = at.map((i) => orig[i]).join('');
  const got = shown.chars.join('');
  const pos = got.indexOf(want);
  if (!check(pos >= 0, `${sel} shows the text of ${doc} literally`, (() => {
    let k = 0;
    const w = Array.from(want);
    while (k < w.length && k < shown.chars.length && w[k] === shown.chars[k]) k++;
    return `first difference at character ${k} (whitespace aside): expected "${w.slice(k, k + 40).join('')}", `
      + `shown "${shown.chars.slice(k, k + 40).join('')}"`;
  })())) return;
  const base = Array.from(got.slice(0, pos)).length;
  const pair = [];
  const any = [];
  for (const p of passagesOf.get(doc) ?? []) {
    const range = p.a === doc ? [p.a_start, p.a_end] : [p.b_start, p.b_end];
    any.push(range);
    if ((p.a === doc && p.b === other) || (p.b === doc && p.a === other)) pair.push(range);
  }
  const within = (i, ranges) => ranges.some(([s, e]) => i >= s && i < e);
  const unmarked = [];
  const stray = [];
  at.forEach((i, j) => {
    const k = base + j;
    if (within(i, pair) && !shown.marked[k] && !shown.furniture[k]) unmarked.push(i);
    if (shown.marked[k] && !within(i, any)) stray.push(i);
  });
  shown.marked.forEach((m, k) => { if (m && (k < base || k >= base + at.length)) stray.push(-1); });
  const around = (i) => (i < 0 ? '(outside the text)' : `"${orig.slice(Math.max(0, i - 20), i + 30).join('')}"`);
  const marks = shown.marked.filter(Boolean).length;
  check(unmarked.length === 0,
    `${sel}: the ${pair.length} passage(s) ${doc} shares with ${other} are marked (mark.passage)`,
    unmarked.length ? `${unmarked.length} characters unmarked, first at ${unmarked[0]}: ${around(unmarked[0])}` : '');
  check(stray.length === 0, `${sel}: nothing outside ${doc}'s shared passages is marked`,
    stray.length ? `${stray.length} characters, first at ${stray[0]}: ${around(stray[0])}` : '');
  if (pair.length > 0) check(marks > 0, `${sel}: has marked passages`);
  const furniture = docById.get(doc)?.furniture ?? 0;
  if (furniture > 0) {
    check(shown.furniture.some(Boolean), `${sel}: the furniture of ${doc} (${(furniture * 100).toFixed(1)}%) is shown as del.furniture`);
  }
}

/** The cluster view shows cluster `id`: members, roles, comparison and marks. */
async function checkClusterView(page, id) {
  const c = clusterById.get(id);
  await page.waitForSelector(`#cluster-view[data-cluster="${id}"]`, { state: 'visible' });
  pass(`#cluster-view shows cluster ${id} (size ${c.size})`);
  const rows = await page.$$eval('#members tbody tr[data-doc]', (rs) => rs.map((r) => [r.dataset.doc, r.dataset.role]));
  const docs = rows.map(([d]) => d);
  check(rows.length === c.members.length && c.members.every((m) => docs.includes(m)),
    `#members lists the ${c.size} members`, { shown: docs, members: c.members });
  const wrongRole = rows.filter(([d, r]) => docById.get(d)?.role !== r);
  check(wrongRole.length === 0, '#members gives each member its role',
    wrongRole.map(([d, r]) => `${d}: shown ${r}, documents.jsonl ${docById.get(d)?.role}`));
  check(rows.some(([d, r]) => d === c.origin && r === 'origin'), `the origin ${c.origin} is marked origin`);

  for (const s of ['#compare-left', '#compare-right']) {
    const values = await page.$$eval(`${s} option`, (os) => os.map((o) => o.value));
    check(c.members.every((m) => values.includes(m)) && values.every((v) => c.members.includes(v)),
      `${s} offers exactly the members`, values);
  }
  const left = await page.inputValue('#compare-left');
  const right = await page.inputValue('#compare-right');
  check(left !== c.origin && c.members.includes(left), 'by default the left text is a member that is not the origin', left);
  const source = docById.get(left)?.source;
  if (source) check(right === source, `by default the right text is the left one's source (${source})`, right);
  else check(right !== left, 'by default the right text is another member', right);
  await checkTexts(page, left, right);
  return { left, right };
}

async function checkTexts(page, left, right) {
  await page.waitForSelector(`#text-left[data-doc="${CSS_escape(left)}"]`, { state: 'attached' });
  await page.waitForSelector(`#text-right[data-doc="${CSS_escape(right)}"]`, { state: 'attached' });
  pass(`#text-left shows ${left}, #text-right shows ${right}`);
  await checkMarks(page, '#text-left', left, right);
  await checkMarks(page, '#text-right', right, left);
}

function CSS_escape(s) {
  return String(s).replace(/["\\]/g, '\\$&');
}

/** Opens cluster `id` by clicking it in the list (it must be on the current page). */
async function openByClick(page, id) {
  await page.locator(`#cluster-list > li[data-cluster="${id}"] a.open-cluster`).first().click();
  return checkClusterView(page, id);
}

/**
 * Picks two members of cluster `id` with no passages written between them (passages.jsonl
 * keeps those a member's reuse is counted from) and checks that the page aligns them itself:
 * it says so, and every passage it marks on the left is text the right one holds too.
 */
async function checkPageAlignedPair(page, id) {
  const c = clusterById.get(id);
  const written = (x, y) => (passagesOf.get(x) ?? []).some((p) => (p.a === x && p.b === y) || (p.a === y && p.b === x));
  const shown = c.members.slice(0, 12).filter((m) => docById.get(m)?.role === 'copy' && textOf(m) !== null);
  let pair = null;
  for (const x of shown) for (const y of shown) if (!pair && x < y && !written(x, y)) pair = [x, y];
  if (!pair) {
    pass(`cluster ${id}: every pair of its first copies has written passages; nothing to align in the page`);
    return;
  }
  const [left, right] = pair;
  await page.selectOption('#compare-left', left);
  await page.selectOption('#compare-right', right);
  await page.waitForSelector(`#text-left[data-doc="${CSS_escape(left)}"]`, { state: 'attached' });
  await page.waitForSelector(`#text-right[data-doc="${CSS_escape(right)}"]`, { state: 'attached' });
  const figures = await page.textContent('#compare-figures');
  check(/found in the page/.test(figures), `${left} and ${right} (no passages written): the page says it aligned them itself`, figures);
  const marks = await page.$$eval('#text-left mark.passage', (ms) => {
    const byPassage = new Map();
    for (const m of ms) byPassage.set(m.dataset.n, (byPassage.get(m.dataset.n) ?? '') + m.textContent);
    return [...byPassage.values()];
  });
  const words = (t) => (t.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
  const rightWords = words(textOf(right));
  check(marks.length > 0, `two copies of one story, ${left} and ${right}, share passages the page marks`, figures);
  const missing = marks.filter((m) => !rightWords.includes(words(m)));
  check(missing.length === 0, `every passage marked on ${left} is text ${right} holds too`, missing.slice(0, 2));
}

/** Swaps the compared texts through the selects and checks the view follows. */
async function swapCompared(page, left, right) {
  await page.selectOption('#compare-left', right);
  await page.selectOption('#compare-right', left);
  await checkTexts(page, right, left);
}

function hasBridge(c) {
  if (c.size < 3) return false;
  const connected = (skip) => {
    const adj = new Map(c.members.map((m) => [m, []]));
    c.edges.forEach((e, i) => {
      if (i === skip) return;
      adj.get(e.a)?.push(e.b);
      adj.get(e.b)?.push(e.a);
    });
    const seen = new Set([c.members[0]]);
    const todo = [c.members[0]];
    while (todo.length) for (const n of adj.get(todo.pop()) ?? []) if (!seen.has(n)) { seen.add(n); todo.push(n); }
    return seen.size === c.members.length;
  };
  return c.edges.some((_, i) => !connected(i));
}

// ---------------------------------------------------------------------------------------------
// Scenarios

async function common(page) {
  await step('page and run header', () => checkHeader(page));
  await step('outlets table', () => checkOutlets(page));
  await step('charts', () => checkCharts(page));
  await step('stories', () => checkStories(page));
  const ids = await step('cluster list', () => checkClusterList(page));
  await step('screenshots of the page', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'report.png');
    await screenshotFull(page, 'report-full.png');
    await screenshot(page, 'report-clusters.png', '#cluster-sort');
  });
  if (!ids || ids.length === 0) {
    fail('no cluster to open');
    return ids;
  }
  await step(`open the largest cluster ${ids[0]}`, async () => {
    const { left, right } = await openByClick(page, ids[0]);
    await screenshot(page.locator('#cluster-view'), `cluster-${ids[0]}.png`);
    await swapCompared(page, left, right);
    await checkPageAlignedPair(page, ids[0]);
  });
  return ids;
}

async function generated(page, largest) {
  check(clusters.length > reportLimit, `the dump has more clusters (${clusters.length}) than --report-limit ${reportLimit}`);
  const listed = new Set(largest);
  const members = (id) => clusterById.get(id).members;

  await step('sort by suspicious', async () => {
    await page.selectOption('#cluster-sort', 'suspicious');
    await settle(page);
    const ids = await checkPages(await walkPages(page), expectedListed, 'suspicious first');
    check(ids.length === listed.size && ids.every((id) => listed.has(id)), '"suspicious" lists the same clusters');
    check(ids.join() !== largest.join(), '"suspicious" changes the order');
    const first = clusterById.get(ids[0]);
    const mins = largest.map((id) => clusterById.get(id).min_jaccard).sort((a, b) => a - b);
    const median = mins[Math.floor(mins.length / 2)];
    check(first.min_jaccard <= median || hasBridge(first),
      `the first suspicious cluster ${first.id} has a low min_jaccard or a bridge`,
      `min_jaccard ${first.min_jaccard}, median of the listed ${median}, no bridge`);
    await screenshot(page, 'suspicious.png', '#cluster-sort');
    await page.selectOption('#cluster-sort', 'largest');
    await settle(page);
  });

  await step('filter by outlet', async () => {
    const counts = new Map();
    for (const id of largest) {
      for (const o of new Set(members(id).map((m) => outletName(docById.get(m).outlet)))) counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    const [outlet, n] = [...counts].filter(([, k]) => k < largest.length).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    const options = await page.$$eval('#cluster-outlet option', (os) => os.map((o) => o.value));
    check(options.includes('') && options.includes(outlet), `#cluster-outlet offers all ("") and ${outlet}`, options.slice(0, 10));
    await page.selectOption('#cluster-outlet', outlet);
    await settle(page);
    const ids = (await walkPages(page)).flat();
    const want = largest.filter((id) => members(id).some((m) => outletName(docById.get(m).outlet) === outlet));
    check(ids.length === n && want.every((id) => ids.includes(id)),
      `outlet ${outlet}: the ${n} listed clusters with a member from it, and only those`,
      { shown: ids.length, missing: want.filter((id) => !ids.includes(id)).slice(0, 5), extra: ids.filter((id) => !want.includes(id)).slice(0, 5) });
    const text = await countText(page);
    check(numberRe(n).test(text), `#cluster-count says ${n}`, text);
    await page.selectOption('#cluster-outlet', '');
    await settle(page);
    check((await walkPages(page)).flat().length === largest.length, 'back to all outlets, all clusters are listed');
  });

  await step('search titles', async () => {
    const titles = new Map(largest.map((id) => [id, members(id).map((m) => (docById.get(m).title ?? '').toLowerCase())]));
    const matches = (w, byWord) => largest.filter((id) => titles.get(id).some((t) => (byWord
      ? new RegExp(`(^|[^\\p{L}\\p{N}])${w}($|[^\\p{L}\\p{N}])`, 'u').test(t) : t.includes(w))));
    let best = null;
    for (const id of largest) {
      const origin = (docById.get(clusterById.get(id).origin).title ?? '').toLowerCase();
      for (const w of new Set(origin.split(/[^\p{L}\p{N}]+/u).filter((x) => x.length >= 5 && /^[a-z]+$/.test(x)))) {
        const m = matches(w, false);
        if (m.length === matches(w, true).length && m.length < largest.length && (!best || m.length < best.ids.length)) {
          best = { word: w, ids: m, cluster: id };
        }
      }
      if (best && best.ids.length === 1) break;
    }
    if (!check(best !== null, 'a word of an origin title to search for')) return;
    await page.fill('#cluster-search', best.word);
    await settle(page);
    const ids = (await walkPages(page)).flat();
    check(ids.length === best.ids.length && best.ids.every((id) => ids.includes(id)),
      `searching "${best.word}" (from cluster ${best.cluster}'s origin title) lists the ${best.ids.length} cluster(s) with it in a title`,
      { shown: ids.slice(0, 10), want: best.ids.slice(0, 10) });
    await screenshot(page, 'search.png', '#cluster-sort');
    await page.fill('#cluster-search', '');
    await settle(page);
    check((await walkPages(page)).flat().length === largest.length, 'with the search cleared, all clusters are listed');
  });

  await step('open a cluster through location.hash', async () => {
    const id = largest[largest.length - 1];
    await page.evaluate((h) => { location.hash = h; }, `#cluster-${id}`);
    await checkClusterView(page, id);
  });

  await step('open a cluster from a link with its hash', async () => {
    const id = largest[Math.floor(largest.length / 2)];
    const other = await openPage(`#cluster-${id}`);
    await checkClusterView(other, id);
    await screenshot(other.locator('#cluster-view'), `cluster-${id}-from-link.png`);
    await other.close();
  });
}

async function hostile() {
  let page;
  const evil = documents.filter((d) => (d.title ?? '').includes('<script>alert(1)</script>'));
  if (!check(evil.length >= 2 && evil[0].cluster !== null && evil.every((d) => d.cluster === evil[0].cluster),
    'the hostile articles form a cluster', evil.map((d) => [d.id, d.cluster]))) return;
  const id = String(evil[0].cluster);
  // A fresh page, so that the view opens as it would for a reader (the common checks may
  // already have opened this cluster and swapped its texts).
  page = await openPage();
  await step('open the hostile cluster', async () => {
    const link = page.locator(`#cluster-list > li[data-cluster="${id}"] a.open-cluster`).first();
    if (await link.count()) await link.click();
    else await page.evaluate((h) => { location.hash = h; }, `#cluster-${id}`);
    await checkClusterView(page, id);
    await page.waitForTimeout(500); // give an injected handler time to fire
    await screenshot(page.locator('#cluster-view'), `hostile-cluster-${id}.png`);
  });
  await step('markup in titles and texts is shown literally, never run', async () => {
    const literal = ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '</script>', '"quotes"', '&amp;'];
    for (const s of ['#text-left', '#text-right']) {
      const text = (await page.textContent(s)) ?? '';
      for (const l of literal) check(text.includes(l), `${s} shows ${l} as text`);
    }
    const dom = await page.evaluate(() => {
      const body = document.body.cloneNode(true);
      body.querySelectorAll('script, style').forEach((s) => s.remove());
      const strings = [];
      const walk = (v) => {
        if (typeof v === 'string') strings.push(v);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      let parsed = true;
      try { walk(JSON.parse(document.getElementById('reprint-data').textContent)); } catch { parsed = false; }
      return {
        text: body.textContent,
        imgX: [...document.querySelectorAll('img')].filter((i) => i.getAttribute('src') === 'x').length,
        handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name) && /alert/.test(a.value))).length,
        scripts: [...document.scripts].filter((s) => s.id !== 'reprint-data' && s.textContent.includes('alert(')).length,
        dataParses: parsed,
        dataHasTitle: strings.some((s) => s.includes('<script>alert(1)</script>'))
          && strings.some((s) => s.includes('<img src=x onerror=alert(2)>')),
      };
    });
    check(dom.text.includes(evil[0].title), 'the hostile title is shown literally', evil[0].title);
    check(dom.imgX === 0, 'no <img src=x> element was created', dom);
    check(dom.handlers === 0, 'no element carries an injected on* handler', dom);
    check(dom.scripts === 0, 'no injected <script> element', dom);
    check(dom.dataParses, 'script#reprint-data parses as JSON');
    check(dom.dataHasTitle, 'script#reprint-data gives the hostile strings back intact');
    const evilOutlet = evil.map((d) => outletName(d.outlet)).find((o) => /[<"&]/.test(o));
    if (evilOutlet) {
      const rows = await page.$$eval('#outlets tbody tr[data-outlet]', (rs) => rs.map((r) => r.dataset.outlet));
      check(rows.includes(evilOutlet), `the outlet ${evilOutlet} has its row, its name intact`);
    }
  });
}

// ---------------------------------------------------------------------------------------------

let page;
try {
  page = await openPage();
  pass(`${REPORT_URL} loads and sets body[data-ready="1"]`);
} catch (e) {
  fail(`the report does not load and get ready: ${e.message}`);
}
if (page) {
  const ids = await common(page);
  if (opt.scenario === 'generated' && ids) await generated(page, ids);
  if (opt.scenario === 'hostile') await hostile();
  await page.waitForTimeout(200);
}
check(problems.requests.length === 0, 'no request but the report itself', problems.requests.slice(0, 20));
check(problems.console.length === 0, 'no console error', problems.console.slice(0, 20));
check(problems.pageErrors.length === 0, 'no uncaught page error', problems.pageErrors.slice(0, 5));
check(problems.dialogs.length === 0, 'no dialog (alert, confirm, prompt)', problems.dialogs.slice(0, 5));
await browser.close();
clearTimeout(bail);
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
