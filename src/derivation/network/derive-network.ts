// The derivation of a network: what is given, the forward pass layer by layer to the loss, the
// backward pass from the loss down layer by layer, the update of every layer's parameters; or, with
// --detail summary, the one-page formula sheet with the results.
import { rationalTex, scalarTex, shownExactly } from '../../expr/to-tex.js';
import { asDouble, type Scalar } from '../../numbers/scalar.js';
import type { Layer } from '../../problem/network.js';
import { activationTex } from '../../ops/activation/activations.js';
import { lossTex } from '../../ops/loss/tex.js';
import { networkLossFormulas, networkLossGradientStep, networkLossStep } from '../../ops/loss/network-steps.js';
import { optimizerRules } from '../../optim/optimizers.js';
import type { NamedTensors } from '../../ops/stage.js';
import type { NetworkSolution } from '../../trajectory/train-network.js';
import { math, text } from '../blocks.js';
import type { Detail } from '../elide.js';
import { ruleStep, STEPS_IN_FULL } from '../sections/training.js';
import type { Block, Chain, Derivation, LegendEntry, Section, Step, Text } from '../step.js';
import type { StringKey } from '../../strings/strings.js';
import { chain, pairTex, partial, primed, rounded } from '../tex.js';
import { networkContext, type NetworkContext } from './context.js';
import { layerSteps } from './layer-steps.js';
import { deltaName, entryTex, layered, shapeTex, tensorChains } from './names.js';

/** options.figures: draw figures (default true; an answer key, which shows the working, leaves them to the handout). */
export function deriveNetwork(solution: NetworkSolution, detail: Detail = 'auto', options: { figures?: boolean } = {}): Derivation {
  const ctx = networkContext(solution, detail, options);
  const title = solution.network.title === undefined ? {} : { title: solution.network.title };
  const intro: Text[] = [{ key: solution.roundedFrom === 1 ? 'doc.intro.float' : 'doc.intro' }, ...(ctx.rounded ? [{ key: 'doc.rounded' } as const] : [])];
  if (detail === 'summary') {
    return { ...title, heading: 'net.doc.sheet-title', layout: 'sheet', intro, sections: [problemSection(ctx, false), formulasSection(ctx), resultsSection(ctx)] };
  }
  return { ...title, heading: 'net.doc.title', layout: 'document', intro, sections: [problemSection(ctx, true), forwardSection(ctx), backwardSection(ctx), trainingSection(ctx)] };
}

/** A layer's name and settings as PyTorch writes its module: Conv2d(1, 2, kernel_size=(2, 2), stride=1). */
function layerLabel(layer: Layer, input: readonly number[], output: readonly number[]): string {
  const t = (s: string) => `\\texttt{${s.replace(/_/g, '\\_')}}`;
  switch (layer.type) {
    case 'conv2d': {
      const [o, , kh, kw] = layer.kernel.shape;
      const p = layer.padding;
      const padding = layer.paddingSpec === 'explicit' ? pairTex([p.top, p.left]) : `\\text{${layer.paddingSpec}}`;
      const extras = [`s = ${pairTex(layer.stride)}`, `p = ${padding}`, ...(layer.dilation[0] * layer.dilation[1] > 1 ? [`d = ${pairTex(layer.dilation)}`] : []), ...(layer.groups > 1 ? [`g = ${layer.groups}`] : []), ...(layer.paddingMode !== 'zeros' ? [`\\text{${layer.paddingMode}}`] : [])];
      return `${t('Conv2d')}(${input[1]} \\to ${o},\\ ${kh} \\times ${kw};\\ ${extras.join(',\\ ')}${layer.bias ? '' : ',\\ \\text{no bias}'})`;
    }
    case 'conv_transpose2d': {
      const [, perGroup, kh, kw] = layer.kernel.shape;
      const extras = [`s = ${pairTex(layer.stride)}`, `p = ${pairTex(layer.padding)}`, ...(layer.outputPadding[0] + layer.outputPadding[1] > 0 ? [`p_{\\text{out}} = ${pairTex(layer.outputPadding)}`] : []), ...(layer.dilation[0] * layer.dilation[1] > 1 ? [`d = ${pairTex(layer.dilation)}`] : []), ...(layer.groups > 1 ? [`g = ${layer.groups}`] : [])];
      return `${t('ConvTranspose2d')}(${input[1]} \\to ${perGroup * layer.groups},\\ ${kh} \\times ${kw};\\ ${extras.join(',\\ ')})`;
    }
    case 'activation':
      return `${t(layer.written)}:\\ ${activationTex(layer.activation, 'x')}`;
    case 'pool':
      return `${t(layer.pool.type === 'max' ? 'MaxPool2d' : 'AvgPool2d')}(${layer.pool.size[0]} \\times ${layer.pool.size[1]},\\ s = ${pairTex(layer.pool.stride)})`;
    case 'batch_norm2d':
      return `${t('BatchNorm2d')}(${input[1]},\\ \\varepsilon = ${rationalTex(layer.eps)})`;
    case 'flatten':
      return t('Flatten');
    case 'linear':
      return `${t('Linear')}(${input[1]} \\to ${output[1]}${layer.bias ? '' : ',\\ \\text{no bias}'})`;
  }
}

/** Each parameter of layer l under its name in the derivation: K^{(l)}, b^{(l)}, W^{(l)}, γ^{(l)}, β^{(l)}. */
function parameterTensorName(layer: Layer, name: string, l: number): string {
  if (name === 'kernel') return layered('K', l);
  if (name === 'weight') return layered(layer.type === 'batch_norm2d' ? '\\gamma' : 'W', l);
  return layered(layer.type === 'batch_norm2d' ? '\\beta' : 'b', l);
}

/** An entry's symbol of parameter p of layer l: k^{(l)}, w^{(l)}, b^{(l)}, γ^{(l)}, β^{(l)}. */
function parameterEntryName(layer: Layer, name: string, l: number): string {
  if (name === 'kernel') return layered('k', l);
  if (name === 'weight') return layered(layer.type === 'batch_norm2d' ? '\\gamma' : 'w', l);
  return layered(layer.type === 'batch_norm2d' ? '\\beta' : 'b', l);
}

/** K^{(1)}_{2} → {K'}^{(1)}_{2}: the updated parameter. */
function primedName(name: string): string {
  const layerMark = /^(.*?)(\^\{\(\d+\)\})(_\{[^}]*\})?$/.exec(name);
  return layerMark ? `${primed(layerMark[1], layerMark[2])}${layerMark[3] ?? ''}` : primed(name);
}

function parameterChains(ctx: NetworkContext, parameters: readonly NamedTensors[], name: (base: string) => string): Chain[] {
  // The plane's subscript goes on the parameter's symbol (∂L/∂K^{(1)}_2, {K'}^{(1)}_2), not after the whole name.
  // A layer's parameters share a line where they fit: its kernel's planes and its bias side by side.
  return ctx.layers.flatMap((view, i) => Object.entries(parameters[i]).flatMap(([p, t]) => tensorChains(ctx, (sub) => name(`${parameterTensorName(view.layer, p, view.l)}${sub}`), t, t.shape.length === 1 ? 'vector' : t.shape.length === 2 ? 'matrix' : 'kernel').map((c) => ({ ...c, line: `layer ${view.l}` }))));
}

function problemSection(ctx: NetworkContext, legend: boolean): Section {
  const { network } = ctx;
  const inputs = [network.input.shape, ...network.shapes];
  const rows = network.layers.map((layer, i) => [`${i + 1}`, layerLabel(layer, inputs[i], network.shapes[i]), shapeTex(network.shapes[i])]);
  const loss = network.loss;
  const lossText: Text =
    loss.type === 'cross_entropy'
      ? { key: 'net.problem.cross-entropy', params: { targets: math(network.target.data.map((t) => Number(t.valueOf()) + 1).join(',\\ ')), reduction: { word: network.reduction === 'mean' ? 'word.mean' : 'word.sum' } } }
      : network.head === 'none'
        ? { key: 'net.problem.loss.map', params: { loss: math(`l(y, t) = ${lossTex(loss, 'y', 't')}`), reduction: { word: network.reduction === 'mean' ? 'word.mean' : 'word.sum' } } }
        : { key: network.head === 'sum' ? 'net.problem.loss.sum' : 'net.problem.loss.mean', params: { loss: math(`L = ${lossTex(loss, 'S', 'T')}`), target: math(`T = ${scalarTex(network.target.data[0])}`) } };
  const rules = optimizerRules(network.optimizer);
  const blocks: Block[] = [
    // A document lists the layers in a table; the formula sheet names each layer where its formulas stand.
    ...(legend
      ? [text({ key: 'net.problem.input', params: { shape: math(shapeTex(network.input.shape)), count: math(`${network.layers.length}`) } }), { kind: 'table', header: [{ key: 'net.table.layer' }, { key: 'net.table.module' }, { key: 'net.table.output' }], rows } as Block]
      : [text({ key: 'net.problem.input.sheet', params: { shape: math(shapeTex(network.input.shape)), count: math(`${network.layers.length}`) } })]),
    // The sheet sets X beside the first layer's parameters, in one block with the rest.
    ...(legend
      ? [{ kind: 'chains', chains: tensorChains(ctx, 'X', network.input).map((c) => ({ ...c, line: 'input' })) } as Block, text({ key: 'net.problem.parameters' })]
      : []),
    { kind: 'chains', chains: [...(legend ? [] : tensorChains(ctx, 'X', network.input).map((c) => ({ ...c, line: 'layer 1' }))), ...parameterChains(ctx, ctx.solution.first.parameters, (n) => n)] },
    ...(network.head === 'none' && loss.type !== 'cross_entropy' ? [text({ key: 'problem.target' }), { kind: 'chains', chains: tensorChains(ctx, 'T', network.target) } as Block] : []),
    { kind: 'paragraph', texts: [lossText, { key: 'net.problem.optimizer', params: { name: { word: rules.nameKey(network.optimizer) }, settings: math(rules.settingsTex(network.optimizer)), steps: math(`${network.steps}`) } }] },
  ];
  const steps: Step[] = [{ rule: 'problem.statement', title: { key: 'step.problem.statement' }, blocks }];
  if (legend) steps.push({ rule: 'problem.legend', title: { key: 'step.problem.legend' }, blocks: [{ kind: 'legend', entries: legendEntries(ctx) }] });
  return { id: 'problem', title: { key: 'section.problem' }, steps };
}

function legendEntries(ctx: NetworkContext): LegendEntry[] {
  const entry = (symbol: string, key: StringKey): LegendEntry => ({ symbol, meaning: { key } });
  const types = new Set(ctx.network.layers.map((l) => l.type));
  const batched = ctx.network.input.shape[0] > 1;
  return [
    entry('a^{(l)},\\ a^{(0)} = X', 'net.legend.output'),
    entry('\\delta^{(l)}', 'net.legend.delta'),
    entry('a^{(l)}_{\\nu,c,i,j}', 'net.legend.indices'),
    ...(types.has('conv2d') || types.has('conv_transpose2d') ? [entry('K^{(l)},\\ b^{(l)}', 'net.legend.kernel'), entry('s,\\ p,\\ d', 'legend.layer')] : []),
    ...(types.has('linear') ? [entry('W^{(l)},\\ b^{(l)}', 'net.legend.weight')] : []),
    ...(types.has('batch_norm2d') ? [entry('\\gamma^{(l)},\\ \\beta^{(l)},\\ \\mu,\\ \\sigma^2', 'net.legend.batch-norm')] : []),
    ...(types.has('pool') ? [entry('R_{ij}', 'net.legend.window')] : []),
    ...(batched ? [entry('\\nu', 'legend.batch')] : []),
    entry('\\odot', 'legend.odot'),
    ...(ctx.network.loss.type === 'cross_entropy' ? [entry('p_{\\nu,k},\\ t_\\nu', 'net.legend.softmax')] : []),
    entry('\\theta,\\ \\eta', 'net.legend.optim'),
    // The optimizer's own symbols (λ, μ, τ, β₁, β₂, m, v, …), as its rule names them.
    ...optimizerRules(ctx.network.optimizer).legend(ctx.network.optimizer),
  ];
}

function forwardSection(ctx: NetworkContext): Section {
  const steps = [...ctx.layers.flatMap((view) => layerSteps(view.layer).forward(ctx, view)), networkLossStep(ctx)];
  return { id: 'forward', title: { key: 'section.forward' }, steps };
}

function backwardSection(ctx: NetworkContext): Section {
  const intro: Step = { rule: 'network.backward.intro', title: { key: 'net.step.backward.intro' }, blocks: [text({ key: 'net.backward.intro', params: { last: math(deltaName(ctx.layers.length)) } })] };
  const start = networkLossGradientStep(ctx);
  const steps = [{ ...start, blocks: [...intro.blocks, ...start.blocks] }, ...[...ctx.layers].reverse().flatMap((view) => layerSteps(view.layer).backward(ctx, view))];
  return { id: 'backward', title: { key: 'section.backward' }, steps };
}

/**
 * The optimizer: its rule, then the first steps worked (auto: STEPS_IN_FULL, full: all), each with its
 * gradients, the rule on one entry's numbers and the parameters after it; the rest in the loss table.
 */
function trainingSection(ctx: NetworkContext): Section {
  const { network, solution } = ctx;
  const all = solution.steps;
  const shown = ctx.elision.detail === 'full' ? all.length : Math.min(STEPS_IN_FULL, all.length);
  const steps: Step[] = [ruleStep(network.optimizer)];
  for (let t = 1; t <= shown; t++) steps.push(stepStep(ctx, t));
  if (shown < all.length) {
    const last = steps[steps.length - 1];
    steps[steps.length - 1] = { ...last, blocks: [...last.blocks, text({ key: 'optim.steps.rest', params: { from: math(`${shown + 1}`), to: math(`${all.length}`) } })] };
    const rows = all.map((s) => [`${s.step}`, `${shownExactly(s.loss) ? '' : '\\approx '}${scalarTex(s.loss)}`]);
    const curve: Block[] = all.length >= 3 ? [{ kind: 'plot', x: all.map((s) => s.step), y: all.map((s) => asDouble(s.loss)), xLabel: { key: 'plot.step' }, yLabel: { key: 'plot.loss' } }] : [];
    steps.push({
      rule: 'optim.trajectory',
      title: { key: 'step.optim.trajectory' },
      blocks: [
        text({ key: 'net.trajectory', params: { steps: math(`${all.length}`) } }),
        { kind: 'table', header: [{ key: 'trajectory.step' }, { key: 'trajectory.loss' }], rows },
        ...curve,
        text({ key: 'net.trajectory.after', params: { steps: math(`${all.length}`) } }),
        { kind: 'chains', chains: parameterChains(ctx, all[all.length - 1].after, primedName) },
      ],
    });
  }
  return { id: 'training', title: { key: network.steps > 1 ? 'section.training' : 'section.update' }, steps };
}

/**
 * Step t: its gradients (step 1's from the backward pass above; a later step's from the passes run
 * again, with its loss), the rule with one entry's numbers where it takes several lines (momentum,
 * Adam, …; the optimizer's state from step t − 1), and every parameter after the step.
 */
function stepStep(ctx: NetworkContext, t: number): Step {
  const { network, solution } = ctx;
  const step = solution.steps[t - 1];
  const several = solution.steps.length > 1;
  const rules = optimizerRules(network.optimizer);
  const plain = rules.plain?.(network.optimizer) ?? false;
  const gradients: Block[] = [
    t === 1 ? text({ key: 'net.update.gradients' }) : text({ key: 'optim.step.again', params: { previous: math(`${t - 1}`), loss: math(`L ${shownExactly(step.loss) ? '=' : '\\approx'} ${scalarTex(step.loss)}`) } }),
    { kind: 'chains', chains: parameterChains(ctx, step.gradients, (n) => partial('L', n)) },
  ];
  // Plain SGD: each parameter tensor at once, θ' = θ − η ∂L/∂θ with its numbers.
  const updates: Chain[] = plain
    ? ctx.layers.flatMap((view, i) =>
        Object.keys(step.before[i]).flatMap((p) => {
          const name = parameterTensorName(view.layer, p, view.l);
          return [chain(primedName(name), `${name} - \\eta \\, ${partial('L', name)}`), ...tensorChains(ctx, primedName(name), step.after[i][p])];
        }),
      )
    : parameterChains(ctx, step.after, primedName);
  // A rule of several lines with one entry's numbers: the first parameter's first entry.
  const example: Block[] = [];
  if (!plain) {
    const i = step.before.findIndex((named) => Object.keys(named).length > 0);
    const [p, theta] = Object.entries(step.before[i])[0];
    const name = entryTex(parameterEntryName(ctx.layers[i].layer, p, i + 1), theta.shape, 0, theta.shape.length === 1 ? 'vector' : theta.shape.length === 2 ? 'matrix' : 'kernel');
    const k = step.before.slice(0, i).reduce((n, named) => n + Object.values(named).reduce((m, x) => m + x.data.length, 0), 0);
    const previous = t === 1 ? {} : solution.steps[t - 2].state;
    const chains = rules.entryChains(network.optimizer, { t, k, name, theta: theta.data[0], grad: step.gradients[i][p].data[0], record: step.record, previous });
    example.push(text({ key: 'net.update.example', params: { name: math(name) } }), { kind: 'chains', chains });
  }
  const result = several ? text({ key: 'optim.step.result', params: { step: math(`${t}`) } }) : text({ key: 'net.update.result' });
  const title: Text = several ? { key: 'step.optim.step', params: { step: math(`${t}`) } } : plain ? { key: 'step.optim.sgd-update' } : { key: 'section.update' };
  return { rule: 'optim.step', title, blocks: [...gradients, ...example, result, { kind: 'chains', chains: updates }] };
}

function formulasSection(ctx: NetworkContext): Section {
  const blocks: Block[] = [
    ...ctx.layers.flatMap((view) => [text({ key: 'net.formulas.layer', params: { l: math(`${view.l}`), module: math(layerLabel(view.layer, view.input.shape, view.output.shape)) } }), { kind: 'chains', chains: layerSteps(view.layer).formulas(view) } as Block]),
    // Where the backward pass starts, and the update every parameter takes.
    text({ key: 'net.formulas.loss' }),
    { kind: 'chains', chains: networkLossFormulas(ctx).map((c) => ({ ...c, line: 'loss' })) },
    ...ruleStep(ctx.network.optimizer).blocks,
  ];
  return { id: 'formulas', title: { key: 'section.formulas' }, steps: [{ rule: 'formulas.all', title: { key: 'section.formulas' }, blocks }] };
}

function resultsSection(ctx: NetworkContext): Section {
  const { solution } = ctx;
  const value = (x: Scalar) => rounded(scalarTex(x), !shownExactly(x));
  const last = solution.steps[solution.steps.length - 1];
  const blocks: Block[] = [
    { kind: 'chains', chains: [chain('L', value(solution.first.forward.loss))] },
    { kind: 'chains', chains: parameterChains(ctx, solution.steps[0].gradients, (n) => partial('L', n)) },
    text(solution.steps.length > 1 ? { key: 'net.trajectory.after', params: { steps: math(`${solution.steps.length}`) } } : { key: 'net.update.result' }),
    { kind: 'chains', chains: parameterChains(ctx, last.after, primedName) },
  ];
  return { id: 'summary', title: { key: 'section.summary' }, steps: [{ rule: 'summary.results', title: { key: 'section.summary' }, blocks }] };
}

