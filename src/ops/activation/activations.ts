// Every elementwise activation, and the one place that finds an activation's rules by its name.
// A new activation is a file in this folder and a line here.
import type { Activation } from '../../problem/problem.js';
import type { ElementwiseActivation } from './elementwise.js';
import { expression } from './expression.js';
import { gelu } from './gelu.js';
import { leakyRelu } from './leaky-relu.js';
import { none } from './none.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';
import { tanh } from './tanh.js';

/** The activations a problem file names, in the order the problem's reader lists them. */
export const NAMED_ACTIVATIONS: readonly ElementwiseActivation[] = [none, relu, sigmoid, tanh, leakyRelu, gelu];

const BY_TYPE = new Map<string, ElementwiseActivation>([...NAMED_ACTIVATIONS, expression].map((a) => [a.type, a]));

export function activationRules(f: Activation): ElementwiseActivation {
  const rules = BY_TYPE.get(f.type);
  if (!rules) throw new Error(`internal error: no activation "${f.type}"`);
  return rules;
}

/** f(σ) in TeX. */
export function activationTex(f: Activation, x = '\\sigma'): string {
  return activationRules(f).tex(f, x);
}

/** f'(σ) in TeX, written with a = f(σ) where that is how PyTorch computes it. */
export function activationSlopeTex(f: Activation, x = '\\sigma', a = 'a'): string {
  return activationRules(f).slopeTex(f, x, a);
}
