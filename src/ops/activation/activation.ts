// The activation stage: a = f(σ) entry by entry, and its local derivative f'(σ), with PyTorch's choice at the kinks.
import { evaluateUserExpression } from '../../expr/user-expression.js';
import { asDouble, compare, mul, ONE, sub, ZERO, type Scalar } from '../../numbers/scalar.js';
import type { Activation } from '../../problem/problem.js';
import { ProblemError } from '../../problem/problem-error.js';

export function activate(f: Activation, x: Scalar): Scalar {
  switch (f.type) {
    case 'none':
      return x;
    // relu(x) = max(0, x)
    case 'relu':
      return compare(x, ZERO) > 0 ? x : ZERO;
    // leaky_relu(x) = x for x > 0, slope·x otherwise
    case 'leaky_relu':
      return compare(x, ZERO) > 0 ? x : mul(f.slope, x);
    // σ(x) = 1 / (1 + e^(−x))
    case 'sigmoid':
      return 1 / (1 + Math.exp(-asDouble(x)));
    case 'tanh':
      return Math.tanh(asDouble(x));
    case 'expression':
      return userValue(f, f.expression.node, x, 'the activation');
  }
}

/** f'(x), given x and a = f(x). At a kink PyTorch takes the left side: relu'(0) = 0, leaky_relu'(0) = slope. */
export function activationSlope(f: Activation, x: Scalar, a: Scalar): Scalar {
  switch (f.type) {
    case 'none':
      return ONE;
    // relu'(x) = 1 for x > 0, else 0
    case 'relu':
      return compare(x, ZERO) > 0 ? ONE : ZERO;
    // leaky_relu'(x) = 1 for x > 0, else slope
    case 'leaky_relu':
      return compare(x, ZERO) > 0 ? ONE : f.slope;
    // σ'(x) = σ(x)(1 − σ(x))
    case 'sigmoid':
      return mul(a, sub(ONE, a));
    // tanh'(x) = 1 − tanh²(x)
    case 'tanh':
      return sub(ONE, mul(a, a));
    case 'expression':
      return userValue(f, f.expression.derivative, x, 'the derivative of the activation');
  }
}

function userValue(f: Extract<Activation, { type: 'expression' }>, node: Parameters<typeof evaluateUserExpression>[0], x: Scalar, what: string): Scalar {
  try {
    return evaluateUserExpression(node, { x });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ProblemError({ path: 'activation.expression', message: `${what} ${JSON.stringify(f.expression.source)} is undefined at x = ${asDouble(x)}: ${error.message}` });
  }
}
