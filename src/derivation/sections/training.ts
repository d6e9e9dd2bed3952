// Section 4: the optimizer. Its rule in general form, then each step entry by entry (the first few
// in full), the trajectory as a table and the loss as a curve.
import type { Grid } from '../../model/grid.js';
import type { Rational } from '../../numbers/rational.js';
import { powerTex, rationalTex, scalarTex, shownExactly, symbolTex } from '../../expr/to-tex.js';
import { biasSym, kernelSym } from '../../model/conv.js';
import { unravel } from '../../model/tensor.js';
import { asDouble, type Scalar } from '../../numbers/scalar.js';
import type { Optimizer } from '../../problem/problem.js';
import type { OptimizerState } from '../../trajectory/optimizers.js';
import { flatGradients, flatParameters, type TrainingStep } from '../../trajectory/train.js';
import { planeChains, planes } from '../planes.js';
import { chain, exactMatrix, operandTex, partial, rounded } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section, Step, Text } from '../step.js';

const math = (tex: string) => ({ math: tex });
const text = (t: Text): Block => ({ kind: 'text', text: t });
/** How many steps auto derives entry by entry; the rest are in the trajectory table. */
export const STEPS_IN_FULL = 3;

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
  if (shownSteps < steps.length && shownSteps > 0) {
    sections[sections.length - 1] = {
      ...sections[sections.length - 1],
      blocks: [...sections[sections.length - 1].blocks, text({ key: 'optim.steps.rest', params: { from: math(`${shownSteps + 1}`), to: math(`${steps.length}`) } })],
    };
  }
  if (steps.length > 1) sections.push(trajectoryStep(ctx, steps));
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
        chain('b_t', '\\begin{cases} g_1 & t = 1 \\\\ \\mu b_{t-1} + (1 - \\tau) g_t & t > 1 \\end{cases}'),
        chain('\\theta_t', o.nesterov ? '\\theta_{t-1} - \\eta \\, (g_t + \\mu b_t)' : '\\theta_{t-1} - \\eta \\, b_t'),
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
        chain('s_t', '\\alpha s_{t-1} + (1 - \\alpha) g_t^2'),
        ...(centered ? [chain('\\bar g_t', '\\alpha \\bar g_{t-1} + (1 - \\alpha) g_t')] : []),
        chain('D_t', centered ? '\\sqrt{s_t - \\bar g_t^2} + \\varepsilon' : '\\sqrt{s_t} + \\varepsilon'),
        ...(o.momentum.equals(0)
          ? [chain('\\theta_t', '\\theta_{t-1} - \\eta \\, \\frac{g_t}{D_t}')]
          : [chain('b_t', '\\mu b_{t-1} + \\frac{g_t}{D_t}'), chain('\\theta_t', '\\theta_{t-1} - \\eta \\, b_t')]),
      ];
    }
  }
}

/** η = 0.01, μ = 0.9, …: the settings the rule uses. */
function settingsTex(o: Optimizer): string {
  const r = rationalTex;
  switch (o.type) {
    case 'sgd':
      return [`\\eta = ${r(o.lr)}`, ...(o.momentum.equals(0) ? [] : [`\\mu = ${r(o.momentum)}`, `\\tau = ${r(o.dampening)}`]), ...(o.weight_decay.equals(0) ? [] : [`\\lambda = ${r(o.weight_decay)}`])].join(', \\; ');
    case 'adam':
    case 'adamw':
      return [`\\eta = ${r(o.lr)}`, `\\beta_1 = ${r(o.betas[0])}`, `\\beta_2 = ${r(o.betas[1])}`, `\\varepsilon = ${scalarTex(asDouble(o.eps))}`, ...(o.weight_decay.equals(0) ? [] : [`\\lambda = ${r(o.weight_decay)}`])].join(', \\; ');
    case 'rmsprop':
      return [`\\eta = ${r(o.lr)}`, `\\alpha = ${r(o.alpha)}`, `\\varepsilon = ${scalarTex(asDouble(o.eps))}`, ...(o.momentum.equals(0) ? [] : [`\\mu = ${r(o.momentum)}`]), ...(o.weight_decay.equals(0) ? [] : [`\\lambda = ${r(o.weight_decay)}`])].join(', \\; ');
  }
}

function ruleStep(o: Optimizer): Step {
  const plain = o.type === 'sgd' && o.momentum.equals(0) && o.weight_decay.equals(0);
  const blocks: Block[] = plain
    ? [text({ key: 'optim.sgd' })]
    : [
        text({ key: o.type === 'sgd' ? 'optim.rule.sgd' : o.type === 'adam' ? 'optim.rule.adam' : o.type === 'adamw' ? 'optim.rule.adamw' : 'optim.rule.rmsprop' }),
        { kind: 'chains', chains: ruleChains(o) },
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
const op = operandTex;

/** The chains of step t for parameter k: every quantity of the rule with this entry's numbers. */
function entryChains(o: Optimizer, t: number, k: number, name: string, theta: Scalar, grad: Scalar, record: TrainingStep['record'], previous: OptimizerState): Chain[] {
  const r = rationalTex;
  const at = (key: string) => record[key][k];
  const before = (key: string) => previous[key]?.[k];
  const decay = (o.type === 'sgd' || o.type === 'adam' || o.type === 'rmsprop') && !o.weight_decay.equals(0);
  const g = decay ? [chain('g', `${partial('L', name)} + \\lambda ${name}`, `${scalarTex(grad)} + ${r(o.weight_decay)} \\cdot ${op(theta)}`, v(at('g')))] : [];
  const result = (expression: string, numbers: string) => chain(primed(name), expression, rounded(numbers, !shownExactly(at('parameters'))), v(at('parameters')));
  const gName = decay ? 'g' : partial('L', name);
  const gSquared = decay ? 'g^2' : `\\left(${gName}\\right)^2`;
  switch (o.type) {
    case 'sgd': {
      if (o.momentum.equals(0)) return [...g, result(`${name} - \\eta \\, ${gName}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot ${op(at('g'))}`)];
      const buffer = t === 1 ? chain(`b_{${t}}`, gName, v(at('momentum_buffer'))) : chain(`b_{${t}}`, `\\mu b_{${t - 1}} + (1 - \\tau) ${gName}`, `${r(o.momentum)} \\cdot ${op(before('momentum_buffer')!)} + ${r(o.dampening.neg().add(1))} \\cdot ${op(at('g'))}`, v(at('momentum_buffer')));
      const direction = o.nesterov ? `${op(at('g'))} + ${r(o.momentum)} \\cdot ${op(at('momentum_buffer'))}` : op(at('momentum_buffer'));
      return [...g, buffer, result(`${name} - \\eta \\, ${o.nesterov ? `(${gName} + \\mu b_{${t}})` : `b_{${t}}`}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot ${o.nesterov ? `(${direction})` : direction}`)];
    }
    case 'adam':
    case 'adamw': {
      const [b1, b2] = o.betas;
      const m0 = before('exp_avg') ?? 0;
      const v0 = before('exp_avg_sq') ?? 0;
      const start = o.type === 'adamw' ? [chain(`\\tilde ${name}`, `${name} (1 - \\eta \\lambda)`, `${op(theta)} \\cdot (1 - ${r(o.lr)} \\cdot ${r(o.weight_decay)})`, v(at('decayed')))] : [];
      const vUsed = o.amsgrad ? at('max_exp_avg_sq') : at('exp_avg_sq');
      const base = o.type === 'adamw' ? `\\tilde ${name}` : name;
      return [
        ...start,
        ...g,
        chain(`m_{${t}}`, `\\beta_1 m_{${t - 1}} + (1 - \\beta_1) ${gName}`, `${r(b1)} \\cdot ${op(m0)} + ${r(b1.neg().add(1))} \\cdot ${op(at('g'))}`, v(at('exp_avg'))),
        chain(`v_{${t}}`, `\\beta_2 v_{${t - 1}} + (1 - \\beta_2) ${gSquared}`, `${r(b2)} \\cdot ${op(v0)} + ${r(b2.neg().add(1))} \\cdot ${powerTex(op(at('g')), '2')}`, v(at('exp_avg_sq'))),
        ...(o.amsgrad ? [chain(`v^{\\max}_{${t}}`, `\\max(v^{\\max}_{${t - 1}}, v_{${t}})`, v(at('max_exp_avg_sq')))] : []),
        chain(`\\hat m_{${t}}`, `\\frac{m_{${t}}}{1 - \\beta_1^{${t}}}`, `\\frac{${scalarTex(at('exp_avg'))}}{1 - ${r(b1)}^{${t}}}`, v(at('m_hat'))),
        result(
          `${base} - \\eta \\, \\frac{\\hat m_{${t}}}{\\sqrt{${o.amsgrad ? `v^{\\max}_{${t}}` : `v_{${t}}`} / (1 - \\beta_2^{${t}})} + \\varepsilon}`,
          `${scalarTex(o.type === 'adamw' ? at('decayed') : theta)} - ${r(o.lr)} \\cdot \\frac{${scalarTex(at('m_hat'))}}{\\sqrt{${scalarTex(vUsed)} / (1 - ${r(b2)}^{${t}})} + ${scalarTex(asDouble(o.eps))}}`,
        ),
      ];
    }
    case 'rmsprop': {
      const s0 = before('square_avg') ?? 0;
      const chains = [
        ...g,
        chain(`s_{${t}}`, `\\alpha s_{${t - 1}} + (1 - \\alpha) ${gSquared}`, `${r(o.alpha)} \\cdot ${op(s0)} + ${r(o.alpha.neg().add(1))} \\cdot ${powerTex(op(at('g')), '2')}`, v(at('square_avg'))),
      ];
      if (o.centered) {
        chains.push(chain(`\\bar g_{${t}}`, `\\alpha \\bar g_{${t - 1}} + (1 - \\alpha) ${gName}`, `${r(o.alpha)} \\cdot ${op(before('grad_avg') ?? 0)} + ${r(o.alpha.neg().add(1))} \\cdot ${op(at('g'))}`, v(at('grad_avg'))));
      }
      const root = o.centered ? `\\sqrt{${scalarTex(at('square_avg'))} - ${powerTex(op(at('grad_avg')), '2')}}` : `\\sqrt{${scalarTex(at('square_avg'))}}`;
      chains.push(chain(`D_{${t}}`, o.centered ? `\\sqrt{s_{${t}} - \\bar g_{${t}}^2} + \\varepsilon` : `\\sqrt{s_{${t}}} + \\varepsilon`, `${root} + ${scalarTex(asDouble(o.eps))}`, v(at('denominator'))));
      if (o.momentum.equals(0)) {
        chains.push(result(`${name} - \\eta \\, \\frac{${gName}}{D_{${t}}}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot \\frac{${scalarTex(at('g'))}}{${scalarTex(at('denominator'))}}`));
      } else {
        chains.push(chain(`b_{${t}}`, `\\mu b_{${t - 1}} + \\frac{${gName}}{D_{${t}}}`, `${r(o.momentum)} \\cdot ${op(before('momentum_buffer') ?? 0)} + \\frac{${scalarTex(at('g'))}}{${scalarTex(at('denominator'))}}`, v(at('momentum_buffer'))));
        chains.push(result(`${name} - \\eta \\, b_{${t}}`, `${scalarTex(theta)} - ${r(o.lr)} \\cdot ${op(at('momentum_buffer'))}`));
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
      text({ key: 'optim.step.again', params: { previous: math(`${t - 1}`), loss: math(`L = ${scalarTex(step.loss)}`) } }),
      { kind: 'chains', chains: [...planeChains(ctx, 'kernel', (sup) => partial('L', `K${sup}`), step.gradients.kernel), ...(step.gradients.bias ? [chain(partial('L', 'b'), vectorTex(step.gradients.bias))] : [])] },
    );
  }
  const shown = ctx.elision.entries(theta.length);
  const plain = o.type === 'sgd' && o.momentum.equals(0) && o.weight_decay.equals(0);
  if (plain) {
    // θ' = θ − η · ∂L/∂θ, one line an entry
    const chains = shown.map((k) => {
      const name = parameterName(ctx, k);
      const update = step.record.update[k];
      return chain(primed(name), `${name} - \\eta \\, ${partial('L', name)}`, rounded(`${scalarTex(theta[k])} - ${rationalTex(o.lr)} \\cdot ${op(grads[k])}`, !shownExactly(grads[k])), `${scalarTex(theta[k])} - ${op(update)}`, v(step.record.parameters[k]));
    });
    blocks.push({ kind: 'chains', chains });
  } else {
    for (const k of shown) {
      const name = parameterName(ctx, k);
      blocks.push(text({ key: 'optim.step.entry', params: { entry: math(name) } }), { kind: 'chains', chains: entryChains(o, t, k, name, theta[k], grads[k], step.record, previous) });
    }
  }
  if (shown.length < theta.length) blocks.push(text({ key: 'elide.entries', params: { shown: math(`${shown.length}`), total: math(`${theta.length}`) } }));
  // The parameters after the step: decimals where they terminate, and exact with the common factor out.
  const updated: Chain[] = planes(ctx, 'kernel', step.after.kernel).map((p) => {
    const exact = p.grid.data.every(shownExactly) ? exactMatrix(p.grid as Grid<Rational>, ctx.elision.lines) : ctx.matrix(p.grid);
    return { ...chain(primed('K', p.superscript), rounded(ctx.matrix(p.grid), !p.grid.data.every(shownExactly)), exact), line: `K' ${p.a}` };
  });
  const twice = updated.some((c) => c.sides.length > 1);
  if (step.after.bias) updated.push(chain(primed('b'), rounded(vectorTex(step.after.bias), !step.after.bias.every(shownExactly))));
  blocks.push(text(steps.length > 1 ? { key: 'optim.step.result', params: { step: math(`${t}`) } } : { key: twice ? 'optim.kernel-matrix' : 'optim.kernel-matrix.single' }), { kind: 'chains', chains: updated });
  return { rule: 'optim.step', title: steps.length > 1 ? { key: 'step.optim.step', params: { step: math(`${t}`) } } : { key: 'step.optim.sgd-update' }, blocks };
}

function vectorTex(values: readonly Scalar[]): string {
  return values.length === 1 ? scalarTex(values[0]) : `(${values.map((x) => scalarTex(x)).join(', ')})`;
}

function trajectoryStep(ctx: DerivationContext, steps: readonly TrainingStep[]): Step {
  const rows = steps.map((s) => {
    const kernel = planes(ctx, 'kernel', s.after.kernel)[0];
    const parameters = [ctx.matrix(kernel.grid), ...(s.after.bias ? [`b = ${vectorTex(s.after.bias)}`] : [])].join(', \\; ');
    return [`${s.step}`, scalarTex(s.loss), parameters];
  });
  return {
    rule: 'optim.trajectory',
    title: { key: 'step.optim.trajectory' },
    blocks: [
      text({ key: 'optim.trajectory' }),
      { kind: 'table', header: [{ key: 'trajectory.step' }, { key: 'trajectory.loss' }, { key: 'trajectory.parameters' }], rows },
      text({ key: 'optim.curve' }),
      { kind: 'plot', x: steps.map((s) => s.step), y: steps.map((s) => asDouble(s.loss)), xLabel: { key: 'plot.step' }, yLabel: { key: 'plot.loss' } },
    ],
  };
}
