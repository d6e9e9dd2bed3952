// An n-dimensional array stored flat, row-major. Inside convgrad every map is 4-D, [N][C][H][W], and
// every kernel [C_out][C_in/groups][kh][kw]; the problem's own shapes are restored only for output.

export interface Tensor<T> {
  readonly shape: readonly number[];
  readonly data: readonly T[];
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The flat offset of an index: Σ index_k · Π_{l>k} shape_l. */
export function offset(shape: readonly number[], index: readonly number[]): number {
  let flat = 0;
  for (let k = 0; k < shape.length; k++) flat = flat * shape[k] + index[k];
  return flat;
}

/** The index of a flat offset. */
export function unravel(shape: readonly number[], flat: number): number[] {
  const index = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    index[k] = flat % shape[k];
    flat = Math.floor(flat / shape[k]);
  }
  return index;
}

/** The index of a flat offset as a reader writes it: "[1][0][2]" ("" for a scalar). */
export function nestedIndex(shape: readonly number[], flat: number): string {
  return unravel(shape, flat).map((i) => `[${i}]`).join('');
}

export function makeTensor<T>(shape: readonly number[], entry: (index: number[]) => T): Tensor<T> {
  const data = new Array<T>(size(shape));
  for (let flat = 0; flat < data.length; flat++) data[flat] = entry(unravel(shape, flat));
  return { shape, data };
}

export function get<T>(t: Tensor<T>, ...index: number[]): T {
  return t.data[offset(t.shape, index)];
}

export function mapTensor<T, U>(t: Tensor<T>, f: (value: T, index: number[]) => U): Tensor<U> {
  return { shape: t.shape, data: t.data.map((v, flat) => f(v, unravel(t.shape, flat))) };
}

export function reshape<T>(t: Tensor<T>, shape: readonly number[]): Tensor<T> {
  if (size(shape) !== t.data.length) throw new Error(`internal error: cannot reshape ${t.shape} to ${shape}`);
  return { shape, data: t.data };
}

export type Nested<T> = T | Nested<T>[];

export function toNested<T>(t: Tensor<T>): Nested<T> {
  const build = (depth: number, start: number): Nested<T> => {
    if (depth === t.shape.length) return t.data[start];
    const stride = size(t.shape.slice(depth + 1));
    return Array.from({ length: t.shape[depth] }, (_, i) => build(depth + 1, start + i * stride));
  };
  return build(0, 0);
}

/** Tensor of a rectangular nested array whose shape is known. */
export function fromNested<T>(value: Nested<T>, shape: readonly number[]): Tensor<T> {
  const data: T[] = [];
  const walk = (v: Nested<T>, depth: number) => {
    if (depth === shape.length) data.push(v as T);
    else (v as Nested<T>[]).forEach((child) => walk(child, depth + 1));
  };
  walk(value, 0);
  return { shape, data };
}
