// Section 2: the forward pass, every output entry written out as a sum of products, then each stage
// after the convolution (activation, pooling, head, loss).
import { evaluate } from '../../expr/evaluate.js';
import { sub, sym, type Sym } from '../../expr/expr.js';
import { powerTex, scalarTex, shownExactly, symbolTex, termGroup, toTex } from '../../expr/to-tex.js';
import { inputSym, outputSym } from '../../ops/conv2d/conv.js';
import { channelsPerGroup, hasPadding, isPaddingCell, paddedSource, touchesZeroPadding } from '../../ops/conv2d/geometry.js';
import { makeGrid } from '../../tensor/grid.js';
import { mseExpr, S, T } from '../../ops/loss/loss.js';
import { kinksOf } from '../../model/kinks.js';
import { windowCells } from '../../ops/pool/pool.js';
import { get, offset, unravel } from '../../tensor/tensor.js';
import { elidePieces } from '../elide.js';
import { activationRules, activationSlopeTex, activationTex } from '../../ops/activation/activations.js';
import { lossCase, lossTex } from '../../ops/loss/tex.js';
import { coloured } from '../palette.js';
import { planeChains, planes } from '../planes.js';
import { sumOfProductsChain } from '../sum-of-products.js';
import { paddingSourceFigure, PANEL_LIMIT, windowFigure } from '../figures.js';
import { chain, floorTex, grey, matrixTex, operandTex, rounded, valueSumPieces, withValues } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section, Step, Text } from '../step.js';

const math = (tex: string) => ({ math: tex });
const text = (t: Text): Block => ({ kind: 'text', text: t });

export function forwardSection(ctx: DerivationContext): Section {
  const steps: Step[] = [];
  if (hasPadding(ctx.geometry)) steps.push(paddingStep(ctx));
  steps.push(unrollStep(ctx));
  if (ctx.problem.activation.type !== 'none') steps.push(activationStep(ctx));
  if (ctx.problem.pool) steps.push(poolStep(ctx));
  steps.push(joined('head.reduce', { key: 'step.head.loss' }, [headStep(ctx), lossStep(ctx)]));
  return { id: 'forward', title: { key: 'section.forward' }, steps };
}

/** The flat indices of the entries of a tensor shown one by one, as [n, c, i, j]; `terms`: how long all their sums are together. */
export function shownIndices(ctx: DerivationContext, shape: readonly number[], terms?: number): number[][] {
  const count = shape.reduce((a, b) => a * b, 1);
  return ctx.elision.entries(count, terms).map((flat) => unravel(shape, flat));
}

/** Every (output entry, kernel entry) pair: the terms of all σ, of all ∂L/∂k and of all ∂L/∂x alike. */
export function taps(ctx: DerivationContext): number {
  const g = ctx.geometry;
  return g.batch * g.outChannels * g.output.rows * g.output.cols * channelsPerGroup(g) * g.kernel.rows * g.kernel.cols;
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

function paddingStep(ctx: DerivationContext): Step {
  const g = ctx.geometry;
  const p = g.padding;
  const sides = { top: math(`${p.top}`), bottom: math(`${p.bottom}`), left: math(`${p.left}`), right: math(`${p.right}`) };
  // One plane of zero padding is shown here; more are seen in the figures and the compact rules.
  const shown = g.paddingMode !== 'zeros' || g.inChannels * g.batch === 1;
  const blocks: Block[] = [text({ key: g.paddingMode !== 'zeros' ? 'conv.padding.border' : shown ? 'conv.padding' : 'conv.padding.planes', params: sides })];
  const border = () => (r: number, c: number) => isPaddingCell(g, r, c);
  if (g.paddingMode === 'zeros') {
    if (shown) blocks.push({ kind: 'chains', chains: planeChains(ctx, 'input', '\\tilde X', ctx.step.forward.padded, border) });
  } else {
    // Where each border cell comes from: the name of the entry it copies, in grey.
    // Several planes copy alike: the first one's names (and its values, where it is the only one).
    const single = g.inChannels * g.batch === 1;
    const names = planes(ctx, 'input', ctx.step.forward.padded).slice(0, 1).map((plane) => {
      const grid = makeGrid(g.padded.rows, g.padded.cols, (r, c) => {
        const [i, j] = paddedSource(g, r, c)!;
        const name = symbolTex(inputSym(ctx.naming, plane.a, plane.b, i, j));
        return isPaddingCell(g, r, c) ? grey(name) : name;
      });
      return chain(`\\tilde X${plane.superscript}`, matrixTex(grid, (tex) => tex, ctx.elision.lines), single ? ctx.matrix(plane.grid, border()) : []);
    });
    const sources = makeGrid(g.padded.rows, g.padded.cols, (r, c) => {
      const [i, j] = paddedSource(g, r, c)!;
      return `x${i + 1}${j + 1}`;
    });
    // The figure names the entry each border cell copies; where it cannot be drawn, the names are a matrix.
    // One plane's values follow; several are seen as the operands of the compact rules.
    const figure = paddingSourceFigure(ctx, sources);
    const values = single ? planes(ctx, 'input', ctx.step.forward.padded).map((p) => chain(`\\tilde X${p.superscript}`, ctx.matrix(p.grid, border()))) : [];
    blocks.push(
      text({ key: figure.length > 0 ? 'conv.padding.copies.figure' : single ? 'conv.padding.copies' : 'conv.padding.copies.first', params: { mode: math(`\\texttt{${g.paddingMode}}`) } }),
      ...figure,
      ...chainsBlock(figure.length > 0 ? values : names),
    );
  }
  return { rule: 'conv.padding', title: { key: 'step.conv.padding' }, blocks };
}

// H' = ⌊(H + p_t + p_b − d(k_h − 1) − 1) / s⌋ + 1, and the same across the columns; one line when both axes agree
function geometryStep(ctx: DerivationContext): Step {
  const g = ctx.geometry;
  const p = g.padding;
  const axis = (out: string, size: string, pads: [string, string], k: string, values: [number, number, number, number, number, number], result: number): Chain => {
    const [n, pb, pa, kv, dv, sv] = values;
    const padding = pb === pa ? `2${pads[0].replace(/_.$/, '')}` : `${pads[0]} + ${pads[1]}`;
    const paddingValue = pb === pa ? `2 \\cdot ${pb}` : `${pb} + ${pa}`;
    return chain(
      out,
      `${floorTex(`\\frac{${size} + ${padding} - d(${k} - 1) - 1}{s}`)} + 1`,
      `${floorTex(`\\frac{${n} + ${paddingValue} - ${dv} \\cdot (${kv} - 1) - 1}{${sv}}`)} + 1`,
      `${result}`,
    );
  };
  const rows = axis("H'", 'H', ['p_t', 'p_b'], 'k_h', [g.input.rows, p.top, p.bottom, g.kernel.rows, g.dilation[0], g.stride[0]], g.output.rows);
  const cols = axis("W'", 'W', ['p_l', 'p_r'], 'k_w', [g.input.cols, p.left, p.right, g.kernel.cols, g.dilation[1], g.stride[1]], g.output.cols);
  const same = g.input.rows === g.input.cols && p.top === p.left && p.bottom === p.right && g.kernel.rows === g.kernel.cols && g.dilation[0] === g.dilation[1] && g.stride[0] === g.stride[1];
  const chains = same ? [{ ...rows, lhs: "H' = W'" }] : [rows, cols];
  return { rule: 'conv.geometry', title: { key: 'step.conv.geometry' }, blocks: [text({ key: p.top === p.bottom && p.left === p.right ? 'conv.geometry' : 'conv.geometry.sides' }), { kind: 'chains', chains }] };
}

/** s(i − 1) + d(m − 1) + 1, simplified: the 1-based padded row (or column) that output i and kernel entry m meet at. */
export function indexTex(s: number | string, i: string, d: number | string, m: string): string {
  const term = (c: number | string, v: string) => (c === 1 ? `${v} - 1` : `${c}(${v} - 1)`);
  if (typeof s === 'number' && typeof d === 'number') {
    // s·i + d·m + (1 − s − d), in the fewest symbols
    const coefficient = (c: number, v: string) => (c === 1 ? v : `${c}${v}`);
    const constant = 1 - s - d;
    return `${coefficient(s, i)} + ${coefficient(d, m)}${constant === 0 ? '' : constant > 0 ? ` + ${constant}` : ` - ${-constant}`}`;
  }
  return `${term(s, i)} + ${term(d, m)} + 1`;
}

/** σ_ij = Σ_c Σ_mn k_mn x̃_{…} + b in general form, with this problem's stride and dilation: the lhs and the sum. */
export function sigmaFormula(ctx: DerivationContext): Chain {
  const { geometry: g, problem, naming } = ctx;
  const input = hasPadding(g) ? '\\tilde x' : 'x';
  const perGroup = channelsPerGroup(g);
  const channelSum = perGroup > 1 ? `\\sum_{c=1}^{${perGroup}} ` : '';
  const up = (parts: string[]) => (parts.length ? `^{(${parts.join(',')})}` : '');
  const outSup = up([...(naming.output.batch ? ['\\nu'] : []), ...(naming.output.channel ? ['o'] : [])]);
  const kernelSup = up([...(naming.kernel.out ? ['o'] : []), ...(naming.kernel.channel ? ['c'] : [])]);
  const channel = g.groups > 1 ? 'c_o + c' : 'c';
  const inputSup = up([...(naming.input.batch ? ['\\nu'] : []), ...(naming.input.channel ? [channel] : [])]);
  const general =
    `${channelSum}\\sum_{m=1}^{${g.kernel.rows}} \\sum_{n=1}^{${g.kernel.cols}} k${kernelSup}_{mn} \\, ${input}${inputSup}_{${indexTex(g.stride[0], 'i', g.dilation[0], 'm')},\\, ${indexTex(g.stride[1], 'j', g.dilation[1], 'n')}}` +
    (problem.bias ? (naming.kernel.out ? ' + b_{o}' : ' + b') : '');
  return chain(`\\sigma${outSup}_{ij}`, general);
}

function unrollStep(ctx: DerivationContext): Step {
  const { geometry: g, naming } = ctx;
  const perGroup = channelsPerGroup(g);
  const shown = shownIndices(ctx, ctx.step.forward.sigma.shape, taps(ctx) + (ctx.problem.bias ? ctx.step.forward.sigma.data.length : 0));
  // The k-th entry's sum in the colour of the k-th window drawn (no colour where no figure is drawn).
  const chains = shown.map(([n, o, i, j], k) => sumOfProductsChain(coloured(symbolTex(outputSym('sigma', naming, n, o, i, j)), ctx.figures && k < PANEL_LIMIT ? k : undefined), ctx.sigma(n, o, i, j), ctx));
  const blocks: Block[] = [
    ...geometryStep(ctx).blocks,
    text({ key: perGroup > 1 ? 'conv.unroll.channels' : 'conv.unroll', params: { perGroup: math(`${perGroup}`) } }),
    { kind: 'chains', chains: [sigmaFormula(ctx)] },
    ...(g.groups > 1 ? [text({ key: 'conv.unroll.groups' })] : []),
    ...windowFigure(ctx, shown, (n, o, i, j) => symbolTex(outputSym('sigma', naming, n, o, i, j)), ctx.step.forward.sigma.data.length, perGroup),
    ...(touchesZeroPadding(g) ? [text({ key: 'conv.unroll.zeros' })] : []),
    ...elidedNote(shown.length, ctx.step.forward.sigma.data.length),
    ...chainsBlock(chains),
    { kind: 'chains', chains: planeChains(ctx, 'output', '\\sigma', ctx.step.forward.sigma) },
  ];
  return { rule: 'conv.unroll', title: { key: 'step.conv.unroll' }, blocks };
}

/** Does a section cut a sum short (⋯ in place of its middle terms)? */
export function cutsSums(sections: readonly Section[]): boolean {
  return sections.some((s) => s.steps.some((st) => st.blocks.some((b) => b.kind === 'chains' && b.chains.some((c) => c.sides.some((side) => side.includes('+ \\cdots'))))));
}

// a = f(σ) and f′(σ) in general, one entry as an example, then both maps
function activationStep(ctx: DerivationContext): Step {
  const { naming, problem } = ctx;
  const f = problem.activation;
  const { forward, gradients } = ctx.step;
  // An example entry shows the formula at work; relu's and leaky relu's maps say it all.
  const example = activationRules(f).kink ? [] : shownIndices(ctx, forward.sigma.shape).slice(0, 1);
  const chains = example.flatMap(([n, o, i, j]) => {
    const [s, a] = [outputSym('sigma', naming, n, o, i, j), outputSym('a', naming, n, o, i, j)];
    // Each entry shows f′ at its own numbers (which branch a kink takes).
    const [x, y, slope] = [get(forward.sigma, n, o, i, j), get(forward.activated, n, o, i, j), get(gradients.activationSlope, n, o, i, j)];
    return [
      chain(symbolTex(a), `f(${symbolTex(s)})`, withValues(activationTex(f, operandTex(x)), [x]), rounded(scalarTex(y), !shownExactly(y))),
      chain(`f'(${symbolTex(s)})`, withValues(activationSlopeTex(f, operandTex(x), operandTex(y)), [x, y]), rounded(scalarTex(slope), !shownExactly(slope))),
    ];
  });
  return {
    rule: 'activation.apply',
    title: { key: 'step.activation' },
    blocks: [
      text({ key: 'activation.intro' }),
      { kind: 'chains', chains: [chain('a = f(\\sigma)', activationTex(f)), chain("f'(\\sigma)", activationSlopeTex(f))] },
      ...(chains.length > 0 ? [text({ key: 'activation.example' }), { kind: 'chains', chains } as const] : []),
      text({ key: 'activation.maps' }),
      { kind: 'chains', chains: [...planeChains(ctx, 'output', 'a', forward.activated), ...planeChains(ctx, 'output', (sup) => `f'(\\sigma${sup})`, gradients.activationSlope)].map((c) => ({ ...c, line: 'maps' })) },
      ...kinkNote(ctx),
    ],
  };
}

/**
 * The entries of σ exactly on relu's or leaky_relu's kink at 0, where the derivative from the left
 * (0, or the slope) and from the right (1) differ: PyTorch takes the left, and so does the derivation.
 */
function kinkNote(ctx: DerivationContext): Block[] {
  const f = ctx.problem.activation;
  const { sigma } = ctx.step.forward;
  const zeros = kinksOf(ctx.problem, ctx.step.forward).activation;
  const kink = activationRules(f).kink;
  if (zeros.length === 0 || !kink) return [];
  const shown = elidePieces(zeros.map((flat) => symbolTex(outputSym('sigma', ctx.naming, ...(unravel(sigma.shape, flat) as [number, number, number, number])))), ctx.elision.terms, '\\dots');
  const left = kink.leftTex(f);
  return [text({ key: 'activation.kink', params: { entries: math(shown.join(', ')), count: math(`${zeros.length}`), left: math(left) } })];
}

// max: z = the largest entry of the window; avg: z = (1/(h·w)) Σ window
function poolStep(ctx: DerivationContext): Step {
  const pool = ctx.problem.pool!;
  const { naming } = ctx;
  const { forward } = ctx.step;
  const source = ctx.problem.activation.type === 'none' ? 'sigma' : 'a';
  const shown = shownIndices(ctx, forward.pooled.shape);
  const chains = shown.map(([n, o, i, j]) => {
    const cells = windowCells(pool, i, j);
    const names = cells.map(([r, c]) => outputSym(source, naming, n, o, r, c));
    const values = names.map((s) => ctx.value(s)!);
    const result = get(forward.pooled, n, o, i, j);
    const lhs = symbolTex(outputSym('p', naming, n, o, i, j));
    // A large window is written as long sums are: its first entries, ⋯, its last.
    const terms = ctx.elision.terms;
    if (pool.type === 'avg') {
      const count = cells.length;
      const sum = elidePieces(names.map((s, k) => (k === 0 ? symbolTex(s) : `+ ${symbolTex(s)}`)), terms).join(' ');
      return chain(lhs, `\\frac{1}{${count}} (${sum})`, withValues(`\\frac{1}{${count}} (${valueSumPieces(values, terms).join(' ')})`, values), rounded(scalarTex(result), !shownExactly(result)));
    }
    const route = forward.pooling!.winners![offset(forward.pooled.shape, [n, o, i, j])];
    const winner = names[cells.findIndex(([r, c]) => offset(forward.activated.shape, [n, o, r, c]) === route)];
    const list = (pieces: string[]) => elidePieces(pieces, terms, '\\dots').join(', ');
    return chain(lhs, `\\max(${list(names.map(symbolTex))})`, withValues(`\\max(${list(values.map((v) => scalarTex(v)))})`, values), rounded(`${scalarTex(result)} \\quad (${symbolTex(winner)})`, !shownExactly(result)));
  });
  return {
    rule: 'pool.apply',
    title: { key: 'step.pool' },
    blocks: [
      text(pool.type === 'max' ? { key: 'pool.max' } : { key: 'pool.avg', params: { count: math(`${pool.size[0] * pool.size[1]}`) } }),
      ...elidedNote(shown.length, forward.pooled.data.length),
      ...chainsBlock(chains),
      text({ key: 'pool.output' }),
      { kind: 'chains', chains: planeChains(ctx, 'output', 'z', forward.pooled) },
    ],
  };
}

/** The name of the map the head reads: z after pooling, a after an activation, σ otherwise. */
export function headInput(ctx: DerivationContext): 'p' | 'a' | 'sigma' {
  return ctx.problem.pool ? 'p' : ctx.problem.activation.type !== 'none' ? 'a' : 'sigma';
}

function headStep(ctx: DerivationContext): Step {
  const { problem, naming } = ctx;
  const name = headInput(ctx);
  const map = ctx.step.forward.pooled;
  if (problem.head === 'none') {
    return {
      rule: 'head.reduce',
      title: { key: 'step.head.reduce' },
      blocks: [text({ key: 'head.none', params: { equation: math(`y = ${symbolTex(sym(name))}`) } })],
    };
  }
  const count = map.data.length;
  const entries: Sym[] = map.data.map((_, flat) => {
    const [n, o, i, j] = unravel(map.shape, flat);
    return outputSym(name, naming, n, o, i, j);
  });
  const terms = ctx.elision.terms;
  const groups = entries.map((s) => termGroup(s));
  const pieces = (tex: (s: Sym) => string) => elidePieces(entries.map((s, i) => (i === 0 ? tex(s) : `+ ${tex(s)}`)), terms, '+ \\cdots', groups);
  const mean = problem.head === 'mean';
  const wrap = (p: string[]) => (mean ? enclose(`\\frac{1}{${count}} (`, p, ')') : p);
  const prediction = ctx.step.forward.prediction.data[0];
  const predictionChain = chain(
    'S',
    wrap(pieces((s) => symbolTex(s))),
    rounded(wrap(pieces((s) => operandTex(ctx.value(s)!))), !map.data.every(shownExactly)),
    rounded(scalarTex(prediction), !shownExactly(prediction)),
  );
  const blocks: Block[] = [
    text(mean ? { key: 'head.mean', params: { count: math(`${count}`) } } : { key: 'head.sum' }),
    { kind: 'chains', chains: [predictionChain] },
  ];
  return { rule: 'head.reduce', title: { key: 'step.head.reduce' }, blocks };
}

function lossStep(ctx: DerivationContext): Step {
  const { problem, naming } = ctx;
  const { forward } = ctx.step;
  const L = forward.loss;
  if (problem.head !== 'none') {
    const [y, t] = [forward.prediction.data[0], problem.target.data[0]];
    const exactChain =
      problem.loss.type === 'mse'
        ? chain('L', toTex(mseExpr()), withValues(toTex(mseExpr(), { value: ctx.value }), [y, t]), withValues(powerTex(operandTex(evaluate(sub(S, T), ctx.value)), '2'), [y, t]), rounded(scalarTex(L), !shownExactly(L)))
        : chain('L', lossTex(problem.loss, 'S', 'T'), withValues(lossTex(problem.loss, operandTex(y), operandTex(t), lossCase(problem.loss, y, t)), [y, t]), rounded(scalarTex(L), !shownExactly(L)));
    return { rule: 'loss.reduce', title: { key: 'step.loss.mse' }, blocks: [text({ key: problem.loss.type === 'mse' ? 'loss.mse' : 'loss.single' }), { kind: 'chains', chains: [exactChain] }] };
  }
  const shown = shownIndices(ctx, forward.prediction.shape);
  const chains = shown.map(([n, o, i, j]) => {
    const [y, t] = [outputSym('y', naming, n, o, i, j), outputSym('t', naming, n, o, i, j)];
    const l = get(forward.elementLosses, n, o, i, j);
    const lhs = `l${superscriptOf(y)}_{${y.indices.join('')}}`;
    const at = lossCase(problem.loss, ctx.value(y)!, ctx.value(t)!);
    return chain(lhs, lossTex(problem.loss, symbolTex(y), symbolTex(t), at), withValues(lossTex(problem.loss, operandTex(ctx.value(y)!), operandTex(ctx.value(t)!), at), [ctx.value(y)!, ctx.value(t)!]), rounded(scalarTex(l), !shownExactly(l)));
  });
  const count = forward.prediction.data.length;
  const mean = problem.reduction === 'mean';
  const values = valueSumPieces(forward.elementLosses.data, ctx.elision.terms);
  const total = chain(
    'L',
    `${mean ? `\\frac{1}{${count}}` : ''}\\sum_{i,j} l_{ij}`,
    rounded(mean ? enclose(`\\frac{1}{${count}} (`, values, ')') : values, !forward.elementLosses.data.every(shownExactly)),
    rounded(scalarTex(L), !shownExactly(L)),
  );
  return {
    rule: 'loss.reduce',
    title: { key: 'step.loss.mse' },
    blocks: [
      text({ key: mean ? 'loss.map.mean' : 'loss.map.sum', params: { count: math(`${count}`) } }),
      ...elidedNote(shown.length, count),
      ...chainsBlock(sharing(chains, 'losses')),
      { kind: 'chains', chains: [total] },
    ],
  };
}

function superscriptOf(s: Sym): string {
  return s.channel.length === 0 ? '' : `^{(${s.channel.join(',')})}`;
}
