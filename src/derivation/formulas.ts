// The formulas of the layer's pieces in LaTeX, in the symbols the derivation uses: the activation and
// its derivative in σ, the loss and its derivative in a prediction and a target.
import { userExpressionTex } from '../expr/user-expression.js';
import { fractionTex, powerTex, rationalTex } from '../expr/to-tex.js';
import type { Activation, Loss } from '../problem/problem.js';
import { abs, compare, neg, sub, ZERO, type Scalar } from '../numbers/scalar.js';

/** f(σ) */
export function activationTex(f: Activation, x = '\\sigma'): string {
  switch (f.type) {
    case 'none': return x;
    case 'relu': return `\\max(0, ${x})`;
    case 'leaky_relu': return `\\max(0, ${x}) + ${fractionTex(f.slope)} \\min(0, ${x})`;
    case 'sigmoid': return `\\frac{1}{1 + e^{-${x}}}`;
    case 'tanh': return `\\tanh ${x}`;
    case 'expression': return userExpressionTex(f.expression.node, { x });
  }
}

/** f'(σ), written with a = f(σ) where that is how PyTorch computes it. */
export function activationSlopeTex(f: Activation, x = '\\sigma', a = 'a'): string {
  switch (f.type) {
    case 'none': return '1';
    case 'relu': return `\\begin{cases} 1 & ${x} > 0 \\\\ 0 & ${x} \\le 0 \\end{cases}`;
    case 'leaky_relu': return `\\begin{cases} 1 & ${x} > 0 \\\\ ${fractionTex(f.slope)} & ${x} \\le 0 \\end{cases}`;
    case 'sigmoid': return `${a}(1 - ${a})`;
    case 'tanh': return `1 - ${powerTex(a, '2')}`;
    case 'expression': return userExpressionTex(f.expression.derivative, { x });
  }
}

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
