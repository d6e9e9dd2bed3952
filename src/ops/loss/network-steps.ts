// The head and the loss after a network's last layer, and where the backward pass starts: the
// prediction (S, or the map itself), the loss with its numbers, and δ^{(L)} = ∂L/∂a^{(L)} — for
// cross-entropy the softmax of each sample's scores less the one-hot target.
import { rational } from '../../numbers/rational.js';
import { asDouble, mul, sub, type Scalar } from '../../numbers/scalar.js';
import { scalarTex, shownExactly } from '../../expr/to-tex.js';
import type { Loss } from '../../problem/problem.js';
import type { NetworkContext } from '../../derivation/network/context.js';
import { deltaName, entryTex, outputName, outputTensorName, tensorChains } from '../../derivation/network/names.js';
import { math, text } from '../../derivation/blocks.js';
import { chain, operandTex, partial, rounded, withValues } from '../../derivation/tex.js';
import type { Block, Chain, Step } from '../../derivation/step.js';
import type { Tensor } from '../../tensor/tensor.js';
import { lossCase, lossSlopeCase, lossSlopeTex, lossTex } from './tex.js';
import { logSoftmax } from './cross-entropy.js';

const value = (x: Scalar) => rounded(scalarTex(x), !shownExactly(x));

// p_{ν,k} = exp(log softmax(z_ν)_k): each sample's scores as probabilities, as the objective computes them
function softmaxRows(scores: Tensor<Scalar>): Tensor<number> {
  const [batch, classes] = scores.shape;
  const data: number[] = [];
  for (let n = 0; n < batch; n++) data.push(...logSoftmax(scores.data.slice(n * classes, (n + 1) * classes).map(asDouble)).map(Math.exp));
  return { shape: scores.shape, data };
}

/** The prediction and the loss after the last layer. */
export function networkLossStep(ctx: NetworkContext): Step {
  const { network } = ctx;
  const last = ctx.layers[ctx.layers.length - 1];
  const z = outputName(last.l);
  const L = ctx.solution.first.forward.loss;
  const blocks: Block[] = [];
  if (network.loss.type === 'cross_entropy') {
    const p = softmaxRows(last.output);
    const targets = network.target.data.map((t) => Number(t.valueOf()));
    const mean = network.reduction === 'mean';
    const terms = targets.map((t, n) => `\\log p_{${last.output.shape[0] > 1 ? `${n + 1},` : ''}${t + 1}}`);
    blocks.push(
      text({ key: 'net.loss.cross-entropy', params: { classes: math(`${last.output.shape[1]}`), targets: math(targets.map((t) => t + 1).join(',\\ ')) } }),
      { kind: 'chains', chains: [chain(`p_{\\nu,k}`, `\\frac{e^{${z}_{\\nu,k}}}{\\sum_j e^{${z}_{\\nu,j}}}`), chain('L', `-${mean ? `\\frac{1}{N} ` : ''}\\sum_{\\nu} \\log p_{\\nu,t_\\nu}`)].map((c) => ({ ...c, line: 'rule' })) },
      { kind: 'chains', chains: [...tensorChains(ctx, 'p', p), chain('L', `-${mean && targets.length > 1 ? `\\frac{1}{${targets.length}} ` : ''}\\left(${terms.join(' + ')}\\right)`, value(L))] },
    );
    return { rule: 'loss.reduce', title: { key: 'net.step.loss' }, blocks };
  }
  const loss = network.loss as Loss;
  if (network.head !== 'none') {
    const [S, T] = [ctx.prediction.data[0], network.target.data[0]];
    const headRule = network.head === 'sum' ? `\\sum ${z}` : `\\frac{1}{${last.output.data.length}} \\sum ${z}`;
    blocks.push(
      text({ key: network.head === 'sum' ? 'net.head.sum' : 'net.head.mean', params: { name: math(outputTensorName(last.l)) } }),
      { kind: 'chains', chains: [chain('S', headRule, value(S)), chain('L', lossTex(loss, 'S', 'T'), withValues(lossTex(loss, operandTex(S), operandTex(T), lossCase(loss, S, T)), [S, T]), value(L))] },
    );
    return { rule: 'loss.reduce', title: { key: 'net.step.loss' }, blocks };
  }
  const n = ctx.prediction.data.length;
  const mean = network.reduction === 'mean';
  const elementLosses = ctx.solution.first.forward.elementLosses;
  blocks.push(
    text({ key: mean ? 'net.loss.map.mean' : 'net.loss.map.sum', params: { name: math(outputTensorName(last.l)), count: math(`${n}`) } }),
    { kind: 'chains', chains: [chain('L', `${mean ? `\\frac{1}{${n}} ` : ''}\\sum l(${z}, t)`), chain('l(y, t)', lossTex(loss, 'y', 't'))].map((c) => ({ ...c, line: 'rule' })) },
    { kind: 'chains', chains: [...tensorChains(ctx, 'l', elementLosses), chain('L', value(L))] },
  );
  return { rule: 'loss.reduce', title: { key: 'net.step.loss' }, blocks };
}

/** δ^{(L)} = ∂L/∂a^{(L)}: where the backward pass starts. */
export function networkLossGradientStep(ctx: NetworkContext): Step {
  const { network } = ctx;
  const last = ctx.layers[ctx.layers.length - 1];
  const d = deltaName(last.l);
  const delta = last.upstream;
  const blocks: Block[] = [];
  const mean = network.reduction === 'mean';
  if (network.loss.type === 'cross_entropy') {
    const batch = last.output.shape[0];
    blocks.push(
      text({ key: 'net.loss.cross-entropy.gradient' }),
      { kind: 'chains', chains: [chain(`${d}_{\\nu,k}`, `${mean && batch > 1 ? `\\frac{1}{${batch}} ` : ''}\\left(p_{\\nu,k} - [k = t_\\nu]\\right)`)] },
      { kind: 'chains', chains: tensorChains(ctx, d, delta) },
    );
    return { rule: 'chain.loss-prediction', title: { key: 'net.step.loss.back' }, blocks };
  }
  const loss = network.loss as Loss;
  if (network.head !== 'none') {
    const [S, T] = [ctx.prediction.data[0], network.target.data[0]];
    const dS = ctx.predictionGradient.data[0];
    const slope = network.head === 'mean' ? rational(1, last.output.data.length) : rational(1);
    const entry = mul(dS, slope);
    blocks.push(
      text({ key: network.head === 'sum' ? 'net.loss.gradient.sum' : 'net.loss.gradient.mean', params: { delta: math(d) } }),
      {
        kind: 'chains',
        chains: [
          chain(partial('L', 'S'), lossSlopeTex(loss, 'S', 'T'), withValues(lossSlopeTex(loss, operandTex(S), operandTex(T), lossSlopeCase(loss, S, T)), [S, T]), value(dS)),
          chain(`${d}_k`, network.head === 'sum' ? `${partial('L', 'S')} \\cdot 1` : `${partial('L', 'S')} \\cdot \\frac{1}{${last.output.data.length}}`, value(entry)),
        ],
      },
      { kind: 'chains', chains: tensorChains(ctx, d, delta) },
    );
    return { rule: 'chain.loss-prediction', title: { key: 'net.step.loss.back' }, blocks };
  }
  const n = delta.data.length;
  const example: Chain[] = ctx.elision.entries(n).slice(0, 2).map((flat) => {
    const [y, t] = [last.output.data[flat], network.target.data[flat]];
    const w = mean ? `\\frac{1}{${n}} \\cdot ` : '';
    return chain(entryTex(d, delta.shape, flat), `${w}${lossSlopeTex(loss, entryTex(outputName(last.l), delta.shape, flat), entryTex('t', delta.shape, flat))}`, withValues(`${w}${lossSlopeTex(loss, operandTex(y), operandTex(t), lossSlopeCase(loss, y, t))}`, [y, t, sub(y, t)]), value(delta.data[flat]));
  });
  blocks.push(text({ key: mean ? 'net.loss.gradient.map.mean' : 'net.loss.gradient.map.sum', params: { delta: math(d), count: math(`${n}`) } }), { kind: 'chains', chains: example }, { kind: 'chains', chains: tensorChains(ctx, d, delta) });
  return { rule: 'chain.loss-prediction', title: { key: 'net.step.loss.back' }, blocks };
}

/** The loss and δ^{(L)} in symbols: the formula sheet's lines after the layers. */
export function networkLossFormulas(ctx: NetworkContext): Chain[] {
  const { network } = ctx;
  const last = ctx.layers[ctx.layers.length - 1];
  const [z, d] = [outputName(last.l), deltaName(last.l)];
  const mean = network.reduction === 'mean';
  if (network.loss.type === 'cross_entropy') {
    return [
      chain(`p_{\\nu,k}`, `\\frac{e^{${z}_{\\nu,k}}}{\\sum_j e^{${z}_{\\nu,j}}}`),
      chain('L', `-${mean ? '\\frac{1}{N} ' : ''}\\sum_{\\nu} \\log p_{\\nu,t_\\nu}`),
      chain(`${d}_{\\nu,k}`, `${mean ? '\\frac{1}{N} ' : ''}\\left(p_{\\nu,k} - [k = t_\\nu]\\right)`),
    ];
  }
  const loss = network.loss as Loss;
  if (network.head !== 'none') {
    const n = last.output.data.length;
    return [
      chain('S', network.head === 'sum' ? `\\sum ${z}` : `\\frac{1}{${n}} \\sum ${z}`),
      chain('L', lossTex(loss, 'S', 'T')),
      chain(`${d}_k`, network.head === 'sum' ? partial('L', 'S') : `\\frac{1}{${n}} ${partial('L', 'S')}`, `${network.head === 'sum' ? '' : `\\frac{1}{${n}} `}${lossSlopeTex(loss, 'S', 'T')}`),
    ];
  }
  const n = last.output.data.length;
  return [
    chain('L', `${mean ? `\\frac{1}{${n}} ` : ''}\\sum_k l(${z}_k, t_k)`, `${mean ? `\\frac{1}{${n}} ` : ''}\\sum_k ${lossTex(loss, `${z}_k`, 't_k')}`),
    chain(`${d}_k`, `${mean ? `\\frac{1}{${n}} ` : ''}${lossSlopeTex(loss, `${z}_k`, 't_k')}`),
  ];
}
