// Section 3: the chain rule from L down through every stage to δ = ∂L/∂σ, then to every kernel entry,
// the bias and every input entry: each found entry by entry (by differentiating the written-out
// expressions) and again by the compact rule, and shown equal.
import { differentiate } from '../../expr/differentiate.js';
import { evaluate } from '../../expr/evaluate.js';
import { addAll, mul, num, sym, type Expr, type Sym } from '../../expr/expr.js';
import { scalarTex, shownExactly, symbolTex, toTex, toTexTerms } from '../../expr/to-tex.js';
import { add as addScalar, asDouble, exact, isExact, mul as mulScalar, ZERO, type Scalar } from '../../numbers/scalar.js';
import { toExactString } from '../../numbers/rational.js';
import { biasSym, inputSym, kernelSym, outputSym, transposedConvolution } from '../../model/conv.js';
import { channelsPerGroup, hasPadding, inputChannel, isPaddingCell, paddedSource, tap, touchedInputs } from '../../model/geometry.js';
import { plane } from '../../model/grid.js';
import { mseExpr, S } from '../../model/loss.js';
import { headSlope } from '../../model/head.js';
import { kinksOf } from '../../model/kinks.js';
import { windowsOf } from '../../model/pool.js';
import { get, offset, unravel, type Tensor } from '../../model/tensor.js';
import { lossSlopeTex } from '../formulas.js';
import { planeChains, superscript } from '../planes.js';
import { sumOfProductsChain } from '../sum-of-products.js';
import { kernelEntryFigure, slidingKernelFigure } from '../figures.js';
import { chain, operandTex, pairTex, partial, rounded, valueSumPieces } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section, Step, Text } from '../step.js';
import { elidedNote, headInput, shownIndices } from './forward.js';
import { elidePieces } from '../elide.js';

const math = (tex: string) => ({ math: tex });
const text = (t: Text): Block => ({ kind: 'text', text: t });
const chainsBlock = (chains: Chain[], groupSize?: number): Block[] => (chains.length > 0 ? [{ kind: 'chains', chains, ...(groupSize ? { groupSize } : {}) }] : []);
const value = (x: Scalar) => rounded(scalarTex(x), !shownExactly(x));

export function backwardSection(ctx: DerivationContext): Section {
  const { problem } = ctx;
  const steps: Step[] = [lossSlopeStep(ctx)];
  if (problem.head !== 'none') steps.push(headStep(ctx));
  if (problem.pool) steps.push(poolStep(ctx));
  if (problem.activation.type !== 'none') steps.push(activationStep(ctx));
  steps.push(kernelEntriesStep(ctx), kernelCompactStep(ctx));
  if (problem.bias) steps.push(biasStep(ctx));
  steps.push(inputEntriesStep(ctx), inputCompactStep(ctx));
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
        ? chain(partial('L', 'S'), toTex(differentiate(mseExpr(), S)), toTex(differentiate(mseExpr(), S), { value: ctx.value }), scalarTex(slope))
        : chain(partial('L', 'S'), lossSlopeTex(problem.loss, 'S', 'T'), lossSlopeTex(problem.loss, operandTex(y), operandTex(t)), value(slope));
    return {
      rule: 'chain.loss-prediction',
      title: { key: 'step.chain.loss-prediction' },
      blocks: [text({ key: problem.loss.type === 'mse' ? 'chain.loss-prediction' : 'chain.loss-prediction.general' }), { kind: 'chains', chains: [formula] }, ...lossKinkNote(ctx)],
    };
  }
  const count = forward.prediction.data.length;
  const weight = problem.reduction === 'mean' ? `\\frac{1}{${count}}` : '1';
  const shown = shownIndices(ctx, forward.prediction.shape);
  const chains = shown.map(([n, o, i, j]) => {
    const [y, t] = [outputSym('y', naming, n, o, i, j), outputSym('t', naming, n, o, i, j)];
    const g = get(gradients.prediction, n, o, i, j);
    return chain(partial('L', symbolTex(y)), `${weight} \\cdot ${wrap(lossSlopeTex(problem.loss, symbolTex(y), symbolTex(t)))}`, `${weight} \\cdot ${wrap(lossSlopeTex(problem.loss, operandTex(ctx.value(y)!), operandTex(ctx.value(t)!)))}`, value(g));
  });
  return {
    rule: 'chain.loss-prediction',
    title: { key: 'step.chain.loss-prediction' },
    blocks: [
      text({ key: 'chain.loss-map', params: { weight: math(weight), reduction: { text: '' } } }),
      ...elidedNote(shown.length, count),
      ...chainsBlock(chains),
      { kind: 'chains', chains: planeChains(ctx, 'output', (sup) => partial('L', `y${sup}`), gradients.prediction) },
      ...lossKinkNote(ctx),
    ],
  };
}

/**
 * The predictions exactly equal to their targets under l1 (or smooth_l1 with β = 0), on the kink of
 * |y − t|: −1 from the left, 1 from the right; PyTorch takes sign(0) = 0 for l1 and −1 for smooth_l1.
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

// ∂L/∂p = ∂L/∂S · ∂S/∂p, the same for every entry of the map the head reads
function headStep(ctx: DerivationContext): Step {
  const { gradients } = ctx.step;
  const name = headInput(ctx);
  const weight = headSlope(ctx.problem.head, gradients.pooled.data.length);
  const dLdS = gradients.prediction.data[0];
  const each = gradients.pooled.data[0];
  const entry = symbolTex(sym(name, [], []));
  const isDelta = name === 'sigma';
  const intro: Text = isDelta
    ? ctx.problem.head === 'sum' ? { key: 'chain.delta.sum' } : { key: 'chain.delta.mean', params: { weight: math(scalarTex(weight)) } }
    : ctx.problem.head === 'sum' ? { key: 'chain.head.sum', params: { map: math(entry) } } : { key: 'chain.head.mean', params: { map: math(entry), weight: math(scalarTex(weight)) } };
  const lhs = isDelta ? '\\delta_{ij}' : partial('L', `${entry}_{ij}`);
  return {
    rule: isDelta ? 'chain.delta' : 'chain.head',
    title: { key: 'step.chain.delta' },
    blocks: [
      text(intro),
      { kind: 'chains', chains: [
        chain(lhs, `${partial('L', 'S')} \\cdot ${partial('S', `${entry}_{ij}`)}`, `${operandTex(dLdS)} \\cdot ${operandTex(weight)}`, value(each)),
        ...planeChains(ctx, 'output', (sup) => (isDelta ? `\\delta${sup}` : partial('L', `${entry}${sup}`)), gradients.pooled),
      ] },
    ],
  };
}

// ∂L/∂a_r = Σ over the windows w that read r of ∂L/∂p_w · ∂p_w/∂a_r
function poolStep(ctx: DerivationContext): Step {
  const pool = ctx.problem.pool!;
  const { naming } = ctx;
  const { forward, gradients } = ctx.step;
  const source = ctx.problem.activation.type === 'none' ? 'sigma' : 'a';
  const pooling = forward.pooling!;
  const [, , rows, cols] = forward.activated.shape;
  const [, , , windowCols] = forward.pooled.shape;
  const share = exact(1, pool.size[0] * pool.size[1]);
  const shown = shownIndices(ctx, forward.activated.shape);
  const chains = shown.map(([n, o, i, j]) => {
    const flat = offset(forward.activated.shape, [n, o, i, j]);
    const lhs = source === 'sigma' ? symbolTex(outputSym('delta', naming, n, o, i, j)) : partial('L', symbolTex(outputSym('a', naming, n, o, i, j)));
    // The windows that send this entry a gradient: every window over it (avg), those it wins (max).
    const windows = windowsOf(pool, i, j, rows, cols)
      .map(([wi, wj]) => offset(forward.pooled.shape, [n, o, wi, wj]))
      .filter((w) => pool.type === 'avg' || pooling.winners![w] === flat);
    const pName = (w: number) => symbolTex(outputSym('p', naming, n, o, Math.floor(w / windowCols) % forward.pooled.shape[2], w % windowCols));
    const result = gradients.activated.data[flat];
    if (windows.length === 0) return chain(lhs, '0');
    const factor = pool.type === 'max' ? '' : ` \\cdot ${scalarTex(share)}`;
    const pieces = (term: (w: number) => string) => elidePieces(windows.map((w, k) => `${k === 0 ? '' : '+ '}${term(w)}${factor}`), ctx.elision.terms);
    return chain(lhs, pieces((w) => partial('L', pName(w))), pieces((w) => operandTex(gradients.pooled.data[w])), value(result));
  });
  return {
    rule: 'chain.pool',
    title: { key: 'step.chain.pool' },
    blocks: [
      text(pool.type === 'max' ? { key: 'chain.pool.max' } : { key: 'chain.pool.avg', params: { count: math(`${pool.size[0] * pool.size[1]}`) } }),
      ...elidedNote(shown.length, forward.activated.data.length),
      ...chainsBlock(chains),
      { kind: 'chains', chains: planeChains(ctx, 'output', (sup) => (source === 'sigma' ? `\\delta${sup}` : partial('L', `a${sup}`)), gradients.activated) },
    ],
  };
}

// δ = ∂L/∂a · f'(σ)
function activationStep(ctx: DerivationContext): Step {
  const { naming } = ctx;
  const { forward, gradients } = ctx.step;
  const shown = shownIndices(ctx, forward.sigma.shape);
  const chains = shown.map(([n, o, i, j]) => {
    const [s, a, d] = [outputSym('sigma', naming, n, o, i, j), outputSym('a', naming, n, o, i, j), outputSym('delta', naming, n, o, i, j)];
    const [g, slope, delta] = [get(gradients.activated, n, o, i, j), get(gradients.activationSlope, n, o, i, j), get(gradients.delta, n, o, i, j)];
    return chain(symbolTex(d), `${partial('L', symbolTex(a))} \\cdot f'(${symbolTex(s)})`, rounded(`${operandTex(g)} \\cdot ${operandTex(slope)}`, !shownExactly(g) || !shownExactly(slope)), value(delta));
  });
  return {
    rule: 'chain.activation',
    title: { key: 'step.chain.activation' },
    blocks: [
      text({ key: 'chain.activation' }),
      ...elidedNote(shown.length, forward.sigma.data.length),
      ...chainsBlock(chains),
      text({ key: 'chain.delta.map' }),
      { kind: 'chains', chains: planeChains(ctx, 'output', '\\delta', gradients.delta) },
    ],
  };
}

/**
 * For each shown parameter or input entry v: with S written out, ∂S/∂v by differentiating S and
 * ∂L/∂v = ∂L/∂S · ∂S/∂v; otherwise ∂L/∂v = ∂(Σ δ·σ)/∂v = Σ δ · ∂σ/∂v. Checked against the compact rule.
 */
function entryChains(ctx: DerivationContext, v: Sym, compact: Scalar): Chain[] {
  const name = symbolTex(v);
  const terms = ctx.elision.terms;
  if (ctx.linear) {
    const dS = differentiate(ctx.predictionWith(v), v);
    const dSValue = evaluate(dS, ctx.value);
    const dLdS = ctx.step.gradients.prediction.data[0];
    agree(`∂L/∂${name}`, mulScalar(dLdS, dSValue), compact);
    const dSChain = dS.kind === 'add' ? sumOfProductsChain(partial('S', name), dS, ctx) : chain(partial('S', name), toTex(dS, { elide: terms }), toTex(dS, { value: ctx.value, elide: terms }), scalarTex(dSValue));
    return [dSChain, chain(partial('L', name), `${partial('L', 'S')} \\cdot ${partial('S', name)}`, rounded(`${operandTex(dLdS)} \\cdot ${operandTex(dSValue)}`, !shownExactly(dLdS)), value(compact))];
  }
  const dL = differentiate(ctx.linearizedWith(v), v);
  agree(`∂L/∂${name}`, evaluate(dL, ctx.value), compact);
  return [sumOfProductsChain(partial('L', name), dL, ctx)];
}

function entriesBlocks(ctx: DerivationContext, t: Tensor<Scalar>, name: (index: number[]) => Sym): Block[] {
  const shown = shownIndices(ctx, t.shape);
  return [
    ...elidedNote(shown.length, t.data.length),
    ...chainsBlock(shown.flatMap((index) => entryChains(ctx, name(index), t.data[offset(t.shape, index)])), ctx.linear ? 2 : undefined),
  ];
}

function kernelEntriesStep(ctx: DerivationContext): Step {
  const gradient = ctx.step.gradients.kernel;
  return {
    rule: 'chain.kernel-entry',
    title: { key: 'step.chain.kernel-entry' },
    blocks: [
      text({ key: ctx.linear ? 'chain.kernel-entry' : 'chain.kernel-entry.delta' }),
      ...kernelEntryFigure(
        ctx,
        shownIndices(ctx, gradient.shape).filter(([o, c]) => inputChannel(ctx.geometry, o, c) === 0),
        (o, c, m, q) => symbolTex(kernelSym(ctx.naming, o, c, m, q)),
      ),
      ...entriesBlocks(ctx, gradient, ([o, c, m, q]) => kernelSym(ctx.naming, o, c, m, q)),
      text({ key: 'chain.kernel-matrix' }),
      { kind: 'chains', chains: planeChains(ctx, 'kernel', (sup) => partial('L', `K${sup}`), gradient) },
    ],
  };
}

// ∂L/∂K^{(o,c)} = Σ_n X̃^{(n,c')} ⋆ δ^{(n,o)}, with stride and dilation swapping roles
function kernelCompactStep(ctx: DerivationContext): Step {
  const { geometry: g, problem, naming } = ctx;
  const { forward, gradients } = ctx.step;
  const plain = !hasPadding(g) && g.stride.every((s) => s === 1) && g.dilation.every((d) => d === 1);
  const several = g.outChannels > 1 || channelsPerGroup(g) > 1;
  const channel = inputChannel(g, 0, 0);
  const input = hasPadding(g) ? '\\tilde X' : 'X';
  const border = (r: number, c: number) => isPaddingCell(g, r, c);
  const sides = Array.from({ length: g.batch }, (_, n) => `${ctx.matrix(plane(forward.padded, n, channel), border)} \\star ${ctx.matrix(plane(gradients.delta, n, 0))}`);
  const batchSum = g.batch > 1 ? '\\sum_n ' : '';
  const first: Expr = addAll(
    Array.from({ length: g.batch }, (_, n) =>
      Array.from({ length: g.output.rows * g.output.cols }, (__, k) => {
        const [i, j] = [Math.floor(k / g.output.cols), k % g.output.cols];
        const source = paddedSource(g, ...tap(g, i, j, 0, 0));
        return mul(outputSym('delta', naming, n, 0, i, j), source ? inputSym(naming, n, channel, source[0], source[1]) : num(0));
      }),
    ).flat(),
  );
  agree('∂L/∂k_11', evaluate(first, ctx.value), gradients.kernel.data[0]);
  const rule: Text = plain ? { key: 'grad.kernel-compact.plain' } : { key: 'grad.kernel-compact.general', params: { stride: math(pairTex(problem.stride)), dilation: math(pairTex(problem.dilation)) } };
  return {
    rule: 'grad.kernel-compact',
    title: { key: 'step.grad.kernel-compact' },
    blocks: [
      ...(several || g.batch > 1 ? [text({ key: 'grad.kernel-compact.channels' })] : []),
      text(rule),
      { kind: 'chains', chains: [chain(partial('L', `K${superscript(ctx, 'kernel', 0, 0)}`), `${batchSum}${input}${superscript(ctx, 'input', 0, channel).replace('1,', 'n,')} \\star \\delta${superscript(ctx, 'output', 0, 0).replace('1,', 'n,')}`, sides.map((s, n) => (n === 0 ? s : `+ ${s}`)), rounded(ctx.matrix(plane(gradients.kernel, 0, 0)), !gradients.kernel.data.every(isExact)))] },
      text({ key: 'grad.same-result' }),
      text({ key: 'grad.kernel-compact.entry' }),
      { kind: 'chains', chains: [sumOfProductsChain(partial('L', symbolTex(kernelSym(naming, 0, 0, 0, 0))), first, ctx)] },
    ],
  };
}

// ∂L/∂b_o = Σ_{n,i,j} δ_{n,o,i,j}
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
    return chain(partial('L', b), `\\sum_{${g.batch > 1 ? 'n,' : ''}i,j} \\delta${superscript(ctx, 'output', 0, o).replace(/^\^\{\(1,/, '^{(n,')}_{ij}`, toTexTerms(addAll(names), { ...(ctx.elision.terms ? { elide: ctx.elision.terms } : {}) }), rounded(valueSumPieces(values, ctx.elision.terms), !values.every(isExact)), value(total));
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
  return {
    rule: 'chain.input-entry',
    title: { key: 'step.chain.input-entry' },
    blocks: [
      text({ key: ctx.linear ? 'chain.input-entry' : 'chain.input-entry.delta' }),
      ...entriesBlocks(ctx, gradient, ([n, c, i, j]) => inputSym(ctx.naming, n, c, i, j)),
      ...(untouched ? [text({ key: 'chain.input-entry.untouched' })] : []),
      text({ key: 'chain.input-matrix' }),
      { kind: 'chains', chains: planeChains(ctx, 'input', (sup) => partial('L', `X${sup}`), gradient) },
    ],
  };
}

// ∂L/∂X̃^{(n,c)} = Σ_o pad(δ^{(n,o)} spread by s) ⋆ rot180(K^{(o,c')} dilated by d); then the padding folded back
function inputCompactStep(ctx: DerivationContext): Step {
  const { geometry: g, problem } = ctx;
  const { gradients } = ctx.step;
  const plain = g.stride.every((s) => s === 1) && g.dilation.every((d) => d === 1);
  const padded = hasPadding(g);
  const target = padded ? '\\tilde X' : 'X';
  // The output channels that read input channel 0, and the kernel slice each applies to it.
  const readers = Array.from({ length: g.outChannels }, (_, o) => o).filter((o) => inputChannel(g, o, 0) === 0 || Array.from({ length: channelsPerGroup(g) }, (_, c) => inputChannel(g, o, c)).includes(0));
  const parts = readers.map((o) => {
    const c = Array.from({ length: channelsPerGroup(g) }, (_, k) => k).find((k) => inputChannel(g, o, k) === 0)!;
    return { o, ...transposedConvolution(g, plane(ctx.step.before.kernel, o, c), plane(gradients.delta, 0, o)) };
  });
  const spanRows = g.dilation[0] * (g.kernel.rows - 1);
  const spanCols = g.dilation[1] * (g.kernel.cols - 1);
  const holdsDelta = (r: number, span: number, stride: number, count: number) => r >= span && (r - span) % stride === 0 && (r - span) / stride < count;
  const spreadMuted = (r: number, c: number) => !(holdsDelta(r, spanRows, g.stride[0], g.output.rows) && holdsDelta(c, spanCols, g.stride[1], g.output.cols));
  const kernelMuted = (r: number, c: number) => r % g.dilation[0] !== 0 || c % g.dilation[1] !== 0;
  const paddedGradient = plane(gradients.paddedInput, 0, 0);
  for (const [k, cell] of paddedGradient.data.entries()) agree(`∂L/∂x̃ ${k}`, parts.reduce<Scalar>((sum, p) => addScalar(sum, p.paddedGradient.data[k]), ZERO), cell);
  const rounding = !paddedGradient.data.every(isExact);
  const chains: Chain[] = [
    chain(
      partial('L', `${target}${superscript(ctx, 'input', 0, 0)}`),
      parts.map((p, k) => `${k === 0 ? '' : '+ '}\\hat\\delta${superscript(ctx, 'output', 0, p.o)} \\star \\operatorname{rot}_{180}(K${superscript(ctx, 'kernel', p.o, 0)})`),
      parts.map((p, k) => `${k === 0 ? '' : '+ '}${ctx.matrix(p.spreadDelta, spreadMuted)} \\star ${ctx.matrix(p.rotatedKernel, kernelMuted)}`),
      rounded(ctx.matrix(paddedGradient, padded ? (r, c) => isPaddingCell(g, r, c) : undefined), rounding),
    ),
  ];
  const folded = padded ? [chain(partial('L', `X${superscript(ctx, 'input', 0, 0)}`), rounded(ctx.matrix(plane(gradients.input, 0, 0)), rounding))] : [];
  const reachesAll = parts[0].spreadDelta.rows - parts[0].rotatedKernel.rows + 1 >= g.padded.rows && parts[0].spreadDelta.cols - parts[0].rotatedKernel.cols + 1 >= g.padded.cols;
  const intro: Text = g.outChannels > 1 || g.inChannels > 1 ? { key: 'grad.input-compact.channels' } : plain ? { key: 'grad.input-compact.plain' } : { key: 'grad.input-compact.general', params: { stride: math(pairTex(problem.stride)) } };
  return {
    rule: 'grad.input-compact',
    title: { key: 'step.grad.input-compact' },
    blocks: [
      text(intro),
      ...(g.outChannels > 1 || g.inChannels > 1 ? [text(plain ? { key: 'grad.input-compact.plain' } : { key: 'grad.input-compact.general', params: { stride: math(pairTex(problem.stride)) } })] : []),
      ...slidingKernelFigure(parts[0].spreadDelta, parts[0].rotatedKernel.rows, parts[0].rotatedKernel.cols, (r, c) => !spreadMuted(r, c), (r, c) => partial('L', `${padded ? '\\tilde x' : 'x'}_{${r + 1}${r + 1 > 9 || c + 1 > 9 ? ',' : ''}${c + 1}}`)),
      { kind: 'chains', chains },
      ...(reachesAll ? [] : [text({ key: 'grad.input-compact.unreached' })]),
      ...(padded ? [text({ key: g.paddingMode === 'zeros' ? 'grad.input-compact.crop' : 'grad.input-compact.fold' }), { kind: 'chains', chains: folded } as const] : []),
      text({ key: 'grad.same-result' }),
    ],
  };
}
