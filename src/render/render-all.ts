// Every requested format of one solved problem, as file name extension → contents.
import { derive } from '../derivation/derive.js';
import type { Detail } from '../derivation/elide.js';
import { resultJson } from '../result/result-document.js';
import type { Language } from '../strings/strings.js';
import type { Solution } from '../trajectory/train.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderTex } from './tex.js';

/** The formats convgrad writes; pdf is typeset from tex by the TeX installation (src/render/pdf.ts). */
export const FORMATS = ['tex', 'html', 'md', 'json', 'pdf'] as const;
export type Format = (typeof FORMATS)[number];
export type TextFormat = Exclude<Format, 'pdf'>;

/** The formats written when none is asked for. */
export const DEFAULT_FORMATS: readonly Format[] = ['tex', 'html', 'md', 'json'];

export function renderAll(solution: Solution, formats: readonly TextFormat[], options: { language: Language; version: string; detail?: Detail }): Map<Format, string> {
  const derivation = formats.some((f) => f !== 'json') ? derive(solution, options.detail) : undefined;
  const out = new Map<Format, string>();
  for (const format of formats) {
    if (format === 'json') out.set(format, resultJson(solution));
    else if (format === 'tex') out.set(format, renderTex(derivation!, options));
    else if (format === 'html') out.set(format, renderHtml(derivation!, options));
    else out.set(format, renderMarkdown(derivation!, options));
  }
  return out;
}
