// Expressions a user writes in a problem file ({"expression": "x^2/2"}), parsed and differentiated by
// mathjs, and evaluated here: exactly while every step is rational (+ − · /, integer powers, abs,
// min, max, sign), in float64 from the first step that is not (exp, log, sqrt, tanh, …).
import { createRequire } from 'node:module';
import type { MathJsInstance, MathNode } from 'mathjs';
import { abs, add, asDouble, div, isExact, mul, neg, powInteger, sign, sub, type Scalar } from '../numbers/scalar.js';
import { parseRational } from '../numbers/rational.js';
import { powerTex } from './to-tex.js';

// mathjs is large to load; only a problem with an expression needs it.
let instance: MathJsInstance | undefined;
function mathjs(): MathJsInstance {
  if (!instance) {
    const { create, all } = createRequire(import.meta.url)('mathjs') as typeof import('mathjs');
    instance = create(all);
  }
  return instance;
}

export interface UserExpression {
  readonly source: string;
  /** The variable it is a function of and differentiated by (x for an activation, y for a loss). */
  readonly variable: string;
  readonly node: MathNode;
  /** ∂/∂variable, by mathjs's derivative, as evaluated. */
  readonly derivative: MathNode;
  /** The same derivative simplified by mathjs, as shown. */
  readonly derivativeShown: MathNode;
}

const FLOAT_FUNCTIONS: Record<string, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  sinh: Math.sinh,
  cosh: Math.cosh,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  atan: Math.atan,
  log1p: Math.log1p,
  expm1: Math.expm1,
  // What mathjs's derivative writes for the derivatives of the functions above.
  sech: (x) => 1 / Math.cosh(x),
  csch: (x) => 1 / Math.sinh(x),
  coth: (x) => 1 / Math.tanh(x),
  sec: (x) => 1 / Math.cos(x),
  csc: (x) => 1 / Math.sin(x),
  cot: (x) => 1 / Math.tan(x),
};
const CONSTANTS: Record<string, number> = { e: Math.E, pi: Math.PI };

/** Reads an expression in the given variables; returns the message for the user when it cannot be used. */
export function parseUserExpression(source: string, variable: string, variables: readonly string[]): UserExpression | string {
  let node: MathNode;
  try {
    node = mathjs().parse(source);
  } catch (error) {
    return `mathjs cannot parse ${JSON.stringify(source)}: ${(error as Error).message}`;
  }
  const problem = unsupported(node, variables);
  if (problem) return problem;
  let derivative: MathNode;
  try {
    derivative = mathjs().derivative(node, variable, { simplify: false });
  } catch (error) {
    return `mathjs cannot differentiate ${JSON.stringify(source)} by ${variable}: ${(error as Error).message}`;
  }
  const derivativeProblem = unsupported(derivative, variables);
  if (derivativeProblem) return `its derivative ${derivativeProblem}`;
  let derivativeShown = derivative;
  try {
    derivativeShown = mathjs().simplify(derivative);
  } catch {
    // mathjs could not simplify it: show it as derived.
  }
  return { source, variable, node, derivative, derivativeShown };
}

/** What in an expression convgrad cannot evaluate, said for the user; undefined when all is well. */
function unsupported(node: MathNode, variables: readonly string[]): string | undefined {
  let problem: string | undefined;
  node.traverse((n, path, parent) => {
    if (problem) return;
    if (n.type === 'SymbolNode') {
      const name = (n as unknown as { name: string }).name;
      const isFunctionName = parent?.type === 'FunctionNode' && path === 'fn';
      if (!isFunctionName && !variables.includes(name) && !(name in CONSTANTS)) {
        problem = `uses ${JSON.stringify(name)}; it may use only ${variables.map((v) => JSON.stringify(v)).join(' and ')} (and the constants e, pi)`;
      }
    } else if (n.type === 'FunctionNode') {
      const name = (n as unknown as { fn: { name: string } }).fn.name;
      if (!(name in FLOAT_FUNCTIONS) && !['abs'].includes(name)) problem = `uses the function ${name}, which convgrad does not differentiate; use ${[...Object.keys(FLOAT_FUNCTIONS), 'abs'].join(', ')}`;
    } else if (!['OperatorNode', 'ConstantNode', 'ParenthesisNode'].includes(n.type)) {
      problem = `contains ${n.type.replace(/Node$/, '').toLowerCase()} syntax; write a plain formula`;
    }
  });
  return problem;
}

/**
 * The value of a parsed expression. Throws a RangeError (with the reason) where it is undefined, for
 * example log of a negative number or a division by zero.
 */
export function evaluateUserExpression(node: MathNode, scope: Readonly<Record<string, Scalar>>): Scalar {
  const value = (n: MathNode): Scalar => {
    switch (n.type) {
      case 'ConstantNode': {
        const v = (n as unknown as { value: unknown }).value;
        const parsed = parseRational(String(v));
        if (parsed === null) throw new RangeError(`the constant ${String(v)} is not a number`);
        return parsed;
      }
      case 'SymbolNode': {
        const name = (n as unknown as { name: string }).name;
        if (name in scope) return scope[name];
        return CONSTANTS[name];
      }
      case 'ParenthesisNode':
        return value((n as unknown as { content: MathNode }).content);
      case 'OperatorNode': {
        const { fn, args } = n as unknown as { fn: string; args: MathNode[] };
        const [a, b] = args.map(value);
        switch (fn) {
          case 'unaryMinus': return neg(a);
          case 'unaryPlus': return a;
          case 'add': return add(a, b);
          case 'subtract': return sub(a, b);
          case 'multiply': return mul(a, b);
          case 'divide':
            if (sign(b) === 0) throw new RangeError('a division by zero');
            return div(a, b);
          case 'pow': return power(a, b);
          default: throw new RangeError(`the operator ${fn} is not supported`);
        }
      }
      case 'FunctionNode': {
        const { fn, args } = n as unknown as { fn: { name: string }; args: MathNode[] };
        const [a] = args.map(value);
        if (fn.name === 'abs') return abs(a);
        const result = FLOAT_FUNCTIONS[fn.name](asDouble(a));
        if (!Number.isFinite(result)) throw new RangeError(`${fn.name}(${asDouble(a)}) is not a finite number`);
        return result;
      }
      default:
        throw new RangeError(`${n.type} is not supported`);
    }
  };
  return value(node);
}

// a^b: exact for an exact base and an integer exponent, float64 otherwise.
function power(a: Scalar, b: Scalar): Scalar {
  if (isExact(b) && b.d === 1n) {
    const e = Number(b.s * b.n);
    if (sign(a) === 0 && e < 0) throw new RangeError('0 to a negative power');
    return powInteger(a, e);
  }
  const result = asDouble(a) ** asDouble(b);
  if (!Number.isFinite(result)) throw new RangeError(`${asDouble(a)}^${asDouble(b)} is not a finite real number`);
  return result;
}

/** LaTeX of a parsed expression as mathjs writes it, with its variables renamed ({x: '\\sigma'}). */
export function userExpressionTex(node: MathNode, names: Readonly<Record<string, string>>): string {
  const named = (n: MathNode): string | undefined => (n.type === 'SymbolNode' ? names[(n as unknown as { name: string }).name] : undefined);
  const options = {
    parenthesis: 'keep',
    implicit: 'hide',
    // x^2 with x = 13000/3 or 1.2·10^7 is (13000/3)^2, (1.2·10^7)^2: the base in parentheses where it needs them.
    handler: (n: MathNode): string | undefined => {
      const operator = n as unknown as { type: string; fn?: string; args?: MathNode[] };
      if (operator.type === 'OperatorNode' && operator.fn === 'pow' && operator.args && named(operator.args[0]) !== undefined) {
        return powerTex(named(operator.args[0])!, operator.args[1].toTex(options));
      }
      const name = named(n);
      return name === undefined ? undefined : `{${name}}`;
    },
  };
  return node.toTex(options);
}

