// The compact rules as printed are literally true, for every stride, padding and dilation: each printed
// chain ∂L/∂K = X̃ ⋆ δ↑s (read at rows 1, 1 + d, …) and ∂L/∂X̃ = δ̃ ⋆ rot180(K↑d), then cropped (or its
// border folded back), is read back from the LaTeX, its operands checked against their definitions, the
// cross-correlation evaluated here from the legend's definition, and the result compared with the
// entry-by-entry values printed above it.
import { describe, expect, it } from 'vitest';
import { derive } from '../src/derivation/derive.js';
import type { Chain, Derivation } from '../src/derivation/step.js';
import { parseRational, type Rational } from '../src/numbers/rational.js';
import { rational } from '../src/numbers/rational.js';
import type { Solution } from '../src/trajectory/train.js';
import { randomProblem } from './helpers/random-problems.js';
import { solutionOf } from './helpers/solve.js';

type Matrix = Rational[][];

/** The value of one printed cell: an integer, a decimal, a fraction (grey or not). */
function cell(tex: string): Rational {
  const inner = tex.trim().replace(/^\\textcolor\{gray\}\{(.*)\}$/, '$1').trim();
  const fraction = /^(-)?\\d?frac\{(\d+)\}\{(\d+)\}$/.exec(inner);
  if (fraction) return rational(BigInt(fraction[2]) * (fraction[1] ? -1n : 1n), BigInt(fraction[3]));
  const value = parseRational(inner);
  if (!value) throw new Error(`not a number in a printed matrix: ${tex}`);
  return value;
}

/** Every matrix printed in a piece of LaTeX, each with the factor in front of it (\frac{1}{25} [ … ]). */
function matrices(tex: string): Matrix[] {
  const found: Matrix[] = [];
  const pattern = /(?:(-?\\frac\{\d+\}\{\d+\})\s*)?\\begin\{bmatrix\}([\s\S]*?)\\end\{bmatrix\}/g;
  for (let m = pattern.exec(tex); m; m = pattern.exec(tex)) {
    const factor = m[1] ? cell(m[1]) : rational(1);
    found.push(m[2].split(/\\\\(?:\[[\d.]+ex\])?/).map((row) => row.split('&').map((c) => cell(c).mul(factor))));
  }
  return found;
}

/** (A ⋆ B)_ij = Σ_mn A_{i+m−1, j+n−1} B_mn, as the legend defines it. */
function star(a: Matrix, b: Matrix): Matrix {
  const rows = a.length - b.length + 1;
  const cols = a[0].length - b[0].length + 1;
  return Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => b.reduce((sum, row, m) => row.reduce((s, v, n) => s.add(v.mul(a[i + m][j + n])), sum), rational(0))),
  );
}

const add = (a: Matrix, b: Matrix) => a.map((row, i) => row.map((v, j) => v.add(b[i][j])));
const show = (m: Matrix) => m.map((row) => row.map((v) => v.toFraction()).join(' ')).join(' | ');

/** A grid of the solution's tensor plane [a][b]. */
function plane(t: { shape: readonly number[]; data: readonly unknown[] }, a: number, b: number): Matrix {
  const [, channels, rows, cols] = t.shape;
  const start = (a * channels + b) * rows * cols;
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => t.data[start + i * cols + j] as Rational));
}

/** The index along one axis that a padded index shows, or null for a zero: reflect, replicate, circular as PyTorch pads. */
function source(mode: string, before: number, size: number, r: number): number | null {
  const i = r - before;
  if (i >= 0 && i < size) return i;
  if (mode === 'zeros') return null;
  if (mode === 'reflect') return i < 0 ? -i : 2 * (size - 1) - i;
  if (mode === 'replicate') return Math.min(Math.max(i, 0), size - 1);
  return ((i % size) + size) % size;
}

/** The chains of the step with this rule that hold a ⋆ (the compact rules), and the entry chains' printed values. */
function printed(d: Derivation, rule: string, entry: RegExp): { compact: Chain[]; entries: Chain[] } {
  const step = d.sections.flatMap((s) => s.steps).find((s) => s.rule === rule)!;
  const chains = step.blocks.flatMap((b) => (b.kind === 'chains' ? b.chains : []));
  const compactStart = chains.findIndex((c) => c.sides.some((side) => side.some((piece) => piece.includes('\\star'))));
  return { compact: chains.slice(compactStart), entries: chains.slice(0, compactStart).filter((c) => entry.test(c.lhs)) };
}

/** The value an entry's chain ends with. */
const valueOf = (c: Chain) => cell(c.sides.at(-1)!.join(' '));

/** Checks one problem; false where a value the rules show is rounded (then nothing is compared). */
function check(solution: Solution): boolean {
  const d = derive(solution, 'full', { why: false, figures: false });
  const g = solution.first.forward.geometry;
  const { gradients, forward } = solution.first;
  const kernel = printed(d, 'chain.kernel-entry', /^\\frac\{\\partial L\}\{\\partial (\\textcolor\{\w+\}\{)?k/);
  const input = printed(d, 'chain.input-entry', /^\\frac\{\\partial L\}\{\\partial x/);
  if ([...kernel.compact, ...input.compact, ...kernel.entries, ...input.entries].some((c) => c.rounded)) return false;
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const perGroup = g.inChannels / g.groups;

  // ∂L/∂K^{(o,c)} = Σ_ν X̃ ⋆ δ↑s, read at (d(m−1)+1, d(n−1)+1): one chain a slice, or two where some entries go unread.
  let k = 0;
  const kernelValues: Rational[] = [];
  for (let o = 0; o < g.outChannels; o++)
    for (let c = 0; c < perGroup; c++) {
      const first = kernel.compact[k++];
      const operands = first.sides.find((side) => side.some((piece) => piece.includes('\\star') && piece.includes('bmatrix')))!;
      const pieces = operands.map((piece) => matrices(piece));
      const channel = Math.floor(o / (g.outChannels / g.groups)) * perGroup + c;
      pieces.forEach(([x, delta], n) => {
        // X̃ as padded here; δ↑s as spread here from the solution's δ.
        expect(show(x)).toBe(show(plane(forward.padded, n, channel)));
        const d0 = plane(gradients.delta, n, o);
        const spread = Array.from({ length: sh * (d0.length - 1) + 1 }, (_, r) => Array.from({ length: sw * (d0[0].length - 1) + 1 }, (_, q) => (r % sh === 0 && q % sw === 0 ? d0[r / sh][q / sw] : rational(0))));
        expect(show(delta)).toBe(show(spread));
      });
      const correlation = pieces.map(([x, delta]) => star(x, delta)).reduce(add);
      const printedResult = matrices(first.sides.at(-1)!.join(' '))[0];
      expect(show(printedResult), `X̃ ⋆ δ↑s as printed`).toBe(show(correlation));
      const readOut = first.lhs.startsWith('\\frac{\\partial L}') ? printedResult : matrices(kernel.compact[k++].sides[0].join(' '))[0];
      const expected = Array.from({ length: g.kernel.rows }, (_, m) => Array.from({ length: g.kernel.cols }, (_, q) => correlation[m * dh][q * dw]));
      expect(show(readOut), 'the read-out of the correlation').toBe(show(expected));
      kernelValues.push(...readOut.flat());
    }
  expect(kernelValues.map((v) => v.toFraction())).toEqual(kernel.entries.map((c) => valueOf(c).toFraction()));

  // ∂L/∂X̃^{(ν,c)} = Σ_o δ̃ ⋆ rot180(K↑d), then cropped (zeros) or folded back (copies) to ∂L/∂X.
  const padded = g.padding.top + g.padding.bottom + g.padding.left + g.padding.right > 0;
  let j = 0;
  const inputValues: Rational[] = [];
  for (let n = 0; n < g.batch; n++)
    for (let c = 0; c < g.inChannels; c++) {
      const chain = input.compact[j++];
      const operands = chain.sides.find((side) => side.some((piece) => piece.includes('\\star') && piece.includes('bmatrix')))!;
      const pieces = operands.map((piece) => matrices(piece));
      // The output channels that read input channel c, in order, and the kernel slice each applies to it.
      const readers = Array.from({ length: g.outChannels }, (_, o) => o).filter((o) => Math.floor(o / (g.outChannels / g.groups)) * perGroup <= c && c < (Math.floor(o / (g.outChannels / g.groups)) + 1) * perGroup);
      expect(pieces).toHaveLength(readers.length);
      pieces.forEach(([deltaTilde, turned], k2) => {
        const o = readers[k2];
        const slice = plane(solution.steps[0].before.kernel, o, c - Math.floor(o / (g.outChannels / g.groups)) * perGroup);
        const [span, spanW] = [dh * (g.kernel.rows - 1), dw * (g.kernel.cols - 1)];
        const rot = Array.from({ length: span + 1 }, (_, r) => Array.from({ length: spanW + 1 }, (_, q) => ((span - r) % dh === 0 && (spanW - q) % dw === 0 ? slice[(span - r) / dh][(spanW - q) / dw] : rational(0))));
        expect(show(turned), 'rot180(K↑d)').toBe(show(rot));
        const d0 = plane(gradients.delta, n, o);
        const expectedDelta = Array.from({ length: g.padded.rows + span }, (_, r) =>
          Array.from({ length: g.padded.cols + spanW }, (_, q) => {
            const [u, v] = [r - span, q - spanW];
            return u >= 0 && v >= 0 && u % sh === 0 && v % sw === 0 && u / sh < d0.length && v / sw < d0[0].length ? d0[u / sh][v / sw] : rational(0);
          }),
        );
        expect(show(deltaTilde), 'δ̃').toBe(show(expectedDelta));
      });
      const result = pieces.map(([a, b]) => star(a, b)).reduce(add);
      const printedResult = matrices(chain.sides.at(-1)!.join(' '))[0];
      expect(show(printedResult), 'δ̃ ⋆ rot180(K↑d) as printed').toBe(show(result));
      expect(result.length).toBe(g.padded.rows);
      let gradient = result;
      if (padded) {
        // The crop (zeros) or the fold (copies), computed here, against the chain printed after it.
        const folded = Array.from({ length: g.input.rows }, () => Array.from({ length: g.input.cols }, () => rational(0)));
        result.forEach((row, r) =>
          row.forEach((v, q) => {
            const [i, jj] = [source(g.paddingMode, g.padding.top, g.input.rows, r), source(g.paddingMode, g.padding.left, g.input.cols, q)];
            if (i !== null && jj !== null) folded[i][jj] = folded[i][jj].add(v);
          }),
        );
        const next = input.compact[j++];
        expect(show(matrices(next.sides[0].join(' '))[0]), g.paddingMode === 'zeros' ? 'the crop' : 'the fold').toBe(show(folded));
        gradient = folded;
      }
      inputValues.push(...gradient.flat());
    }
  expect(inputValues.map((v) => v.toFraction())).toEqual(input.entries.map((c) => valueOf(c).toFraction()));
  return true;
}

describe('the compact rules, printed, evaluated and compared with the entries printed above them', () => {
  it('hold on random problems with every stride, padding and dilation', () => {
    const kinds = { stride: 0, padding: 0, dilation: 0, all: 0 };
    for (let seed = 0; kinds.all < 120; seed++) {
      if (seed > 2000) throw new Error(`only ${kinds.all} exact problems in 2000`);
      const problem = randomProblem(90000 + seed);
      const solution = solutionOf(problem);
      if (!check(solution)) continue;
      const g = solution.first.forward.geometry;
      kinds.all++;
      if (g.stride.some((s) => s > 1)) kinds.stride++;
      if (g.dilation.some((d) => d > 1)) kinds.dilation++;
      if (g.padding.top + g.padding.left + g.padding.bottom + g.padding.right > 0) kinds.padding++;
    }
    expect(kinds.stride).toBeGreaterThan(30);
    expect(kinds.dilation).toBeGreaterThan(30);
    expect(kinds.padding).toBeGreaterThan(30);
  }, 240_000);

  it('fail where they would not hold: a δ not spread by the stride gives the wrong shape', () => {
    // The mistake the issue found: X̃ ⋆ δ with δ as it is, at stride 2, is 5 × 5, not the kernel's 3 × 3.
    const solution = solutionOf({ input: Array.from({ length: 7 }, (_, i) => Array.from({ length: 7 }, (_, j) => (i * 3 + j) % 5)), kernel: [[1, 0, -1], [2, 1, 0], [0, 1, 1]], stride: 2, target: 3 });
    const x = plane(solution.first.forward.padded, 0, 0);
    const delta = plane(solution.first.gradients.delta, 0, 0);
    expect(star(x, delta)).toHaveLength(5);
    expect(check(solution)).toBe(true);
  });
});
