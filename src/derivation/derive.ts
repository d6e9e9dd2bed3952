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
import type { Derivation, Section, Text } from './step.js';
import { TERM_ELISION } from './elide.js';
import { cutsSums } from './blocks.js';

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
  /** Figures (default true); an answer key, which shows the working, leaves them to the derivation handout. */
  readonly figures?: boolean;
}

export function derive(solution: Solution, detail: Detail = 'auto', options: DeriveOptions = {}): Derivation {
  const ctx = derivationContext(solution, detail, { figures: options.figures ?? true });
  const title = solution.problem.title === undefined ? {} : { title: solution.problem.title };
  // Where every step is float64 (the budget, at step 1), the document does not open by calling its numbers exact.
  const intro: Text[] = [{ key: solution.roundedFrom === 1 ? 'doc.intro.float' : 'doc.intro' }, ...(ctx.rounded ? [{ key: 'doc.rounded' } as const] : []), ...budgetNote(solution)];
  // The rule for long sums, said once, where some sum is cut.
  const withTerms = (sections: Section[]): Derivation['intro'] => (cutsSums(sections) ? [...intro, termsNote()] : intro);
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
  const sections: Section[] = [
      problemSection(ctx, { legend: options.legend ?? true, optimizer: update, why }),
      forwardSection(ctx),
      backwardSection(ctx, { input: ask.has('grad.input') }),
      ...(why ? [whySection(ctx)] : []),
      ...(update ? [trainingSection(ctx, solution)] : []),
  ];
  return { ...title, layout: 'document', intro: withTerms(sections), sections };
}

/** The stated rule by which long sums are cut. */
export function termsNote(): Text {
  return { key: 'elide.terms', params: { limit: { math: `${TERM_ELISION.limit ?? 0}` } } };
}

/** Where the exact budget sent the steps to float64 (trajectory/train.ts), the document says so. */
function budgetNote(solution: Solution): Text[] {
  const from = solution.roundedFrom;
  if (from === undefined) return [];
  return [from === 1 ? { key: 'doc.budget.all' } : { key: 'doc.budget', params: { step: { math: `${from}` }, last: { math: `${from - 1}` } } }];
}
