// The loss and its derivative in LaTeX, in a prediction and a target as the derivation names them.
import { userExpressionTex } from '../../expr/user-expression.js';
import { rationalTex } from '../../expr/to-tex.js';
import type { Loss } from '../../problem/problem.js';
import { abs, compare, neg, sub, ZERO, type Scalar } from '../../numbers/scalar.js';

/** l(y, t); with `at`, only that case of a piecewise loss (the one that holds at the numbers given). */
export function lossTex(loss: Loss, y: string, t: string, at?: number): string {
  const d = `${y} - ${t}`;
  const cases = (branches: [string, string][]) => (at === undefined ? `\\begin{cases} ${branches.map(([v, c]) => `${v} & ${c}`).join(' \\\\ ')} \\end{cases}` : branches[at][0]);
  switch (loss.type) {
    case 'mse': return `(${d})^2`;
    case 'l1': return `|${d}|`;
    case 'smooth_l1': {
      if (loss.beta.equals(0)) return `|${d}|`;
      const beta = rationalTex(loss.beta);
      return cases([[`\\frac{(${d})^2}{2 \\cdot ${beta}}`, `|${d}| < ${beta}`], [`|${d}| - \\frac{${beta}}{2}`, `|${d}| \\ge ${beta}`]]);
    }
    case 'huber': {
      const delta = rationalTex(loss.delta);
      return cases([[`\\frac{1}{2}(${d})^2`, `|${d}| < ${delta}`], [`${delta} \\left(|${d}| - \\frac{${delta}}{2}\\right)`, `|${d}| \\ge ${delta}`]]);
    }
    case 'bce': return `-\\left(${t} \\log ${y} + (1 - ${t}) \\log(1 - ${y})\\right)`;
    case 'expression': return userExpressionTex(loss.expression.node, { y, t });
  }
}

/** The case of a piecewise loss that holds at y, t, as elementLoss decides it (undefined: not piecewise). */
export function lossCase(loss: Loss, y: Scalar, t: Scalar): number | undefined {
  const d = abs(sub(y, t));
  if (loss.type === 'smooth_l1') return loss.beta.equals(0) ? undefined : compare(d, loss.beta) < 0 ? 0 : 1;
  if (loss.type === 'huber') return compare(d, loss.delta) < 0 ? 0 : 1;
  return undefined;
}

/** The case of a piecewise loss's derivative that holds at y, t, as elementLossSlope decides it. */
export function lossSlopeCase(loss: Loss, y: Scalar, t: Scalar): number | undefined {
  const d = sub(y, t);
  if (loss.type === 'smooth_l1') {
    if (loss.beta.equals(0)) return compare(d, ZERO) <= 0 ? 0 : 1;
    return compare(d, neg(loss.beta)) <= 0 ? 0 : compare(d, loss.beta) >= 0 ? 2 : 1;
  }
  if (loss.type === 'huber') return compare(abs(d), loss.delta) <= 0 ? 0 : 1;
  return undefined;
}

/** ∂l/∂y, with PyTorch's value at the kinks; with `at`, only that case of a piecewise loss's derivative. */
export function lossSlopeTex(loss: Loss, y: string, t: string, at?: number): string {
  const d = `${y} - ${t}`;
  const cases = (branches: [string, string][]) => (at === undefined ? `\\begin{cases} ${branches.map(([v, c]) => `${v} & ${c}`).join(' \\\\ ')} \\end{cases}` : branches[at][0]);
  switch (loss.type) {
    case 'mse': return `2(${d})`;
    case 'l1': return `\\operatorname{sign}(${d})`;
    case 'smooth_l1': {
      const beta = rationalTex(loss.beta);
      if (loss.beta.equals(0)) return cases([['-1', `${d} \\le 0`], ['1', `${d} > 0`]]);
      return cases([['-1', `${d} \\le -${beta}`], [`\\frac{${d}}{${beta}}`, `|${d}| < ${beta}`], ['1', `${d} \\ge ${beta}`]]);
    }
    case 'huber': {
      const delta = rationalTex(loss.delta);
      return cases([[d, `|${d}| \\le ${delta}`], [`${delta} \\operatorname{sign}(${d})`, `|${d}| > ${delta}`]]);
    }
    case 'bce': return `\\frac{${d}}{${y}(1 - ${y})}`;
    case 'expression': return userExpressionTex(loss.expression.derivative, { y, t });
  }
}
