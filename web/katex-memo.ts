// KaTeX for the worker, remembering what it rendered: an edit changes a few formulas of a derivation
// and leaves the rest (the rules, the legend, the "why" section) as they were, so those are not typeset
// again. scripts/build-web.mjs makes convgrad's `import katex from 'katex'` come here; the output is
// KaTeX's own, byte for byte.
import katex from 'katex';

/** Formulas remembered, at most; past that the memory starts afresh. */
const LIMIT = 4000;
const rendered = new Map<string, string>();

function renderToString(tex: string, options?: katex.KatexOptions): string {
  const key = `${JSON.stringify(options ?? {})}\u0000${tex}`;
  const known = rendered.get(key);
  if (known !== undefined) return known;
  const html = katex.renderToString(tex, options);
  if (rendered.size >= LIMIT) rendered.clear();
  rendered.set(key, html);
  return html;
}

export default { ...katex, renderToString };
