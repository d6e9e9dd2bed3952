// A third of the pages: the printed documents, A4, in both languages, within the page counts a teacher
// can hand out (counted by pdfinfo): the seed in 4 pages, a two-channel problem with max pooling and two
// steps of Adam in 8 and its cheat sheet in 1, the answer key of four hard exercises in 20, its answers at a glance first.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Language } from '../src/strings/strings.js';
import { runCli } from './helpers/run-cli.js';
import { pdfinfo, pdflatex, xelatex } from './helpers/tools.js';

const PDFLATEX = pdflatex();
const XELATEX = xelatex();
const PDFINFO = pdfinfo();
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

function pages(file: string): number {
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  const match = /^Pages:\s+(\d+)/m.exec(info.stdout);
  if (!match) throw new Error(`pdfinfo could not read ${file}: ${info.stderr}`);
  return Number(match[1]);
}

const suffix = (language: Language) => (language === 'en' ? '' : '.zh');

describe.skipIf(!PDFLATEX.available || !XELATEX.available || !PDFINFO.available)(`page counts (${PDFLATEX.label}, ${XELATEX.label}, ${PDFINFO.label})`, () => {
  it.each(['en', 'zh'] as const)('%s: the seed fits 4 pages, A4', async (language) => {
    const run = await runCli(['derive', '--format', 'pdf', '--lang', language]);
    expect(run.status, run.stderr).toBe(0);
    const pdf = join(run.cwd, 'output', `seed${suffix(language)}.pdf`);
    expect(pages(pdf)).toBeLessThanOrEqual(4);
    expect(spawnSync('pdfinfo', [pdf], { encoding: 'utf8' }).stdout).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  }, 240_000);

  it.each(['en', 'zh'] as const)('%s: two input channels 4 × 4, max pooling and two steps of Adam fit 8 pages', async (language) => {
    const run = await runCli(['derive', join(FIXTURES, 'two-channels-max-pool-adam.json'), '--format', 'pdf', '--lang', language]);
    expect(run.status, run.stderr).toBe(0);
    expect(pages(join(run.cwd, 'output', `two-channels-max-pool-adam${suffix(language)}.pdf`))).toBeLessThanOrEqual(8);
  }, 240_000);

  it.each(['en', 'zh'] as const)('%s: its cheat sheet (--detail summary) is one page', async (language) => {
    const run = await runCli(['derive', join(FIXTURES, 'two-channels-max-pool-adam.json'), '--format', 'pdf', '--lang', language, '--detail', 'summary']);
    expect(run.status, run.stderr).toBe(0);
    expect(pages(join(run.cwd, 'output', `two-channels-max-pool-adam${suffix(language)}.pdf`))).toBe(1);
  }, 240_000);

  it.each(['en', 'zh'] as const)('%s: quiz --count 4 --seed 3 --difficulty hard: the answer key fits 20 pages, its answers at a glance first', async (language) => {
    const run = await runCli(['quiz', '--count', '4', '--seed', '3', '--difficulty', 'hard', '--format', 'tex,pdf', '--lang', language]);
    expect(run.status, run.stderr).toBe(0);
    expect(pages(join(run.cwd, 'quiz', `answers${suffix(language)}.pdf`))).toBeLessThanOrEqual(20);
    const tex = readFileSync(join(run.cwd, 'quiz', `answers${suffix(language)}.tex`), 'utf8');
    // The table of answers comes before the first exercise's derivation.
    expect(tex.indexOf('\\begin{longtable}')).toBeGreaterThan(0);
    expect(tex.indexOf('\\begin{longtable}')).toBeLessThan(tex.indexOf(language === 'en' ? 'Exercise $1$' : '练习 $1$'));
  }, 300_000);
});
