// The LaTeX documents compile: English with pdflatex, Chinese with xelatex (ctex), the seed and a
// problem that uses every option in scope, with a hostile title. No overfull lines.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derive } from '../src/derivation/derive.js';
import { renderTex } from '../src/render/tex.js';
import type { Detail } from '../src/derivation/elide.js';
import type { Language } from '../src/strings/strings.js';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { tempDir } from './helpers/run-cli.js';
import { solutionOf } from './helpers/solve.js';
import { pdflatex, xelatex } from './helpers/tools.js';

const PDFLATEX = pdflatex();
const XELATEX = xelatex();

const problems: Record<string, object> = {
  seed: JSON.parse(SEED_PROBLEM_SOURCE),
  options: {
    title: 'Strided & dilated: 100% of $5 \\relax {ok}',
    input: Array.from({ length: 7 }, (_, i) => Array.from({ length: 6 }, (_, j) => ((i * 5 + j * 3) % 9) - 4)),
    kernel: [['1/2', -1, 0], [2, '0.25', 1]],
    bias: ['-1/3'],
    stride: [2, 1],
    padding: [1, 2],
    dilation: [1, 2],
    head: 'mean',
    target: '5/2',
    optimizer: { type: 'sgd', lr: '0.05' },
  },
  channels: {
    title: 'Two channels in, two out: stride 2, reflect padding, ReLU, max pooling',
    input: [
      [[1, -2, 3, 0, 2], [2, 0, -1, 1, 1], [-1, 3, 2, 0, -2], [0, 1, 1, -3, 2], [2, -1, 0, 2, 1]],
      [[0, 1, -1, 2, 1], [1, 1, 0, -2, 3], [2, -1, 1, 1, 0], [-2, 0, 3, 1, 1], [1, 2, -1, 0, 2]],
    ],
    kernel: [[[[1, 0], [-1, 2]], [[0, 1], [1, -1]]], [[[2, -1], [0, 1]], [[1, 1], [-2, 0]]]],
    bias: [1, '-1/2'],
    stride: 2,
    padding: 1,
    padding_mode: 'reflect',
    activation: 'relu',
    pool: { type: 'max', size: 2, stride: 1 },
    head: 'mean',
    target: 2,
    optimizer: { type: 'sgd', lr: 0.1 },
  },
  rounded: {
    input: [[[[1, 2, 0], [0, -1, 1], [2, 1, 1]]], [[[0, 1, 1], [1, 0, -1], [1, 2, 0]]]],
    kernel: [[[['1/2', -1], [0, '1/4']]]],
    groups: 1,
    padding: 'same',
    padding_mode: 'circular',
    activation: 'sigmoid',
    pool: { type: 'avg', size: 2, stride: 1 },
    head: 'none',
    loss: 'bce',
    reduction: 'sum',
    target: [[[[1, 0], [0, 1]]], [[[0.5, 1], [0, 0.25]]]],
  },
  adam: { title: 'Five steps of Adam', input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, 5]], bias: 0.5, target: 230, optimizer: { type: 'adam', lr: 0.1, amsgrad: true, weight_decay: 0.01 }, steps: 5 },
  momentum: { input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, 5]], target: 230, optimizer: { type: 'sgd', lr: '0.001', momentum: 0.9, nesterov: true, weight_decay: '0.01' }, steps: 4 },
  rmsprop: { input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, 5]], bias: [1], target: 230, optimizer: { type: 'rmsprop', lr: 0.01, momentum: 0.5, centered: true }, steps: 3 },
  expression: {
    input: [[1, 2, 0, 1], [0, -1, 1, 2], [2, 1, 1, 0]],
    kernel: [[1, -1], [2, 0]],
    activation: { expression: 'x^2/2 + x' },
    loss: { expression: '(y - t)^4 / 4' },
    head: 'none',
    target: [[0, 1, 2, 1], [1, 0, 1, 0]],
    dilation: [1, 2],
    padding: [0, 1],
    padding_mode: 'replicate',
  },
};

function compile(engine: string, language: Language, name: string, detail: Detail = 'auto'): { status: number | null; log: string } {
  const dir = tempDir();
  writeFileSync(join(dir, `${name}.tex`), renderTex(derive(solutionOf(problems[name]), detail), { language, version: '0.0.0' }));
  const run = spawnSync(engine, ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', `${name}.tex`], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, log: readFileSync(join(dir, `${name}.log`), 'utf8') };
}

describe.skipIf(!PDFLATEX.available)(`English documents compile with ${PDFLATEX.label}`, () => {
  it.each(Object.keys(problems))('%s', (name) => {
    const { status, log } = compile('pdflatex', 'en', name);
    expect(status, log.slice(-2000)).toBe(0);
    expect(log).not.toMatch(/Overfull \\hbox/);
    expect(log).not.toMatch(/^! /m);
  }, 120_000);
});

describe.skipIf(!XELATEX.available)(`Chinese documents compile with ${XELATEX.label}`, () => {
  it.each(Object.keys(problems))('%s', (name) => {
    const { status, log } = compile('xelatex', 'zh', name);
    expect(status, log.slice(-2000)).toBe(0);
    expect(log).not.toMatch(/Overfull \\hbox/);
  }, 120_000);
});

describe.skipIf(!PDFLATEX.available || !XELATEX.available)('the cheat sheet (--detail summary)', () => {
  it.each([
    ['pdflatex', 'en', 'seed'],
    ['xelatex', 'zh', 'seed'],
    ['pdflatex', 'en', 'adam'],
    ['pdflatex', 'en', 'channels'],
    ['xelatex', 'zh', 'channels'],
  ] as const)('%s, %s, %s: one page', (engine, language, name) => {
    const { status, log } = compile(engine, language, name, 'summary');
    expect(status, log.slice(-2000)).toBe(0);
    expect(log).toMatch(/Output written on .*\(1 page/);
    expect(log).not.toMatch(/Overfull \\hbox/);
  }, 120_000);
});
