// Section 2: the forward pass, every output entry written out as a sum of products, then each stage
// after the convolution (activation, pooling, head, loss) entry by entry.
import { evaluate } from '../../expr/evaluate.js';
import { sub, sym, type Sym } from '../../expr/expr.js';
import { powerTex, rationalTex, scalarTex, shownExactly, symbolTex, toTex } from '../../expr/to-tex.js';
import { inputSym, outputSym } from '../../model/conv.js';
import { channelsPerGroup, hasPadding, isPaddingCell, paddedSource, touchesZeroPadding } from '../../model/geometry.js';
import { makeGrid } from '../../model/grid.js';
import { mseExpr, S, T } from '../../model/loss.js';
import { kinksOf } from '../../model/kinks.js';
import { windowCells } from '../../model/pool.js';
import { get, offset, unravel } from '../../model/tensor.js';
import { elidePieces, keptIndices } from '../elide.js';
import { activationSlopeTex, activationTex, lossTex } from '../formulas.js';
import { planeChains, planes } from '../planes.js';
import { sumOfProductsChain } from '../sum-of-products.js';
import { paddingSourceFigure, windowFigure } from '../figures.js';
import { chain, floorTex, grey, matrixTex, operandTex, rounded, valueSumPieces } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section, Step, Text } from '../step.js';

const math = (tex: string) => ({ math: tex });
const text = (t: Text): Block => ({ kind: 'text', text: t });

export function forwardSection(ctx: DerivationContext): Section {
  const steps: Step[] = [];
  if (hasPadding(ctx.geometry)) steps.push(paddingStep(ctx));
  steps.push(geometryStep(ctx), unrollStep(ctx), outputStep(ctx));
  if (ctx.problem.activation.type !== 'none') steps.push(activationStep(ctx));
  if (ctx.problem.pool) steps.push(poolStep(ctx));
  steps.push(headStep(ctx), lossStep(ctx));
  return { id: 'forward', title: { key: 'section.forward' }, steps };
}

/** The flat indices of the entries of a tensor shown one by one, as [n, c, i, j]. */
export function shownIndices(ctx: DerivationContext, shape: readonly number[]): number[][] {
  const count = shape.reduce((a, b) => a * b, 1);
  return ctx.elision.entries(count).map((flat) => unravel(shape, flat));
}

export function elidedNote(shown: number, total: number): Block[] {
  return shown > 0 && shown < total ? [text({ key: 'elide.entries', params: { shown: math(`${shown}`), total: math(`${total}`) } })] : [];
}

function paddingStep(ctx: DerivationContext): Step {
  const g = ctx.geometry;
  const p = g.padding;
  const sides = { top: math(`${p.top}`), bottom: math(`${p.bottom}`), left: math(`${p.left}`), right: math(`${p.right}`) };
  const blocks: Block[] = [text({ key: g.paddingMode === 'zeros' ? 'conv.padding' : 'conv.padding.border', params: sides })];
  const border = () => (r: number, c: number) => isPaddingCell(g, r, c);
  if (g.paddingMode === 'zeros') {
    blocks.push({ kind: 'chains', chains: planeChains(ctx, 'input', '\\tilde X', ctx.step.forward.padded, border) });
  } else {
    // Where each border cell comes from: the name of the entry it copies, in grey.
    const names = planes(ctx, 'input', ctx.step.forward.padded).map((plane) => {
      const grid = makeGrid(g.padded.rows, g.padded.cols, (r, c) => {
        const [i, j] = paddedSource(g, r, c)!;
        const name = symbolTex(inputSym(ctx.naming, plane.a, plane.b, i, j));
        return isPaddingCell(g, r, c) ? grey(name) : name;
      });
      return chain(`\\tilde X${plane.superscript}`, matrixTex(grid, (tex) => tex, ctx.elision.lines), ctx.matrix(plane.grid, border()));
    });
    const sources = makeGrid(g.padded.rows, g.padded.cols, (r, c) => {
      const [i, j] = paddedSource(g, r, c)!;
      return `x${i + 1}${j + 1}`;
    });
    blocks.push(text({ key: 'conv.padding.copies', params: { mode: math(`\\texttt{${g.paddingMode}}`) } }), ...paddingSourceFigure(ctx, sources), { kind: 'chains', chains: names });
  }
  return { rule: 'conv.padding', title: { key: 'step.conv.padding' }, blocks };
}

// H' = ⌊(H + p_t + p_b − d_h(k_h − 1) − 1) / s_h⌋ + 1, and the same across the columns
function geometryStep(ctx: DerivationContext): Step {
  const g = ctx.geometry;
  const axis = (out: string, size: string, before: string, after: string, k: string, d: string, s: string, values: [number, number, number, number, number, number], result: number): Chain => {
    const [n, pb, pa, kv, dv, sv] = values;
    const inner = n + pb + pa - dv * (kv - 1) - 1;
    return chain(
      out,
      `${floorTex(`\\frac{${size} + ${before} + ${after} - ${d}(${k} - 1) - 1}{${s}}`)} + 1`,
      `${floorTex(`\\frac{${n} + ${pb} + ${pa} - ${dv} \\cdot (${kv} - 1) - 1}{${sv}}`)} + 1`,
      `${floorTex(`\\frac{${inner}}{${sv}}`)} + 1`,
      `${result}`,
    );
  };
  return {
    rule: 'conv.geometry',
    title: { key: 'step.conv.geometry' },
    blocks: [
      text({ key: 'conv.geometry' }),
      { kind: 'chains', chains: [
        axis("H'", 'H', 'p_t', 'p_b', 'k_h', 'd_h', 's_h', [g.input.rows, g.padding.top, g.padding.bottom, g.kernel.rows, g.dilation[0], g.stride[0]], g.output.rows),
        axis("W'", 'W', 'p_l', 'p_r', 'k_w', 'd_w', 's_w', [g.input.cols, g.padding.left, g.padding.right, g.kernel.cols, g.dilation[1], g.stride[1]], g.output.cols),
      ] },
    ],
  };
}

/** s·i + d·m + (1 − s − d): the 1-based padded row (or column) that output i and kernel entry m meet at. */
function indexTex(s: number, i: string, d: number, m: string): string {
  const coefficient = (c: number, v: string) => (c === 1 ? v : `${c}${v}`);
  const constant = 1 - s - d;
  return `${coefficient(s, i)} + ${coefficient(d, m)}${constant === 0 ? '' : constant > 0 ? ` + ${constant}` : ` - ${-constant}`}`;
}

/** σ_ij = Σ_c Σ_mn k_mn x̃_{…} + b in general form: the lhs and the sum. */
export function sigmaFormula(ctx: DerivationContext): Chain {
  const { geometry: g, problem, naming } = ctx;
  const input = hasPadding(g) ? '\\tilde x' : 'x';
  const perGroup = channelsPerGroup(g);
  const channelSum = perGroup > 1 ? `\\sum_{c=1}^{${perGroup}} ` : '';
  const up = (parts: string[]) => (parts.length ? `^{(${parts.join(',')})}` : '');
  const outSup = up([...(naming.output.batch ? ['n'] : []), ...(naming.output.channel ? ['o'] : [])]);
  const kernelSup = up([...(naming.kernel.out ? ['o'] : []), ...(naming.kernel.channel ? ['c'] : [])]);
  const inputChannel = g.groups > 1 ? `g(o) + c` : 'c';
  const inputSup = up([...(naming.input.batch ? ['n'] : []), ...(naming.input.channel ? [perGroup > 1 || g.groups > 1 ? inputChannel : 'c'] : [])]);
  const general =
    `${channelSum}\\sum_{m=1}^{${g.kernel.rows}} \\sum_{n=1}^{${g.kernel.cols}} k${kernelSup}_{mn} \\, ${input}${inputSup}_{${indexTex(g.stride[0], 'i', g.dilation[0], 'm')},\\, ${indexTex(g.stride[1], 'j', g.dilation[1], 'n')}}` +
    (problem.bias ? (naming.kernel.out ? ' + b_{o}' : ' + b') : '');
  return chain(`\\sigma${outSup}_{ij}`, general);
}

function unrollStep(ctx: DerivationContext): Step {
  const { geometry: g, problem, naming } = ctx;
  const perGroup = channelsPerGroup(g);
  const shown = shownIndices(ctx, ctx.step.forward.sigma.shape);
  const chains = shown.map(([n, o, i, j]) => sumOfProductsChain(symbolTex(outputSym('sigma', naming, n, o, i, j)), ctx.sigma(n, o, i, j), ctx));
  const terms = perGroup * g.kernel.rows * g.kernel.cols + (problem.bias ? 1 : 0);
  const blocks: Block[] = [
    text({ key: perGroup > 1 ? 'conv.unroll.channels' : 'conv.unroll', params: { perGroup: math(`${perGroup}`) } }),
    { kind: 'chains', chains: [sigmaFormula(ctx)] },
    ...windowFigure(ctx, shown, (n, o, i, j) => symbolTex(outputSym('sigma', naming, n, o, i, j))),
    ...(touchesZeroPadding(g) ? [text({ key: 'conv.unroll.zeros' })] : []),
    ...elidedNote(shown.length, ctx.step.forward.sigma.data.length),
    ...(chains.length > 0 ? [{ kind: 'chains', chains } as const] : []),
    ...(ctx.elision.terms && terms > ctx.elision.terms.head + ctx.elision.terms.tail + 1 && chains.length > 0 ? [text({ key: 'elide.terms' })] : []),
  ];
  return { rule: 'conv.unroll', title: { key: 'step.conv.unroll' }, blocks };
}

function outputStep(ctx: DerivationContext): Step {
  return {
    rule: 'conv.output',
    title: { key: 'step.conv.output' },
    blocks: [text({ key: 'conv.output' }), { kind: 'chains', chains: planeChains(ctx, 'output', '\\sigma', ctx.step.forward.sigma) }],
  };
}

// a = f(σ), and f'(σ) beside it
function activationStep(ctx: DerivationContext): Step {
  const { naming, problem } = ctx;
  const f = problem.activation;
  const { forward, gradients } = ctx.step;
  const shown = shownIndices(ctx, forward.sigma.shape);
  const chains = shown.flatMap(([n, o, i, j]) => {
    const [s, a] = [outputSym('sigma', naming, n, o, i, j), outputSym('a', naming, n, o, i, j)];
    // The general f' stands above; each entry shows f' at its own numbers (which branch a kink takes).
    const [x, y, slope] = [get(forward.sigma, n, o, i, j), get(forward.activated, n, o, i, j), get(gradients.activationSlope, n, o, i, j)];
    return [
      chain(symbolTex(a), activationTex(f, symbolTex(s)), activationTex(f, operandTex(x)), rounded(scalarTex(y), !shownExactly(y))),
      chain(`f'(${symbolTex(s)})`, activationSlopeTex(f, operandTex(x), operandTex(y)), rounded(scalarTex(slope), !shownExactly(slope))),
    ];
  });
  return {
    rule: 'activation.apply',
    title: { key: 'step.activation' },
    blocks: [
      text({ key: 'activation.intro' }),
      { kind: 'chains', chains: [chain('a', activationTex(f)), chain("f'(\\sigma)", activationSlopeTex(f))] },
      ...elidedNote(shown.length, forward.sigma.data.length),
      ...(chains.length > 0 ? [{ kind: 'chains', chains, groupSize: 2 } as const] : []),
      text({ key: 'activation.maps' }),
      { kind: 'chains', chains: [...planeChains(ctx, 'output', 'a', forward.activated), ...planeChains(ctx, 'output', (sup) => `f'(\\sigma${sup})`, gradients.activationSlope)] },
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
  if (zeros.length === 0 || (f.type !== 'relu' && f.type !== 'leaky_relu')) return [];
  const shown = elidePieces(zeros.map((flat) => symbolTex(outputSym('sigma', ctx.naming, ...(unravel(sigma.shape, flat) as [number, number, number, number])))), ctx.elision.terms, '\\dots');
  const left = f.type === 'relu' ? '0' : rationalTex(f.slope);
  return [text({ key: 'activation.kink', params: { entries: math(shown.join(', ')), count: math(`${zeros.length}`), left: math(left) } })];
}

// max: p = the largest entry of the window; avg: p = (1/(h·w)) Σ window
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
      return chain(lhs, `\\frac{1}{${count}} (${sum})`, `\\frac{1}{${count}} (${valueSumPieces(values, terms).join(' ')})`, rounded(scalarTex(result), !shownExactly(result)));
    }
    const route = forward.pooling!.winners![offset(forward.pooled.shape, [n, o, i, j])];
    const winner = names[cells.findIndex(([r, c]) => offset(forward.activated.shape, [n, o, r, c]) === route)];
    const list = (pieces: string[]) => elidePieces(pieces, terms, '\\dots').join(', ');
    return chain(lhs, `\\max(${list(names.map(symbolTex))})`, `\\max(${list(values.map((v) => scalarTex(v)))})`, rounded(`${scalarTex(result)} \\quad (${symbolTex(winner)})`, !shownExactly(result)));
  });
  return {
    rule: 'pool.apply',
    title: { key: 'step.pool' },
    blocks: [
      text(pool.type === 'max' ? { key: 'pool.max' } : { key: 'pool.avg', params: { count: math(`${pool.size[0] * pool.size[1]}`) } }),
      ...elidedNote(shown.length, forward.pooled.data.length),
      ...(chains.length > 0 ? [{ kind: 'chains', chains } as const] : []),
      text({ key: 'pool.output' }),
      { kind: 'chains', chains: planeChains(ctx, 'output', 'p', forward.pooled) },
    ],
  };
}

/** The name of the map the head reads: p after pooling, a after an activation, σ otherwise. */
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
  const pieces = (tex: (s: Sym) => string) => elidePieces(entries.map((s, i) => (i === 0 ? tex(s) : `+ ${tex(s)}`)), terms);
  const mean = problem.head === 'mean';
  const wrap = (p: string[]) => (mean ? [`\\frac{1}{${count}} (`, ...p, ')'] : p);
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
  if (ctx.linear) {
    // Only the σ the elision keeps are written out.
    const sigmas = ctx.step.forward.sigma;
    const keep = keptIndices(sigmas.data.length, terms);
    const pieces = keep.map((flat, k) => {
      if (flat === null) return '+ \\cdots';
      const [n, o, i, j] = unravel(sigmas.shape, flat);
      return `${k === 0 ? '' : '+ '}(${toTex(ctx.sigma(n, o, i, j), { elide: terms })})`;
    });
    const expanded = chain('S', wrap(pieces));
    blocks.push(text({ key: 'head.expanded' }), { kind: 'chains', chains: [expanded] });
  }
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
        ? chain('L', toTex(mseExpr()), toTex(mseExpr(), { value: ctx.value }), powerTex(operandTex(evaluate(sub(S, T), ctx.value)), '2'), scalarTex(L))
        : chain('L', lossTex(problem.loss, 'S', 'T'), lossTex(problem.loss, operandTex(y), operandTex(t)), rounded(scalarTex(L), !shownExactly(L)));
    return { rule: 'loss.reduce', title: { key: 'step.loss.mse' }, blocks: [text({ key: problem.loss.type === 'mse' ? 'loss.mse' : 'loss.single' }), { kind: 'chains', chains: [exactChain] }] };
  }
  const shown = shownIndices(ctx, forward.prediction.shape);
  const chains = shown.map(([n, o, i, j]) => {
    const [y, t] = [outputSym('y', naming, n, o, i, j), outputSym('t', naming, n, o, i, j)];
    const l = get(forward.elementLosses, n, o, i, j);
    const lhs = `l${superscriptOf(y)}_{${y.indices.join('')}}`;
    return chain(lhs, lossTex(problem.loss, symbolTex(y), symbolTex(t)), lossTex(problem.loss, operandTex(ctx.value(y)!), operandTex(ctx.value(t)!)), rounded(scalarTex(l), !shownExactly(l)));
  });
  const count = forward.prediction.data.length;
  const mean = problem.reduction === 'mean';
  const total = chain('L', `${mean ? `\\frac{1}{${count}}` : ''}\\sum l`, rounded(`${mean ? `\\frac{1}{${count}} (` : ''}${valueSumPieces(forward.elementLosses.data, ctx.elision.terms).join(' ')}${mean ? ')' : ''}`, !forward.elementLosses.data.every(shownExactly)), rounded(scalarTex(L), !shownExactly(L)));
  return {
    rule: 'loss.reduce',
    title: { key: 'step.loss.mse' },
    blocks: [
      text({ key: mean ? 'loss.map.mean' : 'loss.map.sum', params: { count: math(`${count}`) } }),
      ...elidedNote(shown.length, count),
      ...(chains.length > 0 ? [{ kind: 'chains', chains } as const] : []),
      { kind: 'chains', chains: [total] },
    ],
  };
}

function superscriptOf(s: Sym): string {
  return s.channel.length === 0 ? '' : `^{(${s.channel.join(',')})}`;
}
