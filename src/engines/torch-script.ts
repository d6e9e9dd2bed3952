// `convgrad torch`: a self-contained, readable PyTorch script that rebuilds the problem with
// torch.nn.Conv2d, the activation, pooling, loss and torch.optim optimizer it names, in float64,
// and checks every number against convgrad's.
import { toDouble } from '../numbers/rational.js';
import { outputForm, type Problem } from '../problem/problem.js';
import { fillTemplate } from '../render/templates.js';
import { resultDocument } from '../result/result-document.js';
import type { Solution } from '../trajectory/train.js';
import { documentReach, kinkSites } from './kinks.js';
import { documentQuantities } from './result-reader.js';
import { DTYPE_TOLERANCES } from './tolerance.js';
import { pythonExpression, pythonFloat, pythonList, pythonTensor } from './python.js';

export function torchScript(solution: Solution, version: string): string {
  const { problem } = solution;
  const doc = resultDocument(solution);
  const expected = { forward: doc.forward, grad: doc.grad, updated: doc.updated, trajectory: doc.trajectory };
  const [, inChannels] = problem.input.shape;
  const [outChannels, , kh, kw] = problem.kernel.shape;
  const pair = (p: readonly [number, number]) => `(${p[0]}, ${p[1]})`;
  const padding = problem.paddingSpec === 'explicit' ? pair([problem.padding.top, problem.padding.left]) : `'${problem.paddingSpec}'`;
  const convArguments = [
    `in_channels=${inChannels}`, `out_channels=${outChannels}`, `kernel_size=${pair([kh, kw])}`, `stride=${pair(problem.stride)}`,
    `padding=${padding}`, `dilation=${pair(problem.dilation)}`, `groups=${problem.groups}`, `bias=${problem.bias ? 'True' : 'False'}`,
    `padding_mode='${problem.paddingMode}'`,
  ].join(', ');
  const mapDims = outputForm(problem);
  const paths = documentQuantities(doc).map(([path]) => path);
  return fillTemplate('torch.py', {
    title: (problem.title ?? 'A convolution layer, forward, backward and update').replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"'),
    version,
    input: pythonTensor(problem.input, problem.inputForm),
    inputShape: problem.input.shape.join(', '),
    convArguments,
    kernel: pythonTensor(problem.kernel, problem.kernelForm),
    kernelShape: problem.kernel.shape.join(', '),
    biasCopy: problem.bias ? `    conv.bias.copy_(torch.tensor(${pythonList(problem.bias.values.map(toDouble))}))\n` : '',
    target: problem.head === 'none' ? pythonTensor(problem.target, mapDims) : pythonFloat(toDouble(problem.target.data[0])),
    targetShape: problem.head === 'none' ? `.reshape(${problem.target.shape.join(', ')})` : '',
    optimizer: optimizerTex(problem),
    steps: `${problem.steps}`,
    activation: activationCode(problem),
    pool: problem.pool ? `F.${problem.pool.type}_pool2d(a, kernel_size=${pair(problem.pool.size)}, stride=${pair(problem.pool.stride)})` : 'a',
    head: problem.head === 'sum' ? 'p.sum()' : problem.head === 'mean' ? 'p.mean()' : 'p',
    loss: lossCode(problem),
    inputDims: `${problem.inputForm}`,
    kernelDims: `${problem.kernelForm}`,
    mapDims: `${mapDims}`,
    biasDims: problem.bias?.form === 'array' ? '1' : '0',
    expected: JSON.stringify(expected),
    // Each kink with the entries it reaches (its cone of dependence), by result path: kinks.ts's rule, as data.
    kinks: JSON.stringify(kinkSites(solution).map(({ cone, ...site }) => ({ ...site, reaches: Object.fromEntries(paths.map((path) => [path, documentReach(cone, path)]).filter(([, reach]) => reach === 'all' || reach.length > 0)) }))),
    tolerance: JSON.stringify(DTYPE_TOLERANCES.float64),
  });
}

function activationCode(problem: Problem): string {
  const f = problem.activation;
  switch (f.type) {
    case 'none': return 'sigma';
    case 'relu': return 'torch.relu(sigma)';
    case 'leaky_relu': return `F.leaky_relu(sigma, negative_slope=${pythonFloat(toDouble(f.slope))})`;
    case 'sigmoid': return 'torch.sigmoid(sigma)';
    case 'tanh': return 'torch.tanh(sigma)';
    case 'expression': return `${pythonExpression(f.expression.node, { x: 'sigma' })}  # ${f.expression.source}`;
  }
}

function lossCode(problem: Problem): string {
  const loss = problem.loss;
  const reduction = `reduction='${problem.reduction}'`;
  switch (loss.type) {
    case 'mse': return `F.mse_loss(prediction, target, ${reduction})`;
    case 'l1': return `F.l1_loss(prediction, target, ${reduction})`;
    case 'smooth_l1': return `F.smooth_l1_loss(prediction, target, ${reduction}, beta=${pythonFloat(toDouble(loss.beta))})`;
    case 'huber': return `F.huber_loss(prediction, target, ${reduction}, delta=${pythonFloat(toDouble(loss.delta))})`;
    case 'bce': return `F.binary_cross_entropy(prediction, target, ${reduction})`;
    case 'expression': {
      const elements = pythonExpression(loss.expression.node, { y: 'prediction', t: 'target' });
      return `(${elements}).${problem.reduction}()  # ${loss.expression.source}`;
    }
  }
}

function optimizerTex(problem: Problem): string {
  const o = problem.optimizer;
  const f = (r: Parameters<typeof toDouble>[0]) => pythonFloat(toDouble(r));
  switch (o.type) {
    case 'sgd':
      return `torch.optim.SGD(conv.parameters(), lr=${f(o.lr)}, momentum=${f(o.momentum)}, dampening=${f(o.dampening)}, nesterov=${o.nesterov ? 'True' : 'False'}, weight_decay=${f(o.weight_decay)})`;
    case 'adam':
    case 'adamw':
      return `torch.optim.${o.type === 'adam' ? 'Adam' : 'AdamW'}(conv.parameters(), lr=${f(o.lr)}, betas=(${f(o.betas[0])}, ${f(o.betas[1])}), eps=${f(o.eps)}, weight_decay=${f(o.weight_decay)}, amsgrad=${o.amsgrad ? 'True' : 'False'})`;
    case 'rmsprop':
      return `torch.optim.RMSprop(conv.parameters(), lr=${f(o.lr)}, alpha=${f(o.alpha)}, eps=${f(o.eps)}, weight_decay=${f(o.weight_decay)}, momentum=${f(o.momentum)}, centered=${o.centered ? 'True' : 'False'})`;
  }
}
