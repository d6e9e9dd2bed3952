// Every document that states a problem (the derivation, the cheat sheet, the exercise sheet and the answer
// key) names, in both languages, every setting that differs from its default, with its value; it says
// nothing untrue (no bias sentence without a bias, S the sum of the map it sums); and no sentence is
// written with a slot left empty. Checked on 200 random problems against the problem files themselves.
import { describe, expect, it } from 'vitest';
import { derive } from '../src/derivation/derive.js';
import type { Derivation, Text } from '../src/derivation/step.js';
import { rationalTex, fractionTex } from '../src/expr/to-tex.js';
import { parseRational, type Rational } from '../src/numbers/rational.js';
import { answerKey, exerciseSheet } from '../src/quiz/documents.js';
import { plainText, segments } from '../src/render/text.js';
import { LANGUAGES, stringsFor, type Language } from '../src/strings/strings.js';
import { randomProblem, type ProblemJson } from './helpers/random-problems.js';
import { solutionOf } from './helpers/solve.js';

const PROBLEMS = 200;

/** A number of a problem file as the documents print it. */
function tex(value: unknown): string {
  const r = parseRational(String(value));
  if (!r) throw new Error(`not a number: ${String(value)}`);
  return powerOfTen(r) ?? rationalTex(r);
}

/** 10^{-8} for eps and the like, as settings are written. */
function powerOfTen(r: Rational): string | undefined {
  for (let k = 4; k <= 30; k++) if (r.n === 1n && r.d === 10n ** BigInt(k)) return `10^{-${k}}`;
  return undefined;
}

const pair = (v: unknown) => (Array.isArray(v) ? (v[0] === v[1] ? `${v[0]}` : `(${v[0]}, ${v[1]})`) : `${v}`);

/** What the statement must say, as substrings of its plain text (math as LaTeX), for each field the file sets. */
function expectations(p: ProblemJson, language: Language): string[] {
  const strings = stringsFor(language);
  const word = (key: keyof typeof strings) => strings[key];
  const out: string[] = [];
  if (p.stride !== undefined) out.push(`s = ${pair(p.stride)}`);
  if (p.dilation !== undefined) out.push(`d = ${pair(p.dilation)}`);
  if (p.padding === 'same' || p.padding === 'valid') out.push(`\\texttt{${p.padding}}`);
  else if (p.padding !== undefined && !Array.isArray(p.padding)) out.push(`p = ${p.padding}`);
  else if (Array.isArray(p.padding)) out.push(`p = ${pair(p.padding)}`);
  if (p.padding_mode !== undefined && p.padding_mode !== 'zeros') out.push(`\\texttt{${p.padding_mode as string}}`);
  if (p.groups !== undefined && p.groups !== 1) out.push(language === 'en' ? `${p.groups as number} groups` : `分为 ${p.groups as number} 组`);
  const activation = p.activation;
  if (activation === 'relu') out.push('\\max(0, \\sigma)');
  if (activation === 'leaky_relu') out.push(`${fractionTex(parseRational(String(p.negative_slope))!)} \\min(0, \\sigma)`);
  if (activation === 'sigmoid') out.push('\\frac{1}{1 + e^{-\\sigma}}');
  if (activation === 'tanh') out.push('\\tanh \\sigma');
  if (typeof activation === 'object') out.push('f(\\sigma) = ');
  const pool = p.pool as { type: string; size: number; stride?: number } | undefined;
  if (pool) out.push(`${pool.size} \\times ${pool.size}`, pair(pool.stride ?? pool.size), pool.type === 'max' ? (language === 'en' ? 'max pooling' : '最大池化') : language === 'en' ? 'average pooling' : '平均池化');
  if (p.head === 'mean') out.push(language === 'en' ? 'the mean of all entries' : '所有元素的平均值');
  if (p.head === 'none') out.push(language === 'en' ? 'compared entry by entry' : '逐个元素比较');
  if (p.loss === 'l1') out.push('|');
  if (p.loss === 'smooth_l1') out.push(`\\texttt{beta} = ${tex(p.beta)}`);
  if (p.loss === 'huber') out.push(`\\texttt{delta} = ${tex(p.delta)}`);
  if (p.loss === 'bce') out.push('\\log');
  if (p.reduction === 'sum') out.push('sum');
  if (p.bias !== undefined) {
    const bias = (Array.isArray(p.bias) ? p.bias : [p.bias]).map(tex);
    out.push(bias.length === 1 ? `b = ${bias[0]}` : `b = (${bias.join(', ')})`);
  } else out.push(word('problem.no-bias'));
  if (p.head !== 'none') out.push(`T = ${tex(p.target)}`);
  if (p.steps !== undefined) out.push(language === 'en' ? `${p.steps as number} ${p.steps === 1 ? 'step' : 'steps'} of` : `做 ${p.steps as number} 步`);
  const o = p.optimizer as Record<string, unknown>;
  out.push({ sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop' }[o.type as string]!);
  const symbols: Record<string, string> = { lr: '\\eta', momentum: '\\mu', dampening: '\\tau', weight_decay: '\\lambda', alpha: '\\alpha', eps: '\\varepsilon' };
  for (const [field, symbol] of Object.entries(symbols)) {
    // A setting at zero that the rule does not use (momentum 0, its dampening, weight decay 0) may go unsaid: it changes nothing.
    if (o[field] === undefined) continue;
    const unused = (field === 'momentum' || field === 'weight_decay') && Number(o[field]) === 0;
    const dampeningUnused = field === 'dampening' && (o.momentum === undefined || Number(o.momentum) === 0);
    if (!unused && !dampeningUnused) out.push(`${symbol} = ${tex(o[field])}`);
  }
  if (Array.isArray(o.betas)) out.push(`\\beta_1 = ${tex(o.betas[0])}`, `\\beta_2 = ${tex(o.betas[1])}`);
  if (o.nesterov === true) out.push(language === 'en' ? 'Nesterov momentum' : 'Nesterov 动量');
  if (o.amsgrad === true) out.push('AMSGrad');
  if (o.centered === true) out.push(language === 'en' ? 'centered RMSprop' : '中心化的 RMSprop');
  return out;
}

/** Every sentence of a derivation, each rendered (which throws on an empty slot), in one language. */
function sentences(d: Derivation, language: Language): string[] {
  const strings = stringsFor(language);
  const texts: Text[] = [...d.intro];
  for (const section of d.sections) {
    texts.push(section.title);
    for (const step of section.steps) {
      texts.push(step.title);
      for (const block of step.blocks) {
        if (block.kind === 'text') texts.push(block.text);
        if (block.kind === 'paragraph') texts.push(...block.texts);
        if (block.kind === 'figure') texts.push(...block.notes);
        if (block.kind === 'legend') texts.push(...block.entries.map((e) => e.meaning));
      }
    }
  }
  return texts.map((t) => plainText(t, strings));
}

/** The plain text of the statement step (the one with rule problem.statement) of each problem a derivation states. */
function statements(d: Derivation, language: Language): string[] {
  const strings = stringsFor(language);
  return d.sections.flatMap((s) =>
    s.steps
      .filter((st) => st.rule === 'problem.statement')
      .map((st) =>
        st.blocks
          .flatMap((b) => (b.kind === 'text' ? [b.text] : b.kind === 'paragraph' ? b.texts : []))
          .map((t) => plainText(t, strings))
          .join(' '),
      ),
  );
}

describe('the strings layer', () => {
  it('refuses a sentence with a slot missing or left empty instead of printing a hole', () => {
    const strings = stringsFor('en');
    expect(() => segments({ key: 'chain.loss-map.mean', params: { count: { math: '4' } } }, strings)).toThrow(/needs \{weight\}/);
    expect(() => segments({ key: 'chain.loss-map.mean', params: { weight: { math: '' }, count: { math: '4' } } }, strings)).toThrow(/empty \{weight\}/);
    expect(() => segments({ key: 'problem.head.sum', params: { mapName: { text: ' ' }, map: { math: 'z' } } }, strings)).toThrow(/empty \{mapName\}/);
    expect(plainText({ key: 'problem.head.sum', params: { mapName: { word: 'map.pooled' }, map: { math: 'z' } } }, strings)).toBe('The prediction $S$ is the sum of all entries of the pooled map z.'.replace('$S$', 'S'));
  });
});

describe(`the statement of ${PROBLEMS} random problems, in every document and language`, () => {
  const problems = Array.from({ length: PROBLEMS }, (_, i) => randomProblem(7000 + i));
  const solved = problems.map((p) => ({ p, solution: solutionOf(p) }));

  it.each(LANGUAGES)('%s: names every setting the file sets, with its value, in the derivation and the cheat sheet', (language) => {
    for (const { p, solution } of solved) {
      const documents = [derive(solution), derive(solution, 'summary')];
      for (const d of documents) {
        const [statement] = statements(d, language);
        for (const expected of expectations(p, language)) expect(statement, `${JSON.stringify(p)}\n${statement}`).toContain(expected);
        // Every sentence renders with every slot filled (segments throws otherwise).
        for (const sentence of sentences(d, language)) expect(sentence.trim()).not.toBe('');
      }
    }
  }, 240_000);

  it.each(LANGUAGES)('%s: and in the exercise sheet and the answer key, exercise by exercise', (language) => {
    // Four problems a quiz, as a teacher's quiz would hold them.
    for (let start = 0; start < PROBLEMS; start += 4) {
      const items = solved.slice(start, start + 4).map(({ p, solution }) => ({ source: JSON.stringify(p), solution }));
      for (const d of [exerciseSheet(items, { difficulty: 'hard' }), answerKey(items, { difficulty: 'hard' })]) {
        const said = statements(d, language);
        expect(said).toHaveLength(items.length);
        said.forEach((statement, k) => {
          for (const expected of expectations(solved[start + k].p, language)) expect(statement, JSON.stringify(solved[start + k].p)).toContain(expected);
        });
        for (const sentence of sentences(d, language)) expect(sentence.trim()).not.toBe('');
      }
    }
  }, 240_000);

  it('says nothing untrue: no bias sentence without a bias, S the sum of the map the head reads', () => {
    for (const { p, solution } of solved) {
      const [statement] = statements(derive(solution), 'en');
      if (p.bias === undefined) expect(statement).not.toMatch(/adds the bias|After the bias/);
      if (p.head === 'sum' || p.head === 'mean') {
        const map = p.pool ? 'pooled map z' : p.activation !== undefined && p.activation !== 'none' ? 'activated map a' : 'convolution output \\sigma';
        expect(statement, JSON.stringify(p)).toContain(`all entries of the ${map}`);
      }
    }
  }, 120_000);
});
