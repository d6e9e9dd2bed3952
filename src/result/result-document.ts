// The result document of the contract (problem-format.md): doubles, and under "exact" the same fields
// as exact rationals written as strings, for every field whose entries are all exact.
import { toDouble, toExactString } from '../numbers/rational.js';
import { isExact, type Scalar } from '../numbers/scalar.js';
import { outputForm } from '../problem/problem.js';
import { toNested, type Nested, type Tensor } from '../tensor/tensor.js';
import type { Solution } from '../trajectory/train.js';

type Field<T> = Nested<T>;

export interface ResultFields<T> {
  forward: { conv?: Field<T>; output?: Field<T>; prediction?: Field<T>; loss?: T };
  grad: { kernel?: Field<T>; bias?: Field<T>; input?: Field<T> };
  updated: { kernel?: Field<T>; bias?: Field<T> };
  trajectory: { step: number; loss?: T; kernel?: Field<T>; bias?: Field<T> }[];
}

export type ResultDocument = ResultFields<number> & { exact: ResultFields<string> };

export function resultDocument(solution: Solution): ResultDocument {
  return { ...resultFields(solution, (x) => (isExact(x) ? toDouble(x) : x)), exact: resultFields(solution, (x) => (isExact(x) ? toExactString(x) : undefined)) };
}

/** Why a result has no double to write: NaN, or beyond float64's range (the command line's and the page's words). */
export function nonFiniteMessage(value: number): string {
  return Number.isNaN(value)
    ? 'is NaN in float64 arithmetic, as in PyTorch (a 0/0 or ∞ − ∞ on the way to it: an optimizer with eps 0 and a zero gradient, or numbers that overflow); a result document has no number to write for it'
    : "beyond float64's range (about ±1.8e308); every result is also written as a double, so the problem's numbers must be smaller";
}

/**
 * The first entry of the document that is no double (a value beyond ±1.8·10³⁰⁸, or a float64
 * computation that overflowed), with its path: forward.conv[0][1].
 */
export function firstNonFinite(document: { readonly forward: unknown; readonly grad: unknown; readonly updated: unknown; readonly trajectory: unknown }): { path: string; value: number } | undefined {
  const search = (value: unknown, path: string): { path: string; value: number } | undefined => {
    if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, value };
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const found = search(value[i], `${path}[${i}]`);
        if (found) return found;
      }
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        const found = search(inner, path === '' ? key : `${path}.${key}`);
        if (found) return found;
      }
    }
    return undefined;
  };
  return search({ forward: document.forward, grad: document.grad, updated: document.updated, trajectory: document.trajectory }, '');
}

/** The document as written: two-space JSON, each matrix row on one line, a final newline; the same bytes for the same problem. */
export function resultJson(solution: Solution): string {
  return `${formatJson(resultDocument(solution), '')}\n`;
}

/**
 * Every field in the shape the problem gave: the kernel as [kh][kw] or 4-D, the input as given, maps
 * as the contract's "Shapes of the prediction", the bias as a number or [C_out]. A field with an entry
 * that `write` cannot write (an inexact value in the exact document) is left out.
 */
function resultFields<T>(solution: Solution, write: (x: Scalar) => T | undefined): ResultFields<T> {
  const { problem, steps } = solution;
  const { first } = solution;
  const last = steps[steps.length - 1];
  const shaped = (t: Tensor<Scalar>, dimensions: number): Field<T> | undefined => {
    const values = t.data.map(write);
    if (values.some((v) => v === undefined)) return undefined;
    return toNested({ shape: t.shape.slice(t.shape.length - dimensions), data: values as T[] });
  };
  const map = (t: Tensor<Scalar>) => shaped(t, outputForm(problem));
  const kernel = (t: Tensor<Scalar>) => shaped(t, problem.kernelForm);
  const bias = (b: readonly Scalar[] | undefined) => (b === undefined ? {} : defined({ bias: shaped({ shape: [b.length], data: b }, problem.bias?.form === 'array' ? 1 : 0) }));
  const scalar = (x: Scalar) => write(x);
  return {
    forward: defined({
      conv: map(first.forward.sigma),
      output: map(first.forward.pooled),
      prediction: problem.head === 'none' ? map(first.forward.prediction) : scalar(first.forward.prediction.data[0]),
      loss: scalar(first.forward.loss),
    }),
    grad: defined({ kernel: kernel(first.gradients.kernel), ...bias(first.gradients.bias), input: shaped(first.gradients.input, problem.inputForm) }),
    updated: defined({ kernel: kernel(last.after.kernel), ...bias(last.after.bias) }),
    trajectory: steps.map((s) => defined({ step: s.step, loss: scalar(s.loss), kernel: kernel(s.after.kernel), ...bias(s.after.bias) })),
  };
}

function defined<O extends object>(object: O): O {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as O;
}

// Objects one key a line; an array of numbers or strings on one line, so that a matrix reads as rows.
export function formatJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((v) => !Array.isArray(v) && (typeof v !== 'object' || v === null))) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const inner = indent + '  ';
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

