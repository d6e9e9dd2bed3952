// torch.optim.Adam and torch.optim.AdamW: one update, the weight decay added to the gradient (Adam)
// or applied to the parameter itself before the step (AdamW, decoupled).
// AdamW first: θ ← θ(1 − ηλ). Adam: g = ∇ + λθ (AdamW: g = ∇)
// m = β₁m + (1 − β₁)g,  v = β₂v + (1 − β₂)g²,  v_max = max(v_max, v) with amsgrad
// m̂ = m / (1 − β₁ᵗ),  denominator = √v / √(1 − β₂ᵗ) + ε   (ε after the root, as PyTorch)
// θ' = θ − η·m̂ / denominator
import { powerTex, rationalTex, scalarTex } from '../expr/to-tex.js';
import { rational, ZERO, type Rational } from '../numbers/rational.js';
import { add, asDouble, compare, div, mul, ONE, powInteger, sub, type Scalar } from '../numbers/scalar.js';
import { chain, operandTex as op, withValues } from '../derivation/tex.js';
import { value as shown } from '../derivation/blocks.js';
import { decayedGradient, decayLegend, decayTex, entryGradient, entryResult, gradientRule, settingTex, atLeastZero, type OptimizerRules } from './optimizer.js';

type Adam = {
  readonly type: 'adam' | 'adamw';
  readonly lr: Rational;
  readonly betas: readonly [Rational, Rational];
  readonly eps: Rational;
  readonly weight_decay: Rational;
  readonly amsgrad: boolean;
};

const belowOne = (r: Rational) => r.compare(0) >= 0 && r.compare(1) < 0;

function adamFamily(type: 'adam' | 'adamw'): OptimizerRules<Adam> {
  const decoupled = type === 'adamw';
  return {
    type,
    torchClass: decoupled ? 'torch.optim.AdamW' : 'torch.optim.Adam',
    settings: {
      lr: atLeastZero(rational(1, 1000), 'a learning rate ≥ 0'),
      betas: { kind: 'pair', fallback: [rational(9, 10), rational(999, 1000)], check: belowOne, expected: 'a number in [0, 1)', shape: '[beta1, beta2]' },
      eps: atLeastZero(rational(1, 100_000_000), 'an eps ≥ 0'),
      weight_decay: atLeastZero(decoupled ? rational(1, 100) : ZERO, 'a weight decay ≥ 0'),
      amsgrad: { kind: 'flag' },
    },
    step(o, t, theta, gradient, state) {
      const [b1, b2] = o.betas;
      const decayed = decoupled ? theta.map((p) => mul(p, sub(ONE, mul(o.lr, o.weight_decay)))) : theta;
      const g = decoupled ? gradient : decayedGradient(o, theta, gradient);
      const m0 = state.exp_avg ?? theta.map(() => ZERO);
      const v0 = state.exp_avg_sq ?? theta.map(() => ZERO);
      const m = g.map((gk, k) => add(mul(b1, m0[k]), mul(sub(ONE, b1), gk)));
      const v = g.map((gk, k) => add(mul(b2, v0[k]), mul(sub(ONE, b2), mul(gk, gk))));
      const vmax = o.amsgrad ? v.map((vk, k) => (state.max_exp_avg_sq && compare(state.max_exp_avg_sq[k], vk) > 0 ? state.max_exp_avg_sq[k] : vk)) : undefined;
      const correction1 = sub(ONE, powInteger(b1, t));
      const correction2 = sub(ONE, powInteger(b2, t));
      const mHat = m.map((mk) => div(mk, correction1));
      const root = Math.sqrt(asDouble(correction2));
      const denominator = (vmax ?? v).map((vk) => Math.sqrt(asDouble(vk)) / root + asDouble(o.eps));
      // η·m̂/denominator: exactly 0 where m̂ is 0 and the denominator is not; 0/0 (eps = 0 and a zero
      // gradient) is NaN, as in PyTorch, and the problem is then refused for its NaN.
      const update = mHat.map((mk, k): Scalar => (compare(mk, ZERO) === 0 && denominator[k] !== 0 ? ZERO : (asDouble(o.lr) * asDouble(mk)) / denominator[k]));
      const parameters = decayed.map((p, k) => sub(p, update[k]));
      const next: Record<string, readonly Scalar[]> = { exp_avg: m, exp_avg_sq: v, ...(vmax ? { max_exp_avg_sq: vmax } : {}) };
      return { parameters, state: next, record: { ...(decoupled ? { decayed } : {}), g, exp_avg: m, exp_avg_sq: v, ...(vmax ? { max_exp_avg_sq: vmax } : {}), m_hat: mHat, denominator, update, parameters } };
    },
    nameKey: (o) => (decoupled ? (o.amsgrad ? 'optim.name.adamw.amsgrad' : 'optim.name.adamw') : o.amsgrad ? 'optim.name.adam.amsgrad' : 'optim.name.adam'),
    ruleKey: () => (decoupled ? 'optim.rule.adamw' : 'optim.rule.adam'),
    ruleChains(o) {
      const v = o.amsgrad ? 'v^{\\max}_t' : 'v_t';
      return [
        ...(decoupled ? [chain('\\tilde\\theta_{t-1}', '\\theta_{t-1} (1 - \\eta \\lambda)')] : []),
        gradientRule(!decoupled && !o.weight_decay.equals(0)),
        chain('m_t', '\\beta_1 m_{t-1} + (1 - \\beta_1) g_t'),
        chain('v_t', '\\beta_2 v_{t-1} + (1 - \\beta_2) g_t^2'),
        chain('\\hat m_t', '\\frac{m_t}{1 - \\beta_1^t}'),
        chain('\\theta_t', `${decoupled ? '\\tilde\\theta_{t-1}' : '\\theta_{t-1}'} - \\eta \\, \\frac{\\hat m_t}{\\sqrt{${v} / (1 - \\beta_2^t)} + \\varepsilon}`),
      ];
    },
    notes: (o) => [...(o.amsgrad ? ['optim.amsgrad-note' as const] : []), 'optim.rounded-note'],
    settingsTex: (o) => [`\\eta = ${settingTex(o.lr)}`, `\\beta_1 = ${settingTex(o.betas[0])}`, `\\beta_2 = ${settingTex(o.betas[1])}`, `\\varepsilon = ${settingTex(o.eps)}`, ...decayTex(o, decoupled)].join(', \\; '),
    legend: (o) => [
      ...decayLegend(o, decoupled),
      { symbol: '\\beta_1,\\ \\beta_2,\\ m_t,\\ v_t', meaning: { key: 'legend.optim.adam' } },
      { symbol: '\\hat m_t,\\ \\varepsilon', meaning: { key: 'legend.optim.adam.correction' } },
    ],
    entryChains(o, e) {
      const r = rationalTex;
      const { t, k, name, theta, record, previous } = e;
      const at = (key: string) => record[key][k];
      const [b1, b2] = o.betas;
      const m0 = previous.exp_avg?.[k] ?? ZERO;
      const v0 = previous.exp_avg_sq?.[k] ?? ZERO;
      const start = decoupled ? [chain(`\\tilde ${name}`, `${name} (1 - \\eta \\lambda)`, withValues(`${op(theta)} \\cdot (1 - ${r(o.lr)} \\cdot ${r(o.weight_decay)})`, [theta]), shown(at('decayed')))] : [];
      const { chains: g, g: gName, gSquared } = entryGradient(o, !decoupled && !o.weight_decay.equals(0), e, op);
      const vUsed = o.amsgrad ? at('max_exp_avg_sq') : at('exp_avg_sq');
      const base = decoupled ? `\\tilde ${name}` : name;
      return [
        ...start,
        ...g,
        chain(`m_{${t}}`, `\\beta_1 m_{${t - 1}} + (1 - \\beta_1) ${gName}`, withValues(`${r(b1)} \\cdot ${op(m0)} + ${r(b1.neg().add(1))} \\cdot ${op(at('g'))}`, [m0, at('g')]), shown(at('exp_avg'))),
        chain(`v_{${t}}`, `\\beta_2 v_{${t - 1}} + (1 - \\beta_2) ${gSquared}`, withValues(`${r(b2)} \\cdot ${op(v0)} + ${r(b2.neg().add(1))} \\cdot ${powerTex(op(at('g')), '2')}`, [v0, at('g')]), shown(at('exp_avg_sq'))),
        ...(o.amsgrad ? [chain(`v^{\\max}_{${t}}`, `\\max(v^{\\max}_{${t - 1}}, v_{${t}})`, shown(at('max_exp_avg_sq')))] : []),
        chain(`\\hat m_{${t}}`, `\\frac{m_{${t}}}{1 - \\beta_1^{${t}}}`, withValues(`\\frac{${scalarTex(at('exp_avg'))}}{1 - ${r(b1)}^{${t}}}`, [at('exp_avg')]), shown(at('m_hat'))),
        entryResult(
          e,
          `${base} - \\eta \\, \\frac{\\hat m_{${t}}}{\\sqrt{${o.amsgrad ? `v^{\\max}_{${t}}` : `v_{${t}}`} / (1 - \\beta_2^{${t}})} + \\varepsilon}`,
          `${scalarTex(decoupled ? at('decayed') : theta)} - ${r(o.lr)} \\cdot \\frac{${scalarTex(at('m_hat'))}}{\\sqrt{${scalarTex(vUsed)} / (1 - ${r(b2)}^{${t}})} + ${settingTex(o.eps)}}`,
          [decoupled ? at('decayed') : theta, at('m_hat'), vUsed],
        ),
      ];
    },
  };
}

export const adam = adamFamily('adam');
export const adamw = adamFamily('adamw');
