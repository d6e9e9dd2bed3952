// What every section of a derivation reads: the problem, the first training step, how entries are
// named, how much is shown, and the symbolic forms built once (σ written out in kernel and input entries).
import type { Scalar } from '../numbers/scalar.js';
import { shownExactly } from '../expr/to-tex.js';
import { addAll, mul, type Expr, type Sym } from '../expr/expr.js';
import { headExpr } from '../ops/head/head.js';
import type { Valuation } from '../expr/evaluate.js';
import type { Problem } from '../problem/problem.js';
import { namingFor, outputSym, sigmaExpr, symbolsFor, type Naming } from '../ops/conv2d/symbols.js';
import { channelsPerGroup, inputChannel, paddedSource, tap, type ConvGeometry } from '../ops/conv2d/geometry.js';
import type { Grid } from '../tensor/grid.js';
import { get, offset, type Tensor } from '../tensor/tensor.js';
import type { FirstStep, Solution } from '../trajectory/train.js';
import { elision, type Detail, type Elision } from './elide.js';
import { valueMatrix, type Muted } from './tex.js';

export interface DerivationContext {
  readonly problem: Problem;
  readonly step: FirstStep;
  readonly geometry: ConvGeometry;
  readonly naming: Naming;
  readonly elision: Elision;
  /** σ_{n,o,i,j} in kernel and input entries (and b), built when first asked for. */
  sigma(n: number, o: number, i: number, j: number): Expr;
  /**
   * With no activation, no pooling and a head that makes one number S, S is a polynomial in the
   * kernel and input entries: each gradient is ∂L/∂S · ∂S/∂v with ∂S/∂v read off S written out.
   * S's terms free of v differentiate to 0, so only those with v are written: S restricted to v.
   */
  readonly linear: boolean;
  predictionWith(v: Sym): Expr;
  /** Σ δ·σ over the σ that contain v, with δ held fixed: ∂/∂v of it is ∂L/∂v by the chain rule. */
  linearizedWith(v: Sym): Expr;
  /** Every symbol's value in this step. */
  readonly value: Valuation;
  /** Is any value shown rounded: from float64 (sigmoid, tanh, bce, exp, log, square roots), or exact but too long to read? */
  readonly rounded: boolean;
  /** Figures are drawn (an answer key leaves them out). */
  readonly figures: boolean;
  /** A map or kernel slice as a matrix, elided as the detail asks. */
  matrix(grid: Grid<Scalar>, muted?: Muted): string;
}

export function derivationContext(solution: Solution, detail: Detail = 'auto', options: { figures?: boolean } = {}): DerivationContext {
  const { problem } = solution;
  const step = solution.first;
  const geometry = step.forward.geometry;
  const naming = namingFor(geometry);
  const hasBias = problem.bias !== undefined;
  const built = new Map<number, Expr>();
  const symbols = symbolsFor(geometry, naming);
  const shape = step.forward.sigma.shape;
  const sigma = (n: number, o: number, i: number, j: number) => {
    const flat = offset(shape, [n, o, i, j]);
    let e = built.get(flat);
    if (!e) built.set(flat, (e = sigmaExpr(geometry, naming, n, o, i, j, hasBias, symbols)));
    return e;
  };
  const linear = problem.activation.type === 'none' && problem.pool === undefined && problem.head !== 'none';
  const count = step.forward.pooled.data.length;
  const policy = elision(detail);
  return {
    problem,
    step,
    geometry,
    naming,
    elision: policy,
    sigma,
    linear,
    // S = Σσ or (1/n)Σσ, over the σ that contain v
    predictionWith: (v) => headExpr(problem.head === 'mean' ? 'mean' : 'sum', outputsWith(geometry, naming, v).map(([n, o, i, j]) => sigma(n, o, i, j)), count),
    linearizedWith: (v) => addAll(outputsWith(geometry, naming, v).map(([n, o, i, j]) => mul(outputSym('delta', naming, n, o, i, j), sigma(n, o, i, j)))),
    value: valuation(problem, step, naming),
    rounded: [
      ...step.gradients.input.data,
      ...solution.steps.flatMap((s) => [s.loss, ...s.gradients.kernel.data, ...s.after.kernel.data, ...(s.after.bias ?? [])]),
    ].some((x) => !shownExactly(x)),
    figures: options.figures ?? true,
    matrix: (grid, muted) => valueMatrix(grid, policy.lines, muted),
  };
}

/** The output entries σ_{n,o,i,j} whose sum has the symbol v in it: a kernel or bias entry's channel, or the windows over an input entry. */
export function outputsWith(g: ConvGeometry, naming: Naming, v: Sym): number[][] {
  const out: number[][] = [];
  const all = (o: number) => {
    for (let n = 0; n < g.batch; n++) for (let i = 0; i < g.output.rows; i++) for (let j = 0; j < g.output.cols; j++) out.push([n, o, i, j]);
  };
  const unpack = (shown: readonly boolean[]) => {
    let next = 0;
    return shown.map((visible) => (visible ? v.channel[next++] - 1 : 0));
  };
  if (v.name === 'k') all(unpack([naming.kernel.out, naming.kernel.channel])[0]);
  else if (v.name === 'b') all(v.indices.length === 0 ? 0 : v.indices[0] - 1);
  else if (v.name === 'x') {
    const [n, c] = unpack([naming.input.batch, naming.input.channel]);
    const [row, col] = [v.indices[0] - 1, v.indices[1] - 1];
    for (let o = 0; o < g.outChannels; o++) {
      if (!Array.from({ length: channelsPerGroup(g) }, (_, k) => inputChannel(g, o, k)).includes(c)) continue;
      for (let i = 0; i < g.output.rows; i++)
        for (let j = 0; j < g.output.cols; j++) {
          let reads = false;
          for (let m = 0; m < g.kernel.rows && !reads; m++)
            for (let q = 0; q < g.kernel.cols && !reads; q++) {
              const source = paddedSource(g, ...tap(g, i, j, m, q));
              reads = source !== null && source[0] === row && source[1] === col;
            }
          if (reads) out.push([n, o, i, j]);
        }
    }
  }
  return out;
}

function valuation(problem: Problem, step: FirstStep, naming: Naming): Valuation {
  // The channel superscript lists only the indices the naming shows; the hidden ones are 0.
  const unpack = (s: Sym, shown: readonly boolean[]) => {
    let next = 0;
    return shown.map((visible) => (visible ? s.channel[next++] - 1 : 0));
  };
  const [i, j] = [(s: Sym) => s.indices[0] - 1, (s: Sym) => s.indices[1] - 1];
  const map = (t: Tensor<Scalar>, s: Sym) => {
    const [n, o] = unpack(s, [naming.output.batch, naming.output.channel]);
    return get(t, n, o, i(s), j(s));
  };
  const { forward, gradients, before } = step;
  return (s) => {
    switch (s.name) {
      case 'x': {
        const [n, c] = unpack(s, [naming.input.batch, naming.input.channel]);
        return get(problem.input, n, c, i(s), j(s));
      }
      case 'k': {
        const [o, c] = unpack(s, [naming.kernel.out, naming.kernel.channel]);
        return get(before.kernel, o, c, i(s), j(s));
      }
      case 'b':
        return before.bias?.[s.indices.length === 0 ? 0 : s.indices[0] - 1];
      case 'sigma': return map(forward.sigma, s);
      case 'a': return map(forward.activated, s);
      case 'p': return map(forward.pooled, s);
      case 'delta': return map(gradients.delta, s);
      case 'y': return map(forward.prediction, s);
      case 't': return map(problem.target, s);
      case 'S': return forward.prediction.data[0];
      case 'T': return problem.target.data[0];
      case 'L': return forward.loss;
      case 'eta': return problem.optimizer.lr;
    }
  };
}
