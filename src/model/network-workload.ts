// How much a network problem asks for, in numbers, before any of it is done: each layer's tensors,
// the time of its steps in float64, the exact work of a step. The costs follow the flat layer's
// models (workload.ts), layer by layer.
import { bitLength, gcd } from '../numbers/rational.js';
import { isExact, type Scalar } from '../numbers/scalar.js';
import { activationRules } from '../ops/activation/activations.js';
import type { NamedTensors } from '../ops/stage.js';
import { layerParameters, type Layer, type NetworkProblem } from '../problem/network.js';
import type { Diagnostic } from '../problem/problem.js';
import { size } from '../tensor/tensor.js';
import { formatCount, HTML_PER_MARKDOWN_BYTE, LIMITS } from './workload.js';

/** What one layer does in a step, counted. */
export interface LayerWork {
  /** Multiply-adds of its forward pass (each of its two backward products costs as many). */
  readonly multiplyAdds: number;
  /** Entries it reads and writes: its input (padded, for a convolution) and its output. */
  readonly entries: number;
  /** Its largest tensor, with what it is: "the padded input" */
  readonly largest: { readonly entries: number; readonly what: string };
  readonly parameters: number;
  /** Expression nodes or window reads an output entry costs besides (activation, pooling). */
  readonly perEntry: number;
}

export function layerWork(layer: Layer, input: readonly number[], output: readonly number[]): LayerWork {
  const [inEntries, outEntries] = [size(input), size(output)];
  const parameters = Object.values(layerParameters(layer)).reduce((n, t) => n + t.data.length, 0);
  const plain = { multiplyAdds: 0, entries: inEntries + outEntries, largest: { entries: Math.max(inEntries, outEntries), what: 'output' }, parameters, perEntry: 0 };
  switch (layer.type) {
    case 'conv2d': {
      const [, , kh, kw] = layer.kernel.shape;
      const p = layer.padding;
      const padded = input[0] * input[1] * (input[2] + p.top + p.bottom) * (input[3] + p.left + p.right);
      // N · C_out · H' · W' · C_in/groups · kh · kw
      const multiplyAdds = outEntries * (input[1] / layer.groups) * kh * kw;
      return { ...plain, multiplyAdds, entries: padded + outEntries, largest: padded > outEntries ? { entries: padded, what: 'padded input' } : { entries: outEntries, what: 'output' } };
    }
    case 'conv_transpose2d': {
      const [, perGroup, kh, kw] = layer.kernel.shape;
      // N · C_in · H · W · C_out/groups · kh · kw
      return { ...plain, multiplyAdds: inEntries * perGroup * kh * kw };
    }
    case 'linear':
      // N · out · in
      return { ...plain, multiplyAdds: outEntries * input[1] };
    case 'pool':
      return { ...plain, perEntry: layer.pool.size[0] * layer.pool.size[1] * 0.05 };
    case 'activation':
      return { ...plain, perEntry: 0.3 * (activationRules(layer.activation).cost?.(layer.activation) ?? 0) };
    case 'batch_norm2d':
      // centring, the variance, the normalized map and the three-term backward: some ten passes over the map
      return { ...plain, entries: 10 * inEntries };
    case 'flatten':
      return plain;
  }
}

function works(network: NetworkProblem): LayerWork[] {
  const inputs = [network.input.shape, ...network.shapes];
  return network.layers.map((layer, i) => layerWork(layer, inputs[i], network.shapes[i]));
}

/**
 * The estimated microseconds of one float64 step, as the flat layer's model (workload.ts
 * stepMicroseconds): 1.5 µs an entry read or written, 30 µs a parameter, 4 ns a multiply-add in each
 * of the three products, and each layer's own per-entry work; 5 µs a layer.
 */
export function networkStepMicroseconds(network: NetworkProblem): number {
  return works(network).reduce((us, w, i) => us + 5 + w.entries * 1.5 + w.parameters * 30 + w.multiplyAdds * 3 * 0.004 + size(network.shapes[i]) * w.perEntry, 0);
}

/** "input 1×1×6×6, 5 layers, 2.1 k multiply-adds" */
export function networkDescription(network: NetworkProblem): string {
  const multiplyAdds = works(network).reduce((n, w) => n + w.multiplyAdds, 0);
  return `input ${network.input.shape.join('×')}, ${network.layers.length} layer${network.layers.length === 1 ? '' : 's'}, ${formatCount(multiplyAdds)} multiply-adds`;
}

/** What the network asks for beyond the limits, each refusal naming the layer that asks for it. */
export function networkRefusals(network: NetworkProblem): Diagnostic[] {
  const out: Diagnostic[] = [];
  works(network).forEach((w, i) => {
    if (w.largest.entries > LIMITS.entries) out.push({ path: `layers[${i}]`, message: `makes ${w.largest.what === 'output' ? 'an output' : 'a padded input'} of ${formatCount(w.largest.entries)} entries, over the ${formatCount(LIMITS.entries)} limit` });
    if (w.parameters > LIMITS.entries) out.push({ path: `layers[${i}]`, message: `has ${formatCount(w.parameters)} parameters, over the ${formatCount(LIMITS.entries)} limit` });
  });
  if (network.input.data.length > LIMITS.entries) out.push({ path: 'input', message: `${formatCount(network.input.data.length)} entries, over the ${formatCount(LIMITS.entries)} limit` });
  const parameters = works(network).reduce((n, w) => n + w.parameters, 0);
  if (parameters * network.steps > LIMITS.entries && network.steps > 1) {
    out.push({ path: 'steps', message: `${network.steps} steps of ${formatCount(parameters)} parameters make a trajectory of ${formatCount(parameters * network.steps)} numbers, over the ${formatCount(LIMITS.entries)} limit; take fewer steps` });
  }
  if (out.length > 0) return out;
  const seconds = (network.steps * networkStepMicroseconds(network)) / 1e6;
  if (seconds > LIMITS.seconds) {
    out.push({ path: network.steps > 1 ? 'steps' : 'layers', message: `${network.steps > 1 ? `${network.steps} steps of ` : ''}${networkDescription(network)} a step take about ${Math.round(seconds)} s, over the ${LIMITS.seconds} s limit${network.steps > 1 ? '; take fewer steps' : ''}` });
  }
  return out;
}

/** Bits an exact value may reach: Scalar keeps numerators and denominators below 2¹⁰²⁴ (numbers/scalar.ts). */
const BITS_CAP = 2048;

/** The bits of numbers made from these: the largest numerator's, or the lcm of the denominators' where that is more. */
function valueBits(values: readonly Scalar[]): number {
  let numerator = 0;
  let lcm = 1n;
  for (const x of values) {
    if (!isExact(x)) continue;
    numerator = Math.max(numerator, bitLength(x.n));
    if (x.d !== 1n && lcm % x.d !== 0n) lcm = (lcm / gcd(lcm, x.d)) * x.d;
    if (bitLength(lcm) > BITS_CAP) return BITS_CAP;
  }
  return Math.max(numerator, bitLength(lcm));
}

/**
 * The estimated microseconds of one exact step, layer by layer as the flat layer's model
 * (workload.ts exactStepCost): an entry read or written or a parameter costs 4 + 2·b µs, a
 * multiply-add 5 ns in each of three products times the pairs of 45-bit limbs its numbers need, with
 * b the bits the layer's numbers reach: its input's, plus its parameters' and log2 of its sums' terms
 * (convolutions, linear), plus an average pool's log2 of the window; after a layer whose values are
 * not rational (sigmoid, tanh, gelu, batch norm) the values are float64 and cost as such.
 */
export function networkExactStepCost(network: NetworkProblem, parameters: readonly NamedTensors[]): number {
  let bits = Math.min(valueBits(network.input.data) + valueBits(network.target.data), BITS_CAP);
  let cost = 0;
  works(network).forEach((w, i) => {
    const layer = network.layers[i];
    const own = valueBits(Object.values(parameters[i] ?? {}).flatMap((t) => t.data));
    const terms = w.multiplyAdds / Math.max(1, size(network.shapes[i]));
    if (w.multiplyAdds > 0) bits = Math.min(bits + own + Math.ceil(Math.log2(Math.max(2, terms))), BITS_CAP);
    else if (layer.type === 'pool' && layer.pool.type === 'avg') bits = Math.min(bits + Math.ceil(Math.log2(layer.pool.size[0] * layer.pool.size[1])) + 1, BITS_CAP);
    else if (layer.type === 'activation' && layer.activation.type === 'expression') bits = Math.min(bits * 4, BITS_CAP);
    else if (layer.type === 'activation' && layer.activation.type === 'leaky_relu') bits = Math.min(bits + own + 8, BITS_CAP);
    const pairs = Math.ceil(bits / 45) ** 2;
    cost += (w.entries + w.parameters) * (4 + 2 * bits) + size(network.shapes[i]) * w.perEntry * (2 + bits) + w.multiplyAdds * 3 * pairs * 0.005;
    if (layer.type === 'batch_norm2d' || (layer.type === 'activation' && ['sigmoid', 'tanh', 'gelu'].includes(layer.activation.type))) bits = 0;
  });
  return cost;
}

/**
 * The seconds of a derivation that works the layers one by one (auto, full): some 0.2 s a layer (its
 * rule, its entries written out, its tensors typeset) and 20 µs a value shown (every layer's output and
 * δ, every parameter three times: given, its gradient, updated). Measured (derive, HTML): 64 conv
 * layers of 4×8×8, 12.2 s and 52 MB of HTML (estimated 13.7 s); 21 of 8×32×32, 7.8 s (11.8 s); the
 * examples 0.1–0.27 s (0.2–1.0 s).
 */
function layeredDerivationSeconds(network: NetworkProblem): number {
  let values = size(network.input.shape);
  network.layers.forEach((layer, i) => {
    values += 2 * size(network.shapes[i]);
    for (const t of Object.values(layerParameters(layer))) values += 3 * t.data.length;
  });
  return 0.2 * network.layers.length + values * 20e-6;
}

/**
 * A refusal of a network's derivation that would be too large, before any work: --detail auto and
 * summary show a few entries a tensor written out (their products found among all of the layer's,
 * some 0.2 µs a multiply-add: 0.66 s measured for 3×64×64 → conv 8 → pool → conv 16 → linear 10, 3.2 M
 * multiply-adds); --detail full writes every entry of every sum: each multiply-add three times
 * (forward, the parameters' gradient, the input's), some 14 bytes a term (workload.ts).
 */
export function networkDerivationRefusal(network: NetworkProblem, detail: 'full' | 'auto' | 'summary', html: boolean): string | undefined {
  const multiplyAdds = works(network).reduce((n, w) => n + w.multiplyAdds, 0);
  const seconds = Math.max((multiplyAdds * 0.2) / 1e6, detail === 'summary' ? 0 : layeredDerivationSeconds(network));
  if (seconds > LIMITS.derivationSeconds) {
    return `${networkDescription(network)}: a derivation would take about ${Math.round(seconds)} s, over the ${LIMITS.derivationSeconds} s limit; use ${detail === 'summary' ? '' : '--detail summary (the formula sheet), '}--json or --format json`;
  }
  const bytes = multiplyAdds * 3 * 3 * 14 * (html ? HTML_PER_MARKDOWN_BYTE : 1);
  if (detail === 'full' && bytes > LIMITS.fullDerivationBytes) {
    return `${networkDescription(network)} would write about ${formatCount(bytes)}B of ${html ? 'HTML' : 'LaTeX and Markdown'}, over the ${formatCount(LIMITS.fullDerivationBytes)}B limit; use --detail auto, which derives some entries and shows every value`;
  }
  return undefined;
}

/**
 * A refusal of `convgrad check` on a network that would take too long, as the single layer's
 * (workload.ts checkRefusal): finite differences take up to four forward passes (a third of a step
 * each) for each entry they difference, PyTorch some twenty more.
 */
export function networkCheckRefusal(network: NetworkProblem, differenced: number, allEntries: boolean): string | undefined {
  const forward = networkStepMicroseconds(network) / 3;
  const seconds = ((differenced * 4 + 20) * forward) / 1e6;
  if (seconds <= LIMITS.seconds) return undefined;
  return `${networkDescription(network)}: ${differenced.toLocaleString('en-US')} entries differenced${allEntries ? ' (--all-entries)' : ''}, four forward passes each, take about ${Math.round(seconds)} s, over the ${LIMITS.seconds} s limit${allEntries ? '; without --all-entries a sample of each tensor is differenced' : ''}`;
}

/**
 * About how many bytes `convgrad vectors` writes into a network's vectors.json, at some 40 bytes an
 * entry as the single layer's (workload.ts vectorsBytes): each layer's input and output on the way up
 * and down with what it records besides (four times what the layer reads and writes), the input and
 * its gradient, and the parameters with their gradients and optimizer state at each step.
 */
export function networkVectorsBytes(network: NetworkProblem): number {
  const all = works(network);
  const maps = all.reduce((n, w) => n + 4 * w.entries, 0);
  const parameters = all.reduce((n, w) => n + w.parameters, 0);
  return (maps + 2 * network.input.data.length + network.target.data.length + parameters * (3 + 4 * network.steps)) * 40;
}

/** A refusal of a network's vectors too large to write as one JSON text. */
export function networkVectorsRefusal(network: NetworkProblem): Diagnostic[] {
  const bytes = networkVectorsBytes(network);
  if (bytes <= LIMITS.vectorsBytes) return [];
  return [{ path: 'layers', message: `${networkDescription(network)}: vectors.json would take about ${formatCount(bytes)}B, over the ${formatCount(LIMITS.vectorsBytes)}B limit; convgrad derive --json gives the result document` }];
}
