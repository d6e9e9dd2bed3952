// `convgrad torch`: a self-contained, readable PyTorch script that rebuilds the problem with
// torch.nn.Conv2d, the activation, pooling, loss and torch.optim optimizer it names, in float64,
// and checks every number against convgrad's. The problem and convgrad's results go into the script
// as one JSON text that the script parses: the only code convgrad writes is chosen from fixed
// pieces by the problem's kind (relu, max pooling, SGD …); no text from the problem file, titles and
// expressions included, ever becomes Python source.
import { toDouble, type Rational } from '../numbers/rational.js';
import { outputForm, type Problem } from '../problem/problem.js';
import { torchTree } from '../expr/user-expression.js';
import { activationRules } from '../ops/activation/activations.js';
import { headTorch } from '../ops/head/head.js';
import { lossTorch } from '../ops/loss/engines.js';
import { poolTorch } from '../ops/pool/pool.js';
import { optimizerRules } from '../optim/optimizers.js';
import { isRationalPair, settingValues } from '../optim/optimizer.js';
import { fillTemplate } from '../render/templates.js';
import { formatJson, resultDocument } from '../result/result-document.js';
import type { Solution } from '../trajectory/train.js';
import { toNested, type Tensor } from '../tensor/tensor.js';
import { documentReach, kinkSites } from './kinks.js';
import { documentQuantities } from './result-reader.js';
import { DTYPE_TOLERANCES } from './tolerance.js';

export function torchScript(solution: Solution, version: string): string {
  const { problem } = solution;
  const doc = resultDocument(solution);
  const paths = documentQuantities(doc).map(([path]) => path);
  const data = {
    problem: torchProblem(problem),
    expected: { forward: doc.forward, grad: doc.grad, updated: doc.updated, trajectory: doc.trajectory },
    // Each kink with the entries it reaches (its cone of dependence), by result path: kinks.ts's rule, as data.
    kinks: kinkSites(solution).map(({ cone, ...site }) => ({ ...site, reaches: Object.fromEntries(paths.map((path) => [path, documentReach(cone, path)]).filter(([, reach]) => reach === 'all' || reach.length > 0)) })),
    tolerance: DTYPE_TOLERANCES.float64,
  };
  return fillTemplate('torch.py', {
    version,
    common: torchCommon(data),
    optimizer: optimizerRules(problem.optimizer).torchClass,
    activation: activationRules(problem.activation).torch(problem.activation).code,
    pool: poolTorch(problem.pool),
    head: headTorch(problem.head),
    loss: lossTorch(problem.loss, problem.reduction),
  });
}

/**
 * The head both PyTorch scripts share (templates/torch-common.py): the imports, the data read by
 * json.loads, the title, and the evaluator of the problem's formulas.
 */
export function torchCommon(data: unknown): string {
  return fillTemplate('torch-common.py', { data: pythonStringLines(formatJson(data)) });
}

/**
 * JSON text as Python string literals, one a line, that Python joins into one string (adjacent
 * literals inside the call's parentheses; the lines break only between JSON's tokens). Each literal
 * is a line of printable ASCII that nothing can break out of: the single quote and the backslash
 * are escaped for Python, and any other character (which JSON has only inside its strings) becomes
 * JSON's own escape \uXXXX, its backslash doubled, for json.loads to decode (a surrogate pair into
 * one character).
 */
export function pythonStringLines(text: string): string {
  const escape = (c: string) => (c === "'" || c === '\\' ? `\\${c}` : `\\\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `\n${text.split('\n').map((line) => `    '${line.replace(/[^\x20-\x7e]|['\\]/g, escape)}'`).join('\n')}\n`;
}

/** The problem as the script reads it: doubles, shapes, and the keyword arguments of Conv2d and the optimizer. */
function torchProblem(problem: Problem): Record<string, unknown> {
  // A tensor's doubles in the shape the problem wrote it, so the data reads as the problem file does.
  const doubles = (t: Tensor<Rational>, dimensions: number) => toNested({ shape: t.shape.slice(t.shape.length - dimensions), data: t.data.map(toDouble) });
  const double = (r: Rational) => toDouble(r);
  const [, inChannels] = problem.input.shape;
  const [outChannels, , kh, kw] = problem.kernel.shape;
  // torch.optim's keyword arguments, by name; every one given, so the script does not lean on defaults.
  const settings = settingValues(optimizerRules(problem.optimizer), problem.optimizer);
  const optimizer = Object.fromEntries(settings.map(([key, value]) => [key, typeof value === 'boolean' ? value : isRationalPair(value) ? value.map(double) : double(value)]));
  const f = problem.activation;
  const l = problem.loss;
  return {
    title: problem.title ?? null,
    input: doubles(problem.input, problem.inputForm),
    input_shape: problem.input.shape,
    kernel: doubles(problem.kernel, problem.kernelForm),
    kernel_shape: problem.kernel.shape,
    bias: problem.bias ? problem.bias.values.map(double) : null,
    conv: {
      in_channels: inChannels,
      out_channels: outChannels,
      kernel_size: [kh, kw],
      stride: problem.stride,
      padding: problem.paddingSpec === 'explicit' ? [problem.padding.top, problem.padding.left] : problem.paddingSpec,
      dilation: problem.dilation,
      groups: problem.groups,
      bias: problem.bias !== undefined,
      padding_mode: problem.paddingMode,
    },
    ...activationRules(f).torch(f).settings,
    ...(problem.pool ? { pool: { size: problem.pool.size, stride: problem.pool.stride } } : {}),
    target: doubles(problem.target, problem.head === 'none' ? outputForm(problem) : 0),
    target_shape: problem.head === 'none' ? problem.target.shape : [],
    reduction: problem.reduction,
    ...(l.type === 'smooth_l1' ? { beta: double(l.beta) } : {}),
    ...(l.type === 'huber' ? { delta: double(l.delta) } : {}),
    ...(l.type === 'expression' ? { loss: torchTree(l.expression.node) } : {}),
    optimizer,
    steps: problem.steps,
    dimensions: { input: problem.inputForm, kernel: problem.kernelForm, map: outputForm(problem), bias: problem.bias?.form === 'array' ? 1 : 0 },
  };
}
