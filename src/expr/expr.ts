// Expressions as plain, immutable data. Build them only through the constructors below: they
// canonicalize (flatten nested sums and products, fold constants, drop zeros and ones) and keep the
// order in which the terms were written, so that a printed sum reads the way a person wrote it.
import { ONE, ZERO, rational, type Rational } from '../numbers/rational.js';

export type Expr = Num | Sym | Add | Mul | Pow;

export interface Num {
  readonly kind: 'num';
  readonly value: Rational;
}

/**
 * A named quantity with 1-based indices as printed: k_{12} is {name: 'k', indices: [1, 2]}; channel
 * indices, where a problem has several, are printed above: k^{(2,1)}_{12} has channel [2, 1].
 */
export interface Sym {
  readonly kind: 'sym';
  readonly name: SymbolName;
  readonly indices: readonly number[];
  readonly channel: readonly number[];
}

export interface Add {
  readonly kind: 'add';
  readonly terms: readonly Expr[];
}

/** A product; a numeric coefficient, if any, is always the first factor. */
export interface Mul {
  readonly kind: 'mul';
  readonly factors: readonly Expr[];
}

/** A power with a constant exponent. */
export interface Pow {
  readonly kind: 'pow';
  readonly base: Expr;
  readonly exponent: Rational;
}

/**
 * Input x, kernel k, bias b, conv output σ, activation a, pooled p, the gradient δ = ∂L/∂σ, prediction
 * S (one number) or y (a map entry), target T or t, loss L, learning rate η.
 */
export type SymbolName = 'x' | 'k' | 'b' | 'sigma' | 'a' | 'p' | 'delta' | 'S' | 'y' | 'T' | 't' | 'L' | 'eta';

export function num(value: Rational | number): Num {
  return { kind: 'num', value: typeof value === 'number' ? rational(value) : value };
}

export function sym(name: SymbolName, indices: readonly number[] = [], channel: readonly number[] = []): Sym {
  return { kind: 'sym', name, indices, channel };
}

export const zero = num(ZERO);
export const one = num(ONE);


export function sameSymbol(a: Sym, b: Sym): boolean {
  const same = (u: readonly number[], v: readonly number[]) => u.length === v.length && u.every((index, i) => index === v[i]);
  return a.name === b.name && same(a.indices, b.indices) && same(a.channel, b.channel);
}

/** Σ terms: nested sums flattened, zeros dropped, constants folded into one trailing constant. */
export function add(...terms: Expr[]): Expr {
  return addAll(terms);
}

/** add() of a list, however long (a spread of a million terms would overflow the stack). */
export function addAll(terms: readonly Expr[]): Expr {
  const flat: Expr[] = [];
  let constant = ZERO;
  for (const term of terms) {
    if (term.kind === 'add') for (const t of term.terms) flat.push(t);
    else if (term.kind === 'num') {
      if (term !== zero) constant = constant.add(term.value);
    } else flat.push(term);
  }
  if (!constant.equals(0)) flat.push(num(constant));
  if (flat.length === 0) return zero;
  return flat.length === 1 ? flat[0] : { kind: 'add', terms: flat };
}

/** Π factors: nested products flattened, constants folded into one leading coefficient, 0 absorbs, 1 vanishes. */
export function mul(...factors: Expr[]): Expr {
  const flat: Expr[] = [];
  let coefficient = ONE;
  const push = (factor: Expr) => {
    if (factor.kind === 'mul') factor.factors.forEach(push);
    else if (factor.kind === 'num') coefficient = coefficient.mul(factor.value);
    else flat.push(factor);
  };
  factors.forEach(push);
  if (coefficient.equals(0)) return zero;
  if (flat.length === 0) return num(coefficient);
  if (!coefficient.equals(1)) flat.unshift(num(coefficient));
  return flat.length === 1 ? flat[0] : { kind: 'mul', factors: flat };
}

/** a − b, written as a + (−1)·b. */
export function sub(a: Expr, b: Expr): Expr {
  return add(a, mul(num(-1), b));
}

/** base^exponent: x^0 = 1, x^1 = x, a constant base folds when the exponent is an integer. */
export function pow(base: Expr, exponent: Rational | number): Expr {
  const e = typeof exponent === 'number' ? rational(exponent) : exponent;
  if (e.equals(0)) return one;
  if (e.equals(1)) return base;
  if (base.kind === 'num' && e.d === 1n) return num(base.value.pow(e));
  return { kind: 'pow', base, exponent: e };
}
