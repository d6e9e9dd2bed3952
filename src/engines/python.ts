// Values and expressions written as Python source for the generated PyTorch script.
import type { MathNode } from 'mathjs';
import { toDouble } from '../numbers/rational.js';
import type { Rational } from '../numbers/rational.js';
import { toNested, type Nested, type Tensor } from '../model/tensor.js';

/** A double as Python writes it: the shortest text that reads back as the same double. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "float('nan')";
  if (!Number.isFinite(x)) return x > 0 ? "float('inf')" : "-float('inf')";
  const text = String(x);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

export function pythonList(value: Nested<number>): string {
  return Array.isArray(value) ? `[${value.map(pythonList).join(', ')}]` : pythonFloat(value);
}

/** An exact tensor as a nested Python list of its nearest doubles, in the given trailing dimensions. */
export function pythonTensor(t: Tensor<Rational>, dimensions: number): string {
  return pythonList(toNested({ shape: t.shape.slice(t.shape.length - dimensions), data: t.data.map(toDouble) }));
}

const FUNCTIONS: Record<string, string> = {
  exp: 'torch.exp', log: 'torch.log', sqrt: 'torch.sqrt', tanh: 'torch.tanh', sinh: 'torch.sinh', cosh: 'torch.cosh',
  sin: 'torch.sin', cos: 'torch.cos', tan: 'torch.tan', atan: 'torch.atan', log1p: 'torch.log1p', expm1: 'torch.expm1', abs: 'torch.abs',
};
const OPERATORS: Record<string, string> = { add: '+', subtract: '-', multiply: '*', divide: '/', pow: '**' };

/** A user's mathjs expression as a torch expression, with its variables renamed ({x: 'sigma'}). */
export function pythonExpression(node: MathNode, names: Readonly<Record<string, string>>): string {
  const write = (n: MathNode): string => {
    const any = n as unknown as { name: string; value: unknown; content: MathNode; fn: string | { name: string }; args: MathNode[] };
    switch (n.type) {
      case 'ConstantNode':
        return String(any.value);
      case 'SymbolNode':
        return names[any.name] ?? (any.name === 'e' ? 'math.e' : any.name === 'pi' ? 'math.pi' : any.name);
      case 'ParenthesisNode':
        return `(${write(any.content)})`;
      case 'OperatorNode': {
        const fn = any.fn as string;
        if (fn === 'unaryMinus') return `(-${write(any.args[0])})`;
        if (fn === 'unaryPlus') return write(any.args[0]);
        return `(${write(any.args[0])} ${OPERATORS[fn]} ${write(any.args[1])})`;
      }
      case 'FunctionNode': {
        const name = (any.fn as { name: string }).name;
        return `${FUNCTIONS[name]}(${write(any.args[0])})`;
      }
      default:
        throw new Error(`internal error: ${n.type} in a validated expression`);
    }
  };
  return write(node);
}
