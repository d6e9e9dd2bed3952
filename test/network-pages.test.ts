// The shipped network examples (examples/) as a teacher prints them: each derives in both languages,
// its LaTeX compiles, and --detail auto keeps it within 12 A4 pages (counted by pdfinfo); the formula
// sheet (--detail summary) keeps to one page where the network is small.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { pdfinfo, pdflatex, xelatex } from './helpers/tools.js';

const PDFLATEX = pdflatex();
const XELATEX = xelatex();
const PDFINFO = pdfinfo();
const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const names = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));

function pages(file: string): number {
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  const match = /^Pages:\s+(\d+)/m.exec(info.stdout);
  if (!match) throw new Error(`pdfinfo could not read ${file}: ${info.stderr}`);
  return Number(match[1]);
}

describe('the network examples', () => {
  it('are there: the interview classics the issue names', () => {
    expect(names.sort()).toEqual(['conv-batch-norm', 'conv-pool-linear-cross-entropy', 'transposed-conv', 'two-conv-relu']);
  });

  it.each(names.flatMap((name) => (['en', 'zh'] as const).map((language) => [name, language] as const)))('%s (%s) derives into tex, html, md and json', async (name, language) => {
    const run = await runCli(['derive', join(EXAMPLES, `${name}.json`), '--lang', language]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 120_000);
});

describe.skipIf(!PDFLATEX.available || !XELATEX.available || !PDFINFO.available)(`network examples printed (${PDFLATEX.label}, ${XELATEX.label}, ${PDFINFO.label})`, () => {
  it.each(names.flatMap((name) => (['en', 'zh'] as const).map((language) => [name, language] as const)))('%s (%s) fits 12 A4 pages', async (name, language) => {
    const run = await runCli(['derive', join(EXAMPLES, `${name}.json`), '--format', 'pdf', '--lang', language]);
    expect(run.status, run.stderr).toBe(0);
    expect(pages(join(run.cwd, 'output', `${name}${language === 'en' ? '' : '.zh'}.pdf`))).toBeLessThanOrEqual(12);
  }, 240_000);

  it.each(names)('%s: the formula sheet is one page', async (name) => {
    const run = await runCli(['derive', join(EXAMPLES, `${name}.json`), '--format', 'pdf', '--detail', 'summary']);
    expect(run.status, run.stderr).toBe(0);
    expect(pages(join(run.cwd, 'output', `${name}.pdf`))).toBe(1);
  }, 240_000);
});
