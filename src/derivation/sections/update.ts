// Section 4: one step of gradient descent, entry by entry.
import { rationalTex, scalarTex, symbolTex } from '../../expr/to-tex.js';
import { biasSym, kernelSym } from '../../model/conv.js';
import type { Rational } from '../../numbers/rational.js';
import { isExact, mul, type Scalar } from '../../numbers/scalar.js';
import { plane } from '../../model/grid.js';
import { offset } from '../../model/tensor.js';
import { planes } from '../planes.js';
import { chain, exactMatrix, operandTex, partial, rounded } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section } from '../step.js';
import { elidedNote, shownIndices } from './forward.js';

/** θ' — a symbol with a superscript already takes its prime outside braces: {k^{(1)}_{11}}', {K'}^{(1)}. */
export function primed(name: string, superscript = ''): string {
  if (superscript !== '') return `{${name}'}${superscript}`;
  return name.includes('^') ? `{${name}}'` : `${name}'`;
}

// θ' = θ − η · ∂L/∂θ
function updateChain(name: string, before: Scalar, gradient: Scalar, lr: Rational, after: Scalar): Chain {
  const step = mul(lr, gradient);
  return chain(
    primed(name),
    `${name} - \\eta \\, ${partial('L', name)}`,
    rounded(`${scalarTex(before)} - ${rationalTex(lr)} \\cdot ${operandTex(gradient)}`, !isExact(gradient)),
    `${scalarTex(before)} - ${operandTex(step)}`,
    scalarTex(after),
  );
}

export function updateSection(ctx: DerivationContext): Section {
  const { step, problem, naming } = ctx;
  const lr = problem.optimizer.lr;
  const kernel = step.before.kernel;
  const shown = shownIndices(ctx, kernel.shape);
  const chains = shown.map((index) => {
    const at = offset(kernel.shape, index);
    const [o, c, m, q] = index;
    return updateChain(symbolTex(kernelSym(naming, o, c, m, q)), kernel.data[at], step.gradients.kernel.data[at], lr, step.after.kernel.data[at]);
  });
  if (step.before.bias && step.gradients.bias && step.after.bias) {
    for (const o of ctx.elision.entries(step.before.bias.length)) {
      chains.push(updateChain(symbolTex(biasSym(naming, o)), step.before.bias[o], step.gradients.bias[o], lr, step.after.bias[o]));
    }
  }
  // Exact updated kernels are shown twice: as decimals where they terminate, and with the common factor out.
  const updated = planes(ctx, 'kernel', step.after.kernel).map((p) => {
    const grid = plane(step.after.kernel, p.a, p.b);
    const exact = grid.data.every(isExact) ? exactMatrix(grid as never, ctx.elision.lines) : ctx.matrix(grid);
    return chain(primed('K', p.superscript), rounded(ctx.matrix(grid), !grid.data.every(isExact)), exact);
  });
  const twice = updated.some((c) => c.sides.length > 1);
  const blocks: Block[] = [
    { kind: 'text', text: { key: 'optim.sgd' } },
    ...elidedNote(shown.length, kernel.data.length),
    ...(chains.length > 0 ? [{ kind: 'chains', chains } as const] : []),
    { kind: 'text', text: { key: twice ? 'optim.kernel-matrix' : 'optim.kernel-matrix.single' } },
    { kind: 'chains', chains: updated },
  ];
  return { id: 'update', title: { key: 'section.update' }, steps: [{ rule: 'optim.sgd-update', title: { key: 'step.optim.sgd-update' }, blocks }] };
}
