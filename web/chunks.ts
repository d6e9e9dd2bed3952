// The document cut into pieces where renderHtml puts a blank line (between blocks, steps and
// sections), with the tags that open and close the header, the sections and the footer kept apart
// as structure. Each content piece is fenced in the page by two comments (c0 … /c0), invisible to CSS. A new document with the same structure then replaces
// only the pieces whose text changed: an edit of one kernel entry re-parses the formulas with numbers,
// not the rules, the legend or the words around them.

export type Piece = { readonly kind: 'structure'; readonly text: string } | { readonly kind: 'content'; readonly text: string };

const STRUCTURE = /(\n*<section id="[^"]*">\n<h2>[^\n]*<\/h2>\n?|\n*<\/section>\n*|\n*<\/?header>\n*|<footer>[^\n]*<\/footer>\n*|\n\n)/;

export function pieces(main: string): Piece[] {
  // split with a capturing group: content at even places, structure at odd ones.
  return main.split(STRUCTURE).map((text, k) => ({ kind: k % 2 === 0 ? 'content' : 'structure', text }));
}

/** "<!--", spelled so that the page's script never holds it (it would change how its <script> element ends). */
const OPEN_COMMENT = ['<', '!', '--'].join('');

/** The document with each content piece between its two markers. */
export function marked(list: readonly Piece[]): string {
  let n = 0;
  return list.map((p) => (p.kind === 'structure' ? p.text : `${OPEN_COMMENT}c${n}-->${p.text}${OPEN_COMMENT}/c${n++}-->`)).join('');
}

/** The markers of a rendered document, in order: [start, end] for each content piece. */
export function markers(root: Node): [Comment, Comment][] {
  const found: Comment[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) if (/^\/?c\d+$/.test((node as Comment).data)) found.push(node as Comment);
  const pairs: [Comment, Comment][] = [];
  for (let k = 0; k + 1 < found.length; k += 2) pairs.push([found[k], found[k + 1]]);
  return pairs;
}

/**
 * Puts `next` in place of the shown document by replacing the content pieces that changed (taking a
 * piece already parsed from `parsed` where there is one); false when the structure changed (other
 * sections, more or fewer pieces) and the document must be rendered whole.
 */
export function patch(shown: readonly Piece[], fences: readonly [Comment, Comment][], next: readonly Piece[], parsed?: Map<string, DocumentFragment[]>): boolean {
  if (shown.length !== next.length) return false;
  const changed: [number, string][] = [];
  let n = 0;
  for (let k = 0; k < next.length; k++) {
    const [a, b] = [shown[k], next[k]];
    if (a.kind !== b.kind || (a.kind === 'structure' && a.text !== b.text)) return false;
    if (b.kind === 'content') {
      if (a.text !== b.text) changed.push([n, b.text]);
      n++;
    }
  }
  if (fences.length !== n || changed.some(([k]) => fences[k][0].parentNode !== fences[k][1].parentNode)) return false;
  const range = document.createRange();
  for (const [k, html] of changed) {
    const [start, end] = fences[k];
    range.setStartAfter(start);
    range.setEndBefore(end);
    range.deleteContents();
    end.parentNode!.insertBefore(parsed?.get(html)?.pop() ?? fragmentOf(html), end);
  }
  return true;
}

/** A piece's HTML, parsed. */
export function fragmentOf(html: string): DocumentFragment {
  const fresh = document.createElement('template');
  fresh.innerHTML = html;
  return fresh.content;
}
