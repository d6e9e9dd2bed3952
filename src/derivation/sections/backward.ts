// Section 3: the chain rule from L down through every stage to δ = ∂L/∂σ, then to every kernel entry,
// the bias and every input entry: each found entry by entry (by differentiating the written-out
// expressions) and again by the compact rule, literally as printed, and shown equal.
import { differentiate } from '../../expr/differentiate.js';
import { evaluate } from '../../expr/evaluate.js';
import { addAll, sym, type Expr, type Sym } from '../../expr/expr.js';
import { scalarTex, shownExactly, symbolTex, termGroup, toTex, toTexTerms } from '../../expr/to-tex.js';
import { add as addScalar, asDouble, exact, isExact, mul as mulScalar, ZERO, type Scalar } from '../../numbers/scalar.js';
import { toExactString } from '../../numbers/rational.js';
import { biasSym, inputSym, kernelCorrelation, kernelSym, outputSym, transposedConvolution } from '../../ops/conv2d/conv.js';
import { channelsPerGroup, hasPadding, inputChannel, isPaddingCell, touchedInputs } from '../../ops/conv2d/geometry.js';
import { at, makeGrid, plane, type Grid } from '../../tensor/grid.js';
import { mseExpr, S } from '../../ops/loss/loss.js';
import { headSlope } from '../../ops/head/head.js';
import { kinksOf } from '../../model/kinks.js';
import { windowsOf } from '../../ops/pool/pool.js';
import { get, offset, unravel, type Tensor } from '../../tensor/tensor.js';
import { lossSlopeCase, lossSlopeTex } from '../../ops/loss/tex.js';
import { coloured } from '../palette.js';
import { planeChains, planes, superscript, symbolicSuperscript, withMark } from '../planes.js';
import { sumOfProductsChain } from '../sum-of-products.js';
import { kernelEntryFigure, maxPoolFigure, PANEL_LIMIT, slidingKernelFigure } from '../figures.js';
import { chain, operandTex, partial, rounded, valueSumPieces, withValues } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section, Step, Text } from '../step.js';
import { chainsBlock, elidedNote, enclose, headInput, joined, sharing, shownIndices, taps } from './forward.js';
import { elidePieces } from '../elide.js';

const math = (tex: string) => ({ math: tex });
const text = (t: Text): Block => ({ kind: 'text', text: t });
const value = (x: Scalar) => rounded(scalarTex(x), !shownExactly(x));

export function backwardSection(ctx: DerivationContext, ask: { input: boolean } = { input: true }): Section {
  const { problem } = ctx;
  // From L to the map the head reads (δ itself when that is σ), then back through each stage to δ.
  const start = problem.head === 'none' ? lossSlopeStep(ctx) : joined('chain.loss-prediction', { key: headInput(ctx) === 'sigma' ? 'step.chain.to-delta' : 'step.chain.to-map' }, [lossSlopeStep(ctx), headStep(ctx)]);
  const steps: Step[] = [start];
  if (problem.pool) steps.push(problem.pool.type === 'max' ? maxPoolStep(ctx) : avgPoolStep(ctx));
  if (problem.activation.type !== 'none') steps.push(activationStep(ctx));
  // Each gradient entry by entry, then by its compact rule.
  steps.push(joined('chain.kernel-entry', { key: 'step.chain.kernel-entry' }, [kernelEntriesStep(ctx), kernelCompactStep(ctx)]));
  if (problem.bias) steps.push(biasStep(ctx));
  if (ask.input) steps.push(joined('chain.input-entry', { key: 'step.chain.input-entry' }, [inputEntriesStep(ctx), inputCompactStep(ctx)]));
  return { id: 'backward', title: { key: 'section.backward' }, steps };
}

/**
 * Two routes to one number must agree: exactly for exact values, to float64 rounding otherwise.
 * Only a bug can make them differ; say so loudly rather than print a wrong derivation.
 */
function agree(what: string, a: Scalar, b: Scalar): void {
  const same = isExact(a) && isExact(b) ? a.equals(b) : Math.abs(asDouble(a) - asDouble(b)) <= 1e-9 * Math.max(1, Math.abs(asDouble(a)), Math.abs(asDouble(b)));
  const show = (x: Scalar) => (isExact(x) ? toExactString(x) : String(x));
  if (!same) throw new Error(`internal error: ${what}: ${show(a)} by the chain rule, ${show(b)} by the compact rule`);
}

// ∂L/∂S (one prediction) or ∂L/∂y = w · ∂l/∂y for every entry of a map prediction
function lossSlopeStep(ctx: DerivationContext): Step {
  const { problem, naming } = ctx;
  const { forward, gradients } = ctx.step;
  if (problem.head !== 'none') {
    const slope = gradients.prediction.data[0];
    const [y, t] = [forward.prediction.data[0], problem.target.data[0]];
    const formula =
      problem.loss.type === 'mse'
        ? chain(partial('L', 'S'), toTex(differentiate(mseExpr(), S)), withValues(toTex(differentiate(mseExpr(), S), { value: ctx.value }), [y, t]), value(slope))
        : chain(partial('L', 'S'), lossSlopeTex(problem.loss, 'S', 'T'), withValues(lossSlopeTex(problem.loss, operandTex(y), operandTex(t), lossSlopeCase(problem.loss, y, t)), [y, t]), value(slope));
    return {
      rule: 'chain.loss-prediction',
      title: { key: 'step.chain.loss-prediction' },
      blocks: [text({ key: problem.loss.type === 'mse' ? 'chain.loss-prediction' : 'chain.loss-prediction.general' }), { kind: 'chains', chains: [formula] }, ...lossKinkNote(ctx)],
    };
  }
  const count = forward.prediction.data.length;
  const mean = problem.reduction === 'mean';
  const weight = mean ? `\\frac{1}{${count}}` : '1';
  const shown = shownIndices(ctx, forward.prediction.shape);
  const chains = shown.map(([n, o, i, j]) => {
    const [y, t] = [outputSym('y', naming, n, o, i, j), outputSym('t', naming, n, o, i, j)];
    const g = get(gradients.prediction, n, o, i, j);
    // The case of a piecewise loss that holds at this entry, in symbols and in numbers (the cases are in the statement).
    const at = lossSlopeCase(problem.loss, ctx.value(y)!, ctx.value(t)!);
    const symbolic = lossSlopeTex(problem.loss, symbolTex(y), symbolTex(t), at);
    const numbers = lossSlopeTex(problem.loss, operandTex(ctx.value(y)!), operandTex(ctx.value(t)!), at);
    const shown = [ctx.value(y)!, ctx.value(t)!];
    return mean
      ? chain(partial('L', symbolTex(y)), `${weight} \\cdot ${wrap(symbolic)}`, withValues(`${weight} \\cdot ${wrap(numbers)}`, shown), value(g))
      : chain(partial('L', symbolTex(y)), symbolic, withValues(numbers, shown), value(g));
  });
  return {
    rule: 'chain.loss-prediction',
    title: { key: 'step.chain.loss-prediction' },
    blocks: [
      text(mean ? { key: 'chain.loss-map.mean', params: { weight: math(weight), count: math(`${count}`) } } : { key: 'chain.loss-map.sum' }),
      ...elidedNote(shown.length, count),
      ...chainsBlock(sharing(chains, 'loss-slopes')),
      { kind: 'chains', chains: planeChains(ctx, 'output', (sup) => partial('L', `y${sup}`), gradients.prediction) },
      ...lossKinkNote(ctx),
    ],
  };
}

/**
 * The predictions exactly equal to their targets under l1 (or smooth_l1 with β = 0), on the kink of
 * |y − T|: −1 from the left, 1 from the right; PyTorch takes sign(0) = 0 for l1 and −1 for smooth_l1.
 */
function lossKinkNote(ctx: DerivationContext): Block[] {
  const { problem, naming } = ctx;
  const { prediction } = ctx.step.forward;
  const map = problem.head === 'none';
  const on = kinksOf(problem, ctx.step.forward).loss;
  if (on.length === 0) return [];
  const names = on.map((flat) => (map ? symbolTex(outputSym('y', naming, ...(unravel(prediction.shape, flat) as [number, number, number, number]))) : 'S'));
  const taken = problem.loss.type === 'l1' ? '0' : '-1';
  return [text({ key: map ? 'loss.kink.map' : 'loss.kink', params: { entries: math(elidePieces(names, ctx.elision.terms, '\\dots').join(', ')), count: math(`${on.length}`), taken: math(taken) } })];
}

/** A formula as a factor: parenthesized unless it is one symbol, a fraction or a sign(). */
function wrap(tex: string): string {
  return /^(\\frac|\\operatorname|[a-zA-Z0-9_{}^]+$)/.test(tex) && !tex.includes(' - ') ? tex : `\\left(${tex}\\right)`;
}

// ∂L/∂z_ij = ∂L/∂S · ∂S/∂z_ij, the same for every entry of the map the head reads
function headStep(ctx: DerivationContext): Step {
  const { gradients } = ctx.step;
  const name = headInput(ctx);
  const weight = headSlope(ctx.problem.head, gradients.pooled.data.length);
  const dLdS = gradients.prediction.data[0];
  const each = gradients.pooled.data[0];
  const entry = symbolTex(sym(name, [], []));
  const isDelta = name === 'sigma';
  const params = { map: math(entry), weight: math(scalarTex(weight)) };
  const intro: Text = isDelta
    ? { key: ctx.problem.head === 'sum' ? 'chain.delta.sum' : 'chain.delta.mean', params }
    : { key: ctx.problem.head === 'sum' ? 'chain.head.sum' : 'chain.head.mean', params };
  const lhs = isDelta ? '\\delta_{ij}' : partial('L', `${entry}_{ij}`);
  return {
    rule: isDelta ? 'chain.delta' : 'chain.head',
    title: { key: isDelta ? 'step.chain.delta' : 'step.chain.head' },
    blocks: [
      text(intro),
      { kind: 'chains', chains: [
        { ...chain(lhs, `${partial('L', 'S')} \\cdot ${partial('S', `${entry}_{ij}`)}`, withValues(`${operandTex(dLdS)} \\cdot ${operandTex(weight)}`, [dLdS]), value(each)), line: 'head' },
        ...planeChains(ctx, 'output', (sup) => (isDelta ? `\\delta${sup}` : partial('L', `${entry}${sup}`)), gradients.pooled).map((c) => ({ ...c, line: 'head' })),
      ] },
    ],
  };
}

/** Max pooling: each winning entry of the pooled map's input, with the windows it wins. */
function incomingRoutes(ctx: DerivationContext): Map<number, { window: number }[]> {
  const incoming = new Map<number, { window: number }[]>();
  ctx.step.forward.pooling!.winners!.forEach((from, window) => {
    const routes = incoming.get(from);
    if (routes) routes.push({ window });
    else incoming.set(from, [{ window }]);
  });
  return incoming;
}

/** The colour of a window: its place within its plane, so that the figure, the forward line and the backward line of window (i, j) agree. */
function windowColour(ctx: DerivationContext, window: number): number {
  const [, , i, j] = unravel(ctx.step.forward.pooled.shape, window);
  return i * ctx.step.forward.pooled.shape[3] + j;
}

// ∂L/∂a_r = Σ over the windows w that r wins of ∂L/∂z_w; every entry that wins none gets 0
function maxPoolStep(ctx: DerivationContext): Step {
  const { naming } = ctx;
  const { forward, gradients } = ctx.step;
  const source = ctx.problem.activation.type === 'none' ? 'sigma' : 'a';
  const incoming = incomingRoutes(ctx);
  const zName = (w: number) => symbolTex(outputSym('p', naming, ...(unravel(forward.pooled.shape, w) as [number, number, number, number])));
  const lhsOf = (flat: number) => {
    const [n, o, i, j] = unravel(forward.activated.shape, flat);
    return source === 'sigma' ? symbolTex(outputSym('delta', naming, n, o, i, j)) : partial('L', symbolTex(outputSym('a', naming, n, o, i, j)));
  };
  const winners = [...incoming.keys()].sort((a, b) => a - b);
  const shown = ctx.elision.entries(winners.length).map((k) => winners[k]);
  const chains = shown.map((flat) => {
    const routes = incoming.get(flat)!;
    const colour = ctx.figures ? windowColour(ctx, routes[0].window) : undefined;
    return chain(
      coloured(lhsOf(flat), colour),
      routes.map(({ window }, k) => `${k === 0 ? '' : '+ '}${partial('L', zName(window))}`),
      withValues(
        routes.map(({ window }, k) => `${k === 0 ? '' : '+ '}${operandTex(gradients.pooled.data[window])}`),
        routes.map(({ window }) => gradients.pooled.data[window]),
      ),
      value(gradients.activated.data[flat]),
    );
  });
  // The figure: each plane of the map with its winners shaded in their windows' colours.
  const planesShown = planeIndices(forward.activated.shape);
  const figurePlanes = planesShown.map(([n, o]) => {
    const grid = plane(forward.activated, n, o);
    const marks = new Map<string, number>();
    for (const flat of winners) {
      const [wn, wo, r, c] = unravel(forward.activated.shape, flat);
      if (wn === n && wo === o) marks.set(`${r},${c}`, windowColour(ctx, incoming.get(flat)![0].window));
    }
    const sup = superscript(ctx, 'output', n, o);
    return { caption: source === 'sigma' ? `\\sigma${sup}` : `a${sup}`, grid, winners: marks };
  });
  const losers = forward.activated.data.length - winners.length;
  return {
    rule: 'chain.pool',
    title: { key: 'step.chain.pool' },
    blocks: [
      text({ key: 'chain.pool.max', params: { map: math(source === 'sigma' ? '\\sigma' : 'a') } }),
      ...maxPoolFigure(ctx, figurePlanes, planesShown.length),
      ...elidedNote(shown.length, winners.length),
      ...chainsBlock(sharing(chains, 'winners')),
      ...(losers > 0 ? [text({ key: 'chain.pool.max.zeros', params: { count: math(`${losers}`) } })] : []),
      { kind: 'chains', chains: planeChains(ctx, 'output', (sup) => (source === 'sigma' ? `\\delta${sup}` : partial('L', `a${sup}`)), gradients.activated) },
    ],
  };
}

function planeIndices(shape: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let n = 0; n < shape[0]; n++) for (let o = 0; o < shape[1]; o++) out.push([n, o]);
  return out;
}

// ∂L/∂a_r = Σ over the windows w that read r of ∂L/∂z_w · 1/(h·w)
function avgPoolStep(ctx: DerivationContext): Step {
  const pool = ctx.problem.pool!;
  const { naming } = ctx;
  const { forward, gradients } = ctx.step;
  const source = ctx.problem.activation.type === 'none' ? 'sigma' : 'a';
  const share = scalarTex(exact(1, pool.size[0] * pool.size[1]));
  const [, , rows, cols] = forward.activated.shape;
  const shown = shownIndices(ctx, forward.activated.shape);
  const zName = (w: number) => symbolTex(outputSym('p', naming, ...(unravel(forward.pooled.shape, w) as [number, number, number, number])));
  const chains = shown.map(([n, o, i, j]) => {
    const flat = offset(forward.activated.shape, [n, o, i, j]);
    const lhs = source === 'sigma' ? symbolTex(outputSym('delta', naming, n, o, i, j)) : partial('L', symbolTex(outputSym('a', naming, n, o, i, j)));
    // The windows over this entry, found by arithmetic; a long list written as long sums are.
    const windows = windowsOf(pool, i, j, rows, cols).map(([wi, wj]) => offset(forward.pooled.shape, [n, o, wi, wj]));
    if (windows.length === 0) return chain(lhs, '0');
    const pieces = (term: (w: number) => string) => elidePieces(windows.map((w, k) => `${k === 0 ? '' : '+ '}${term(w)} \\cdot ${share}`), ctx.elision.terms);
    return chain(
      lhs,
      pieces((w) => partial('L', zName(w))),
      withValues(pieces((w) => operandTex(gradients.pooled.data[w])), windows.map((w) => gradients.pooled.data[w])),
      value(gradients.activated.data[flat]),
    );
  });
  return {
    rule: 'chain.pool',
    title: { key: 'step.chain.pool' },
    blocks: [
      text({ key: 'chain.pool.avg', params: { count: math(`${pool.size[0] * pool.size[1]}`) } }),
      ...elidedNote(shown.length, forward.activated.data.length),
      ...chainsBlock(sharing(chains, 'shares')),
      { kind: 'chains', chains: planeChains(ctx, 'output', (sup) => (source === 'sigma' ? `\\delta${sup}` : partial('L', `a${sup}`)), gradients.activated) },
    ],
  };
}

// δ = ∂L/∂a ⊙ f′(σ), plane by plane
function activationStep(ctx: DerivationContext): Step {
  const { gradients } = ctx.step;
  const planesOf = (t: Tensor<Scalar>) => planes(ctx, 'output', t).map((p) => ctx.matrix(p.grid));
  const [upstream, slopes, deltas] = [planesOf(gradients.activated), planesOf(gradients.activationSlope), planesOf(gradients.delta)];
  const rounding = (t: Tensor<Scalar>) => !t.data.every(shownExactly);
  const chains = planeChains(ctx, 'output', '\\delta', gradients.delta).map((c, k) => {
    const sup = c.lhs.replace('\\delta', '');
    return chain(
      c.lhs,
      `${partial('L', `a${sup}`)} \\odot f'(\\sigma${sup})`,
      rounded(`${upstream[k]} \\odot ${slopes[k]}`, rounding(gradients.activated) || rounding(gradients.activationSlope)),
      rounded(deltas[k], rounding(gradients.delta)),
    );
  });
  return {
    rule: 'chain.activation',
    title: { key: 'step.chain.activation' },
    blocks: [text({ key: 'chain.activation' }), { kind: 'chains', chains }],
  };
}

/**
 * ∂L/∂v for one parameter or input entry v. With S written out (no activation, no pooling):
 * ∂L/∂v = ∂L/∂S · ∂S/∂v, on one line; otherwise ∂L/∂v = Σ δ · ∂σ/∂v. Checked against the compact rule.
 */
function entryChain(ctx: DerivationContext, v: Sym, compact: Scalar, colour?: number): Chain {
  // In its figure's colour, where the document draws figures.
  const name = coloured(symbolTex(v), ctx.figures ? colour : undefined);
  const terms = ctx.elision.terms;
  const options = terms ? { elide: terms } : {};
  if (ctx.linear) {
    const dS = differentiate(ctx.predictionWith(v), v);
    const dSValue = evaluate(dS, ctx.value);
    const dLdS = ctx.step.gradients.prediction.data[0];
    agree(`∂L/∂${symbolTex(v)}`, mulScalar(dLdS, dSValue), compact);
    // ∂L/∂S · (x₁₁ + x₁₂) = 4 · (1 + 2) = 12, or ∂L/∂S · ¼ (x₁₁ + x₁₂) for the mean
    const { coefficient, sum } = splitCoefficient(dS);
    const times = (factor: string, pieces: readonly string[]) => {
      const lead = `${factor} \\cdot ${coefficient === undefined ? '' : `${coefficient} `}`;
      return pieces.length > 1 || coefficient !== undefined ? enclose(`${lead}(`, pieces, ')') : [`${lead}${/^-/.test(pieces[0]) ? `(${pieces[0]})` : pieces[0]}`];
    };
    const factor = operandTex(dLdS);
    const symbolic = times(partial('L', 'S'), toTexTerms(sum, options));
    const numbers = times(factor, toTexTerms(sum, { ...options, value: ctx.value }));
    return chain(partial('L', name), symbolic, rounded(numbers, !shownExactly(dLdS)), value(compact));
  }
  const dL = differentiate(ctx.linearizedWith(v), v);
  agree(`∂L/∂${symbolTex(v)}`, evaluate(dL, ctx.value), compact);
  return sumOfProductsChain(partial('L', name), dL, ctx);
}

/** A constant times a sum, split (the mean's ¼ in front of ∂S/∂v); anything else is all sum. */
function splitCoefficient(e: Expr): { coefficient?: string; sum: Expr } {
  if (e.kind === 'mul' && e.factors.length === 2 && e.factors[0].kind === 'num' && e.factors[1].kind === 'add') return { coefficient: toTex(e.factors[0]), sum: e.factors[1] };
  return { sum: e };
}

function kernelEntriesStep(ctx: DerivationContext): Step {
  const gradient = ctx.step.gradients.kernel;
  const g = ctx.geometry;
  const shown = shownIndices(ctx, gradient.shape, taps(ctx));
  // The figure draws the entries of the first kernel slice, each in the colour of its line.
  const figured = shown.filter(([o, c]) => o === 0 && c === 0).slice(0, PANEL_LIMIT);
  const colourOf = new Map(figured.map(([o, c, m, q], k) => [`${o},${c},${m},${q}`, k]));
  const chains = shown.map(([o, c, m, q]) => entryChain(ctx, kernelSym(ctx.naming, o, c, m, q), gradient.data[offset(gradient.shape, [o, c, m, q])], colourOf.get(`${o},${c},${m},${q}`)));
  const slices = g.outChannels * channelsPerGroup(g);
  return {
    rule: 'chain.kernel-entry',
    title: { key: 'step.chain.kernel-entry' },
    blocks: [
      text({ key: ctx.linear ? 'chain.kernel-entry' : 'chain.kernel-entry.delta' }),
      ...kernelEntryFigure(ctx, figured, (o, c, m, q) => symbolTex(kernelSym(ctx.naming, o, c, m, q)), g.kernel.rows * g.kernel.cols, slices),
      ...elidedNote(shown.length, gradient.data.length),
      ...chainsBlock(chains),
      { kind: 'chains', chains: planeChains(ctx, 'kernel', (sup) => partial('L', `K${sup}`), gradient) },
    ],
  };
}

/** δ^{↑s} with its superscript, or δ itself at stride 1. */
function spreadName(ctx: DerivationContext, sup: string): string {
  return withMark('\\delta', sup, ctx.geometry.stride.some((s) => s > 1) ? '\\uparrow s' : '');
}

// ∂L/∂K^{(o,c)} = Σ_ν X̃^{(ν,c')} ⋆ δ^{(ν,o)↑s}, read at rows and columns 1, 1 + d, … when d > 1
function kernelCompactStep(ctx: DerivationContext): Step {
  const { geometry: g } = ctx;
  const { forward, gradients } = ctx.step;
  const input = hasPadding(g) ? '\\tilde X' : 'X';
  const pairs: [number, number][] = [];
  for (let o = 0; o < g.outChannels; o++) for (let c = 0; c < channelsPerGroup(g); c++) pairs.push([o, c]);
  const shownPairs = ctx.elision.detail === 'full' ? pairs : pairs.slice(0, 1);
  const spreadMuted = (r: number, c: number) => r % g.stride[0] !== 0 || c % g.stride[1] !== 0;
  const border = (r: number, c: number) => isPaddingCell(g, r, c);
  const dilated = g.dilation.some((d) => d > 1);
  const chains: Chain[] = [];
  for (const [o, c] of shownPairs) {
    const channel = inputChannel(g, o, c);
    const parts = Array.from({ length: g.batch }, (_, n) => ({ n, ...kernelCorrelation(g, plane(forward.padded, n, channel), plane(gradients.delta, n, o)) }));
    const correlation = parts.reduce<Grid<Scalar>>((sum, p) => makeGrid(sum.rows, sum.cols, (r, q) => addScalar(at(sum, r, q), at(p.correlation, r, q))), makeGrid(parts[0].correlation.rows, parts[0].correlation.cols, (): Scalar => ZERO));
    const result = makeGrid(g.kernel.rows, g.kernel.cols, (m, q) => at(correlation, m * g.dilation[0], q * g.dilation[1]));
    for (const [k, entry] of plane(gradients.kernel, o, c).data.entries()) agree(`∂L/∂K^(${o + 1},${c + 1}) ${k}`, result.data[k], entry);
    const readAll = correlation.rows === g.kernel.rows && correlation.cols === g.kernel.cols;
    const unread = (r: number, q: number) => r % g.dilation[0] !== 0 || q % g.dilation[1] !== 0 || r / g.dilation[0] >= g.kernel.rows || q / g.dilation[1] >= g.kernel.cols;
    const symbolic = `${g.batch > 1 ? '\\sum_\\nu ' : ''}${input}${symbolicSuperscript(ctx, 'input', '\\nu', channel)} \\star ${spreadName(ctx, symbolicSuperscript(ctx, 'output', '\\nu', o))}`;
    const numbers = withValues(
      parts.map((p, k) => `${k === 0 ? '' : '+ '}${ctx.matrix(plane(forward.padded, p.n, channel), border)} \\star ${ctx.matrix(p.spreadDelta, spreadMuted)}`),
      parts.flatMap((p) => p.spreadDelta.data),
    );
    const rounding = !correlation.data.every(shownExactly);
    const lhs = partial('L', `K${superscript(ctx, 'kernel', o, c)}`);
    if (readAll) chains.push(chain(lhs, symbolic, numbers, rounded(ctx.matrix(correlation), rounding)));
    else {
      chains.push(chain(symbolic, numbers, rounded(ctx.matrix(correlation, unread), rounding)));
      chains.push(chain(lhs, rounded(ctx.matrix(result), rounding)));
    }
  }
  const rule: Text = { key: g.stride.some((s) => s > 1) ? 'grad.kernel-compact.spread' : 'grad.kernel-compact.plain', params: { stride: math(`s = ${pairText(g.stride)}`) } };
  return {
    rule: 'grad.kernel-compact',
    title: { key: 'step.grad.kernel-compact' },
    blocks: [
      text(rule),
      ...(pairs.length > 1 ? [text({ key: shownPairs.length < pairs.length ? 'grad.kernel-compact.channels.first' : 'grad.kernel-compact.channels' })] : []),
      ...(g.batch > 1 ? [text({ key: 'grad.kernel-compact.batch' })] : []),
      { kind: 'chains', chains },
      ...(dilated || !chainsReadAll(chains) ? [text({ key: dilated ? 'grad.kernel-compact.dilation' : 'grad.kernel-compact.unread', params: { dilation: math(`d = ${pairText(g.dilation)}`) } })] : []),
    ],
  };
}

/** Did every kernel chain read its whole correlation (one chain per pair, none with a read-out)? */
function chainsReadAll(chains: readonly Chain[]): boolean {
  return chains.every((c) => c.lhs.startsWith('\\frac{\\partial L}'));
}

function pairText(pair: readonly [number, number]): string {
  return pair[0] === pair[1] ? `${pair[0]}` : `(${pair[0]}, ${pair[1]})`;
}

// ∂L/∂b_o = Σ_{ν,i,j} δ_{ν,o,i,j}
function biasStep(ctx: DerivationContext): Step {
  const { geometry: g, naming } = ctx;
  const { gradients } = ctx.step;
  const chains = ctx.elision.entries(g.outChannels).map((o) => {
    const names: Expr[] = [];
    const values: Scalar[] = [];
    for (let n = 0; n < g.batch; n++)
      for (let i = 0; i < g.output.rows; i++)
        for (let j = 0; j < g.output.cols; j++) {
          names.push(outputSym('delta', naming, n, o, i, j));
          values.push(get(gradients.delta, n, o, i, j));
        }
    const total = gradients.bias![o];
    agree(`∂L/∂b_${o + 1}`, evaluate(addAll(names), ctx.value), total);
    const b = symbolTex(biasSym(naming, o));
    const sup = symbolicSuperscript(ctx, 'output', '\\nu', o);
    return chain(
      partial('L', b),
      `\\sum_{${g.batch > 1 ? '\\nu,' : ''}i,j} \\delta${sup}_{ij}`,
      toTexTerms(addAll(names), { ...(ctx.elision.terms ? { elide: ctx.elision.terms } : {}) }),
      withValues(valueSumPieces(values, ctx.elision.terms, names.map(termGroup)), values),
      value(total),
    );
  });
  return {
    rule: 'chain.bias',
    title: { key: 'step.chain.bias' },
    blocks: [text({ key: g.outChannels > 1 ? 'chain.bias.channels' : 'chain.bias' }), ...chainsBlock(chains)],
  };
}

function inputEntriesStep(ctx: DerivationContext): Step {
  const gradient = ctx.step.gradients.input;
  const untouched = touchedInputs(ctx.geometry).some((touched) => !touched);
  const shown = shownIndices(ctx, gradient.shape, taps(ctx));
  const chains = shown.map(([n, c, i, j]) => entryChain(ctx, inputSym(ctx.naming, n, c, i, j), gradient.data[offset(gradient.shape, [n, c, i, j])]));
  return {
    rule: 'chain.input-entry',
    title: { key: 'step.chain.input-entry' },
    blocks: [
      text({ key: ctx.linear ? 'chain.input-entry' : 'chain.input-entry.delta' }),
      ...elidedNote(shown.length, gradient.data.length),
      ...chainsBlock(sharing(chains, 'input-entries')),
      ...(untouched ? [text({ key: 'chain.input-entry.untouched' })] : []),
      { kind: 'chains', chains: planeChains(ctx, 'input', (sup) => partial('L', `X${sup}`), gradient) },
    ],
  };
}

// ∂L/∂X̃^{(ν,c)} = Σ_o δ̃^{(ν,o)} ⋆ rot180(K^{(o,c′)↑d}); then the border cropped (zeros) or folded back onto the entries it copies
function inputCompactStep(ctx: DerivationContext): Step {
  const { geometry: g } = ctx;
  const { gradients } = ctx.step;
  const padded = hasPadding(g);
  const target = padded ? '\\tilde X' : 'X';
  const dilated = g.dilation.some((d) => d > 1);
  const spanRows = g.dilation[0] * (g.kernel.rows - 1);
  const spanCols = g.dilation[1] * (g.kernel.cols - 1);
  const spreadRows = g.stride[0] * (g.output.rows - 1) + 1;
  const spreadCols = g.stride[1] * (g.output.cols - 1) + 1;
  // A cell of δ̃ that holds an entry of δ (the rest are the spread's and the border's zeros, in grey).
  const holdsDelta = (r: number, c: number) => {
    const [i, j] = [r - spanRows, c - spanCols];
    return i >= 0 && j >= 0 && i < spreadRows && j < spreadCols && i % g.stride[0] === 0 && j % g.stride[1] === 0;
  };
  const kernelMuted = (r: number, c: number) => r % g.dilation[0] !== 0 || c % g.dilation[1] !== 0;
  const channels: [number, number][] = [];
  for (let n = 0; n < g.batch; n++) for (let c = 0; c < g.inChannels; c++) channels.push([n, c]);
  const shownChannels = ctx.elision.detail === 'full' ? channels : channels.slice(0, 1);
  const chains: Chain[] = [];
  let figureParts: ReturnType<typeof transposedConvolution> | undefined;
  for (const [n, channel] of shownChannels) {
    // The output channels that read this input channel, and the kernel slice each applies to it.
    const parts = Array.from({ length: g.outChannels }, (_, o) => o).flatMap((o) => {
      const c = Array.from({ length: channelsPerGroup(g) }, (_, k) => k).find((k) => inputChannel(g, o, k) === channel);
      return c === undefined ? [] : [{ o, c, ...transposedConvolution(g, plane(ctx.step.before.kernel, o, c), plane(gradients.delta, n, o)) }];
    });
    figureParts ??= parts[0];
    const paddedGradient = plane(gradients.paddedInput, n, channel);
    for (const [k, cell] of paddedGradient.data.entries()) agree(`∂L/∂x̃ ${k}`, parts.reduce<Scalar>((sum, p) => addScalar(sum, p.paddedGradient.data[k]), ZERO), cell);
    const rounding = !paddedGradient.data.every(shownExactly);
    const kernelName = (p: { o: number; c: number }) => withMark('K', superscript(ctx, 'kernel', p.o, p.c), dilated ? '\\uparrow d' : '');
    chains.push(
      chain(
        partial('L', `${target}${superscript(ctx, 'input', n, channel)}`),
        parts.map((p, k) => `${k === 0 ? '' : '+ '}\\tilde\\delta${superscript(ctx, 'output', n, p.o)} \\star \\operatorname{rot}_{180}(${kernelName(p)})`),
        withValues(
          parts.map((p, k) => `${k === 0 ? '' : '+ '}${ctx.matrix(p.paddedDelta, (r, c) => !holdsDelta(r, c))} \\star ${ctx.matrix(p.rotatedKernel, kernelMuted)}`),
          parts.flatMap((p) => [...p.paddedDelta.data, ...p.rotatedKernel.data]),
        ),
        rounded(ctx.matrix(paddedGradient, padded ? (r, c) => isPaddingCell(g, r, c) : undefined), rounding),
      ),
    );
    if (padded) chains.push(chain(partial('L', `X${superscript(ctx, 'input', n, channel)}`), rounded(ctx.matrix(plane(gradients.input, n, channel)), rounding)));
  }
  const first = figureParts!;
  // The turned kernel at the first position, at one where it lies wholly on δ, and at the last.
  const last: [number, number] = [g.padded.rows - 1, g.padded.cols - 1];
  const middle: [number, number] = [Math.min(spanRows, last[0]), Math.min(spanCols, last[1])];
  const positions = [[0, 0], middle, last].filter(([r, c], k, all) => all.findIndex(([r2, c2]) => r2 === r && c2 === c) === k) as [number, number][];
  const entryName = (r: number, c: number) => partial('L', `${padded ? '\\tilde x' : 'x'}_{${r + 1}${r + 1 > 9 || c + 1 > 9 ? ',' : ''}${c + 1}}`);
  const unreached = g.padded.rows - (spreadRows + spanRows) > 0 || g.padded.cols - (spreadCols + spanCols) > 0;
  return {
    rule: 'grad.input-compact',
    title: { key: 'step.grad.input-compact' },
    blocks: [
      text({ key: g.stride.some((s) => s > 1) ? 'grad.input-compact.spread' : 'grad.input-compact.plain', params: { stride: math(`s = ${pairText(g.stride)}`) } }),
      ...(dilated ? [text({ key: 'grad.input-compact.dilation', params: { dilation: math(`d = ${pairText(g.dilation)}`) } })] : []),
      ...(unreached ? [text({ key: 'grad.input-compact.unreached' })] : []),
      ...(g.outChannels > 1 || g.inChannels > 1 || g.batch > 1 ? [text({ key: shownChannels.length < channels.length ? 'grad.input-compact.channels.first' : 'grad.input-compact.channels' })] : []),
      ...slidingKernelFigure(ctx, first.paddedDelta, first.rotatedKernel, holdsDelta, entryName, positions),
      { kind: 'chains', chains },
      ...(padded ? [text({ key: g.paddingMode === 'zeros' ? 'grad.input-compact.crop' : 'grad.input-compact.fold' })] : []),
    ],
  };
}
