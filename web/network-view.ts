// A network of layers seen by the Explore panel, which shows one conv layer on the problem's input:
// the network's first layer, when it is a conv2d, as the single-layer problem and result document it
// is (its kernel and settings; its output, its kernel's gradient, the input's gradient, its updated
// kernel). Any other first layer has no window on the input to show.
import type { NetworkResultDocument, ResultDocument } from '../src/index.js';
import { isObject, type ProblemJson } from './problem-json.js';

/** The single-layer fields a conv2d layer carries under the same names. */
const CONV_FIELDS = ['kernel', 'bias', 'stride', 'padding', 'padding_mode', 'dilation', 'groups'];

export function isNetwork(problem: ProblemJson | undefined): boolean {
  return problem !== undefined && problem.layers !== undefined;
}

/** The first layer of a network as a single layer, or none when it is not a conv2d. */
export function firstConvView(problem: ProblemJson, network: NetworkResultDocument): { problem: ProblemJson; result: ResultDocument } | undefined {
  const layers = problem.layers;
  const first = Array.isArray(layers) ? layers[0] : undefined;
  if (!isObject(first) || first.type !== 'conv2d') return undefined;
  const view: ProblemJson = { input: problem.input ?? null };
  for (const field of CONV_FIELDS) if (first[field] !== undefined) view[field] = first[field];
  // One layer's fields of a network result document, under the single layer's names.
  const fields = <T>(of: NetworkResultDocument | NetworkResultDocument['exact']) => ({
    forward: { conv: of.forward.layers[0] as T, output: of.forward.layers[0] as T },
    grad: { kernel: of.grad.layers[0]?.kernel as T, input: of.grad.input as T },
    updated: { kernel: of.updated.layers[0]?.kernel as T },
  });
  const result = { ...fields(network), exact: fields(network.exact) } as unknown as ResultDocument;
  return { problem: view, result };
}
