// The playground's shape rules for a network (web/network-shapes.ts) against convgrad's own: on random
// networks of every layer type, the shape the editor says each layer gives is the one the core computes,
// and the editor's fitting of a network after an edit of shape gives a network the core accepts.
import { describe, expect, it } from 'vitest';
import { networkResultDocument, parseAnyProblemText, resultDocument, solve, solveNetwork } from '../src/index.js';
import { randomNetwork } from '../src/engines/random-network.js';
import { asNetwork, fitNetwork, LAYER_TYPES, networkShapes, newLayer } from '../web/network-shapes.js';
import type { ProblemJson } from '../web/problem-json.js';

const shapeOf = (value: unknown): number[] => (Array.isArray(value) ? [value.length, ...shapeOf(value[0])] : []);

function coreShapes(problem: ProblemJson): number[][] {
  const parsed = parseAnyProblemText(JSON.stringify(problem));
  if (!parsed.ok || !parsed.network) throw new Error(`not a valid network: ${JSON.stringify(parsed.ok ? 'flat' : parsed.errors)}`);
  return networkResultDocument(solveNetwork(parsed.network)).forward.layers.map(shapeOf);
}

describe('the playground\'s network shapes', () => {
  it('are the core\'s on 120 random networks, every layer', () => {
    for (let seed = 1; seed <= 120; seed++) {
      const problem = { ...randomNetwork(seed), steps: 1 } as ProblemJson;
      expect(networkShapes(problem).slice(1), `network ${seed}`).toEqual(coreShapes(problem));
    }
  });

  it('fit a network after a conv gains an output channel: the layers after it take the new channel', () => {
    let fitted = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const problem = randomNetwork(seed) as ProblemJson;
      const layers = problem.layers as ProblemJson[];
      const conv = layers.findIndex((l) => l.type === 'conv2d' && (l.groups ?? 1) === 1);
      if (conv < 0 || !layers.slice(conv + 1).some((l) => ['conv2d', 'conv_transpose2d', 'batch_norm2d', 'linear'].includes(l.type as string))) continue;
      const kernel = layers[conv].kernel as unknown[][];
      kernel.push(kernel[0].map((plane) => (plane as number[][]).map((row) => row.map(() => 0))));
      if (Array.isArray(layers[conv].bias)) (layers[conv].bias as number[]).push(0);
      // Groups after it that no longer divide the channels are the reader's to mend; skip those networks.
      if (layers.slice(conv + 1).some((l) => typeof l.groups === 'number' && l.groups > 1)) continue;
      expect(fitNetwork(problem), `network ${seed}`).toBe(true);
      expect(() => coreShapes(problem), `network ${seed}`).not.toThrow();
      fitted++;
    }
    expect(fitted).toBeGreaterThan(40);
  });

  it('give a new layer of every type the shape of what the layer before gives', () => {
    const base = { input: [[[[1, 2, 0], [0, 1, 3], [2, 1, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]]], head: 'sum', loss: 'mse', target: 1, optimizer: { type: 'sgd', lr: 0.1 } };
    for (const type of LAYER_TYPES) {
      const problem: ProblemJson = { ...base, layers: [{ type: 'conv2d', kernel: [[[[1]], [[1]]], [[[0]], [[1]]]] }, ...(type === 'linear' ? [{ type: 'flatten' }] : [])] };
      const shapes = networkShapes(problem);
      (problem.layers as ProblemJson[]).push(newLayer(type, shapes[shapes.length - 1]));
      expect(() => coreShapes(problem), type).not.toThrow();
    }
  });

  it('write a single layer as the network it means, with the same numbers', () => {
    const flat = { input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, 5]], bias: 1, stride: 1, activation: 'leaky_relu', negative_slope: 0.5, pool: { type: 'avg', size: 2, stride: 1 }, head: 'sum', loss: 'mse', target: 230, optimizer: { type: 'sgd', lr: 0.01 } };
    const network = asNetwork(flat as ProblemJson);
    expect(network.layers).toEqual([{ type: 'conv2d', kernel: [[[[3, 2], [1, 5]]]], bias: [1], stride: 1 }, { type: 'leaky_relu', negative_slope: 0.5 }, { type: 'avg_pool', size: 2, stride: 1 }]);
    const parsedFlat = parseAnyProblemText(JSON.stringify(flat));
    const parsedNetwork = parseAnyProblemText(JSON.stringify(network));
    if (!parsedFlat.ok || parsedFlat.network || !parsedNetwork.ok || !parsedNetwork.network) throw new Error('test problems not valid');
    const single = resultDocument(solve(parsedFlat.problem)).exact;
    const layered = networkResultDocument(solveNetwork(parsedNetwork.network)).exact;
    expect(layered.forward.loss).toBe(single.forward.loss);
    expect((layered.updated.layers[0].kernel as unknown[][])[0][0]).toEqual(single.updated.kernel);
    expect(layered.updated.layers[0].bias).toEqual([single.updated.bias]);
  });
});
