// Run at build time (scripts/build-web.mjs, in Node): the seed's document as the worker renders it,
// written into the page so that it shows before any script has run.
import { problemText } from './problem-json.js';
import { PRESETS } from './presets.js';
import { handle } from './worker.js';
import { marked, pieces } from './chunks.js';

export function prerender(): { main: string; title: string; styles: readonly string[] } {
  const reply = handle({ kind: 'derive', id: 0, source: problemText(PRESETS[0].problem as never), language: 'en', detail: 'auto', decimals: false });
  if (reply.kind !== 'derive' || !reply.ok || !reply.styles || reply.main === undefined) throw new Error('internal error: the seed did not derive');
  return { main: marked(pieces(reply.main)), title: reply.title, styles: reply.styles };
}
