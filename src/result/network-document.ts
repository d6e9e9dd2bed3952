// The result document of a network (the contract's "Networks: layers"): every layer's output and its
// gradient, every layer's parameters' gradients and values after the steps, the trajectory; doubles,
// and under "exact" the same fields as exact strings. In `exact`, a tensor with an entry that is not
// exact is left out: null in a list of layers (so that index i stays layer i), absent in an object.
import { toDouble, toExactString } from '../numbers/rational.js';
import { isExact, type Scalar } from '../numbers/scalar.js';
import type { NamedTensors } from '../ops/stage.js';
import { toNested, type Nested, type Tensor } from '../tensor/tensor.js';
import type { NetworkSolution } from '../trajectory/train-network.js';
import { formatJson } from './result-document.js';

type Field<T> = Nested<T> | null;
type Named<T> = Record<string, Field<T>>;

export interface NetworkResultFields<T> {
  forward: { layers: Field<T>[]; prediction?: Field<T>; loss?: T };
  grad: { layers: Named<T>[]; outputs: Field<T>[]; input?: Field<T> };
  updated: { layers: Named<T>[] };
  trajectory: { step: number; loss?: T; layers: Named<T>[] }[];
}

export type NetworkResultDocument = NetworkResultFields<number> & { exact: NetworkResultFields<string> };

export function networkResultDocument(solution: NetworkSolution): NetworkResultDocument {
  return {
    ...networkResultFields(solution, (x) => (isExact(x) ? toDouble(x) : x)),
    exact: networkResultFields(solution, (x) => (isExact(x) ? toExactString(x) : undefined)),
  };
}

/** The document as written: two-space JSON, each matrix row on one line, a final newline. */
export function networkResultJson(solution: NetworkSolution): string {
  return `${formatJson(networkResultDocument(solution), '')}\n`;
}

function networkResultFields<T>(solution: NetworkSolution, write: (x: Scalar) => T | undefined): NetworkResultFields<T> {
  const { network, first, steps } = solution;
  const layers = network.layers.length;
  const tensor = (t: Tensor<Scalar>): Field<T> => {
    const values = t.data.map(write);
    return values.some((v) => v === undefined) ? null : toNested({ shape: t.shape, data: values as T[] });
  };
  // A layer's parameters by name; a name whose tensor is not all exact is left out.
  const named = (tensors: NamedTensors): Named<T> => Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, tensor(t)]).filter(([, v]) => v !== null));
  const layerList = (all: readonly NamedTensors[]) => all.slice(0, layers).map(named);
  const scalar = (x: Scalar) => write(x);
  const stages = first.forward.stages;
  // The gradient that reaches a layer's output is the next stage's input gradient (the head's, after the last layer).
  const outputGradient = (i: number) => first.backward.stages[i + 1].input;
  const last = steps[steps.length - 1];
  return {
    forward: {
      layers: stages.slice(0, layers).map((s) => tensor(s.output)),
      prediction: (network.head === 'none' ? tensor(first.forward.prediction) : scalar(first.forward.prediction.data[0])) ?? undefined,
      loss: scalar(first.forward.loss),
    },
    grad: {
      layers: layerList(first.backward.stages.map((s) => s.parameters)),
      outputs: stages.slice(0, layers).map((_, i) => tensor(outputGradient(i))),
      input: tensor(first.backward.input) ?? undefined,
    },
    updated: { layers: layerList(last.after) },
    trajectory: steps.map((s) => ({ step: s.step, loss: scalar(s.loss), layers: layerList(s.after) })),
  };
}
