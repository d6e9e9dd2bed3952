// A derivation is data: sections of steps, each step a rule id and the blocks a reader sees.
// Renderers only format these; every number and formula is decided here.
import type { StringKey } from '../strings/strings.js';

/** A piece of a sentence filled into a string's {placeholder}: math (LaTeX), plain text, or a word from the strings table. */
export type Inline = { readonly math: string } | { readonly text: string } | { readonly word: StringKey };

/** A sentence from the strings table, with its placeholders filled. */
export interface Text {
  readonly key: StringKey;
  readonly params?: Readonly<Record<string, Inline>>;
}

/**
 * lhs = sides[0] = sides[1] = …: symbolic, then with numbers, then the value. Each side is a list of
 * pieces (the terms of a sum) between which a renderer may break a long line. A side marked in
 * `rounded` holds a value rounded from float64 and follows ≈ instead of =.
 */
export interface Chain {
  readonly lhs: string;
  readonly sides: readonly (readonly string[])[];
  readonly rounded?: readonly boolean[];
  /**
   * Chains next to each other with the same key share a line as far as its width allows: the planes
   * of one tensor, a line per output channel (K^{(1,1)} = … K^{(1,2)} = …).
   */
  readonly line?: string;
}

export type Block =
  | { readonly kind: 'text'; readonly text: Text }
  /** Chains aligned at their = signs; with groupSize, every groupSize chains form a group set apart from the next. */
  | { readonly kind: 'chains'; readonly chains: readonly Chain[]; readonly groupSize?: number }
  | { readonly kind: 'table'; readonly header: readonly Text[]; readonly rows: readonly (readonly string[])[] }
  /** Small grids side by side, some cells marked: where a window, a kernel entry or a padded cell reads from. */
  | { readonly kind: 'figure'; readonly panels: readonly Panel[] }
  /** Room to work by hand on a printed sheet. */
  | { readonly kind: 'space' }
  /** A line chart of y over x (the loss over the steps): SVG in HTML, TikZ in LaTeX, left out of Markdown. */
  | { readonly kind: 'plot'; readonly x: readonly number[]; readonly y: readonly number[]; readonly xLabel: Text; readonly yLabel: Text };

/** One grid of a figure: its cells' text, which are marked, and a caption in LaTeX math. */
export interface Panel {
  readonly caption: string;
  readonly rows: number;
  readonly cols: number;
  /** Row-major plain text, short (1, -2, 63/25, 0.731). */
  readonly cells: readonly string[];
  /** Row-major: 'mark' highlighted, 'border' a padded cell, 'plain' otherwise. */
  readonly marks: readonly ('mark' | 'border' | 'plain')[];
}

export type RuleId =
  | 'problem.statement'
  | 'conv.padding'
  | 'conv.geometry'
  | 'conv.unroll'
  | 'conv.output'
  | 'activation.apply'
  | 'pool.apply'
  | 'head.reduce'
  | 'loss.reduce'
  | 'chain.loss-prediction'
  | 'chain.head'
  | 'chain.pool'
  | 'chain.activation'
  | 'chain.delta'
  | 'chain.kernel-entry'
  | 'grad.kernel-compact'
  | 'chain.bias'
  | 'chain.input-entry'
  | 'grad.input-compact'
  | 'optim.rule'
  | 'optim.step'
  | 'optim.trajectory'
  | 'formulas.all'
  | 'quiz.exercise'
  | 'summary.results';

export interface Step {
  readonly rule: RuleId;
  readonly title: Text;
  readonly blocks: readonly Block[];
}

export type SectionId = 'problem' | 'forward' | 'backward' | 'training' | 'formulas' | 'summary' | `exercise-${number}`;

export interface Section {
  readonly id: SectionId;
  readonly title: Text;
  readonly steps: readonly Step[];
}

export interface Derivation {
  /** The problem's title: plain text from the user, escaped by every renderer. */
  readonly title?: string;
  /** convgrad's own heading from the strings table, where the document is not one problem's (an exercise sheet). */
  readonly heading?: StringKey;
  /** A document (sections on new pages when printed) or a one-page sheet. */
  readonly layout: 'document' | 'sheet';
  readonly intro: readonly Text[];
  readonly sections: readonly Section[];
}
