// Random problems within what convgrad supports, reproducible from a seed: small sizes, every option
// of the layer (stride, padding, dilation, bias) and head, exact rationals written as JSON numbers,
// decimal strings and fraction strings.
export type ProblemJson = Record<string, unknown>;

/** mulberry32: a small seeded generator, so a failing case can be rerun. */
export function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomProblem(seed: number): ProblemJson {
  const random = generator(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  // An entry: mostly small integers, sometimes a decimal string or a fraction string.
  const entry = (): number | string => {
    const kind = random();
    if (kind < 0.7) return int(-5, 5);
    if (kind < 0.85) return `${int(-9, 9)}.${int(0, 9)}${int(1, 9)}`;
    return `${int(-7, 7)}/${int(1, 6)}`;
  };
  const matrix = (rows: number, cols: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, entry));

  for (;;) {
    const kh = int(1, 3);
    const kw = int(1, 3);
    const h = int(1, 6);
    const w = int(1, 6);
    const stride = random() < 0.5 ? 1 : random() < 0.5 ? int(1, 3) : [int(1, 3), int(1, 3)];
    const dilation = random() < 0.6 ? 1 : random() < 0.5 ? 2 : [int(1, 2), int(1, 2)];
    const strideOne = stride === 1 || (Array.isArray(stride) && stride[0] === 1 && stride[1] === 1);
    const padding = strideOne && random() < 0.2 ? 'same' : random() < 0.1 ? 'valid' : random() < 0.5 ? 0 : random() < 0.5 ? int(0, 2) : [int(0, 2), int(0, 2)];
    const [dh, dw] = Array.isArray(dilation) ? dilation : [dilation, dilation];
    const [ph, pw] = padding === 'same' || padding === 'valid' ? [0, 0] : Array.isArray(padding) ? padding : [padding, padding];
    const sameExtra = padding === 'same' ? [dh * (kh - 1), dw * (kw - 1)] : [2 * ph, 2 * pw];
    if (dh * (kh - 1) + 1 > h + sameExtra[0] || dw * (kw - 1) + 1 > w + sameExtra[1]) continue;
    const problem: ProblemJson = {
      input: matrix(h, w),
      kernel: matrix(kh, kw),
      stride,
      padding,
      dilation,
      head: pick(['sum', 'mean']),
      reduction: pick(['mean', 'sum']),
      target: entry(),
      optimizer: { type: 'sgd', lr: pick([0.01, '0.1', '1/3', 0.5, '0.001']) },
    };
    if (random() < 0.5) problem.bias = random() < 0.5 ? entry() : [entry()];
    return problem;
  }
}
