// The head stage: the whole map reduced to one prediction S.
import { rational, ZERO, type Rational } from '../numbers/rational.js';
import { add, mul, num, type Expr } from '../expr/expr.js';
import type { Head } from '../problem/problem.js';
import type { Grid } from './grid.js';

// S = Σ_ij σ_ij (sum)   or   S = (1/n) Σ_ij σ_ij (mean over the n entries)
export function headExpr(head: Head, entries: readonly Expr[]): Expr {
  const sum = add(...entries);
  return head === 'sum' ? sum : mul(num(rational(1, entries.length)), sum);
}

export function headValue(head: Head, map: Grid<Rational>): Rational {
  const sum = map.data.reduce((total, entry) => total.add(entry), ZERO);
  return sum.mul(headSlope(head, map.data.length));
}

// ∂S/∂σ_ij = 1 (sum) or 1/n (mean), the same for every entry
export function headSlope(head: Head, entries: number): Rational {
  return head === 'sum' ? rational(1) : rational(1, entries);
}
