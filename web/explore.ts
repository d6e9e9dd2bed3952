// Explore: the padded input, the kernel, the output and the gradients as grids. Hovering (or tapping)
// an output entry lights its window on the input and writes its sum; a kernel entry lights the cells
// its gradient sums over. The numbers are the result document's, exact or as decimals. A document
// linked to it (doc-links.ts) lights the lines of the entry in focus, and focuses the entry of a line.
import type { ResultDocument } from '../src/index.js';
import { exactAsDecimal } from './decimals.js';
import { h } from './dom.js';
import { geometry, inputChannel, paddedPlane, tap, type Geometry } from './geometry.js';
import { as4d, type Json, type ProblemJson } from './problem-json.js';
import { ui, type UiKey, type UiLanguage } from './ui-strings.js';

type Focus = { kind: 'sigma'; i: number; j: number } | { kind: 'kernel'; m: number; n: number };

/** An entry at its full index, counted from 0: σ at [n, o, i, j], or the kernel at [o, c, m, n]. */
export type EntryFocus = { kind: 'sigma'; n: number; o: number; i: number; j: number } | { kind: 'kernel'; o: number; c: number; m: number; n: number };

/** The document beside Explore: it lights an entry's lines (how many it has), and scrolls to them. */
export interface DocumentLink {
  light(focus: EntryFocus | undefined): number;
  reveal(): void;
}

/** The padded row (counted from 1) that output row i and kernel row m meet at: (i − 1)s + (m − 1)d + 1. */
const index = (i: string, m: string, s: number, d: number) => `${s === 1 ? '' : s}${i}+${d === 1 ? '' : d}${m}−${s + d - 1}`;

/** How long an entry's sum stays after the pointer leaves it. */
const LINGER_MS = 350;

const sub = (...indices: number[]) => h('sub', {}, indices.map((k) => k + 1).join(indices.some((k) => k >= 9) ? ',' : ''));

export class Explore {
  readonly element: HTMLElement;
  private problem?: ProblemJson;
  private result?: ResultDocument;
  private g?: Geometry;
  private sample = 0;
  private outChannel = 0;
  private inPlane = 0;
  private pinned?: Focus;
  /** Showing a network's first layer, whose document lines carry no hooks. */
  private network = false;
  /** The focus shown: hovered, pinned or reached by the keyboard. */
  private shown?: Focus;
  private decimals = false;
  private language: UiLanguage = 'en';
  private readonly body = h('div', { class: 'explore-body' });
  private readonly info = h('div', { class: 'explore-info', 'aria-live': 'polite' });
  private readonly selectors = h('div', { class: 'explore-selectors' });
  private readonly heading = h('summary', {});
  private readonly hint = h('p', { class: 'note' });
  private link?: DocumentLink;

  constructor() {
    this.element = h('details', { class: 'explore', id: 'explore', open: true }, this.heading, this.hint, this.selectors, this.body, this.info);
    // The sum stays while the pointer goes from the entry to it (to its button to the document).
    this.info.addEventListener('mouseenter', () => this.stay());
    this.info.addEventListener('mouseleave', () => this.leave());
  }

  private leaving?: ReturnType<typeof setTimeout>;

  /** The pointer has left an entry (or the sum): what it showed goes, unless pinned, after a moment in which the pointer may reach the sum. */
  private leave(): void {
    this.stay();
    if (!this.pinned) this.leaving = setTimeout(() => this.pinned || this.show(undefined), LINGER_MS);
  }

  private stay(): void {
    clearTimeout(this.leaving);
    this.leaving = undefined;
  }

  /** The document whose lines follow the entry in focus. */
  linkDocument(link: DocumentLink): void {
    this.link = link;
  }

  /**
   * An entry focused from the document: hovered (shown unless one is pinned) or tapped (pinned, or
   * unpinned when it already is); its sample and channels chosen first. None: the hover ends.
   */
  focusEntry(entry: EntryFocus | undefined, pin: boolean): void {
    const g = this.g;
    if (!g) return;
    // The document's pointer now: whatever an entry left behind in Explore is not to end it later.
    this.stay();
    if (!entry) {
      if (!this.pinned) this.show(undefined);
      return;
    }
    if (this.pinned && !pin) return;
    const [sample, outChannel, inPlane] = entry.kind === 'sigma' ? [entry.n, entry.o, this.inPlane] : [this.sample, entry.o, entry.c];
    const focus: Focus = entry.kind === 'sigma' ? { kind: 'sigma', i: entry.i, j: entry.j } : { kind: 'kernel', m: entry.m, n: entry.n };
    const inside = entry.kind === 'sigma' ? entry.i < g.outRows && entry.j < g.outCols : entry.m < g.kRows && entry.n < g.kCols;
    if (!inside || sample >= g.batch || outChannel >= g.outChannels || inPlane >= g.inChannels / g.groups) return;
    if (sample !== this.sample || outChannel !== this.outChannel || inPlane !== this.inPlane) {
      [this.sample, this.outChannel, this.inPlane] = [sample, outChannel, inPlane];
      this.pinned = undefined;
      this.renderSelectors();
      this.renderGrids();
    }
    if (pin) {
      const same = this.pinned && JSON.stringify(this.pinned) === JSON.stringify(focus);
      this.pinned = same ? undefined : focus;
      this.show(this.pinned);
    } else this.show(focus);
  }

  /** A focus of the grids shown, at its full index. */
  private located(focus: Focus): EntryFocus {
    return focus.kind === 'sigma' ? { kind: 'sigma', n: this.sample, o: this.outChannel, i: focus.i, j: focus.j } : { kind: 'kernel', o: this.outChannel, c: this.inPlane, m: focus.m, n: focus.n };
  }

  /** Under the sum: a button to the entry's lines in the document, or a word that it has none there. */
  private documentLine(lines: number): Node[] {
    if (!this.link || this.network) return [];
    if (lines === 0) return [h('p', { class: 'doc-link note' }, this.t('explore.not-in-document'))];
    // Pinned first: the page scrolls away from the grid, and the lines stay lit.
    const reveal = () => {
      this.pinned = this.shown;
      this.link?.reveal();
    };
    return [h('p', { class: 'doc-link' }, h('button', { type: 'button', class: 'small', onclick: reveal }, `↓ ${this.t('explore.in-document')}`))];
  }

  private t(key: UiKey): string {
    return ui(this.language, key);
  }

  /** The panel's heading in a language, before any document has come. */
  relabel(language: UiLanguage): void {
    this.language = language;
    this.heading.textContent = this.t('explore.heading');
  }

  /** note: what the panel shows of a network (its first layer), said under the hint. */
  update(problem: ProblemJson, result: ResultDocument, decimals: boolean, language: UiLanguage, note?: string): void {
    // A network's document has no hooks on its lines (doc-links.ts reads the single layer's): no link to offer.
    this.network = note !== undefined;
    this.problem = problem;
    this.result = result;
    this.decimals = decimals;
    this.language = language;
    this.heading.textContent = this.t('explore.heading');
    this.g = geometry(problem);
    const g = this.g;
    // A network's first layer: what the panel shows of it, and no word of document lines (they carry no hooks).
    const sentences = note === undefined ? [this.t('explore.hint'), this.t('explore.hint-document')] : g ? [note, this.t('explore.hint')] : [note];
    this.hint.textContent = sentences.join(language === 'zh' ? '' : ' ');
    if (!g) {
      this.body.replaceChildren();
      return;
    }
    this.sample = Math.min(this.sample, g.batch - 1);
    this.outChannel = Math.min(this.outChannel, g.outChannels - 1);
    this.inPlane = Math.min(this.inPlane, g.inChannels / g.groups - 1);
    this.pinned = undefined;
    this.renderSelectors();
    this.renderGrids();
  }

  private renderSelectors(): void {
    const g = this.g!;
    const chooser = (label: UiKey, count: number, value: number, set: (k: number) => void) =>
      count <= 1
        ? null
        : h('label', {}, `${this.t(label)} `, h('select', { 'aria-label': this.t(label), onchange: (e: Event) => { set(Number((e.target as HTMLSelectElement).value)); this.renderGrids(); } }, Array.from({ length: count }, (_, k) => h('option', { value: k, selected: k === value }, String(k + 1)))));
    this.selectors.replaceChildren(
      ...[
        chooser('explore.sample', g.batch, this.sample, (k) => (this.sample = k)),
        chooser('explore.out-channel', g.outChannels, this.outChannel, (k) => (this.outChannel = k)),
        chooser('explore.in-channel', g.inChannels / g.groups, this.inPlane, (k) => (this.inPlane = k)),
      ].filter((x): x is HTMLLabelElement => x !== null),
    );
  }

  /** An entry of the result document as shown: exact ("63/25") or as a decimal (2.52). */
  private value(exact: Json | undefined, double: Json | undefined): string {
    if (typeof exact === 'string') return this.decimals ? exactAsDecimal(exact) : exact;
    if (typeof double === 'number') return `≈${Number(double.toPrecision(6))}`;
    return '';
  }

  /** A number as the problem wrote it. */
  private written(value: Json | null | undefined): string {
    if (value === null || value === undefined) return '0';
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return this.decimals ? exactAsDecimal(text.replace(/^(-?)0*(\d)/, '$1$2')) : text;
  }

  /** A factor of a product: a negative number in parentheses. */
  private factor(value: Json | null | undefined): string {
    const text = this.written(value);
    return text.startsWith('-') ? `(${text})` : text;
  }

  private grid(name: string, rows: string[][], cellClass: (i: number, j: number) => string, focus?: (i: number, j: number) => Focus): HTMLElement {
    const table = h(
      'table',
      { class: 'xgrid', 'data-grid': name },
      h(
        'tbody',
        {},
        rows.map((row, i) =>
          h(
            'tr',
            {},
            row.map((text, j) => {
              const td = h('td', { class: cellClass(i, j), 'data-i': i, 'data-j': j, tabindex: focus ? 0 : undefined }, text);
              if (focus) {
                const f = focus(i, j);
                td.addEventListener('mouseenter', () => {
                  this.stay();
                  if (!this.pinned) this.show(f);
                });
                td.addEventListener('mouseleave', () => this.leave());
                td.addEventListener('focus', () => this.show(f));
                td.addEventListener('click', () => {
                  this.pinned = this.pinned && JSON.stringify(this.pinned) === JSON.stringify(f) ? undefined : f;
                  this.show(this.pinned ?? f);
                });
              }
              return td;
            }),
          ),
        ),
      ),
    );
    return h('figure', { class: 'xfigure' }, table, h('figcaption', {}, name));
  }

  private renderGrids(): void {
    const g = this.g!;
    const problem = this.problem!;
    const r = this.result!;
    const c = inputChannel(g, this.outChannel, this.inPlane);
    const padded = paddedPlane(problem, g, this.sample, c);
    const kernel = as4d(problem.kernel)![this.outChannel][this.inPlane] as Json[][];
    const plane = (exact: Json | undefined, double: Json | undefined, a: number, b: number) => {
      const e = as4d(exact)?.[a]?.[b] as Json[][] | undefined;
      const d = as4d(double)?.[a]?.[b] as Json[][] | undefined;
      if (!d) return undefined;
      return d.map((row, i) => row.map((v, j) => this.value(e?.[i]?.[j], v)));
    };
    const sigma = plane(r.exact.forward.conv as Json, r.forward.conv as Json, this.sample, this.outChannel);
    const gradKernel = plane(r.exact.grad.kernel as Json, r.grad.kernel as Json, this.outChannel, this.inPlane);
    const gradInput = plane(r.exact.grad.input as Json, r.grad.input as Json, this.sample, c);
    const updated = plane(r.exact.updated.kernel as Json, r.updated.kernel as Json, this.outChannel, this.inPlane);
    const hasPadding = g.top + g.bottom + g.left + g.right > 0;
    const kernelFocus = (i: number, j: number): Focus => ({ kind: 'kernel', m: i, n: j });
    const grids = [
      this.grid(this.t(hasPadding ? 'explore.padded' : 'explore.input'), padded.map((row) => row.map((cell) => this.written(cell.value))), (i, j) => (padded[i][j].padding ? 'pad' : '')),
      this.grid(this.t('explore.kernel'), kernel.map((row) => (row as Json[]).map((v) => this.written(v))), () => 'k', kernelFocus),
      sigma ? this.grid(this.t('explore.sigma'), sigma, () => 'out', (i, j) => ({ kind: 'sigma', i, j })) : null,
      gradKernel ? this.grid(this.t('explore.grad-kernel'), gradKernel, () => 'k', kernelFocus) : null,
      gradInput ? this.grid(this.t('explore.grad-input'), gradInput, () => '') : null,
      updated ? this.grid(this.t('explore.updated'), updated, () => '') : null,
    ];
    this.body.replaceChildren(...grids.filter((x): x is HTMLElement => x !== null));
    this.show(undefined);
  }

  /** Lights the cells of a focus and writes its sum; none: clears. */
  private show(focus: Focus | undefined): void {
    for (const lit of this.body.querySelectorAll('.lit, .lit-main')) lit.classList.remove('lit', 'lit-main');
    this.shown = focus;
    const lines = this.link?.light(focus && this.located(focus)) ?? 0;
    if (!focus) {
      this.info.replaceChildren();
      return;
    }
    const g = this.g!;
    const problem = this.problem!;
    const cell = (grid: number, i: number, j: number) => this.body.querySelectorAll('table.xgrid')[grid]?.querySelector(`td[data-i="${i}"][data-j="${j}"]`);
    const light = (grid: number, i: number, j: number, main = false) => cell(grid, i, j)?.classList.add(main ? 'lit-main' : 'lit');
    const c = inputChannel(g, this.outChannel, this.inPlane);
    const padded = paddedPlane(problem, g, this.sample, c);
    const kernel = as4d(problem.kernel)![this.outChannel][this.inPlane] as Json[][];
    const terms: Node[] = [];
    const plus = () => terms.length > 0 && terms.push(document.createTextNode(' + '));
    if (focus.kind === 'sigma') {
      const { i, j } = focus;
      light(2, i, j, true);
      for (let m = 0; m < g.kRows; m++) {
        for (let n = 0; n < g.kCols; n++) {
          const [r, s] = tap(g, i, j, m, n);
          light(0, r, s);
          light(1, m, n);
          plus();
          terms.push(document.createTextNode(`${this.factor(kernel[m][n])}·${this.factor(padded[r][s].value)}`));
        }
      }
      const channels = g.inChannels / g.groups;
      const bias = problem.bias === undefined ? undefined : Array.isArray(problem.bias) ? problem.bias[this.outChannel] : problem.bias;
      const text = cell(2, i, j)?.textContent ?? '';
      const deltas = Array.from({ length: g.kRows * g.kCols }, (_, k) => {
        const [m, n] = [Math.floor(k / g.kCols), k % g.kCols];
        const [r, s] = tap(g, i, j, m, n);
        return h('span', {}, 'δ', sub(i, j), '·x̃', sub(r, s), ' → ∂L/∂k', sub(m, n));
      });
      this.info.replaceChildren(
        h('p', {}, 'σ', sub(i, j), ' = ', ...terms, channels > 1 ? ` + (${channels - 1} ${this.t('explore.in-channel')} …)` : '', bias === undefined ? '' : ` + ${this.written(bias)}`, ` = `, h('strong', {}, text)),
        h('p', { class: 'terms' }, ...deltas.flatMap((d, k) => (k === 0 ? [d] : [document.createTextNode(';  '), d]))),
        ...this.documentLine(lines),
      );
      return;
    }
    const { m, n } = focus;
    light(1, m, n, true);
    light(3, m, n, true);
    for (let i = 0; i < g.outRows; i++) {
      for (let j = 0; j < g.outCols; j++) {
        const [r, s] = tap(g, i, j, m, n);
        light(0, r, s);
        light(2, i, j);
        plus();
        terms.push(h('span', {}, 'δ', sub(i, j), `·${this.factor(padded[r][s].value)}`));
        if (terms.length > 60) break;
      }
    }
    const value = cell(3, m, n)?.textContent ?? '';
    this.info.replaceChildren(h('p', {}, '∂L/∂k', sub(m, n), ' = Σ δ', h('sub', {}, 'ij'), '·x̃', h('sub', {}, `${index('i', 'm', g.stride[0], g.dilation[0])}, ${index('j', 'n', g.stride[1], g.dilation[1])}`), ' = ', ...terms, g.batch > 1 ? ` (+ ${g.batch - 1} …)` : '', ' = ', h('strong', {}, value)), ...this.documentLine(lines));
  }
}
