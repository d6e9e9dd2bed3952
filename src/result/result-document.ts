// The result document of the contract (problem-format.md): doubles, and the same fields as exact strings.
import { toDouble, toExactString, type Rational } from '../numbers/rational.js';
import { toRows, type Grid } from '../model/grid.js';
import type { Solution } from '../trajectory/train.js';

type Tensor<T> = T | T[][] | T[];

export interface ResultFields<T> {
  forward: { conv: Tensor<T>; output: Tensor<T>; prediction: Tensor<T>; loss: T };
  grad: { kernel: Tensor<T>; bias?: Tensor<T>; input: Tensor<T> };
  updated: { kernel: Tensor<T>; bias?: Tensor<T> };
  trajectory: { step: number; loss: T; kernel: Tensor<T>; bias?: Tensor<T> }[];
}

export type ResultDocument = ResultFields<number> & { exact: ResultFields<string> };

export function resultDocument(solution: Solution): ResultDocument {
  return { ...resultFields(solution, toDouble), exact: resultFields(solution, toExactString) };
}

/** The document as written: two-space JSON, each matrix row on one line, a final newline; the same bytes for the same problem. */
export function resultJson(solution: Solution): string {
  return `${formatJson(resultDocument(solution), '')}\n`;
}

// Objects one key a line; an array of numbers or strings on one line, so that a matrix reads as rows.
function formatJson(value: unknown, indent: string): string {
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

function resultFields<T>(solution: Solution, write: (r: Rational) => T): ResultFields<T> {
  const { problem, steps } = solution;
  const first = steps[0];
  const last = steps[steps.length - 1];
  const grid = (g: Grid<Rational>) => toRows(g).map((row) => row.map(write));
  // The bias keeps the form the problem gave it: a number, or [C_out].
  const bias = (b: Rational | undefined) => (b === undefined ? {} : { bias: problem.bias?.form === 'array' ? [write(b)] : write(b) });
  const conv = grid(first.forward.sigma);
  return {
    forward: { conv, output: conv, prediction: write(first.forward.prediction), loss: write(first.forward.loss) },
    grad: { kernel: grid(first.gradients.kernel), ...bias(first.gradients.bias), input: grid(first.gradients.input.gradient) },
    updated: { kernel: grid(last.after.kernel), ...bias(last.after.bias) },
    trajectory: steps.map((s) => ({ step: s.step, loss: write(s.forward.loss), kernel: grid(s.after.kernel), ...bias(s.after.bias) })),
  };
}
