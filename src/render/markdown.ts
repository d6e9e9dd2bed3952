// Markdown with $…$ and $$…$$ math, as GitHub renders it.
import type { Derivation, Text } from '../derivation/step.js';
import { stringsFor, type Strings } from '../strings/strings.js';
import { generatedText, headings, renderBody, type RenderOptions } from './document.js';
import { alignedBody } from './layout.js';
import { fillTemplate } from './templates.js';
import { plainText, segments } from './text.js';

/** Plain text made inert for Markdown: no emphasis, link, code, HTML tag, table cell or math can start in it. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_[\]<>|$~#{}]/g, (c) => `\\${c}`)
    .replace(/\s+/g, ' ');
}

function textMd(text: Text, strings: Strings): string {
  return segments(text, strings)
    .map((s) => (s.kind === 'math' ? `$${s.value}$` : escapeMarkdown(s.value)))
    .join('');
}

export function renderMarkdown(derivation: Derivation, options: RenderOptions): string {
  const strings = stringsFor(options.language);
  const body = renderBody(derivation, {
    section: (section, inner) => `## ${textMd(section.title, strings)}\n\n${inner}`,
    step: (step, inner) => `### ${textMd(step.title, strings)}\n\n${inner}`,
    text: (text) => textMd(text, strings),
    block: (block) => {
      // GitHub shows no inline SVG: figures and the curve stay in the HTML and the PDF.
      if (block.kind === 'plot' || block.kind === 'space' || block.kind === 'figure') return '';
      // A table's cells would pass their math through Markdown's escapes (\\\\ in a matrix becomes \\),
      // so a table is written as a math array with a text header.
      if (block.kind === 'table') {
        const header = block.header.map((t) => `\\text{${mathText(plainText(t, strings))}}`).join(' & ');
        return `$$\n\\begin{array}{${'l'.repeat(block.header.length)}}\n${header} \\\\ \\hline\n${block.rows.map((row) => row.join(' & ')).join(' \\\\[1ex]\n')}\n\\end{array}\n$$`;
      }
      return `$$\n\\begin{aligned}\n${alignedBody(block.chains, block.groupSize)}\n\\end{aligned}\n$$`;
    },
  });
  const { heading, subtitle } = headings(derivation, strings);
  return fillTemplate('derivation.md', {
    heading: escapeMarkdown(heading),
    subtitle: subtitle === undefined ? '' : `*${escapeMarkdown(subtitle)}*\n\n`,
    intro: derivation.intro.map((t) => textMd(t, strings)).join('\n\n'),
    body,
    generated: textMd(generatedText(options), strings),
  });
}

/** Plain text made safe inside \\text{…}: braces, backslashes and the like printed as themselves. */
function mathText(text: string): string {
  return text.replace(/[\\{}$&#%_^~]/g, (c) => (c === '\\' ? '\\backslash ' : `\\${c}`));
}
