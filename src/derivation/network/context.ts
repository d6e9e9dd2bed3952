// What a network's derivation reads: layer by layer, what went in and came out of it in the first
// step, the gradient that reached its output and the ones it passed on, and how its tensors are
// named and shown. Layers are numbered from 1 as a reader counts them: layer l maps a^{(l-1)} to
// a^{(l)}, with a^{(0)} = X, and δ^{(l)} = ∂L/∂a^{(l)}.
import type { Scalar } from '../../numbers/scalar.js';
import { shownExactly } from '../../expr/to-tex.js';
import type { Layer, NetworkProblem } from '../../problem/network.js';
import type { NamedTensors, StageBackward, StagePass } from '../../ops/stage.js';
import type { Grid } from '../../tensor/grid.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { NetworkSolution } from '../../trajectory/train-network.js';
import { elision, type Detail, type Elision } from '../elide.js';
import { valueMatrix, type Muted } from '../tex.js';

/** Layer l of the network in its first step: l counts from 1. */
export interface LayerView {
  readonly l: number;
  readonly layer: Layer;
  /** a^{(l-1)}: what the layer reads (the input X for layer 1). */
  readonly input: Tensor<Scalar>;
  /** a^{(l)} */
  readonly output: Tensor<Scalar>;
  /** What the stage saved in its forward pass for its backward pass. */
  readonly saved: unknown;
  /** Its parameters in the first step, by name. */
  readonly parameters: NamedTensors;
  /** δ^{(l)} = ∂L/∂a^{(l)} */
  readonly upstream: Tensor<Scalar>;
  /** δ^{(l-1)}, its parameters' gradients and its records. */
  readonly backward: StageBackward;
}

export interface NetworkContext {
  readonly network: NetworkProblem;
  readonly solution: NetworkSolution;
  /** layers[l - 1] is layer l. */
  readonly layers: readonly LayerView[];
  readonly elision: Elision;
  /** Is any value shown rounded (float64, or exact but too long to read)? */
  readonly rounded: boolean;
  /** Figures are drawn (an answer key leaves them out). */
  readonly figures: boolean;
  /** The prediction the head makes of a^{(L)}, and ∂L/∂ of it. */
  readonly prediction: Tensor<Scalar>;
  readonly predictionGradient: Tensor<Scalar>;
  /** A matrix of values, elided as the detail asks. */
  matrix(grid: Grid<Scalar>, muted?: Muted): string;
}

export function networkContext(solution: NetworkSolution, detail: Detail = 'auto', options: { figures?: boolean } = {}): NetworkContext {
  const { network, first } = solution;
  const stages: readonly StagePass[] = first.forward.stages;
  const backward = first.backward.stages;
  const layers = network.layers.map((layer, i): LayerView => ({
    l: i + 1,
    layer,
    input: stages[i].input,
    output: stages[i].output,
    saved: stages[i].saved,
    parameters: first.parameters[i],
    // The gradient at layer i's output is the next stage's input gradient (the head's after the last layer).
    upstream: backward[i + 1].input,
    backward: backward[i],
  }));
  const policy = elision(detail);
  const values = [
    ...layers.flatMap((v) => [...v.output.data, ...v.upstream.data, ...v.backward.input.data]),
    ...solution.steps.flatMap((s) => [s.loss, ...s.after.flatMap((named) => Object.values(named).flatMap((t) => t.data))]),
  ];
  return {
    network,
    solution,
    layers,
    elision: policy,
    rounded: values.some((x) => !shownExactly(x)),
    figures: options.figures ?? true,
    prediction: first.forward.prediction,
    predictionGradient: first.backward.prediction,
    matrix: (grid, muted) => valueMatrix(grid, policy.lines, muted),
  };
}
