// How fast the playground is, in Debian's Chromium from file:// (npm run bench:web builds the page
// first): the seed's document after load, an edit of the seed, a 3-channel 16×16 problem (auto detail)
// opened from a link and edited. Prints a table of milliseconds; the budgets are the (300 ms,
// 100 ms, 1 s). Nothing here is asserted: a loaded machine is slower.
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// PAGE=path measures another build of the page (an older one, to compare on the same machine at the same load).
const page = pathToFileURL(process.env.PAGE ?? join(root, 'output', 'playground.html')).href;
const RUNS = Number(process.env.RUNS ?? 5);
const EDITS = Number(process.env.EDITS ?? 10);

function base64url(text) {
  return Buffer.from(text, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// The large problem as the preset has it (web/presets.ts): three 16×16 planes, a 3×3×3 kernel.
const plane = (seed) => Array.from({ length: 16 }, (_, i) => Array.from({ length: 16 }, (_, j) => ((i * 7 + j * 3 + seed * 5) % 9) - 4));
const large = {
  input: [plane(0), plane(1), plane(2)],
  kernel: [[[[1, 0, -1], [2, 0, -2], [1, 0, -1]], [[0, 1, 0], [1, -4, 1], [0, 1, 0]], [[1, 1, 1], [0, 0, 0], [-1, -1, -1]]]],
  bias: [1], padding: 1, activation: 'relu', head: 'mean', target: 1, optimizer: { type: 'sgd', lr: 0.01 },
};

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const timing = (p) => p.evaluate(() => JSON.parse(document.body.dataset.timing ?? 'null'));

/** Opens the page; resolves when the worker's first document is shown. */
async function open(hash = '') {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await p.goto(page + hash);
  await p.waitForFunction(() => document.body.dataset.timing !== undefined, null, { timeout: 60_000 });
  return p;
}

/** Edits kernel entry [0][0…] (its path in the problem) and resolves with the milliseconds from the input event to the new document painted. */
async function edit(p, path, value) {
  const before = await p.evaluate(() => document.body.dataset.derived);
  await p.evaluate(([path, value]) => {
    const cell = document.querySelector(`[data-path="${path}"]`);
    cell.value = value;
    window.__editAt = performance.now();
    cell.dispatchEvent(new Event('input', { bubbles: true }));
  }, [path, value]);
  await p.waitForFunction((b) => document.body.dataset.derived !== b, before, { timeout: 60_000 });
  const t = await timing(p);
  return { total: t.painted - (await p.evaluate(() => window.__editAt)), worker: t.worker, page: t.painted - t.arrived };
}

const rows = [];
const add = (what, budget, values) => {
  const sorted = [...values].sort((a, b) => a - b);
  rows.push({ what, budget, median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1), n: sorted.length });
};

const firstPaint = [];
const firstDocument = [];
const ready = [];
const seedEdits = [];
const seedWorker = [];
const seedPage = [];
for (let run = 0; run < RUNS; run++) {
  const p = await open();
  const paints = await p.evaluate(() => Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime])));
  firstPaint.push(paints['first-contentful-paint']);
  // The seed's document is in the page as built: it is there by first paint.
  firstDocument.push(await p.evaluate(() => (document.querySelector('#doc main section') ? performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint').startTime : NaN)));
  ready.push((await timing(p)).painted);
  for (let k = 0; k < EDITS; k++) {
    const { total, worker, page } = await edit(p, 'kernel[0][0]', String((k % 7) + 4));
    seedEdits.push(total);
    seedWorker.push(worker);
    seedPage.push(page);
  }
  await p.close();
}
add('seed: document shown (first contentful paint)', 300, firstDocument);
add('seed: editable (worker has derived it)', undefined, ready);
add('seed: edit of a kernel entry → new document painted', 100, seedEdits);
add('  of which the worker (solve, derive, render)', undefined, seedWorker);
add('  of which the page (patch the document, lay it out, paint)', undefined, seedPage);

const largeOpen = [];
const largeEdits = [];
const largeWorker = [];
const largePage = [];
for (let run = 0; run < Math.min(RUNS, 3); run++) {
  const p = await open(`#problem=${base64url(JSON.stringify(large))}`);
  largeOpen.push((await timing(p)).painted);
  for (let k = 0; k < Math.min(EDITS, 4); k++) {
    const { total, worker, page } = await edit(p, 'kernel[0][0][1][1]', String(k + 1));
    largeEdits.push(total);
    largeWorker.push(worker);
    largePage.push(page);
  }
  await p.close();
}
add('3×16×16, 3×3 kernel: opened from a link → document painted', undefined, largeOpen);
add('3×16×16: edit of a kernel entry → new document painted', 1000, largeEdits);
add('  of which the worker', undefined, largeWorker);
add('  of which the page', undefined, largePage);
await browser.close();

const ms = (x) => (x === undefined ? '' : Number.isNaN(x) ? 'n/a' : `${Math.round(x)}`);
const header = ['', 'budget ms', 'median ms', 'min', 'max', 'runs'];
const lines = rows.map((r) => [r.what, ms(r.budget), ms(r.median), ms(r.min), ms(r.max), String(r.n)]);
const widths = header.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k].length)));
const format = (cells) => `| ${cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join(' | ')} |`;
console.log([format(header), `|${widths.map((w, k) => (k === 0 ? '-' : '') + '-'.repeat(w + 1) + (k === 0 ? '' : ':')).join('|')}|`, ...lines.map(format)].join('\n'));
