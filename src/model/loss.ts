// The loss stage: how far the prediction S is from the target T.
import { pow, sub, sym, type Expr } from '../expr/expr.js';
import { differentiate } from '../expr/differentiate.js';
import { evaluate } from '../expr/evaluate.js';
import type { Rational } from '../numbers/rational.js';
import type { Problem } from '../problem/problem.js';

export const S = sym('S');
export const T = sym('T');

// MSE of one prediction: L = (S − T)²; a mean or a sum over one element is the element itself
export function lossExpr(_problem: Pick<Problem, 'loss' | 'reduction'>): Expr {
  return pow(sub(S, T), 2);
}

export function lossValue(problem: Pick<Problem, 'loss' | 'reduction'>, prediction: Rational, target: Rational): Rational {
  return evaluate(lossExpr(problem), (s) => (s.name === 'S' ? prediction : s.name === 'T' ? target : undefined));
}

/** ∂L/∂S as an expression in S and T: 2(S − T) for MSE. */
export function lossSlopeExpr(problem: Pick<Problem, 'loss' | 'reduction'>): Expr {
  return differentiate(lossExpr(problem), S);
}

export function lossSlope(problem: Pick<Problem, 'loss' | 'reduction'>, prediction: Rational, target: Rational): Rational {
  return evaluate(lossSlopeExpr(problem), (s) => (s.name === 'S' ? prediction : s.name === 'T' ? target : undefined));
}
