// A figure's panels as SVG: inline in the HTML page (its captions typeset by KaTeX beside it), or as a
// standalone file beside the Markdown, captions in Unicode, on white so that any viewer shows it.
import type { Block, Panel } from '../derivation/step.js';
import { colourName } from '../derivation/palette.js';
import { plotLayout } from './plot.js';
import { texToUnicode } from './unicode.js';

const CELL = 26;
const LABEL = 30;
const GAP = 22;
const CAPTION = 22;

const SPECIALS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => SPECIALS[c]);

/** One panel's cells at (x0, y0): shaded cells in their colour, faint text for padding, the corner values small. */
function panelBody(p: Panel, x0: number, y0: number): string {
  const left = x0 + (p.rowLabels ? LABEL : 0);
  const top = y0 + (p.colLabels ? 14 : 0);
  const parts: string[] = [];
  p.colLabels?.forEach((label, c) => parts.push(`<text x="${left + c * CELL + CELL / 2}" y="${top - 4}" font-size="8" text-anchor="middle" fill-opacity="0.7">${escape(texToUnicode(label))}</text>`));
  p.rowLabels?.forEach((label, r) => parts.push(`<text x="${left - 4}" y="${top + r * CELL + CELL / 2}" font-size="9" text-anchor="end" dominant-baseline="central" fill="${colourName(r)}">${escape(texToUnicode(label))}</text>`));
  p.cells.forEach((cell, k) => {
    const [x, y] = [left + (k % p.cols) * CELL, top + Math.floor(k / p.cols) * CELL];
    const fill = cell.fill === undefined ? 'fill="none"' : `fill="${colourName(cell.fill)}" fill-opacity="${cell.strong ? 0.45 : 0.22}"`;
    parts.push(`<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" ${fill} stroke="currentColor" stroke-opacity="0.25"/>`);
    // With a corner number: the cell's own number bottom left, the corner's top right.
    const [tx, ty] = cell.corner ? [x + CELL * 0.32, y + CELL * 0.7] : [x + CELL / 2, y + CELL / 2];
    const name = /^([a-z])(\d+)$/.exec(cell.text);
    const shown = name ? texToUnicode(`${name[1]}_{${name[2]}}`) : cell.text;
    parts.push(`<text x="${tx}" y="${ty}" text-anchor="middle" dominant-baseline="central" font-size="10"${cell.faint ? ' fill-opacity="0.45"' : ''}${cell.strong ? ' font-weight="bold"' : ''}>${escape(shown)}</text>`);
    if (cell.corner) parts.push(`<text x="${x + CELL - 2}" y="${y + 7}" text-anchor="end" font-size="7" fill="${colourName(cell.fill ?? 0)}">×${escape(cell.corner)}</text>`);
  });
  return parts.join('');
}

export function panelSize(p: Panel): { width: number; height: number } {
  return { width: p.cols * CELL + (p.rowLabels ? LABEL : 0) + 2, height: p.rows * CELL + (p.colLabels ? 14 : 0) + 2 };
}

/** One panel as an inline <svg> for the HTML page, in the page's text colour. */
export function panelSvg(p: Panel): string {
  const { width, height } = panelSize(p);
  return `<svg viewBox="-1 -1 ${width} ${height}" width="${width}" role="img" font-family="inherit" fill="currentColor">${panelBody(p, 0, 0)}</svg>`;
}

/** A whole figure as a standalone SVG file: its panels in a row that wraps, each captioned. */
export function figureFileSvg(block: Extract<Block, { kind: 'figure' }>): string {
  const sizes = block.panels.map(panelSize);
  const maxWidth = 640;
  let [x, y, rowHeight, width] = [0, 0, 0, 0];
  const placed = block.panels.map((p, k) => {
    const size = sizes[k];
    if (x > 0 && x + size.width > maxWidth) {
      [x, y] = [0, y + rowHeight + CAPTION + GAP];
      rowHeight = 0;
    }
    const at = { x, y };
    x += size.width + GAP;
    rowHeight = Math.max(rowHeight, size.height);
    width = Math.max(width, x - GAP);
    return { p, at, size };
  });
  const height = y + rowHeight + CAPTION;
  const body = placed.map(({ p, at, size }) => {
    const caption = `<text x="${at.x + size.width / 2}" y="${at.y + size.height + 15}" text-anchor="middle" font-size="13"${p.colour === undefined ? '' : ` fill="${colourName(p.colour)}"`}>${escape(texToUnicode(p.caption))}</text>`;
    return `${panelBody(p, at.x, at.y)}${caption}`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-9 -9 ${width + 18} ${height + 18}" width="${width + 18}" height="${height + 18}" font-family="DejaVu Sans, Arial, sans-serif" fill="#1d1f23" color="#1d1f23"><rect x="-9" y="-9" width="${width + 18}" height="${height + 18}" fill="#ffffff"/>${body.join('')}</svg>\n`;
}

/**
 * A line chart (the loss over the steps) in SVG: inline in the page's text colour, or standalone on white
 * for a Markdown file. The labels are plain text, already escaped for HTML by the caller.
 */
export function plotSvg(block: Extract<Block, { kind: 'plot' }>, xLabel: string, yLabel: string, standalone: boolean): string {
  const [width, height, left, bottom, top] = [460, 200, 70, 40, 34];
  const layout = plotLayout(block.x, block.y, width, height);
  const px = (x: number) => (left + x).toFixed(2);
  const py = (y: number) => (top + height - y).toFixed(2);
  const points = layout.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ');
  const dots = layout.points.map(([x, y]) => `<circle cx="${px(x)}" cy="${py(y)}" r="3"/>`).join('');
  const xTicks = layout.xTicks.map((t) => `<text x="${px(t.at)}" y="${top + height + 18}" text-anchor="middle">${escape(t.label)}</text>`).join('');
  const yTicks = layout.yTicks.map((t) => `<text x="${left - 8}" y="${py(t.at)}" text-anchor="end" dominant-baseline="middle">${escape(t.label)}</text>`).join('');
  const axes = `<path d="M${left},${top} V${top + height} H${left + width + 10}" fill="none" stroke="currentColor" stroke-opacity="0.5"/>`;
  const labels = `<text x="${left + width + 14}" y="${top + height + 4}">${xLabel}</text><text x="${left}" y="${top - 18}" text-anchor="middle">${yLabel}</text>`;
  const [w, h] = [left + width + 70, top + height + bottom];
  const body = `${axes}${xTicks}${yTicks}${labels}<polyline points="${points}" fill="none" stroke="currentColor" stroke-width="2"/>${dots}`;
  if (!standalone) return `<svg viewBox="0 0 ${w} ${h}" role="img" font-size="13" fill="currentColor">${body}</svg>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" font-size="13" font-family="DejaVu Sans, Arial, sans-serif" fill="#1d1f23" color="#1d1f23"><rect width="${w}" height="${h}" fill="#ffffff"/>${body}</svg>\n`;
}
