// Section 4: why the compact rules hold. The three rules in index form, derived by substituting indices in
// σ with stride s, padding p and dilation d; where the 180° turn comes from; and the matrix view
// (im2col: vec σ = M vec X̃, so ∂L/∂vec X̃ = Mᵀ vec δ, the transposed convolution).
import { channelsPerGroup, hasPadding } from '../../ops/conv2d/geometry.js';
import { convolutionMatrixFigure } from '../figures.js';
import { chain, partial } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Chain, Section, Step } from '../step.js';
import { math, text } from '../blocks.js';


/** Row u of the padded input that output row i and kernel row m meet at, 1-based, in symbols. */
const ROW = 's(i-1) + d(m-1) + 1';
const COL = 's(j-1) + d(n-1) + 1';

/** The three rules in index form, in symbols: the same for every problem, also on the cheat sheet. */
export function indexRules(ctx: DerivationContext): Chain[] {
  const x = hasPadding(ctx.geometry) ? '\\tilde x' : 'x';
  return [
    chain(partial('L', 'k_{mn}'), `\\sum_{i=1}^{H'} \\sum_{j=1}^{W'} \\delta_{ij} \\, ${x}_{${ROW},\\; ${COL}}`),
    ...(ctx.problem.bias ? [chain(partial('L', 'b'), "\\sum_{i=1}^{H'} \\sum_{j=1}^{W'} \\delta_{ij}")] : []),
    chain(partial('L', `${x}_{uv}`), `\\sum_{\\substack{i, m:\\\\ ${ROW} = u}} \\; \\sum_{\\substack{j, n:\\\\ ${COL} = v}} \\delta_{ij} \\, k_{mn}`),
  ];
}

export function whySection(ctx: DerivationContext): Section {
  return { id: 'why', title: { key: 'section.why' }, runIn: true, steps: [indexFormStep(ctx), rotationStep(ctx), matrixStep(ctx)] };
}

function indexFormStep(ctx: DerivationContext): Step {
  const { geometry: g, problem } = ctx;
  const x = hasPadding(g) ? '\\tilde x' : 'x';
  const shape = (rows: number, cols: number) => math(`${rows} \\times ${cols}`);
  const several = g.inChannels > 1 || g.outChannels > 1 || g.batch > 1;
  const sigma = chain('\\sigma_{ij}', `\\sum_{m=1}^{k_h} \\sum_{n=1}^{k_w} k_{mn} \\, ${x}_{${ROW},\\; ${COL}}${problem.bias ? ' + b' : ''}`);
  return {
    rule: 'why.index-form',
    title: { key: 'step.why.index-form' },
    blocks: [
      text({ key: 'why.sigma', params: { stride: math(`s = ${pair(g.stride)}`), dilation: math(`d = ${pair(g.dilation)}`) } }),
      { kind: 'chains', chains: [sigma] },
      text({ key: problem.bias ? 'why.linear.bias' : 'why.linear', params: { x: math(x) } }),
      { kind: 'chains', chains: indexRules(ctx), boxed: true },
      text({
        key: hasPadding(g) ? 'why.shapes.padded' : 'why.shapes',
        params: {
          delta: shape(g.output.rows, g.output.cols),
          kernel: shape(g.kernel.rows, g.kernel.cols),
          padded: shape(g.padded.rows, g.padded.cols),
          input: shape(g.input.rows, g.input.cols),
        },
      }),
      ...(several ? [text({ key: channelsPerGroup(g) > 1 || g.outChannels > 1 ? 'why.channels' : 'why.batch' })] : []),
    ],
  };
}

function rotationStep(ctx: DerivationContext): Step {
  const x = hasPadding(ctx.geometry) ? '\\tilde x' : 'x';
  const X = hasPadding(ctx.geometry) ? '\\tilde X' : 'X';
  return {
    rule: 'why.rotation',
    title: { key: 'step.why.rotation' },
    blocks: [
      text({ key: 'why.kernel' }),
      { kind: 'chains', chains: [chain(partial('L', 'k_{mn}'), `\\sum_{u,v} \\delta^{\\uparrow s}_{uv} \\, ${x}_{u + d(m-1),\\; v + d(n-1)}`, `(${X} \\star \\delta^{\\uparrow s})_{d(m-1)+1,\\; d(n-1)+1}`)] },
      text({ key: 'why.input' }),
      {
        kind: 'chains',
        chains: [
          chain(
            partial('L', `${x}_{uv}`),
            '\\sum_{m,n} \\delta^{\\uparrow s}_{u - d(m-1),\\; v - d(n-1)} \\, k_{mn}',
            "\\sum_{m',n'} \\delta^{\\uparrow s}_{u - d(k_h - m'),\\; v - d(k_w - n')} \\, k_{k_h + 1 - m',\\; k_w + 1 - n'}",
            '(\\tilde\\delta \\star \\operatorname{rot}_{180}(K^{\\uparrow d}))_{uv}',
          ),
        ],
      },
      text({ key: 'why.turn' }),
    ],
  };
}

function matrixStep(ctx: DerivationContext): Step {
  const X = hasPadding(ctx.geometry) ? '\\tilde X' : 'X';
  return {
    rule: 'why.matrix',
    title: { key: 'step.why.matrix' },
    blocks: [
      text({ key: 'why.matrix', params: { x: math(X), product: math(`\\operatorname{vec}(\\sigma) = M \\operatorname{vec}(${X})`) } }),
      ...convolutionMatrixFigure(ctx),
      {
        kind: 'chains',
        chains: [chain('\\operatorname{vec}(\\sigma)', `M \\operatorname{vec}(${X})${ctx.problem.bias ? ' + b' : ''}`), chain(partial('L', `\\operatorname{vec}(${X})`), 'M^{\\mathsf T} \\operatorname{vec}(\\delta)')].map((c) => ({ ...c, line: 'matrix' })),
      },
      text({ key: 'why.transposed' }),
    ],
  };
}

function pair(p: readonly [number, number]): string {
  return p[0] === p[1] ? `${p[0]}` : `(${p[0]}, ${p[1]})`;
}
