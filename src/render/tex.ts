// The LaTeX document: pdflatex for English, xelatex (ctex) for Chinese; standard packages only.
import type { Text } from '../derivation/step.js';
import { alignedBody, LINE_WIDTH } from './layout.js';
import { generatedText, headings, renderBody, type RenderOptions } from './document.js';
import { fillTemplate, readTemplate } from './templates.js';
import { segments } from './text.js';
import type { Block, Derivation } from '../derivation/step.js';
import { plotLayout } from './plot.js';
import { stringsFor, type Language, type Strings } from '../strings/strings.js';

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
  return text.replace(/[\\{}$&#%_^~<>|]/g, (c) => TEX_SPECIALS[c]).replace(/\s+/g, ' ');
}

/** Where a character of a title is set: Latin Modern, a fallback font of the preamble, or nowhere (an invisible format character). */
type TitleFont = 'main' | 'cjk' | 'rtl' | 'symbols' | 'other' | 'invisible';

// Latin, its punctuation and Latin Modern's own symbols; then the scripts Latin Modern has no glyphs of.
function titleFont(code: number): TitleFont {
  if (code < 0x250 || (code >= 0x1e00 && code < 0x1f00) || (code >= 0x2010 && code < 0x2028) || code === 0x20ac) return 'main';
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
      const tex = escapeTex(text);
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
  const width = sheet ? SHEET_LINE_WIDTH : LINE_WIDTH;
  const body = renderBody(derivation, {
    // A handout: every section after the first starts on a new page.
    section: (section, inner, index) => `${index > 0 && derivation.layout === 'document' ? '\\clearpage\n' : ''}\\section{${textTex(section.title, strings)}}\n\n${inner}`,
    // On a sheet, a section of one step needs no second heading.
    step: (step, inner, _, section) => (sheet && section.steps.length === 1 ? inner : `\\subsection{${textTex(step.title, strings)}}\n\n${inner}`),
    text: (text) => textTex(text, strings),
    block: (block) => {
      if (block.kind === 'plot') return plotTex(block, strings);
      if (block.kind === 'space') return '\\vspace{7cm}';
      if (block.kind === 'figure') return figureTex(block);
      if (block.kind === 'table') return tableTex(block, strings);
      return `\\begin{align*}\n${alignedBody(block.chains, block.groupSize, width)}\n\\end{align*}`;
    },
  });
  const { heading, subtitle } = headings(derivation, strings);
  const engine = texEngine(derivation, options.language);
  const generated = textTex(generatedText(options), strings);
  const laidOut = sheet ? `${fillTemplate('sheet.tex', { generated, language: readTemplate(`sheet.${options.language}.tex`).trimEnd() }).trimEnd()}\n\\begin{multicols}{2}\n${body}\n\\end{multicols}` : body;
  return fillTemplate('derivation.tex', {
    engine,
    preamble: preamble(derivation, options.language, engine),
    margin: sheet ? '1.6cm' : '2.2cm',
    heading: derivation.title !== undefined && engine === 'xelatex' ? titleTex(heading, options.language) : escapeTex(heading),
    headingSize: sheet ? '\\Large' : '\\LARGE',
    subtitle: subtitle === undefined ? '' : `\\vspace{0.4em}{\\large ${escapeTex(subtitle)}\\par}`,
    intro: sheet ? '' : derivation.intro.map((t) => textTex(t, strings)).join('\n\n'),
    body: laidOut,
    closing: sheet ? '' : `\\vfill\n{\\footnotesize ${generated}\\par}`,
  });
}

/** The preamble of the language and engine, with the title's fonts (templates/title-fonts.tex) where the title needs them. */
function preamble(derivation: Derivation, language: Language, engine: 'pdflatex' | 'xelatex'): string {
  if (engine === 'pdflatex') return readTemplate('preamble.en.tex').trimEnd();
  const base = readTemplate(language === 'en' ? 'preamble.en.xetex.tex' : 'preamble.zh.tex').trimEnd();
  const fonts = [...(derivation.title ?? '')].some((c) => !['main', 'invisible', ...(language === 'zh' ? ['cjk'] : [])].includes(titleFont(c.codePointAt(0)!)));
  return fonts ? `${base}\n${readTemplate('title-fonts.tex').trimEnd()}` : base;
}

function tableTex(block: Extract<Block, { kind: 'table' }>, strings: Strings): string {
  const header = block.header.map((t) => `\\textbf{${textTex(t, strings)}}`).join(' & ');
  const rows = block.rows.map((row) => `${row.map((cell) => `$\\displaystyle ${cell}$`).join(' & ')} \\\\[1.2ex]`).join('\n');
  return `\\begin{center}\n\\begin{tabular}{${'l'.repeat(block.header.length)}}\n\\toprule\n${header} \\\\\n\\midrule\n${rows}\n\\bottomrule\n\\end{tabular}\n\\end{center}`;
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

// Each panel a TikZ grid, 0.6 cm a cell: marked cells shaded blue, padded cells' text grey, the caption below.
function figureTex(block: Extract<Block, { kind: 'figure' }>): string {
  const panels = block.panels.map((p) => {
    const cells = p.cells.map((text, k) => {
      const [r, c] = [Math.floor(k / p.cols), k % p.cols];
      const [x, y] = [round(c * CELL), round((p.rows - 1 - r) * CELL)];
      const fill = p.marks[k] === 'mark' ? `\\fill[blue!18] (${x},${y}) rectangle +(${CELL},${CELL}); ` : '';
      const colour = p.marks[k] === 'border' ? 'gray' : 'black';
      return `${fill}\\node[${colour}, font=\\scriptsize] at (${round(x + CELL / 2)},${round(y + CELL / 2)}) {${escapeTex(text)}};`;
    });
    return [
      '\\begin{tikzpicture}',
      `\\draw[gray!60, step=${CELL}] (0,0) grid (${round(p.cols * CELL)},${round(p.rows * CELL)});`,
      ...cells,
      `\\node[below] at (${round((p.cols * CELL) / 2)},0) {$${p.caption}$};`,
      '\\end{tikzpicture}',
    ].join('\n');
  });
  return `\\begin{center}\n${panels.join('\n\\quad\n')}\n\\end{center}`;
}

const CELL = 0.6;
/** About how many characters of math fit on a line of one of a sheet's two columns (8.7 cm at 10pt). */
const SHEET_LINE_WIDTH = 41;
const round = (x: number) => Math.round(x * 100) / 100;
