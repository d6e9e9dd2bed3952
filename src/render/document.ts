// What every renderer shares: the options, the heading, and one walk over the derivation.
import type { Block, Derivation, Section, Step, Text } from '../derivation/step.js';
import type { Language, Strings } from '../strings/strings.js';

export interface RenderOptions {
  readonly language: Language;
  /** convgrad's version, printed in the footer. */
  readonly version: string;
  /**
   * HTML only: each line that writes out an entry of the layer (Chain.entry) carries it as a
   * data-entry attribute, for a page that links its lines to other views of the tensors (the
   * playground). The command line leaves it off: its pages are the same bytes with or without.
   */
  readonly hooks?: boolean;
}

/** A file a renderer makes besides its document (the Markdown's figures), for the caller to write. */
export interface OutputFile {
  readonly name: string;
  readonly contents: string;
}

/** How one format writes each part; renderBody strings them together. */
export interface Writer {
  section(section: Section, body: string, index: number): string;
  /** index: the step's place in its section, for an anchor unique in the document. */
  step(step: Step, body: string, index: number, section: Section): string;
  text(text: Text): string;
  /** Sentences as one paragraph. */
  paragraph(texts: readonly Text[]): string;
  block(block: Exclude<Block, { kind: 'text' | 'paragraph' }>): string;
  /** What goes between two blocks of a step: a blank line unless the format needs otherwise. */
  between?(before: Block, after: Block): string;
}

export function renderBody(derivation: Derivation, writer: Writer): string {
  return derivation.sections.map((section, sectionIndex) => renderSection(section, sectionIndex, writer)).join('\n\n');
}

/** One section of renderBody's text: renderBody is these, joined by a blank line. */
export function renderSection(section: Section, sectionIndex: number, writer: Writer): string {
  return writer.section(
    section,
    section.steps
      .map((step, index) => {
        const blocks = step.blocks.map((block) => (block.kind === 'text' ? writer.text(block.text) : block.kind === 'paragraph' ? writer.paragraph(block.texts) : writer.block(block)));
        const body = blocks.map((written, k) => (k === 0 ? written : `${writer.between?.(step.blocks[k - 1], step.blocks[k]) ?? '\n\n'}${written}`)).join('');
        return writer.step(step, body, index, section);
      })
      .join('\n\n'),
    sectionIndex,
  );
}

/** The heading is the problem's title when it has one (with the document's own title beneath), else the document's title. */
export function headings(derivation: Derivation, strings: Strings): { heading: string; subtitle?: string } {
  const own = strings[derivation.heading ?? 'doc.title'];
  return derivation.title === undefined ? { heading: own } : { heading: derivation.title, subtitle: own };
}

export function generatedText(options: RenderOptions): Text {
  return { key: 'doc.generated', params: { version: { text: options.version } } };
}

/** Between the sentences of a paragraph: a space in English, nothing after a Chinese full stop. */
export function sentenceJoiner(language: RenderOptions['language']): string {
  return language === 'zh' ? '' : ' ';
}

/** What ends a heading run in at the start of a paragraph: a full stop in English; in Chinese the bold heading and a space. */
export function runInEnd(language: RenderOptions['language']): string {
  return language === 'zh' ? '' : '.';
}

/** The only step of a section, or one titled as its section, takes no heading of its own: the section's says it. */
export function headingless(step: Step, section: Section): boolean {
  return section.steps.length === 1 || step.title.key === section.title.key;
}

/** The anchor of a step: its section and its place there (a rule may fire in several steps). */
export function stepAnchor(section: Section, index: number): string {
  return `${section.id}-${index + 1}`;
}
