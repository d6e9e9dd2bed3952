// conv2d in the derivation: the padding, σ written out, and back to ∂L/∂K, ∂L/∂b and ∂L/∂X, each
// entry by the chain rule and then by the compact rule (checked to agree).
import type { StageSteps } from '../../derivation/stage-steps.js';
import { evaluate } from '../../expr/evaluate.js';
import { addAll, type Expr, type Sym } from '../../expr/expr.js';
import { shownExactly, symbolTex, termGroup, toTex, toTexTerms } from '../../expr/to-tex.js';
import { biasSym, inputSym, kernelSym, outputSym } from './symbols.js';
import { channelsPerGroup, hasPadding, inputChannel, isPaddingCell, paddedSource, touchedInputs, touchesZeroPadding } from './geometry.js';
import { at, type Grid, makeGrid, plane } from '../../tensor/grid.js';
import { get, offset } from '../../tensor/tensor.js';
import { coloured } from '../../derivation/palette.js';
import { planeChains, planes, superscript, symbolicSuperscript, withMark } from '../../derivation/planes.js';
import { sumOfProductsChain } from '../../derivation/sum-of-products.js';
import { kernelEntryFigure, paddingSourceFigure, PANEL_LIMIT, slidingKernelFigure, windowFigure } from '../../derivation/figures.js';
import { chain, floorTex, grey, matrixTex, operandTex, partial, rounded, valueSumPieces, withValues } from '../../derivation/tex.js';
import type { DerivationContext } from '../../derivation/context.js';
import type { Block, Chain, Step, Text } from '../../derivation/step.js';
import { differentiate } from '../../expr/differentiate.js';
import { add as addScalar, asDouble, isExact, mul as mulScalar, type Scalar, ZERO } from '../../numbers/scalar.js';
import { toExactString } from '../../numbers/rational.js';
import { kernelCorrelation, transposedConvolution } from './correlation.js';
import { chainsBlock, elidedNote, enclose, joined, math, sharing, shownIndices, text, value } from '../../derivation/blocks.js';


/** Every (output entry, kernel entry) pair: the terms of all σ, of all ∂L/∂k and of all ∂L/∂x alike. */
export function taps(ctx: DerivationContext): number {
  const g = ctx.geometry;
  return g.batch * g.outChannels * g.output.rows * g.output.cols * channelsPerGroup(g) * g.kernel.rows * g.kernel.cols;
}

export function paddingStep(ctx: DerivationContext): Step {
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

export function unrollStep(ctx: DerivationContext): Step {
  const { geometry: g, naming } = ctx;
  const perGroup = channelsPerGroup(g);
  const shown = shownIndices(ctx, ctx.step.forward.sigma.shape, taps(ctx) + (ctx.problem.bias ? ctx.step.forward.sigma.data.length : 0));
  // The k-th entry's sum in the colour of the k-th window drawn (no colour where no figure is drawn).
  const chains = shown.map(([n, o, i, j], k): Chain => ({
    ...sumOfProductsChain(coloured(symbolTex(outputSym('sigma', naming, n, o, i, j)), ctx.figures && k < PANEL_LIMIT ? k : undefined), ctx.sigma(n, o, i, j), ctx),
    entry: { tensor: 'sigma', index: [n, o, i, j] },
  }));
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

/**
 * Two routes to one number must agree: exactly for exact values, to float64 rounding otherwise.
 * Only a bug can make them differ; say so loudly rather than print a wrong derivation.
 */
function agree(what: string, a: Scalar, b: Scalar): void {
  const same = isExact(a) && isExact(b) ? a.equals(b) : Math.abs(asDouble(a) - asDouble(b)) <= 1e-9 * Math.max(1, Math.abs(asDouble(a)), Math.abs(asDouble(b)));
  const show = (x: Scalar) => (isExact(x) ? toExactString(x) : String(x));
  if (!same) throw new Error(`internal error: ${what}: ${show(a)} by the chain rule, ${show(b)} by the compact rule`);
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

export function kernelEntriesStep(ctx: DerivationContext): Step {
  const gradient = ctx.step.gradients.kernel;
  const g = ctx.geometry;
  const shown = shownIndices(ctx, gradient.shape, taps(ctx));
  // The figure draws the entries of the first kernel slice, each in the colour of its line.
  const figured = shown.filter(([o, c]) => o === 0 && c === 0).slice(0, PANEL_LIMIT);
  const colourOf = new Map(figured.map(([o, c, m, q], k) => [`${o},${c},${m},${q}`, k]));
  const chains = shown.map(([o, c, m, q]): Chain => ({
    ...entryChain(ctx, kernelSym(ctx.naming, o, c, m, q), gradient.data[offset(gradient.shape, [o, c, m, q])], colourOf.get(`${o},${c},${m},${q}`)),
    entry: { tensor: 'grad.kernel', index: [o, c, m, q] },
  }));
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
export function kernelCompactStep(ctx: DerivationContext): Step {
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
export function biasStep(ctx: DerivationContext): Step {
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

export function inputEntriesStep(ctx: DerivationContext): Step {
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
export function inputCompactStep(ctx: DerivationContext): Step {
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

export const conv2dSteps: StageSteps = {
  forward: (ctx) => [...(hasPadding(ctx.geometry) ? [paddingStep(ctx)] : []), unrollStep(ctx)],
  // Each gradient entry by entry, then by its compact rule.
  backward: (ctx, ask) => [
    joined('chain.kernel-entry', { key: 'step.chain.kernel-entry' }, [kernelEntriesStep(ctx), kernelCompactStep(ctx)]),
    ...(ctx.problem.bias ? [biasStep(ctx)] : []),
    ...(ask.input ? [joined('chain.input-entry', { key: 'step.chain.input-entry' }, [inputEntriesStep(ctx), inputCompactStep(ctx)])] : []),
  ],
};
