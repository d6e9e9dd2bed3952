// The playground (output/playground.html) as a student meets it: opened from file:// in Debian's
// Chromium, driven by playwright-core. It makes no request, logs no error, shows the problem a link
// names, re-derives an edit to the exact new values, puts a mistake's message beside its field,
// speaks Chinese, follows back and forward, downloads what convgrad derive writes, and fits a phone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { derive, formatDiagnostic, networkResultDocument, parseAnyProblemText, parseProblemText, renderTex, resultDocument, solve, solveNetwork, SEED_PROBLEM_SOURCE } from '../src/index.js';
import { chromium, launchChromium } from './helpers/tools.js';
import { withoutHooks } from './helpers/hooks.js';

// The functions passed to page.evaluate run in the page; the core's type check has no DOM types.
declare const document: any, location: any, window: any;

const CHROMIUM = chromium();
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGE = join(ROOT, 'output', 'playground.html');
const seed = JSON.parse(SEED_PROBLEM_SOURCE);

const hashOf = (problem: object, lang?: string) => `#problem=${Buffer.from(JSON.stringify(problem), 'utf8').toString('base64url')}${lang ? `&lang=${lang}` : ''}`;

/** The result document's exact strings of a problem, as convgrad computes them. */
function exactOf(problem: object) {
  const parsed = parseProblemText(JSON.stringify(problem));
  if (!parsed.ok) throw new Error('test problem is not valid');
  return resultDocument(solve(parsed.problem)).exact;
}

/** A network's result document's exact strings, as convgrad computes them. */
function networkExactOf(problem: object) {
  const parsed = parseAnyProblemText(JSON.stringify(problem));
  if (!parsed.ok || !parsed.network) throw new Error('test network is not valid');
  return networkResultDocument(solveNetwork(parsed.network)).exact;
}

const example = (name: string) => JSON.parse(readFileSync(join(ROOT, 'examples', `${name}.json`), 'utf8'));

describe.skipIf(!CHROMIUM.available)(`the playground in ${CHROMIUM.label}`, () => {
  let browser: Browser;
  const shots = mkdtempSync(join(tmpdir(), 'convgrad-playground-'));

  beforeAll(async () => {
    // The page is built here, from the sources as they are: a fresh clone needs nothing else.
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs')], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`npm run web failed: ${built.stderr}`);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the page with a hash; every request that would leave the page and every console error is collected in `problems`. */
  async function open(hash = '', width = 1280): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
    const problems: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
      problems.push(`request: ${url}`);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith('file:') && !url.startsWith('blob:') && !url.startsWith('data:')) problems.push(`request: ${url}`);
    });
    await page.goto(pathToFileURL(PAGE).href + hash, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.answered !== undefined, undefined, { timeout: 60_000 });
    return { page, problems };
  }

  /** Waits for the worker's document (the one after `after`, when given). */
  async function derived(page: Page, after?: string): Promise<void> {
    await page.waitForFunction((before) => document.body.dataset.derived !== undefined && document.body.dataset.derived !== before, after, { timeout: 60_000 });
  }

  const lastDerived = (page: Page) => page.evaluate(() => document.body.dataset.derived);

  /** Types into a grid cell or control as a person does. */
  async function type(page: Page, selector: string, text: string): Promise<void> {
    await page.locator(selector).fill(text);
  }

  /** The cells of one explore grid, row by row. */
  const grid = (page: Page, caption: string) =>
    page.evaluate((caption) => {
      const figure = [...document.querySelectorAll('figure.xfigure')].find((f) => f.querySelector('figcaption')?.textContent === caption);
      return figure ? [...figure.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)) : undefined;
    }, caption);

  it('is one file under 3 MB whose seed document is the one convgrad derive writes, byte for byte but the hooks of its lines', () => {
    const html = readFileSync(PAGE, 'utf8');
    expect(Buffer.byteLength(html)).toBeLessThan(3 * 1024 * 1024);
    const main = (text: string) => text.slice(text.indexOf('<main>'), text.indexOf('</main>') + '</main>'.length);
    // The page holds the seed's first screen in <main> (its open section closed there) and the rest in
    // a <template>, and fences each piece of the document with comments (c0 … /c0) to update it piece by piece.
    const first = main(html).slice(0, -'</section></main>'.length);
    const template = (id: string) => new RegExp(`<template id="${id}">([\\s\\S]*?)</template>`).exec(html)![1];
    // The lines of entries carry hooks for Explore (spans with data-entry, RenderOptions.hooks); the rest is the same bytes.
    const seedShown = `${first}${template('seed-rest-of-section')}</section>${template('seed-rest')}</main>`.replace(/<!--\/?c\d+-->/g, '');
    expect(seedShown).toContain('data-entry="sigma:0:0:0:1"');
    expect(withoutHooks(seedShown)).toBe(main(readFileSync(join(ROOT, 'output', 'seed.html'), 'utf8')));
    // Nothing to fetch: no src or href that leaves the file, and no mathjs inside.
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html).not.toContain('mathjs');
  });

  it('loads from file:// with no request leaving the page and no console error, and derives the seed', async () => {
    const { page, problems } = await open();
    expect(await page.locator('#doc h1').textContent()).toBe('Backpropagation through a convolution layer, step by step');
    expect(await page.evaluate('document.fonts.check("16px KaTeX_Main")')).toBe(true);
    expect(await grid(page, '∂L/∂K')).toEqual([['48', '64'], ['96', '112']]);
    expect(await grid(page, 'K after the update')).toEqual([['63/25', '34/25'], ['1/25', '97/25']]);
    expect(await page.locator('[data-path="kernel[0][0]"]').inputValue()).toBe('3');
    // The loss curve comes from the same worker.
    await page.waitForSelector('#curve svg.curve');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('shows the exact updated values of the problem a link names', async () => {
    const problem = { ...seed, target: 200, bias: 1, optimizer: { type: 'sgd', lr: '1/3', momentum: 0.5 }, steps: 2 };
    const { page, problems } = await open(hashOf(problem));
    const exact = exactOf(problem);
    expect(await grid(page, 'K after the update')).toEqual(exact.updated.kernel);
    expect(await grid(page, '∂L/∂K')).toEqual(exact.grad.kernel);
    expect(await page.locator('[data-path="bias"]').inputValue()).toBe('1');
    expect(JSON.parse(await page.locator('#raw').inputValue())).toEqual(problem);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('re-derives an edited kernel entry to the exact new values, and the URL follows', async () => {
    const { page, problems } = await open();
    const before = await lastDerived(page);
    await type(page, '[data-path="kernel[0][0]"]', '1/3');
    await derived(page, before);
    const edited = { ...seed, kernel: [['1/3', 2], [1, 5]] };
    const exact = exactOf(edited);
    expect(await grid(page, 'output σ')).toEqual(exact.forward.conv);
    expect(await grid(page, 'K after the update')).toEqual(exact.updated.kernel);
    expect(exact.updated.kernel).not.toEqual([['63/25', '34/25'], ['1/25', '97/25']]);
    // The document says the new loss too (KaTeX keeps each formula's TeX in its annotation).
    expect(await page.locator('#doc section#forward').textContent()).toContain(`\\frac{1}{3}`);
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toMatch(/^#problem=[A-Za-z0-9_-]+$/);
    // The document, updated piece by piece, is the one the page renders whole for that link.
    expect(await page.evaluate(() => document.body.dataset.rendered)).toBe('patched');
    const updated = await page.evaluate(() => document.querySelector('#doc main').innerHTML);
    const fresh = await open(hash);
    expect(await fresh.page.evaluate(() => document.body.dataset.rendered)).toBe('whole');
    expect(await fresh.page.evaluate(() => document.querySelector('#doc main').innerHTML)).toBe(updated);
    await fresh.page.context().close();
    expect(JSON.parse(Buffer.from(hash.slice('#problem='.length), 'base64url').toString('utf8'))).toEqual(edited);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('puts a bad value\'s message, the command line\'s, beside its field and keeps the last good document', async () => {
    const { page } = await open();
    await type(page, '[data-path="kernel[1][0]"]', 'a');
    const bad = { ...seed, kernel: [[3, 2], ['a', 5]] };
    const parsed = parseProblemText(JSON.stringify(bad));
    expect(parsed.ok).toBe(false);
    const expected = formatDiagnostic(!parsed.ok ? parsed.errors[0] : { path: '', message: '' });
    expect(expected).toBe('kernel[1][0]: expected a number, got "a"');
    await expect.poll(() => page.locator('[data-messages="kernel"] .message').textContent()).toBe(expected);
    expect(await page.locator('[data-path="kernel[1][0]"]').getAttribute('class')).toContain('invalid');
    expect(await page.locator('#status').getAttribute('class')).toBe('error');
    // The last good document stays.
    expect(await grid(page, '∂L/∂K')).toEqual([['48', '64'], ['96', '112']]);
    expect(await page.locator('#doc h1').count()).toBe(1);
    // Mended, the message goes.
    const before = await lastDerived(page);
    await type(page, '[data-path="kernel[1][0]"]', '1');
    await derived(page, before);
    expect(await page.locator('.message').count()).toBe(0);
    await page.context().close();
  }, 90_000);

  it('refuses a problem over the command line\'s limits before any work, with its message', async () => {
    const square = (value: number) => Array.from({ length: 50 }, () => Array.from({ length: 50 }, () => value));
    const { page } = await open(hashOf({ ...seed, input: square(0), kernel: square(1), steps: 1000 }));
    await expect.poll(() => page.locator('[data-messages="steps"] .message').textContent()).toBe('steps: 1000 steps of 2.5 k parameters make a trajectory of 2.5 M numbers, over the 2.0 M limit; take fewer steps');
    await page.context().close();
  }, 90_000);

  it('shows a tensor too large for grids as its shape, to be edited in the JSON, and stays responsive', async () => {
    const big = Array.from({ length: 100 }, (_, i) => Array.from({ length: 100 }, (_, j) => (i + j) % 3));
    const { page, problems } = await open(hashOf({ ...seed, input: big }));
    expect(await page.locator('[data-field="input"] .note').textContent()).toBe('100×100: 10,000 entries, more than the grids show (4,096); edit it in the problem file (JSON) below.');
    expect(await page.locator('input.cell').count()).toBeLessThan(20);
    await derived(page);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('meets hostile links plainly: a title as text in the tab, an unreadable hash as an error, 5,000 layers as a note, not 5,000 cards', async () => {
    const titled = await open(hashOf({ ...seed, title: 'Q&A "x" <b>bold</b>' }));
    await derived(titled.page);
    expect(await titled.page.title()).toBe('Q&A "x" <b>bold</b> · convgrad');
    await titled.page.context().close();
    const unreadable = await open('#problem=%%%***');
    expect(await unreadable.page.evaluate(() => document.body.dataset.state)).toBe('error');
    await unreadable.page.context().close();
    const deep = { input: [[1, 2], [3, 4]], layers: Array.from({ length: 5000 }, () => ({ type: 'relu' })), head: 'sum', target: 1 };
    const { page, problems } = await open(hashOf(deep));
    await expect.poll(() => page.evaluate(() => document.body.dataset.state)).toBe('error');
    expect(await page.locator('.layer').count()).toBe(0);
    expect(await page.locator('[data-field="layers"] .note').first().textContent()).toBe('5,000 layers, more than the editor shows as cards (64); edit them in the problem file (JSON) below.');
    expect(await page.locator('.message').first().textContent()).toMatch(/^layers: /);
    expect(problems).toEqual([]);
    await page.context().close();
    // A valid network too deep to derive at auto detail: said so, with the page's way out.
    const conv = (c: number) => ({ type: 'conv2d', kernel: Array.from({ length: 4 }, (_, o) => Array.from({ length: c }, (_, k) => [[o === k ? 1 : 0, 0, 0], [0, 1, 0], [0, 0, 0]])), padding: 1 });
    const layers = [conv(1), ...Array.from({ length: 63 }, (_, i) => (i % 2 === 0 ? { type: 'relu' } : conv(4)))];
    const tooDeep = await open(hashOf({ input: Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i + j) % 3)), layers, head: 'sum', target: 1 }));
    await expect.poll(() => tooDeep.page.evaluate(() => document.body.dataset.state)).toBe('error');
    expect(await tooDeep.page.locator('#status').textContent()).toMatch(/^The problem is valid but too large to derive at this detail\. --detail auto: .*64 layers.* In the page: Detail → summary above\.$/);
    await tooDeep.page.context().close();
  }, 90_000);

  it('speaks Chinese with &lang=zh: the document and the page', async () => {
    const { page, problems } = await open(hashOf(seed, 'zh'));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-Hans');
    expect(await page.locator('#doc h1').textContent()).toMatch(/[\u4e00-\u9fff]/);
    expect(await page.locator('#doc section#backward h2').textContent()).toMatch(/[\u4e00-\u9fff]/);
    expect(await page.locator('#download-problem').textContent()).toBe('题目 (.json)');
    expect(await page.locator('#lang').inputValue()).toBe('zh');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('follows back and forward: each hash shows its own problem', async () => {
    const { page } = await open();
    let before = await lastDerived(page);
    await page.selectOption('#preset', 'preset.stride');
    await derived(page, before);
    expect(await page.locator('[data-key="stride.0"]').inputValue()).toBe('2');
    before = await lastDerived(page);
    await page.goBack();
    await derived(page, before);
    expect(await page.locator('[data-path="kernel[0][0]"]').inputValue()).toBe('3');
    expect(await grid(page, '∂L/∂K')).toEqual([['48', '64'], ['96', '112']]);
    before = await lastDerived(page);
    await page.goForward();
    await derived(page, before);
    expect(await page.locator('[data-key="stride.0"]').inputValue()).toBe('2');
    await page.context().close();
  }, 90_000);

  it('downloads the problem file, and the LaTeX and Markdown convgrad derive writes', async () => {
    const { page } = await open();
    const text = async (button: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
      return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
    };
    const problem = await text('#download-problem');
    expect(problem.name).toBe('problem.json');
    expect(JSON.parse(problem.text)).toEqual(seed);
    const tex = await text('#download-tex');
    expect(tex.name).toBe('problem.tex');
    const parsed = parseProblemText(problem.text);
    if (!parsed.ok) throw new Error('the downloaded problem is not valid');
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(tex.text).toBe(renderTex(derive(solve(parsed.problem)), { language: 'en', version }));
    const md = await text('#download-md');
    expect(md.name).toBe('problem.md');
    expect(md.text).toMatch(/^# Backpropagation through a convolution layer/);
    expect(md.text).toContain('](data:image/svg+xml;base64,');
    expect(md.text).not.toMatch(/\]\(problem\.figure-\d+\.svg\)/);
    await page.context().close();
  }, 90_000);

  it('explores: an output entry lights its window, a kernel entry the cells of its gradient; the stepper and the decimals', async () => {
    const { page } = await open();
    const input = page.locator('figure.xfigure').nth(0);
    await page.locator('figure.xfigure').nth(2).locator('td').nth(1).hover();
    expect(await input.locator('td.lit').allTextContents()).toEqual(['2', '3', '5', '6']);
    expect(await page.locator('.explore-info').textContent()).toContain('= 47');
    await page.locator('figure.xfigure').nth(3).locator('td').nth(3).hover();
    expect(await input.locator('td.lit').allTextContents()).toEqual(['5', '6', '8', '9']);
    expect(await page.locator('.explore-info').textContent()).toContain('= 112');
    // The stepper walks the backward pass.
    await page.click('#stepper-start');
    expect(await page.locator('.stepper-bar .position').textContent()).toMatch(/^Step 1 of \d+$/);
    expect(await page.locator('#doc section#forward').isVisible()).toBe(false);
    await page.click('#stepper-next');
    expect(await page.locator('.stepper-bar .position').textContent()).toMatch(/^Step 2 of \d+$/);
    await page.click('#stepper-done');
    expect(await page.locator('#doc section#forward').isVisible()).toBe(true);
    // Decimals: in the grids and in the document.
    const before = await lastDerived(page);
    await page.click('#numbers');
    await derived(page, before);
    expect(await grid(page, 'K after the update')).toEqual([['2.52', '1.36'], ['0.04', '3.88']]);
    // The document in decimals keeps its lines linked.
    await page.locator('figure.xfigure').nth(3).locator('td').nth(1).hover();
    expect(await page.locator('#doc .entry-lit-main[data-entry="grad.kernel:0:0:0:1"]').count()).toBe(2);
    await page.context().close();
  }, 90_000);

  it('edits a network of layers: cards added, moved, removed and resized re-derive to convgrad\'s exact numbers', async () => {
    const network = example('two-conv-relu');
    const { page, problems } = await open(hashOf(network));
    // Explore shows the first conv layer: its kernel's gradient and updated kernel, exact.
    const firstLayer = (exact: ReturnType<typeof networkExactOf>) => ({ grad: (exact.grad.layers[0].kernel as unknown[][])[0][0], updated: (exact.updated.layers[0].kernel as unknown[][])[0][0] });
    const shown = async () => ({ grad: await grid(page, '∂L/∂K'), updated: await grid(page, 'K after the update') });
    expect(await shown()).toEqual(firstLayer(networkExactOf(network)));
    expect(await page.locator('.layer').count()).toBe(3);
    expect(await page.locator('#doc h1').textContent()).toBe(network.title);
    const raw = async () => JSON.parse(await page.locator('#raw').inputValue());
    // A max-pool added after the last layer.
    let before = await lastDerived(page);
    await page.selectOption('[data-key="layers.add.3"]', 'max_pool');
    await derived(page, before);
    const pooled = { ...network, layers: [...network.layers, { type: 'max_pool', size: 2 }] };
    expect(await raw()).toEqual(pooled);
    expect(await shown()).toEqual(firstLayer(networkExactOf(pooled)));
    expect(await shown()).not.toEqual(firstLayer(networkExactOf(network)));
    // The ReLU removed.
    before = await lastDerived(page);
    await page.click('[aria-label="layers[1] Remove"]');
    await derived(page, before);
    const noRelu = { ...pooled, layers: [pooled.layers[0], pooled.layers[2], pooled.layers[3]] };
    expect(await raw()).toEqual(noRelu);
    expect(await shown()).toEqual(firstLayer(networkExactOf(noRelu)));
    // The pool moved up before the second conv leaves it a 1×1 input: the parser's message on that kernel, then back down.
    await page.click('[aria-label="layers[2] Move up"]');
    expect((await raw()).layers.map((l: { type: string }) => l.type)).toEqual(['conv2d', 'max_pool', 'conv2d']);
    await expect.poll(() => page.locator('[data-messages="layers[2].kernel"] .message').textContent()).toMatch(/^layers\[2\]\.kernel: the kernel spans 2×2 cells/);
    before = await lastDerived(page);
    await page.click('[aria-label="layers[1] Move down"]');
    await derived(page, before);
    expect(await raw()).toEqual(noRelu);
    // One more output channel on the first conv: its bias and the next conv's input planes follow.
    before = await lastDerived(page);
    await page.click('[aria-label="layers[0].kernel out_channels +1"]');
    await derived(page, before);
    const wider = await raw();
    expect(wider.layers[0].kernel).toHaveLength(3);
    expect(wider.layers[0].bias).toEqual([0, 1, 0]);
    expect(wider.layers[1].kernel[0]).toHaveLength(3);
    expect(wider.layers[1].kernel[0][2]).toEqual([[0, 0], [0, 0]]);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    expect(await page.locator('[data-layer="0"] .gives').textContent()).toBe('→ 1×3×3×3');
    // A bad entry in a layer: the command line's message beside that layer's kernel.
    await type(page, '[data-path="layers[1].kernel[0][0][0][0]"]', 'x');
    const bad = await raw();
    const parsed = parseAnyProblemText(JSON.stringify(bad));
    expect(parsed.ok).toBe(false);
    const expected = formatDiagnostic(!parsed.ok ? parsed.errors[0] : { path: '', message: '' });
    expect(expected).toBe('layers[1].kernel[0][0][0][0]: expected a number, got "x"');
    await expect.poll(() => page.locator('[data-messages="layers[1].kernel"] .message').textContent()).toBe(expected);
    expect(await page.locator('[data-path="layers[1].kernel[0][0][0][0]"]').getAttribute('class')).toContain('invalid');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('has the networks of examples/ as presets, cross-entropy among the losses, and makes a single layer a network', async () => {
    const { page, problems } = await open();
    let before = await lastDerived(page);
    await page.selectOption('#preset', 'preset.lenet');
    await derived(page, before);
    const lenet = example('conv-pool-linear-cross-entropy');
    expect(JSON.parse(await page.locator('#raw').inputValue())).toEqual(lenet);
    expect(await page.locator('[data-key="loss"]').inputValue()).toBe('cross_entropy');
    expect(await page.locator('[data-path="target[0]"]').inputValue()).toBe('1');
    expect(await page.locator('#doc section#backward').count()).toBe(1);
    // The loss of the example, as convgrad derive gives it (≈ 4.03598: cross-entropy is not rational).
    expect(await page.locator('#doc').textContent()).toContain('4.03598');
    // The seed as a network: [conv2d], the same numbers (a conv's K after the update, 63/25 …).
    before = await lastDerived(page);
    await page.selectOption('#preset', 'preset.seed');
    await derived(page, before);
    before = await lastDerived(page);
    await page.click('#to-network');
    await derived(page, before);
    const asNetwork = JSON.parse(await page.locator('#raw').inputValue());
    expect(asNetwork.layers).toEqual([{ type: 'conv2d', kernel: [[[[3, 2], [1, 5]]]] }]);
    expect(asNetwork.kernel).toBeUndefined();
    expect(await grid(page, 'K after the update')).toEqual([['63/25', '34/25'], ['1/25', '97/25']]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);
  /** The data-entry values of the document's lit lines, the defining ones marked with *. */
  const litLines = (page: Page) =>
    page.evaluate(() => [...new Set([...document.querySelectorAll('#doc .entry-lit')].map((e: any) => `${e.dataset.entry}${e.classList.contains('entry-lit-main') ? '*' : ''}`))].sort());
  const litCells = (page: Page, grid: number) => page.locator('figure.xfigure').nth(grid).locator('td.lit, td.lit-main').allTextContents();

  it('links Explore and the document: an entry hovered lights its lines, a line hovered or tapped lights its entry', async () => {
    const { page, problems } = await open();
    const explore = (grid: number, cell: number) => page.locator('figure.xfigure').nth(grid).locator('td').nth(cell);
    // σ₁₂ in Explore: its sum of products in the forward pass, and δ (one line for every entry here).
    await explore(2, 1).hover();
    expect(await litLines(page)).toEqual(['delta', 'sigma:0:0:0:1*']);
    expect(await page.locator('#doc [data-entry="sigma:0:0:0:1"].entry-lit-main').count()).toBe(2);
    expect(await page.locator('#doc .math[aria-current="true"]').count()).toBe(2);
    // k₂₂ and ∂L/∂k₂₂: the line of ∂L/∂k₂₂ and of k₂₂'s update.
    await explore(1, 3).hover();
    expect(await litLines(page)).toEqual(['grad.kernel:0:0:1:1*', 'kernel.update:0:0:1:1']);
    await explore(3, 0).hover();
    expect(await litLines(page)).toEqual(['grad.kernel:0:0:0:0*', 'kernel.update:0:0:0:0']);
    // Off the grid: nothing lit (after a moment in which the pointer may reach the sum below the grids).
    await page.locator('#doc h1').hover();
    await expect.poll(() => litLines(page)).toEqual([]);
    // The way back: σ₂₁'s line hovered lights its window, its kernel and itself in Explore.
    // Hovered again while not lit: on a loaded machine a late layout can move the line from under a resting pointer.
    const sigma21 = page.locator('#doc [data-entry="sigma:0:0:1:0"]').last();
    await expect.poll(async () => (await sigma21.hover(), litCells(page, 0)), { timeout: 5000 }).toEqual(['4', '5', '7', '8']);
    expect(await page.locator('figure.xfigure').nth(2).locator('td.lit-main').allTextContents()).toEqual(['69']);
    expect(await page.locator('.explore-info').textContent()).toContain('= 69');
    expect(await litLines(page)).toEqual(['delta', 'sigma:0:0:1:0*']);
    // Explore is far above: echoed at the foot of the screen, its window lit there too.
    expect(await page.locator('.explore-echo').isVisible()).toBe(true);
    expect(await page.locator('.explore-echo figure.xfigure').first().locator('td.lit').allTextContents()).toEqual(['4', '5', '7', '8']);
    expect(await page.locator('.explore-echo').textContent()).toContain('= 69');
    // A line of ∂L/∂k₁₁ clicked (or tapped) stays lit when the mouse leaves, until it is clicked again.
    await page.locator('#doc [data-entry="grad.kernel:0:0:0:0"]').first().click();
    await page.locator('#doc h1').hover();
    expect(await litCells(page, 0)).toEqual(['1', '2', '4', '5']);
    expect(await page.locator('.explore-info').textContent()).toContain('= 48');
    expect(await litLines(page)).toEqual(['grad.kernel:0:0:0:0*', 'kernel.update:0:0:0:0']);
    await page.locator('#doc [data-entry="grad.kernel:0:0:0:0"]').first().click();
    await page.locator('#doc h1').hover();
    expect(await litCells(page, 0)).toEqual([]);
    expect(await litLines(page)).toEqual([]);
    // Explore's button goes to the lines, and keeps them lit there.
    await page.evaluate(() => window.scrollTo(0, 0));
    await explore(2, 3).hover();
    await page.locator('.explore-info .doc-link button').click();
    const line = page.locator('#doc [data-entry="sigma:0:0:1:1"]').first();
    await page.waitForFunction(() => {
      const box = document.querySelector('#doc [data-entry="sigma:0:0:1:1"]').getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }, undefined, { timeout: 10_000 });
    expect(await line.getAttribute('class')).toContain('entry-lit-main');
    // A new document (an edit) starts with nothing lit, and its lines are linked as well. The pointer
    // goes off Explore first: a grid rebuilt under a resting pointer gets its hover again, as it should.
    await page.mouse.move(5, 5);
    const before = await lastDerived(page);
    await type(page, '[data-path="kernel[0][0]"]', '4');
    await derived(page, before);
    expect(await litLines(page)).toEqual([]);
    await page.locator('#doc [data-entry="sigma:0:0:0:0"]').last().hover();
    expect(await page.locator('figure.xfigure').nth(2).locator('td.lit-main').allTextContents()).toEqual(['37']);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('at auto detail lights the lines written out, and says when an entry has none; a phone taps', async () => {
    const plane = (seed: number) => Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => ((i * 7 + j * 3 + seed * 5) % 9) - 4));
    const problem = { input: [plane(0), plane(1)], kernel: [[[[1, 0], [2, -1]], [[0, 1], [1, -2]]]], padding: 1, pool: { type: 'max', size: 2 }, head: 'mean', target: 1, optimizer: { type: 'sgd', lr: 0.01 } };
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(PAGE).href + hashOf(problem));
    await derived(page);
    const sigma = page.locator('figure.xfigure').nth(2);
    // σ₁₁ is written out (the first entry), with δ at it (the max pooling's line, where it wins); σ₁₂ is not.
    await sigma.locator('td').nth(0).tap();
    expect((await litLines(page)).filter((k) => k.startsWith('sigma'))).toEqual(['sigma:0:0:0:0*']);
    expect(await page.locator('.explore-info .doc-link button').count()).toBe(1);
    await sigma.locator('td').nth(0).tap();
    await sigma.locator('td').nth(1).tap();
    expect(await litLines(page)).toEqual([]);
    expect(await page.locator('.explore-info .doc-link').textContent()).toContain('does not write this entry out');
    await sigma.locator('td').nth(1).tap();
    // A line tapped on the phone lights its entry in Explore; tapped again, nothing.
    const last = page.locator('#doc [data-entry="sigma:0:0:8:8"]').last();
    await last.scrollIntoViewIfNeeded();
    await last.tap();
    expect(await sigma.locator('td.lit-main').count()).toBe(1);
    expect(await sigma.locator('td.lit-main').getAttribute('data-i')).toBe('8');
    expect(await litLines(page)).toContain('sigma:0:0:8:8*');
    // Explore is scrolled away: the entry's sum is echoed on the screen, the line not covered.
    const echo = page.locator('.explore-echo');
    expect(await echo.isVisible()).toBe(true);
    const [lineBox, echoBox] = [(await last.boundingBox())!, (await echo.boundingBox())!];
    expect(lineBox.y + lineBox.height <= echoBox.y || echoBox.y + echoBox.height <= lineBox.y).toBe(true);
    await last.tap();
    expect(await sigma.locator('td.lit-main').count()).toBe(0);
    expect(await echo.isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('prints the handout alone: the editor and the panels are hidden on paper', async () => {
    const { page } = await open();
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#editor').isVisible()).toBe(false);
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.locator('#doc h1').isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.context().close();
  }, 90_000);

  it('on a phone (390 px) the editor and the document both fit the screen', async () => {
    const { page, problems } = await open('', 390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    for (const selector of ['[data-path="kernel[1][1]"]', '#raw', '#doc h1', '#doc nav.contents']) {
      const box = (await page.locator(selector).boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    // Still editable there.
    const before = await lastDerived(page);
    await type(page, '[data-path="kernel[0][0]"]', '4');
    await derived(page, before);
    expect(await grid(page, 'output σ')).toEqual(exactOf({ ...seed, kernel: [[4, 2], [1, 5]] }).forward.conv);
    await page.screenshot({ path: join(shots, 'phone.png'), fullPage: false });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);
});
