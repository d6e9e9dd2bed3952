// Expressions a user writes in a problem file ({"expression": "x^2/2"}): a small language read by
// convgrad's own parser into convgrad's own tree, differentiated, evaluated, typeset and handed to
// PyTorch from that tree alone. The language is numbers, the problem's variables, the constants e and
// pi, + − · / ^, parentheses, and the functions of FUNCTIONS, each with one argument. Nothing else
// parses: no strings, no comments, no names outside these, no property lookups. Its size is bounded,
// and nothing here grows faster than the square of that size (no simplifier whose cost can explode).
import { abs, add, asDouble, div, isExact, mul, neg, ONE, powInteger, sign, sub, ZERO, type Scalar } from '../numbers/scalar.js';
import { parseRational, type Rational } from '../numbers/rational.js';
import { powerTex, rationalTex } from './to-tex.js';

/** At most this many characters, tree nodes and levels of nesting: the cost model multiplies by them. */
export const EXPRESSION_LIMITS = { characters: 500, nodes: 100, depth: 32 } as const;

export const FUNCTION_NAMES = ['exp', 'log', 'sqrt', 'abs', 'sign', 'sin', 'cos', 'tan', 'atan', 'sinh', 'cosh', 'tanh', 'log1p', 'expm1'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];
export type Operator = '+' | '-' | '*' | '/' | '^';

export type UserNode =
  | { readonly kind: 'number'; readonly value: Rational }
  | { readonly kind: 'constant'; readonly name: 'e' | 'pi' }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'negate'; readonly arg: UserNode }
  | { readonly kind: 'binary'; readonly op: Operator; readonly left: UserNode; readonly right: UserNode }
  | { readonly kind: 'call'; readonly fn: FunctionName; readonly arg: UserNode };

export interface UserExpression {
  readonly source: string;
  /** The variable it is a function of and differentiated by (x for an activation, y for a loss). */
  readonly variable: string;
  readonly node: UserNode;
  /** ∂/∂variable, tidied as it is built (constants folded, 0 and 1 dropped). */
  readonly derivative: UserNode;
  /** Nodes evaluated for one value and its derivative, counted as trees (shared parts once per use). */
  readonly cost: number;
}

interface FunctionRule {
  readonly value: (x: number) => number;
  readonly slope: (u: UserNode) => UserNode;
  readonly tex: (arg: string) => string;
}

/**
 * Each function: its value in float64, its derivative in terms of its argument u (times u' by the
 * chain rule), how it is typeset, and the torch function that computes it. abs′(0) = sign(0) = 0, as
 * PyTorch's abs backward takes.
 */
const FUNCTIONS: Readonly<Record<FunctionName, FunctionRule>> = {
  exp: { value: Math.exp, slope: (u: UserNode) => call('exp', u), tex: (a: string) => `\\exp\\left(${a}\\right)` },
  log: { value: Math.log, slope: (u: UserNode) => quotient(one, u), tex: (a: string) => `\\log\\left(${a}\\right)` },
  sqrt: { value: Math.sqrt, slope: (u: UserNode) => quotient(one, product(number(2), call('sqrt', u))), tex: (a: string) => `\\sqrt{${a}}` },
  abs: { value: Math.abs, slope: (u: UserNode) => call('sign', u), tex: (a: string) => `\\left|${a}\\right|` },
  sign: { value: Math.sign, slope: () => zero, tex: (a: string) => `\\operatorname{sign}\\left(${a}\\right)` },
  sin: { value: Math.sin, slope: (u: UserNode) => call('cos', u), tex: (a: string) => `\\sin\\left(${a}\\right)` },
  cos: { value: Math.cos, slope: (u: UserNode) => negate(call('sin', u)), tex: (a: string) => `\\cos\\left(${a}\\right)` },
  tan: { value: Math.tan, slope: (u: UserNode) => sum(one, power(call('tan', u), number(2))), tex: (a: string) => `\\tan\\left(${a}\\right)` },
  atan: { value: Math.atan, slope: (u: UserNode) => quotient(one, sum(one, power(u, number(2)))), tex: (a: string) => `\\arctan\\left(${a}\\right)` },
  sinh: { value: Math.sinh, slope: (u: UserNode) => call('cosh', u), tex: (a: string) => `\\sinh\\left(${a}\\right)` },
  cosh: { value: Math.cosh, slope: (u: UserNode) => call('sinh', u), tex: (a: string) => `\\cosh\\left(${a}\\right)` },
  tanh: { value: Math.tanh, slope: (u: UserNode) => difference(one, power(call('tanh', u), number(2))), tex: (a: string) => `\\tanh\\left(${a}\\right)` },
  log1p: { value: Math.log1p, slope: (u: UserNode) => quotient(one, sum(one, u)), tex: (a: string) => `\\log\\left(1 + ${a}\\right)` },
  expm1: { value: Math.expm1, slope: (u: UserNode) => call('exp', u), tex: (a: string) => `\\left(e^{${a}} - 1\\right)` },
};
const isFunctionName = (name: string): name is FunctionName => (FUNCTION_NAMES as readonly string[]).includes(name);
const CONSTANTS = { e: Math.E, pi: Math.PI } as const;

// ---------------------------------------------------------------------------------------------
// Reading

class ExpressionError extends Error {}

type Token =
  | { readonly kind: 'number'; readonly text: string; readonly at: number }
  | { readonly kind: 'name'; readonly text: string; readonly at: number }
  | { readonly kind: 'symbol'; readonly text: string; readonly at: number }
  | { readonly kind: 'end'; readonly text: ''; readonly at: number };

const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z][A-Za-z0-9]*/y;

/** A character as a message shows it: printable ASCII as itself, anything else as its code point. */
function showChar(char: string): string {
  const code = char.codePointAt(0)!;
  return code > 0x20 && code < 0x7f ? JSON.stringify(char) : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < source.length) {
    const char = source[pos];
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      pos++;
      continue;
    }
    NUMBER.lastIndex = pos;
    NAME.lastIndex = pos;
    const number = NUMBER.exec(source);
    const name = number ? null : NAME.exec(source);
    if (number) tokens.push({ kind: 'number', text: number[0], at: pos });
    else if (name) tokens.push({ kind: 'name', text: name[0], at: pos });
    else if ('+-*/^(),'.includes(char)) tokens.push({ kind: 'symbol', text: char, at: pos });
    else throw new ExpressionError(`unexpected ${showChar(String.fromCodePoint(source.codePointAt(pos)!))} at character ${pos + 1}; an expression has numbers, ${'+ - * / ^'}, parentheses and the functions ${FUNCTION_NAMES.join(', ')}`);
    pos += (number ?? name)?.[0].length ?? 1;
  }
  tokens.push({ kind: 'end', text: '', at: source.length });
  return tokens;
}

/**
 * Precedence climbing, as mathematics reads it: + − below · /, below unary minus, below ^ (right
 * associative: 2^3^2 = 2^9, and −x^2 = −(x^2)); juxtaposition is not multiplication (2x is refused).
 */
function parse(source: string, variables: readonly string[]): UserNode {
  const tokens = tokenize(source);
  let next = 0;
  let nodes = 0;
  const peek = () => tokens[next];
  const at = (t: Token) => (t.kind === 'end' ? 'at the end' : `at character ${t.at + 1}`);
  const expect = (text: string) => {
    const t = tokens[next];
    if (t.text !== text || t.kind === 'end') throw new ExpressionError(`expected "${text}" ${at(t)}${t.kind === 'end' ? '' : `, found "${t.text}"`}`);
    next++;
  };
  const count = () => {
    if (++nodes > EXPRESSION_LIMITS.nodes) throw new ExpressionError(`more than ${EXPRESSION_LIMITS.nodes} numbers, names and operations; write a shorter formula`);
  };

  const sumOf = (): UserNode => {
    let left = productOf();
    while (peek().text === '+' || peek().text === '-') {
      const op = tokens[next++].text as Operator;
      count();
      left = { kind: 'binary', op, left, right: productOf() };
    }
    return left;
  };
  const productOf = (): UserNode => {
    let left = unaryOf();
    for (;;) {
      const t = peek();
      if (t.text === '*' || t.text === '/') {
        next++;
        count();
        left = { kind: 'binary', op: t.text as Operator, left, right: unaryOf() };
      } else if (t.kind === 'number' || t.kind === 'name' || t.text === '(') {
        throw new ExpressionError(`"${t.text}" ${at(t)} follows a value without an operator; write * for a product`);
      } else return left;
    }
  };
  const unaryOf = (): UserNode => {
    if (peek().text === '-' || peek().text === '+') {
      const op = tokens[next++].text;
      count();
      const arg = unaryOf();
      return op === '-' ? { kind: 'negate', arg } : arg;
    }
    return powerOf();
  };
  const powerOf = (): UserNode => {
    const base = atomOf();
    if (peek().text !== '^') return base;
    next++;
    count();
    return { kind: 'binary', op: '^', left: base, right: unaryOf() };
  };
  const atomOf = (): UserNode => {
    count();
    const t = tokens[next++];
    if (t.kind === 'number') {
      const value = parseRational(t.text);
      if (value === null) throw new ExpressionError(`the number ${t.text} ${at(t)} has more digits than convgrad takes`);
      return { kind: 'number', value };
    }
    if (t.text === '(') {
      const inner = sumOf();
      expect(')');
      return inner;
    }
    if (t.kind === 'name') {
      if (peek().text === '(') {
        if (!isFunctionName(t.text)) throw new ExpressionError(`uses the function "${t.text}", which convgrad does not know; it knows ${FUNCTION_NAMES.join(', ')}`);
        next++;
        if (peek().text === ')') throw new ExpressionError(`${t.text}() ${at(t)} needs one argument`);
        const arg = sumOf();
        if (peek().text === ',') throw new ExpressionError(`${t.text} ${at(t)} takes one argument, not more`);
        expect(')');
        return { kind: 'call', fn: t.text, arg };
      }
      if (variables.includes(t.text)) return { kind: 'variable', name: t.text };
      if (t.text === 'e' || t.text === 'pi') return { kind: 'constant', name: t.text };
      if (isFunctionName(t.text)) throw new ExpressionError(`${t.text} ${at(t)} is a function: write ${t.text}(…)`);
      throw new ExpressionError(`uses "${t.text}"; it may use only ${variables.map((v) => `"${v}"`).join(' and ')} (and the constants e, pi)`);
    }
    if (t.kind === 'end') throw new ExpressionError(source.trim() === '' ? 'is empty' : 'ends where a value is expected');
    throw new ExpressionError(`unexpected "${t.text}" ${at(t)}`);
  };

  const node = sumOf();
  const rest = peek();
  if (rest.kind !== 'end') throw new ExpressionError(`unexpected "${rest.text}" ${at(rest)}`);
  if (treeDepth(node) > EXPRESSION_LIMITS.depth) throw new ExpressionError(`nested more than ${EXPRESSION_LIMITS.depth} levels deep`);
  return node;
}

/** Reads an expression in the given variables; returns the message for the user when it cannot be used. */
export function parseUserExpression(source: string, variable: string, variables: readonly string[]): UserExpression | string {
  if (source.length > EXPRESSION_LIMITS.characters) return `longer than ${EXPRESSION_LIMITS.characters} characters (${source.length}); write a shorter formula`;
  let node: UserNode;
  try {
    node = parse(source, variables);
  } catch (error) {
    if (error instanceof ExpressionError) return error.message;
    throw error;
  }
  const derivative = differentiateUser(node, variable);
  return { source, variable, node, derivative, cost: treeSize(node) + treeSize(derivative) };
}

// ---------------------------------------------------------------------------------------------
// Building: constructors that fold constants and drop 0 and 1 as they go, in one pass (linear).

const number = (value: Rational | number): UserNode => ({ kind: 'number', value: typeof value === 'number' ? parseRational(String(value))! : value });
const zero = number(0);
const one = number(1);
const valueOf = (n: UserNode): Rational | undefined => (n.kind === 'number' ? n.value : undefined);
const call = (fn: FunctionName, arg: UserNode): UserNode => ({ kind: 'call', fn, arg });

function negate(a: UserNode): UserNode {
  const v = valueOf(a);
  if (v) return number(v.neg());
  return a.kind === 'negate' ? a.arg : { kind: 'negate', arg: a };
}
function sum(a: UserNode, b: UserNode): UserNode {
  const [u, v] = [valueOf(a), valueOf(b)];
  if (u && v) return number(u.add(v));
  if (u?.equals(0)) return b;
  if (v?.equals(0)) return a;
  return b.kind === 'negate' ? { kind: 'binary', op: '-', left: a, right: b.arg } : { kind: 'binary', op: '+', left: a, right: b };
}
function difference(a: UserNode, b: UserNode): UserNode {
  return sum(a, negate(b));
}
function product(a: UserNode, b: UserNode): UserNode {
  const [u, v] = [valueOf(a), valueOf(b)];
  if (u && v) return number(u.mul(v));
  if (u?.equals(0) || v?.equals(0)) return zero;
  if (u?.equals(1)) return b;
  if (v?.equals(1)) return a;
  if (u?.equals(-1)) return negate(b);
  if (v?.equals(-1)) return negate(a);
  if (a.kind === 'negate') return negate(product(a.arg, b));
  if (b.kind === 'negate') return negate(product(a, b.arg));
  return { kind: 'binary', op: '*', left: a, right: b };
}
function quotient(a: UserNode, b: UserNode): UserNode {
  const [u, v] = [valueOf(a), valueOf(b)];
  if (u?.equals(0)) return zero;
  if (v?.equals(1)) return a;
  if (u && v && !v.equals(0)) return number(u.div(v));
  return { kind: 'binary', op: '/', left: a, right: b };
}
function power(a: UserNode, b: UserNode): UserNode {
  const v = valueOf(b);
  if (v?.equals(0)) return one;
  if (v?.equals(1)) return a;
  return { kind: 'binary', op: '^', left: a, right: b };
}

/** Does a node depend on the variable? */
function dependsOn(n: UserNode, variable: string): boolean {
  switch (n.kind) {
    case 'number':
    case 'constant': return false;
    case 'variable': return n.name === variable;
    case 'negate':
    case 'call': return dependsOn(n.arg, variable);
    case 'binary': return dependsOn(n.left, variable) || dependsOn(n.right, variable);
  }
}

// ∂n/∂v by the rules of a first calculus course: sum, product, quotient, power and chain rules.
export function differentiateUser(n: UserNode, v: string): UserNode {
  switch (n.kind) {
    case 'number':
    case 'constant': return zero;
    case 'variable': return n.name === v ? one : zero;
    case 'negate': return negate(differentiateUser(n.arg, v));
    // (f(u))′ = f′(u) · u′
    case 'call': {
      const inner = differentiateUser(n.arg, v);
      return valueOf(inner)?.equals(0) ? zero : product(FUNCTIONS[n.fn].slope(n.arg), inner);
    }
    case 'binary': {
      const { left: a, right: b } = n;
      const [da, db] = [differentiateUser(a, v), differentiateUser(b, v)];
      switch (n.op) {
        case '+': return sum(da, db);
        case '-': return difference(da, db);
        // (ab)′ = a′b + ab′
        case '*': return sum(product(da, b), product(a, db));
        // (a/b)′ = a′/b − a·b′/b²   (the quotient rule, written so that a constant numerator stays simple)
        case '/': return difference(quotient(da, b), quotient(product(a, db), power(b, number(2))));
        case '^':
          // (a^c)′ = c·a^(c−1)·a′ for an exponent free of v;  (a^b)′ = a^b · (b′ log a + b a′/a) otherwise
          if (!dependsOn(b, v)) return product(product(b, power(a, valueOf(b) ? number(valueOf(b)!.sub(1)) : difference(b, one))), da);
          return product(n, sum(product(db, call('log', a)), quotient(product(b, da), a)));
      }
    }
  }
}

/** The levels of a tree: 1 for a leaf. */
function treeDepth(n: UserNode): number {
  switch (n.kind) {
    case 'number':
    case 'constant':
    case 'variable': return 1;
    case 'negate':
    case 'call': return 1 + treeDepth(n.arg);
    case 'binary': return 1 + Math.max(treeDepth(n.left), treeDepth(n.right));
  }
}

/** The nodes of a tree, a shared subtree counted once for each place it stands. */
function treeSize(n: UserNode): number {
  switch (n.kind) {
    case 'number':
    case 'constant':
    case 'variable': return 1;
    case 'negate':
    case 'call': return 1 + treeSize(n.arg);
    case 'binary': return 1 + treeSize(n.left) + treeSize(n.right);
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluating: exact while every step is rational (+ − · /, integer powers, abs, sign), float64 from
// the first step that is not (the other functions, a fractional power, e and pi).

/**
 * The value of an expression once its variables have values. Throws a RangeError (with the reason)
 * where it is undefined: log of a negative number, a division by zero, 0 to a negative power.
 */
export function evaluateUserExpression(node: UserNode, scope: Readonly<Record<string, Scalar>>): Scalar {
  const value = (n: UserNode): Scalar => {
    switch (n.kind) {
      case 'number': return n.value;
      case 'constant': return CONSTANTS[n.name];
      case 'variable': {
        const v = Object.prototype.hasOwnProperty.call(scope, n.name) ? scope[n.name] : undefined;
        if (v === undefined) throw new Error(`internal error: no value for the variable ${n.name}`);
        return v;
      }
      case 'negate': return neg(value(n.arg));
      case 'call': {
        const a = value(n.arg);
        if (n.fn === 'abs') return abs(a);
        if (n.fn === 'sign') return isExact(a) ? (sign(a) === 0 ? ZERO : sign(a) > 0 ? ONE : ONE.neg()) : Math.sign(a);
        const result = FUNCTIONS[n.fn].value(asDouble(a));
        if (!Number.isFinite(result)) throw new RangeError(`${n.fn}(${asDouble(a)}) is not a finite number`);
        return result;
      }
      case 'binary': {
        const [a, b] = [value(n.left), value(n.right)];
        switch (n.op) {
          case '+': return add(a, b);
          case '-': return sub(a, b);
          case '*': return mul(a, b);
          case '/':
            if (sign(b) === 0) throw new RangeError('a division by zero');
            return finite(div(a, b), () => `${asDouble(a)} / ${asDouble(b)}`);
          case '^': return raise(a, b);
        }
      }
    }
  };
  return value(node);
}

function finite(x: Scalar, what: () => string): Scalar {
  if (!isExact(x) && !Number.isFinite(x)) throw new RangeError(`${what()} is not a finite number`);
  return x;
}

// a^b: exact for an exact base and an integer exponent (powInteger goes on in float64 where the
// digits would pass convgrad's bound), float64 otherwise.
function raise(a: Scalar, b: Scalar): Scalar {
  if (isExact(b) && b.d === 1n && b.abs().compare(1_000_000_000) <= 0) {
    const e = Number(b.s * b.n);
    if (sign(a) === 0 && e < 0) throw new RangeError('0 to a negative power');
    return finite(powInteger(a, e), () => `${asDouble(a)}^${e}`);
  }
  const result = asDouble(a) ** asDouble(b);
  if (!Number.isFinite(result)) throw new RangeError(`${asDouble(a)}^${asDouble(b)} is not a finite real number`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Writing out: LaTeX, and the tree as data for the PyTorch script.

/** How tightly a piece of LaTeX binds: a sum, a negative, a product, a power, or an atom. */
const enum Binding { Sum, Negative, Product, Power, Atom }

/**
 * LaTeX of an expression, its variables written as given ({x: '\\sigma'}, or a value such as
 * '\\frac{13000}{3}' or '(-2)' when numbers are substituted), parenthesized only where needed.
 */
export function userExpressionTex(node: UserNode, names: Readonly<Record<string, string>>): string {
  const wrap = (tex: string) => `\\left(${tex}\\right)`;
  // A piece of LaTeX and how tightly it binds; `at least` parenthesizes a looser one.
  const write = (n: UserNode): [string, Binding] => {
    switch (n.kind) {
      case 'number':
        return [rationalTex(n.value), n.value.s < 0n ? Binding.Negative : Binding.Atom];
      case 'constant': return [n.name === 'pi' ? '\\pi' : 'e', Binding.Atom];
      case 'variable': return [Object.prototype.hasOwnProperty.call(names, n.name) ? names[n.name] : n.name, Binding.Atom];
      case 'negate': return [`-${atLeast(n.arg, Binding.Power)}`, Binding.Negative];
      case 'call': return [FUNCTIONS[n.fn].tex(write(n.arg)[0]), Binding.Atom];
      case 'binary':
        switch (n.op) {
          case '+': return [`${write(n.left)[0]} + ${atLeast(n.right, Binding.Product)}`, Binding.Sum];
          case '-': return [`${write(n.left)[0]} - ${atLeast(n.right, Binding.Product)}`, Binding.Sum];
          case '*': {
            const [left, right] = [atLeast(n.left, Binding.Negative), atLeast(n.right, Binding.Power)];
            // A numeric coefficient stands before a name or function without a dot: 2 x, 3 \exp(…)
            const juxtapose = n.left.kind === 'number' && /^(\\[a-zA-Z]|[a-zA-Z])/.test(right) && !right.startsWith('\\frac');
            // A product led by a minus sign reads as a negative.
            return [juxtapose ? `${left} ${right}` : `${left} \\cdot ${right}`, left.startsWith('-') ? Binding.Negative : Binding.Product];
          }
          case '/': return [`\\frac{${write(n.left)[0]}}{${write(n.right)[0]}}`, Binding.Atom];
          // powerTex puts a base that is not a plain name or number in parentheses.
          case '^': return [powerTex(write(n.left)[0], write(n.right)[0]), Binding.Power];
        }
    }
  };
  const atLeast = (n: UserNode, binding: Binding): string => {
    const [tex, own] = write(n);
    return own < binding ? wrap(tex) : tex;
  };
  return write(node)[0];
}

/**
 * The tree as JSON data for the PyTorch script: ["x"] a variable, [2.5] a number (the nearest
 * double), ["pi"] a constant, ["neg", a], ["+", a, b] …, ["exp", a]. The script evaluates it with
 * a fixed table of torch functions; no text of the user's becomes Python source.
 */
export type TorchTree = [string] | [number] | [string, TorchTree] | [string, TorchTree, TorchTree];

export function torchTree(n: UserNode): TorchTree {
  switch (n.kind) {
    case 'number': return [asDouble(n.value)];
    case 'constant': return [n.name];
    case 'variable': return [n.name];
    case 'negate': return ['neg', torchTree(n.arg)];
    case 'call': return [n.fn, torchTree(n.arg)];
    case 'binary': return [n.op, torchTree(n.left), torchTree(n.right)];
  }
}
