// The exercise sheet (each problem, and room to work) and the answer key (each problem derived in
// full), as derivations the usual renderers write.
import { derive } from '../derivation/derive.js';
import { derivationContext } from '../derivation/context.js';
import { problemSection } from '../derivation/sections/problem.js';
import type { Derivation, Section, Step, Text } from '../derivation/step.js';
import type { Difficulty, Exercise } from './generate.js';

const exerciseTitle = (n: number): Text => ({ key: 'quiz.exercise', params: { n: { math: `${n}` } } });

export function exerciseSheet(items: readonly Exercise[], difficulty: Difficulty): Derivation {
  const sections: Section[] = items.map((item, i) => {
    const given = problemSection(derivationContext(item.solution)).steps[0];
    const work: Step = { rule: 'quiz.exercise', title: { key: 'quiz.work' }, blocks: [{ kind: 'space' }] };
    return { id: `exercise-${i + 1}`, title: exerciseTitle(i + 1), steps: [given, work] };
  });
  return {
    heading: 'quiz.sheet-title',
    layout: 'document',
    intro: [{ key: 'quiz.sheet-intro', params: { count: { math: `${items.length}` }, difficulty: { word: `quiz.${difficulty}` } } }],
    sections,
  };
}

export function answerKey(items: readonly Exercise[]): Derivation {
  const sections: Section[] = items.map((item, i) => {
    const full = derive(item.solution);
    return { id: `exercise-${i + 1}`, title: exerciseTitle(i + 1), steps: full.sections.flatMap((s) => s.steps) };
  });
  return { heading: 'quiz.key-title', layout: 'document', intro: [{ key: 'quiz.key-intro' }], sections };
}
