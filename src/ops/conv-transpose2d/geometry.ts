// Where every input entry of a transposed convolution (nn.ConvTranspose2d) sends its kernel: the output's
// size, the scatter's index arithmetic with groups, stride, padding, output padding and dilation, and the
// shapes PyTorch refuses, in its words. The kernel is [C_in][C_out/groups][kh][kw].
import type { Pair } from '../../problem/problem.js';
import type { Extent } from '../conv2d/geometry.js';

export interface ConvTranspose2dGeometry {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly input: Extent;
  readonly kernel: Extent;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly outputPadding: Pair;
  readonly dilation: Pair;
  readonly output: Extent;
}

export interface ConvTranspose2dSpec {
  /** [N, C_in, H, W]. */
  readonly input: readonly number[];
  /** [C_in, C_out/groups, kh, kw]. */
  readonly kernel: readonly number[];
  readonly stride: Pair;
  readonly padding: Pair;
  readonly outputPadding: Pair;
  readonly dilation: Pair;
  readonly groups: number;
}

export function convTranspose2dGeometry(spec: ConvTranspose2dSpec): ConvTranspose2dGeometry {
  const [batch, inChannels, rows, cols] = spec.input;
  const [, outPerGroup, kRows, kCols] = spec.kernel;
  const { stride, padding, outputPadding, dilation, groups } = spec;
  return {
    batch,
    inChannels,
    outChannels: outPerGroup * groups,
    groups,
    input: { rows, cols },
    kernel: { rows: kRows, cols: kCols },
    stride,
    padding,
    outputPadding,
    dilation,
    output: {
      rows: transposedOutputExtent(rows, kRows, stride[0], padding[0], outputPadding[0], dilation[0]),
      cols: transposedOutputExtent(cols, kCols, stride[1], padding[1], outputPadding[1], dilation[1]),
    },
  };
}

// H_out = (H − 1)·s − 2p + d·(k − 1) + output_padding + 1
export function transposedOutputExtent(size: number, kernel: number, stride: number, padding: number, outputPadding: number, dilation: number): number {
  return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
}

/** [N, C_out, H_out, W_out]. */
export function convTranspose2dOutputShape(g: ConvTranspose2dGeometry): number[] {
  return [g.batch, g.outChannels, g.output.rows, g.output.cols];
}

/** PyTorch's rule on an axis: the output padding is smaller than the stride or the dilation. */
export function outputPaddingFits({ outputPadding, stride, dilation }: Pick<ConvTranspose2dSpec, 'outputPadding' | 'stride' | 'dilation'>, axis: 0 | 1): boolean {
  return outputPadding[axis] < stride[axis] || outputPadding[axis] < dilation[axis];
}

/**
 * Why PyTorch refuses this transposed convolution, in its words, or undefined: the kernel's first axis
 * is C_in, which the groups divide; output padding below the stride or the dilation on each axis; an
 * output of at least one entry on each axis.
 */
export function convTranspose2dRefusal(spec: ConvTranspose2dSpec): string | undefined {
  const { input, kernel, stride, padding, outputPadding, dilation, groups } = spec;
  if (kernel[0] % groups !== 0) return 'in_channels must be divisible by groups';
  if (input[1] !== kernel[0]) return `Given transposed=1, weight of size [${kernel.join(', ')}], expected input[${input.join(', ')}] to have ${kernel[0]} channels, but got ${input[1]} channels instead`;
  if (!outputPaddingFits(spec, 0) || !outputPaddingFits(spec, 1)) {
    return `output padding must be smaller than either stride or dilation, but got output_padding_height: ${outputPadding[0]} output_padding_width: ${outputPadding[1]} stride_height: ${stride[0]} stride_width: ${stride[1]} dilation_height: ${dilation[0]} dilation_width: ${dilation[1]}`;
  }
  const rows = transposedOutputExtent(input[2], kernel[2], stride[0], padding[0], outputPadding[0], dilation[0]);
  const cols = transposedOutputExtent(input[3], kernel[3], stride[1], padding[1], outputPadding[1], dilation[1]);
  if (rows < 1 || cols < 1) return `Given input size per channel: (${input[2]} x ${input[3]}). Calculated output size per channel: (${rows} x ${cols}). Output size is too small`;
  return undefined;
}

/** C_in/groups: the input channels of one group. */
export function inChannelsPerGroup(g: ConvTranspose2dGeometry): number {
  return g.inChannels / g.groups;
}

/** C_out/groups: the output channels of one group (the kernel's second axis). */
export function outChannelsPerGroup(g: ConvTranspose2dGeometry): number {
  return g.outChannels / g.groups;
}

// Input channel c belongs to group ⌊c / (C_in/groups)⌋ and writes output channels group·(C_out/groups) + o_local.
export function outputChannel(g: ConvTranspose2dGeometry, c: number, oLocal: number): number {
  return Math.floor(c / inChannelsPerGroup(g)) * outChannelsPerGroup(g) + oLocal;
}

// Input (i, j) with kernel entry (m, n) lands on output (i·s_h − p_h + m·d_h, j·s_w − p_w + n·d_w)   (0-based; outside is dropped)
export function landing(g: ConvTranspose2dGeometry, i: number, j: number, m: number, n: number): [number, number] {
  return [i * g.stride[0] - g.padding[0] + m * g.dilation[0], j * g.stride[1] - g.padding[1] + n * g.dilation[1]];
}
