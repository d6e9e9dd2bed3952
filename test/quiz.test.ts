// convgrad quiz: exercise sheets and answer keys with nice numbers, the same bytes for the same seed,
// answers that agree with convgrad derive on each problem file, hard exercises that vary, problem files
// a person can read, what each exercise asks for, and PDFs that compile.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRational, toTerminatingDecimal } from '../src/numbers/rational.js';
import { exercises } from '../src/quiz/generate.js';
import { exerciseSheet } from '../src/quiz/documents.js';
import { mergeLegends } from '../src/derivation/notation.js';
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

  it.each(['easy', 'medium', 'hard'])('%s: every exact answer is a short decimal, and the key agrees with convgrad derive on each problem file', async (difficulty) => {
    const run = await runCli(['quiz', '--count', '5', '--seed', '3', '--difficulty', difficulty]);
    expect(run.status, run.stderr).toBe(0);
    const dir = join(run.cwd, 'quiz');
    const markdown = readFileSync(join(dir, 'answers.md'), 'utf8');
    const key = markdown.split(/^## Exercise /m).slice(1);
    expect(key).toHaveLength(5);
    for (let k = 1; k <= 5; k++) {
      const derived = await runCli(['derive', join(dir, `problem-0${k}.json`), '--json']);
      const result = JSON.parse(derived.stdout);
      for (const exact of [result.exact.forward.loss, ...result.exact.grad.kernel.flat(3), ...result.exact.grad.input.flat(3)]) {
        expect(toTerminatingDecimal(parseRational(exact)!, 4), exact).not.toBeNull();
      }
      const loss = toTerminatingDecimal(parseRational(result.exact.forward.loss)!)!;
      expect(key[k - 1]).toContain(`= ${loss}`);
      // The parameters after the last step: short decimals where exact (SGD), marked ≈ where Adam's square root rounds them.
      const last = result.exact.trajectory?.at(-1)?.kernel;
      if (last) for (const value of last.flat(3).map((x: string) => toTerminatingDecimal(parseRational(x)!))) expect(markdown).toContain(value);
      else expect(key[k - 1]).toMatch(/K'[^\n]*\\approx/);
    }
    const sheet = readFileSync(join(dir, 'exercises.md'), 'utf8');
    expect(sheet).toContain(`$5$ exercises (${difficulty})`);
    expect(sheet).not.toContain('Backward pass');
  }, 120_000);

  it('hard exercises vary the padding mode, the loss and the optimizer from one to the next, and the pooling, the activation and the head', () => {
    let allOptimizers = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const problems = exercises(4, seed, 'hard').map((e) => JSON.parse(e.source));
      const settings = (get: (p: Record<string, unknown>) => unknown) => problems.map((p) => JSON.stringify(get(p) ?? 'default'));
      expect(new Set(settings((p) => p.padding_mode)).size, `seed ${seed}`).toBe(4);
      expect(new Set(settings((p) => p.loss)).size, `seed ${seed}`).toBe(4);
      // Four optimizers; rarely three, where one leaves no short decimals after the rest of an exercise (Nesterov after two means).
      const optimizers = new Set(settings((p) => { const o = p.optimizer as Record<string, unknown>; return [o.type, o.nesterov === true, o.weight_decay !== undefined, o.momentum !== undefined]; })).size;
      expect(optimizers, `seed ${seed}`).toBeGreaterThanOrEqual(3);
      if (optimizers === 4) allOptimizers++;
      for (const field of ['pool', 'activation', 'head'] as const) expect(new Set(settings((p) => p[field])).size, `seed ${seed}: ${field}`).toBeGreaterThan(1);
    }
    expect(allOptimizers).toBeGreaterThanOrEqual(10);
  });

  it('writes no stray field, no tensor plane of zeros and no zero bias', () => {
    for (const difficulty of ['easy', 'medium', 'hard'] as const) {
      for (const e of exercises(8, 11, difficulty)) {
        const p = JSON.parse(e.source);
        if ('negative_slope' in p) expect(p.activation).toBe('leaky_relu');
        if ('beta' in p) expect(p.loss).toBe('smooth_l1');
        if ('delta' in p) expect(p.loss).toBe('huber');
        const planes = (t: unknown): number[][][] => (Array.isArray((t as unknown[][])[0][0]) ? (t as unknown[]).flatMap((x) => planes(x)) : [t as number[][]]);
        for (const plane of [...planes(p.input), ...planes(p.kernel)]) expect(plane.flat().some((x) => x !== 0), e.source).toBe(true);
        for (const b of p.bias === undefined ? [] : Array.isArray(p.bias) ? p.bias : [p.bias]) expect(b).not.toBe(0);
      }
    }
  });

  it('gives every symbol of the shared legend one meaning, which holds for every exercise', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const items = exercises(4, seed, 'hard');
      const legend = exerciseSheet(items, { difficulty: 'hard' }).sections.find((s) => s.id === 'legend')!.steps[0].blocks[0];
      if (legend.kind !== 'legend') throw new Error('no legend');
      const symbols = legend.entries.map((e) => e.symbol);
      expect(new Set(symbols).size, `seed ${seed}`).toBe(symbols.length);
      // A border of zeros in one exercise and of copies in another: the padded input's meaning says both.
      const modes = new Set(items.map((e) => JSON.parse(e.source)).filter((p) => p.padding !== undefined).map((p) => p.padding_mode ?? 'zeros'));
      const padded = legend.entries.find((e) => e.symbol.startsWith('\\tilde X'))?.meaning.key;
      if (modes.size > 1 && modes.has('zeros')) expect(padded).toBe('legend.padded.either');
      else if (modes.size > 0) expect(padded).toBe(modes.has('zeros') ? 'legend.padded' : 'legend.padded.copies');
    }
    // δ̃ of a strided exercise is δ spread by the stride, which holds for stride 1 too.
    expect(mergeLegends([[{ symbol: '\\tilde\\delta', meaning: { key: 'legend.delta-padded' } }], [{ symbol: '\\tilde\\delta', meaning: { key: 'legend.delta-padded.spread' } }]])).toEqual([{ symbol: '\\tilde\\delta', meaning: { key: 'legend.delta-padded.spread' } }]);
  });

  it('writes each problem file one matrix row a line', () => {
    for (const e of exercises(4, 5, 'hard')) {
      const rows = e.source.split('\n').filter((line) => /\d/.test(line) && line.includes('['));
      expect(rows.length).toBeGreaterThan(6);
      // A line holds one row of numbers (or a field whose value is one row, or a small object of settings).
      for (const line of rows) expect(line.match(/\[/g)!.length, line).toBe(1);
      expect(e.source).toMatch(/^ {6}\[-?\d+, -?\d+, -?\d+\],?$/m);
    }
  });

  it('--ask: each exercise asks for what is asked, and the key derives just that', async () => {
    const run = await runCli(['quiz', '--count', '2', '--seed', '4', '--difficulty', 'medium', '--ask', 'grad.kernel', '--format', 'md']);
    expect(run.status, run.stderr).toBe(0);
    const sheet = readFileSync(join(run.cwd, 'quiz', 'exercises.md'), 'utf8');
    expect(sheet.match(/Find \$\\frac\{\\partial L\}\{\\partial K\}\$\./g)).toHaveLength(2);
    const key = readFileSync(join(run.cwd, 'quiz', 'answers.md'), 'utf8');
    expect(key).not.toContain('### Gradient of the input');
    expect(key).not.toContain('## Update');
    expect(key).toContain('### Gradient of the kernel');
    const both = await runCli(['quiz', '--count', '2', '--seed', '4', '--difficulty', 'medium', '--ask', 'grad.input,updated', '--format', 'md']);
    expect(readFileSync(join(both.cwd, 'quiz', 'exercises.md'), 'utf8')).toMatch(/Find \$\\frac\{\\partial L\}\{\\partial X\}\$, and \$K', b'\$ after \$1\$ step\./);
    const wrong = await runCli(['quiz', '--ask', 'grad.kernal']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toBe('convgrad: --ask: unknown quantity "grad.kernal"; choose from prediction, loss, grad.kernel, grad.bias, grad.input, updated\n');
  }, 60_000);

  it('--detail reaches the answer key: full cuts nothing, auto shows a few entries of a large map', async () => {
    const [auto, full] = [
      await runCli(['quiz', '--count', '2', '--seed', '3', '--difficulty', 'hard', '--format', 'md']),
      await runCli(['quiz', '--count', '2', '--seed', '3', '--difficulty', 'hard', '--format', 'md', '--detail', 'full']),
    ];
    const [a, f] = [auto, full].map((r) => readFileSync(join(r.cwd, 'quiz', 'answers.md'), 'utf8'));
    expect(f).not.toContain('Shown: ');
    expect(f).not.toContain('\\cdots');
    expect(a).toContain('Shown: ');
    expect(f.length).toBeGreaterThan(a.length);
  }, 60_000);

  it('the answer key opens with every answer at a glance, ≈ where a value is rounded', async () => {
    const run = await runCli(['quiz', '--count', '4', '--seed', '3', '--difficulty', 'hard', '--format', 'md']);
    const key = readFileSync(join(run.cwd, 'quiz', 'answers.md'), 'utf8');
    const glance = key.slice(0, key.indexOf('## Exercise 1'));
    expect(glance).toContain('## Answers at a glance');
    expect(glance).toMatch(/\\text\{Exercise\} & \\text\{Answers\}/);
    for (let k = 1; k <= 4; k++) expect(glance).toMatch(new RegExp(`^${k} & \\\\begin\\{aligned\\}`, 'm'));
    // Seed 3's first exercise takes Adam's step: its parameters are rounded, and say so.
    expect(glance).toMatch(/\{K'\}\^\{\(1\)\} & \\approx/);
  }, 60_000);

  it.skipIf(!PDFLATEX.available || !XELATEX.available)('writes PDFs of the sheet and the key in English and Chinese', async () => {
    for (const lang of ['en', 'zh']) {
      const run = await runCli(['quiz', '--count', '3', '--seed', '1', '--difficulty', 'hard', '--lang', lang, '--format', 'pdf']);
      expect(run.status, run.stderr).toBe(0);
      const suffix = lang === 'en' ? '' : '.zh';
      for (const name of ['exercises', 'answers']) expect(readFileSync(join(run.cwd, 'quiz', `${name}${suffix}.pdf`)).subarray(0, 5).toString()).toBe('%PDF-');
    }
  }, 240_000);
});
