// The head as a stage: the map to the prediction S (sum, mean) or the map itself (none).
import { mul } from '../../numbers/scalar.js';
import type { Head } from '../../problem/problem.js';
import type { Stage } from '../stage.js';
import { headForward, headSlope } from './head.js';

export function headStage(head: Head): Stage<undefined> {
  return {
    op: 'head',
    parameterNames: [],
    outputShape: (input) => (head === 'none' ? input : []),
    forward: (input) => ({ output: headForward(head, input), saved: undefined }),
    // ∂L/∂p = ∂L/∂S · ∂S/∂p (sum, mean), or ∂L/∂y itself (none)
    backward(upstream, { input }) {
      if (head === 'none') return { input: upstream, parameters: {}, records: {} };
      const slope = headSlope(head, input.data.length);
      return { input: { shape: input.shape, data: input.data.map(() => mul(upstream.data[0], slope)) }, parameters: {}, records: {} };
    },
  };
}
