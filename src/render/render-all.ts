// Every requested format of one solved problem, as file name extension → contents.
import { derive } from '../derivation/derive.js';
import type { Detail } from '../derivation/elide.js';
import { resultJson } from '../result/result-document.js';
import type { Language } from '../strings/strings.js';
import type { Solution } from '../trajectory/train.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderTex } from './tex.js';

export const FORMATS = ['tex', 'html', 'md', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function renderAll(solution: Solution, formats: readonly Format[], options: { language: Language; version: string; detail?: Detail }): Map<Format, string> {
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
