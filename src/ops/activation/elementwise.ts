// What an elementwise activation a = f(σ) is: one file a function in this folder, listed in
// activations.ts. Each gives its value and local derivative (with PyTorch's side at a kink), its
// TeX, its PyTorch and TF.js expressions, and how a problem file writes it.
import type * as TF from '@tensorflow/tfjs';
import type { Scalar } from '../../numbers/scalar.js';
import type { Rational } from '../../numbers/rational.js';
import type { Activation } from '../../problem/problem.js';

/** The problem file's fields an activation may read besides its name (the flat form's negative_slope). */
export interface ActivationFields {
  readonly negative_slope: Rational;
}

export interface ElementwiseActivation<F extends Activation = Activation> {
  /** The name a problem file gives it: "relu". */
  readonly type: string;
  /** The activation with its settings, from the problem file's fields. */
  read(fields: ActivationFields): F;
  /** f(x) */
  value(f: F, x: Scalar): Scalar;
  /** f'(x), given x and a = f(x). */
  slope(f: F, x: Scalar, a: Scalar): Scalar;
  /**
   * Where f has a kink (the derivative from the left differs from the right's), whether x is on it,
   * and the left side's derivative in TeX: PyTorch takes the left there. A piecewise f's maps say it
   * all; the derivation shows an example entry only for a smooth one.
   */
  readonly kink?: { at(f: F, x: Scalar): boolean; leftTex(f: F): string };
  /** f is 0 only where f' is 0 (relu): tied zeros in a max-pool window route 0 whichever wins. */
  readonly flatAtZero?: boolean;
  /** f(x) in TeX, x already TeX. */
  tex(f: F, x: string): string;
  /** f'(x) in TeX, written with a = f(x) where that is how PyTorch computes it. */
  slopeTex(f: F, x: string, a: string): string;
  /** The PyTorch expression in `sigma` (fixed code: the settings are read from P), and the settings it reads. */
  torch(f: F): { readonly code: string; readonly settings: Readonly<Record<string, unknown>> };
  /** TF.js's ops on σ, or undefined where TF.js has none (the words say why). */
  tfjs(f: F): ((tf: typeof TF, sigma: TF.Tensor4D) => TF.Tensor4D) | string;
  /** How a problem file writes it: the activation field, and the fields beside it (negative_slope). */
  problemFields(f: F, write: (r: Rational) => string | number): Readonly<Record<string, unknown>>;
  /** The work of one evaluation, in units of a rational operation (an expression's cost). */
  cost?(f: F): number;
}
