// Breaking an equation chain into lines of a readable width, the same way in every format.
import type { Chain } from '../derivation/step.js';

/** About how many characters of math fit on a line of an A4 page at 11pt. */
export const LINE_WIDTH = 72;

/**
 * The body of an aligned environment for some chains, aligned at their = signs, groups of chains set apart:
 *   lhs &= side … = side \\ &= side … \\ &\quad + piece …
 * A side starts a new line when the current one is full; a side too long for a line breaks between its pieces.
 * Chains with the same line key share a line while they fit, each in its own pair of columns:
 *   lhs &= side & lhs &= side
 */
export function alignedBody(chains: readonly Chain[], groupSize?: number, width = LINE_WIDTH): string {
  const startsGroup = (i: number) => groupSize !== undefined && i % groupSize === 0;
  return lineRows(chains, width)
    .map(({ first, row }) => {
      const separator = first === 0 ? '' : startsGroup(first) ? ' \\\\[2.2ex]\n' : ' \\\\[0.6ex]\n';
      return separator + (row.length === 1 ? chainLines(row[0], width).join(' \\\\\n') : row.map((c) => chainLines(c, width)[0]).join(' & '));
    })
    .join('');
}

/**
 * The chains in rows, each with the index of its first chain: a chain joins the row before it when
 * it has the row's line key and the row still has room for it.
 */
function lineRows(chains: readonly Chain[], width: number): { first: number; row: Chain[] }[] {
  const rows: { first: number; row: Chain[] }[] = [];
  let used = 0;
  chains.forEach((c, i) => {
    const last = rows.at(-1)?.row;
    const own = chainWidth(c);
    if (last && c.line !== undefined && last[0].line === c.line && used + SHARED_GAP + own <= width) {
      last.push(c);
      used += SHARED_GAP + own;
    } else {
      rows.push({ first: i, row: [c] });
      used = own;
    }
  });
  return rows;
}

/** Characters of space between chains that share a line. */
const SHARED_GAP = 4;

/** The width of a chain set on one line. */
function chainWidth(chain: Chain): number {
  return chain.sides.reduce((sum, side) => sum + side.reduce((s, piece) => s + visibleWidth(piece) + 1, 2), visibleWidth(chain.lhs));
}

function chainLines(chain: Chain, width: number): string[] {
  const lines: string[] = [];
  let line = `${chain.lhs} &`;
  let used = visibleWidth(chain.lhs);
  let fresh = true;
  chain.sides.forEach((side, sideIndex) => {
    const sideWidth = side.reduce((sum, piece) => sum + visibleWidth(piece) + 1, 2);
    if (!fresh && used + sideWidth > width) {
      lines.push(line);
      line = '&';
      used = visibleWidth(chain.lhs);
    }
    line += chain.rounded?.[sideIndex] ? ' \\approx' : ' =';
    used += 2;
    side.forEach((piece, index) => {
      const pieceWidth = visibleWidth(piece) + 1;
      if (index > 0 && used + pieceWidth > width) {
        lines.push(line);
        line = '& \\quad';
        used = visibleWidth(chain.lhs) + 2;
      }
      line += ` ${piece}`;
      used += pieceWidth;
    });
    fresh = false;
  });
  lines.push(line);
  return lines;
}

const SINGLE_GLYPH = /\\(?:[a-zA-Z]+)/g;
// Binary operators and relations are set with space on both sides: they take about two and a half glyphs.
const SPACED = /\\(?:cdot|star|times)|[+\-=]/g;

/**
 * An estimate of how wide some LaTeX math is, in characters: a matrix is as wide as its widest row,
 * a fraction as its wider part, sub- and superscripts count for less, commands for one glyph.
 */
export function visibleWidth(tex: string): number {
  const matrix = /\\begin\{bmatrix\}([\s\S]*?)\\end\{bmatrix\}/;
  let rest = tex;
  let extra = 0;
  for (let m = matrix.exec(rest); m; m = matrix.exec(rest)) {
    const rows = m[1].split('\\\\').map((row) => row.split('&').reduce((sum, cell) => sum + visibleWidth(cell) + 1.5, 1));
    extra += Math.max(...rows);
    rest = rest.slice(0, m.index) + rest.slice(m.index + m[0].length);
  }
  rest = rest.replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, (_, a: string, b: string) => 'x'.repeat(Math.ceil(Math.max(visibleWidth(a), visibleWidth(b)))));
  let width = 0;
  let scripted = 0;
  rest = rest.replace(/\\(left|right|quad|,|;|!)/g, '').replace(SPACED, '\u2003').replace(SINGLE_GLYPH, 'x');
  for (let i = 0; i < rest.length; i++) {
    const char = rest[i];
    if (char === '_' || char === '^') {
      const group = rest[i + 1] === '{' ? rest.slice(i + 2, rest.indexOf('}', i + 2)) : rest[i + 1] ?? '';
      scripted += group.replace(/[{}\s]/g, '').length * 0.6;
      i += rest[i + 1] === '{' ? group.length + 2 : 1;
    } else if (char === '\u2003') width += 2.4;
    else if (!'{} '.includes(char)) width += 1;
  }
  return width + scripted + extra;
}
