// How much a problem asks for, said in numbers before any of it is done.
import { channelsPerGroup, convGeometry } from './geometry.js';
import type { Problem } from '../problem/problem.js';

export interface Workload {
  /** Multiply-adds of one forward pass: N · C_out · H' · W' · C_in/groups · kh · kw. */
  readonly multiplyAdds: number;
  /** "input 3×128×128, kernel 8×3×5×5" */
  readonly description: string;
}

/** The most multiply-adds convgrad computes (exactly) for --json; beyond it a run would not fit in memory or time. */
export const MAX_MULTIPLY_ADDS = 1e9;
/** The most a derivation (entry by entry, --detail auto or full) takes on. */
export const MAX_DERIVED_MULTIPLY_ADDS = 5e7;

export function workload(problem: Problem): Workload {
  const g = convGeometry(problem);
  const multiplyAdds = g.batch * g.outChannels * g.output.rows * g.output.cols * channelsPerGroup(g) * g.kernel.rows * g.kernel.cols;
  const input = problem.input.shape.slice(4 - problem.inputForm).join('×');
  const kernel = problem.kernel.shape.slice(4 - problem.kernelForm).join('×');
  return { multiplyAdds, description: `input ${input}, kernel ${kernel}` };
}

/** 9.2 M, 2.4 G: a count in words a person reads at a glance. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return `${n}`;
}

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
