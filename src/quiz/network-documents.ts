// The exercise sheet and the answer key of network exercises: each network stated as its derivation
// states it (the layers with their stride and padding, the input, the parameters, the loss with its
// target and reduction, the optimizer with its learning rate, the steps), what to find, room to work;
// the key with every answer at a glance, then each exercise derived by deriveNetwork.
import type { Quantity } from '../derivation/derive.js';
import { QUANTITIES } from '../derivation/derive.js';
import { deriveNetwork } from '../derivation/network/derive-network.js';
import { networkContext, type NetworkContext } from '../derivation/network/context.js';
import { layered, tensorChains } from '../derivation/network/names.js';
import { mergeLegends } from '../derivation/notation.js';
import type { Chain, Derivation, LegendEntry, Section, Step, Text } from '../derivation/step.js';
import { partial, primed } from '../derivation/tex.js';
import { shownExactly } from '../expr/to-tex.js';
import type { Layer } from '../problem/network.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Scalar } from '../numbers/scalar.js';
import { answersTable, type QuizDocumentOptions } from './documents.js';
import type { NetworkExercise } from './network.js';

const exerciseTitle = (n: number): Text => ({ key: 'quiz.exercise', params: { n: { math: `${n}` } } });

/** One parameter of one layer: its name in the derivation (K^{(1)}, W^{(4)}, b^{(4)}) and where it sits. */
interface Parameter {
  readonly layer: number;
  readonly name: 'kernel' | 'weight' | 'bias';
  /** The letter: K, W or b. */
  readonly letter: string;
  readonly l: number;
}

/** Every parameter of the network in model.parameters()'s order: layer by layer, the weight before the bias. */
function parameters(layers: readonly Layer[]): Parameter[] {
  return layers.flatMap((layer, i): Parameter[] => {
    const l = i + 1;
    if (layer.type === 'conv2d') return [{ layer: i, name: 'kernel', letter: 'K', l }, ...(layer.bias ? [{ layer: i, name: 'bias', letter: 'b', l } as const] : [])];
    if (layer.type === 'linear') return [{ layer: i, name: 'weight', letter: 'W', l }, ...(layer.bias ? [{ layer: i, name: 'bias', letter: 'b', l } as const] : [])];
    return [];
  });
}

/** What each quantity asked means for a network: the parameters whose gradients grad.kernel and grad.bias ask for. */
function askedParameters(item: NetworkExercise, q: 'grad.kernel' | 'grad.bias' | 'updated'): Parameter[] {
  const all = parameters(item.solution.network.layers);
  return q === 'updated' ? all : all.filter((p) => (q === 'grad.bias') === (p.name === 'bias'));
}

/** The prediction's symbol: S for a head that sums, the last layer's output (the class scores) for cross-entropy. */
function predictionSymbol(item: NetworkExercise): string {
  const { network } = item.solution;
  return network.head === 'none' ? layered('a', network.layers.length) : 'S';
}

/** The quantities asked of one exercise: the biases' gradients only where it has a bias. */
function asked(item: NetworkExercise, ask: readonly Quantity[]): Quantity[] {
  return ask.filter((q) => q !== 'grad.bias' || askedParameters(item, 'grad.bias').length > 0);
}

/** ∂L/∂K^{(1)} in a line of text: a fraction there would set the layer's superscript too small to read. */
const slash = (by: string) => `\\partial L / \\partial ${by}`;

/** "Find S, L, ∂L/∂K^{(1)}, …, and K'^{(1)}, … after 1 step." */
function findText(item: NetworkExercise, ask: readonly Quantity[]): Text {
  const symbol = (p: Parameter) => layered(p.letter, p.l);
  const list = ask.flatMap((q): string[] => {
    switch (q) {
      case 'prediction': return [predictionSymbol(item)];
      case 'loss': return ['L'];
      case 'grad.kernel':
      case 'grad.bias': return askedParameters(item, q).map((p) => slash(symbol(p)));
      case 'grad.input': return [slash('X')];
      case 'updated': return [];
    }
  });
  const quantities = { math: list.join(', \\; ') };
  const after = { math: askedParameters(item, 'updated').map((p) => primed(p.letter, `^{(${p.l})}`)).join(', \\; ') };
  const steps = { math: `${item.solution.network.steps}` };
  if (!ask.includes('updated')) return { key: 'quiz.find', params: { quantities } };
  if (list.length === 0) return { key: 'quiz.find.updated-only', params: { after, steps } };
  return { key: 'quiz.find.updated', params: { quantities, after, steps } };
}

/** One legend for every exercise: the longest legend's order first, each symbol with one meaning. */
function sharedLegend(derived: readonly Derivation[]): Section {
  const legends = derived.map((d) => d.sections.flatMap((s) => s.steps).flatMap((s) => s.blocks).flatMap((b) => (b.kind === 'legend' ? [b.entries] : [])).flat());
  const entries: LegendEntry[] = mergeLegends([...legends].sort((a, b) => b.length - a.length));
  return { id: 'legend', title: { key: 'section.legend' }, steps: [{ rule: 'problem.legend', title: { key: 'section.legend' }, blocks: [{ kind: 'legend', entries }] }] };
}

/** An exercise's derivation without its own legend (the document has one for all). */
function withoutLegend(derivation: Derivation): Derivation {
  return { ...derivation, sections: derivation.sections.map((s) => ({ ...s, steps: s.steps.filter((step) => step.rule !== 'problem.legend') })) };
}

/** Does an exercise have an answer that is rounded (cross-entropy's softmax, and all that follows from it)? */
function roundedAnswers(item: NetworkExercise): boolean {
  const { first, steps } = item.solution;
  const values = [first.forward.loss, ...first.backward.input.data, ...steps.flatMap((s) => s.after.flatMap((named) => Object.values(named).flatMap((t) => t.data)))];
  return !values.every(shownExactly);
}

export function networkExerciseSheet(items: readonly NetworkExercise[], options: QuizDocumentOptions): Derivation {
  const ask = options.ask ?? QUANTITIES;
  const derived = items.map((item) => deriveNetwork(item.solution, 'auto', { figures: false }));
  const sections: Section[] = items.map((item, i) => {
    const given = derived[i].sections.find((s) => s.id === 'problem')!.steps.find((s) => s.rule === 'problem.statement')!;
    const work: Step = { rule: 'quiz.exercise', title: { key: 'quiz.work' }, blocks: [{ kind: 'space' }] };
    return { id: `exercise-${i + 1}`, title: exerciseTitle(i + 1), steps: [{ ...given, blocks: [...given.blocks, { kind: 'text', text: findText(item, asked(item, ask)) }] }, work] };
  });
  const rounded = items.some(roundedAnswers);
  return {
    heading: 'quiz.net.sheet-title',
    layout: 'document',
    intro: [
      { key: 'quiz.sheet-intro', params: { count: { math: `${items.length}` }, difficulty: { word: 'quiz.network' } } },
      { key: rounded ? 'quiz.net.sheet-rounded' : 'quiz.sheet-exact' },
    ],
    sections: [sharedLegend(derived), ...sections],
  };
}

export function networkAnswerKey(items: readonly NetworkExercise[], options: QuizDocumentOptions): Derivation {
  const ask = options.ask ?? QUANTITIES;
  const derived = items.map((item) => deriveNetwork(item.solution, options.detail ?? 'auto', { figures: false }));
  // The update only where it is asked for; the rest is the way to every other answer.
  const kept = (d: Derivation) => (ask.includes('updated') ? d : { ...d, sections: d.sections.filter((s) => s.id !== 'training') });
  const sections: Section[] = derived.map((full, i) => ({ id: `exercise-${i + 1}`, title: exerciseTitle(i + 1), steps: kept(withoutLegend(full)).sections.flatMap((s) => s.steps) }));
  const notes = (['doc.rounded', 'elide.terms'] as const).flatMap((key) => derived.flatMap((d) => d.intro).find((t) => t.key === key) ?? []);
  return {
    heading: 'quiz.net.key-title',
    layout: 'document',
    reference: true,
    intro: [{ key: 'quiz.key-intro' }, ...notes],
    sections: [answersAtAGlance(items, ask), sharedLegend(derived), ...sections],
  };
}

/** The answers of one exercise as chains: what the sheet asks for, in its order. */
export function networkAnswerChains(ctx: NetworkContext, item: NetworkExercise, ask: readonly Quantity[]): Chain[] {
  const { solution } = item;
  const { first, steps } = solution;
  const last = steps[steps.length - 1];
  const gradients = steps[0].gradients;
  const tensor = (name: string, t: Tensor<Scalar>, p?: Parameter) => tensorChains(ctx, name, t, p ? (p.name === 'bias' ? 'vector' : p.name === 'weight' ? 'matrix' : 'kernel') : undefined);
  return asked(item, ask).flatMap((q): Chain[] => {
    switch (q) {
      case 'prediction': return tensor(predictionSymbol(item), first.forward.prediction);
      case 'loss': return tensor('L', { shape: [], data: [first.forward.loss] });
      case 'grad.kernel':
      case 'grad.bias': return askedParameters(item, q).flatMap((p) => tensor(partial('L', layered(p.letter, p.l)), gradients[p.layer][p.name], p));
      case 'grad.input': return tensor(partial('L', 'X'), first.backward.input);
      case 'updated': return askedParameters(item, 'updated').flatMap((p) => tensor(primed(p.letter, `^{(${p.l})}`), last.after[p.layer][p.name], p));
    }
  });
}

/** Every exercise's answers in one table: a row an exercise, its answers side by side as far as the line allows. */
function answersAtAGlance(items: readonly NetworkExercise[], ask: readonly Quantity[]): Section {
  return answersTable(items.map((item) => networkAnswerChains(networkContext(item.solution), item, ask)), 'quiz.net.answers.intro');
}
