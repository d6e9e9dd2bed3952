// torch.optim's update rules, step by step, on the parameters as one flat list (the kernel's entries,
// then the bias's). Each step returns the new parameters, the optimizer's state, and every
// intermediate quantity by name, for the derivation to show. SGD stays exact; Adam and RMSprop take
// square roots, so their updates are float64.
import { add, asDouble, compare, div, mul, ONE, powInteger, sub, ZERO, type Scalar } from '../numbers/scalar.js';
import type { Optimizer } from '../problem/problem.js';

/** Per-entry buffers, named as in torch.optim: momentum_buffer, exp_avg, exp_avg_sq, max_exp_avg_sq, square_avg, grad_avg. */
export type OptimizerState = Readonly<Record<string, readonly Scalar[]>>;

/** Every quantity of one step, entry by entry, by name (g: the gradient after weight decay, update: what is subtracted). */
export type StepRecord = Readonly<Record<string, readonly Scalar[]>>;

export interface OptimizerStep {
  readonly parameters: readonly Scalar[];
  readonly state: OptimizerState;
  readonly record: StepRecord;
}

/** One update at step t = 1, 2, …, from the parameters θ, their gradients ∇ and the state after step t − 1. */
export function optimizerStep(optimizer: Optimizer, t: number, theta: readonly Scalar[], gradient: readonly Scalar[], state: OptimizerState): OptimizerStep {
  switch (optimizer.type) {
    case 'sgd':
      return sgd(optimizer, t, theta, gradient, state);
    case 'adam':
    case 'adamw':
      return adam(optimizer, t, theta, gradient, state);
    case 'rmsprop':
      return rmsprop(optimizer, theta, gradient, state);
  }
}

const zip = <T>(a: readonly T[], f: (x: T, k: number) => Scalar) => a.map(f);

// g = ∇ + λθ
// b = g on the first step, μ·b + (1 − τ)·g after it        (PyTorch's buffer: lr stays outside it)
// d = g + μ·b (Nesterov) or b (μ ≠ 0) or g (μ = 0)
// θ' = θ − η·d
function sgd(o: Extract<Optimizer, { type: 'sgd' }>, t: number, theta: readonly Scalar[], gradient: readonly Scalar[], state: OptimizerState): OptimizerStep {
  const g = zip(gradient, (d, k) => add(d, mul(o.weight_decay, theta[k])));
  const record: Record<string, Scalar[]> = { g };
  let direction = g;
  let next: OptimizerState = {};
  if (compare(o.momentum, ZERO) !== 0) {
    const previous = state.momentum_buffer;
    const buffer = t === 1 || !previous ? g : zip(g, (gk, k) => add(mul(o.momentum, previous[k]), mul(sub(ONE, o.dampening), gk)));
    direction = o.nesterov ? zip(g, (gk, k) => add(gk, mul(o.momentum, buffer[k]))) : buffer;
    record.momentum_buffer = buffer;
    next = { momentum_buffer: buffer };
  }
  record.direction = direction;
  const update = direction.map((d) => mul(o.lr, d));
  record.update = update;
  const parameters = zip(theta, (p, k) => sub(p, update[k]));
  return { parameters, state: next, record: { ...record, parameters } };
}

// AdamW first: θ ← θ(1 − ηλ). Adam: g = ∇ + λθ (AdamW: g = ∇)
// m = β₁m + (1 − β₁)g,  v = β₂v + (1 − β₂)g²,  v_max = max(v_max, v) with amsgrad
// m̂ = m / (1 − β₁ᵗ),  denominator = √v / √(1 − β₂ᵗ) + ε   (ε after the root, as PyTorch)
// θ' = θ − η·m̂ / denominator
function adam(o: Extract<Optimizer, { type: 'adam' | 'adamw' }>, t: number, theta: readonly Scalar[], gradient: readonly Scalar[], state: OptimizerState): OptimizerStep {
  const [b1, b2] = o.betas;
  const decayed = o.type === 'adamw' ? theta.map((p) => mul(p, sub(ONE, mul(o.lr, o.weight_decay)))) : theta;
  const g = o.type === 'adam' ? zip(gradient, (d, k) => add(d, mul(o.weight_decay, theta[k]))) : gradient;
  const m0 = state.exp_avg ?? theta.map(() => ZERO);
  const v0 = state.exp_avg_sq ?? theta.map(() => ZERO);
  const m = zip(g, (gk, k) => add(mul(b1, m0[k]), mul(sub(ONE, b1), gk)));
  const v = zip(g, (gk, k) => add(mul(b2, v0[k]), mul(sub(ONE, b2), mul(gk, gk))));
  const vmax = o.amsgrad ? zip(v, (vk, k) => (state.max_exp_avg_sq && compare(state.max_exp_avg_sq[k], vk) > 0 ? state.max_exp_avg_sq[k] : vk)) : undefined;
  const correction1 = sub(ONE, powInteger(b1, t));
  const correction2 = sub(ONE, powInteger(b2, t));
  const mHat = m.map((mk) => div(mk, correction1));
  const root = Math.sqrt(asDouble(correction2));
  const denominator = (vmax ?? v).map((vk) => Math.sqrt(asDouble(vk)) / root + asDouble(o.eps));
  // η·m̂/denominator: exactly 0 where m̂ is 0 and the denominator is not; 0/0 (eps = 0 and a zero
  // gradient) is NaN, as in PyTorch, and the problem is then refused for its NaN.
  const update = zip(mHat, (mk, k) => (compare(mk, ZERO) === 0 && denominator[k] !== 0 ? ZERO : (asDouble(o.lr) * asDouble(mk)) / (denominator[k] as number)));
  const parameters = zip(decayed, (p, k) => sub(p, update[k]));
  const next: Record<string, readonly Scalar[]> = { exp_avg: m, exp_avg_sq: v, ...(vmax ? { max_exp_avg_sq: vmax } : {}) };
  return { parameters, state: next, record: { ...(o.type === 'adamw' ? { decayed } : {}), g, exp_avg: m, exp_avg_sq: v, ...(vmax ? { max_exp_avg_sq: vmax } : {}), m_hat: mHat, denominator, update, parameters } };
}

// g = ∇ + λθ,  s = αs + (1 − α)g²,  centered: ḡ = αḡ + (1 − α)g and s̃ = s − ḡ², else s̃ = s
// denominator = √s̃ + ε;  with momentum μ: b = μb + g/denominator and θ' = θ − ηb; else θ' = θ − η·g/denominator
function rmsprop(o: Extract<Optimizer, { type: 'rmsprop' }>, theta: readonly Scalar[], gradient: readonly Scalar[], state: OptimizerState): OptimizerStep {
  const g = zip(gradient, (d, k) => add(d, mul(o.weight_decay, theta[k])));
  const s0 = state.square_avg ?? theta.map(() => ZERO);
  const s = zip(g, (gk, k) => add(mul(o.alpha, s0[k]), mul(sub(ONE, o.alpha), mul(gk, gk))));
  const record: Record<string, readonly Scalar[]> = { g, square_avg: s };
  const next: Record<string, readonly Scalar[]> = { square_avg: s };
  let centeredAvg: readonly Scalar[] | undefined;
  if (o.centered) {
    const a0 = state.grad_avg ?? theta.map(() => ZERO);
    centeredAvg = zip(g, (gk, k) => add(mul(o.alpha, a0[k]), mul(sub(ONE, o.alpha), gk)));
    record.grad_avg = centeredAvg;
    next.grad_avg = centeredAvg;
  }
  const variance = centeredAvg ? zip(s, (sk, k) => sub(sk, mul(centeredAvg![k], centeredAvg![k]))) : s;
  const denominator = variance.map((x) => Math.sqrt(asDouble(x)) + asDouble(o.eps));
  record.denominator = denominator;
  let update: Scalar[];
  if (compare(o.momentum, ZERO) > 0) {
    const b0 = state.momentum_buffer ?? theta.map(() => ZERO);
    const buffer = zip(g, (gk, k) => asDouble(mul(o.momentum, b0[k])) + asDouble(gk) / (denominator[k] as number));
    record.momentum_buffer = buffer;
    next.momentum_buffer = buffer;
    update = buffer.map((b) => mul(o.lr, b));
  } else {
    update = zip(g, (gk, k) => (asDouble(o.lr) * asDouble(gk)) / (denominator[k] as number));
  }
  const parameters = zip(theta, (p, k) => sub(p, update[k]));
  return { parameters, state: next, record: { ...record, update, parameters } };
}
