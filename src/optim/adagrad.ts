// torch.optim.Adagrad
// g = ∇ + λθ,  η_t = η / (1 + (t − 1)·κ)   (κ: lr_decay)
// s = s + g²  (s starts at initial_accumulator_value),  denominator = √s + ε
// θ' = θ − η_t·g / denominator
import { powerTex, rationalTex, scalarTex } from '../expr/to-tex.js';
import { rational, ZERO, type Rational } from '../numbers/rational.js';
import { add, asDouble, compare, div, exact, mul, sub, type Scalar } from '../numbers/scalar.js';
import { chain, operandTex as op, withValues } from '../derivation/tex.js';
import { value as shown } from '../derivation/blocks.js';
import { decayedGradient, decayLegend, decayTex, entryGradient, entryResult, gradientRule, settingTex, atLeastZero, type OptimizerRules } from './optimizer.js';

type Adagrad = {
  readonly type: 'adagrad';
  readonly lr: Rational;
  readonly lr_decay: Rational;
  readonly weight_decay: Rational;
  readonly initial_accumulator_value: Rational;
  readonly eps: Rational;
};


// η_t = η / (1 + (t − 1)·κ): exact
const stepSize = (o: Adagrad, t: number): Scalar => div(o.lr, add(exact(1), mul(exact(t - 1), o.lr_decay)));

export const adagrad: OptimizerRules<Adagrad> = {
  type: 'adagrad',
  torchClass: 'torch.optim.Adagrad',
  settings: {
    lr: atLeastZero(rational(1, 100), 'a learning rate ≥ 0'),
    lr_decay: atLeastZero(ZERO, 'an lr_decay ≥ 0'),
    weight_decay: atLeastZero(ZERO, 'a weight decay ≥ 0'),
    initial_accumulator_value: atLeastZero(ZERO, 'an initial_accumulator_value ≥ 0'),
    eps: atLeastZero(rational(1, 10_000_000_000), 'an eps ≥ 0'),
  },
  step(o, t, theta, gradient, state) {
    const g = decayedGradient(o, theta, gradient);
    const s0 = state.sum ?? theta.map(() => o.initial_accumulator_value);
    const s = g.map((gk, k) => add(s0[k], mul(gk, gk)));
    const denominator = s.map((sk) => Math.sqrt(asDouble(sk)) + asDouble(o.eps));
    const eta = asDouble(stepSize(o, t));
    // η_t·g/denominator: exactly 0 where g is 0 and the denominator is not (0/0 is NaN, as in PyTorch)
    const update = g.map((gk, k): Scalar => (compare(gk, ZERO) === 0 && denominator[k] !== 0 ? ZERO : eta * (asDouble(gk) / denominator[k])));
    const parameters = theta.map((p, k) => sub(p, update[k]));
    return { parameters, state: { sum: s }, record: { g, sum: s, denominator, update, parameters } };
  },
  nameKey: () => 'optim.name.adagrad',
  ruleKey: () => 'optim.rule.adagrad',
  ruleChains: (o) => [
    gradientRule(!o.weight_decay.equals(0)),
    ...(o.lr_decay.equals(0) ? [] : [chain('\\eta_t', '\\frac{\\eta}{1 + (t - 1) \\kappa}')]),
    chain('s_t', 's_{t-1} + g_t^2'),
    chain('D_t', '\\sqrt{s_t} + \\varepsilon'),
    chain('\\theta_t', `\\theta_{t-1} - ${o.lr_decay.equals(0) ? '\\eta' : '\\eta_t'} \\, \\frac{g_t}{D_t}`),
  ],
  notes: () => ['optim.rounded-note'],
  settingsTex: (o) =>
    [`\\eta = ${settingTex(o.lr)}`, ...(o.lr_decay.equals(0) ? [] : [`\\kappa = ${settingTex(o.lr_decay)}`]), `s_0 = ${settingTex(o.initial_accumulator_value)}`, `\\varepsilon = ${settingTex(o.eps)}`, ...decayTex(o)].join(', \\; '),
  legend: (o) => [
    ...decayLegend(o),
    { symbol: 's_t,\\ D_t,\\ \\varepsilon', meaning: { key: 'legend.optim.adagrad' } },
    ...(o.lr_decay.equals(0) ? [] : [{ symbol: '\\eta_t,\\ \\kappa', meaning: { key: 'legend.optim.adagrad.lr-decay' as const } }]),
  ],
  entryChains(o, e) {
    const r = rationalTex;
    const { t, k, name, theta, record, previous } = e;
    const at = (key: string) => record[key][k];
    const { chains: g, g: gName, gSquared } = entryGradient(o, !o.weight_decay.equals(0), e, op);
    const s0 = previous.sum?.[k] ?? o.initial_accumulator_value;
    const decaying = !o.lr_decay.equals(0);
    const eta = stepSize(o, t);
    return [
      ...g,
      ...(decaying ? [chain(`\\eta_{${t}}`, `\\frac{\\eta}{1 + ${t - 1} \\kappa}`, `\\frac{${r(o.lr)}}{1 + ${t - 1} \\cdot ${r(o.lr_decay)}}`, shown(eta))] : []),
      chain(`s_{${t}}`, `s_{${t - 1}} + ${gSquared}`, withValues(`${scalarTex(s0)} + ${powerTex(op(at('g')), '2')}`, [s0, at('g')]), shown(at('sum'))),
      chain(`D_{${t}}`, `\\sqrt{s_{${t}}} + \\varepsilon`, withValues(`\\sqrt{${scalarTex(at('sum'))}} + ${settingTex(o.eps)}`, [at('sum')]), shown(at('denominator'))),
      entryResult(
        e,
        `${name} - ${decaying ? `\\eta_{${t}}` : '\\eta'} \\, \\frac{${gName}}{D_{${t}}}`,
        `${scalarTex(theta)} - ${scalarTex(eta)} \\cdot \\frac{${scalarTex(at('g'))}}{${scalarTex(at('denominator'))}}`,
        [theta, eta, at('g'), at('denominator')],
      ),
    ];
  },
};
