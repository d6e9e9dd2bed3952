// Markdown with $…$ and $$…$$ math, as GitHub renders it.
import type { Block, Derivation, Text } from '../derivation/step.js';
import { stringsFor, type Strings } from '../strings/strings.js';
import { generatedText, headingless, headings, renderBody, sentenceJoiner, type OutputFile, type RenderOptions } from './document.js';
import { figureFileSvg, plotSvg } from './figure-svg.js';
import { texToUnicode } from './unicode.js';
import { alignedBodies, alignedBody, cellTex, SCREEN_LINE_WIDTH } from './layout.js';
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

export interface MarkdownOptions extends RenderOptions {
  /** The stem the figure files are named after (seed → seed.figure-1.svg), written beside the .md. */
  readonly figures?: string;
}

/** The name of the n-th figure file (1-based). */
function figureName(options: MarkdownOptions, n: number): string {
  return `${options.figures ?? 'figure'}.figure-${n}.svg`;
}

/** A file name as a link target: a stem with spaces or parentheses stays one link. */
function linkTo(name: string): string {
  return encodeURIComponent(name).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The figure and plot blocks, in the order the document shows them. */
function pictures(derivation: Derivation): Extract<Block, { kind: 'figure' | 'plot' }>[] {
  return derivation.sections.flatMap((s) => s.steps.flatMap((st) => st.blocks.filter((b): b is Extract<Block, { kind: 'figure' | 'plot' }> => b.kind === 'figure' || b.kind === 'plot')));
}

/** The SVG files the Markdown links to, to be written beside it: GitHub shows no inline SVG. */
export function markdownFigures(derivation: Derivation, options: MarkdownOptions): OutputFile[] {
  const strings = stringsFor(options.language);
  return pictures(derivation).map((block, k) => ({
    name: figureName(options, k + 1),
    contents: block.kind === 'figure' ? figureFileSvg(block) : plotSvg(block, escapeXml(plainText(block.xLabel, strings)), escapeXml(plainText(block.yLabel, strings)), true),
  }));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderMarkdown(derivation: Derivation, options: MarkdownOptions): string {
  const strings = stringsFor(options.language);
  let figures = 0;
  const body = renderBody(derivation, {
    section: (section, inner) => `## ${textMd(section.title, strings)}\n\n${inner}`,
    step: (step, inner, _, section) => (headingless(step, section) ? inner : `### ${textMd(step.title, strings)}\n\n${inner}`),
    text: (text) => textMd(text, strings),
    paragraph: (texts) => texts.map((t) => textMd(t, strings)).join(sentenceJoiner(options.language)),
    block: (block) => {
      if (block.kind === 'space') return '';
      // Figures are SVG files beside the .md (markdownFigures writes them), linked here.
      if (block.kind === 'figure') {
        const alt = escapeMarkdown(block.panels.map((p) => texToUnicode(p.caption)).join(', '));
        return `![${alt}](${linkTo(figureName(options, ++figures))})${block.notes.length > 0 ? `\n\n*${block.notes.map((t) => textMd(t, strings)).join(sentenceJoiner(options.language))}*` : ''}`;
      }
      if (block.kind === 'plot') return `![${escapeMarkdown(plainText(block.yLabel, strings))}](${linkTo(figureName(options, ++figures))})`;
      if (block.kind === 'legend') return block.entries.map((e) => `- $${e.symbol}$: ${textMd(e.meaning, strings)}`).join('\n');
      // A table's cells would pass their math through Markdown's escapes (\\\\ in a matrix becomes \\),
      // so a table is written as a math array with a text header.
      if (block.kind === 'table') {
        const header = block.header.map((t) => `\\text{${mathText(plainText(t, strings))}}`).join(' & ');
        return `$$\n\\begin{array}{${'l'.repeat(block.header.length)}}\n${header} \\\\ \\hline\n${block.rows.map((row) => row.map((cell) => cellTex(cell, SCREEN_LINE_WIDTH - 14)).join(' & ')).join(' \\\\[1ex]\n')}\n\\end{array}\n$$`;
      }
      if (block.boxed) return `$$\n\\boxed{\\begin{aligned}\n${alignedBody(block.chains, block.groupSize, SCREEN_LINE_WIDTH)}\n\\end{aligned}}\n$$`;
      return alignedBodies(block.chains, block.groupSize, SCREEN_LINE_WIDTH).map((body) => `$$\n\\begin{aligned}\n${body}\n\\end{aligned}\n$$`).join('\n\n');
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
