// What an optimizer of torch.optim is to convgrad: one file an optimizer in this folder, listed in
// optimizers.ts. Each gives its settings with PyTorch's defaults, its update on the flat list of
// parameters (the kernel's entries, then the bias's) with every intermediate quantity by name, its
// rule in TeX and with one entry's numbers, its legend, and its torch.optim line.
import { rationalTex, scalarTex } from '../expr/to-tex.js';
import type { Rational } from '../numbers/rational.js';
import { add, mul, type Scalar } from '../numbers/scalar.js';
import type { Optimizer } from '../problem/problem.js';
import type { StringKey } from '../strings/strings.js';
import { chain, partial, primed, withValues } from '../derivation/tex.js';
import { value as shown } from '../derivation/blocks.js';
import type { Chain, LegendEntry } from '../derivation/step.js';

/** Per-entry buffers, named as in torch.optim: momentum_buffer, exp_avg, exp_avg_sq, max_exp_avg_sq, square_avg, grad_avg, sum. */
export type OptimizerState = Readonly<Record<string, readonly Scalar[]>>;

/** Every quantity of one step, entry by entry, by name (g: the gradient after weight decay, update: what is subtracted). */
export type StepRecord = Readonly<Record<string, readonly Scalar[]>>;

export interface OptimizerStep {
  readonly parameters: readonly Scalar[];
  readonly state: OptimizerState;
  readonly record: StepRecord;
}

/** A setting of torch.optim's constructor, with its default and the values it takes. */
export type Setting =
  | { readonly kind: 'number'; readonly fallback: Rational; readonly check: (r: Rational) => boolean; readonly expected: string }
  | { readonly kind: 'flag' }
  | { readonly kind: 'pair'; readonly fallback: readonly [Rational, Rational]; readonly check: (r: Rational) => boolean; readonly expected: string; readonly shape: string };

/** A setting that takes any number ≥ 0, as most of torch.optim's do. */
export function atLeastZero(fallback: Rational, expected: string): Setting {
  return { kind: 'number', fallback, check: (r) => r.compare(0) >= 0, expected };
}

/** One entry of a step, for the derivation to write with its numbers. */
export interface EntryStep {
  /** Step t = 1, 2, … */
  readonly t: number;
  /** Flat index of the parameter. */
  readonly k: number;
  /** The parameter's name in TeX: k_{11}, b. */
  readonly name: string;
  readonly theta: Scalar;
  readonly grad: Scalar;
  readonly record: StepRecord;
  /** The state after step t − 1 ({} before the first). */
  readonly previous: OptimizerState;
}

export interface OptimizerRules<O extends Optimizer = Optimizer> {
  /** The problem file's name: "sgd". */
  readonly type: string;
  /** torch.optim's class. */
  readonly torchClass: string;
  /** Its settings in torch.optim's order, with torch.optim's defaults. */
  readonly settings: Readonly<Record<string, Setting>>;
  /** What torch.optim refuses of settings that are each fine alone: "path: message", or undefined. */
  refuse?(o: O): { readonly path: string; readonly message: string } | undefined;
  /** One update at step t = 1, 2, …, from the parameters θ, their gradients ∇ and the state after step t − 1. */
  step(o: O, t: number, theta: readonly Scalar[], gradient: readonly Scalar[], state: OptimizerState): OptimizerStep;
  /** θ' = θ − η ∂L/∂θ and nothing more: shown in one line an entry. */
  plain?(o: O): boolean;
  /** Its name as the strings table words it, its switches included (Nesterov, AMSGrad, centered). */
  nameKey(o: O): StringKey;
  /** The sentence that introduces its rule. */
  ruleKey(o: O): StringKey;
  /** The rule in symbols, each line a chain. */
  ruleChains(o: O): Chain[];
  /** Notes after the rule (momentum's first step, AMSGrad, the rounding of a square root). */
  notes(o: O): StringKey[];
  /** η = 0.01, μ = 0.9, …: every setting the rule uses. */
  settingsTex(o: O): string;
  /** Its legend, after θ, η, g_t and θ': λ where weight decay is on, then its own symbols. */
  legend(o: O): LegendEntry[];
  /** The chains of one entry's step: every quantity of the rule with this entry's numbers. */
  entryChains(o: O, entry: EntryStep): Chain[];
}

/** Every setting of the optimizer under torch.optim's name, in torch.optim's order. */
export function settingValues(rules: OptimizerRules, o: Optimizer): [string, Rational | boolean | readonly Rational[]][] {
  // The reader built o from rules.settings, so each name is there with the kind its setting says.
  const values = o as unknown as Readonly<Record<string, Rational | boolean | readonly Rational[]>>;
  return Object.keys(rules.settings).map((name) => [name, values[name]]);
}

export function isRationalPair(value: Rational | boolean | readonly Rational[]): value is readonly Rational[] {
  return Array.isArray(value);
}

/** 10^{-8} for a power of ten far from 1, the decimal or fraction otherwise. */
export function settingTex(r: Rational): string {
  for (let k = 4; k <= 30; k++) {
    if (r.n === 1n && r.d === 10n ** BigInt(k)) return `10^{-${k}}`;
    if (r.d === 1n && r.n === 10n ** BigInt(k)) return `10^{${k}}`;
  }
  return rationalTex(r);
}

/** λ = … where weight decay is on (or always). */
export function decayTex(o: Optimizer, always = false): string[] {
  return always || !o.weight_decay.equals(0) ? [`\\lambda = ${settingTex(o.weight_decay)}`] : [];
}

// g = ∇ + λθ
export function decayedGradient(o: Optimizer, theta: readonly Scalar[], gradient: readonly Scalar[]): Scalar[] {
  return gradient.map((d, k) => add(d, mul(o.weight_decay, theta[k])));
}

/** λ in the legend where weight decay is on: added to the gradient, or (decoupled) applied to θ itself. */
export function decayLegend(o: Optimizer, decoupled = false): LegendEntry[] {
  return o.weight_decay.equals(0) ? [] : [{ symbol: '\\lambda', meaning: { key: decoupled ? 'legend.optim.decay.decoupled' : 'legend.optim.decay' } }];
}

/** g_t = ∇_θ L (+ λθ_{t−1}) */
export function gradientRule(decay: boolean): Chain {
  return chain('g_t', `\\nabla_\\theta L${decay ? ' + \\lambda \\theta_{t-1}' : ''}`);
}

/** PyTorch's momentum_buffer at step t. */
export const buf = (t: number) => `\\mathrm{buf}_{${t}}`;

/** g = ∂L/∂θ + λθ with this entry's numbers, where weight decay is on; and how the rule then names g. */
export function entryGradient(o: Optimizer, decay: boolean, e: EntryStep, operand: (x: Scalar) => string): { chains: Chain[]; g: string; gSquared: string } {
  const chains = decay ? [chain('g', `${partial('L', e.name)} + \\lambda ${e.name}`, withValues(`${scalarTex(e.grad)} + ${rationalTex(o.weight_decay)} \\cdot ${operand(e.theta)}`, [e.grad, e.theta]), shown(e.record.g[e.k]))] : [];
  const g = decay ? 'g' : partial('L', e.name);
  return { chains, g, gSquared: decay ? 'g^2' : `\\left(${g}\\right)^2` };
}

/** θ' = expression = numbers ≈ value: the entry's last line. */
export function entryResult(e: EntryStep, expression: string, numbers: string, values: readonly Scalar[]): Chain {
  return chain(primed(e.name), expression, withValues(numbers, values), shown(e.record.parameters[e.k]));
}
