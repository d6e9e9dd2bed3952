// Pooling as a stage: each window to one entry, and the gradient routed back through the windows.
import type { Pool } from '../../problem/problem.js';
import type { Stage } from '../stage.js';
import { poolBackward, pooledExtent, poolForward, type Pooled } from './pool.js';

export function poolStage(pool: Pool): Stage<Pooled> {
  return {
    op: 'pool',
    parameterNames: [],
    outputShape: ([batch, channels, rows, cols]) => [batch, channels, ...pooledExtent(pool, rows, cols)],
    forward(input) {
      const pooled = poolForward(pool, input);
      return { output: pooled.output, saved: pooled };
    },
    backward(upstream, { input, saved }) {
      return { input: poolBackward(pool, saved, upstream, input.shape), parameters: {}, records: {} };
    },
  };
}
