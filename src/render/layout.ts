// Breaking an equation chain into lines of a readable width, the same way in every format.
import type { Chain, TableCell } from '../derivation/step.js';

/**
 * How many glyphs of math, as visibleWidth counts them, fit on a line of an A4 page at 10pt with 1.8 cm
 * margins (17.4 cm): measured with TeX on the chains of three derivations, 87 of the widest kind, 101 of
 * the median.
 */
export const LINE_WIDTH = 87;
/** The same for a screen: the HTML page's column and Markdown as GitHub shows it. */
export const SCREEN_LINE_WIDTH = 80;

/**
 * The bodies of aligned environments for some chains, aligned at their = signs, groups of chains set apart:
 *   lhs &= side … = side \\ &= side … \\ &\quad + piece …
 * A side starts a new line when the current one is full; a side too long for a line breaks between its pieces.
 * Chains with the same line key (the entries of one rule, the planes of a tensor) are set in a grid of as
 * many columns as fit, each a pair of columns: lhs &= side & lhs &= side. An aligned environment gives
 * a column the width of its widest entry in any row, so runs whose columns do not fit together are set
 * in environments of their own, one after the other.
 * `cell`, where given, wraps each cell of a chain's lines (its lhs; the rest of each line) as it likes:
 * the HTML page's hooks. It never changes where lines break.
 */
export function alignedBodies(chains: readonly Chain[], groupSize?: number, width = LINE_WIDTH, cell?: CellWrapper): string[] {
  const startsGroup = (i: number) => groupSize !== undefined && i % groupSize === 0;
  const bodies: { columns: number[]; text: string }[] = [];
  for (const run of gridRuns(chains, width)) {
    const last = bodies.at(-1);
    const merged = last ? mergeColumns(last.columns, run.columns) : run.columns;
    const rows = run.rows
      .map(({ first, row, within }, k) => {
        const separator = k === 0 ? '' : startsGroup(first) ? ' \\\\[2.2ex]\n' : ' \\\\[0.4ex]\n';
        return separator + (row.length === 1 ? chainLines(row[0], within ?? width, cell).join(' \\\\\n') : row.map((c) => chainLines(c, width, cell)[0]).join(' & '));
      })
      .join('');
    // Set together only with room to spare: an aligned environment's columns take the widest of every
    // row. Chains one to a row always share (their column is at most a line wide).
    if (last && (merged.length === 1 || total(merged) <= width - SHARED_GAP)) {
      const separator = startsGroup(run.rows[0].first) ? ' \\\\[2.2ex]\n' : ' \\\\[0.4ex]\n';
      last.text += separator + rows;
      last.columns = merged;
    } else bodies.push({ columns: run.columns, text: rows });
  }
  return bodies.map((b) => b.text);
}

/** The chains as the body of one aligned environment (callers that set their own width or environment split with alignedBodies). */
export function alignedBody(chains: readonly Chain[], groupSize?: number, width = LINE_WIDTH, cell?: CellWrapper): string {
  return alignedBodies(chains, groupSize, width, cell).join(' \\\\[0.4ex]\n');
}

/** A cell of a chain's line as it is to be set: its TeX, or that TeX wrapped (a cell never holds a line break or an &). */
export type CellWrapper = (chain: Chain, tex: string) => string;

interface Run {
  /** The rows, each with the index of its first chain; a chain too wide for its grid is broken `within` a column's width. */
  readonly rows: { first: number; row: Chain[]; within?: number }[];
  /** The width of each column (pair), the widest of its entries, with the gap after it. */
  readonly columns: number[];
}

/**
 * Consecutive chains with the same line key laid out in a grid of as many columns as fit (the same for
 * every row of the run); a chain without a key is a run of its own.
 */
function gridRuns(chains: readonly Chain[], width: number): Run[] {
  const runs: Run[] = [];
  let start = 0;
  while (start < chains.length) {
    let end = start + 1;
    const key = chains[start].line;
    while (key !== undefined && end < chains.length && chains[end].line === key) end++;
    runs.push(...gridSegments(chains.slice(start, end), start, width));
    start = end;
  }
  return runs;
}

/**
 * One run of chains with a line key in a grid of the most columns that most of them fit. A chain too
 * wide for a column gets a row of its own, broken to the column's width, so that every row keeps the
 * grid's columns (an aligned environment sizes a column by its widest entry in any row).
 */
function gridSegments(run: readonly Chain[], offset: number, width: number): Run[] {
  const widths = run.map(chainWidth);
  // The number of columns that sets the run in the fewest rows (a chain too wide for a column takes a row of its own).
  const rowsWith = (c: number) => {
    const budget = (width - SHARED_GAP * (c - 1)) / c;
    let [rows, pending] = [0, 0];
    for (const w of widths) {
      if (w > budget) [rows, pending] = [rows + (pending > 0 ? 1 : 0) + 1, 0];
      else if (++pending === c) [rows, pending] = [rows + 1, 0];
    }
    return rows + (pending > 0 ? 1 : 0);
  };
  let columns = 1;
  for (let c = 2; c <= Math.min(run.length, 8); c++) if (rowsWith(c) < rowsWith(columns)) columns = c;
  // Chains of very different widths (a 5 × 5 matrix beside short values) fill rows better one row at a
  // time, each its own environment, than in a grid whose columns are as wide as their widest entry.
  const greedy: number[][] = [];
  let used = Infinity;
  widths.forEach((w, k) => {
    if (used + SHARED_GAP + w <= width) {
      greedy[greedy.length - 1].push(k);
      used += SHARED_GAP + w;
    } else {
      greedy.push([k]);
      used = w;
    }
  });
  if (greedy.length < rowsWith(columns)) {
    return greedy.map((row) => ({ rows: [{ first: offset + row[0], row: row.map((k) => run[k]) }], columns: row.map((k, j) => Math.min(widths[k], width) + (j < row.length - 1 ? SHARED_GAP : 0)) }));
  }
  if (columns === 1) return run.map((_, k) => ({ rows: [{ first: offset + k, row: [run[k]] }], columns: [Math.min(widths[k], width)] }));
  const budget = (width - SHARED_GAP * (columns - 1)) / columns;
  const rows: Run['rows'] = [];
  let pending: number[] = [];
  const flush = () => {
    if (pending.length > 0) rows.push({ first: offset + pending[0], row: pending.map((i) => run[i]) });
    pending = [];
  };
  widths.forEach((w, k) => {
    if (w > budget) {
      flush();
      rows.push({ first: offset + k, row: [run[k]], within: budget });
    } else {
      pending.push(k);
      if (pending.length === columns) flush();
    }
  });
  flush();
  const narrow = widths.filter((w) => w <= budget);
  const columnWidths = Array.from({ length: columns }, (_, j) => Math.min(budget, Math.max(...narrow)) + (j < columns - 1 ? SHARED_GAP : 0));
  return [{ rows, columns: columnWidths }];
}

function mergeColumns(a: readonly number[], b: readonly number[]): number[] {
  return Array.from({ length: Math.max(a.length, b.length) }, (_, j) => Math.max(a[j] ?? 0, b[j] ?? 0));
}

function total(columns: readonly number[]): number {
  return columns.reduce((sum, w) => sum + w, 0);
}

/**
 * A table cell as LaTeX math: its chains, if it holds chains, laid out as in a display of the given
 * width, each aligned environment a line of an outer one that sets them flush left (one environment
 * would give every row the widest columns of all).
 */
export function cellTex(cell: TableCell, width: number): string {
  if (typeof cell === 'string') return cell;
  const bodies = alignedBodies(cell.chains, undefined, width).map((body) => `\\begin{aligned}${body}\\end{aligned}`);
  return bodies.length === 1 ? bodies[0] : `\\begin{aligned}${bodies.map((body) => `& ${body}`).join(' \\\\[0.6ex] ')}\\end{aligned}`;
}

/** Glyphs of space between chains that share a line (align's gap between column pairs). */
const SHARED_GAP = 4;
/** An = or ≈ between two sides, with its space. */
const RELATION = 2.6;

/** The width of a chain set on one line. */
function chainWidth(chain: Chain): number {
  return chain.sides.reduce((sum, side) => sum + side.reduce((s, piece) => s + visibleWidth(piece), RELATION), visibleWidth(chain.lhs));
}

/**
 * One chain in lines: a side moves to a new line when it does not fit on the current one; a side too
 * long for a line breaks between its pieces, and never so that a line holds a single term of a sum
 * (the last term joined by the one before it).
 */
function chainLines(chain: Chain, width: number, cell?: CellWrapper): string[] {
  const lines: string[] = [];
  const indent = visibleWidth(chain.lhs);
  // A line is the lhs and " &" (the first) or "&", then the rest: with a wrapper, the lhs and the rest wrapped.
  const wrap = (line: string) => {
    if (!cell) return line;
    const first = lines.length === 0;
    const right = line.slice(first ? chain.lhs.length + 2 : 1);
    return `${first ? `${cell(chain, chain.lhs)} ` : ''}&${right === '' ? '' : cell(chain, right)}`;
  };
  let line = `${chain.lhs} &`;
  let used = indent;
  let fresh = true;
  chain.sides.forEach((side, sideIndex) => {
    const widths = side.map((piece) => visibleWidth(piece));
    const sideWidth = widths.reduce((sum, w) => sum + w, RELATION);
    if (!fresh && used + sideWidth > width) {
      lines.push(wrap(line));
      line = '&';
      used = indent;
    }
    line += chain.rounded?.[sideIndex] ? ' \\approx' : ' =';
    used += RELATION;
    breakPieces(widths, width - used, width - indent - 2).forEach((pieces, k) => {
      if (k > 0) {
        lines.push(wrap(line));
        line = '& \\quad';
        used = indent + 2;
      }
      for (const index of pieces) {
        line += ` ${side[index]}`;
        used += widths[index];
      }
    });
    fresh = false;
  });
  lines.push(wrap(line));
  return lines;
}

/**
 * The pieces of a side in lines: as many on each as fit (the first line has `first` left, the others
 * `rest`), each line at least one piece; a last line of one piece takes the one before it along.
 */
function breakPieces(widths: readonly number[], first: number, rest: number): number[][] {
  const lines: number[][] = [[]];
  let room = first;
  widths.forEach((w, index) => {
    const current = lines[lines.length - 1];
    if (current.length > 0 && w > room) {
      lines.push([]);
      room = rest;
    }
    lines[lines.length - 1].push(index);
    room -= w;
  });
  const [before, last] = [lines[lines.length - 2], lines[lines.length - 1]];
  if (before && last.length === 1 && before.length > 2) last.unshift(before.pop()!);
  return lines;
}

/** The braced group that starts at text[open] ('{'), without its braces, and the index after it. */
function group(text: string, open: number): [string, number] {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return [text.slice(open + 1, i), i + 1];
  }
  return [text.slice(open + 1), text.length];
}

/** Each \\frac{a}{b} (or \\dfrac) as wide as its wider part: placeholders of that many glyphs. */
function replaceFractions(tex: string): string {
  const at = tex.search(/\\d?frac\{/);
  if (at < 0) return tex;
  const [numerator, afterNumerator] = group(tex, tex.indexOf('{', at));
  const [denominator, end] = tex[afterNumerator] === '{' ? group(tex, afterNumerator) : ['', afterNumerator];
  const width = Math.ceil(Math.max(visibleWidth(numerator), visibleWidth(denominator)));
  return `${tex.slice(0, at)}${'x'.repeat(width)}${replaceFractions(tex.slice(end))}`;
}

/** Large operators, as wide as about two glyphs or their limits, whichever is wider. */
const BIG = new Set(['sum', 'max', 'min', 'prod']);
/** Spaces by their width in glyphs; \left and \right take none of their own. */
const SPACES: Record<string, number> = { quad: 2, qquad: 4, ',': 0.3, ';': 0.5, ':': 0.4, '!': 0, ' ': 0.5, left: 0, right: 0 };
/** Binary operators and relations are set with space on both sides: about two and a half glyphs (but not in a sub- or superscript). */
const SPACED = new Set(['cdot', 'star', 'times', 'odot', 'approx', 'le', 'ge', 'ni', 'in']);

/** A script's argument at text[at]: a braced group, a command, or one character; and the index after it. */
function scriptArgument(text: string, at: number): [string, number] {
  if (text[at] === '{') return group(text, at);
  const command = /^\\[a-zA-Z]+/.exec(text.slice(at));
  return command ? [command[0], at + command[0].length] : [text[at] ?? '', at + 1];
}

/**
 * An estimate of how wide some LaTeX math is, in glyphs: a matrix as its columns' widest cells, a
 * fraction as its wider part, sub- and superscripts smaller and stacked, a sum as wide as its limits.
 */
export function visibleWidth(tex: string, script = false): number {
  const matrix = /\\begin\{bmatrix\}([\s\S]*?)\\end\{bmatrix\}/;
  let rest = tex;
  let extra = 0;
  for (let m = matrix.exec(rest); m; m = matrix.exec(rest)) {
    // A bmatrix: each column as wide as its widest cell, 2\arraycolsep (about 2.2 glyphs) between
    // columns, and the brackets.
    const cells = m[1].split('\\\\').map((row) => row.split('&').map((cell) => visibleWidth(cell)));
    const columns = Math.max(...cells.map((row) => row.length));
    const widest = Array.from({ length: columns }, (_, j) => Math.max(...cells.map((row) => row[j] ?? 0)));
    extra += widest.reduce((sum, w) => sum + w, 0) + 2.2 * (columns - 1) + 2;
    rest = rest.slice(0, m.index) + rest.slice(m.index + m[0].length);
  }
  // Colour is no width; \operatorname{rot} and \mathrm{buf} are as wide as their letters.
  rest = rest.replace(/\\textcolor\{[^{}]*\}/g, '').replace(/\\(?:operatorname|mathrm|mathsf|texttt|text)\{([^{}]*)\}/g, '$1');
  rest = replaceFractions(rest);
  const scripts = (at: number): [number, number] => {
    // _{…}^{…} stack: as wide as the wider
    let width = 0;
    let i = at;
    while (rest[i] === '_' || rest[i] === '^') {
      const [argument, next] = scriptArgument(rest, i + 1);
      width = Math.max(width, visibleWidth(argument, true) * 0.75);
      i = next;
    }
    return [width, i];
  };
  let width = 0;
  for (let i = 0; i < rest.length; ) {
    const char = rest[i];
    if (char === '\\') {
      const name = /^\\([a-zA-Z]+|.)/.exec(rest.slice(i))![1];
      i += name.length + 1;
      if (BIG.has(name)) {
        const [limits, next] = scripts(i);
        width += Math.max(4.2, limits + 1);
        i = next;
      } else if (name in SPACES) width += SPACES[name];
      else if (SPACED.has(name)) width += script ? 1 : 2.4;
      else width += 1;
    } else if (char === '_' || char === '^') {
      const [scripted, next] = scripts(i);
      width += scripted;
      i = next;
    } else {
      // A binary + − = takes space on both sides; a sign (−2, after an opening or at the start) does not.
      const unary = char === '-' && /^[\s(&{]*$/.test(rest.slice(Math.max(0, i - 2), i));
      if ('+-='.includes(char)) width += script || unary ? 1 : 2.4;
      // Digits are narrower than letters, and a decimal point or comma narrower still.
      else if (/\d/.test(char)) width += 0.88;
      else if (char === '.' || char === ',') width += 0.45;
      else if (!'{} '.includes(char)) width += 1;
      i++;
    }
  }
  return width + extra;
}
