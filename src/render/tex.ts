// The LaTeX document: pdflatex for English, xelatex (ctex) for Chinese; standard packages only.
import type { Text } from '../derivation/step.js';
import { alignedBodies, alignedBody, cellTex, LINE_WIDTH } from './layout.js';
import { generatedText, headingless, headings, renderBody, runInEnd, sentenceJoiner, type RenderOptions } from './document.js';
import { fillTemplate, readTemplate } from './templates.js';
import { segments } from './text.js';
import type { Block, Derivation, TableCell } from '../derivation/step.js';
import { plotLayout } from './plot.js';
import { stringsFor, type Language, type Strings } from '../strings/strings.js';
import { colourName } from '../derivation/palette.js';

const TEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '%': '\\%',
  _: '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
};

/** Plain text made inert for LaTeX: every special character printed as itself, never read as a command. */
export function escapeTex(text: string): string {
  return breakLigatures(text.replace(/[\\{}$&#%_^~<>|]/g, (c) => TEX_SPECIALS[c]).replace(/\s+/g, ' '));
}

// The font's TeX ligatures: -- and --- (dashes), `` and '' (quotes), ,, (a low quote), !` and ?` (Spanish marks).
const LIGATURE_START = /-(?=-)|[`'](?=[`'])|,(?=,)|[!?](?=`)/g;

/** Two characters that a font would set as one ligature kept two: "x--y" prints two hyphens, as typed. */
function breakLigatures(tex: string): string {
  return tex.replace(LIGATURE_START, '$&{}');
}

/** A word that long has places to break (a title of one 200-letter word stays inside the margins). */
const LONG_WORD = 32;

/** Plain text escaped as escapeTex does, with a break allowed every LONG_WORD / 2 characters of a long word. */
function breakableTex(text: string): string {
  return text
    .split(/(\s+)/)
    .map((word) => {
      const chars = Array.from(word);
      if (chars.length <= LONG_WORD) return escapeTex(word);
      const pieces: string[] = [];
      for (let k = 0; k < chars.length; k += LONG_WORD / 2) pieces.push(escapeTex(chars.slice(k, k + LONG_WORD / 2).join('')));
      return pieces.join('\\allowbreak{}');
    })
    .join('');
}

/** Where a character of a title is set: Latin Modern, a fallback font of the preamble, or nowhere (an invisible format character). */
type TitleFont = 'main' | 'cjk' | 'rtl' | 'symbols' | 'other' | 'invisible';

// Latin to Latin Extended-A, its punctuation and Latin Modern's own symbols; then the scripts Latin Modern has no glyphs of.
function titleFont(code: number): TitleFont {
  if (code < 0x180 || (code >= 0x1e00 && code < 0x1f00) || (code >= 0x2010 && code < 0x2028) || code === 0x20ac) return 'main';
  if ((code >= 0x200b && code < 0x2010) || (code >= 0x2028 && code < 0x2030) || (code >= 0x2060 && code < 0x2070) || code === 0xfeff || (code >= 0xfe00 && code < 0xfe10)) return 'invisible';
  if ((code >= 0x2e80 && code < 0xa000) || (code >= 0xac00 && code < 0xd7b0) || (code >= 0xf900 && code < 0xfb00) || (code >= 0xff00 && code < 0xfff0) || (code >= 0x20000 && code < 0x31350)) return 'cjk';
  if ((code >= 0x590 && code < 0x900) || (code >= 0xfb1d && code < 0xfe00) || (code >= 0xfe70 && code < 0xff00)) return 'rtl';
  if ((code >= 0x2190 && code < 0x2c00) || (code >= 0x1f000 && code < 0x1fb00)) return 'symbols';
  return 'other';
}

/** Characters pdflatex sets with T1, textcomp and lmodern (ASCII and Latin-1): a title of only these needs no other engine. */
const PDFLATEX_TITLE = /^[\x20-\x7e\u00a0-\u00ff\t\n\r]*$/;

/** The engine a document needs: Chinese always xelatex (ctex); English pdflatex unless its title has characters pdflatex cannot set. */
export function texEngine(derivation: Pick<Derivation, 'title'>, language: Language): 'pdflatex' | 'xelatex' {
  return language === 'zh' || !PDFLATEX_TITLE.test(derivation.title ?? '') ? 'xelatex' : 'pdflatex';
}

/**
 * A title in any script, for xelatex: escaped as plain text, each run of characters Latin Modern has
 * no glyphs of set in a font that has (CJK only where ctex does not already), a right-to-left run
 * set right to left, invisible format characters (zero-width spaces, direction marks) left out.
 */
export function titleTex(title: string, language: Language): string {
  const runs: { font: TitleFont; text: string }[] = [];
  for (const char of title) {
    let font = titleFont(char.codePointAt(0)!);
    if (font === 'invisible') continue;
    if (font === 'cjk' && language === 'zh') font = 'main';
    const last = runs.at(-1);
    if (last && last.font === font) last.text += char;
    else runs.push({ font, text: char });
  }
  return runs
    .map(({ font, text }) => {
      const tex = breakableTex(text);
      if (font === 'main') return tex;
      if (font === 'rtl') return `{\\convgradrtl\\beginR ${tex}\\endR}`;
      return `{\\convgrad${font} ${tex}}`;
    })
    .join('');
}

function textTex(text: Text, strings: Strings): string {
  return segments(text, strings)
    .map((s) => (s.kind === 'math' ? `$${s.value}$` : escapeTex(s.value)))
    .join('');
}

export function renderTex(derivation: Derivation, options: RenderOptions): string {
  const strings = stringsFor(options.language);
  // A sheet fits one page: smaller type, in two columns.
  const sheet = derivation.layout === 'sheet';
  // A reference (an answer key) is set a size smaller, 9pt: more of each line holds math.
  const write = (d: Derivation, width: number) => renderBody(d, {
    // Sections run on; a heading never ends a page (\\keepwith moves it to the next when the page is nearly full).
    section: (section, inner) => `${sheet ? '' : '\\keepwith{6\\baselineskip}\n'}\\section{${textTex(section.title, strings)}}\n\n${inner}`,
    // On a sheet, a section of one step needs no second heading.
    // The first step's heading follows its section's at once: a break between them would leave the section's alone.
    step: (step, inner, index, section) =>
      (sheet && section.steps.length === 1) || headingless(step, section)
        ? inner
        : section.runIn
          ? `${index === 0 ? '' : '\\keepwith{4\\baselineskip}\n'}\\paragraph{${textTex(step.title, strings)}${runInEnd(options.language)}}\n${inner}`
          : `${sheet || index === 0 ? '' : '\\keepwith{5\\baselineskip}\n'}\\subsection{${textTex(step.title, strings)}}\n\n${inner}`,
    text: (text) => textTex(text, strings),
    paragraph: (texts) => texts.map((t) => textTex(t, strings)).join(sentenceJoiner(options.language)),
    // A display continues the paragraph that introduces it (no page break before a display, no empty
    // line above it); a figure is kept with the sentence before it.
    between: (before, after) => {
      const words = before.kind === 'text' || before.kind === 'paragraph';
      if (after.kind === 'chains' && (words || before.kind === 'chains')) return '\n';
      return after.kind === 'figure' && words ? '\n\\keepnext\n' : '\n\n';
    },
    block: (block) => {
      if (block.kind === 'plot') return plotTex(block, strings);
      if (block.kind === 'space') return '\\vspace{7cm}';
      if (block.kind === 'figure') return figureTex(block, strings, sheet, sentenceJoiner(options.language));
      if (block.kind === 'table') return tableTex(block, strings);
      if (block.kind === 'legend') return legendTex(block, strings, sheet);
      if (block.boxed) return `\\[\n\\boxed{\\begin{aligned}\n${alignedBody(block.chains, block.groupSize, width - 4)}\n\\end{aligned}}\n\\]`;
      return alignedBodies(block.chains, block.groupSize, width).map((body) => `\\begin{align*}\n${body}\n\\end{align*}`).join('\n');
    },
  });
  // A sheet's problem, symbols and results run across the page, around its two columns of rules, so that
  // matrices stand side by side and the symbols fill three columns.
  const across = (id: string) => (sheet ? derivation.sections.filter((s) => s.id === id) : []);
  const columns = sheet ? derivation.sections.filter((s) => s.id === 'formulas') : derivation.sections;
  const width = sheet ? SHEET_LINE_WIDTH : derivation.reference ? Math.floor((LINE_WIDTH * 10) / 9) : LINE_WIDTH;
  const wide = (id: string) => (across(id).length > 0 ? write({ ...derivation, sections: across(id) }, SHEET_PAGE_WIDTH) : '');
  const body = write({ ...derivation, sections: columns }, width);
  const { heading, subtitle } = headings(derivation, strings);
  const engine = texEngine(derivation, options.language);
  const generated = textTex(generatedText(options), strings);
  const laidOut = sheet ? `${fillTemplate('sheet.tex', { generated, language: readTemplate(`sheet.${options.language}.tex`).trimEnd() }).trimEnd()}\n${wide('problem')}\n\\begin{multicols}{2}\n${body}\n\\end{multicols}\n${wide('legend')}\n${wide('summary')}` : body;
  return fillTemplate('derivation.tex', {
    engine,
    preamble: preamble(derivation, options.language, engine),
    matrixColumns: `${widestMatrix(laidOut)}`,
    margin: sheet ? '1.3cm' : '1.8cm',
    heading: derivation.title !== undefined && engine === 'xelatex' ? titleTex(heading, options.language) : breakableTex(heading),
    headingSize: '\\Large',
    subtitle: subtitle === undefined ? '' : `\\vspace{0.4em}{\\large ${escapeTex(subtitle)}\\par}`,
    intro: sheet ? '' : derivation.intro.map((t) => textTex(t, strings)).join('\n\n'),
    body: derivation.reference ? `\\small\n${laidOut}` : laidOut,
    closing: sheet ? '' : `\\vfill\n{\\footnotesize ${generated}\\par}`,
  });
}

/** The most columns of any matrix of a document, 20 at least (amsmath's MaxMatrixCols must be that many). */
function widestMatrix(body: string): number {
  let widest = 20;
  for (const m of body.matchAll(/\\begin\{bmatrix\}([\s\S]*?)\\end\{bmatrix\}/g)) {
    for (const row of m[1].split('\\\\')) widest = Math.max(widest, row.split('&').length);
  }
  return widest;
}

/** The preamble of the language and engine, with the title's fonts (templates/title-fonts.tex) where the title needs them. */
function preamble(derivation: Derivation, language: Language, engine: 'pdflatex' | 'xelatex'): string {
  if (engine === 'pdflatex') return readTemplate('preamble.en.tex').trimEnd();
  const base = readTemplate(language === 'en' ? 'preamble.en.xetex.tex' : 'preamble.zh.tex').trimEnd();
  const fonts = [...(derivation.title ?? '')].some((c) => !['main', 'invisible', ...(language === 'zh' ? ['cjk'] : [])].includes(titleFont(c.codePointAt(0)!)));
  return fonts ? `${base}\n${readTemplate('title-fonts.tex').trimEnd()}` : base;
}

// A table that may run over pages (the answers at a glance, a trajectory): longtable in one chunk, so
// that its columns are right on the first run of TeX (a longtable measures chunk by chunk and
// settles its widths only on a later run, and one run is all a PDF gets); hence no header repeated.
function tableTex(block: Extract<Block, { kind: 'table' }>, strings: Strings): string {
  const header = block.header.map((t) => `\\textbf{${textTex(t, strings)}}`).join(' & ');
  // Rows of several lines of chains (an exercise's answers) set further apart than rows of single values.
  const gap = (row: readonly TableCell[]) => (row.some((cell) => typeof cell !== 'string') ? '2ex' : '0.6ex');
  const rows = block.rows
    .map((row) => row.map((cell) => (cell === '' ? '' : `$\\displaystyle ${cellTex(cell, TABLE_CELL_WIDTH)}$`)).join(' & '))
    .map((row, k) => (k === 0 ? `${row} \\\\` : `\\addlinespace[${gap(block.rows[k])}]\n${row} \\\\`))
    .join('\n');
  return `{\\small\\LTchunksize=${block.rows.length + 2}\n\\begin{longtable}{${'l'.repeat(block.header.length)}}\n\\toprule\n${header} \\\\\n\\midrule\n${rows}\n\\bottomrule\n\\end{longtable}}`;
}

// The legend: each symbol beside its meaning, ragged right, in two columns on a page (three across a sheet, a size smaller).
function legendTex(block: Extract<Block, { kind: 'legend' }>, strings: Strings, sheet: boolean): string {
  const items = block.entries.map((e) => `\\legendentry{$${e.symbol}$}{${textTex(e.meaning, strings)}}`).join('\n');
  return sheet ? `\\begin{multicols}{3}\\scriptsize\\raggedright\n${items}\n\\end{multicols}` : `\\begin{multicols}{2}\\footnotesize\\raggedright\n${items}\n\\end{multicols}`;
}

// A TikZ line chart 10 cm × 4.5 cm: axes, the points joined, the first and last values marked.
function plotTex(block: Extract<Block, { kind: 'plot' }>, strings: Strings): string {
  const layout = plotLayout(block.x, block.y, 10, 4.5);
  const line = layout.points.map(([x, y]) => `(${x},${y})`).join(' -- ');
  const dots = layout.points.map(([x, y]) => `\\fill (${x},${y}) circle (1.5pt);`).join(' ');
  const xTicks = layout.xTicks.map((t) => `\\draw (${t.at},0) -- (${t.at},-0.1) node[below] {\\small ${t.label}};`).join(' ');
  const yTicks = layout.yTicks.map((t) => `\\draw (0,${t.at}) -- (-0.1,${t.at}) node[left] {\\small ${t.label}};`).join(' ');
  return [
    '\\begin{center}',
    '\\begin{tikzpicture}',
    `\\draw[gray] (0,0) -- (10.3,0) node[right] {\\small ${textTex(block.xLabel, strings)}};`,
    `\\draw[gray] (0,0) -- (0,4.8) node[above] {\\small ${textTex(block.yLabel, strings)}};`,
    xTicks,
    yTicks,
    `\\draw[thick, blue!70!black] ${line};`,
    dots,
    '\\end{tikzpicture}',
    '\\end{center}',
  ].join('\n');
}

// Each panel a TikZ grid: shaded cells in their formula's colour, the turned kernel's entries small in
// the corners, padded cells' text grey, row and column labels where given, the caption below in its
// colour. Cells shrink so that a row of panels fits the text width.
function figureTex(block: Extract<Block, { kind: 'figure' }>, strings: Strings, sheet: boolean, joiner: string): string {
  const available = sheet ? 8 : 16;
  const columns = block.panels.reduce((sum, p) => sum + p.cols + (p.rowLabels ? 1.4 : 0), 0) + 0.8 * (block.panels.length - 1);
  // No taller than about 3 cm: a figure illustrates, the matrices hold the numbers.
  const rows = Math.max(...block.panels.map((p) => p.rows));
  // Cells with a second number in a corner need room for both, and longer texts (k11, x23) room for theirs.
  const corners = block.panels.some((p) => p.cells.some((c) => c.corner !== undefined));
  const longestText = Math.max(...block.panels.flatMap((p) => p.cells.map((c) => c.text.length)));
  const least = Math.max(corners ? 0.52 : 0.28, longestText >= 3 ? 0.1 * longestText + 0.2 : 0);
  const cell = round(Math.max(least, Math.min(Math.max(least, corners ? 0.6 : 0.42), available / columns, 3 / rows)));
  const panels = block.panels.map((p) => {
    // \\scriptsize where the longest text fits a cell (about 0.12 cm a character), \\tiny where it does not.
    const longest = Math.max(...p.cells.map((c) => c.text.length));
    const font = cell >= 0.38 && longest * 0.12 <= cell * 0.95 ? '\\scriptsize' : '\\tiny';
    const height = round(p.rows * cell);
    const cells = p.cells.map((c, k) => {
      const [r, q] = [Math.floor(k / p.cols), k % p.cols];
      const [x, y] = [round(q * cell), round((p.rows - 1 - r) * cell)];
      const fill = c.fill === undefined ? '' : `\\fill[${colourName(c.fill)}!${c.strong ? 45 : 22}] (${x},${y}) rectangle +(${cell},${cell}); `;
      // The corner's number top right, the cell's own bottom left: side by side, never on each other.
      const corner = c.corner === undefined ? '' : ` \\node[${colourName(c.fill ?? 0)}, font=\\tiny, anchor=north east, inner sep=0.8pt] at (${round(x + cell)},${round(y + cell)}) {$\\times$${escapeTex(c.corner)}};`;
      const text = c.strong ? `\\textbf{${cellTextTex(c.text)}}` : cellTextTex(c.text);
      const at = c.corner === undefined ? `(${round(x + cell / 2)},${round(y + cell / 2)})` : `(${round(x + cell * 0.32)},${round(y + cell * 0.3)})`;
      return `${fill}\\node[${c.faint ? 'gray' : 'black'}, font=${font}] at ${at} {${text}};${corner}`;
    });
    const labels = [
      ...(p.rowLabels ?? []).map((l, r) => `\\node[${colourName(r)}, font=\\tiny, anchor=east] at (0,${round((p.rows - r - 0.5) * cell)}) {$${l}$};`),
      ...(p.colLabels ?? []).map((l, q) => `\\node[gray, font=\\tiny, anchor=south] at (${round((q + 0.5) * cell)},${height}) {$${l}$};`),
    ];
    return [
      '\\begin{tikzpicture}[baseline=(current bounding box.south)]',
      ...cells,
      // The grid over the shading, so that shaded neighbours stay apart.
      `\\draw[gray!50, step=${cell}] (0,0) grid (${round(p.cols * cell)},${height});`,
      ...labels,
      `\\node[below] at (${round((p.cols * cell) / 2)},0) {$${p.caption}$};`,
      '\\end{tikzpicture}',
    ].join('\n');
  });
  const note = block.notes.length > 0 ? `\n\n{\\small ${block.notes.map((t) => textTex(t, strings)).join(joiner)}\\par}` : '';
  return `\\begin{center}\n${panels.join('\n\\quad\n')}${note}\n\\end{center}`;
}

/** Glyphs of math a line of one of a sheet's two columns holds (8.8 cm at 8pt): LINE_WIDTH scaled by width and type size. */
const SHEET_LINE_WIDTH = Math.floor(((LINE_WIDTH * 8.8) / 17.4) * (10 / 8));
/** The same across a sheet's page (18.4 cm at 8pt), where its problem, symbols and results run. */
const SHEET_PAGE_WIDTH = Math.floor(((LINE_WIDTH * 18.4) / 17.4) * (10 / 8));
/** A table's widest cell of chains (its other columns narrow labels). */
const TABLE_CELL_WIDTH = LINE_WIDTH - 14;
const round = (x: number) => Math.round(x * 100) / 100;

/** A cell's text in TeX: an entry's name (k11, x23) with its indices as a subscript, anything else as it is. */
function cellTextTex(text: string): string {
  const name = /^([a-z])(\d+)$/.exec(text);
  return name ? `$${name[1]}_{${name[2]}}$` : escapeTex(text);
}
