// The last section: every result asked for, together.
import { scalarTex, shownExactly } from '../../expr/to-tex.js';
import type { Scalar } from '../../numbers/scalar.js';
import type { Solution } from '../../trajectory/train.js';
import { planeChains } from '../planes.js';
import { chain, partial, rounded } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Quantity } from '../derive.js';
import type { Chain, Section } from '../step.js';
import { primed } from '../tex.js';

/** The results asked for as chains: S, L, ∂L/∂K, ∂L/∂b, ∂L/∂X, and K′, b′ after the last step. */
export function resultChains(ctx: DerivationContext, solution: Solution, ask: ReadonlySet<Quantity>): Chain[] {
  const { step, problem } = ctx;
  const last = solution.steps[solution.steps.length - 1];
  const value = (x: Scalar) => rounded(scalarTex(x), !shownExactly(x));
  const vector = (name: string, values: readonly Scalar[]) =>
    chain(name, values.length === 1 ? value(values[0]) : rounded(`(${values.map((x) => scalarTex(x)).join(', ')})`, !values.every(shownExactly)));
  const shared = (chains: Chain[], line: string) => chains.map((c) => ({ ...c, line }));
  return [
    ...(ask.has('prediction') ? (problem.head === 'none' ? planeChains(ctx, 'output', 'y', step.forward.prediction) : [{ ...chain('S', value(step.forward.prediction.data[0])), line: 'SL' }]) : []),
    ...(ask.has('loss') ? [{ ...chain('L', value(step.forward.loss)), line: 'SL' }] : []),
    ...(ask.has('grad.kernel') ? planeChains(ctx, 'kernel', (sup) => partial('L', `K${sup}`), step.gradients.kernel) : []),
    ...(ask.has('grad.bias') && step.gradients.bias !== undefined ? [vector(partial('L', 'b'), step.gradients.bias)] : []),
    ...(ask.has('grad.input') ? planeChains(ctx, 'input', (sup) => partial('L', `X${sup}`), step.gradients.input) : []),
    ...(ask.has('updated') ? shared(planeChains(ctx, 'kernel', (sup) => primed('K', sup), last.after.kernel), 'updated') : []),
    ...(ask.has('updated') && last.after.bias !== undefined ? [{ ...vector("b'", last.after.bias), line: 'updated' }] : []),
  ];
}

export function summarySection(ctx: DerivationContext, solution: Solution, ask: ReadonlySet<Quantity>): Section {
  const steps = solution.steps.length;
  return {
    id: 'summary',
    title: { key: 'section.summary' },
    steps: [
      {
        rule: 'summary.results',
        title: { key: 'section.summary' },
        blocks: [
          ...(ask.has('updated') && steps > 1 ? [{ kind: 'text', text: { key: 'summary.after', params: { steps: { math: `${steps}` } } } } as const] : []),
          // Side by side as far as the line allows: the results at a glance.
          { kind: 'chains', chains: resultChains(ctx, solution, ask).map((c) => ({ ...c, line: 'results' })) },
        ],
      },
    ],
  };
}
