// The chain every sum of products is written as: symbols = numbers = the products' values = the value
// (a long sum, cut short, without the products' values).
import { evaluate } from '../expr/evaluate.js';
import type { Expr } from '../expr/expr.js';
import { scalarTex, shownExactly, termGroup, toTexTerms } from '../expr/to-tex.js';
import type { DerivationContext } from './context.js';
import { chain, rounded, valueSumPieces } from './tex.js';
import type { Chain } from './step.js';

export function sumOfProductsChain(lhs: string, e: Expr, ctx: DerivationContext): Chain {
  const terms = ctx.elision.terms;
  const options = terms ? { elide: terms } : {};
  const termList = e.kind === 'add' ? e.terms : [e];
  const products = termList.map((term) => evaluate(term, ctx.value));
  const total = evaluate(e, ctx.value);
  const inexact = !products.every(shownExactly);
  // A sum cut short cannot be added up by eye: it goes from the numbers straight to the value.
  const cut = terms !== undefined && termList.length > (terms.limit ?? terms.head + terms.tail + 1);
  const values = cut ? [] : rounded(valueSumPieces(products, terms, termList.map(termGroup)), inexact);
  return chain(lhs, toTexTerms(e, options), rounded(toTexTerms(e, { ...options, value: ctx.value }), inexact), values, rounded(scalarTex(total), !shownExactly(total)));
}
