// The pooling stage: each window of the map reduced to one entry, and the way its gradient flows back.
import { add, compare, exact, mul, ZERO, type Scalar } from '../../numbers/scalar.js';
import type { Pool } from '../../problem/problem.js';
import { makeTensor, offset, type Tensor } from '../../tensor/tensor.js';
import type * as TF from '@tensorflow/tfjs';

export interface Pooled {
  readonly output: Tensor<Scalar>;
  /** Max pooling: for each output entry (flat), the input entry (flat) that wins its window. */
  readonly winners?: readonly number[];
}

export function pooledExtent(pool: Pool, rows: number, cols: number): [number, number] {
  return [Math.floor((rows - pool.size[0]) / pool.stride[0]) + 1, Math.floor((cols - pool.size[1]) / pool.stride[1]) + 1];
}

/** The cells (row, col) of window (i, j): rows i·s_h … i·s_h + size_h − 1, row by row. */
export function windowCells(pool: Pool, i: number, j: number): [number, number][] {
  const cells: [number, number][] = [];
  for (let r = 0; r < pool.size[0]; r++) for (let c = 0; c < pool.size[1]; c++) cells.push([i * pool.stride[0] + r, j * pool.stride[1] + c]);
  return cells;
}

// Along one axis, cell r is in window i when i·s ≤ r < i·s + size, 0 ≤ i < windows
function windowsOn(r: number, size: number, stride: number, windows: number): number[] {
  const first = Math.max(0, Math.ceil((r - size + 1) / stride));
  const last = Math.min(windows - 1, Math.floor(r / stride));
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, k) => first + k);
}

/** The windows (i, j) that read cell (r, c) of a map of rows × cols. */
export function windowsOf(pool: Pool, r: number, c: number, rows: number, cols: number): [number, number][] {
  const [windowRows, windowCols] = pooledExtent(pool, rows, cols);
  return windowsOn(r, pool.size[0], pool.stride[0], windowRows).flatMap((i) => windowsOn(c, pool.size[1], pool.stride[1], windowCols).map((j): [number, number] => [i, j]));
}

// max: p = max over the window, ∂p/∂a = 1 at the first largest entry (row by row, as PyTorch's CPU kernel), 0 elsewhere
// avg: p = (1/(h·w)) Σ window, ∂p/∂a = 1/(h·w) for each entry
export function poolForward(pool: Pool, a: Tensor<Scalar>): Pooled {
  const [batch, channels, rows, cols] = a.shape;
  const [outRows, outCols] = pooledExtent(pool, rows, cols);
  const share = exact(1, pool.size[0] * pool.size[1]);
  const winners: number[] = [];
  const output = makeTensor([batch, channels, outRows, outCols], ([n, c, i, j]) => {
    const cells = windowCells(pool, i, j).map(([r, s]) => offset(a.shape, [n, c, r, s]));
    if (pool.type === 'avg') return mul(cells.reduce<Scalar>((sum, from) => add(sum, a.data[from]), ZERO), share);
    let best = cells[0];
    for (const from of cells) if (compare(a.data[from], a.data[best]) > 0) best = from;
    winners.push(best);
    return a.data[best];
  });
  return pool.type === 'max' ? { output, winners } : { output };
}

/** The cells (flat) a window (flat) sends its gradient to: its winner (max), every cell of it (avg). */
export function routedCells(pool: Pool, pooled: Pooled, window: number, shape: readonly number[]): number[] {
  if (pooled.winners) return [pooled.winners[window]];
  const [, , outRows, outCols] = pooled.output.shape;
  const [nc, i, j] = [Math.floor(window / (outRows * outCols)), Math.floor(window / outCols) % outRows, window % outCols];
  return windowCells(pool, i, j).map(([r, c]) => (nc * shape[2] + r) * shape[3] + c);
}

// ∂L/∂a_r = Σ over the windows w reading r of ∂L/∂p_w · ∂p_w/∂a_r: the winner's alone (max), a share of each (avg)
export function poolBackward(pool: Pool, pooled: Pooled, upstream: Tensor<Scalar>, shape: readonly number[]): Tensor<Scalar> {
  const data: Scalar[] = new Array(shape.reduce((x, y) => x * y)).fill(ZERO);
  if (pooled.winners) {
    pooled.winners.forEach((from, w) => (data[from] = add(data[from], upstream.data[w])));
    return { shape, data };
  }
  const share = exact(1, pool.size[0] * pool.size[1]);
  const [, , outRows, outCols] = upstream.shape;
  for (let w = 0; w < upstream.data.length; w++) {
    const [nc, i, j] = [Math.floor(w / (outRows * outCols)), Math.floor(w / outCols) % outRows, w % outCols];
    const part = mul(upstream.data[w], share);
    for (const [r, c] of windowCells(pool, i, j)) {
      const at = (nc * shape[2] + r) * shape[3] + c;
      data[at] = add(data[at], part);
    }
  }
  return { shape, data };
}

/**
 * For each max-pool window with a tie for its largest entry, the flat indices of the tied entries of
 * a (their σ tie too). Where the activation is flat wherever it is 0 (relu), tied zeros route a
 * gradient of 0 whichever wins (σ = 0 is a kink of its own): no tie to report.
 */
export function maxPoolTies(pool: Pool, a: Tensor<Scalar>, sigma: Tensor<Scalar>, pooledShape: readonly number[], flatAtZero: boolean): number[][] {
  const ties: number[][] = [];
  const [batch, channels, rows, cols] = pooledShape;
  for (let n = 0; n < batch; n++)
    for (let c = 0; c < channels; c++)
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) {
          const cells = windowCells(pool, i, j).map(([r, s]) => offset(a.shape, [n, c, r, s]));
          const best = cells.reduce((b, cell) => (compare(a.data[cell], a.data[b]) > 0 ? cell : b));
          // Tied a whose σ tie too (always so for a monotonic f).
          const tied = cells.filter((cell) => compare(a.data[cell], a.data[best]) === 0 && compare(sigma.data[cell], sigma.data[best]) === 0);
          if (tied.length >= 2 && !(flatAtZero && compare(a.data[best], ZERO) === 0)) ties.push(tied);
        }
  return ties;
}

/** The pooling in the generated PyTorch script (F.max_pool2d / F.avg_pool2d of the activated map a), or a itself without one. */
export function poolTorch(pool: Pool | undefined): string {
  return pool ? `F.${pool.type}_pool2d(a, kernel_size=P["pool"]["size"], stride=P["pool"]["stride"])` : 'a';
}

/** The pooling with TF.js's ops (NHWC), or the map itself without one. */
export function poolTfjs(tf: typeof TF, pool: Pool | undefined, a: TF.Tensor4D): TF.Tensor4D {
  if (!pool) return a;
  return pool.type === 'max' ? tf.maxPool(a, pool.size as [number, number], pool.stride as [number, number], 'valid') : tf.avgPool(a, pool.size as [number, number], pool.stride as [number, number], 'valid');
}
