// The exact value of an expression once every symbol has a value.
import { ONE, ZERO, type Rational } from '../numbers/rational.js';
import type { Expr, Sym } from './expr.js';

export type Valuation = (symbol: Sym) => Rational | undefined;

export function evaluate(e: Expr, value: Valuation): Rational {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'sym': {
      const v = value(e);
      if (v === undefined) throw new Error(`internal error: no value for ${e.name}${e.indices.join(',')}`);
      return v;
    }
    case 'add':
      return e.terms.reduce((sum, term) => sum.add(evaluate(term, value)), ZERO);
    case 'mul':
      return e.factors.reduce((product, factor) => product.mul(evaluate(factor, value)), ONE);
    case 'pow': {
      const result = evaluate(e.base, value).pow(e.exponent);
      if (result === null) throw new Error('internal error: an irrational power');
      return result;
    }
  }
}
