// Section 2: the forward pass, every output entry written out as a sum of products.
import { evaluate } from '../../expr/evaluate.js';
import { sub, sym } from '../../expr/expr.js';
import { rationalTex, symbolTex, toTex } from '../../expr/to-tex.js';
import { hasPadding, touchesPadding } from '../../model/geometry.js';
import { at } from '../../model/grid.js';
import { lossExpr, S, T } from '../../model/loss.js';
import { TERM_ELISION, elidePieces, shownEntries } from '../elide.js';
import { chain, floorTex, operandTex, paddedInputMatrix, valueMatrix } from '../tex.js';
import { sumOfProductsChain } from '../sum-of-products.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Section, Step } from '../step.js';

const math = (tex: string) => ({ math: tex });

export function forwardSection(ctx: DerivationContext): Section {
  const steps: Step[] = [];
  if (hasPadding(ctx.geometry)) steps.push(paddingStep(ctx));
  steps.push(geometryStep(ctx), unrollStep(ctx), outputStep(ctx), headStep(ctx), lossStep(ctx));
  return { id: 'forward', title: { key: 'section.forward' }, steps };
}

function paddingStep(ctx: DerivationContext): Step {
  const p = ctx.geometry.padding;
  return {
    rule: 'conv.padding',
    title: { key: 'step.conv.padding' },
    blocks: [
      { kind: 'text', text: { key: 'conv.padding', params: { top: math(`${p.top}`), bottom: math(`${p.bottom}`), left: math(`${p.left}`), right: math(`${p.right}`) } } },
      { kind: 'chains', chains: [chain('\\tilde X', paddedInputMatrix(ctx))] },
    ],
  };
}

// H' = ⌊(H + p_t + p_b − d_h(k_h − 1) − 1) / s_h⌋ + 1, and the same across the columns
function geometryStep(ctx: DerivationContext): Step {
  const g = ctx.geometry;
  const axis = (out: string, size: string, before: string, after: string, k: string, d: string, s: string, values: [number, number, number, number, number, number], result: number): Chain => {
    const [n, pb, pa, kv, dv, sv] = values;
    const inner = n + pb + pa - dv * (kv - 1) - 1;
    return {
      lhs: out,
      sides: [
        [`${floorTex(`\\frac{${size} + ${before} + ${after} - ${d}(${k} - 1) - 1}{${s}}`)} + 1`],
        [`${floorTex(`\\frac{${n} + ${pb} + ${pa} - ${dv} \\cdot (${kv} - 1) - 1}{${sv}}`)} + 1`],
        [`${floorTex(`\\frac{${inner}}{${sv}}`)} + 1`],
        [`${result}`],
      ],
    };
  };
  return {
    rule: 'conv.geometry',
    title: { key: 'step.conv.geometry' },
    blocks: [
      { kind: 'text', text: { key: 'conv.geometry' } },
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

function unrollStep(ctx: DerivationContext): Step {
  const { geometry: g, problem } = ctx;
  const input = hasPadding(g) ? '\\tilde x' : 'x';
  const general =
    `\\sum_{m=1}^{${g.kernel.rows}} \\sum_{n=1}^{${g.kernel.cols}} k_{mn} \\, ${input}_{${indexTex(g.stride[0], 'i', g.dilation[0], 'm')},\\, ${indexTex(g.stride[1], 'j', g.dilation[1], 'n')}}` +
    (problem.bias ? ' + b' : '');
  const shown = shownEntries(g.output.rows, g.output.cols);
  const chains = shown.map(([i, j]) => sumOfProductsChain(symbolTex(sym('sigma', i + 1, j + 1)), at(ctx.sigma, i, j), ctx));
  const blocks: Block[] = [
    { kind: 'text', text: { key: 'conv.unroll' } },
    { kind: 'chains', chains: [chain('\\sigma_{ij}', general)] },
    ...(touchesPadding(g) ? [{ kind: 'text', text: { key: 'conv.unroll.zeros' } } as const] : []),
    ...(shown.length < g.output.rows * g.output.cols
      ? [{ kind: 'text', text: { key: 'elide.entries', params: { shown: math(`${shown.length}`), total: math(`${g.output.rows * g.output.cols}`) } } } as const]
      : []),
    { kind: 'chains', chains },
    ...(g.kernel.rows * g.kernel.cols + (problem.bias ? 1 : 0) > TERM_ELISION.head + TERM_ELISION.tail + 1 ? [{ kind: 'text', text: { key: 'elide.terms' } } as const] : []),
  ];
  return { rule: 'conv.unroll', title: { key: 'step.conv.unroll' }, blocks };
}

function outputStep(ctx: DerivationContext): Step {
  return {
    rule: 'conv.output',
    title: { key: 'step.conv.output' },
    blocks: [{ kind: 'text', text: { key: 'conv.output' } }, { kind: 'chains', chains: [chain('\\sigma', valueMatrix(ctx.step.forward.sigma))] }],
  };
}

function headStep(ctx: DerivationContext): Step {
  const { problem, geometry: g } = ctx;
  const count = g.output.rows * g.output.cols;
  const sigmaNames = Array.from({ length: count }, (_, index) => sym('sigma', Math.floor(index / g.output.cols) + 1, (index % g.output.cols) + 1));
  const sigmaPieces = (tex: (s: (typeof sigmaNames)[number]) => string) => elidePieces(sigmaNames.map((s, i) => (i === 0 ? tex(s) : `+ ${tex(s)}`)));
  const mean = problem.head === 'mean';
  const wrap = (pieces: string[]) => (mean ? [`\\frac{1}{${count}} (`, ...pieces, ')'] : pieces);
  const prediction = chain(
    'S',
    wrap(sigmaPieces((s) => symbolTex(s))),
    wrap(sigmaPieces((s) => operandTex(ctx.value(s)!))),
    mean ? `\\frac{${rationalTex(ctx.step.forward.sigma.data.reduce((a, b) => a.add(b)))}}{${count}}` : [],
    rationalTex(ctx.step.forward.prediction),
  );
  const expanded = chain('S', wrap(elidePieces(ctx.sigma.data.map((e, i) => `${i === 0 ? '' : '+ '}(${toTex(e, { elide: TERM_ELISION })})`))));
  return {
    rule: 'head.reduce',
    title: { key: 'step.head.reduce' },
    blocks: [
      { kind: 'text', text: mean ? { key: 'head.mean', params: { count: math(`${count}`) } } : { key: 'head.sum' } },
      { kind: 'chains', chains: [prediction] },
      { kind: 'text', text: { key: 'head.expanded' } },
      { kind: 'chains', chains: [expanded] },
    ],
  };
}

// L = (S − T)²
function lossStep(ctx: DerivationContext): Step {
  const L = lossExpr(ctx.problem);
  const difference = evaluate(sub(S, T), ctx.value);
  return {
    rule: 'loss.mse',
    title: { key: 'step.loss.mse' },
    blocks: [
      { kind: 'text', text: { key: 'loss.mse' } },
      { kind: 'chains', chains: [chain('L', toTex(L), toTex(L, { value: ctx.value }), `${operandTex(difference)}^{2}`, rationalTex(ctx.step.forward.loss))] },
    ],
  };
}
