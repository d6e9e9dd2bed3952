// A new document put in place of the old one element by element: what did not change (the rules, the
// legend, most of the text) keeps its nodes, so the browser styles and lays out only what did.

/** Replaces `target`'s children by `source`'s, keeping every child equal to its counterpart; two levels deep (main, then each section). */
export function patchChildren(target: Element, source: Element, depth = 2): void {
  const old = [...target.children];
  const next = [...source.children];
  // Only elements are compared; the whitespace between them does not show.
  if (old.length !== next.length || depth === 0 || target.childElementCount !== target.childNodes.length - countText(target)) {
    target.replaceChildren(...source.childNodes);
    return;
  }
  next.forEach((element, k) => {
    const current = old[k];
    if (current.isEqualNode(element)) return;
    if (depth > 1 && current.tagName === element.tagName && current.tagName === 'SECTION' && current.id === element.id) patchChildren(current, element, depth - 1);
    else current.replaceWith(element);
  });
}

function countText(element: Element): number {
  let n = 0;
  for (const node of element.childNodes) if (node.nodeType !== Node.ELEMENT_NODE) n++;
  return n;
}
