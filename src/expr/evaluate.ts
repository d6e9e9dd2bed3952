// The value of an expression once every symbol has a value: exact while all values are, float64 once one is not.
import { add, mul, ONE, powInteger, ZERO, type Scalar } from '../numbers/scalar.js';
import type { Expr, Sym } from './expr.js';

export type Valuation = (symbol: Sym) => Scalar | undefined;

export function evaluate(e: Expr, value: Valuation): Scalar {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'sym': {
      const v = value(e);
      if (v === undefined) throw new Error(`internal error: no value for ${e.name}${e.indices.join(',')}`);
      return v;
    }
    case 'add':
      return e.terms.reduce<Scalar>((sum, term) => add(sum, evaluate(term, value)), ZERO);
    case 'mul':
      return e.factors.reduce<Scalar>((product, factor) => mul(product, evaluate(factor, value)), ONE);
    case 'pow':
      if (e.exponent.d !== 1n) throw new Error('internal error: a fractional power');
      return powInteger(evaluate(e.base, value), Number(e.exponent.s * e.exponent.n));
  }
}
