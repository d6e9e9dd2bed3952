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
  /**
   * The entry this chain writes out, for a page that links its lines to other views of the same
   * tensors (the playground's hooks); renderers write it only when asked.
   */
  readonly entry?: EntryRef;
}

/**
 * An entry of a tensor of the layer: σ, δ, ∂L/∂K, or a kernel entry's first update, at its full index
 * ([n, o, i, j] for a map, [o, c, m, n] for the kernel), counted from 0. No index: every entry alike
 * (δ_ij = ∂L/∂S · 1, one line for all).
 */
export interface EntryRef {
  readonly tensor: 'sigma' | 'delta' | 'grad.kernel' | 'kernel.update';
  readonly index?: readonly number[];
}

export type Block =
  | { readonly kind: 'text'; readonly text: Text }
  /** Sentences that run on as one paragraph. */
  | { readonly kind: 'paragraph'; readonly texts: readonly Text[] }
  /**
   * Chains aligned at their = signs; with groupSize, every groupSize chains form a group set apart from
   * the next; boxed: framed, the rules to remember.
   */
  | { readonly kind: 'chains'; readonly chains: readonly Chain[]; readonly groupSize?: number; readonly boxed?: boolean }
  /** A table of math: each cell LaTeX, or chains that a renderer lays out in the cell as in a display. */
  | { readonly kind: 'table'; readonly header: readonly Text[]; readonly rows: readonly (readonly TableCell[])[] }
  /**
   * Small grids side by side: where a window, a kernel entry or the turned kernel reads, the winners of
   * a max pooling, the convolution as a matrix. Its notes say how to read it, and what it leaves out.
   */
  | { readonly kind: 'figure'; readonly panels: readonly Panel[]; readonly notes: readonly Text[] }
  /** What each symbol of the document means. */
  | { readonly kind: 'legend'; readonly entries: readonly LegendEntry[] }
  /** Room to work by hand on a printed sheet. */
  | { readonly kind: 'space' }
  /** A line chart of y over x (the loss over the steps): SVG in HTML and Markdown, TikZ in LaTeX. */
  | { readonly kind: 'plot'; readonly x: readonly number[]; readonly y: readonly number[]; readonly xLabel: Text; readonly yLabel: Text };

export type TableCell = string | { readonly chains: readonly Chain[] };

export interface LegendEntry {
  /** LaTeX math. */
  readonly symbol: string;
  readonly meaning: Text;
}

/** One cell of a figure's grid. */
export interface FigureCell {
  /** Short plain text: 1, -2, 63/25, 0.731, k11. */
  readonly text: string;
  /** Shaded in this colour of the palette (palette.ts): the same colour as the terms it makes. */
  readonly fill?: number;
  /** A stronger shade: the cell that matters most (a max-pool winner). */
  readonly strong?: boolean;
  /** Structural (padding, a spread's zeros): its text set faint. */
  readonly faint?: boolean;
  /** A second, small text in the cell's corner: the turned kernel's entry that multiplies this one. */
  readonly corner?: string;
}

/** One grid of a figure, with a caption in LaTeX math and, optionally, a label per row and column (LaTeX math too). */
export interface Panel {
  readonly caption: string;
  /** The palette colour the caption is set in, matching its cells. */
  readonly colour?: number;
  readonly rows: number;
  readonly cols: number;
  /** Row-major. */
  readonly cells: readonly FigureCell[];
  readonly rowLabels?: readonly string[];
  readonly colLabels?: readonly string[];
}

export type RuleId =
  | 'problem.statement'
  | 'problem.legend'
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
  | 'why.index-form'
  | 'why.rotation'
  | 'why.matrix'
  | 'quiz.answers'
  | 'formulas.all'
  | 'quiz.exercise'
  | 'summary.results'
  | 'network.layer.forward'
  | 'network.layer.backward'
  | 'network.backward.intro';

export interface Step {
  readonly rule: RuleId;
  readonly title: Text;
  readonly blocks: readonly Block[];
}

export type SectionId = 'problem' | 'forward' | 'backward' | 'why' | 'training' | 'formulas' | 'summary' | 'answers' | 'legend' | `exercise-${number}`;

export interface Section {
  readonly id: SectionId;
  readonly title: Text;
  readonly steps: readonly Step[];
  /** Its steps' headings run in at the start of their first paragraph, as in a textbook's aside (printed). */
  readonly runIn?: boolean;
}

export interface Derivation {
  /** The problem's title: plain text from the user, escaped by every renderer. */
  readonly title?: string;
  /** convgrad's own heading from the strings table, where the document is not one problem's (an exercise sheet). */
  readonly heading?: StringKey;
  /** A document, or a one-page sheet in two columns. */
  readonly layout: 'document' | 'sheet';
  /** A reference to look things up in rather than to read through (an answer key): set in smaller type where printed. */
  readonly reference?: boolean;
  readonly intro: readonly Text[];
  readonly sections: readonly Section[];
}
