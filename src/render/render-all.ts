// Every requested format of one solved problem: each document by its format, and the files a document
// links to (the Markdown's figures), for the caller to write beside it.
import { derive } from '../derivation/derive.js';
import { deriveNetwork } from '../derivation/network/derive-network.js';
import { networkResultJson } from '../result/network-document.js';
import type { NetworkSolution } from '../trajectory/train-network.js';
import type { Detail } from '../derivation/elide.js';
import { resultJson } from '../result/result-document.js';
import type { Language } from '../strings/strings.js';
import type { Solution } from '../trajectory/train.js';
import type { Derivation } from '../derivation/step.js';
import type { OutputFile, RenderOptions } from './document.js';
import { renderHtml } from './html.js';
import { markdownFigures, renderMarkdown } from './markdown.js';
import { renderTex } from './tex.js';

/** The formats convgrad writes; pdf is typeset from tex by the TeX installation (src/cli/pdf.ts). */
export const FORMATS = ['tex', 'html', 'md', 'json', 'pdf'] as const;
export type Format = (typeof FORMATS)[number];
export type TextFormat = Exclude<Format, 'pdf'>;

/** The formats written when none is asked for. */
export const DEFAULT_FORMATS: readonly Format[] = ['tex', 'html', 'md', 'json'];

export interface Rendered {
  /** Each document by its format. */
  readonly documents: Map<Format, string>;
  /** Files the documents link to, named after the stem (the Markdown's figures: seed.figure-1.svg …). */
  readonly files: readonly OutputFile[];
}

/** The formats that render a derivation (json is the result document, pdf is typeset from tex). */
export type DocumentFormat = Exclude<TextFormat, 'json'>;

/** One derivation in each document format asked for, in the order asked, with the Markdown's figures named after the stem. */
export function renderDocuments(derivation: Derivation, formats: readonly DocumentFormat[], options: RenderOptions & { stem?: string }): Rendered {
  const documents = new Map<Format, string>();
  const files: OutputFile[] = [];
  const markdown = { ...options, ...(options.stem === undefined ? {} : { figures: options.stem }) };
  for (const format of formats) {
    switch (format) {
      case 'tex':
        documents.set(format, renderTex(derivation, options));
        break;
      case 'html':
        documents.set(format, renderHtml(derivation, options));
        break;
      case 'md':
        documents.set(format, renderMarkdown(derivation, markdown));
        files.push(...markdownFigures(derivation, markdown));
        break;
    }
  }
  return { documents, files };
}

export interface RenderAllOptions {
  readonly language: Language;
  readonly version: string;
  readonly detail?: Detail;
  readonly stem?: string;
}

export function renderAll(solution: Solution, formats: readonly TextFormat[], options: RenderAllOptions): Rendered {
  return renderFormats(() => derive(solution, options.detail), () => resultJson(solution), formats, options);
}

/** A network's documents: its derivation layer by layer, and its result document. */
export function renderNetworkAll(solution: NetworkSolution, formats: readonly TextFormat[], options: RenderAllOptions): Rendered {
  return renderFormats(() => deriveNetwork(solution, options.detail), () => networkResultJson(solution), formats, options);
}

/** The derivation (made once, where a format needs it) in each document format, and the result document as json. */
function renderFormats(derivation: () => Derivation, json: () => string, formats: readonly TextFormat[], options: RenderAllOptions): Rendered {
  const derived = formats.some((f) => f !== 'json') ? derivation() : undefined;
  const documents = new Map<Format, string>();
  const files: OutputFile[] = [];
  for (const format of formats) {
    if (format === 'json') {
      documents.set(format, json());
      continue;
    }
    const rendered = renderDocuments(derived!, [format], options);
    documents.set(format, rendered.documents.get(format)!);
    files.push(...rendered.files);
  }
  return { documents, files };
}
