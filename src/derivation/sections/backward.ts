// Section 3: the chain rule from L down to every kernel entry, the bias and every input entry, each
// result found entry by entry (by differentiating S) and again by the compact rule, and shown equal.
import { differentiate } from '../../expr/differentiate.js';
import { evaluate } from '../../expr/evaluate.js';
import { add, mul, num, sym, type Expr, type Sym } from '../../expr/expr.js';
import { rationalTex, symbolTex, toTex, toTexTerms } from '../../expr/to-tex.js';
import { hasPadding, paddedSource, tap, touchedInputs } from '../../model/geometry.js';
import { at, type Grid } from '../../model/grid.js';
import { lossSlopeExpr } from '../../model/loss.js';
import type { Rational } from '../../numbers/rational.js';
import { TERM_ELISION, shownEntries } from '../elide.js';
import { chain, operandTex, pairTex, paddedInputMatrix, partial, valueMatrix, valueSumPieces } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section, Step, Text } from '../step.js';
import { sumOfProductsChain } from '../sum-of-products.js';

const math = (tex: string) => ({ math: tex });
const text = (t: Text): Block => ({ kind: 'text', text: t });

export function backwardSection(ctx: DerivationContext): Section {
  const steps: Step[] = [lossSlopeStep(ctx), deltaStep(ctx), kernelEntriesStep(ctx), kernelCompactStep(ctx)];
  if (ctx.problem.bias) steps.push(biasStep(ctx));
  steps.push(inputEntriesStep(ctx), inputCompactStep(ctx));
  return { id: 'backward', title: { key: 'section.backward' }, steps };
}

/** Only a bug can make the two routes disagree; say so loudly rather than print a wrong derivation. */
function agree(what: string, a: Rational, b: Rational): void {
  if (!a.equals(b)) throw new Error(`internal error: ${what}: ${a.toFraction()} by the chain rule, ${b.toFraction()} by the compact rule`);
}

// ∂L/∂S = 2(S − T)
function lossSlopeStep(ctx: DerivationContext): Step {
  const slope = lossSlopeExpr(ctx.problem);
  agree('∂L/∂S', evaluate(slope, ctx.value), ctx.step.gradients.prediction);
  return {
    rule: 'chain.loss-prediction',
    title: { key: 'step.chain.loss-prediction' },
    blocks: [
      text({ key: 'chain.loss-prediction' }),
      { kind: 'chains', chains: [chain(partial('L', 'S'), toTex(slope), toTex(slope, { value: ctx.value }), rationalTex(ctx.step.gradients.prediction))] },
    ],
  };
}

// δ_ij = ∂L/∂σ_ij = ∂L/∂S · ∂S/∂σ_ij
function deltaStep(ctx: DerivationContext): Step {
  const { gradients } = ctx.step;
  const weight = gradients.headSlope;
  const intro: Text = ctx.problem.head === 'sum' ? { key: 'chain.delta.sum' } : { key: 'chain.delta.mean', params: { weight: math(rationalTex(weight)) } };
  const value = gradients.prediction.mul(weight);
  return {
    rule: 'chain.delta',
    title: { key: 'step.chain.delta' },
    blocks: [
      text(intro),
      { kind: 'chains', chains: [
        chain('\\delta_{ij}', `${partial('L', 'S')} \\cdot ${partial('S', '\\sigma_{ij}')}`, `${operandTex(gradients.prediction)} \\cdot ${operandTex(weight)}`, rationalTex(value)),
        chain('\\delta', valueMatrix(gradients.delta)),
      ] },
    ],
  };
}

/**
 * For each shown entry v (a kernel or an input entry): ∂S/∂v by differentiating S, then
 * ∂L/∂v = ∂L/∂S · ∂S/∂v, checked against the compact rule's value.
 */
function entryChains(ctx: DerivationContext, v: Sym, compact: Rational): Chain[] {
  const dS = differentiate(ctx.expandedPrediction, v);
  const dSValue = evaluate(dS, ctx.value);
  const dLdS = ctx.step.gradients.prediction;
  agree(`∂L/∂${v.name}${v.indices.join(',')}`, dLdS.mul(dSValue), compact);
  const name = symbolTex(v);
  const dSChain =
    dS.kind === 'add'
      ? sumOfProductsChain(partial('S', name), dS, ctx)
      : chain(partial('S', name), toTex(dS, { elide: TERM_ELISION }), toTex(dS, { value: ctx.value, elide: TERM_ELISION }), rationalTex(dSValue));
  return [
    dSChain,
    chain(partial('L', name), `${partial('L', 'S')} \\cdot ${partial('S', name)}`, `${operandTex(dLdS)} \\cdot ${operandTex(dSValue)}`, rationalTex(compact)),
  ];
}

function entriesBlocks(grid: Grid<Rational>, name: 'k' | 'x', ctx: DerivationContext): Block[] {
  const shown = shownEntries(grid.rows, grid.cols);
  return [
    ...(shown.length < grid.rows * grid.cols ? [text({ key: 'elide.entries', params: { shown: math(`${shown.length}`), total: math(`${grid.rows * grid.cols}`) } })] : []),
    { kind: 'chains', chains: shown.flatMap(([i, j]) => entryChains(ctx, sym(name, i + 1, j + 1), at(grid, i, j))), groupSize: 2 },
  ];
}

function kernelEntriesStep(ctx: DerivationContext): Step {
  const gradient = ctx.step.gradients.kernel;
  return {
    rule: 'chain.kernel-entry',
    title: { key: 'step.chain.kernel-entry' },
    blocks: [
      text({ key: 'chain.kernel-entry' }),
      ...entriesBlocks(gradient, 'k', ctx),
      text({ key: 'chain.kernel-matrix' }),
      { kind: 'chains', chains: [chain(partial('L', 'K'), valueMatrix(gradient))] },
    ],
  };
}

// ∂L/∂k_mn = Σ_ij δ_ij · x̃_{i·s_h + m·d_h, j·s_w + n·d_w}
function kernelCompactStep(ctx: DerivationContext): Step {
  const { geometry: g, problem } = ctx;
  const plain = !hasPadding(g) && g.stride.every((s) => s === 1) && g.dilation.every((d) => d === 1);
  const input = hasPadding(g) ? '\\tilde X' : 'X';
  const first: Expr = add(
    ...ctx.step.gradients.delta.data.map((_, index) => {
      const i = Math.floor(index / g.output.cols);
      const j = index % g.output.cols;
      const source = paddedSource(g, ...tap(g, i, j, 0, 0));
      return mul(sym('delta', i + 1, j + 1), source ? sym('x', source[0] + 1, source[1] + 1) : num(0));
    }),
  );
  agree('∂L/∂k_11', evaluate(first, ctx.value), at(ctx.step.gradients.kernel, 0, 0));
  return {
    rule: 'grad.kernel-compact',
    title: { key: 'step.grad.kernel-compact' },
    blocks: [
      text(plain ? { key: 'grad.kernel-compact.plain' } : { key: 'grad.kernel-compact.general', params: { stride: math(pairTex(problem.stride)), dilation: math(pairTex(problem.dilation)) } }),
      { kind: 'chains', chains: [chain(partial('L', 'K'), `${input} \\star \\delta`, `${paddedInputMatrix(ctx)} \\star ${valueMatrix(ctx.step.gradients.delta)}`, valueMatrix(ctx.step.gradients.kernel))] },
      text({ key: 'grad.same-result' }),
      text({ key: 'grad.kernel-compact.entry' }),
      { kind: 'chains', chains: [sumOfProductsChain(partial('L', symbolTex(sym('k', 1, 1))), first, ctx)] },
    ],
  };
}

// ∂L/∂b = Σ_ij δ_ij
function biasStep(ctx: DerivationContext): Step {
  const { delta, bias } = ctx.step.gradients;
  const names = delta.data.map((_, index) => sym('delta', Math.floor(index / delta.cols) + 1, (index % delta.cols) + 1));
  const sum = add(...names);
  return {
    rule: 'chain.bias',
    title: { key: 'step.chain.bias' },
    blocks: [
      text({ key: 'chain.bias' }),
      { kind: 'chains', chains: [chain(partial('L', 'b'), '\\sum_{i,j} \\delta_{ij}', toTexTerms(sum, { elide: TERM_ELISION }), valueSumPieces(delta.data), rationalTex(bias!))] },
    ],
  };
}

function inputEntriesStep(ctx: DerivationContext): Step {
  const gradient = ctx.step.gradients.input.gradient;
  const untouched = touchedInputs(ctx.geometry).some((touched) => !touched);
  return {
    rule: 'chain.input-entry',
    title: { key: 'step.chain.input-entry' },
    blocks: [
      text({ key: 'chain.input-entry' }),
      ...entriesBlocks(gradient, 'x', ctx),
      ...(untouched ? [text({ key: 'chain.input-entry.untouched' })] : []),
      text({ key: 'chain.input-matrix' }),
      { kind: 'chains', chains: [chain(partial('L', 'X'), valueMatrix(gradient))] },
    ],
  };
}

// ∂L/∂X̃ = pad(δ spread by s) ⋆ rot180(K dilated by d); ∂L/∂X is its inside
function inputCompactStep(ctx: DerivationContext): Step {
  const { geometry: g, problem } = ctx;
  const parts = ctx.step.gradients.input;
  const plain = g.stride.every((s) => s === 1) && g.dilation.every((d) => d === 1);
  const padded = hasPadding(g);
  // The correlation reaches (s·(H' − 1) + d·(k − 1) + 1) rows of the padded input; any rows beyond stay 0.
  const reachesAll = parts.spreadDelta.rows - parts.rotatedKernel.rows + 1 >= g.padded.rows && parts.spreadDelta.cols - parts.rotatedKernel.cols + 1 >= g.padded.cols;
  const target = padded ? '\\tilde X' : 'X';
  // The zeros inserted around and between the entries are grey, δ's and K's own entries black.
  const spanRows = g.dilation[0] * (g.kernel.rows - 1);
  const spanCols = g.dilation[1] * (g.kernel.cols - 1);
  // Along one axis, index r of δ̂ holds an entry of δ when r = span + stride·i for some output index i.
  const holdsDelta = (r: number, span: number, stride: number, count: number) => r >= span && (r - span) % stride === 0 && (r - span) / stride < count;
  const spreadDelta = valueMatrix(parts.spreadDelta, (r, c) => !(holdsDelta(r, spanRows, g.stride[0], g.output.rows) && holdsDelta(c, spanCols, g.stride[1], g.output.cols)));
  const rotatedKernel = valueMatrix(parts.rotatedKernel, (r, c) => r % g.dilation[0] !== 0 || c % g.dilation[1] !== 0);
  const chains: Chain[] = [
    chain(partial('L', target), '\\hat\\delta \\star \\operatorname{rot}_{180}(K)', `${spreadDelta} \\star ${rotatedKernel}`, valueMatrix(parts.paddedGradient)),
  ];
  if (padded) chains.push(chain(partial('L', 'X'), valueMatrix(parts.gradient)));
  return {
    rule: 'grad.input-compact',
    title: { key: 'step.grad.input-compact' },
    blocks: [
      text(plain ? { key: 'grad.input-compact.plain' } : { key: 'grad.input-compact.general', params: { stride: math(pairTex(problem.stride)) } }),
      { kind: 'chains', chains },
      ...(reachesAll ? [] : [text({ key: 'grad.input-compact.unreached' })]),
      ...(padded ? [text({ key: 'grad.input-compact.crop' })] : []),
      text({ key: 'grad.same-result' }),
    ],
  };
}
