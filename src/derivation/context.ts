// What every section of a derivation reads: the problem, the first training step, and the symbolic
// forms built once (σ_ij written out, S written out in kernel and input entries).
import type { Rational } from '../numbers/rational.js';
import type { Expr, Sym } from '../expr/expr.js';
import type { Valuation } from '../expr/evaluate.js';
import type { Problem } from '../problem/problem.js';
import { sigmaExpr } from '../model/conv.js';
import type { ConvGeometry } from '../model/geometry.js';
import { at, makeGrid, type Grid } from '../model/grid.js';
import { headExpr } from '../model/head.js';
import type { Solution, TrainingStep } from '../trajectory/train.js';

export interface DerivationContext {
  readonly problem: Problem;
  readonly step: TrainingStep;
  readonly geometry: ConvGeometry;
  /** σ_ij in kernel and input entries (and b). */
  readonly sigma: Grid<Expr>;
  /** S in kernel and input entries: the expression every ∂S/∂k_mn and ∂S/∂x_ij is taken of. */
  readonly expandedPrediction: Expr;
  /** Every symbol's value in this step. */
  readonly value: Valuation;
}

export function derivationContext(solution: Solution): DerivationContext {
  const { problem } = solution;
  const step = solution.steps[0];
  const geometry = step.forward.geometry;
  const sigma = makeGrid(geometry.output.rows, geometry.output.cols, (i, j) => sigmaExpr(geometry, i, j, problem.bias !== undefined));
  return {
    problem,
    step,
    geometry,
    sigma,
    expandedPrediction: headExpr(problem.head, sigma.data),
    value: valuation(problem, step),
  };
}

function valuation(problem: Problem, step: TrainingStep): Valuation {
  const entry = (grid: Grid<Rational>, s: Sym) => at(grid, s.indices[0] - 1, s.indices[1] - 1);
  return (s) => {
    switch (s.name) {
      case 'x': return entry(problem.input, s);
      case 'k': return entry(step.before.kernel, s);
      case 'b': return step.before.bias;
      case 'sigma': return entry(step.forward.sigma, s);
      case 'delta': return entry(step.gradients.delta, s);
      case 'S': return step.forward.prediction;
      case 'T': return problem.target;
      case 'L': return step.forward.loss;
      case 'eta': return problem.optimizer.lr;
    }
  };
}
