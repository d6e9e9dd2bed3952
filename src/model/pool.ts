// The pooling stage: each window of the map reduced to one entry, and the way its gradient flows back.
import { add, compare, exact, mul, ZERO, type Scalar } from '../numbers/scalar.js';
import type { Pool } from '../problem/problem.js';
import { makeTensor, offset, type Tensor } from './tensor.js';

export interface Pooled {
  readonly output: Tensor<Scalar>;
  /** For each output entry (flat), the input entries (flat) it reads and the weight ∂p/∂a of each. */
  readonly routes: readonly (readonly { readonly from: number; readonly weight: Scalar }[])[];
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

// max: p = max over the window, ∂p/∂a = 1 at the first largest entry (row by row, as PyTorch's CPU kernel), 0 elsewhere
// avg: p = (1/(h·w)) Σ window, ∂p/∂a = 1/(h·w) for each entry
export function poolForward(pool: Pool, a: Tensor<Scalar>): Pooled {
  const [batch, channels, rows, cols] = a.shape;
  const [outRows, outCols] = pooledExtent(pool, rows, cols);
  const routes: { from: number; weight: Scalar }[][] = [];
  const share = exact(1, pool.size[0] * pool.size[1]);
  const output = makeTensor([batch, channels, outRows, outCols], ([n, c, i, j]) => {
    const cells = windowCells(pool, i, j).map(([r, s]) => offset(a.shape, [n, c, r, s]));
    if (pool.type === 'avg') {
      routes.push(cells.map((from) => ({ from, weight: share })));
      return mul(cells.reduce<Scalar>((sum, from) => add(sum, a.data[from]), ZERO), share);
    }
    let best = cells[0];
    for (const from of cells) if (compare(a.data[from], a.data[best]) > 0) best = from;
    routes.push([{ from: best, weight: exact(1) }]);
    return a.data[best];
  });
  return { output, routes };
}

// ∂L/∂a_r = Σ over the windows w reading r of ∂L/∂p_w · ∂p_w/∂a_r
export function poolBackward(pooled: Pooled, upstream: Tensor<Scalar>, shape: readonly number[]): Tensor<Scalar> {
  const data: Scalar[] = new Array(shape.reduce((x, y) => x * y)).fill(ZERO);
  pooled.routes.forEach((route, w) => {
    for (const { from, weight } of route) data[from] = add(data[from], mul(upstream.data[w], weight));
  });
  return { shape, data };
}
