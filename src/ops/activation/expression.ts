// An activation the problem writes as an expression in x; its derivative is the expression's own,
// differentiated symbolically when the problem is read.
import { asDouble, type Scalar } from '../../numbers/scalar.js';
import { evaluateUserExpression, torchTree, userExpressionTex, type UserExpression, type UserNode } from '../../expr/user-expression.js';
import { ProblemError } from '../../problem/problem-error.js';
import type { ElementwiseActivation } from './elementwise.js';

type Expression = { readonly type: 'expression'; readonly expression: UserExpression };

export const expression: ElementwiseActivation<Expression> = {
  type: 'expression',
  // Written {"expression": "…"}, read by the problem's reader with the loss's expressions, never by name.
  read: () => {
    throw new Error('internal error: an activation expression is read from its object, not its name');
  },
  value: (f, x) => userValue(f, f.expression.node, x, 'the activation'),
  slope: (f, x) => userValue(f, f.expression.derivative, x, 'the derivative of the activation'),
  tex: (f, x) => userExpressionTex(f.expression.node, { x }),
  slopeTex: (f, x) => userExpressionTex(f.expression.derivative, { x }),
  torch: (f) => ({ code: 'torch.broadcast_to(formula(P["activation"], {"x": sigma}), sigma.shape)', settings: { activation: torchTree(f.expression.node) } }),
  tfjs: () => 'an activation expression',
  problemFields: (f) => ({ activation: { expression: f.expression.source } }),
  cost: (f) => f.expression.cost,
};

/** The activation a problem writes as {"expression": "…"}. */
export function expressionActivation(source: UserExpression): Expression {
  return { type: 'expression', expression: source };
}

function userValue(f: Expression, node: UserNode, x: Scalar, what: string): Scalar {
  try {
    return evaluateUserExpression(node, { x });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ProblemError({ path: 'activation.expression', message: `${what} ${JSON.stringify(f.expression.source)} is undefined at x = ${asDouble(x)}: ${error.message}` });
  }
}
