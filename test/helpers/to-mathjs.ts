// Our expressions written as mathjs source text, so that mathjs can differentiate them independently.
import type { Expr, Sym } from '../../src/expr/expr.js';

export function mathjsName(s: Sym): string {
  return [s.name, ...s.indices].join('_');
}

export function toMathjs(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return `(${e.value.s * e.value.n}/${e.value.d})`;
    case 'sym':
      return mathjsName(e);
    case 'add':
      return `(${e.terms.map(toMathjs).join(' + ')})`;
    case 'mul':
      return `(${e.factors.map(toMathjs).join(' * ')})`;
    case 'pow':
      return `(${toMathjs(e.base)})^(${e.exponent.s * e.exponent.n}/${e.exponent.d})`;
  }
}
