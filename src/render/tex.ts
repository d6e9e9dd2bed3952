// The LaTeX document: pdflatex for English, xelatex (ctex) for Chinese; standard packages only.
import type { Text } from '../derivation/step.js';
import { alignedBody, LINE_WIDTH } from './layout.js';
import { generatedText, headings, renderBody, type RenderOptions } from './document.js';
import { fillTemplate, readTemplate } from './templates.js';
import { segments } from './text.js';
import type { Block, Derivation } from '../derivation/step.js';
import { plotLayout } from './plot.js';
import { stringsFor, type Strings } from '../strings/strings.js';

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
  const generated = textTex(generatedText(options), strings);
  const laidOut = sheet ? `${fillTemplate('sheet.tex', { generated, language: readTemplate(`sheet.${options.language}.tex`).trimEnd() }).trimEnd()}\n\\begin{multicols}{2}\n${body}\n\\end{multicols}` : body;
  return fillTemplate('derivation.tex', {
    preamble: readTemplate(`preamble.${options.language}.tex`).trimEnd(),
    margin: sheet ? '1.6cm' : '2.2cm',
    heading: escapeTex(heading),
    headingSize: sheet ? '\\Large' : '\\LARGE',
    subtitle: subtitle === undefined ? '' : `\\vspace{0.4em}{\\large ${escapeTex(subtitle)}\\par}`,
    intro: sheet ? '' : derivation.intro.map((t) => textTex(t, strings)).join('\n\n'),
    body: laidOut,
    closing: sheet ? '' : `\\vfill\n{\\footnotesize ${generated}\\par}`,
  });
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
