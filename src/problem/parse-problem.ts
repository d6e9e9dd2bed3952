// Reads a problem file: JSON text in, a normalized Problem or every diagnostic out. Never throws for bad input.
import { parseRational, type Rational, isInteger, ZERO, rational } from '../numbers/rational.js';
import { fromRows, type Grid } from '../model/grid.js';
import { JsonNumber, JsonSyntaxError, parseJsonSource, type JsonValue } from './json-source.js';
import type { Diagnostic, Head, Padding, PaddingSpec, Pair, ParseResult, Problem, Reduction } from './problem.js';

const FIELDS = [
  'title', 'input', 'kernel', 'bias', 'stride', 'padding', 'padding_mode', 'dilation', 'groups', 'activation',
  'negative_slope', 'pool', 'head', 'loss', 'beta', 'delta', 'reduction', 'target', 'optimizer', 'steps',
] as const;
const OPTIMIZER_FIELDS = ['type', 'lr', 'momentum', 'dampening', 'nesterov', 'weight_decay', 'betas', 'eps', 'amsgrad', 'alpha', 'centered'];
const NOT_YET = 'not supported yet';

type JsonObject = { [key: string]: JsonValue };

export function parseProblemText(source: string): ParseResult {
  let json: JsonValue;
  try {
    json = parseJsonSource(source);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, errors: [{ path: '', message: `not valid JSON: ${error.message}` }] };
    throw error;
  }
  return parseProblem(json);
}

export function parseProblem(json: JsonValue): ParseResult {
  const errors: Diagnostic[] = [];
  const report = (path: string, message: string): undefined => {
    errors.push({ path, message });
    return undefined;
  };
  if (!isObject(json)) return { ok: false, errors: [{ path: '', message: `expected a JSON object, got ${describe(json)}` }] };

  for (const key of Object.keys(json)) {
    if (!(FIELDS as readonly string[]).includes(key)) report(key, unknownField(key, FIELDS));
  }
  const field = (name: (typeof FIELDS)[number]) => json[name];

  const title = readTitle(field('title'), report);
  const input = readMatrix(field('input'), 'input', '[H][W]', report, () => errors.length);
  const kernel = readMatrix(field('kernel'), 'kernel', '[kh][kw]', report, () => errors.length);
  const bias = readBias(field('bias'), report);
  const stride = readPair(field('stride'), 'stride', 1, 1, report);
  const dilation = readPair(field('dilation'), 'dilation', 1, 1, report);
  const paddingField = readPadding(field('padding'), report);

  const paddingMode = field('padding_mode');
  if (paddingMode !== undefined) {
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(paddingMode as string)) {
      report('padding_mode', `expected "zeros", "reflect", "replicate" or "circular", got ${describe(paddingMode)}`);
    } else if (paddingMode !== 'zeros') report('padding_mode', `"${paddingMode}" is ${NOT_YET}; only "zeros" is`);
  }
  const groups = field('groups');
  if (groups !== undefined) {
    const g = readInteger(groups, 'groups', 1, report);
    if (g !== undefined && g !== 1) report('groups', `${g} groups are ${NOT_YET}; only 1 is`);
  }
  const activation = field('activation');
  if (activation !== undefined && activation !== 'none') {
    if (typeof activation === 'string' && ['relu', 'sigmoid', 'tanh', 'leaky_relu'].includes(activation)) report('activation', `"${activation}" is ${NOT_YET}; only "none" is`);
    else if (isObject(activation)) report('activation', `an expression is ${NOT_YET}; only "none" is`);
    else report('activation', `expected "none", "relu", "sigmoid", "tanh", "leaky_relu" or {"expression": …}, got ${describe(activation)}`);
  }
  readOptionalNumber(field('negative_slope'), 'negative_slope', report);
  if (field('pool') !== undefined) report('pool', `pooling is ${NOT_YET}`);
  const head = readHead(field('head'), report);
  readLoss(field('loss'), report);
  for (const name of ['beta', 'delta'] as const) {
    const value = readOptionalNumber(field(name), name, report);
    if (value !== undefined && value.s < 0n && !value.equals(0)) report(name, `expected a number ≥ 0, got ${describe(field(name))}`);
  }
  const reduction = readReduction(field('reduction'), report);
  const target = field('target') === undefined ? report('target', 'required: the value the prediction S is compared with') : readNumber(field('target'), 'target', report);
  const lr = readOptimizer(field('optimizer'), report);
  const steps = field('steps') === undefined ? 1 : readInteger(field('steps'), 'steps', 1, report);
  if (steps !== undefined && steps !== 1) report('steps', `${steps} steps are ${NOT_YET}; only 1 is`);

  let padding: Padding | undefined;
  if (paddingField && kernel && dilation) {
    padding = paddingField.spec.kind === 'same' ? samePadding(kernel, dilation) : paddingField.padding;
    if (paddingField.spec.kind === 'same' && stride && (stride[0] !== 1 || stride[1] !== 1)) {
      report('padding', '"same" needs stride 1 (as in PyTorch)');
    }
  }
  if (input && kernel && dilation && padding) checkKernelFits(input, kernel, dilation, padding, report);

  if (errors.length > 0 || !input || !kernel || !stride || !dilation || !padding || !paddingField || !head || !reduction || !target || !lr || steps === undefined) {
    return { ok: false, errors };
  }
  const problem: Problem = {
    ...(title === undefined ? {} : { title }),
    input,
    kernel,
    ...(bias === undefined ? {} : { bias }),
    stride,
    dilation,
    padding,
    paddingSpec: paddingField.spec,
    head,
    loss: { type: 'mse' },
    reduction,
    target,
    optimizer: { type: 'sgd', lr },
    steps,
  };
  return { ok: true, problem };
}

type Report = (path: string, message: string) => undefined;

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

/** How a value reads in a message: strings quoted, numbers as written. */
function describe(value: JsonValue | undefined): string {
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return 'an object';
  return String(value);
}

function unknownField(key: string, known: readonly string[]): string {
  const near = known.filter((name) => editDistance(name, key.toLowerCase()) <= 2);
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

function readNumber(value: JsonValue | undefined, path: string, report: Report): Rational | undefined {
  const parsed = value instanceof JsonNumber ? parseRational(value.text) : typeof value === 'string' ? parseRational(value) : null;
  if (parsed === null) return report(path, `expected a number, got ${describe(value)}`);
  return parsed;
}

function readOptionalNumber(value: JsonValue | undefined, path: string, report: Report): Rational | undefined {
  return value === undefined ? undefined : readNumber(value, path, report);
}

function readInteger(value: JsonValue | undefined, path: string, min: number, report: Report): number | undefined {
  const parsed = value instanceof JsonNumber ? parseRational(value.text) : typeof value === 'string' ? parseRational(value) : null;
  if (parsed === null || !isInteger(parsed) || parsed.compare(min) < 0 || parsed.compare(1_000_000) > 0) {
    return report(path, `expected an integer ≥ ${min}, got ${describe(value)}`);
  }
  return Number(parsed.valueOf());
}

function readTitle(value: JsonValue | undefined, report: Report): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return report('title', `expected a string, got ${describe(value)}`);
  if (value.length > 200) return report('title', `expected at most 200 characters, got ${value.length}`);
  return value;
}

function readMatrix(value: JsonValue | undefined, path: string, shape: string, report: Report, errorCount: () => number): Grid<Rational> | undefined {
  if (value === undefined) return report(path, `required: a ${shape} array of numbers`);
  if (!Array.isArray(value) || value.length === 0) return report(path, `expected a non-empty ${shape} array of numbers, got ${describe(value)}`);
  const depth = arrayDepth(value);
  if (depth === 3 || depth === 4) {
    const what = path === 'input' ? (depth === 3 ? '[C][H][W] (channels)' : '[N][C][H][W] (a batch)') : '[C_out][C_in/groups][kh][kw] (channels)';
    return report(path, `a ${depth}-D ${path} ${what} is ${NOT_YET}; this version takes ${shape}`);
  }
  const width = Array.isArray(value[0]) ? value[0].length : 0;
  const before = errorCount();
  const rows = value.map((row, i) => {
    if (!Array.isArray(row) || row.length === 0) return report(`${path}[${i}]`, `expected a non-empty row of numbers, got ${describe(row)}`) ?? [];
    if (row.length !== width) return report(`${path}[${i}]`, `expected ${width} entries like ${path}[0], got ${row.length}`) ?? [];
    return row.map((entry, j) => readNumber(entry, `${path}[${i}][${j}]`, report) ?? ZERO);
  });
  return errorCount() === before ? fromRows(rows) : undefined;
}

function arrayDepth(value: JsonValue): number {
  let depth = 0;
  let current: JsonValue = value;
  while (Array.isArray(current) && current.length > 0) {
    depth++;
    current = current[0];
  }
  return depth;
}

function readBias(value: JsonValue | undefined, report: Report): Problem['bias'] {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length !== 1) return report('bias', `expected one entry per output channel (1), got ${value.length}`);
    const entry = readNumber(value[0], 'bias[0]', report);
    return entry && { value: entry, form: 'array' };
  }
  const entry = readNumber(value, 'bias', report);
  return entry && { value: entry, form: 'number' };
}

function readPair(value: JsonValue | undefined, path: string, min: number, fallback: number, report: Report): Pair | undefined {
  if (value === undefined) return [fallback, fallback];
  if (Array.isArray(value)) {
    if (value.length !== 2) return report(path, `expected an integer or [${path}_h, ${path}_w], got ${value.length} entries`);
    const h = readInteger(value[0], `${path}[0]`, min, report);
    const w = readInteger(value[1], `${path}[1]`, min, report);
    return h === undefined || w === undefined ? undefined : [h, w];
  }
  const both = readInteger(value, path, min, report);
  return both === undefined ? undefined : [both, both];
}

function readPadding(value: JsonValue | undefined, report: Report): { padding: Padding; spec: PaddingSpec } | undefined {
  if (value === 'valid') return { padding: { top: 0, bottom: 0, left: 0, right: 0 }, spec: { kind: 'valid' } };
  if (value === 'same') return { padding: { top: 0, bottom: 0, left: 0, right: 0 }, spec: { kind: 'same' } };
  if (typeof value === 'string' && parseRational(value) === null) return report('padding', `expected an integer, [ph, pw], "valid" or "same", got ${describe(value)}`);
  const pair = readPair(value, 'padding', 0, 0, report);
  return pair && { padding: { top: pair[0], bottom: pair[0], left: pair[1], right: pair[1] }, spec: { kind: 'explicit' } };
}

/** PyTorch's "same": total padding d·(k − 1) per axis, the smaller half before, the extra cell after (bottom/right). */
function samePadding(kernel: Grid<Rational>, dilation: Pair): Padding {
  const total = (extent: number, d: number) => d * (extent - 1);
  const rows = total(kernel.rows, dilation[0]);
  const cols = total(kernel.cols, dilation[1]);
  return { top: Math.floor(rows / 2), bottom: rows - Math.floor(rows / 2), left: Math.floor(cols / 2), right: cols - Math.floor(cols / 2) };
}

function checkKernelFits(input: Grid<Rational>, kernel: Grid<Rational>, dilation: Pair, padding: Padding, report: Report): void {
  const span = (k: number, d: number) => d * (k - 1) + 1;
  const paddedRows = input.rows + padding.top + padding.bottom;
  const paddedCols = input.cols + padding.left + padding.right;
  const spanRows = span(kernel.rows, dilation[0]);
  const spanCols = span(kernel.cols, dilation[1]);
  if (spanRows > paddedRows || spanCols > paddedCols) {
    report('kernel', `the kernel spans ${spanRows}×${spanCols} cells (dilation included), more than the padded input's ${paddedRows}×${paddedCols}`);
  }
}

function readHead(value: JsonValue | undefined, report: Report): Head | undefined {
  if (value === undefined || value === 'sum' || value === 'mean') return value ?? 'sum';
  if (value === 'none') return report('head', `"none" (a map prediction) is ${NOT_YET}; "sum" and "mean" are`);
  return report('head', `expected "sum", "mean" or "none", got ${describe(value)}`);
}

function readLoss(value: JsonValue | undefined, report: Report): void {
  if (value === undefined || value === 'mse') return;
  if (typeof value === 'string' && ['l1', 'smooth_l1', 'huber', 'bce'].includes(value)) report('loss', `"${value}" is ${NOT_YET}; only "mse" is`);
  else if (isObject(value)) report('loss', `an expression is ${NOT_YET}; only "mse" is`);
  else report('loss', `expected "mse", "l1", "smooth_l1", "huber", "bce" or {"expression": …}, got ${describe(value)}`);
}

function readReduction(value: JsonValue | undefined, report: Report): Reduction | undefined {
  if (value === undefined || value === 'mean' || value === 'sum') return value ?? 'mean';
  return report('reduction', `expected "mean" or "sum", got ${describe(value)}`);
}

/** Returns the learning rate of a plain SGD optimizer; everything else is refused by name. */
function readOptimizer(value: JsonValue | undefined, report: Report): Rational | undefined {
  if (value === undefined) return rational(1, 100);
  if (!isObject(value)) return report('optimizer', `expected an object like {"type": "sgd", "lr": 0.01}, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!OPTIMIZER_FIELDS.includes(key)) report(`optimizer.${key}`, unknownField(key, OPTIMIZER_FIELDS));
  }
  const type = value.type ?? 'sgd';
  if (type !== 'sgd') {
    if (typeof type === 'string' && ['adam', 'adamw', 'rmsprop'].includes(type)) return report('optimizer.type', `"${type}" is ${NOT_YET}; only "sgd" is`);
    return report('optimizer.type', `expected "sgd", "adam", "adamw" or "rmsprop", got ${describe(type)}`);
  }
  for (const key of ['momentum', 'dampening', 'weight_decay']) {
    const setting = readOptionalNumber(value[key], `optimizer.${key}`, report);
    if (setting !== undefined && !setting.equals(0)) report(`optimizer.${key}`, `${key} other than 0 is ${NOT_YET}`);
  }
  if (value.nesterov !== undefined && value.nesterov !== false) {
    if (value.nesterov === true) report('optimizer.nesterov', `Nesterov momentum is ${NOT_YET}`);
    else report('optimizer.nesterov', `expected true or false, got ${describe(value.nesterov)}`);
  }
  for (const key of ['betas', 'eps', 'amsgrad', 'alpha', 'centered']) {
    if (value[key] !== undefined) report(`optimizer.${key}`, `not a setting of "sgd"`);
  }
  if (value.lr === undefined) return rational(1, 100);
  const lr = readNumber(value.lr, 'optimizer.lr', report);
  if (lr !== undefined && lr.s < 0n && !lr.equals(0)) return report('optimizer.lr', `expected a learning rate ≥ 0, got ${describe(value.lr)}`);
  return lr;
}
