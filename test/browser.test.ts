// The HTML as a reader meets it: opened in headless Chromium (Debian's, driven by playwright-core),
// it loads with no console error and no request outside the file, and prints to an A4 PDF.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { derive } from '../src/derivation/derive.js';
import { renderHtml } from '../src/render/html.js';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { solutionOf } from './helpers/solve.js';
import { chromium, launchChromium } from './helpers/tools.js';

const CHROMIUM = chromium();
const seed = JSON.parse(SEED_PROBLEM_SOURCE);
const pages: Record<string, { problem: object; language: 'en' | 'zh' }> = {
  'the seed in English': { problem: seed, language: 'en' },
  'the seed in Chinese': { problem: seed, language: 'zh' },
  'channels, ReLU, max pooling and Adam': {
    problem: {
      input: [[[1, -2, 3, 0], [2, 0, -1, 1], [-1, 3, 2, 0], [0, 1, 1, -3]], [[0, 1, -1, 2], [1, 1, 0, -2], [2, -1, 1, 1], [-2, 0, 3, 1]]],
      kernel: [[[[1, 0], [-1, 2]], [[0, 1], [1, -1]]], [[[2, -1], [0, 1]], [[1, 1], [-2, 0]]]],
      bias: [1, '-1/2'], padding: 1, padding_mode: 'reflect', activation: 'relu', pool: { type: 'max', size: 2 }, head: 'mean', target: 2,
      optimizer: { type: 'adam', lr: 0.1 }, steps: 4,
    },
    language: 'en',
  },
};

describe.skipIf(!CHROMIUM.available)(`the HTML page in ${CHROMIUM.label}`, () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'convgrad-browser-'));

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.each(Object.keys(pages))('%s loads cleanly and prints to A4', async (name) => {
    const { problem, language } = pages[name];
    const file = join(dir, `${name.replace(/\W+/g, '-')}.html`);
    writeFileSync(file, renderHtml(derive(solutionOf(problem)), { language, version: '0.0.0' }));
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) problems.push(`request: ${request.url()}`);
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    expect(problems).toEqual([]);
    // The KaTeX fonts load from the page itself.
    expect(await page.evaluate('document.fonts.check("16px KaTeX_Main")')).toBe(true);
    expect(await page.locator('.katex').count()).toBeGreaterThan(20);
    expect(await page.locator('nav.contents a').count()).toBeGreaterThan(8);
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(20_000);
    await page.close();
  }, 60_000);

  it('on a phone (390 px), the planes of a tensor wrap one under another instead of running off the screen', async () => {
    const file = join(dir, 'phone.html');
    writeFileSync(file, renderHtml(derive(solutionOf(pages['channels, ReLU, max pooling and Adam'].problem)), { language: 'en', version: '0.0.0' }));
    const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // The first formula block holds X^{(1)}, X^{(2)} and the four planes of K, in one row that wraps.
    const given = page.locator('section#problem .math').first();
    expect(await given.locator('.planes').count()).toBe(1);
    expect(await given.locator('.planes .katex-display').count()).toBe(6);
    expect(await given.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
    const [first, second] = await given.locator('.planes').first().locator('.katex-display').evaluateAll((es) => es.map((e) => e.getBoundingClientRect().top));
    expect(second).toBeGreaterThan(first);
    await page.close();
  }, 60_000);
});
