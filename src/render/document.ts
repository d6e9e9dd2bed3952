// What every renderer shares: the options, the heading, and one walk over the derivation.
import type { Block, Derivation, Section, Step, Text } from '../derivation/step.js';
import type { Language, Strings } from '../strings/strings.js';

export interface RenderOptions {
  readonly language: Language;
  /** convgrad's version, printed in the footer. */
  readonly version: string;
}

/** How one format writes each part; renderBody strings them together. */
export interface Writer {
  section(section: Section, body: string, index: number): string;
  /** index: the step's place in its section, for an anchor unique in the document. */
  step(step: Step, body: string, index: number, section: Section): string;
  text(text: Text): string;
  block(block: Exclude<Block, { kind: 'text' }>): string;
}

export function renderBody(derivation: Derivation, writer: Writer): string {
  return derivation.sections
    .map((section, sectionIndex) =>
      writer.section(
        section,
        section.steps
          .map((step, index) => writer.step(step, step.blocks.map((block) => (block.kind === 'text' ? writer.text(block.text) : writer.block(block))).join('\n\n'), index, section))
          .join('\n\n'),
        sectionIndex,
      ),
    )
    .join('\n\n');
}

/** The heading is the problem's title when it has one (with convgrad's title beneath), else convgrad's title. */
export function headings(derivation: Derivation, strings: Strings): { heading: string; subtitle?: string } {
  if (derivation.heading) return { heading: strings[derivation.heading] };
  return derivation.title === undefined ? { heading: strings['doc.title'] } : { heading: derivation.title, subtitle: strings['doc.title'] };
}

export function generatedText(options: RenderOptions): Text {
  return { key: 'doc.generated', params: { version: { text: options.version } } };
}

/** The anchor of a step: its section and its place there (a rule may fire in several steps). */
export function stepAnchor(section: Section, index: number): string {
  return `${section.id}-${index + 1}`;
}
