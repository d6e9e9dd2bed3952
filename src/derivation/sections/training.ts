// Section 4: the optimizer. Its rule in general form, then each step entry by entry (the first few
// in full), the trajectory as a table and the loss as a curve.
import type { Grid } from '../../tensor/grid.js';
import type { Rational } from '../../numbers/rational.js';
import { powerTex, rationalTex, scalarTex, shownExactly, symbolTex } from '../../expr/to-tex.js';
import { biasSym, kernelSym } from '../../ops/conv2d/conv.js';
import { unravel } from '../../tensor/tensor.js';
import { asDouble, ZERO, type Scalar } from '../../numbers/scalar.js';
import type { Optimizer } from '../../problem/problem.js';
import type { OptimizerState } from '../../optim/optimizers.js';
import { flatGradients, flatParameters, type TrainingStep } from '../../trajectory/train.js';
import { planeChains, planes } from '../planes.js';
import { chain, exactMatrix, operandTex, partial, rounded, withValues } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section, Step, Text } from '../step.js';
import type { StringKey } from '../../strings/strings.js';

const math = (tex: string) => ({ math: tex });
const text = (t: Text): Block => ({ kind: 'text', text: t });
/** How many steps auto derives entry by entry; the rest are in the trajectory table. */
export const STEPS_IN_FULL = 3;
/** Parameters whose update takes several lines (momentum, Adam, RMSprop) are shown one by one up to this many (auto); beyond, the first. */
export const STATEFUL_ENTRY_LIMIT = 2;
/** = for a value shown exactly, ≈ for one rounded. */
const approx = (x: Scalar) => (shownExactly(x) ? '=' : '\\approx');

/** θ' — a symbol with a superscript already takes its prime outside braces: {k^{(1)}_{11}}', {K'}^{(1)}. */
export function primed(name: string, superscript = ''): string {
  if (superscript !== '') return `{${name}'}${superscript}`;
  return name.includes('^') ? `{${name}}'` : `${name}'`;
}

export function trainingSection(ctx: DerivationContext, solution: { steps: readonly TrainingStep[] }): Section {
  const { problem } = ctx;
  const steps = solution.steps;
  const shownSteps = ctx.elision.detail === 'full' ? steps.length : ctx.elision.detail === 'summary' ? 0 : Math.min(STEPS_IN_FULL, steps.length);
  const sections: Step[] = [ruleStep(problem.optimizer)];
  for (let t = 1; t <= shownSteps; t++) sections.push(stepStep(ctx, steps, t));
  // One step of plain SGD: its one-line rule and the step under one heading.
  if (steps.length === 1 && sections.length === 2) sections.splice(0, 2, { ...sections[1], blocks: [...sections[0].blocks, ...sections[1].blocks] });
  if (shownSteps < steps.length && shownSteps > 0) {
    sections[sections.length - 1] = {
      ...sections[sections.length - 1],
      blocks: [...sections[sections.length - 1].blocks, text({ key: 'optim.steps.rest', params: { from: math(`${shownSteps + 1}`), to: math(`${steps.length}`) } })],
    };
  }
  // With every step derived above, a table would only repeat them.
  if (steps.length > shownSteps) sections.push(trajectoryStep(ctx, steps));
  return { id: 'training', title: { key: steps.length > 1 ? 'section.training' : 'section.update' }, steps: sections };
}

/** The rule in symbols, each line a chain. */
export function ruleChains(o: Optimizer): Chain[] {
  const decay = (o.type === 'sgd' || o.type === 'adam' || o.type === 'rmsprop') && !o.weight_decay.equals(0);
  const g = chain('g_t', `\\nabla_\\theta L${decay ? ' + \\lambda \\theta_{t-1}' : ''}`);
  switch (o.type) {
    case 'sgd': {
      if (o.momentum.equals(0)) return [g, chain('\\theta_t', '\\theta_{t-1} - \\eta \\, g_t')];
      return [
        g,
        chain('\\mathrm{buf}_t', '\\begin{cases} g_1 & t = 1 \\\\ \\mu \\, \\mathrm{buf}_{t-1} + (1 - \\tau) g_t & t > 1 \\end{cases}'),
        chain('\\theta_t', o.nesterov ? '\\theta_{t-1} - \\eta \\, (g_t + \\mu \\, \\mathrm{buf}_t)' : '\\theta_{t-1} - \\eta \\, \\mathrm{buf}_t'),
      ];
    }
    case 'adam':
    case 'adamw': {
      const v = o.amsgrad ? 'v^{\\max}_t' : 'v_t';
      return [
        ...(o.type === 'adamw' ? [chain('\\tilde\\theta_{t-1}', '\\theta_{t-1} (1 - \\eta \\lambda)')] : []),
        g,
        chain('m_t', '\\beta_1 m_{t-1} + (1 - \\beta_1) g_t'),
        chain('v_t', '\\beta_2 v_{t-1} + (1 - \\beta_2) g_t^2'),
        chain('\\hat m_t', '\\frac{m_t}{1 - \\beta_1^t}'),
        chain('\\theta_t', `${o.type === 'adamw' ? '\\tilde\\theta_{t-1}' : '\\theta_{t-1}'} - \\eta \\, \\frac{\\hat m_t}{\\sqrt{${v} / (1 - \\beta_2^t)} + \\varepsilon}`),
      ];
    }
    case 'rmsprop': {
      const centered = o.centered;
      return [
        g,
        chain('v_t', '\\alpha v_{t-1} + (1 - \\alpha) g_t^2'),
        ...(centered ? [chain('\\bar g_t', '\\alpha \\bar g_{t-1} + (1 - \\alpha) g_t')] : []),
        chain('D_t', centered ? '\\sqrt{v_t - \\bar g_t^2} + \\varepsilon' : '\\sqrt{v_t} + \\varepsilon'),
        ...(o.momentum.equals(0)
          ? [chain('\\theta_t', '\\theta_{t-1} - \\eta \\, \\frac{g_t}{D_t}')]
          : [chain('\\mathrm{buf}_t', '\\mu \\, \\mathrm{buf}_{t-1} + \\frac{g_t}{D_t}'), chain('\\theta_t', '\\theta_{t-1} - \\eta \\, \\mathrm{buf}_t')]),
      ];
    }
  }
}

/** The optimizer's name as the strings table words it, its switches included (Nesterov, AMSGrad, centered). */
export function optimizerName(o: Optimizer): StringKey {
  switch (o.type) {
    case 'sgd': return o.nesterov ? 'optim.name.sgd.nesterov' : 'optim.name.sgd';
    case 'adam': return o.amsgrad ? 'optim.name.adam.amsgrad' : 'optim.name.adam';
    case 'adamw': return o.amsgrad ? 'optim.name.adamw.amsgrad' : 'optim.name.adamw';
    case 'rmsprop': return o.centered ? 'optim.name.rmsprop.centered' : 'optim.name.rmsprop';
  }
}

/** 10^{-8} for a power of ten far from 1, the decimal or fraction otherwise. */
function settingTex(r: Rational): string {
  for (let k = 4; k <= 30; k++) {
    if (r.n === 1n && r.d === 10n ** BigInt(k)) return `10^{-${k}}`;
    if (r.d === 1n && r.n === 10n ** BigInt(k)) return `10^{${k}}`;
  }
  return rationalTex(r);
}

/** η = 0.01, μ = 0.9, …: every setting the rule uses, and weight decay where it is on (AdamW's always). */
export function settingsTex(o: Optimizer): string {
  const r = settingTex;
  const decay = (always: boolean) => (always || !o.weight_decay.equals(0) ? [`\\lambda = ${r(o.weight_decay)}`] : []);
  switch (o.type) {
    case 'sgd':
      return [`\\eta = ${r(o.lr)}`, ...(o.momentum.equals(0) ? [] : [`\\mu = ${r(o.momentum)}`, `\\tau = ${r(o.dampening)}`]), ...decay(false)].join(', \\; ');
    case 'adam':
    case 'adamw':
      return [`\\eta = ${r(o.lr)}`, `\\beta_1 = ${r(o.betas[0])}`, `\\beta_2 = ${r(o.betas[1])}`, `\\varepsilon = ${r(o.eps)}`, ...decay(o.type === 'adamw')].join(', \\; ');
    case 'rmsprop':
      return [`\\eta = ${r(o.lr)}`, `\\alpha = ${r(o.alpha)}`, `\\varepsilon = ${r(o.eps)}`, ...(o.momentum.equals(0) ? [] : [`\\mu = ${r(o.momentum)}`]), ...decay(false)].join(', \\; ');
  }
}

/** ε as the settings write it, for the numbers of an update. */
function epsTex(o: Extract<Optimizer, { eps: Rational }>): string {
  return settingTex(o.eps);
}

function ruleStep(o: Optimizer): Step {
  const plain = o.type === 'sgd' && o.momentum.equals(0) && o.weight_decay.equals(0);
  const blocks: Block[] = plain
    ? [text({ key: 'optim.sgd' })]
    : [
        text({ key: o.type === 'sgd' ? 'optim.rule.sgd' : o.type === 'adam' ? 'optim.rule.adam' : o.type === 'adamw' ? 'optim.rule.adamw' : 'optim.rule.rmsprop' }),
        // Short lines: two or three a row where they fit.
        { kind: 'chains', chains: ruleChains(o).map((c) => ({ ...c, line: 'rule' })) },
        text({ key: 'optim.settings', params: { settings: math(settingsTex(o)) } }),
        ...(o.type === 'sgd' && !o.momentum.equals(0) ? [text({ key: 'optim.momentum-note' })] : []),
        ...((o.type === 'adam' || o.type === 'adamw') && o.amsgrad ? [text({ key: 'optim.amsgrad-note' })] : []),
        ...(o.type !== 'sgd' ? [text({ key: 'optim.rounded-note' })] : []),
      ];
  return { rule: 'optim.rule', title: { key: 'step.optim.rule' }, blocks };
}

/** The name of flat parameter k: a kernel entry, then the bias entries. */
function parameterName(ctx: DerivationContext, k: number): string {
  const kernel = ctx.problem.kernel;
  if (k < kernel.data.length) {
    const [o, c, m, q] = unravel(kernel.shape, k);
    return symbolTex(kernelSym(ctx.naming, o, c, m, q));
  }
  return symbolTex(biasSym(ctx.naming, k - kernel.data.length));
}

const v = (x: Scalar) => rounded(scalarTex(x), !shownExactly(x));
/** PyTorch's momentum_buffer at step t (b is the bias). */
const buf = (t: number) => `\\mathrm{buf}_{${t}}`;
const op = operandTex;

/** The chains of step t for parameter k: every quantity of the rule with this entry's numbers. */
function entryChains(o: Optimizer, t: number, k: number, name: string, theta: Scalar, grad: Scalar, record: TrainingStep['record'], previous: OptimizerState): Chain[] {
  const r = rationalTex;
  const at = (key: string) => record[key][k];
  const before = (key: string) => previous[key]?.[k];
  const decay = (o.type === 'sgd' || o.type === 'adam' || o.type === 'rmsprop') && !o.weight_decay.equals(0);
  const g = decay ? [chain('g', `${partial('L', name)} + \\lambda ${name}`, withValues(`${scalarTex(grad)} + ${r(o.weight_decay)} \\cdot ${op(theta)}`, [grad, theta]), v(at('g')))] : [];
  // Each side of numbers after ≈ where a number in it is shown rounded; the value after ≈ where it is.
  const result = (expression: string, numbers: string, shown: readonly Scalar[]) => chain(primed(name), expression, withValues(numbers, shown), v(at('parameters')));
  const gName = decay ? 'g' : partial('L', name);
  const gSquared = decay ? 'g^2' : `\\left(${gName}\\right)^2`;
  switch (o.type) {
    case 'sgd': {
      if (o.momentum.equals(0)) return [...g, result(`${name} - \\eta \\, ${gName}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot ${op(at('g'))}`, [theta, at('g')])];
      const buffer =
        t === 1
          ? chain(buf(t), gName, v(at('momentum_buffer')))
          : chain(buf(t), `\\mu \\, ${buf(t - 1)} + (1 - \\tau) ${gName}`, withValues(`${r(o.momentum)} \\cdot ${op(before('momentum_buffer')!)} + ${r(o.dampening.neg().add(1))} \\cdot ${op(at('g'))}`, [before('momentum_buffer')!, at('g')]), v(at('momentum_buffer')));
      const direction = o.nesterov ? `${op(at('g'))} + ${r(o.momentum)} \\cdot ${op(at('momentum_buffer'))}` : op(at('momentum_buffer'));
      return [...g, buffer, result(`${name} - \\eta \\, ${o.nesterov ? `(${gName} + \\mu \\, ${buf(t)})` : buf(t)}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot ${o.nesterov ? `(${direction})` : direction}`, [theta, at('g'), at('momentum_buffer')])];
    }
    case 'adam':
    case 'adamw': {
      const [b1, b2] = o.betas;
      const m0 = before('exp_avg') ?? ZERO;
      const v0 = before('exp_avg_sq') ?? ZERO;
      const start = o.type === 'adamw' ? [chain(`\\tilde ${name}`, `${name} (1 - \\eta \\lambda)`, withValues(`${op(theta)} \\cdot (1 - ${r(o.lr)} \\cdot ${r(o.weight_decay)})`, [theta]), v(at('decayed')))] : [];
      const vUsed = o.amsgrad ? at('max_exp_avg_sq') : at('exp_avg_sq');
      const base = o.type === 'adamw' ? `\\tilde ${name}` : name;
      return [
        ...start,
        ...g,
        chain(`m_{${t}}`, `\\beta_1 m_{${t - 1}} + (1 - \\beta_1) ${gName}`, withValues(`${r(b1)} \\cdot ${op(m0)} + ${r(b1.neg().add(1))} \\cdot ${op(at('g'))}`, [m0, at('g')]), v(at('exp_avg'))),
        chain(`v_{${t}}`, `\\beta_2 v_{${t - 1}} + (1 - \\beta_2) ${gSquared}`, withValues(`${r(b2)} \\cdot ${op(v0)} + ${r(b2.neg().add(1))} \\cdot ${powerTex(op(at('g')), '2')}`, [v0, at('g')]), v(at('exp_avg_sq'))),
        ...(o.amsgrad ? [chain(`v^{\\max}_{${t}}`, `\\max(v^{\\max}_{${t - 1}}, v_{${t}})`, v(at('max_exp_avg_sq')))] : []),
        chain(`\\hat m_{${t}}`, `\\frac{m_{${t}}}{1 - \\beta_1^{${t}}}`, withValues(`\\frac{${scalarTex(at('exp_avg'))}}{1 - ${r(b1)}^{${t}}}`, [at('exp_avg')]), v(at('m_hat'))),
        result(
          `${base} - \\eta \\, \\frac{\\hat m_{${t}}}{\\sqrt{${o.amsgrad ? `v^{\\max}_{${t}}` : `v_{${t}}`} / (1 - \\beta_2^{${t}})} + \\varepsilon}`,
          `${scalarTex(o.type === 'adamw' ? at('decayed') : theta)} - ${r(o.lr)} \\cdot \\frac{${scalarTex(at('m_hat'))}}{\\sqrt{${scalarTex(vUsed)} / (1 - ${r(b2)}^{${t}})} + ${epsTex(o)}}`,
          [o.type === 'adamw' ? at('decayed') : theta, at('m_hat'), vUsed],
        ),
      ];
    }
    case 'rmsprop': {
      const s0 = before('square_avg') ?? ZERO;
      const chains = [
        ...g,
        chain(`v_{${t}}`, `\\alpha v_{${t - 1}} + (1 - \\alpha) ${gSquared}`, withValues(`${r(o.alpha)} \\cdot ${op(s0)} + ${r(o.alpha.neg().add(1))} \\cdot ${powerTex(op(at('g')), '2')}`, [s0, at('g')]), v(at('square_avg'))),
      ];
      if (o.centered) {
        const g0 = before('grad_avg') ?? ZERO;
        chains.push(chain(`\\bar g_{${t}}`, `\\alpha \\bar g_{${t - 1}} + (1 - \\alpha) ${gName}`, withValues(`${r(o.alpha)} \\cdot ${op(g0)} + ${r(o.alpha.neg().add(1))} \\cdot ${op(at('g'))}`, [g0, at('g')]), v(at('grad_avg'))));
      }
      const root = o.centered ? `\\sqrt{${scalarTex(at('square_avg'))} - ${powerTex(op(at('grad_avg')), '2')}}` : `\\sqrt{${scalarTex(at('square_avg'))}}`;
      chains.push(chain(`D_{${t}}`, o.centered ? `\\sqrt{v_{${t}} - \\bar g_{${t}}^2} + \\varepsilon` : `\\sqrt{v_{${t}}} + \\varepsilon`, withValues(`${root} + ${epsTex(o)}`, [at('square_avg'), ...(o.centered ? [at('grad_avg')] : [])]), v(at('denominator'))));
      if (o.momentum.equals(0)) {
        chains.push(result(`${name} - \\eta \\, \\frac{${gName}}{D_{${t}}}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot \\frac{${scalarTex(at('g'))}}{${scalarTex(at('denominator'))}}`, [theta, at('g'), at('denominator')]));
      } else {
        const b0 = before('momentum_buffer') ?? ZERO;
        chains.push(chain(buf(t), `\\mu \\, ${buf(t - 1)} + \\frac{${gName}}{D_{${t}}}`, withValues(`${r(o.momentum)} \\cdot ${op(b0)} + \\frac{${scalarTex(at('g'))}}{${scalarTex(at('denominator'))}}`, [b0, at('g'), at('denominator')]), v(at('momentum_buffer'))));
        chains.push(result(`${name} - \\eta \\, ${buf(t)}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot ${op(at('momentum_buffer'))}`, [theta, at('momentum_buffer')]));
      }
      return chains;
    }
  }
}

function stepStep(ctx: DerivationContext, steps: readonly TrainingStep[], t: number): Step {
  const step = steps[t - 1];
  const previous = t === 1 ? {} : steps[t - 2].state;
  const o = ctx.problem.optimizer;
  const theta = flatParameters(step.before);
  const grads = flatGradients(step.gradients);
  const blocks: Block[] = [];
  if (t > 1) {
    blocks.push(
      text({ key: 'optim.step.again', params: { previous: math(`${t - 1}`), loss: math(`L ${approx(step.loss)} ${scalarTex(step.loss)}`) } }),
      { kind: 'chains', chains: [...planeChains(ctx, 'kernel', (sup) => partial('L', `K${sup}`), step.gradients.kernel), ...(step.gradients.bias ? [chain(partial('L', 'b'), withValues(vectorTex(step.gradients.bias), step.gradients.bias))] : [])] },
    );
  }
  const plain = o.type === 'sgd' && o.momentum.equals(0) && o.weight_decay.equals(0);
  // A rule of several lines is shown on one entry (the same rule holds for every parameter); the matrices below hold every value.
  const shown = plain || ctx.elision.detail === 'full' || theta.length <= STATEFUL_ENTRY_LIMIT ? ctx.elision.entries(theta.length) : [0];
  if (plain) {
    // θ' = θ − η · ∂L/∂θ, one line an entry, two or three a line where they fit
    const chains = shown.map((k) => {
      const name = parameterName(ctx, k);
      return chain(primed(name), `${name} - \\eta \\, ${partial('L', name)}`, withValues(`${scalarTex(theta[k])} - ${rationalTex(o.lr)} \\cdot ${op(grads[k])}`, [theta[k], grads[k]]), v(step.record.parameters[k]));
    });
    blocks.push({ kind: 'chains', chains: chains.map((c) => ({ ...c, line: 'updates' })) });
  } else {
    const each = shown.map((k) => entryChains(o, t, k, parameterName(ctx, k), theta[k], grads[k], step.record, previous));
    blocks.push({ kind: 'chains', chains: each.flat(), groupSize: each[0].length });
  }
  if (shown.length < theta.length) blocks.push(text({ key: 'elide.entries', params: { shown: math(`${shown.length}`), total: math(`${theta.length}`) } }));
  // The parameters after the step: decimals where they terminate, and exact with the common factor out.
  const updated: Chain[] = planes(ctx, 'kernel', step.after.kernel).map((p) => {
    // A common factor says something only of several entries.
    const exact = p.grid.data.length > 1 && p.grid.data.every(shownExactly) ? exactMatrix(p.grid as Grid<Rational>, ctx.elision.lines) : ctx.matrix(p.grid);
    return { ...chain(primed('K', p.superscript), rounded(ctx.matrix(p.grid), !p.grid.data.every(shownExactly)), exact), line: `K' ${p.a}` };
  });
  const twice = updated.some((c) => c.sides.length > 1);
  if (step.after.bias) updated.push(chain(primed('b'), rounded(vectorTex(step.after.bias), !step.after.bias.every(shownExactly))));
  const last = blocks.at(-1);
  if (plain && steps.length === 1 && last?.kind === 'chains') {
    // One plain step: the updated parameters close the block of its lines.
    blocks[blocks.length - 1] = { ...last, chains: [...last.chains, ...updated.map((c) => ({ ...c, line: 'updates' }))] };
  } else blocks.push(text(steps.length > 1 ? { key: 'optim.step.result', params: { step: math(`${t}`) } } : { key: twice ? 'optim.kernel-matrix' : 'optim.kernel-matrix.single' }), { kind: 'chains', chains: updated });
  return { rule: 'optim.step', title: steps.length > 1 ? { key: 'step.optim.step', params: { step: math(`${t}`) } } : { key: 'step.optim.sgd-update' }, blocks };
}

function vectorTex(values: readonly Scalar[]): string {
  return values.length === 1 ? scalarTex(values[0]) : `(${values.map((x) => scalarTex(x)).join(', ')})`;
}

// One row a step with its loss and the parameters after it; a kernel of several planes takes a row a plane.
function trajectoryStep(ctx: DerivationContext, steps: readonly TrainingStep[]): Step {
  const relation = (values: readonly Scalar[]) => (values.every(shownExactly) ? '=' : '\\approx');
  const rows = steps.flatMap((s) => {
    const kernel = planes(ctx, 'kernel', s.after.kernel);
    const parameters = kernel.map((p) => `K${p.superscript} ${relation(p.grid.data)} ${ctx.matrix(p.grid)}`);
    if (s.after.bias) parameters.push(`b ${relation(s.after.bias)} ${vectorTex(s.after.bias)}`);
    const loss = s.loss;
    // A plane a row: the table stays within the page.
    const lines = parameters.length === 2 && kernel.length === 1 ? [parameters.join(', \\; ')] : parameters;
    return lines.map((line, k) => (k === 0 ? [`${s.step}`, `${shownExactly(loss) ? '' : '\\approx '}${scalarTex(loss)}`, line] : ['', '', line]));
  });
  // A curve of two points says nothing the table does not.
  const curve: Block[] =
    steps.length >= 3
      ? [text({ key: 'optim.curve' }), { kind: 'plot', x: steps.map((s) => s.step), y: steps.map((s) => asDouble(s.loss)), xLabel: { key: 'plot.step' }, yLabel: { key: 'plot.loss' } }]
      : [];
  return {
    rule: 'optim.trajectory',
    title: { key: 'step.optim.trajectory' },
    blocks: [text({ key: 'optim.trajectory' }), { kind: 'table', header: [{ key: 'trajectory.step' }, { key: 'trajectory.loss' }, { key: 'trajectory.parameters' }], rows }, ...curve],
  };
}
