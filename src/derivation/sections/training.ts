// Section 4: the optimizer. Its rule in general form, then each step entry by entry (the first few
// in full), the trajectory as a table and the loss as a curve.
import type { Grid } from '../../tensor/grid.js';
import type { Rational } from '../../numbers/rational.js';
import { rationalTex, scalarTex, shownExactly, symbolTex } from '../../expr/to-tex.js';
import { biasSym, kernelSym } from '../../ops/conv2d/symbols.js';
import { unravel } from '../../tensor/tensor.js';
import { asDouble, type Scalar } from '../../numbers/scalar.js';
import type { Optimizer } from '../../problem/problem.js';
import { optimizerRules } from '../../optim/optimizers.js';
import { flatGradients, flatParameters, type TrainingStep } from '../../trajectory/train.js';
import { planeChains, planes } from '../planes.js';
import { chain, exactMatrix, operandTex, partial, primed, rounded, withValues } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section, Step } from '../step.js';
import { math, text, value } from '../blocks.js';

/** How many steps auto derives entry by entry; the rest are in the trajectory table. */
export const STEPS_IN_FULL = 3;
/** Parameters whose update takes several lines (momentum, Adam, RMSprop) are shown one by one up to this many (auto); beyond, the first. */
export const STATEFUL_ENTRY_LIMIT = 2;
/** = for a value shown exactly, ≈ for one rounded. */
const approx = (x: Scalar) => (shownExactly(x) ? '=' : '\\approx');

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

export function ruleStep(o: Optimizer): Step {
  const rules = optimizerRules(o);
  const blocks: Block[] = rules.plain?.(o)
    ? [text({ key: 'optim.sgd' })]
    : [
        text({ key: rules.ruleKey(o) }),
        // Short lines: two or three a row where they fit.
        { kind: 'chains', chains: rules.ruleChains(o).map((c) => ({ ...c, line: 'rule' })) },
        text({ key: 'optim.settings', params: { settings: math(rules.settingsTex(o)) } }),
        ...rules.notes(o).map((key) => text({ key })),
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

const op = operandTex;

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
  const rules = optimizerRules(o);
  const plain = rules.plain?.(o) ?? false;
  // A rule of several lines is shown on one entry (the same rule holds for every parameter); the matrices below hold every value.
  const entries = plain || ctx.elision.detail === 'full' || theta.length <= STATEFUL_ENTRY_LIMIT ? ctx.elision.entries(theta.length) : [0];
  if (plain) {
    // θ' = θ − η · ∂L/∂θ, one line an entry, two or three a line where they fit
    const kernel = ctx.problem.kernel;
    const chains = entries.map((k): Chain => {
      const name = parameterName(ctx, k);
      const line = chain(primed(name), `${name} - \\eta \\, ${partial('L', name)}`, withValues(`${scalarTex(theta[k])} - ${rationalTex(o.lr)} \\cdot ${op(grads[k])}`, [theta[k], grads[k]]), value(step.record.parameters[k]));
      // The first step's line of a kernel entry: marked as that entry's update.
      return t === 1 && k < kernel.data.length ? { ...line, entry: { tensor: 'kernel.update', index: unravel(kernel.shape, k) } } : line;
    });
    blocks.push({ kind: 'chains', chains: chains.map((c) => ({ ...c, line: 'updates' })) });
  } else {
    const each = entries.map((k) => rules.entryChains(o, { t, k, name: parameterName(ctx, k), theta: theta[k], grad: grads[k], record: step.record, previous }));
    blocks.push({ kind: 'chains', chains: each.flat(), groupSize: each[0].length });
  }
  if (entries.length < theta.length) blocks.push(text({ key: 'elide.entries', params: { shown: math(`${entries.length}`), total: math(`${theta.length}`) } }));
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
