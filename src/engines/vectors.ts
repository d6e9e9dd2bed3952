// `convgrad vectors`: test vectors for someone's own engine. Every intermediate tensor of the first
// step (and the parameters after every step), as JSON with exact rational strings beside the doubles,
// and as .npy files (float64) that numpy.load reads. Maps are [N][C][H][W], kernels
// [C_out][C_in/groups][kh][kw], whatever form the problem wrote them in.
import { toExactString, type Rational } from '../numbers/rational.js';
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';
import type { Problem } from '../problem/problem.js';
import { toNested, type Tensor } from '../model/tensor.js';
import type { Solution } from '../trajectory/train.js';
import { npy } from './npy.js';

export interface VectorFile {
  readonly name: string;
  readonly contents: string | Buffer;
}

/** The tensors, by the name each file takes, in the order of the data flow. */
export function vectorTensors(solution: Solution): [string, Tensor<Scalar>][] {
  const { problem, steps } = solution;
  const { first } = solution;
  const last = steps[steps.length - 1];
  const vector = (values: readonly Scalar[]): Tensor<Scalar> => ({ shape: [values.length], data: values });
  const scalar = (x: Scalar): Tensor<Scalar> => ({ shape: [], data: [x] });
  const { forward: f, gradients: g } = first;
  return [
    ['input', problem.input],
    ['kernel', problem.kernel],
    ...(problem.bias ? [['bias', vector(problem.bias.values)] as [string, Tensor<Scalar>]] : []),
    ['target', problem.target],
    ['padded_input', f.padded],
    ['conv', f.sigma],
    ['activation', f.activated],
    ['activation_slope', g.activationSlope],
    ['pooled', f.pooled],
    ['prediction', f.prediction],
    ['element_loss', f.elementLosses],
    ['loss', scalar(f.loss)],
    ['grad_prediction', g.prediction],
    ['grad_pooled', g.pooled],
    ['grad_activation', g.activated],
    ['delta', g.delta],
    ['grad_kernel', g.kernel],
    ...(g.bias ? [['grad_bias', vector(g.bias)] as [string, Tensor<Scalar>]] : []),
    ['grad_padded_input', g.paddedInput],
    ['grad_input', g.input],
    ['updated_kernel', last.after.kernel],
    ...(last.after.bias ? [['updated_bias', vector(last.after.bias)] as [string, Tensor<Scalar>]] : []),
    ['trajectory_loss', vector(steps.map((s) => s.loss))],
  ];
}

const DESCRIPTIONS: Record<string, string> = {
  input: 'X', kernel: 'K', bias: 'b', target: 'T (or the target map)', padded_input: 'X̃, the input inside its padding', conv: 'σ = conv(X̃, K) + b',
  activation: 'a = f(σ)', activation_slope: "f'(σ)", pooled: 'p = pool(a)', prediction: 'S (head sum/mean) or the map y (head none)',
  element_loss: 'l(y, t) for every prediction entry', loss: 'L', grad_prediction: '∂L/∂y', grad_pooled: '∂L/∂p', grad_activation: '∂L/∂a',
  delta: 'δ = ∂L/∂σ', grad_kernel: '∂L/∂K', grad_bias: '∂L/∂b', grad_padded_input: '∂L/∂X̃', grad_input: '∂L/∂X',
  updated_kernel: 'K after every step', updated_bias: 'b after every step', trajectory_loss: 'L before each step',
};

export function vectorFiles(solution: Solution, version: string): VectorFile[] {
  const tensors = vectorTensors(solution);
  const document = {
    convgrad: version,
    layout: 'maps [N][C][H][W]; kernels [C_out][C_in/groups][kh][kw]; row-major (C order); .npy files float64',
    tensors: Object.fromEntries(
      tensors.map(([name, t]) => [
        name,
        {
          meaning: DESCRIPTIONS[name],
          shape: t.shape,
          values: toNested({ shape: t.shape, data: t.data.map(asDouble) }),
          ...(t.data.every(isExact) ? { exact: toNested({ shape: t.shape, data: t.data.map((x) => toExactString(x as Rational)) }) } : {}),
        },
      ]),
    ),
  };
  return [
    { name: 'problem.json', contents: `${JSON.stringify(normalizedProblem(solution.problem), null, 2)}\n` },
    { name: 'vectors.json', contents: `${JSON.stringify(document, null, 2)}\n` },
    ...tensors.map(([name, t]) => ({ name: `${name}.npy`, contents: npy(t.shape, t.data.map(asDouble)) })),
  ];
}

/** The problem with every default written out and every number as an exact string: a valid problem file itself. */
export function normalizedProblem(problem: Problem): Record<string, unknown> {
  const exact = (t: Tensor<Parameters<typeof toExactString>[0]>, dimensions: number) => toNested({ shape: t.shape.slice(t.shape.length - dimensions), data: t.data.map(toExactString) });
  const o = problem.optimizer;
  const settings = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v.map(toExactString) : typeof v === 'object' ? toExactString(v) : v]));
  const f = problem.activation;
  const l = problem.loss;
  const mapDimensions = problem.target.shape.length === 0 ? 0 : problem.inputForm === 2 ? (problem.kernel.shape[0] === 1 ? 2 : 3) : problem.inputForm;
  return {
    ...(problem.title === undefined ? {} : { title: problem.title }),
    input: exact(problem.input, problem.inputForm),
    kernel: exact(problem.kernel, problem.kernelForm),
    ...(problem.bias ? { bias: problem.bias.form === 'array' ? problem.bias.values.map(toExactString) : toExactString(problem.bias.values[0]) } : {}),
    stride: problem.stride,
    padding: problem.paddingSpec === 'explicit' ? [problem.padding.top, problem.padding.left] : problem.paddingSpec,
    padding_mode: problem.paddingMode,
    dilation: problem.dilation,
    groups: problem.groups,
    activation: f.type === 'expression' ? { expression: f.expression.source } : f.type,
    ...(f.type === 'leaky_relu' ? { negative_slope: toExactString(f.slope) } : {}),
    ...(problem.pool ? { pool: problem.pool } : {}),
    head: problem.head,
    loss: l.type === 'expression' ? { expression: l.expression.source } : l.type,
    ...(l.type === 'smooth_l1' ? { beta: toExactString(l.beta) } : {}),
    ...(l.type === 'huber' ? { delta: toExactString(l.delta) } : {}),
    reduction: problem.reduction,
    target: exact(problem.target, mapDimensions),
    optimizer: settings,
    steps: problem.steps,
  };
}

