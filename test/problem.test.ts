// Reading problem files: exact numbers, defaults, and a clear message naming the field for every mistake.
import { describe, expect, it } from 'vitest';
import { JsonNumber, JsonSyntaxError, parseJsonSource } from '../src/problem/json-source.js';
import { parseProblemText } from '../src/problem/parse-problem.js';
import { formatDiagnostic } from '../src/problem/problem.js';
import { toExactString } from '../src/numbers/rational.js';

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

  it('reads numbers written as strings exactly, and every tensor as 4-D', () => {
    const parsed = parseProblemText(JSON.stringify({ ...seed, kernel: [['1/3', '0.1'], ['-2.5', '1e2']], target: '0.3' }));
    if (!parsed.ok) throw new Error('refused');
    expect(parsed.problem.kernel.shape).toEqual([1, 1, 2, 2]);
    expect(parsed.problem.kernel.data.map(toExactString)).toEqual(['1/3', '1/10', '-5/2', '100']);
    expect(parsed.problem.input.shape).toEqual([1, 1, 3, 3]);
    expect(parsed.problem.inputForm).toBe(2);
    expect(toExactString(parsed.problem.target.data[0])).toBe('3/10');
  });

  it('reads channels, a batch, groups and a map target', () => {
    const parsed = parseProblemText(JSON.stringify({
      input: [[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]],
      kernel: [[[[1]]], [[[2]]]],
      groups: 2,
      bias: [1, 2],
      head: 'none',
      target: [[[[0, 0], [0, 0]], [[1, 1], [1, 1]]]],
    }));
    if (!parsed.ok) throw new Error(parsed.errors.map(formatDiagnostic).join('; '));
    expect(parsed.problem.input.shape).toEqual([1, 2, 2, 2]);
    expect(parsed.problem.kernel.shape).toEqual([2, 1, 1, 1]);
    expect(parsed.problem.target.shape).toEqual([1, 2, 2, 2]);
    expect(parsed.problem.bias?.values.map(toExactString)).toEqual(['1', '2']);
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
    [{ input: seed.input, target: 1 }, 'kernel: required: a [kh][kw] or [C_out][C_in/groups][kh][kw] array of numbers'],
    [{ ...seed, target: undefined }, 'target: required: the value the prediction S is compared with'],
    [{ ...seed, input: [[1, 2], [3]] }, 'input[1]: expected 2 entries like input[0], got 1'],
    [{ ...seed, input: [] }, 'input: expected a non-empty [H][W] or [C][H][W] or [N][C][H][W] array of numbers, got an array'],
    [{ ...seed, input: [[[[[1]]]]] }, 'input: expected a [H][W] or [C][H][W] or [N][C][H][W] array of numbers, got 5 dimensions'],
    [{ ...seed, input: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]] }, 'kernel: a [kh][kw] kernel reads one input channel, but the input has 2; write it as [C_out][C_in/groups][kh][kw]'],
    [{ ...seed, input: [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[1, 1], [1, 1]]], kernel: [[[[1]]]], groups: 2 }, "groups: 2 does not divide the input's 3 channels"],
    [{ ...seed, input: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], kernel: [[[[1]], [[1]]]], groups: 2 }, "groups: 2 does not divide the kernel's 1 output channel"],
    [{ ...seed, input: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], kernel: [[[[1]], [[1]], [[1]]]] }, 'kernel: its second dimension is C_in/groups = 2/1 = 2, got 3'],
    [{ ...seed, kernel: [[[[1]]], [[[2]]]], bias: 1 }, 'bias: a number is the bias of one output channel; the kernel has 2, so give [C_out]'],
    [{ ...seed, padding: 3, padding_mode: 'reflect' }, 'padding: reflect padding of 3 needs an input larger than that, got H = 3'],
    [{ ...seed, padding: 4, padding_mode: 'circular' }, 'padding: circular padding of 4 needs an input at least as large as that, got H = 3'],
    [{ ...seed, padding_mode: 'mirror' }, 'padding_mode: expected "zeros", "reflect", "replicate" or "circular", got "mirror"'],
    [{ ...seed, pool: { type: 'max', size: 3 } }, 'pool: the 3×3 window is larger than the 2×2 map it pools'],
    [{ ...seed, pool: { type: 'min', size: 2 } }, 'pool.type: expected "max" or "avg", got "min"'],
    [{ ...seed, pool: { type: 'max', size: 2, strides: 1 } }, 'pool.strides: unknown field (did you mean "stride"?)'],
    [{ ...seed, pool: { type: 'max' } }, 'pool.size: required: an integer or [h, w]'],
    [{ ...seed, activation: 'swish' }, 'activation: expected "none", "relu", "sigmoid", "tanh", "leaky_relu", "gelu" or {"expression": "…"} in x, got "swish"'],
    [{ ...seed, activation: { expression: 'x^2 + y' } }, 'activation.expression: uses "y"; it may use only "x" (and the constants e, pi)'],
    [{ ...seed, activation: { expression: 'x^^2' } }, 'activation.expression: unexpected "^" at character 3'],
    [{ ...seed, activation: { expression: 'max(x, 0)' } }, 'activation.expression: uses the function "max", which convgrad does not know; it knows exp, log, sqrt, abs, sign, sin, cos, tan, atan, sinh, cosh, tanh, log1p, expm1'],
    [{ ...seed, loss: { expression: '(y - t)^2 + z' } }, 'loss.expression: uses "z"; it may use only "y" and "t" (and the constants e, pi)'],
    [{ ...seed, loss: { formula: 'y' } }, 'loss.formula: unknown field; an expression is {"expression": "…"}'],
    [{ ...seed, loss: 'cross_entropy' }, 'loss: expected "mse", "l1", "smooth_l1", "huber", "bce" or {"expression": "…"} in y and t, got "cross_entropy"'],
    [{ ...seed, delta: 0 }, 'delta: expected a number > 0, got 0'],
    [{ ...seed, beta: -1 }, 'beta: expected a number ≥ 0, got -1'],
    [{ ...seed, head: 'none', target: 5 }, 'target: with head "none" the target is the map [H][W] = [2][2], got 5'],
    [{ ...seed, head: 'none', target: [[1, 2], [3]] }, 'target[1]: expected 2 entries (the prediction is [2][2]), got 1'],
    [{ ...seed, head: 'none', target: [[1, 2], [3, 'x']] }, 'target[1][1]: expected a number, got "x"'],
    [{ ...seed, target: [1] }, 'target: expected a number, got an array'],
    [{ ...seed, stride: 0 }, 'stride: expected an integer ≥ 1, got 0'],
    [{ ...seed, stride: [1, 1.5] }, 'stride[1]: expected an integer ≥ 1, got 1.5'],
    [{ ...seed, padding: -1 }, 'padding: expected an integer ≥ 0, got -1'],
    [{ ...seed, padding: 'full' }, 'padding: expected an integer, [ph, pw], "valid" or "same", got "full"'],
    [{ ...seed, padding: 'same', stride: 2 }, 'padding: "same" needs stride 1 (as in PyTorch)'],
    [{ ...seed, dilation: 3 }, "kernel: the kernel spans 4×4 cells (dilation included), more than the padded input's 3×3"],
    [{ ...seed, head: 'max' }, 'head: expected "sum", "mean" or "none", got "max"'],
    [{ ...seed, reduction: 'none' }, 'reduction: expected "mean" or "sum", got "none"'],
    [{ ...seed, optimizer: { type: 'sgd', learning_rate: 0.1 } }, 'optimizer.learning_rate: unknown field; the fields are type, lr, momentum, dampening, nesterov, weight_decay, betas, eps, amsgrad, alpha, centered, lr_decay, initial_accumulator_value'],
    [{ ...seed, title: 7 }, 'title: expected a string, got 7'],
    [{ ...seed, bias: [1, 2] }, 'bias: expected one entry per output channel (1), got 2'],
  ])('refuses %j: %s', (problem, message) => {
    expect(errorsOf(problem)).toContain(message);
  });

  it.each([
    [{ ...seed, optimizer: { type: 'sgd', lr: -0.1 } }, 'optimizer.lr: expected a learning rate ≥ 0, got -0.1'],
    [{ ...seed, optimizer: { type: 'sgd', nesterov: true } }, 'optimizer.nesterov: Nesterov momentum needs momentum > 0 and dampening 0 (as torch.optim.SGD)'],
    [{ ...seed, optimizer: { type: 'sgd', momentum: 0.9, dampening: 0.1, nesterov: true } }, 'optimizer.nesterov: Nesterov momentum needs momentum > 0 and dampening 0 (as torch.optim.SGD)'],
    [{ ...seed, optimizer: { type: 'sgd', momentum: -1 } }, 'optimizer.momentum: expected a momentum ≥ 0, got -1'],
    [{ ...seed, optimizer: { type: 'sgd', nesterov: 'yes' } }, 'optimizer.nesterov: expected true or false, got "yes"'],
    [{ ...seed, optimizer: { type: 'adam', betas: [0.9, 1] } }, 'optimizer.betas[1]: expected a number in [0, 1), got 1'],
    [{ ...seed, optimizer: { type: 'adam', betas: [0.9] } }, 'optimizer.betas: expected [beta1, beta2], got an array'],
    [{ ...seed, optimizer: { type: 'adam', eps: -1 } }, 'optimizer.eps: expected an eps ≥ 0, got -1'],
    [{ ...seed, optimizer: { type: 'adam', momentum: 0.9 } }, 'optimizer.momentum: not a setting of "adam"; it has lr, betas, eps, weight_decay, amsgrad'],
    [{ ...seed, optimizer: { type: 'rmsprop', alpha: -0.5 } }, 'optimizer.alpha: expected an alpha ≥ 0, got -0.5'],
    [{ ...seed, optimizer: { type: 'rmsprop', betas: [0.9, 0.99] } }, 'optimizer.betas: not a setting of "rmsprop"; it has lr, alpha, eps, momentum, centered, weight_decay'],
    [{ ...seed, optimizer: { type: 'adagrad', lr_decay: -1 } }, 'optimizer.lr_decay: expected an lr_decay ≥ 0, got -1'],
    [{ ...seed, optimizer: { type: 'adagrad', initial_accumulator_value: -0.1 } }, 'optimizer.initial_accumulator_value: expected an initial_accumulator_value ≥ 0, got -0.1'],
    [{ ...seed, optimizer: { type: 'adagrad', momentum: 0.9 } }, 'optimizer.momentum: not a setting of "adagrad"; it has lr, lr_decay, weight_decay, initial_accumulator_value, eps'],
    [{ ...seed, optimizer: { type: 'lbfgs' } }, 'optimizer.type: expected "sgd", "adam", "adamw", "rmsprop" or "adagrad", got "lbfgs"'],
    [{ ...seed, steps: 0 }, 'steps: expected an integer ≥ 1, got 0'],
    [{ ...seed, steps: 2.5 }, 'steps: expected an integer ≥ 1, got 2.5'],
    [{ ...seed, steps: 5000 }, 'steps: expected at most 1000, got 5000'],
  ])('refuses optimizer settings torch.optim refuses: %j', (problem, message) => {
    expect(errorsOf(problem)).toContain(message);
  });

  it('fills in torch.optim\'s defaults', () => {
    const optimizer = (settings: object) => {
      const parsed = parseProblemText(JSON.stringify({ ...seed, optimizer: settings }));
      if (!parsed.ok) throw new Error('refused');
      return Object.fromEntries(Object.entries(parsed.problem.optimizer).map(([k, v]) => [k, Array.isArray(v) ? v.map(toExactString) : typeof v === 'object' ? toExactString(v) : v]));
    };
    expect(optimizer({ type: 'sgd' })).toEqual({ type: 'sgd', lr: '1/100', momentum: '0', dampening: '0', nesterov: false, weight_decay: '0' });
    expect(optimizer({ type: 'adam' })).toEqual({ type: 'adam', lr: '1/1000', betas: ['9/10', '999/1000'], eps: '1/100000000', weight_decay: '0', amsgrad: false });
    expect(optimizer({ type: 'adamw' })).toMatchObject({ type: 'adamw', lr: '1/1000', weight_decay: '1/100' });
    expect(optimizer({ type: 'rmsprop' })).toEqual({ type: 'rmsprop', lr: '1/100', alpha: '99/100', eps: '1/100000000', momentum: '0', centered: false, weight_decay: '0' });
    expect(optimizer({ type: 'adagrad' })).toEqual({ type: 'adagrad', lr: '1/100', lr_decay: '0', weight_decay: '0', initial_accumulator_value: '0', eps: '1/10000000000' });
  });

  it('reports every mistake at once, not only the first', () => {
    expect(errorsOf({ ...seed, kernel: [['x', 1]], stride: 0, pool: 3 })).toHaveLength(3);
  });

  it('refuses what is not JSON, and what is not an object', () => {
    expect(errorsOf('{"input": [[1]],}')[0]).toMatch(/^not valid JSON: line 1, column 17/);
    expect(errorsOf('[1, 2]')).toEqual(['expected a JSON object, got an array']);
  });
});
