// Our expressions written as mathjs source text, so that mathjs can differentiate them independently.
import { sym, type Expr, type Sym } from '../../src/expr/expr.js';

/** k^{(2,1)}_{12} is k_c2_1_i1_2: channel and position indices both in the name, which mathjs keeps as one symbol. */
export function mathjsName(s: Sym): string {
  return [s.name, s.channel.length ? `c${s.channel.join('_')}` : '', s.indices.length ? `i${s.indices.join('_')}` : ''].filter(Boolean).join('_');
}

export function fromMathjsName(name: string): Sym {
  const match = /^([a-zA-Z]+)(?:_c([\d_]+?))?(?:_i([\d_]+))?$/.exec(name);
  if (!match) throw new Error(`not a convgrad symbol: ${name}`);
  const list = (text: string | undefined) => (text ? text.split('_').map(Number) : []);
  return sym(match[1] as Sym['name'], list(match[3]), list(match[2]));
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
