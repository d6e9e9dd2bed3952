// The rounding floors of a network's values: the absolute difference no float engine avoids on an
// entry, from convgrad's own values (the rule of the parity test, test/network-torch.test.ts). `check`
// raises each entry's atol to it for PyTorch (float64) and TF.js (float32); the script of `convgrad
// torch` receives the float64 floors as data.
import { networkResultDocument } from '../result/network-document.js';
import type { NetworkSolution } from '../trajectory/train-network.js';
import type { Tensor } from '../tensor/tensor.js';
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';
import { readNetworkDocument } from './result-reader.js';
import { DTYPE_TOLERANCES } from './tolerance.js';

/** convgrad's values of a network by result path, as doubles. */
export function networkValues(solution: NetworkSolution): Map<string, Tensor<number>> {
  const doc = networkResultDocument(solution);
  return new Map(readNetworkDocument(doc, doc).values);
}

export type FloorDtype = 'float64' | 'float32';

/** A float32 engine's floors are float64's scaled as its tolerance is: its atol over float64's. */
export const FLOOR_SCALE: Readonly<Record<FloorDtype, number>> = { float64: 1, float32: DTYPE_TOLERANCES.float32.atol / DTYPE_TOLERANCES.float64.atol };

/** torch.optim's eps by default, for the optimizers that divide by a gradient's size. */
const ADAPTIVE_EPS: Readonly<Record<string, number>> = { adam: 1e-8, adamw: 1e-8, rmsprop: 1e-8, adagrad: 1e-10 };

/**
 * The float64 rounding floor of every entry PyTorch gives (the rule of the parity test,
 * test/network-torch.test.ts, which 320 random networks need): the noise of sums that cancel, and
 * how an optimizer's step carries a gradient's noise into a parameter.
 */
export function roundingFloors(solution: NetworkSolution, dtype: FloorDtype = 'float64'): (path: string) => ((flat: number) => number) | undefined {
  const { network, first } = solution;
  const scale = FLOOR_SCALE[dtype];
  const ours = networkValues(solution);
  const largest = (values: readonly number[]) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  // In float32, a gradient below a batch norm keeps the rounding of the terms its backward cancels
  // (∂L/∂x = γ/√(σ² + ε)·(g − mean g − x̂·mean(g·x̂)), which is 0 where g is constant): their size,
  // max |γ|·max 1/√(σ² + ε)·max |g|, is the size of δ's noise below it.
  const cancelled = network.layers.map((layer, j) => {
    if (dtype === 'float64' || layer.type !== 'batch_norm2d') return 0;
    const g = largest(first.backward.stages[j + 1].input.data.map(asDouble));
    const gamma = largest(first.parameters[j].weight.data.map(asDouble));
    return gamma * g * batchInverseStd(first.forward.stages[j].input.data.map(asDouble), first.forward.stages[j].input.shape, asDouble(layer.eps));
  });
  const below = (i: number) => Math.max(0, ...cancelled.slice(i));
  // In float32, a prediction that sums (or averages) the last layer's n entries keeps their rounding: n of them.
  const last = first.forward.stages[network.layers.length - 1].output.data.map(asDouble);
  const summed = dtype === 'float32' && network.head !== 'none' ? scale * 1e-13 * last.length * Math.max(1, largest(last)) * (network.head === 'mean' ? 1 / last.length : 1) : 0;
  const base = (path: string, terms = 0) => scale * 1e-12 * Math.max(1, terms, largest(ours.get(path)?.data ?? []));
  // Layer i's parameter gradients are sums of products of δ⁽ⁱ⁾ (the gradient at its output) and its input.
  const gradientNoise = (i: number) => {
    const delta = first.backward.stages[i + 1].input.data.map(asDouble);
    const input = first.forward.stages[i].input.data.map(asDouble);
    return scale * 1e-13 * delta.length * Math.max(1, largest(delta), below(i + 1)) * Math.max(1, largest(input));
  };
  const settings = network.optimizer as unknown as Readonly<Record<string, unknown>>;
  const lr = asDouble(network.optimizer.lr);
  const eps = ADAPTIVE_EPS[network.optimizer.type] === undefined ? undefined : isExact(settings.eps as Scalar) || typeof settings.eps === 'number' ? asDouble(settings.eps as Scalar) : ADAPTIVE_EPS[network.optimizer.type];
  return (path) => {
    const layer = /^(grad|updated)\.layers\[(\d+)\]\.(\w+)$/.exec(path);
    if (!layer) {
      const floor = Math.max(base(path, path === 'grad.input' ? below(0) : 0), path === 'forward.prediction' ? summed : 0);
      return () => floor;
    }
    const [, group, i, name] = layer;
    const gradientFloor = Math.max(base(`grad.layers[${i}].${name}`), gradientNoise(Number(i)));
    if (group === 'grad') return () => gradientFloor;
    const gradient = ours.get(`grad.layers[${i}].${name}`)?.data ?? [];
    const own = base(path);
    return (flat) => own + network.steps * lr * (eps === undefined ? gradientFloor : Math.min(2, gradientFloor / (Math.abs(gradient[flat] ?? 0) + eps)));
  };
}

/** The largest 1/√(σ² + ε) of a batch norm's channels, σ² the biased variance over N, H, W of its input [N][C][H][W]. */
function batchInverseStd(x: readonly number[], shape: readonly number[], eps: number): number {
  const [n, c, h, w] = shape;
  let most = 0;
  for (let channel = 0; channel < c; channel++) {
    const values: number[] = [];
    for (let b = 0; b < n; b++) for (let k = 0; k < h * w; k++) values.push(x[(b * c + channel) * h * w + k]);
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
    most = Math.max(most, 1 / Math.sqrt(variance + eps));
  }
  return most;
}
