// `convgrad vectors`: test vectors for someone's own engine. Every intermediate tensor of the first
// step, and for every step its loss, gradients, optimizer state and parameters, as JSON with exact
// rational strings beside the doubles, and as .npy files (float64) that numpy.load reads. Maps are
// [N][C][H][W], kernels [C_out][C_in/groups][kh][kw], whatever form the problem wrote them in.
import { activationRules } from '../ops/activation/activations.js';
import { toExactString, type Rational } from '../numbers/rational.js';
import { asDouble, exact, isExact, type Scalar } from '../numbers/scalar.js';
import type { Problem } from '../problem/problem.js';
import { toNested, type Tensor } from '../tensor/tensor.js';
import type { Solution } from '../trajectory/train.js';
import { npy } from './npy.js';

export interface VectorFile {
  readonly name: string;
  readonly contents: string | Buffer;
}

/** A tensor by the name its file takes, with what it means. */
export type Described = [name: string, tensor: Tensor<Scalar>, meaning: string];

/**
 * The tensors, in the order of the data flow: the first step's every intermediate tensor, then each
 * step's loss, gradients, torch.optim state (PyTorch's names, per parameter: momentum_buffer, exp_avg,
 * exp_avg_sq, max_exp_avg_sq, square_avg, grad_avg, step) and parameters after it, then the
 * parameters after the last step.
 */
export function vectorTensors(solution: Solution): Described[] {
  const { problem, steps } = solution;
  const { first } = solution;
  const last = steps[steps.length - 1];
  const vector = (values: readonly Scalar[]): Tensor<Scalar> => ({ shape: [values.length], data: values });
  const scalar = (x: Scalar): Tensor<Scalar> => ({ shape: [], data: [x] });
  const { forward: f, gradients: g } = first;
  const tensors: Described[] = [
    ['input', problem.input, 'X'],
    ['kernel', problem.kernel, 'K'],
    ...(problem.bias ? [['bias', vector(problem.bias.values), 'b'] as Described] : []),
    ['target', problem.target, 'T (or the target map)'],
    ['padded_input', f.padded, 'X̃, the input inside its padding'],
    ['conv', f.sigma, 'σ = conv(X̃, K) + b'],
    ['activation', f.activated, 'a = f(σ)'],
    ['activation_slope', g.activationSlope, "f'(σ)"],
    ['pooled', f.pooled, 'p = pool(a)'],
    ['prediction', f.prediction, 'S (head sum/mean) or the map y (head none)'],
    ['element_loss', f.elementLosses, 'l(y, t) for every prediction entry'],
    ['loss', scalar(f.loss), 'L'],
    ['grad_prediction', g.prediction, '∂L/∂y'],
    ['grad_pooled', g.pooled, '∂L/∂p'],
    ['grad_activation', g.activated, '∂L/∂a'],
    ['delta', g.delta, 'δ = ∂L/∂σ'],
    ['grad_kernel', g.kernel, '∂L/∂K'],
    ...(g.bias ? [['grad_bias', vector(g.bias), '∂L/∂b'] as Described] : []),
    ['grad_padded_input', g.paddedInput, '∂L/∂X̃'],
    ['grad_input', g.input, '∂L/∂X'],
  ];
  // The optimizer's state is kept over the flat parameter list: the kernel's entries, then the bias's.
  const kernelSize = problem.kernel.data.length;
  const parameters: [name: 'kernel' | 'bias', shape: readonly number[], share: (values: readonly Scalar[]) => readonly Scalar[]][] = [
    ['kernel', problem.kernel.shape, (values) => values.slice(0, kernelSize)],
    ...(problem.bias ? [['bias', [problem.bias.values.length], (values: readonly Scalar[]) => values.slice(kernelSize)] as (typeof parameters)[number]] : []),
  ];
  // torch.optim counts steps in the state of Adam, AdamW and RMSprop (a float tensor), not in SGD's.
  const counted = problem.optimizer.type !== 'sgd';
  for (const step of steps) {
    const t = step.step;
    tensors.push([`step${t}_loss`, scalar(step.loss), `L at step ${t}, before its update`]);
    tensors.push([`step${t}_grad_kernel`, step.gradients.kernel, `∂L/∂K at step ${t}`]);
    if (step.gradients.bias) tensors.push([`step${t}_grad_bias`, vector(step.gradients.bias), `∂L/∂b at step ${t}`]);
    for (const [name, shape, share] of parameters) {
      for (const [key, values] of Object.entries(step.state)) tensors.push([`step${t}_${name}_${key}`, { shape, data: share(values) }, `torch.optim's state["${key}"] of the ${name} after step ${t}`]);
      if (counted) tensors.push([`step${t}_${name}_step`, scalar(exact(t)), `torch.optim's state["step"] of the ${name} after step ${t}`]);
    }
    tensors.push([`step${t}_kernel`, step.after.kernel, `K after step ${t}`]);
    if (step.after.bias) tensors.push([`step${t}_bias`, vector(step.after.bias), `b after step ${t}`]);
  }
  tensors.push(['updated_kernel', last.after.kernel, 'K after every step']);
  if (last.after.bias) tensors.push(['updated_bias', vector(last.after.bias), 'b after every step']);
  tensors.push(['trajectory_loss', vector(steps.map((s) => s.loss)), 'L before each step']);
  return tensors;
}

export function vectorFiles(solution: Solution, version: string): VectorFile[] {
  return describedFiles(normalizedProblem(solution.problem), vectorTensors(solution), version);
}

/** problem.json, vectors.json (every tensor with its meaning, shape, doubles and exact strings where all are exact) and a .npy file a tensor. */
export function describedFiles(problem: Record<string, unknown>, tensors: readonly Described[], version: string, layout = 'maps [N][C][H][W]; kernels [C_out][C_in/groups][kh][kw]; row-major (C order); .npy files float64'): VectorFile[] {
  const document = {
    convgrad: version,
    layout,
    tensors: Object.fromEntries(
      tensors.map(([name, t, meaning]) => [
        name,
        {
          meaning,
          shape: t.shape,
          values: toNested({ shape: t.shape, data: t.data.map(asDouble) }),
          ...(t.data.every(isExact) ? { exact: toNested({ shape: t.shape, data: t.data.map((x) => toExactString(x as Rational)) }) } : {}),
        },
      ]),
    ),
  };
  return [
    { name: 'problem.json', contents: `${JSON.stringify(problem, null, 2)}\n` },
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
    ...activationRules(f).problemFields(f, toExactString),
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

