// convgrad quiz: exercise sheets and answer keys with nice numbers, the same bytes for the same seed,
// answers that agree with convgrad derive on each problem file, and PDFs that compile.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toTerminatingDecimal } from '../src/numbers/rational.js';
import { parseRational } from '../src/numbers/rational.js';
import { runCli } from './helpers/run-cli.js';
import { pdflatex, xelatex } from './helpers/tools.js';

const PDFLATEX = pdflatex();
const XELATEX = xelatex();

describe('convgrad quiz', () => {
  it('gives the same bytes for the same seed, and other exercises for another seed', async () => {
    const [a, b, c] = [await runCli(['quiz', '--count', '4', '--seed', '7']), await runCli(['quiz', '--count', '4', '--seed', '7']), await runCli(['quiz', '--count', '4', '--seed', '8'])];
    const files = readdirSync(join(a.cwd, 'quiz')).sort();
    expect(files).toEqual(['answers.html', 'answers.md', 'answers.tex', 'exercises.html', 'exercises.md', 'exercises.tex', 'problem-01.json', 'problem-02.json', 'problem-03.json', 'problem-04.json']);
    for (const f of files) expect(readFileSync(join(b.cwd, 'quiz', f)).equals(readFileSync(join(a.cwd, 'quiz', f))), f).toBe(true);
    expect(readFileSync(join(c.cwd, 'quiz', 'problem-01.json'), 'utf8')).not.toBe(readFileSync(join(a.cwd, 'quiz', 'problem-01.json'), 'utf8'));
  });

  it.each(['easy', 'medium', 'hard'])('%s: every answer is a short decimal, and the key agrees with convgrad derive on each problem file', async (difficulty) => {
    const run = await runCli(['quiz', '--count', '5', '--seed', '3', '--difficulty', difficulty]);
    expect(run.status, run.stderr).toBe(0);
    const dir = join(run.cwd, 'quiz');
    const key = readFileSync(join(dir, 'answers.md'), 'utf8').split(/^## Exercise /m).slice(1);
    expect(key).toHaveLength(5);
    for (let k = 1; k <= 5; k++) {
      const derived = await runCli(['derive', join(dir, `problem-0${k}.json`), '--json']);
      const result = JSON.parse(derived.stdout);
      for (const exact of [result.exact.forward.loss, ...result.exact.grad.kernel.flat(3), ...result.exact.updated.kernel.flat(3)]) {
        expect(toTerminatingDecimal(parseRational(exact)!, 4), exact).not.toBeNull();
      }
      const loss = toTerminatingDecimal(parseRational(result.exact.forward.loss)!)!;
      expect(key[k - 1]).toContain(`= ${loss}`);
      const updated = result.exact.trajectory.at(-1).kernel.flat(3).map((x: string) => toTerminatingDecimal(parseRational(x)!));
      for (const value of updated) expect(key[k - 1]).toContain(value);
    }
    const sheet = readFileSync(join(dir, 'exercises.md'), 'utf8');
    expect(sheet).toContain(`$5$ exercises (${difficulty})`);
    expect(sheet).not.toContain('Backward pass');
  });

  it.skipIf(!PDFLATEX.available || !XELATEX.available)('writes PDFs of the sheet and the key in English and Chinese', async () => {
    for (const lang of ['en', 'zh']) {
      const run = await runCli(['quiz', '--count', '3', '--seed', '1', '--difficulty', 'hard', '--lang', lang, '--format', 'pdf']);
      expect(run.status, run.stderr).toBe(0);
      const suffix = lang === 'en' ? '' : '.zh';
      for (const name of ['exercises', 'answers']) expect(readFileSync(join(run.cwd, 'quiz', `${name}${suffix}.pdf`)).subarray(0, 5).toString()).toBe('%PDF-');
    }
  }, 240_000);
});
