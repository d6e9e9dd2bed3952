// The normalized problem: every default filled in, every number exact. The only shape the rest of convgrad reads.
import type { Rational } from '../numbers/rational.js';
import type { Grid } from '../model/grid.js';

export type Pair = readonly [number, number];

/** Zero padding on each side, in input cells. */
export interface Padding {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** How the problem wrote its padding, kept for the derivation's text. */
export type PaddingSpec = { readonly kind: 'explicit' } | { readonly kind: 'valid' } | { readonly kind: 'same' };

export type Head = 'sum' | 'mean';
export type Reduction = 'mean' | 'sum';

export interface SgdOptimizer {
  readonly type: 'sgd';
  readonly lr: Rational;
}

export interface Problem {
  readonly title?: string;
  readonly input: Grid<Rational>;
  readonly kernel: Grid<Rational>;
  /** The bias, and whether the problem wrote it as a number or as [C_out]: the result keeps that form. */
  readonly bias?: { readonly value: Rational; readonly form: 'number' | 'array' };
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
  readonly paddingSpec: PaddingSpec;
  readonly head: Head;
  readonly loss: { readonly type: 'mse' };
  readonly reduction: Reduction;
  readonly target: Rational;
  readonly optimizer: SgdOptimizer;
  readonly steps: number;
}

/** A problem that could not be read: one entry a field, each "path: message". */
export interface Diagnostic {
  readonly path: string;
  readonly message: string;
}

export type ParseResult = { readonly ok: true; readonly problem: Problem } | { readonly ok: false; readonly errors: readonly Diagnostic[] };

export function formatDiagnostic(d: Diagnostic): string {
  return d.path === '' ? d.message : `${d.path}: ${d.message}`;
}
