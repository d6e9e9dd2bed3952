// The loss stage: each prediction y against its target t, l(y, t), then the mean or the sum over all of
// them, as torch.nn.functional's losses do. Local derivatives follow PyTorch's backward at the kinks.
import { pow, sub as subExpr, sym, type Expr } from '../../expr/expr.js';
import { evaluateUserExpression } from '../../expr/user-expression.js';
import { abs, asDouble, compare, div, exact, isExact, mul, neg, ONE, sign, sub, ZERO, type Scalar } from '../../numbers/scalar.js';
import type { Loss } from '../../problem/problem.js';
import { ProblemError } from '../../problem/problem-error.js';

export const S = sym('S');
export const T = sym('T');

/** L = (S − T)² for MSE with a single prediction: the symbolic form the derivation differentiates. */
export function mseExpr(): Expr {
  return pow(subExpr(S, T), 2);
}

const HALF = exact(1, 2);

// mse: (y − t)²  ·  l1: |y − t|  ·  smooth_l1: ½d²/β for |d| < β, |d| − ½β otherwise (l1 when β = 0)
// huber: ½d² for |d| < δ, δ(|d| − ½δ) otherwise  ·  bce: −(t·log y + (1 − t)·log(1 − y)), each log ≥ −100
export function elementLoss(loss: Loss, y: Scalar, t: Scalar): Scalar {
  const d = sub(y, t);
  switch (loss.type) {
    case 'mse':
      return mul(d, d);
    case 'l1':
      return abs(d);
    case 'smooth_l1':
      if (sign(loss.beta) === 0 || compare(abs(d), loss.beta) >= 0) return sub(abs(d), mul(HALF, loss.beta));
      return div(mul(HALF, mul(d, d)), loss.beta);
    case 'huber':
      if (compare(abs(d), loss.delta) < 0) return mul(HALF, mul(d, d));
      return mul(loss.delta, sub(abs(d), mul(HALF, loss.delta)));
    case 'bce': {
      checkProbability(y);
      const clampedLog = (x: number) => Math.max(Math.log(x), -100);
      const [yv, tv] = [asDouble(y), asDouble(t)];
      return -(tv * clampedLog(yv) + (1 - tv) * clampedLog(1 - yv));
    }
    case 'expression':
      return userValue(loss, loss.expression.node, y, t, 'the loss');
  }
}

// ∂l/∂y — mse: 2d  ·  l1: sign(d) (0 at d = 0)  ·  smooth_l1: −1 for d ≤ −β, 1 for d ≥ β, d/β between
// (so −1 at d = 0 when β = 0, as PyTorch's kernel)  ·  huber: d for |d| ≤ δ, δ·sign(d) outside
// bce: (y − t) / max(y(1 − y), 10⁻¹²)
export function elementLossSlope(loss: Loss, y: Scalar, t: Scalar): Scalar {
  const d = sub(y, t);
  switch (loss.type) {
    case 'mse':
      return mul(exact(2), d);
    case 'l1':
      return exact(sign(d));
    case 'smooth_l1':
      if (compare(d, neg(loss.beta)) <= 0) return exact(-1);
      if (compare(d, loss.beta) >= 0) return ONE;
      return div(d, loss.beta);
    case 'huber':
      if (compare(abs(d), loss.delta) <= 0) return d;
      return mul(loss.delta, exact(sign(d)));
    case 'bce': {
      const yv = asDouble(y);
      return (yv - asDouble(t)) / Math.max(yv * (1 - yv), 1e-12);
    }
    case 'expression':
      return userValue(loss, loss.expression.derivative, y, t, 'the derivative of the loss');
  }
}

function checkProbability(y: Scalar): void {
  if (compare(y, ZERO) < 0 || compare(y, ONE) > 0) {
    throw new ProblemError({ path: 'loss', message: `"bce" needs every prediction in [0, 1] (as PyTorch's binary_cross_entropy), got ${asDouble(y)}; a "sigmoid" activation gives that` });
  }
}

function userValue(loss: Extract<Loss, { type: 'expression' }>, node: Parameters<typeof evaluateUserExpression>[0], y: Scalar, t: Scalar, what: string): Scalar {
  try {
    return evaluateUserExpression(node, { y, t });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ProblemError({ path: 'loss.expression', message: `${what} ${JSON.stringify(loss.expression.source)} is undefined at y = ${asDouble(y)}, t = ${asDouble(t)}: ${error.message}` });
  }
}

/** Is y exactly on the kink of l1 (or smooth_l1 with β = 0) at y = t, where PyTorch takes a side? */
export function lossOnKink(loss: Loss, y: Scalar, t: Scalar): boolean {
  const absolute = loss.type === 'l1' || (loss.type === 'smooth_l1' && loss.beta.equals(0));
  return absolute && isExact(y) && compare(y, t) === 0;
}
