// Reads a problem file: JSON text in, a normalized Problem or every diagnostic out. Never throws for bad input.
import { parseRational, rational, readRational, type Rational, isInteger, ZERO } from '../numbers/rational.js';
import { fromNested, reshape, type Nested, type Tensor } from '../tensor/tensor.js';
import { outputExtent } from '../ops/conv2d/geometry.js';
import { pooledExtent } from '../ops/pool/pool.js';
import { parseUserExpression } from '../expr/user-expression.js';
import { NAMED_ACTIVATIONS } from '../ops/activation/activations.js';
import { expressionActivation } from '../ops/activation/expression.js';
import { OPTIMIZERS } from '../optim/optimizers.js';
import type { Setting } from '../optim/optimizer.js';
import { JsonNumber, JsonSyntaxError, parseJsonSource, type JsonValue } from './json-source.js';
import type { NetworkProblem } from './network.js';
import { parseNetwork } from './parse-network.js';
import type {
  Activation, Diagnostic, Head, InputForm, KernelForm, Loss, Optimizer, Padding, PaddingMode, PaddingSpec, Pair, ParseResult, Pool, Problem, Reduction,
} from './problem.js';

const FIELDS = [
  'title', 'input', 'kernel', 'bias', 'stride', 'padding', 'padding_mode', 'dilation', 'groups', 'activation',
  'negative_slope', 'pool', 'head', 'loss', 'beta', 'delta', 'reduction', 'target', 'optimizer', 'steps',
] as const;
/** Every optimizer's settings, each once: the fields an optimizer object may have. */
const OPTIMIZER_FIELDS = ['type', ...new Set(OPTIMIZERS.flatMap((o) => Object.keys(o.settings)))];
const POOL_FIELDS = ['type', 'size', 'stride'];
/** Steps are exact rationals whose digits grow with every step; beyond this a problem is not a derivation. */
const MAX_STEPS = 1000;

export type JsonObject = { [key: string]: JsonValue };
export type Report = ((path: string, message: string) => undefined) & { errors?: Diagnostic[] };

function errorCount(report: Report): number {
  return report.errors?.length ?? 0;
}

/** The JSON of a problem file, or the one diagnostic that says where its syntax fails. */
function readJson(source: string): { readonly json: JsonValue } | { readonly ok: false; readonly errors: readonly Diagnostic[] } {
  try {
    return { json: parseJsonSource(source) };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, errors: [{ path: '', message: `not valid JSON: ${error.message}` }] };
    throw error;
  }
}

export function parseProblemText(source: string): ParseResult {
  const read = readJson(source);
  return 'json' in read ? parseProblem(read.json) : read;
}

/** A problem file of either form: the flat single layer, or a network of `layers`. */
export type AnyParseResult =
  | { readonly ok: true; readonly problem: Problem; readonly network?: undefined }
  | { readonly ok: true; readonly network: NetworkProblem; readonly problem?: undefined }
  | { readonly ok: false; readonly errors: readonly Diagnostic[] };

/** Reads a problem file of either form: with `layers` a network, without the flat single layer. */
export function parseAnyProblemText(source: string): AnyParseResult {
  const read = readJson(source);
  if (!('json' in read)) return read;
  return isObject(read.json) && read.json.layers !== undefined ? parseNetwork(read.json) : parseProblem(read.json);
}

export function parseProblem(json: JsonValue): ParseResult {
  const errors: Diagnostic[] = [];
  const report: Report = Object.assign((path: string, message: string) => {
    errors.push({ path, message });
    return undefined;
  }, { errors });
  if (!isObject(json)) return { ok: false, errors: [{ path: '', message: `expected a JSON object, got ${describe(json)}` }] };
  for (const key of Object.keys(json)) if (!(FIELDS as readonly string[]).includes(key)) report(fieldName(key), unknownField(key, FIELDS));
  const field = (name: (typeof FIELDS)[number]) => json[name];
  const errorCount = () => errors.length;

  const title = readTitle(field('title'), report);
  const input = readTensor(field('input'), 'input', [2, 3, 4], report, errorCount);
  const kernel = readTensor(field('kernel'), 'kernel', [2, 4], report, errorCount);
  const groups = field('groups') === undefined ? 1 : readInteger(field('groups'), 'groups', 1, report);
  const channels = input && kernel && groups !== undefined ? checkChannels(input.tensor, kernel.tensor, kernel.form as KernelForm, groups, report) : undefined;
  const bias = channels ? readBias(field('bias'), channels.out, report) : undefined;
  const stride = readPair(field('stride'), 'stride', 1, 1, report);
  const dilation = readPair(field('dilation'), 'dilation', 1, 1, report);
  const paddingField = readPadding(field('padding'), report);
  const paddingMode = readPaddingMode(field('padding_mode'), report);
  const slope = field('negative_slope') === undefined ? rational(1, 100) : readNumber(field('negative_slope'), 'negative_slope', report);
  const activation = slope ? readActivation(field('activation'), slope, report) : undefined;
  const pool = readPool(field('pool'), report);
  const head = readHead(field('head'), report);
  const beta = readNonNegative(field('beta'), 'beta', report, false);
  const delta = readNonNegative(field('delta'), 'delta', report, true);
  const loss = beta && delta ? readLoss(field('loss'), beta, delta, report) : undefined;
  const reduction = readReduction(field('reduction'), report);
  const optimizer = readOptimizer(field('optimizer'), report);
  const steps = field('steps') === undefined ? 1 : readInteger(field('steps'), 'steps', 1, report, MAX_STEPS);

  // What depends on several fields: the padding's size, that everything fits, the target's shape.
  let padding: Padding | undefined;
  if (paddingField && kernel && dilation) {
    padding = paddingField.spec === 'same' ? samePadding(kernel.tensor, dilation) : paddingField.padding;
    if (paddingField.spec === 'same' && stride && (stride[0] !== 1 || stride[1] !== 1)) report('padding', '"same" needs stride 1 (as in PyTorch)');
  }
  let target: Tensor<Rational> | undefined;
  if (input && kernel && dilation && stride && padding && paddingMode && head && channels) {
    checkPaddingMode(input.tensor, padding, paddingMode, report);
    const map = mapExtent(input.tensor, kernel.tensor, stride, dilation, padding, pool, report);
    if (map) {
      const predictionShape = [input.tensor.shape[0], channels.out, map.rows, map.cols];
      target = readTarget(field('target'), head, predictionShape, input.form as InputForm, report, errorCount);
    }
  } else if (field('target') === undefined) report('target', 'required');

  if (
    errors.length > 0 || !input || !kernel || groups === undefined || !stride || !dilation || !padding || !paddingField || !paddingMode ||
    !activation || !head || !loss || !reduction || !target || !optimizer || steps === undefined
  ) {
    return { ok: false, errors };
  }
  const problem: Problem = {
    ...(title === undefined ? {} : { title }),
    input: input.tensor,
    inputForm: input.form as InputForm,
    kernel: kernel.tensor,
    kernelForm: kernel.form as KernelForm,
    ...(bias === undefined ? {} : { bias }),
    groups,
    stride,
    dilation,
    padding,
    paddingSpec: paddingField.spec,
    paddingMode,
    activation,
    ...(pool === undefined ? {} : { pool }),
    head,
    loss,
    reduction,
    target,
    optimizer,
    steps,
  };
  return { ok: true, problem };
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

/** "a", "b" or "c" */
export function orList(items: readonly string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** How a value reads in a message: strings quoted, numbers as written. */
export function describe(value: JsonValue | undefined): string {
  if (value instanceof JsonNumber) return value.text.length > 40 ? `${value.text.slice(0, 40)}…` : value.text;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return 'an object';
  return String(value);
}

/** A field name a file wrote, as a message's path shows it: a long one cut at 40 characters, one with a control character quoted with escapes. */
export function fieldName(key: string): string {
  const cut = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(cut) ? JSON.stringify(cut) : cut;
}

/** Why a field is unknown, with the nearest known name (two edits away at most) where there is one. */
export function unknownField(key: string, known: readonly string[]): string {
  // A name longer than any known one by more than two letters has no near one: no distance computed.
  const near = known.filter((name) => Math.abs(name.length - key.length) <= 2 && editDistance(name, key.toLowerCase()) <= 2);
  return near.length > 0 ? `unknown field (did you mean "${near[0]}"?)` : `unknown field; the fields are ${known.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

export function readNumber(value: JsonValue | undefined, path: string, report: Report): Rational | undefined {
  const text = value instanceof JsonNumber ? value.text : typeof value === 'string' ? value : undefined;
  const read = text === undefined ? { error: 'not a number' } : readRational(text);
  if ('error' in read) return report(path, read.error === 'not a number' ? `expected a number, got ${describe(value)}` : `${describe(value)}: ${read.error}`);
  return read.value;
}

export function readNonNegative(value: JsonValue | undefined, path: string, report: Report, positive: boolean): Rational | undefined {
  if (value === undefined) return rational(1);
  const parsed = readNumber(value, path, report);
  if (parsed !== undefined && (parsed.s < 0n && !parsed.equals(0) || (positive && parsed.equals(0)))) {
    return report(path, `expected a number ${positive ? '> 0' : '≥ 0'}, got ${describe(value)}`);
  }
  return parsed;
}

export function readInteger(value: JsonValue | undefined, path: string, min: number, report: Report, max = 1_000_000): number | undefined {
  const text = value instanceof JsonNumber ? value.text : typeof value === 'string' ? value : undefined;
  const parsed = text === undefined ? null : parseRational(text);
  if (parsed === null || !isInteger(parsed) || parsed.compare(min) < 0) return report(path, `expected an integer ≥ ${min}, got ${describe(value)}`);
  if (parsed.compare(max) > 0) return report(path, `expected at most ${max}, got ${describe(value)}`);
  return Number(parsed.valueOf());
}

export function readTitle(value: JsonValue | undefined, report: Report): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return report('title', `expected a string, got ${describe(value)}`);
  if (value.length > 200) return report('title', `expected at most 200 characters, got ${value.length}`);
  // Plain text on one line: a line feed, a tab, a line or paragraph separator reads as a space;
  // other control characters (a carriage return among them), the bidirectional overrides and
  // isolates (which reorder what a reader sees), and half a surrogate pair (no character at all)
  // are refused.
  const bad = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0);
    const what = code >= 0xd800 && code < 0xe000 ? 'half of a surrogate pair' : code >= 0x202a ? 'the bidirectional control' : 'the control character';
    return report('title', `contains ${what} U+${code.toString(16).toUpperCase().padStart(4, '0')} at character ${bad.index + 1}; a title is plain text`);
  }
  return value.replace(/[\n\t\u2028\u2029]/g, ' ');
}

const SHAPES: Record<string, Record<number, string>> = {
  input: { 2: '[H][W]', 3: '[C][H][W]', 4: '[N][C][H][W]' },
  kernel: { 2: '[kh][kw]', 4: '[C_out][C_in/groups][kh][kw]' },
};

/** A rectangular array of numbers of one of the allowed depths, as a 4-D tensor and the depth it was given in. */
export function readTensor(value: JsonValue | undefined, path: string, depths: readonly number[], report: Report, errorCount: () => number, names: Record<number, string> = SHAPES[path]): { tensor: Tensor<Rational>; form: number } | undefined {
  const shapes = depths.map((d) => names[d]).join(' or ');
  if (value === undefined) return report(path, `required: a ${shapes} array of numbers`);
  if (!Array.isArray(value) || value.length === 0) return report(path, `expected a non-empty ${shapes} array of numbers, got ${describe(value)}`);
  const shape: number[] = [];
  for (let v: JsonValue = value; Array.isArray(v); v = v[0]) {
    if (v.length === 0) return report(path, `expected a non-empty ${shapes} array of numbers, got an empty array inside`);
    shape.push(v.length);
  }
  if (!depths.includes(shape.length)) return report(path, `expected a ${shapes} array of numbers, got ${shape.length} dimension${shape.length === 1 ? '' : 's'}`);
  const before = errorCount();
  // Entries in order, row-major; an entry's path ("kernel[1][0]") is written only for a message.
  const data: Rational[] = [];
  const index: number[] = [];
  const at = () => `${path}${index.map((i) => `[${i}]`).join('')}`;
  // Entries repeat (a tensor of small integers has a handful of values): each text is read once.
  const known = new Map<string, Rational>();
  const seen = (v: JsonValue): Rational | undefined => {
    const text = v instanceof JsonNumber ? v.text : typeof v === 'string' ? v : undefined;
    if (text === undefined) return undefined;
    let r = known.get(text);
    if (r === undefined) {
      const read = readRational(text);
      if ('error' in read) return undefined;
      known.set(text, (r = read.value));
    }
    return r;
  };
  const walk = (v: JsonValue, depth: number): void => {
    if (depth === shape.length) {
      data.push(seen(v) ?? readNumber(v, at(), report) ?? ZERO);
      return;
    }
    if (!Array.isArray(v)) return void report(at(), `expected an array of ${shape[depth]} entries, got ${describe(v)}`);
    if (v.length !== shape[depth]) return void report(at(), `expected ${shape[depth]} entries like ${path}${'[0]'.repeat(depth)}, got ${v.length}`);
    index.push(0);
    for (let i = 0; i < v.length; i++) {
      index[depth] = i;
      walk(v[i], depth + 1);
    }
    index.pop();
  };
  walk(value, 0);
  if (errorCount() !== before) return undefined;
  const full = [...Array(4 - shape.length).fill(1), ...shape];
  return { tensor: { shape: full, data }, form: shape.length };
}

/** C_in = groups · (C_in/groups), and groups divides both channel counts (as torch.nn.Conv2d requires). */
function checkChannels(input: Tensor<Rational>, kernel: Tensor<Rational>, kernelForm: KernelForm, groups: number, report: Report): { out: number } | undefined {
  const cIn = input.shape[1];
  const [cOut, perGroup] = kernel.shape;
  if (cIn % groups !== 0) return report('groups', `${groups} does not divide the input's ${cIn} channel${cIn === 1 ? '' : 's'}`);
  if (cOut % groups !== 0) return report('groups', `${groups} does not divide the kernel's ${cOut} output channel${cOut === 1 ? '' : 's'}`);
  if (perGroup * groups !== cIn) {
    if (kernelForm === 2) return report('kernel', `a [kh][kw] kernel reads one input channel, but the input has ${cIn}; write it as [C_out][C_in/groups][kh][kw]`);
    return report('kernel', `its second dimension is C_in/groups = ${cIn}/${groups} = ${cIn / groups}, got ${perGroup}`);
  }
  return { out: cOut };
}

function readBias(value: JsonValue | undefined, channels: number, report: Report): Problem['bias'] {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length !== channels) return report('bias', `expected one entry per output channel (${channels}), got ${value.length}`);
    const values = value.map((v, i) => readNumber(v, `bias[${i}]`, report));
    return values.every((v) => v !== undefined) ? { values: values as Rational[], form: 'array' } : undefined;
  }
  if (channels !== 1) return report('bias', `a number is the bias of one output channel; the kernel has ${channels}, so give [C_out]`);
  const entry = readNumber(value, 'bias', report);
  return entry && { values: [entry], form: 'number' };
}

export function readPair(value: JsonValue | undefined, path: string, min: number, fallback: number, report: Report): Pair | undefined {
  if (value === undefined) return [fallback, fallback];
  if (Array.isArray(value)) {
    if (value.length !== 2) return report(path, `expected an integer or [h, w], got ${value.length} entries`);
    const h = readInteger(value[0], `${path}[0]`, min, report);
    const w = readInteger(value[1], `${path}[1]`, min, report);
    return h === undefined || w === undefined ? undefined : [h, w];
  }
  const both = readInteger(value, path, min, report);
  return both === undefined ? undefined : [both, both];
}

export function readPadding(value: JsonValue | undefined, report: Report, path = 'padding'): { padding: Padding; spec: PaddingSpec } | undefined {
  const none = { top: 0, bottom: 0, left: 0, right: 0 };
  if (value === 'valid' || value === 'same') return { padding: none, spec: value };
  if (typeof value === 'string' && parseRational(value) === null) return report(path, `expected an integer, [ph, pw], "valid" or "same", got ${describe(value)}`);
  const pair = readPair(value, path, 0, 0, report);
  return pair && { padding: { top: pair[0], bottom: pair[0], left: pair[1], right: pair[1] }, spec: 'explicit' };
}

export function readPaddingMode(value: JsonValue | undefined, report: Report, path = 'padding_mode'): PaddingMode | undefined {
  if (value === undefined) return 'zeros';
  if (value === 'zeros' || value === 'reflect' || value === 'replicate' || value === 'circular') return value;
  return report(path, `expected "zeros", "reflect", "replicate" or "circular", got ${describe(value)}`);
}

/** PyTorch's "same": total padding d·(k − 1) per axis, the smaller half before, the extra cell after (bottom/right). */
export function samePadding(kernel: Tensor<Rational>, dilation: Pair): Padding {
  const rows = dilation[0] * (kernel.shape[2] - 1);
  const cols = dilation[1] * (kernel.shape[3] - 1);
  return { top: Math.floor(rows / 2), bottom: rows - Math.floor(rows / 2), left: Math.floor(cols / 2), right: cols - Math.floor(cols / 2) };
}

// reflect mirrors without repeating the edge, so it needs padding < size; circular wraps, padding ≤ size (as F.pad).
export function checkPaddingMode(input: Pick<Tensor<Rational>, 'shape'>, padding: Padding, mode: PaddingMode, report: Report, path = 'padding'): void {
  if (mode === 'zeros' || mode === 'replicate') return;
  const [h, w] = [input.shape[2], input.shape[3]];
  const widest = Math.max(padding.top, padding.bottom);
  const widestCols = Math.max(padding.left, padding.right);
  const limit = (size: number) => (mode === 'reflect' ? size - 1 : size);
  if (widest > limit(h) || widestCols > limit(w)) {
    const [p, size, axis] = widest > limit(h) ? [widest, h, 'H'] : [widestCols, w, 'W'];
    report(path, `${mode} padding of ${p} needs an input ${mode === 'reflect' ? 'larger than' : 'at least as large as'} that, got ${axis} = ${size}`);
  }
}

/** The spatial size of the map the head sees (after the conv and the pooling), or a diagnostic. */
function mapExtent(input: Tensor<Rational>, kernel: Tensor<Rational>, stride: Pair, dilation: Pair, padding: Padding, pool: Pool | undefined, report: Report) {
  const span = (k: number, d: number) => d * (k - 1) + 1;
  const padded = [input.shape[2] + padding.top + padding.bottom, input.shape[3] + padding.left + padding.right];
  const spans = [span(kernel.shape[2], dilation[0]), span(kernel.shape[3], dilation[1])];
  if (spans[0] > padded[0] || spans[1] > padded[1]) {
    return report('kernel', `the kernel spans ${spans[0]}×${spans[1]} cells (dilation included), more than the padded input's ${padded[0]}×${padded[1]}`);
  }
  const rows = outputExtent(padded[0], kernel.shape[2], stride[0], dilation[0]);
  const cols = outputExtent(padded[1], kernel.shape[3], stride[1], dilation[1]);
  if (!pool) return { rows, cols };
  if (pool.size[0] > rows || pool.size[1] > cols) return report('pool', `the ${pool.size[0]}×${pool.size[1]} window is larger than the ${rows}×${cols} map it pools`);
  const [pooledRows, pooledCols] = pooledExtent(pool, rows, cols);
  return { rows: pooledRows, cols: pooledCols };
}

export function readActivation(value: JsonValue | undefined, negativeSlope: Rational, report: Report): Activation | undefined {
  if (value === undefined) return { type: 'none' };
  const named = NAMED_ACTIVATIONS.find((a) => a.type === value);
  if (named) return named.read({ negative_slope: negativeSlope });
  if (isObject(value)) {
    const expression = readExpression(value, 'activation', 'x', ['x'], report);
    return expression && expressionActivation(expression);
  }
  return report('activation', `expected ${NAMED_ACTIVATIONS.map((a) => JSON.stringify(a.type)).join(', ')} or {"expression": "…"} in x, got ${describe(value)}`);
}

export function readExpression(value: JsonObject, path: string, variable: string, variables: string[], report: Report) {
  for (const key of Object.keys(value)) if (key !== 'expression') report(`${path}.${key}`, 'unknown field; an expression is {"expression": "…"}');
  if (typeof value.expression !== 'string') return report(`${path}.expression`, `expected a formula as a string, got ${describe(value.expression)}`);
  const parsed = parseUserExpression(value.expression, variable, variables);
  return typeof parsed === 'string' ? report(`${path}.expression`, parsed) : parsed;
}

function readPool(value: JsonValue | undefined, report: Report): Pool | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return report('pool', `expected {"type": "max" or "avg", "size": …, "stride": …}, got ${describe(value)}`);
  for (const key of Object.keys(value)) if (!POOL_FIELDS.includes(key)) report(`pool.${fieldName(key)}`, unknownField(key, POOL_FIELDS));
  if (value.type === undefined) return report('pool.type', 'required: "max" or "avg"');
  if (value.type !== 'max' && value.type !== 'avg') return report('pool.type', `expected "max" or "avg", got ${describe(value.type)}`);
  if (value.size === undefined) return report('pool.size', 'required: an integer or [h, w]');
  const size = readPair(value.size, 'pool.size', 1, 1, report);
  const stride = value.stride === undefined ? size : readPair(value.stride, 'pool.stride', 1, 1, report);
  return size && stride && { type: value.type, size, stride };
}

export function readHead(value: JsonValue | undefined, report: Report): Head | undefined {
  if (value === undefined) return 'sum';
  if (value === 'sum' || value === 'mean' || value === 'none') return value;
  return report('head', `expected "sum", "mean" or "none", got ${describe(value)}`);
}

export function readLoss(value: JsonValue | undefined, beta: Rational, delta: Rational, report: Report, others = ''): Loss | undefined {
  if (value === undefined || value === 'mse' || value === 'l1' || value === 'bce') return { type: value ?? 'mse' };
  if (value === 'smooth_l1') return { type: 'smooth_l1', beta };
  if (value === 'huber') return { type: 'huber', delta };
  if (isObject(value)) {
    const expression = readExpression(value, 'loss', 'y', ['y', 't'], report);
    return expression && { type: 'expression', expression };
  }
  return report('loss', `expected "mse", "l1", "smooth_l1", "huber", "bce"${others} or {"expression": "…"} in y and t, got ${describe(value)}`);
}

export function readReduction(value: JsonValue | undefined, report: Report): Reduction | undefined {
  if (value === undefined || value === 'mean' || value === 'sum') return value ?? 'mean';
  return report('reduction', `expected "mean" or "sum", got ${describe(value)}`);
}

const FORM_SHAPE: Record<InputForm, string> = { 2: '[H][W]', 3: '[C_out][H][W]', 4: '[N][C_out][H][W]' };

/** A number for head sum/mean; for head none an array shaped like the prediction. */
function readTarget(value: JsonValue | undefined, head: Head, prediction: number[], inputForm: InputForm, report: Report, errorCount: () => number): Tensor<Rational> | undefined {
  if (value === undefined) return report('target', head === 'none' ? 'required: an array shaped like the prediction' : 'required: the value the prediction S is compared with');
  if (head !== 'none') {
    const t = readNumber(value, 'target', report);
    return t && { shape: [], data: [t] };
  }
  const form: InputForm = inputForm === 2 ? (prediction[1] === 1 ? 2 : 3) : inputForm;
  const shape = prediction.slice(4 - form);
  const written = `[${shape.join('][')}]`;
  if (!Array.isArray(value)) return report('target', `with head "none" the target is the map ${FORM_SHAPE[form]} = ${written}, got ${describe(value)}`);
  const before = errorCount();
  const walk = (v: JsonValue, depth: number, at: string): unknown => {
    if (depth === shape.length) return readNumber(v, at, report);
    if (!Array.isArray(v) || v.length !== shape[depth]) return report(at, `expected ${shape[depth]} entries (the prediction is ${written}), got ${Array.isArray(v) ? v.length : describe(v)}`);
    return v.map((child, i) => walk(child, depth + 1, `${at}[${i}]`));
  };
  const nested = walk(value, 0, 'target');
  return errorCount() === before ? reshape(fromNested(nested as Nested<Rational>, shape), prediction) : undefined;
}

/** An optimizer of torch.optim with PyTorch's defaults, refusing what torch.optim refuses. */
export function readOptimizer(value: JsonValue | undefined, report: Report): Optimizer | undefined {
  const source = value ?? { type: 'sgd' };
  if (!isObject(source)) return report('optimizer', `expected an object like {"type": "sgd", "lr": 0.01}, got ${describe(source)}`);
  const type = source.type ?? 'sgd';
  const rules = OPTIMIZERS.find((o) => o.type === type);
  if (!rules) return report('optimizer.type', `expected ${orList(OPTIMIZERS.map((o) => JSON.stringify(o.type)))}, got ${describe(type)}`);
  const before = errorCount(report);
  const names = Object.keys(rules.settings);
  for (const key of Object.keys(source)) {
    if (key === 'type') continue;
    if (!OPTIMIZER_FIELDS.includes(key)) report(`optimizer.${fieldName(key)}`, unknownField(key, OPTIMIZER_FIELDS));
    else if (!names.includes(key)) report(`optimizer.${key}`, `not a setting of "${rules.type}"; it has ${names.join(', ')}`);
  }
  const read = (key: string, setting: Setting): Rational | boolean | readonly Rational[] => {
    const given = source[key];
    switch (setting.kind) {
      case 'flag':
        if (given === undefined) return false;
        if (typeof given !== 'boolean') report(`optimizer.${key}`, `expected true or false, got ${describe(given)}`);
        return given === true;
      case 'number': {
        if (given === undefined) return setting.fallback;
        const r = readNumber(given, `optimizer.${key}`, report);
        if (r !== undefined && !setting.check(r)) report(`optimizer.${key}`, `expected ${setting.expected}, got ${describe(given)}`);
        return r ?? setting.fallback;
      }
      case 'pair': {
        if (given === undefined) return setting.fallback;
        if (!Array.isArray(given) || given.length !== 2) {
          report(`optimizer.${key}`, `expected ${setting.shape}, got ${describe(given)}`);
          return setting.fallback;
        }
        return given.map((b, i) => {
          const r = readNumber(b, `optimizer.${key}[${i}]`, report);
          if (r !== undefined && !setting.check(r)) report(`optimizer.${key}[${i}]`, `expected ${setting.expected}, got ${describe(b)}`);
          return r ?? ZERO;
        });
      }
    }
  };
  // The learning rate and the weight decay first, then the rest in torch.optim's order.
  const order = ['lr', 'weight_decay', ...names.filter((name) => name !== 'lr' && name !== 'weight_decay')];
  const values = new Map(order.map((name) => [name, read(name, rules.settings[name])]));
  const optimizer = Object.fromEntries([['type', rules.type], ...names.map((name) => [name, values.get(name)])]) as Optimizer;
  const refused = rules.refuse?.(optimizer);
  if (refused) report(refused.path, refused.message);
  return errorCount(report) === before ? optimizer : undefined;
}
