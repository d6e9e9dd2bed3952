// torch.optim.RMSprop
// g = ∇ + λθ,  s = αs + (1 − α)g²,  centered: ḡ = αḡ + (1 − α)g and s̃ = s − ḡ², else s̃ = s
// denominator = √s̃ + ε;  with momentum μ: b = μb + g/denominator and θ' = θ − ηb; else θ' = θ − η·g/denominator
import { powerTex, rationalTex, scalarTex } from '../expr/to-tex.js';
import { rational, ZERO, type Rational } from '../numbers/rational.js';
import { add, asDouble, compare, mul, ONE, sub, type Scalar } from '../numbers/scalar.js';
import { chain, operandTex as op, withValues } from '../derivation/tex.js';
import { value as shown } from '../derivation/blocks.js';
import type { Chain } from '../derivation/step.js';
import { buf, decayedGradient, decayLegend, decayTex, entryGradient, entryResult, gradientRule, settingTex, atLeastZero, type OptimizerRules } from './optimizer.js';

type RmsProp = {
  readonly type: 'rmsprop';
  readonly lr: Rational;
  readonly alpha: Rational;
  readonly eps: Rational;
  readonly momentum: Rational;
  readonly centered: boolean;
  readonly weight_decay: Rational;
};


export const rmsprop: OptimizerRules<RmsProp> = {
  type: 'rmsprop',
  torchClass: 'torch.optim.RMSprop',
  settings: {
    lr: atLeastZero(rational(1, 100), 'a learning rate ≥ 0'),
    alpha: atLeastZero(rational(99, 100), 'an alpha ≥ 0'),
    eps: atLeastZero(rational(1, 100_000_000), 'an eps ≥ 0'),
    momentum: atLeastZero(ZERO, 'a momentum ≥ 0'),
    centered: { kind: 'flag' },
    weight_decay: atLeastZero(ZERO, 'a weight decay ≥ 0'),
  },
  step(o, _t, theta, gradient, state) {
    const g = decayedGradient(o, theta, gradient);
    const s0 = state.square_avg ?? theta.map(() => ZERO);
    const s = g.map((gk, k) => add(mul(o.alpha, s0[k]), mul(sub(ONE, o.alpha), mul(gk, gk))));
    const record: Record<string, readonly Scalar[]> = { g, square_avg: s };
    const next: Record<string, readonly Scalar[]> = { square_avg: s };
    let centeredAvg: readonly Scalar[] | undefined;
    if (o.centered) {
      const a0 = state.grad_avg ?? theta.map(() => ZERO);
      centeredAvg = g.map((gk, k) => add(mul(o.alpha, a0[k]), mul(sub(ONE, o.alpha), gk)));
      record.grad_avg = centeredAvg;
      next.grad_avg = centeredAvg;
    }
    const variance = centeredAvg ? s.map((sk, k) => sub(sk, mul(centeredAvg![k], centeredAvg![k]))) : s;
    const denominator = variance.map((x) => Math.sqrt(asDouble(x)) + asDouble(o.eps));
    record.denominator = denominator;
    let update: Scalar[];
    if (compare(o.momentum, ZERO) > 0) {
      const b0 = state.momentum_buffer ?? theta.map(() => ZERO);
      const buffer = g.map((gk, k) => asDouble(mul(o.momentum, b0[k])) + asDouble(gk) / denominator[k]);
      record.momentum_buffer = buffer;
      next.momentum_buffer = buffer;
      update = buffer.map((b) => mul(o.lr, b));
    } else {
      update = g.map((gk, k) => (asDouble(o.lr) * asDouble(gk)) / denominator[k]);
    }
    const parameters = theta.map((p, k) => sub(p, update[k]));
    return { parameters, state: next, record: { ...record, update, parameters } };
  },
  nameKey: (o) => (o.centered ? 'optim.name.rmsprop.centered' : 'optim.name.rmsprop'),
  ruleKey: () => 'optim.rule.rmsprop',
  ruleChains(o) {
    const centered = o.centered;
    return [
      gradientRule(!o.weight_decay.equals(0)),
      chain('v_t', '\\alpha v_{t-1} + (1 - \\alpha) g_t^2'),
      ...(centered ? [chain('\\bar g_t', '\\alpha \\bar g_{t-1} + (1 - \\alpha) g_t')] : []),
      chain('D_t', centered ? '\\sqrt{v_t - \\bar g_t^2} + \\varepsilon' : '\\sqrt{v_t} + \\varepsilon'),
      ...(o.momentum.equals(0)
        ? [chain('\\theta_t', '\\theta_{t-1} - \\eta \\, \\frac{g_t}{D_t}')]
        : [chain('\\mathrm{buf}_t', '\\mu \\, \\mathrm{buf}_{t-1} + \\frac{g_t}{D_t}'), chain('\\theta_t', '\\theta_{t-1} - \\eta \\, \\mathrm{buf}_t')]),
    ];
  },
  notes: () => ['optim.rounded-note'],
  settingsTex: (o) => [`\\eta = ${settingTex(o.lr)}`, `\\alpha = ${settingTex(o.alpha)}`, `\\varepsilon = ${settingTex(o.eps)}`, ...(o.momentum.equals(0) ? [] : [`\\mu = ${settingTex(o.momentum)}`]), ...decayTex(o)].join(', \\; '),
  legend: (o) => [
    ...decayLegend(o),
    { symbol: '\\alpha,\\ v_t,\\ D_t,\\ \\varepsilon', meaning: { key: 'legend.optim.rmsprop' } },
    ...(o.centered ? [{ symbol: '\\bar g_t', meaning: { key: 'legend.optim.rmsprop.centered' as const } }] : []),
    ...(o.momentum.equals(0) ? [] : [{ symbol: '\\mu,\\ \\mathrm{buf}_t', meaning: { key: 'legend.optim.rmsprop.momentum' as const } }]),
  ],
  entryChains(o, e) {
    const r = rationalTex;
    const { t, k, name, theta, record, previous } = e;
    const at = (key: string) => record[key][k];
    const { chains: g, g: gName, gSquared } = entryGradient(o, !o.weight_decay.equals(0), e, op);
    const s0 = previous.square_avg?.[k] ?? ZERO;
    const chains: Chain[] = [
      ...g,
      chain(`v_{${t}}`, `\\alpha v_{${t - 1}} + (1 - \\alpha) ${gSquared}`, withValues(`${r(o.alpha)} \\cdot ${op(s0)} + ${r(o.alpha.neg().add(1))} \\cdot ${powerTex(op(at('g')), '2')}`, [s0, at('g')]), shown(at('square_avg'))),
    ];
    if (o.centered) {
      const g0 = previous.grad_avg?.[k] ?? ZERO;
      chains.push(chain(`\\bar g_{${t}}`, `\\alpha \\bar g_{${t - 1}} + (1 - \\alpha) ${gName}`, withValues(`${r(o.alpha)} \\cdot ${op(g0)} + ${r(o.alpha.neg().add(1))} \\cdot ${op(at('g'))}`, [g0, at('g')]), shown(at('grad_avg'))));
    }
    const root = o.centered ? `\\sqrt{${scalarTex(at('square_avg'))} - ${powerTex(op(at('grad_avg')), '2')}}` : `\\sqrt{${scalarTex(at('square_avg'))}}`;
    chains.push(chain(`D_{${t}}`, o.centered ? `\\sqrt{v_{${t}} - \\bar g_{${t}}^2} + \\varepsilon` : `\\sqrt{v_{${t}}} + \\varepsilon`, withValues(`${root} + ${settingTex(o.eps)}`, [at('square_avg'), ...(o.centered ? [at('grad_avg')] : [])]), shown(at('denominator'))));
    if (o.momentum.equals(0)) {
      chains.push(entryResult(e, `${name} - \\eta \\, \\frac{${gName}}{D_{${t}}}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot \\frac{${scalarTex(at('g'))}}{${scalarTex(at('denominator'))}}`, [theta, at('g'), at('denominator')]));
    } else {
      const b0 = previous.momentum_buffer?.[k] ?? ZERO;
      chains.push(chain(buf(t), `\\mu \\, ${buf(t - 1)} + \\frac{${gName}}{D_{${t}}}`, withValues(`${r(o.momentum)} \\cdot ${op(b0)} + \\frac{${scalarTex(at('g'))}}{${scalarTex(at('denominator'))}}`, [b0, at('g'), at('denominator')]), shown(at('momentum_buffer'))));
      chains.push(entryResult(e, `${name} - \\eta \\, ${buf(t)}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot ${op(at('momentum_buffer'))}`, [theta, at('momentum_buffer')]));
    }
    return chains;
  },
};
