// The chain every sum of products is written as: symbols = numbers = the products' values = the value.
import { evaluate } from '../expr/evaluate.js';
import type { Expr } from '../expr/expr.js';
import { rationalTex, toTexTerms } from '../expr/to-tex.js';
import type { DerivationContext } from './context.js';
import { TERM_ELISION } from './elide.js';
import { chain, valueSumPieces } from './tex.js';
import type { Chain } from './step.js';

export function sumOfProductsChain(lhs: string, e: Expr, ctx: DerivationContext): Chain {
  const options = { elide: TERM_ELISION };
  const terms = e.kind === 'add' ? e.terms : [e];
  const products = terms.map((term) => evaluate(term, ctx.value));
  return chain(lhs, toTexTerms(e, options), toTexTerms(e, { ...options, value: ctx.value }), valueSumPieces(products), rationalTex(evaluate(e, ctx.value)));
}
