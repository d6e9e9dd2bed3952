// How much a problem asks for, said in numbers before any of it is done: the size of its tensors,
// the time of its steps, the size of its derivation. A problem over a limit is refused with those
// numbers (exit 2, nothing written). The costs are models fitted on measurements (the constants
// below say on what); each errs on the side of the larger estimate.
import { channelsPerGroup, convGeometry, type ConvGeometry } from '../ops/conv2d/geometry.js';
import { pooledExtent } from '../ops/pool/pool.js';
import { activationRules } from '../ops/activation/activations.js';
import type { Diagnostic, Problem } from '../problem/problem.js';
import { bitLength, gcd } from '../numbers/rational.js';
import { isExact, type Scalar } from '../numbers/scalar.js';

/** The limits, in the README's table. */
export const LIMITS = {
  /** Entries of any one tensor: the padded input, the convolution's output, the kernel. */
  entries: 2e6,
  /** Estimated seconds for all the steps (float64 speed; exact arithmetic has its own budget, EXACT_BUDGET). */
  seconds: 30,
  /** Estimated seconds of a derivation entry by entry (--detail auto or full; the model at derivationMicroseconds). */
  derivationSeconds: 10,
  /** Channels (output channels, or batch items times input channels) a document derivation shows. */
  documentChannels: 256,
  /** Estimated bytes of the largest format of a --detail full derivation (the HTML, where it is asked for). */
  fullDerivationBytes: 64e6,
  /** Estimated bytes of one problem's vectors.json (every stage's tensor, exact and double). */
  vectorsBytes: 256e6,
} as const;

export interface Workload {
  /** Multiply-adds of one forward pass: N · C_out · H' · W' · C_in/groups · kh · kw. */
  readonly multiplyAdds: number;
  /** Entries of σ and of the padded input: what every step computes entry by entry. */
  readonly entries: number;
  /** "input 3×128×128, kernel 8×3×5×5" */
  readonly description: string;
}

export function workload(problem: Problem): Workload {
  const g = convGeometry(problem);
  const multiplyAdds = g.batch * g.outChannels * g.output.rows * g.output.cols * channelsPerGroup(g) * g.kernel.rows * g.kernel.cols;
  const input = problem.input.shape.slice(4 - problem.inputForm).join('×');
  const kernel = problem.kernel.shape.slice(4 - problem.kernelForm).join('×');
  return { multiplyAdds, entries: entriesPerStep(g), description: `input ${input}, kernel ${kernel}` };
}

function entriesPerStep(g: ConvGeometry): number {
  return g.batch * (g.outChannels * g.output.rows * g.output.cols + g.inChannels * g.padded.rows * g.padded.cols);
}

/** 9.2 M, 2.4 G: a count in words a person reads at a glance. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return `${n}`;
}

/** 60,001: an extent written out. */
const grouped = (n: number) => n.toLocaleString('en-US');

/** What the problem asks for beyond the limits, each refusal naming the field that asks for it. */
export function refusals(problem: Problem): Diagnostic[] {
  const g = convGeometry(problem);
  const out: Diagnostic[] = [];
  const planes = (n: number) => (n === 1 ? '' : ` in ${grouped(n)} planes`);
  const padded = g.batch * g.inChannels * g.padded.rows * g.padded.cols;
  if (padded > LIMITS.entries) {
    const p = g.padding;
    const padding = p.top + p.bottom + p.left + p.right > 0;
    const by = padding ? `${p.top === p.bottom && p.left === p.right && p.top === p.left ? p.top : `(${p.top}, ${p.bottom}, ${p.left}, ${p.right})`} makes` : 'is';
    out.push({ path: padding ? 'padding' : 'input', message: `${by} a ${grouped(g.padded.rows)}×${grouped(g.padded.cols)} padded input${planes(g.batch * g.inChannels)}: ${formatCount(padded)} entries, over the ${formatCount(LIMITS.entries)} limit` });
  }
  const sigma = g.batch * g.outChannels * g.output.rows * g.output.cols;
  if (sigma > LIMITS.entries) out.push({ path: 'input', message: `makes a ${grouped(g.output.rows)}×${grouped(g.output.cols)} convolution output${planes(g.batch * g.outChannels)}: ${formatCount(sigma)} entries, over the ${formatCount(LIMITS.entries)} limit` });
  if (problem.kernel.data.length > LIMITS.entries) out.push({ path: 'kernel', message: `${formatCount(problem.kernel.data.length)} entries, over the ${formatCount(LIMITS.entries)} limit` });
  const parameters = problem.kernel.data.length + (problem.bias?.values.length ?? 0);
  if (parameters * problem.steps > LIMITS.entries && problem.steps > 1) {
    out.push({ path: 'steps', message: `${problem.steps} steps of ${formatCount(parameters)} parameters make a trajectory of ${formatCount(parameters * problem.steps)} numbers, over the ${formatCount(LIMITS.entries)} limit; take fewer steps` });
  }
  if (out.length > 0) return out;
  const seconds = (problem.steps * stepMicroseconds(problem)) / 1e6;
  if (seconds > LIMITS.seconds) {
    const w = workload(problem);
    const what = `${w.description}: ${formatCount(w.multiplyAdds)} multiply-adds and ${formatCount(w.entries)} entries a step`;
    out.push({ path: problem.steps > 1 ? 'steps' : 'input', message: `${problem.steps > 1 ? `${problem.steps} steps of ` : ''}${what} take about ${Math.round(seconds)} s, over the ${LIMITS.seconds} s limit${problem.steps > 1 ? '; take fewer steps' : ''}` });
  }
  return out;
}

/**
 * The estimated microseconds of one step in float64: 1.5 µs an entry of σ and of the padded input
 * (the stages after the convolution, their gradients), 30 µs a parameter (the optimizer's update, the
 * trajectory and the result document: 18 s for a kernel of 500,000 entries), 4 ns a multiply-add in each of the three
 * convolutions, 50 ns a read of a pooling window, 0.3 µs a node of an expression (and of its
 * derivative) an entry it is evaluated on. Measured: 128×128 with a 5×5 kernel, 40 ms a step
 * (estimated 52 ms); ResNet's first layer (3×224×224, 64×3×7×7, stride 2), 4.5 s (estimated 2.7 s
 * plus reading and writing).
 */
export function stepMicroseconds(problem: Problem): number {
  const g = convGeometry(problem);
  const parameters = problem.kernel.data.length + (problem.bias?.values.length ?? 0);
  return g.batch * (g.outChannels * g.output.rows * g.output.cols * (1.5 + 0.3 * activationCost(problem)) + g.inChannels * g.padded.rows * g.padded.cols * 1.5) + parameters * 30 + workload(problem).multiplyAdds * 3 * 0.004 + poolReads(problem, g) * 0.05 + lossCost(problem) * 0.3;
}

/** Entries read by the pooling windows, all of them. */
function poolReads(problem: Problem, g: ConvGeometry): number {
  if (!problem.pool) return 0;
  const [rows, cols] = pooledExtent(problem.pool, g.output.rows, g.output.cols);
  return g.batch * g.outChannels * rows * cols * problem.pool.size[0] * problem.pool.size[1];
}

const activationCost = (problem: Problem) => activationRules(problem.activation).cost?.(problem.activation) ?? 0;

/** Nodes evaluated for the loss's expression over every prediction entry. */
function lossCost(problem: Problem): number {
  if (problem.loss.type !== 'expression') return 0;
  return problem.loss.expression.cost * problem.target.data.length;
}

/**
 * A refusal of `convgrad check` that would take too long: finite differences take up to four
 * forward passes for each entry they difference (a third of a step each), TF.js and PyTorch some
 * twenty more between them.
 */
export function checkRefusal(problem: Problem, differenced: number, allEntries: boolean): string | undefined {
  const forward = stepMicroseconds(problem) / 3;
  const seconds = ((differenced * 4 + 20) * forward) / 1e6;
  if (seconds <= LIMITS.seconds) return undefined;
  const w = workload(problem);
  return `${w.description}: ${grouped(differenced)} entries differenced${allEntries ? ' (--all-entries)' : ''}, four forward passes each, take about ${Math.round(seconds)} s, over the ${LIMITS.seconds} s limit${allEntries ? '; without --all-entries a sample of each tensor is differenced' : ''}`;
}

/**
 * A refusal of a derivation entry by entry (--detail auto or full) that would be too large: by its
 * multiply-adds, and for --detail full by the size of the largest document it would write.
 */
export function derivationRefusal(problem: Problem, detail: 'full' | 'auto' | 'summary', html: boolean): string | undefined {
  const work = workload(problem);
  // A document shows every channel's bias, and ∂L/∂X̃ as a sum over the output channels: a few hundred at most.
  const g = convGeometry(problem);
  const planes = Math.max(g.outChannels, g.batch * g.inChannels);
  if (planes > LIMITS.documentChannels) {
    return `${work.description}: ${grouped(planes)} channels, more than a derivation shows (${LIMITS.documentChannels}); use --json or --format json`;
  }
  if (detail === 'summary') return undefined;
  const seconds = derivationMicroseconds(problem, detail) / 1e6;
  if (seconds > LIMITS.derivationSeconds) {
    return `${work.description}: a derivation entry by entry would take about ${Math.round(seconds)} s, over the ${LIMITS.derivationSeconds} s limit; use --json, --format json or --detail summary`;
  }
  const bytes = fullDerivationBytes(problem) * (html ? HTML_PER_MARKDOWN_BYTE : 1);
  if (detail === 'full' && bytes > LIMITS.fullDerivationBytes) {
    return `${work.description} would write about ${formatCount(bytes)}B of ${html ? 'HTML' : 'LaTeX and Markdown'}, over the ${formatCount(LIMITS.fullDerivationBytes)}B limit; use --detail auto, which derives some entries and shows every value`;
  }
  return undefined;
}

/**
 * The estimated microseconds of a derivation: each kernel entry shown is derived from every σ of its
 * output channel written out (N·H'·W' of them, C_in/groups·kh·kw products each), so the work is
 * N·H'·W' · (products + 8) · 10 µs for each of the (at most two) output channels shown. Measured:
 * 360×360 with a 3×3 kernel 17 s (estimated 22 s), 1×200,000 with 1×2 12.6 s (20 s), 302×302 with
 * 2×2 and an average pool of 300×300 10.7 s (10.8 s), 3×128×128 with 8×3×5×5 9 s (25 s).
 * Then ∂L/∂X̃ as δ̃ ⋆ rot180(K↑d), shown for one input channel (every one with --detail full): each
 * output channel's δ̃ (as large as X̃) and its dilated kernel, written out and checked at some 4 µs an
 * entry (3×3 with a 2×2 kernel, dilation 1000 and "same" padding: two 1003×1003 matrices, 7.4 s).
 */
export function derivationMicroseconds(problem: Problem, detail: 'full' | 'auto'): number {
  const g = convGeometry(problem);
  const products = channelsPerGroup(g) * g.kernel.rows * g.kernel.cols;
  const sums = g.batch * g.output.rows * g.output.cols * Math.min(2, g.outChannels) * (products + 8) * 10;
  const dilatedKernel = (g.dilation[0] * (g.kernel.rows - 1) + 1) * (g.dilation[1] * (g.kernel.cols - 1) + 1);
  const inputPlanes = detail === 'full' ? g.batch * g.inChannels : 1;
  return sums + inputPlanes * g.outChannels * (g.padded.rows * g.padded.cols + dilatedKernel) * 4;
}

/**
 * About how many bytes `convgrad vectors` writes into one problem's vectors.json: every stage's
 * tensor (the padded input and its gradient, some eight maps of σ's size on the way up and down, the
 * input and its gradient, the parameters with their gradients and optimizer state at each step) at
 * some 40 bytes an entry (37 measured: a 401×401 map with relu, 53 MB).
 */
export function vectorsBytes(problem: Problem): number {
  const g = convGeometry(problem);
  const padded = g.batch * g.inChannels * g.padded.rows * g.padded.cols;
  const sigma = g.batch * g.outChannels * g.output.rows * g.output.cols;
  const parameters = problem.kernel.data.length + (problem.bias?.values.length ?? 0);
  return (2 * padded + 8 * sigma + 2 * problem.input.data.length + problem.target.data.length + parameters * (3 + 4 * problem.steps)) * 40;
}

/** A refusal of vectors too large to write as one JSON text. */
export function vectorsRefusal(problem: Problem): Diagnostic[] {
  const bytes = vectorsBytes(problem);
  if (bytes <= LIMITS.vectorsBytes) return [];
  return [{ path: 'input', message: `${workload(problem).description}: vectors.json would take about ${formatCount(bytes)}B, over the ${formatCount(LIMITS.vectorsBytes)}B limit; convgrad derive --json gives the result document` }];
}

/** The HTML of a derivation (KaTeX's markup, and each formula's source to copy) per byte of its Markdown: 63 for 28×28 with a 3×3 kernel. */
export const HTML_PER_MARKDOWN_BYTE = 63;

/**
 * About how many bytes one text format of a --detail full derivation takes: every term of every σ,
 * of every ∂L/∂k (N·H'·W' terms each) and of every ∂L/∂x (C_out·kh·kw terms at most) written three
 * times (symbols, numbers, products) at some 14 bytes a term (measured on Markdown).
 */
export function fullDerivationBytes(problem: Problem): number {
  const g = convGeometry(problem);
  const sigmaTerms = g.batch * g.outChannels * g.output.rows * g.output.cols * channelsPerGroup(g) * g.kernel.rows * g.kernel.cols;
  const kernelTerms = g.outChannels * channelsPerGroup(g) * g.kernel.rows * g.kernel.cols * g.batch * g.output.rows * g.output.cols;
  const inputTerms = g.batch * g.inChannels * g.input.rows * g.input.cols * g.outChannels * g.kernel.rows * g.kernel.cols;
  return (sigmaTerms + kernelTerms + inputTerms) * 3 * 14;
}

/**
 * The exact work convgrad does for a problem before it goes on in float64, in estimated
 * microseconds: some 20 s. Most problems never come near it; a large map over many steps, whose
 * numbers grow with every step, does (model and measurements at exactStepCost).
 */
export const EXACT_BUDGET = 20e6;

/**
 * The estimated microseconds of one exact step from the parameters it starts from: every entry of σ,
 * of the padded input and of the parameters costs some 4 + 2·b µs over the step (activation, pooling, loss, their
 * gradients, the conversions), b the bits of σ's numbers (the parameters' bits, the input's, and
 * log2 of the terms of a sum), a node of an expression 2 + b µs an entry it is evaluated on, a read
 * of a pooling window 1 + b/4 µs;
 * every multiply-add about 5 ns in each of the three convolutions (σ, ∂L/∂K, ∂L/∂X̃), times the
 * pairs of limbs its numbers need (model/dense.ts). Measured over 6 problems of 16×16 to 64×64 and 1
 * to 14 SGD steps with numbers of 5 to 520 bits: the estimate is 1.7 to 10 times the time taken.
 */
export function exactStepCost(problem: Problem, parameters: { readonly kernel: { readonly data: readonly Scalar[] }; readonly bias?: readonly Scalar[] }): number {
  const g = convGeometry(problem);
  const terms = channelsPerGroup(g) * g.kernel.rows * g.kernel.cols;
  const bits = Math.min(sumBits([parameters.kernel.data, parameters.bias ?? []]) + fixedBits(problem) + Math.ceil(Math.log2(terms)), BITS_CAP);
  const sigma = g.batch * g.outChannels * g.output.rows * g.output.cols;
  const pairs = Math.ceil(bits / 45) ** 2;
  const parameterCount = parameters.kernel.data.length + (parameters.bias?.length ?? 0);
  return (entriesPerStep(g) + parameterCount) * (4 + 2 * bits) + (activationCost(problem) * sigma + lossCost(problem)) * (2 + bits) + 2 * poolReads(problem, g) * (1 + bits / 4) + workload(problem).multiplyAdds * 3 * pairs * 0.005;
}

/** Bits past which the exact work is out of the budget whatever the size: the count of bits stops there. */
const BITS_CAP = 1 << 16;

/**
 * The bits of the numbers that sums of products of these values reach: the largest numerator's, or
 * the lcm of the denominators' where that is more (S, the sum of every σ, is exact over that lcm;
 * with distinct large denominators it grows with their count, not with the largest; with one
 * denominator, or decimals, it is the largest), counted up to BITS_CAP (0 for float64 values).
 */
function sumBits(tensors: readonly (readonly Scalar[])[]): number {
  let numerator = 0;
  const denominators = new Set<bigint>();
  for (const values of tensors) {
    for (const x of values) {
      if (!isExact(x)) continue;
      numerator = Math.max(numerator, bitLength(x.n));
      if (x.d !== 1n) denominators.add(x.d);
    }
  }
  let lcm = 1n;
  for (const d of denominators) {
    lcm = (lcm / gcd(lcm, d)) * d;
    if (bitLength(lcm) > BITS_CAP) return BITS_CAP;
  }
  return Math.max(numerator, bitLength(lcm));
}

const fixedBitsOf = new WeakMap<Problem, number>();

/** The bits of the input's and the target's numbers, which every step reads. */
function fixedBits(problem: Problem): number {
  let bits = fixedBitsOf.get(problem);
  if (bits === undefined) fixedBitsOf.set(problem, (bits = sumBits([problem.input.data, problem.target.data])));
  return bits;
}
