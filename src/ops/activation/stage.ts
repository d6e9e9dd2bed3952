// The activation as a stage: a = f(σ) entry by entry, and back δ = ∂L/∂a ⊙ f'(σ).
import { mul } from '../../numbers/scalar.js';
import type { Activation } from '../../problem/problem.js';
import type { Stage } from '../stage.js';
import { activationRules } from './activations.js';

export function activationStage(f: Activation): Stage<undefined> {
  const rules = activationRules(f);
  return {
    op: 'activation',
    parameterNames: [],
    outputShape: (input) => input,
    forward: (sigma) => ({ output: { shape: sigma.shape, data: sigma.data.map((x) => rules.value(f, x)) }, saved: undefined }),
    // δ = ∂L/∂a ⊙ f'(σ); f'(σ) is recorded for the derivation
    backward(upstream, { input: sigma, output: a }) {
      const slope = { shape: sigma.shape, data: sigma.data.map((x, k) => rules.slope(f, x, a.data[k])) };
      return { input: { shape: sigma.shape, data: upstream.data.map((g, k) => mul(g, slope.data[k])) }, parameters: {}, records: { slope } };
    },
  };
}
