// What every renderer shares: the options, the heading, and one walk over the derivation.
import type { Block, Derivation, Section, Step, Text } from '../derivation/step.js';
import type { Language, Strings } from '../strings/strings.js';

export interface RenderOptions {
  readonly language: Language;
  /** convgrad's version, printed in the footer. */
  readonly version: string;
}

/** How one format writes each part; renderDocument strings them together. */
export interface Writer {
  section(section: Section, body: string): string;
  step(step: Step, body: string): string;
  text(text: Text): string;
  block(block: Exclude<Block, { kind: 'text' }>): string;
}

export function renderBody(derivation: Derivation, writer: Writer): string {
  return derivation.sections
    .map((section) =>
      writer.section(
        section,
        section.steps.map((step) => writer.step(step, step.blocks.map((block) => (block.kind === 'text' ? writer.text(block.text) : writer.block(block))).join('\n\n'))).join('\n\n'),
      ),
    )
    .join('\n\n');
}

/** The heading is the problem's title when it has one (with convgrad's title beneath), else convgrad's title. */
export function headings(derivation: Derivation, strings: Strings): { heading: string; subtitle?: string } {
  return derivation.title === undefined ? { heading: strings['doc.title'] } : { heading: derivation.title, subtitle: strings['doc.title'] };
}

export function generatedText(options: RenderOptions): Text {
  return { key: 'doc.generated', params: { version: { text: options.version } } };
}
