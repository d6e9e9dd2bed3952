// Pooling in the derivation: each window to one entry, and the gradient routed back through the windows.
import type { StageSteps } from '../../derivation/stage-steps.js';
import { scalarTex, shownExactly, symbolTex } from '../../expr/to-tex.js';
import { outputSym } from '../conv2d/symbols.js';
import { plane } from '../../tensor/grid.js';
import { windowCells, windowsOf } from './pool.js';
import { get, offset, unravel } from '../../tensor/tensor.js';
import { elidePieces } from '../../derivation/elide.js';
import { coloured } from '../../derivation/palette.js';
import { planeChains, superscript } from '../../derivation/planes.js';
import { maxPoolFigure } from '../../derivation/figures.js';
import { chain, operandTex, partial, rounded, valueSumPieces, withValues } from '../../derivation/tex.js';
import type { DerivationContext } from '../../derivation/context.js';
import type { Chain, Step } from '../../derivation/step.js';
import { exact } from '../../numbers/scalar.js';
import { chainsBlock, elidedNote, math, sharing, shownIndices, text, value } from '../../derivation/blocks.js';


// max: z = the largest entry of the window; avg: z = (1/(h·w)) Σ window
export function poolStep(ctx: DerivationContext): Step {
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
export function maxPoolStep(ctx: DerivationContext): Step {
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
    return deltaEntry(ctx, forward.activated.shape, flat, chain(
      coloured(lhsOf(flat), colour),
      routes.map(({ window }, k) => `${k === 0 ? '' : '+ '}${partial('L', zName(window))}`),
      withValues(
        routes.map(({ window }, k) => `${k === 0 ? '' : '+ '}${operandTex(gradients.pooled.data[window])}`),
        routes.map(({ window }) => gradients.pooled.data[window]),
      ),
      value(gradients.activated.data[flat]),
    ));
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

/** A line that writes δ at an entry of σ (the map pooled is σ itself): marked as that entry's. */
function deltaEntry(ctx: DerivationContext, shape: readonly number[], flat: number, c: Chain): Chain {
  return ctx.problem.activation.type === 'none' ? { ...c, entry: { tensor: 'delta', index: unravel(shape, flat) } } : c;
}

function planeIndices(shape: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let n = 0; n < shape[0]; n++) for (let o = 0; o < shape[1]; o++) out.push([n, o]);
  return out;
}

// ∂L/∂a_r = Σ over the windows w that read r of ∂L/∂z_w · 1/(h·w)
export function avgPoolStep(ctx: DerivationContext): Step {
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
    if (windows.length === 0) return deltaEntry(ctx, forward.activated.shape, flat, chain(lhs, '0'));
    const pieces = (term: (w: number) => string) => elidePieces(windows.map((w, k) => `${k === 0 ? '' : '+ '}${term(w)} \\cdot ${share}`), ctx.elision.terms);
    return deltaEntry(ctx, forward.activated.shape, flat, chain(
      lhs,
      pieces((w) => partial('L', zName(w))),
      withValues(pieces((w) => operandTex(gradients.pooled.data[w])), windows.map((w) => gradients.pooled.data[w])),
      value(gradients.activated.data[flat]),
    ));
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

export const poolSteps: StageSteps = {
  forward: (ctx) => [poolStep(ctx)],
  backward: (ctx) => [ctx.problem.pool!.type === 'max' ? maxPoolStep(ctx) : avgPoolStep(ctx)],
};
