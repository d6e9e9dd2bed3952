// The normalized problem: every default filled in, every number exact, every tensor 4-D. The only
// shape the rest of convgrad reads; the forms the problem wrote its tensors in are kept for output.
import type { Rational } from '../numbers/rational.js';
import type { Tensor } from '../tensor/tensor.js';
import type { UserExpression } from '../expr/user-expression.js';

export type Pair = readonly [number, number];

/** Padding on each side, in input cells. */
export interface Padding {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** How the problem wrote its padding, kept for the derivation's text. */
export type PaddingSpec = 'explicit' | 'valid' | 'same';
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** How many dimensions the problem gave: input [H][W] | [C][H][W] | [N][C][H][W]; kernel [kh][kw] | [C_out][C_in/g][kh][kw]. */
export type InputForm = 2 | 3 | 4;
export type KernelForm = 2 | 4;

/**
 * An elementwise activation by its name, with its settings (leaky_relu's slope, an expression's
 * tree): src/ops/activation gives each its rules, and only those rules read its settings (each rule's own type names them).
 */
export interface Activation {
  readonly type: string;
}

export interface Pool {
  readonly type: 'max' | 'avg';
  readonly size: Pair;
  readonly stride: Pair;
}

export type Head = 'sum' | 'mean' | 'none';
export type Reduction = 'mean' | 'sum';

export type Loss =
  | { readonly type: 'mse' }
  | { readonly type: 'l1' }
  | { readonly type: 'smooth_l1'; readonly beta: Rational }
  | { readonly type: 'huber'; readonly delta: Rational }
  | { readonly type: 'bce' }
  | { readonly type: 'expression'; readonly expression: UserExpression };

/**
 * A torch.optim optimizer by its name, with every setting (defaults filled in) under torch.optim's
 * name for it: src/optim gives each its rules, and only those rules read its other settings (each
 * rule's own type names them).
 */
export interface Optimizer {
  readonly type: string;
  readonly lr: Rational;
  readonly weight_decay: Rational;
}

export interface Problem {
  readonly title?: string;
  /** [N][C_in][H][W] */
  readonly input: Tensor<Rational>;
  readonly inputForm: InputForm;
  /** [C_out][C_in/groups][kh][kw] */
  readonly kernel: Tensor<Rational>;
  readonly kernelForm: KernelForm;
  /** One entry per output channel, and whether the problem wrote it as a number or as [C_out]. */
  readonly bias?: { readonly values: readonly Rational[]; readonly form: 'number' | 'array' };
  readonly groups: number;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
  readonly paddingSpec: PaddingSpec;
  readonly paddingMode: PaddingMode;
  readonly activation: Activation;
  readonly pool?: Pool;
  readonly head: Head;
  readonly loss: Loss;
  readonly reduction: Reduction;
  /** Shape [] for head sum/mean; the prediction's 4-D shape for head none. */
  readonly target: Tensor<Rational>;
  readonly optimizer: Optimizer;
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

/** The number of dimensions of the prediction map as the result document writes it (contract: "Shapes of the prediction"). */
export function outputForm(problem: Pick<Problem, 'inputForm' | 'kernel'>): InputForm {
  if (problem.inputForm === 2) return problem.kernel.shape[0] === 1 ? 2 : 3;
  return problem.inputForm;
}
