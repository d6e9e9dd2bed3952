// The loss over several optimizer steps, as an SVG line: the problem solved again with more steps.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const element = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, String(v));
  if (text !== undefined) element.textContent = text;
  return element;
}

const short = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : String(Number(x.toPrecision(4))));

/** losses[k]: the loss before step k + 1. */
export function lossCurve(losses: readonly number[], labels: { step: string; loss: string; log: string }): HTMLElement {
  const [width, height, left, bottom, top, right] = [360, 190, 58, 30, 24, 12];
  const finite = losses.filter(Number.isFinite);
  // A loss that grows or falls by orders of magnitude (a learning rate too large) is drawn on a log scale.
  const positive = finite.filter((v) => v > 0);
  const log = positive.length === finite.length && positive.length > 1 && Math.max(...positive) / Math.min(...positive) > 1000;
  const scale = (v: number) => (log ? Math.log10(v) : v);
  const low = log ? Math.min(...positive) : Math.min(0, ...finite);
  const high = Math.max(...finite, low * (log ? 10 : 1) + (log ? 0 : 1e-12));
  const x = (k: number) => left + (losses.length <= 1 ? 0 : (k / (losses.length - 1)) * (width - left - right));
  const y = (v: number) => top + (1 - (scale(v) - scale(low)) / (scale(high) - scale(low))) * (height - top - bottom);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'curve' });
  chart.append(
    svg('line', { x1: left, y1: y(low), x2: width - right, y2: y(low), class: 'axis' }),
    svg('line', { x1: left, y1: top, x2: left, y2: height - bottom, class: 'axis' }),
    svg('text', { x: left - 6, y: y(high) + 4, 'text-anchor': 'end' }, short(high)),
    svg('text', { x: left - 6, y: y(low) + 4, 'text-anchor': 'end' }, short(low)),
    svg('text', { x: (left + width - right) / 2, y: height - 4, 'text-anchor': 'middle' }, labels.step),
    svg('text', { x: 4, y: 12 }, log ? `${labels.loss} (${labels.log})` : labels.loss),
    svg('polyline', { points: losses.flatMap((v, k) => (Number.isFinite(v) ? [`${x(k)},${y(v)}`] : [])).join(' '), class: 'line' }),
  );
  losses.forEach((v, k) => {
    if (!Number.isFinite(v) || (log && v <= 0)) return;
    const dot = svg('circle', { cx: x(k), cy: y(v), r: 3, class: 'dot' });
    dot.append(svg('title', {}, `${labels.step} ${k}: L = ${v}`));
    chart.append(dot);
    if (losses.length <= 12 || k === 0 || k === losses.length - 1) chart.append(svg('text', { x: x(k), y: height - bottom + 13, 'text-anchor': 'middle' }, String(k)));
  });
  return h('div', { class: 'curve-box' }, chart);
}
