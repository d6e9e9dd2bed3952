// The exercise sheet (each problem, what it asks for, and room to work) and the answer key (the answers
// at a glance, then each problem derived), as derivations the usual renderers write.
import { derive, QUANTITIES, type Quantity } from '../derivation/derive.js';
import { derivationContext, type DerivationContext } from '../derivation/context.js';
import type { Detail } from '../derivation/elide.js';
import { legendEntries, mergeLegends } from '../derivation/notation.js';
import { statementStep } from '../derivation/sections/problem.js';
import { resultChains } from '../derivation/sections/summary.js';
import type { Chain, Derivation, Section, Step, TableCell, Text } from '../derivation/step.js';
import type { StringKey } from '../strings/strings.js';
import { partial } from '../derivation/tex.js';
import { shownExactly } from '../expr/to-tex.js';
import type { Difficulty, Exercise } from './generate.js';

const exerciseTitle = (n: number): Text => ({ key: 'quiz.exercise', params: { n: { math: `${n}` } } });

export interface QuizDocumentOptions {
  readonly difficulty: Difficulty;
  /** What each exercise asks for (default: all). */
  readonly ask?: readonly Quantity[];
  /** How much of each answer the key derives. */
  readonly detail?: Detail;
}

/** The quantities asked of one exercise: the bias's gradient only where it has a bias. */
function asked(item: Exercise, ask: readonly Quantity[]): Quantity[] {
  return ask.filter((q) => q !== 'grad.bias' || item.solution.problem.bias !== undefined);
}

/** "Find S, L, ∂L/∂K, …": what the exercise asks for, in symbols. */
function findText(ctx: DerivationContext, ask: readonly Quantity[]): Text {
  const { problem } = ctx;
  const symbols: Record<Quantity, string> = {
    prediction: problem.head === 'none' ? 'y' : 'S',
    loss: 'L',
    'grad.kernel': partial('L', 'K'),
    'grad.bias': partial('L', 'b'),
    'grad.input': partial('L', 'X'),
    updated: problem.bias ? "K', b'" : "K'",
  };
  const list = ask.filter((q) => q !== 'updated').map((q) => symbols[q]);
  const quantities = { math: list.join(', \\; ') };
  const after = { math: problem.bias ? "K', b'" : "K'" };
  const steps = { math: `${problem.steps}` };
  if (!ask.includes('updated')) return { key: 'quiz.find', params: { quantities } };
  if (list.length === 0) return { key: 'quiz.find.updated-only', params: { after, steps } };
  return { key: 'quiz.find.updated', params: { quantities, after, steps } };
}

/** One legend for several problems: every symbol any of them uses, each with a meaning that holds for all. */
function sharedLegend(items: readonly Exercise[], scope: { optimizer: boolean; why: boolean }): Section {
  const entries = mergeLegends(items.map((item) => legendEntries(derivationContext(item.solution), scope)));
  return { id: 'legend', title: { key: 'section.legend' }, steps: [{ rule: 'problem.legend', title: { key: 'section.legend' }, blocks: [{ kind: 'legend', entries }] }] };
}

export function exerciseSheet(items: readonly Exercise[], options: QuizDocumentOptions): Derivation {
  const ask = options.ask ?? QUANTITIES;
  const sections: Section[] = items.map((item, i) => {
    const ctx = derivationContext(item.solution);
    const given = statementStep(ctx);
    const work: Step = { rule: 'quiz.exercise', title: { key: 'quiz.work' }, blocks: [{ kind: 'space' }] };
    return { id: `exercise-${i + 1}`, title: exerciseTitle(i + 1), steps: [{ ...given, blocks: [...given.blocks, { kind: 'text', text: findText(ctx, asked(item, ask)) }] }, work] };
  });
  const rounded = items.some((item) => roundedAnswers(item));
  return {
    heading: 'quiz.sheet-title',
    layout: 'document',
    intro: [
      { key: 'quiz.sheet-intro', params: { count: { math: `${items.length}` }, difficulty: { word: `quiz.${options.difficulty}` } } },
      { key: rounded ? 'quiz.sheet-rounded' : 'quiz.sheet-exact' },
    ],
    sections: [sharedLegend(items, { optimizer: ask.includes('updated'), why: false }), ...sections],
  };
}

/** Does an exercise have an answer that is not a short exact decimal (Adam's square root)? */
function roundedAnswers(item: Exercise): boolean {
  return item.solution.steps.some((s) => ![...s.after.kernel.data, ...(s.after.bias ?? [])].every(shownExactly));
}

export function answerKey(items: readonly Exercise[], options: QuizDocumentOptions): Derivation {
  const ask = options.ask ?? QUANTITIES;
  const glance = answersAtAGlance(items, ask);
  const derived = items.map((item) => derive(item.solution, options.detail ?? 'auto', { ask: asked(item, ask), legend: false, why: false, figures: false }));
  const sections: Section[] = derived.map((full, i) => ({ id: `exercise-${i + 1}`, title: exerciseTitle(i + 1), steps: full.sections.flatMap((s) => s.steps) }));
  // The notes on rounded values and on long sums, once for the whole key.
  const notes = (['doc.rounded', 'elide.terms'] as const).flatMap((key) => derived.flatMap((d) => d.intro).find((t) => t.key === key) ?? []);
  return {
    heading: 'quiz.key-title',
    layout: 'document',
    reference: true,
    intro: [{ key: 'quiz.key-intro' }, ...notes],
    sections: [glance, sharedLegend(items, { optimizer: ask.includes('updated'), why: false }), ...sections],
  };
}

/** Every exercise's answers in one table: a row an exercise, its answers side by side as far as the line allows. */
function answersAtAGlance(items: readonly Exercise[], ask: readonly Quantity[]): Section {
  return answersTable(items.map((item) => resultChains(derivationContext(item.solution), item.solution, new Set(asked(item, ask)))), 'quiz.answers.intro');
}

/** The table of answers: a row an exercise, its answer chains side by side as far as the line allows, under its intro. */
export function answersTable(answers: readonly (readonly Chain[])[], intro: StringKey): Section {
  const rows = answers.map((chains, i): TableCell[] => [`${i + 1}`, { chains: chains.map((c) => ({ ...c, line: 'answers' })) }]);
  return {
    id: 'answers',
    title: { key: 'section.answers' },
    steps: [
      {
        rule: 'quiz.answers',
        title: { key: 'section.answers' },
        blocks: [{ kind: 'text', text: { key: intro } }, { kind: 'table', header: [{ key: 'quiz.table.exercise' }, { key: 'quiz.table.answers' }], rows }],
      },
    ],
  };
}
