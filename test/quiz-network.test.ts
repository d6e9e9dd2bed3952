// convgrad quiz --difficulty network: the same bytes for the same seed, problem files that read as
// networks of the two kinds in turn, a sheet that states every setting its key uses, a key whose
// answers are solveNetwork's (short decimals where exact, ≈ where cross-entropy's softmax rounds them),
// in English and Chinese, and PDFs of a few pages.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnyProblemText } from '../src/problem/parse-problem.js';
import type { NetworkProblem } from '../src/problem/network.js';
import { solveNetwork, type NetworkSolution } from '../src/trajectory/train-network.js';
import { scalarTex, shownExactly } from '../src/expr/to-tex.js';
import { isExact, type Scalar } from '../src/numbers/scalar.js';
import { toTerminatingDecimal } from '../src/numbers/rational.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { networkExercises } from '../src/quiz/network.js';
import { runCli } from './helpers/run-cli.js';
import { pdfinfo, pdflatex, xelatex } from './helpers/tools.js';

const PDFLATEX = pdflatex();
const XELATEX = xelatex();
const PDFINFO = pdfinfo();

function network(source: string): NetworkProblem {
  const parsed = parseAnyProblemText(source);
  if (!parsed.ok || !parsed.network) throw new Error(`not a network: ${source}`);
  return parsed.network;
}

/** How the key writes a tensor's values: each matrix row "a & b & c", a vector "(a,\ b)", a scalar alone. */
function shown(t: Tensor<Scalar>): string[] {
  const values = t.data.map(scalarTex);
  if (t.shape.length <= 1) return values.length === 1 ? values : [`\\left(${values.join(',\\ ')}\\right)`];
  const cols = t.shape[t.shape.length - 1];
  return Array.from({ length: values.length / cols }, (_, r) => values.slice(r * cols, (r + 1) * cols).join(' & '));
}

/** Every answer solveNetwork gives: the prediction, the loss, every parameter's gradient, ∂L/∂X, every parameter after the last step. */
function answers(solution: NetworkSolution): Tensor<Scalar>[] {
  const { first, steps } = solution;
  const parameters = (list: readonly Readonly<Record<string, Tensor<Scalar>>>[]) => list.flatMap((named) => Object.values(named));
  return [first.forward.prediction, { shape: [], data: [first.forward.loss] }, ...parameters(steps[0].gradients), first.backward.input, ...parameters(steps[steps.length - 1].after)];
}

describe('convgrad quiz --difficulty network', () => {
  it('gives the same bytes for the same seed, and other exercises for another seed', async () => {
    const [a, b, c] = [
      await runCli(['quiz', '--difficulty', 'network', '--count', '4', '--seed', '7']),
      await runCli(['quiz', '--difficulty', 'network', '--count', '4', '--seed', '7']),
      await runCli(['quiz', '--difficulty', 'network', '--count', '4', '--seed', '8']),
    ];
    expect(a.status, a.stderr).toBe(0);
    const files = readdirSync(join(a.cwd, 'quiz')).sort();
    expect(files).toEqual(['answers.html', 'answers.md', 'answers.tex', 'exercises.html', 'exercises.md', 'exercises.tex', 'problem-01.json', 'problem-02.json', 'problem-03.json', 'problem-04.json']);
    for (const f of files) expect(readFileSync(join(b.cwd, 'quiz', f)).equals(readFileSync(join(a.cwd, 'quiz', f))), f).toBe(true);
    expect(readFileSync(join(c.cwd, 'quiz', 'problem-01.json'), 'utf8')).not.toBe(readFileSync(join(a.cwd, 'quiz', 'problem-01.json'), 'utf8'));
  }, 60_000);

  it('alternates two conv layers with a ReLU between (sum, mse) and conv → flatten → linear with cross-entropy, every problem file a network', () => {
    for (let seed = 1; seed <= 10; seed++) {
      networkExercises(6, seed).forEach((e, k) => {
        const net = network(e.source);
        const types = net.layers.map((l) => l.type);
        expect(net.optimizer.type, e.source).toBe('sgd');
        if (k % 2 === 0) {
          expect(types, e.source).toEqual(['conv2d', 'activation', 'conv2d']);
          expect([net.head, net.loss.type, net.input.shape.slice(2).join('x')], e.source).toEqual(['sum', 'mse', net.input.shape[2] === 4 ? '4x4' : '5x5']);
        } else {
          expect(types.slice(-2), e.source).toEqual(['flatten', 'linear']);
          expect(types[0], e.source).toBe('conv2d');
          expect([net.head, net.loss.type], e.source).toEqual(['none', 'cross_entropy']);
          expect([2, 3], e.source).toContain(net.shapes[net.shapes.length - 1][1]);
        }
        // One matrix row of the input a line, one layer a line.
        expect(e.source.split('\n').filter((line) => line.startsWith('    {"type": ')).length, e.source).toBe(net.layers.length);
        expect(e.source).toMatch(/^ {4}\[-?\d+(, -?\d+)+\],?$/m);
        // Nice numbers: every exact value a short decimal; the two-conv exercises exact throughout.
        const values = answers(e.solution).flatMap((t) => t.data);
        for (const v of values.filter(isExact)) expect(toTerminatingDecimal(v, 4), e.source).not.toBeNull();
        if (k % 2 === 0) expect(values.every(isExact), e.source).toBe(true);
        else expect(e.solution.first.forward.prediction.data.every(isExact), e.source).toBe(true);
      });
    }
  });

  it('the sheet states every setting the key uses, and asks for every answer', async () => {
    const run = await runCli(['quiz', '--difficulty', 'network', '--count', '4', '--seed', '5', '--format', 'md']);
    expect(run.status, run.stderr).toBe(0);
    const dir = join(run.cwd, 'quiz');
    const sheet = readFileSync(join(dir, 'exercises.md'), 'utf8');
    expect(sheet).toContain('# Exercises: backpropagation through a network of layers');
    expect(sheet).toContain('$4$ exercises (network)');
    expect(sheet).toContain("Cross-entropy's softmax is not");
    const parts = sheet.split(/^## Exercise /m).slice(1);
    expect(parts).toHaveLength(4);
    parts.forEach((part, i) => {
      const source = readFileSync(join(dir, `problem-0${i + 1}.json`), 'utf8');
      const json = JSON.parse(source);
      const net = network(source);
      const rows = part.split('\n').filter((line) => /^\d+ & \\texttt/.test(line));
      expect(rows, part).toHaveLength(json.layers.length);
      json.layers.forEach((layer: Record<string, unknown>, l: number) => {
        const row = rows[l];
        if (layer.type === 'conv2d') expect(row).toContain(`s = ${layer.stride ?? 1},\\ p = ${layer.padding ?? 0})`);
        if (layer.type === 'linear') expect(row).toContain(`\\texttt{Linear}(${(layer.weight as number[][])[0].length} \\to ${(layer.weight as number[][]).length}`);
        if (layer.type === 'relu') expect(row).toContain('\\texttt{relu}');
        if (layer.type === 'flatten') expect(row).toContain('\\texttt{Flatten}');
      });
      if (json.loss === 'mse') expect(part).toContain(`The prediction $S$ is the sum of every entry of the last output; the loss is $L = (S - T)^2$ with the target $T = ${json.target}$.`);
      else expect(part).toContain(`cross-entropy, the mean over the samples of $-\\log$ of the softmax probability of the target class (the targets, counted from 1: $${json.target[0] + 1}$)`);
      expect(part).toContain(`The optimizer is SGD with $\\eta = ${json.optimizer.lr}$, for $1$ step, on every parameter of every layer.`);
      // Every parameter the problem file holds is stated with its values.
      for (const layer of net.layers) if (layer.type === 'linear') expect(part).toContain(layer.weight.data.slice(0, layer.weight.shape[1]).map((x) => scalarTex(x)).join(' & '));
      const find = part.split('\n').find((line) => line.startsWith('Find '))!;
      expect(find).toContain(`\\partial L / \\partial K^{(1)}`);
      expect(find).toContain(`\\partial L / \\partial X`);
      expect(find).toContain("{K'}^{(1)}");
      expect(find).toContain('after $1$ step.');
    });
  }, 60_000);

  it.each(['en', 'zh'] as const)('%s: the answers at a glance are solveNetwork\'s on each problem file, ≈ where rounded', async (lang) => {
    const run = await runCli(['quiz', '--difficulty', 'network', '--count', '4', '--seed', '3', '--format', 'md', '--lang', lang]);
    expect(run.status, run.stderr).toBe(0);
    const dir = join(run.cwd, 'quiz');
    const suffix = lang === 'en' ? '' : '.zh';
    const key = readFileSync(join(dir, `answers${suffix}.md`), 'utf8');
    expect(key).toContain(lang === 'en' ? '# Answer key: backpropagation through a network of layers' : '# 答案：多层网络的反向传播');
    const glance = key.slice(0, key.indexOf(lang === 'en' ? '## Symbols' : '## 记号'));
    const rows = glance.split(/^(?=\d+ & \\begin\{aligned\})/m).slice(1);
    expect(rows).toHaveLength(4);
    rows.forEach((row, i) => {
      const solution = solveNetwork(network(readFileSync(join(dir, `problem-0${i + 1}.json`), 'utf8')));
      const loss = solution.first.forward.loss;
      expect(row).toContain(`L & ${shownExactly(loss) ? '=' : '\\approx'} ${scalarTex(loss)}`);
      for (const t of answers(solution)) for (const line of shown(t)) expect(row, line).toContain(line);
      // The two-conv exercises are exact; the cross-entropy ones round what follows the softmax.
      expect(row.includes('\\approx'), row).toBe(solution.network.loss.type === 'cross_entropy');
    });
    // The derivation of each exercise follows, without a legend of its own and with the update asked for.
    const sections = key.split(lang === 'en' ? /^## Exercise /m : /^## 练习 /m).slice(1);
    expect(sections).toHaveLength(4);
    expect(key.match(lang === 'en' ? /^## Symbols/gm : /^## 记号/gm)).toHaveLength(1);
  }, 60_000);

  it('--ask: the sheet asks and the key answers just that', async () => {
    const run = await runCli(['quiz', '--difficulty', 'network', '--count', '2', '--seed', '4', '--ask', 'loss,grad.kernel', '--format', 'md']);
    expect(run.status, run.stderr).toBe(0);
    const sheet = readFileSync(join(run.cwd, 'quiz', 'exercises.md'), 'utf8');
    expect(sheet).toContain('Find $L, \\; \\partial L / \\partial K^{(1)}, \\; \\partial L / \\partial K^{(3)}$.');
    expect(sheet).toContain('Find $L, \\; \\partial L / \\partial K^{(1)}, \\; \\partial L / \\partial W^{(');
    const key = readFileSync(join(run.cwd, 'quiz', 'answers.md'), 'utf8');
    const glance = key.slice(0, key.indexOf('## Symbols'));
    expect(glance).not.toContain("{K'}^{(1)} & ");
    expect(glance).not.toContain('\\frac{\\partial L}{\\partial X}');
    expect(key).not.toContain('### The update rule');
  }, 60_000);

  it.skipIf(!PDFLATEX.available || !XELATEX.available || !PDFINFO.available)('writes PDFs in English and Chinese: a key of four exercises within 24 pages, a short sheet', async () => {
    for (const lang of ['en', 'zh']) {
      const run = await runCli(['quiz', '--difficulty', 'network', '--count', '4', '--seed', '1', '--lang', lang, '--format', 'pdf']);
      expect(run.status, run.stderr).toBe(0);
      const suffix = lang === 'en' ? '' : '.zh';
      const pages = (name: string) => Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [join(run.cwd, 'quiz', `${name}${suffix}.pdf`)], { encoding: 'utf8' }))![1]);
      expect(pages('answers')).toBeLessThanOrEqual(24);
      expect(pages('exercises')).toBeLessThanOrEqual(6);
    }
  }, 240_000);
});
