// What every section of a derivation reads: the problem, the first training step, how entries are
// named, how much is shown, and the symbolic forms built once (σ written out in kernel and input entries).
import type { Scalar } from '../numbers/scalar.js';
import { shownExactly } from '../expr/to-tex.js';
import { add, mul, type Expr, type Sym } from '../expr/expr.js';
import type { Valuation } from '../expr/evaluate.js';
import type { Problem } from '../problem/problem.js';
import { namingFor, outputSym, sigmaExpr, type Naming } from '../model/conv.js';
import type { ConvGeometry } from '../model/geometry.js';
import type { Grid } from '../model/grid.js';
import { headExpr } from '../model/head.js';
import { get, makeTensor, type Tensor } from '../model/tensor.js';
import type { Solution, TrainingStep } from '../trajectory/train.js';
import { elision, type Detail, type Elision } from './elide.js';
import { valueMatrix, type Muted } from './tex.js';

export interface DerivationContext {
  readonly problem: Problem;
  readonly step: TrainingStep;
  readonly geometry: ConvGeometry;
  readonly naming: Naming;
  readonly elision: Elision;
  /** σ in kernel and input entries (and b), [N][C_out][H'][W']. */
  readonly sigma: Tensor<Expr>;
  /**
   * With no activation, no pooling and a head that makes one number S, S is a polynomial in the
   * kernel and input entries: each gradient is ∂L/∂S · ∂S/∂v with ∂S/∂v read off S written out.
   */
  readonly expandedPrediction?: Expr;
  /** Σ δ·σ with δ held fixed: ∂/∂v of it is ∂L/∂v by the chain rule, for every problem. */
  readonly linearized: Expr;
  /** Every symbol's value in this step. */
  readonly value: Valuation;
  /** Is any value shown rounded: from float64 (sigmoid, tanh, bce, exp, log, square roots), or exact but too long to read? */
  readonly rounded: boolean;
  /** A map or kernel slice as a matrix, elided as the detail asks. */
  matrix(grid: Grid<Scalar>, muted?: Muted): string;
}

export function derivationContext(solution: Solution, detail: Detail = 'auto'): DerivationContext {
  const { problem } = solution;
  const step = solution.steps[0];
  const geometry = step.forward.geometry;
  const naming = namingFor(geometry);
  const hasBias = problem.bias !== undefined;
  const sigma = makeTensor(step.forward.sigma.shape, ([n, o, i, j]) => sigmaExpr(geometry, naming, n, o, i, j, hasBias));
  const deltas = makeTensor(step.forward.sigma.shape, ([n, o, i, j]) => outputSym('delta', naming, n, o, i, j));
  const linearized = add(...sigma.data.map((s, k) => mul(deltas.data[k], s)));
  const policy = elision(detail);
  return {
    problem,
    step,
    geometry,
    naming,
    elision: policy,
    sigma,
    ...(problem.activation.type === 'none' && problem.pool === undefined && problem.head !== 'none' ? { expandedPrediction: headExpr(problem.head, sigma.data) } : {}),
    linearized,
    value: valuation(problem, step, naming),
    rounded: [
      ...step.gradients.input.data,
      ...solution.steps.flatMap((s) => [s.forward.loss, ...s.gradients.kernel.data, ...s.after.kernel.data, ...(s.after.bias ?? [])]),
    ].some((x) => !shownExactly(x)),
    matrix: (grid, muted) => valueMatrix(grid, policy.lines, muted),
  };
}

function valuation(problem: Problem, step: TrainingStep, naming: Naming): Valuation {
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
