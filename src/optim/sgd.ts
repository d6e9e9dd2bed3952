// torch.optim.SGD
// g = ∇ + λθ
// b = g on the first step, μ·b + (1 − τ)·g after it        (PyTorch's buffer: lr stays outside it)
// d = g + μ·b (Nesterov) or b (μ ≠ 0) or g (μ = 0)
// θ' = θ − η·d
import { rationalTex, scalarTex } from '../expr/to-tex.js';
import { rational, ZERO, type Rational } from '../numbers/rational.js';
import { add, compare, mul, ONE, sub } from '../numbers/scalar.js';
import { chain, operandTex as op, withValues } from '../derivation/tex.js';
import { value as shown } from '../derivation/blocks.js';
import { buf, decayedGradient, decayLegend, decayTex, entryGradient, entryResult, gradientRule, settingTex, atLeastZero, type OptimizerRules, type OptimizerState } from './optimizer.js';

type Sgd = { readonly type: 'sgd'; readonly lr: Rational; readonly momentum: Rational; readonly dampening: Rational; readonly nesterov: boolean; readonly weight_decay: Rational };


export const sgd: OptimizerRules<Sgd> = {
  type: 'sgd',
  torchClass: 'torch.optim.SGD',
  settings: {
    lr: atLeastZero(rational(1, 100), 'a learning rate ≥ 0'),
    momentum: atLeastZero(ZERO, 'a momentum ≥ 0'),
    dampening: { kind: 'number', fallback: ZERO, check: () => true, expected: 'a number' },
    nesterov: { kind: 'flag' },
    weight_decay: atLeastZero(ZERO, 'a weight decay ≥ 0'),
  },
  refuse: (o) => (o.nesterov && (o.momentum.compare(0) <= 0 || !o.dampening.equals(0)) ? { path: 'optimizer.nesterov', message: 'Nesterov momentum needs momentum > 0 and dampening 0 (as torch.optim.SGD)' } : undefined),
  step(o, t, theta, gradient, state) {
    const g = decayedGradient(o, theta, gradient);
    const record: Record<string, readonly import('../numbers/scalar.js').Scalar[]> = { g };
    let direction = g;
    let next: OptimizerState = {};
    if (compare(o.momentum, ZERO) !== 0) {
      const previous = state.momentum_buffer;
      const buffer = t === 1 || !previous ? g : g.map((gk, k) => add(mul(o.momentum, previous[k]), mul(sub(ONE, o.dampening), gk)));
      direction = o.nesterov ? g.map((gk, k) => add(gk, mul(o.momentum, buffer[k]))) : buffer;
      record.momentum_buffer = buffer;
      next = { momentum_buffer: buffer };
    }
    record.direction = direction;
    const update = direction.map((d) => mul(o.lr, d));
    record.update = update;
    const parameters = theta.map((p, k) => sub(p, update[k]));
    return { parameters, state: next, record: { ...record, parameters } };
  },
  plain: (o) => o.momentum.equals(0) && o.weight_decay.equals(0),
  nameKey: (o) => (o.nesterov ? 'optim.name.sgd.nesterov' : 'optim.name.sgd'),
  ruleKey: () => 'optim.rule.sgd',
  ruleChains(o) {
    const g = gradientRule(!o.weight_decay.equals(0));
    if (o.momentum.equals(0)) return [g, chain('\\theta_t', '\\theta_{t-1} - \\eta \\, g_t')];
    return [
      g,
      chain('\\mathrm{buf}_t', '\\begin{cases} g_1 & t = 1 \\\\ \\mu \\, \\mathrm{buf}_{t-1} + (1 - \\tau) g_t & t > 1 \\end{cases}'),
      chain('\\theta_t', o.nesterov ? '\\theta_{t-1} - \\eta \\, (g_t + \\mu \\, \\mathrm{buf}_t)' : '\\theta_{t-1} - \\eta \\, \\mathrm{buf}_t'),
    ];
  },
  notes: (o) => (o.momentum.equals(0) ? [] : ['optim.momentum-note']),
  settingsTex: (o) => [`\\eta = ${settingTex(o.lr)}`, ...(o.momentum.equals(0) ? [] : [`\\mu = ${settingTex(o.momentum)}`, `\\tau = ${settingTex(o.dampening)}`]), ...decayTex(o)].join(', \\; '),
  legend: (o) => [...decayLegend(o), ...(o.momentum.equals(0) ? [] : [{ symbol: '\\mu,\\ \\tau,\\ \\mathrm{buf}_t', meaning: { key: 'legend.optim.momentum' as const } }])],
  entryChains(o, e) {
    const r = rationalTex;
    const { t, k, name, theta, record, previous } = e;
    const at = (key: string) => record[key][k];
    const { chains: g, g: gName } = entryGradient(o, !o.weight_decay.equals(0), e, op);
    if (o.momentum.equals(0)) return [...g, entryResult(e, `${name} - \\eta \\, ${gName}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot ${op(at('g'))}`, [theta, at('g')])];
    const before = previous.momentum_buffer?.[k];
    const buffer =
      t === 1
        ? chain(buf(t), gName, shown(at('momentum_buffer')))
        : chain(buf(t), `\\mu \\, ${buf(t - 1)} + (1 - \\tau) ${gName}`, withValues(`${r(o.momentum)} \\cdot ${op(before!)} + ${r(o.dampening.neg().add(1))} \\cdot ${op(at('g'))}`, [before!, at('g')]), shown(at('momentum_buffer')));
    const direction = o.nesterov ? `${op(at('g'))} + ${r(o.momentum)} \\cdot ${op(at('momentum_buffer'))}` : op(at('momentum_buffer'));
    return [...g, buffer, entryResult(e, `${name} - \\eta \\, ${o.nesterov ? `(${gName} + \\mu \\, ${buf(t)})` : buf(t)}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot ${o.nesterov ? `(${direction})` : direction}`, [theta, at('g'), at('momentum_buffer')])];
  },
};
