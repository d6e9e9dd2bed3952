// The playground's hooks (RenderOptions.hooks) taken out of a page: each <span class="enclosing"
// data-entry="…"> KaTeX wrote, and its </span>. What is left is the page without hooks.
export function withoutHooks(html: string): string {
  const kept: boolean[] = [];
  return html.replace(/<span\b[^>]*>|<\/span>/g, (tag) => {
    if (tag !== '</span>') {
      const hook = /^<span class="enclosing" data-entry="[^"]*">$/.test(tag);
      kept.push(!hook);
      return hook ? '' : tag;
    }
    return kept.pop() === false ? '' : tag;
  });
}
