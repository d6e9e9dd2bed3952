// flatten as a stage (nn.Flatten(), start_dim = 1): [N][C][H][W] (any rank ≥ 2) → [N][C·H·W], entries in
// row-major order untouched; its backward is the same reshape the other way.
import { reshape, size } from '../../tensor/tensor.js';
import type { Stage } from '../stage.js';

/** [N][rest]: the batch axis kept, every other axis joined. */
export function flattenedShape(input: readonly number[]): number[] {
  return [input[0], size(input.slice(1))];
}

export function flattenStage(): Stage<undefined> {
  return {
    op: 'flatten',
    parameterNames: [],
    outputShape: flattenedShape,
    forward: (input) => ({ output: reshape(input, flattenedShape(input.shape)), saved: undefined }),
    // ∂L/∂x_{n,c,i,j} = ∂L/∂y_{n, (c·H + i)·W + j}: δ reshaped to the input's shape
    backward: (delta, { input }) => ({ input: reshape(delta, input.shape), parameters: {}, records: {} }),
  };
}
