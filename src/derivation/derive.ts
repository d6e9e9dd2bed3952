// The derivation of a solved problem: the sections in the order a reader follows them.
import type { Solution } from '../trajectory/train.js';
import { derivationContext } from './context.js';
import type { Detail } from './elide.js';
import { backwardSection } from './sections/backward.js';
import { forwardSection } from './sections/forward.js';
import { formulasSection } from './sections/formulas.js';
import { problemSection } from './sections/problem.js';
import { summarySection } from './sections/summary.js';
import { trainingSection } from './sections/training.js';
import type { Derivation, Text } from './step.js';

/** Where the exact budget sent the steps to float64 (trajectory/train.ts), the document says so. */
function budgetNote(solution: Solution): Text[] {
  const from = solution.roundedFrom;
  if (from === undefined) return [];
  return [from === 1 ? { key: 'doc.budget.all' } : { key: 'doc.budget', params: { step: { math: `${from}` }, last: { math: `${from - 1}` } } }];
}

export function derive(solution: Solution, detail: Detail = 'auto'): Derivation {
  const ctx = derivationContext(solution, detail);
  const title = solution.problem.title === undefined ? {} : { title: solution.problem.title };
  const intro: Text[] = [{ key: 'doc.intro' }, ...(ctx.rounded ? [{ key: 'doc.rounded' } as const] : []), ...budgetNote(solution)];
  // --detail summary: a cheat sheet, the problem, the rules and the results on one page.
  if (detail === 'summary') return { ...title, layout: 'sheet', intro, sections: [problemSection(ctx), formulasSection(ctx), summarySection(ctx, solution)] };
  return {
    ...title,
    layout: 'document',
    intro,
    sections: [problemSection(ctx), forwardSection(ctx), backwardSection(ctx), trainingSection(ctx, solution), summarySection(ctx, solution)],
  };
}
