// Section 4: one step of gradient descent, entry by entry.
import { rationalTex, symbolTex } from '../../expr/to-tex.js';
import { sym } from '../../expr/expr.js';
import { at } from '../../model/grid.js';
import type { Rational } from '../../numbers/rational.js';
import { shownEntries } from '../elide.js';
import { chain, exactMatrix, operandTex, partial, valueMatrix } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section } from '../step.js';

// θ' = θ − η · ∂L/∂θ
function updateChain(name: string, before: Rational, gradient: Rational, lr: Rational, after: Rational): Chain {
  const step = lr.mul(gradient);
  return chain(
    `${name}'`,
    `${name} - \\eta \\, ${partial('L', name)}`,
    `${rationalTex(before)} - ${operandTex(lr)} \\cdot ${operandTex(gradient)}`,
    `${rationalTex(before)} - ${operandTex(step)}`,
    rationalTex(after),
  );
}

export function updateSection(ctx: DerivationContext): Section {
  const { step, problem } = ctx;
  const lr = problem.optimizer.lr;
  const kernel = step.before.kernel;
  const shown = shownEntries(kernel.rows, kernel.cols);
  const chains = shown.map(([m, n]) => updateChain(symbolTex(sym('k', m + 1, n + 1)), at(kernel, m, n), at(step.gradients.kernel, m, n), lr, at(step.after.kernel, m, n)));
  if (step.before.bias !== undefined && step.gradients.bias !== undefined && step.after.bias !== undefined) {
    chains.push(updateChain('b', step.before.bias, step.gradients.bias, lr, step.after.bias));
  }
  const exact = exactMatrix(step.after.kernel);
  const decimal = valueMatrix(step.after.kernel);
  const blocks: Block[] = [
    { kind: 'text', text: { key: 'optim.sgd' } },
    ...(shown.length < kernel.rows * kernel.cols
      ? [{ kind: 'text', text: { key: 'elide.entries', params: { shown: { math: `${shown.length}` }, total: { math: `${kernel.rows * kernel.cols}` } } } } as const]
      : []),
    { kind: 'chains', chains },
    { kind: 'text', text: { key: exact === decimal ? 'optim.kernel-matrix.single' : 'optim.kernel-matrix' } },
    { kind: 'chains', chains: [chain("K'", decimal, exact)] },
  ];
  return { id: 'update', title: { key: 'section.update' }, steps: [{ rule: 'optim.sgd-update', title: { key: 'step.optim.sgd-update' }, blocks }] };
}
