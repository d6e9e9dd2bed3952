// A 2-D map stored row-major: the input, the kernel, σ, δ and every gradient of one channel.

export interface Grid<T> {
  readonly rows: number;
  readonly cols: number;
  readonly data: readonly T[];
}

export function makeGrid<T>(rows: number, cols: number, entry: (i: number, j: number) => T): Grid<T> {
  const data: T[] = new Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = entry(i, j);
  return { rows, cols, data };
}

export function at<T>(grid: Grid<T>, i: number, j: number): T {
  return grid.data[i * grid.cols + j];
}

/** The 2-D plane [a][b] of a 4-D tensor: one (batch, channel) map, or one (out, in) kernel slice. */
export function plane<T>(t: { readonly shape: readonly number[]; readonly data: readonly T[] }, a: number, b: number): Grid<T> {
  const [, channels, rows, cols] = t.shape;
  const start = (a * channels + b) * rows * cols;
  return { rows, cols, data: t.data.slice(start, start + rows * cols) };
}
