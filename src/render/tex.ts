// The LaTeX document: pdflatex for English, xelatex (ctex) for Chinese; standard packages only.
import type { Text } from '../derivation/step.js';
import { alignedBody } from './layout.js';
import { generatedText, headings, renderBody, type RenderOptions } from './document.js';
import { fillTemplate, readTemplate } from './templates.js';
import { segments } from './text.js';
import type { Derivation } from '../derivation/step.js';
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
  const body = renderBody(derivation, {
    section: (section, inner) => `\\section{${textTex(section.title, strings)}}\n\n${inner}`,
    step: (step, inner) => `\\subsection{${textTex(step.title, strings)}}\n\n${inner}`,
    text: (text) => textTex(text, strings),
    block: (block) => {
      // A summary table is set as an aligned display, quantity = value: matrices need display room.
      const chains = block.kind === 'chains' ? block.chains : block.rows.map(([lhs, value]) => ({ lhs, sides: [[value]] }));
      return `\\begin{align*}\n${alignedBody(chains, block.kind === 'chains' ? block.groupSize : undefined)}\n\\end{align*}`;
    },
  });
  const { heading, subtitle } = headings(derivation, strings);
  return fillTemplate('derivation.tex', {
    preamble: readTemplate(`preamble.${options.language}.tex`).trimEnd(),
    heading: escapeTex(heading),
    subtitle: subtitle === undefined ? '' : `\\vspace{0.4em}{\\large ${escapeTex(subtitle)}\\par}`,
    intro: derivation.intro.map((t) => textTex(t, strings)).join('\n\n'),
    body,
    generated: textTex(generatedText(options), strings),
  });
}
