// The benchmark's problems: the seed, then single-channel problems that grow, then a 3-channel one with 8 output channels.
export const SIZES = ['3x3k2', '32x32k3', '32x32k5', '64x64k5', '128x128k5', '3x128x128k5x8'];
// Problems large enough that the work, not the fixed cost, sets the time: the growth of convgrad's cost is fitted on them.
export const GROWTH = ['3x32x32k5x8', '3x64x64k5x8', '3x96x96k5x8', '3x128x128k5x8', '3x181x181k5x8'];

/** C×H×W input with a C_out×C×k×k kernel: "3x128x128k5x8"; one channel: "32x32k3". */
export function isMultiChannel(size) {
  return /^\d+x\d+x\d+k\d+x\d+$/.test(size);
}

function grid(rows, cols, seed) {
  let s = seed;
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => ((s = (s * 16807) % 2147483647), (s % 11) - 5)));
}

export function problemJson(size) {
  if (size === '3x3k2') return { input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, 5]], target: 230 };
  if (isMultiChannel(size)) {
    const [, c, h, k, co] = /^(\d+)x(\d+)x\d+k(\d+)x(\d+)$/.exec(size).map(Number);
    const channels = Array.from({ length: c }, (_, i) => i);
    return {
      input: channels.map((i) => grid(h, h, 11 + i)),
      kernel: Array.from({ length: co }, (_, o) => channels.map((i) => grid(k, k, 100 + c * o + i))),
      bias: Array.from({ length: co }, (_, o) => o + 1),
      target: 1,
    };
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
