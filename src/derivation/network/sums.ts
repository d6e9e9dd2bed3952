// An entry written out as the sum of products it is: in symbols, then in numbers, then its value —
// the conv's and the linear layer's outputs, their parameters' gradients and δ^{(l-1)} alike.
import { scalarTex, shownExactly } from '../../expr/to-tex.js';
import type { Scalar } from '../../numbers/scalar.js';
import { keptIndices } from '../elide.js';
import { chain, operandTex, rounded } from '../tex.js';
import type { Chain } from '../step.js';
import type { NetworkContext } from './context.js';

/** One product of a sum: a·b in symbols, x·y in numbers; products of one group (a channel, a sample) are elided together. */
export interface Product {
  readonly a: string;
  readonly b: string;
  readonly x: Scalar;
  readonly y: Scalar;
  readonly group?: string;
}

/** A term added as it is (a bias). */
export interface Addend {
  readonly name: string;
  readonly value: Scalar;
}

// lhs = c + Σ a·b = c + Σ x·y = value; a sum of more terms than the elision allows keeps, of each group, its first and last
export function productSum(ctx: NetworkContext, lhs: string, products: readonly Product[], result: Scalar, addend?: Addend): Chain {
  const kept = keptIndices(products.length, ctx.elision.terms, products.map((p) => p.group ?? ''));
  const pieces = (write: (p: Product) => string, first: string | undefined) => {
    const terms = kept.map((k) => (k === null ? '\\cdots' : write(products[k])));
    const all = first === undefined ? terms : [first, ...terms];
    return all.length === 0 ? ['0'] : all.map((t, i) => (i === 0 ? t : `+ ${t}`));
  };
  const symbols = pieces((p) => `${p.a} \\, ${p.b}`, addend?.name);
  const numbers = pieces((p) => `${operandTex(p.x)} \\cdot ${operandTex(p.y)}`, addend && scalarTex(addend.value));
  const inexact = [...products.flatMap((p) => [p.x, p.y]), ...(addend ? [addend.value] : [])].some((v) => !shownExactly(v));
  return chain(lhs, symbols, rounded(numbers, inexact), rounded(scalarTex(result), !shownExactly(result)));
}

// lhs = Σ a = Σ values = value
export function plainSum(ctx: NetworkContext, lhs: string, names: readonly string[], values: readonly Scalar[], result: Scalar, groups?: readonly string[]): Chain {
  const kept = keptIndices(names.length, ctx.elision.terms, groups);
  const join = (write: (k: number) => string) => kept.map((k, i) => `${i === 0 ? '' : '+ '}${k === null ? '\\cdots' : write(k)}`);
  return chain(lhs, join((k) => names[k]), rounded(join((k) => operandTex(values[k])), values.some((v) => !shownExactly(v))), rounded(scalarTex(result), !shownExactly(result)));
}
