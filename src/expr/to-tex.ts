// LaTeX for expressions: symbolic (k_{11} x_{11}) or with numbers substituted (3 \cdot 1).
import { toTerminatingDecimal, type Rational } from '../numbers/rational.js';
import { asDouble, isExact, sign, type Scalar } from '../numbers/scalar.js';
import type { Expr, Sym, SymbolName } from './expr.js';
import type { Valuation } from './evaluate.js';

export interface TexOptions {
  /** Replace symbols by their values, keeping the structure: σ = 3·1 + 2·2 + … */
  readonly value?: Valuation;
  /**
   * Show a sum of more than `limit` terms (head + tail + 1 where not given) as, of each channel's run of
   * terms, its first `head` terms, ⋯, and its last `tail` terms.
   */
  readonly elide?: { readonly head: number; readonly tail: number; readonly limit?: number };
}

// The one table of symbol names in LaTeX: the pooled map is z (p is the padding), a target map's entries
// T_ij like the single target T (t is the optimizer's step).
const SYMBOL_TEX: Record<SymbolName, string> = {
  x: 'x', k: 'k', b: 'b', sigma: '\\sigma', a: 'a', p: 'z', delta: '\\delta', S: 'S', y: 'y', T: 'T', t: 'T', L: 'L', eta: '\\eta',
};

/** Significant digits shown of a float64 (a rounded value); the result document has every digit. */
export const ROUNDED_DIGITS = 6;

/** Where an expression stands decides its parentheses. */
type Place = 'leading' | 'term' | 'factor' | 'base';

export function toTex(e: Expr, options: TexOptions = {}): string {
  return render(e, 'leading', options);
}

/**
 * The top-level terms of a sum, each after the first with its sign ("+ k_{12} x_{12}", "- T"), so that
 * a renderer may break a long line between them.
 */
export function toTexTerms(e: Expr, options: TexOptions = {}): string[] {
  if (e.kind !== 'add') return [toTex(e, options)];
  return sumPieces(e.terms, options);
}

/** k_{12}, k^{(2,1)}_{12}, b_{2}: indices below, run together while they are single digits; channels above. */
export function symbolTex(s: Sym): string {
  const base = SYMBOL_TEX[s.name];
  const channel = s.channel.length === 0 ? '' : `^{(${s.channel.join(',')})}`;
  if (s.indices.length === 0) return base + channel;
  const separator = s.indices.some((i) => i > 9) ? ',' : '';
  return `${base}${channel}_{${s.indices.join(separator)}}`;
}

/**
 * Exact values whose numerator or denominator has more digits than this are shown rounded, like a
 * float64 (and marked ≈ where they stand); the result document keeps every one exact.
 */
export const EXACT_DIGITS = 12;

export function shownExactly(x: Scalar): x is Rational {
  return isExact(x) && x.n.toString().length <= EXACT_DIGITS && x.d.toString().length <= EXACT_DIGITS;
}

/** An exact value as rationalTex writes it; a float64, or an exact value too long to read, to ROUNDED_DIGITS significant digits. */
export function scalarTex(x: Scalar): string {
  return shownExactly(x) ? rationalTex(x) : roundedTex(asDouble(x));
}

export function roundedTex(x: number): string {
  if (x === 0) return '0';
  const text = x.toPrecision(ROUNDED_DIGITS);
  const [mantissa, exponent] = text.split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return exponent === undefined ? trimmed : `${trimmed} \\cdot 10^{${Number(exponent)}}`;
}

/** 2.52, -3, \frac{1}{3}: a terminating decimal as a decimal, anything else as a fraction. */
export function rationalTex(r: Rational): string {
  return toTerminatingDecimal(r, 8) ?? fractionTex(r);
}

/** -\frac{1}{4}: always a fraction (an integer stays an integer). */
export function fractionTex(r: Rational): string {
  const sign = r.s < 0n ? '-' : '';
  return r.d === 1n ? `${sign}${r.n}` : `${sign}\\frac{${r.n}}{${r.d}}`;
}

function sumPieces(terms: readonly Expr[], options: TexOptions): string[] {
  const pieces = terms.map((term, i) => {
    const tex = render(term, i === 0 ? 'leading' : 'term', options);
    if (i === 0) return tex;
    return tex.startsWith('-') ? `- ${tex.slice(1)}` : `+ ${tex}`;
  });
  const elide = options.elide;
  if (!elide || pieces.length <= (elide.limit ?? elide.head + elide.tail + 1)) return pieces;
  return keptTerms(terms.map(termGroup), elide).map((k) => (k === null ? '+ \\cdots' : pieces[k]));
}

/** A term's group: the name and channels of its first symbol (k^{(1,2)} x^{(2)} is in k:1,2), so that each channel's run of terms is elided on its own. */
export function termGroup(e: Expr): string {
  const first = (x: Expr): Sym | undefined => (x.kind === 'sym' ? x : x.kind === 'mul' ? x.factors.map(first).find((s) => s) : x.kind === 'pow' ? first(x.base) : x.kind === 'add' ? x.terms.map(first).find((s) => s) : undefined);
  const s = first(e);
  return s ? `${s.name}:${s.channel.join(',')}` : '';
}

/** The indices kept of a list whose entries are in the given groups, null where ⋯ stands (see TexOptions.elide). */
export function keptTerms(groups: readonly string[], elide: NonNullable<TexOptions['elide']>): (number | null)[] {
  const runs: number[][] = [];
  groups.forEach((g, i) => {
    const run = runs.at(-1);
    if (run && groups[run[0]] === g) run.push(i);
    else runs.push([i]);
  });
  return runs.flatMap((run) => (run.length <= elide.head + elide.tail + 1 ? run : [...run.slice(0, elide.head), null, ...run.slice(run.length - elide.tail)]));
}

function render(e: Expr, place: Place, options: TexOptions): string {
  switch (e.kind) {
    case 'num':
      return numberTex(e.value, place);
    case 'sym': {
      const v = options.value?.(e);
      return v === undefined ? symbolTex(e) : numberTex(v, place);
    }
    case 'add': {
      const tex = sumPieces(e.terms, options).join(' ');
      return place === 'leading' || place === 'term' ? tex : `(${tex})`;
    }
    case 'mul': {
      const tex = productTex(e.factors, options);
      return place === 'base' || (place === 'factor' && tex.startsWith('-')) ? `(${tex})` : tex;
    }
    case 'pow': {
      const exponent = e.exponent.d === 1n ? `${e.exponent.s * e.exponent.n}` : rationalTex(e.exponent);
      return `${render(e.base, 'base', options)}^{${exponent}}`;
    }
  }
}

function numberTex(r: Scalar, place: Place): string {
  const tex = scalarTex(r);
  const negative = sign(r) < 0;
  const needsParens = (negative && place !== 'leading' && place !== 'term') || (place === 'base' && !/^\d+$/.test(tex));
  return needsParens ? `(${tex})` : tex;
}

// A numeric coefficient leads; −1 becomes a bare minus sign. Juxtapose factors (2(S - T), k_{11} x_{11})
// unless the right one starts like a number, where a centred dot keeps 3 \cdot 1 from reading as 31.
function productTex(factors: readonly Expr[], options: TexOptions): string {
  let sign = '';
  let rest = factors;
  const first = factors[0];
  if (first.kind === 'num' && first.value.equals(-1)) {
    sign = '-';
    rest = factors.slice(1);
  }
  let tex = '';
  rest.forEach((factor, i) => {
    // A coefficient reads as a fraction (\frac{1}{4} (…), not 0.25 (…)); values elsewhere as decimals.
    const piece = i === 0 && sign === '' && factor.kind === 'num' ? fractionTex(factor.value) : render(factor, 'factor', options);
    if (i === 0) tex = piece;
    else tex += /^(\d|\\frac|\(-|-)/.test(piece) ? ` \\cdot ${piece}` : ` ${piece}`;
  });
  return sign + tex;
}

/** A base raised to a power: a^2, 0.5^2, (−2)^2, \left(\frac{1}{3}\right)^2, (1.2 \cdot 10^{7})^2, never 10^{7}^2. */
export function powerTex(base: string, exponent: string): string {
  const plain = /^\\?[A-Za-z0-9.]+(_\{?[\w,]+\}?)?$/.test(base) || /^\(.*\)$/.test(base);
  return `${plain ? base : `\\left(${base}\\right)`}^{${exponent}}`;
}
