// The derivation of a solved problem: the sections in the order a reader follows them.
import type { Solution } from '../trajectory/train.js';
import { derivationContext } from './context.js';
import type { Detail } from './elide.js';
import { backwardSection } from './sections/backward.js';
import { forwardSection } from './sections/forward.js';
import { formulasSection } from './sections/formulas.js';
import { legendStep, problemSection } from './sections/problem.js';
import { summarySection } from './sections/summary.js';
import { trainingSection } from './sections/training.js';
import { whySection } from './sections/why.js';
import type { Derivation, Section } from './step.js';

/** The quantities a problem can ask for, named as in the result document. */
export const QUANTITIES = ['prediction', 'loss', 'grad.kernel', 'grad.bias', 'grad.input', 'updated'] as const;
export type Quantity = (typeof QUANTITIES)[number];

export interface DeriveOptions {
  /** What is asked: the derivation leaves out the steps none of these needs (the input's gradient, the update). Default: all. */
  readonly ask?: readonly Quantity[];
  /** The legend of symbols after the statement (default true; an answer key has one for all its exercises). */
  readonly legend?: boolean;
  /** The section on why the rules hold (default true). */
  readonly why?: boolean;
}

export function derive(solution: Solution, detail: Detail = 'auto', options: DeriveOptions = {}): Derivation {
  const ctx = derivationContext(solution, detail);
  const title = solution.problem.title === undefined ? {} : { title: solution.problem.title };
  const intro = [{ key: 'doc.intro' } as const, ...(ctx.rounded ? [{ key: 'doc.rounded' } as const] : [])];
  const ask = new Set(options.ask ?? QUANTITIES);
  const update = ask.has('updated');
  const why = options.why ?? true;
  // --detail summary: a one-page sheet of the problem, its rules, the symbols and the results. A document
  // shows each result where it is found; a quiz's answers are in its table at a glance.
  if (detail === 'summary') {
    const legend: Section = { id: 'legend', title: { key: 'section.legend' }, steps: [{ ...legendStep(ctx, { optimizer: true, why: false }), title: { key: 'section.legend' } }] };
    return {
      ...title,
      heading: 'doc.sheet-title',
      layout: 'sheet',
      intro,
      sections: [problemSection(ctx, { legend: false, optimizer: true, why: false }), formulasSection(ctx), legend, summarySection(ctx, solution, ask)],
    };
  }
  return {
    ...title,
    layout: 'document',
    intro,
    sections: [
      problemSection(ctx, { legend: options.legend ?? true, optimizer: update, why }),
      forwardSection(ctx),
      backwardSection(ctx, { input: ask.has('grad.input') }),
      ...(why ? [whySection(ctx)] : []),
      ...(update ? [trainingSection(ctx, solution)] : []),
    ],
  };
}
