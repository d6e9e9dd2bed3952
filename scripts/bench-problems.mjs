// The benchmark's problems: the seed, then single-channel problems that grow, then a 3-channel one with 8 output channels.
export const SIZES = ['3x3k2', '32x32k3', '32x32k5', '64x64k5', '128x128k5', '3x128x128k5x8'];

function grid(rows, cols, seed) {
  let s = seed;
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => ((s = (s * 16807) % 2147483647), (s % 11) - 5)));
}

export function problemJson(size) {
  if (size === '3x3k2') return { input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, 5]], target: 230 };
  if (size === '3x128x128k5x8') {
    return { input: [0, 1, 2].map((c) => grid(128, 128, 11 + c)), kernel: Array.from({ length: 8 }, (_, o) => [0, 1, 2].map((c) => grid(5, 5, 100 + 3 * o + c))), bias: [1, 2, 3, 4, 5, 6, 7, 8], target: 1 };
  }
  const [, h, k] = /^(\d+)x\d+k(\d+)$/.exec(size).map(Number);
  return { input: grid(h, h, 7), kernel: grid(k, k, 13), target: 1 };
}

/** Multiply-adds of one forward pass. */
export function multiplyAdds(size) {
  const p = problemJson(size);
  const multi = Array.isArray(p.input[0][0]);
  const [c, h, w] = multi ? [p.input.length, p.input[0].length, p.input[0][0].length] : [1, p.input.length, p.input[0].length];
  const [co, kh] = multi ? [p.kernel.length, p.kernel[0][0].length] : [1, p.kernel.length];
  return co * c * (h - kh + 1) * (w - kh + 1) * kh * kh;
}
