// Reading problem files: exact numbers, defaults, and a clear message naming the field for every mistake.
import { describe, expect, it } from 'vitest';
import { JsonNumber, JsonSyntaxError, parseJsonSource } from '../src/problem/json-source.js';
import { parseProblemText } from '../src/problem/parse-problem.js';
import { formatDiagnostic } from '../src/problem/problem.js';
import { toExactString } from '../src/numbers/rational.js';
import { toRows } from '../src/model/grid.js';

const seed = { input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, 5]], target: 230 };

function errorsOf(problem: object | string): string[] {
  const parsed = parseProblemText(typeof problem === 'string' ? problem : JSON.stringify(problem));
  if (parsed.ok) throw new Error('expected the problem to be refused');
  return parsed.errors.map(formatDiagnostic);
}

describe('parseJsonSource', () => {
  it('keeps numbers as written', () => {
    const value = parseJsonSource('{"a": [0.01, -1e-3, 12345678901234567890]}') as { a: JsonNumber[] };
    expect(value.a.map((n) => n.text)).toEqual(['0.01', '-1e-3', '12345678901234567890']);
  });

  it('refuses duplicate keys and says where', () => {
    expect(() => parseJsonSource('{"kernel": 1,\n "kernel": 2}')).toThrow(/line 2, column 2: duplicate key "kernel"/);
  });

  it.each(['{', '[1,]', '{"a" 1}', '01', 'nul', '"\\x"', '[1] 2'])('refuses %j with a position', (text) => {
    expect(() => parseJsonSource(text)).toThrow(JsonSyntaxError);
  });
});

describe('parseProblemText', () => {
  it('fills the defaults of the contract and reads decimals exactly', () => {
    const parsed = parseProblemText(JSON.stringify({ ...seed, optimizer: { type: 'sgd', lr: 0.01 } }));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const p = parsed.problem;
    expect(toExactString(p.optimizer.lr)).toBe('1/100');
    expect(p.stride).toEqual([1, 1]);
    expect(p.dilation).toEqual([1, 1]);
    expect(p.padding).toEqual({ top: 0, bottom: 0, left: 0, right: 0 });
    expect(p.head).toBe('sum');
    expect(p.reduction).toBe('mean');
    expect(p.steps).toBe(1);
    expect(p.bias).toBeUndefined();
  });

  it('reads numbers written as strings exactly', () => {
    const parsed = parseProblemText(JSON.stringify({ ...seed, kernel: [['1/3', '0.1'], ['-2.5', '1e2']], target: '0.3' }));
    expect(parsed.ok && toRows(parsed.problem.kernel).map((row) => row.map(toExactString))).toEqual([['1/3', '1/10'], ['-5/2', '100']]);
  });

  it('splits "same" padding as PyTorch does: the extra cell bottom/right', () => {
    const parsed = parseProblemText(JSON.stringify({ ...seed, kernel: [[1, 2], [3, 4]], padding: 'same' }));
    expect(parsed.ok && parsed.problem.padding).toEqual({ top: 0, bottom: 1, left: 0, right: 1 });
    const dilated = parseProblemText(JSON.stringify({ ...seed, kernel: [[1, 2], [3, 4]], padding: 'same', dilation: [2, 1] }));
    expect(dilated.ok && dilated.problem.padding).toEqual({ top: 1, bottom: 1, left: 0, right: 1 });
  });

  it('accepts the defaults written out, and default-valued settings of later features', () => {
    const parsed = parseProblemText(JSON.stringify({
      ...seed, padding_mode: 'zeros', groups: 1, activation: 'none', negative_slope: 0.2, beta: 1, delta: 1, steps: 1,
      optimizer: { type: 'sgd', lr: '0.01', momentum: 0, dampening: 0, nesterov: false, weight_decay: 0 },
    }));
    expect(parsed.ok).toBe(true);
  });

  it.each([
    [{ ...seed, kernel: [[3, 2], ['a', 5]] }, 'kernel[1][0]: expected a number, got "a"'],
    [{ ...seed, kernal: [[1]] }, 'kernal: unknown field (did you mean "kernel"?)'],
    [{ input: seed.input, target: 1 }, 'kernel: required: a [kh][kw] array of numbers'],
    [{ ...seed, target: undefined }, 'target: required: the value the prediction S is compared with'],
    [{ ...seed, input: [[1, 2], [3]] }, 'input[1]: expected 2 entries like input[0], got 1'],
    [{ ...seed, input: [] }, 'input: expected a non-empty [H][W] array of numbers, got an array'],
    [{ ...seed, stride: 0 }, 'stride: expected an integer ≥ 1, got 0'],
    [{ ...seed, stride: [1, 1.5] }, 'stride[1]: expected an integer ≥ 1, got 1.5'],
    [{ ...seed, padding: -1 }, 'padding: expected an integer ≥ 0, got -1'],
    [{ ...seed, padding: 'full' }, 'padding: expected an integer, [ph, pw], "valid" or "same", got "full"'],
    [{ ...seed, padding: 'same', stride: 2 }, 'padding: "same" needs stride 1 (as in PyTorch)'],
    [{ ...seed, dilation: 3 }, "kernel: the kernel spans 4×4 cells (dilation included), more than the padded input's 3×3"],
    [{ ...seed, head: 'max' }, 'head: expected "sum", "mean" or "none", got "max"'],
    [{ ...seed, reduction: 'none' }, 'reduction: expected "mean" or "sum", got "none"'],
    [{ ...seed, optimizer: { type: 'sgd', lr: -0.1 } }, 'optimizer.lr: expected a learning rate ≥ 0, got -0.1'],
    [{ ...seed, optimizer: { type: 'sgd', learning_rate: 0.1 } }, 'optimizer.learning_rate: unknown field; the fields are type, lr, momentum, dampening, nesterov, weight_decay, betas, eps, amsgrad, alpha, centered'],
    [{ ...seed, optimizer: { type: 'lbfgs' } }, 'optimizer.type: expected "sgd", "adam", "adamw" or "rmsprop", got "lbfgs"'],
    [{ ...seed, title: 7 }, 'title: expected a string, got 7'],
    [{ ...seed, bias: [1, 2] }, 'bias: expected one entry per output channel (1), got 2'],
  ])('refuses %j: %s', (problem, message) => {
    expect(errorsOf(problem)).toContain(message);
  });

  it.each([
    [{ ...seed, pool: { type: 'max', size: 2 } }, 'pool: pooling is not supported yet'],
    [{ ...seed, activation: 'relu' }, 'activation: "relu" is not supported yet; only "none" is'],
    [{ ...seed, activation: { expression: 'x^2' } }, 'activation: an expression is not supported yet; only "none" is'],
    [{ ...seed, padding_mode: 'reflect' }, 'padding_mode: "reflect" is not supported yet; only "zeros" is'],
    [{ ...seed, groups: 2 }, 'groups: 2 groups are not supported yet; only 1 is'],
    [{ ...seed, head: 'none' }, 'head: "none" (a map prediction) is not supported yet; "sum" and "mean" are'],
    [{ ...seed, loss: 'l1' }, 'loss: "l1" is not supported yet; only "mse" is'],
    [{ ...seed, optimizer: { type: 'adam' } }, 'optimizer.type: "adam" is not supported yet; only "sgd" is'],
    [{ ...seed, optimizer: { type: 'sgd', momentum: 0.9 } }, 'optimizer.momentum: momentum other than 0 is not supported yet'],
    [{ ...seed, steps: 3 }, 'steps: 3 steps are not supported yet; only 1 is'],
    [{ ...seed, input: [[[1, 2], [3, 4]]] }, 'input: a 3-D input [C][H][W] (channels) is not supported yet; this version takes [H][W]'],
    [{ ...seed, kernel: [[[[1]]]] }, 'kernel: a 4-D kernel [C_out][C_in/groups][kh][kw] (channels) is not supported yet; this version takes [kh][kw]'],
  ])('names a field that is not supported yet: %j', (problem, message) => {
    expect(errorsOf(problem)).toContain(message);
  });

  it('reports every mistake at once, not only the first', () => {
    expect(errorsOf({ ...seed, kernel: [['x', 1]], stride: 0, pool: {} })).toHaveLength(3);
  });

  it('refuses what is not JSON, and what is not an object', () => {
    expect(errorsOf('{"input": [[1]],}')[0]).toMatch(/^not valid JSON: line 1, column 17/);
    expect(errorsOf('[1, 2]')).toEqual(['expected a JSON object, got an array']);
  });
});
