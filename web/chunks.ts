// The document cut where renderHtml puts a blank line (between blocks, steps and sections), each
// piece's content fenced by two markers (<?c…>, which an HTML parser keeps as comment nodes, invisible
// to CSS). A new document then replaces only the pieces whose text changed: an edit of one kernel
// entry re-parses the formulas with numbers, not the rules, the legend or the words around them.

export interface Chunk {
  /** Tags that open or close around the content (<section id="…"><h2>…</h2>, </header>). */
  readonly prefix: string;
  readonly body: string;
  readonly suffix: string;
  /** The body opens and closes its own elements, so it can be replaced alone. */
  readonly balanced: boolean;
}

const PREFIX = /^(?:\s*(?:<\/header>|<header>|<section id="[^"]*">\n<h2>.*?<\/h2>)\s*)*/;
const SUFFIX = /(?:\s*(?:<\/section>|<\/header>))*\s*$/;
const STRUCTURE = /<\/?(?:section|header|main|footer)\b/;

export function chunks(main: string): Chunk[] {
  return main.split('\n\n').map((piece) => {
    const prefix = PREFIX.exec(piece)![0];
    const rest = piece.slice(prefix.length);
    const suffix = SUFFIX.exec(rest)![0];
    const body = rest.slice(0, rest.length - suffix.length);
    return { prefix, body, suffix, balanced: !STRUCTURE.test(body) };
  });
}

/** The document with each chunk's body between its two markers. */
export function marked(list: readonly Chunk[]): string {
  return list.map((c, k) => `${c.prefix}<?c${k}>${c.body}<?/c${k}>${c.suffix}`).join('\n\n');
}

/** The markers of a rendered document, in order: [start, end] for each chunk. */
export function markers(root: Node): [Comment, Comment][] {
  const found: Comment[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) if (/^\?\/?c\d+$/.test((node as Comment).data)) found.push(node as Comment);
  const pairs: [Comment, Comment][] = [];
  for (let k = 0; k + 1 < found.length; k += 2) pairs.push([found[k], found[k + 1]]);
  return pairs;
}

/**
 * Puts `next` in place of the shown document by replacing the changed chunks' bodies; false when the
 * document's structure changed (other sections, other chunks) and it must be rendered whole.
 */
export function patch(shown: readonly Chunk[], fences: readonly [Comment, Comment][], next: readonly Chunk[]): boolean {
  if (shown.length !== next.length || fences.length !== next.length) return false;
  for (let k = 0; k < next.length; k++) {
    const [a, b] = [shown[k], next[k]];
    if (a.prefix !== b.prefix || a.suffix !== b.suffix) return false;
    if (a.body !== b.body && !(b.balanced && a.balanced && fences[k][0].parentNode === fences[k][1].parentNode)) return false;
  }
  const range = document.createRange();
  next.forEach((chunk, k) => {
    if (shown[k].body === chunk.body) return;
    const [start, end] = fences[k];
    range.setStartAfter(start);
    range.setEndBefore(end);
    range.deleteContents();
    const fresh = document.createElement('template');
    fresh.innerHTML = chunk.body;
    end.parentNode!.insertBefore(fresh.content, end);
  });
  return true;
}
