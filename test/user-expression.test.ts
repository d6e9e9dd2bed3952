// Users' expressions: a small language with convgrad's own parser and derivative, checked against
// mathjs's derivative as an independent reference, typeset through KaTeX, and refusing everything
// outside the language quickly and by name.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import katex from 'katex';
import { all, create } from 'mathjs';
import { EXPRESSION_LIMITS, FUNCTION_NAMES, evaluateUserExpression, parseUserExpression, userExpressionTex, type UserExpression } from '../src/expr/user-expression.js';
import { asDouble } from '../src/numbers/scalar.js';
import { rational } from '../src/numbers/rational.js';
import { generator } from './helpers/random-problems.js';

const math = create(all);

function parsed(source: string, variables = ['x']): UserExpression {
  const result = parseUserExpression(source, variables[0], variables);
  if (typeof result === 'string') throw new Error(`${source}: ${result}`);
  return result;
}

function refusal(source: string, variables = ['x']): string {
  const result = parseUserExpression(source, variables[0], variables);
  if (typeof result !== 'string') throw new Error(`${source} was accepted`);
  return result;
}

/** A random formula in x from the whole language: as convgrad reads it, and as mathjs does (which has no log1p, expm1). */
function randomFormula(random: () => number, depth: number): [string, string] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  if (depth === 0 || random() < 0.25) {
    const leaf = pick(['x', 'x', '2', '0.5', '3/4', 'pi', 'e', '1.25']);
    return [leaf, leaf];
  }
  const kind = random();
  const [a, ma] = randomFormula(random, depth - 1);
  if (kind < 0.5) {
    const [b, mb] = randomFormula(random, depth - 1);
    const op = pick(['+', '-', '*', '/']);
    return [`(${a} ${op} ${b})`, `(${ma} ${op} ${mb})`];
  }
  if (kind < 0.65) {
    const e = pick(['2', '3', '-1', '0.5']);
    return [`(${a})^${e}`, `(${ma})^${e}`];
  }
  if (kind < 0.75) return [`-${a}`, `-${ma}`];
  const fn = pick(['exp', 'sin', 'cos', 'tanh', 'atan', 'sinh', 'cosh', 'abs', 'log1p', 'expm1', 'sqrt', 'log', 'tan']);
  // Arguments where the function is defined: log and sqrt of a square plus one.
  if (fn === 'log' || fn === 'sqrt') return [`${fn}(1 + (${a})^2)`, `${fn}(1 + (${ma})^2)`];
  if (fn === 'log1p') return [`log1p(${a})`, `log(1 + (${ma}))`];
  if (fn === 'expm1') return [`expm1(${a})`, `(exp(${ma}) - 1)`];
  return [`${fn}(${a})`, `${fn}(${ma})`];
}

describe('the derivative of a user expression', () => {
  it('equals mathjs derivative (an independent implementation) at random points, for 400 random formulas', () => {
    const random = generator(2024);
    let compared = 0;
    for (let n = 0; n < 400; n++) {
      const [source, mathjsSource] = randomFormula(random, 4);
      const ours = parsed(source);
      const theirs = math.derivative(mathjsSource, 'x', { simplify: false });
      for (const x of [-1.7, -0.3, 0.45, 1.2, 2.5]) {
        let mine: number;
        try {
          mine = asDouble(evaluateUserExpression(ours.derivative, { x: rational(Math.round(x * 100), 100) }));
        } catch {
          continue; // undefined there (a division by zero, log of a negative): mathjs gives ±Infinity or NaN
        }
        const reference = theirs.evaluate({ x }) as number;
        if (!Number.isFinite(reference) || Math.abs(reference) > 1e12) continue;
        expect(Math.abs(mine - reference), `${source} at x = ${x}: convgrad ${mine}, mathjs ${reference}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(reference)));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('takes PyTorch\'s side where |x| has its kink: abs′(0) = sign(0) = 0', () => {
    const abs = parsed('abs(x)');
    expect(evaluateUserExpression(abs.derivative, { x: rational(0) })).toEqual(rational(0));
    expect(evaluateUserExpression(abs.derivative, { x: rational(-3) })).toEqual(rational(-1));
  });

  it('stays exact where every step is rational, and rounds from the first step that is not', () => {
    const e = parsed('x^2/2 + x');
    expect(evaluateUserExpression(e.node, { x: rational(1, 3) })).toEqual(rational(7, 18));
    expect(evaluateUserExpression(e.derivative, { x: rational(1, 3) })).toEqual(rational(4, 3));
    expect(typeof evaluateUserExpression(parsed('exp(x)').node, { x: rational(0) })).toBe('number');
  });
});

describe('the LaTeX of a user expression', () => {
  it.each([
    ['x^2/2 + x', '\\frac{x^{2}}{2} + x'],
    ['(y - t)^4 / 4', '\\frac{\\left(y - t\\right)^{4}}{4}'],
    ['-x^2', '-x^{2}'],
    ['(-x)^2', '\\left(-x\\right)^{2}'],
    ['2*x*tanh(x)', '2 x \\cdot \\tanh\\left(x\\right)'],
    ['x - (y - 1)', 'x - \\left(y - 1\\right)'],
    ['x + -1', 'x + \\left(-1\\right)'],
    ['abs(x) * sqrt(1 + x^2)', '\\left|x\\right| \\cdot \\sqrt{1 + x^{2}}'],
    ['2^3^2', '2^{3^{2}}'],
    ['exp(x)^2', '\\left(\\exp\\left(x\\right)\\right)^{2}'],
  ])('%s is %s', (source, tex) => {
    expect(userExpressionTex(parsed(source, ['x', 'y', 't']).node, {})).toBe(tex);
  });

  it('renders in KaTeX for 300 random formulas and their derivatives, with names and numbers put in', () => {
    const random = generator(77);
    for (let n = 0; n < 300; n++) {
      const e = parsed(randomFormula(random, 4)[0]);
      for (const names of [{ x: '\\sigma_{12}' }, { x: '\\frac{13000}{3}' }, { x: '(-2.5)' }]) {
        for (const node of [e.node, e.derivative]) expect(() => katex.renderToString(userExpressionTex(node, names), { throwOnError: true, strict: 'error' })).not.toThrow();
      }
    }
  });
});

describe('what the language refuses, by name', () => {
  it.each([
    // Code injection through a string and a comment (mathjs syntax): no strings, no comments here.
    ['x + "1\n    "#"; __import__(\'os\').system(\'touch PWNED\') #', /^unexpected "\\"" at character 5/],
    ['x # a comment', /^unexpected "#" at character 3/],
    ['x.constructor', /^unexpected "\." at character 2/],
    ['x + __proto__(2)', /^unexpected "_" at character 5/],
    ['x + constructor', /^uses "constructor"; it may use only "x"/],
    ['x + toString(2)', /^uses the function "toString", which convgrad does not know/],
    ['x + hasOwnProperty', /^uses "hasOwnProperty"/],
    ['x + exp()', /^exp\(\) at character 5 needs one argument/],
    ['log(x, 3)', /^log at character 1 takes one argument, not more/],
    ['exp(2, 3)', /^exp at character 1 takes one argument, not more/],
    ['abs(x, 3)', /takes one argument, not more/],
    ['2x', /^"x" at character 2 follows a value without an operator; write \* for a product/],
    ['x y', /follows a value without an operator/],
    ['exp', /^exp at character 1 is a function: write exp\(…\)/],
    ['x^^2', /^unexpected "\^" at character 3/],
    ['(x', /^expected "\)" at the end/],
    ['x)', /^unexpected "\)" at character 2/],
    ['', /^is empty$/],
    ['x +', /^ends where a value is expected$/],
    ['x\u00a0+ 1', /^unexpected U\+00A0 at character 2/],
    ['x\u2028+ 1', /^unexpected U\+2028 at character 2/],
    ['\ufeffx', /^unexpected U\+FEFF at character 1/],
    ['x + 1\u0000', /^unexpected U\+0000 at character 6/],
    ['x + \u0661', /^unexpected U\+0661/],
    ['x + 1e999', /^the number 1e999 at character 5 has more digits than convgrad takes/],
    ['x + 1e-100000', /has more digits than convgrad takes/],
    ['x + y', /^uses "y"; it may use only "x" \(and the constants e, pi\)$/],
  ])('%j', (source, message) => {
    expect(refusal(source)).toMatch(message);
  });

  it('bounds its size: characters, nodes and depth, each said with the limit', () => {
    expect(refusal(`x${' + x'.repeat(1000)}`)).toBe(`longer than ${EXPRESSION_LIMITS.characters} characters (4001); write a shorter formula`);
    expect(refusal(`x${'+x'.repeat(200)}`)).toBe(`more than ${EXPRESSION_LIMITS.nodes} numbers, names and operations; write a shorter formula`);
    expect(refusal(`${'sin('.repeat(40)}x${')'.repeat(40)}`)).toBe(`nested more than ${EXPRESSION_LIMITS.depth} levels deep`);
    expect(refusal(Array(50).fill('x').join('^'))).toMatch(/nested more than/);
    expect(refusal(`${'('.repeat(100000)}x${')'.repeat(100000)}`)).toMatch(/^longer than/);
  });

  it('reads what used to hang mathjs\'s simplifier at once, its cost bounded by the square of its size', () => {
    for (const source of [Array(14).fill('x').join('*'), `${'sin('.repeat(30)}x${')'.repeat(30)}`, Array(12).fill('x').join('^'), '(x - 1)^10000000', 'x^1000000000']) {
      const start = performance.now();
      const e = parsed(source);
      expect(e.cost).toBeLessThanOrEqual(2 * EXPRESSION_LIMITS.nodes ** 2);
      try {
        evaluateUserExpression(e.derivative, { x: rational(3, 2) });
      } catch (error) {
        expect(error, source).toBeInstanceOf(RangeError); // 1.5^999999999 is no finite number: refused, quickly
      }
      expect(performance.now() - start, source).toBeLessThan(1000);
    }
  });

  it('never throws on any text: it returns an expression or a message (fast-check)', () => {
    const alphabet = fc.constantFrom(...'x+-*/^().,e 0123456789#"\'\n\u00a0_[]{};='.split(''), ...FUNCTION_NAMES, 'pi', 'constructor', '__proto__');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join(''))), (source) => {
        const result = parseUserExpression(source, 'x', ['x']);
        if (typeof result !== 'string') {
          try {
            evaluateUserExpression(result.derivative, { x: rational(1, 7) });
          } catch (error) {
            expect(error).toBeInstanceOf(RangeError);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
