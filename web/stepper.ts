// The stepper: the backward pass and the update one step at a time. The document's sections
// "backward" and "training" are cut into units, each ending in a formula or a figure; the units up to
// the current one are shown, the current one marked, the rest hidden.
import { h } from './dom.js';
import { ui, type UiLanguage } from './ui-strings.js';

const DISPLAY = 'div.math, div.figure, table.grid, figure.plot, dl.legend';

export class Stepper {
  readonly element: HTMLElement;
  private units: Element[][] = [];
  private current = -1;
  private language: UiLanguage = 'en';
  private readonly start = h('button', { type: 'button', id: 'stepper-start', onclick: () => this.go(0) });
  private readonly bar = h('div', { class: 'stepper-bar', hidden: true });

  constructor(private readonly doc: HTMLElement) {
    this.element = h('div', { class: 'stepper' }, this.start, this.bar);
    document.addEventListener('keydown', (e) => {
      if (this.current < 0 || (e.target instanceof HTMLElement && e.target.closest('input, textarea, select'))) return;
      if (e.key === 'ArrowRight') this.go(this.current + 1);
      if (e.key === 'ArrowLeft') this.go(this.current - 1);
      if (e.key === 'Escape') this.go(-1);
    });
  }

  /** After a new document: cut it again, staying at the same step where it still exists. */
  refresh(language: UiLanguage): void {
    this.language = language;
    this.start.textContent = `▶ ${ui(language, 'stepper.start')}`;
    this.units = [];
    for (const section of this.doc.querySelectorAll('section#backward, section#training')) {
      let unit: Element[] = [];
      for (const child of section.children) {
        if (child.tagName === 'H2') continue;
        unit.push(child);
        if (child.matches(DISPLAY)) {
          this.units.push(unit);
          unit = [];
        }
      }
      if (unit.length > 0) this.units.push(unit);
    }
    this.start.hidden = this.units.length === 0;
    if (this.current >= 0) this.go(Math.min(this.current, this.units.length - 1), false);
  }

  go(step: number, scroll = true): void {
    this.current = step < 0 || this.units.length === 0 ? -1 : Math.min(step, this.units.length - 1);
    const on = this.current >= 0;
    this.doc.classList.toggle('stepping', on);
    this.start.hidden = on || this.units.length === 0;
    this.bar.hidden = !on;
    this.units.forEach((unit, k) => {
      for (const e of unit) {
        e.classList.toggle('step-later', on && k > this.current);
        e.classList.toggle('step-current', on && k === this.current);
      }
    });
    if (!on) return;
    const t = (key: Parameters<typeof ui>[1], params = {}) => ui(this.language, key, params);
    this.bar.replaceChildren(
      h('button', { type: 'button', id: 'stepper-previous', disabled: this.current === 0, onclick: () => this.go(this.current - 1) }, `◀ ${t('stepper.previous')}`),
      h('span', { class: 'position' }, t('stepper.position', { k: this.current + 1, n: this.units.length })),
      h('button', { type: 'button', id: 'stepper-next', disabled: this.current === this.units.length - 1, onclick: () => this.go(this.current + 1) }, `${t('stepper.next')} ▶`),
      h('button', { type: 'button', id: 'stepper-done', onclick: () => this.go(-1) }, t('stepper.done')),
    );
    const last = this.units[this.current].at(-1);
    if (scroll && last) last.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }
}
