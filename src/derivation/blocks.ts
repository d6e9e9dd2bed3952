// Pieces every section's steps are built from: which entries are shown, steps joined under one
// heading, chains sharing a line, a value as shown.
import { scalarTex, shownExactly } from '../expr/to-tex.js';
import { unravel } from '../tensor/tensor.js';
import { rounded } from './tex.js';
import type { DerivationContext } from './context.js';
import type { Block, Chain, Section, Step, Text } from './step.js';
import type { Scalar } from '../numbers/scalar.js';


export const math = (tex: string) => ({ math: tex });
export const text = (t: Text): Block => ({ kind: 'text', text: t });

/** The flat indices of the entries of a tensor shown one by one, as [n, c, i, j]; `terms`: how long all their sums are together. */
export function shownIndices(ctx: DerivationContext, shape: readonly number[], terms?: number): number[][] {
  const count = shape.reduce((a, b) => a * b, 1);
  return ctx.elision.entries(count, terms).map((flat) => unravel(shape, flat));
}

export function elidedNote(shown: number, total: number): Block[] {
  return shown > 0 && shown < total ? [text({ key: 'elide.entries', params: { shown: math(`${shown}`), total: math(`${total}`) } })] : [];
}

/** The pieces of a sum with an opening before the first and a closing after the last: ½ (a + b), 4 · (x₁₁ + x₁₂). */
export function enclose(open: string, pieces: readonly string[], close: string): string[] {
  if (pieces.length === 0) return [];
  const out = [...pieces];
  out[0] = `${open}${out[0]}`;
  out[out.length - 1] = `${out[out.length - 1]}${close}`;
  return out;
}

/** Steps read as one, under one heading: the blocks of each in turn. */
export function joined(rule: Step['rule'], title: Text, steps: readonly Step[]): Step {
  return { rule, title, blocks: steps.flatMap((s) => s.blocks) };
}

/** The chains as one block, or nothing. */
export function chainsBlock(chains: readonly Chain[], groupSize?: number): Block[] {
  return chains.length > 0 ? [{ kind: 'chains', chains, ...(groupSize ? { groupSize } : {}) }] : [];
}

/** Chains short enough to share a line: the entries of one rule, two or three a line on paper. */
export function sharing(chains: readonly Chain[], key: string): Chain[] {
  return chains.map((c) => ({ ...c, line: key }));
}

/** Does a section cut a sum short (⋯ in place of its middle terms)? */
export function cutsSums(sections: readonly Section[]): boolean {
  return sections.some((s) => s.steps.some((st) => st.blocks.some((b) => b.kind === 'chains' && b.chains.some((c) => c.sides.some((side) => side.includes('+ \\cdots'))))));
}
export const value = (x: Scalar) => rounded(scalarTex(x), !shownExactly(x));
