// Markdown with $…$ and $$…$$ math, as GitHub renders it.
import type { Derivation, Text } from '../derivation/step.js';
import { stringsFor, type Strings } from '../strings/strings.js';
import { generatedText, headings, renderBody, type RenderOptions } from './document.js';
import { alignedBody } from './layout.js';
import { fillTemplate } from './templates.js';
import { segments } from './text.js';

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
      // A table's cells would pass their math through Markdown's escapes (\\\\ in a matrix becomes \\),
      // so a table is written as one aligned display: quantity = value.
      const chains = block.kind === 'chains' ? block.chains : block.rows.map(([lhs, value]) => ({ lhs, sides: [[value]] }));
      return `$$\n\\begin{aligned}\n${alignedBody(chains, block.kind === 'chains' ? block.groupSize : undefined)}\n\\end{aligned}\n$$`;
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
