// The document and Explore, linked both ways. The worker renders the document with hooks
// (RenderOptions.hooks): each line that writes out an entry carries it, data-entry="sigma:n:o:i:j"
// (its sum of products), "delta:n:o:i:j" or "delta" (δ at it, or one line for every entry),
// "grad.kernel:o:c:m:n" (∂L/∂k as a sum over the cells) and "kernel.update:o:c:m:n" (its first
// update). The entry in focus in Explore lights its lines; a line hovered or tapped focuses its entry
// in Explore. The lines only gain a class (their displays aria-current): nothing is hidden or moved.
// Where Explore is scrolled away, a line's entry is echoed at the edge of the screen away from the pointer: its lit grids
// (when small) and its sum, with a button back up to Explore.
import { h } from './dom.js';
import type { EntryFocus, Explore } from './explore.js';

/** The class of a line of the entry in focus, and of the line that defines it (its sum: σ's, or ∂L/∂k's). */
const LIT = 'entry-lit';
const LIT_MAIN = 'entry-lit-main';

/** The data-entry values of an entry's lines, the defining one first. */
export function entryKeys(focus: EntryFocus): string[] {
  if (focus.kind === 'sigma') {
    const at = `${focus.n}:${focus.o}:${focus.i}:${focus.j}`;
    return [`sigma:${at}`, `delta:${at}`, 'delta'];
  }
  const at = `${focus.o}:${focus.c}:${focus.m}:${focus.n}`;
  return [`grad.kernel:${at}`, `kernel.update:${at}`];
}

/** The entry a line writes out; none for a line of every entry alike (δ_ij = ∂L/∂S · 1) or a key not known. */
export function entryOf(key: string): EntryFocus | undefined {
  const [tensor, ...rest] = key.split(':');
  const index = rest.map(Number);
  if (index.length !== 4 || !index.every((k) => Number.isInteger(k) && k >= 0)) return undefined;
  const [a, b, c, d] = index;
  if (tensor === 'sigma' || tensor === 'delta') return { kind: 'sigma', n: a, o: b, i: c, j: d };
  if (tensor === 'grad.kernel' || tensor === 'kernel.update') return { kind: 'kernel', o: a, c: b, m: c, n: d };
  return undefined;
}

/**
 * The cells of a line side by side (its left side, the rest) shaded as one band: each as tall as the
 * tallest beside it, by padding that its negative margin takes back (no line moves).
 */
function evenRows(cells: readonly HTMLElement[]): void {
  const boxes = cells.map((cell) => cell.getBoundingClientRect());
  boxes.forEach((box, k) => {
    if (box.height === 0) return;
    const row = boxes.filter((other) => other.height > 0 && other.top < box.bottom && box.top < other.bottom);
    const above = box.top - Math.min(...row.map((other) => other.top));
    const below = Math.max(...row.map((other) => other.bottom)) - box.bottom;
    if (above + below < 0.5) return;
    cells[k].style.padding = `${above}px 0 ${below}px`;
    cells[k].style.margin = `${-above}px 0 ${-below}px`;
  });
}

/** Grids of at most this many cells are echoed; larger ones only by their sum. */
const ECHO_CELLS = 100;

export function linkDocument(doc: HTMLElement, explore: Explore): void {
  let hovered: string | undefined;
  const echo = h('aside', { class: 'explore-echo', hidden: true });
  doc.after(echo);
  /**
   * After Explore has taken an entry from the document at height y of the screen: its grids and sum
   * echoed if Explore is out of sight, in the half of the screen away from the pointer (never under it).
   */
  const echoExplore = (y: number) => {
    const body = explore.element.querySelector('.explore-body');
    const box = body?.getBoundingClientRect();
    const inSight = box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight;
    const lit = [...explore.element.querySelectorAll('figure.xfigure')].filter((figure) => figure.querySelector('.lit-main, .lit'));
    echo.hidden = inSight || lit.length === 0 || !explore.element.hasAttribute('open');
    if (echo.hidden) return;
    echo.classList.toggle('at-top', y > window.innerHeight / 2);
    const copy = <T extends Node>(node: T) => {
      const clone = node.cloneNode(true) as T;
      if (clone instanceof Element) for (const e of clone.querySelectorAll('[tabindex], .doc-link')) e.matches('.doc-link') ? e.remove() : e.removeAttribute('tabindex');
      return clone;
    };
    const grids = lit.every((figure) => figure.querySelectorAll('td').length <= ECHO_CELLS) ? lit.map(copy) : [];
    const info = explore.element.querySelector('.explore-info');
    const sum = info ? copy(info) : null;
    sum?.setAttribute('class', 'echo-info');
    sum?.removeAttribute('aria-live');
    const label = explore.element.querySelector('summary')?.textContent ?? '';
    // Explore says it all already (its sum is a live region): the echo is for the eye.
    echo.replaceChildren(
      h('div', { class: 'echo-body', 'aria-hidden': 'true' }, h('div', { class: 'explore-body' }, grids), sum),
      h('button', { type: 'button', class: 'small', onclick: () => explore.element.scrollIntoView({ block: 'start', behavior: 'smooth' }) }, `↑ ${label}`),
    );
  };
  const fromDocument = (entry: EntryFocus | undefined, pin: boolean, y: number) => {
    explore.focusEntry(entry, pin);
    echoExplore(y);
  };
  explore.linkDocument({
    light(focus) {
      echo.hidden = true;
      for (const lit of doc.querySelectorAll<HTMLElement>(`.${LIT}`)) {
        lit.classList.remove(LIT, LIT_MAIN);
        lit.style.removeProperty('padding');
        lit.style.removeProperty('margin');
      }
      for (const display of doc.querySelectorAll('[aria-current]')) display.removeAttribute('aria-current');
      if (!focus) return 0;
      const [main, ...rest] = entryKeys(focus);
      const lines = [...doc.querySelectorAll<HTMLElement>(`[data-entry="${main}"]`)];
      for (const line of lines) line.classList.add(LIT, LIT_MAIN);
      const related = rest.length > 0 ? [...doc.querySelectorAll<HTMLElement>(rest.map((key) => `[data-entry="${key}"]`).join(', '))] : [];
      for (const line of related) line.classList.add(LIT);
      evenRows([...lines, ...related]);
      // The lines' HTML is hidden from a screen reader (it reads the MathML): their displays say they are current.
      for (const line of [...lines, ...related]) line.closest('.math')?.setAttribute('aria-current', 'true');
      return lines.length + related.length;
    },
    reveal() {
      doc.querySelector(`.${LIT_MAIN}, .${LIT}`)?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    },
  });
  const keyAt = (target: EventTarget | null) => (target instanceof Element ? (target.closest('[data-entry]')?.getAttribute('data-entry') ?? undefined) : undefined);
  // A mouse that moves onto a line focuses its entry, off every line ends that; a touch only taps.
  doc.addEventListener('pointerover', (event) => {
    if (event.pointerType !== 'mouse') return;
    const key = keyAt(event.target);
    if (key === hovered) return;
    hovered = key;
    fromDocument(key === undefined ? undefined : entryOf(key), false, event.clientY);
  });
  // Onto the echo is not off the line: its button is to be reached. Off the echo, elsewhere than the document, is.
  const leave = (event: PointerEvent) => {
    const to = event.relatedTarget;
    if (hovered === undefined || (to instanceof Node && (echo.contains(to) || doc.contains(to)))) return;
    hovered = undefined;
    fromDocument(undefined, false, 0);
  };
  doc.addEventListener('pointerleave', leave);
  echo.addEventListener('pointerleave', leave);
  doc.addEventListener('click', (event) => {
    const key = keyAt(event.target);
    const entry = key === undefined ? undefined : entryOf(key);
    if (entry) fromDocument(entry, true, event.clientY);
  });
}
