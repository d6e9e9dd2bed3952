// A batch norm layer (training mode) in a network's derivation: each channel's mean and biased
// variance over the batch and the positions, the normalized map and its scale and shift; back, the
// gradients of γ and β, and δ^{(l-1)} by the three-term formula, derived from the chain rule through
// μ and σ² before it is used.
import { rationalTex, scalarTex, shownExactly } from '../../expr/to-tex.js';
import { exact, mul, type Scalar } from '../../numbers/scalar.js';
import type { BatchNorm2dLayer } from '../../problem/network.js';
import type { LayerSteps } from '../../derivation/network/layer-steps.js';
import { biasCancelledByBatchNorm } from '../../model/network.js';
import { cancelledBias } from '../../derivation/network/cancelled-bias.js';
import type { LayerView, NetworkContext } from '../../derivation/network/context.js';
import { deltaName, layered, outputName, outputTensorName, rowTex, tensorChains } from '../../derivation/network/names.js';
import { math, text } from '../../derivation/blocks.js';
import { chain, operandTex, partial, rounded } from '../../derivation/tex.js';
import type { Block, Chain, Step } from '../../derivation/step.js';
import type { BatchNormStatistics } from './batch-norm.js';

const value = (x: Scalar) => rounded(scalarTex(x), !shownExactly(x));

const g = (l: number) => layered('\\gamma', l);
const b = (l: number) => layered('\\beta', l);

function forward(ctx: NetworkContext, view: LayerView): Step[] {
  const l = view.l;
  const layer = view.layer as BatchNorm2dLayer;
  const saved = view.saved as BatchNormStatistics;
  const [batch, channels, rows, cols] = view.input.shape;
  const m = batch * rows * cols;
  const x = outputName(l - 1);
  const chains: Chain[] = [];
  for (let c = 0; c < channels; c++) {
    const c1 = channels > 1 ? `_{${c + 1}}` : '';
    // m·μ and m·σ²: the sums the two means divide
    const total = mul(saved.mean.data[c], exact(m));
    const squares = mul(saved.variance.data[c], exact(m));
    chains.push(
      { ...chain(`\\mu${c1}`, `\\frac{1}{m} \\sum_k ${x}_k`, `\\frac{1}{${m}} \\cdot ${operandTex(total)}`, value(saved.mean.data[c])), line: `mu ${c}` },
      { ...chain(`\\sigma^2${c1}`, `\\frac{1}{m} \\sum_k (${x}_k - \\mu${c1})^2`, `\\frac{1}{${m}} \\cdot ${operandTex(squares)}`, value(saved.variance.data[c])), line: `mu ${c}` },
      { ...chain(`1 / \\sqrt{\\sigma^2${c1} + \\varepsilon}`, `1 / \\sqrt{${scalarTex(saved.variance.data[c])} + ${rationalTex(layer.eps)}}`, value(saved.invStd.data[c])), line: `mu ${c}` },
    );
  }
  const rule = [
    chain(`\\hat ${x}`, `\\frac{${x} - \\mu_c}{\\sqrt{\\sigma^2_c + \\varepsilon}}`),
    chain(outputName(l), `${g(l)}_c \\, \\hat ${x} + ${b(l)}_c`),
  ].map((ch) => ({ ...ch, line: 'rule' }));
  return [
    {
      rule: 'network.layer.forward',
      title: { key: 'net.step.batch-norm', params: { l: math(`${l}`) } },
      blocks: [
        text({ key: 'net.batch-norm.forward', params: { m: math(`m = ${m}`), eps: math(`\\varepsilon = ${rationalTex(layer.eps)}`) } }),
        { kind: 'chains', chains: rule },
        text({ key: 'net.batch-norm.statistics' }),
        { kind: 'chains', chains },
        text({ key: 'net.batch-norm.normalized', params: { gamma: math(`${g(l)} = ${rowTex(layer.weight.data)}`), beta: math(`${b(l)} = ${rowTex(layer.bias.data)}`) } }),
        { kind: 'chains', chains: tensorChains(ctx, `\\hat ${outputTensorName(l - 1)}`, saved.xhat) },
        text({ key: 'net.layer.output', params: { name: math(outputTensorName(l)) } }),
        { kind: 'chains', chains: tensorChains(ctx, outputTensorName(l), view.output) },
      ],
    },
  ];
}

function backward(ctx: NetworkContext, view: LayerView): Step[] {
  const l = view.l;
  const grads = view.backward.parameters;
  const [batch, channels, rows, cols] = view.input.shape;
  const m = batch * rows * cols;
  const x = outputName(l - 1);
  const d = deltaName(l);
  const hat = `\\hat ${x}`;
  const s = '\\sqrt{\\sigma^2 + \\varepsilon}';
  // The chain rule through x̂, σ² and μ, each of which depends on x_k: the three terms, then simplified.
  const derivation: Chain[] = [
    chain(partial('L', `${hat}_k`), `${g(l)} \\, ${d}_k`),
    chain(partial('L', '\\sigma^2'), `-\\frac{1}{2} (\\sigma^2 + \\varepsilon)^{-3/2} \\sum_j ${partial('L', `${hat}_j`)} (${x}_j - \\mu)`),
    chain(partial('L', '\\mu'), `-\\frac{1}{${s}} \\sum_j ${partial('L', `${hat}_j`)} + ${partial('L', '\\sigma^2')} \\cdot \\frac{-2}{m} \\sum_j (${x}_j - \\mu)`, `-\\frac{1}{${s}} \\sum_j ${partial('L', `${hat}_j`)}`),
    chain(partial('L', `${x}_k`), [`${partial('L', `${hat}_k`)} \\frac{1}{${s}}`, `+ ${partial('L', '\\sigma^2')} \\frac{2 (${x}_k - \\mu)}{m}`, `+ ${partial('L', '\\mu')} \\frac{1}{m}`], `\\frac{${g(l)}}{${s}} \\left(${d}_k - \\frac{1}{m} \\sum_j ${d}_j - ${hat}_k \\, \\frac{1}{m} \\sum_j ${d}_j \\, ${hat}_j\\right)`),
  ];
  const perChannel: Chain[] = [];
  for (let c = 0; c < channels; c++) {
    const c1 = channels > 1 ? `_{${c + 1}}` : '';
    const [meanDelta, meanProduct] = [view.backward.records.meanDelta.data[c], view.backward.records.meanDeltaXhat.data[c]];
    perChannel.push(
      { ...chain(partial('L', `${b(l)}${c1}`), `\\sum ${d}${c1}`, value(grads.bias.data[c])), line: `p ${c}` },
      { ...chain(partial('L', `${g(l)}${c1}`), `\\sum ${d}${c1} \\, ${hat}${c1}`, value(grads.weight.data[c])), line: `p ${c}` },
      { ...chain(`\\frac{1}{m} \\sum ${d}${c1}`, value(meanDelta)), line: `m ${c}` },
      { ...chain(`\\frac{1}{m} \\sum ${d}${c1} \\, ${hat}${c1}`, value(meanProduct)), line: `m ${c}` },
    );
  }
  const blocks: Block[] = [
    text({ key: 'net.batch-norm.backward', params: { m: math(`m = ${m}`) } }),
    { kind: 'chains', chains: derivation },
    // Its shift β before another batch norm: the reason its gradient is 0, before the sums that show it
    ...(biasCancelledByBatchNorm(ctx.network, l - 1) ? cancelledBias(ctx, view, '\\nu,i,j', b(l), false) : []),
    text({ key: 'net.batch-norm.backward.numbers' }),
    { kind: 'chains', chains: perChannel },
    { kind: 'chains', chains: tensorChains(ctx, deltaName(l - 1), view.backward.input) },
  ];
  return [{ rule: 'network.layer.backward', title: { key: 'net.step.batch-norm.back', params: { l: math(`${l}`) } }, blocks }];
}

export const batchNorm2dNetworkSteps: LayerSteps = {
  forward,
  backward,
  formulas: (view) => {
    const l = view.l;
    const x = outputName(l - 1);
    const d = deltaName(l);
    return [
      chain(outputName(l), `${g(l)}_c \\frac{${x} - \\mu_c}{\\sqrt{\\sigma^2_c + \\varepsilon}} + ${b(l)}_c`),
      chain(partial('L', `${g(l)}_c`), `\\sum ${d} \\, \\hat ${x}`),
      chain(partial('L', `${b(l)}_c`), `\\sum ${d}`),
      chain(deltaName(l - 1), `\\frac{${g(l)}_c}{\\sqrt{\\sigma^2_c + \\varepsilon}} \\left(${d} - \\overline{${d}} - \\hat ${x} \\, \\overline{${d} \\, \\hat ${x}}\\right)`),
    ];
  },
};
