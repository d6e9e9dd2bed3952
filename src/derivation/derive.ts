// The derivation of a solved problem: the sections in the order a reader follows them.
import type { Solution } from '../trajectory/train.js';
import { derivationContext } from './context.js';
import type { Detail } from './elide.js';
import { backwardSection } from './sections/backward.js';
import { forwardSection } from './sections/forward.js';
import { problemSection } from './sections/problem.js';
import { summarySection } from './sections/summary.js';
import { trainingSection } from './sections/training.js';
import type { Derivation } from './step.js';

export function derive(solution: Solution, detail: Detail = 'auto'): Derivation {
  const ctx = derivationContext(solution, detail);
  return {
    ...(solution.problem.title === undefined ? {} : { title: solution.problem.title }),
    intro: [{ key: 'doc.intro' }, ...(ctx.rounded ? [{ key: 'doc.rounded' } as const] : [])],
    sections: [problemSection(ctx), forwardSection(ctx), backwardSection(ctx), trainingSection(ctx, solution), summarySection(ctx, solution)],
  };
}
