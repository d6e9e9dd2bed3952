// Another engine's result document, read strictly against convgrad's: every quantity convgrad's
// document has must be there, in the same shape, with numbers for entries; whatever is missing,
// misshapen, no number or unknown is a fault named by its path (grad.kernel[1][0]).
import type { Nested, Tensor } from '../tensor/tensor.js';
import { fieldName, unknownField } from '../problem/parse-problem.js';
import type { ResultDocument, ResultFields } from '../result/result-document.js';
import type { NetworkResultFields } from '../result/network-document.js';
import { readNumber } from './compare.js';
import { describeValue } from './foreign-json.js';

export interface Fault {
  readonly path: string;
  readonly message: string;
  /** A quantity in another shape than convgrad's: its entries in their own shape, where it is rectangular. */
  readonly misshapen?: Tensor<number>;
}

export interface ReadDocument {
  /** Every quantity that could be read in convgrad's shape, by path; entries that are no number are NaN (and a fault). */
  readonly values: ReadonlyMap<string, Tensor<number>>;
  readonly faults: readonly Fault[];
}

/** Every quantity of a result document by path, in the order of the data flow: forward.conv … updated.bias, then trajectory[i].loss/kernel/bias. */
export function documentQuantities(doc: ResultFields<number>): [string, Nested<number>][] {
  const groups = (['forward', 'grad', 'updated'] as const).flatMap((group) => Object.entries(doc[group]).map(([key, value]) => [`${group}.${key}`, value] as [string, Nested<number>]));
  const steps = doc.trajectory.flatMap((step, i) => (['loss', 'kernel', 'bias'] as const).filter((key) => step[key] !== undefined).map((key) => [`trajectory[${i}].${key}`, step[key]!] as [string, Nested<number>]));
  return [...groups, ...steps];
}

const TOP_LEVEL = ['forward', 'grad', 'updated', 'trajectory', 'exact'];

export function readResultDocument(ours: ResultDocument, theirs: unknown): ReadDocument {
  const values = new Map<string, Tensor<number>>();
  const faults: Fault[] = [];
  const fault = (path: string, message: string, misshapen?: Tensor<number>) => faults.push({ path, message, ...(misshapen ? { misshapen } : {}) });
  if (!isRecord(theirs)) {
    fault('', `expected a result document (a JSON object with forward, grad, updated and trajectory), got ${describeValue(theirs)}`);
    return { values, faults };
  }
  const unknownKeys = (object: Record<string, unknown>, known: readonly string[], prefix: string) => {
    for (const key of Object.keys(object).filter((k) => !known.includes(k))) {
      fault(`${prefix}${fieldName(key)}`, key === 'bias' && prefix !== '' ? 'unknown: the problem has no bias' : unknownField(key, known));
    }
  };
  const quantity = (path: string, mine: Nested<number>, other: unknown) => {
    if (other === undefined) return fault(path, 'missing');
    const read = readTensor(path, mine, other);
    if ('tensor' in read) values.set(path, read.tensor);
    read.faults.forEach((f) => faults.push(f));
  };

  unknownKeys(theirs, TOP_LEVEL, '');
  for (const group of ['forward', 'grad', 'updated'] as const) {
    const mine = ours[group] as Record<string, Nested<number>>;
    const other = theirs[group];
    if (other === undefined) fault(group, `missing (convgrad's has ${Object.keys(mine).join(', ')})`);
    else if (!isRecord(other)) fault(group, `expected an object, got ${describeValue(other)}`);
    else {
      unknownKeys(other, Object.keys(mine), `${group}.`);
      for (const [key, value] of Object.entries(mine)) quantity(`${group}.${key}`, value, other[key]);
    }
  }
  const steps = theirs.trajectory;
  const count = ours.trajectory.length;
  if (steps === undefined) fault('trajectory', `missing (convgrad takes ${count} ${count === 1 ? 'step' : 'steps'})`);
  else if (!Array.isArray(steps)) fault('trajectory', `expected an array of steps, got ${describeValue(steps)}`);
  else {
    for (let i = 0; i < Math.max(count, steps.length); i++) {
      const path = `trajectory[${i}]`;
      const step: unknown = steps[i];
      if (i >= steps.length) fault(path, `missing (convgrad takes ${count} steps)`);
      else if (i >= count) fault(path, `unknown: convgrad takes ${count} ${count === 1 ? 'step' : 'steps'}`);
      else if (!isRecord(step)) fault(path, `expected an object, got ${describeValue(step)}`);
      else {
        const mine = ours.trajectory[i];
        unknownKeys(step, Object.keys(mine), `${path}.`);
        if (readNumber(step.step) !== i + 1) fault(`${path}.step`, `expected ${i + 1}, got ${step.step === undefined ? 'nothing' : describeValue(step.step)}`);
        for (const key of ['loss', 'kernel', 'bias'] as const) if (mine[key] !== undefined) quantity(`${path}.${key}`, mine[key]!, step[key]);
      }
    }
  }
  return { values, faults };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shapeOf(value: Nested<number>): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}

/** [2][3], or "a number" for a scalar. */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? 'a number' : shape.map((n) => `[${n}]`).join('');
}

/** Another engine's quantity in convgrad's shape, or the faults that keep it from being read so. */
function readTensor(path: string, mine: Nested<number>, other: unknown): { tensor: Tensor<number>; faults: Fault[] } | { faults: Fault[] } {
  const shape = shapeOf(mine);
  // The shape its first entries give, to name it when it is not convgrad's.
  const theirShape: number[] = [];
  let v = other;
  for (; Array.isArray(v) && v.length > 0; v = v[0]) theirShape.push(v.length);
  if (Array.isArray(v)) theirShape.push(0);
  if (theirShape.join() !== shape.join()) {
    const whole = readAs(path, other, theirShape);
    const misshapen = 'data' in whole && whole.notNumbers.length === 0 ? { misshapen: { shape: theirShape, data: whole.data } } : {};
    return { faults: [{ path, message: `shape ${shapeText(theirShape)}, convgrad's is ${shapeText(shape)}`, ...misshapen }] };
  }
  const read = readAs(path, other, shape);
  if (!('data' in read)) return { faults: [read] };
  const [first, more] = [read.notNumbers[0], read.notNumbers.length - 1];
  const faults = first ? [{ path: `${path}${first.index}`, message: `expected a number, got ${describeValue(first.value)}${more > 0 ? ` (and ${more} more entries of ${path} that are no number)` : ''}` }] : [];
  return { tensor: { shape, data: read.data }, faults };
}

/** A value as the entries of a tensor of the given shape, NaN for those that are no number; or where it is not that shape. */
function readAs(path: string, value: unknown, shape: readonly number[]): { data: number[]; notNumbers: { index: string; value: unknown }[] } | Fault {
  const data: number[] = [];
  const notNumbers: { index: string; value: unknown }[] = [];
  let ragged: Fault | undefined;
  const walk = (v: unknown, depth: number, index: string) => {
    if (ragged) return;
    if (depth === shape.length) {
      const x = Array.isArray(v) ? undefined : readNumber(v);
      if (x === undefined) notNumbers.push({ index, value: v });
      data.push(x ?? NaN);
    } else if (!Array.isArray(v) || v.length !== shape[depth]) {
      ragged = { path: `${path}${index}`, message: `expected an array of ${shape[depth]}, got ${describeValue(v)} (convgrad's ${path} is ${shapeText(shape)})` };
    } else v.forEach((child, i) => walk(child, depth + 1, `${index}[${i}]`));
  };
  walk(value, 0, '');
  return ragged ?? { data, notNumbers };
}

/**
 * Every quantity of a network's result document by path, in the order of the data flow:
 * forward.layers[i], forward.prediction, forward.loss, grad.layers[i].name, grad.outputs[i],
 * grad.input, updated.layers[i].name, then trajectory[k].loss and trajectory[k].layers[i].name.
 */
export function networkDocumentQuantities(doc: NetworkResultFields<number>): [string, Nested<number>][] {
  const named = (prefix: string, layers: readonly Record<string, unknown>[]) => layers.flatMap((layer, i) => Object.entries(layer).map(([name, v]): [string, unknown] => [`${prefix}[${i}].${name}`, v]));
  const listed = (prefix: string, values: readonly unknown[]) => values.map((v, i): [string, unknown] => [`${prefix}[${i}]`, v]);
  const all: [string, unknown][] = [
    ...listed('forward.layers', doc.forward.layers),
    ['forward.prediction', doc.forward.prediction],
    ['forward.loss', doc.forward.loss],
    ...named('grad.layers', doc.grad.layers),
    ...listed('grad.outputs', doc.grad.outputs),
    ['grad.input', doc.grad.input],
    ...named('updated.layers', doc.updated.layers),
    ...doc.trajectory.flatMap((step, k): [string, unknown][] => [[`trajectory[${k}].loss`, step.loss], ...named(`trajectory[${k}].layers`, step.layers)]),
  ];
  return all.filter(([, v]) => v !== undefined && v !== null) as [string, Nested<number>][];
}

/**
 * Another engine's network result document read against convgrad's, walking both together: at each
 * of convgrad's quantities a tensor of its shape; at each object the same keys (the other may have
 * `exact`); at each list (the layers, the steps) as many entries; a step's `step` its number.
 */
export function readNetworkDocument(ours: NetworkResultFields<number>, theirs: unknown): ReadDocument {
  const values = new Map<string, Tensor<number>>();
  const faults: Fault[] = [];
  const quantities = new Map(networkDocumentQuantities(ours));
  const walk = (mine: unknown, other: unknown, path: string): void => {
    const shown = path === '' ? 'the document' : path;
    const quantity = quantities.get(path);
    if (quantity !== undefined) {
      if (other === undefined) return void faults.push({ path, message: 'missing' });
      const read = readTensor(path, quantity, other);
      if ('tensor' in read) values.set(path, read.tensor);
      read.faults.forEach((f) => faults.push(f));
    } else if (Array.isArray(mine)) {
      if (other === undefined) return void faults.push({ path, message: `missing (convgrad's has ${mine.length} ${mine.length === 1 ? 'entry' : 'entries'})` });
      if (!Array.isArray(other)) return void faults.push({ path, message: `expected an array of ${mine.length}, got ${describeValue(other)}` });
      if (other.length !== mine.length) faults.push({ path, message: `${other.length} ${other.length === 1 ? 'entry' : 'entries'}, convgrad's has ${mine.length}` });
      mine.forEach((m, i) => walk(m, other[i], `${path}[${i}]`));
    } else if (isRecord(mine)) {
      if (other === undefined) return void faults.push({ path, message: 'missing' });
      if (!isRecord(other)) return void faults.push({ path: shown === 'the document' ? '' : path, message: `expected an object${path === '' ? ' with forward, grad, updated and trajectory' : ''}, got ${describeValue(other)}` });
      const known = [...Object.keys(mine), ...(path === '' ? ['exact'] : [])];
      for (const key of Object.keys(other).filter((k) => !known.includes(k))) faults.push({ path: `${path === '' ? '' : `${path}.`}${fieldName(key)}`, message: unknownField(key, known) });
      for (const [key, m] of Object.entries(mine)) {
        const at = path === '' ? key : `${path}.${key}`;
        if (key === 'step') {
          if (readNumber(other.step) !== m) faults.push({ path: at, message: `expected ${m}, got ${other.step === undefined ? 'nothing' : describeValue(other.step)}` });
        } else if (m !== undefined && m !== null) walk(m, other[key], at);
      }
    }
  };
  walk({ forward: ours.forward, grad: ours.grad, updated: ours.updated, trajectory: ours.trajectory }, theirs, '');
  return { values, faults };
}
