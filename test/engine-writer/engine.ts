// A conv layer engine as an engine writer would write one, to test convgrad as its oracle: plain
// float64 loops, written from PyTorch's documentation and nothing of convgrad's model. It reads a
// problem file as `convgrad cases` writes it (every default written out, numbers as exact strings)
// and writes the result document and its intermediate tensors. ∂L/∂X is computed the textbook way,
// as a full convolution of δ (spread by the stride) with the kernel turned by 180°, so that three
// classic bugs can be switched on:
//   unrotatedKernel   the kernel is not turned by 180° for ∂L/∂X
//   strideOffByOne    δ is spread with `stride` zeros between neighbours instead of stride − 1
//   meanCount         a mean (head "mean", reduction "mean") divides by one map plane's entries, H'·W',
//                     instead of all N·C_out·H'·W'
import { compile, derivative, erf, type EvalFunction } from 'mathjs';

export interface Bugs {
  readonly unrotatedKernel?: boolean;
  readonly strideOffByOne?: boolean;
  readonly meanCount?: boolean;
}

type Json = number | string | boolean | Json[] | { [key: string]: Json };
type Problem = { [key: string]: Json };
type Nested = number | Nested[];

/** A 4-D array [a][b][c][d], flat. */
class T4 {
  readonly data: Float64Array;
  constructor(readonly shape: [number, number, number, number], data?: ArrayLike<number>) {
    this.data = data ? Float64Array.from(data) : new Float64Array(shape[0] * shape[1] * shape[2] * shape[3]);
  }
  at(a: number, b: number, c: number, d: number): number {
    return ((a * this.shape[1] + b) * this.shape[2] + c) * this.shape[3] + d;
  }
}

const number = (v: Json): number => {
  if (typeof v === 'number') return v;
  const [p, q] = String(v).split('/');
  return q === undefined ? Number(p) : Number(p) / Number(q);
};
const pair = (v: Json): [number, number] => (Array.isArray(v) ? [number(v[0]), number(v[1])] : [number(v), number(v)]);
const flatten = (v: Json): number[] => (Array.isArray(v) ? v.flatMap(flatten) : [number(v)]);
const depth = (v: Json): number => (Array.isArray(v) ? 1 + depth(v[0]) : 0);

/** A flat array as nested lists of the last `dims` axes of a shape. */
function nest(data: ArrayLike<number>, shape: readonly number[], dims: number): Nested {
  const kept = shape.slice(shape.length - dims);
  const build = (d: number, start: number): Nested => {
    if (d === kept.length) return data[start];
    const stride = kept.slice(d + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: kept[d] }, (_, i) => build(d + 1, start + i * stride));
  };
  return build(0, 0);
}

// The index of the input a padded index shows, along one axis; -1 for a zero.
function source(mode: string, before: number, size: number, r: number): number {
  const i = r - before;
  if (i >= 0 && i < size) return i;
  if (mode === 'zeros') return -1;
  if (mode === 'reflect') return i < 0 ? -i : 2 * (size - 1) - i;
  if (mode === 'replicate') return Math.min(Math.max(i, 0), size - 1);
  return ((i % size) + size) % size;
}

export interface EngineOutput {
  readonly result: { [key: string]: unknown };
  /** Intermediate tensors of the first step, by the names convgrad vectors gives them. */
  readonly stages: Map<string, { shape: number[]; data: number[] }>;
}

export function runEngine(problem: Problem, bugs: Bugs = {}): EngineOutput {
  const inputDims = depth(problem.input);
  const kernelDims = depth(problem.kernel);
  const x0 = flatten(problem.input);
  const kShape = (kernelDims === 2 ? [1, 1, (problem.kernel as Json[]).length, ((problem.kernel as Json[][])[0]).length] : [0, 1, 2, 3].map((d) => {
    let v: Json = problem.kernel;
    for (let k = 0; k < d; k++) v = (v as Json[])[0];
    return (v as Json[]).length;
  })) as [number, number, number, number];
  const xShapeGiven: number[] = [];
  for (let v: Json = problem.input; Array.isArray(v); v = v[0]) xShapeGiven.push(v.length);
  const xShape = [...new Array(4 - inputDims).fill(1), ...xShapeGiven] as [number, number, number, number];
  const X = new T4(xShape, x0);
  let K = new T4(kShape, flatten(problem.kernel));
  const biasGiven = problem.bias;
  let b = biasGiven === undefined ? undefined : Float64Array.from(flatten(biasGiven));
  const [N, C, H, W] = xShape;
  const [Co, Cg, kh, kw] = kShape;
  const groups = number(problem.groups);
  const [sh, sw] = pair(problem.stride);
  const [dh, dw] = pair(problem.dilation);
  const mode = String(problem.padding_mode);
  let [top, bottom, left, right] = [0, 0, 0, 0];
  if (problem.padding === 'same') {
    const [th, tw] = [dh * (kh - 1), dw * (kw - 1)];
    [top, bottom, left, right] = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  } else if (problem.padding !== 'valid') {
    const [ph, pw] = pair(problem.padding);
    [top, bottom, left, right] = [ph, ph, pw, pw];
  }
  const [Hp, Wp] = [H + top + bottom, W + left + right];
  const [Ho, Wo] = [Math.floor((Hp - dh * (kh - 1) - 1) / sh) + 1, Math.floor((Wp - dw * (kw - 1) - 1) / sw) + 1];
  const outDims = inputDims === 2 ? (Co === 1 ? 2 : 3) : inputDims;
  const group = (o: number) => Math.floor(o / (Co / groups)) * Cg;

  // X̃: the input inside its padding
  const padded = new T4([N, C, Hp, Wp]);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let r = 0; r < Hp; r++)
        for (let s = 0; s < Wp; s++) {
          const [i, j] = [source(mode, top, H, r), source(mode, left, W, s)];
          if (i >= 0 && j >= 0) padded.data[padded.at(n, c, r, s)] = X.data[X.at(n, c, i, j)];
        }

  const activation = problem.activation;
  const slope = problem.negative_slope === undefined ? 0.01 : number(problem.negative_slope);
  const expression = typeof activation === 'object' && !Array.isArray(activation) ? String(activation.expression) : undefined;
  const [f, df] = expression ? [compile(expression), derivative(expression, 'x').compile()] : [undefined, undefined];
  const act = (x: number): [number, number] => {
    switch (activation) {
      case 'relu': return [Math.max(0, x), x > 0 ? 1 : 0];
      case 'leaky_relu': return [x > 0 ? x : slope * x, x > 0 ? 1 : slope];
      case 'sigmoid': { const y = 1 / (1 + Math.exp(-x)); return [y, y * (1 - y)]; }
      case 'tanh': { const y = Math.tanh(x); return [y, 1 - y * y]; }
      // PyTorch's exact GELU: x·Φ(x), and its slope Φ(x) + x·φ(x)
      case 'gelu': { const cdf = 0.5 * (1 + erf(x / Math.SQRT2)); return [x * cdf, cdf + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI)]; }
      case 'none': return [x, 1];
      default: return [f!.evaluate({ x }) as number, df!.evaluate({ x }) as number];
    }
  };
  const loss = problem.loss;
  const lossExpression = typeof loss === 'object' && !Array.isArray(loss) ? String(loss.expression) : undefined;
  const [l, dl]: [EvalFunction | undefined, EvalFunction | undefined] = lossExpression ? [compile(lossExpression), derivative(lossExpression, 'y').compile()] : [undefined, undefined];
  const beta = problem.beta === undefined ? 1 : number(problem.beta);
  const huber = problem.delta === undefined ? 1 : number(problem.delta);
  const elementLoss = (y: number, t: number): [number, number] => {
    const d = y - t;
    switch (loss) {
      case 'mse': return [d * d, 2 * d];
      case 'l1': return [Math.abs(d), Math.sign(d)];
      case 'smooth_l1': return Math.abs(d) < beta ? [(0.5 * d * d) / beta, d / beta] : [Math.abs(d) - 0.5 * beta, Math.sign(d)];
      case 'huber': return Math.abs(d) <= huber ? [0.5 * d * d, d] : [huber * (Math.abs(d) - 0.5 * huber), huber * Math.sign(d)];
      case 'bce': return [-(t * Math.max(Math.log(y), -100) + (1 - t) * Math.max(Math.log(1 - y), -100)), (y - t) / Math.max(y * (1 - y), 1e-12)];
      default: return [l!.evaluate({ y, t }) as number, dl!.evaluate({ y, t }) as number];
    }
  };
  const pool = problem.pool as { type: string; size: Json; stride?: Json } | undefined;
  const [ph, pw] = pool ? pair(pool.size) : [1, 1];
  const [psh, psw] = pool ? pair(pool.stride ?? pool.size) : [1, 1];
  const [Hq, Wq] = pool ? [Math.floor((Ho - ph) / psh) + 1, Math.floor((Wo - pw) / psw) + 1] : [Ho, Wo];
  const head = String(problem.head);
  const target = flatten(problem.target);
  // The mean's count: every entry of the map, or (the bug) one plane of it.
  const meanCount = (entries: number) => (bugs.meanCount ? Hq * Wq : entries);

  const pass = () => {
    // σ = b + Σ K·X̃
    const sigma = new T4([N, Co, Ho, Wo]);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < Co; o++)
        for (let i = 0; i < Ho; i++)
          for (let j = 0; j < Wo; j++) {
            let s = b ? b[o] : 0;
            for (let c = 0; c < Cg; c++)
              for (let m = 0; m < kh; m++)
                for (let q = 0; q < kw; q++) s += K.data[K.at(o, c, m, q)] * padded.data[padded.at(n, group(o) + c, i * sh + m * dh, j * sw + q * dw)];
            sigma.data[sigma.at(n, o, i, j)] = s;
          }
    const a = new T4(sigma.shape);
    const slopes = new T4(sigma.shape);
    sigma.data.forEach((s, k) => ([a.data[k], slopes.data[k]] = act(s)));
    // pooling, remembering where each output's gradient goes
    const p = new T4([N, Co, Hq, Wq]);
    const routes: { from: number; weight: number }[][] = [];
    for (let n = 0; n < N; n++)
      for (let o = 0; o < Co; o++)
        for (let i = 0; i < Hq; i++)
          for (let j = 0; j < Wq; j++) {
            if (!pool) {
              p.data[p.at(n, o, i, j)] = a.data[a.at(n, o, i, j)];
              routes.push([{ from: a.at(n, o, i, j), weight: 1 }]);
              continue;
            }
            const cells: number[] = [];
            for (let r = 0; r < ph; r++) for (let q = 0; q < pw; q++) cells.push(a.at(n, o, i * psh + r, j * psw + q));
            if (pool.type === 'avg') {
              p.data[p.at(n, o, i, j)] = cells.reduce((sum, cell) => sum + a.data[cell], 0) / cells.length;
              routes.push(cells.map((from) => ({ from, weight: 1 / cells.length })));
            } else {
              const best = cells.reduce((x, cell) => (a.data[cell] > a.data[x] ? cell : x));
              p.data[p.at(n, o, i, j)] = a.data[best];
              routes.push([{ from: best, weight: 1 }]);
            }
          }
    const entries = p.data.length;
    const y = head === 'none' ? Array.from(p.data) : [head === 'sum' ? p.data.reduce((s, v) => s + v, 0) : p.data.reduce((s, v) => s + v, 0) / meanCount(entries)];
    const reduce = problem.reduction === 'mean' ? 1 / (head === 'none' ? meanCount(y.length) : 1) : 1;
    const pieces = y.map((v, k) => elementLoss(v, target[k]));
    const L = pieces.reduce((s, [v]) => s + v, 0) * reduce;
    // backward: ∂L/∂y, ∂L/∂p, ∂L/∂a, δ
    const gy = pieces.map(([, g]) => g * reduce);
    const gp = head === 'none' ? gy : Array.from({ length: entries }, () => gy[0] * (head === 'mean' ? 1 / meanCount(entries) : 1));
    const ga = new T4(a.shape);
    routes.forEach((route, k) => route.forEach(({ from, weight }) => (ga.data[from] += gp[k] * weight)));
    const delta = new T4(a.shape, ga.data.map((g, k) => g * slopes.data[k]));
    // ∂L/∂K = Σ δ·X̃, ∂L/∂b = Σ δ
    const gK = new T4(K.shape);
    const gb = new Float64Array(Co);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < Co; o++)
        for (let i = 0; i < Ho; i++)
          for (let j = 0; j < Wo; j++) {
            const d = delta.data[delta.at(n, o, i, j)];
            gb[o] += d;
            for (let c = 0; c < Cg; c++)
              for (let m = 0; m < kh; m++)
                for (let q = 0; q < kw; q++) gK.data[gK.at(o, c, m, q)] += d * padded.data[padded.at(n, group(o) + c, i * sh + m * dh, j * sw + q * dw)];
          }
    // ∂L/∂X̃ = (δ spread by the stride, bordered by d·(k − 1) zeros) ⋆ rot180(K dilated)
    const gap = bugs.strideOffByOne ? [sh, sw] : [sh - 1, sw - 1];
    const [spanH, spanW] = [dh * (kh - 1), dw * (kw - 1)];
    const [Rs, Ss] = [(Ho - 1) * (gap[0] + 1) + 1 + 2 * spanH, (Wo - 1) * (gap[1] + 1) + 1 + 2 * spanW];
    const gPadded = new T4([N, C, Hp, Wp]);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < Co; o++)
        for (let c = 0; c < Cg; c++) {
          const spread = new Float64Array(Rs * Ss);
          for (let i = 0; i < Ho; i++) for (let j = 0; j < Wo; j++) spread[(spanH + i * (gap[0] + 1)) * Ss + spanW + j * (gap[1] + 1)] = delta.data[delta.at(n, o, i, j)];
          for (let r = 0; r < Hp && r + spanH < Rs; r++)
            for (let s = 0; s < Wp && s + spanW < Ss; s++) {
              let sum = 0;
              for (let m = 0; m < kh; m++)
                for (let q = 0; q < kw; q++) {
                  // rot180: the kernel entry (kh − 1 − m, kw − 1 − q) meets spread cell (r + m·d, s + q·d)
                  const [km, kq] = bugs.unrotatedKernel ? [m, q] : [kh - 1 - m, kw - 1 - q];
                  sum += K.data[K.at(o, c, km, kq)] * spread[(r + m * dh) * Ss + s + q * dw];
                }
              gPadded.data[gPadded.at(n, group(o) + c, r, s)] += sum;
            }
        }
    // ∂L/∂X: each padded cell's gradient to the input entry it shows
    const gX = new T4(X.shape);
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let r = 0; r < Hp; r++)
          for (let s = 0; s < Wp; s++) {
            const [i, j] = [source(mode, top, H, r), source(mode, left, W, s)];
            if (i >= 0 && j >= 0) gX.data[gX.at(n, c, i, j)] += gPadded.data[gPadded.at(n, c, r, s)];
          }
    return { sigma, a, p, y, L, delta, gK, gb, gPadded, gX };
  };

  // torch.optim over the parameters as one flat list: the kernel's entries, then the bias's.
  const o = problem.optimizer as { [key: string]: Json };
  const [lr, wd] = [number(o.lr), number(o.weight_decay)];
  const state: { [key: string]: Float64Array } = {};
  const buffer = (key: string, size: number) => (state[key] ??= new Float64Array(size));
  const update = (theta: Float64Array, grad: Float64Array, t: number) => {
    const size = theta.length;
    if (o.type === 'sgd') {
      const [mu, tau] = [number(o.momentum), number(o.dampening)];
      const g = grad.map((gk, k) => gk + wd * theta[k]);
      let d: ArrayLike<number> = g;
      if (mu !== 0) {
        const buf = buffer('momentum_buffer', size);
        g.forEach((gk, k) => (buf[k] = t === 1 ? gk : mu * buf[k] + (1 - tau) * gk));
        d = o.nesterov ? g.map((gk, k) => gk + mu * buf[k]) : buf;
      }
      return theta.map((v, k) => v - lr * d[k]);
    }
    if (o.type === 'adagrad') {
      // torch.optim.Adagrad: clr = lr/(1 + (t − 1)·lr_decay), sum += g², θ −= clr·g/(√sum + eps)
      const [decay, eps] = [number(o.lr_decay), number(o.eps)];
      const g = grad.map((gk, k) => gk + wd * theta[k]);
      const sum = (state.sum ??= new Float64Array(size).fill(number(o.initial_accumulator_value)));
      g.forEach((gk, k) => (sum[k] += gk * gk));
      const clr = lr / (1 + (t - 1) * decay);
      return theta.map((v, k) => v - (clr * g[k]) / (Math.sqrt(sum[k]) + eps));
    }
    if (o.type === 'rmsprop') {
      const [alpha, eps, mu] = [number(o.alpha), number(o.eps), number(o.momentum)];
      const g = grad.map((gk, k) => gk + wd * theta[k]);
      const sq = buffer('square_avg', size);
      g.forEach((gk, k) => (sq[k] = alpha * sq[k] + (1 - alpha) * gk * gk));
      const avg = sq.map((s) => s);
      if (o.centered) {
        const ga = buffer('grad_avg', size);
        g.forEach((gk, k) => (ga[k] = alpha * ga[k] + (1 - alpha) * gk));
        avg.forEach((s, k) => (avg[k] = s - ga[k] * ga[k]));
      }
      const denominator = avg.map((s) => Math.sqrt(s) + eps);
      if (mu > 0) {
        const buf = buffer('momentum_buffer', size);
        g.forEach((gk, k) => (buf[k] = mu * buf[k] + gk / denominator[k]));
        return theta.map((v, k) => v - lr * buf[k]);
      }
      return theta.map((v, k) => v - (lr * g[k]) / denominator[k]);
    }
    const [b1, b2] = (o.betas as Json[]).map(number);
    const eps = number(o.eps);
    const decayed = o.type === 'adamw' ? theta.map((v) => v * (1 - lr * wd)) : theta;
    const g = o.type === 'adamw' ? grad : grad.map((gk, k) => gk + wd * theta[k]);
    const [m, v] = [buffer('exp_avg', size), buffer('exp_avg_sq', size)];
    g.forEach((gk, k) => {
      m[k] = b1 * m[k] + (1 - b1) * gk;
      v[k] = b2 * v[k] + (1 - b2) * gk * gk;
    });
    let second = v;
    if (o.amsgrad) {
      const vmax = buffer('max_exp_avg_sq', size);
      v.forEach((vk, k) => (vmax[k] = Math.max(vmax[k], vk)));
      second = vmax;
    }
    const [c1, c2] = [1 - b1 ** t, 1 - b2 ** t];
    return decayed.map((p, k) => p - (lr / c1) * (m[k] / (Math.sqrt(second[k]) / Math.sqrt(c2) + eps)));
  };

  const biasOut = (values: ArrayLike<number>) => (biasGiven === undefined ? {} : { bias: Array.isArray(biasGiven) ? Array.from(values) : values[0] });
  const trajectory: unknown[] = [];
  let first: ReturnType<typeof pass> | undefined;
  const steps = number(problem.steps);
  for (let t = 1; t <= steps; t++) {
    const run = pass();
    first ??= run;
    const theta = Float64Array.from([...K.data, ...(b ?? [])]);
    const next = update(theta, Float64Array.from([...run.gK.data, ...run.gb.slice(0, b ? Co : 0)]), t);
    K = new T4(K.shape, next.subarray(0, K.data.length));
    if (b) b = next.slice(K.data.length);
    trajectory.push({ step: t, loss: run.L, kernel: nest(K.data, K.shape, kernelDims), ...biasOut(b ?? []) });
  }
  const r = first!;
  const map = (t: T4) => nest(t.data, t.shape, outDims);
  const result = {
    forward: { conv: map(r.sigma), output: map(r.p), prediction: head === 'none' ? nest(r.y, [N, Co, Hq, Wq], outDims) : r.y[0], loss: r.L },
    grad: { kernel: nest(r.gK.data, kShape, kernelDims), ...biasOut(r.gb), input: nest(r.gX.data, xShape, inputDims) },
    updated: { kernel: nest(K.data, K.shape, kernelDims), ...biasOut(b ?? []) },
    trajectory,
  };
  const stage = (t: T4) => ({ shape: [...t.shape], data: Array.from(t.data) });
  const stages = new Map([
    ['padded_input', stage(padded)], ['conv', stage(r.sigma)], ['activation', stage(r.a)], ['pooled', stage(r.p)],
    ['delta', stage(r.delta)], ['grad_kernel', stage(r.gK)], ['grad_padded_input', stage(r.gPadded)], ['grad_input', stage(r.gX)],
  ]);
  return { result, stages };
}
