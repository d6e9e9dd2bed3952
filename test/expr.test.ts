// The expression builder: canonical constructors, differentiation checked against mathjs's own
// derivative, and LaTeX as a person writes it.
import { describe, expect, it } from 'vitest';
import { all, create, type MathNode } from 'mathjs';
import { add, mul, num, pow, sub, sym, type Expr, type Sym } from '../src/expr/expr.js';
import { differentiate } from '../src/expr/differentiate.js';
import { evaluate } from '../src/expr/evaluate.js';
import { toTex, toTexTerms } from '../src/expr/to-tex.js';
import { rational, type Rational } from '../src/numbers/rational.js';
import { sigmaExpr } from '../src/ops/conv2d/symbols.js';
import { headExpr } from '../src/ops/head/head.js';
import { mseExpr, S } from '../src/ops/loss/loss.js';
import { makeTensor } from '../src/tensor/tensor.js';
import { namingFor } from '../src/ops/conv2d/symbols.js';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { fromMathjsName, mathjsName, toMathjs } from './helpers/to-mathjs.js';
import { generator, randomProblem } from './helpers/random-problems.js';
import { problemOf } from './helpers/solve.js';
import { convGeometry } from '../src/ops/conv2d/geometry.js';

// Problems with channels, a batch and groups, so that every superscripted symbol is differentiated too.
const CHANNELS = [
  JSON.stringify({ input: [[[1, 2, 0], [3, -1, 2], [0, 1, 1]], [[2, 0, 1], [1, 1, -2], [3, 0, 1]]], kernel: [[[[1, 2], [0, -1]], [[3, 1], [1, 0]]], [[[2, 0], [1, 1]], [[-1, 1], [0, 2]]]], bias: [1, '1/2'], target: 7, head: 'mean' }),
  JSON.stringify({ input: [[[[1, 2, 0], [3, -1, 2]], [[2, 0, 1], [1, 1, -2]]], [[[0, 1, 1], [2, 2, 0]], [[1, -1, 0], [0, 3, 1]]]], kernel: [[[[1, -2]]], [[[3, 1]]]], groups: 2, padding: [1, 0], padding_mode: 'reflect', target: '5/2' }),
];

const math = create(all, { number: 'Fraction' });

const [k11, k12, x11, x12] = [sym('k', [1, 1]), sym('k', [1, 2]), sym('x', [1, 1]), sym('x', [1, 2])];

describe('constructors canonicalize', () => {
  it('flatten sums and products and keep the written order', () => {
    expect(toTex(add(mul(k11, x11), add(mul(k12, x12), num(0))))).toBe('k_{11} x_{11} + k_{12} x_{12}');
  });
  it('fold constants: a leading coefficient, a trailing constant, 0 absorbs, 1 vanishes', () => {
    expect(mul(num(2), k11, num(3))).toEqual({ kind: 'mul', factors: [num(6), k11] });
    expect(add(num(1), k11, num(2))).toEqual({ kind: 'add', terms: [k11, num(3)] });
    expect(mul(k11, num(0), x11)).toEqual(num(0));
    expect(mul(num(1), k11)).toEqual(k11);
    expect(pow(k11, 1)).toEqual(k11);
    expect(pow(num(3), 2)).toEqual(num(9));
  });
});

describe('toTex', () => {
  it('writes products, differences and powers as a person does', () => {
    expect(toTex(pow(sub(S, sym('T')), 2))).toBe('(S - T)^{2}');
    expect(toTex(mul(num(2), sub(S, sym('T'))))).toBe('2 (S - T)');
    expect(toTex(mul(num(rational(1, 4)), add(x11, x12)))).toBe('\\frac{1}{4} (x_{11} + x_{12})');
    expect(toTex(sym('k', [1, 12]))).toBe('k_{1,12}');
  });
  it('substitutes values and keeps negative ones in parentheses', () => {
    const values = new Map([['k11', rational(3)], ['x11', rational(-2)], ['k12', rational(-1, 3)], ['x12', rational(5, 2)]]);
    const value = (s: Sym) => values.get(`${s.name}${s.indices.join('')}`);
    expect(toTex(add(mul(k11, x11), mul(k12, x12)), { value })).toBe('3 \\cdot (-2) + (-\\frac{1}{3}) \\cdot 2.5');
  });
  it('elides long sums in the middle', () => {
    const long = add(...Array.from({ length: 10 }, (_, i) => sym('x', [1, i + 1])));
    expect(toTexTerms(long, { elide: { head: 2, tail: 1 } })).toEqual(['x_{11}', '+ x_{12}', '+ \\cdots', '+ x_{1,10}']);
  });
});

/** The derivative of e by v, once by us and once by mathjs, evaluated exactly at the given point. */
function bothDerivatives(e: Expr, v: Sym, at: (s: Sym) => Rational): [string, string] {
  const ours = evaluate(differentiate(e, v), at) as Rational;
  const node: MathNode = math.derivative(toMathjs(e), mathjsName(v), { simplify: false });
  const scope: Record<string, unknown> = {};
  node.traverse((n) => {
    if (n.type === 'SymbolNode') {
      const name = (n as unknown as { name: string }).name;
      scope[name] = math.fraction((at(fromMathjsName(name)) as Rational).toFraction());
    }
  });
  const theirs = node.evaluate(scope) as { toFraction(): string };
  return [ours.toFraction(), math.fraction(theirs as never).toFraction()];
}

describe('differentiate agrees with mathjs derivative', () => {
  it('on the product rule, the power rule and sums', () => {
    const e = add(pow(sub(mul(k11, x11, k11), num(3)), 3), mul(num(rational(2, 7)), k11, pow(x11, 2)));
    const at = (s: Sym) => (s.name === 'k' ? rational(3, 2) : rational(-5));
    for (const v of [k11, x11, k12]) {
      const [ours, theirs] = bothDerivatives(e, v, at);
      expect(ours).toBe(theirs);
    }
  });

  // L = (S − T)² with S written out in k and x: every ∂L/∂k_mn, ∂L/∂b and ∂L/∂x_ij, on the seed and on
  // random problems, at the problem's values and at an unrelated random point.
  const sources = [SEED_PROBLEM_SOURCE, ...Array.from({ length: 12 }, (_, i) => JSON.stringify(randomProblem(1000 + i, { basic: true }))), ...CHANNELS];
  it.each(sources.map((s, i) => [i, s]))('problem %i: the loss written out in kernel and input entries', (index, source) => {
    const problem = problemOf(source);
    const g = convGeometry(problem);
    const naming = namingFor(g);
    const sigma = makeTensor([g.batch, g.outChannels, g.output.rows, g.output.cols], ([n, o, i, j]) => sigmaExpr(g, naming, n, o, i, j, problem.bias !== undefined));
    const loss = evaluateAt(mseExpr(), S, headExpr(problem.head as 'sum' | 'mean', sigma.data));
    const random = generator(index);
    const point = new Map<string, Rational>();
    const at = (s: Sym) => {
      if (s.name === 'T') return problem.target.data[0];
      const key = mathjsName(s);
      if (!point.has(key)) point.set(key, rational(Math.floor(random() * 19) - 9, 1 + Math.floor(random() * 4)));
      return point.get(key)!;
    };
    const symbols = new Map<string, Sym>();
    const collect = (e: Expr): void => {
      if (e.kind === 'sym') symbols.set(mathjsName(e), e);
      else if (e.kind === 'add') e.terms.forEach(collect);
      else if (e.kind === 'mul') e.factors.forEach(collect);
      else if (e.kind === 'pow') collect(e.base);
    };
    collect(loss);
    const variables = [...symbols.values()].filter((v) => v.name !== 'T');
    expect(variables.length).toBeGreaterThan(2);
    for (const v of variables) {
      const [ours, theirs] = bothDerivatives(loss, v, at);
      expect(ours, `∂L/∂${mathjsName(v)}`).toBe(theirs);
    }
  });
});

/** e with the symbol `of` replaced by the expression `by`. */
function evaluateAt(e: Expr, of: Sym, by: Expr): Expr {
  switch (e.kind) {
    case 'num':
      return e;
    case 'sym':
      return mathjsName(e) === mathjsName(of) ? by : e;
    case 'add':
      return add(...e.terms.map((t) => evaluateAt(t, of, by)));
    case 'mul':
      return mul(...e.factors.map((f) => evaluateAt(f, of, by)));
    case 'pow':
      return pow(evaluateAt(e.base, of, by), e.exponent);
  }
}
